import type { ClientPlugin } from '../../shared/adapters/client-plugins';
import { itemKindOf } from '../../shared/adapters/table-keys';

/** DynamoDB operations that can report the capacity they consumed. */
const CAPACITY_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem']);
const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);
const SERVICES: Record<string, string> = { DynamoDBClient: 'dynamodb', SQSClient: 'sqs', SESv2Client: 'ses', SNSClient: 'sns' };

/** The short name of the service an SDK client calls (dynamodb, sqs, ses, sns). */
export const serviceOfClient = (clientName: string): string => SERVICES[clientName] ?? clientName;

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
  /** The same by index name and, within it, by the kind of item that moved (SLA: LEAD, ...). */
  indexWriteUnitsByIndex: Record<string, number>;
  /**
   * Receives that found the queue empty, among `requests`' sqs:ReceiveMessage: a queue's pollers
   * ask all the time whether leads arrive or not (on AWS, the event source mapping's long polls),
   * so they are a fixed cost, not a lead's.
   */
  emptyReceives: number;
}

/** What the plugin saw of one request; the meter turns these into readings (they cross threads as plain data). */
export type MeterObservation =
  | { kind: 'attempt'; request: string }
  | { kind: 'emptyReceive' }
  | { kind: 'capacity'; operation: string; key: Item; units: number; read: boolean; track?: { item: Item | undefined } };

export interface RequestMeter {
  /** An AWS SDK v3 client plugin; add it to a client's middleware stack. */
  plugin: ClientPlugin;
  /** Takes an observation from a plugin elsewhere (a function's worker thread). */
  observe(observation: MeterObservation): void;
  readings(): MeterReadings;
}

export interface IndexKeys {
  name: string;
  partitionKey: string;
  sortKey: string;
}

type Item = Record<string, unknown>;
type Input = { Item?: Item; Key?: Item; ReturnConsumedCapacity?: string; ReturnValues?: string };
type Capacity = { CapacityUnits?: number; Table?: { CapacityUnits?: number } };

/** A value from either client: plain (document client) or an AttributeValue (low-level client). */
const plain = (value: unknown): unknown =>
  typeof value === 'object' && value !== null && ('S' in value || 'N' in value)
    ? ((value as { S?: unknown; N?: unknown }).S ?? (value as { N?: unknown }).N)
    : value;
/** The kind of item a key names (LEAD, SUB, RATE, ...). */
const kindOf = (key: Item) => itemKindOf(String(plain(key.pk) ?? ''), String(plain(key.sk) ?? ''));
/** The table's own units: asked for by index, DynamoDB's total would also hold the sparse indexes' writes, which the meter follows itself. */
const unitsOf = (consumed: Capacity | Capacity[] | undefined) =>
  [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.Table?.CapacityUnits ?? entry.CapacityUnits ?? 0), 0);

/**
 * The SDK plugin that watches what a client asks of AWS: every request attempt by service and
 * operation; for DynamoDB the capacity units the table reports (it is asked to report them) and
 * each written item's index keys as the write leaves it.
 */
