import { GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BreakerState, UnverifiedMailStats } from '../domain/screening/stranger-mail';
import { unverifiedMailBreakerKey, unverifiedMailBucketKey } from './table-keys';

/** Ten-minute buckets: a window of an hour is six items to read, and a bounce one write. */
const BUCKET_SECONDS = 600;
const bucketOf = (at: Date) => {
  const seconds = Math.floor(at.getTime() / 1000);
  return seconds - (seconds % BUCKET_SECONDS);
};

export class DynamoUnverifiedMailStats implements UnverifiedMailStats {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async count(kind: 'sent' | 'bounced', now: Date): Promise<void> {
    const bucket = bucketOf(now);
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: unverifiedMailBucketKey(bucket),
        UpdateExpression: 'ADD #kind :one SET expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#kind': kind },
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': bucket + 2 * 86_400 },
      }),
    );
  }

  async totals(since: Date, now: Date): Promise<{ sent: number; bounced: number }> {
    const totals = { sent: 0, bounced: 0 };
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': unverifiedMailBucketKey(0).pk,
          ':from': unverifiedMailBucketKey(bucketOf(since)).sk,
          ':to': unverifiedMailBucketKey(bucketOf(now)).sk,
        },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        totals.sent += (item.sent as number | undefined) ?? 0;
        totals.bounced += (item.bounced as number | undefined) ?? 0;
      }
    }
    return totals;
  }

  async breaker(): Promise<BreakerState> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: unverifiedMailBreakerKey() }));
    if (!Item) return {};
    const { pk: _pk, sk: _sk, ...state } = Item;
    return state as BreakerState;
  }

  async setBreaker(state: BreakerState): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...unverifiedMailBreakerKey(), ...state } }));
  }
}
