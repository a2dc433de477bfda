/**
 * Fan-out benchmark (issue 12): a fleet over 20 targets on the four simulated vendors, simulated
 * network latency on every request, one scheduled auto-delete run dispatched to the loopback SQS
 * and drained by 1, 4 and 16 concurrent worker invocations (in-process, as Lambda's event source
 * mapping would invoke the exported handler). Reports wall time and speed-up over 1 worker.
 *
 *   npx tsx bench/fanout.ts [--instances 50000]  (issue size: --instances 100000) [--latency 20] [--workers 1,4,16] [--rate-limits]
 *
 * A fresh, identically seeded fleet per worker count (auto-delete changes the clouds).
 */
import { parseArgs } from 'node:util';
import type { DispatchReport } from '../lib/fanout';
import { fanoutHandler } from '../lib/runtime/fanout-handler';
import { lambdaContext, startSqsServer } from '../test/support/sqs-server';
import { startFleet } from '../test/fanout/fleet';

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: process.env.FANOUT_BENCH_INSTANCES ?? '50000' },
    latency: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1,4,16' },
    // the simulators answer the vendor's throttling error past the documented per-action rates (Tencent, seed 004)
    'rate-limits': { type: 'boolean', default: false },
  },
});
const instances = Number(values.instances);
const latencyMs = Number(values.latency);
const workerCounts = values.workers.split(',').map(Number);
const TARGETS = 20;
const now = new Date('2026-11-24T02:00:00Z');

process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.AWS_REGION ??= 'us-east-1';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

async function once(workers: number) {
  const fleet = await startFleet({ seed: 42, now, perTarget: Math.ceil(instances / TARGETS), latencyMs });
  if (values['rate-limits']) for (const s of fleet.sims) s.running.rateLimits.enabled = true;
  const sqs = await startSqsServer({ fifo: true });
  process.env.FANOUT_QUEUE_URL = sqs.queueUrl;
  process.env.FANOUT_SQS_ENDPOINT = sqs.endpoint;
  const config = fleet.config(
    { autoDelete: [{ name: 'expiry', mode: 'enforce', source: { tag: 'auto-delete-at' } }] },
    { safety: { maxDestructivePercent: 100, maxDestructivePerRun: 10_000, requestBudget: 1_000_000 } },
  );
  const handler = fanoutHandler('auto-delete', { config });
  const started = performance.now();
  const dispatched = (await handler({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: now.toISOString() }, lambdaContext(() => 900_000))) as DispatchReport;
  const stats = await sqs.drain(handler as never, { maximumConcurrency: workers });
  const ms = performance.now() - started;
  const requests = fleet.sims.reduce((n, s) => n + s.running.requests.length, 0);
  const throttled = fleet.sims.reduce((n, s) => n + s.running.requests.filter((r) => r.status !== 200).length, 0);
  const byVendor: Record<string, number> = {};
  for (const s of fleet.sims) byVendor[s.vendor] = (byVendor[s.vendor] ?? 0) + s.running.requests.length;
  const failed = sqs.deadLetters().length;
  await sqs.close();
  await fleet.stop();
  return { workers, ms, workItems: dispatched.workItems, invocations: stats.invocations, peak: stats.peakConcurrency, requests, throttled, byVendor, failed };
}

console.log(`fan-out bench: ${instances} instances over ${TARGETS} targets (4 vendors), latency ${latencyMs} ms, workers ${workerCounts.join('/')}, rate limits ${values['rate-limits'] ? 'enforced' : 'off'}, node ${process.version}`);
const results = [];
for (const w of workerCounts) {
  const r = await once(w);
  results.push(r);
  console.log(`  ${String(w).padStart(2)} worker(s): ${(r.ms / 1000).toFixed(1)} s, ${r.workItems} work items, ${r.invocations} invocations, peak ${r.peak} concurrent, ${r.requests} vendor requests (${Object.entries(r.byVendor).map(([v, n]) => `${v} ${n}`).join(', ')}; ${r.throttled} throttled), ${r.failed} dead-lettered`);
}
const base = results[0]!.ms;
console.log('speed-up vs 1 worker: ' + results.map((r) => `${r.workers}: ${(base / r.ms).toFixed(2)}x`).join(', '));
