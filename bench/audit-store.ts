/**
 * Audit store at 1k, 100k and 1M records of history (issue 19): what one run's lookups cost.
 *
 *   tsx bench/audit-store.ts                                  # file 1k,100k,1M; DynamoDB 1k,10k
 *   BENCH_AUDIT_SIZES=1000,10000 BENCH_AUDIT_DYNAMO_SIZES=1000 tsx bench/audit-store.ts   # small
 *
 * Each size runs in a fresh child process (so peak RSS is that store's alone). History: records
 * spread over 20 scopes (function × target × region), 500 resources each, one year of days; the
 * file store's log is written directly (as an older install leaves it) and indexed on the first
 * open (`index build`, a one-time migration). Then, timed on a second, fresh open, one "run" of one
 * scope: 120 ledger lookups by action key (100 new, 20 recent), the scope's open intents (35 days),
 * the scope's records of the last 35 days, and 40 appends (20 intents + 20 results).
 * DynamoDB runs against dynalite (in memory, on loopback): requests and items read per run are
 * counted at the server; its times are dynalite's, not DynamoDB's.
 * Writes bench/results-audit.json and prints a Markdown table. Ratios compare two sizes of one run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditRecord } from '../lib/audit/record';
import type { AuditStore } from '../lib/audit/store';

const SCOPES = 20;
const RESOURCES = 500;
const YEAR_MS = 365 * 86_400_000;
const END = Date.parse('2027-01-01T00:00:00Z');
const TARGETS = ['tencent-prod', 'kec-prod', 'apsara-prod', 'cecstack-prod'];
const FUNCTIONS = ['auto-delete', 'snapshots', 'renewal-reminders', 'recycle-bin', 'spot-prices'] as const;

interface Row {
  store: 'file' | 'dynamodb';
  records: number;
  indexBuildMs?: number;
  openMs: number;
  lookupMs: number;
  appendMs: number;
  runMs: number;
  /** Not part of the run: the scope's records of the last 35 days (grows with how dense history is). */
  scopeQueryMs: number;
  scopeRecords: number;
  peakRssMiB: number;
  requests?: Record<string, number>;
  itemsRead?: number;
}

function scopeOf(s: number) {
  return { function: FUNCTIONS[s % FUNCTIONS.length]!, target: TARGETS[Math.floor(s / FUNCTIONS.length) % TARGETS.length]!, region: 'region-1', policy: 'p' };
}

/** Record i of n: pairs (intent 2p, its result 2p+1) of one key, spread over scopes and resources. */
function historyRecord(i: number, n: number): AuditRecord {
  const pair = Math.floor(i / 2);
  const s = pair % SCOPES;
  const scope = scopeOf(s);
  const resourceId = `res-${s}-${Math.floor(pair / SCOPES) % RESOURCES}`;
  const at = new Date(END - YEAR_MS + Math.floor((i / n) * YEAR_MS)).toISOString();
  const phase = i % 2 === 0 ? 'intent' : 'result';
  const slotIndex = pair;
  return {
    schemaVersion: 1,
    phase,
    actionKey: `${scope.function}|${scope.policy}|${scope.target}|${scope.region}|${resourceId}|act|slot-${slotIndex}`,
    runId: `run-${Math.floor(i / 1000)}`,
    trigger: 'schedule',
    function: scope.function,
    policy: scope.policy,
    vendor: 'tencent',
    target: scope.target,
    region: scope.region,
    resourceId,
    resourceKind: 'instance',
    action: 'act',
    mode: 'enforce',
    reason: 'bench history record',
    requestIds: [],
    at,
    ...(phase === 'result' ? { outcome: 'success' as const } : { lease: { owner: `run-${Math.floor(i / 1000)}`, until: at, attempt: 1 } }),
  };
}

