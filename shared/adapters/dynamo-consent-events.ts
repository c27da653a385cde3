import type { ConsentEvent } from '../domain/core/lead';
import { eventKey, withoutKeys } from './table-keys';

/** What every event of one item shares: its lead (the partition), its time and its submission (the key). */
type SharedFields = 'leadId' | 'at' | 'submissionId';
type GroupedEvent = Omit<ConsentEvent, SharedFields>;

/**
 * The items that hold consent events: one per change (a time and a submission) with the events of
 * every purpose it decided, rather than one per purpose, so a submission deciding two purposes
 * costs one write unit instead of two (a single event keeps the item shape it always had). The
 * key names the purposes, so writing the same events
 * again (a retry) replaces the same item, and a different set at the same instant never
 * overwrites another's.
 */
export function consentEventItems(events: readonly ConsentEvent[]): Record<string, unknown>[] {
  const groups = new Map<string, ConsentEvent[]>();
  for (const event of events) {
    const group = `${event.leadId}#${event.at}#${event.submissionId}`;
    groups.set(group, [...(groups.get(group) ?? []), event]);
  }
  return [...groups.values()].map((group) => {
    const { leadId, at, submissionId } = group[0]!;
    if (group.length === 1) return { ...eventKey(leadId, at, `${submissionId}#${group[0]!.purpose}`), itemType: 'consent_event', ...group[0] };
    const purposes = group.map((event) => event.purpose).sort();
    return {
      ...eventKey(leadId, at, `${submissionId}#${purposes.join('+')}`),
      itemType: 'consent_events',
      at,
      submissionId,
      events: group.map(({ leadId: _lead, at: _at, submissionId: _submission, ...rest }): GroupedEvent => rest),
    };
  });
}

/** The events an item holds: a grouped item's, or the one event of an item written before grouping. */
export function consentEventsOf(item: Record<string, unknown>, leadId: string): ConsentEvent[] {
  if (item.itemType !== 'consent_events') return [withoutKeys(item) as unknown as ConsentEvent];
  const { at, submissionId } = item as { at: string; submissionId: string };
  // In the order the event was written in, so an export reads the same whichever item held it.
  return (item.events as GroupedEvent[]).map(({ type, purpose, formId, ...rest }) => ({ type, leadId, purpose, at, formId, submissionId, ...rest }));
}
