/** The event types of the destination catalogue (shared/domain/destinations/catalogue.ts has their schemas). */
export const DESTINATION_EVENT_TYPES = [
  'lead.created',
  'lead.updated',
  'lead.assigned',
  'lead.accepted',
  'lead.reassigned',
  'consent.granted',
  'consent.withdrawn',
  'lead.rectified',
  'lead.erased',
  'lead.suppressed',
] as const;
export type DestinationEventType = (typeof DESTINATION_EVENT_TYPES)[number];

/** Notices: sent to the destinations that received the lead (a withdrawal, to those that needed the purpose or ask for every withdrawal), whatever their `events` say. */
export const NOTICE_EVENT_TYPES: readonly DestinationEventType[] = ['consent.withdrawn', 'lead.erased', 'lead.suppressed'];

export const EVENT_VERSION = 1;
