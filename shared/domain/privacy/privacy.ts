import { countErasure } from '../insight/count-lead-change';
import type { InsightCounters } from '../insight/counters';
import { randomUUID } from 'node:crypto';
import { LeadgateError, validationFailed } from '../core/errors';
import type { Keyring } from '../core/keyring';
import type { ConsentEvent, Lead } from '../core/lead';
import { privacyUrl, readPrivacyToken } from '../core/links';
import { updateLead } from '../core/lead-update';
import type { Clock, LeadRepository, OutgoingEmail, StoredSubmission, SubmissionStore } from '../core/ports';
import { consentReceipt, type ConsentReceipt } from '../consent/receipts';
import { epochSeconds } from '../core/retention';
import { signedBytes } from '../core/signer';
import type { LeadgateSettings } from '../core/settings';
import { parseEmailAddress, parseSubmission, type RawBody } from '../capture/submission';
import { chargeClient, permitStrangerMail, sendStrangerMail, type StrangerMailDeps, type StrangerMailRefusal } from '../screening/stranger-mail';
import type { Suppression, SuppressionList } from '../nurture/suppression';
import type { DestinationSettings, InsightSettings } from '../core/settings';
import { type ErasureNoticeStore, planErasureNotices, type RecipientNotice } from '../destinations/erasure-notices';
import type { EventPublisher } from '../destinations/ports';

export type PrivacyRequestType = 'access' | 'erasure' | 'rectification';
export const PRIVACY_REQUEST_TYPES: readonly PrivacyRequestType[] = ['access', 'erasure', 'rectification'];

/** A pending request: holds the email hash, never the address. */
export interface PrivacyRequest {
  requestId: string;
  leadId: string;
  type: PrivacyRequestType;
  createdAt: string;
  expiresAt: number;
  usedAt?: string;
  /** The link was not mailed (a mail budget, the bounce breaker, ...): an operator answers it. */
  unmailed?: { reason: StrangerMailRefusal };
}

export interface PrivacyRequestStore {
  create(request: PrivacyRequest): Promise<void>;
  get(requestId: string, now: Date): Promise<PrivacyRequest | undefined>;
  /** Single use: true for the first caller only. */
  markUsed(requestId: string, now: Date): Promise<boolean>;
}

export interface LeadEraser {
  /** Deletes every item of the lead (the lead and its events); returns how many. */
  erase(leadId: string): Promise<number>;
}

export interface PrivacyEmails {
  link(to: string, type: PrivacyRequestType, url: string): OutgoingEmail;
  nothingHeld(to: string, type: PrivacyRequestType): OutgoingEmail;
}

export interface PrivacyDeps extends StrangerMailDeps {
  settings: LeadgateSettings;
  leads: LeadRepository;
  submissions: SubmissionStore;
  suppressions: SuppressionList;
  requests: PrivacyRequestStore;
  eraser: LeadEraser;
  notices: ErasureNoticeStore;
  publisher?: EventPublisher;
  counting?: ErasureDeps['counting'];
  privacyEmails: PrivacyEmails;
  keyring: Keyring;
  clock: Clock;
  publicUrl: string;
}

/** Who asked: the client IP, and whether it passed a human check (Turnstile). */
export interface Requester {
  ip: string;
  humanChecked: boolean;
}

/** Enough to read one's data, not enough to flood someone's inbox. */
export const REQUESTS_PER_HOUR = 3;
const LINK_HOURS = 24;
/** An unmailed request is kept for the operator through the legal deadline to answer (one month). */
const UNMAILED_DAYS = 31;

/**
 * Starts a request. The caller gets the same answer whatever happens here, so nobody learns
 * whether an address is known: a known address gets a signed single-use link, an unknown one a
 * mail saying nothing is held. Every such mail is within the stranger-mail budgets; past the
 * address's hourly limit nothing is sent at all. A known address's request that was not mailed
 * is kept, with the reason, for an operator to answer (`leadgate privacy pending`).
 */
