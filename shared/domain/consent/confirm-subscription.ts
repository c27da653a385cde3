import type { ConsentEvent, Lead } from '../core/lead';
import { readConfirmToken } from '../core/links';
import type { Keyring } from '../core/keyring';
import { enrolInNurture, isStepDue, nurtureStepMessage } from '../nurture/nurture';
import { updateLead } from '../core/lead-update';
import type { Clock, EmailQueue, LeadRepository } from '../core/ports';
import { addDays } from '../core/retention';
import type { LeadgateSettings } from '../core/settings';
import { LIFTED_BY_FRESH_CONSENT, type SuppressionList } from '../nurture/suppression';

export type ConfirmOutcome = 'confirmed' | 'already_confirmed' | 'invalid';

/**
 * Confirms a double opt-in: the pending consents of that submission become granted (recorded as
 * an event), the lead is kept for the form's full retention, and the nurture sequence starts: its
 * first step is queued for the send-email consumer at once, so the welcome follows the click
 * within seconds rather than at the scheduler's next run (every 5 minutes). The lead waits in the
 * nurture index all the same, so a message that could not be queued is queued by the scheduler,
 * and the consumer sends a step once however often it is queued.
 */
export async function confirmSubscription(
  deps: { settings: LeadgateSettings; leads: LeadRepository; suppressions: SuppressionList; keyring: Keyring; clock: Clock; emailQueue: EmailQueue },
  token: string,
): Promise<ConfirmOutcome> {
  const now = deps.clock.now();
  const claims = readConfirmToken(deps.keyring, token, now);
  if (!claims) return 'invalid';
  const { outcome, lead: confirmedLead } = await updateLead<{ outcome: ConfirmOutcome; lead?: Lead }>(deps.leads, claims.leadId, now, (stored) => {
    if (!stored) return { result: { outcome: 'invalid' } };
    const { lead } = stored;
    const pending = Object.entries(lead.consents).filter(([, c]) => c.status === 'pending_confirmation' && c.submissionId === claims.submissionId);
    if (pending.length === 0) return { result: { outcome: 'already_confirmed' } };
    const at = now.toISOString();
    const consents = { ...lead.consents };
    const events: ConsentEvent[] = [];
    const formId = pending[0]![1].formId;
    const retentionDays = deps.settings.forms[formId]?.retentionDays ?? deps.settings.retention.unconfirmedDays;
    const expiresAt = Math.max(lead.expiresAt, addDays(now, retentionDays));
    for (const [purpose, consent] of pending) {
      consents[purpose] = { ...consent, status: 'granted', granted: true, at, method: 'double_opt_in' };
      events.push({
        type: 'consent.granted',
        leadId: lead.leadId,
        purpose,
        at,
        formId: consent.formId,
        submissionId: claims.submissionId,
        consentTextVersion: consent.consentTextVersion,
        textSha256: consent.textSha256,
        method: 'double_opt_in',
        gpc: false,
        expiresAt,
      });
    }
    const confirmed: Lead = enrolInNurture(
      deps.settings,
      { ...lead, consents, expiresAt, doubleOptIn: { submissionId: claims.submissionId, ...lead.doubleOptIn, confirmedAt: at } },
      now,
    );
    return { result: { outcome: 'confirmed', lead: confirmed }, save: confirmed, events };
  });
  if (outcome !== 'confirmed') return outcome;
  // The person confirmed by email: only now is an earlier unsubscribe or bounce lifted (before the
  // welcome is queued, as its sender checks the suppression).
  await deps.suppressions.lift(claims.leadId, LIFTED_BY_FRESH_CONSENT);
  const nurture = confirmedLead?.nurture;
  if (isStepDue(nurture, now)) await deps.emailQueue.enqueueAll([nurtureStepMessage(claims.leadId, nurture)]);
  return outcome;
}
