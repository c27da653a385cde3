import { forEachWithin } from '../core/bounded-work';
import type { Clock, RoutingQueue, SubmissionStore } from '../core/ports';
import { routingMessage } from './routing-message';

export { ROUTING_GRACE_MS } from '../core/due-times';

/**
 * The safety net behind the routing queue: a submission whose routing message capture could not
 * send, or a released one whose routing has not completed, is enqueued again (the message's
 * findings are on the item, where the consumer reads them); held ones wait for an operator. Routing is idempotent, so a message that was merely
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
    async (stored) => {
      await deps.routing.enqueue({ ...routingMessage(stored.leadId, stored), ...(stored.state === 'released' ? { released: true as const } : {}) });
      sent++;
    },
    { ...(until ? { until } : {}) },
  );
  return { sent, failed };
}
