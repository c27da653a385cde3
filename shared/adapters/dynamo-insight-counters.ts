import { randomInt } from 'node:crypto';
import { paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type CounterIncrement, type CounterKind, type CounterRow, type InsightCounters, monthsBetween } from '../domain/insight/counters';
import { batchWriteAll } from './dynamo-batch-write';
import { counterKey, counterPartition, dayTotalsPartition, monthTotalsPartition } from './table-keys';

const firstDay = (month: string) => `${month}-01`;
const DAY_MS = 86_400_000;
const dayAfter = (day: string, days = 1) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
function daysFrom(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = dayAfter(day)) days.push(day);
  return days;
}
function lastDay(month: string): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1, 0);
  return d.toISOString().slice(0, 10);
}

/**
 * Each container writes its own shard of a counter (one of this many items), so containers
 * adding to the same busy counter (a campaign's funnel today) do not queue on one item; DynamoDB
 * takes about 1,000 writes a second per item, and a report adds the shards up.
 */
export const COUNTER_SHARDS = 8;

/** Counts land on the day they are made; a month is final a day after it ends (room for a write in flight at midnight). */
const SETTLED_MS = 86_400_000;

type Item = Record<string, unknown>;

/**
 * Kinds whose dimension values are few and fixed by the configuration (score bands, rule ids): a
 * day's counts of both share one item per shard, each count a number named
 * `n_<code>|<dimension values>|<field>`, so a lead that moves its score band and each rule that
 * scored it writes one item, not one per rule. Short codes keep the item under 1 KB (one write
 * unit) up to about a dozen rules. The funnel (forms × sources × campaigns), the load (every rep)
 * and the speed (14 counts per team) can take many values, and keep an item per counter.
 */
const PACK_CODES: Partial<Record<CounterKind, string>> = { calibration: 'c', rules: 'r' };
const PACK = 'daily';

/** One write: the counts to add to one item (a counter's, or a day's pack), by field. */
interface ItemIncrement {
  kind: string;
  day: string;
  dims: string[];
  fields: Map<string, number>;
}

/** The increments as the writes they make: those of one counter, and those of one day's packed kinds, merged. */
function itemIncrements(increments: readonly CounterIncrement[]): ItemIncrement[] {
  const byItem = new Map<string, ItemIncrement>();
  for (const { kind, day, dims, field, by } of increments) {
    const code = PACK_CODES[kind];
    const id = code ? `${PACK}|${day}` : `${kind}|${day}|${dims.join('|')}`;
    const item = byItem.get(id) ?? { kind: code ? PACK : kind, day, dims: code ? [] : dims, fields: new Map<string, number>() };
    const name = code ? [code, ...dims, field].join('|') : field;
    item.fields.set(name, (item.fields.get(name) ?? 0) + by);
    byItem.set(id, item);
  }
  return [...byItem.values()];
}

const itemTypeOf = (kind: string) => (kind === PACK ? 'counter_pack' : 'counter');

/** The items `add` leaves for the increments, in one shard, had they been the first: a benchmark seeds a table with them. */
export function counterItems(increments: readonly CounterIncrement[], shard: number): Item[] {
  return itemIncrements(increments).map(({ kind, day, dims, fields }) =>
    counterItem(counterKey(kind, day, dims, shard), itemTypeOf(kind), { day, dims, counts: Object.fromEntries(fields) }),
  );
}

/** The rows of one kind a day's pack holds (count names are `n_<code>|<dims>|<field>`; ids never hold a bar). */
function packedRows(kind: CounterKind, item: Item): CounterRow[] {
  const rows = new Map<string, CounterRow>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(`n_${PACK_CODES[kind]}|`)) continue;
    const parts = name.slice(2).split('|');
    const field = parts.pop() as string;
    const dims = parts.slice(1);
    const id = dims.join('|');
    const row = rows.get(id) ?? { kind, day: item.day as string, dims, counts: {} };
    row.counts[field] = Number(value);
    rows.set(id, row);
  }
  return [...rows.values()];
}

