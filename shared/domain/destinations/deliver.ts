import type { Clock, LeadRepository } from '../core/ports';
import type { Keyring } from '../core/keyring';
import type { Lead } from '../core/lead';
import type { DestinationSettings } from '../core/settings';
import { type DestinationEvent, type DestinationEventType, EVENT_VERSION, eventSchema } from './catalogue';
import { allowedFields, mayReceive } from './derive-events';
import { deliveryId, type PendingEvent } from './pending-event';

/** What a destination's API answered. */
export type SendResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; retryAfterSeconds?: number; reason: string }
  /** The destination has nothing to do for this event (Slack for a creation, HubSpot for an acceptance). */
  | { ok: true; status: 'not_applicable' };

/** What a sender gets: the event as the destination's receivers see it, and what it needs beyond it. */
export interface Outgoing {
  destinationId: string;
  destination: DestinationSettings;
  event: DestinationEvent;
  /** The lead's address, where the destination identifies people by it (HubSpot) and may have it. */
  email?: string;
  /** For Slack: the rep's accept link of an assignment. */
  acceptUrl?: string;
}

export interface DestinationSender {
  send(outgoing: Outgoing): Promise<SendResult>;
}

/** The state of the erasure notice owed to each recipient of an erased lead. */
export type NoticeState = 'pending' | 'sent' | 'acknowledged' | 'failed' | 'none_needed';

export interface ErasureNotices {
  /** Records the outcome of one recipient's notice (acknowledged by it, or failed for good). */
  settle(receiptId: string, destinationId: string, state: 'acknowledged' | 'failed', at: Date, reason?: string): Promise<void>;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; status: number | 'not_applicable' }
  /** Nothing was sent, on purpose: the lead is gone, or may no longer go there. */
  | { kind: 'skipped'; reason: 'lead_gone' | 'not_permitted' | 'destination_removed' }
  | { kind: 'failed'; retryable: boolean; status?: number; retryAfterSeconds?: number; reason: string };

export interface DeliverDeps {
  destinations: Record<string, DestinationSettings>;
  leads: Pick<LeadRepository, 'get'>;
  senders: Record<DestinationSettings['type'], DestinationSender>;
  notices: ErasureNotices;
  keyring: Keyring;
  clock: Clock;
  acceptLink(lead: Lead): string | undefined;
}

const grantedPurposes = (lead: Lead) => Object.keys(lead.consents).filter((purpose) => lead.consents[purpose]?.granted);

/** The event's data as the catalogue describes it: the facts, and the fields this destination may have. */
function dataOf(type: DestinationEventType, facts: Record<string, unknown>, lead: Lead | undefined, destination: DestinationSettings): Record<string, unknown> {
  const fields = lead ? allowedFields(destination, lead) : {};
  switch (type) {
    case 'lead.created':
    case 'lead.updated': {
      const submission = lead?.submissions.find((s) => s.submissionId === facts.submissionId);
      return {
        formId: facts.formId,
        fields,
        consents: lead ? grantedPurposes(lead) : [],
        ...(submission?.attribution ? { attribution: submission.attribution } : {}),
      };
    }
    case 'lead.assigned':
    case 'lead.reassigned':
    case 'lead.rectified':
      return { ...facts, fields };
    default:
      return facts;
  }
}

const NEEDS_NO_LEAD: readonly DestinationEventType[] = ['lead.erased', 'consent.withdrawn', 'lead.suppressed'];

/**
 * Delivers one event to one destination, shaped for it at the time of delivery: the lead is read
 * again, so a lead erased since sends nothing and one that withdrew the destination's purpose (or
 * sent GPC, for a third party) sends no data; only its allowed fields go; its reference is its
 * own. Notices (withdrawal, suppression, erasure) need no lead and always go. The caller retries
 * a retryable failure and dead-letters the rest.
 */
export async function deliverEvent(deps: DeliverDeps, destinationId: string, pending: PendingEvent): Promise<DeliveryOutcome> {
  const destination = deps.destinations[destinationId];
  if (!destination) return { kind: 'skipped', reason: 'destination_removed' };
  const now = deps.clock.now();
  // An erasure's lead is gone, and its notice carries all it needs: no read.
  const lead = pending.type === 'lead.erased' ? undefined : (await deps.leads.get(pending.leadId, now))?.lead;
  if (!NEEDS_NO_LEAD.includes(pending.type)) {
    if (!lead) return { kind: 'skipped', reason: 'lead_gone' };
    if (!mayReceive(destination, lead)) return { kind: 'skipped', reason: 'not_permitted' };
  }
  const event = eventSchema(pending.type).parse({
    id: deliveryId(pending, destinationId),
    type: pending.type,
    version: EVENT_VERSION,
    occurredAt: pending.occurredAt,
    leadRef: deps.keyring.leadRef(destinationId, pending.leadId),
    data: dataOf(pending.type, pending.facts, lead, destination),
  }) as DestinationEvent;
  const email = pending.contact?.email ?? lead?.email;
  const acceptUrl = lead && (pending.type === 'lead.assigned' || pending.type === 'lead.reassigned') ? deps.acceptLink(lead) : undefined;
  const result = await deps.senders[destination.type].send({
    destinationId,
    destination,
    event,
    ...(email ? { email } : {}),
    ...(acceptUrl ? { acceptUrl } : {}),
  });
  if (pending.type === 'lead.erased' && (result.ok || !result.retryable)) {
    await deps.notices.settle(
      String(pending.facts.receiptId),
      destinationId,
      result.ok ? 'acknowledged' : 'failed',
      now,
      result.ok ? undefined : result.reason,
    );
  }
  if (result.ok) return { kind: 'delivered', status: result.status };
  return {
    kind: 'failed',
    retryable: result.retryable,
    reason: result.reason,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(result.retryAfterSeconds !== undefined ? { retryAfterSeconds: result.retryAfterSeconds } : {}),
  };
}
