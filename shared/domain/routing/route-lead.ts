import { acceptUrl, confirmUrl } from '../core/links';
import type { Assignment, AssignmentReason, Lead } from '../core/lead';
import { emailDomainOf, type LeadFacts } from './lead-facts';
import type { Keyring } from '../core/keyring';
import type {
  AssignmentEmails,
  Clock,
  LeadRepository,
  Mailer,
  PersonEmails,
  RotationStore,
  RoutingMessage,
  StoredLead,
  StoredSubmission,
  SubmissionStore,
  AdmissionFindings,
} from '../core/ports';
import { recordSubmission } from '../capture/record-submission';
import type { Submission } from '../capture/submission';
import { type ClaimedStep, claimDueStep, enrolInNurture } from '../nurture/nurture';
import { sendClaimedStep } from '../nurture/send-nurture';
import { blocksConfirmation, blocksMarketing, type Suppression, type SuppressionList } from '../nurture/suppression';
import { addHours } from '../core/retention';
import { findRep, isAvailable, rotation, type ChooseTeam } from './routing';
import type { ScoreLead } from './scoring';
import type { LeadgateSettings } from '../core/settings';
import { changeLead, type LeadChange, updateLead } from '../core/lead-update';
import { attributionDims, dayOf, type InsightCounters, monthOf } from '../insight/counters';
import { speedToEmail } from '../insight/count-lead-change';
import { permitStrangerMail, sendStrangerMail, type StrangerMailDeps } from '../screening/stranger-mail';

export const SALES_CONTACT = 'sales_contact';
const MAX_ROUTED_SUBMISSIONS = 50;

export interface RouteDeps extends StrangerMailDeps {
  settings: LeadgateSettings;
  /** Report counters (best effort). */
  counters: InsightCounters;
  leads: LeadRepository;
  submissions: SubmissionStore;
  rotation: RotationStore;
  mailer: Mailer;
  emails: AssignmentEmails;
  personEmails: PersonEmails;
  suppressions: SuppressionList;
  clock: Clock;
  keyring: Keyring;
  /** Base URL of the public API, for accept links. */
  publicUrl: string;
  scoreLead: ScoreLead;
  chooseTeam: ChooseTeam;
  isDisposableDomain: (domain: string) => boolean;
  /** A nurture step the routing save claimed whose send failed: given back, due, it goes with the scheduler's next run (a metric, so late welcomes show). */
  onNurtureDeferred?: () => void;
}

export type RouteOutcome = 'lead_gone' | 'no_consent' | 'already_routed' | 'assigned' | 'quarantined';

export const factsOf = (lead: Lead, formId: string): LeadFacts => ({
  formId,
  fields: lead.fields,
  emailDomain: emailDomainOf(lead.email),
});

interface RepPick {
  team: string;
  rep: string;
  reason: AssignmentReason;
}

/** Chooses the rep: the returning owner, else the team's strategy, overflowing to the fallback. */
async function pickRep(deps: RouteDeps, lead: Lead, facts: LeadFacts, score: number, submissionId: string, now: Date): Promise<RepPick> {
  const { routing } = deps.settings;
  if (lead.owner) {
    const owner = findRep(routing, lead.owner);
    if (owner && isAvailable(owner.rep, now)) return { team: owner.teamId, rep: lead.owner, reason: 'returning_owner' };
  }
  const ruled = deps.chooseTeam(facts, score);
  for (const teamId of [...new Set([ruled, routing.fallbackTeam])]) {
    const team = routing.teams[teamId];
    const order = team ? rotation(team, now) : [];
    if (!team || order.length === 0) continue;
    const reason: AssignmentReason = teamId === ruled ? 'rule' : 'fallback';
    const turn = await deps.rotation.takeTurn(teamId, submissionId);
    if (team.strategy !== 'capacity') return { team: teamId, rep: order[turn % order.length] as string, reason };
    const day = now.toISOString().slice(0, 10);
    for (let k = 0; k < order.length; k++) {
      const rep = order[(turn + k) % order.length] as string;
      if (await deps.rotation.claimCapacity(teamId, rep, day, submissionId, team.dailyCap ?? Infinity)) return { team: teamId, rep, reason };
    }
  }
  // Nobody available anywhere: the fallback's first rep still gets it, so no consented lead is dropped.
  const fallback = routing.teams[routing.fallbackTeam];
  return { team: routing.fallbackTeam, rep: fallback?.reps[0]?.email as string, reason: 'fallback' };
}

/**
 * Sends the assignment email for `lead.assignment` exactly once per generation: claims it with a
 * conditional write, then sends. For an assignment whose email failed (or was never claimed).
 */
