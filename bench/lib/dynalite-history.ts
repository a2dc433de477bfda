import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { toAuditItem } from '../../lib/audit/dynamo-store';
import { startDynalite } from '../../test/audit/dynalite-server';
import { HISTORY_NOW, historyRecord } from './audit-history';

/** Bump when historyRecord or the item shape changes: seeded folders of another version are not reused. */
export const HISTORY_VERSION = 5;
const TABLE = 'audit-1';

interface LevelDb {
  open(): Promise<void>;
  get(key: string): Promise<unknown>;
  batch(
    ops: { type: 'put'; key: string; value: unknown }[],
    options?: { valueEncoding: string },
  ): Promise<void>;
  compactRange(start: string, end: string): Promise<void>;
  close(): Promise<void>;
}
interface DynaliteDb {
  createKey(item: unknown, table: unknown): string;
  getIndexActions(
    indexes: unknown[],
    existing: unknown,
    item: unknown,
    table: unknown,
  ): { puts: { index: string; key: string; item: unknown }[] };
}

/**
 * A dynalite server over an audit table holding `n` records of bench history.
 *
 * Loading 1M items through the API (40,000 BatchWriteItem calls, each also writing five index
 * entries) takes dynalite tens of minutes, and in memory the ~6M entries do not fit. So the table
 * is seeded once per size in dynalite's own on-disk store (LevelDB, `path`): created through the
 * API, then its items and index entries are written straight into LevelDB with dynalite's own key
 * functions, in batches; the folder is kept under `cacheRoot` and reused. Each use runs on a copy
 * (the immutable .ldb tables hard-linked, the rest copied), so a run's writes never reach the seed.
 */
export async function seededDynalite(n: number, cacheRoot: string, log: (s: string) => void = () => {}) {
  // the history is written at the machine's day (HISTORY_NOW): a seed per day
  const seed = join(cacheRoot, `dynalite-v${HISTORY_VERSION}-${new Date(HISTORY_NOW).toISOString().slice(0, 10)}-${n}`);
  let seedMs: number | undefined;
  if (!existsSync(join(seed, 'READY'))) {
    const s0 = performance.now();
    await seedTable(seed, n, log);
    seedMs = performance.now() - s0;
  }
  const work = mkdtempSync(join(cacheRoot, 'run-'));
  for (const f of readdirSync(seed)) {
    if (f === 'READY' || f === 'LOCK') continue;
    if (f.endsWith('.ldb')) linkSync(join(seed, f), join(work, f));
    else copyFileSync(join(seed, f), join(work, f));
  }
  const dynamo = await startDynalite({ path: work });
  return {
    dynamo,
    tableName: TABLE,
    seedMs,
    async close() {
      await dynamo.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

async function seedTable(dir: string, n: number, log: (s: string) => void): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startDynalite({ path: dir });
  const name = await server.createAuditTable();
  if (name !== TABLE) throw new Error(`seed: expected table ${TABLE}, got ${name}`);
  await server.close();

  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = fromDynalite('level') as {
    Level: new (path: string, o: Record<string, unknown>) => LevelDb;
  };
  const ddb = fromDynalite('./db/index.js') as DynaliteDb;
  // a large write buffer: fewer level-0 files to compact while 6M entries go in
  const db = new Level(dir, { valueEncoding: 'json', writeBufferSize: 128 * 1024 * 1024 });
  await db.open();
  const table = (await db.get(`table~${TABLE}`)) as {
    GlobalSecondaryIndexes: { IndexName: string; KeySchema: { AttributeName: string }[] }[];
  };
  const indexes = table.GlobalSecondaryIndexes.map((g) => ({
    name: g.IndexName,
    hash: g.KeySchema[0]!.AttributeName,
    range: g.KeySchema[1]!.AttributeName,
  }));
  let ops: { type: 'put'; key: string; value: string }[] = [];
  let inFlight: Promise<void> | undefined;
  let report = 100_000;
  for (let i = 0; i < n; i++) {
    const r = historyRecord(i, n);
    const item = toAuditItem(
      r,
      r.phase === 'intent' ? 'intent' : r.phase === 'result' ? 'result' : `${r.phase}#${r.at}#${i}`,
    );
    const value = JSON.stringify(item); // encoded once for the item and its index entries (projection ALL)
    const keys = [{ index: undefined as string | undefined, key: itemKey(item) }];
    const tableHash = hashPrefix(item.pk!.S!, item.sk!.S!);
    for (const x of indexes) {
      const h = item[x.hash]?.S;
      const rk = item[x.range]?.S;
      if (h !== undefined && rk !== undefined)
        keys.push({ index: x.name, key: `${hashPrefix(h)}/${hex(h)}/${hex(rk)}/${tableHash}` });
    }
    if (i < 200) {
      // our key encoding is dynalite's own (checked on the first items)
      const theirs = [
        ddb.createKey(item, table),
        ...ddb.getIndexActions(table.GlobalSecondaryIndexes, null, item, table).puts.map((p) => p.key),
      ];
      if (JSON.stringify(theirs) !== JSON.stringify(keys.map((k) => k.key)))
        throw new Error(
          `seed: key encoding differs from dynalite's: ${JSON.stringify({ theirs, ours: keys })}`,
        );
    }
    for (const k of keys)
      ops.push({
        type: 'put',
        key: k.index ? `index-global~${TABLE}~${k.index}~${k.key}` : `item-${TABLE}~${k.key}`,
        value,
      });
    if (ops.length >= 12_000) {
      await inFlight;
      inFlight = db.batch(ops, { valueEncoding: 'utf8' });
      ops = [];
      if (i >= report) {
        log(`  seeded ${i} / ${n}`);
        report += 100_000;
      }
    }
  }
  await inFlight;
  if (ops.length) await db.batch(ops, { valueEncoding: 'utf8' });
  await db.close();
  // one full compaction (minutes at 1M): every size is read in the same settled shape, not
  // through a backlog of level-0 files that only the biggest load leaves
  const again = new Level(dir, { valueEncoding: 'json' });
  await again.open();
  await again.compactRange('\x00', '\xff');
  await again.close();
  writeFileSync(join(dir, 'READY'), `${n} records, history v${HISTORY_VERSION}\n`);
}

/** dynalite's key of a string hash (+ range) key: md5('Outliers' + hash + range), 6 hex digits (db/index.js hashPrefix). */
const prefixes = new Map<string, string>();
function hashPrefix(hash: string, range?: string): string {
  if (range === undefined) {
    const known = prefixes.get(hash);
    if (known) return known;
  }
  const h = createHash('md5').update('Outliers').update(hash, 'utf8');
  if (range !== undefined) h.update(range, 'utf8');
  const p = h.digest('hex').slice(0, 6);
  if (range === undefined && prefixes.size < 100_000) prefixes.set(hash, p);
  return p;
}
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
function itemKey(item: Record<string, { S?: string }>): string {
  return `${hashPrefix(item.pk!.S!)}/${hex(item.pk!.S!)}/${hex(item.sk!.S!)}/`;
}