export async function requestPrivacyAction(deps: PrivacyDeps, body: RawBody, requester: Requester): Promise<void> {
  // The address is checked exactly as a form checks it: the same person is the same key.
  const address = parseEmailAddress(Object.hasOwn(body, 'email') ? body.email : undefined);
  const type = body.type;
  const problems: Record<string, string> = {};
  if ('problem' in address) problems.email = address.problem;
  if (typeof type !== 'string' || !PRIVACY_REQUEST_TYPES.includes(type as PrivacyRequestType)) {
    problems.type = `must be one of ${PRIVACY_REQUEST_TYPES.join(', ')}`;
  }
  if ('problem' in address || Object.keys(problems).length) throw validationFailed(problems);
  const email = address.email;
  const requestType = type as PrivacyRequestType;
  const now = deps.clock.now();
  const leadId = deps.keyring.emailHash(email);
  const [perAddress, clientRefused, stored, unmerged] = await Promise.all([
    deps.rateLimiter.hit(`privacy#${leadId}`, 3600, ['requests'], now),
    chargeClient(deps, requester.ip, requester.humanChecked, now),
    deps.leads.get(leadId, now),
    deps.submissions.unmerged(leadId, now),
  ]);
  if ((perAddress.requests ?? 0) > REQUESTS_PER_HOUR) return;
  const refusal = await permitStrangerMail(deps, email, clientRefused, now);
  // Held or not yet routed submissions are data we hold too.
  if (!stored && unmerged.length === 0) {
    if (!refusal) await sendStrangerMail(deps, deps.privacyEmails.nothingHeld(email, requestType), now);
    return;
  }
  const request: PrivacyRequest = {
    requestId: `prq_${randomUUID()}`,
    leadId,
    type: requestType,
    createdAt: now.toISOString(),
    expiresAt: epochSeconds(now) + (refusal ? UNMAILED_DAYS * 86_400 : LINK_HOURS * 3600),
    ...(refusal ? { unmailed: { reason: refusal } } : {}),
  };
  await deps.requests.create(request);
  if (refusal) return;
  const url = privacyUrl(deps.publicUrl, deps.keyring, request.requestId, leadId, requestType, request.expiresAt);
  await sendStrangerMail(deps, deps.privacyEmails.link(email, requestType, url), now);
}

export interface OpenRequest {
  request: PrivacyRequest;
  lead: Lead | undefined;
}

/** The request a link names, if the link is genuine, unexpired and unused. */
export async function openPrivacyRequest(deps: PrivacyDeps, token: string): Promise<OpenRequest | undefined> {
  const now = deps.clock.now();
  const claims = readPrivacyToken(deps.keyring, token, now);
  if (!claims) return undefined;
  const request = await deps.requests.get(claims.requestId, now);
  if (!request || request.usedAt || request.leadId !== claims.leadId || request.type !== claims.type) return undefined;
  return { request, lead: (await deps.leads.get(request.leadId, now))?.lead };
}

export interface LeadExport {
  exportedAt: string;
  controller: { name: string; postalAddress: string; privacyNotice: string };
  purposesOfProcessing: Record<string, { description: string; consentText: string; consentTextVersion: string }>;
  lead: Lead | null;
  retention: { deleteAfter: string } | null;
  consentHistory: ConsentEvent[];
  consentReceipts: ConsentReceipt[];
  /** Submissions received and not (yet) part of the lead: awaiting routing, or held by screening. */
  submissionsInProcessing: StoredSubmission[];
  suppression: Suppression | null;
  /** Every destination the lead's data was sent to, since when, and which fields (Art. 15(1)(c)). */
  recipients: { destination: string; type: string; since: string; lastAt: string; fields: string[] }[];
}

/** Everything held about one person, for access requests and `leadgate privacy export`. */
export async function exportLead(
  deps: Pick<PrivacyDeps, 'settings' | 'leads' | 'submissions' | 'suppressions' | 'keyring' | 'clock'>,
  leadId: string,
): Promise<LeadExport> {
  const now = deps.clock.now();
  const [stored, history, unmerged] = await Promise.all([deps.leads.get(leadId, now), deps.leads.events(leadId, now), deps.submissions.unmerged(leadId, now)]);
  const lead = stored?.lead ?? null;
  const { organization, purposes } = deps.settings;
  return {
    exportedAt: now.toISOString(),
    controller: { name: organization.name, postalAddress: organization.postalAddress, privacyNotice: organization.privacyNoticeUrl },
    purposesOfProcessing: Object.fromEntries(
      Object.entries(purposes).map(([id, p]) => [
        id,
        { description: p.description, consentText: p.consentText.text, consentTextVersion: p.consentText.version },
      ]),
    ),
    lead,
    retention: lead ? { deleteAfter: new Date(lead.expiresAt * 1000).toISOString() } : null,
    consentHistory: history,
    consentReceipts: history
      .filter((event) => event.type.startsWith('consent.'))
      .map((event) => consentReceipt(deps.keyring.receipts, organization.name, event)),
    submissionsInProcessing: unmerged,
    suppression: (await deps.suppressions.get(leadId)) ?? null,
    recipients: Object.entries(lead?.recipients ?? {}).map(([destination, r]) => ({
      destination,
      type: deps.settings.destinations[destination]?.type ?? 'removed',
      since: r.since,
      lastAt: r.lastAt,
      fields: r.fields,
    })),
  };
}

export interface ErasureReceipt {
  receiptVersion: 1;
  receiptId: string;
  kind: 'erasure';
  subject: string;
  erasedAt: string;
  itemsDeleted: number;
  /** Every destination the person's data went to, and the state of its erasure notice when this was signed. */
  recipients: RecipientNotice[];
  keyId: string;
  publicKey: string;
  signature: string;
}

