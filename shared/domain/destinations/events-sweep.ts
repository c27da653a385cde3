import { forEachWithin } from '../core/bounded-work';
import type { Clock, LeadRepository } from '../core/ports';
import type { ErasureNoticeStore } from './erasure-notices';
import type { EventPublisher } from './ports';

/** An item whose outbox still holds events, a grace period after it was written. */
export type DueOutbox = { kind: 'lead'; leadId: string } | { kind: 'erasure'; receiptId: string };

export interface OutboxIndex {
  /** Items whose outbox is due by `now` (a sparse index). */
  due(now: Date): Promise<DueOutbox[]>;
}

export interface EventsSweepDeps {
  outboxes: OutboxIndex;
  /** The plain repository: the sweep publishes what is stored, it derives nothing. */
  leads: Pick<LeadRepository, 'get' | 'clearOutbox'>;
  notices: ErasureNoticeStore;
  publisher: EventPublisher;
  clock: Clock;
}

/**
 * The safety net behind event publication: every outbox a function could not publish (SNS
 * unreachable, the function timed out after its write) is published and emptied here. The events
 * keep their ids, so one that was published after all is dropped by SNS within five minutes, and
 * otherwise recognised by its receivers under the same delivery id.
 */
export async function publishDueOutboxes(deps: EventsSweepDeps, until?: number): Promise<{ published: number; failed: number }> {
  const now = deps.clock.now();
  let published = 0;
  const { failed } = await forEachWithin(
    await deps.outboxes.due(now),
    async (item) => {
      if (item.kind === 'lead') {
        const stored = await deps.leads.get(item.leadId, now);
        if (!stored?.outbox?.length) return;
        await deps.publisher.publish(stored.outbox);
        await deps.leads.clearOutbox(item.leadId, stored.version);
        published += stored.outbox.length;
        return;
      }
      const record = await deps.notices.get(item.receiptId);
      if (!record?.outbox?.length) return;
      await deps.publisher.publish(record.outbox);
      await deps.notices.markSent(item.receiptId, now);
      published += record.outbox.length;
    },
    { ...(until ? { until } : {}) },
  );
  return { published, failed };
}
