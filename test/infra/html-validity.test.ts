import { html } from '../../shared/email/html';
import { InMemoryBudgetLedger, InMemoryCounters } from '../support/in-memory-ports';
import { buildReport, REPORT_NAMES } from '../../shared/domain/insight/reports';
import { cryptoIntegers } from '../../shared/domain/insight/secure-random';
import { reportPage } from '../../shared/http/report-page';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoPageRoute } from '../../infra/local/demo-page';
import { destinationsPage } from '../../infra/local/doubles/local-destinations';
import { mailPage, pipelinePage } from '../../infra/local/pipeline-view';
import type { Assignment, Lead } from '../../shared/domain/core/lead';
import { LeadgateError } from '../../shared/domain/core/errors';
import type { OpenRequest, PrivacyDeps } from '../../shared/domain/privacy/privacy';
import { assignmentEmail, reassignedAwayEmail } from '../../shared/email/assignment-email';
import { personEmails } from '../../shared/email/person-emails';
import { privacyEmails } from '../../shared/email/privacy-emails';
import { errorResponse } from '../../shared/http/error-responses';
import { formPage } from '../../shared/http/form-page';
import { SEND_AGAIN } from '../../shared/http/capture-handler';
import { confirmButtonPage, linkProblem, messagePage } from '../../shared/http/html';
import { erasedPage, rectificationPage } from '../../shared/http/privacy-handler';
import { privacyRequestPage } from '../../shared/http/privacy-page';
import { preferencesPage } from '../../shared/http/unsubscribe-handler';
import { reviewPage } from '../../shared/http/review-handler';
import { reviewDigestEmail } from '../../shared/email/review-email';
import { exampleConfig } from '../support/example-config';

// Every page and email Leadgate renders, checked by the Nu HTML Checker (vnu-jar, Java), with
// hostile values in every slot a person can fill.

const HOSTILE = `Zoë "<b>bold</b>" & <script>alert(1)</script> O'Brien`;
const settings = exampleConfig;
const lead: Lead = {
  leadId: 'a'.repeat(64),
  email: 'zoe@example.com',
  fields: { firstName: HOSTILE, company: HOSTILE, message: `${HOSTILE}\nsecond line` },
  consents: {
    sales_contact: {
      granted: true,
      status: 'granted',
      at: '2026-11-30T10:00:00Z',
      formId: 'contact',
      consentTextVersion: 'v1',
      method: 'form_checkbox',
    } as never,
  },
  submissions: [{ submissionId: 'sub-1', formId: 'contact', at: '2026-11-30T10:00:00Z', given: { company: HOSTILE } } as never],
  doNotSellOrShare: false,
  createdAt: '2026-11-30T10:00:00Z',
  updatedAt: '2026-11-30T10:00:00Z',
  expiresAt: 2_000_000_000,
  score: 40,
  scoreReasons: [{ rule: 'r', points: 40, reason: HOSTILE }],
};
const assignment: Assignment = {
  submissionId: 'sub-1',
  team: Object.keys(settings.routing.teams)[0]!,
  rep: 'rep@example.com',
  reason: 'rule',
  assignedAt: '2026-11-30T10:00:00Z',
  slaDueAt: '2026-11-30T12:00:00Z',
  generation: 1,
  tried: ['rep@example.com'],
};
// Links the app builds carry base64url tokens; the query's & must still be escaped in an attribute.
const url = 'https://leads.example.com/x?t=a.b-c_d&x=1';
const sequence = Object.keys(settings.nurture.sequences)[0]!;
const form = settings.forms.contact!;

