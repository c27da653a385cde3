import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { DestinationBinding } from '../config/function-env';
import { DESTINATION_EVENT_TYPES } from '../domain/destinations/event-types';
import { type DeliverDeps, deliverEvent, type DeliveryOutcome } from '../domain/destinations/deliver';
import type { DeliveryLog } from '../domain/destinations/delivery-log';
import { deliveryId, type PendingEvent } from '../domain/destinations/pending-event';
import { retryDelaySeconds, withinRetryWindow } from '../domain/destinations/retry-policy';

const pendingEventSchema = z.object({
  id: z.string().check(z.regex(/^evt_[A-Za-z0-9_-]{24}$/)),
  type: z.enum(DESTINATION_EVENT_TYPES),
  occurredAt: z.iso.datetime(),
  leadId: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  destinations: z.array(z.string()).check(z.maxLength(50)),
  facts: z.record(z.string(), z.unknown()),
  contact: z.optional(z.object({ email: z.string() })),
});

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
  /** 1 when deployed; the local runtime shrinks retry time for its simulated outages. */
  retryScale: number;
}

/**
 * The deliver function: one event per record, each queue one destination's (FIFO, grouped by
 * lead). A failed delivery blocks its lead's later events (they fail with it, so order holds)
 * and schedules its own retry by changing its visibility: exponential with jitter, or the
 * destination's Retry-After; a final answer (other 4xx), an undecodable message, or a retry
 * past 24 hours goes to the destination's dead-letter queue at once, with the reason.
 */
export function createDeliverConsumer(deps: DeliverConsumerDeps) {
  const byQueueArn = new Map(Object.entries(deps.bindings).map(([id, binding]) => [binding.queueArn, id]));

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

  const handle = async (record: SQSRecord, destinationId: string, event: PendingEvent): Promise<boolean> => {
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
    if (outcome.kind !== 'failed') {
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
    if (outcome.retryable && withinRetryWindow(ageSeconds, delay, deps.retryScale)) {
      await deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: (deps.bindings[destinationId] as DestinationBinding).queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: Math.max(0, Math.round(delay)),
        }),
      );
      await deps.deliveries.record({ ...entry, outcome: 'retrying', reason: outcome.reason, ...(status !== undefined ? { status } : {}) });
      return false;
    }
    const reason = outcome.retryable ? `gave up after 24 hours: ${outcome.reason}` : outcome.reason;
    await deadLetter(record, destinationId, event.leadId, reason, status);
    if (event.type === 'lead.erased') await deps.notices.settle(String(event.facts.receiptId), destinationId, 'failed', now, reason);
    await deps.deliveries.record({ ...entry, outcome: 'dead_lettered', reason, ...(status !== undefined ? { status } : {}) });
    deps.logger.error('delivery dead-lettered', { destinationId, type: event.type, deliveryId: entry.deliveryId, reason, status });
    return true;
  };

  return async (sqsEvent: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    const blocked = new Set<string>();
    for (const record of sqsEvent.Records) {
      const destinationId = byQueueArn.get(record.eventSourceARN);
      if (!destinationId) throw new Error(`no destination is bound to queue ${record.eventSourceARN}`);
      const parsed = pendingEventSchema.safeParse(parseJson(record.body));
      const group = parsed.success ? parsed.data.leadId : record.messageId;
      if (blocked.has(group)) {
        failures.push(record.messageId);
        continue;
      }
      let done: boolean;
      try {
        if (!parsed.success) {
          await deadLetter(record, destinationId, group, 'not a Leadgate event');
          done = true;
        } else done = await handle(record, destinationId, parsed.data as PendingEvent);
      } catch (error) {
        deps.logger.warn('delivery could not be settled; retried after the visibility timeout', { destinationId, error: (error as Error)?.name });
        done = false;
      }
      if (!done) {
        blocked.add(group);
        failures.push(record.messageId);
      }
    }
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
