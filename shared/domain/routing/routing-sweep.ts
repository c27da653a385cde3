import { forEachWithin } from '../core/bounded-work';
import type { Clock, RoutingQueue, SubmissionStore } from '../core/ports';
import { routingMessage } from './routing-message';

export { ROUTING_GRACE_MS } from '../core/due-times';

/**
 * The safety net behind the routing queue: any stored submission whose routing never completed
 * (its message was lost, or dead-lettered and not yet redriven) is enqueued again; held ones are
 * not in the index and wait for an operator. Routing is idempotent, so a message that was merely
 * slow costs one no-op.
 */
export async function resendUnroutedSubmissions(
  deps: { submissions: SubmissionStore; routing: RoutingQueue; clock: Clock },
  until?: number,
): Promise<{ sent: number; failed: number }> {
  const now = deps.clock.now();
  let sent = 0;
  const { failed } = await forEachWithin(
    await deps.submissions.findRoutingDue(now),
    async ({ leadId, submissionId }) => {
      const stored = await deps.submissions.get(leadId, submissionId, now);
      if (stored?.state !== 'pending' && stored?.state !== 'released') return;
      await deps.routing.enqueue({ ...routingMessage(leadId, stored), ...(stored.state === 'released' ? { released: true as const } : {}) });
      sent++;
    },
    { ...(until ? { until } : {}) },
  );
  return { sent, failed };
}