async function documents(): Promise<Record<string, string>> {
  const emails = personEmails(settings, 'https://leads.example.com');
  const privacy = privacyEmails(settings, 'https://leads.example.com');
  const rows = [
    {
      maskedEmail: HOSTILE,
      formId: HOSTILE,
      at: '2026-11-30T10:00:00Z',
      state: HOSTILE,
      reviewUrl: url,
      mails: [{ id: HOSTILE, subject: HOSTILE, to: HOSTILE }],
    },
    { maskedEmail: 'z***@example.com', formId: 'contact', at: '2026-11-30T11:00:00Z', state: 'routed', mails: [] },
  ];
  const demo = await demoPageRoute(
    settings,
    () => ({ api: 'http://127.0.0.1:3000', capture: 'http://127.0.0.1:3001', ses: 'http://127.0.0.1:8005' }),
    async () => rows,
  ).handle({} as never, Buffer.alloc(0));
  return {
    // As the hosted page serves it: the embed script inline, posting to capture's function URL.
    'form.html': formPage(settings, form, {
      formId: 'contact',
      action: '/forms/contact/submissions',
      postUrl: 'https://abc123.lambda-url.us-east-1.on.aws/forms/contact/submissions',
      renderToken: 't',
      privacyPage: '/privacy',
      script: 'inline',
    }).html,
    'privacy.html': privacyRequestPage({ ...settings, screening: { ...settings.screening, turnstile: { enabled: true, siteKey: HOSTILE, verifyUrl: url } } }),
    'form-with-errors.html': formPage(
      settings,
      form,
      {
        formId: 'contact',
        action: '/forms/contact/submissions',
        values: { firstName: HOSTILE, consent: ['sales_contact'] },
        errors: { email: HOSTILE, consent: HOSTILE },
      },
      400,
    ).html,
    // A post we failed to take (a 503), as a browser without JavaScript gets it back.
    'form-send-again.html': formPage(
      settings,
      form,
      {
        formId: 'contact',
        action: '/forms/contact/submissions?retry=failure',
        renderToken: HOSTILE,
        values: { firstName: HOSTILE, message: HOSTILE, consent: ['sales_contact'] },
        notice: SEND_AGAIN,
        script: 'inline',
      },
      503,
    ).html,
    'error-unavailable.html': errorResponse(new LeadgateError('service_unavailable', HOSTILE), true).body as string,
    'error.html': errorResponse(new LeadgateError('validation_failed', HOSTILE, { email: HOSTILE }), true).body as string,
    'message.html': messagePage(HOSTILE, HOSTILE),
    'link-problem.html': linkProblem('expired', HOSTILE).body as string,
    'confirm.html': confirmButtonPage(HOSTILE, HOSTILE, HOSTILE, HOSTILE),
    'unsubscribe.html': preferencesPage(settings, HOSTILE, HOSTILE),
    'rectification.html': rectificationPage({ settings } as PrivacyDeps, { lead } as OpenRequest, HOSTILE, { firstName: HOSTILE }),
    'demo.html': String(demo.body),
    'local-pipeline.html': pipelinePage(rows),
    'local-destinations.html': destinationsPage(
      [
        {
          destination: HOSTILE,
          kind: 'webhook',
          at: '2026-11-30T10:00:00Z',
          path: HOSTILE,
          headers: { 'webhook-id': HOSTILE },
          body: HOSTILE,
          verified: false,
          problems: [HOSTILE],
          status: 401,
        },
        {
          destination: 'crm',
          kind: 'hubspot',
          at: '2026-11-30T10:00:01Z',
          path: '/hubspot/crm/crm/v3/objects/contacts/batch/upsert',
          headers: {},
          body: '{}',
          problems: [],
          status: 200,
        },
      ],
      ['crm', HOSTILE],
    ),
    'local-destinations-empty.html': destinationsPage([], []),
    'erased.html': erasedPage({
      receiptVersion: 1,
      receiptId: HOSTILE,
      kind: 'erasure',
      subject: HOSTILE,
      erasedAt: '2026-11-30T10:00:00Z',
      itemsDeleted: 3,
      recipients: [
        { destination: HOSTILE, type: 'hubspot', since: '2026-11-01T00:00:00Z', fields: [HOSTILE], notice: 'sent', at: '2026-11-30T10:00:00Z' },
        { destination: 'sales-channel', type: 'slack', since: '2026-11-01T00:00:00Z', fields: ['company'], notice: 'none_needed', at: '2026-11-30T10:00:00Z' },
      ],
      keyId: HOSTILE,
      publicKey: HOSTILE,
      signature: HOSTILE,
    }),
    'erased-no-recipients.html': erasedPage({
      receiptVersion: 1,
      receiptId: 'ersr_1',
      kind: 'erasure',
      subject: 'x',
      erasedAt: '2026-11-30T10:00:00Z',
      itemsDeleted: 1,
      recipients: [],
      keyId: 'k',
      publicKey: 'p',
      signature: 's',
    }),
    'local-mail.html': mailPage({
      messageId: HOSTILE,
      from: HOSTILE,
      destination: { to: [HOSTILE] },
      subject: HOSTILE,
      body: { text: HOSTILE },
      headers: [{ name: 'List-Unsubscribe', value: `<${url}>` }],
      at: 0,
    }),
    'email-assignment.html': assignmentEmail(settings, lead, assignment, url).html,
    'email-reassigned.html': reassignedAwayEmail(lead, 'a@example.com', 'b@example.com', 4).html,
    'email-nurture.html': emails.nurtureStep(lead, sequence, 0, url).html,
    'email-confirmation.html': emails.confirmation(lead, 'newsletter', url).html,
    'email-privacy-link.html': privacy.link('zoe@example.com', 'erasure', url).html,
    'email-nothing-held.html': privacy.nothingHeld('zoe@example.com', 'access').html,
    'review.html': reviewPage({ status: 'open', maskedEmail: HOSTILE, formId: HOSTILE, at: '2026-11-30T10:00:00Z', reasons: [HOSTILE] }, HOSTILE),
    ...(await reportDocuments()),
    'email-review-digest.html': reviewDigestEmail(settings)('reviewer@example.com', [
      { maskedEmail: HOSTILE, formId: HOSTILE, at: '2026-11-30T10:00:00Z', reasons: [HOSTILE, 'ip_burst'], reviewUrl: url },
      { maskedEmail: 'z***@example.com', formId: 'contact', at: '2026-11-30T11:00:00Z', reasons: ['disposable_email'], reviewUrl: url },
    ]).html,
  };
}

