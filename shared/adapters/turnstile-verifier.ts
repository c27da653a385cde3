import type { HumanVerifier } from '../domain/screening/screening';
import { boundedRequest } from './bounded-request';

/** siteverify answers with a few fields; a longer answer is not one (and fails to parse). */
const ANSWER_BYTES = 4096;

/**
 * Cloudflare Turnstile server-side verification (the siteverify protocol: a form POST of secret,
 * response and remoteip; a JSON answer with `success`), through node:http, not fetch (bounded-request.ts).
 * An unreachable verifier counts as a failure: the submission is quarantined, not lost.
 */
export class TurnstileVerifier implements HumanVerifier {
  constructor(
    private readonly secret: string,
    private readonly verifyUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  async verify(token: string, remoteIp: string): Promise<boolean> {
    try {
      const answer = await boundedRequest(
        this.verifyUrl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ secret: this.secret, response: token, remoteip: remoteIp }).toString(),
        },
        { timeoutMs: this.timeoutMs, maxBytes: ANSWER_BYTES },
      );
      if (answer.status < 200 || answer.status >= 300) return false;
      return (JSON.parse(answer.body) as { success?: unknown }).success === true;
    } catch {
      return false;
    }
  }
}
