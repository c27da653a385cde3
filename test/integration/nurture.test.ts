import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION } from '../support/example-config';
import { eventually, post, postLocal, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail, type StoredMail } from '../support/mail';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const header = (mail: StoredMail, name: string) => mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
const advance = (by: string) => postLocal(runtime, '/_local/clock/advance', { by });
const leadByEmail = async (email: string) =>
  (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any> | undefined;
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

/**
 * The table once a second has passed without a change: the welcome goes out from within the
 * routing invocation, whose report counters are written as its batch ends, after the mail.
 */
async function quietTable() {
  let last = JSON.stringify(await scanTable(runtime));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = JSON.stringify(await scanTable(runtime));
    if (now === last) return JSON.parse(now) as Awaited<ReturnType<typeof scanTable>>;
    last = now;
  }
}

async function waitForMail(to: string, count: number, timeoutMs = 10_000) {
  return eventually(async () => {
    const mails = mailTo(await sentMail(runtime), to);
    expect(mails.length).toBeGreaterThanOrEqual(count);
    return mails;
  }, timeoutMs);
}

describe('nurture email', () => {
  it('step 1 within 10 s, step 2 after 3 days, with RFC 8058 headers; one-click unsubscribe stops step 3', async () => {
    const email = 'nurtured@engines.example';
    const started = Date.now();
    await post(runtime, '/forms/contact/submissions', { email, firstName: 'Nia', consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    const [step1] = await waitForMail(email, 1, 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(step1!.subject).toBe('Nia, welcome to Example');

    expect((await advance('3d')).status).toBe(200);
    const mails = await waitForMail(email, 2);
    const step2 = mails[1]!;
    expect(step2.subject).toBe('Three ways teams use Example');
    const listUnsubscribe = header(step2, 'List-Unsubscribe')!;
    expect(listUnsubscribe).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?t=[^>]+>$/);
    expect(header(step2, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const url = listUnsubscribe.slice(1, -1);
    expect(step2.body.text).toContain(url);
    expect(step2.body.html).toContain('Unsubscribe</a>');
    expect(step2.body.text).toContain('1 Example Street, London');
    expect(step2.body.html).toContain('1 Example Street, London');

    const page = await fetch(url);
    expect(await page.text()).toContain('n***@engines.example');
    const oneClick = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const lead = (await leadByEmail(email))!;
    expect(lead.consents.marketing_email).toMatchObject({ status: 'withdrawn', granted: false, method: 'one_click_unsubscribe' });
    expect(lead.nurture.status).toBe('stopped');
    const items = await scanTable(runtime);
    expect(items.find((i) => i.pk === `SUPPRESS#${String(lead.pk).slice(5)}`)).toMatchObject({ unsubscribedAt: expect.any(String) });
    expect(items.some((i) => i.pk === lead.pk && i.type === 'consent.withdrawn')).toBe(true);

    await advance('4d');
    await settle();
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(2);
  });

  it('double opt-in: only the confirmation until the button is pressed; a GET confirms nothing', async () => {
    const email = 'doi@engines.example';
    await post(runtime, '/forms/newsletter/submissions', { email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    const [confirmation] = await waitForMail(email, 1);
    expect(confirmation!.subject).toMatch(/^Please confirm your subscription/);
    const link = /(http:\/\/\S+\/confirm\?t=\S+)/.exec(confirmation!.body.text ?? '')![1]!;
    expect((await fetch(link)).status).toBe(200);
    await settle();
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(1);
    expect((await leadByEmail(email))!.consents.marketing_email.status).toBe('pending_confirmation');

    const confirmed = await fetch(link, { method: 'POST' });
    expect(confirmed.status).toBe(200);
    const mails = await waitForMail(email, 2);
    expect(mails[1]!.subject).toMatch(/, welcome to Example$/);
    const lead = (await leadByEmail(email))!;
    expect(lead.consents.marketing_email).toMatchObject({ status: 'granted', method: 'double_opt_in' });
    expect(lead.expiresAt).toBeGreaterThan(Date.now() / 1000 + 300 * 86_400);
  });

  it('a tampered token changes nothing and reveals nothing', async () => {
    const email = 'tamper@engines.example';
    await post(runtime, '/forms/contact/submissions', { email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    const [mail] = await waitForMail(email, 1);
    const url = header(mail!, 'List-Unsubscribe')!.slice(1, -1);
    const before = await quietTable();
    const [base, token] = url.split('?t=') as [string, string];
    const [kid, body, signature] = decodeURIComponent(token).split('.') as [string, string, string];
    // Claim someone else's address: a changed payload with the original signature.
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), l: 'f'.repeat(64) })).toString('base64url');
    const tampered = `${base}?t=${encodeURIComponent(`${kid}.${forged}.${signature}`)}`;
    const response = await fetch(tampered, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('tamper');
    expect(await scanTable(runtime)).toEqual(before);
  });

  it('a hard bounce suppresses the address and stops its nurture; a soft bounce is only counted', async () => {
    const email = 'bounce@engines.example';
    await post(runtime, '/forms/contact/submissions', { email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    await waitForMail(email, 1);
    const soft = await postLocal(
      runtime,
      '/_local/ses-events',
      JSON.stringify({ eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: email }] } }),
    );
    expect(soft.status).toBe(202);
    expect((await leadByEmail(email))!.consents.marketing_email.granted).toBe(true);
    await postLocal(
      runtime,
      '/_local/ses-events',
      JSON.stringify({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'Bounce@Engines.example' }] } }),
    );
    // SES events reach their consumer through a queue, as SNS delivers them: wait for both.
    const lead = await eventually(async () => {
      const current = (await leadByEmail(email))!;
      expect(current.consents.marketing_email).toMatchObject({ status: 'withdrawn', method: 'hard_bounce' });
      return current;
    });
    const suppression = await eventually(async () => {
      const item = (await scanTable(runtime)).find((i) => i.pk === `SUPPRESS#${String(lead.pk).slice(5)}`)!;
      expect(item).toMatchObject({ bouncedAt: expect.any(String), softBounces: 1 });
      return item;
    });
    expect(JSON.stringify(suppression)).not.toContain('bounce@');
    await advance('3d');
    await settle();
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(1);
  });

  it('a fresh opt-in through a form lifts a bounce suppression only once the person confirms by email, never a complaint', async () => {
    const sesEvent = (body: object) => postLocal(runtime, '/_local/ses-events', JSON.stringify(body));
    const suppressionOf = async (email: string) => {
      const lead = (await leadByEmail(email))!;
      return (await scanTable(runtime)).find((i) => i.pk === `SUPPRESS#${String(lead.pk).slice(5)}`)!;
    };
    const optIn = (email: string, firstName?: string) =>
      post(runtime, '/forms/contact/submissions', {
        email,
        ...(firstName ? { firstName } : {}),
        consent: ['marketing_email'],
        consentVersion: CONSENT_VERSION,
      });
    const bounced = 'lifted@engines.example';
    const complained = 'complained@engines.example';
    for (const email of [bounced, complained]) {
      await optIn(email);
      await waitForMail(email, 1);
    }
    await sesEvent({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: bounced }] } });
    await sesEvent({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: complained }] } });
    await eventually(async () => expect(await suppressionOf(bounced)).toMatchObject({ bouncedAt: expect.any(String) }));
    await eventually(async () => expect(await suppressionOf(complained)).toMatchObject({ complainedAt: expect.any(String) }));

    // A new submission (a repeat of the first within ten minutes would be the same one). Anyone
    // could have posted it: it asks the person to confirm, and changes nothing until they do.
    await optIn(bounced, 'Again');
    await optIn(complained, 'Again');
    const [, confirmation] = await waitForMail(bounced, 2);
    expect(confirmation!.subject).toMatch(/^Please confirm your subscription/);
    expect((await leadByEmail(bounced))!.consents.marketing_email.status).toBe('pending_confirmation');
    expect(await suppressionOf(bounced)).toMatchObject({ bouncedAt: expect.any(String) });
    const link = /(http:\/\/\S+\/confirm\?t=\S+)/.exec(confirmation!.body.text ?? '')![1]!;
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    await eventually(async () => expect((await suppressionOf(bounced)).bouncedAt).toBeUndefined());
    expect((await leadByEmail(bounced))!.consents.marketing_email.granted).toBe(true);

    await settle();
    expect(mailTo(await sentMail(runtime), complained)).toHaveLength(1);
    expect((await leadByEmail(complained))!.consents.marketing_email.granted).toBe(false);
    expect(await suppressionOf(complained)).toMatchObject({ complainedAt: expect.any(String) });
  });

  it('no lead without marketing consent ever gets a marketing email', async () => {
    const email = 'sales-only@engines.example';
    await post(runtime, '/forms/contact/submissions', { email, country: 'DE', consent: ['sales_contact'], consentVersion: CONSENT_VERSION });
    await eventually(async () => expect((await leadByEmail(email))?.assignment).toBeDefined());
    await advance('8d');
    await settle();
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(0);
  });

  it('a redelivered send message sends nothing twice', async () => {
    const email = 'redelivered@engines.example';
    await post(runtime, '/forms/contact/submissions', { email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    await waitForMail(email, 1);
    const lead = (await leadByEmail(email))!;
    const message = { type: 'nurture.step', version: 1, leadId: String(lead.pk).slice(5), sequence: 'welcome', step: 0 };
    for (let i = 0; i < 3; i++) {
      await runtime.sqs.send(new SendMessageCommand({ QueueUrl: runtime.queues.email.url, MessageBody: JSON.stringify(message) }));
    }
    await settle();
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(1);
  });
});
