import type { DestinationEventType } from '../destinations/catalogue';
/**
 * The parts of the validated configuration the domain reads. shared/config/schema.ts produces
 * values of this shape (a compile-time check there keeps the two in step); the domain never
 * imports the schema itself.
 */
export type FieldType = 'text' | 'email' | 'tel' | 'country' | 'textarea' | 'url';

export interface FieldSettings {
  type: FieldType;
  label: string;
  required: boolean;
  maxLength?: number | undefined;
}

export interface ConsentText {
  version: string;
  text: string;
}

export interface PurposeSettings {
  description: string;
  consentText: ConsentText;
}

export interface FormSettings {
  title: string;
  fields: Record<string, FieldSettings>;
  purposes: Record<string, { required: boolean }>;
  doubleOptIn: boolean;
  retentionDays: number;
  honeypotField?: string | undefined;
  successUrl: string;
  /** Whether a post must carry the form's render token (held without it) or may come from a plain form. */
  renderToken: 'required' | 'optional';
  allowedOrigins: string[];
}

export interface ScreeningSettings {
  minSecondsToSubmit: number;
  maxRenderAgeHours: number;
  quarantineDisposableEmail: boolean;
  rateLimits: { perIpPerMinute: number; perEmailPerHour: number };
  /** Who gets a digest of held submissions, with signed links to release or discard each. */
  reviewers: string[];
  /** Submissions one render token may carry before the rest are held (`render_token_reused`). */
  renderTokenUses: number;
  /** Per client IP and hour: beyond `perIpPerHour` submissions are held (`ip_burst`); beyond
   * `patternPerIpPerHour` addresses of one numbered shape are held (`pattern_burst`). */
  burst: { perIpPerHour: number; patternPerIpPerHour: number };
  turnstile: { enabled: boolean; siteKey: string; verifyUrl: string };
}

/**
 * Mail a stranger can make us send (double opt-in confirmations, privacy-request mails) to an
 * address that never confirmed anything: hourly budgets, and a breaker on its hard-bounce rate.
 */
export interface MailBudgetSettings {
  perIpPerHour: number;
  /** The same, for a client that passed a human check (Turnstile). */
  perIpPerHourWithHumanCheck: number;
  perDomainPerHour: number;
  globalPerHour: number;
  /** With Turnstile enabled: no such mail without a passed human check. */
  requireHumanCheck: boolean;
  breaker: { bounceRate: number; windowMinutes: number; minimumSent: number };
}

export interface LeadgateSettings {
  organization: { name: string; postalAddress: string; privacyNoticeUrl: string };
  sender: { fromAddress: string; fromName: string; identity: string; manageIdentity: boolean };
  purposes: Record<string, PurposeSettings>;
  retention: { unconfirmedDays: number; withdrawnGraceDays: number };
  forms: Record<string, FormSettings>;
  screening: ScreeningSettings;
  mailBudget: MailBudgetSettings;
  scoring: ScoringSettings;
  routing: RoutingSettings;
  nurture: NurtureSettings;
  /** Where leads go on to (a CRM, a chat channel, any webhook), and under which conditions. */
  destinations: Record<string, DestinationSettings>;
  insight: InsightSettings;
  /** Who is told when something needs an operator (the stack's alarms). */
  operations?: { alarmEmail?: string | undefined } | undefined;
  /** How requests reach the functions (deployment only). */
  edge?: EdgeSettings | undefined;
}

export interface EdgeSettings {
  /** The capture function has a Lambda function URL (stack output CaptureUrl) for embedded forms. */
  captureFunctionUrl: boolean;
  /** A ceiling on capture's concurrent invocations (reserved concurrency), should a flood's cost need one. */
  captureReservedConcurrency?: number | undefined;
}

/** The edge when the configuration says nothing: capture's function URL, no ceiling. */
export const DEFAULT_EDGE: EdgeSettings = { captureFunctionUrl: true };

export interface InsightSettings {
  /** utm_source values counted by name; any other is `other`. */
  sources: string[];
  /** utm_campaign values counted by name; any other is `other`. */
  campaigns: string[];
  /** How many of one person's submissions (journeys) a month can move counters: bounds what one person changes. */
  journeysPerPersonPerMonth: number;
  /** The privacy budget of private reports per month. */
  epsilonPerMonth: number;
}

/** A rule's condition: every key present must hold. */
export interface Condition {
  form?: string | string[] | undefined;
  field?: string | undefined;
  present?: boolean | undefined;
  equals?: string | undefined;
  in?: string[] | undefined;
  matches?: string | undefined;
  emailDomain?: 'corporate' | 'free_mail' | undefined;
  score?: { gte?: number | undefined; lt?: number | undefined } | undefined;
}

export interface ScoringRule {
  id: string;
  when: Condition;
  points: number;
  reason: string;
}

export interface RepSettings {
  email: string;
  name?: string | undefined;
  weight: number;
  /** Inclusive ISO date ranges (YYYY-MM-DD) when the rep takes no new leads. */
  unavailable: { from: string; to: string }[];
}

export type RoutingStrategy = 'round_robin' | 'weighted' | 'capacity';

export interface TeamSettings {
  strategy: RoutingStrategy;
  /** Hours a rep has to accept before the lead moves on. */
  slaHours: number;
  /** Capacity strategy: open assignments a rep takes per day. */
  dailyCap?: number | undefined;
  reps: RepSettings[];
}

export interface RoutingSettings {
  rules: { when: Condition; team: string }[];
  fallbackTeam: string;
  teams: Record<string, TeamSettings>;
}

export interface ScoringSettings {
  rules: ScoringRule[];
}

export interface NurtureStep {
  /** Offset from enrolment, in days. */
  afterDays: number;
  topic: string;
  subject: string;
  text: string;
  html: string;
}

export interface NurtureSequence {
  /** Leads are enrolled when they hold this purpose's consent. */
  purpose: string;
  steps: NurtureStep[];
}

export interface NurtureSettings {
  /** Topic ids to the names a person sees on the unsubscribe page. */
  topics: Record<string, string>;
  sequences: Record<string, NurtureSequence>;
}

export type DestinationType = 'webhook' | 'hubspot' | 'slack';

/** One recipient of lead events (shared/domain/destinations). */
export interface DestinationSettings {
  type: DestinationType;
  /** webhook: where events are posted; hubspot: the API's base URL; slack: none (its URL is the secret). */
  url?: string | undefined;
  /** The events it subscribes to; withdrawal, erasure and suppression notices reach every recipient regardless. */
  events: DestinationEventType[];
  /** Purposes a lead must hold for any of its data to go there. */
  purposes: string[];
  /** A third party never receives a lead that sent Global Privacy Control. */
  thirdParty: boolean;
  /** The declared fields it may receive. */
  fields: string[];
  /** hubspot: lead field -> contact property (email is always the contact's id). */
  properties: Record<string, string>;
  /** hubspot: what the withdrawal of its purpose does to the contact. */
  onWithdrawal: 'delete' | 'keep';
  /** Deliveries in flight to it at once. */
  maxConcurrency: number;
}