export async function notifyAssignment(deps: RouteDeps, lead: Lead, now: Date): Promise<boolean> {
  const assignment = lead.assignment as Assignment;
  if (assignment.notifiedAt) return false;
  if (!(await deps.leads.markNotified(lead.leadId, assignment, now))) return false;
  await sendAssignmentEmail(deps, lead, assignment, now);
  return true;
}

/** Sends the rep's email for an assignment claimed as notified; a failed send un-claims it, so the redelivery or the SLA sweep sends it. */
export async function sendAssignmentEmail(deps: RouteDeps, lead: Lead, assignment: Assignment, now: Date): Promise<void> {
  const link = acceptUrl(deps.publicUrl, deps.keyring, lead.leadId, assignment.generation, assignment.rep, now);
  try {
    await deps.mailer.send(deps.emails.assignment(lead, assignment, link));
  } catch (error) {
    await deps.leads.unmarkNotified(lead.leadId, assignment, now);
    throw error;
  }
  await deps.counters.add(speedToEmail(deps.settings.insight, lead, assignment, now));
}

/**
 * Handles one routing message, for the one submission it names, stored by capture apart from the
 * lead: screen it (capture's findings, a disposable domain) and hold it if anything is found,
 * changing nothing else; otherwise (or once released) merge it into the lead, score the lead; if
 * it consented to sales contact, assign it to exactly one rep; enrol it in nurture if it
 * consented to marketing; then the follow-ups (the rep's email, a confirmation to ask for, the
 * nurture step due now).
 * Safe to run any number of times for the same message: the merge is recorded on the lead with
 * the submission id, the hold is one conditional state change, and each email is claimed on the
 * lead before it is sent.
 */
export async function routeLead(deps: RouteDeps, message: RoutingMessage): Promise<RouteOutcome> {
  const now = deps.clock.now();
  const { outcome, merged, lead, heldNow, nurtureStep } = await updateLead<RouteResult, [StoredSubmission | undefined, Suppression | undefined]>(
    deps.leads,
    message.leadId,
    now,
    (stored, [captured, suppression]) => routeDecision(deps, message, now, stored, captured, suppression),
    () => Promise.all([deps.submissions.get(message.leadId, message.submissionId, now), deps.suppressions.get(message.leadId)]),
  );
  if (heldNow) await countHeld(deps, message, heldNow, lead, now);
  if (outcome === 'lead_gone' || outcome === 'quarantined') return outcome;
  // The submission now lives in the lead: its own item keeps nothing personal and expires. Should
  // this fail, the emails the routing save claimed (the rep's, a confirmation) still go, since
  // nothing may stop a claimed email; then the message fails, comes back (or the sweep sends it
  // again) and finds the lead routed.
  const merging = merged && (merged.state === 'pending' || merged.state === 'released');
  const unmarked = merging
    ? await deps.submissions.transition(message.leadId, message.submissionId, merged.state, 'merged', now).then(
        () => undefined,
        (error: unknown) => ({ error }),
      )
    : undefined;
  // Each email the save claimed goes whatever becomes of the others. A nurture step whose send
  // fails is put back, due, for the nurture scheduler: nothing for this message to retry.
  const sends = await Promise.allSettled([
    lead ? followUps(deps, message, lead, now, outcome !== 'already_routed') : undefined,
    lead && nurtureStep ? sendClaimedStep(deps, lead, nurtureStep.before, nurtureStep.step, now) : undefined,
  ]);
  const [, stepSend] = sends;
  if (stepSend.status === 'fulfilled' && stepSend.value?.sent === false) deps.onNurtureDeferred?.();
  for (const send of sends) if (send.status === 'rejected') throw send.reason;
  if (unmarked) throw unmarked.error;
  return outcome;
}

/** What one routing decision did: its outcome, the submission it merged, and the lead as saved (or as read, if already routed). */
type RouteResult = {
  outcome: RouteOutcome;
  merged?: StoredSubmission | undefined;
  lead?: Lead;
  heldNow?: StoredSubmission;
  nurtureStep?: ClaimedStep | undefined;
};

