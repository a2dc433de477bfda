import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { automations, buildEngineDeps, runAutomation } from '../../lib/automations';
import type { FunctionName, Mode } from '../../lib/automations/engine/types';
import type { SimVendorName } from '../../sim/core';
import { benchConfig, type PolicyLike } from './config';
import { RequestRecorder } from './request-recorder';

/** What one sweep cost, measured in the process that ran it. */
export interface SweepMeasurement {
  wallMs: number;
  cpuMs: number;
  /** Peak RSS of the whole process (ru_maxrss) and the RSS after imports, before the sweep. */
  peakRssBytes: number;
  baseRssBytes: number;
  /** Requests the client's transports sent (the simulator's count is the benchmark's figure). */
  requests: number;
  /** The recorder's minimum from what the sweep asked and changed (see minimum.ts for how it is used). */
  minimum: number;
  byAction: Record<string, { sent: number; minimum: number }>;
  rows: number;
  statuses: Record<string, number>;
  errors: string[];
  /** Per action: attempts, throttled answers, and the span between the first and last attempt. */
  timeline: Record<string, { attempts: number; throttled: number; firstMs: number; lastMs: number; perSecond: Record<number, number>; queuedMs: number; roundTripMs: number[] }>;
  /** How late this process's event loop ran what was due (ms): an answer is noticed, and a rate window starts, no sooner. */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

export interface SweepArgs {
  fn: FunctionName;
  vendor: SimVendorName;
  endpoint: string;
  now: string;
  mode: Mode;
  /** Keep the client's rate limiters and the production retry policy (the rate-limit section). */
  rateLimited?: boolean;
  /** These policies instead of the example config's. */
  policies?: Record<string, PolicyLike[]>;
}

/** Runs ONE function sweep against a simulator and reports its cost. */
export async function runSweep({ fn, vendor, endpoint, now, mode, rateLimited = false, policies }: SweepArgs): Promise<SweepMeasurement> {
  const dir = mkdtempSync(join(tmpdir(), 'ca-bench-'));
  process.env.BENCH_ACCESS_KEY_ID = `sim-${vendor}-id`;
  process.env.BENCH_SECRET = `sim-${vendor}-secret`;
  const config = benchConfig(vendor, endpoint, dir, policies);
  const recorder = new RequestRecorder(vendor);
  const automation = automations[fn];
  const timeline: SweepMeasurement['timeline'] = {};
  const baseRssBytes = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
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
    transport: {
      // the rate-limit run keeps the production retry policy: how the client recovers from a 429 is part of what it measures
      retry: rateLimited ? undefined : { baseDelayMs: 5, maxDelayMs: 50 },
      rateLimit: rateLimited,
      timeoutMs: 60_000,
      fetch: recorder.fetch,
      onAttempt: (e) => {
        const at = performance.now() - e.ms; // when the attempt was sent
        const t = (timeline[e.action] ??= { attempts: 0, throttled: 0, firstMs: at, lastMs: at, perSecond: {}, queuedMs: 0, roundTripMs: [] });
        t.attempts++;
        t.queuedMs += e.queuedMs;
        t.roundTripMs.push(e.ms);
        const second = Math.floor((Date.now() - e.ms) / 1000); // the simulator's one-second windows are wall-clock seconds
        t.perSecond[second] = (t.perSecond[second] ?? 0) + 1;
        if (e.outcome !== 'ok') t.throttled++;
        t.firstMs = Math.min(t.firstMs, at);
        t.lastMs = Math.max(t.lastMs, at);
      },
    },
    resolveCredentials: async () => ({ accessKeyId: process.env.BENCH_ACCESS_KEY_ID!, secret: process.env.BENCH_SECRET! }),
  });
  const report = await runAutomation(deps, automation.spec, automation.policies(config));
  await deps.close();
  const wallMs = performance.now() - t0;
  loopDelay.disable();
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
    timeline,
    eventLoopDelayMs: { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
  rmSync(dir, { recursive: true, force: true });
  return result;
}
