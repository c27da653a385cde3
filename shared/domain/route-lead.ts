import { acceptUrl } from './assignment-links';
import type { Assignment, AssignmentReason, Lead } from './lead';
import { emailDomainOf, type LeadFacts } from './lead-facts';
import type { Keyring } from './keyring';
import type { AssignmentEmails, Clock, LeadRepository, Mailer, RotationStore, RoutingMessage } from './ports';
import { addHours } from './retention';
import { findRep, isAvailable, rotation, type ChooseTeam } from './routing';
import type { ScoreLead } from './scoring';
import type { LeadgateSettings } from './settings';

export const SALES_CONTACT = 'sales_contact';
const MAX_ROUTED_SUBMISSIONS = 50;
const MAX_WRITE_ATTEMPTS = 5;

export interface RouteDeps {
  settings: LeadgateSettings;
  leads: LeadRepository;
  rotation: RotationStore;
  mailer: Mailer;
  emails: AssignmentEmails;
  clock: Clock;
  keyring: Keyring;
  /** Base URL of the public API, for accept links. */
  publicUrl: string;
  scoreLead: ScoreLead;
  chooseTeam: ChooseTeam;
}

export type RouteOutcome = 'lead_gone' | 'no_consent' | 'already_routed' | 'assigned' | 'already_notified';

export const factsOf = (lead: Lead, formId: string): LeadFacts => ({
  formId,
  fields: lead.fields,
  emailDomain: emailDomainOf(lead.email),
});

interface Pick {
  team: string;
  rep: string;
  reason: AssignmentReason;
}

/** Chooses the rep: the returning owner, else the team's strategy, overflowing to the fallback. */
async function pickRep(deps: RouteDeps, lead: Lead, facts: LeadFacts, score: number, submissionId: string, now: Date): Promise<Pick> {
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

/** Sends the assignment email for `lead.assignment` exactly once per generation. */
export async function notifyAssignment(deps: RouteDeps, lead: Lead, now: Date): Promise<boolean> {
  const assignment = lead.assignment as Assignment;
  if (assignment.notifiedAt) return false;
  if (!(await deps.leads.markNotified(lead.leadId, assignment, now))) return false;
  const link = acceptUrl(deps.publicUrl, deps.keyring, lead.leadId, assignment.generation, assignment.rep, now);
  try {
    await deps.mailer.send(deps.emails.assignment(lead, assignment, link));
  } catch (error) {
    await deps.leads.unmarkNotified(lead.leadId, assignment);
    throw error;
  }
  return true;
}

/**
 * Handles one routing message: score the lead, and if it consented to sales contact, assign it
 * to exactly one rep and email them. Safe to run any number of times for the same message: the
 * turn, the lead update and the email are each bound to the submission.
 */
export async function routeLead(deps: RouteDeps, message: RoutingMessage): Promise<RouteOutcome> {
  const now = deps.clock.now();
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const stored = await deps.leads.get(message.leadId, now);
    if (!stored) return 'lead_gone';
    const { lead, version } = stored;
    if (lead.assignment?.submissionId === message.submissionId) {
      return (await notifyAssignment(deps, lead, now)) ? 'assigned' : 'already_notified';
    }
    if (lead.routedSubmissions?.includes(message.submissionId)) return 'already_routed';

    const facts = factsOf(lead, message.formId);
    const { score, reasons } = deps.scoreLead(facts);
    const routedSubmissions = [...(lead.routedSubmissions ?? []), message.submissionId].slice(-MAX_ROUTED_SUBMISSIONS);
    const scored: Lead = { ...lead, score, scoreReasons: reasons, routedSubmissions };
    if (!lead.consents[SALES_CONTACT]?.granted) {
      if (await deps.leads.save(scored, version, now)) return 'no_consent';
      continue;
    }

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
      tried: [pick.rep],
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
    if (await deps.leads.save(assigned, version, now)) {
      await notifyAssignment(deps, assigned, now);
      return 'assigned';
    }
  }
  throw new Error('lead kept changing under concurrent writes');
}