export function meterPlugin(observe: (observation: MeterObservation) => void): ClientPlugin {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const operation = String(context.commandName ?? '').replace(/Command$/, '');
          if (context.clientName === 'SQSClient' && operation === 'ReceiveMessage') {
            const result = await next(args);
            if (!(result.output as { Messages?: unknown[] }).Messages?.length) observe({ kind: 'emptyReceive' });
            return result;
          }
          if (context.clientName !== 'DynamoDBClient' || !CAPACITY_OPERATIONS.has(operation)) return next(args);
          const input = args.input as Input;
          const key = input.Key ?? input.Item ?? {};
          const read = READS.has(operation);
          // An update's new item is needed to follow its index keys; callers that asked for nothing get nothing back.
          const wantsNothing = operation === 'UpdateItem' && (input.ReturnValues ?? 'NONE') === 'NONE';
          try {
            const result = await next({
              ...args,
              input: { ...input, ReturnConsumedCapacity: input.ReturnConsumedCapacity ?? 'INDEXES', ...(wantsNothing ? { ReturnValues: 'ALL_NEW' } : {}) },
            });
            const output = result.output as { ConsumedCapacity?: Capacity | Capacity[]; Attributes?: Item };
            const track =
              operation === 'PutItem'
                ? { item: input.Item }
                : operation === 'DeleteItem'
                  ? { item: undefined }
                  : operation === 'UpdateItem' && (wantsNothing || input.ReturnValues === 'ALL_NEW')
                    ? { item: output.Attributes }
                    : undefined;
            observe({ kind: 'capacity', operation, key, units: unitsOf(output.ConsumedCapacity), read, ...(track ? { track } : {}) });
            if (wantsNothing) delete output.Attributes;
            if (input.ReturnConsumedCapacity === undefined) delete output.ConsumedCapacity;
            return result;
          } catch (error) {
            // A failed conditional write still costs one unit.
            if (!read && (error as Error).name === 'ConditionalCheckFailedException') observe({ kind: 'capacity', operation, key, units: 1, read });
            throw error;
          }
        },
        { step: 'initialize', name: 'leadgateCapacityMeter' },
      );
      // Inside the retry loop, so every attempt that reaches the service is counted.
      stack.add(
        (next, context) => async (args) => {
          observe({
            kind: 'attempt',
            request: `${serviceOfClient(String(context.clientName))}:${String(context.commandName).replace(/Command$/, '')}`,
          });
          return next(args);
        },
        { step: 'deserialize', name: 'leadgateRequestMeter' },
      );
    },
  };
}

/** Counts what the functions ask of AWS, for the cost model, from what the plugins observe. */
export function createRequestMeter(indexes: readonly IndexKeys[]): RequestMeter {
  const requests = new Map<string, number>();
  const totals = { readUnits: 0, writeUnits: 0, indexWriteUnits: 0, emptyReceives: 0 };
  const byItem = new Map<string, number>();
  const byIndex = new Map<string, number>();
  /** Each item's place in each index ("partition|sort", or undefined when absent), as last written. */
  const placed = new Map<string, (string | undefined)[]>();

  const track = (key: Item, item: Item | undefined) => {
    const id = `${plain(key.pk)}|${plain(key.sk)}`;
    const before = placed.get(id) ?? [];
    const after = indexes.map(({ partitionKey, sortKey }) =>
      item && item[partitionKey] !== undefined && item[sortKey] !== undefined ? `${plain(item[partitionKey])}|${plain(item[sortKey])}` : undefined,
    );
    const kind = kindOf(key);
    after.forEach((place, i) => {
      if (place === before[i]) return;
      const units = place && before[i] ? 2 : 1;
      totals.indexWriteUnits += units;
      const name = `${indexes[i]?.name} (${kind})`;
      byIndex.set(name, (byIndex.get(name) ?? 0) + units);
    });
    placed.set(id, after);
  };
  const observe = (observation: MeterObservation) => {
    if (observation.kind === 'attempt') {
      requests.set(observation.request, (requests.get(observation.request) ?? 0) + 1);
      return;
    }
    if (observation.kind === 'emptyReceive') {
      totals.emptyReceives++;
      return;
    }
    const { key, units, read } = observation;
    if (read) totals.readUnits += units;
    else {
      totals.writeUnits += units;
      const kind = kindOf(key);
      byItem.set(kind, (byItem.get(kind) ?? 0) + units);
    }
    if (observation.track) track(key, observation.track.item);
  };
  return {
    plugin: meterPlugin(observe),
    observe,
    readings: () => ({
      requests: Object.fromEntries(requests),
      ...totals,
      writeUnitsByItem: Object.fromEntries(byItem),
      indexWriteUnitsByIndex: Object.fromEntries(byIndex),
    }),
  };
}