/** One run of scope 0: ledger lookups, open intents, appends; then, apart, the scope's last 35 days. */
async function oneRun(store: AuditStore, n: number): Promise<{ lookupMs: number; appendMs: number; scopeQueryMs: number; scopeRecords: number }> {
  const scope = scopeOf(0);
  const t0 = performance.now();
  for (let k = 0; k < 100; k++) await store.get(`${scope.function}|p|${scope.target}|${scope.region}|res-0-${k}|act|slot-new`);
  for (let k = 0; k < 20; k++) await store.get(historyRecord(n - 2 * SCOPES * (k + 1), n).actionKey); // recent keys of scope 0
  const since = new Date(END - 35 * 86_400_000).toISOString();
  await store.openIntents(scope, since);
  const t1 = performance.now();
  for (let k = 0; k < 20; k++) {
    const intent = { ...historyRecord(0, n), actionKey: `${scope.function}|p|${scope.target}|${scope.region}|res-0-${k}|act|bench-${process.pid}`, at: new Date(END).toISOString(), lease: { owner: 'bench', until: new Date(END + 60_000).toISOString(), attempt: 1 } };
    await store.putIntent(intent);
    const { lease: _l, ...rest } = intent;
    await store.putResult({ ...rest, phase: 'result', outcome: 'success' });
  }
  const t2 = performance.now();
  const scopeRecords = (await store.query({ function: scope.function, target: scope.target, region: scope.region, since })).length;
  return { lookupMs: t1 - t0, appendMs: t2 - t1, scopeQueryMs: performance.now() - t2, scopeRecords };
}

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
    closeSync(fd);
    const b0 = performance.now();
    const first = new FileAuditStore(path);
    for (let sc = 0; sc < SCOPES; sc++) await first.openIntents(scopeOf(sc), new Date(0).toISOString()); // compacts the bulk-loaded open-intent files
    await first.close();
    const indexBuildMs = performance.now() - b0;
    if (global.gc) global.gc();
    const o0 = performance.now();
    const store = new FileAuditStore(path);
    const openMs = performance.now() - o0;
    const { lookupMs, appendMs, scopeQueryMs, scopeRecords } = await oneRun(store, n);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    return { store: kind, records: n, indexBuildMs, openMs, lookupMs, appendMs, runMs: openMs + lookupMs + appendMs, scopeQueryMs, scopeRecords, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
  }
  const { startDynalite } = await import('../test/audit/dynalite-server');
  const { DynamoAuditStore } = await import('../lib/audit/dynamo-store');
  const { BatchWriteItemCommand } = await import('@aws-sdk/client-dynamodb');
  const dynamo = await startDynalite();
  const tableName = await dynamo.createAuditTable();
  // history in the store's own item shape, written in batches
  const items: Record<string, unknown>[] = [];
  const { toAuditItem } = await import('../lib/audit/dynamo-store');
  for (let i = 0; i < n; i++) {
    const r = historyRecord(i, n);
    items.push({ PutRequest: { Item: toAuditItem(r, r.phase === 'intent' ? 'intent' : 'result') } });
    if (items.length === 25 || i === n - 1) {
      await dynamo.client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: items.splice(0) as never } }));
    }
  }
  let itemsRead = 0;
  const counted = dynamo.operations.length;
  const o0 = performance.now();
  const store = new DynamoAuditStore({ tableName, client: dynamo.client });
  store.onRead = (count) => (itemsRead += count);
  const openMs = performance.now() - o0;
  const { lookupMs, appendMs, scopeQueryMs, scopeRecords } = await oneRun(store, n);
  const requests: Record<string, number> = {};
  for (const op of dynamo.operations.slice(counted, -1)) requests[op] = (requests[op] ?? 0) + 1; // the last is the scope query
  await dynamo.close();
  return { store: kind, records: n, openMs, lookupMs, appendMs, runMs: openMs + lookupMs + appendMs, scopeQueryMs, scopeRecords, peakRssMiB: process.resourceUsage().maxRSS / 1024, requests, itemsRead };
}

function runChild(kind: string, n: number): Promise<Row> {
  return new Promise((resolve, reject) => {
    let out = '';
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', kind, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Row) : reject(new Error(`${kind} ${n}: child exited ${code}`))));
  });
}

const sizes = (v: string | undefined, d: string) => (v ?? d).split(',').map(Number).filter((x) => x > 0);

async function main(): Promise<void> {
  if (process.argv[2] === 'child') {
    process.stdout.write(JSON.stringify(await child(process.argv[3] as 'file' | 'dynamodb', Number(process.argv[4]))));
    return;
  }
  const rows: Row[] = [];
  for (const n of sizes(process.env.BENCH_AUDIT_SIZES, '1000,100000,1000000')) rows.push(await runChild('file', n));
  for (const n of sizes(process.env.BENCH_AUDIT_DYNAMO_SIZES, '1000,10000')) rows.push(await runChild('dynamodb', n));
  const f = (x: number | undefined) => (x === undefined ? '' : x.toFixed(1));
  const lines = [
    '| store | records | index build ms | open ms | lookups ms | 40 appends ms | run ms | peak RSS MiB | requests per run | items read per run | scope, 35 days: ms (records) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
    ...rows.map((r) => `| ${r.store} | ${r.records} | ${f(r.indexBuildMs)} | ${f(r.openMs)} | ${f(r.lookupMs)} | ${f(r.appendMs)} | ${f(r.runMs)} | ${f(r.peakRssMiB)} | ${r.requests ? Object.entries(r.requests).map(([k, v]) => `${k} ${v}`).join(', ') : ''} | ${r.itemsRead ?? ''} | ${f(r.scopeQueryMs)} (${r.scopeRecords}) |`),
  ];
  for (const kind of ['file', 'dynamodb'] as const) {
    const of = rows.filter((r) => r.store === kind).sort((a, b) => a.records - b.records);
    if (of.length > 1) lines.push('', `${kind}: run ${of.at(-1)!.records}/${of[0]!.records} = ${(of.at(-1)!.runMs / of[0]!.runMs).toFixed(2)}×, lookups ${(of.at(-1)!.lookupMs / of[0]!.lookupMs).toFixed(2)}×`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(process.env.BENCH_AUDIT_OUT ?? join(fileURLToPath(new URL('.', import.meta.url)), 'results-audit.json'), JSON.stringify({ rows, date: new Date().toISOString() }, null, 2));
}

await main();
