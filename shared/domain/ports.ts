import type { ConsentEvent, Lead } from './lead';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

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
  complete(claimId: string): Promise<void>;
}

/** What the routing consumer needs to find the work; no personal data. */
export interface RoutingMessage {
  type: 'lead.captured';
  version: 1;
  leadId: string;
  submissionId: string;
  formId: string;
  capturedAt: string;
}

export interface RoutingQueue {
  enqueue(message: RoutingMessage): Promise<void>;
}
