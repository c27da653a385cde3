import { LeadgateError } from './errors';
import type { Keyring } from './keyring';
import type { ScreeningSettings } from './settings';

export interface RateLimiter {
  /** Counts one hit in the current window; the number of hits so far in it. */
  hit(key: string, windowSeconds: number, now: Date): Promise<number>;
}

/**
 * Per-IP and per-address submission limits. Keys are HMACs: neither the IP nor the address is
 * stored. Over a limit, the answer is 429 with Retry-After the end of the window.
 */
export async function enforceRateLimits(
  deps: { rateLimiter: RateLimiter; keyring: Keyring; settings: { screening: ScreeningSettings } },
  ip: string,
  email: string,
  now: Date,
): Promise<void> {
  const { perIpPerMinute, perEmailPerHour } = deps.settings.screening.rateLimits;
  const checks = [
    { key: `ip#${deps.keyring.claimId(`ip\u0000${ip}`)}`, window: 60, limit: perIpPerMinute },
    { key: `email#${deps.keyring.claimId(`email\u0000${email}`)}`, window: 3600, limit: perEmailPerHour },
  ];
  const counts = await Promise.all(checks.map((check) => deps.rateLimiter.hit(check.key, check.window, now)));
  const over = checks.find((check, i) => (counts[i] as number) > check.limit);
  if (over) {
    const seconds = Math.floor(now.getTime() / 1000);
    throw new LeadgateError('rate_limited', 'Too many submissions; please wait a little and try again.', undefined, {
      retryAfterSeconds: over.window - (seconds % over.window),
    });
  }
}