/** A counter as an item: its key, type, day, dimension values and each count as an `n_<field>` number. */
export function counterItem(
  key: { pk: string; sk: string },
  itemType: 'counter' | 'counter_pack' | 'counter_month' | 'counter_day',
  row: Omit<CounterRow, 'kind'>,
): Item {
  return { ...key, itemType, day: row.day, dims: row.dims, ...Object.fromEntries(Object.entries(row.counts).map(([field, n]) => [`n_${field}`, n])) };
}

function rowOf(kind: CounterKind, item: Item): CounterRow {
  const counts: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) if (name.startsWith('n_')) counts[name.slice(2)] = Number(value);
  return { kind, day: item.day as string, dims: item.dims as string[], counts };
}

/**
 * Counters as small items (per kind, day, dimension values and shard; the packed kinds per day and
 * shard), each field a number moved with ADD: increments of one item in a call are merged into one
 * UpdateItem (1 write unit while the item is under 1 KB).
 * Reading a whole month that is over sums its days once and keeps the totals (one item per
 * dimension values), so a year's report reads about a month of items rather than a year's; in the
 * month still open, each settled day's shards are summed once and kept the same way, so that
 * month costs a report its days' totals and the shards of the last day or two only.
 */
export class DynamoInsightCounters implements InsightCounters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
    private readonly shard: number = randomInt(COUNTER_SHARDS),
  ) {}

  async add(increments: readonly CounterIncrement[]): Promise<void> {
    await Promise.all(itemIncrements(increments).map((increment) => this.addTo(increment)));
  }

  private addTo({ kind, day, dims, fields }: ItemIncrement) {
    const entries = [...fields.entries()];
    return this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: counterKey(kind, day, dims, this.shard),
        UpdateExpression: `SET itemType = :type, #day = :day, dims = :dims ADD ${entries.map((_, i) => `#f${i} :n${i}`).join(', ')}`,
        ExpressionAttributeNames: { '#day': 'day', ...Object.fromEntries(entries.map(([field], i) => [`#f${i}`, `n_${field}`])) },
        ExpressionAttributeValues: {
          ':type': itemTypeOf(kind),
          ':day': day,
          ':dims': dims,
          ...Object.fromEntries(entries.map(([, by], i) => [`:n${i}`, by])),
        },
      }),
    );
  }

  /** Rows of whole months that are over come summed per month (their `day` is the month's first); the rest per day. */
  async read(kind: CounterKind, fromDay: string, toDay: string): Promise<CounterRow[]> {
    // Days before this one are final: a count lands on the day it is made, a write in flight at midnight within a day.
    const settled = new Date(this.now().getTime() - SETTLED_MS).toISOString().slice(0, 10);
    const pages = await Promise.all(
      monthsBetween(fromDay, toDay).map((month) => {
        const whole = fromDay <= firstDay(month) && toDay >= lastDay(month) && lastDay(month) < settled;
        if (whole) return this.monthTotals(kind, month);
        const from = fromDay > firstDay(month) ? fromDay : firstDay(month);
        const to = toDay < lastDay(month) ? toDay : lastDay(month);
        const lastFinal = to < settled ? to : dayAfter(settled, -1);
        if (lastFinal < from) return this.days(kind, month, from, to);
        return Promise.all([this.dayTotals(kind, month, from, lastFinal), lastFinal < to ? this.days(kind, month, dayAfter(lastFinal), to) : []]).then(
          (parts) => parts.flat(),
        );
      }),
    );
    return pages.flat();
  }

  private async query(pk: string, range?: { from: string; to: string }): Promise<Item[]> {
    const items: Item[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: range ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(range ? { ':from': range.from, ':to': range.to } : {}) },
      },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return items;
  }

  private async days(kind: CounterKind, month: string, fromDay: string, toDay: string): Promise<CounterRow[]> {
    const range = { from: fromDay, to: `${toDay}|\uffff` };
    // A packed kind's counts written before it was packed (an item per counter) are read as well.
    const [own, packs] = await Promise.all([
      this.query(counterPartition(kind, month), range),
      PACK_CODES[kind] ? this.query(counterPartition(PACK, month), range) : [],
    ]);
    return [
      ...own.filter((item) => item.itemType === 'counter').map((item) => rowOf(kind, item)),
      ...packs.filter((item) => item.itemType === 'counter_pack').flatMap((item) => packedRows(kind, item)),
    ];
  }

  /** Settled days' totals; the first reader of a day sums its shards and writes them, with a marker saying they are complete. */
  private async dayTotals(kind: CounterKind, month: string, fromDay: string, toDay: string): Promise<CounterRow[]> {
    const partition = dayTotalsPartition(kind, month);
    const kept = await this.query(partition, { from: fromDay, to: `${toDay}|\uffff` });
    const complete = new Set(kept.filter((item) => item.itemType === 'counter_day_marker').map((item) => item.day as string));
    const rows = kept.filter((item) => item.itemType === 'counter_day' && complete.has(item.day as string)).map((item) => rowOf(kind, item));
    const missing = daysFrom(fromDay, toDay).filter((day) => !complete.has(day));
    if (!missing.length) return rows;
    const wanted = new Set(missing);
    const totals = new Map<string, CounterRow>();
    for (const row of await this.days(kind, month, missing[0] as string, missing[missing.length - 1] as string)) {
      if (!wanted.has(row.day)) continue;
      const id = `${row.day}|${row.dims.join('|')}`;
      const total = totals.get(id) ?? { kind, day: row.day, dims: row.dims, counts: {} };
      for (const [field, n] of Object.entries(row.counts)) total.counts[field] = (total.counts[field] ?? 0) + n;
      totals.set(id, total);
    }
    await batchWriteAll(
      this.db,
      this.tableName,
      [...totals.entries()].map(([id, row]) => ({ PutRequest: { Item: counterItem({ pk: partition, sk: id }, 'counter_day', row) } })),
    );
    // Each day's marker (keyed by the day alone, which no total's key is) goes after all totals, so
    // a reader finds it only with the day's totals written.
    await batchWriteAll(
      this.db,
      this.tableName,
      missing.map((day) => ({ PutRequest: { Item: { pk: partition, sk: day, itemType: 'counter_day_marker', day } } })),
    );
    return [...rows, ...totals.values()];
  }

  /** The month's totals; the first reader sums its days and writes them, with a marker saying they are complete. */
  private async monthTotals(kind: CounterKind, month: string): Promise<CounterRow[]> {
    const kept = await this.query(monthTotalsPartition(kind, month));
    if (kept.some((item) => item.sk === '~complete')) return kept.filter((item) => item.itemType === 'counter_month').map((item) => rowOf(kind, item));
    const totals = new Map<string, CounterRow>();
    for (const row of await this.days(kind, month, firstDay(month), lastDay(month))) {
      const id = row.dims.join('|');
      const total = totals.get(id) ?? { kind, day: firstDay(month), dims: row.dims, counts: {} };
      for (const [field, n] of Object.entries(row.counts)) total.counts[field] = (total.counts[field] ?? 0) + n;
      totals.set(id, total);
    }
    const items = [...totals.values()].map((row) => counterItem({ pk: monthTotalsPartition(kind, month), sk: row.dims.join('|') }, 'counter_month', row));
    // The marker goes last, so a reader finds it only with every total written (a repeat writes the same values).
    await batchWriteAll(
      this.db,
      this.tableName,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
    await batchWriteAll(this.db, this.tableName, [
      { PutRequest: { Item: { pk: monthTotalsPartition(kind, month), sk: '~complete', itemType: 'counter_month_marker' } } },
    ]);
    return [...totals.values()];
  }
}
