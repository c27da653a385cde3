import type { DestinationEventType } from './catalogue';
import type { PendingEvent } from './pending-event';

/** One delivery attempt, as `leadgate deliveries list` shows it and `replay` re-sends it. */
export interface DeliveryLogEntry {
  destinationId: string;
  deliveryId: string;
  type: DestinationEventType;
  occurredAt: string;
  at: string;
  /** delivered, skipped (why), retrying, dead_lettered. */
  outcome: 'delivered' | 'skipped' | 'retrying' | 'dead_lettered';
  status?: number | string;
  reason?: string;
  attempt: number;
  /** Delivery latency, from the event to this attempt. */
  latencyMs: number;
  /** The event as published, without any address it carried, for replay. */
  event: Omit<PendingEvent, 'contact'>;
}

export interface DeliveryLog {
  record(entry: DeliveryLogEntry): Promise<void>;
  list(destinationId: string, since: Date): Promise<DeliveryLogEntry[]>;
}
