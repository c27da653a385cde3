import type { SendResult } from '../../domain/destinations/deliver';
import { type BoundedAnswer, boundedRequest } from '../bounded-request';

/** Every outbound call: this long at most. */
export const DESTINATION_TIMEOUT_MS = 10_000;
/** Response bodies are read up to this many bytes, and never logged. */
export const MAX_RESPONSE_BYTES = 4096;

/**
 * Every destination call: POST, no redirects followed (a 3xx is a final answer), the whole call
 * within the timeout, the body read only up to MAX_RESPONSE_BYTES (and never logged).
 */
export const callDestination = (url: string, headers: Record<string, string>, body: string, timeoutMs = DESTINATION_TIMEOUT_MS): Promise<BoundedAnswer> =>
  boundedRequest(url, { method: 'POST', headers, body }, { timeoutMs, maxBytes: MAX_RESPONSE_BYTES });

/** Retry-After in seconds (delta-seconds or an HTTP date), if the answer has a usable one. */
export function retryAfterSeconds(headers: Record<string, string>, now = Date.now()): number | undefined {
  const value = headers['retry-after'];
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** 2xx is success; 429, 5xx and 408 are worth retrying (429 and 503 with their Retry-After); other answers are final. */
export function resultOf(response: Pick<BoundedAnswer, 'status' | 'headers'>): SendResult {
  const { status } = response;
  if (status >= 200 && status < 300) return { ok: true, status };
  const retryable = status === 429 || status === 408 || status >= 500;
  const after = status === 429 || status === 503 ? retryAfterSeconds(response.headers) : undefined;
  const reason = status >= 300 && status < 400 ? `redirect ${status} refused` : `HTTP ${status}`;
  return { ok: false, retryable, status, reason, ...(after !== undefined ? { retryAfterSeconds: after } : {}) };
}

/** A call that got no answer (refused, reset, timed out) is worth retrying. */
export function unanswered(error: unknown): SendResult {
  const name = (error as Error)?.name ?? 'Error';
  return { ok: false, retryable: true, reason: name === 'TimeoutError' ? 'timed out' : `no answer (${name})` };
}
