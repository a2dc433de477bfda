import { createHash } from 'node:crypto';
import {
  appendFile as appendFileCb,
  appendFileSync,
  closeSync,
  fstatSync,
  fsync as fsyncCb,
  fsyncSync,
  mkdir as mkdirCb,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rename as renameCb,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFile as writeFileCb,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import heldLocks from 'proper-lockfile/lib/lockfile.js';
import mtimePrecision from 'proper-lockfile/lib/mtime-precision.js';
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

// a lock session's writes run on the thread pool; the callback API costs this thread less than
// fs/promises (no FileHandle per file)
const appendFile = promisify(appendFileCb);
const mkdir = promisify(mkdirCb);
const rename = promisify(renameCb);
const writeFile = promisify(writeFileCb);
const fsync = promisify(fsyncCb);

export const DEFAULT_AUDIT_PATH = '.automation/audit.jsonl';

/** A lock left by a killed process is taken over after this long (proper-lockfile refreshes live locks). */
const LOCK_STALE_MS = 5_000;
const LOCK_OPTIONS = { stale: LOCK_STALE_MS, realpath: false } as const;

/**
 * Refreshes the locks this process holds through a long stretch of work that keeps this thread
 * (an index build: 10–40 s at 100k–1M records). proper-lockfile refreshes a held lock on a timer,
 * which cannot run meanwhile, and another process takes a lock over once it is LOCK_STALE_MS old.
 * Done as that timer does it (the mtime at the probed precision, noted as the lock's own), so the
 * timer still knows the lock as ours when it next runs; a lock gone meanwhile was lost (throws).
 */
function keepLocksFresh(): void {
  FileAuditStore.onIndexProgress?.();
  const now = Date.now();
  for (const held of Object.values(heldLocks.getLocks())) {
    if (held.released || now - held.lastUpdate < LOCK_STALE_MS / 4) continue;
    const mtime = mtimePrecision.getMtime(held.mtimePrecision);
    try {
      utimesSync(held.lockfilePath, mtime, mtime);
    } catch (e) {
      throw new Error(`the file lock ${held.lockfilePath} was lost during a long index build (${(e as Error).message})`, { cause: e });
    }
    held.mtime = mtime;
    held.lastUpdate = now;
  }
}
/** Lines, and index files, between two keepLocksFresh() of a build. */
const FRESH_EVERY = 4_096;
/**
 * A lock session's view of the index: the meta its writes advanced and the index entries of its
 * appends, both written once, before the lock is released (entries first, then the meta that
 * claims them).
 */
interface SessionIndex {
  meta?: Meta;
  /** The log (inode) `meta` describes: a compaction in the session replaces it. */
  ino?: number;
  behind: boolean;
  /** Index entries of the session's appends, not yet in their files (read by the session's own ledger checks). */
  pending: IndexBatch;
}

/** An operation waiting for the file lock: a store's function to run holding it. */
interface LockedOp {
  store: FileAuditStore;
  fn: () => unknown;
  resolve: (out: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * The operations waiting on each log path in this process, across its stores (a run's groups
 * side by side, fan-out workers sharing one process). One lock session runs them all: the OS
 * lock is taken once for every operation that waits meanwhile (no store polls it against another
 * store here), and one fsync makes their records durable before any of them is answered (group
 * commit).
 */
const waiting = new Map<string, LockedOp[]>();
/**
 * Index layout, in meta.json. 2: the hash buckets of the key and resource indexes are <4 hex>.idx
 * in the index's one folder; 1 (earlier versions) kept them as <2 hex>/<2 hex>.idx, so a young
 * trail made a folder for nearly every record it wrote (a mkdir costs ten appends). A new or
 * rebuilt index is 2; an index of 1 is read and written as it is (no rebuild on upgrade).
 */
type IndexVersion = 1 | 2;
const INDEX_VERSION: IndexVersion = 2;
/** A key's or resource's bucket file: 65536 buckets (1M records: ~15 entries a bucket). */
const bucket = (s: string, version: IndexVersion) => {
  const h = hash(s);
  return version === 1 ? join(h.slice(0, 2), `${h.slice(2, 4)}.idx`) : `${h.slice(0, 4)}.idx`;
};
/** An open-intents file is rewritten with only its open entries once it holds this many lines more. */
const OPEN_COMPACT_LINES = 64;
/** Bytes before the indexed end that identify the log the index was built from. */
const FINGERPRINT_BYTES = 256;
const CHUNK = 32 * 1024 * 1024;
const DAY_MS = 86_400_000;
/** The log is compacted (expired records dropped) once its oldest day is this far past the retention. */
const COMPACT_AFTER_DAYS = 30;

export interface FileAuditStoreOptions {
  /** fsync after every record (default true). */
  fsync?: boolean;
  /** `audit.retention`: records older than this many days are not returned and are dropped when the log is compacted. */
  retentionDays?: number;
  /** The wall clock records' `at` is compared with (tests); Date.now by default. */
  clock?: () => number;
}

interface Meta {
  version: IndexVersion;
  /** Log bytes indexed so far. */
  indexed: number;
  /** sha1 of the FINGERPRINT_BYTES before `indexed`: a log rewritten under us is re-indexed. */
  fingerprint: string;
  skipped: number;
  /** The last indexed line lacked its newline (torn): the next append starts a fresh line. */
  openLine: boolean;
}

type Loc = [offset: number, length: number];

const hash = (s: string) => createHash('sha1').update(s).digest('hex');
const dayOf = (iso: string) => iso.slice(0, 10);
const scopeOf = (r: { function: string; target: string; region: string }) => `${r.function}|${r.target}|${r.region}`;

/**
 * The embedded default store: the trail is one JSON line per record (`audit.jsonl`, appended and
 * fsynced one at a time — also the export format), and beside it an index directory
 * (`audit.jsonl.idx/`) of small append-only files that point into it by byte offset:
 * - `keys/<bucket>.idx`   intents and results by action key (65536 hash buckets)
 * - `open/<scope>.idx`   open intents of function|policy|target|region (+ intent, - result; compacted)
 * - `scope/<scope>/<day>.idx`   every record by function|target|region and day
 * - `res/<bucket>.idx`    every record by resource id
 * - `day/<day>.idx`       every record by day
 * Opening reads a small meta file; a lookup reads one bucket or the days of one scope it asks
 * for, then the records it points at — never the whole log, and nothing is held in memory
 * between calls. An existing log without an index (an older install) is indexed once on open.
 *
 * Several processes on one machine may share it: every write takes an OS-level lock
 * (proper-lockfile: an atomic mkdir, refreshed while held, taken over when stale), indexes what
 * others appended, checks the ledger and appends — so of two processes writing the same intent
 * exactly one succeeds.
 *
 * Crash safety: a line cut short by a crash is skipped (counted in `skippedLines`) and the next
 * append starts on a fresh line. A crash between the log append and its index entries is repaired
 * by the next writer, which indexes every log byte past the meta's `indexed` (an entry indexed
 * twice is read once). Writes that wait on the lock together in one process are appended in one
 * lock session, made durable by one fsync and recorded in the meta once, before any is answered.
 */
export class FileAuditStore implements AuditStore {
  readonly path: string;
  readonly indexDir: string;
  private fd: number | undefined;
  /** This store's last operation (after those before it on this log in this process). */
  private queue: Promise<unknown> = Promise.resolve();

  private wrote = false;
  /** The index's meta while this store holds the lock: the log is indexed to its end. */
  private held: Meta | undefined;
  /** Appended in this lock session, not yet fsynced. */
  private unsynced = false;
  /** While this store runs in a lock session: the session's index entries not yet written. */
  private pending: IndexBatch | undefined;
  /** The layout of the index as this store last read its meta (or holds it in a lock session). */
  private layout: IndexVersion = INDEX_VERSION;

  /** Tests: called as an index build goes on (every few thousand lines and index files). */
  static onIndexProgress: (() => void) | undefined;

  constructor(path: string = DEFAULT_AUDIT_PATH, private readonly options: FileAuditStoreOptions = {}) {
    if (options.retentionDays !== undefined && !(Number.isInteger(options.retentionDays) && options.retentionDays > 0)) {
      throw new Error(`FileAuditStore: retentionDays must be a whole number of days above 0, got ${options.retentionDays}`);
    }
    this.path = path;
    this.indexDir = `${path}.idx`;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a+');
    // a store of this process holding the lock could not release it while this thread waits for
    // it; the first operation catches up instead (as every operation does)
    if (!waiting.has(resolve(this.path)) && this.stale()) {
      this.withLockSync(() => {
        this.reopenIfReplaced();
        this.catchUp(true);
      });
    }
  }

  /** Records written before this (ISO) are expired: never returned, dropped by compact(). */
  private cutoff(): string | undefined {
    const days = this.options.retentionDays;
    return days === undefined ? undefined : new Date((this.options.clock ?? Date.now)() - days * DAY_MS).toISOString();
  }

  private live(records: AuditRecord[]): AuditRecord[] {
    const cutoff = this.cutoff();
    return cutoff === undefined ? records : records.filter((r) => r.at >= cutoff);
  }

  /** Lines that were not valid records (torn or corrupt). */
  get skippedLines(): number {
    return this.readMeta()?.skipped ?? 0;
  }

  async putIntent(record: AuditRecord): Promise<'written' | 'exists'> {
    const clean = prepareRecord(record, 'putIntent');
    return this.locked(() => {
      if (this.live(this.keyRecords(clean.actionKey)).some((r) => r.phase === 'intent' && attemptOf(r) === attemptOf(clean))) return 'exists';
      this.append(clean);
      return 'written';
    });
  }

  async putResult(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putResult');
    await this.locked(() => {
      if (this.live(this.keyRecords(clean.actionKey)).some((r) => r.phase === 'result')) throw new AuditConflictError(clean.actionKey);
      this.append(clean);
    });
  }

  async putRecord(record: AuditRecord): Promise<void> {
    const clean = prepareRecord(record, 'putRecord');
    await this.locked(() => this.append(clean));
  }

  async get(actionKey: string): Promise<{ intent?: AuditRecord; result?: AuditRecord }> {
    const records = await this.read(() => this.live(this.keyRecords(storedKey(actionKey))));
    const intent = latestIntent(records.filter((r) => r.phase === 'intent'));
    const result = records.find((r) => r.phase === 'result');
    return { ...(intent && { intent }), ...(result && { result }) };
  }

  async openIntents(scope: LedgerScope, since: string): Promise<AuditRecord[]> {
    const id = ledgerScopeId(scope);
    const sinceIso = new Date(since).toISOString();
    const file = join('open', `${hash(id)}.idx`);
    const { open, lines } = await this.read(() => this.openEntries(file));
    if (lines > open.size + OPEN_COMPACT_LINES) await this.locked(() => this.compactOpen(file));
    const records = await this.read(() => this.live(this.readLocs([...this.openEntries(file).open.values()].flat())));
    return openFrom(records.filter((r) => ledgerScopeId(r) === id && r.at >= sinceIso));
  }

  /** The keys with an intent and no result in an open-intents file, with their intents' locations. */
  private openEntries(file: string): { open: Map<string, Loc[]>; lines: number } {
    const open = new Map<string, Loc[]>();
    const entries = this.readIndex(file);
    for (const e of entries) {
      const key = e[1] as string;
      if (e[0] === '+') open.set(key, [...(open.get(key) ?? []), [e[2], e[3]] as Loc]);
      else open.delete(key);
    }
    return { open, lines: entries.length };
  }

  /** Rewrites an open-intents file with its open entries only (under the lock; an index, not the trail). */
  private compactOpen(file: string): void {
    this.pending?.flush(this.indexDir); // the session's entries are in the file it rewrites
    const { open } = this.openEntries(file);
    const path = join(this.indexDir, file);
    const text = [...open].flatMap(([key, locs]) => locs.map((l) => `\n${JSON.stringify(['+', key, ...l])}`)).join('');
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const nq = normaliseQuery(q);
    const candidates = await this.read(() => this.live(this.candidates(nq)));
    return orderAndLimit(
      candidates.filter((r) => matchesQuery(r, nq)),
      nq.limit,
      nq.newestFirst,
    );
  }

  private candidates(nq: AuditQuery): AuditRecord[] {
    // expired days are not read at all
    const cutoff = this.cutoff();
    const since = cutoff !== undefined && (nq.since === undefined || nq.since < cutoff) ? cutoff : nq.since;
    if (nq.resourceId !== undefined) {
      const id = nq.resourceId;
      return this.readLocs(this.readIndex(join('res', bucket(id, this.layout))).filter((e) => e[0] === id).map((e) => [e[1], e[2]] as Loc));
    }
    if (nq.function !== undefined && nq.target !== undefined && nq.region !== undefined) {
      return this.readDays(join('scope', hash(scopeOf({ function: nq.function, target: nq.target, region: nq.region }))), since, nq.until);
    }
    if (nq.since !== undefined) return this.readDays('day', since, nq.until);
    return this.readAll(); // the CLI's unbounded queries: the whole log
  }

  async *stream(q: AuditQuery): AsyncIterable<AuditRecord> {
    const nq = normaliseQuery({ ...q, limit: undefined, newestFirst: false });
    if (nq.resourceId !== undefined || (nq.function !== undefined && nq.target !== undefined && nq.region !== undefined) || nq.since !== undefined) {
      yield* await this.query(nq); // an index bounds it
      return;
    }
    await this.current();
    // a compaction meanwhile leaves this descriptor on the old log, which stays whole and readable
    for (const chunk of this.chunks()) for (const r of this.live(chunk)) if (matchesQuery(r, nq)) yield r;
  }

  /** After a run that wrote: compacts the log once its oldest records are a month past the retention. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.fd !== undefined && this.wrote && this.compactionDue()) await this.compact();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private compactionDue(): boolean {
    const cutoff = this.cutoff();
    if (cutoff === undefined) return false;
    let days: string[];
    try {
      days = readdirSync(join(this.indexDir, 'day'));
    } catch {
      return false;
    }
    const oldest = days.filter((f) => f.endsWith('.idx')).sort()[0];
    return oldest !== undefined && oldest.slice(0, 10) < new Date(Date.parse(cutoff) - COMPACT_AFTER_DAYS * DAY_MS).toISOString().slice(0, 10);
  }

  /**
   * Drops the expired records (`retentionDays`): the log is copied without them into
   * `<log>.compact` and indexed there, without the lock (the log only grows, so what was read
   * stays as it was); then, holding the lock, what others appended meanwhile is copied too and
   * the copy and its index replace the log and its index (renames). Other processes find the log
   * replaced (another inode) and reopen it: a write under the lock, a read by checking after
   * reading, so none reads the new index against the old log. A crash before the renames leaves
   * the log as it was; between them, an index that no longer fits the log, rebuilt on open.
   */
  async compact(): Promise<{ kept: number; dropped: number }> {
    const cutoff = this.cutoff();
    if (cutoff === undefined) throw new Error(`audit store ${this.path}: compact() needs retentionDays`);
    const tmp = `${this.path}.compact`;
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.idx`, { recursive: true, force: true });
    await this.current();
    const counts = { kept: 0, dropped: 0 };
    const out = openSync(tmp, 'w');
    let copied: number;
    try {
      copied = this.copyLive(out, 0, this.readMeta()!.indexed, cutoff, counts);
    } catch (e) {
      closeSync(out);
      throw e;
    }
    const next = new FileAuditStore(tmp, { fsync: false }); // indexes the copy (its own lock: nobody else's)
    try {
      await this.locked(() => {
        this.pending?.flush(this.indexDir); // into the index being replaced, before the meta claims them
        this.copyLive(out, copied, this.held!.indexed, cutoff, counts); // the session's meta: its writes so far are in the log, not yet in meta.json
        fsyncSync(out);
        next.catchUp(true);
        rmSync(join(this.indexDir, 'meta.json'), { force: true }); // readers meanwhile find the index stale and wait for the lock
        renameSync(tmp, this.path);
        const old = `${this.indexDir}.old-${process.pid}`;
        renameSync(this.indexDir, old);
        renameSync(`${tmp}.idx`, this.indexDir);
        closeSync(this.fd!);
        this.fd = openSync(this.path, 'a+');
        rmSync(old, { recursive: true, force: true });
      });
    } finally {
      closeSync(out);
      await next.close();
    }
    return counts;
  }

  /** Copies the whole lines of [from, to) whose records have not expired; returns `to`. */
  private copyLive(out: number, from: number, to: number, cutoff: string, counts: { kept: number; dropped: number }): number {
    let pos = from;
    let carry = Buffer.alloc(0);
    while (pos < to || carry.length) {
      const want = Math.min(CHUNK, to - pos);
      const chunk = Buffer.alloc(want);
      const got = want ? readSync(this.fd!, chunk, 0, want, pos) : 0;
      pos += got;
      const buf = Buffer.concat([carry, chunk.subarray(0, got)]);
      const last = pos >= to;
      let start = 0;
      const keep: Buffer[] = [];
      for (;;) {
        let nl = buf.indexOf(0x0a, start);
        if (nl < 0 && last && start < buf.length) nl = buf.length; // the log's last line, torn or not
        if (nl < 0) break;
        const line = buf.subarray(start, nl);
        start = nl + 1;
        if (!line.toString('latin1').trim()) continue;
        const record = parseLine(line.toString('utf8'));
        if (record && record.at >= cutoff) {
          keep.push(line, Buffer.from('\n'));
          counts.kept++;
        } else counts.dropped++;
      }
      if (keep.length) writeSync(out, Buffer.concat(keep));
      carry = Buffer.from(buf.subarray(Math.min(start, buf.length)));
      if (last || got === 0) break;
    }
    return to;
  }

  /** A read that finds the log replaced (compacted by another process) under it reads again. */
  private async read<T>(fn: () => T): Promise<T> {
    for (;;) {
      await this.current();
      const ino = fstatSync(this.fd!).ino;
      const out = fn();
      const now = this.inodeOfPath();
      if (now === undefined || now === ino) return out; // a log removed by hand: keep reading the open one
    }
  }

  private inodeOfPath(): number | undefined {
    try {
      return statSync(this.path).ino;
    } catch {
      return undefined;
    }
  }

  /** Another file is at the log's path now (a compaction replaced it). */
  private replaced(): boolean {
    const ino = this.inodeOfPath();
    return ino !== undefined && ino !== fstatSync(this.fd!).ino;
  }

  /** The log was replaced by a compaction: take the new one. */
  private reopenIfReplaced(): void {
    if (!this.replaced()) return;
    closeSync(this.fd!);
    this.fd = openSync(this.path, 'a+');
  }

  // ---------------------------------------------------------------- locking and indexing

  /** Runs `fn` holding the file lock, after indexing what others appended; answered once its records are durable. */
  private locked<T>(fn: () => T): Promise<T> {
    const key = resolve(this.path);
    const queue = waiting.get(key);
    const answer = new Promise<T>((resolve, reject) => {
      const op: LockedOp = { store: this, fn, resolve: resolve as (out: unknown) => void, reject };
      if (queue) queue.push(op);
      else {
        waiting.set(key, [op]);
        void FileAuditStore.lockSessions(key, this.path);
      }
    });
    this.queue = answer.catch(() => undefined);
    return answer;
  }

  /**
   * Runs the operations waiting on `path` in lock sessions until none is left: takes the OS lock
   * (proper-lockfile, retried while another process holds it), runs every operation waiting by then
   * in order, also those that come meanwhile, fsyncs, releases, then answers them. An operation that
   * throws fails alone; a lost lock or a failed fsync fails every operation of the session that ran.
   */
  private static async lockSessions(key: string, path: string): Promise<void> {
    for (;;) {
      const queue = waiting.get(key)!;
      if (queue.length === 0) {
        waiting.delete(key);
        return;
      }
      let compromised: Error | undefined;
      const options = {
        ...LOCK_OPTIONS,
        onCompromised: (e: Error) => {
          compromised = e;
        },
      };
      let release: () => Promise<void>;
      try {
        // tried once first: the retry schedule (400 timeouts) is built only when another process holds it
        release = await lockfile.lock(path, options).catch((e: { code?: string }) => {
          if (e.code !== 'ELOCKED') throw e;
          return lockfile.lock(path, { ...options, retries: { retries: 400, minTimeout: 5, maxTimeout: 100, factor: 1.5 } });
        });
      } catch (e) {
        for (const op of queue.splice(0)) op.reject(e);
        continue;
      }
      const answers: (() => void)[] = [];
      const ran: LockedOp[] = [];
      const index: SessionIndex = { behind: false, pending: new IndexBatch() };
      let sessionError: unknown;
      try {
        while (queue.length) {
          const op = queue.shift()!;
          ran.push(op);
          try {
            const out = op.store.runHeld(op.fn, index);
            answers.push(() => op.resolve(out));
          } catch (e) {
            answers.push(() => op.reject(e));
          }
        }
        // written off this thread (the thread pool), so the other stores' work goes on meanwhile:
        // the index entries and the log's fsync, then the meta that says the entries are there
        const synced = new Set<number>();
        const stores = [...new Set(ran.map((op) => op.store))];
        await Promise.all([index.pending.write(stores[0]!.indexDir), ...stores.map((store) => store.syncUnsynced(synced))]);
        if (index.behind) await stores[0]!.writeMetaAsync(index.meta!);
        if (compromised) throw new Error(`audit store ${path}: the file lock was lost (${compromised.message})`);
      } catch (e) {
        sessionError = e;
      } finally {
        await release().catch(() => undefined);
      }
      if (sessionError !== undefined) for (const op of ran) op.reject(sessionError);
      else for (const answer of answers) answer();
    }
  }

  /**
   * One operation of a lock session, on an index caught up with the log: the session's meta when
   * this store reads the log the session's earlier operations wrote, else caught up from disk.
   * The meta and the fsync are the session's.
   */
  private runHeld(fn: () => unknown, index: SessionIndex): unknown {
    if (this.fd === undefined) throw new Error(`audit store ${this.path} is closed`);
    this.reopenIfReplaced();
    const ino = fstatSync(this.fd).ino;
    if (index.meta && index.ino === ino) this.held = index.meta;
    else {
      if (index.behind) {
        index.pending.flush(this.indexDir);
        this.writeMeta(index.meta!);
      }
      this.held = this.catchUp(true);
      Object.assign(index, { meta: this.held, ino, behind: false });
    }
    this.layout = this.held.version; // another store of the session may have read (or rebuilt) the index
    this.pending = index.pending;
    try {
      return fn();
    } finally {
      this.pending = undefined;
      if (this.fd !== undefined && fstatSync(this.fd).ino === ino) {
        index.behind ||= this.held !== index.meta;
        index.meta = this.held;
      } else Object.assign(index, { meta: undefined, ino: undefined, behind: false }); // compacted: a new log and index
      this.held = undefined;
    }
  }

  /**
   * After a lock session that wrote: its records on disk. One fsync covers a file's writes through
   * every descriptor, so a log (inode) in `synced` is not synced again.
   */
  private async syncUnsynced(synced: Set<number>): Promise<void> {
    if (!this.unsynced) return;
    this.unsynced = false;
    if (this.fd === undefined || this.options.fsync === false) return;
    const ino = fstatSync(this.fd).ino;
    if (synced.has(ino)) return;
    synced.add(ino);
    await fsync(this.fd);
  }

  private withLockSync(fn: () => void): void {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const release = lockfile.lockSync(this.path, LOCK_OPTIONS);
        try {
          fn();
        } finally {
          release();
        }
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'ELOCKED' || Date.now() > deadline) {
          throw (e as { code?: string }).code === 'ELOCKED'
            ? new Error(`audit store ${this.path} stayed locked by another process for 30 s; if none is running, remove ${this.path}.lock`)
            : e;
        }
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }

  /** Before a read: index what other processes appended (under the lock) if there is any. */
  private async current(): Promise<void> {
    if (this.fd === undefined) throw new Error(`audit store ${this.path} is closed`);
    if (this.replaced() || this.stale()) await this.locked(() => undefined);
  }

  private stale(): boolean {
    const meta = this.readMeta();
    const size = fstatSync(this.fd!).size;
    return !meta || size !== meta.indexed || this.fingerprint(meta.indexed) !== meta.fingerprint;
  }

  private readMeta(): Meta | undefined {
    try {
      const meta = JSON.parse(readFileSync(join(this.indexDir, 'meta.json'), 'utf8')) as Meta;
      if (meta.version !== 1 && meta.version !== 2) return undefined;
      this.layout = meta.version;
      return meta;
    } catch {
      return undefined;
    }
  }

  private writeMeta(meta: Meta): void {
    const file = join(this.indexDir, 'meta.json');
    // replaced whole (rename): readers without the lock (stale(), compact()) never see it half written
    writeFileSync(`${file}.tmp`, JSON.stringify(meta));
    renameSync(`${file}.tmp`, file);
  }

  /** writeMeta off this thread, at the end of a lock session. */
  private async writeMetaAsync(meta: Meta): Promise<void> {
    const file = join(this.indexDir, 'meta.json');
    await writeFile(`${file}.tmp`, JSON.stringify(meta));
    await rename(`${file}.tmp`, file);
  }

  private fingerprint(end: number): string {
    const start = Math.max(0, end - FINGERPRINT_BYTES);
    const buf = Buffer.alloc(end - start);
    if (buf.length) readSync(this.fd!, buf, 0, buf.length, start);
    return hash(buf.toString('latin1'));
  }

  /**
   * Indexes the log from where the index ends (under the lock). A log that no longer matches its
   * index (rewritten, truncated) is indexed afresh. A last line without its newline is torn by a
   * crash (writers append whole lines under the lock): taken if it is a whole record, else skipped.
   */
  private catchUp(final: boolean): Meta {
    let meta = this.readMeta();
    const size = fstatSync(this.fd!).size;
    if (meta && size === meta.indexed && this.fingerprint(meta.indexed) === meta.fingerprint) return meta;
    if (!meta || size < meta.indexed || this.fingerprint(meta.indexed) !== meta.fingerprint) {
      rmSync(this.indexDir, { recursive: true, force: true });
      meta = { version: INDEX_VERSION, indexed: 0, fingerprint: this.fingerprint(0), skipped: 0, openLine: false };
      this.layout = INDEX_VERSION;
    }
    mkdirSync(this.indexDir, { recursive: true });
    if (size === meta.indexed) {
      this.writeMeta(meta);
      return meta;
    }
    let pos = meta.indexed;
    let skipped = meta.skipped;
    let openLine = meta.openLine;
    let carry = Buffer.alloc(0);
    while (pos < size || carry.length) {
      const want = Math.min(CHUNK, size - pos);
      const chunk = Buffer.alloc(want);
      let got = 0;
      while (got < want) {
        const n = readSync(this.fd!, chunk, got, want - got, pos + got);
        if (n === 0) break;
        got += n;
      }
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, got)]) : chunk.subarray(0, got);
      const start = pos - carry.length;
      pos += got;
      const end = buf.lastIndexOf(0x0a);
      const batch = new IndexBatch();
      let lineStart = 0;
      const complete = end < 0 ? 0 : end + 1;
      let lines = 0;
      while (lineStart < complete) {
        const nl = buf.indexOf(0x0a, lineStart);
        if (nl > lineStart) skipped += this.indexLine(buf.subarray(lineStart, nl), start + lineStart, batch);
        lineStart = nl + 1;
        if (++lines % FRESH_EVERY === 0) keepLocksFresh();
      }
      carry = Buffer.from(buf.subarray(complete));
      openLine = false;
      if (pos >= size && carry.length) {
        if (!final) break;
        skipped += this.indexLine(carry, start + complete, batch);
        openLine = true;
        carry = Buffer.alloc(0);
      }
      batch.flush(this.indexDir, keepLocksFresh);
      if (got === 0) break;
    }
    const indexed = pos - carry.length;
    const caughtUp: Meta = { version: meta.version, indexed, fingerprint: this.fingerprint(indexed), skipped, openLine };
    this.writeMeta(caughtUp);
    return caughtUp;
  }

  /** Adds one log line's index entries; 1 when the line is not a record. */
  private indexLine(line: Buffer, offset: number, batch: IndexBatch): number {
    if (!line.toString('latin1').trim()) return 0;
    const record = parseLine(line.toString('utf8'));
    if (!record) return 1;
    this.indexRecord(record, [offset, line.length], batch);
    return 0;
  }

  /** A record's index entries, at `loc` in the log. */
  private indexRecord(record: AuditRecord, loc: Loc, batch: IndexBatch): void {
    const day = dayOf(record.at);
    if (record.phase === 'intent' || record.phase === 'result') {
      batch.add(join('keys', bucket(record.actionKey, this.layout)), [record.actionKey, ...loc]);
      // open intents: + on an intent, - on a result; compacted when it grows (openIntents)
      batch.add(join('open', `${hash(ledgerScopeId(record))}.idx`), record.phase === 'intent' ? ['+', record.actionKey, ...loc] : ['-', record.actionKey]);
    }
    batch.add(join('scope', hash(scopeOf(record)), `${day}.idx`), loc);
    batch.add(join('res', bucket(record.resourceId, this.layout)), [record.resourceId, ...loc]);
    batch.add(join('day', `${day}.idx`), loc);
  }

  private append(record: AuditRecord): void {
    if (this.fd === undefined) throw new Error(`audit store ${this.path} is closed`);
    this.wrote = true;
    // in a lock session the log is indexed to its end (runHeld caught up), so the line is indexed
    // from the record in hand, not read back
    const meta = this.held ?? this.catchUp(true);
    const json = JSON.stringify(record);
    // One write call per record, so a crash tears at most the last line.
    const line = Buffer.from(`${meta.openLine ? '\n' : ''}${json}\n`);
    const at = fstatSync(this.fd).size;
    writeSync(this.fd, line);
    this.unsynced = true; // fsynced before the lock session answers (lockSessions)
    if (at !== meta.indexed) {
      this.held = this.catchUp(true); // not where the index ends: index what is there
      return;
    }
    // the entries are written with the session's meta (lockSessions); this session's ledger checks read them from `pending`
    const batch = this.pending ?? new IndexBatch();
    this.indexRecord(record, [at + (meta.openLine ? 1 : 0), line.length - (meta.openLine ? 2 : 1)], batch);
    if (!this.pending) batch.flush(this.indexDir);
    const indexed = at + line.length;
    // meta.json is written once the lock session's writes are done (lockSessions): a crash before
    // leaves them past its `indexed`, indexed again by the next writer. The fingerprint is of the
    // bytes before `indexed`: the line's own when it is long enough.
    const fingerprint = line.length >= FINGERPRINT_BYTES ? hash(line.subarray(line.length - FINGERPRINT_BYTES).toString('latin1')) : this.fingerprint(indexed);
    this.held = { ...meta, indexed, fingerprint, openLine: false };
  }

  // ---------------------------------------------------------------- reads

  private readIndex(file: string): unknown[][] {
    let text: string;
    try {
      text = readFileSync(join(this.indexDir, file), 'utf8');
    } catch {
      return [];
    }
    const out: unknown[][] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as unknown[]);
      } catch {
        // a torn index line: its record is re-indexed from the log by the next writer
      }
    }
    return out;
  }

  private keyRecords(key: string): AuditRecord[] {
    const file = join('keys', bucket(key, this.layout));
    const locs = [...this.readIndex(file), ...(this.pending?.entries(file) ?? [])]
      .filter((e) => e[0] === key)
      .map((e) => [e[1], e[2]] as Loc);
    return this.readLocs(locs).filter((r) => r.actionKey === key);
  }

  /** The records the day files of one index folder point at, for days touching [since, until). */
  private readDays(folder: string, since?: string, until?: string): AuditRecord[] {
    let days: string[];
    try {
      days = readdirSync(join(this.indexDir, folder)).filter((f) => f.endsWith('.idx')).map((f) => f.slice(0, -4));
    } catch {
      return [];
    }
    const from = since === undefined ? '' : dayOf(since);
    const to = until === undefined ? '\uffff' : dayOf(until);
    const locs = days
      .filter((d) => d >= from && d <= to)
      .sort()
      .flatMap((d) => this.readIndex(join(folder, `${d}.idx`)) as Loc[]);
    return this.readLocs(locs);
  }

  private readLocs(locs: Loc[]): AuditRecord[] {
    const seen = new Set<number>();
    const out: AuditRecord[] = [];
    for (const [offset, length] of locs.sort((a, b) => a[0] - b[0])) {
      if (seen.has(offset)) continue;
      seen.add(offset);
      const buf = Buffer.alloc(length);
      readSync(this.fd!, buf, 0, length, offset);
      const record = parseLine(buf.toString('utf8'));
      if (record) out.push(record);
    }
    return out;
  }

  private readAll(): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (const chunk of this.chunks()) for (const r of chunk) out.push(r);
    return out;
  }

  /** The log's records, a chunk (up to 32 MiB of lines) at a time, in the order they were written. */
  private *chunks(): Generator<AuditRecord[]> {
    const size = fstatSync(this.fd!).size;
    let pos = 0;
    let carry = '';
    while (pos < size) {
      const buf = Buffer.alloc(Math.min(CHUNK, size - pos));
      const n = readSync(this.fd!, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      const lines = (carry + buf.subarray(0, n).toString('utf8')).split('\n');
      carry = lines.pop() ?? '';
      const out: AuditRecord[] = [];
      for (const l of lines) {
        const r = l.trim() ? parseLine(l) : undefined;
        if (r) out.push(r);
      }
      yield out;
    }
    const last = carry.trim() ? parseLine(carry) : undefined;
    if (last) yield [last];
  }
}

/** Index folders this process made or found (a hint: an index rebuilt meanwhile loses them). */
const madeFolders = new Set<string>();

/** Index lines gathered while indexing, appended file by file. */
class IndexBatch {
  private readonly files = new Map<string, string[]>();
  add(file: string, entry: unknown[]): void {
    const lines = this.files.get(file);
    if (lines) lines.push(JSON.stringify(entry));
    else this.files.set(file, [JSON.stringify(entry)]);
  }
  /** The entries gathered for one file, not yet written. */
  entries(file: string): unknown[][] {
    return (this.files.get(file) ?? []).map((line) => JSON.parse(line) as unknown[]);
  }

  /** flush, off this thread: the files are appended at once. */
  async write(dir: string): Promise<void> {
    const files = [...this.files];
    this.files.clear();
    await Promise.all(
      files.map(async ([file, lines]) => {
        const path = join(dir, file);
        const text = `\n${lines.join('\n')}`;
        const folder = dirname(path);
        if (!madeFolders.has(folder)) await mkdir(folder, { recursive: true });
        try {
          await appendFile(path, text);
        } catch (e) {
          if ((e as { code?: string }).code !== 'ENOENT' || !madeFolders.has(folder)) throw e;
          await mkdir(folder, { recursive: true });
          await appendFile(path, text);
        }
        madeFolders.add(folder);
      }),
    );
  }

  /** Writes the entries on this thread; `progress` is called every FRESH_EVERY files (a build's). */
  flush(dir: string, progress?: () => void): void {
    let written = 0;
    for (const [file, lines] of this.files) {
      if (progress && ++written % FRESH_EVERY === 0) progress();
      const path = join(dir, file);
      // each entry starts its own line, so an entry torn by a crash never swallows the next one
      const text = `\n${lines.join('\n')}`;
      const folder = dirname(path);
      if (!madeFolders.has(folder)) mkdirSync(folder, { recursive: true });
      try {
        appendFileSync(path, text);
      } catch (e) {
        // the index was rebuilt by another process since: the folder is gone
        if ((e as { code?: string }).code !== 'ENOENT' || !madeFolders.has(folder)) throw e;
        mkdirSync(folder, { recursive: true });
        appendFileSync(path, text);
      }
      madeFolders.add(folder);
    }
    this.files.clear();
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
