import { maskEmail } from '../core/email-address';
import type { Keyring } from '../core/keyring';
import { reviewUrl } from '../core/links';
import { byCodeUnit } from '../core/order';
import type { Clock, Mailer, OutgoingEmail, RunMark, SubmissionStore } from '../core/ports';
import type { LeadgateSettings } from '../core/settings';

/** One held submission as a reviewer sees it: no address in full, a link to decide. */
export interface HeldForReview {
  maskedEmail: string;
  formId: string;
  at: string;
  reasons: string[];
  reviewUrl: string;
}

/** Composes the digest email (shared/email implements it). */
export type ReviewDigestEmail = (reviewer: string, held: HeldForReview[]) => OutgoingEmail;

export interface ReviewDigestDeps {
  settings: LeadgateSettings;
  submissions: SubmissionStore;
  /** When the last digest went out: one small item, so each held submission is in one digest. */
  digests: RunMark;
  mailer: Mailer;
  email: ReviewDigestEmail;
  keyring: Keyring;
  clock: Clock;
  publicUrl: string;
}

/** A first digest covers the submissions held in the week before (as long as a review link lives). */
const FIRST_DIGEST_LOOKBACK_MS = 7 * 86_400_000;
/**
 * A digest covers holds at least this old: a hold is stamped with its consumer's clock just before
 * it is written, and the routing consumer's timeout (30 s) bounds that gap, so no hold stamped
 * inside a digest's window can become visible after the digest read it.
 */
export const HOLD_SETTLE_MS = 60_000;

/**
 * Mails each reviewer one digest of the submissions held since the last digest (up to a minute
 * ago: HOLD_SETTLE_MS), each with a
 * signed link to a page that releases or discards it. Nothing new, nothing sent. The mark moves
 * only after every reviewer's mail went out, so a failed send is retried by the next run (a
 * reviewer may then get the digest twice, never none); a run that finds the mark moved under it
 * sent a digest another run also sent, which the mark then stops from recurring.
 */
export async function sendReviewDigest(deps: ReviewDigestDeps): Promise<{ held: number; sent: number }> {
  const reviewers = deps.settings.screening.reviewers;
  if (reviewers.length === 0) return { held: 0, sent: 0 };
  const now = deps.clock.now();
  const until = new Date(now.getTime() - HOLD_SETTLE_MS);
  const previous = (await deps.digests.last())?.at;
  const after = previous ?? new Date(now.getTime() - FIRST_DIGEST_LOOKBACK_MS);
  const held = await deps.submissions.findHeld(after, until, now);
  if (held.length === 0) return { held: 0, sent: 0 };
  const items: HeldForReview[] = held
    .sort((a, b) => byCodeUnit(a.at, b.at))
    .map((s) => ({
      maskedEmail: maskEmail(s.submission?.email ?? ''),
      formId: s.formId,
      at: s.at,
      reasons: s.held?.reasons ?? [],
      reviewUrl: reviewUrl(deps.publicUrl, deps.keyring, s.leadId, s.submissionId, now),
    }));
  for (const reviewer of reviewers) await deps.mailer.send(deps.email(reviewer, items));
  await deps.digests.advance(previous, until);
  return { held: items.length, sent: reviewers.length };
}
