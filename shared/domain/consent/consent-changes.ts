import type { ConsentEvent, ConsentMethod, Lead } from '../core/lead';
import { addDays, epochSeconds } from '../core/retention';
import type { LeadgateSettings } from '../core/settings';

export interface ConsentChange {
  lead: Lead;
  events: ConsentEvent[];
}

/**
 * Withdraws a purpose at once: the consent state records when and how, the nurture for that
 * purpose stops, and when no purpose is left granted the data is kept only for the grace period.
 */
export function withdrawConsent(settings: LeadgateSettings, lead: Lead, purpose: string, method: ConsentMethod, now: Date): ConsentChange {
  const current = lead.consents[purpose];
  if (!current || current.status === 'withdrawn' || current.status === 'declined') return { lead, events: [] };
  const at = now.toISOString();
  const consents = { ...lead.consents, [purpose]: { ...current, status: 'withdrawn' as const, granted: false, at, method, withdrawnAt: at } };
  const anyLeft = Object.values(consents).some((c) => c.granted || c.status === 'pending_confirmation');
  const expiresAt = anyLeft ? lead.expiresAt : Math.min(lead.expiresAt, addDays(now, settings.retention.withdrawnGraceDays));
  const sequence = lead.nurture && settings.nurture.sequences[lead.nurture.sequence];
  const nurture =
    lead.nurture && lead.nurture.status === 'active' && sequence?.purpose === purpose
      ? { ...lead.nurture, status: 'stopped' as const, stoppedAt: at, stopReason: `${purpose} withdrawn`, nextDueAt: undefined, enqueuedAt: undefined }
      : lead.nurture;
  const event: ConsentEvent = {
    type: 'consent.withdrawn',
    leadId: lead.leadId,
    purpose,
    at,
    formId: current.formId,
    submissionId: `withdrawal-${epochSeconds(now)}`,
    consentTextVersion: current.consentTextVersion,
    textSha256: current.textSha256,
    method,
    gpc: false,
    expiresAt,
  };
  return { lead: { ...lead, consents, expiresAt, ...(nurture ? { nurture } : {}) }, events: [event] };
}
