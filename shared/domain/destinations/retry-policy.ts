/** Deliveries are retried for this long after the event was queued; then they go to the destination's dead-letter queue. */
export const RETRY_WINDOW_SECONDS = 24 * 3600;
const FIRST_DELAY_SECONDS = 10;
const MAX_DELAY_SECONDS = 3600;
/** SQS's longest visibility timeout: a Retry-After beyond it is waited in several turns. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

/**
 * The wait before attempt `attempt + 1`: exponential from 10 s, capped at an hour, with jitter
 * (between half and all of it), unless the destination said how long (Retry-After on 429 and
 * 503). `scale` shrinks time for the local runtime's simulated outages (1 when deployed).
 */
export function retryDelaySeconds(attempt: number, retryAfterSeconds: number | undefined, scale = 1, random: () => number = Math.random): number {
  if (retryAfterSeconds !== undefined) return Math.min(Math.max(0, retryAfterSeconds) * scale, MAX_VISIBILITY_SECONDS);
  const ceiling = Math.min(FIRST_DELAY_SECONDS * 2 ** Math.max(0, attempt - 1), MAX_DELAY_SECONDS);
  return ceiling * (0.5 + random() * 0.5) * scale;
}

/** Whether a retry after `delaySeconds` would still fall within the window of a message queued `ageSeconds` ago. */
export const withinRetryWindow = (ageSeconds: number, delaySeconds: number, scale = 1): boolean => ageSeconds + delaySeconds <= RETRY_WINDOW_SECONDS * scale;
