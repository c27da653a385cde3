import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../domain/capture/rate-limits';
import { rateKey } from './table-keys';

/** Fixed-window counters: one item per key and window, every named counter an attribute, gone (TTL) soon after the window. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(key: string, windowSeconds: number, counters: readonly string[], now: Date): Promise<Record<string, number>> {
    const seconds = Math.floor(now.getTime() / 1000);
    const window = seconds - (seconds % windowSeconds);
    const names = Object.fromEntries(counters.map((counter, i) => [`#c${i}`, counter]));
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: rateKey(key, window),
        UpdateExpression: `ADD ${counters.map((_, i) => `#c${i} :one`).join(', ')} SET expiresAt = :expiresAt`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': window + 2 * windowSeconds },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Object.fromEntries(counters.map((counter) => [counter, (Attributes?.[counter] as number | undefined) ?? 0]));
  }
}
