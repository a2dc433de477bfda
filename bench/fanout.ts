/**
 * Fan-out benchmark (issue 12, issue 20): a fleet over 20 targets on the four simulated vendors,
 * simulated network latency on every request (`--latency-model`: `round-trip`, the default, answers
 * each request `--latency` ms after it arrived, the cloud's work done meanwhile; `wait-first`
 * waits that long, then does the work and answers: the eight simulated clouds share one thread
 * here, so their work then queues behind each other's waits and lengthens every round trip in a
 * burst), one scheduled auto-delete run dispatched to the
 * loopback SQS FIFO queue and drained by 1, 4 and 16 concurrent worker invocations (in-process, as
 * Lambda's event source mapping would invoke the exported handler). Reports wall time and
 * speed-up over 1 worker, and what bounds it:
 * - the simulators run in a child process (bench/lib/fleet-child.ts), so this process's CPU time
 *   and event-loop use are the workers' (and the loopback SQS's) alone;
 * - `CPU floor`: the main thread's CPU time; all workers' JavaScript runs on it (Lambda would give
 *   each worker its own), so no worker count finishes sooner; their file I/O runs on the thread
 *   pool, so the process's CPU over the machine's cores is a floor too, the larger one counts;
 * - `group floor`: the longest FIFO message group (one target × region; KEC projects share one),
 *   whose items run one after another whatever the worker count: the sum of their times in the
 *   one-worker run;
 * - the speed-up the 16-worker run could reach on this machine: 1-worker time / the larger floor.
 *
 *   npx tsx bench/fanout.ts [--instances 50000] [--latency 20] [--latency-model round-trip|wait-first] [--workers 1,4,16] [--rate-limits] [--repeat 1] [--warmup 1] [--audit file|dynamodb] [--plan-order] [--timeline] [--json out.json]
 *
 * Each run finds the work item times of the run before in its trail (the warm-up's for the first), as
 * a scheduled dispatch finds the hour before's, and sends the longest message groups first;
 * `--plan-order` leaves them out.
 *
 * A fresh, identically seeded fleet per worker count (auto-delete changes the clouds).
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AuditRecord } from '../lib/audit';
import { auditStoreConfigOf, openAuditStore } from '../lib/audit/open';
import { automationConfigSchema, type AutomationConfigInput } from '../lib/config/schema';
import { timesPartition, WORK_ITEM_TIME, type DispatchReport } from '../lib/fanout';
import { fanoutHandler } from '../lib/runtime/fanout-handler';
import { simCredentials, type SimVendorName } from '../sim/core';
import { lambdaContext, startSqsServer } from '../test/support/sqs-server';
import type { FleetCommand, FleetStats, RequestTime } from './lib/fleet-child';
import { forkIpcChild, stopChild } from './lib/sim-process';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: process.env.FANOUT_BENCH_INSTANCES ?? '50000' },
    latency: { type: 'string', default: '20' },
    'latency-model': { type: 'string', default: 'round-trip' },
    workers: { type: 'string', default: '1,4,16' },
    // the simulators answer the vendor's throttling error past the documented per-action rates (Tencent, seed 004)
    'rate-limits': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '1' },
    // each worker in its own warm process (one JS thread each, as Lambda containers), not all in this one
    processes: { type: 'boolean', default: false },
    // runs before the measured ones, not counted: the first run in a process loads the modules and
    // warms the JIT, which would be charged to whichever worker count ran first (the 1-worker run)
    warmup: { type: 'string', default: '1' },
    // where the workers write the audit trail: the local file store, or DynamoDB as deployed
    // (dynalite in the simulators' process, so its CPU is not charged to the workers, as AWS's is not)
    audit: { type: 'string', default: 'file' },
    // dispatch in the plan's order: without the work item times of the run before (longest first)
    'plan-order': { type: 'boolean', default: false },
    // print each work item's span and its simulator's requests (every run: the 1-worker one shows each item alone, without the others' CPU)
    timeline: { type: 'boolean', default: false },
    // also write the runs to this file as JSON (npm run bench's `fanout` section reads it)
    json: { type: 'string' },
  },
});
if (!['file', 'dynamodb'].includes(values.audit)) throw new Error(`--audit: expected file or dynamodb, got ${values.audit}`);
if (!['round-trip', 'wait-first'].includes(values['latency-model'])) throw new Error(`--latency-model: expected round-trip or wait-first, got ${values['latency-model']}`);
if (values.audit === 'dynamodb') {
  // dynalite checks a signature's form, not its key
  process.env.AWS_ACCESS_KEY_ID ??= 'bench-id';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-secret';
}
const instances = Number(values.instances);
const latencyMs = Number(values.latency);
const workerCounts = values.workers.split(',').map(Number);
const TARGETS = 20;
const now = new Date('2026-11-24T02:00:00Z');
const CHILD = fileURLToPath(new URL('./lib/fleet-child.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('./lib/fanout-worker-child.ts', import.meta.url));

/** The main thread's time on a CPU and waiting for one while runnable (Linux /proc/self/schedstat, ns), in ms. */
function schedstat(): { onCpuMs: number; waitingMs: number } {
  try {
    const [on, wait] = readFileSync('/proc/self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return { onCpuMs: on! / 1e6, waitingMs: wait! / 1e6 };
  } catch {
    return { onCpuMs: Number.NaN, waitingMs: Number.NaN };
  }
}

process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_REGION ??= 'us-east-1';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
for (const vendor of ['tencent', 'kec', 'alibaba', 'cecstack'] as SimVendorName[]) {
  const c = simCredentials(vendor); // the names the fleet's targets read their credentials from
  process.env[`FLEET_${vendor.toUpperCase()}_ID`] = c.accessKeyId;
  process.env[`FLEET_${vendor.toUpperCase()}_SECRET`] = c.secret;
}

/** The 20-target fleet in a child process. */
async function startFleetProcess() {
  type Ready = { targets: AutomationConfigInput['targets']; dir: string; auditPath: string; dynamo?: { endpoint: string; tableName: string } };
  const { child, ready, ask } = await forkIpcChild<Ready, FleetCommand>(
    CHILD,
    ['42', String(Math.ceil(instances / TARGETS)), String(latencyMs), now.toISOString(), values['rate-limits'] ? '1' : '0', values.audit, values['latency-model'] === 'round-trip' ? 'round-trip' : 'latency'],
    'fleet',
  );
  return {
    ...ready,
    stats: () => ask<FleetStats>({ type: 'stats' }),
    requests: () => ask<RequestTime[]>({ type: 'requests' }),
    stop: async () => {
      await ask({ type: 'stop' });
      await stopChild(child);
    },
  };
}

/**
 * `size` worker processes, started once and kept for every run (warm containers: the warm-up run
 * loads their modules and JIT, as Lambda's earlier invocations would); `configure` gives them each
 * run's fleet, `invoke` hands an SQS event to a free one.
 */
async function startWorkerPool(size: number) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(FANOUT_|AWS_|FLEET_|POWERTOOLS_)/.test(k))) as Record<string, string>;
  const children = await Promise.all(
    Array.from({ length: size }, async () => {
      const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      await new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send({ type: 'init', env });
      });
      return child;
    }),
  );
  const free = [...children];
  let next = 0;
  const ask = (child: (typeof children)[number], msg: object) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++next;
      const on = (m: unknown) => {
        const r = m as { id?: number; data?: unknown; error?: string };
        if (r.id !== id) return;
        child.off('message', on);
        if (r.error) reject(new Error(r.error));
        else resolve(r.data);
      };
      child.on('message', on);
      child.send({ ...msg, id });
    });
  const usage = async () => {
    const all = (await Promise.all(children.map((c) => ask(c, { type: 'usage' })))) as { cpuMs: number; waitingMs: number }[];
    return { cpuMs: all.reduce((n, u) => n + u.cpuMs, 0), waitingMs: all.reduce((n, u) => n + u.waitingMs, 0) };
  };
  return {
    usage,
    configure: (config: unknown) => Promise.all(children.map((c) => ask(c, { type: 'config', config }))),
    invoke: async (event: unknown) => {
      const child = free.pop();
      if (!child) throw new Error('no free worker process: the drain ran more invocations than workers');
      try {
        return await ask(child, { type: 'invoke', event });
      } finally {
        free.push(child);
      }
    },
    stop: () => Promise.all(children.map((c) => stopChild(c))),
  };
}

