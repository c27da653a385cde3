import { writeFileSync } from 'node:fs';
import { DynamoBudgetLedger } from '../../shared/adapters/dynamo-budget-ledger';
import { DynamoInsightCounters } from '../../shared/adapters/dynamo-insight-counters';
import { cryptoIntegers } from '../../shared/domain/insight/secure-random';
import { buildReport, type Grouping, REPORT_NAMES, type ReportName, ReportRequestError, reportRange } from '../../shared/domain/insight/reports';
import { reportPage } from '../../shared/http/report-page';
import { reportCsv, reportText } from '../report-format';
import { type Command, type CommandContext, UsageError } from '../command';
import type { Connection } from '../connection';

const FORMATS = ['table', 'csv', 'html'] as const;

/** The report's options; the range and grouping are checked by buildReport, before anything is read or spent. */
function requestOf(context: CommandContext, now: Date) {
  const [name, ...extra] = context.args;
  if (!REPORT_NAMES.includes(name as ReportName) || extra.length) throw new UsageError(`report takes one of ${REPORT_NAMES.join(', ')}`);
  const { from, to, by, format = 'table', epsilon } = context.options;
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) throw new UsageError(`--format is ${FORMATS.join(', ')}`);
  if (context.options.private !== (epsilon !== undefined)) throw new UsageError('a private report takes --private and --epsilon E together');
  const eps = epsilon === undefined ? undefined : Number(epsilon);
  if (eps !== undefined && !(eps > 0 && eps <= 100)) throw new UsageError('--epsilon is a number above 0, at most 100 (1 is a common choice)');
  return { request: { name: name as ReportName, ...reportRange(now, from, to), by: by as Grouping | undefined, epsilon: eps }, format };
}

const stores = (connection: Connection) => ({
  counters: new DynamoInsightCounters(connection.db, connection.tableName, () => connection.clock.now()),
  ledger: new DynamoBudgetLedger(connection.db, connection.tableName),
});

export const reportCommands: Command[] = [
  {
    name: 'report budget',
    usage: '--month YYYY-MM',
    summary: "a month's privacy budget: every private release, when, and what it spent",
    async run(context) {
      const month = context.options.month ?? '';
      if (!/^\d{4}-\d{2}$/.test(month)) throw new UsageError('report budget takes --month YYYY-MM');
      const { ledger } = stores(await context.connection());
      const { spentMicro, releases } = await ledger.ledger(month);
      const budget = context.settings().insight.epsilonPerMonth;
      const lines = releases.map((r) => `${r.at}  epsilon ${r.microEpsilon / 1_000_000}  ${r.what}`);
      context.print(
        [`Privacy budget ${month}: ${spentMicro / 1_000_000} of ${budget} spent.`, ...(lines.length ? lines : ['No private releases.'])].join('\n'),
        { month, budget, spent: spentMicro / 1_000_000, releases },
      );
      return 0;
    },
  },
  {
    name: 'report',
    usage:
      'funnel|speed|load|calibration [--from DAY --to DAY] [--by form|source|campaign|team] [--format table|csv|html] [--out FILE] [--private --epsilon E]',
    summary: 'a report from the counters (exact, for operators; with --private, noised for sharing and spent from the budget)',
    async run(context) {
      const connection = await context.connection();
      const now = connection.clock.now();
      const { request, format } = requestOf(context, now);
      const report = await buildReport({ settings: context.settings(), ...stores(connection), random: cryptoIntegers(), now }, request).catch(
        (error: unknown) => {
          throw error instanceof ReportRequestError ? new UsageError(error.message) : error;
        },
      );
      const text = format === 'html' ? reportPage(report, now) : format === 'csv' ? reportCsv(report) : reportText(report);
      if (context.options.out) {
        writeFileSync(context.options.out, text);
        context.print(`Wrote the ${report.name} report to ${context.options.out}.`, { out: context.options.out, privacy: report.privacy });
      } else if (context.options.json) context.print('', report);
      else context.io.out(text.endsWith('\n') ? text : `${text}\n`);
      return 0;
    },
  },
];
