import { randomUUID } from 'node:crypto';
import { LeadgateError, serviceUnavailable } from '../core/errors';
import type { Keyring } from '../core/keyring';
import type { AdmissionFindings, Clock, RoutingQueue, StoredSubmission, SubmissionStore } from '../core/ports';
import { consentReceipt, type ConsentReceipt } from '../consent/receipts';
import { consentsAskedFor } from './record-submission';
import { routingMessage } from '../routing/routing-message';
import { addDays, epochSeconds } from '../core/retention';
import type { LeadgateSettings } from '../core/settings';
import type { Submission } from './submission';
import { submissionIdFor } from './submission-id';

/** Retries and double clicks within this window return the first submission. */
export const DEDUPLICATION_WINDOW_SECONDS = 600;

/** The longest a capture request runs (the capture function's timeout in the topology). */
export const CAPTURE_TIMEOUT_SECONDS = 10;

export interface CaptureDeps {
  settings: LeadgateSettings;
  keyring: Keyring;
  submissions: SubmissionStore;
  routing: RoutingQueue;
  clock: Clock;
}

export interface CaptureResult {
  submissionId: string;
  /** True when this request repeated an earlier one and changed nothing. */
  duplicate: boolean;
  /** One signed receipt per purpose the form asks for: what this post asked (the export has what was recorded). */
  receipts: ConsentReceipt[];
  /** Capture found reasons to hold it (for logs and metrics, never for the answer). */
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
const failure = (what: string, error: unknown) => (error instanceof LeadgateError ? error : serviceUnavailable(what, error));

export interface CaptureOptions {
  /** Client-chosen key for retries (the Idempotency-Key header). */
  idempotencyKey?: string;
  /**
   * Admission checks (the per-IP counters, the human check), run in parallel with the write: they
   * may refuse the post (a rate limit), which then removes what it wrote, or find reasons to hold
   * it and refuse the mail it would cause, which travel with the routing message.
   */
  admit?: () => Promise<AdmissionFindings>;
  /**
   * The client says an earlier attempt of this post failed (a 5xx, or no answer): the request it
   * repeats has answered or died, or may yet fail, so a retry that finds the submission pending
   * promises it at once rather than after capture's timeout (the embed script says so on its retries).
   */
  afterFailure?: boolean;
}

/**
 * The signed receipts of a submission: a function of the request alone (form, ticked purposes,
 * id and time), never of what is stored about the address, so the answer reveals nothing.
 */
export function captureReceipts(
  deps: Pick<CaptureDeps, 'settings' | 'keyring'>,
  submission: Submission,
  submissionId: string,
  at: Date,
  leadId = deps.keyring.emailHash(submission.email),
): ConsentReceipt[] {
  const form = deps.settings.forms[submission.formId];
  if (!form) return [];
  return consentsAskedFor(deps.settings, form, submission, { leadId, submissionId, at }).map((event) =>
    consentReceipt(deps.keyring.receipts, deps.settings.organization.name, event),
  );
}

/**
 * Accepts a validated submission exactly once, and only makes it durable: one conditional write
 * of the submission in the person's partition, keyed by its claim (the Idempotency-Key, else the
 * content), which is also its idempotency record; then its routing message. The routing consumer
 * (which owns the lead) screens it, merges it and routes it. Nothing about the person is read, so
 * the answer depends on the request alone.
 *
 * Two round trips for a new submission: the write, in parallel with the admission counters; then
 * the routing message, carrying what admission found. The message is the promise of routing; if
 * it cannot be sent, one more write puts the submission in the routing sweep's index instead, so
 * the answer is 202 and the client need not retry (the net costs nothing while the queue works).
 * A retry finds the stored submission and returns its id and receipts, writing and sending
 * nothing, unless it is still pending and the request that stored it has ended, or may have
 * failed: then it puts it in the sweep (promiseAgain).
 */
export async function captureSubmission(deps: CaptureDeps, submission: Submission, options: CaptureOptions = {}): Promise<CaptureResult> {
  const now = deps.clock.now();
  const form = deps.settings.forms[submission.formId];
  if (!form) throw new LeadgateError('form_not_found', `No form "${submission.formId}" is configured.`);
  const leadId = deps.keyring.emailHash(submission.email);
  const fingerprint = submissionFingerprint(deps.keyring, submission);
  const claimId = options.idempotencyKey ? deps.keyring.claimId(`key\u0000${submission.formId}\u0000${options.idempotencyKey}`) : fingerprint;
  // Kept for the form's retention, so a held one can be reviewed, and an unmerged one never
  // outlives what merging it would have allowed.
  const fresh: StoredSubmission = {
    leadId,
    submissionId: submissionIdFor(claimId, now),
    formId: submission.formId,
    at: now.toISOString(),
    submission,
    state: 'pending',
    fingerprint,
    dedupUntil: epochSeconds(now) + DEDUPLICATION_WINDOW_SECONDS,
    expiresAt: addDays(now, form.retentionDays),
    attempt: randomUUID(),
  };

  const [written, admitted] = await Promise.allSettled([deps.submissions.add(fresh, now), options.admit?.() ?? Promise.resolve<AdmissionFindings>({})]);
  if (admitted.status === 'rejected') {
    // Refused (or the counters failed): what this request wrote goes again; a retry's finding stays.
    if (written.status === 'fulfilled' && written.value.created) await deps.submissions.remove(leadId, fresh.submissionId).catch(() => undefined);
    throw failure('lead store', admitted.reason);
  }
  if (written.status === 'rejected') throw failure('lead store', written.reason);
  const outcome = written.value;
  const stored = outcome.created ? fresh : outcome.existing;
  if (stored.fingerprint !== fingerprint) {
    throw new LeadgateError('idempotency_key_reused', 'This Idempotency-Key was already used for a different submission; use a new key for new content.');
  }
  const findings = admitted.value;
  const receipts = captureReceipts(deps, submission, stored.submissionId, new Date(stored.at), leadId);
  const held = (submission.screening?.length ?? 0) + (findings.screening?.length ?? 0) > 0;

  const answer = { submissionId: stored.submissionId, duplicate: !outcome.created, receipts, held };
  if (outcome.created) await promiseRouting(deps, stored, findings);
  else if (stored.state === 'pending' && (options.afterFailure || now.getTime() - Date.parse(stored.at) >= CAPTURE_TIMEOUT_SECONDS * 1000)) {
    await promiseAgain(deps, stored, stored.admission ?? findings);
  }
  return answer;
}

/**
 * The promise a 202 makes: the routing message, else the submission's place in the routing
 * sweep's index (with what admission found, for the sweep's message). If neither can be written,
 * the answer is a 503 and the submission goes again (best effort), as nothing promised to process
 * it, unless a retry has promised it meanwhile (then it stays); should it stay unpromised, the
 * 503 asks for the retry once this request is surely over, and that retry promises it.
 */
async function promiseRouting(deps: CaptureDeps, stored: StoredSubmission, findings: AdmissionFindings): Promise<void> {
  const message = routingMessage(stored.leadId, stored);
  const found = findings.screening?.length || findings.mailRefusal;
  try {
    await deps.routing.enqueue(found ? { ...message, admission: findings } : message);
  } catch (sendError) {
    await deps.submissions.enterRoutingSweep(stored, findings).catch(async () => {
      await deps.submissions.remove(stored.leadId, stored.submissionId).catch(() => undefined);
      throw serviceUnavailable('routing queue', sendError, CAPTURE_TIMEOUT_SECONDS);
    });
  }
}

/**
 * A retry's promise for a submission still pending once the request that stored it has ended
 * (capture's timeout past) or, as its client says, failed: its answer may have been a 503 or no
 * answer at all (the sandbox died between its write and its message), and nothing records whether
 * its message went, so the retry puts the submission in the routing sweep (one write, for such a
 * retry only; a no-op for routing if the message went). A retry while the first request may still
 * be running, and with no failure seen, leaves the promise to it. A submission gone by then (the
 * first request, promising nothing, removed it) is answered 503, so that the next retry stores it
 * afresh: a 202 is never an empty promise to a client that saw a failure.
 */
async function promiseAgain(deps: CaptureDeps, stored: StoredSubmission, findings: AdmissionFindings): Promise<void> {
  const entry = await deps.submissions.enterRoutingSweep(stored, findings).catch((error) => {
    throw failure('lead store', error);
  });
  if (entry === 'gone') throw serviceUnavailable('lead store', new Error('the submission this request repeats was removed before it could be promised'));
}
