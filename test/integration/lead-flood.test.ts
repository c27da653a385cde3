import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { cliAgainst } from '../support/cli';
import { CONSENT_VERSION, exampleConfig } from '../support/example-config';
import { advanceToNextHour, eventually, heldReasonsOf, postFrom, renderedAt, scanAll, scanTable, startTestRuntime } from '../support/local-runtime';
import { sentMail, type StoredMail } from '../support/mail';

// Lead floods from one client, as a spammer who reads our own page would send them (issue: one
// script, one render token). Each scenario posts from its own loopback address, so each is a
// different client IP to the gateway.
let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime({ schedules: false });
});
afterAll(() => runtime?.stop());

const reps = new Set(Object.values(exampleConfig.routing.teams).flatMap((team) => team.reps.map((rep) => rep.email)));
const repMail = async (): Promise<StoredMail[]> => (await sentMail(runtime)).filter((m) => m.destination.to.some((to) => reps.has(to)));
const leads = async () => (await scanTable(runtime)).filter((item) => item.itemType === 'lead') as Record<string, any>[];
const leadOf = async (email: string) => (await leads()).find((lead) => lead.email === email);

const PEOPLE = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'donald', 'frances', 'john', 'margaret', 'ken'];
const COMPANIES = [
  'analytical',
  'harvard',
  'bletchley',
  'mathematisch',
  'liskov',
  'stanford',
  'allen',
  'backus',
  'hamilton',
  'thompson',
  'ritchie',
  'kernighan',
];
/** Distinct, plausible company addresses without a counter in them (no shared shape). */
const plausible = (i: number) => `${PEOPLE[i % PEOPLE.length]}@${COMPANIES[Math.floor(i / PEOPLE.length) % COMPANIES.length]}-labs.example`;

const contact = (email: string, token: string | undefined, extra: object = {}) => ({
  email,
  company: 'Plausible GmbH',
  country: 'DE',
  consent: ['sales_contact'],
  consentVersion: CONSENT_VERSION,
  ...(token ? { renderedAt: token } : {}),
  ...extra,
});

const cli = (...args: string[]) => cliAgainst(runtime, ...args);

/** Why the address's submission is held (undefined: not held). */
const heldFor = async (email: string) => (await heldReasonsOf(runtime, email))[0];

/** Waits until every listed address's submission is either held or has had its assignment email sent. */
const settled = (emails: string[]) =>
  eventually(async () => {
    const mails = await repMail();
    for (const email of emails) {
      if (await heldFor(email)) continue;
      // Routed: its rep's email is out, not only claimed (notifiedAt is set before the send).
      expect((await leadOf(email))?.assignment?.notifiedAt).toBeDefined();
      expect(mails.some((m) => (m.body.text ?? '').includes(email))).toBe(true);
    }
  }, 30_000);

