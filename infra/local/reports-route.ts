import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoBudgetLedger } from '../../shared/adapters/dynamo-budget-ledger';
import { DynamoInsightCounters } from '../../shared/adapters/dynamo-insight-counters';
import type { LeadgateSettings } from '../../shared/domain/core/settings';
import { buildReport, type Grouping, REPORT_NAMES, ReportRequestError, reportRange } from '../../shared/domain/insight/reports';
import { cryptoIntegers } from '../../shared/domain/insight/secure-random';
import { html } from '../../shared/email/html';
import { messagePage } from '../../shared/http/html';
import { reportPage } from '../../shared/http/report-page';
import type { LocalRoute } from './http-gateway';

/**
 * GET /_local/reports/{funnel|speed|load|calibration}[?from=&to=&by=] on the local runtime: the
 * operators' (exact) report, live from the counters, the same page `leadgate report --format html` writes.
 */
export function reportRoutes(settings: LeadgateSettings, db: DynamoDBDocumentClient, tableName: string, now: () => Date): LocalRoute[] {
  const counters = new DynamoInsightCounters(db, tableName, now);
  const ledger = new DynamoBudgetLedger(db, tableName);
  const nav = html`<nav><a href="/">Leadgate (local)</a> · reports: ${REPORT_NAMES.map((name, i) => html`${i ? ' · ' : ''}<a href="/_local/reports/${name}">${name}</a>`)}</nav>`;
  return REPORT_NAMES.map((name) => ({
    method: 'GET',
    path: `/_local/reports/${name}`,
    async handle(request) {
      const query = new URL(request.url ?? '/', 'http://local').searchParams;
      const at = now();
      const { from, to } = reportRange(at, query.get('from') ?? undefined, query.get('to') ?? undefined);
      const by = (query.get('by') ?? undefined) as Grouping | undefined;
      try {
        const report = await buildReport({ settings, counters, ledger, random: cryptoIntegers(), now: at }, { name, from, to, by });
        return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: reportPage(report, at, nav) };
      } catch (error) {
        if (!(error instanceof ReportRequestError)) throw error;
        return { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' }, body: messagePage('Report not available', error.message) };
      }
    },
  }));
}
