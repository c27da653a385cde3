import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DueOutbox, OutboxIndex } from '../domain/destinations/events-sweep';
import { duePartitionKeys } from './dynamo-due-index';
import { INDEXES, leadIdOfKey, OUTBOX_PARTITION } from './table-keys';

const ERASURE = 'ERASURE#';

/** Outboxes due for the sweep: the routing index's OUTBOX partition, by due time. */
export class DynamoOutboxIndex implements OutboxIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async due(now: Date): Promise<DueOutbox[]> {
    const keys = await duePartitionKeys(this.db, this.tableName, INDEXES.routing, OUTBOX_PARTITION, now);
    return keys.map((key) =>
      key.startsWith(ERASURE) ? { kind: 'erasure', receiptId: key.slice(ERASURE.length) } : { kind: 'lead', leadId: leadIdOfKey(key) },
    );
  }
}
