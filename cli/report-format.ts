import type { Report } from '../shared/domain/insight/reports';
import { privacyMark } from '../shared/http/report-page';

/** The report as aligned text tables, its privacy mark first. */
export function reportText(report: Report): string {
  const lines = [`${report.title}, ${report.from} to ${report.to}${report.by ? ` by ${report.by}` : ''}`, privacyMark(report), ''];
  for (const table of report.tables) {
    const cells = [table.columns, ...table.rows.map((row) => [row.label, ...row.values.map(String)])];
    const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
    lines.push(table.title);
    for (const row of cells) lines.push(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
    if (table.rows.length === 0) lines.push('(no counts in this period)');
    lines.push('');
  }
  return lines.join('\n');
}

const csvCell = (cell: string | number): string => {
  const text = String(cell);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * The report as CSV (RFC 4180): one block per table, each with a `table` column, and a first
 * line saying whether it is private, so the file is marked wherever it goes.
 */
export function reportCsv(report: Report): string {
  const lines = [`# ${privacyMark(report)}`];
  for (const table of report.tables) {
    lines.push(['table', ...table.columns].map(csvCell).join(','));
    for (const row of table.rows) lines.push([table.id, row.label, ...row.values].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
