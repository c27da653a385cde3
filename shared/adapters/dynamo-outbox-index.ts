import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DueOutbox, OutboxIndex } from '../domain/destinations/events-sweep';
import { epochSeconds } from '../domain/core/retention';
import { INDEXES, leadIdOfKey, OUTBOX_PARTITION } from './table-keys';

const ERASURE = 'ERASURE#';

/** Outboxes due for the sweep: the routing index's OUTBOX partition, by due time. */
export class DynamoOutboxIndex implements OutboxIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async due(now: Date): Promise<DueOutbox[]> {
    const due: DueOutbox[] = [];
    const index = INDEXES.routing;
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#partition = :partition AND #due <= :now',
        ExpressionAttributeNames: { '#partition': index.partitionKey, '#due': index.sortKey },
        ExpressionAttributeValues: { ':partition': OUTBOX_PARTITION, ':now': epochSeconds(now) },
        ProjectionExpression: 'pk',
      },
    );
    for await (const page of pages) {
      for (const { pk } of page.Items ?? []) {
        const key = pk as string;
        due.push(key.startsWith(ERASURE) ? { kind: 'erasure', receiptId: key.slice(ERASURE.length) } : { kind: 'lead', leadId: leadIdOfKey(key) });
      }
    }
    return due;
  }
}
