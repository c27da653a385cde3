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
  /** Writes to lead items: each may also add, move or remove the lead in the sparse indexes. */
  leadItemWrites: number;
  /** Write units by kind of item (the key's prefix: LEAD, EVENT, CLAIM, RATE, ROTATION, ...). */
  writeUnitsByItem: Record<string, number>;
}

export interface RequestMeter {
  /** An AWS SDK v3 client plugin; add it to a client's middleware stack. */
  plugin: Pluggable<any, any>;
  readings(): MeterReadings;
}

type Input = { Item?: { pk?: unknown; sk?: unknown }; Key?: { pk?: unknown; sk?: unknown }; ReturnConsumedCapacity?: string };
type Capacity = { CapacityUnits?: number };

const skOf = (value: unknown) => (typeof value === 'object' && value !== null && 'S' in value ? (value as { S: unknown }).S : value);
/** LEAD#<hash>/LEAD is a lead, LEAD#<hash>/EVENT#... an event, CLAIM#<id>/CLAIM a claim, and so on. */
const kindOf = (input: Input) => {
  const pk = String(skOf(input.Item?.pk ?? input.Key?.pk) ?? '');
  const sk = String(skOf(input.Item?.sk ?? input.Key?.sk) ?? '');
  return pk.startsWith('LEAD#') ? sk.split('#')[0] : pk.split('#')[0] || 'other';
};
const unitsOf = (consumed: Capacity | Capacity[] | undefined) =>
  [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);

/**
 * Counts what the functions ask of AWS, for the cost model: every request attempt by service and
 * operation, and for DynamoDB the capacity units the table reports (it is asked to report them).
 */
export function createRequestMeter(): RequestMeter {
  const requests = new Map<string, number>();
  const totals = { readUnits: 0, writeUnits: 0, leadItemWrites: 0 };
  const byItem = new Map<string, number>();
  const addWrite = (input: Input, units: number) => {
    const kind = kindOf(input) ?? 'other';
    totals.writeUnits += units;
    byItem.set(kind, (byItem.get(kind) ?? 0) + units);
  };
  const plugin: Pluggable<any, any> = {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const operation = String(context.commandName ?? '').replace(/Command$/, '');
          if (context.clientName !== 'DynamoDBClient' || !CAPACITY_OPERATIONS.has(operation)) return next(args);
          const input = args.input as Input;
          const isRead = READS.has(operation);
          if (!isRead && (skOf(input.Item?.sk) === 'LEAD' || skOf(input.Key?.sk) === 'LEAD')) totals.leadItemWrites++;
          try {
            const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: input.ReturnConsumedCapacity ?? 'TOTAL' } });
            const units = unitsOf((result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity);
            if (isRead) totals.readUnits += units;
            else addWrite(input, units);
            return result;
          } catch (error) {
            if (!isRead && (error as Error).name === 'ConditionalCheckFailedException') addWrite(input, 1);
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
