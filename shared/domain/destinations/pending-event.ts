import { createHash } from 'node:crypto';
import type { DestinationEventType } from './catalogue';

/**
 * An event as emitted, before it is shaped for each destination: the facts of the change (no
 * field values: the deliverer reads those from the lead as it is when it delivers, so a lead
 * erased or withdrawn meanwhile sends nothing), the lead's key, and the destinations it is for.
 * Kept in the changed item's outbox until published (design: the outbox is written with the change).
 */
export interface PendingEvent {
  id: string;
  type: DestinationEventType;
  occurredAt: string;
  leadId: string;
  destinations: string[];
  facts: Record<string, unknown>;
  /** lead.erased to a CRM only: the address to delete by, as the lead is gone (removed once published). */
  contact?: { email: string };
}

/** The same change always gets the same id, so a re-emitted event is recognisably the same one. */
export const eventId = (leadId: string, type: DestinationEventType, discriminator: string): string =>
  `evt_${createHash('sha256').update(`${leadId}\n${type}\n${discriminator}`).digest('base64url').slice(0, 24)}`;

/** The id a destination sees (the webhook-id): one per event and destination, the same on every retry. */
export const deliveryId = (event: Pick<PendingEvent, 'id'>, destinationId: string): string => `msg_${event.id.slice(4)}_${destinationId}`;
