import type { Assignment, ConsentEvent, Lead } from './lead';
import type { Submission } from '../capture/submission';

export interface Clock {
  now(): Date;
}

export interface StoredLead {
  lead: Lead;
  /** Optimistic-lock version of the stored item. */
  version: number;
}

export interface LeadRepository {
  /** The lead, or undefined if absent or past its expiresAt. */
  get(leadId: string, now: Date): Promise<StoredLead | undefined>;
  /**
   * Writes the lead if the stored version is still `expectedVersion` (undefined: no live lead).
   * Returns false when another writer got there first.
   */
  save(lead: Lead, expectedVersion: number | undefined, now: Date): Promise<boolean>;
  /** Idempotent: writing the same event twice leaves one item. */
  appendEvents(events: readonly ConsentEvent[]): Promise<void>;
  /** Every live event of the lead, oldest first (the consent history). */
  events(leadId: string, now: Date): Promise<ConsentEvent[]>;
  /**
   * Marks assignment `generation` as notified, once: true for the caller that should send the
   * email, false if it was already marked (a redelivered or concurrent message).
   */
  markNotified(leadId: string, assignment: Assignment, at: Date): Promise<boolean>;
  /** Undoes markNotified after a failed send, so a retry (or the SLA sweep) sends. */
  unmarkNotified(leadId: string, assignment: Assignment): Promise<void>;
  /**
   * Ids of leads the SLA sweep must look at by `now`: assignments past their SLA, and
   * assignments whose email was never sent (due at once). Served by a sparse index.
   */
  findSlaDue(now: Date): Promise<string[]>;
  /** Ids of leads with a nurture step due (or queued too long ago) by `now`, via a sparse index. */
  findNurtureDue(now: Date): Promise<string[]>;
}

export interface RotationStore {
  /**
   * Takes the next turn in a team's rotation for a submission. Concurrent callers never get the
   * same turn for different submissions, and a submission asking again gets its own turn back.
   */
  takeTurn(teamId: string, submissionId: string): Promise<number>;
  /** Counts a submission against a rep's cap for a day; false when full. Idempotent per submission. */
  claimCapacity(teamId: string, rep: string, day: string, submissionId: string, cap: number): Promise<boolean>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** Message tags (SES EmailTags) that come back on the mail's bounce and complaint events. */
  tags?: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
}

/**
 * Where a captured submission is in its life: `pending` until the routing consumer screens it;
 * `held` by screening until an operator decides; `released` by that operator; `merged` into the
 * lead, or `discarded`, after which it keeps no personal data and expires at once.
 */
export type SubmissionState = 'pending' | 'held' | 'released' | 'merged' | 'discarded';

/**
 * A submission as capture stored it, in the person's partition (so an access request sees it and
 * an erasure removes it), apart from the lead: nothing of it reaches the lead until the routing
 * consumer merges it, and a held one never does unless it is released.
 */
export interface StoredSubmission {
  leadId: string;
  submissionId: string;
  formId: string;
  /** When it was accepted. */
  at: string;
  /** What was posted, validated and minimized; absent once merged or discarded. */
  submission?: Submission;
  state: SubmissionState;
  held?: { reasons: string[]; at: string };
  expiresAt: number;
}

export interface SubmissionStore {
  /** Stores a captured submission, pending; a retry that finds it stored already writes nothing. */
  add(stored: StoredSubmission): Promise<void>;
  /** The submission, or undefined if absent or past its expiresAt. */
  get(leadId: string, submissionId: string, now: Date): Promise<StoredSubmission | undefined>;
  /** Every live submission of the person not yet merged or discarded, oldest first. */
  unmerged(leadId: string, now: Date): Promise<StoredSubmission[]>;
  /**
   * Moves a submission from state `from` to `to` in one conditional write: true for the one
   * caller whose change applied, false if it was no longer in `from`. Held ones carry their
   * reasons; merged and discarded ones drop the submission's personal data and expire at once.
   */
  transition(
    leadId: string,
    submissionId: string,
    from: SubmissionState,
    to: SubmissionState,
    now: Date,
    held?: { reasons: string[]; at: string },
  ): Promise<boolean>;
  /** Submissions pending or released a grace period ago whose routing never completed (sparse index). */
  findRoutingDue(now: Date): Promise<{ leadId: string; submissionId: string }[]>;
}

/** The first attempt at a submission, remembered for the de-duplication window. */
export interface SubmissionClaim {
  claimId: string;
  /** Identifies the content, so one Idempotency-Key cannot be reused for a different submission. */
  fingerprint: string;
  submissionId: string;
  /** When the first attempt was accepted; a resumed attempt reuses it so its writes are identical. */
  at: string;
  state: 'pending' | 'done';
  expiresAt: number;
}

export interface SubmissionClaims {
  /** Claims the id, or returns the live claim that holds it. */
  claim(claim: SubmissionClaim, now: Date): Promise<{ created: true } | { created: false; existing: SubmissionClaim }>;
  /** Marks the submission done: a repeat returns it and writes nothing. */
  complete(claimId: string): Promise<void>;
  /** Undoes complete() when the work it vouched for failed, so a retry resumes it. */
  reopen(claimId: string): Promise<void>;
}

/** What the routing consumer needs to find the work; no personal data. */
export interface RoutingMessage {
  type: 'lead.captured';
  version: 1;
  leadId: string;
  submissionId: string;
  formId: string;
  capturedAt: string;
  /** Sent by an operator releasing a quarantined submission: route it without screening again. */
  released?: true;
}

export interface RoutingQueue {
  enqueue(message: RoutingMessage): Promise<void>;
}

/** Composes the emails about assignments (shared/email implements it; the domain only asks). */
export interface AssignmentEmails {
  assignment(lead: Lead, assignment: Assignment, acceptUrl: string): OutgoingEmail;
  reassignedAway(lead: Lead, from: string, to: string, slaHours: number): OutgoingEmail;
}

/** A due nurture step, as queued for the send-email consumer; no personal data. */
export interface NurtureMessage {
  type: 'nurture.step';
  version: 1;
  leadId: string;
  sequence: string;
  step: number;
}

export interface EmailQueue {
  enqueue(message: NurtureMessage): Promise<void>;
}

/** Composes the emails people receive (shared/email implements it). */
export interface PersonEmails {
  nurtureStep(lead: Lead, sequence: string, step: number, unsubscribeUrl: string): OutgoingEmail;
  confirmation(lead: Lead, formId: string, confirmUrl: string): OutgoingEmail;
}
