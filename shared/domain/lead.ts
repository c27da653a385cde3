/** The lead as stored: one item per person, keyed by the HMAC of the normalized email. */

export type ConsentStatus = 'granted' | 'pending_confirmation' | 'declined' | 'withdrawn';
export type ConsentMethod = 'form_checkbox' | 'double_opt_in';

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
}

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
}

export const MAX_SUBMISSIONS = 50;

export type ConsentEventType = 'consent.granted' | 'consent.pending_confirmation' | 'consent.declined';

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
}
