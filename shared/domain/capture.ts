import { randomUUID } from 'node:crypto';
import { LeadgateError, serviceUnavailable } from './errors';
import type { Keyring } from './keyring';
import type { ConsentEvent } from './lead';
import type { Clock, LeadRepository, RoutingQueue, SubmissionClaim, SubmissionClaims } from './ports';
import { consentReceipt, type ConsentReceipt } from './receipts';
import { routingMessage } from './routing-message';
import { recordSubmission } from './record-submission';
import { epochSeconds } from './retention';
import type { LeadgateSettings } from './settings';
import type { Submission } from './submission';

/** Retries and double clicks within this window return the first submission. */
export const DEDUPLICATION_WINDOW_SECONDS = 600;
const MAX_WRITE_ATTEMPTS = 5;

export interface CaptureDeps {
  settings: LeadgateSettings;
  keyring: Keyring;
  leads: LeadRepository;
  claims: SubmissionClaims;
  routing: RoutingQueue;
  clock: Clock;
  newSubmissionId?: () => string;
}

export interface CaptureResult {
  submissionId: string;
  /** True when this request repeated an earlier one and changed nothing. */
  duplicate: boolean;
  /** One signed receipt per consent decision this submission made. */
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
   * the mail it would cause. They run alongside the first read of the lead, which changes
   * nothing, and before the claim: a refused post writes nothing.
   */
  admit?: () => Promise<Pick<Submission, 'screening' | 'mailRefusal'>>;
}

/**
 * Accepts a validated submission exactly once. The claim makes retries safe: a retry of a
 * completed submission returns its id and writes nothing; a retry of one that failed half-way
 * (say the queue was down) resumes it with the same id and timestamp, so every write repeats
 * identically and nothing is lost or doubled.
 *
 * Five round trips for a new submission: the admission checks with the lead read, the claim, the
 * consent events, the lead write, then the routing message with the claim's completion.
 */
export async function captureSubmission(
  deps: CaptureDeps,
  submission: Submission,
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  const now = deps.clock.now();
  const leadId = deps.keyring.emailHash(submission.email);
  const [admitted, firstRead] = await Promise.all([
    options.admit ? step('lead store', options.admit) : ({} as Pick<Submission, 'screening' | 'mailRefusal'>),
    step('lead store', () => deps.leads.get(leadId, now)),
  ]);
  if (admitted.screening?.length) submission = { ...submission, screening: [...(submission.screening ?? []), ...admitted.screening] };
  if (admitted.mailRefusal) submission = { ...submission, mailRefusal: admitted.mailRefusal };

  const fingerprint = submissionFingerprint(deps.keyring, submission);
  const claimId = options.idempotencyKey
    ? deps.keyring.claimId(`key\u0000${submission.formId}\u0000${options.idempotencyKey}`)
    : fingerprint;
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
    throw new LeadgateError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different submission; use a new key for new content.',
    );
  }

  const receiptsOf = (events: readonly ConsentEvent[]) =>
    events.map((event) => consentReceipt(deps.keyring.receipts, deps.settings.organization.name, event));
  if (claim.state === 'done') {
    const events = await step('lead store', () => deps.leads.events(leadId, now));
    return { submissionId: claim.submissionId, duplicate: true, receipts: receiptsOf(events.filter((e) => e.submissionId === claim.submissionId)) };
  }

  const form = deps.settings.forms[submission.formId];
  if (!form) throw new LeadgateError('form_not_found', `No form "${submission.formId}" is configured.`);
  const context = { settings: deps.settings, form, leadId, submissionId: claim.submissionId, at: new Date(claim.at) };

  const { events, routed } = await step('lead store', async () => {
    let stored = firstRead;
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      if (attempt > 1) stored = await deps.leads.get(leadId, now);
      const recorded = recordSubmission(stored?.lead, submission, context);
      if (!recorded.changed) {
        // A repeat of a submission already written: report its events, write nothing.
        const written = (await deps.leads.events(leadId, now)).filter((e) => e.submissionId === claim.submissionId);
        return { events: written, routed: stored?.lead.routedSubmissions?.includes(claim.submissionId) ?? false };
      }
      // Events first: if the lead write then fails, the retry rewrites the same events.
      await deps.leads.appendEvents(recorded.events);
      if (await deps.leads.save(recorded.lead, stored?.version, now)) return { events: recorded.events, routed: false };
    }
    throw new Error('lead kept changing under concurrent writes');
  });

  // The message and the claim's completion go out together. If the message fails, the claim is
  // reopened so the retry sends it; should that fail too, the routing sweep sends it (design §4).
  const message = routingMessage(leadId, { submissionId: claim.submissionId, formId: submission.formId, at: claim.at });
  const [sent, completed] = await Promise.allSettled([
    routed ? Promise.resolve() : deps.routing.enqueue(message),
    deps.claims.complete(claimId),
  ]);
  if (sent.status === 'rejected') {
    if (completed.status === 'fulfilled') await deps.claims.reopen(claimId).catch(() => undefined);
    throw serviceUnavailable('routing queue', sent.reason);
  }
  if (completed.status === 'rejected') throw serviceUnavailable('lead store', completed.reason);
  return { submissionId: claim.submissionId, duplicate: !outcome.created, receipts: receiptsOf(events), held: (submission.screening?.length ?? 0) > 0 };
}
