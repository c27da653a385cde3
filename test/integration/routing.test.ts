import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { manyPeopleOneClient } from '../../infra/local/config-variant';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { eventually, post, postLocal, scanTable, startTestRuntime } from '../support/local-runtime';
import { acceptLinkIn, mailTo, sentMail } from '../support/mail';

let runtime: LocalRuntime;

beforeAll(async () => {
  // Schedules off: the SLA sweep runs when a test advances the clock.
  // A burst of 200 from one IP is the point of one test here, not abuse.
  // Routing alone: no destinations, whose deliveries would only add load to the 200-lead burst (on 2
  // cores DynamoDB Local then times capture's writes out); test/integration/destinations.test.ts covers them.
  const configFile = configFileWith((c) => {
    manyPeopleOneClient(c, 100);
    c.destinations = {};
  });
  runtime = await startTestRuntime({ schedules: false, configFile });
});
afterAll(() => runtime?.stop());

let counter = 0;
async function submit(country: string, consent: string[] = ['sales_contact'], extra: object = {}) {
  const email = `lead${++counter}-${country.toLowerCase()}@engines.example`;
  const response = await post(runtime, '/forms/contact/submissions', {
    email,
    company: `Company ${counter}`,
    country,
    consent,
    consentVersion: CONSENT_VERSION,
    ...extra,
  });
  expect(response.status).toBe(202);
  return email;
}

