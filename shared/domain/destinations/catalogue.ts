import * as z from 'zod/mini';

/**
 * The events destinations receive, version 1. Each is described once here, as a zod schema;
 * docs/events/ holds the JSON Schema generated from it (`npm run events:schemas`, checked by a
 * test), so a receiver can validate what we send against what we publish.
 */
export { DESTINATION_EVENT_TYPES, type DestinationEventType, EVENT_VERSION, NOTICE_EVENT_TYPES } from './event-types';
import { type DestinationEventType, EVENT_VERSION } from './event-types';

const fields = z.record(z.string(), z.string());
const isoTime = z.iso.datetime();
const assignment = z.object({ team: z.string(), rep: z.string(), reason: z.string(), slaDueAt: isoTime });
const score = z.object({
  score: z.number(),
  reasons: z.array(z.object({ rule: z.string(), points: z.number(), reason: z.string() })),
});

/** The data of each event type; the lead's declared fields are only those the destination may receive. */
export const EVENT_DATA = {
  'lead.created': z.object({ formId: z.string(), fields, consents: z.array(z.string()), attribution: z.optional(fields) }),
  'lead.updated': z.object({ formId: z.string(), fields, consents: z.array(z.string()), attribution: z.optional(fields) }),
  'lead.assigned': z.object({ ...assignment.shape, ...score.shape, fields, generation: z.int() }),
  'lead.accepted': z.object({ team: z.string(), rep: z.string(), acceptedAt: isoTime, generation: z.int() }),
  'lead.reassigned': z.object({ ...assignment.shape, ...score.shape, fields, from: z.string(), generation: z.int() }),
  'consent.granted': z.object({ purpose: z.string(), method: z.string() }),
  'consent.withdrawn': z.object({ purpose: z.string(), method: z.string() }),
  'lead.rectified': z.object({ fields, changedFields: z.array(z.string()) }),
  'lead.erased': z.object({ receiptId: z.string() }),
  'lead.suppressed': z.object({ reason: z.string() }),
} satisfies Record<DestinationEventType, z.ZodMiniType>;

/** The envelope every event shares. */
export const eventSchema = <T extends DestinationEventType>(type: T) =>
  z.object({
    /** Unique per event and destination; the same on every retry (the webhook-id). */
    id: z.string(),
    type: z.literal(type),
    version: z.literal(EVENT_VERSION),
    occurredAt: isoTime,
    /** Stable per destination, different across destinations: an HMAC of the lead under the destination's key. */
    leadRef: z.string(),
    data: EVENT_DATA[type],
  });

export type DestinationEvent<T extends DestinationEventType = DestinationEventType> = {
  id: string;
  type: T;
  version: typeof EVENT_VERSION;
  occurredAt: string;
  leadRef: string;
  data: z.infer<(typeof EVENT_DATA)[T]>;
};
