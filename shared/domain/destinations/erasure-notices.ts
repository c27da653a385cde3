import type { Lead } from '../core/lead';
import type { DestinationSettings } from '../core/settings';
import type { NoticeState } from './deliver';
import { eventId, type PendingEvent } from './pending-event';

/** One recipient's line on an erasure receipt, and later in `leadgate erasures show`. */
export interface RecipientNotice {
  destination: string;
  type: DestinationSettings['type'];
  /** When the lead's data first went there, and which fields. */
  since: string;
  fields: string[];
  notice: NoticeState;
  at: string;
  reason?: string;
}

export interface ErasureNoticeRecord {
  receiptId: string;
  erasedAt: string;
  notices: RecipientNotice[];
}

export interface ErasureNoticeStore {
  /** Records the notices owed, with their events as an outbox (the sweep publishes it if we cannot), before anything is erased. */
  create(record: ErasureNoticeRecord, outbox: readonly PendingEvent[], now: Date): Promise<void>;
  /** The outbox was published: pending notices become `sent`, and the outbox (with any address it held) is removed. */
  markSent(receiptId: string, at: Date): Promise<void>;
  get(receiptId: string): Promise<(ErasureNoticeRecord & { outbox?: PendingEvent[] }) | undefined>;
}

/**
 * The notices an erasure owes: `lead.erased` to every webhook and CRM the lead's data went to
 * (a CRM also gets the address to delete by, as the lead will be gone); a chat channel's
 * messages cannot be recalled through its webhook and, by default, named nobody: `none_needed`.
 */
export function planErasureNotices(
  lead: Lead,
  destinations: Record<string, DestinationSettings>,
  receiptId: string,
  now: Date,
): { record: ErasureNoticeRecord; events: PendingEvent[] } {
  const at = now.toISOString();
  const notices: RecipientNotice[] = [];
  const events: PendingEvent[] = [];
  for (const [id, recipient] of Object.entries(lead.recipients ?? {})) {
    const destination = destinations[id];
    if (!destination) continue;
    const notice = destination.type === 'slack' ? 'none_needed' : 'pending';
    notices.push({ destination: id, type: destination.type, since: recipient.since, fields: recipient.fields, notice, at });
    if (notice === 'none_needed') continue;
    events.push({
      id: eventId(lead.leadId, 'lead.erased', `${receiptId}/${id}`),
      type: 'lead.erased',
      occurredAt: at,
      leadId: lead.leadId,
      destinations: [id],
      facts: { receiptId },
      ...(destination.type === 'hubspot' ? { contact: { email: lead.email } } : {}),
    });
  }
  return { record: { receiptId, erasedAt: at, notices }, events };
}
