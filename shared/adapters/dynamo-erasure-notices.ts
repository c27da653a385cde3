import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErasureNotices } from '../domain/destinations/deliver';
import type { ErasureNoticeRecord, ErasureNoticeStore, RecipientNotice } from '../domain/destinations/erasure-notices';
import type { PendingEvent } from '../domain/destinations/pending-event';
import { epochSeconds } from '../domain/core/retention';
import { byCodeUnit } from '../domain/core/order';
import { conditionally } from './dynamo-errors';
import { OUTBOX_GRACE_SECONDS } from './dynamo-lead-repository';
import { erasureNoticesKey, INDEXES, OUTBOX_PARTITION } from './table-keys';

/** Kept like the erasure receipt it completes: long enough to answer a regulator, with nothing personal in it once sent. */
const KEEP_DAYS = 400;

/** One item per erasure: each recipient's notice and its state; the unsent notices as an outbox for the sweep. */
export class DynamoErasureNotices implements ErasureNoticeStore, ErasureNotices {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ErasureNoticeRecord, outbox: readonly PendingEvent[], now: Date): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...erasureNoticesKey(record.receiptId),
          itemType: 'erasure_notices',
          receiptId: record.receiptId,
          erasedAt: record.erasedAt,
          notices: Object.fromEntries(record.notices.map((notice) => [notice.destination, notice])),
          expiresAt: epochSeconds(now) + KEEP_DAYS * 86_400,
          ...(outbox.length
            ? { outbox, [INDEXES.routing.partitionKey]: OUTBOX_PARTITION, [INDEXES.routing.sortKey]: epochSeconds(now) + OUTBOX_GRACE_SECONDS }
            : {}),
        },
      }),
    );
  }

  async get(receiptId: string): Promise<(ErasureNoticeRecord & { outbox?: PendingEvent[] }) | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: erasureNoticesKey(receiptId), ConsistentRead: true }));
    if (!Item) return undefined;
    const notices = Object.values(Item.notices as Record<string, RecipientNotice>).sort((a, b) => byCodeUnit(a.destination, b.destination));
    return { receiptId, erasedAt: Item.erasedAt as string, notices, ...(Item.outbox ? { outbox: Item.outbox as PendingEvent[] } : {}) };
  }

  async markSent(receiptId: string, at: Date): Promise<void> {
    const record = await this.get(receiptId);
    if (!record) return;
    // One conditional write per notice: an acknowledgement that came first is never turned back into `sent`.
    for (const notice of record.notices.filter((n) => n.notice === 'pending')) {
      await conditionally(() => this.setNotice(receiptId, notice.destination, 'sent', at, undefined, 'pending'));
    }
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: erasureNoticesKey(receiptId),
        UpdateExpression: 'REMOVE outbox, #partition, #due',
        ExpressionAttributeNames: { '#partition': INDEXES.routing.partitionKey, '#due': INDEXES.routing.sortKey },
      }),
    );
  }

  async settle(receiptId: string, destinationId: string, state: 'acknowledged' | 'failed', at: Date, reason?: string): Promise<void> {
    await conditionally(() => this.setNotice(receiptId, destinationId, state, at, reason));
  }

  private setNotice(receiptId: string, destinationId: string, state: string, at: Date, reason: string | undefined, from?: string) {
    return this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: erasureNoticesKey(receiptId),
        UpdateExpression: `SET notices.#d.notice = :state, notices.#d.#at = :at${reason ? ', notices.#d.reason = :reason' : ''}`,
        ConditionExpression: from ? 'notices.#d.notice = :from' : 'attribute_exists(notices.#d)',
        ExpressionAttributeNames: { '#d': destinationId, '#at': 'at' },
        ExpressionAttributeValues: { ':state': state, ':at': at.toISOString(), ...(reason ? { ':reason': reason } : {}), ...(from ? { ':from': from } : {}) },
      }),
    );
  }
}
