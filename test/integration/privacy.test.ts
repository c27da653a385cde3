import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliAgainst } from '../support/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION } from '../support/example-config';
import { eventually, post, postLocal, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';
import { requestLink as requestLinkFrom } from '../support/privacy';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const leadByEmail = async (email: string) =>
  (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any> | undefined;
const requestLink = (email: string, type: string) => requestLinkFrom(runtime, email, type);

async function captureAndRoute(email: string, consent: string[], extra: object = {}) {
  const response = await post(runtime, '/forms/contact/submissions', { email, consent, consentVersion: CONSENT_VERSION, ...extra });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { consentReceipts: unknown[] };
  await eventually(async () => expect((await leadByEmail(email))?.routedSubmissions).toHaveLength(1));
  return body;
}

const cli = (...args: string[]) => cliAgainst(runtime, ...args);

describe('privacy requests', () => {
  it('answers a known and an unknown address identically; only the known one gets a link', async () => {
    await captureAndRoute('known@engines.example', ['sales_contact'], { country: 'DE' });
    const known = await post(runtime, '/privacy/requests', { email: 'known@engines.example', type: 'access' });
    const unknown = await post(runtime, '/privacy/requests', { email: 'nobody@engines.example', type: 'access' });
    expect(known.status).toBe(unknown.status);
    expect(await known.text()).toBe(await unknown.text());
    await eventually(async () => expect(mailTo(await sentMail(runtime), 'nobody@engines.example')).toHaveLength(1));
    expect(mailTo(await sentMail(runtime), 'nobody@engines.example')[0]!.body.text).toContain('We hold no personal data');
    const bad = await post(runtime, '/privacy/requests', { email: 'not-an-address', type: 'access' });
    expect(bad.status).toBe(400);
  });

  it("access: the link's button downloads everything held, with consent history, hashes and the rep; the link works once", async () => {
    const email = 'access@engines.example';
    await captureAndRoute(email, ['sales_contact', 'marketing_email'], { firstName: 'Ada', country: 'DE' });
    const link = await requestLink(email, 'access');
    const page = await fetch(link);
    expect(await page.text()).toContain('Download my data');
    const download = await fetch(link, { method: 'POST' });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const data = (await download.json()) as Record<string, any>;
    expect(data.lead.fields).toMatchObject({ email, firstName: 'Ada', country: 'DE' });
    expect(data.consentHistory.map((e: { type: string; purpose: string }) => `${e.type}:${e.purpose}`).sort()).toEqual([
      'consent.granted:marketing_email',
      'consent.granted:sales_contact',
    ]);
    expect(data.consentHistory[0]).toMatchObject({ consentTextVersion: CONSENT_VERSION, textSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(data.lead.assignmentHistory[0]).toMatchObject({ rep: expect.stringMatching(/@example\.com$/), team: 'emea' });
    expect(data.retention.deleteAfter).toMatch(/^\d{4}-/);
    expect(data.purposesOfProcessing.sales_contact.consentText).toContain('sales team');
    expect(data.consentReceipts).toHaveLength(2);
    // Used: 410 with a page saying so, on GET and on POST.
    const again = await fetch(link, { method: 'POST' });
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link was already used');
    expect((await fetch(link)).status).toBe(410);
  });

  it('erasure: removes every item holding the address, stops nurture, keeps the suppression hash and shows a receipt', async () => {
    const email = 'erase-me@engines.example';
    await captureAndRoute(email, ['sales_contact', 'marketing_email'], { firstName: 'Eraseme', phone: '+44 20 7946 0001', country: 'FR' });
    await eventually(async () => expect(mailTo(await sentMail(runtime), email).length).toBeGreaterThanOrEqual(1));
    const link = await requestLink(email, 'erasure');
    expect(await (await fetch(link)).text()).toContain('Erase my data');
    expect(await leadByEmail(email)).toBeDefined();
    const erased = await fetch(link, { method: 'POST' });
    expect(erased.status).toBe(200);
    const html = await erased.text();
    expect(html).toContain('erasure receipt');
    expect(html).toContain('ersr_');
    const table = JSON.stringify(await scanTable(runtime));
    expect(table).not.toContain(email);
    expect(table).not.toContain('Eraseme');
    expect(table).not.toContain('7946 0001');
    expect((await scanTable(runtime)).some((item) => item.itemType === 'suppression' && item.erasedAt)).toBe(true);

    const mailsBefore = mailTo(await sentMail(runtime), email).length;
    await postLocal(runtime, '/_local/clock/advance', { by: '8d' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(mailTo(await sentMail(runtime), email).filter((m) => !m.subject.includes('privacy request'))).toHaveLength(mailsBefore - 1);
  });

  it('rectification: the form shows the declared fields, refuses invalid input, and records the correction', async () => {
    const email = 'rectify@engines.example';
    await captureAndRoute(email, [], { firstName: 'Wrong', country: 'DE', company: 'Old Co' });
    const link = await requestLink(email, 'rectification');
    const form = await (await fetch(link)).text();
    expect(form).toContain('value="Wrong"');
    expect(form).not.toContain('name="email"');
    const post = (body: string) => fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const invalid = await post('firstName=Right&country=Atlantis');
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('ISO 3166-1');
    expect((await leadByEmail(email))!.fields.firstName).toBe('Wrong');
    const valid = await post('firstName=Right&country=fr&company=');
    expect(valid.status).toBe(200);
    const lead = (await leadByEmail(email))!;
    expect(lead.fields).toEqual({ email, firstName: 'Right', country: 'FR' });
    const event = (await scanTable(runtime)).find((item) => item.pk === lead.pk && item.type === 'lead.rectified')!;
    expect(event.changedFields).toEqual(expect.arrayContaining(['firstName', 'country', 'company']));
    expect(JSON.stringify(event)).not.toContain('Right');
  });

  it('a rectification link applies once, even posted three times at once', async () => {
    const email = 'rectify-race@engines.example';
    await captureAndRoute(email, [], { firstName: 'Wrong', country: 'DE' });
    const link = await requestLink(email, 'rectification');
    const post = (name: string) => fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `firstName=${name}` });
    const answers = await Promise.all(['One', 'Two', 'Three'].map(post));
    // Each loser answers as a used link, whether it read the link before the winner used it or after.
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410, 410]);
    for (const answer of answers.filter((a) => a.status === 410)) expect(await answer.text()).toContain('This link was already used');
    const lead = (await leadByEmail(email))!;
    expect(['One', 'Two', 'Three']).toContain(lead.fields.firstName);
    expect((await scanTable(runtime)).filter((item) => item.pk === lead.pk && item.type === 'lead.rectified')).toHaveLength(1);
  });

  it('limits requests per address, answering the same while sending no more mail', async () => {
    const email = 'flooded@engines.example';
    for (let i = 0; i < 5; i++) expect((await post(runtime, '/privacy/requests', { email, type: 'access' })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(3);
  });
});

describe('consent receipts and the operator CLI', () => {
  it('a capture receipt verifies with `leadgate receipt verify`; one altered character does not', async () => {
    const { consentReceipts } = await captureAndRoute('receipt@engines.example', ['marketing_email']);
    expect(consentReceipts).toHaveLength(2);
    const dir = mkdtempSync(join(tmpdir(), 'leadgate-receipt-'));
    const file = join(dir, 'receipt.json');
    const receipt = consentReceipts.find((r) => (r as { purpose: string }).purpose === 'marketing_email') as Record<string, unknown>;
    writeFileSync(file, JSON.stringify(receipt));
    // The key is base64url and may start with '-': the '=' form keeps it a value.
    const ok = await cli('receipt', 'verify', file, `--public-key=${receipt.publicKey as string}`);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toMatch(/^valid/);
    const text = JSON.stringify(receipt);
    const at = text.indexOf(CONSENT_VERSION);
    writeFileSync(file, `${text.slice(0, at)}${CONSENT_VERSION.replace('1', '2')}${text.slice(at + CONSENT_VERSION.length)}`);
    const altered = await cli('receipt', 'verify', file);
    expect(altered.code).toBe(1);
    expect(altered.out).toContain('INVALID');
  });

  it('leads show, privacy export, suppress and privacy erase work against the local runtime', async () => {
    const email = 'cli@engines.example';
    await captureAndRoute(email, ['marketing_email'], { company: 'CLI Co' });
    const shown = await cli('leads', 'show', '--email', email);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('company=CLI Co');
    const exported = await cli('privacy', 'export', '--email', email);
    expect(JSON.parse(exported.out).lead.fields.company).toBe('CLI Co');
    const suppressed = await cli('suppress', '--email', email, '--reason', 'complained', '--json');
    expect(JSON.parse(suppressed.out)).toEqual({ suppressed: true, reason: 'complained' });
    expect((await leadByEmail(email))!.consents.marketing_email.status).toBe('withdrawn');
    const erased = await cli('privacy', 'erase', '--email', email, '--json');
    expect(JSON.parse(erased.out)).toMatchObject({ kind: 'erasure', itemsDeleted: expect.any(Number) });
    expect(await leadByEmail(email)).toBeUndefined();
    const missing = await cli('leads', 'show', '--email', email);
    expect(missing.code).toBe(1);
    const usage = await cli('suppress', '--email', email, '--reason', 'bored');
    expect(usage.code).toBe(2);
  });
});
