import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { auditRecordSchema, type AuditRecord } from './record';
import {
  AuditConflictError,
  matchesQuery,
  normaliseQuery,
  orderAndLimit,
  prepareRecord,
  storedKey,
  type AuditQuery,
  type AuditStore,
} from './store';

export const DEFAULT_AUDIT_PATH = '.automation/audit.jsonl';

/**
 * The embedded default store: one JSON line per record, appended and fsynced one at a time.
 * On open the whole file is read into memory (records + an index by action key) so that
 * putIntent's conditional check is a map lookup; the check and the append happen in one
 * synchronous step, so concurrent calls in one process cannot both write an intent.
 * One writing process per file (local runs); Lambda uses the DynamoDB store.
 *
 * Crash safety: a line cut short by a crash (no trailing newline, not valid JSON) is skipped on
 * read and counted in `skippedLines`; the next append first writes a newline so the torn
 * fragment never merges with a good record. Lines before it are untouched.
 */
export class FileAuditStore implements AuditStore {
  readonly path: string;
  /** Lines that were not valid records when the file was opened (torn or corrupt). */
  readonly skippedLines: number;
  private readonly records: AuditRecord[] = [];
  private readonly byKey = new Map<string, { intent?: AuditRecord; result?: AuditRecord }>();
  private fd: number | undefined;
  private needsNewline: boolean;

  constructor(path: string = DEFAULT_AUDIT_PATH, private readonly options: { fsync?: boolean } = {}) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    this.needsNewline = text.length > 0 && !text.endsWith('\n');
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const record = parseLine(line);
      if (record) this.remember(record);
      else skipped++;
    }
    this.skippedLines = skipped;
    this.fd = openSync(path, 'a');
  }

  async putIntent(record: AuditRecord): Promise<'written' | 'exists'> {
    const clean = prepareRecord(record, 'putIntent');
    if (this.byKey.get(clean.actionKey)?.intent) return 'exists';
    this.append(clean);
    return 'written';
  }

  async putResult(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putResult');
    if (this.byKey.get(clean.actionKey)?.result) throw new AuditConflictError(clean.actionKey);
    this.append(clean);
  }

  async putRecord(record: AuditRecord): Promise<void> {
    this.append(prepareRecord(record, 'putRecord'));
  }

  async get(actionKey: string): Promise<{ intent?: AuditRecord; result?: AuditRecord }> {
    return { ...this.byKey.get(storedKey(actionKey)) };
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const nq = normaliseQuery(q);
    return orderAndLimit(
      this.records.filter((r) => matchesQuery(r, nq)),
      nq.limit,
    );
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(record: AuditRecord): void {
    if (this.fd === undefined) throw new Error(`audit store ${this.path} is closed`);
    // One write call per record, so a crash tears at most the last line.
    const line = `${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`;
    writeSync(this.fd, line);
    if (this.options.fsync !== false) fsyncSync(this.fd);
    this.needsNewline = false;
    this.remember(record);
  }

  private remember(record: AuditRecord): void {
    this.records.push(record);
    if (record.phase !== 'intent' && record.phase !== 'result') return;
    const entry = this.byKey.get(record.actionKey) ?? {};
    // The first intent/result of a key is the one that counts (later duplicates cannot be written by us).
    if (!entry[record.phase]) entry[record.phase] = record;
    this.byKey.set(record.actionKey, entry);
  }
}

function parseLine(line: string): AuditRecord | undefined {
  try {
    const parsed = auditRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