/** Every report as a page, exact and private, with a value no configuration should hold in every label. */
async function reportDocuments(): Promise<Record<string, string>> {
  const counters = new InMemoryCounters();
  const day = '2026-11-30';
  await counters.add([
    { kind: 'funnel', day, dims: [HOSTILE, HOSTILE, 'none'], field: 'submitted', by: 3 },
    { kind: 'speed', day, dims: [HOSTILE], field: 'to_email_5m', by: 2 },
    { kind: 'load', day, dims: [HOSTILE, HOSTILE], field: 'assigned', by: 2 },
    { kind: 'calibration', day, dims: ['40-59'], field: 'assigned', by: 2 },
    { kind: 'rules', day, dims: [HOSTILE], field: 'accepted', by: 1 },
  ]);
  const now = new Date('2026-11-30T12:00:00Z');
  const deps = { settings, counters, ledger: new InMemoryBudgetLedger(), random: cryptoIntegers(), now };
  const pages: Record<string, string> = {};
  for (const name of REPORT_NAMES) {
    pages[`report-${name}.html`] = reportPage(await buildReport(deps, { name, from: day, to: day }), now, html`<nav><a href="/">home</a></nav>`);
    pages[`report-${name}-private.html`] = reportPage(await buildReport(deps, { name, from: '2026-10-01', to: day, epsilon: 0.1 }), now);
  }
  return pages;
}

let rendered: Record<string, string>;
beforeAll(async () => {
  rendered = await documents();
});

describe('rendered HTML', () => {
  it('escapes what a person sent wherever it lands', () => {
    for (const [name, markup] of Object.entries(rendered)) expect(markup, name).not.toContain('<script>alert(1)</script>');
  });

  it('passes the Nu HTML Checker: every page and email is a valid document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadgate-vnu-'));
    const files = Object.entries(rendered).map(([name, markup]) => {
      const file = join(dir, name);
      writeFileSync(file, markup);
      return file;
    });
    const jar = join(dirname(createRequire(import.meta.url).resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar');
    const result = await promisify(execFile)('java', ['-jar', jar, '--format', 'json', '--exit-zero-always', ...files], { encoding: 'utf8' });
    const { messages } = JSON.parse(result.stderr || result.stdout) as { messages: { type: string; url: string; message: string; extract?: string }[] };
    const problems = messages
      .filter((m) => m.type === 'error' || m.type === 'non-document-error')
      .map((m) => `${m.url.split('/').at(-1)}: ${m.message} ${m.extract ?? ''}`);
    expect(problems).toEqual([]);
    expect(files).toHaveLength(34);
  }, 60_000);
});