export interface ErasureDeps extends Pick<PrivacyDeps, 'eraser' | 'suppressions' | 'keyring' | 'clock' | 'leads'> {
  destinations: Record<string, DestinationSettings>;
  notices: ErasureNoticeStore;
  /** Absent (the CLI): the notices wait for the outbox sweep, within a minute or so. */
  publisher?: EventPublisher;
  /** Report counters (best effort) and their settings: an erasure is counted, without the person. */
  counting?: { counters: InsightCounters; insight: InsightSettings };
}

/**
 * Erases a person: every item under their key goes; what stays is the suppression hash (so
 * nothing is ever sent to them again), this receipt, and the notices owed to every destination
 * their data went to, none holding personal data once sent. The notices are recorded before
 * anything is deleted, so none is lost whatever fails next; they travel in each destination's
 * queue behind the lead's earlier events, so no recipient hears of the erasure before the
 * creation it undoes. Queued routing, SLA, nurture and delivery work finds no lead and does nothing.
 */
export async function eraseLead(deps: ErasureDeps, leadId: string): Promise<ErasureReceipt> {
  const now = deps.clock.now();
  const receiptId = `ersr_${randomUUID()}`;
  const lead = (await deps.leads.get(leadId, now))?.lead;
  const planned = lead ? planErasureNotices(lead, deps.destinations, receiptId, now) : undefined;
  if (planned?.record.notices.length) await deps.notices.create(planned.record, planned.events, now);
  await deps.suppressions.add(leadId, 'erased', now);
  const itemsDeleted = await deps.eraser.erase(leadId);
  if (lead && deps.counting) await deps.counting.counters.add(countErasure(deps.counting.insight, lead, now));
  let recipients = planned?.record.notices ?? [];
  if (planned?.events.length && deps.publisher) {
    try {
      await deps.publisher.publish(planned.events);
      await deps.notices.markSent(receiptId, now);
      recipients = recipients.map((notice) => (notice.notice === 'pending' ? { ...notice, notice: 'sent' } : notice));
    } catch {
      // Recorded, so the outbox sweep sends them; the receipt says they are pending.
    }
  }
  const signer = deps.keyring.receipts;
  const unsigned = {
    receiptVersion: 1 as const,
    receiptId,
    kind: 'erasure' as const,
    subject: leadId,
    erasedAt: now.toISOString(),
    itemsDeleted,
    recipients,
    keyId: signer.keyId,
    publicKey: signer.publicKey,
  };
  return { ...unsigned, signature: signer.sign(signedBytes(unsigned)) };
}

const MAX_APPLIED_REQUESTS = 20;

/**
 * Validates corrections like a form submission would, for the declared fields of the lead's
 * forms, and applies them once per request: the request's id is recorded in the same conditional
 * write that changes the lead, so concurrent posts of one link apply it once. Undefined when the
 * request was already applied.
 */
export async function rectifyLead(deps: PrivacyDeps, leadId: string, body: RawBody, requestId: string): Promise<Lead | undefined> {
  const now = deps.clock.now();
  const applied = await updateLead<{ lead: Lead; changed: string[] } | undefined>(deps.leads, leadId, now, (stored) => {
    if (!stored) throw new LeadgateError('form_not_found', 'Nothing is held for this address any more.');
    const { lead } = stored;
    if (lead.appliedRequests?.includes(requestId)) return { result: undefined };
    // Each field the body names is corrected (validated as on the form) or, if sent empty, removed.
    // The email is the person's identity and stays; a new address is a new submission.
    const fields = { ...lead.fields };
    for (const formId of new Set(lead.submissions.map((s) => s.formId))) {
      const form = deps.settings.forms[formId];
      if (!form) continue;
      const parsed = parseSubmission(deps.settings, formId, { ...form, honeypotField: undefined, purposes: {} }, { ...body, email: lead.email }, false);
      for (const name of Object.keys(form.fields)) {
        if (name === 'email' || !Object.hasOwn(body, name)) continue;
        const value = parsed.submission.fields[name];
        if (value === undefined) delete fields[name];
        else fields[name] = value;
      }
    }
    const changed = [...new Set([...Object.keys(fields), ...Object.keys(lead.fields)])].filter((name) => fields[name] !== lead.fields[name]);
    const appliedRequests = [...(lead.appliedRequests ?? []), requestId].slice(-MAX_APPLIED_REQUESTS);
    const rectified: Lead = { ...lead, fields, appliedRequests, updatedAt: now.toISOString() };
    return { result: { lead: rectified, changed }, save: rectified };
  });
  if (!applied) return undefined;
  // After the write that applied it, so a losing concurrent post records nothing.
  await deps.leads.appendEvents([
    {
      type: 'lead.rectified',
      leadId,
      purpose: '-',
      at: now.toISOString(),
      formId: '-',
      submissionId: `rectification-${requestId}`,
      consentTextVersion: '-',
      textSha256: '-',
      method: 'form_checkbox',
      gpc: false,
      expiresAt: applied.lead.expiresAt,
      changedFields: applied.changed,
    },
  ]);
  return applied.lead;
}