/**
 * The work item times the run before left in its trail, written into this run's fresh one: what a
 * scheduled dispatch finds from the hour before, so it sends the longest message groups first.
 * Returns the reader of this run's own times (its dispatch's), for the run after.
 */
async function carryTimes(config: Parameters<typeof auditStoreConfigOf>[0], previous: AuditRecord[] | undefined): Promise<(origin: string) => Promise<AuditRecord[]>> {
  const store = await openAuditStore(auditStoreConfigOf(config));
  if (!values['plan-order']) for (const r of previous ?? []) await store.putRecord(r);
  await store.close?.();
  return async (origin) => {
    const s = await openAuditStore(auditStoreConfigOf(config));
    try {
      const all = await s.query({ resourceId: timesPartition('auto-delete'), action: WORK_ITEM_TIME, function: 'auto-delete' });
      return all.filter((r) => r.details?.origin === origin);
    } finally {
      await s.close?.();
    }
  };
}

async function once(workers: number, previous?: AuditRecord[]) {
  const fleet = await startFleetProcess();
  const sqs = await startSqsServer({ fifo: true });
  process.env.FANOUT_QUEUE_URL = sqs.queueUrl;
  process.env.FANOUT_SQS_ENDPOINT = sqs.endpoint;
  const config = automationConfigSchema.parse({
    targets: fleet.targets,
    audit: fleet.dynamo ? { store: 'dynamodb', tableName: fleet.dynamo.tableName, endpoint: fleet.dynamo.endpoint, region: 'us-east-1' } : { store: 'file', path: fleet.auditPath },
    events: { file: join(fleet.dir, 'events.jsonl') },
    policies: { autoDelete: [{ name: 'expiry', mode: 'enforce', source: { tag: 'auto-delete-at' } }] },
    safety: { maxDestructivePercent: 100, maxDestructivePerRun: 10_000, requestBudget: 1_000_000 },
  });
  const timesOfThisRun = await carryTimes(config.audit, previous);
  const handler = fanoutHandler('auto-delete', { config });
  await pool?.configure(config);
  const items: ItemSpan[] = [];
  const timed = async (event: { Records: { body: string }[] }, context: unknown) => {
    const t = performance.now();
    try {
      return await (pool ? pool.invoke(event) : (handler as (e: unknown, c: unknown) => Promise<unknown>)(event, context));
    } finally {
      const item = JSON.parse(event.Records[0]!.body) as { target: string; region: string };
      const endMs = performance.now();
      items.push({ group: `${item.target}|${item.region}`, target: item.target, startMs: t, endMs, ms: endMs - t });
    }
  };
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const sched0 = schedstat();
  const pool0 = await pool?.usage();
  const started = performance.now();
  const dispatched = (await handler({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: now.toISOString() }, lambdaContext(() => 900_000))) as DispatchReport;
  const dispatchMs = performance.now() - started;
  const queued = sqs.messages().map((m) => {
    const item = JSON.parse(m.body) as { target: string; region: string };
    return `${item.target}|${item.region}`;
  });
  const stats = await sqs.drain(timed as never, { maximumConcurrency: workers });
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const sched = schedstat();
  const pool1 = await pool?.usage();
  const sims = await fleet.stats();
  if (values.timeline) printTimeline(started, dispatchMs, items, await fleet.requests());
  const byGroup = new Map<string, number>();
  for (const i of items) byGroup.set(i.group, (byGroup.get(i.group) ?? 0) + i.ms);
  const failed = sqs.deadLetters().length;
  const times = await timesOfThisRun(dispatched.runId);
  await sqs.close();
  await fleet.stop();
  return {
    workers,
    ms,
    queued,
    items,
    dispatchMs,
    workItems: dispatched.workItems,
    order: `${dispatched.order === 'longest-first' ? 'longest first' : 'plan order'} (${dispatched.timed} of ${dispatched.workItems} timed by the run before)`,
    times,
    invocations: stats.invocations,
    peak: stats.peakConcurrency,
    failed,
    // with --processes: the worker processes' CPU (this one only dispatches and serves SQS)
    workerCpuMs: pool0 && pool1 ? pool1.cpuMs - pool0.cpuMs : (cpu.user + cpu.system) / 1000,
    // the thread every in-process worker's JavaScript shares (the thread pool's I/O is beside it)
    mainThreadCpuMs: sched.onCpuMs - sched0.onCpuMs,
    parentCpuMs: (cpu.user + cpu.system) / 1000,
    workerEventLoopBusy: elu,
    workerWaitingForCpuMs: pool0 && pool1 ? pool1.waitingMs - pool0.waitingMs : sched.waitingMs - sched0.waitingMs,
    sims,
    byGroup,
  };
}

