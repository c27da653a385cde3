import type { Keyring } from '../core/keyring';
import type { Lead, NurtureState } from '../core/lead';
import { maskEmail } from '../core/email-address';
import { unsubscribeUrl } from '../core/links';
import { afterStep, stopNurture } from './nurture';
import type { Clock, LeadRepository, Mailer, NurtureMessage, PersonEmails } from '../core/ports';
import { changeLead, updateLead } from '../core/lead-update';
import type { LeadgateSettings } from '../core/settings';
import { blocksMarketing, type SuppressionList } from './suppression';

export interface NurtureDeps {
  settings: LeadgateSettings;
  leads: LeadRepository;
  suppressions: SuppressionList;
  mailer: Mailer;
  personEmails: PersonEmails;
  keyring: Keyring;
  clock: Clock;
  publicUrl: string;
}

export type SendOutcome = 'sent' | 'lead_gone' | 'stale' | 'no_consent' | 'suppressed' | 'topic_opted_out';

/**
 * Sends one nurture step. Consent, suppression and expiry are checked again now, at send time,
 * whatever was true when the step was queued. The step is advanced on the lead (a conditional
 * write) before the email goes, so a redelivered message finds the step done and sends nothing.
 */
export async function sendNurtureStep(deps: NurtureDeps, message: NurtureMessage): Promise<SendOutcome> {
  const now = deps.clock.now();
  const decided = await updateLead<{ outcome: SendOutcome | 'send'; lead?: Lead }>(deps.leads, message.leadId, now, async (stored) => {
    if (!stored) return { result: { outcome: 'lead_gone' } };
    const { lead } = stored;
    const state = lead.nurture;
    const sequence = deps.settings.nurture.sequences[message.sequence];
    const step = sequence?.steps[message.step];
    if (!state || !sequence || !step || state.sequence !== message.sequence || state.nextStep !== message.step || state.status !== 'active') {
      return { result: { outcome: 'stale' } };
    }
    const stop = (reason: string, outcome: SendOutcome) => ({ result: { outcome }, save: { ...lead, nurture: stopNurture(state, reason, now) } });
    if (!lead.consents[sequence.purpose]?.granted) return stop(`${sequence.purpose} not granted`, 'no_consent');
    if (blocksMarketing(await deps.suppressions.get(lead.leadId))) return stop('suppressed', 'suppressed');
    const skip = lead.optedOutTopics?.includes(step.topic) ?? false;
    const advanced: Lead = { ...lead, nurture: afterStep(deps.settings, state, message.step, step.topic, skip ? undefined : now) };
    return { result: { outcome: skip ? 'topic_opted_out' : 'send', lead }, save: advanced };
  });
  if (decided.outcome !== 'send') return decided.outcome;
  const lead = decided.lead as Lead;
  const sent = await sendClaimedStep(deps, lead, lead.nurture!, message.step, now);
  // Given back: the message's retry sends it.
  if (!sent.sent) throw sent.error;
  return 'sent';
}

/**
 * Sends a step that a save of the lead claimed (advanced past it) from `before`, the state that
 * had it due. A failed send puts the step back, due, so that it is sent again (the message's
 * retry, or the next nurture tick), and says so; should putting it back fail too, that error is thrown.
 */
export async function sendClaimedStep(
  deps: NurtureDeps,
  lead: Lead,
  before: NurtureState,
  step: number,
  now: Date,
): Promise<{ sent: true } | { sent: false; error: unknown }> {
  const purpose = deps.settings.nurture.sequences[before.sequence]!.purpose;
  const link = unsubscribeUrl(deps.publicUrl, deps.keyring, lead.leadId, maskEmail(lead.email), purpose, now);
  try {
    await deps.mailer.send(deps.personEmails.nurtureStep(lead, before.sequence, step, link));
    return { sent: true };
  } catch (error) {
    await changeLead(deps.leads, lead.leadId, now, (current) =>
      current.nurture?.sequence === before.sequence && current.nurture.nextStep === step + 1 ? { ...current, nurture: before } : undefined,
    );
    return { sent: false, error };
  }
}
