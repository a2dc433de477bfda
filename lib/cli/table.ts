import type { PlanRow, RunReport } from '../automations/engine/types';

const COLUMNS: { key: keyof PlanRow; title: string; max: number }[] = [
  { key: 'vendor', title: 'vendor', max: 8 },
  { key: 'target', title: 'target', max: 16 },
  { key: 'region', title: 'region', max: 20 },
  { key: 'resource', title: 'resource', max: 40 },
  { key: 'action', title: 'action', max: 24 },
  { key: 'status', title: 'status', max: 9 },
  { key: 'reason', title: 'reason', max: 90 },
];

function cell(value: string, width: number): string {
  const v = value.length > width ? `${value.slice(0, width - 1)}…` : value;
  return v.padEnd(width);
}

/** A readable plan table: one line per action or note. */
export function formatPlanTable(rows: PlanRow[]): string {
  if (!rows.length) return '  (nothing to do)';
  const widths = COLUMNS.map((c) => Math.min(c.max, Math.max(c.title.length, ...rows.map((r) => String(r[c.key]).length))));
  const line = (values: string[]) => `  ${values.map((v, i) => cell(v, widths[i]!)).join('  ')}`.trimEnd();
  return [line(COLUMNS.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(COLUMNS.map((c) => String(r[c.key]))))].join('\n');
}

/** Counts per status across the whole run, e.g. `applied 4, planned 12, skipped 3`. */
export function formatSummary(report: Pick<RunReport, 'rows' | 'errors'>): string {
  const counts = new Map<string, number>();
  for (const r of report.rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts.entries()].sort().map(([k, v]) => `${k} ${v}`);
  const errors = report.errors.length ? `; ${report.errors.length} scope error(s): ${report.errors.join(' | ')}` : '';
  return `${parts.join(', ') || 'nothing to do'}${errors}`;
}

export interface TableOptions {
  /** Terminal width to fit; undefined = print every column in full. */
  columns?: number;
  /** IANA zone to show times in. */
  zone?: string;
}

/** A report as people read it: the table, then the summary. */
export function formatReport(report: RunReport, _options: TableOptions = {}): string {
  return `${formatPlanTable(report.rows)}\n  summary: ${formatSummary(report)}`;
}