/** One invocation's work item: its message group (target|region), when it started and ended (performance.now()), and for how long. */
interface ItemSpan {
  group: string;
  target: string;
  startMs: number;
  endMs: number;
  ms: number;
}

/**
 * `--timeline`: each work item's start and end (ms from the run's start, performance.now()) and
 * what its account's simulator served meanwhile (ms, when it took the request: with `round-trip`
 * as it arrived, answered the latency after; with `wait-first` after the latency, answered then).
 * One simulator serves every region of an account, so items of one account list each other's
 * requests too. Where an item waited between answers, its worker did not have the CPU.
 */
function printTimeline(started: number, dispatchMs: number, spans: ItemSpan[], requests: RequestTime[]): void {
  const at = (wallMs: number) => wallMs - performance.timeOrigin - started;
  console.log(`    timeline: dispatch ${dispatchMs.toFixed(0)} ms; then each item (start → end) and its account's requests (${values['latency-model'] === 'round-trip' ? 'taken at, answered the latency after' : 'answered at'})`);
  for (const s of [...spans].sort((a, b) => a.endMs - b.endMs)) {
    const served = requests.filter((r) => s.target.startsWith(`${r.account}-`) && at(r.wallMs) >= s.startMs - started && at(r.wallMs) <= s.endMs - started);
    console.log(`    ${(s.startMs - started).toFixed(0).padStart(5)} → ${(s.endMs - started).toFixed(0).padStart(5)} ${s.target}: ${served.map((r) => `${r.action}@${at(r.wallMs).toFixed(0)}`).join(' ')}`);
  }
}

