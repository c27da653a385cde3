import type { Assignment, Lead, SubmissionRecord } from '../core/lead';
import type { InsightSettings } from '../core/settings';
import { attributionDims, type CounterIncrement, type CounterKind, dayOf, monthOf, scoreBand, speedBucket } from './counters';

const UNSUBSCRIBE_METHODS = new Set(['unsubscribe_link', 'one_click_unsubscribe']);

/** A count of a journey (one submission of the person), before the journey is admitted. */
interface JourneyCount {
  journey: string;
  kind: CounterKind;
  dims: string[];
  field: string;
}

/**
 * Whether a journey may move counters this month: it already did, or the person has moved
 * fewer than `journeysPerPersonPerMonth` this month. Bounding what one person can change is what
 * lets a private report's noise be sized (its sensitivity).
 */
export function admitJourney(lead: Lead, journey: string, month: string, insight: InsightSettings): { admitted: boolean; counted: Lead['counted'] } {
  const journeys = lead.counted?.month === month ? lead.counted.journeys : [];
  if (journeys.includes(journey)) return { admitted: true, counted: { month, journeys } };
  if (journeys.length >= insight.journeysPerPersonPerMonth) return { admitted: false, counted: { month, journeys } };
  return { admitted: true, counted: { month, journeys: [...journeys, journey] } };
}

const submissionOf = (lead: Lead, submissionId: string): SubmissionRecord | undefined => lead.submissions.find((s) => s.submissionId === submissionId);

function funnelDims(lead: Lead, submissionId: string | undefined, insight: InsightSettings): string[] {
  const record = submissionId ? submissionOf(lead, submissionId) : lead.submissions.at(-1);
  return attributionDims(record?.formId ?? 'unknown', record?.attribution, insight);
}

/** What an assignment moves: the funnel, the rep's load, and (first assignment only) score calibration. */
function assignmentCounts(lead: Lead, before: Assignment | undefined, assignment: Assignment, insight: InsightSettings): JourneyCount[] {
  const journey = assignment.submissionId;
  const counts: JourneyCount[] = [];
  const funnel = (field: string) => counts.push({ journey, kind: 'funnel', dims: funnelDims(lead, journey, insight), field });
  if (assignment.generation > (before?.generation ?? 0)) {
    const reassigned = assignment.reason === 'sla_reassignment';
    funnel(reassigned ? 'reassigned' : 'assigned');
    counts.push({ journey, kind: 'load', dims: [assignment.team, assignment.rep], field: 'assigned' });
    if (reassigned && before) counts.push({ journey, kind: 'load', dims: [before.team, before.rep], field: 'reassigned_away' });
    if (!reassigned) counts.push(...calibration(assignment, journey, 'assigned'));
  }
  if (assignment.acceptedAt && !(before?.generation === assignment.generation && before.acceptedAt)) {
    funnel('accepted');
    if (assignment.acceptedAt <= assignment.slaDueAt) funnel('accepted_within_sla');
    counts.push({ journey, kind: 'load', dims: [assignment.team, assignment.rep], field: 'accepted' });
    counts.push(...calibration(assignment, journey, 'accepted'));
    const seconds = (Date.parse(assignment.acceptedAt) - Date.parse(assignment.assignedAt)) / 1000;
    counts.push({ journey, kind: 'speed', dims: [assignment.team], field: `to_accept_${speedBucket(seconds)}` });
  }
  return counts;
}

function calibration(assignment: Assignment, journey: string, field: 'assigned' | 'accepted'): JourneyCount[] {
  if (assignment.score === undefined) return [];
  return [
    { journey, kind: 'calibration', dims: [scoreBand(assignment.score)], field },
    ...(assignment.rules ?? []).map((rule): JourneyCount => ({ journey, kind: 'rules', dims: [rule], field })),
  ];
}

