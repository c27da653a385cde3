import { forEachWithin } from './bounded-work';
import type { Clock, LeadRepository, RoutingQueue } from './ports';
import { routingMessage } from './routing-message';

/** How long a submission may wait for its routing message before the sweep sends it again. */
export const ROUTING_GRACE_MS = 2 * 60_000;

/**
 * The safety net behind the routing queue: any submission whose routing never completed (its
 * message was lost, or dead-lettered and not yet redriven) is enqueued again. Routing is
 * idempotent, so a message that was merely slow costs one no-op.
 */
export async function resendUnroutedSubmissions(
  deps: { leads: LeadRepository; routing: RoutingQueue; clock: Clock },
  until?: number,
): Promise<number> {
  const now = deps.clock.now();
  let sent = 0;
  await forEachWithin(await deps.leads.findRoutingDue(now), async (leadId) => {
    const stored = await deps.leads.get(leadId, now);
    if (!stored) return;
    const routed = new Set(stored.lead.routedSubmissions ?? []);
    for (const submission of stored.lead.submissions) {
      if (routed.has(submission.submissionId) || now.getTime() - Date.parse(submission.at) < ROUTING_GRACE_MS) continue;
      await deps.routing.enqueue(routingMessage(leadId, submission));
      sent++;
    }
  }, { ...(until ? { until } : {}) });
  return sent;
}
