import type { Keyring } from '../core/keyring';
import type { Mailer, OutgoingEmail } from '../core/ports';
import { clientKey, type RateLimiter } from '../capture/rate-limits';
import type { MailBudgetSettings } from '../core/settings';

/**
 * Mail that a stranger can cause: anyone can type anyone's address into a newsletter form or a
 * privacy request. Such mail goes to an address that never confirmed anything with us, so it is
 * budgeted (per client IP, per recipient domain, for everyone per hour), sent only to domains
 * that receive mail, and paused when it hard-bounces too often: one script must not be able to
 * flood an inbox, nor push the SES account past its bounce threshold and stop every other mail.
 * A refused mail is never an error the requester sees: the answer stays the same.
 */
import type { StrangerMailRefusal } from '../core/lead';

export type { StrangerMailRefusal } from '../core/lead';

/** The metric (namespace Leadgate) the stack's alarm watches: mail to unconfirmed addresses paused. */
export const UNVERIFIED_MAIL_PAUSED_METRIC = 'UnverifiedMailPaused';

/** The SES message tag that marks mail to unconfirmed addresses, so bounces can be told apart. */
export const UNVERIFIED_AUDIENCE_TAG = { name: 'audience', value: 'unverified' } as const;

export interface MailDomains {
  /** Whether the domain can receive mail (MX, else A/AAAA records); cached, with a short timeout. */
  acceptsMail(domain: string): Promise<boolean>;
}

export interface BreakerState {
  /** Epoch seconds until which mail to unconfirmed addresses is paused. */
  pausedUntil?: number;
  /** The rate that paused it. */
  bounceRate?: number;
  /** When an operator last resumed: the rate is computed from then on. */
  resumedAt?: string;
}

export interface UnverifiedMailStats {
  /** Counts one mail sent or one hard bounce in the current bucket of the sliding window. */
  count(kind: 'sent' | 'bounced', now: Date): Promise<void>;
  /** Sent and bounced since `since`. */
  totals(since: Date, now: Date): Promise<{ sent: number; bounced: number }>;
  breaker(): Promise<BreakerState>;
  setBreaker(state: BreakerState): Promise<void>;
}

export interface StrangerMailDeps {
  settings: { mailBudget: MailBudgetSettings };
  rateLimiter: RateLimiter;
  keyring: Keyring;
  mailDomains: MailDomains;
  mailStats: UnverifiedMailStats;
  mailer: Mailer;
  /** Counts a refused mail by reason (metrics). */
  onRefused?: (reason: StrangerMailRefusal) => void;
}

/** Counts a mail a client may cause against its hourly budget; the refusal once it is over. */
export async function chargeClient(
  deps: Pick<StrangerMailDeps, 'rateLimiter' | 'keyring' | 'settings'>,
  ip: string,
  humanChecked: boolean,
  now: Date,
): Promise<StrangerMailRefusal | undefined> {
  const { mail } = await deps.rateLimiter.hit(clientKey(deps.keyring, ip), 3600, ['mail'], now);
  return clientRefusal(deps.settings.mailBudget, mail ?? 0, humanChecked);
}

/** The refusal for a client that has caused `mails` such mails this hour (this one included). */
export function clientRefusal(budget: MailBudgetSettings, mails: number, humanChecked: boolean): StrangerMailRefusal | undefined {
  if (budget.requireHumanCheck && !humanChecked) return 'human_check_required';
  return mails > (humanChecked ? budget.perIpPerHourWithHumanCheck : budget.perIpPerHour) ? 'ip_budget' : undefined;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * Whether a mail to `to` may go: the client's refusal (decided where the request came in), the
 * breaker, the domain's and the global hourly budgets (one parallel round), then the domain's
 * mail records. A refusal is counted and returned; the caller records it where it belongs.
 */
export async function permitStrangerMail(
  deps: StrangerMailDeps,
  to: string,
  clientRefused: StrangerMailRefusal | undefined,
  now: Date,
): Promise<StrangerMailRefusal | undefined> {
  const refusal = clientRefused ?? (await budgetRefusal(deps, domainOf(to), now));
  if (refusal) deps.onRefused?.(refusal);
  return refusal;
}

async function budgetRefusal(deps: StrangerMailDeps, domain: string, now: Date): Promise<StrangerMailRefusal | undefined> {
  const budget = deps.settings.mailBudget;
  const [breaker, perDomain, global] = await Promise.all([
    deps.mailStats.breaker(),
    deps.rateLimiter.hit(`maildomain#${deps.keyring.claimId(`domain\u0000${domain}`)}`, 3600, ['mail'], now),
    deps.rateLimiter.hit('mailglobal', 3600, ['mail'], now),
  ]);
  if ((breaker.pausedUntil ?? 0) > now.getTime() / 1000) return 'paused_by_bounces';
  if ((perDomain.mail ?? 0) > budget.perDomainPerHour) return 'domain_budget';
  if ((global.mail ?? 0) > budget.globalPerHour) return 'global_budget';
  if (!(await deps.mailDomains.acceptsMail(domain))) return 'no_mail_domain';
  return undefined;
}

/** Sends a permitted mail, tagged so its bounces count toward the breaker, and counts it sent. */
export async function sendStrangerMail(deps: StrangerMailDeps, email: OutgoingEmail, now: Date): Promise<void> {
  await deps.mailer.send({ ...email, tags: { ...email.tags, [UNVERIFIED_AUDIENCE_TAG.name]: UNVERIFIED_AUDIENCE_TAG.value } });
  await deps.mailStats.count('sent', now);
}

/**
 * A hard bounce of mail to an unconfirmed address: counted, and when the rate over the window
 * (since the last resume) passes the threshold, such mail pauses for a window. True when this
 * bounce paused it (the caller raises the alarm's metric).
 */
export async function countUnverifiedBounce(
  deps: Pick<StrangerMailDeps, 'settings' | 'mailStats'>,
  now: Date,
): Promise<{ paused: boolean; bounceRate: number }> {
  const { bounceRate, windowMinutes, minimumSent } = deps.settings.mailBudget.breaker;
  await deps.mailStats.count('bounced', now);
  const breaker = await deps.mailStats.breaker();
  const windowStart = now.getTime() - windowMinutes * 60_000;
  const since = new Date(Math.max(windowStart, breaker.resumedAt ? Date.parse(breaker.resumedAt) : 0));
  const { sent, bounced } = await deps.mailStats.totals(since, now);
  const rate = sent === 0 ? 0 : bounced / sent;
  const alreadyPaused = (breaker.pausedUntil ?? 0) > now.getTime() / 1000;
  if (alreadyPaused || sent < minimumSent || rate <= bounceRate) return { paused: false, bounceRate: rate };
  await deps.mailStats.setBreaker({ ...breaker, pausedUntil: Math.floor(now.getTime() / 1000) + windowMinutes * 60, bounceRate: rate });
  return { paused: true, bounceRate: rate };
}

/** An operator resumes mail to unconfirmed addresses; bounces before now no longer count. */
export async function resumeStrangerMail(deps: Pick<StrangerMailDeps, 'mailStats'>, now: Date): Promise<void> {
  await deps.mailStats.setBreaker({ resumedAt: now.toISOString() });
}
