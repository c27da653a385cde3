import type { PendingEvent } from './pending-event';

export interface EventPublisher {
  /**
   * Publishes events to the destinations' fan-out, in order per lead; throws if any was not
   * accepted. Publishing one event again within minutes is de-duplicated by its id; later, the
   * destination receives it again under the same delivery id, which receivers de-duplicate.
   */
  publish(events: readonly PendingEvent[]): Promise<void>;
}

/** Reports an event publication that failed and was left to the outbox sweep (a log line, a metric). */
export type OnPublishFailure = (error: unknown, events: readonly PendingEvent[]) => void;
