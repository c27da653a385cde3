import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { cliAgainst } from '../support/cli';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { eventually, heldReasonsOf, post, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail, type StoredMail } from '../support/mail';

// A form post proves nothing about who sent it: the attacks of the issue, replayed against the
// local runtime. Only the person changes their own choices; answers reveal nothing.
let runtime: LocalRuntime;
beforeAll(async () => {
  // The attacks post without a render token; the contact form requires one here, so they are held.
  runtime = await startTestRuntime({ schedules: false, configFile: configFileWith((c) => (c.forms.contact.renderToken = 'required')) });
});
afterAll(() => runtime?.stop());

const leadOf = async (email: string) =>
  (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any> | undefined;
const contact = (email: string, consent: string[], extra: object = {}) => ({ email, country: 'DE', consent, consentVersion: CONSENT_VERSION, ...extra });
const settle = () => new Promise((resolve) => setTimeout(resolve, 2000));
/** Waits for mail, running the schedules (the nurture tick queues due steps) as time would. */
const waitForMail = (email: string, count: number) =>
  eventually(async () => {
    await runtime.runSchedules();
    const mails = mailTo(await sentMail(runtime), email);
    expect(mails.length).toBeGreaterThanOrEqual(count);
    return mails;
  }, 20_000);
const header = (mail: StoredMail, name: string) => mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

describe("a stranger cannot change a person's choices", () => {
  it('attack 1: a held post grants nothing, discarding it leaves the lead as it was, and no marketing mail follows', async () => {
    const email = 'sales-only@victim.example';
    await post(runtime, '/forms/contact/submissions', contact(email, ['sales_contact'], { company: 'Real GmbH' }));
    // Routed and its rep emailed (notifiedAt is claimed before the send; the email comes after every write).
    await eventually(async () => {
      const routed = await leadOf(email);
      expect(routed?.assignment?.notifiedAt).toBeDefined();
      expect(mailTo(await sentMail(runtime), routed!.owner as string).some((m) => (m.body.text ?? '').includes(email))).toBe(true);
    });
    const before = await leadOf(email);

    // A bot posts the same address without a render token, ticking marketing.
    await post(runtime, '/forms/contact/submissions', contact(email, ['marketing_email'], { renderedAt: null, company: 'Bot Ltd' }));
    await eventually(async () => expect(await heldReasonsOf(runtime, email)).toEqual([['render_token_missing']]));
    const shown = await cliAgainst(runtime, 'leads', 'show', '--email', email, '--json');
    expect(JSON.parse(shown.out).consents.marketing_email.granted).toBe(false);
    expect(await leadOf(email)).toEqual(before);

    expect(await cliAgainst(runtime, 'quarantine', 'discard', '--email', email)).toMatchObject({ code: 0 });
    expect(await leadOf(email)).toEqual(before);

    // The person's next submission (sales only) enrols them in nothing.
    await post(runtime, '/forms/contact/submissions', contact(email, ['sales_contact'], { jobTitle: 'CTO' }));
    await eventually(async () => expect((await leadOf(email))?.submissions).toHaveLength(2));
    await settle();
    const after = (await leadOf(email))!;
    expect(after.consents.marketing_email.granted).toBe(false);
    expect(after.nurture).toBeUndefined();
    expect(mailTo(await sentMail(runtime), email)).toEqual([]);
  });

  it('attack 2: a post cannot undo an unsubscribe or overwrite stored data; the person is only asked to confirm', async () => {
    const email = 'unsubscribed@victim.example';
    await post(runtime, '/forms/contact/submissions', contact(email, ['marketing_email'], { company: 'Real GmbH', phone: '+49 30 1111111' }));
    const [welcome] = await waitForMail(email, 1);
    const unsubscribe = header(welcome!, 'List-Unsubscribe')!.slice(1, -1);
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const expiresBefore = (await leadOf(email))!.expiresAt;

    await post(runtime, '/forms/contact/submissions', contact(email, ['marketing_email'], { company: 'Spam Ltd', phone: '+1 555 0100' }));
    const [, confirmation] = await waitForMail(email, 2);
    expect(confirmation!.subject).toMatch(/^Please confirm your subscription/);
    await settle();
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(2);

    const lead = (await leadOf(email))!;
    expect(lead.consents.marketing_email).toMatchObject({ status: 'pending_confirmation', granted: false });
    expect(lead.nurture.status).toBe('stopped');
    expect(lead.fields).toMatchObject({ company: 'Real GmbH', phone: '+49 30 1111111' });
    expect(lead.submissions.at(-1).given).toEqual({ company: 'Spam Ltd', phone: '+1 555 0100' });
    const suppression = (await scanTable(runtime)).find((item) => item.pk === `SUPPRESS#${String(lead.pk).slice(5)}`);
    expect(suppression).toMatchObject({ unsubscribedAt: expect.any(String) });
    // What a post may still do: add a submission and keep the data for the form's retention.
    expect(lead.expiresAt).toBeGreaterThanOrEqual(expiresBefore);
  });
});

describe('held submissions', () => {
  it('two held submissions of one person are listed by id and each released once, merged as if they had passed', async () => {
    const email = 'twice-held@victim.example';
    await post(runtime, '/forms/contact/submissions', contact(email, ['sales_contact'], { renderedAt: null, jobTitle: 'CTO' }));
    await post(runtime, '/forms/contact/submissions', contact(email, ['sales_contact'], { renderedAt: null, phone: '+49 30 2222222' }));
    await eventually(async () => expect(await heldReasonsOf(runtime, email)).toEqual([['render_token_missing'], ['render_token_missing']]));
    const listed = JSON.parse((await cliAgainst(runtime, 'quarantine', 'list', '--json')).out) as { email: string; submissionId: string }[];
    const ids = listed.filter((held) => held.email === email).map((held) => held.submissionId);
    expect(ids).toHaveLength(2);
    expect(await leadOf(email)).toBeUndefined();

    for (const id of ids) expect((await cliAgainst(runtime, 'quarantine', 'release', '--id', id)).out).toContain('Released 1');
    expect((await cliAgainst(runtime, 'quarantine', 'release', '--id', ids[0]!)).out).toContain('Released 0');
    await eventually(async () => expect((await leadOf(email))?.submissions).toHaveLength(2));
    const lead = (await leadOf(email))!;
    expect(lead.fields).toMatchObject({ jobTitle: 'CTO', phone: '+49 30 2222222' });
    expect(await heldReasonsOf(runtime, email)).toEqual([]);
    await eventually(async () => expect(mailTo(await sentMail(runtime), lead.owner)).not.toHaveLength(0));
  });
});

describe('the capture answer is a function of the request alone', () => {
  /** The body with what must differ between any two answers (ids, times, signatures) blanked. */
  const shape = async (response: Response) => {
    expect(response.status).toBe(202);
    return (await response.text()).replace(/"(submissionId|receiptId|subject|at|signature)":"[^"]*"/g, '"$1":"…"');
  };

  it('answers a known, an unknown, a confirmed, a suppressed and a honeypot-caught address alike', async () => {
    // Known: a lead with a sales consent; confirmed: a newsletter subscriber who confirmed.
    await post(runtime, '/forms/contact/submissions', contact('known@answers.example', ['sales_contact']));
    await post(runtime, '/forms/newsletter/submissions', { email: 'confirmed@answers.example', consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    const [confirmMail] = await waitForMail('confirmed@answers.example', 1);
    const link = /(http:\/\/\S+\/confirm\?t=\S+)/.exec(confirmMail!.body.text ?? '')![1]!;
    expect((await fetch(link, { method: 'POST' })).status).toBe(200);
    await eventually(async () => expect((await leadOf('known@answers.example'))?.routedSubmissions).toHaveLength(1));
    await cliAgainst(runtime, 'suppress', '--email', 'suppressed@answers.example', '--reason', 'complained');

    const asks = (email: string, extra: object = {}) => post(runtime, '/forms/contact/submissions', contact(email, [], { company: 'Same', ...extra }));
    const answers = [
      await shape(await asks('known@answers.example')),
      await shape(await asks('never-seen@answers.example')),
      await shape(await asks('confirmed@answers.example')),
      await shape(await asks('suppressed@answers.example')),
      await shape(await asks('bot@answers.example', { website: 'http://spam.example' })),
    ];
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('"decision":"consent.declined"');

    const newsletter = (email: string) =>
      post(runtime, '/forms/newsletter/submissions', { email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    const signups = [await shape(await newsletter('confirmed@answers.example')), await shape(await newsletter('brand-new@answers.example'))];
    expect(signups[0]).toBe(signups[1]);
    expect(signups[0]).toContain('"decision":"consent.pending_confirmation"');
  });
});
