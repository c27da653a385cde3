import { type Html, html, trusted } from '../email/html';
import { SPEED_BUCKETS } from '../domain/insight/counters';
import type { Report, ReportTable } from '../domain/insight/reports';
import { page } from './html';

const STYLE = trusted(
  '<style>body{max-width:64rem}table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th:first-child,td:first-child{text-align:left}.lg-mark{padding:.5rem 1rem;border-left:4px solid #b35c00;background:#fff4e5}.lg-mark.lg-private{border-color:#2b7a3d;background:#eef8f0}svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#1a1a1a}</style>',
);
const PALETTE = ['#1b5e9b', '#2f83c7', '#6aaee0', '#a6d0f0', '#f2b36f', '#e07b39', '#b34700'];

/** What a reader must know before anything else: exact counts for operators, or a private release and its epsilon. */
export function privacyMark(report: Report): string {
  if (!report.privacy.private) return 'NOT PRIVATE: exact counts for operators. Do not share outside the team that runs Leadgate.';
  const { epsilon, sensitivity, withheld } = report.privacy;
  return `Private release (differential privacy, epsilon ${epsilon}, sensitivity ${sensitivity}): every count has random noise added, so no one person's presence can be told from it; small numbers are not reliable.${withheld.length ? ` Not released: ${withheld.join(', ')}.` : ''}`;
}

const numeric = (cell: number | string): number => (typeof cell === 'number' ? cell : 0);

/** Horizontal bars, one per row, scaled to `scale` (default: the largest), labelled with their value. */
function barChart(title: string, bars: { label: string; value: number; text?: string }[], scale?: number): Html {
  const rowHeight = 24;
  const labelWidth = 200;
  const width = 720;
  const max = scale ?? Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * rowHeight + 10;
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return html`<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title id="${id}">${title}</title>${bars.map(
    (bar, i) => {
      const y = i * rowHeight + 5;
      const w = Math.round(((width - labelWidth - 80) * bar.value) / max);
      return html`<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${bar.label}</text><rect x="${labelWidth}" y="${y + 3}" width="${w}" height="${rowHeight - 8}" fill="${PALETTE[0]}"></rect><text x="${labelWidth + w + 6}" y="${y + 16}">${bar.text ?? String(bar.value)}</text>`;
    },
  )}</svg><figcaption>${title}</figcaption></figure>`;
}

/** One stacked bar per row: the share of counts in each speed bucket, with a legend. */
function bucketChart(table: ReportTable): Html {
  const rowHeight = 26;
  const labelWidth = 160;
  const width = 720;
  const barWidth = width - labelWidth - 20;
  const height = table.rows.length * rowHeight + 40;
  const id = `chart-${table.id}`;
  const legend = SPEED_BUCKETS.map(
    (b, i) =>
      html`<rect x="${labelWidth + i * 78}" y="${height - 22}" width="12" height="12" fill="${PALETTE[i]}"></rect><text x="${labelWidth + i * 78 + 16}" y="${height - 12}">${b.label}</text>`,
  );
  return html`<figure><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><title id="${id}">${table.title}: share of leads in each time bucket, per team</title>${table.rows.map(
    (row, r) => {
      const counts = row.values.slice(0, SPEED_BUCKETS.length).map(numeric);
      const total = counts.reduce((a, b) => a + b, 0);
      const y = r * rowHeight + 5;
      let x = labelWidth;
      const parts = counts.map((n, i) => {
        const w = total ? (barWidth * n) / total : 0;
        const part = html`<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${PALETTE[i]}"></rect>`;
        x += w;
        return part;
      });
      return html`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${row.label}</text>${parts}`;
    },
  )}${legend}</svg><figcaption>${table.title} (median and 90th percentile in the table)</figcaption></figure>`;
}

function chartOf(report: Report, table: ReportTable): Html | undefined {
  if (table.rows.length === 0) return undefined;
  switch (table.id) {
    case 'funnel': {
      const stages = table.columns.slice(1);
      const totals = stages.map((_, i) => table.rows.reduce((sum, row) => sum + numeric(row.values[i] ?? 0), 0));
      return barChart(
        `${report.title}: leads at each stage`,
        stages.map((label, i) => ({ label, value: totals[i] ?? 0 })),
      );
    }
    case 'to_email':
    case 'to_accept':
      return bucketChart(table);
    case 'load':
      return barChart(
        'Leads assigned per rep',
        table.rows.map((row) => ({ label: row.label, value: numeric(row.values[0] ?? 0), text: `${row.values[0]} assigned, ${row.values[1]} accepted` })),
      );
    case 'calibration':
    case 'rules': {
      const percent = (cell: number | string | undefined) => (typeof cell === 'string' && cell.endsWith('%') ? Number(cell.slice(0, -1)) : 0);
      return barChart(
        `${table.title} (acceptance rate)`,
        table.rows.map((row) => ({ label: row.label, value: percent(row.values[2]), text: String(row.values[2]) })),
      );
    }
    default:
      return undefined;
  }
}

function tableMarkup(table: ReportTable): Html {
  return html`<table><caption>${table.title}</caption><thead><tr>${table.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead><tbody>${
    table.rows.length === 0
      ? html`<tr><td colspan="${table.columns.length}">No counts in this period.</td></tr>`
      : table.rows.map((row) => html`<tr><th scope="row">${row.label}</th>${row.values.map((v) => html`<td>${v}</td>`)}</tr>`)
  }</tbody></table>`;
}

/** The report as one self-contained page: inline SVG charts, tables, no scripts, nothing fetched. */
export function reportPage(report: Report, generatedAt: Date, nav?: Html): string {
  const title = `${report.title}, ${report.from} to ${report.to}${report.by ? ` by ${report.by}` : ''}`;
  return page(
    title,
    html`${nav}<h1>${title}</h1>
<p class="lg-mark${report.privacy.private ? ' lg-private' : ''}">${privacyMark(report)}</p>
${report.tables.map((table) => html`<section><h2>${table.title}</h2>${chartOf(report, table)}${tableMarkup(table)}</section>`)}
<p>Generated ${generatedAt.toISOString()} by Leadgate from counters that hold no person.</p>`,
    STYLE,
  );
}
