import type { Keyring } from '../core/keyring';
import { readRenderToken } from '../core/links';
import type { ScreeningSettings } from '../core/settings';

/** Why a submission was held back; each is shown to the operator who releases or discards it. */
export type ScreeningReason =
  | 'submitted_too_fast'
  | 'render_token_missing'
  | 'render_token_invalid'
  | 'render_token_expired'
  | 'render_token_reused'
  | 'ip_burst'
  | 'rate_limited_address'
  | 'pattern_burst'
  | 'disposable_email'
  | 'turnstile_failed';

/** Checks a human-verification token (Cloudflare Turnstile's siteverify, or a test double). */
export interface HumanVerifier {
  verify(token: string, remoteIp: string): Promise<boolean>;
}

/** With Turnstile on, a missing or failed token holds the submission back. */
export async function humanCheck(verifier: HumanVerifier | undefined, token: unknown, remoteIp: string): Promise<ScreeningReason[]> {
  if (!verifier) return [];
  if (typeof token !== 'string' || token === '' || token.length > 2048) return ['turnstile_failed'];
  return (await verifier.verify(token, remoteIp)) ? [] : ['turnstile_failed'];
}

export interface TimeTrapResult {
  reasons: ScreeningReason[];
  /** The genuine render token the post carried, whose uses are then counted. */
  renderToken?: { token: string; expiresAt: number };
}

/**
 * The time trap: people take more than a couple of seconds to fill a form, and post a form
 * that was rendered for them recently; scripts post at once, or without rendering at all.
 */
export function timeTrap(
  settings: ScreeningSettings,
  keyring: Keyring,
  formId: string,
  token: unknown,
  now: Date,
  requirement: 'required' | 'optional' = 'required',
): TimeTrapResult {
  // A plain form has no token: with `optional` it is screened by the rest (bursts, honeypot, domains).
  if (typeof token !== 'string' || token === '') return { reasons: requirement === 'required' ? ['render_token_missing'] : [] };
  const render = readRenderToken(keyring, token, now);
  if (!render || render.formId !== formId) return { reasons: ['render_token_invalid'] };
  const genuine = { renderToken: { token, expiresAt: render.expiresAt } };
  const ageMs = now.getTime() - render.renderedAtMs;
  if (ageMs < 0) return { reasons: ['render_token_invalid'] };
  if (ageMs > settings.maxRenderAgeHours * 3_600_000) return { reasons: ['render_token_expired'], ...genuine };
  if (ageMs < settings.minSecondsToSubmit * 1000) return { reasons: ['submitted_too_fast'], ...genuine };
  return { reasons: [], ...genuine };
}