/** Every count a change of the lead makes, each tied to the journey it belongs to. */
function countsBetween(before: Lead | undefined, after: Lead, insight: InsightSettings): JourneyCount[] {
  const counts: JourneyCount[] = [];
  const latest = after.submissions.at(-1)?.submissionId ?? 'none';
  const funnel = (journey: string, field: string) => counts.push({ journey, kind: 'funnel', dims: funnelDims(after, journey, insight), field });
  const routedBefore = new Set(before?.routedSubmissions ?? []);
  for (const submissionId of after.routedSubmissions ?? []) {
    if (routedBefore.has(submissionId)) continue;
    // A released submission was counted as submitted (and quarantined) when it was held.
    funnel(submissionId, submissionOf(after, submissionId)?.released ? 'released' : 'submitted');
    funnel(submissionId, 'routed');
  }
  if (after.assignment) counts.push(...assignmentCounts(after, before?.assignment, after.assignment, insight));
  if (after.nurture && after.nurture.enrolledAt !== before?.nurture?.enrolledAt) funnel(latest, 'nurture_enrolled');
  const withdrawnBy = new Set(
    Object.entries(after.consents)
      // A consent granted or waiting for confirmation that is now withdrawn (a bounced confirmation counts too).
      .filter(([purpose, state]) => !state.granted && before?.consents[purpose] !== undefined && before.consents[purpose]?.at !== state.at)
      .map(([, state]) => state.method),
  );
  if ([...withdrawnBy].some((method) => UNSUBSCRIBE_METHODS.has(method))) funnel(latest, 'unsubscribed');
  if (withdrawnBy.has('hard_bounce')) funnel(latest, 'bounced');
  if (withdrawnBy.has('complaint')) funnel(latest, 'complained');
  return counts;
}

/**
 * The counts a saved change of a lead makes, and the lead to save with the journeys it admitted
 * this month recorded. Derived only from the change, so a change saved once counts once: a
 * redelivered message or a repeated request that changes nothing counts nothing.
 */
export function countLeadChange(before: Lead | undefined, after: Lead, now: Date, insight: InsightSettings): { lead: Lead; increments: CounterIncrement[] } {
  const day = dayOf(now);
  const month = monthOf(day);
  let lead = after;
  const increments: CounterIncrement[] = [];
  for (const count of countsBetween(before, after, insight)) {
    const { admitted, counted } = admitJourney(lead, count.journey, month, insight);
    if (!admitted) continue;
    lead = { ...lead, counted };
    increments.push({ kind: count.kind, day, dims: count.dims, field: count.field, by: 1 });
  }
  return { lead, increments };
}

/** The sensitivity of a kind of counter per journey: the most one journey can add to all its counters together. */
export function countsPerJourney(kind: CounterKind, reps: number, rules: number): number {
  switch (kind) {
    case 'funnel':
      // submitted, quarantined, released, routed, assigned, accepted, within SLA, enrolled,
      // unsubscribed, bounced, complained, erased: once each; reassigned: once per other rep.
      return 12 + Math.max(0, reps - 1);
    case 'speed':
      return 2;
    case 'load':
      return 2 * Math.max(1, reps);
    case 'calibration':
      return 2;
    case 'rules':
      return 2 * Math.max(1, rules);
  }
}

/**
 * What one person can add to all counters of a kind in a month: the sensitivity of a private
 * report. Journeys are bounded by `journeysPerPersonPerMonth`; held submissions (counted when held,
 * before the lead records them) are bounded by the same number, and add two counts each.
 */
export function monthlySensitivity(kind: CounterKind, insight: InsightSettings, reps: number, rules: number): number {
  const journeys = insight.journeysPerPersonPerMonth;
  return journeys * countsPerJourney(kind, reps, rules) + (kind === 'funnel' ? journeys * 2 : 0);
}

/**
 * Submission to the rep's first assignment email, for the team: counted once the email went, if
 * the journey is admitted as the assignment's save admitted it (the lead here may be the one its
 * caller saved, before the save recorded the journey).
 */
export function speedToEmail(insight: InsightSettings, lead: Lead, assignment: Assignment, now: Date): CounterIncrement[] {
  const day = dayOf(now);
  if (assignment.reason === 'sla_reassignment' || !admitJourney(lead, assignment.submissionId, monthOf(day), insight).admitted) return [];
  const submittedAt = submissionOf(lead, assignment.submissionId)?.at ?? assignment.assignedAt;
  const seconds = (now.getTime() - Date.parse(submittedAt)) / 1000;
  return [{ kind: 'speed', day, dims: [assignment.team], field: `to_email_${speedBucket(seconds)}`, by: 1 }];
}

/** An erasure counts once, for the person's latest journey, if admitted (the lead is gone after, so nothing records it). */
export function countErasure(insight: InsightSettings, lead: Lead, now: Date): CounterIncrement[] {
  const day = dayOf(now);
  const journey = lead.submissions.at(-1)?.submissionId ?? 'none';
  if (!admitJourney(lead, journey, monthOf(day), insight).admitted) return [];
  return [{ kind: 'funnel', day, dims: funnelDims(lead, journey, insight), field: 'erased', by: 1 }];
}
