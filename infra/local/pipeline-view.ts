import type { IncomingMessage } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { maskEmail } from '../../shared/domain/core/email-address';
import type { Keyring } from '../../shared/domain/core/keyring';
import type { Lead } from '../../shared/domain/core/lead';
import { reviewUrl } from '../../shared/domain/core/links';
import { type Html, html, trusted } from '../../shared/email/html';
import { page } from '../../shared/http/html';
import type { LocalRoute } from './http-gateway';
import { scanWholeTable, type StoredMail, storedMail } from './local-stores';

/** One submission on its way through the pipeline, as the demo page shows it. */
export interface PipelineRow {
  maskedEmail: string;
  formId: string;
  at: string;
  /** Where it is: stored, held (with reasons and a review link), routed, assigned, accepted, nurtured. */
  state: string;
  reviewUrl?: string;
  mails: { id: string; subject: string; to: string }[];
}

export interface PipelineSource {
  db: DynamoDBDocumentClient;
  tableName: string;
  sesUrl: string;
  apiUrl: string;
  keyring: Keyring;
  now: () => Date;
}

const LATEST = 20;

/** The mail store, or none while the local SES is away (the page still shows the table). */
const mailOrNone = (sesUrl: string) => storedMail(sesUrl).catch((): StoredMail[] => []);

/** What happened to a merged submission, read from its lead. */
function mergedState(lead: Lead | undefined, submissionId: string, now: Date): string {
  if (!lead?.routedSubmissions?.includes(submissionId)) return 'merged, routing';
  const steps: string[] = ['routed'];
  const assignment = lead.assignment?.submissionId === submissionId ? lead.assignment : undefined;
  if (assignment) {
    steps.push(`assigned to ${assignment.rep}${assignment.notifiedAt ? ' (emailed)' : ''}`);
    if (assignment.acceptedAt) steps.push(`accepted ${assignment.acceptedAt.slice(0, 16).replace('T', ' ')}`);
  } else if (!lead.consents.sales_contact?.granted) steps.push('no sales consent: not assigned');
  const nurture = lead.nurture;
  if (nurture?.status === 'active' && nurture.nextDueAt) {
    steps.push(`nurture step ${nurture.nextStep + 1} ${Date.parse(nurture.nextDueAt) <= now.getTime() ? 'due now' : `due ${nurture.nextDueAt.slice(0, 10)}`}`);
  }
  return steps.join('; ');
}

/** The latest submissions, newest first, with their state and the mails sent to or about them. */
export async function pipelineRows(source: PipelineSource): Promise<PipelineRow[]> {
  const [items, mails] = await Promise.all([scanWholeTable(source.db, source.tableName), mailOrNone(source.sesUrl)]);
  const leads = new Map(items.filter((item) => item.itemType === 'lead').map((item) => [item.pk as string, item as unknown as Lead]));
  const now = source.now();
  return items
    .filter((item) => item.itemType === 'submission')
    .sort((a, b) => String(b.at).localeCompare(String(a.at)))
    .slice(0, LATEST)
    .map((item) => {
      const lead = leads.get(item.pk as string);
      const email = (item.submission as { email?: string } | undefined)?.email ?? lead?.email ?? '';
      const submissionId = item.submissionId as string;
      const held = item.held as { reasons: string[] } | undefined;
      const state =
        item.state === 'pending'
          ? 'stored, waiting for the routing consumer'
          : item.state === 'held'
            ? `held: ${held?.reasons.join(', ') ?? ''}`
            : item.state === 'released'
              ? 'released, routing'
              : item.state === 'discarded'
                ? 'discarded'
                : mergedState(lead, submissionId, now);
      const about = mails.filter((m) => email && (m.destination.to.includes(email) || (m.body.text ?? '').includes(email)));
      return {
        maskedEmail: maskEmail(email),
        formId: item.formId as string,
        at: item.at as string,
        state,
        ...(item.state === 'held' ? { reviewUrl: reviewUrl(source.apiUrl, source.keyring, item.leadId as string, submissionId, now) } : {}),
        mails: about.map((m) => ({ id: m.messageId, subject: m.subject, to: m.destination.to.join(', ') })),
      };
    });
}

/** The pipeline table: each submission, its state, its review link if held, its mails. */
export function pipelineTable(rows: PipelineRow[]): Html {
  if (rows.length === 0) return html`<p>Nothing submitted yet: fill in a form above.</p>`;
  return html`<table>
<thead><tr><th scope="col">Submitted</th><th scope="col">Address</th><th scope="col">Form</th><th scope="col">State</th><th scope="col">Mails</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${r.at.slice(0, 19).replace('T', ' ')}</td><td>${r.maskedEmail}</td><td>${r.formId}</td><td>${r.state}${r.reviewUrl && html` · <a href="${r.reviewUrl}">release or discard</a>`}</td><td>${r.mails.map(
        (m) => html`<a href="/_local/mail?id=${encodeURIComponent(m.id)}">${m.subject}</a> (to ${m.to})<br>`,
      )}</td></tr>\n`,
  )}</tbody></table>`;
}

const html200 = (body: string) => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body });

/** The live page: the pipeline table, reloading itself every 5 seconds (no script needed). */
export const pipelinePage = (rows: PipelineRow[]): string =>
  page(
    'Pipeline (local)',
    html`<h1>The pipeline, live</h1><p>The latest submissions and where each one is; this page reloads every 5 seconds. <a href="/">Back to the forms</a>.</p>${pipelineTable(rows)}`,
    trusted('<meta http-equiv="refresh" content="5">'),
  );

/** GET /_local/pipeline: the latest submissions, refreshed every 5 seconds. */
export function pipelineRoute(source: () => PipelineSource): LocalRoute {
  return {
    method: 'GET',
    path: '/_local/pipeline',
    async handle() {
      return html200(pipelinePage(await pipelineRows(source())));
    },
  };
}

/** One mail as sent: its headers (List-Unsubscribe and the rest) and its text. */
export function mailPage(mail: StoredMail): string {
  const headers = [
    { name: 'From', value: mail.from },
    { name: 'To', value: mail.destination.to.join(', ') },
    { name: 'Subject', value: mail.subject },
    ...(mail.headers ?? []),
  ];
  return page(
    mail.subject,
    html`<h1>${mail.subject}</h1>
<table><tbody>${headers.map((h) => html`<tr><th scope="row">${h.name}</th><td>${h.value}</td></tr>\n`)}</tbody></table>
<h2>Text</h2><pre>${mail.body.text ?? ''}</pre>
<p><a href="/_local/pipeline">Back to the pipeline</a></p>`,
  );
}

/** GET /_local/mail?id=...: one mail as sent, headers included (List-Unsubscribe and the rest). */
export function mailRoute(sesUrl: () => string): LocalRoute {
  return {
    method: 'GET',
    path: '/_local/mail',
    async handle(request: IncomingMessage) {
      const id = new URL(request.url ?? '/', 'http://localhost').searchParams.get('id') ?? '';
      const mail = (await mailOrNone(sesUrl())).find((m) => m.messageId === id);
      if (!mail) return { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page('No such mail', html`<h1>No such mail</h1>`) };
      return html200(mailPage(mail));
    },
  };
}
