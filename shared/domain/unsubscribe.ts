import { withdrawConsent } from './consent-changes';
import type { ConsentMethod } from './lead';
import { readUnsubscribeToken } from './links';
import type { Keyring } from './keyring';
import type { Clock, LeadRepository } from './ports';
import type { LeadgateSettings } from './settings';
import type { SuppressionList, SuppressionReason } from './suppression';

export interface UnsubscribeDeps {
  settings: LeadgateSettings;
  leads: LeadRepository;
  suppressions: SuppressionList;
  keyring: Keyring;
  clock: Clock;
}

export type UnsubscribeChoice = { scope: 'all'; method: ConsentMethod } | { scope: 'topics'; topics: string[] };

const MAX_WRITE_ATTEMPTS = 5;

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
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const stored = await deps.leads.get(target.leadId, now);
    if (!stored) return true;
    const optedOutTopics = [...new Set([...(stored.lead.optedOutTopics ?? []), ...topics])].sort();
    if (await deps.leads.save({ ...stored.lead, optedOutTopics }, stored.version, now)) return true;
  }
  throw new Error('lead kept changing under concurrent writes');
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
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const stored = await deps.leads.get(leadId, now);
    if (!stored) return;
    const change = withdrawConsent(deps.settings, stored.lead, purpose, method, now);
    if (change.events.length === 0) return;
    await deps.leads.appendEvents(change.events);
    if (await deps.leads.save(change.lead, stored.version, now)) return;
  }
  throw new Error('lead kept changing under concurrent writes');
}