/** One attempt at routing the submission against the lead as read (updateLead retries it on a lost race). */
async function routeDecision(
  deps: RouteDeps,
  message: RoutingMessage,
  now: Date,
  stored: StoredLead | undefined,
  captured: StoredSubmission | undefined,
  suppression: Suppression | undefined,
): Promise<LeadChange<RouteResult>> {
  if (stored?.lead.routedSubmissions?.includes(message.submissionId)) return { result: { outcome: 'already_routed', merged: captured, lead: stored.lead } };
  // Erased, discarded or expired before it was routed: there is nothing to do.
  if (!captured?.submission) return { result: { outcome: 'lead_gone' } };
  if (captured.state === 'held') return { result: { outcome: 'quarantined' } };
  const admission = message.admission ?? captured.admission ?? {};
  if (captured.state === 'pending') {
    const held = screeningReasons(deps, captured, admission, stored?.lead);
    if (held.length) {
      // A hold is a conditional change of the submission item: losing that race starts over from a fresh read.
      const holds = await deps.submissions.transition(message.leadId, message.submissionId, 'pending', 'held', now, { reasons: held, at: now.toISOString() });
      return holds ? { result: { outcome: 'quarantined', heldNow: captured, ...(stored ? { lead: stored.lead } : {}) } } : { retry: true };
    }
  }
  const form = deps.settings.forms[captured.formId];
  if (!form) throw new Error(`form "${captured.formId}" is no longer configured; the submission waits in the dead-letter queue`);
  const submission: Submission = {
    ...captured.submission,
    ...(admission.screening?.length ? { screening: [...(captured.submission.screening ?? []), ...admission.screening] } : {}),
    ...(admission.mailRefusal ? { mailRefusal: admission.mailRefusal } : {}),
  };
  const recorded = recordSubmission(stored?.lead, submission, {
    settings: deps.settings,
    form,
    leadId: message.leadId,
    submissionId: message.submissionId,
    at: new Date(captured.at),
    suppression,
  });
  const lead = captured.state === 'released' ? markReleased(recorded.lead, message.submissionId) : recorded.lead;
  const facts = factsOf(lead, captured.formId);
  const routedSubmissions = [...(lead.routedSubmissions ?? []), message.submissionId].slice(-MAX_ROUTED_SUBMISSIONS);
  const { score, reasons } = deps.scoreLead(facts);
  const pending = Object.values(lead.consents).some((c) => c.status === 'pending_confirmation' && c.submissionId === message.submissionId);
  // The confirmation to ask for is claimed by this save, as the rep's email is.
  const doubleOptIn = pending ? await confirmationRequest(deps, lead, message.submissionId, suppression, now) : undefined;
  const enrolled: Lead = enrolInNurture(
    deps.settings,
    {
      ...lead,
      score,
      scoreReasons: reasons,
      routedSubmissions,
      ...(doubleOptIn ? { doubleOptIn } : {}),
    },
    now,
  );
  // A nurture step due now (the first, on enrolment) is claimed by this save too, and sent after it.
  const { lead: scored, claimed: nurtureStep } = claimDueStep(deps.settings, enrolled, blocksMarketing(suppression), now);
  if (!lead.consents[SALES_CONTACT]?.granted)
    return { result: { outcome: 'no_consent', merged: captured, lead: scored, nurtureStep }, save: scored, events: recorded.events };

  const pick = await pickRep(deps, lead, facts, score, message.submissionId, now);
  const slaHours = deps.settings.routing.teams[pick.team]?.slaHours ?? 24;
  const assignment: Assignment = {
    submissionId: message.submissionId,
    team: pick.team,
    rep: pick.rep,
    reason: pick.reason,
    assignedAt: now.toISOString(),
    slaDueAt: addHours(now, slaHours),
    generation: (lead.assignment?.generation ?? 0) + 1,
    score,
    rules: reasons.map((r) => r.rule),
    tried: [pick.rep],
    // The email is claimed by the save that makes the assignment: its winner sends it, with no
    // second write of the lead (only a failed send writes again, to un-claim it for the retry).
    notifiedAt: now.toISOString(),
  };
  const assigned: Lead = {
    ...scored,
    owner: pick.rep,
    assignment,
    assignmentHistory: [
      ...(lead.assignmentHistory ?? []),
      { submissionId: message.submissionId, team: pick.team, rep: pick.rep, reason: pick.reason, at: assignment.assignedAt },
    ],
  };
  return { result: { outcome: 'assigned', merged: captured, lead: assigned, nurtureStep }, save: assigned, events: recorded.events };
}

/**
 * A submission just held counts as submitted and quarantined (the lead does not record it, so
 * it is admitted against the person's journeys and other held submissions this month).
 */
async function countHeld(deps: RouteDeps, message: RoutingMessage, held: StoredSubmission, lead: Lead | undefined, now: Date): Promise<void> {
  const day = dayOf(now);
  const month = monthOf(day);
  const { insight } = deps.settings;
  const journeys = lead?.counted?.month === month ? lead.counted.journeys.length : 0;
  const heldThisMonth = (await deps.submissions.unmerged(message.leadId, now)).filter(
    (s) => s.state === 'held' && s.submissionId !== message.submissionId && s.held && monthOf(s.held.at) === month,
  ).length;
  if (journeys + heldThisMonth >= insight.journeysPerPersonPerMonth) return;
  const dims = attributionDims(held.formId, (held.submission as Submission).attribution, insight);
  await deps.counters.add([
    { kind: 'funnel', day, dims, field: 'submitted', by: 1 },
    { kind: 'funnel', day, dims, field: 'quarantined', by: 1 },
  ]);
}

