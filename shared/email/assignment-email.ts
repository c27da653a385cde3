import { type Assignment, type Lead, leadDisplayName } from '../domain/core/lead';
import type { AssignmentEmails, OutgoingEmail } from '../domain/core/ports';
import type { LeadgateSettings } from '../domain/core/settings';
import { headerText } from './escape';
import { emailDocument, html, multiline } from './html';

const date = (iso: string) => iso.slice(0, 10);
const dateOfEpoch = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

interface FieldRow {
  label: string;
  value: string;
  /** Free text the person typed: shown quoted, so it can never pass for our own lines or links. */
  quoted: boolean;
}

/**
 * The lead's fields, then any value this submission gave that differs from the one held (a post
 * never replaces a stored value: anyone can type anyone's address), marked with its date.
 */
function fieldRows(settings: LeadgateSettings, lead: Lead, formId: string, submissionId: string): FieldRow[] {
  const labels = settings.forms[formId]?.fields ?? {};
  const row = (name: string, value: string, label = labels[name]?.label ?? name): FieldRow => ({ label, value, quoted: labels[name]?.type === 'textarea' });
  const rows = Object.entries(lead.fields).map(([name, value]) => row(name, value));
  const submission = lead.submissions.find((s) => s.submissionId === submissionId);
  for (const [name, value] of Object.entries(submission?.given ?? {})) {
    rows.push(row(name, value, `${labels[name]?.label ?? name} (given on ${date(submission!.at)}; not stored)`));
  }
  return rows;
}

const quote = (value: string) =>
  value
    .split(/\r?\n/)
    .map((line) => `    > ${line}`)
    .join('\n');
const fieldText = (rows: FieldRow[]) =>
  rows.map((r) => (r.quoted ? `  ${r.label} (as they wrote it):\n${quote(r.value)}` : `  ${r.label}: ${r.value}`)).join('\n');
const fieldHtml = (rows: FieldRow[]) =>
  html`<table cellpadding="4">${rows.map((r) =>
    r.quoted
      ? html`<tr><th align="left" valign="top">${r.label}</th><td><blockquote style="margin:0;padding-left:8px;border-left:3px solid #999;color:#333">${multiline(r.value)}</blockquote></td></tr>`
      : html`<tr><th align="left" valign="top">${r.label}</th><td>${r.value}</td></tr>`,
  )}</table>`;

function consentRows(settings: LeadgateSettings, lead: Lead): [string, string][] {
  return Object.entries(lead.consents).map(([purpose, consent]) => [
    settings.purposes[purpose]?.description ?? purpose,
    consent.granted ? `yes, on ${date(consent.at)} (form ${consent.formId}, text version ${consent.consentTextVersion})` : consent.status.replace('_', ' '),
  ]);
}

/** Who the lead is, for a subject line: company, else name, else a neutral word. */
export const leadTitle = (lead: Lead): string => headerText(leadDisplayName(lead), 80);

const textTable = (rows: [string, string][]) => rows.map(([k, v]) => `  ${k}: ${v}`).join('\n');
const htmlTable = (rows: [string, string][]) =>
  html`<table cellpadding="4">${rows.map(([k, v]) => html`<tr><th align="left" valign="top">${k}</th><td>${multiline(v)}</td></tr>`)}</table>`;

/**
 * The email that hands a lead to a rep. Internal: it carries no marketing unsubscribe footer.
 * Every lead-supplied value is escaped in HTML, and only the subject (made one line) is a header.
 */
export function assignmentEmail(settings: LeadgateSettings, lead: Lead, assignment: Assignment, acceptUrl: string): OutgoingEmail {
  const formId = lead.submissions.find((s) => s.submissionId === assignment.submissionId)?.formId ?? lead.submissions.at(-1)?.formId ?? '';
  const team = settings.routing.teams[assignment.team];
  const slaHours = team?.slaHours ?? 0;
  const fields = fieldRows(settings, lead, formId, assignment.submissionId);
  const reasons = (lead.scoreReasons ?? []).map((r) => [`${r.points > 0 ? '+' : ''}${r.points}`, r.reason] as [string, string]);
  const consents = consentRows(settings, lead);
  const deletion = dateOfEpoch(lead.expiresAt);
  const reassigned = assignment.reason === 'sla_reassignment' ? ' (reassigned: the previous rep did not accept in time)' : '';
  const subject = headerText(`New lead: ${leadTitle(lead)} (score ${lead.score ?? 0})${assignment.reason === 'sla_reassignment' ? ' [reassigned]' : ''}`);

  const text = [
    `A new lead has been assigned to you${reassigned}. Accept it within ${slaHours} hours or it moves on:`,
    acceptUrl,
    '',
    'What they told us:',
    fieldText(fields),
    '',
    `Score: ${lead.score ?? 0} / 100`,
    textTable(reasons),
    '',
    'Consent:',
    textTable(consents),
    '',
    `Their data will be deleted on ${deletion} unless they submit again.`,
    `Team ${assignment.team}, form ${formId}, submission ${assignment.submissionId}.`,
  ].join('\n');

  const body = emailDocument(
    subject,
    html`
<p>A new lead has been assigned to you${reassigned}. Accept it within ${slaHours} hours or it moves on.</p>
<p><a href="${acceptUrl}">Accept this lead</a></p>
<h3>What they told us</h3>${fieldHtml(fields)}
<h3>Score: ${lead.score ?? 0} / 100</h3>${htmlTable(reasons)}
<h3>Consent</h3>${htmlTable(consents)}
<p>Their data will be deleted on ${deletion} unless they submit again.</p>
<p style="color:#666">Team ${assignment.team}, form ${formId}, submission ${assignment.submissionId}.</p>`,
  );

  return { to: assignment.rep, subject, text, html: body };
}

/** Tells a rep that a lead they did not accept in time has moved to someone else. */
export function reassignedAwayEmail(lead: Lead, from: string, to: string, slaHours: number): OutgoingEmail {
  const subject = headerText(`Lead reassigned: ${leadTitle(lead)}`);
  const text = `The lead "${leadTitle(lead)}" was not accepted within ${slaHours} hours and has been reassigned to ${to}. No action is needed.`;
  return { to: from, subject, text, html: emailDocument(subject, html`<p>${text}</p>`) };
}

export const assignmentEmails = (settings: LeadgateSettings): AssignmentEmails => ({
  assignment: (lead, assignment, url) => assignmentEmail(settings, lead, assignment, url),
  reassignedAway: reassignedAwayEmail,
});
