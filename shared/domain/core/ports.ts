import type { Assignment, ConsentEvent, Lead, StrangerMailRefusal } from './lead';
import type { Submission } from '../capture/submission';
import type { PendingEvent } from '../destinations/pending-event';

export interface Clock {
  now(): Date;
}

export interface StoredLead {
  lead: Lead;
  /** Optimistic-lock version of the stored item. */
  version: number;
  /** Destination events written with a change and not yet published (shared/domain/destinations). */
  outbox?: PendingEvent[];
}

export interface NurtureDue {
  leadId: string;
  dueAt: Date;
}

export interface LeadRepository {
  /** The lead, or undefined if absent or past its expiresAt. */
  get(leadId: string, now: Date): Promise<StoredLead | undefined>;
  /**
   * Writes the lead if the stored version is still `expectedVersion` (undefined: no live lead).
   * Returns false when another writer got there first.
   */
  save(lead: Lead, expectedVersion: number | undefined, now: Date, outbox?: readonly PendingEvent[]): Promise<boolean>;
  /**
   * Empties the outbox of the lead saved as version `savedVersion`, once its events are published,
   * leaving the version as it is (so no concurrent writer loses its race to it); false (and
   * nothing changed) if the lead was saved again since: that save carried them.
   */
  clearOutbox(leadId: string, savedVersion: number): Promise<boolean>;
  /** Idempotent: writing the same event twice leaves one item. */
  appendEvents(events: readonly ConsentEvent[]): Promise<void>;
  /** Every live event of the lead, oldest first (the consent history). */
  events(leadId: string, now: Date): Promise<ConsentEvent[]>;
  /**
   * Marks assignment `generation` as notified, once: true for the caller that should send the
   * email, false if it was already marked (a redelivered or concurrent message).
   */
  markNotified(leadId: string, assignment: Assignment, at: Date): Promise<boolean>;
  /** Undoes markNotified after a failed send at `at`, so a retry (or the SLA sweep, at once) sends. */
  unmarkNotified(leadId: string, assignment: Assignment, at: Date): Promise<void>;
  /**
   * Ids of leads the SLA sweep must look at by `now`: assignments past their SLA, and
   * assignments whose email was never sent (due at once). Served by a sparse index.
   */
  findSlaDue(now: Date): Promise<string[]>;
  /** Leads with a nurture step due by `now`, each with its step's due time, via a sparse index. */
  findNurtureDue(now: Date): Promise<NurtureDue[]>;
}

export interface RotationStore {
  /**
   * Takes the next turn in a team's rotation for a submission, in one write. Concurrent callers
   * never get the same turn for different submissions, and a submission asking again before any
   * other took a turn (a retry, a duplicate delivery) gets its own turn back; asking again later
   * takes a new one, which skips a rep once: fairness, not correctness, since the lead is still
   * assigned once.
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
 * What capture learned about the client while the submission was being written (the per-IP
 * counters and the human check run in parallel with the write): reasons to hold it and a refusal
 * of the mail it would cause. It travels in the routing message, or, when that message could not
 * be sent, on the stored submission.
 */
export interface AdmissionFindings {
  screening?: string[];
  mailRefusal?: StrangerMailRefusal;
}

/**
 * A submission as capture stored it, in the person's partition (so an access request sees it and
 * an erasure removes it), apart from the lead: nothing of it reaches the lead until the routing
 * consumer merges it, and a held one never does unless it is released. The item is also the
 * submission's idempotency record: it is keyed by its claim (the Idempotency-Key, else the
 * content), so a retry finds it.
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
  /** Identifies the content, so one Idempotency-Key cannot be reused for a different submission. */
  fingerprint: string;
  /** Epoch seconds until which a post with the same claim is a retry of this one. */
  dedupUntil: number;
  /** Written only when the routing message could not be sent (see AdmissionFindings). */
  admission?: AdmissionFindings;
  expiresAt: number;
  /** Random, per capture request: tells the request's own write from another's (see SubmissionStore.add). */
  attempt?: string;
}