/**
 * The queue drained by `workers` that never share a CPU: each item (FIFO: in queue order, after the
 * item before it in its message group) starts on the first free worker and takes as long as it took
 * in the 1-worker run. What the run would take if the workers did not slow each other down.
 */
function scheduleFloor(queued: string[], oneWorker: { group: string; ms: number }[], workers: number): number {
  const times = new Map<string, number[]>();
  for (const i of oneWorker) times.set(i.group, [...(times.get(i.group) ?? []), i.ms]); // one worker: in the order they ran
  const queue = queued.map((group) => ({ group, ms: times.get(group)?.shift() ?? 0 }));
  const freeAt = Array<number>(workers).fill(0);
  const groupFreeAt = new Map<string, number>();
  let end = 0;
  while (queue.length) {
    const w = freeAt.indexOf(Math.min(...freeAt));
    let t = freeAt[w]!;
    let k = queue.findIndex((i) => (groupFreeAt.get(i.group) ?? 0) <= t);
    if (k < 0) {
      t = Math.min(...queue.map((i) => groupFreeAt.get(i.group) ?? 0));
      k = queue.findIndex((i) => (groupFreeAt.get(i.group) ?? 0) <= t);
    }
    const [item] = queue.splice(k, 1);
    freeAt[w] = t + item!.ms;
    groupFreeAt.set(item!.group, freeAt[w]!);
    end = Math.max(end, freeAt[w]!);
  }
  return end;
}

