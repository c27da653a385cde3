import { createHash, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring';
import { epochSeconds } from './retention';
import { inspectToken, signToken, verifyToken } from './signed-token';

/** A short, non-reversible tag for an address, so links do not carry it. */
export const repTag = (rep: string): string => createHash('sha256').update(rep).digest('base64url').slice(0, 16);

const DAY = 86_400;
/** Accept links outlive any SLA; a reassigned lead's old link stops working by generation, not by time. */
const ACCEPT_DAYS = 30;
/** CAN-SPAM needs 30 days; Gmail and Yahoo expect unsubscribe links to keep working: a year. */
const UNSUBSCRIBE_DAYS = 365;
const CONFIRM_DAYS = 7;
const REVIEW_DAYS = 7;

const base = (publicUrl: string) => publicUrl.replace(/\/$/, '');

export function acceptUrl(publicUrl: string, keyring: Keyring, leadId: string, generation: number, rep: string, now: Date): string {
  const token = signToken(keyring.tokens, { p: 'accept', exp: epochSeconds(now) + ACCEPT_DAYS * DAY, l: leadId, g: generation, r: repTag(rep) });
  return `${base(publicUrl)}/assignments/accept?t=${encodeURIComponent(token)}`;
}

export function readAcceptToken(keyring: Keyring, token: string, now: Date) {
  const c = verifyToken(keyring.tokens, token, 'accept', now);
  if (!c || typeof c.l !== 'string' || typeof c.g !== 'number' || typeof c.r !== 'string') return undefined;
  return { leadId: c.l, generation: c.g, repTag: c.r };
}

/** The link in every marketing email and in its List-Unsubscribe header. */
export function unsubscribeUrl(publicUrl: string, keyring: Keyring, leadId: string, maskedEmail: string, purpose: string, now: Date): string {
  const token = signToken(keyring.tokens, { p: 'unsubscribe', exp: epochSeconds(now) + UNSUBSCRIBE_DAYS * DAY, l: leadId, m: maskedEmail, u: purpose });
  return `${base(publicUrl)}/unsubscribe?t=${encodeURIComponent(token)}`;
}

export function readUnsubscribeToken(keyring: Keyring, token: string, now: Date) {
  const c = verifyToken(keyring.tokens, token, 'unsubscribe', now);
  if (!c || typeof c.l !== 'string' || typeof c.m !== 'string' || typeof c.u !== 'string') return undefined;
  return { leadId: c.l, maskedEmail: c.m, purpose: c.u };
}

export function confirmUrl(publicUrl: string, keyring: Keyring, leadId: string, submissionId: string, now: Date): string {
  const token = signToken(keyring.tokens, { p: 'confirm', exp: epochSeconds(now) + CONFIRM_DAYS * DAY, l: leadId, s: submissionId });
  return `${base(publicUrl)}/confirm?t=${encodeURIComponent(token)}`;
}

export function readConfirmToken(keyring: Keyring, token: string, now: Date) {
  const c = verifyToken(keyring.tokens, token, 'confirm', now);
  if (!c || typeof c.l !== 'string' || typeof c.s !== 'string') return undefined;
  return { leadId: c.l, submissionId: c.s };
}

export function privacyUrl(publicUrl: string, keyring: Keyring, requestId: string, leadId: string, type: string, expiresAt: number): string {
  const token = signToken(keyring.tokens, { p: 'privacy', exp: expiresAt, r: requestId, l: leadId, k: type });
  return `${base(publicUrl)}/privacy/requests/confirm?t=${encodeURIComponent(token)}`;
}

export function readPrivacyToken(keyring: Keyring, token: string, now: Date) {
  const c = verifyToken(keyring.tokens, token, 'privacy', now);
  if (!c || typeof c.r !== 'string' || typeof c.l !== 'string' || typeof c.k !== 'string') return undefined;
  return { requestId: c.r, leadId: c.l, type: c.k };
}

/**
 * The signed render timestamp a form carries, for the time trap. The nonce makes every render's
 * token distinct, so its uses can be counted (one render, one submission).
 */
export function renderToken(keyring: Keyring, formId: string, now: Date): string {
  return signToken(keyring.tokens, { p: 'render', exp: epochSeconds(now) + 7 * DAY, f: formId, t: now.getTime(), n: randomBytes(9).toString('base64url') });
}

export function readRenderToken(keyring: Keyring, token: string, now: Date) {
  const c = verifyToken(keyring.tokens, token, 'render', now);
  if (!c || typeof c.f !== 'string' || typeof c.t !== 'number') return undefined;
  return { formId: c.f, renderedAtMs: c.t, expiresAt: c.exp };
}

/** A reviewer's link to one held submission's page (release or discard); it works until it is used, at most 7 days. */
export function reviewUrl(publicUrl: string, keyring: Keyring, leadId: string, submissionId: string, now: Date): string {
  const token = signToken(keyring.tokens, { p: 'review', exp: epochSeconds(now) + REVIEW_DAYS * DAY, l: leadId, s: submissionId });
  return `${base(publicUrl)}/quarantine/review?t=${encodeURIComponent(token)}`;
}

export function readReviewToken(keyring: Keyring, token: string, now: Date) {
  const c = verifyToken(keyring.tokens, token, 'review', now);
  if (!c || typeof c.l !== 'string' || typeof c.s !== 'string') return undefined;
  return { leadId: c.l, submissionId: c.s };
}

/** The privacy page (GET /privacy), where a person asks for a copy, a correction or erasure. */
export const PRIVACY_PAGE_PATH = '/privacy';
export const privacyPageUrl = (publicUrl: string): string => `${base(publicUrl)}${PRIVACY_PAGE_PATH}`;

/** The links people follow from emails, by the purpose their token is signed for. */
export type LinkPurpose = 'accept' | 'unsubscribe' | 'confirm' | 'privacy' | 'review';

/** Whether a link is ours and current, past its expiry, or damaged/forged: what its page says on GET. */
export const linkStatus = (keyring: Keyring, token: string, purpose: LinkPurpose, now: Date): 'valid' | 'expired' | 'forged' =>
  inspectToken(keyring.tokens, token, purpose, now).status;
