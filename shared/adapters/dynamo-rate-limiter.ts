import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateLimiter } from '../domain/capture/rate-limits';
import { rateKey } from './table-keys';

const isItemTooLarge = (error: unknown) => error instanceof Error && error.name === 'ValidationException' && /size/i.test(error.message);

/** Fixed-window counters: one item per key and window, every named counter (a number) and set (of strings) an attribute, gone (TTL) soon after the window. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(
    key: string,
    windowSeconds: number,
    counters: readonly string[],
    now: Date,
    members: Readonly<Record<string, string>> = {},
  ): Promise<Record<string, number>> {
    const seconds = Math.floor(now.getTime() / 1000);
    const window = seconds - (seconds % windowSeconds);
    const sets = Object.entries(members);
    const names = {
      ...Object.fromEntries(counters.map((counter, i) => [`#c${i}`, counter])),
      ...Object.fromEntries(sets.map(([set], i) => [`#s${i}`, set])),
    };
    const adds = [...counters.map((_, i) => `#c${i} :one`), ...sets.map((_, i) => `#s${i} :s${i}`)];
    let Attributes: Record<string, unknown> | undefined;
    try {
      ({ Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: rateKey(key, window),
          UpdateExpression: `ADD ${adds.join(', ')} SET expiresAt = :expiresAt`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':one': 1,
            ':expiresAt': window + 2 * windowSeconds,
            ...Object.fromEntries(sets.map(([, member], i) => [`:s${i}`, new Set([member])])),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      ));
    } catch (error) {
      // A key with so many members this window that its item reached DynamoDB's 400 KB: count the
      // counters alone (such a client is far past every burst allowance, which holds it anyway).
      if (!sets.length || !isItemTooLarge(error)) throw error;
      return this.hit(key, windowSeconds, counters, now);
    }
    return {
      ...Object.fromEntries(counters.map((counter) => [counter, (Attributes?.[counter] as number | undefined) ?? 0])),
      ...Object.fromEntries(sets.map(([set]) => [set, (Attributes?.[set] as Set<string> | undefined)?.size ?? 0])),
    };
  }
}
