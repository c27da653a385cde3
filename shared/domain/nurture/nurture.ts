import type { Lead, NurtureState } from '../core/lead';
import type { NurtureMessage } from '../core/ports';
import type { LeadgateSettings } from '../core/settings';

const DAY_MS = 86_400_000;
export { REQUEUE_AFTER_MS } from '../core/due-times';

const dueAt = (enrolledAt: string, afterDays: number) => new Date(Date.parse(enrolledAt) + afterDays * DAY_MS).toISOString();

/**
 * Enrols a lead in every sequence whose purpose it holds (first sequence wins: one at a time),
 * or resumes a stopped one after a fresh grant. Returns the lead unchanged otherwise.
 */
export function enrolInNurture(settings: LeadgateSettings, lead: Lead, now: Date): Lead {
  for (const [id, sequence] of Object.entries(settings.nurture.sequences)) {
    const consent = lead.consents[sequence.purpose];
    if (!consent?.granted) continue;
    const current = lead.nurture;
    if (current?.sequence === id && current.status !== 'stopped') return lead;
    if (current && current.sequence !== id && current.status === 'active') return lead;
    if (current?.status === 'stopped' && current.sequence === id) {
      if (!current.stoppedAt || consent.at <= current.stoppedAt) return lead;
      const step = sequence.steps[current.nextStep];
      const resumed: NurtureState = { ...current, status: 'active', stoppedAt: undefined, stopReason: undefined };
      if (step) resumed.nextDueAt = now.toISOString();
      else resumed.status = 'completed';
      return { ...lead, nurture: resumed };
    }
    const enrolledAt = now.toISOString();
    return {
      ...lead,
      nurture: { sequence: id, enrolledAt, nextStep: 0, nextDueAt: dueAt(enrolledAt, sequence.steps[0]?.afterDays ?? 0), status: 'active', sent: [] },
    };
  }
  return lead;
}

/** The nurture state after step `step` went out (or was skipped for an opted-out topic). */
export function afterStep(settings: LeadgateSettings, state: NurtureState, step: number, topic: string, sentAt: Date | undefined): NurtureState {
  const steps = settings.nurture.sequences[state.sequence]?.steps ?? [];
  const next = steps[step + 1];
  const { enqueuedAt: _queued, nextDueAt: _due, ...rest } = state;
  return {
    ...rest,
    nextStep: step + 1,
    ...(next ? { nextDueAt: dueAt(state.enrolledAt, next.afterDays) } : {}),
    status: next ? 'active' : 'completed',
    sent: sentAt ? [...state.sent, { step, topic, at: sentAt.toISOString() }] : state.sent,
  };
}

export function stopNurture(state: NurtureState, reason: string, now: Date): NurtureState {
  const { enqueuedAt: _queued, nextDueAt: _due, ...rest } = state;
  return { ...rest, status: 'stopped', stoppedAt: now.toISOString(), stopReason: reason };
}

/** The state's next step is due by now (an active sequence with a due time not in the future). */
export const isStepDue = (state: NurtureState | undefined, now: Date): state is NurtureState & { nextDueAt: string } =>
  state?.status === 'active' && state.nextDueAt !== undefined && Date.parse(state.nextDueAt) <= now.getTime();

/** A nurture step a save claimed for its saver to send at once: the state that had it due, and which step. */
export interface ClaimedStep {
  before: NurtureState;
  step: number;
}

/**
 * Claims the lead's due nurture step for the save about to be made (the routing save, which has
 * the lead and its suppression in hand), as that save claims the rep's email: the lead is saved
 * with the step done, so it enters the nurture index once, at the next step's time, rather than
 * now and then again when the scheduler's message is sent (three index writes, a scheduler read,
 * a queue message and a second save of the lead). Only a step whose email may go now: consent
 * held, no suppression, its topic not opted out; anything else stays due for the scheduler and the
 * send-email consumer, which stop or skip it as they do.
 */
export function claimDueStep(settings: LeadgateSettings, lead: Lead, marketingBlocked: boolean, now: Date): { lead: Lead; claimed?: ClaimedStep } {
  const state = lead.nurture;
  if (!isStepDue(state, now) || marketingBlocked) return { lead };
  const sequence = settings.nurture.sequences[state.sequence];
  const step = sequence?.steps[state.nextStep];
  if (!sequence || !step || !lead.consents[sequence.purpose]?.granted || lead.optedOutTopics?.includes(step.topic)) return { lead };
  return { lead: { ...lead, nurture: afterStep(settings, state, state.nextStep, step.topic, now) }, claimed: { before: state, step: state.nextStep } };
}

/** The send-email consumer's message for the state's next step. */
export const nurtureStepMessage = (leadId: string, state: NurtureState): NurtureMessage => ({
  type: 'nurture.step',
  version: 1,
  leadId,
  sequence: state.sequence,
  step: state.nextStep,
});
