import type { PlanRow, RunReport } from '../automations/engine/types';
import { localizeTimes } from './time';

export interface TableOptions {
  /** Terminal width to fit (the reason wraps in its column); undefined = every column in full, one line per row. */
  columns?: number;
  /** IANA zone to show times in; undefined = as recorded (UTC). */
  zone?: string;
}

interface Column {
  title: string;
  /** Widest this column gets when fitting a terminal. */
  max: number;
}

/** Rows sharing one outcome (same scope, action, status and reason) collapse into one line with a count. */
export interface DisplayRow {
  vendor: string;
  target: string;
  region: string;
  resource: string;
  action: string;
  status: string;
  reason: string;
}

const COLUMNS: Column[] = [
  { title: 'vendor', max: 8 },
  { title: 'target', max: 16 },
  { title: 'region', max: 18 },
  { title: 'resource', max: 36 },
  { title: 'action', max: 20 },
  { title: 'status', max: 11 },
  { title: 'reason', max: Number.POSITIVE_INFINITY },
];
const MIN_REASON = 40;
const MIN_REASON_TIGHT = 24;
const INDENT = '  ';
const GAP = '  ';

/** Actions to review one by one: never grouped. */
const ONE_PER_LINE = new Set(['planned', 'applied']);

/**
 * Groups identical outcomes: rows of one scope with the same action and status whose reasons end
 * the same way (the part after " — ", e.g. the guard's refusal) or are equal become one line,
 * "184 × ins-a, ins-b, …", with the shared reason. Planned and applied actions stay one per line.
 */
export function groupRows(rows: PlanRow[]): DisplayRow[] {
  const groups = new Map<string, { rows: PlanRow[]; reason: string }>();
  for (const r of rows) {
    const cut = r.reason.lastIndexOf(' — ');
    const shared = cut >= 0 ? r.reason.slice(cut + 3) : r.reason;
    const key = ONE_PER_LINE.has(r.status) ? `row:${groups.size}` : JSON.stringify([r.vendor, r.target, r.region, r.action, r.status, shared]);
    const g = groups.get(key);
    if (g) g.rows.push(r);
    else groups.set(key, { rows: [r], reason: ONE_PER_LINE.has(r.status) ? r.reason : shared });
  }
  return [...groups.values()].map(({ rows: members, reason }) => {
    const first = members[0]!;
    if (members.length === 1) return { ...first };
    const ids = members.map((m) => m.resource.split(' ')[0]!);
    return { ...first, resource: `${members.length} × ${ids.slice(0, 2).join(', ')}${ids.length > 2 ? ', …' : ''}`, reason };
  });
}

/** A readable plan table: identical outcomes grouped, times in the display zone, fitted to the terminal. */
export function formatPlanTable(rows: PlanRow[], options: TableOptions = {}): string {
  if (!rows.length) return `${INDENT}(nothing to do)`;
  const display = groupRows(rows).map((r) => [r.vendor, r.target, r.region, r.resource, r.action, r.status, localizeTimes(r.reason, options.zone)]);
  // ids, actions and statuses are what people act on: never cut below them; names and scopes give way first
  const longest = (i: number, of: (v: string) => string = (v) => v) => Math.max(...display.map((r) => of(r[i]!).length));
  const floors = [Math.min(longest(0), 8), 10, 10, Math.min(longest(3, (v) => v.split(' ')[0]!), 20), Math.min(longest(4), 20), longest(5)];
  return formatTable(
    COLUMNS.map((c) => c.title),
    display,
    options.columns,
    COLUMNS.map((c) => c.max),
    floors,
  );
}

/**
 * Generic table: with a width, every column but the last is capped (cut with "…") and the last
 * wraps within what is left; without one, every cell is printed in full.
 */
export function formatTable(head: string[], rows: string[][], columns: number | undefined, maxes?: number[], floors?: number[]): string {
  const natural = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const last = head.length - 1;
  const widths = natural.map((w, i) => (columns === undefined || i === last ? w : Math.min(w, maxes?.[i] ?? w)));
  if (columns !== undefined) {
    const fixed = () => INDENT.length + widths.slice(0, last).reduce((s, w) => s + w + GAP.length, 0);
    // the last column gets at least a third of the line (or what it needs): narrow the widest other columns first
    const want = Math.min(natural[last]!, Math.max(MIN_REASON, Math.floor(columns / 3)));
    const floor = (i: number) => Math.min(widths[i]!, floors?.[i] ?? Math.max(6, Math.min(head[i]!.length, 8)));
    while (fixed() + want > columns - 1) {
      let widest = -1;
      for (let i = 0; i < last; i++) if (widths[i]! > floor(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) break;
      widths[widest]!--;
    }
    widths[last] = Math.max(Math.min(want, MIN_REASON_TIGHT), Math.min(natural[last]!, columns - fixed() - 1));
  }
  const cell = (v: string, w: number) => (v.length > w ? `${v.slice(0, w - 1)}…` : v.padEnd(w));
  const line = (cells: string[]) => `${INDENT}${cells.join(GAP)}`.trimEnd();
  const out = [line(head.map((h, i) => cell(h, widths[i]!))), line(widths.map((w) => '-'.repeat(w)))];
  for (const r of rows) {
    const lastLines = columns === undefined ? [r[last]!] : wrap(r[last]!, widths[last]!);
    out.push(line([...r.slice(0, last).map((v, i) => cell(v, widths[i]!)), lastLines[0] ?? '']));
    const blank = widths.slice(0, last).map((w) => ' '.repeat(w));
    for (const more of lastLines.slice(1)) out.push(line([...blank, more]));
  }
  return out.join('\n');
}

/** Word-wraps a text to a width; a word longer than the width is split. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w.length > width) {
      if (current) lines.push(current);
      current = '';
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!current) current = w;
    else if (current.length + 1 + w.length <= width) current += ` ${w}`;
    else {
      lines.push(current);
      current = w;
    }
  }
  if (current || !lines.length) lines.push(current);
  return lines;
}

/** Counts per status across the whole run, e.g. `applied 4, planned 12, skipped 3`. */
export function formatSummary(report: Pick<RunReport, 'rows' | 'errors'>): string {
  const counts = new Map<string, number>();
  for (const r of report.rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts.entries()].sort().map(([k, v]) => `${k} ${v}`);
  const errors = report.errors.length ? `; ${report.errors.length} scope error(s): ${report.errors.join(' | ')}` : '';
  return `${parts.join(', ') || 'nothing to do'}${errors}`;
}

/** A report as people read it: the table, then the summary. */
export function formatReport(report: RunReport, options: TableOptions = {}): string {
  const summary = `summary: ${localizeTimes(formatSummary(report), options.zone)}`;
  const summaryLines = options.columns === undefined ? [summary] : wrap(summary, Math.max(MIN_REASON, options.columns - INDENT.length - 1));
  return `${formatPlanTable(report.rows, options)}\n${summaryLines.map((l) => `${INDENT}${l}`).join('\n')}`;
}
