import { createHash } from 'node:crypto';
import type { ConsentEvent, ConsentState, Lead } from '../core/lead';
import { MAX_SUBMISSIONS } from '../core/lead';
import { addDays } from '../core/retention';
import type { FormSettings, LeadgateSettings } from '../core/settings';
import type { Submission } from './submission';
import { blocksMarketing, type Suppression } from '../nurture/suppression';

export interface RecordContext {
  settings: LeadgateSettings;
  form: FormSettings;
  leadId: string;
  submissionId: string;
  at: Date;
  /** The person's suppression, if any: a stranger's post must not undo an unsubscribe. */
  suppression?: Suppression | undefined;
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
  if (!hash) {
    hash = createHash('sha256').update(text, 'utf8').digest('hex');
    textHashes.set(text, hash);
  }
  return hash;
}

const eventOf = (leadId: string, purpose: string, state: ConsentState, gpc: boolean, expiresAt: number): ConsentEvent => ({
  type: `consent.${state.status}` as ConsentEvent['type'],
  leadId,
  purpose,
  at: state.at,
  formId: state.formId,
  submissionId: state.submissionId,
  consentTextVersion: state.consentTextVersion,
  textSha256: state.textSha256,
  method: state.method,
  gpc,
  expiresAt,
});

/** A purpose's state as one submission decided it, tied to the exact consent text shown. */
function decidedState(
  settings: LeadgateSettings,
  purpose: string,
  status: ConsentState['status'],
  method: ConsentState['method'],
  formId: string,
  submissionId: string,
  at: string,
): ConsentState | undefined {
  const consentText = settings.purposes[purpose]?.consentText;
  if (!consentText) return undefined;
  return {
    status,
    granted: status === 'granted',
    at,
    formId,
    submissionId,
    consentTextVersion: consentText.version,
    textSha256: sha256Hex(consentText.text),
    method,
  };
}

/**
 * What one post asked for, purpose by purpose, from the request alone: ticked is granted (pending
 * confirmation on a double opt-in form), unticked is declined. The capture answer's receipts say
 * this; what was finally recorded (an earlier decision standing, a re-confirmation asked for) is
 * in the consent history.
 */
export function consentsAskedFor(
  settings: LeadgateSettings,
  form: FormSettings,
  submission: Submission,
  ids: { leadId: string; submissionId: string; at: Date },
): ConsentEvent[] {
  const at = ids.at.toISOString();
  return Object.keys(form.purposes).flatMap((purpose) => {
    const ticked = submission.grantedPurposes.includes(purpose);
    const status = !ticked ? 'declined' : form.doubleOptIn ? 'pending_confirmation' : 'granted';
    const state = decidedState(settings, purpose, status, form.doubleOptIn ? 'double_opt_in' : 'form_checkbox', submission.formId, ids.submissionId, at);
    return state ? [eventOf(ids.leadId, purpose, state, submission.gpc, 0)] : [];
  });
}

/** Purposes a nurture sequence mails for: the ones an unsubscribe or a bounce withdrew. */
const marketingPurposes = (settings: LeadgateSettings) => new Set(Object.values(settings.nurture.sequences).map((s) => s.purpose));

/**
 * The consent decisions one submission makes, purpose by purpose, for each purpose the form asks:
 * - ticked: granted, or pending confirmation on a double opt-in form unless already granted, and
 *   pending confirmation whatever the form when it would undo the person's own choice (a purpose
 *   they withdrew, marketing to an address that unsubscribed, bounced or complained): only the
 *   person, confirming by email, changes that back;
 * - not ticked: an earlier decision stands (not ticking is not a withdrawal); with none, declined.
 */
function decideConsents(existing: Lead | undefined, submission: Submission, ctx: RecordContext) {
  const at = ctx.at.toISOString();
  const states: Record<string, ConsentState> = { ...existing?.consents };
  const decided: [string, ConsentState][] = [];
  const marketing = marketingPurposes(ctx.settings);
  for (const purpose of Object.keys(ctx.form.purposes)) {
    const previous = existing?.consents[purpose];
    const ticked = submission.grantedPurposes.includes(purpose);
    if (!ticked && previous) continue;
    const reconfirm = previous?.status === 'withdrawn' || (marketing.has(purpose) && blocksMarketing(ctx.suppression));
    const confirmByEmail = reconfirm || (ctx.form.doubleOptIn && !previous?.granted);
    const status = !ticked ? 'declined' : confirmByEmail ? 'pending_confirmation' : 'granted';
    const state = decidedState(ctx.settings, purpose, status, confirmByEmail ? 'double_opt_in' : 'form_checkbox', submission.formId, ctx.submissionId, at);
    if (!state) continue;
    states[purpose] = state;
    decided.push([purpose, state]);
  }
  return { states, decided };
}

/**
 * The lead and consent events after merging one submission; pure, so a retry computes the same
 * result. A post adds a submission and may extend retention, but it never replaces a value the
 * lead holds (anyone can type anyone's address): a differing value stays with its submission,
 * shown to the rep as given then; the person changes stored values through rectification.
 */
export function recordSubmission(existing: Lead | undefined, submission: Submission, ctx: RecordContext): RecordedSubmission {
  const { states, decided } = decideConsents(existing, submission, ctx);
  const anyGranted = Object.values(states).some((state) => state.granted);
  const retentionDays = ctx.form.doubleOptIn && !anyGranted ? ctx.settings.retention.unconfirmedDays : ctx.form.retentionDays;
  const expiresAt = Math.max(existing?.expiresAt ?? 0, addDays(ctx.at, retentionDays));
  const events = decided.map(([purpose, state]) => eventOf(ctx.leadId, purpose, state, submission.gpc, expiresAt));

  if (existing?.submissions.some((s) => s.submissionId === ctx.submissionId)) {
    return { lead: existing, events, changed: false };
  }

  const at = ctx.at.toISOString();
  const kept = existing?.fields ?? {};
  const given = Object.fromEntries(Object.entries(submission.fields).filter(([name, value]) => kept[name] !== undefined && kept[name] !== value));
  const record = {
    submissionId: ctx.submissionId,
    formId: submission.formId,
    at,
    gpc: submission.gpc,
    ...(Object.keys(submission.attribution).length ? { attribution: submission.attribution } : {}),
    ...(submission.screening?.length ? { screening: submission.screening } : {}),
    ...(submission.mailRefusal ? { mailRefusal: submission.mailRefusal } : {}),
    ...(Object.keys(given).length ? { given } : {}),
  };
  const lead: Lead = {
    ...existing,
    leadId: ctx.leadId,
    email: existing?.email ?? submission.email,
    fields: { ...submission.fields, ...kept },
    consents: states,
    submissions: [...(existing?.submissions ?? []), record].slice(-MAX_SUBMISSIONS),
    doNotSellOrShare: (existing?.doNotSellOrShare ?? false) || submission.gpc,
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    expiresAt,
  };
  return { lead, events, changed: true };
}
