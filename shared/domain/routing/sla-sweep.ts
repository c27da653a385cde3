import type { Assignment, Lead } from '../core/lead';
import { forEachWithin } from '../core/bounded-work';
import { notifyAssignment, type RouteDeps, sendAssignmentEmail } from './route-lead';
import { addHours } from '../core/retention';
import { rotation } from './routing';

export interface SlaSweepResult {
  reassigned: number;
  exhausted: number;
  /** Assignment emails sent late, after an earlier attempt failed. */
  notified: number;
  failed: number;
}

/** The next rep by the team's own rotation order after `current`, skipping reps already tried. */
function nextInRotation(order: string[], current: string, tried: readonly string[]): string | undefined {
  const start = order.indexOf(current);
  for (let k = 1; k <= order.length; k++) {
    const rep = order[(start + k) % order.length] as string;
    if (!tried.includes(rep)) return rep;
  }
  return undefined;
}

/**
 * Moves every lead whose rep did not accept within the team's SLA to the next rep of the same
 * team, then to the fallback team, emailing both reps. Each rep is offered a lead once, so this
 * ends: when everyone was tried the lead stays with the last rep and leaves the SLA index.
 */
export async function sweepSla(deps: RouteDeps, until?: number): Promise<SlaSweepResult> {
  const now = deps.clock.now();
  const result: SlaSweepResult = { reassigned: 0, exhausted: 0, notified: 0, failed: 0 };
  const { failed } = await forEachWithin(await deps.leads.findSlaDue(now), (leadId) => sweepLead(deps, leadId, now, result), { ...(until ? { until } : {}) });
  result.failed = failed;
  return result;
}

async function sweepLead(deps: RouteDeps, leadId: string, now: Date, result: SlaSweepResult): Promise<void> {
  const stored = await deps.leads.get(leadId, now);
  const current = stored?.lead.assignment;
  if (!stored || !current || current.acceptedAt || current.exhaustedAt) return;
  if (!current.notifiedAt && (await notifyAssignment(deps, stored.lead, now))) result.notified++;
  if (new Date(current.slaDueAt) > now) return;
  const { routing } = deps.settings;
  let teamId = current.team;
  let rep = routing.teams[teamId] ? nextInRotation(rotation(routing.teams[teamId]!, now), current.rep, current.tried) : undefined;
  if (!rep && teamId !== routing.fallbackTeam && routing.teams[routing.fallbackTeam]) {
    teamId = routing.fallbackTeam;
    rep = rotation(routing.teams[teamId]!, now).find((candidate) => !current.tried.includes(candidate));
  }
  if (!rep) {
    const exhausted: Lead = { ...stored.lead, assignment: { ...current, exhaustedAt: now.toISOString() } };
    if (await deps.leads.save(exhausted, stored.version, now)) result.exhausted++;
    return;
  }
  const slaHours = routing.teams[teamId]?.slaHours ?? 24;
  const next: Assignment = {
    submissionId: current.submissionId,
    team: teamId,
    rep,
    reason: 'sla_reassignment',
    assignedAt: now.toISOString(),
    slaDueAt: addHours(now, slaHours),
    generation: current.generation + 1,
    ...(current.score !== undefined ? { score: current.score, rules: current.rules ?? [] } : {}),
    tried: [...current.tried, rep],
    notifiedAt: now.toISOString(), // claimed by this save, as routing claims a first assignment's
  };
  const lead: Lead = {
    ...stored.lead,
    owner: rep,
    assignment: next,
    assignmentHistory: [
      ...(stored.lead.assignmentHistory ?? []),
      { submissionId: next.submissionId, team: teamId, rep, reason: next.reason, at: next.assignedAt },
    ],
  };
  // A lost race means another sweep or a new submission moved the lead: the next sweep looks again.
  if (!(await deps.leads.save(lead, stored.version, now))) return;
  result.reassigned++;
  // The new rep's email first: if it fails, the SLA index keeps the lead due and the next sweep
  // sends it. The notice to the previous rep is a courtesy and is not retried.
  await sendAssignmentEmail(deps, lead, next, now);
  await deps.mailer.send(deps.emails.reassignedAway(lead, current.rep, rep, routing.teams[current.team]?.slaHours ?? slaHours));
}
