/**
 * Audit store at 1k, 100k and 1M records of history (issue 19): what one run's lookups cost.
 *
 *   tsx bench/audit-store.ts                      # file and DynamoDB at 1k, 100k, 1M
 *   BENCH_AUDIT_SIZES=1000,10000 BENCH_AUDIT_DYNAMO_SIZES=1000,10000 tsx bench/audit-store.ts   # small
 *   tsx bench/audit-store.ts --table bench/results-audit.json [bench/results-audit-node22.json]
 *                                                  # the tables of saved runs (two: side by side)
 *
 * Each size runs in a fresh child process (so peak RSS is that store's alone). History
 * (bench/lib/audit-history.ts): a fixed recent part in the run's scopes plus a fleet's past — 3,200
 * instances, 4 targets × 4 regions, a year of daily snapshots, reminders, timers, deletions, bin
 * bookkeeping and spot conditions. The file store's log is written directly (as an older install
 * leaves it) and indexed on the first open (`index build`, a one-time migration). Then, timed on a
 * second, fresh open, one "run" of one scope: 120 ledger lookups by action key (100 new, 20
 * recent), the scope's open intents (35 days), and 40 appends (20 intents + 20 results); apart
 * from it, the scope's records of the last 35 days.
 * DynamoDB runs against dynalite on loopback, over a table seeded once per size into dynalite's
 * on-disk store and reused (bench/lib/dynalite-history.ts; BENCH_AUDIT_CACHE, default
 * bench/.cache/audit): the same store-level run, then one scheduled run of each function (the
 * Lambda handler, over simulated clouds) with its trail in that table. Requests and items read
 * are counted at the server, per read kind (operation and index); times are dynalite's, not
 * DynamoDB's.
 * Writes bench/results-audit.json and prints a Markdown table. Ratios compare two sizes of one run.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyRecord } from './lib/audit-history';
import { STORE_RUN_SCOPE, storeRun, type FunctionRun } from './lib/audit-runs';

interface ReadTally {
  requests: Record<string, number>;
  /** Per read kind (operation and index): requests and items read. */
  reads: Record<string, { requests: number; items: number }>;
}

interface Row {
  store: 'file' | 'dynamodb';
  records: number;
  /** Node.js version the child ran on. */
  node: string;
  indexBuildMs?: number;
  /** DynamoDB: the one-time seeding of this size's table (absent when reused from the cache). */
  seedMs?: number;
  openMs: number;
  lookupMs: number;
  appendMs: number;
  runMs: number;
  /** Not part of the run: the scope's records of the last 35 days. */
  scopeQueryMs: number;
  scopeRecords: number;
  peakRssMiB: number;
  /** DynamoDB, the store-level run (without the scope query), counted at the server. */
  storeRun?: ReadTally;
  /** DynamoDB: one scheduled run of each function over this history. */
  functions?: FunctionRun[];
}

const rss = () => process.resourceUsage().maxRSS / 1024;

async function child(kind: 'file' | 'dynamodb', n: number): Promise<Row> {
  if (kind === 'file') {
    const { FileAuditStore } = await import('../lib/audit/file-store');
    const dir = mkdtempSync(join(tmpdir(), 'bench-audit-'));
    const path = join(dir, 'audit.jsonl');
    const fd = openSync(path, 'w');
    let buf: string[] = [];
    for (let i = 0; i < n; i++) {
      buf.push(JSON.stringify(historyRecord(i, n)));
      if (buf.length === 10_000) {
        writeSync(fd, `${buf.join('\n')}\n`);
        buf = [];
      }
    }
    if (buf.length) writeSync(fd, `${buf.join('\n')}\n`);
    // written to disk before anything is timed: else the run's first fsync writes out the history too
    fsyncSync(fd);
    closeSync(fd);
    const b0 = performance.now();
    const first = new FileAuditStore(path);
    await first.openIntents(STORE_RUN_SCOPE, new Date(0).toISOString()); // indexes the log written without an index
    await first.close();
    const indexBuildMs = performance.now() - b0;
    spawnSync('sync'); // the index files too (a journal commit in the run could write them out)
    if (global.gc) global.gc();
    const o0 = performance.now();
    const store = new FileAuditStore(path);
    const openMs = performance.now() - o0;
    const { lookupMs, appendMs, scopeQueryMs, scopeRecords } = await storeRun(store);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    return {
      store: kind,
      records: n,
      node: process.version,
      indexBuildMs,
      openMs,
      lookupMs,
      appendMs,
      runMs: openMs + lookupMs + appendMs,
      scopeQueryMs,
      scopeRecords,
      peakRssMiB: rss(),
    };
  }
  const { seededDynalite } = await import('./lib/dynalite-history');
  const { runFunctions, tally } = await import('./lib/audit-runs');
  const { DynamoAuditStore } = await import('../lib/audit/dynamo-store');
  const cache = process.env.BENCH_AUDIT_CACHE ?? fileURLToPath(new URL('./.cache/audit', import.meta.url));
  mkdirSync(cache, { recursive: true });
  const seeded = await seededDynalite(n, cache, (s) => process.stderr.write(`${s}\n`));
  const { dynamo, tableName } = seeded;
  try {
    const o0 = performance.now();
    const store = new DynamoAuditStore({ tableName, client: dynamo.client });
    const openMs = performance.now() - o0;
    // three store-level runs (new keys each time): the median time; requests counted on the first
    const counted = dynamo.served.length;
    const reps = [await storeRun(store, 0)];
    const storeTally = tally(dynamo.served.slice(counted, -1)); // the last is the scope query, not part of the run
    reps.push(await storeRun(store, 1), await storeRun(store, 2));
    const { scopeQueryMs, scopeRecords } = reps[0]!;
    const { lookupMs, appendMs } = [...reps].sort(
      (x, y) => x.lookupMs + x.appendMs - (y.lookupMs + y.appendMs),
    )[1]!;
    const functions = await runFunctions(dynamo.endpoint, tableName, dynamo.served);
    return {
      store: kind,
      records: n,
      node: process.version,
      ...(seeded.seedMs !== undefined && { seedMs: seeded.seedMs }),
      openMs,
      lookupMs,
      appendMs,
      runMs: openMs + lookupMs + appendMs,
      scopeQueryMs,
      scopeRecords,
      peakRssMiB: rss(),
      storeRun: storeTally,
      functions,
    };
  } finally {
    await seeded.close();
  }
}

