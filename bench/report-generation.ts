import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../shared/adapters/dynamo-batch-write';
import { startLocalRuntime } from '../infra/local/runtime';
import { DynamoBudgetLedger } from '../shared/adapters/dynamo-budget-ledger';
import { COUNTER_SHARDS, counterItems, DynamoInsightCounters } from '../shared/adapters/dynamo-insight-counters';
import { loadConfigFile } from '../shared/config/load';
import { COUNTERS, type CounterIncrement, type CounterKind, type CounterRow, SCORE_BANDS } from '../shared/domain/insight/counters';
import { buildReport, REPORT_NAMES, type ReportRequest } from '../shared/domain/insight/reports';
import { cryptoIntegers } from '../shared/domain/insight/secure-random';
import { reportPage } from '../shared/http/report-page';

const FORMS = 50;
const CAMPAIGNS = 200;
const SOURCES = 10;
const TEAMS = 5;
const REPS_PER_TEAM = 4;
const RULES = 10;

type SeedRow = CounterRow & { shard: number };

/**
 * A year of counters as the pipeline would leave them: every campaign active every day, on its
 * form and source; in the month still open, every counter in all its shards (as busy counters
 * are), in the months before, one item each (as their kept totals are read).
 */
function yearOfCounters(from: Date, to: Date): SeedRow[] {
  const rows: SeedRow[] = [];
  const openMonth = to.toISOString().slice(0, 7);
  const counts = (kind: CounterKind, seed: number) =>
    Object.fromEntries((COUNTERS[kind].fields as readonly string[]).map((field, i) => [field, (seed * 7 + i * 13) % 50]));
  for (let d = 0; d < 365; d++) {
    const day = new Date(from.getTime() + d * 86_400_000).toISOString().slice(0, 10);
    const shards = day.startsWith(openMonth) ? COUNTER_SHARDS : 1;
    const add = (row: CounterRow) => {
      for (let shard = 0; shard < shards; shard++) rows.push({ ...row, shard });
    };
    for (let c = 0; c < CAMPAIGNS; c++) {
      add({ kind: 'funnel', day, dims: [`form-${c % FORMS}`, `source-${c % SOURCES}`, `campaign-${c}`], counts: counts('funnel', d + c) });
    }
    for (let t = 0; t < TEAMS; t++) {
      add({ kind: 'speed', day, dims: [`team-${t}`], counts: counts('speed', d + t) });
      for (let r = 0; r < REPS_PER_TEAM; r++) add({ kind: 'load', day, dims: [`team-${t}`, `rep-${t}-${r}@example.com`], counts: counts('load', d + r) });
    }
    for (const band of SCORE_BANDS) add({ kind: 'calibration', day, dims: [band], counts: counts('calibration', d) });
    for (let r = 0; r < RULES; r++) add({ kind: 'rules', day, dims: [`rule-${r}`], counts: counts('rules', d + r) });
  }
  return rows;
}

/** Writes the rows in the adapter's item shapes (BatchWriteItem, eight calls at a time). */
function seed(db: DynamoDBDocumentClient, tableName: string, rows: SeedRow[]): Promise<void> {
  const byShard = new Map<number, CounterIncrement[]>();
  for (const { kind, day, dims, counts, shard } of rows) {
    const increments = byShard.get(shard) ?? [];
    for (const [field, by] of Object.entries(counts)) increments.push({ kind, day, dims, field, by });
    byShard.set(shard, increments);
  }
  const items = [...byShard].flatMap(([shard, increments]) => counterItems(increments, shard));
  return batchWriteAll(
    db,
    tableName,
    items.map((Item) => ({ PutRequest: { Item } })),
    8,
  );
}

export interface ReportTiming {
  what: string;
  /** The first report over the year: it sums each month that is over once, and keeps the totals. */
  firstMs: number;
  /** Median of the next three. */
  ms: number;
  counters: number;
}

/**
 * Report generation from a year of daily counters over 50 forms and 200 campaigns, read from the
 * local table (dynalite) through the same adapter the CLI uses: the first run (which keeps each
 * finished month's totals) and the median of three more, each rendered to HTML as well.
 */
export async function reportGeneration(): Promise<{ counters: number; seedMs: number; timings: ReportTiming[] }> {
  const runtime = await startLocalRuntime({
    ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 },
    consumers: false,
    schedules: false,
    log: () => undefined,
  });
  try {
    const to = new Date(Date.UTC(2026, 10, 30));
    const from = new Date(to.getTime() - 364 * 86_400_000);
    const rows = yearOfCounters(from, to);
    let started = performance.now();
    await seed(runtime.db, runtime.tableName, rows);
    const seedMs = performance.now() - started;
    const settings = loadConfigFile();
    const counters = new DynamoInsightCounters(runtime.db, runtime.tableName);
    const ledger = new DynamoBudgetLedger(runtime.db, runtime.tableName);
    const now = new Date();
    const deps = { settings: { ...settings, insight: { ...settings.insight, epsilonPerMonth: 100 } }, counters, ledger, random: cryptoIntegers(), now };
    const range = { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
    const requests: [string, ReportRequest][] = [
      ...REPORT_NAMES.map((name): [string, ReportRequest] => [
        `${name}${name === 'funnel' ? ' by campaign' : ''}`,
        { name, ...range, ...(name === 'funnel' ? { by: 'campaign' as const } : {}) },
      ]),
      ['funnel by campaign, private (epsilon 1)', { name: 'funnel', ...range, by: 'campaign', epsilon: 1 }],
    ];
    const timings: ReportTiming[] = [];
    for (const [what, request] of requests) {
      const runs: number[] = [];
      for (let i = 0; i < 4; i++) {
        started = performance.now();
        const report = await buildReport(deps, request);
        reportPage(report, now);
        runs.push(performance.now() - started);
      }
      const [first, ...again] = runs as [number, ...number[]];
      const kinds = request.name === 'calibration' ? ['calibration', 'rules'] : [request.name];
      timings.push({ what, firstMs: first, ms: again.sort((a, b) => a - b)[1]!, counters: rows.filter((r) => kinds.includes(r.kind)).length });
    }
    return { counters: rows.length, seedMs, timings };
  } finally {
    await runtime.stop();
  }
}
