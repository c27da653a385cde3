import { describe, expect, it } from 'vitest';
import { DnsMailDomains } from '../../shared/adapters/mail-domains';
import { createKeyring } from '../../shared/domain/core/keyring';
import type { OutgoingEmail } from '../../shared/domain/core/ports';
import type { MailBudgetSettings } from '../../shared/domain/core/settings';
import {
  clientRefusal,
  countUnverifiedBounce,
  permitStrangerMail,
  resumeStrangerMail,
  sendStrangerMail,
  type StrangerMailRefusal,
} from '../../shared/domain/screening/stranger-mail';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { inMemoryStrangerMail, RecordingMailer } from '../support/in-memory-ports';

const budget: MailBudgetSettings = {
  ...exampleConfig.mailBudget,
  perDomainPerHour: 2,
  globalPerHour: 3,
  breaker: { bounceRate: 0.1, windowMinutes: 60, minimumSent: 4 },
};
const now = new Date('2026-11-30T10:00:00Z');
const minutes = (m: number) => new Date(now.getTime() + m * 60_000);

function deps() {
  const refused: StrangerMailRefusal[] = [];
  const mailer = new RecordingMailer();
  return {
    refused,
    mailer,
    deps: {
      settings: { mailBudget: budget },
      keyring: createKeyring(TEST_SECRET),
      mailer,
      ...inMemoryStrangerMail(),
      onRefused: (r: StrangerMailRefusal) => void refused.push(r),
    },
  };
}
const mail = (to: string): OutgoingEmail => ({ to, subject: 's', text: 't', html: '<p>t</p>' });

describe('the client budget', () => {
  it('allows the hourly budget, more after a human check, and nothing without one when it is required', () => {
    expect(clientRefusal(budget, 10, false)).toBeUndefined();
    expect(clientRefusal(budget, 11, false)).toBe('ip_budget');
    expect(clientRefusal(budget, 11, true)).toBeUndefined();
    expect(clientRefusal(budget, 101, true)).toBe('ip_budget');
    expect(clientRefusal({ ...budget, requireHumanCheck: true }, 1, false)).toBe('human_check_required');
  });
});

describe('permitting a mail to an unconfirmed address', () => {
  it('refuses past the per-domain and global budgets, and domains without mail, counting each refusal', async () => {
    const { deps: d, refused } = deps();
    expect(await permitStrangerMail(d, 'a@one.example', undefined, now)).toBeUndefined();
    expect(await permitStrangerMail(d, 'b@one.example', undefined, now)).toBeUndefined();
    expect(await permitStrangerMail(d, 'c@one.example', undefined, now)).toBe('domain_budget');
    expect(await permitStrangerMail(d, 'd@two.example', undefined, now)).toBe('global_budget');
    expect(await permitStrangerMail(d, 'e@nowhere.invalid', undefined, minutes(61))).toBe('no_mail_domain');
    expect(await permitStrangerMail(d, 'f@two.example', 'ip_budget', minutes(61))).toBe('ip_budget');
    expect(refused).toEqual(['domain_budget', 'global_budget', 'no_mail_domain', 'ip_budget']);
  });

  it('tags what it sends, so bounces can be told apart', async () => {
    const { deps: d, mailer } = deps();
    await sendStrangerMail(d, mail('a@one.example'), now);
    expect(mailer.sent[0]!.tags).toEqual({ audience: 'unverified' });
    expect(await d.mailStats.totals(now, now)).toEqual({ sent: 1, bounced: 0 });
  });
});

describe('the bounce breaker', () => {
  it('waits for the minimum volume, trips past the rate, pauses for a window, and an operator resume starts afresh', async () => {
    const { deps: d } = deps();
    for (let i = 0; i < 3; i++) await sendStrangerMail(d, mail(`r${i}@one.example`), now);
    expect(await countUnverifiedBounce(d, minutes(1))).toMatchObject({ paused: false }); // 1/3, under the minimum volume
    await sendStrangerMail(d, mail('r3@one.example'), minutes(2));
    expect(await countUnverifiedBounce(d, minutes(3))).toEqual({ paused: true, bounceRate: 0.5 });
    expect(await permitStrangerMail(d, 'x@two.example', undefined, minutes(4))).toBe('paused_by_bounces');
    expect(await countUnverifiedBounce(d, minutes(5))).toMatchObject({ paused: false }); // already paused: trips once
    await resumeStrangerMail(d, minutes(6));
    expect(await permitStrangerMail(d, 'y@two.example', undefined, minutes(7))).toBeUndefined();
    expect(await countUnverifiedBounce(d, minutes(8))).toMatchObject({ paused: false, bounceRate: 0 }); // nothing sent since the resume
  });

  it('resumes by itself once the window has passed', async () => {
    const { deps: d } = deps();
    for (let i = 0; i < 4; i++) await sendStrangerMail(d, mail(`r${i}@one.example`), now);
    expect((await countUnverifiedBounce(d, now)).paused).toBe(true);
    expect(await permitStrangerMail(d, 'a@two.example', undefined, minutes(59))).toBe('paused_by_bounces');
    expect(await permitStrangerMail(d, 'b@two.example', undefined, minutes(61))).toBeUndefined();
  });
});

describe('mail domains from DNS', () => {
  const failing = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));
  const resolver = (answers: { mx?: () => Promise<unknown>; a?: () => Promise<unknown>; aaaa?: () => Promise<unknown> }) => {
    let lookups = 0;
    const fake = {
      resolveMx: () => {
        lookups++;
        return (answers.mx ?? failing('ENODATA'))();
      },
      resolve4: answers.a ?? failing('ENODATA'),
      resolve6: answers.aaaa ?? failing('ENODATA'),
    };
    return { domains: new DnsMailDomains(fake as never), lookups: () => lookups };
  };

  it('accepts MX records, refuses a null MX (RFC 7505), falls back to address records, refuses a name with neither', async () => {
    expect(await resolver({ mx: async () => [{ exchange: 'mx.one.example', priority: 10 }] }).domains.acceptsMail('one.example')).toBe(true);
    expect(await resolver({ mx: async () => [{ exchange: '', priority: 0 }] }).domains.acceptsMail('null.example')).toBe(false);
    expect(await resolver({ a: async () => ['192.0.2.1'] }).domains.acceptsMail('implicit.example')).toBe(true);
    expect(await resolver({ mx: failing('ENOTFOUND') }).domains.acceptsMail('made-up.example')).toBe(false);
  });

  it('lets mail go when DNS itself fails, and caches answers', async () => {
    expect(await resolver({ mx: failing('ETIMEOUT') }).domains.acceptsMail('slow.example')).toBe(true);
    const cached = resolver({ mx: async () => [{ exchange: 'mx.one.example', priority: 10 }] });
    await cached.domains.acceptsMail('one.example');
    await cached.domains.acceptsMail('one.example');
    expect(cached.lookups()).toBe(1);
  });
});
