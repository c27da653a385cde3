/**
 * The single table (design §4): its keys, TTL attribute, sparse indexes and key layout. Only this
 * file spells them; infra/topology.ts builds the table from TABLE_SCHEMA, the adapters key items
 * with the functions below.
 */
import { claimOfSubmissionId } from '../domain/capture/submission-id';

/** A sparse keys-only index: an item is in it while it carries both attributes. */
export interface SparseIndex {
  name: string;
  partitionKey: string;
  sortKey: string;
  sortKeyType: 'N';
  /** The one partition value every item in the index has (the index is read by due time). */
  partition: string;
}

const sparseIndex = (name: string, attribute: string, partition: string): SparseIndex => ({
  name,
  partitionKey: `${attribute}Partition`,
  sortKey: `${attribute}Due`,
  sortKeyType: 'N',
  partition,
});

/** Assignments awaiting the SLA sweep; leads with a nurture step due; submissions the routing consumer has not finished. */
export const INDEXES = {
  sla: sparseIndex('bySlaDue', 'sla', 'SLA'),
  nurture: sparseIndex('byNurtureDue', 'nurture', 'NURTURE'),
  routing: sparseIndex('byRoutingDue', 'routing', 'ROUTING'),
} as const;

export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: Object.values(INDEXES),
} as const;

/**
 * Items whose destination events are not yet published (a lead's outbox, an erasure's notices)
 * wait in the routing index under a partition of their own, due a grace period after the write.
 */
export const OUTBOX_PARTITION = 'OUTBOX';

/** Erasure notices owed to the recipients of an erased lead: no personal data, keyed by the receipt. */
export const erasureNoticesKey = (receiptId: string) => ({ pk: `ERASURE#${receiptId}`, sk: 'NOTICES' });

/** The privacy budget ledger of one reporting period (private report releases, issue 13). */
export const budgetKey = (period: string) => ({ pk: `BUDGET#${period}`, sk: 'LEDGER' });

/**
 * A report counter (issue 13): one partition per kind and month, sorted by day then dimension
 * values, so a report reads a month per query; a shard suffix spreads a busy counter's writes
 * over a few items (a report adds them up). Dimension values never hold personal data.
 */
export const counterKey = (kind: string, day: string, dims: readonly string[], shard = 0) => ({
  pk: counterPartition(kind, day.slice(0, 7)),
  sk: `${day}|${dims.join('|')}${shard ? `|~${shard}` : ''}`,
});
export const counterPartition = (kind: string, month: string) => `INSIGHT#${kind}#${month}`;
/** A closed month's counters summed per dimension values, written by the first report that reads it. */
export const monthTotalsPartition = (kind: string, month: string) => `INSIGHT-MONTH#${kind}#${month}`;
/** A settled day's counters (of a month not yet over) summed over their shards, written by the first report that reads the day. */
export const dayTotalsPartition = (kind: string, month: string) => `INSIGHT-DAY#${kind}#${month}`;

/** What was delivered to a destination, by time (the `deliveries list` log). */
export const deliveryLogKey = (destinationId: string, at: string, deliveryId: string) => ({ pk: `DELIVERIES#${destinationId}`, sk: `${at}#${deliveryId}` });

/** Held submissions wait in the routing index under a partition of their own, by the time they were held (for the review digest). */
export const REVIEW_PARTITION = 'REVIEW';

/** A sparse index's attributes for an item due at `due` (none: the item leaves the index). */
export function sparseIndexAttributes(index: SparseIndex, due: Date | undefined): Record<string, string | number> {
  return due ? { [index.partitionKey]: index.partition, [index.sortKey]: Math.floor(due.getTime() / 1000) } : {};
}

/** The stored item without its keys and index attributes. */
export function withoutKeys(item: Record<string, unknown>, ...indexes: SparseIndex[]): Record<string, unknown> {
  const { pk: _pk, sk: _sk, itemType: _type, ...rest } = item;
  for (const index of indexes) {
    delete rest[index.partitionKey];
    delete rest[index.sortKey];
  }
  return rest;
}

const LEAD = 'LEAD#';
export const leadKey = (leadId: string) => ({ pk: `${LEAD}${leadId}`, sk: 'LEAD' });
export const leadIdOfKey = (pk: string) => pk.slice(LEAD.length);

export const SUBMISSION_PREFIX = 'SUB#';
/** A submission is keyed by its claim, which its id names: a retry with the same claim finds it. */
export const submissionKey = (leadId: string, submissionId: string) => ({
  pk: `${LEAD}${leadId}`,
  sk: `${SUBMISSION_PREFIX}${claimOfSubmissionId(submissionId)}`,
});

export const EVENT_PREFIX = 'EVENT#';
export const eventKey = (leadId: string, at: string, id: string) => ({ pk: `${LEAD}${leadId}`, sk: `${EVENT_PREFIX}${at}#${id}` });

/** What kind of item a key is (LEAD, SUB, EVENT, CLAIM, RATE, ROTATION, ...): items of a person's partition by their sort key. */
export const itemKindOf = (pk: string, sk: string): string => (pk.startsWith(LEAD) ? sk.split('#')[0] : pk.split('#')[0]) || 'other';

/** Counters of one key (a client IP's HMAC, an address's) in one fixed window. */
export const rateKey = (key: string, window: number) => ({ pk: `RATE#${key}`, sk: String(window) });

export const suppressionKey = (leadId: string) => ({ pk: `SUPPRESS#${leadId}`, sk: 'SUPPRESS' });

const ROTATION = (teamId: string) => `ROTATION#${teamId}`;
export const rotationCounterKey = (teamId: string) => ({ pk: ROTATION(teamId), sk: 'COUNTER' });
export const capacityKey = (teamId: string, repTag: string, day: string) => ({ pk: `CAPACITY#${teamId}#${repTag}`, sk: day });

/** When the last review digest of held submissions went out. */
export const reviewDigestKey = () => ({ pk: 'DIGEST#review', sk: 'DIGEST' });

/** How far a scheduled job's runs have covered (the nurture tick's due times). */
export const scheduleRunKey = (job: string) => ({ pk: `SCHEDULE#${job}`, sk: 'RUN' });

export const privacyRequestKey = (requestId: string) => ({ pk: `PRIVACYREQ#${requestId}`, sk: 'REQUEST' });

/** Mail to unconfirmed addresses: sent and bounced per bucket of the breaker's window, and the breaker. */
const UNVERIFIED_MAIL = 'MAILSTATS#unverified';
export const unverifiedMailBucketKey = (bucketEpoch: number) => ({ pk: UNVERIFIED_MAIL, sk: `B#${String(bucketEpoch).padStart(12, '0')}` });
export const unverifiedMailBreakerKey = () => ({ pk: UNVERIFIED_MAIL, sk: 'BREAKER' });
