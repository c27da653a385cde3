import { forEachWithin } from '../core/bounded-work';
import { nurtureStepMessage, REQUEUE_AFTER_MS } from './nurture';
import type { Clock, EmailQueue, LeadRepository, NurtureMessage, RunMark } from '../core/ports';

const seconds = (at: Date) => Math.floor(at.getTime() / 1000);
const REQUEUE_AFTER_S = REQUEUE_AFTER_MS / 1000;

/**
 * How far behind now a run's mark stays. A writer that makes a step due (enrolment) reads the
 * clock, then saves the lead: its due time can reach the index up to a function's run later
 * (timeouts are at most 60 s), behind a run that already looked. Runs look again that far back,
 * and skip what the run before noted it queued there.
 */
export const LATE_WRITE_SECONDS = 120;

/**
 * When a step due at `due` (epoch seconds) is worth queuing, as of `now`: when it fell due, then
 * every REQUEUE_AFTER_MS while it stays unsent (its message was lost, say). A run queues it when
 * that moment is past what the runs before covered.
 */
export const queueMoment = (due: number, now: number): number => due + Math.floor((now - due) / REQUEUE_AFTER_S) * REQUEUE_AFTER_S;

/**
 * The scheduler: queues every nurture step that fell due since the runs before, and again each
 * one still unsent REQUEUE_AFTER_MS later, for the send-email consumer (which makes any duplicate
 * harmless). What the runs covered is one small item (`mark`), written once a run, so queuing a
 * step writes no lead. A step whose message could not be queued, or that a run had no time for,
 * stays uncovered: the next run queues it (and what is due after it) again.
 */
export async function queueDueNurtureSteps(
  deps: { leads: LeadRepository; emailQueue: EmailQueue; clock: Clock; mark: RunMark },
  until?: number,
): Promise<{ queued: number; failed: number }> {
  const now = deps.clock.now();
  const nowS = seconds(now);
  const previous = await deps.mark.last();
  const covered = previous && seconds(previous.at);
  const noted = new Set(previous?.noted);
  const due = (await deps.leads.findNurtureDue(now))
    .map(({ leadId, dueAt }) => ({ leadId, moment: queueMoment(seconds(dueAt), nowS) }))
    // 64 bits of the lead's id tell its steps apart within a couple of minutes, in a quarter of the mark's size.
    .map((entry) => ({ ...entry, key: `${entry.leadId.slice(0, 16)}#${entry.moment}` }))
    .filter(({ moment, key }) => (covered === undefined || moment > covered) && !noted.has(key))
    .sort((a, b) => a.moment - b.moment);
  const left = new Set(due);
  const toQueue: { entry: (typeof due)[number]; message: NurtureMessage }[] = [];
  const { failed: unread } = await forEachWithin(
    due,
    async (entry) => {
      const stored = await deps.leads.get(entry.leadId, now);
      const state = stored?.lead.nurture;
      // Due by the index but not yet by the lead's own time (the index keeps seconds): the next run looks again.
      if (state?.status === 'active' && state.nextDueAt && new Date(state.nextDueAt) > now) return;
      if (!stored || !state || state.status !== 'active' || !state.nextDueAt) {
        left.delete(entry);
        return;
      }
      toQueue.push({ entry, message: nurtureStepMessage(entry.leadId, state) });
    },
    { ...(until ? { until } : {}) },
  );
  // One request per ten steps; a step whose message SQS did not take stays uncovered for the next run.
  const notQueued = new Set(await deps.emailQueue.enqueueAll(toQueue.map(({ message }) => message)));
  for (const { entry, message } of toQueue) {
    if (notQueued.has(message)) continue;
    left.delete(entry);
    noted.add(entry.key);
  }
  const queued = toQueue.length - notQueued.size;
  const failed = unread + notQueued.size;
  // Covered: up to LATE_WRITE_SECONDS ago, or to just before the first step left for the next run.
  const reached = Math.min(nowS - LATE_WRITE_SECONDS, ...[...left].map(({ moment }) => moment - 1));
  const stillNoted = [...noted].filter((key) => Number(key.slice(key.lastIndexOf('#') + 1)) > reached);
  // A run that found nothing to queue leaves the mark where it is (an idle table is never written):
  // a mark that lags only makes later runs look further back.
  if (due.length > 0 || (previous?.noted.length ?? 0) > 0) await deps.mark.advance(previous?.at, new Date(reached * 1000), stillNoted);
  return { queued, failed };
}
