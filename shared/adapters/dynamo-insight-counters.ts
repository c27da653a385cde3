import { paginateQuery, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CounterIncrement, CounterKind, CounterRow, InsightCounters } from '../domain/insight/counters';
import { counterKey, counterPartition } from './table-keys';

/** Months from one day's to another's, both included (YYYY-MM). */
export function monthsBetween(fromDay: string, toDay: string): string[] {
  const months: string[] = [];
  let [year, month] = fromDay.slice(0, 7).split('-').map(Number) as [number, number];
  const last = toDay.slice(0, 7);
  for (;;) {
    const current = `${year}-${String(month).padStart(2, '0')}`;
    if (current > last) return months;
    months.push(current);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
}

/**
 * Counters as small items (one per kind, day and dimension values), each field a number moved
 * with ADD: increments of one counter in a call are merged into one UpdateItem (1 write unit).
 */
export class DynamoInsightCounters implements InsightCounters {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(increments: readonly CounterIncrement[]): Promise<void> {
    const byCounter = new Map<string, { kind: string; day: string; dims: string[]; fields: Map<string, number> }>();
    for (const { kind, day, dims, field, by } of increments) {
      const id = `${kind}|${day}|${dims.join('|')}`;
      const counter = byCounter.get(id) ?? { kind, day, dims, fields: new Map<string, number>() };
      counter.fields.set(field, (counter.fields.get(field) ?? 0) + by);
      byCounter.set(id, counter);
    }
    await Promise.all([...byCounter.values()].map((counter) => this.addTo(counter)));
  }

  private addTo({ kind, day, dims, fields }: { kind: string; day: string; dims: string[]; fields: Map<string, number> }) {
    const entries = [...fields.entries()];
    return this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: counterKey(kind, day, dims),
        UpdateExpression: `SET itemType = :type, #day = :day, dims = :dims ADD ${entries.map((_, i) => `#f${i} :n${i}`).join(', ')}`,
        ExpressionAttributeNames: { '#day': 'day', ...Object.fromEntries(entries.map(([field], i) => [`#f${i}`, `n_${field}`])) },
        ExpressionAttributeValues: { ':type': 'counter', ':day': day, ':dims': dims, ...Object.fromEntries(entries.map(([, by], i) => [`:n${i}`, by])) },
      }),
    );
  }

  async read(kind: CounterKind, fromDay: string, toDay: string): Promise<CounterRow[]> {
    const months = monthsBetween(fromDay, toDay);
    const pages = await Promise.all(months.map((month) => this.readMonth(kind, month, fromDay, toDay)));
    return pages.flat();
  }

  private async readMonth(kind: CounterKind, month: string, fromDay: string, toDay: string): Promise<CounterRow[]> {
    const rows: CounterRow[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': counterPartition(kind, month), ':from': fromDay, ':to': `${toDay}|\uffff` },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const counts: Record<string, number> = {};
        for (const [name, value] of Object.entries(item)) if (name.startsWith('n_')) counts[name.slice(2)] = Number(value);
        rows.push({ kind, day: item.day as string, dims: item.dims as string[], counts });
      }
    }
    return rows;
  }
}