/** Records on the lead that this submission was held by screening and released by a reviewer. */
const markReleased = (lead: Lead, submissionId: string): Lead => ({
  ...lead,
  submissions: lead.submissions.map((s) => (s.submissionId === submissionId ? { ...s, released: true } : s)),
});

const HOUR_MS = 3_600_000;

/**
 * Screening: what capture found (time trap, render token reuse, bursts, human check), a disposable
 * domain, and more submissions for the address within an hour than the per-address limit (counted
 * on the lead, which holds every merged one).
 */
function screeningReasons(deps: RouteDeps, captured: StoredSubmission, admission: AdmissionFindings, lead: Lead | undefined): string[] {
  const submission = captured.submission as Submission;
  const { screening } = deps.settings;
  const reasons = [...(submission.screening ?? []), ...(admission.screening ?? [])];
  if (screening.quarantineDisposableEmail && deps.isDisposableDomain(emailDomainOf(submission.email))) reasons.push('disposable_email');
  const since = Date.parse(captured.at) - HOUR_MS;
  const recent = lead?.submissions.filter((s) => Date.parse(s.at) > since).length ?? 0;
  if (recent >= screening.rateLimits.perEmailPerHour) reasons.push('rate_limited_address');
  return reasons;
}

/**
 * The side effects of a routed submission, each safe to repeat. The save that routed it (`savedNow`)
 * claimed its emails on the lead, so they are sent at once; a redelivery claims any that a failed
 * send gave back, with a conditional write, before sending it.
 */
async function followUps(deps: RouteDeps, message: RoutingMessage, lead: Lead, now: Date, savedNow: boolean): Promise<void> {
  const assignment = lead.assignment;
  if (assignment?.submissionId === message.submissionId) {
    if (savedNow) await sendAssignmentEmail(deps, lead, assignment, now);
    else await notifyAssignment(deps, lead, now);
  }
  const request = lead.doubleOptIn;
  if (request?.submissionId !== message.submissionId) return;
  if (savedNow && request.sentAt) await sendConfirmationEmail(deps, message, lead, now);
  else if (!savedNow && !request.sentAt) await sendConfirmation(deps, message, now);
}

/**
 * The double opt-in request a routing save records: claimed for sending (`sentAt`) within the
 * stranger-mail budgets (the client's, decided at capture; the domain's and everyone's, here),
 * refused with the reason (recorded, never retried), or waiting while the person's own
 * suppression blocks it.
 */
async function confirmationRequest(
  deps: RouteDeps,
  lead: Lead,
  submissionId: string,
  suppression: Suppression | undefined,
  now: Date,
): Promise<NonNullable<Lead['doubleOptIn']>> {
  const request = { submissionId };
  if (blocksConfirmation(suppression)) return request;
  const clientRefused = lead.submissions.find((s) => s.submissionId === submissionId)?.mailRefusal;
  const refusal = await permitStrangerMail(deps, lead.email, clientRefused, now);
  return refusal ? { ...request, refused: { reason: refusal, at: now.toISOString() } } : { ...request, sentAt: now.toISOString() };
}

/** A confirmation the routing save did not claim (its send failed and was given back): claimed now, then sent. */
async function sendConfirmation(deps: RouteDeps, message: RoutingMessage, now: Date): Promise<void> {
  const claimed = await updateLead<Lead | undefined>(deps.leads, message.leadId, now, async (stored) => {
    const request = stored?.lead.doubleOptIn;
    if (!stored || request?.submissionId !== message.submissionId || request.sentAt || request.refused) return { result: undefined };
    const decided = await confirmationRequest(deps, stored.lead, message.submissionId, await deps.suppressions.get(message.leadId), now);
    if (!decided.sentAt && !decided.refused) return { result: undefined };
    const lead: Lead = { ...stored.lead, doubleOptIn: decided };
    return { result: decided.sentAt ? lead : undefined, save: lead };
  });
  if (claimed) await sendConfirmationEmail(deps, message, claimed, now);
}

/** Sends a claimed confirmation; a failed send gives the claim back, so the redelivery sends it. */
async function sendConfirmationEmail(deps: RouteDeps, message: RoutingMessage, lead: Lead, now: Date): Promise<void> {
  const link = confirmUrl(deps.publicUrl, deps.keyring, message.leadId, message.submissionId, now);
  try {
    await sendStrangerMail(deps, deps.personEmails.confirmation(lead, message.formId, link), now);
  } catch (error) {
    await changeLead(deps.leads, message.leadId, now, (current) =>
      current.doubleOptIn?.submissionId === message.submissionId ? { ...current, doubleOptIn: { submissionId: message.submissionId } } : undefined,
    );
    throw error;
  }
}
