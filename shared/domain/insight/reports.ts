import type { LeadgateSettings } from '../core/settings';
import { monthlySensitivity } from './count-lead-change';
import { COUNTERS, type CounterKind, type CounterRow, FUNNEL_STAGES, type InsightCounters, monthsBetween, SCORE_BANDS, SPEED_BUCKETS } from './counters';
import { type BudgetLedger, spendPrivacyBudgetInEvery } from './privacy-budget';
import { privateCount } from './private-counts';
import type { IntegerSource } from './secure-random';

export const REPORT_NAMES = ['funnel', 'speed', 'load', 'calibration'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];
export const GROUPINGS = { funnel: ['form', 'source', 'campaign'], speed: ['team'], load: ['team'], calibration: [] } as const satisfies Record<
  ReportName,
  readonly string[]
>;
export type Grouping = 'form' | 'source' | 'campaign' | 'team';

export type Cell = number | string;
export interface ReportTable {
  id: string;
  title: string;
  /** The label column's heading, then one per value. */
  columns: string[];
  rows: { label: string; values: Cell[] }[];
}

export type ReportPrivacy = { private: false } | { private: true; epsilon: number; sensitivity: number; months: string[]; withheld: string[] };

export interface Report {
  name: ReportName;
  title: string;
  from: string;
  to: string;
  by?: Grouping | undefined;
  tables: ReportTable[];
  privacy: ReportPrivacy;
}

export interface ReportRequest {
  name: ReportName;
  from: string;
  to: string;
  by?: Grouping | undefined;
  /** Release with differential privacy at this epsilon, spending it from every month's budget. */
  epsilon?: number | undefined;
}

export interface ReportDeps {
  settings: Pick<LeadgateSettings, 'insight' | 'routing' | 'scoring'>;
  counters: InsightCounters;
  ledger: BudgetLedger;
  random: IntegerSource;
  now: Date;
}

export class ReportRequestError extends Error {
  override name = 'ReportRequestError';
}

const KINDS: Record<ReportName, CounterKind[]> = { funnel: ['funnel'], speed: ['speed'], load: ['load'], calibration: ['calibration', 'rules'] };
const TITLES: Record<ReportName, string> = {
  funnel: 'Funnel',
  speed: 'Speed to lead',
  load: 'Rep load',
  calibration: 'Score calibration',
};
/** Moved by whoever posts to a form, without bound per person: never in a private release. */
const WITHHELD_WHEN_PRIVATE = ['rejected'];

/** Sums rows into one table: a row per group (the dimension named, or all), a value per field. */
function sumBy(rows: readonly CounterRow[], group: (row: CounterRow) => string, fields: readonly string[]) {
  const sums = new Map<string, number[]>();
  for (const row of rows) {
    const label = group(row);
    const values = sums.get(label) ?? fields.map(() => 0);
    fields.forEach((field, i) => {
      values[i] = (values[i] as number) + (row.counts[field] ?? 0);
    });
    sums.set(label, values);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, values]) => ({ label, values }));
}

const dimension = (kind: CounterKind, name: string) => (row: CounterRow) =>
  row.dims[(COUNTERS[kind].dimensions as readonly string[]).indexOf(name)] ?? 'unknown';

/** The days a report covers: as asked, else the 30 days up to `to` (by default today). */
export function reportRange(now: Date, from?: string, to?: string): { from: string; to: string } {
  const last = to ?? now.toISOString().slice(0, 10);
  const first = from ?? (Number.isNaN(Date.parse(last)) ? last : new Date(Date.parse(last) - 29 * 86_400_000).toISOString().slice(0, 10));
  return { from: first, to: last };
}

/** The days of a report: ISO dates, `from` not after `to`, at most about three years. */
export function checkRange(from: string, to: string): void {
  for (const day of [from, to]) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new ReportRequestError(`"${day}" is not a date (YYYY-MM-DD)`);
  }
  if (from > to) throw new ReportRequestError(`--from ${from} is after --to ${to}`);
  if (Date.parse(to) - Date.parse(from) > 1100 * 86_400_000) throw new ReportRequestError('a report covers at most three years');
}

const rate = (part: number, whole: number): string => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : '–');

/** The bucket (its label) by which `share` of the counts have arrived. */
function percentile(counts: readonly number[], share: number): string {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return '–';
  let seen = 0;
  for (const [i, n] of counts.entries()) {
    seen += n;
    if (seen >= share * total) return SPEED_BUCKETS[i]?.label ?? '–';
  }
  return '–';
}

type Noise = (count: number) => number;

function funnelTables(rows: CounterRow[], by: Grouping | undefined, noise: Noise, withheld: readonly string[]): ReportTable[] {
  const stages = FUNNEL_STAGES.filter((s) => !withheld.includes(s));
  const grouped = sumBy(rows, by ? dimension('funnel', by) : () => 'all', stages);
  return [
    {
      id: 'funnel',
      title: by ? `Funnel by ${by}` : 'Funnel',
      columns: [by ?? 'all', ...stages.map((s) => s.replaceAll('_', ' '))],
      rows: grouped.map(({ label, values }) => ({ label, values: values.map(noise) })),
    },
  ];
}

