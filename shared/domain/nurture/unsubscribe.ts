import { withdrawConsent } from '../consent/consent-changes';
import type { ConsentMethod } from '../core/lead';
import { readUnsubscribeToken } from '../core/links';
import type { Keyring } from '../core/keyring';
import { updateLead } from '../core/lead-update';
import type { Clock, LeadRepository } from '../core/ports';
import type { LeadgateSettings } from '../core/settings';
import type { SuppressionList, SuppressionReason } from './suppression';

export interface UnsubscribeDeps {
  settings: LeadgateSettings;
  leads: LeadRepository;
  suppressions: SuppressionList;
  keyring: Keyring;
  clock: Clock;
}

export type UnsubscribeChoice = { scope: 'all'; method: ConsentMethod } | { scope: 'topics'; topics: string[] };

/** Reads an unsubscribe link's token: what the page may show (a masked address), or undefined. */
export function unsubscribeTarget(deps: Pick<UnsubscribeDeps, 'keyring' | 'clock'>, token: string) {
  return readUnsubscribeToken(deps.keyring, token, deps.clock.now());
}

/**
 * Withdraws the purpose (or opts out of topics) at once. The suppression is written from the
 * token alone, so it holds even if the lead is gone, and the answer never depends on whether
 * the address is known.
 */
export async function unsubscribe(deps: UnsubscribeDeps, token: string, choice: UnsubscribeChoice): Promise<boolean> {
  const now = deps.clock.now();
  const target = readUnsubscribeToken(deps.keyring, token, now);
  if (!target) return false;
  if (choice.scope === 'all') {
    await suppressAndWithdraw(deps, target.leadId, target.purpose, 'unsubscribed', choice.method);
    return true;
  }
  const known = new Set(Object.keys(deps.settings.nurture.topics));
  const topics = choice.topics.filter((topic) => known.has(topic));
  return updateLead(deps.leads, target.leadId, now, (stored) => {
    if (!stored) return { result: true };
    const optedOutTopics = [...new Set([...(stored.lead.optedOutTopics ?? []), ...topics])].sort();
    return { result: true, save: { ...stored.lead, optedOutTopics } };
  });
}

/** Suppresses the address and withdraws the purpose's consent, with an event; used for unsubscribes, bounces, complaints. */
export async function suppressAndWithdraw(
  deps: UnsubscribeDeps,
  leadId: string,
  purpose: string,
  reason: SuppressionReason,
  method: ConsentMethod,
): Promise<void> {
  const now = deps.clock.now();
  await deps.suppressions.add(leadId, reason, now);
  await updateLead(deps.leads, leadId, now, (stored) => {
    if (!stored) return { result: undefined };
    const change = withdrawConsent(deps.settings, stored.lead, purpose, method, now);
    return change.events.length === 0 ? { result: undefined } : { result: undefined, save: change.lead, events: change.events };
  });
}
