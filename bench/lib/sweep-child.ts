import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { automations, buildEngineDeps, runAutomation } from '../../lib/automations';
import type { FunctionName, Mode } from '../../lib/automations/engine/types';
import type { SimVendorName } from '../../sim/core';
import { benchConfig } from './config';
import { RequestRecorder } from './request-recorder';

/**
 * Runs ONE function sweep in this fresh process and reports its cost: wall time, CPU time of this
 * process (the simulator lives in another one), peak RSS, vendor requests and their minimum.
 * argv: function vendor endpoint now mode
 */
export interface SweepMeasurement {
  wallMs: number;
  cpuMs: number;
  /** Peak RSS of the whole process (ru_maxrss) and the RSS after imports, before the sweep. */
  peakRssBytes: number;
  baseRssBytes: number;
  requests: number;
  minimum: number;
  byAction: Record<string, { sent: number; minimum: number }>;
  rows: number;
  statuses: Record<string, number>;
  errors: string[];
}

const [fn, vendor, endpoint, now, mode] = process.argv.slice(2) as [FunctionName, SimVendorName, string, string, Mode];
const dir = mkdtempSync(join(tmpdir(), 'ca-bench-'));
process.env.BENCH_ACCESS_KEY_ID = `sim-${vendor}-id`;
process.env.BENCH_SECRET = `sim-${vendor}-secret`;
const config = benchConfig(vendor, endpoint, dir);
const recorder = new RequestRecorder(vendor);
const automation = automations[fn];

const baseRssBytes = process.memoryUsage().rss;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const deps = await buildEngineDeps({
  runId: `bench-${fn}-${mode}`,
  trigger: 'manual',
  now: new Date(now),
  config,
  modeFor: () => mode,
  shouldStop: () => false,
  // Retries short (the sims answer at once); the client's token buckets off: the rate-limit
  // benchmark measures those separately, here they would only add sleep to the wall time.
  transport: { retry: { baseDelayMs: 5, maxDelayMs: 50 }, rateLimit: false, timeoutMs: 60_000, fetch: recorder.fetch },
  resolveCredentials: async () => ({ accessKeyId: process.env.BENCH_ACCESS_KEY_ID!, secret: process.env.BENCH_SECRET! }),
});
const report = await runAutomation(deps, automation.spec, automation.policies(config));
await deps.close();
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const peakRssBytes = process.resourceUsage().maxRSS * 1024;

const statuses: Record<string, number> = {};
for (const r of report.rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
const requests = deps.transports['dry-run'].requestsSent + deps.transports.enforce.requestsSent;
const efficiency = recorder.minimum();
const result: SweepMeasurement = {
  wallMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  peakRssBytes,
  baseRssBytes,
  requests,
  minimum: efficiency.total,
  byAction: efficiency.byAction,
  rows: report.rows.length,
  statuses,
  errors: report.errors.slice(0, 5),
};
if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, JSON.stringify(recorder.samples, null, 1));
rmSync(dir, { recursive: true, force: true });
process.send!(result);
process.disconnect();