function runChild(kind: string, n: number): Promise<Row> {
  return new Promise((resolve, reject) => {
    let out = '';
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', kind, String(n)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Row) : reject(new Error(`${kind} ${n}: child exited ${code}`)),
    );
  });
}

const sizes = (v: string | undefined, d: string) =>
  (v ?? d)
    .split(',')
    .map(Number)
    .filter((x) => x > 0);
const f = (x: number | undefined) => (x === undefined ? '' : x.toFixed(1));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const itemsOf = (t: ReadTally | FunctionRun) => sum(Object.values(t.reads).map((r) => r.items));
const requestsOf = (t: ReadTally | FunctionRun) => sum(Object.values(t.requests));
const byOp = (r: Record<string, number>) =>
  ['Query', 'Scan', 'GetItem', 'PutItem'].map((op) => `${op} ${r[op] ?? 0}`).join(', ');
const perKind = (reads: ReadTally['reads']) =>
  Object.entries(reads)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v.requests}/${v.items}`)
    .join(', ');

function storeTable(rows: Row[]): string[] {
  return [
    '| store | records | index build / seed ms | open ms | lookups ms | 40 appends ms | run ms | peak RSS MiB | requests per run | items read per run (requests/items per read kind) | scope, 35 days: ms (records) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|',
    ...rows.map((r) => {
      const t = r.storeRun;
      return `| ${r.store} | ${r.records} | ${f(r.indexBuildMs ?? r.seedMs)} | ${f(r.openMs)} | ${f(r.lookupMs)} | ${f(r.appendMs)} | ${f(r.runMs)} | ${f(r.peakRssMiB)} | ${t ? byOp(t.requests) : ''} | ${t ? `${itemsOf(t)} (${perKind(t.reads)})` : ''} | ${f(r.scopeQueryMs)} (${r.scopeRecords}) |`;
    }),
  ];
}

function functionTable(rows: Row[]): string[] {
  const withRuns = rows.filter((r) => r.functions);
  if (!withRuns.length) return [];
  return [
    '',
    "Scheduled runs of each function, trail in DynamoDB (dynalite), counted at the server: the first over this history, then the next day's:",
    '',
    '| records | function | run | run ms | requests | items read | per read kind: requests/items | errors |',
    '|---:|---|---|---:|---|---:|---|---:|',
    ...withRuns.flatMap((r) =>
      r.functions!.map(
        (fr) =>
          `| ${r.records} | ${fr.fn} | ${fr.run ?? 'first'} | ${f(fr.runMs)} | ${byOp(fr.requests)} | ${itemsOf(fr)} | ${perKind(fr.reads)} | ${fr.errors.length} |`,
      ),
    ),
  ];
}

/** Largest over smallest size of one bench run: the issue's goal is at most 1.1. */
function ratios(rows: Row[]): string[] {
  const lines: string[] = [''];
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : '∞') : (a / b).toFixed(2));
  for (const kind of ['file', 'dynamodb'] as const) {
    const of = rows.filter((r) => r.store === kind).sort((a, b) => a.records - b.records);
    if (of.length < 2) continue;
    const [lo, hi] = [of[0]!, of.at(-1)!];
    let line = `${kind}: store run ${hi.records}/${lo.records} = ${ratio(hi.runMs, lo.runMs)}×, lookups ${ratio(hi.lookupMs, lo.lookupMs)}×`;
    if (lo.storeRun && hi.storeRun)
      line += `, requests ${ratio(requestsOf(hi.storeRun), requestsOf(lo.storeRun))}×, items read ${ratio(itemsOf(hi.storeRun), itemsOf(lo.storeRun))}×`;
    lines.push(line);
    if (lo.functions && hi.functions) {
      for (const run of ['next', 'first'] as const) {
        const los = lo.functions.filter((x) => (x.run ?? 'first') === run);
        const his = hi.functions.filter((x) => (x.run ?? 'first') === run);
        if (!los.length || !his.length) continue;
        const ms = (xs: FunctionRun[]) => sum(xs.map((x) => x.runMs));
        const req = (xs: FunctionRun[]) => sum(xs.map(requestsOf));
        const items = (xs: FunctionRun[]) => sum(xs.map(itemsOf));
        const what =
          run === 'next'
            ? 'next-day function runs (steady state)'
            : 'first function runs over the history (once)';
        lines.push(
          `${kind}: ${what} ${hi.records}/${lo.records}: time ${ratio(ms(his), ms(los))}×, requests ${ratio(req(his), req(los))}×, items read ${ratio(items(his), items(los))}× (${items(los)} → ${items(his)})`,
        );
        // the reads whose items grow with history (the goal: none)
        const grow: string[] = [];
        for (const fr of his) {
          const base = los.find((x) => x.fn === fr.fn);
          for (const [k, v] of Object.entries(fr.reads)) {
            const was = base?.reads[k]?.items ?? 0;
            if (v.items > Math.max(1.1 * was, was + 1)) grow.push(`${fr.fn} ${k} ${was} → ${v.items}`);
          }
        }
        lines.push(
          `  reads that grow with history: ${grow.length ? grow.join('; ') : 'none'}; every other read kind of every function reads within 1.1× the items`,
        );
        for (const fr of his) {
          const base = los.find((x) => x.fn === fr.fn);
          if (base)
            lines.push(
              `  ${fr.fn}: items read ${itemsOf(base)} → ${itemsOf(fr)} (${ratio(itemsOf(fr), itemsOf(base))}×), requests ${requestsOf(base)} → ${requestsOf(fr)}, time ${ratio(fr.runMs, base.runMs)}×`,
            );
        }
      }
    }
    const scans = of.flatMap((r) => [
      r.storeRun?.requests.Scan ?? 0,
      ...(r.functions ?? []).map((x) => x.requests.Scan ?? 0),
    ]);
    if (kind === 'dynamodb') lines.push(`dynamodb: Scan requests in all runs: ${sum(scans)}`);
  }
  return lines;
}

/** Two runs of the bench (Node 20 and Node 22): the same figures next to each other. */
function sideBySide(a: { node: string; rows: Row[] }, b: { node: string; rows: Row[] }): string[] {
  const fnMs = (r: Row | undefined) =>
    r?.functions
      ? sum(r.functions.filter((x) => (x.run ?? 'first') === 'next').map((x) => x.runMs))
      : undefined;
  const lines = [
    `| store | records | run ms ${a.node} | run ms ${b.node} | peak RSS MiB ${a.node} | ${b.node} | index build ms ${a.node} | ${b.node} | 5 next-day function runs ms ${a.node} | ${b.node} |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of a.rows) {
    const o = b.rows.find((x) => x.store === r.store && x.records === r.records);
    lines.push(
      `| ${r.store} | ${r.records} | ${f(r.runMs)} | ${f(o?.runMs)} | ${f(r.peakRssMiB)} | ${f(o?.peakRssMiB)} | ${f(r.indexBuildMs)} | ${f(o?.indexBuildMs)} | ${f(fnMs(r))} | ${f(fnMs(o))} |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'child') {
    process.stdout.write(
      JSON.stringify(await child(process.argv[3] as 'file' | 'dynamodb', Number(process.argv[4]))),
    );
    return;
  }
  if (process.argv[2] === '--table') {
    // the tables again from results files; with two (Node 20 and Node 22 runs), side by side first
    const saved = process.argv
      .slice(3)
      .map((p) => JSON.parse(readFileSync(p, 'utf8')) as { node: string; rows: Row[] });
    const out = saved.length === 2 ? [...sideBySide(saved[0]!, saved[1]!), ''] : [];
    for (const s of saved)
      out.push(
        `### Node.js ${s.node}`,
        '',
        ...storeTable(s.rows),
        ...functionTable(s.rows),
        ...ratios(s.rows),
        '',
      );
    process.stdout.write(`${out.join('\n')}`);
    return;
  }
  const rows: Row[] = [];
  for (const n of sizes(process.env.BENCH_AUDIT_SIZES, '1000,100000,1000000'))
    rows.push(await runChild('file', n));
  for (const n of sizes(process.env.BENCH_AUDIT_DYNAMO_SIZES, '1000,100000,1000000'))
    rows.push(await runChild('dynamodb', n));
  const lines = [
    `Node.js ${process.version}.`,
    '',
    ...storeTable(rows),
    ...functionTable(rows),
    ...ratios(rows),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(
    process.env.BENCH_AUDIT_OUT ?? join(fileURLToPath(new URL('.', import.meta.url)), 'results-audit.json'),
    JSON.stringify({ node: process.version, rows, date: new Date().toISOString() }, null, 2),
  );
}

await main();
