import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Growth, RateLimiter } from '../domain/capture/rate-limits';
import { isConditionFailure } from './dynamo-errors';
import { rateKey } from './table-keys';

const isItemTooLarge = (error: unknown) => error instanceof Error && error.name === 'ValidationException' && /size/i.test(error.message);

type Attributes = Record<string, unknown>;

const count = (attributes: Attributes, name: string) => Number(attributes[name] ?? 0);
const members = (attributes: Attributes, name: string) => (attributes[name] as Set<string> | undefined) ?? new Set<string>();

interface Update {
  numbers: readonly string[];
  sets?: readonly [string, string][];
  /** Applies only while this counter (one of `numbers`) is below the limit. */
  bound?: { counter: string; limit: number };
  returnValues: 'UPDATED_NEW' | 'ALL_NEW';
}

/** Fixed-window counters: one item per key and window, every named counter (a number) and set (of strings) an attribute, gone (TTL) soon after the window. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(key: string, windowSeconds: number, counters: readonly string[], now: Date, growth?: Growth): Promise<Record<string, number>> {
    const seconds = Math.floor(now.getTime() / 1000);
    const window = seconds - (seconds % windowSeconds);
    const update = (what: Update) => this.update(key, window, windowSeconds, what);
    const growthCounters = growth?.counters ?? [];
    const sets = Object.entries(growth?.members ?? {});
    const counts = (attributes: Attributes, numbers: readonly string[]) => Object.fromEntries(numbers.map((name) => [name, count(attributes, name)]));
    if (!growth) return counts(await update({ numbers: counters, returnValues: 'UPDATED_NEW' }), counters);
    if (!counters.includes(growth.whileBelow.counter)) throw new Error(`the growth bound "${growth.whileBelow.counter}" must be one of the hit's counters`);
    try {
      const added = await update({ numbers: [...counters, ...growthCounters], sets, bound: growth.whileBelow, returnValues: 'UPDATED_NEW' });
      return { ...counts(added, [...counters, ...growthCounters]), ...Object.fromEntries(sets.map(([set]) => [set, members(added, set).size])) };
    } catch (error) {
      // Past the bound (the condition failed: one more request, for a key already past it), or an
      // item that reached DynamoDB's 400 KB under a bound set that high: the fixed counters alone.
      if (!isConditionFailure(error) && !isItemTooLarge(error)) throw error;
    }
    // The whole item (small, as the bound keeps it) answers for the growth this hit did not record.
    const item = await update({ numbers: counters, returnValues: 'ALL_NEW' });
    return {
      ...counts(item, counters),
      ...Object.fromEntries(growthCounters.map((name) => [name, count(item, name) + 1])),
      ...Object.fromEntries(sets.map(([set, member]) => [set, new Set([...members(item, set), member]).size])),
    };
  }

  private async update(key: string, window: number, windowSeconds: number, { numbers, sets = [], bound, returnValues }: Update): Promise<Attributes> {
    const adds = [...numbers.map((_, i) => `#c${i} :one`), ...sets.map((_, i) => `#s${i} :s${i}`)];
    const boundName = bound && `#c${numbers.indexOf(bound.counter)}`;
    const { Attributes = {} } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: rateKey(key, window),
        UpdateExpression: `ADD ${adds.join(', ')} SET expiresAt = :expiresAt`,
        ...(boundName ? { ConditionExpression: `attribute_not_exists(${boundName}) OR ${boundName} < :limit` } : {}),
        ExpressionAttributeNames: {
          ...Object.fromEntries(numbers.map((counter, i) => [`#c${i}`, counter])),
          ...Object.fromEntries(sets.map(([set], i) => [`#s${i}`, set])),
        },
        ExpressionAttributeValues: {
          ':one': 1,
          ':expiresAt': window + 2 * windowSeconds,
          ...(bound ? { ':limit': bound.limit } : {}),
          ...Object.fromEntries(sets.map(([, member], i) => [`:s${i}`, new Set([member])])),
        },
        ReturnValues: returnValues,
      }),
    );
    return Attributes;
  }
}
