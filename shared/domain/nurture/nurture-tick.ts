import { forEachWithin } from '../core/bounded-work';
import type { Clock, EmailQueue, LeadRepository } from '../core/ports';

/**
 * The scheduler: queues every due nurture step for the send-email consumer, writing nothing. A
 * step stays due until the sender advances past it, so a lost message is queued again by the
 * next run; a step still in flight may be queued twice, and the sender's conditional advance
 * (one send per step) makes the copy a no-op. Marking queued steps on the lead would cost a
 * lead write and an index move per step to save an occasional duplicate message.
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
      await deps.emailQueue.enqueue({ type: 'nurture.step', version: 1, leadId, sequence: state.sequence, step: state.nextStep });
      queued++;
    },
    { ...(until ? { until } : {}) },
  );
  return { queued, failed };
}
