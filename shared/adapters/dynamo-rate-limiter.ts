import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../domain/rate-limits';

/** Fixed-window counters, one item per key and window, gone (TTL) soon after the window. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(key: string, windowSeconds: number, now: Date): Promise<number> {
    const seconds = Math.floor(now.getTime() / 1000);
    const window = seconds - (seconds % windowSeconds);
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `RATE#${key}`, sk: String(window) },
        UpdateExpression: 'ADD hits :one SET expiresAt = :expiresAt',
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': window + 2 * windowSeconds },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Attributes?.hits as number;
  }
}
