import type { Assignment, NurtureState } from './lead';
import type { SubmissionState } from './ports';

/** A queued nurture step not sent within this long is queued again by the next scheduler run. */
export const REQUEUE_AFTER_MS = 15 * 60_000;

/** How long a submission may wait for its routing message before the routing sweep sends it again. */
export const ROUTING_GRACE_MS = 2 * 60_000;

/**
 * When each sweep must next look at an item: the rules behind the table's sparse indexes. The
 * DynamoDB adapters write these times as index keys and the in-memory fakes filter by them, so
 * both answer "what is due" alike (the repository contract suite checks it).
 */

/** At once while the assignment email is unsent, at the SLA deadline once sent; never once accepted or exhausted. */
export function slaSweepDueAt(assignment: Assignment | undefined): Date | undefined {
  if (!assignment || assignment.acceptedAt || assignment.exhaustedAt) return undefined;
  return new Date(assignment.notifiedAt ? assignment.slaDueAt : assignment.assignedAt);
}

/** The next step's due time; a queued step that was never sent comes back after REQUEUE_AFTER_MS. */
export function nurtureTickDueAt(state: NurtureState | undefined): Date | undefined {
  if (state?.status !== 'active' || !state.nextDueAt) return undefined;
  return new Date(state.enqueuedAt ? Date.parse(state.enqueuedAt) + REQUEUE_AFTER_MS : Date.parse(state.nextDueAt));
}

/** A pending or released submission is due a grace period after it entered that state; held, merged and discarded ones never. */
export function routingSweepDueAt(state: SubmissionState, since: Date): Date | undefined {
  return state === 'pending' || state === 'released' ? new Date(since.getTime() + ROUTING_GRACE_MS) : undefined;
}
