import { PublishBatchCommand, type SNSClient } from '@aws-sdk/client-sns';
import { batchesOf } from './batches';
import type { EventPublisher } from '../domain/destinations/ports';
import type { PendingEvent } from '../domain/destinations/pending-event';

/**
 * The message attribute a destination's subscription filters on (key matching: it exists). One
 * attribute per destination rather than a String.Array: key matching is the simplest filter SNS
 * and the local emulator agree on.
 */
export const destinationAttribute = (destinationId: string): string => `to.${destinationId}`;
export const destinationFilterPolicy = (destinationId: string): string => JSON.stringify({ [destinationAttribute(destinationId)]: [{ exists: true }] });

/** Raw delivery carries SNS attributes into SQS, which takes 10 per message: the type and up to 9 destinations. */
const DESTINATIONS_PER_MESSAGE = 9;

/** One event as published entries: one per 9 destinations, in order, each de-duplicated on its own. */
function entriesOf(event: PendingEvent) {
  return batchesOf(event.destinations, DESTINATIONS_PER_MESSAGE).map((destinations, part) => ({
    Message: JSON.stringify({ ...event, destinations }),
    MessageGroupId: event.leadId,
    MessageDeduplicationId: part === 0 ? event.id : `${event.id}.${part}`,
    MessageAttributes: {
      type: { DataType: 'String', StringValue: event.type },
      ...Object.fromEntries(destinations.map((id) => [destinationAttribute(id), { DataType: 'String', StringValue: '1' }])),
    },
  }));
}

/** SNS FIFO PublishBatch takes up to 10 entries. */
const BATCH = 10;

/**
 * Publishes to the events topic (SNS FIFO): grouped by lead, so each destination's FIFO queue
 * receives one lead's events in the order they happened; de-duplicated by event id, so a
 * republished event within five minutes is dropped by SNS.
 */
export class SnsEventPublisher implements EventPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(events: readonly PendingEvent[]): Promise<void> {
    for (const batch of batchesOf(events.flatMap(entriesOf), BATCH)) {
      const { Failed } = await this.sns.send(
        new PublishBatchCommand({ TopicArn: this.topicArn, PublishBatchRequestEntries: batch.map((entry, index) => ({ Id: String(index), ...entry })) }),
      );
      // Later events of a lead must not overtake a failed one: stop at the first failure.
      if (Failed?.length) throw new Error(`${Failed.length} of ${batch.length} events were not published (${Failed[0]?.Code ?? 'unknown'})`);
    }
  }
}
