import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import lockfile from 'proper-lockfile';
import { auditStoreConfigOf, FileAuditStore, openAuditStore } from '../../lib/audit';
import { resultOf, sampleRecord } from './fixtures';
import { auditStoreContract } from './store-contract';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'audit-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileAuditStore: the AuditStore contract', () => {
  auditStoreContract(async () => {
    const path = join(dir, 'nested', 'audit.jsonl'); // the folder is created on open
    return {
      store: new FileAuditStore(path),
      reopen: async () => new FileAuditStore(path),
      rawContent: async () => readFileSync(path, 'utf8'),
    };
  });
});

describe('FileAuditStore on disk', () => {
  it('writes one JSON line per record, flushed as it goes', async () => {
    const path = join(dir, 'audit.jsonl');
    const store = new FileAuditStore(path);
    const intent = sampleRecord();
    await store.putIntent(intent);
    // Visible to a reader before the store is closed: written and flushed per record.
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(JSON.parse(lines[0]!)).toMatchObject({ actionKey: intent.actionKey, phase: 'intent', schemaVersion: 1 });
    await store.close();
  });

  it('skips a torn last line, keeps every earlier record, and appends on a fresh line', async () => {
    const path = join(dir, 'audit.jsonl');
    const first = new FileAuditStore(path);
    const a = sampleRecord();
    const b = sampleRecord();
    await first.putIntent(a);
    await first.putResult(resultOf(a));
    await first.putIntent(b);
    await first.close();
    // A crash mid-write: half of b's result line, no newline.
    const torn = JSON.stringify(resultOf(b));
    appendFileSync(path, torn.slice(0, torn.length / 2));

    const second = new FileAuditStore(path);
    expect(second.skippedLines).toBe(1);
    expect(await second.query({})).toHaveLength(3);
    expect((await second.get(a.actionKey)).result?.outcome).toBe('success');
    // b has an intent but no result: the caller reconciles it; its result can still be written.
    await expect(second.putIntent(b)).resolves.toBe('exists');
    await second.putResult(resultOf(b, { outcome: 'reconciled' }));
    await second.close();

    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines[3]).toBe(torn.slice(0, torn.length / 2)); // fragment left alone, on its own line
    expect(JSON.parse(lines[4]!)).toMatchObject({ actionKey: b.actionKey, outcome: 'reconciled' });

    const third = new FileAuditStore(path);
    expect(third.skippedLines).toBe(1);
    expect((await third.get(b.actionKey)).result?.outcome).toBe('reconciled');
    expect(await third.query({})).toHaveLength(4);
    await third.close();
  });

  it('accepts a complete last line that lacks only its newline', async () => {
    const path = join(dir, 'audit.jsonl');
    const a = sampleRecord();
    writeFileSync(path, JSON.stringify(a));
    const store = new FileAuditStore(path);
    expect(store.skippedLines).toBe(0);
    await expect(store.putIntent(a)).resolves.toBe('exists');
    await store.putResult(resultOf(a));
    await store.close();
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });

  describe('several stores of one file in one process (fan-out workers, a bench)', () => {
    // Only the timers are faked, and never advanced: a store that polled for the file lock
    // (proper-lockfile's retry timer) would wait for ever. Taking turns in the process needs none.
    const fakeTimersOnly = () =>
      jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
    /** Lets I/O and promises run (no timer fires) until `p` settles or a bound on turns is reached. */
    async function settles(p: Promise<unknown>, turns = 2_000_000): Promise<boolean> {
      let done = false;
      void p.then(() => (done = true), () => (done = true));
      for (let turn = 0; turn < turns && !done; turn++) await new Promise((r) => setImmediate(r));
      return done;
    }
    /** A failed case leaves stores asleep on fake timers: wake them so the folder can go. */
    async function wake(p: Promise<unknown>): Promise<void> {
      for (let i = 0; i < 2_000 && !(await settles(p, 100)); i++) jest.advanceTimersByTime(100);
    }
    afterEach(() => jest.useRealTimers());

    it('take turns without sleeping on the lock: every write lands, none waits on a timer', async () => {
      const path = join(dir, 'audit.jsonl');
      fakeTimersOnly();
      const stores = Array.from({ length: 8 }, () => new FileAuditStore(path));
      const records = stores.flatMap(() => [sampleRecord(), sampleRecord()]);
      const writes = Promise.all(records.map((r, i) => stores[i >> 1]!.putIntent(r)));
      const landed = await settles(writes);
      if (!landed) await wake(writes);
      jest.useRealTimers();
      expect(landed).toBe(true);
      expect(await writes).toEqual(records.map(() => 'written'));
      await Promise.all(stores.map((s) => s.close()));
      const reader = new FileAuditStore(path);
      expect((await reader.query({ phase: 'intent' })).map((r) => r.actionKey).sort()).toEqual(records.map((r) => r.actionKey).sort());
      await reader.close();
    });

    it('a store opened while another writes the file opens at once and reads what was written', async () => {
      const path = join(dir, 'audit.jsonl');
      const before = sampleRecord();
      appendFileSync(path, `${JSON.stringify(before)}\n`); // not indexed yet: the next store to open catches up
      fakeTimersOnly();
      const writer = new FileAuditStore(path);
      const during = sampleRecord();
      const write = writer.putIntent(during);
      for (let turn = 0; turn < 200_000 && !existsSync(`${path}.lock`); turn++) await new Promise((r) => setImmediate(r));
      const opened = new FileAuditStore(path); // while the writer holds the file lock
      const read = write.then(() => opened.query({ phase: 'intent' }));
      const landed = await settles(read);
      if (!landed) await wake(read);
      jest.useRealTimers();
      expect(landed).toBe(true);
      expect((await read).map((r) => r.actionKey).sort()).toEqual([before.actionKey, during.actionKey].sort());
      await Promise.all([writer.close(), opened.close()]);
    });

    it('writes that wait together are answered together: one that conflicts fails alone, the rest land and read back', async () => {
      const path = join(dir, 'audit.jsonl');
      const stores = Array.from({ length: 4 }, () => new FileAuditStore(path));
      const done = sampleRecord();
      await stores[0]!.putIntent(done);
      await stores[0]!.putResult(resultOf(done));
      const records = Array.from({ length: 12 }, () => sampleRecord());
      const outcomes = await Promise.allSettled([
        ...records.map((r, i) => stores[i % 4]!.putIntent(r)),
        stores[1]!.putResult(resultOf(done, { outcome: 'reconciled' })), // a second result: refused, nothing overwritten
        ...records.map((r, i) => stores[(i + 1) % 4]!.putResult(resultOf(r))),
      ]);
      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.name)).toEqual(['AuditConflictError']);
      await Promise.all(stores.map((s) => s.close()));
      const reader = new FileAuditStore(path);
      for (const r of records) expect((await reader.get(r.actionKey)).result?.outcome).toBe('success');
      expect((await reader.get(done.actionKey)).result?.outcome).toBe('success');
      expect(reader.skippedLines).toBe(0);
      await reader.close();
    });

    it('a session whose index entries cannot be written fails its writes and leaves the meta behind them, so the next writer indexes them', async () => {
      const path = join(dir, 'audit.jsonl');
      const stores = Array.from({ length: 3 }, () => new FileAuditStore(path));
      const first = sampleRecord();
      await stores[0]!.putIntent(first);
      const keys = join(`${path}.idx`, 'keys');
      renameSync(keys, `${keys}.aside`);
      writeFileSync(keys, 'not a folder'); // every key entry of the next session fails to land (ENOTDIR)
      const records = Array.from({ length: 6 }, () => sampleRecord());
      const outcomes = await Promise.allSettled(records.map((r, i) => stores[i % 3]!.putIntent(r)));
      expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
      rmSync(keys);
      renameSync(`${keys}.aside`, keys);
      // the lines are in the log; the meta still ends before them, so they are indexed again
      const reader = new FileAuditStore(path);
      for (const r of [first, ...records]) expect((await reader.get(r.actionKey)).intent?.actionKey).toBe(r.actionKey);
      for (const r of records) await expect(reader.putIntent(r)).resolves.toBe('exists');
      await Promise.all([...stores, reader].map((s) => s.close()));
    });

    it('a compaction among other stores\' writes keeps every record they wrote, before and after it', async () => {
      const NOW = Date.parse('2026-03-10T00:00:00Z');
      const path = join(dir, 'audit.jsonl');
      const seed = new FileAuditStore(path, { fsync: false });
      for (let i = 0; i < 10; i++) await seed.putRecord(sampleRecord({ at: '2025-06-01T00:00:00Z', phase: 'notice', resourceId: `ins-old-${i}` }));
      await seed.close();
      const compacting = new FileAuditStore(path, { retentionDays: 90, clock: () => NOW });
      const writers = Array.from({ length: 3 }, () => new FileAuditStore(path, { retentionDays: 90, clock: () => NOW }));
      const fresh = (n: number) => Array.from({ length: n }, (_, i) => sampleRecord({ at: '2026-03-01T02:00:00Z', resourceId: `ins-new-${i}` }));
      const before = fresh(15);
      const after = fresh(15);
      const [, compacted] = await Promise.all([
        Promise.all(before.map((r, i) => writers[i % 3]!.putIntent(r))),
        compacting.compact(),
        Promise.all(after.map((r, i) => writers[i % 3]!.putIntent(r))),
      ]);
      expect(compacted.dropped).toBe(10);
      await Promise.all([compacting, ...writers].map((s) => s.close()));
      const reader = new FileAuditStore(path);
      expect((await reader.query({ phase: 'intent' })).map((r) => r.actionKey).sort()).toEqual([...before, ...after].map((r) => r.actionKey).sort());
      expect(readFileSync(path, 'utf8')).not.toContain('ins-old-');
      await reader.close();
    });
  });

  // The lock's staleness compares the lock directory's mtime with Date.now(). Under `npm run
  // test:any-date` libfaketime moves Date.now() but not file times (libuv reads them with statx,
  // which it cannot intercept), so a year ahead every held lock looks stale. That is the shifting
  // tool's inconsistency, not a date dependency: this case is skipped a year ahead only.
  const onRealClock = process.env.ANY_DATE_SHIFT?.startsWith('+') ? it.skip : it;
  onRealClock('several processes on one file: each intent is won by exactly one, nothing is lost', async () => {
    const path = join(dir, 'shared.jsonl');
    const child = join(dirname(fileURLToPath(import.meta.url)), 'file-store-child.ts');
    const runs = ['run-a', 'run-b', 'run-c'];
    const won = await Promise.all(
      runs.map(
        (runId) =>
          new Promise<number[]>((resolve, reject) => {
            let out = '';
            const p = spawn(process.execPath, ['--import', 'tsx', child, path, runId, '40'], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
            p.stdout.on('data', (d: Buffer) => (out += d.toString()));
            p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`child exited ${code}`))));
          }),
      ),
    );
    expect(won.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const store = new FileAuditStore(path);
    expect(await store.query({ phase: 'intent' })).toHaveLength(40);
    expect(await store.query({ phase: 'notice' })).toHaveLength(120);
    expect(store.skippedLines).toBe(0);
    await store.close();
  }, 60_000);

  describe('retention (audit.retention on the file store)', () => {
    const NOW = Date.parse('2026-03-10T00:00:00Z');
    const clock = () => NOW;
    const old = (overrides = {}) => sampleRecord({ at: '2025-06-01T00:00:00Z', ...overrides }); // 282 days before NOW
    const recent = (overrides = {}) => sampleRecord({ at: '2026-03-01T02:00:00Z', ...overrides });

    it('records past the retention are not returned, by any lookup, and the ledger forgets them as a DynamoDB TTL does', async () => {
      const path = join(dir, 'audit.jsonl');
      const a = old({ resourceId: 'ins-old' });
      const b = recent({ resourceId: 'ins-new' });
      const writer = new FileAuditStore(path);
      await writer.putIntent(a);
      await writer.putIntent(b);
      await writer.putRecord(old({ phase: 'notice', resourceId: 'ins-old' }));
      await writer.close();

      const store = new FileAuditStore(path, { retentionDays: 90, clock });
      const scope = { function: 'auto-delete' as const, policy: 'expire-dev', target: 'tencent-prod', region: 'ap-guangzhou' };
      expect((await store.query({})).map((r) => r.resourceId)).toEqual(['ins-new']);
      expect(await store.query({ resourceId: 'ins-old' })).toEqual([]);
      expect((await store.query({ ...scope, since: '2025-01-01T00:00:00Z' })).map((r) => r.resourceId)).toEqual(['ins-new']);
      expect((await store.openIntents(scope, '2025-01-01T00:00:00Z')).map((r) => r.resourceId)).toEqual(['ins-new']);
      expect(await store.get(a.actionKey)).toEqual({});
      const exported = [];
      for await (const r of store.stream({})) exported.push(r.resourceId);
      expect(exported).toEqual(['ins-new']);
      await expect(store.putIntent(a)).resolves.toBe('written'); // as after the TTL deleted the item
      await store.close();
    });

    it('the log is compacted after a run once its oldest records are a month past the retention: they are dropped, the rest reads as before', async () => {
      const path = join(dir, 'audit.jsonl');
      const writer = new FileAuditStore(path, { fsync: false });
      for (let i = 0; i < 30; i++) await writer.putRecord(old({ phase: 'notice', resourceId: `ins-old-${i}` }));
      const kept = recent({ resourceId: 'ins-kept' });
      await writer.putIntent(kept);
      await writer.close();

      const reader = new FileAuditStore(path, { retentionDays: 90, clock }); // another process, open across the compaction
      expect((await reader.query({})).map((r) => r.resourceId)).toEqual(['ins-kept']);
      const run = new FileAuditStore(path, { retentionDays: 90, clock });
      await run.putResult(resultOf(kept));
      await run.close(); // wrote, and the oldest day is past the retention + 30 days: compacts
      const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(2);
      expect(lines.join('\n')).not.toContain('ins-old-');

      // the reader follows the replaced log for reads and writes
      expect((await reader.get(kept.actionKey)).result?.outcome).toBe('success');
      await reader.putRecord(recent({ phase: 'notice', resourceId: 'ins-after' }));
      expect((await reader.query({})).map((r) => r.resourceId)).toEqual(['ins-kept', 'ins-kept', 'ins-after']);
      await reader.close();
      const fresh = new FileAuditStore(path);
      expect(await fresh.query({ resourceId: 'ins-after' })).toHaveLength(1);
      expect(fresh.skippedLines).toBe(0);
      await fresh.close();
    });

    it('a log removed by hand under an open store is still read through the open descriptor, not waited on', async () => {
      const path = join(dir, 'audit.jsonl');
      const store = new FileAuditStore(path, { retentionDays: 90, clock });
      await store.putIntent(recent({ resourceId: 'ins-a' }));
      rmSync(path);
      expect((await store.query({ resourceId: 'ins-a' })).map((r) => r.resourceId)).toEqual(['ins-a']);
      await store.close();
    });

    it('audit.retention reaches the file store as whole days', async () => {
      expect(auditStoreConfigOf({ store: 'file', path: 'a.jsonl', retention: '13w' })).toEqual({ kind: 'file', path: 'a.jsonl', retentionDays: 91 });
      expect(auditStoreConfigOf({ store: 'file', path: 'a.jsonl' })).toEqual({ kind: 'file', path: 'a.jsonl' });
      expect(() => new FileAuditStore(join(dir, 'a.jsonl'), { retentionDays: 0 })).toThrow(/retentionDays/);
    });

    onRealClock('compacting while other processes write: nothing they wrote is lost, every intent still won once', async () => {
      const path = join(dir, 'shared.jsonl');
      writeFileSync(path, Array.from({ length: 3000 }, (_, i) => JSON.stringify(old({ phase: 'notice', resourceId: `ins-old-${i}` }))).join('\n') + '\n');
      const compactor = new FileAuditStore(path, { retentionDays: 90, clock });
      const child = join(dirname(fileURLToPath(import.meta.url)), 'file-store-child.ts');
      const children = ['run-a', 'run-b'].map(
        (runId) =>
          new Promise<number[]>((resolve, reject) => {
            let out = '';
            const p = spawn(process.execPath, ['--import', 'tsx', child, path, runId, '40'], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
            p.stdout.on('data', (d: Buffer) => (out += d.toString()));
            p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`child exited ${code}`))));
          }),
      );
      let done = false;
      const all = Promise.all(children).finally(() => (done = true));
      let compactions = 0;
      do {
        await compactor.compact();
        compactions++;
        await new Promise((r) => setTimeout(r, 20));
      } while (!done);
      const won = await all;
      await compactor.compact();
      expect(compactions).toBeGreaterThan(1);
      expect(won.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(await compactor.query({ phase: 'intent' })).toHaveLength(40);
      expect(await compactor.query({ phase: 'notice' })).toHaveLength(80);
      await compactor.close();
      expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(120);
    }, 120_000);
  });

  it('reads a log written before the index existed, and re-indexes a log rewritten under it', async () => {
    const path = join(dir, 'legacy.jsonl');
    const a = sampleRecord({ resourceId: 'ins-legacy' });
    writeFileSync(path, `${JSON.stringify(a)}\n${JSON.stringify(resultOf(a))}\n`); // as the old store left it
    const store = new FileAuditStore(path);
    expect((await store.get(a.actionKey)).result?.outcome).toBe('success');
    expect(await store.query({ resourceId: 'ins-legacy' })).toHaveLength(2);
    writeFileSync(path, `${JSON.stringify(a)}\n`); // someone edits the trail: the result is gone
    expect((await store.get(a.actionKey)).result).toBeUndefined();
    await expect(store.putIntent(a)).resolves.toBe('exists');
    await store.close();
  });

  it('writes on after its index is rebuilt under it (folders it made are gone), and finds every record', async () => {
    const path = join(dir, 'audit.jsonl');
    const store = new FileAuditStore(path);
    const a = sampleRecord({ resourceId: 'ins-a' });
    await store.putIntent(a);
    rmSync(`${path}.idx`, { recursive: true }); // another process found the index unusable and rebuilds it
    await store.putResult(resultOf(a));
    const b = sampleRecord({ resourceId: 'ins-a' });
    await store.putIntent(b);
    expect((await store.get(a.actionKey)).result?.outcome).toBe('success');
    expect(await store.query({ resourceId: 'ins-a' })).toHaveLength(3);
    await store.close();
  });

  it('keeps each hash-bucket index in one folder, so writing to a young trail makes no folder per bucket', async () => {
    const path = join(dir, 'audit.jsonl');
    const store = new FileAuditStore(path);
    for (let i = 0; i < 40; i++) await store.putIntent(sampleRecord({ resourceId: `ins-${i}` }));
    await store.close();
    for (const index of ['keys', 'res']) {
      const entries = readdirSync(join(`${path}.idx`, index), { withFileTypes: true });
      expect(entries.filter((e) => e.isDirectory()).map((e) => e.name)).toEqual([]);
      expect(entries.length).toBeGreaterThan(30); // 40 records over 65536 buckets: nearly one file each
    }
  });

  it('reads and writes an index of the earlier layout (a folder per bucket, meta version 1) as it is: no rebuild on upgrade', async () => {
    const path = join(dir, 'audit.jsonl');
    const store = new FileAuditStore(path);
    const records = Array.from({ length: 12 }, (_, i) => sampleRecord({ resourceId: `ins-${i % 3}` }));
    for (const r of records) await store.putIntent(r);
    await store.close();
    // what an earlier version left: keys/<2 hex>/<2 hex>.idx and res/<2 hex>/<2 hex>.idx
    const idx = `${path}.idx`;
    for (const index of ['keys', 'res']) {
      for (const f of readdirSync(join(idx, index)).filter((f) => /^[0-9a-f]{4}\.idx$/.test(f))) {
        mkdirSync(join(idx, index, f.slice(0, 2)), { recursive: true });
        renameSync(join(idx, index, f), join(idx, index, f.slice(0, 2), `${f.slice(2, 4)}.idx`));
      }
    }
    const meta = join(idx, 'meta.json');
    writeFileSync(meta, JSON.stringify({ ...JSON.parse(readFileSync(meta, 'utf8')), version: 1 }));
    const marker = join(idx, 'day', 'kept');
    writeFileSync(marker, ''); // a rebuild would remove the index folder, and this with it
    const reopened = new FileAuditStore(path);
    for (const r of records) await expect(reopened.putIntent(r)).resolves.toBe('exists');
    const added = sampleRecord({ resourceId: 'ins-1' });
    await reopened.putIntent(added);
    expect(await reopened.query({ resourceId: 'ins-1' })).toHaveLength(5);
    expect((await reopened.get(added.actionKey)).intent?.actionKey).toBe(added.actionKey);
    await reopened.close();
    const h = createHash('sha1').update(added.actionKey).digest('hex');
    expect(existsSync(join(idx, 'keys', h.slice(0, 2), `${h.slice(2, 4)}.idx`))).toBe(true);
    expect(JSON.parse(readFileSync(meta, 'utf8')).version).toBe(1);
    expect(existsSync(marker)).toBe(true);
  });

  // proper-lockfile refreshes a held lock on a timer, which cannot run while an index build holds
  // the thread (10-40 s at 100k-1M records); another process takes a lock over once it is 5 s old
  describe('a long index build keeps its lock fresh, so no other process takes it over meanwhile', () => {
    const LOCK = { stale: 5_000, realpath: false };
    afterEach(() => {
      FileAuditStore.onIndexProgress = undefined;
      jest.restoreAllMocks();
    });
    // The build's clock: a set clock, not the machine's. It stands at 0 until the build's first
    // progress step, then starts from the lock's own mtime (what another process compares with
    // its clock: so under any calendar, or libfaketime, the two agree) and runs 2 s per step.
    // Each step asks, as another process would, whether the lock is stale.
    const slowBuild = (path: string) => {
      const seen = { steps: 0, staleAt: [] as number[] };
      let base: number | undefined;
      let clock = 0;
      jest.spyOn(Date, 'now').mockImplementation(() => clock);
      FileAuditStore.onIndexProgress = () => {
        base ??= statSync(`${path}.lock`).mtimeMs;
        seen.steps++;
        clock = base + 2_000 * seen.steps;
        if (!lockfile.checkSync(path, LOCK)) seen.staleAt.push(seen.steps);
      };
      return seen;
    };
    const logOf = (path: string, n: number) => {
      writeFileSync(path, Array.from({ length: n }, (_, i) => `${JSON.stringify(sampleRecord({ resourceId: `ins-${i % 50}` }))}\n`).join(''));
    };

    it('on open (the index missing: built under the lock taken without waiting)', async () => {
      const path = join(dir, 'audit.jsonl');
      logOf(path, 9_000);
      const seen = slowBuild(path);
      const store = new FileAuditStore(path);
      expect(seen.steps).toBeGreaterThanOrEqual(4); // 8 s of build by its clock
      expect(seen.staleAt).toEqual([]);
      jest.restoreAllMocks();
      expect(await store.query({ resourceId: 'ins-7' })).toHaveLength(180);
      await store.close();
    });

    it('a lock another process took over meanwhile fails the build, saying so', () => {
      const path = join(dir, 'audit.jsonl');
      logOf(path, 9_000);
      slowBuild(path);
      const progress = FileAuditStore.onIndexProgress!;
      FileAuditStore.onIndexProgress = () => {
        progress();
        rmSync(`${path}.lock`, { recursive: true, force: true });
      };
      expect(() => new FileAuditStore(path)).toThrow(/the file lock .*audit\.jsonl\.lock was lost during a long index build/);
    });

    it('in a lock session (the index removed under an open store)', async () => {
      const path = join(dir, 'audit.jsonl');
      logOf(path, 10);
      const store = new FileAuditStore(path);
      logOf(path, 9_000);
      rmSync(`${path}.idx`, { recursive: true, force: true });
      const seen = slowBuild(path);
      const found = await store.query({ resourceId: 'ins-7' });
      expect(seen.steps).toBeGreaterThanOrEqual(4);
      expect(seen.staleAt).toEqual([]);
      expect(found).toHaveLength(180);
      jest.restoreAllMocks();
      await store.close();
    });
  });

  it('an index meta lost or cut short (a crash, a hand edit) costs a re-index, never a record', async () => {
    const path = join(dir, 'audit.jsonl');
    const store = new FileAuditStore(path);
    const records = [sampleRecord({ resourceId: 'ins-m' }), sampleRecord({ resourceId: 'ins-m' })];
    for (const r of records) await store.putIntent(r);
    await store.close();
    const meta = join(`${path}.idx`, 'meta.json');
    const whole = readFileSync(meta, 'utf8');
    for (const torn of ['', whole.slice(0, whole.length - 5)]) {
      writeFileSync(meta, torn);
      const reopened = new FileAuditStore(path);
      expect((await reopened.query({ resourceId: 'ins-m' })).map((r) => r.actionKey).sort()).toEqual(records.map((r) => r.actionKey).sort());
      await expect(reopened.putIntent(records[0]!)).resolves.toBe('exists');
      await reopened.close();
    }
  });

  it('is what openAuditStore gives for kind "file"', async () => {
    const path = join(dir, 'x', 'audit.jsonl');
    const store = await openAuditStore({ kind: 'file', path });
    expect(store).toBeInstanceOf(FileAuditStore);
    await store.putIntent(sampleRecord());
    await store.close?.();
    expect(readFileSync(path, 'utf8')).toContain('"phase":"intent"');
  });

  it('refuses writes after close', async () => {
    const store = new FileAuditStore(join(dir, 'audit.jsonl'));
    await store.close();
    await expect(store.putIntent(sampleRecord())).rejects.toThrow(/closed/);
  });
});
