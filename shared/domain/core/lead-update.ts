import type { ConsentEvent, Lead } from './lead';
import type { LeadRepository, StoredLead } from './ports';

/** How often one read-change-save of a lead is tried before giving up. */
export const LEAD_WRITE_ATTEMPTS = 5;

/** Other writers changed the lead on every attempt: the caller fails, and its message or request is retried. */
export class LeadKeptChanging extends Error {
  constructor(leadId: string) {
    super(`lead ${leadId.slice(0, 12)}… kept changing under concurrent writes`);
    this.name = 'LeadKeptChanging';
  }
}

/**
 * What to make of the lead as read: a result and nothing to write, a changed lead to save (its
 * consent events appended first), or `retry` when something else `decide` relied on changed
 * under it (a conditional write of another item lost its race).
 */
export type LeadChange<T> =
  | { result: T; save?: undefined; retry?: undefined }
  | { result: T; save: Lead; events?: readonly ConsentEvent[]; retry?: undefined }
  | { retry: true };

/**
 * The one way to change a lead: read it, let `decide` work out the change, save it only if the
 * stored version is still the one read, and start over from a fresh read when another writer got
 * there first. Events go before the lead, so a retry writes the same events again rather than a
 * lead without them. `decide` may run several times: it must be a function of what it reads.
 */
export async function updateLead<T, A = undefined>(
  leads: LeadRepository,
  leadId: string,
  now: Date,
  decide: (stored: StoredLead | undefined, alongside: A) => LeadChange<T> | Promise<LeadChange<T>>,
  /** Other reads `decide` needs, made in parallel with the lead's (one round trip, not two). */
  readAlongside?: () => Promise<A>,
): Promise<T> {
  for (let attempt = 1; attempt <= LEAD_WRITE_ATTEMPTS; attempt++) {
    const [stored, alongside] = await Promise.all([leads.get(leadId, now), readAlongside?.() as Promise<A>]);
    const change = await decide(stored, alongside);
    if (change.retry) continue;
    if (!change.save) return change.result;
    if (change.events?.length) await leads.appendEvents(change.events);
    if (await leads.save(change.save, stored?.version, now)) return change.result;
    if (attempt < LEAD_WRITE_ATTEMPTS) await afterLostRace(attempt);
  }
  throw new LeadKeptChanging(leadId);
}

/** Full jitter, 0–20 ms then doubling: writers that lost to each other spread out instead of colliding again. */
function afterLostRace(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
}

/** Applies `change` to the stored lead, if there is one and the change is not undefined. */
export function changeLead(leads: LeadRepository, leadId: string, now: Date, change: (lead: Lead) => Lead | undefined): Promise<void> {
  return updateLead(leads, leadId, now, (stored) => {
    const changed = stored && change(stored.lead);
    return changed ? { result: undefined, save: changed } : { result: undefined };
  });
}
