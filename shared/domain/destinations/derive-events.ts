import type { Lead, Recipient } from '../core/lead';
import type { DestinationSettings } from '../core/settings';
import { mayShareWithThirdParties } from '../privacy/data-sharing';
import { type DestinationEventType, NOTICE_EVENT_TYPES } from './event-types';
import { eventId, type PendingEvent } from './pending-event';

type Destinations = Record<string, DestinationSettings>;
type Change = { type: DestinationEventType; discriminator: string; facts: Record<string, unknown>; purpose?: string };

/** May this destination have the lead's data now: it holds every purpose the destination needs, and GPC allows a third party. */
export function mayReceive(destination: DestinationSettings, lead: Lead): boolean {
  if (destination.thirdParty && !mayShareWithThirdParties(lead)) return false;
  return destination.purposes.every((purpose) => lead.consents[purpose]?.granted === true);
}

/** The fields of the lead a destination may receive (its allowlist, the address included only if listed). */
export function allowedFields(destination: DestinationSettings, lead: Pick<Lead, 'email' | 'fields'>): Record<string, string> {
  const all: Record<string, string> = { ...lead.fields, email: lead.email };
  return Object.fromEntries(destination.fields.filter((name) => all[name] !== undefined).map((name) => [name, all[name] as string]));
}

const SUPPRESSING_METHODS = new Set(['hard_bounce', 'complaint']);

/** What changed between two versions of a lead, as catalogue events. */
function changesBetween(before: Lead | undefined, after: Lead): Change[] {
  const changes: Change[] = [];
  const routedBefore = new Set(before?.routedSubmissions ?? []);
  const routed = (after.routedSubmissions ?? []).filter((id) => !routedBefore.has(id));
  routed.forEach((submissionId, index) => {
    const first = routedBefore.size === 0 && index === 0;
    const formId = after.submissions.find((s) => s.submissionId === submissionId)?.formId ?? '';
    changes.push({ type: first ? 'lead.created' : 'lead.updated', discriminator: submissionId, facts: { formId, submissionId } });
  });
  for (const [purpose, state] of Object.entries(after.consents)) {
    const was = before?.consents[purpose];
    if (state.granted && !was?.granted)
      changes.push({ type: 'consent.granted', discriminator: `${purpose}@${state.at}`, facts: { purpose, method: state.method }, purpose });
    if (!state.granted && was?.granted) {
      changes.push({ type: 'consent.withdrawn', discriminator: `${purpose}@${state.at}`, facts: { purpose, method: state.method }, purpose });
      if (SUPPRESSING_METHODS.has(state.method))
        changes.push({ type: 'lead.suppressed', discriminator: `${purpose}@${state.at}`, facts: { reason: state.method } });
    }
  }
  const assignment = after.assignment;
  if (assignment && assignment.generation > (before?.assignment?.generation ?? 0)) {
    const reassigned = assignment.reason === 'sla_reassignment';
    changes.push({
      type: reassigned ? 'lead.reassigned' : 'lead.assigned',
      discriminator: String(assignment.generation),
      facts: {
        team: assignment.team,
        rep: assignment.rep,
        reason: assignment.reason,
        slaDueAt: assignment.slaDueAt,
        generation: assignment.generation,
        score: after.score ?? 0,
        reasons: after.scoreReasons ?? [],
        ...(reassigned && before?.assignment ? { from: before.assignment.rep } : {}),
      },
    });
  }
  if (assignment?.acceptedAt && !(before?.assignment?.generation === assignment.generation && before.assignment.acceptedAt)) {
    changes.push({
      type: 'lead.accepted',
      discriminator: String(assignment.generation),
      facts: { team: assignment.team, rep: assignment.rep, acceptedAt: assignment.acceptedAt, generation: assignment.generation },
    });
  }
  const request = after.appliedRequests?.at(-1);
  if (before && request && request !== before.appliedRequests?.at(-1)) {
    const changed = [...new Set([...Object.keys(after.fields), ...Object.keys(before.fields)])].filter((name) => after.fields[name] !== before.fields[name]);
    if (changed.length) changes.push({ type: 'lead.rectified', discriminator: request, facts: { changedFields: changed } });
  }
  return changes;
}

/** Who gets one change: subscribers the lead may go to, for data; the lead's recipients, for notices. */
function destinationsFor(change: Change, before: Lead | undefined, after: Lead, destinations: Destinations): string[] {
  return Object.entries(destinations)
    .filter(([id, destination]) => {
      if (NOTICE_EVENT_TYPES.includes(change.type)) {
        if (!before?.recipients?.[id]) return false;
        // A withdrawal reaches the destinations that needed the purpose, and any that asked for every withdrawal.
        return change.type !== 'consent.withdrawn' || destination.purposes.includes(change.purpose as string) || destination.events.includes(change.type);
      }
      return destination.events.includes(change.type) && mayReceive(destination, after);
    })
    .map(([id]) => id);
}

/**
 * The events a save of `after` over `before` emits, and the lead with its recipients brought up
 * to date (so the same write that records the change records who it goes to). Pure: the same
 * versions always give the same events, with the same ids.
 */
export function deriveEvents(before: Lead | undefined, after: Lead, destinations: Destinations, now: Date): { events: PendingEvent[]; lead: Lead } {
  if (Object.keys(destinations).length === 0) return { events: [], lead: after };
  const at = now.toISOString();
  const recipients: Record<string, Recipient> = { ...after.recipients };
  const events: PendingEvent[] = [];
  for (const change of changesBetween(before, after)) {
    const to = destinationsFor(change, before, after, destinations);
    if (to.length === 0) continue;
    events.push({
      id: eventId(after.leadId, change.type, change.discriminator),
      type: change.type,
      occurredAt: at,
      leadId: after.leadId,
      destinations: to,
      facts: change.facts,
    });
    if (NOTICE_EVENT_TYPES.includes(change.type)) continue;
    for (const id of to) {
      const fields = Object.keys(allowedFields(destinations[id] as DestinationSettings, after));
      recipients[id] = { since: recipients[id]?.since ?? at, lastAt: at, fields: [...new Set([...(recipients[id]?.fields ?? []), ...fields])].sort() };
    }
  }
  return { events, lead: events.length ? { ...after, recipients } : after };
}