const leadByEmail = async (email: string) => (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any>;

async function waitForMailCount(count: number) {
  return eventually(async () => {
    const mails = await sentMail(runtime);
    expect(mails.length).toBeGreaterThanOrEqual(count);
    return mails;
  }, 20_000);
}

describe('scoring and routing through the local runtime', () => {
  it('routes DE to ana/ben 2-2, US to cara 2 and dan 1, JP to eve; no sales consent, no email', async () => {
    const before = (await sentMail(runtime)).length;
    for (const country of ['DE', 'DE', 'DE', 'DE', 'US', 'US', 'US', 'JP']) await submit(country);
    const unconsented = await submit('DE', ['marketing_email']);
    const mails = (await waitForMailCount(before + 9)).slice(before);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // time for any wrong extra email to show up
    const all = (await sentMail(runtime)).slice(before);
    // 8 to reps; the lead without sales consent gets only the welcome of the nurture it consented to.
    expect(all).toHaveLength(9);
    expect(mailTo(all, unconsented).map((m) => m.subject)).toEqual(['Hello, welcome to Example']);
    const count = (rep: string) => mailTo(mails, rep).length;
    expect([count('ana@example.com'), count('ben@example.com')]).toEqual([2, 2]);
    expect([count('cara@example.com'), count('dan@example.com')]).toEqual([2, 1]);
    expect(count('eve@example.com')).toBe(1);

    const lead = await leadByEmail(unconsented);
    expect(lead.owner).toBeUndefined();
    expect(lead.score).toBeGreaterThan(0);
    expect(all.filter((m) => !m.destination.to.includes(unconsented)).some((m) => (m.body.text ?? '').includes(unconsented))).toBe(false);
  });

  it('each assignment email shows the fields, the score with its reasons, the consents and the deletion date', async () => {
    const email = await submit('GB', ['sales_contact'], { jobTitle: 'Head of Data', message: 'Hello <b>team</b>' });
    const lead = await eventually(async () => {
      const item = await leadByEmail(email);
      expect(item.assignment?.notifiedAt).toBeDefined();
      return item;
    });
    // notifiedAt is claimed just before the send: wait for the mail itself.
    const mail = await eventually(async () => {
      const found = mailTo(await sentMail(runtime), lead.owner).find((m) => (m.body.text ?? '').includes(email));
      expect(found).toBeDefined();
      return found!;
    });
    expect(mail.subject).toBe(`New lead: Company ${counter} (score ${lead.score})`);
    expect(mail.body.text).toContain(`Score: ${lead.score} / 100`);
    for (const reason of lead.scoreReasons) expect(mail.body.text).toContain(reason.reason);
    expect(lead.scoreReasons.map((r: { rule: string }) => r.rule)).toEqual([
      'corporate_email',
      'contact_form',
      'named_company',
      'senior_role',
      'wrote_message',
    ]);
    expect(lead.score).toBe(90);
    expect(mail.body.text).toContain(`text version ${CONSENT_VERSION}`);
    expect(mail.body.text).toContain(new Date(lead.expiresAt * 1000).toISOString().slice(0, 10));
    expect(mail.body.html).toContain('Hello &lt;b&gt;team&lt;/b&gt;');
    expect(mail.body.html).not.toContain('<b>team</b>');
    expect(mail.headers ?? []).not.toContainEqual(expect.objectContaining({ name: 'List-Unsubscribe' }));
  });

  it('a returning lead goes back to its owner', async () => {
    const email = await submit('FR');
    const first = await eventually(async () => {
      const item = await leadByEmail(email);
      expect(item.owner).toBeDefined();
      return item;
    });
    await post(runtime, '/forms/contact/submissions', { email, message: 'Following up', consent: ['sales_contact'], consentVersion: CONSENT_VERSION });
    const second = await eventually(async () => {
      const item = await leadByEmail(email);
      expect(item.assignmentHistory).toHaveLength(2);
      return item;
    });
    // Both emails out, not still in flight (notifiedAt is claimed before the send).
    await eventually(async () => expect(mailTo(await sentMail(runtime), second.owner).filter((m) => (m.body.text ?? '').includes(email))).toHaveLength(2));
    expect(second.owner).toBe(first.owner);
    expect(second.assignmentHistory[1].reason).toBe('returning_owner');
  });

  it('200 concurrent submissions to a round-robin team of two split evenly; replaying every message sends nothing more', async () => {
    const before = await sentMail(runtime);
    const ana = mailTo(before, 'ana@example.com').length;
    const ben = mailTo(before, 'ben@example.com').length;
    const emails = Array.from({ length: 200 }, (_, i) => `burst${i}@engines.example`);
    // As the embed script does, any 5xx is sent again, twice at most, after its Retry-After (at most
    // 10 s) or 3 s, saying it follows a failure. On two loaded cores the burst can outrun capture's
    // 10 s: its own 503, or the gateway's 500 when a capture runs past its timeout.
    const submit = async (email: string, retries = 2, query = ''): Promise<number> => {
      const response = await post(runtime, `/forms/contact/submissions${query}`, {
        email,
        country: 'NL',
        consent: ['sales_contact'],
        consentVersion: CONSENT_VERSION,
      });
      if (response.status < 500 || retries === 0) return response.status;
      await new Promise((resolve) => setTimeout(resolve, Math.min(Number(response.headers.get('retry-after')) || 3, 10) * 1000));
      return submit(email, retries - 1, '?retry=failure');
    };
    const statuses = await Promise.all(emails.map((email) => submit(email)));
    expect(statuses.filter((status) => status !== 202)).toEqual([]);
    const after = await waitForMailCount(before.length + 200);
    const aboutBurst = (to: string) => mailTo(after.slice(before.length), to).filter((m) => /burst\d+@engines\.example/.test(m.body.text ?? '')).length;
    const anaNew = aboutBurst('ana@example.com');
    const benNew = aboutBurst('ben@example.com');
    expect(mailTo(after, 'ana@example.com').length - ana).toBe(anaNew);
    expect(mailTo(after, 'ben@example.com').length - ben).toBe(benNew);
    expect(anaNew + benNew).toBe(200);
    expect(Math.abs(anaNew - benNew)).toBeLessThanOrEqual(2); // 100/100 ±1 each

    // Replay: every routing message for these leads, delivered again.
    const leads = (await scanTable(runtime)).filter((item) => item.itemType === 'lead' && emails.includes(item.email as string));
    const messages = leads.flatMap((lead) =>
      (lead.submissions as { submissionId: string; at: string }[]).map((s) => ({
        type: 'lead.captured',
        version: 1,
        leadId: String(lead.pk).slice(5),
        submissionId: s.submissionId,
        formId: 'contact',
        capturedAt: s.at,
      })),
    );
    expect(messages).toHaveLength(200);
    for (let i = 0; i < messages.length; i += 10) {
      await runtime.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: runtime.queues.routing.url,
          Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })),
        }),
      );
    }
    await eventually(async () => {
      const { Attributes } = await runtime.sqs.send(
        new (await import('@aws-sdk/client-sqs')).GetQueueAttributesCommand({
          QueueUrl: runtime.queues.routing.url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      expect(Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(0);
    }, 20_000);
    expect((await sentMail(runtime)).length).toBe(after.length);
  }, 150_000);

  it('past the SLA an unaccepted lead moves to the next rep and both are emailed; an accepted lead stays', async () => {
    const waiting = await submit('IT');
    const taken = await submit('ES');
    const [a, b] = await eventually(async () => {
      const leads = [await leadByEmail(waiting), await leadByEmail(taken)];
      for (const lead of leads) expect(lead.assignment?.notifiedAt).toBeDefined();
      return leads;
    });
    // Accept `taken` through its link: GET shows a button and changes nothing; POST accepts.
    const mail = await eventually(async () => {
      const found = mailTo(await sentMail(runtime), b!.owner).find((m) => (m.body.text ?? '').includes(taken));
      expect(found).toBeDefined();
      return found!;
    });
    const link = acceptLinkIn(mail);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<button');
    expect((await leadByEmail(taken)).assignment.acceptedAt).toBeUndefined();
    const accepted = await fetch(link, { method: 'POST' });
    expect(accepted.status).toBe(200);
    expect((await leadByEmail(taken)).assignment.acceptedAt).toBeDefined();
    const tampered = await fetch(
      link.replace(/t=(.)/, (_, c: string) => `t=${c === 'k' ? 'j' : 'k'}`),
      { method: 'POST' },
    );
    expect(tampered.status).toBe(400);

    const before = (await sentMail(runtime)).length;
    const advanced = await postLocal(runtime, '/_local/clock/advance', { by: '5h' });
    expect(advanced.status).toBe(200);
    const moved = await leadByEmail(waiting);
    expect(moved.owner).not.toBe(a!.owner);
    expect(moved.assignment).toMatchObject({ reason: 'sla_reassignment', team: 'emea', generation: 2 });
    const newMails = (await sentMail(runtime)).slice(before);
    expect(mailTo(newMails, a!.owner).map((m) => m.subject)).toContainEqual(expect.stringMatching(/^Lead reassigned/));
    expect(mailTo(newMails, moved.owner).map((m) => m.subject)).toContainEqual(expect.stringMatching(/\[reassigned\]$/));
    expect((await leadByEmail(taken)).owner).toBe(b!.owner);

    // The old rep's link no longer accepts anything.
    const oldMail = mailTo(await sentMail(runtime), a!.owner).find((m) => (m.body.text ?? '').includes(waiting))!;
    expect((await fetch(acceptLinkIn(oldMail), { method: 'POST' })).status).toBe(409);

    // The team is exhausted after ana and ben: the fallback team gets it, then it stays put.
    await postLocal(runtime, '/_local/clock/advance', { by: '5h' });
    expect((await leadByEmail(waiting)).assignment).toMatchObject({ team: 'global', rep: 'eve@example.com' });
    await postLocal(runtime, '/_local/clock/advance', { by: '9h' });
    const settled = await leadByEmail(waiting);
    expect(settled.assignment).toMatchObject({ rep: 'eve@example.com', exhaustedAt: expect.any(String) });
  });

  it('refuses a malformed clock advance', async () => {
    const response = await postLocal(runtime, '/_local/clock/advance', '{"by":"soon"}');
    expect(response.status).toBe(400);
  });

  it('an accept link names its lead, and once used (or reassigned) says so with 410', async () => {
    const email = 'named@engines.example';
    const body = {
      email,
      company: 'Named Widgets',
      country: 'DE',
      consent: ['sales_contact'],
      consentVersion: CONSENT_VERSION,
    };
    expect((await post(runtime, '/forms/contact/submissions', body)).status).toBe(202);
    const mail = await eventually(async () => {
      const found = (await sentMail(runtime)).find((m) => m.subject.startsWith('New lead: Named Widgets'));
      expect(found).toBeDefined();
      return found!;
    });
    const link = acceptLinkIn(mail);
    const get = async (url: string) => {
      const response = await fetch(url);
      return { status: response.status, text: await response.text() };
    };
    const page = await get(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Accept Named Widgets?');
    expect(page.text).toContain('From the contact form');
    const accepted = await fetch(link, { method: 'POST' });
    expect(accepted.status).toBe(200);
    const used = await get(link);
    expect(used.status).toBe(410);
    expect(used.text).toContain('You had already accepted this lead');
  });
});
