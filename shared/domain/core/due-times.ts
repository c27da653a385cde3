import type { Assignment, NurtureState } from './lead';
import type { SubmissionState } from './ports';

/** How long a submission may wait for its routing message before the routing sweep sends it again. */
export const ROUTING_GRACE_MS = 2 * 60_000;

/**
 * When each sweep must next look at an item: the rules behind the table's sparse indexes. The
 * DynamoDB adapters write these times as index keys and the in-memory fakes filter by them, so
 * both answer "what is due" alike (the repository contract suite checks it).
 */

/**
 * At the SLA deadline; at once while the assignment email failed and is unsent (the routing
 * message's redelivery sends it first, most often); never once accepted or exhausted. The due
 * time does not move when the email goes out, so notifying the rep writes nothing to the index.
 */
export function slaSweepDueAt(assignment: Assignment | undefined): Date | undefined {
  if (!assignment || assignment.acceptedAt || assignment.exhaustedAt) return undefined;
  return new Date(assignment.notifyFailedAt && !assignment.notifiedAt ? assignment.assignedAt : assignment.slaDueAt);
}

/** A queued nurture step not sent within this long is queued again by the next scheduler run. */
export const REQUEUE_AFTER_MS = 15 * 60_000;

/**
 * The next step's due time, until the sender advances past it. The scheduler remembers what its
 * runs covered in an item of its own (shared/domain/nurture/nurture-tick.ts), so queuing a step
 * writes neither the lead nor the index.
 */
export function nurtureTickDueAt(state: NurtureState | undefined): Date | undefined {
  if (state?.status !== 'active' || !state.nextDueAt) return undefined;
  return new Date(state.nextDueAt);
}

/**
 * A grace period after it entered that state: a pending submission once capture could not send its
 * routing message (only then is it put in the index), a released one always; held, merged and
 * discarded ones never.
 */
export function routingSweepDueAt(state: SubmissionState, since: Date): Date | undefined {
  return state === 'pending' || state === 'released' ? new Date(since.getTime() + ROUTING_GRACE_MS) : undefined;
}
