import { createHash } from 'node:crypto';
import type { ConsentEvent, ConsentState, Lead } from './lead';
import { MAX_SUBMISSIONS } from './lead';
import { addDays } from './retention';
import type { FormSettings, LeadgateSettings } from './settings';
import type { Submission } from './submission';

export interface RecordContext {
  settings: LeadgateSettings;
  form: FormSettings;
  leadId: string;
  submissionId: string;
  at: Date;
}

export interface RecordedSubmission {
  lead: Lead;
  events: ConsentEvent[];
  /** False when the lead already holds this submission (a resumed or repeated write). */
  changed: boolean;
}

const textHashes = new Map<string, string>();
export function sha256Hex(text: string): string {
  let hash = textHashes.get(text);
  if (!hash) textHashes.set(text, (hash = createHash('sha256').update(text, 'utf8').digest('hex')));
  return hash;
}

/**
 * The consent decisions one submission makes, purpose by purpose, for each purpose the form asks:
 * - ticked: granted, or pending confirmation on a double opt-in form unless already granted;
 * - not ticked: an earlier decision stands (not ticking is not a withdrawal); with none, declined.
 */
function decideConsents(existing: Lead | undefined, submission: Submission, ctx: RecordContext) {
  const at = ctx.at.toISOString();
  const states: Record<string, ConsentState> = { ...existing?.consents };
  const decided: ConsentState[] = [];
  const purposeIds: string[] = [];
  for (const purpose of Object.keys(ctx.form.purposes)) {
    const previous = existing?.consents[purpose];
    const ticked = submission.grantedPurposes.includes(purpose);
    if (!ticked && previous) continue;
    const consentText = ctx.settings.purposes[purpose]?.consentText;
    if (!consentText) continue;
    const status = !ticked
      ? 'declined'
      : ctx.form.doubleOptIn && !previous?.granted
        ? 'pending_confirmation'
        : 'granted';
    const state: ConsentState = {
      status,
      granted: status === 'granted',
      at,
      formId: submission.formId,
      submissionId: ctx.submissionId,
      consentTextVersion: consentText.version,
      textSha256: sha256Hex(consentText.text),
      method: ctx.form.doubleOptIn ? 'double_opt_in' : 'form_checkbox',
    };
    states[purpose] = state;
    decided.push(state);
    purposeIds.push(purpose);
  }
  return { states, decided, purposeIds };
}

/** The lead and consent events after one submission; pure, so a retry computes the same result. */
export function recordSubmission(existing: Lead | undefined, submission: Submission, ctx: RecordContext): RecordedSubmission {
  const { states, decided, purposeIds } = decideConsents(existing, submission, ctx);
  const anyGranted = Object.values(states).some((state) => state.granted);
  const retentionDays =
    ctx.form.doubleOptIn && !anyGranted ? ctx.settings.retention.unconfirmedDays : ctx.form.retentionDays;
  const expiresAt = Math.max(existing?.expiresAt ?? 0, addDays(ctx.at, retentionDays));

  const events: ConsentEvent[] = decided.map((state, index) => ({
    type: `consent.${state.status}` as ConsentEvent['type'],
    leadId: ctx.leadId,
    purpose: purposeIds[index] as string,
    at: state.at,
    formId: state.formId,
    submissionId: state.submissionId,
    consentTextVersion: state.consentTextVersion,
    textSha256: state.textSha256,
    method: state.method,
    gpc: submission.gpc,
    expiresAt,
  }));

  if (existing?.submissions.some((s) => s.submissionId === ctx.submissionId)) {
    return { lead: existing, events, changed: false };
  }

  const at = ctx.at.toISOString();
  const record = {
    submissionId: ctx.submissionId,
    formId: submission.formId,
    at,
    gpc: submission.gpc,
    ...(Object.keys(submission.attribution).length ? { attribution: submission.attribution } : {}),
    ...(submission.screening?.length ? { screening: submission.screening } : {}),
    ...(submission.mailRefusal ? { mailRefusal: submission.mailRefusal } : {}),
  };
  const lead: Lead = {
    ...existing,
    leadId: ctx.leadId,
    email: submission.email,
    fields: { ...existing?.fields, ...submission.fields },
    consents: states,
    submissions: [...(existing?.submissions ?? []), record].slice(-MAX_SUBMISSIONS),
    doNotSellOrShare: (existing?.doNotSellOrShare ?? false) || submission.gpc,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    expiresAt,
  };
  return { lead, events, changed: true };
}
