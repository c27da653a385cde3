import { LeadgateError } from '../core/errors';
import type { Keyring } from '../core/keyring';
import type { ScreeningReason } from '../screening/screening';
import type { ScreeningSettings } from '../core/settings';

export interface RateLimiter {
  /**
   * Adds one to each named counter of `key` in the current fixed window of `windowSeconds` (one
   * item per key and window, gone soon after it); returns every named counter's count so far.
   */
  hit(key: string, windowSeconds: number, counters: readonly string[], now: Date): Promise<Record<string, number>>;
}

export interface RenderTokenLedger {
  /**
   * Records that the submission with content `fingerprint` used render token `tokenId`. True
   * while the token has carried at most `allowance` different submissions (a retry of the same
   * one counts once), false for every submission past that. The record expires with the token.
   */
  use(tokenId: string, fingerprint: string, allowance: number, expiresAt: number): Promise<boolean>;
}

const HOUR = 3600;

/** The HMAC under which a client IP's counters are kept: neither the IP nor the address is stored. */
export const clientKey = (keyring: Keyring, ip: string): string => `ip#${keyring.claimId(`ip\u0000${ip}`)}`;

/**
 * The shapes of an address that scripts give away: a local part with a counter (`lead7@`,
 * `lead8@`) and a made-up numbered domain (`@company12.com`). An address without digits has none,
 * so colleagues posting from one office never share a shape.
 */
export function addressShapes(email: string): string[] {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const numbered = (text: string) => text.replace(/\d+/g, '#');
  const shapes: string[] = [];
  if (/\d/.test(local)) shapes.push(`${numbered(local)}@${numbered(domain)}`);
  if (/\d/.test(domain)) shapes.push(`*@${numbered(domain)}`);
  return shapes;
}

export interface ClientRequest {
  ip: string;
  email: string;
  /** Identifies the submission's content, so a retry of it uses its render token once. */
  fingerprint: string;
  /** A genuine render token the post carried (its signature checked), to count its uses. */
  renderToken?: { token: string; expiresAt: number };
  /** The post may make us email an address that never confirmed anything (double opt-in). */
  mayMailStranger: boolean;
}

export interface Admission {
  /** Reasons to hold the submission for review instead of routing it. */
  held: ScreeningReason[];
  /** Mails to unconfirmed addresses this client has caused this hour, this one included (0 if none). */
  strangerMails: number;
}

interface AdmissionDeps {
  rateLimiter: RateLimiter;
  renderTokens: RenderTokenLedger;
  keyring: Keyring;
  settings: { screening: ScreeningSettings };
}

/**
 * What one client may do, in one parallel round of writes: the per-IP (per minute) and
 * per-address (per hour) limits, which refuse with 429, and the lead-flood checks, which hold:
 * a render token reused past its allowance, more leads from one IP in an hour than the burst
 * allowance, more numbered addresses of one shape. One item per IP and hour carries every per-IP
 * counter (minute, hour, shape, mail), so the flood checks add no request for the IP.
 */
export async function admitSubmission(deps: AdmissionDeps, request: ClientRequest, now: Date): Promise<Admission> {
  const { rateLimits, burst, renderTokenUses } = deps.settings.screening;
  const minute = `m${Math.floor((now.getTime() / 60_000) % 60)}`;
  const shapes = addressShapes(request.email).map((shape) => `p${deps.keyring.claimId(`shape\u0000${shape}`).slice(0, 16)}`);
  const counters = [minute, 'posts', ...shapes, ...(request.mayMailStranger ? ['mail'] : [])];
  const token = request.renderToken;
  const [perIp, perEmail, tokenFresh] = await Promise.all([
    deps.rateLimiter.hit(clientKey(deps.keyring, request.ip), HOUR, counters, now),
    deps.rateLimiter.hit(`email#${deps.keyring.claimId(`email\u0000${request.email}`)}`, HOUR, ['hits'], now),
    token ? deps.renderTokens.use(deps.keyring.claimId(`render\u0000${token.token}`), request.fingerprint, renderTokenUses, token.expiresAt) : true,
  ]);
  const seconds = Math.floor(now.getTime() / 1000);
  if ((perIp[minute] ?? 0) > rateLimits.perIpPerMinute) throw rateLimited(60 - (seconds % 60));
  if ((perEmail.hits ?? 0) > rateLimits.perEmailPerHour) throw rateLimited(HOUR - (seconds % HOUR));
  const held: ScreeningReason[] = [];
  if (!tokenFresh) held.push('render_token_reused');
  if ((perIp.posts ?? 0) > burst.perIpPerHour) held.push('ip_burst');
  if (shapes.some((shape) => (perIp[shape] ?? 0) > burst.patternPerIpPerHour)) held.push('pattern_burst');
  return { held, strangerMails: perIp.mail ?? 0 };
}

const rateLimited = (retryAfterSeconds: number) =>
  new LeadgateError('rate_limited', 'Too many submissions; please wait a little and try again.', undefined, { retryAfterSeconds });
