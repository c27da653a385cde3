import type { QueueName } from '../topology';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { createRequestMeter, type IndexKeys, type MeterReadings, type RequestMeter } from './request-meter';
import type { SqsInvoker } from './sqs-poller';
import { localQueueName } from './names';

/** How a SendMessage body names the routing queue (its URL's last segment, closing quote included). */
const routingQueueMarker = `/${localQueueName('routing')}"`;

export interface Faults {
  /** Share of SES SendEmail calls answered with a throttling error. */
  sesThrottleRate?: number;
  /** Share of routing records the consumer fails (as if it threw on them). */
  consumerFailureRate?: number;
  /** Records (by queue and body) the consumer fails, as if it threw on them; called per delivery. */
  failRecord?: (queue: QueueName, body: string) => boolean;
  /** Deliver every batch twice, concurrently, as SQS at-least-once delivery may. */
  duplicateDelivery?: boolean;
  /** Shorter visibility timeouts, so failed records come back in seconds. */
  visibilityTimeoutSeconds?: number;
  /** Meter AWS requests and DynamoDB capacity (an SDK middleware on every client), for the cost model. */
  countRequests?: boolean;
  /** Put delay proxies in front of DynamoDB and SQS for the functions (see setRequestDelay). */
  delayProxies?: boolean;
  /** Share of the functions' SendMessage calls to the routing queue that fail for good (capture's, the sweep's). */
  routingSendFailureRate?: number;
}

export const NO_READINGS: MeterReadings = {
  requests: {},
  readUnits: 0,
  writeUnits: 0,
  writeUnitsByItem: {},
  indexWriteUnits: 0,
  indexWriteUnitsByIndex: {},
  emptyReceives: 0,
};

/** Fault injection and metering for soak and benchmark runs: proxies in front of the emulators, the request meter, consumer failures. */
export interface FaultInjection {
  /** Where the functions reach each service (a proxy when one is in front of it). */
  endpoints: { dynamodb: string; sqs: string; ses: string };
  meter: RequestMeter | undefined;
  /** Holds each of the functions' DynamoDB and SQS requests this long (needs delayProxies). */
  setDelay(ms: number): void;
  /** Routing-queue sends failed on purpose so far (routingSendFailureRate). */
  refusedRoutingSends(): number;
  /** Cuts the functions off from SQS and SNS for `ms` (needs the SQS proxy). */
  interruptSqs(ms: number): Promise<void>;
  /** A queue consumer with the configured failures and duplicate deliveries. */
  consumer(queue: QueueName, invoke: SqsInvoker): SqsInvoker;
  stop(): Promise<void>;
}

export async function startFaults(
  faults: Faults,
  emulators: { dynamodb: string; sqs: string; ses: string },
  indexes: readonly IndexKeys[],
): Promise<FaultInjection> {
  const rate = faults.sesThrottleRate;
  const sesProxy: FaultProxy | undefined = rate
    ? await startFaultProxy(emulators.ses, { throttle: (operation) => operation === 'SendEmail' && Math.random() < rate })
    : undefined;
  const sendFailure = faults.routingSendFailureRate;
  let refused = 0;
  const refuseRoutingSend = (operation: string, body: string) => {
    const fails = operation === 'SendMessage' && body.includes(routingQueueMarker) && Math.random() < (sendFailure ?? 0);
    if (fails) refused++;
    return fails;
  };
  const dynamodbProxy = faults.delayProxies ? await startFaultProxy(emulators.dynamodb) : undefined;
  const sqsProxy = faults.delayProxies || sendFailure ? await startFaultProxy(emulators.sqs, sendFailure ? { reject: refuseRoutingSend } : {}) : undefined;
  const delayProxies = [dynamodbProxy, sqsProxy].filter((proxy) => proxy !== undefined);
  return {
    endpoints: { dynamodb: dynamodbProxy?.url ?? emulators.dynamodb, sqs: sqsProxy?.url ?? emulators.sqs, ses: sesProxy?.url ?? emulators.ses },
    async interruptSqs(ms) {
      if (!sqsProxy) throw new Error('start the runtime with faults.routingSendFailureRate or delayProxies to interrupt SQS');
      sqsProxy.setDown(true);
      await new Promise((resolve) => setTimeout(resolve, ms));
      sqsProxy.setDown(false);
    },
    meter: faults.countRequests ? createRequestMeter(indexes) : undefined,
    setDelay(ms) {
      if (!faults.delayProxies) throw new Error('start the runtime with faults.delayProxies to delay requests');
      for (const proxy of delayProxies) proxy.setDelay(ms);
    },
    refusedRoutingSends: () => refused,
    consumer: (queue, invoke) =>
      withFaults(
        invoke,
        (body) => (queue === 'routing' && Math.random() < (faults.consumerFailureRate ?? 0)) || (faults.failRecord?.(queue, body) ?? false),
        faults.duplicateDelivery ?? false,
      ),
    async stop() {
      await sesProxy?.stop();
      await Promise.all(delayProxies.map((proxy) => proxy.stop()));
    },
  };
}

/**
 * Wraps a consumer with injected faults: the records `fails` picks fail as if the consumer threw
 * on them, and with duplicate delivery every batch goes to the consumer twice at once.
 */
function withFaults(invokeConsumer: SqsInvoker, fails: (body: string) => boolean, duplicate: boolean): SqsInvoker {
  return async (event) => {
    const failed = event.Records.filter((r) => fails(r.body)).map((r) => r.messageId);
    const records = event.Records.filter((r) => !failed.includes(r.messageId));
    const deliver = () => invokeConsumer({ Records: records });
    const results = records.length ? await Promise.all(duplicate ? [deliver(), deliver()] : [deliver()]) : [];
    const failures = new Set([...failed, ...results.flatMap((r) => (r?.batchItemFailures ?? []).map((f) => f.itemIdentifier))]);
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