console.log(`fan-out bench: ${instances} instances over ${TARGETS} targets (4 vendors), latency ${latencyMs} ms (${values['latency-model']}), workers ${workerCounts.join('/')}, rate limits ${values['rate-limits'] ? 'enforced' : 'off'}, audit ${values.audit === 'dynamodb' ? 'DynamoDB (dynalite in the simulators\' process)' : 'file store'}, node ${process.version}, simulators in a child process, workers ${values.processes ? 'each in its own warm process' : 'all in this process'}`);
const pool = values.processes ? await startWorkerPool(Math.max(...workerCounts)) : undefined;
let previous: AuditRecord[] | undefined;
for (let n = 1; n <= Number(values.warmup); n++) {
  const r = await once(Math.max(...workerCounts), previous);
  previous = r.times;
  console.log(`  warm-up ${n}: ${Math.max(...workerCounts)} worker(s), ${(r.ms / 1000).toFixed(2)} s (not counted)`);
}
/** What `--json` writes: per repetition, each worker count's time, speed-up over the first, floors and bound. */
export interface FanoutBenchRun {
  rep: number;
  workers: number;
  ms: number;
  speedUp: number;
  requests: number;
  throttled: number;
  deadLettered: number;
  order: string;
  floors?: { cpuMs: number; groupMs: number; scheduleMs: number; bound: string; atMost: number };
}
const jsonRuns: FanoutBenchRun[] = [];
for (let rep = 1; rep <= Number(values.repeat); rep++) {
  const results = [];
  for (const w of workerCounts) {
    const r = await once(w, previous);
    previous = r.times;
    results.push(r);
    const top = Object.entries(r.sims.byAction).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.FANOUT_TOP_ACTIONS ?? 4)).map(([a, n]) => `${a} ${n}`).join(', ');
    console.log(
      `  ${String(w).padStart(2)} worker(s): ${(r.ms / 1000).toFixed(2)} s, ${r.workItems} work items in ${r.order}, ${r.invocations} invocations, peak ${r.peak} concurrent, ` +
        `${r.sims.requests} vendor requests (${Object.entries(r.sims.byVendor).map(([v, n]) => `${v} ${n}`).join(', ')}; ${r.sims.throttled} throttled; most: ${top}), ${r.failed} dead-lettered${r.sims.auditOperations ? `; audit table: ${Object.entries(r.sims.auditOperations).map(([o, n]) => `${o} ${n}`).join(', ')}` : ''}`,
    );
    console.log(
      (values.processes
        ? `      ${w} worker processes (summed): CPU ${r.workerCpuMs.toFixed(0)} ms = ${((r.workerCpuMs / r.ms) * 100).toFixed(0)} % of one core over the run, runnable but waiting for a CPU ${r.workerWaitingForCpuMs.toFixed(0)} ms; dispatching process CPU ${r.parentCpuMs.toFixed(0)} ms; `
        : `      workers' process: CPU ${r.workerCpuMs.toFixed(0)} ms, of it the main thread ${r.mainThreadCpuMs.toFixed(0)} ms = ${((r.mainThreadCpuMs / r.ms) * 100).toFixed(0)} % of one core over the run, event loop busy ${(r.workerEventLoopBusy * 100).toFixed(0)} %, ` +
          `main thread runnable but waiting for a CPU ${r.workerWaitingForCpuMs.toFixed(0)} ms (${((r.workerWaitingForCpuMs / r.ms) * 100).toFixed(0)} % of the run); `) +
        `simulators' process: CPU ${r.sims.cpuMs.toFixed(0)} ms, waiting for a CPU ${r.sims.waitingForCpuMs.toFixed(0)} ms; CPU per work item ${(r.workerCpuMs / r.invocations).toFixed(0)} ms`,
    );
  }
  const one = results[0]!;
  const groups = [...one.byGroup].sort((a, b) => b[1] - a[1]);
  const [group, groupMs] = groups[0]!;
  console.log(`  run ${rep}: speed-up vs ${one.workers} worker: ` + results.map((r) => `${r.workers}: ${(one.ms / r.ms).toFixed(2)}x`).join(', '));
  for (const r of results) jsonRuns.push({ rep, workers: r.workers, ms: r.ms, speedUp: one.ms / r.ms, requests: r.sims.requests, throttled: r.sims.throttled, deadLettered: r.failed, order: r.order });
  console.log(`    longest message groups in the ${one.workers}-worker run: ${groups.slice(0, 4).map(([g, ms]) => `${g.split('|')[0]} ${ms.toFixed(0)} ms`).join(', ')} (of ${groups.length}, ${(one.ms / 1000).toFixed(2)} s in all)`);
  for (const r of results.slice(1)) {
    // one thread for all workers (and the process over the cores), or (--processes) as many threads as workers on this machine's cores
    const cpuFloor = values.processes
      ? r.workerCpuMs / Math.min(r.workers, cpus().length)
      : Math.max(Number.isNaN(r.mainThreadCpuMs) ? r.workerCpuMs : r.mainThreadCpuMs, r.workerCpuMs / cpus().length);
    // the dispatch before the drain is in both runs
    const schedule = r.dispatchMs + scheduleFloor(r.queued, one.items, r.workers);
    const floor = Math.max(cpuFloor, groupMs, schedule);
    const bound = floor === cpuFloor ? 'CPU' : floor === groupMs ? 'the longest message group' : `the queue: ${r.queued.length} items on ${r.workers} workers`;
    jsonRuns.find((j) => j.rep === rep && j.workers === r.workers)!.floors = { cpuMs: cpuFloor, groupMs, scheduleMs: schedule, bound, atMost: one.ms / floor };
    console.log(
      `    ${r.workers} workers: CPU floor ${cpuFloor.toFixed(0)} ms (${values.processes ? `their CPU over ${Math.min(r.workers, cpus().length)} cores` : 'the main thread'}), group floor ${groupMs.toFixed(0)} ms (${group} in the ${one.workers}-worker run), ` +
        `schedule floor ${schedule.toFixed(0)} ms (the queue in its order on ${r.workers} workers that share no CPU, each item as long as in the ${one.workers}-worker run); ` +
        `bound: ${bound}; at most ${(one.ms / floor).toFixed(1)}x here, measured ${(one.ms / r.ms).toFixed(2)}x (${((floor / r.ms) * 100).toFixed(0)} % of the floor)`,
    );
  }
}
await pool?.stop();
if (values.json) {
  const settings = { instances, latencyMs, latencyModel: values['latency-model'], workers: workerCounts, rateLimits: values['rate-limits'], audit: values.audit, order: values['plan-order'] ? 'plan' : 'longest-first', processes: values.processes };
  writeFileSync(values.json, `${JSON.stringify({ settings, runs: jsonRuns }, null, 2)}\n`);
}
