import { parseArgs } from 'node:util';
import { AUDIT_OUTCOMES, AUDIT_PHASES, type AuditOutcome, type AuditPhase, type AuditQuery, type AuditRecord, type AuditStore } from '../audit';
import { loadConfig } from '../config';
import { resolveConfigPath } from './config-path';
import { UsageError } from './errors';
import type { CliIo } from './io';
import { parseWhen } from './since';
import { checkFunction } from './selection';
import { openConfiguredAuditStore } from './store';
import { formatTable, wrap } from './table';
import { displayZone, formatTime, localizeTimes } from './time';

export const AUDIT_FORMATS = ['table', 'json', 'csv', 'jsonl'] as const;

/** `audit`: what happened, why, and how to undo it. */
export async function auditCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      resource: { type: 'string' },
      action: { type: 'string', multiple: true },
      function: { type: 'string' },
      outcome: { type: 'string' },
      phase: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      run: { type: 'string' },
      limit: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean', default: false },
      wide: { type: 'boolean', default: false },
    },
  });
  const config = await loadConfig(resolveConfigPath(values.config, io.env));
  const zone = displayZone(config);
  const format = values.json ? 'json' : oneOf('--format', values.format ?? 'table', AUDIT_FORMATS);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit: expected a whole number above 0, got "${values.limit}"`);
  const since = values.since === undefined ? undefined : parseWhen('--since', values.since, io.now(), zone);
  const until = values.until === undefined ? since?.end : parseWhen('--until', values.until, io.now(), zone).at;
  const base: AuditQuery = {
    resourceId: values.resource,
    function: values.function ? checkFunction(values.function) : undefined,
    outcome: values.outcome === undefined ? undefined : oneOf<AuditOutcome>('--outcome', values.outcome, AUDIT_OUTCOMES),
    phase: values.phase === undefined ? undefined : oneOf<AuditPhase>('--phase', values.phase, AUDIT_PHASES),
    since: since?.at.toISOString(),
    until: until?.toISOString(),
    runId: values.run,
  };

  const store = await openConfiguredAuditStore(config);
  if (format === 'jsonl' && limit === undefined) {
    // the export: one record per line as the store reads them, never the whole trail in memory
    let written = 0;
    try {
      const actions = values.action?.length ? new Set(values.action) : undefined;
      const query = actions?.size === 1 ? { ...base, action: [...actions][0] } : base;
      const records = store.stream ? store.stream(query) : await store.query(query);
      for await (const r of records) {
        if (actions && !actions.has(r.action)) continue;
        io.out(JSON.stringify(r));
        written++;
      }
      if (!written && actions) await checkActions(store, [...actions]);
    } finally {
      await store.close?.();
    }
    return 0;
  }
  let records: AuditRecord[];
  try {
    // one query per --action (the query interface takes one), merged in time order
    const actions = values.action?.length ? [...new Set(values.action)] : [undefined];
    records = (await Promise.all(actions.map((action) => store.query({ ...base, action })))).flat();
    records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    if (!records.length && values.action?.length) await checkActions(store, values.action);
  } finally {
    await store.close?.();
  }
  if (limit !== undefined) records = records.slice(-limit); // the newest, still oldest first

  if (format === 'json') io.out(JSON.stringify(records, null, 2));
  else if (format === 'jsonl') for (const r of records) io.out(JSON.stringify(r));
  else if (format === 'csv') io.out(toCsv(records));
  else if (!records.length) io.out('no audit records match');
  else io.out(auditTable(records, zone, values.wide ? undefined : io.columns));
  return 0;
}

/** A typo answers with the names the trail knows, not "no match". */
async function checkActions(store: AuditStore, actions: string[]): Promise<void> {
  const known = new Set<string>();
  for await (const r of store.stream ? store.stream({}) : await store.query({})) known.add(r.action);
  const unknown = actions.filter((a) => !known.has(a));
  if (unknown.length) throw new UsageError(`--action: no record has action ${unknown.map((a) => `"${a}"`).join(', ')}; actions in the trail: ${[...known].sort().join(', ') || '(none)'}`);
}

/**
 * The trail as a table, times in the display zone. On a terminal each record is one line of
 * columns, then its reason and undo hint wrapped across the full width below it; in full (`--wide`,
 * a pipe) the reason is the last column.
 */
export function auditTable(records: AuditRecord[], zone: string, columns: number | undefined): string {
  const head = ['at', 'run', 'function', 'target', 'resource', 'action', 'outcome'];
  const cells = (r: AuditRecord) => [formatTime(r.at, zone), r.runId.slice(0, 8), r.function, r.target, r.resourceId, r.action, r.outcome ?? r.phase];
  const why = (r: AuditRecord) => localizeTimes(`${r.reason}${r.undoHint ? ` ↩ undo: ${r.undoHint}` : ''}`, zone);
  if (columns === undefined) return `times in ${zone}\n${formatTable([...head, 'reason / undo'], records.map((r) => [...cells(r), why(r)]), undefined)}`;
  const lines = formatTable(head, records.map(cells), undefined).split('\n');
  const indent = '      ';
  const out = [lines[0]!, lines[1]!];
  records.forEach((r, i) => {
    out.push(lines[i + 2]!);
    for (const l of wrap(why(r), Math.max(30, columns - indent.length - 1))) out.push(`${indent}${l}`);
  });
  return `times in ${zone}\n${out.join('\n')}`;
}

const CSV_FIELDS = ['at', 'runId', 'phase', 'outcome', 'function', 'policy', 'vendor', 'target', 'region', 'resourceId', 'action', 'mode', 'reason', 'undoHint'] as const;

export function toCsv(records: AuditRecord[]): string {
  const quote = (v: unknown) => {
    const s = v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_FIELDS.join(','), ...records.map((r) => CSV_FIELDS.map((f) => quote(r[f])).join(','))].join('\n');
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}
