import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manyPeopleOneClient } from '../../infra/local/config-variant';
import type { LocalRuntime } from '../../infra/local/runtime';
import { cliAgainst } from '../support/cli';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { advanceToNextHour, eventually, post, postFrom, renderedAt, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';

// Budgets for mail that strangers can trigger (issue: subscription bombing). Requests come from
// loopback addresses of their own, so the gateway sees the client IPs an attacker would use.

/** Runs `work` over `items`, `width` at a time (a script's concurrency, bounded). */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const newsletter = (email: string) => ({ email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION, renderedAt: renderedAt('newsletter') });

/** Waits until the mail store stops growing (the consumers have drained what the flood caused). */
async function quietMail(runtime: LocalRuntime): Promise<number> {
  let last = -1;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const count = (await sentMail(runtime)).length;
    if (count === last) return count;
    last = count;
  }
}

describe('budgets for mail a stranger can cause', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    // No per-IP post limit or burst hold: the mail budget alone must stop the flood.
    runtime = await startTestRuntime({ schedules: false, configFile: configFileWith((c) => manyPeopleOneClient(c)) });
  });
  afterAll(() => runtime?.stop());

  it('1,000 privacy requests and 1,000 newsletter signups from one client send at most its budget, with answers like any other', async () => {
    await advanceToNextHour(runtime);
    const normal = await postFrom(runtime, '127.0.0.9', '/privacy/requests', { email: 'normal@inbox.example', type: 'access' });
    const normalSignup = await postFrom(runtime, '127.0.0.9', '/forms/newsletter/submissions', newsletter('normal-reader@inbox.example'));
    await eventually(async () => expect(await sentMail(runtime)).toHaveLength(2));
    const before = 2;

    const victims = Array.from({ length: 1000 }, (_, i) => `victim${i}@${['inbox', 'mailbox', 'post'][i % 3]}.example`);
    const privacyAnswers = new Set<string>();
    await inParallel(victims, 8, async (email) => {
      const answer = await postFrom(runtime, '127.0.0.2', '/privacy/requests', { email, type: 'access' });
      privacyAnswers.add(`${answer.status} ${answer.text}`);
    });
    expect([...privacyAnswers]).toEqual([`${normal.status} ${normal.text}`]);

    const signupShapes = new Set<string>();
    const shape = (answer: { status: number; text: string }) => {
      const body = JSON.parse(answer.text) as { consentReceipts: { event: string; purpose: string }[] };
      return JSON.stringify([answer.status, Object.keys(body).sort(), body.consentReceipts.map((r) => [r.event, r.purpose])]);
    };
    await inParallel(victims, 8, async (email) => {
      signupShapes.add(shape(await postFrom(runtime, '127.0.0.2', '/forms/newsletter/submissions', newsletter(`reader-${email}`))));
    });
    expect([...signupShapes]).toEqual([shape(normalSignup)]);

    const sent = (await quietMail(runtime)) - before;
    expect(sent).toBe(runtime.config.mailBudget.perIpPerHour);

    // Every refused confirmation is recorded on its lead with the reason.
    const refused = (await scanTable(runtime)).filter((item) => (item.doubleOptIn as any)?.refused?.reason === 'ip_budget');
    expect(refused.length).toBeGreaterThan(900);

    // A real person on another connection is mailed at once.
    await postFrom(runtime, '127.0.0.3', '/privacy/requests', { email: 'someone-real@inbox.example', type: 'access' });
    await eventually(async () => expect(mailTo(await sentMail(runtime), 'someone-real@inbox.example')).toHaveLength(1));
  }, 180_000); // 2,000 requests and their routing: about 20 s on dynalite, 60 s on DynamoDB Local

  it('spread over 100 clients, the flood stays within the per-domain and global budgets', async () => {
    await advanceToNextHour(runtime); // fresh budgets
    const before = (await sentMail(runtime)).length;
    const clients = Array.from({ length: 100 }, (_, i) => `127.0.1.${i + 1}`);
    const requests = clients.flatMap((ip, i) => [
      { ip, email: `target-${i}@target.example` },
      { ip, email: `spread-${i}@d${i}.example` },
      { ip, email: `spread-b${i}@e${i}.example` },
      { ip, email: `spread-c${i}@f${i}.example` },
    ]);
    await inParallel(requests, 8, async ({ ip, email }) => {
      expect((await postFrom(runtime, ip, '/privacy/requests', { email, type: 'erasure' })).status).toBe(202);
    });
    await quietMail(runtime);
    const mails = (await sentMail(runtime)).slice(before);
    const { perDomainPerHour, globalPerHour } = runtime.config.mailBudget;
    expect(mails.filter((m) => m.destination.to[0]!.endsWith('@target.example')).length).toBeLessThanOrEqual(perDomainPerHour);
    expect(mails.length).toBeLessThanOrEqual(globalPerHour);
    expect(mails.length).toBeGreaterThan(perDomainPerHour); // the other domains were mailed up to the global budget
  }, 120_000);

  it('a domain without mail records gets no mail; the request stays for an operator to answer', async () => {
    await advanceToNextHour(runtime);
    // A known address at a domain that receives no mail (.invalid, RFC 6761) asks for its data.
    const email = 'ada@lovelace.invalid';
    await post(runtime, '/forms/contact/submissions', { email, consent: ['sales_contact'], consentVersion: CONSENT_VERSION });
    await eventually(async () => expect((await scanTable(runtime)).some((i) => i.email === email)).toBe(true));
    await postFrom(runtime, '127.0.0.4', '/privacy/requests', { email, type: 'access' });
    const pending = await cliAgainst(runtime, 'privacy', 'pending', '--json');
    expect(JSON.parse(pending.out)).toEqual([expect.objectContaining({ type: 'access', email, reason: 'no_mail_domain' })]);
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(0);
  });
});
