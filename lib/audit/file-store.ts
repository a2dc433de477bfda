import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { attemptOf, auditRecordSchema, type AuditRecord } from './record';
import {
  AuditConflictError,
  latestIntent,
  ledgerScopeId,
  matchesQuery,
  normaliseQuery,
  openFrom,
  orderAndLimit,
  prepareRecord,
  storedKey,
  type AuditQuery,
  type AuditStore,
  type LedgerScope,
} from './store';

export const DEFAULT_AUDIT_PATH = '.automation/audit.jsonl';

/** A lock left by a killed process is taken over after this long (proper-lockfile refreshes live locks). */
const LOCK_STALE_MS = 5_000;

/**
 * The embedded default store: one JSON line per record, appended and fsynced one at a time.
 *
 * Several processes on one machine may use one file: every write takes an OS-level lock
 * (proper-lockfile: an atomic mkdir next to the file, refreshed while held, taken over when stale),
 * reads what other processes appended since (the tail), checks the ledger and appends — so of two
 * processes writing the same intent exactly one succeeds.
 *
 * Crash safety: a line cut short by a crash (no trailing newline, not valid JSON) is skipped on
 * read and counted in `skippedLines`; the next append first writes a newline so the torn
 * fragment never merges with a good record. Lines before it are untouched.
 */
export class FileAuditStore implements AuditStore {
  readonly path: string;
  private readonly records: AuditRecord[] = [];
  private readonly byKey = new Map<string, { intents: AuditRecord[]; result?: AuditRecord }>();
  private fd: number | undefined;
  /** Bytes of the file read into memory so far. */
  private offset = 0;
  private needsNewline = false;
  private skipped = 0;
  private tailUnreadable = false;
  /** Serialises this instance's writes; the file lock serialises processes. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(path: string = DEFAULT_AUDIT_PATH, private readonly options: { fsync?: boolean } = {}) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a+');
    this.catchUp();
  }

  /** Lines that were not valid records (torn or corrupt). */
  get skippedLines(): number {
    return this.skipped + (this.tailUnreadable ? 1 : 0);
  }

  async putIntent(record: AuditRecord): Promise<'written' | 'exists'> {
    const clean = prepareRecord(record, 'putIntent');
    return this.locked(() => {
      const taken = this.byKey.get(clean.actionKey)?.intents.some((i) => attemptOf(i) === attemptOf(clean));
      if (taken) return 'exists';
      this.append(clean);
      return 'written';
    });
  }

  async putResult(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putResult');
    await this.locked(() => {
      if (this.byKey.get(clean.actionKey)?.result) throw new AuditConflictError(clean.actionKey);
      this.append(clean);
    });
  }

  async putRecord(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putRecord');
    await this.locked(() => this.append(clean));
  }

  async get(actionKey: string): Promise<{ intent?: AuditRecord; result?: AuditRecord }> {
    this.catchUp();
    const entry = this.byKey.get(storedKey(actionKey));
    const intent = entry && latestIntent(entry.intents);
    return { ...(intent && { intent }), ...(entry?.result && { result: entry.result }) };
  }

  async openIntents(scope: LedgerScope, since: string): Promise<AuditRecord[]> {
    this.catchUp();
    const id = ledgerScopeId(scope);
    const sinceIso = new Date(since).toISOString();
    return openFrom(this.records.filter((r) => (r.phase === 'intent' || r.phase === 'result') && r.at >= sinceIso && ledgerScopeId(r) === id));
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const nq = normaliseQuery(q);
    this.catchUp();
    return orderAndLimit(
      this.records.filter((r) => matchesQuery(r, nq)),
      nq.limit,
    );
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Runs `fn` holding the file lock, after reading what others appended. */
  private locked<T>(fn: () => T): Promise<T> {
    const run = async () => {
      if (this.fd === undefined) throw new Error(`audit store ${this.path} is closed`);
      let compromised: Error | undefined;
      const release = await lockfile.lock(this.path, {
        stale: LOCK_STALE_MS,
        realpath: false,
        retries: { retries: 200, minTimeout: 5, maxTimeout: 100, factor: 1.5 },
        onCompromised: (e) => {
          compromised = e;
        },
      });
      try {
        this.catchUp(true);
        const out = fn();
        if (compromised) throw new Error(`audit store ${this.path}: the file lock was lost (${compromised.message})`);
        return out;
      } finally {
        await release().catch(() => undefined);
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Reads the lines appended since the last read (by this or another process). A last line
   * without its newline is in flight in another process — or, when read under the lock (`final`),
   * torn by a crash: then it is taken if it is a whole record, else skipped.
   */
  private catchUp(final = false): void {
    if (this.fd === undefined) return;
    const size = fstatSync(this.fd).size;
    if (size <= this.offset) return;
    const buf = Buffer.alloc(size - this.offset);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(this.fd, buf, read, buf.length - read, this.offset + read);
      if (n === 0) break;
      read += n;
    }
    const end = buf.lastIndexOf(0x0a, read - 1);
    const complete = end + 1;
    for (const line of buf.subarray(0, complete).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const record = parseLine(line);
      if (record) this.remember(record);
      else this.skipped++;
    }
    this.offset += complete;
    const tail = buf.subarray(complete, read).toString('utf8');
    this.tailUnreadable = tail.trim() !== '' && !parseLine(tail);
    this.needsNewline = tail.length > 0;
    if (final && tail.length > 0) {
      const record = parseLine(tail);
      if (record) this.remember(record);
      else if (tail.trim() !== '') this.skipped++;
      this.offset += read - complete;
      this.tailUnreadable = false;
    }
  }

  private append(record: AuditRecord): void {
    if (this.fd === undefined) throw new Error(`audit store ${this.path} is closed`);
    // One write call per record, so a crash tears at most the last line.
    const line = Buffer.from(`${this.needsNewline ? '\n' : ''}${JSON.stringify(record)}\n`);
    writeSync(this.fd, line);
    if (this.options.fsync !== false) fsyncSync(this.fd);
    this.needsNewline = false;
    this.catchUp(true);
  }

  private remember(record: AuditRecord): void {
    this.records.push(record);
    if (record.phase !== 'intent' && record.phase !== 'result') return;
    const entry = this.byKey.get(record.actionKey) ?? { intents: [] };
    if (record.phase === 'intent') {
      if (!entry.intents.some((i) => attemptOf(i) === attemptOf(record))) entry.intents.push(record);
    } else if (!entry.result) {
      // The first result of a key is the one that counts (later duplicates cannot be written by us).
      entry.result = record;
    }
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
