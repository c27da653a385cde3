import type { Clock, RoutingQueue, StoredSubmission, SubmissionStore } from '../core/ports';
import { routingMessage } from '../routing/routing-message';

export interface QuarantineDeps {
  submissions: SubmissionStore;
  routing: RoutingQueue;
  clock: Clock;
}

/**
 * Releases a held submission: one conditional state change (held to released) decides, so a
 * second release, or a release racing another, does nothing; the consumer then merges and routes
 * it as if it had passed screening. Should the message be lost, the routing sweep finds the
 * released submission through its sparse index and sends it again.
 */
export async function releaseHeld(deps: QuarantineDeps, leadId: string, submissionId: string): Promise<boolean> {
  const now = deps.clock.now();
  const held = await deps.submissions.get(leadId, submissionId, now);
  if (held?.state !== 'held') return false;
  if (!(await deps.submissions.transition(leadId, submissionId, 'held', 'released', now))) return false;
  await deps.routing.enqueue({ ...routingMessage(leadId, held), released: true });
  return true;
}

/** Discards a held submission: it keeps nothing personal and expires; the lead, if any, is as it was. */
export async function discardHeld(deps: QuarantineDeps, leadId: string, submissionId: string): Promise<boolean> {
  return deps.submissions.transition(leadId, submissionId, 'held', 'discarded', deps.clock.now());
}

/** The held submissions of one person, oldest first. */
export async function heldSubmissions(deps: Pick<QuarantineDeps, 'submissions' | 'clock'>, leadId: string): Promise<StoredSubmission[]> {
  return (await deps.submissions.unmerged(leadId, deps.clock.now())).filter((s) => s.state === 'held');
}
