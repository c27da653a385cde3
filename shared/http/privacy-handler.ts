import type { FieldSettings } from '../domain/core/settings';
import type { Context } from 'aws-lambda';
import { LeadgateError } from '../domain/core/errors';
import type { RecipientNotice } from '../domain/destinations/erasure-notices';
import { type Html, html } from '../email/html';
import {
  type ErasureReceipt,
  eraseLead,
  exportLead,
  openPrivacyRequest,
  rectifyLead,
  requestPrivacyAction,
  type OpenRequest,
  type PrivacyDeps,
} from '../domain/privacy/privacy';
import { humanCheck, type HumanVerifier } from '../domain/screening/screening';
import { prefersHtml, type ErrorLogger } from './error-responses';
import { httpHandler, negotiateJsonOrHtml } from './middleware';
import { readFormBody } from './form-body';
import { confirmButtonPage, linkProblem, messagePage, page } from './html';
import { linkStatus } from '../domain/core/links';
import { privacyRequestPage, PRIVACY_PAGE_PATH } from './privacy-page';
import { FORM_PAGE_HEADERS, htmlResponse, jsonResponse } from './responses';

const ACCEPTED = 'If we hold data for this address, we have emailed a link to it. The link works once, for 24 hours.';
const ASK_AGAIN = `Ask again on the privacy page: ${PRIVACY_PAGE_PATH}.`;
/** The link was open when read, and another request using it (a double click, a resend) got there first. */
const USED_MEANWHILE = () => linkProblem('used', ASK_AGAIN);

export function rectificationPage(deps: PrivacyDeps, open: OpenRequest, token: string, problems: Record<string, string> = {}): string {
  const lead = open.lead!;
  const fields = new Map<string, FieldSettings>();
  for (const formId of new Set(lead.submissions.map((s) => s.formId))) {
    for (const [name, field] of Object.entries(deps.settings.forms[formId]?.fields ?? {})) if (name !== 'email') fields.set(name, field);
  }
  const inputs = [...fields].map(([name, field]) => {
    const problem = problems[name] && html`<br><span id="${name}-error" style="color:#b00">${problems[name]}</span>`;
    const describedBy = problem && html` aria-describedby="${name}-error"`;
    const value = lead.fields[name] ?? '';
    // Free text keeps its line breaks: a textarea, as on the form it came from.
    const control =
      field.type === 'textarea'
        ? html`<textarea name="${name}" rows="5"${describedBy}>${value}</textarea>`
        : html`<input name="${name}" type="text" value="${value}"${describedBy}>`;
    return html`<p><label>${field.label}<br>${control}</label>${problem}</p>`;
  });
  return page(
    'Correct your data',
    html`<h1>Correct your data</h1><p>Change what is wrong and save. Leave a field empty to remove it. Your email address identifies you and cannot be changed here.</p>
<form method="post" action="?t=${encodeURIComponent(token)}">${inputs}<button type="submit">Save corrections</button></form>`,
  );
}

/** GET /privacy (the request page), POST /privacy/requests, and the emailed link: GET shows one button (or the correction form), POST acts. */
export function createPrivacyHandler(deps: PrivacyDeps & { humanVerifier?: HumanVerifier }, logger: ErrorLogger) {
  return httpHandler(logger, negotiateJsonOrHtml()).handler(async (event, context: Context) => {
    const method = event.requestContext.http.method;
    if (event.rawPath === PRIVACY_PAGE_PATH) return htmlResponse(200, privacyRequestPage(deps.settings), FORM_PAGE_HEADERS);
    if (event.rawPath === '/privacy/requests') {
      const body = readFormBody(event);
      const ip = event.requestContext.http.sourceIp;
      const humanChecked = (await humanCheck(deps.humanVerifier, body['cf-turnstile-response'], ip)).length === 0 && !!deps.humanVerifier;
      await requestPrivacyAction(deps, body, { ip, humanChecked });
      return prefersHtml(context) ? htmlResponse(202, messagePage('Check your inbox', ACCEPTED)) : jsonResponse(202, { status: 'accepted', message: ACCEPTED });
    }
    const token = event.queryStringParameters?.t ?? '';
    const open = await openPrivacyRequest(deps, token);
    if (!open) {
      // Not ours (400), past its 24 hours (410), or ours and current but already used (410).
      const status = linkStatus(deps.keyring, token, 'privacy', deps.clock.now());
      return linkProblem(status === 'valid' ? 'used' : status, ASK_AGAIN);
    }
    const { request } = open;
    if (method === 'GET') {
      if (request.type === 'rectification' && open.lead) return htmlResponse(200, rectificationPage(deps, open, token));
      const labels = {
        access: ['Download your data', 'Download my data'],
        erasure: ['Erase your data', 'Erase my data'],
        rectification: ['Correct your data', 'Continue'],
      } as const;
      const [title, button] = labels[request.type];
      const warning =
        request.type === 'erasure'
          ? 'This deletes everything we hold about you, at once and for good. We keep only a one-way hash of your address so that we never email you again.'
          : 'Press the button to continue.';
      return htmlResponse(200, confirmButtonPage(title, warning, button, token));
    }
    if (request.type === 'rectification') {
      const body = readFormBody(event);
      try {
        if (open.lead && !(await rectifyLead(deps, request.leadId, body, request.requestId))) return USED_MEANWHILE();
      } catch (error) {
        if (error instanceof LeadgateError && error.code === 'validation_failed' && open.lead) {
          return htmlResponse(400, rectificationPage(deps, open, token, error.fields));
        }
        throw error;
      }
      if (!(await deps.requests.markUsed(request.requestId, deps.clock.now()))) return USED_MEANWHILE();
      return htmlResponse(200, messagePage('Your data is corrected', 'Thank you. The corrections are saved and recorded.'));
    }
    if (!(await deps.requests.markUsed(request.requestId, deps.clock.now()))) return USED_MEANWHILE();
    if (request.type === 'access') {
      return jsonResponse(200, await exportLead(deps, request.leadId), { 'content-disposition': 'attachment; filename="my-data.json"' });
    }
    const receipt = await eraseLead({ ...deps, destinations: deps.settings.destinations }, request.leadId);
    return htmlResponse(200, erasedPage(receipt));
  });
}

/** The answer to an erasure: what was done, who else was told, and the signed receipt. */
export const erasedPage = (receipt: ErasureReceipt): string =>
  page(
    'Your data is erased',
    html`<h1>Your data is erased</h1><p>Everything we held about you is deleted.</p>${recipientList(receipt.recipients)}<p>This is your erasure receipt; it contains no personal data.</p><pre>${JSON.stringify(receipt, null, 2)}</pre>`,
  );

const NOTICE_WORDS: Record<RecipientNotice['notice'], string> = {
  pending: 'we are telling them to delete it',
  sent: 'told to delete it',
  acknowledged: 'confirmed the deletion',
  failed: 'could not be told; our operators follow up',
  none_needed: 'holds nothing that identifies you',
};

/** Who else had the data, and what each was told (GDPR Art. 17(2), 19). */
function recipientList(recipients: readonly RecipientNotice[]): Html {
  if (recipients.length === 0) return html`<p>Your data was not passed on to anyone.</p>`;
  return html`<p>Your data had been passed on to these recipients:</p><ul>${recipients.map(
    (r) => html`<li>${r.destination} (${r.type}): ${NOTICE_WORDS[r.notice]}</li>`,
  )}</ul>`;
}
