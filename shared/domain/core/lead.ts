/** The lead as stored: one item per person, keyed by the HMAC of the normalized email. */

export type ConsentStatus = 'granted' | 'pending_confirmation' | 'declined' | 'withdrawn';
export type ConsentMethod = 'form_checkbox' | 'double_opt_in' | 'unsubscribe_link' | 'one_click_unsubscribe' | 'complaint' | 'hard_bounce';

/** The state of one purpose now; its full history is in the lead's consent events. */
export interface ConsentState {
  status: ConsentStatus;
  /** True only while processing for this purpose is allowed. */
  granted: boolean;
  /** When this state was recorded. */
  at: string;
  formId: string;
  submissionId: string;
  consentTextVersion: string;
  /** SHA-256 (hex) of the exact consent text shown. */
  textSha256: string;
  method: ConsentMethod;
  withdrawnAt?: string;
}

export interface SubmissionRecord {
  submissionId: string;
  formId: string;
  at: string;
  gpc: boolean;
  attribution?: Record<string, string>;
  /** Screening reasons found at capture. */
  screening?: string[];
  /** Why no mail this submission would cause may go (the client's mail budget), if so. */
  mailRefusal?: StrangerMailRefusal;
  /** Held by screening, then released by a reviewer. */
  released?: boolean;
  /** Values this submission gave that differ from what the lead holds (which a post never replaces). */
  given?: Record<string, string>;
}

export type AssignmentReason = 'rule' | 'fallback' | 'returning_owner' | 'sla_reassignment';

/** The lead's current assignment to a sales rep. */
export interface Assignment {
  submissionId: string;
  team: string;
  rep: string;
  reason: AssignmentReason;
  assignedAt: string;
  /** When the rep must have accepted, after which the SLA sweep moves the lead on. */
  slaDueAt: string;
  /** Counts (re)assignments of the lead; accept links and notifications are bound to one. */
  generation: number;
  /** The lead's score and the scoring rules that fired when it was first assigned (for score calibration). */
  score?: number;
  rules?: string[];
  /** Reps this submission has been offered, so reassignment never offers it twice. */
  tried: string[];
  notifiedAt?: string;
  /** The rep's email could not be sent: the SLA sweep tries again at once. */
  notifyFailedAt?: string;
  acceptedAt?: string;
  /** Every rep was tried and none accepted: the lead stays with the last one, without an SLA. */
  exhaustedAt?: string;
}

export interface AssignmentRecord {
  submissionId: string;
  team: string;
  rep: string;
  reason: AssignmentReason;
  at: string;
}

/** Why a mail a stranger could cause was not sent (shared/domain/screening/stranger-mail.ts). */
export const STRANGER_MAIL_REFUSALS = ['ip_budget', 'human_check_required', 'domain_budget', 'global_budget', 'no_mail_domain', 'paused_by_bounces'] as const;
export type StrangerMailRefusal = (typeof STRANGER_MAIL_REFUSALS)[number];

export interface Lead {
  leadId: string;
  email: string;
  /** Declared form fields, the latest value of each. */
  fields: Record<string, string>;
  consents: Record<string, ConsentState>;
  /** Most recent last; capped at MAX_SUBMISSIONS. */
  submissions: SubmissionRecord[];
  /** Set once any submission carried Sec-GPC: 1; never cleared by a later submission. */
  doNotSellOrShare: boolean;
  createdAt: string;
  updatedAt: string;
  /** Epoch seconds after which the lead is treated as absent and deleted. */
  expiresAt: number;
  score?: number;
  scoreReasons?: { rule: string; points: number; reason: string }[];
  /** The rep who owns the lead; a returning lead goes back to them while they are available. */
  owner?: string;
  assignment?: Assignment;
  /** Every rep the lead was sent to, and why. */
  assignmentHistory?: AssignmentRecord[];
  /** Submissions the routing consumer has finished with (most recent last, capped). */
  routedSubmissions?: string[];
  nurture?: NurtureState;
  /** Single-use privacy requests (rectifications) applied to the lead, so one link applies once. */
  appliedRequests?: string[];
  /** Nurture topics the person opted out of, while staying subscribed to the rest. */
  optedOutTopics?: string[];
  /**
   * The confirmation email of a double opt-in form: which submission it is for, and when it went,
   * or why it was not sent (a stranger-mail budget, the bounce breaker, a domain without mail).
   */
  /**
   * Every destination the lead's data was sent to: since when, last when, and which of its fields
   * (for access requests, Art. 15(1)(c)), so a withdrawal or an erasure reaches each of them.
   */
  recipients?: Record<string, Recipient>;
  doubleOptIn?: { submissionId: string; sentAt?: string; confirmedAt?: string; refused?: { reason: StrangerMailRefusal; at: string } };
  /**
   * The submissions (journeys) of this person that moved report counters this month: at most the
   * configured number, which bounds what one person changes in a report (its sensitivity).
   */
  counted?: { month: string; journeys: string[] };
}

export interface Recipient {
  since: string;
  lastAt: string;
  fields: string[];
}

export interface NurtureState {
  sequence: string;
  enrolledAt: string;
  /** Index of the next step to send; the sequence's length once completed. */
  nextStep: number;
  /** When the next step is due; absent once completed or stopped. */
  nextDueAt?: string;
  status: 'active' | 'completed' | 'stopped';
  /** Written by versions whose scheduler marked a queued step on the lead; ignored now (the tick keeps its own mark). */
  enqueuedAt?: string;
  stoppedAt?: string;
  stopReason?: string;
  /** Every step sent: the record of which marketing emails went out. */
  sent: { step: number; topic: string; at: string }[];
}

export const MAX_SUBMISSIONS = 50;

export type ConsentEventType = 'consent.granted' | 'consent.pending_confirmation' | 'consent.declined' | 'consent.withdrawn' | 'lead.rectified';

/** An append-only record of a consent decision. Holds no personal data beyond the lead's key. */
export interface ConsentEvent {
  type: ConsentEventType;
  leadId: string;
  purpose: string;
  at: string;
  formId: string;
  submissionId: string;
  consentTextVersion: string;
  textSha256: string;
  method: ConsentMethod;
  gpc: boolean;
  expiresAt: number;
  /** lead.rectified: the names (never the values) of the fields corrected. */
  changedFields?: string[];
}

/** Who a lead is, in a few words: company, else name, else a neutral word (no address). */
export function leadDisplayName(lead: Pick<Lead, 'fields'>): string {
  const name = [lead.fields.firstName, lead.fields.lastName].filter(Boolean).join(' ');
  return lead.fields.company ?? (name || 'a new lead');
}
