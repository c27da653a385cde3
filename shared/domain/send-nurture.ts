import type { Keyring } from './keyring';
import type { Lead } from './lead';
import { maskEmail } from './email-address';
import { unsubscribeUrl } from './links';
import { afterStep, stopNurture } from './nurture';
import type { Clock, LeadRepository, Mailer, NurtureMessage, PersonEmails } from './ports';
import { release } from './route-lead';
import type { LeadgateSettings } from './settings';
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

const MAX_WRITE_ATTEMPTS = 5;

/**
 * Sends one nurture step. Consent, suppression and expiry are checked again now, at send time,
 * whatever was true when the step was queued. The step is advanced on the lead (a conditional
 * write) before the email goes, so a redelivered message finds the step done and sends nothing.
 */
export async function sendNurtureStep(deps: NurtureDeps, message: NurtureMessage): Promise<SendOutcome> {
  const now = deps.clock.now();
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const stored = await deps.leads.get(message.leadId, now);
    if (!stored) return 'lead_gone';
    const { lead, version } = stored;
    const state = lead.nurture;
    const sequence = deps.settings.nurture.sequences[message.sequence];
    const step = sequence?.steps[message.step];
    if (!state || !sequence || !step || state.sequence !== message.sequence || state.nextStep !== message.step || state.status !== 'active') {
      return 'stale';
    }
    const stop = async (reason: string, outcome: SendOutcome) =>
      (await deps.leads.save({ ...lead, nurture: stopNurture(state, reason, now) }, version, now)) ? outcome : undefined;
    if (!lead.consents[sequence.purpose]?.granted) {
      const outcome = await stop(`${sequence.purpose} not granted`, 'no_consent');
      if (outcome) return outcome;
      continue;
    }
    if (blocksMarketing(await deps.suppressions.get(lead.leadId))) {
      const outcome = await stop('suppressed', 'suppressed');
      if (outcome) return outcome;
      continue;
    }
    const skip = lead.optedOutTopics?.includes(step.topic) ?? false;
    const advanced: Lead = { ...lead, nurture: afterStep(deps.settings, state, message.step, step.topic, skip ? undefined : now) };
    if (!(await deps.leads.save(advanced, version, now))) continue;
    if (skip) return 'topic_opted_out';
    const link = unsubscribeUrl(deps.publicUrl, deps.keyring, lead.leadId, maskEmail(lead.email), sequence.purpose, now);
    try {
      await deps.mailer.send(deps.personEmails.nurtureStep(lead, message.sequence, message.step, link));
    } catch (error) {
      // Put the step back so the retry sends it.
      await release(deps, lead.leadId, now, (current) =>
        current.nurture?.sequence === message.sequence && current.nurture.nextStep === message.step + 1
          ? { ...current, nurture: { ...state, enqueuedAt: undefined } }
          : undefined,
      );
      throw error;
    }
    return 'sent';
  }
  throw new Error('lead kept changing under concurrent writes');
}
