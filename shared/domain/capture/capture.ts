import { randomUUID } from 'node:crypto';
import { LeadgateError, serviceUnavailable } from '../core/errors';
import type { Keyring } from '../core/keyring';
import type { Clock, RoutingQueue, StoredSubmission, SubmissionClaim, SubmissionClaims, SubmissionStore } from '../core/ports';
import { consentReceipt, type ConsentReceipt } from '../consent/receipts';
import { consentsAskedFor } from './record-submission';
import { routingMessage } from '../routing/routing-message';
import { addDays, epochSeconds } from '../core/retention';
import type { LeadgateSettings } from '../core/settings';
import type { Submission } from './submission';

/** Retries and double clicks within this window return the first submission. */
export const DEDUPLICATION_WINDOW_SECONDS = 600;

export interface CaptureDeps {
  settings: LeadgateSettings;
  keyring: Keyring;
  submissions: SubmissionStore;
  claims: SubmissionClaims;
  routing: RoutingQueue;
  clock: Clock;
  newSubmissionId?: () => string;
}

export interface CaptureResult {
  submissionId: string;
  /** True when this request repeated an earlier one and changed nothing. */
  duplicate: boolean;
  /** One signed receipt per purpose the form asks for: what this post asked (the export has what was recorded). */
  receipts: ConsentReceipt[];
  /** Screening found reasons to hold it (for logs and metrics, never for the answer). */
  held?: boolean;
}

/** Identifies what was submitted (form, fields, consents), whatever the screening found. */
export function submissionFingerprint(keyring: Keyring, submission: Submission): string {
  const fields = Object.keys(submission.fields)
    .sort()
    .map((name) => [name, submission.fields[name]]);
  return keyring.claimId(`content\u0000${JSON.stringify([submission.formId, fields, submission.grantedPurposes])}`);
}

/** A failing dependency becomes a 503 the client may retry; our own errors pass through. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LeadgateError) throw error;
    throw serviceUnavailable(what, error);
  }
}

export interface CaptureOptions {
  /** Client-chosen key for retries (the Idempotency-Key header). */
  idempotencyKey?: string;
  /**
   * Admission checks (rate limits) that may refuse the post, name reasons to hold it, or refuse
   * the mail it would cause. They run first and write only counters: a refused post stores nothing.
   */
  admit?: () => Promise<Pick<Submission, 'screening' | 'mailRefusal'>>;
}

/**
 * The signed receipts of a submission: a function of the request alone (form, ticked purposes,
 * id and time), never of what is stored about the address, so the answer reveals nothing.
 */
export function captureReceipts(deps: Pick<CaptureDeps, 'settings' | 'keyring'>, submission: Submission, submissionId: string, at: Date): ConsentReceipt[] {
  const form = deps.settings.forms[submission.formId];
  if (!form) return [];
  const leadId = deps.keyring.emailHash(submission.email);
  return consentsAskedFor(deps.settings, form, submission, { leadId, submissionId, at }).map((event) =>
    consentReceipt(deps.keyring.receipts, deps.settings.organization.name, event),
  );
}

/**
 * Accepts a validated submission exactly once, and only makes it durable: the submission, with
 * its screening findings, is stored in the person's partition apart from the lead, and the
 * routing consumer (which owns the lead) screens it, merges it and routes it. Nothing about the
 * person is read, so the answer depends on the request alone.
 *
 * The claim makes retries safe: a retry of a completed submission returns its id and writes
 * nothing; a retry of one that failed half-way (say the queue was down) resumes it with the same
 * id and timestamp, so every write repeats identically. Four round trips for a new submission:
 * the admission counters, the claim, the submission, then the routing message with the claim's
 * completion. Should the message be lost after all, the routing sweep finds the submission
 * through its sparse index and sends it again.
 */
export async function captureSubmission(deps: CaptureDeps, submission: Submission, options: CaptureOptions = {}): Promise<CaptureResult> {
  const now = deps.clock.now();
  const form = deps.settings.forms[submission.formId];
  if (!form) throw new LeadgateError('form_not_found', `No form "${submission.formId}" is configured.`);
  const leadId = deps.keyring.emailHash(submission.email);
  if (options.admit) {
    const admitted = await step('lead store', options.admit);
    if (admitted.screening?.length) submission = { ...submission, screening: [...(submission.screening ?? []), ...admitted.screening] };
    if (admitted.mailRefusal) submission = { ...submission, mailRefusal: admitted.mailRefusal };
  }

  const fingerprint = submissionFingerprint(deps.keyring, submission);
  const claimId = options.idempotencyKey ? deps.keyring.claimId(`key\u0000${submission.formId}\u0000${options.idempotencyKey}`) : fingerprint;
  const fresh: SubmissionClaim = {
    claimId,
    fingerprint,
    submissionId: deps.newSubmissionId?.() ?? `sub_${randomUUID()}`,
    at: now.toISOString(),
    state: 'pending',
    expiresAt: epochSeconds(now) + DEDUPLICATION_WINDOW_SECONDS,
  };
  const outcome = await step('lead store', () => deps.claims.claim(fresh, now));
  const claim = outcome.created ? fresh : outcome.existing;
  if (claim.fingerprint !== fingerprint) {
    throw new LeadgateError('idempotency_key_reused', 'This Idempotency-Key was already used for a different submission; use a new key for new content.');
  }
  const at = new Date(claim.at);
  const receipts = captureReceipts(deps, submission, claim.submissionId, at);
  if (claim.state === 'done') return { submissionId: claim.submissionId, duplicate: true, receipts };

  // Kept for the form's retention, so a held one can be reviewed, and an unmerged one never
  // outlives what merging it would have allowed.
  const stored: StoredSubmission = {
    leadId,
    submissionId: claim.submissionId,
    formId: submission.formId,
    at: claim.at,
    submission,
    state: 'pending',
    expiresAt: addDays(at, form.retentionDays),
  };
  await step('lead store', () => deps.submissions.add(stored));

  // The message and the claim's completion go out together. If the message fails, the claim is
  // reopened so the retry sends it; should that fail too, the routing sweep sends it.
  const [sent, completed] = await Promise.allSettled([
    deps.routing.enqueue(routingMessage(leadId, { submissionId: claim.submissionId, formId: submission.formId, at: claim.at })),
    deps.claims.complete(claimId),
  ]);
  if (sent.status === 'rejected') {
    if (completed.status === 'fulfilled') await deps.claims.reopen(claimId).catch(() => undefined);
    throw serviceUnavailable('routing queue', sent.reason);
  }
  if (completed.status === 'rejected') throw serviceUnavailable('lead store', completed.reason);
  return { submissionId: claim.submissionId, duplicate: !outcome.created, receipts, held: (submission.screening?.length ?? 0) > 0 };
}