describe('lead floods from one client', () => {
  it('one render token, 60 plausible leads: one reaches sales, the rest are held with reasons, none lost; release routes each once', async () => {
    await advanceToNextHour(runtime); // the hourly allowances, in one window
    const page = await fetch(`${runtime.urls.api}/forms/contact/render-token`);
    const { renderedAt: token } = (await page.json()) as { renderedAt: string };
    await new Promise((resolve) => setTimeout(resolve, 2100)); // the time trap, waited out
    const before = (await repMail()).length;
    const emails = Array.from({ length: 60 }, (_, i) => plausible(i));
    for (const email of emails) {
      const response = await postFrom(runtime, '127.0.0.2', '/forms/contact/submissions', contact(email, token));
      expect(response.status).toBe(202);
    }
    await settled(emails);
    expect((await repMail()).length - before).toBe(1);

    const held = (await Promise.all(emails.map(heldFor))).filter(Boolean) as string[][];
    expect(held).toHaveLength(59); // and the one routed: none lost
    expect(held.every((reasons) => reasons.includes('render_token_reused'))).toBe(true);
    expect(held.filter((reasons) => reasons.includes('ip_burst'))).toHaveLength(50);
    // A held submission changed nothing: no lead exists for any of them yet.
    expect((await Promise.all(emails.map(leadOf))).filter(Boolean)).toHaveLength(1);

    const listed = await cli('quarantine', 'list', '--reason', 'render_token_reused', '--json');
    expect(JSON.parse(listed.out)).toHaveLength(59);

    // A person who looked at them decides they are real (say, an import): one action releases all.
    const released = await cli('quarantine', 'release', '--reason', 'render_token_reused', '--since', '2000-01-01');
    expect(released).toMatchObject({ code: 0, out: expect.stringContaining('Released 59 held submission(s)') });
    await eventually(async () => expect((await repMail()).length - before).toBe(60), 30_000);
    await settled(emails);
    // Released once, routed once: a second release finds nothing, and no mail follows.
    expect((await cli('quarantine', 'release', '--reason', 'render_token_reused')).out).toContain('Released 0');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const mails = (await repMail()).slice(before);
    expect(mails).toHaveLength(60);
    expect((await leads()).filter((lead) => emails.includes(lead.email) && lead.assignmentHistory?.length !== 1)).toEqual([]);
    // 120 posts and releases, each settled through the whole pipeline: on two shared cores that outgrows the default.
  }, 90_000);

  it('a fresh token per post still stops at the burst allowance: the rest are held with ip_burst', async () => {
    await advanceToNextHour(runtime); // the hourly allowances, in one window
    const before = (await repMail()).length;
    const emails = Array.from({ length: 15 }, (_, i) => plausible(i + 60));
    for (const email of emails) {
      expect((await postFrom(runtime, '127.0.0.3', '/forms/contact/submissions', contact(email, renderedAt('contact')))).status).toBe(202);
    }
    await settled(emails);
    const held = await Promise.all(emails.map(heldFor));
    expect(held.filter((reasons) => !reasons)).toHaveLength(exampleConfig.screening.burst.perIpPerHour);
    expect(held.filter((reasons) => reasons?.join() === 'ip_burst')).toHaveLength(5);
    expect((await repMail()).length - before).toBe(10);
  });

  it("a script posting a fresh token each time past the allowance does not grow its address's counter item: it stays one write unit", async () => {
    await advanceToNextHour(runtime); // the hourly allowances, in one window
    /** An item's size as DynamoDB bills it, about: each attribute's name and value (a set's members). */
    const sizeOf = (item: Record<string, unknown>) =>
      Object.entries(item).reduce((sum, [name, value]) => {
        const values = value instanceof Set ? [...value] : [value];
        return sum + name.length + values.reduce((n: number, v) => n + String(v).length, 0);
      }, 0);
    const counterItems = async () => (await scanAll(runtime)).filter((item) => String(item.pk).startsWith('RATE#ip#'));
    const before = new Set((await counterItems()).map((item) => `${item.pk}|${item.sk}`));
    const emails = Array.from({ length: 40 }, (_, i) => plausible(i + 80));
    for (const email of emails) {
      expect((await postFrom(runtime, '127.0.0.9', '/forms/contact/submissions', contact(email, renderedAt('contact')))).status).toBe(202);
    }
    const [item, ...others] = (await counterItems()).filter((candidate) => !before.has(`${candidate.pk}|${candidate.sk}`));
    expect(others).toEqual([]);
    expect(item?.posts).toBe(40);
    // Ten tokens recorded, within the allowance: all 40 took 1.4 KB, two units per write.
    expect(sizeOf(item as Record<string, unknown>)).toBeLessThan(1024);
    await settled(emails);
    const held = await Promise.all(emails.map(heldFor));
    expect(held.filter((reasons) => reasons?.join() === 'ip_burst')).toHaveLength(30);
  });

  it('numbered addresses of one shape from one client are held with pattern_burst past the allowance', async () => {
    await advanceToNextHour(runtime); // the hourly allowances, in one window
    const emails = Array.from({ length: 5 }, (_, i) => `buyer${i + 1}@plausible-labs.example`);
    for (const email of emails) {
      expect((await postFrom(runtime, '127.0.0.4', '/forms/contact/submissions', contact(email, renderedAt('contact')))).status).toBe(202);
    }
    await settled(emails);
    const reasons = await Promise.all(emails.map(async (email) => (await heldFor(email)) ?? []));
    expect(reasons).toEqual([[], [], [], ['pattern_burst'], ['pattern_burst']]);
  });

  it('a token used twice holds the second submission; a resubmission after a validation error and a retry are not held', async () => {
    const token = renderedAt('contact');
    // The person forgets a required field, is told so, fixes it and sends again with the same token.
    const invalid = await postFrom(runtime, '127.0.0.5', '/forms/contact/submissions', contact('', token));
    expect(invalid.status).toBe(400);
    const first = await postFrom(runtime, '127.0.0.5', '/forms/contact/submissions', contact('ada@lovelace-labs.example', token), { 'idempotency-key': 'k1' });
    expect(first.status).toBe(202);
    // The client's retry of that same request (a lost answer) is the same submission, not a reuse.
    const retry = await postFrom(runtime, '127.0.0.5', '/forms/contact/submissions', contact('ada@lovelace-labs.example', token), { 'idempotency-key': 'k1' });
    expect(JSON.parse(retry.text).submissionId).toBe(JSON.parse(first.text).submissionId);
    const second = await postFrom(runtime, '127.0.0.5', '/forms/contact/submissions', contact('charles@babbage-labs.example', token));
    expect(second.status).toBe(202);
    // Both answers look alike: the second does not tell the script it was caught.
    expect(Object.keys(JSON.parse(second.text)).sort()).toEqual(Object.keys(JSON.parse(first.text)).sort());
    await settled(['ada@lovelace-labs.example', 'charles@babbage-labs.example']);
    expect(await heldFor('ada@lovelace-labs.example')).toBeUndefined();
    expect(await heldFor('charles@babbage-labs.example')).toEqual(['render_token_reused']);
  });
});