function speedTables(rows: CounterRow[], noise: Noise): ReportTable[] {
  return (['email', 'accept'] as const).map((stage) => {
    const fields = SPEED_BUCKETS.map((b) => `to_${stage}_${b.id}`);
    const grouped = sumBy(rows, dimension('speed', 'team'), fields);
    return {
      id: `to_${stage}`,
      title: stage === 'email' ? 'Submission → assignment email' : 'Assignment → acceptance',
      columns: ['team', ...SPEED_BUCKETS.map((b) => b.label), 'median', '90th percentile'],
      rows: grouped.map(({ label, values }) => {
        const counts = values.map(noise);
        return { label, values: [...counts, percentile(counts, 0.5), percentile(counts, 0.9)] };
      }),
    };
  });
}

function loadTables(rows: CounterRow[], noise: Noise): ReportTable[] {
  const grouped = sumBy(rows, (row) => `${row.dims[0]} / ${row.dims[1]}`, COUNTERS.load.fields);
  return [
    {
      id: 'load',
      title: 'Rep load',
      columns: ['team / rep', 'assigned', 'accepted', 'reassigned away', 'acceptance rate'],
      rows: grouped.map(({ label, values }) => {
        const [assigned, accepted, away] = values.map(noise) as [number, number, number];
        return { label, values: [assigned, accepted, away, rate(accepted, assigned)] };
      }),
    },
  ];
}

function calibrationTables(rows: CounterRow[], noise: Noise): ReportTable[] {
  const table = (kind: 'calibration' | 'rules', title: string, heading: string, order?: readonly string[]): ReportTable => {
    const grouped = sumBy(
      rows.filter((r) => r.kind === kind),
      (row) => row.dims[0] ?? 'unknown',
      COUNTERS[kind].fields,
    );
    const all = order ? order.map((label) => grouped.find((g) => g.label === label) ?? { label, values: [0, 0] }) : grouped;
    return {
      id: kind,
      title,
      columns: [heading, 'assigned', 'accepted', 'acceptance rate'],
      rows: all.map(({ label, values }) => {
        const [assigned, accepted] = values.map(noise) as [number, number];
        return { label, values: [assigned, accepted, rate(accepted, assigned)] };
      }),
    };
  };
  return [table('calibration', 'Acceptance by score band', 'score band', SCORE_BANDS), table('rules', 'Acceptance by scoring rule', 'rule')];
}

const repCount = (settings: ReportDeps['settings']) => Object.values(settings.routing.teams).reduce((n, team) => n + Object.keys(team.reps).length, 0);

/** What one person can change in this report over its months: the noise's scale is this over epsilon. */
export function reportSensitivity(name: ReportName, settings: ReportDeps['settings'], months: number): number {
  const reps = repCount(settings);
  const rules = settings.scoring.rules.length;
  return months * KINDS[name].reduce((sum, kind) => sum + monthlySensitivity(kind, settings.insight, reps, rules), 0);
}

/**
 * A report from the counters. With `epsilon`, every count is released with discrete Laplace
 * noise sized to what one person can change, after spending epsilon from the privacy budget of
 * every month it covers (refused, with nothing released, if any month's budget would be passed).
 */
export async function buildReport(deps: ReportDeps, request: ReportRequest): Promise<Report> {
  const { name, from, to, by, epsilon } = request;
  checkRange(from, to);
  if (by && !(GROUPINGS[name] as readonly string[]).includes(by)) {
    throw new ReportRequestError(`the ${name} report groups by ${GROUPINGS[name].join(' or ') || 'nothing'}, not ${by}`);
  }
  const rows = (await Promise.all(KINDS[name].map((kind) => deps.counters.read(kind, from, to)))).flat();
  let privacy: ReportPrivacy = { private: false };
  let noise: Noise = (count) => count;
  if (epsilon !== undefined) {
    const months = monthsBetween(from, to);
    const sensitivity = reportSensitivity(name, deps.settings, months.length);
    const what = `${name} ${from}..${to}${by ? ` by ${by}` : ''} (sensitivity ${sensitivity})`;
    await spendPrivacyBudgetInEvery(deps.ledger, months, deps.settings.insight.epsilonPerMonth, epsilon, what, deps.now);
    privacy = { private: true, epsilon, sensitivity, months, withheld: name === 'funnel' ? WITHHELD_WHEN_PRIVATE : [] };
    noise = (count) => privateCount(count, epsilon, sensitivity, deps.random);
  }
  const withheld = privacy.private ? privacy.withheld : [];
  const tables =
    name === 'funnel'
      ? funnelTables(rows, by, noise, withheld)
      : name === 'speed'
        ? speedTables(rows, noise)
        : name === 'load'
          ? loadTables(rows, noise)
          : calibrationTables(rows, noise);
  return { name, title: TITLES[name], from, to, by, tables, privacy };
}
