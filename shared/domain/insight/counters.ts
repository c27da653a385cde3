import type { InsightSettings } from '../core/settings';

/**
 * Report counters: numbers per day and a few configured dimensions, never a person. Each kind
 * names its dimensions (in key order) and the fields it counts.
 */
export const SPEED_BUCKETS = [
  { id: '1m', upToSeconds: 60, label: '≤ 1 min' },
  { id: '5m', upToSeconds: 300, label: '≤ 5 min' },
  { id: '15m', upToSeconds: 900, label: '≤ 15 min' },
  { id: '1h', upToSeconds: 3600, label: '≤ 1 h' },
  { id: '4h', upToSeconds: 14_400, label: '≤ 4 h' },
  { id: '1d', upToSeconds: 86_400, label: '≤ 1 day' },
  { id: 'more', upToSeconds: Number.POSITIVE_INFINITY, label: '> 1 day' },
] as const;

export const FUNNEL_STAGES = [
  'submitted',
  'rejected',
  'quarantined',
  'released',
  'routed',
  'assigned',
  'accepted',
  'accepted_within_sla',
  'reassigned',
  'nurture_enrolled',
  'unsubscribed',
  'bounced',
  'complained',
  'erased',
] as const;

export const COUNTERS = {
  funnel: { dimensions: ['form', 'source', 'campaign'], fields: FUNNEL_STAGES },
  speed: {
    dimensions: ['team'],
    fields: [...SPEED_BUCKETS.map((b) => `to_email_${b.id}`), ...SPEED_BUCKETS.map((b) => `to_accept_${b.id}`)],
  },
  load: { dimensions: ['team', 'rep'], fields: ['assigned', 'accepted', 'reassigned_away'] },
  calibration: { dimensions: ['band'], fields: ['assigned', 'accepted'] },
  rules: { dimensions: ['rule'], fields: ['assigned', 'accepted'] },
} as const;

export type CounterKind = keyof typeof COUNTERS;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** One count to add: to which counter (kind, day, dimension values in order), which field, by how much. */
export interface CounterIncrement {
  kind: CounterKind;
  /** YYYY-MM-DD (UTC). */
  day: string;
  dims: string[];
  field: string;
  by: number;
}

/** A counter as stored: its key and every field it has counted. */
export interface CounterRow {
  kind: CounterKind;
  day: string;
  dims: string[];
  counts: Record<string, number>;
}

/**
 * The counters' store. `add` adds each increment to its counter (increments of one counter in
 * one call are merged into one write); counts only ever grow. `read` returns the counters of a
 * kind for the days from `fromDay` to `toDay`, both included.
 */
export interface InsightCounters {
  add(increments: readonly CounterIncrement[]): Promise<void>;
  read(kind: CounterKind, fromDay: string, toDay: string): Promise<CounterRow[]>;
}

export const dayOf = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString()).slice(0, 10);
export const monthOf = (day: string): string => day.slice(0, 7);

/** The months from one day's to another's, both included (YYYY-MM). */
export function monthsBetween(fromDay: string, toDay: string): string[] {
  const months: string[] = [];
  for (let d = new Date(`${monthOf(fromDay)}-01T00:00:00Z`); d.toISOString().slice(0, 7) <= monthOf(toDay); d.setUTCMonth(d.getUTCMonth() + 1)) {
    months.push(d.toISOString().slice(0, 7));
  }
  return months;
}

/** 0-19, 20-39, ..., 80-100. */
export function scoreBand(score: number | undefined): string {
  const low = Math.min(80, Math.floor(Math.max(0, score ?? 0) / 20) * 20);
  return low === 80 ? '80-100' : `${low}-${low + 19}`;
}
export const SCORE_BANDS = ['0-19', '20-39', '40-59', '60-79', '80-100'];

export function speedBucket(seconds: number): string {
  return SPEED_BUCKETS.find((b) => seconds <= b.upToSeconds)?.id ?? 'more';
}

/**
 * An attribution value as a counter may hold it: a configured one (compared lower-case), `none`
 * when absent, else `other`. So no counter key ever carries text a person typed.
 */
export function knownValue(value: string | undefined, known: readonly string[]): string {
  if (value === undefined || value === '') return 'none';
  const lower = value.toLowerCase();
  return known.includes(lower) ? lower : 'other';
}

export function attributionDims(formId: string, attribution: Record<string, string> | undefined, insight: InsightSettings): string[] {
  return [formId, knownValue(attribution?.utm_source, insight.sources), knownValue(attribution?.utm_campaign, insight.campaigns)];
}

/**
 * Counters whose failures are reported and swallowed: a count is never worth failing the work it
 * counts, whose retry would change nothing and so count nothing.
 */
export function bestEffortCounters(inner: InsightCounters, onFailure: (error: unknown, increments: number) => void): InsightCounters {
  return {
    async add(increments) {
      if (increments.length === 0) return;
      try {
        await inner.add(increments);
      } catch (error) {
        onFailure(error, increments.length);
      }
    },
    read: (kind, fromDay, toDay) => inner.read(kind, fromDay, toDay),
  };
}

/**
 * Counters that gather the increments added within `windowMs` into one `add` (one write per
 * counter they move). Every caller waits for the write its increments went out in.
 */
export function coalescingCounters(inner: InsightCounters, windowMs: number): InsightCounters {
  let pending: CounterIncrement[] = [];
  let flush: Promise<void> | undefined;
  return {
    add(increments) {
      if (increments.length === 0) return Promise.resolve();
      pending.push(...increments);
      flush ??= new Promise((resolve) => setTimeout(resolve, windowMs)).then(() => {
        const batch = pending;
        pending = [];
        flush = undefined;
        return inner.add(batch);
      });
      return flush;
    },
    read: (kind, fromDay, toDay) => inner.read(kind, fromDay, toDay),
  };
}

/** Counters whose increments wait for `flush`, the end of the unit of work they were made in. */
export interface BatchedCounters extends InsightCounters {
  /** Writes every increment added since the last flush, as one `add`. */
  flush(): Promise<void>;
}

/**
 * Counters for a queue consumer: the increments of a whole batch, whose records run in parallel
 * and mostly move the same few counters, go out together when the batch ends (the batch handler
 * calls `flush`), one write per counter they move; `add` returns at once. Should no flush come
 * within `fallbackMs`, they go out then. `inner` must not fail (wrap it in bestEffortCounters): by
 * the time it writes, the work that was counted has long returned.
 */
export function batchedCounters(inner: InsightCounters, fallbackMs: number): BatchedCounters {
  let pending: CounterIncrement[] = [];
  let fallback: ReturnType<typeof setTimeout> | undefined;
  const flush = async () => {
    clearTimeout(fallback);
    fallback = undefined;
    const batch = pending;
    pending = [];
    if (batch.length) await inner.add(batch);
  };
  return {
    add(increments) {
      if (increments.length === 0) return Promise.resolve();
      pending.push(...increments);
      fallback ??= setTimeout(() => void flush(), fallbackMs);
      return Promise.resolve();
    },
    flush,
    read: (kind, fromDay, toDay) => inner.read(kind, fromDay, toDay),
  };
}
