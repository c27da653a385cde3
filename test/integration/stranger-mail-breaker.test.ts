import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { manyPeopleOneClient } from '../../infra/local/config-variant';
import type { LocalRuntime } from '../../infra/local/runtime';
import { cliAgainst } from '../support/cli';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { eventually, post, postLocal, renderedAt, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';

// The bounce breaker for mail to unconfirmed addresses (issue: subscription bombing).

const newsletter = (email: string) => ({ email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION, renderedAt: renderedAt('newsletter') });

describe('the bounce breaker for mail to unconfirmed addresses', () => {
  let runtime: LocalRuntime;
  const emitted: string[] = [];
  beforeAll(async () => {
    // The functions emit CloudWatch metrics (EMF lines on stdout) in this file: the alarm's input.
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any, ...rest: any[]) => {
      if (String(chunk).includes('"_aws"')) {
        emitted.push(String(chunk));
        return true;
      }
      return write(chunk, ...rest);
    });
    const configFile = configFileWith((c) => {
      manyPeopleOneClient(c);
      c.mailBudget = { breaker: { bounceRate: 0.02, windowMinutes: 60, minimumSent: 5 } };
    });
    runtime = await startTestRuntime({ schedules: false, configFile });
  });
  afterAll(() => {
    vi.restoreAllMocks();
    return runtime?.stop();
  });

  const confirmationsTo = async (email: string) => mailTo(await sentMail(runtime), email).length;
  const signUp = async (email: string) => expect((await post(runtime, '/forms/newsletter/submissions', newsletter(email))).status).toBe(202);
  const bounce = (email: string) =>
    postLocal(
      runtime,
      '/_local/ses-events',
      JSON.stringify({
        eventType: 'Bounce',
        mail: { tags: { audience: ['unverified'] } },
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: email }] },
      }),
    );

  it('trips on hard bounces of confirmations: they stop, an assignment email still goes out, the alarm metric is emitted; resume restores them', async () => {
    const readers = Array.from({ length: 6 }, (_, i) => `reader${i}@inbox.example`);
    for (const email of readers) await signUp(email);
    for (const email of readers) await eventually(async () => expect(await confirmationsTo(email)).toBe(1));

    // Made-up addresses bounce: one in six is far over 2 %.
    await bounce(readers[0]!);
    await eventually(async () => expect((await cliAgainst(runtime, 'mail', 'status', '--json')).out).toContain('"paused": true'));
    await eventually(async () => expect(emitted.some((line) => line.includes('"UnverifiedMailPaused"'))).toBe(true));

    await signUp('after-trip@inbox.example');
    await eventually(async () => {
      const lead = (await scanTable(runtime)).find((i) => i.email === 'after-trip@inbox.example') as any;
      expect(lead?.doubleOptIn?.refused?.reason).toBe('paused_by_bounces');
    });
    expect(await confirmationsTo('after-trip@inbox.example')).toBe(0);

    // Sales goes on: a consented lead's assignment email is sent.
    const before = (await sentMail(runtime)).length;
    await post(runtime, '/forms/contact/submissions', {
      email: 'buyer@engines.example',
      country: 'DE',
      consent: ['sales_contact'],
      consentVersion: CONSENT_VERSION,
    });
    await eventually(async () => expect((await sentMail(runtime)).slice(before).some((m) => m.subject.startsWith('New lead:'))).toBe(true));

    const resumed = await cliAgainst(runtime, 'mail', 'resume');
    expect(resumed).toMatchObject({ code: 0, out: expect.stringContaining('flowing') });
    await signUp('after-resume@inbox.example');
    await eventually(async () => expect(await confirmationsTo('after-resume@inbox.example')).toBe(1));
  });
});
