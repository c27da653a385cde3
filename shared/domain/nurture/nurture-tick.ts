import { forEachWithin } from '../core/bounded-work';
import { REQUEUE_AFTER_MS } from './nurture';
import type { Clock, EmailQueue, LeadRepository } from '../core/ports';

/**
 * The scheduler: queues every due nurture step for the send-email consumer. A queued step is
 * marked on the lead so the next run does not queue it again, unless it is still unsent after
 * REQUEUE_AFTER_MS (the message was lost); the sender makes any duplicate harmless.
 */
export async function queueDueNurtureSteps(
  deps: { leads: LeadRepository; emailQueue: EmailQueue; clock: Clock },
  until?: number,
): Promise<{ queued: number; failed: number }> {
  const now = deps.clock.now();
  let queued = 0;
  const { failed } = await forEachWithin(
    await deps.leads.findNurtureDue(now),
    async (leadId) => {
      const stored = await deps.leads.get(leadId, now);
      const state = stored?.lead.nurture;
      if (!stored || !state || state.status !== 'active' || !state.nextDueAt || new Date(state.nextDueAt) > now) return;
      if (state.enqueuedAt && now.getTime() - Date.parse(state.enqueuedAt) < REQUEUE_AFTER_MS) return;
      const marked = { ...stored.lead, nurture: { ...state, enqueuedAt: now.toISOString() } };
      if (!(await deps.leads.save(marked, stored.version, now))) return;
      await deps.emailQueue.enqueue({ type: 'nurture.step', version: 1, leadId, sequence: state.sequence, step: state.nextStep });
      queued++;
    },
    { ...(until ? { until } : {}) },
  );
  return { queued, failed };
}
