import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { DestinationBinding } from '../config/function-env';
import { LEAD_ID } from '../domain/core/queue-message-header';
import { DESTINATION_EVENT_TYPES } from '../domain/destinations/event-types';
import { type DeliverDeps, deliverEvent, type DeliveryOutcome } from '../domain/destinations/deliver';
import type { DeliveryLog } from '../domain/destinations/delivery-log';
import { deliveryId, type PendingEvent } from '../domain/destinations/pending-event';
import { retryDelaySeconds, withinRetryWindow } from '../domain/destinations/retry-policy';
import { DESTINATION_TIMEOUT_MS } from './destinations/destination-call';

const pendingEventSchema = z.object({
  id: z.string().check(z.regex(/^evt_[A-Za-z0-9_-]{24}$/)),
  type: z.enum(DESTINATION_EVENT_TYPES),
  occurredAt: z.iso.datetime(),
  leadId: z.string().check(z.regex(LEAD_ID)),
  destinations: z.array(z.string()).check(z.maxLength(50)),
  facts: z.record(z.string(), z.unknown()),
  contact: z.optional(z.object({ email: z.string() })),
});

/** A delivery that failed without an answer to act on (the table, SQS) is tried again after this long. */
const UNSETTLED_RETRY_SECONDS = 30;
/** Time kept, beyond one destination call, to log a delivery and settle its record before the function's timeout. */
const SETTLE_MARGIN_MS = 3000;

const parseJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

export interface DeliverConsumerDeps extends DeliverDeps {
  bindings: Record<string, DestinationBinding>;
  deliveries: DeliveryLog;
  sqs: SQSClient;
  logger: Logger;
  /** Counts each delivery attempt's outcome (delivered, retrying, dead_lettered, ...) per destination (metrics). */
  countDelivery?: (destinationId: string, outcome: string) => void;
  /** 1 when deployed; the local runtime shrinks retry time for its simulated outages. */
  retryScale: number;
  /** The same for the 24-hour window (locally it may shrink less than the delays). */
  retryWindowScale: number;
  /** How long one destination call may take (DESTINATION_TIMEOUT_MS when absent). */
  callTimeoutMs?: number;
}

/**
 * The deliver function: one event per record, each queue one destination's (FIFO, grouped by
 * lead). A failed delivery blocks its lead's later events (they fail with it, so order holds)
 * and schedules its own retry by changing its visibility: exponential with jitter, or the
 * destination's Retry-After; a final answer (other 4xx), an undecodable message, or a retry
 * past 24 hours goes to the destination's dead-letter queue at once, with the reason. A record
 * whose call could outlast the invocation is not started: it goes back at once, its lead's later
 * ones with it, so a timeout never returns a whole batch (its deliveries made included) minutes later.
 */
