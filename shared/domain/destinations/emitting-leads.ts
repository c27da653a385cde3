import type { LeadRepository, StoredLead } from '../core/ports';
import type { Lead } from '../core/lead';
import type { DestinationSettings } from '../core/settings';
import { deriveEvents } from './derive-events';
import type { EventPublisher, OnPublishFailure } from './ports';
import type { PendingEvent } from './pending-event';
import type { InsightSettings } from '../core/settings';
import type { InsightCounters } from '../insight/counters';
import { countLeadChange } from '../insight/count-lead-change';

/** Report counters kept from the same comparison of each saved change (shared/domain/insight). */
export interface LeadCounting {
  insight: InsightSettings;
  /** Best effort (bestEffortCounters): the change is saved whether its counts are added or not. */
  counters: InsightCounters;
}

const REMEMBERED_READS = 500;

/**
 * A lead repository that emits destination events (and keeps report counters, with `counting`)
 * from every change, wherever it is made: a
 * save compares the lead with the version it replaces, writes the events in the same item (the
 * outbox, with the recipients they go to), then publishes them and empties the outbox. If
 * publishing fails the change still stands (the save succeeded) and the outbox sweep publishes
 * them later, so no event is lost and none is published for a change that was not saved.
 *
 * The version a save replaces is the one its caller read through this repository (`get`), kept
 * here by leadId and version; a version identifies the lead's content, so the comparison is exact.
 */
export function emittingLeadRepository(
  inner: LeadRepository,
  destinations: Record<string, DestinationSettings>,
  publisher: EventPublisher,
  onPublishFailure: OnPublishFailure,
  counting?: LeadCounting,
): LeadRepository {
  const reads = new Map<string, StoredLead>();
  const key = (leadId: string, version: number) => `${leadId}#${version}`;
  const remember = (stored: StoredLead) => {
    reads.set(key(stored.lead.leadId, stored.version), stored);
    if (reads.size > REMEMBERED_READS) reads.delete(reads.keys().next().value as string);
  };
  const replaced = async (leadId: string, version: number | undefined, now: Date): Promise<StoredLead | undefined> => {
    if (version === undefined) return undefined;
    const known = reads.get(key(leadId, version));
    if (known) return known;
    const fresh = await inner.get(leadId, now);
    return fresh?.version === version ? fresh : undefined;
  };

  /** Publishes a saved outbox and empties it; a failure is reported and left to the sweep. */
  const publishSaved = async (leadId: string, savedVersion: number, outbox: readonly PendingEvent[]) => {
    try {
      await publisher.publish(outbox);
      await inner.clearOutbox(leadId, savedVersion);
    } catch (error) {
      onPublishFailure(error, outbox);
    }
  };

  return {
    get: async (leadId, now) => {
      const stored = await inner.get(leadId, now);
      if (stored) remember(stored);
      return stored;
    },
    events: (leadId, now) => inner.events(leadId, now),
    appendEvents: (events) => inner.appendEvents(events),
    markNotified: (leadId, assignment, at) => inner.markNotified(leadId, assignment, at),
    unmarkNotified: (leadId, assignment, at) => inner.unmarkNotified(leadId, assignment, at),
    findSlaDue: (now) => inner.findSlaDue(now),
    findNurtureDue: (now) => inner.findNurtureDue(now),
    clearOutbox: (leadId, version) => inner.clearOutbox(leadId, version),
    async save(lead: Lead, expectedVersion: number | undefined, now: Date, carried?: readonly PendingEvent[]) {
      const previous = await replaced(lead.leadId, expectedVersion, now);
      if (expectedVersion !== undefined && !previous) return false;
      const derived = deriveEvents(previous?.lead, lead, destinations, now);
      const counted = counting ? countLeadChange(previous?.lead, derived.lead, now, counting.insight) : { lead: derived.lead, increments: [] };
      const pending = new Map([...(previous?.outbox ?? []), ...(carried ?? []), ...derived.events].map((event) => [event.id, event]));
      const outbox = [...pending.values()];
      if (!(await inner.save(counted.lead, expectedVersion, now, outbox))) return false;
      const savedVersion = (expectedVersion ?? 0) + 1;
      remember({ lead: counted.lead, version: savedVersion, ...(outbox.length ? { outbox } : {}) });
      await Promise.all([outbox.length ? publishSaved(lead.leadId, savedVersion, outbox) : undefined, counting?.counters.add(counted.increments)]);
      return true;
    },
  };
}
