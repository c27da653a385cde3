import type { Keyring } from '../core/keyring';
import { linkStatus, readReviewToken } from '../core/links';
import { maskEmail } from '../core/email-address';
import { discardHeld, type QuarantineDeps, releaseHeld } from './quarantine';

export type ReviewDecision = 'release' | 'discard';

/** What a review link's page shows, or why it shows nothing. */
export type ReviewPreview = { status: 'open'; maskedEmail: string; formId: string; at: string; reasons: string[] } | { status: 'forged' | 'expired' | 'used' };

/** Reads the held submission a review link names; changes nothing (GET). */
export async function previewReview(deps: QuarantineDeps & { keyring: Keyring }, token: string): Promise<ReviewPreview> {
  const now = deps.clock.now();
  const status = linkStatus(deps.keyring, token, 'review', now);
  if (status !== 'valid') return { status };
  const { leadId, submissionId } = readReviewToken(deps.keyring, token, now)!;
  const held = await deps.submissions.get(leadId, submissionId, now);
  if (held?.state !== 'held' || !held.submission) return { status: 'used' };
  return { status: 'open', maskedEmail: maskEmail(held.submission.email), formId: held.formId, at: held.at, reasons: held.held?.reasons ?? [] };
}

/**
 * Applies a reviewer's decision: one conditional state change decides (releaseHeld, discardHeld),
 * so the link works once; a second use, or a submission someone else decided, is `used`.
 */
export async function decideReview(
  deps: QuarantineDeps & { keyring: Keyring },
  token: string,
  decision: ReviewDecision,
): Promise<'released' | 'discarded' | 'forged' | 'expired' | 'used'> {
  const now = deps.clock.now();
  const status = linkStatus(deps.keyring, token, 'review', now);
  if (status !== 'valid') return status;
  const { leadId, submissionId } = readReviewToken(deps.keyring, token, now)!;
  if (decision === 'release') return (await releaseHeld(deps, leadId, submissionId)) ? 'released' : 'used';
  return (await discardHeld(deps, leadId, submissionId)) ? 'discarded' : 'used';
}