export function createDeliverConsumer(deps: DeliverConsumerDeps) {
  // A queue's name is the last part of its ARN, which every record carries; names are unique in an account and region.
  const byQueueName = new Map(Object.entries(deps.bindings).map(([id, binding]) => [binding.queueName, id]));

  const deadLetter = async (record: SQSRecord, destinationId: string, groupId: string, reason: string, status?: number) => {
    const binding = deps.bindings[destinationId] as DestinationBinding;
    await deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: binding.deadLetterUrl,
        MessageBody: record.body,
        MessageGroupId: groupId,
        MessageDeduplicationId: `${record.messageId}-${Date.now()}`.slice(0, 128),
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason.slice(0, 200) },
          ...(status !== undefined ? { status: { DataType: 'Number', StringValue: String(status) } } : {}),
        },
      }),
    );
  };

  const changeVisibility = (record: SQSRecord, destinationId: string, seconds: number) =>
    deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: (deps.bindings[destinationId] as DestinationBinding).queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.max(0, Math.round(seconds)),
      }),
    );

  /** Settles one record: true when it is done with (delivered, skipped, dead-lettered), else the seconds until its retry. */
  const handle = async (record: SQSRecord, destinationId: string, event: PendingEvent): Promise<true | number> => {
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
    const now = deps.clock.now();
    const entry = {
      destinationId,
      deliveryId: deliveryId(event, destinationId),
      type: event.type,
      occurredAt: event.occurredAt,
      at: now.toISOString(),
      attempt,
      latencyMs: Math.max(0, now.getTime() - Date.parse(event.occurredAt)),
      event: { ...event, contact: undefined },
    };
    const outcome: DeliveryOutcome = await deliverEvent(deps, destinationId, event).catch((error: unknown) => ({
      kind: 'failed' as const,
      retryable: true,
      reason: `delivery error (${(error as Error)?.name ?? 'Error'})`,
    }));
    deps.countDelivery?.(destinationId, outcome.kind);
    if (outcome.kind !== 'failed') {
      deps.logger.debug('delivery settled', { destinationId, type: event.type, deliveryId: entry.deliveryId, outcome: outcome.kind, attempt });
      await deps.deliveries.record({
        ...entry,
        outcome: outcome.kind,
        ...(outcome.kind === 'delivered' ? { status: outcome.status } : { reason: outcome.reason }),
      });
      return true;
    }
    const status = outcome.status;
    const delay = retryDelaySeconds(attempt, outcome.retryAfterSeconds, deps.retryScale);
    const ageSeconds = (Date.now() - Number(record.attributes.SentTimestamp)) / 1000;
    if (outcome.retryable && withinRetryWindow(ageSeconds, delay, deps.retryWindowScale)) {
      await changeVisibility(record, destinationId, delay);
      deps.logger.debug('delivery failed; retried later', {
        destinationId,
        type: event.type,
        deliveryId: entry.deliveryId,
        status,
        attempt,
        delaySeconds: delay,
      });
      await deps.deliveries.record({ ...entry, outcome: 'retrying', reason: outcome.reason, ...(status !== undefined ? { status } : {}) });
      return delay;
    }
    const reason = outcome.retryable ? `gave up after 24 hours: ${outcome.reason}` : outcome.reason;
    await deadLetter(record, destinationId, event.leadId, reason, status);
    if (event.type === 'lead.erased') await deps.notices.settle(String(event.facts.receiptId), destinationId, 'failed', now, reason);
    await deps.deliveries.record({ ...entry, outcome: 'dead_lettered', reason, ...(status !== undefined ? { status } : {}) });
    deps.logger.error('delivery dead-lettered', { destinationId, type: event.type, deliveryId: entry.deliveryId, reason, status });
    return true;
  };

  /**
   * One lead's records of the batch, in order: after a failure the rest wait with it (FIFO: a
   * message in flight holds its group). True when it ran out of time for some of them.
   */
  const settleGroup = async (
    records: { record: SQSRecord; destinationId: string; event: PendingEvent | undefined }[],
    failures: string[],
    timeLeft: () => boolean,
  ): Promise<boolean> => {
    let waiting: number | undefined;
    let outOfTime = false;
    for (const { record, destinationId, event } of records) {
      // Out of time: back at once (its next receive counts as an attempt, one more backoff step).
      if (waiting === undefined && !timeLeft()) {
        waiting = 0;
        outOfTime = true;
      }
      if (waiting !== undefined) {
        failures.push(record.messageId);
        await changeVisibility(record, destinationId, waiting).catch(() => undefined);
        continue;
      }
      let settled: true | number;
      try {
        if (!event) {
          await deadLetter(record, destinationId, record.messageId, 'not a Leadgate event');
          settled = true;
        } else settled = await handle(record, destinationId, event);
      } catch (error) {
        deps.logger.warn('delivery could not be settled; retried after the visibility timeout', { destinationId, messageId: record.messageId, error });
        settled = UNSETTLED_RETRY_SECONDS;
      }
      if (settled !== true) {
        waiting = settled;
        failures.push(record.messageId);
      }
    }
    return outOfTime;
  };

  const callMs = deps.callTimeoutMs ?? DESTINATION_TIMEOUT_MS;
  return async (sqsEvent: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    const timeLeft = () => !context || context.getRemainingTimeInMillis() > callMs + SETTLE_MARGIN_MS;
    // Leads are independent: their groups are delivered concurrently, each in its order.
    const groups = new Map<string, { record: SQSRecord; destinationId: string; event: PendingEvent | undefined }[]>();
    for (const record of sqsEvent.Records) {
      const destinationId = byQueueName.get(record.eventSourceARN.slice(record.eventSourceARN.lastIndexOf(':') + 1));
      if (!destinationId) throw new Error(`no destination is bound to queue ${record.eventSourceARN}`);
      const parsed = pendingEventSchema.safeParse(parseJson(record.body));
      const group = parsed.success ? `${destinationId} ${parsed.data.leadId}` : record.messageId;
      groups.set(group, [...(groups.get(group) ?? []), { record, destinationId, event: parsed.success ? (parsed.data as PendingEvent) : undefined }]);
    }
    const outOfTime = (await Promise.all([...groups.values()].map((records) => settleGroup(records, failures, timeLeft)))).filter(Boolean).length;
    if (outOfTime) deps.logger.warn('out of time: records left for the next invocation', { leads: outOfTime, failedRecords: failures.length });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