export type AddOutcome = { created: true } | { created: false; existing: StoredSubmission };

/** What putting a submission in the routing sweep found: done, not needed (no longer pending), or nothing left to promise. */
export type SweepEntry = 'entered' | 'settled' | 'gone';

export interface SubmissionStore {
  /**
   * Stores a captured submission, pending, in one conditional write, unless another submission
   * holds its claim (same person, same claim id): a live one inside its de-duplication window, or
   * one not yet merged or discarded. Then nothing is written and that one is returned. A write
   * that landed but whose answer was lost (the SDK's retry then finds it) is `created`: the holder
   * carries this call's `attempt`. The write does not enter the routing sweep's index: the routing
   * message is the usual promise, and enterRoutingSweep the one for a message that could not be sent.
   */
  add(stored: StoredSubmission, now: Date): Promise<AddOutcome>;
  /**
   * Deletes a submission this request stored and then refused (over a rate limit) or could not
   * promise to route, unless another request has promised it since (it is in the routing sweep's
   * index): that promise stands.
   */
  remove(leadId: string, submissionId: string): Promise<void>;
  /**
   * Puts a pending submission in the routing sweep's index, due a grace period after it was
   * captured, with what admission found for the sweep's message, in one conditional write: one
   * whose routing message could not be sent, or may never be. `settled` if it is no longer pending
   * (the consumer got to it), `gone` if it is no longer stored (removed or erased); telling those
   * apart costs a read, only when the write did not apply.
   */
  enterRoutingSweep(stored: StoredSubmission, admission: AdmissionFindings): Promise<SweepEntry>;
  /** The submission, or undefined if absent, replaced by a later one with the same claim, or past its expiresAt. */
  get(leadId: string, submissionId: string, now: Date): Promise<StoredSubmission | undefined>;
  /** Every live submission of the person not yet merged or discarded, oldest first. */
  unmerged(leadId: string, now: Date): Promise<StoredSubmission[]>;
  /**
   * Moves a submission from state `from` to `to` in one conditional write: true for the one
   * caller whose change applied, false if it was no longer in `from`. Held ones carry their
   * reasons; merged and discarded ones drop the submission's personal data and expire when their
   * de-duplication window ends.
   */
  transition(
    leadId: string,
    submissionId: string,
    from: SubmissionState,
    to: SubmissionState,
    now: Date,
    held?: { reasons: string[]; at: string },
  ): Promise<boolean>;
  /** Pending and released submissions a grace period after they entered that state (sparse index). */
  findRoutingDue(now: Date): Promise<StoredSubmission[]>;
  /** Submissions still held that were held in (after, until], to the second (the same sparse index, its review partition). */
  findHeld(after: Date, until: Date, now: Date): Promise<StoredSubmission[]>;
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
  /** Sent by capture: what it learned about the client while storing the submission. */
  admission?: AdmissionFindings;
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
  /** Queues the messages (a few requests for many); resolves with those that could not be queued, never throws. */
  enqueueAll(messages: readonly NurtureMessage[]): Promise<NurtureMessage[]>;
}

/** Composes the emails people receive (shared/email implements it). */
export interface PersonEmails {
  nurtureStep(lead: Lead, sequence: string, step: number, unsubscribeUrl: string): OutgoingEmail;
  confirmation(lead: Lead, formId: string, confirmUrl: string): OutgoingEmail;
}

/** A time a scheduled job has done its work up to, kept between its runs (one small item). */
export interface RunMark {
  /** The mark, with what the run that set it noted there (the nurture tick: what it queued just before). */
  last(): Promise<{ at: Date; noted: string[] } | undefined>;
  /** Moves the mark from `from` to `to`, noting `noted`; false if another run moved it first. */
  advance(from: Date | undefined, to: Date, noted?: readonly string[]): Promise<boolean>;
}
