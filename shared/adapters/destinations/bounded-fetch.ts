import type { SendResult } from '../../domain/destinations/deliver';

/** Every outbound call: this long at most. */
export const DESTINATION_TIMEOUT_MS = 10_000;
/** Response bodies are read up to this many bytes, and never logged. */
export const MAX_RESPONSE_BYTES = 4096;

export interface BoundedResponse {
  status: number;
  headers: Headers;
  /** The first MAX_RESPONSE_BYTES of the body. */
  body: string;
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_RESPONSE_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

/**
 * fetch for destination calls: redirects are not followed (a 3xx is an answer, and a failure),
 * every call times out, and the body is read only up to a small limit.
 */
export async function boundedFetch(url: string, init: RequestInit, timeoutMs = DESTINATION_TIMEOUT_MS): Promise<BoundedResponse> {
  const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, headers: response.headers, body: await readBounded(response) };
}

/** Retry-After in seconds (delta-seconds or an HTTP date), if the answer has a usable one. */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** 2xx is success; 429, 5xx and 408 are worth retrying (429 and 503 with their Retry-After); other answers are final. */
export function resultOf(response: Pick<BoundedResponse, 'status' | 'headers'>): SendResult {
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
