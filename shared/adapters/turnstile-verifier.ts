import type { HumanVerifier } from '../domain/screening/screening';

/**
 * Cloudflare Turnstile server-side verification (the siteverify protocol: a form POST of secret,
 * response and remoteip; a JSON answer with `success`). An unreachable verifier counts as a
 * failure: the submission is quarantined, not lost.
 */
export class TurnstileVerifier implements HumanVerifier {
  constructor(
    private readonly secret: string,
    private readonly verifyUrl: string,
    private readonly timeoutMs = 3000,
  ) {}

  async verify(token: string, remoteIp: string): Promise<boolean> {
    try {
      const response = await fetch(this.verifyUrl, {
        method: 'POST',
        body: new URLSearchParams({ secret: this.secret, response: token, remoteip: remoteIp }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) return false;
      return ((await response.json()) as { success?: unknown }).success === true;
    } catch {
      return false;
    }
  }
}
