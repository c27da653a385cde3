import { LeadgateError } from '../core/errors';
import type { Keyring } from '../core/keyring';
import type { ScreeningReason } from '../screening/screening';
import type { ScreeningSettings } from '../core/settings';

/**
 * What a hit adds under names a client chooses (an address shape, a render token), which would
 * otherwise grow the key's item by a name per hit: recorded only while one of the hit's fixed
 * counters had counted fewer than `whileBelow.limit` before it, so the item stays small however
 * many hits the key takes (and each of its writes costs one write unit).
 */
export interface Growth {
  /** Counters added to by one, as the fixed ones. */
  counters?: readonly string[];
  /** A member to add to each named set (a repeated member counts once). */
  members?: Readonly<Record<string, string>>;
  whileBelow: { counter: string; limit: number };
}

export interface RateLimiter {
  /**
   * Adds one to each named counter of `key` in the current fixed window of `windowSeconds` (one
   * item per key and window, gone soon after it), and what `growth` adds while it may. Returns
   * every named counter's count so far and every named set's size; past the growth's bound, its
   * counters and sets are answered as this hit would have made them (what was recorded, plus
   * this hit) but left as they were.
   */
  hit(key: string, windowSeconds: number, counters: readonly string[], now: Date, growth?: Growth): Promise<Record<string, number>>;
}

const HOUR = 3600;

/** The HMAC under which a render token's uses are counted. */
export const renderTokenId = (keyring: Keyring, token: string): string => keyring.claimId(`render\u0000${token}`);

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
  /** The genuine render token the post carried (its signature checked), to count its uses. */
  renderToken?: string;
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
  keyring: Keyring;
  settings: { screening: ScreeningSettings };
}

/**
 * What one client may do, in one write: the per-IP limit (per minute), which refuses with 429,
 * and the lead-flood checks, which hold: a render token carrying more submissions than its
 * allowance, more leads from one IP in an hour than the burst allowance, more numbered addresses
 * of one shape. One item per IP and hour carries every per-IP counter (minute, hour, shape, mail)
 * and, per render token, the fingerprints of the submissions it carried (a retry counts once).
 * Shapes and tokens are recorded only for the posts within the burst allowance (past it, every
 * post is held as ip_burst, and judged against what was recorded): a script posting from one
 * address, or a carrier's address that many people share, would otherwise grow the item by a
 * token per post, and each write of it costs a unit per KB.
 * The per-address limit concerns the person, so the routing consumer, which owns the lead, keeps it.
 */
export async function admitSubmission(deps: AdmissionDeps, request: ClientRequest, now: Date): Promise<Admission> {
  const { rateLimits, burst } = deps.settings.screening;
  const minute = `m${Math.floor((now.getTime() / 60_000) % 60)}`;
  const shapes = addressShapes(request.email).map((shape) => `p${deps.keyring.claimId(`shape\u0000${shape}`).slice(0, 16)}`);
  const counters = [minute, 'posts', ...(request.mayMailStranger ? ['mail'] : [])];
  const token = request.renderToken ? `t${renderTokenId(deps.keyring, request.renderToken).slice(0, 16)}` : undefined;
  const members = token ? { [token]: request.fingerprint.slice(0, 16) } : {};
  const perIp = await deps.rateLimiter.hit(clientKey(deps.keyring, request.ip), HOUR, counters, now, {
    counters: shapes,
    members,
    whileBelow: { counter: 'posts', limit: burst.perIpPerHour },
  });
  const seconds = Math.floor(now.getTime() / 1000);
  if ((perIp[minute] ?? 0) > rateLimits.perIpPerMinute) throw rateLimited(60 - (seconds % 60));
  const held: ScreeningReason[] = [];
  if (token && (perIp[token] ?? 0) > deps.settings.screening.renderTokenUses) held.push('render_token_reused');
  if ((perIp.posts ?? 0) > burst.perIpPerHour) held.push('ip_burst');
  if (shapes.some((shape) => (perIp[shape] ?? 0) > burst.patternPerIpPerHour)) held.push('pattern_burst');
  return { held, strangerMails: perIp.mail ?? 0 };
}

const rateLimited = (retryAfterSeconds: number) =>
  new LeadgateError('rate_limited', 'Too many submissions; please wait a little and try again.', undefined, { retryAfterSeconds });
