import type { Pluggable } from '@smithy/types';

/** DynamoDB operations that can report the capacity they consumed. */
const CAPACITY_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem']);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const SERVICES: Record<string, string> = { DynamoDBClient: 'dynamodb', SQSClient: 'sqs', SESv2Client: 'ses' };

export interface MeterReadings {
  /** Requests sent, retries included, by "service:Operation". */
  requests: Record<string, number>;
  /** DynamoDB capacity units the table reported (a failed conditional write still costs one). */
  readUnits: number;
  writeUnits: number;
  /** Table write units by kind of item (the key's prefix: LEAD, EVENT, CLAIM, RATE, ROTATION, ...). */
  writeUnitsByItem: Record<string, number>;
  /**
   * Write units the global secondary indexes would consume: an item entering or leaving a
   * keys-only index costs one, an item moving within it two. The emulators do not report these.
   */
  indexWriteUnits: number;
}

export interface RequestMeter {
  /** An AWS SDK v3 client plugin; add it to a client's middleware stack. */
  plugin: Pluggable<any, any>;
  readings(): MeterReadings;
}

export interface IndexKeys {
  partitionKey: string;
  sortKey: string;
}

type Item = Record<string, unknown>;
type Input = { Item?: Item; Key?: Item; ReturnConsumedCapacity?: string; ReturnValues?: string };
type Capacity = { CapacityUnits?: number };

/** A value from either client: plain (document client) or an AttributeValue (low-level client). */
const plain = (value: unknown): unknown =>
  typeof value === 'object' && value !== null && ('S' in value || 'N' in value) ? ((value as { S?: unknown; N?: unknown }).S ?? (value as { N?: unknown }).N) : value;
const unitsOf = (consumed: Capacity | Capacity[] | undefined) =>
  [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);

/** LEAD#<hash>/LEAD is a lead, LEAD#<hash>/EVENT#... an event, CLAIM#<id>/CLAIM a claim, and so on. */
function kindOf(key: Item): string {
  const pk = String(plain(key.pk) ?? '');
  const sk = String(plain(key.sk) ?? '');
  return (pk.startsWith('LEAD#') ? sk.split('#')[0] : pk.split('#')[0]) || 'other';
}

/**
 * Counts what the functions ask of AWS, for the cost model: every request attempt by service and
 * operation; for DynamoDB the capacity units the table reports (it is asked to report them) and
 * the index writes, from the index keys of each item as the writes leave it.
 */
export function createRequestMeter(indexes: readonly IndexKeys[]): RequestMeter {
  const requests = new Map<string, number>();
  const totals = { readUnits: 0, writeUnits: 0, indexWriteUnits: 0 };
  const byItem = new Map<string, number>();
  /** Each item's place in each index ("partition|sort", or undefined when absent), as last written. */
  const placed = new Map<string, (string | undefined)[]>();

  const addWrite = (key: Item, units: number) => {
    totals.writeUnits += units;
    byItem.set(kindOf(key), (byItem.get(kindOf(key)) ?? 0) + units);
  };
  const track = (key: Item, item: Item | undefined) => {
    const id = `${plain(key.pk)}|${plain(key.sk)}`;
    const before = placed.get(id) ?? [];
    const after = indexes.map(({ partitionKey, sortKey }) =>
      item && item[partitionKey] !== undefined && item[sortKey] !== undefined ? `${plain(item[partitionKey])}|${plain(item[sortKey])}` : undefined,
    );
    after.forEach((place, i) => {
      if (place !== before[i]) totals.indexWriteUnits += place && before[i] ? 2 : 1;
    });
    placed.set(id, after);
  };

  const plugin: Pluggable<any, any> = {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const operation = String(context.commandName ?? '').replace(/Command$/, '');
          if (context.clientName !== 'DynamoDBClient' || !CAPACITY_OPERATIONS.has(operation)) return next(args);
          const input = args.input as Input;
          const key = input.Key ?? input.Item ?? {};
          const isRead = READS.has(operation);
          // An update's new item is needed to follow its index keys; callers that asked for nothing get nothing back.
          const wantsNothing = operation === 'UpdateItem' && (input.ReturnValues ?? 'NONE') === 'NONE';
          try {
            const result = await next({
              ...args,
              input: { ...input, ReturnConsumedCapacity: input.ReturnConsumedCapacity ?? 'TOTAL', ...(wantsNothing ? { ReturnValues: 'ALL_NEW' } : {}) },
            });
            const output = result.output as { ConsumedCapacity?: Capacity | Capacity[]; Attributes?: Item };
            const units = unitsOf(output.ConsumedCapacity);
            if (isRead) totals.readUnits += units;
            else addWrite(key, units);
            if (operation === 'PutItem') track(key, input.Item);
            if (operation === 'DeleteItem') track(key, undefined);
            if (operation === 'UpdateItem' && (wantsNothing || input.ReturnValues === 'ALL_NEW')) track(key, output.Attributes);
            if (wantsNothing) delete output.Attributes;
            if (input.ReturnConsumedCapacity === undefined) delete output.ConsumedCapacity;
            return result;
          } catch (error) {
            if (!isRead && (error as Error).name === 'ConditionalCheckFailedException') addWrite(key, 1);
            throw error;
          }
        },
        { step: 'initialize', name: 'leadgateCapacityMeter' },
      );
      // Inside the retry loop, so every attempt that reaches the service is counted.
      stack.add(
        (next, context) => async (args) => {
          const key = `${SERVICES[context.clientName as string] ?? context.clientName}:${String(context.commandName).replace(/Command$/, '')}`;
          requests.set(key, (requests.get(key) ?? 0) + 1);
          return next(args);
        },
        { step: 'deserialize', name: 'leadgateRequestMeter' },
      );
    },
  };
  return {
    plugin,
    readings: () => ({ requests: Object.fromEntries(requests), ...totals, writeUnitsByItem: Object.fromEntries(byItem) }),
  };
}
