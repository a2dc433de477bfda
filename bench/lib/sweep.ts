import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FunctionName, Mode } from '../../lib/automations/engine/types';
import type { FaultRule, SimVendorName } from '../../sim/core';
import { startSimProcess, stopChild, type SimProcess } from './sim-process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchConfig, type PolicyLike } from './config';
import { documentedMinimum } from './minimum';
import type { FactInstance } from './facts';
import type { SweepMeasurement } from './sweep-run';

const CHILD = fileURLToPath(new URL('./sweep-child.ts', import.meta.url));

export const FUNCTION_NAMES: FunctionName[] = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin'];

/** A sweep's cost with its requests counted at the simulator and set against the documented minimum (minimum.ts). */
export interface Measured extends Omit<SweepMeasurement, 'byAction'> {
  /** Requests the simulator received (every attempt, throttled ones too); `requests` is the same number. */
  received: number;
  /** Requests the client's transport says it sent (a cross-check of `received`). */
  clientSent: number;
  byAction: Record<string, { received: number; sent: number; minimum: number }>;
  basis: Record<string, string>;
}

/** One sweep in a fresh process against a running simulator; undefined when it ran past `timeoutMs`. */
export async function measureSweep(fn: FunctionName, vendor: SimVendorName, sim: SimProcess, mode: Mode, timeoutMs: number, rateLimited = false): Promise<Measured | undefined> {
  await sim.clearLog();
  const facts = await sim.facts();
  const m = await runChild(fn, vendor, sim, mode, timeoutMs, rateLimited);
  if (!m) return undefined;
  const stats = await sim.stats();
  const received = Object.fromEntries(Object.entries(stats.byAction).map(([a, c]) => [a, c.ok + c.throttled]));
  return againstMinimum(fn, vendor, sim.endpoint, sim.now, facts, m, received);
}

/** Puts the simulator's count of a sweep's requests next to the documented minimum for it (minimum.ts). */
export function againstMinimum(fn: FunctionName, vendor: SimVendorName, endpoint: string, now: string, facts: FactInstance[], m: SweepMeasurement, received: Record<string, number>, policies?: Record<string, PolicyLike[]>): Measured {
  const observed = Object.fromEntries(Object.entries(m.byAction).map(([a, x]) => [a, x.minimum]));
  const dir = mkdtempSync(join(tmpdir(), 'ca-bench-min-'));
  const config = benchConfig(vendor, endpoint, dir, policies);
  rmSync(dir, { recursive: true, force: true });
  const minimum = documentedMinimum({ vendor, fn, config, facts, now: new Date(now), observed, received });
  const byAction: Measured['byAction'] = {};
  for (const action of new Set([...Object.keys(received), ...Object.keys(minimum.byAction)])) {
    byAction[action] = { received: received[action] ?? 0, sent: Object.entries(m.byAction).reduce((n, [a, x]) => n + (a.replace(/:other$/, '') === action ? x.sent : 0), 0), minimum: minimum.byAction[action] ?? 0 };
  }
  const total = Object.values(received).reduce((a, b) => a + b, 0);
  return { ...m, requests: total, received: total, clientSent: m.requests, minimum: minimum.total, byAction, basis: minimum.basis };
}

async function runChild(fn: FunctionName, vendor: SimVendorName, sim: SimProcess, mode: Mode, timeoutMs: number, rateLimited: boolean): Promise<SweepMeasurement | undefined> {
  const child = fork(CHILD, [fn, vendor, sim.endpoint, sim.now, mode], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', BENCH_RATE_LIMIT: rateLimited ? '1' : '0' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<SweepMeasurement | undefined>((resolve, reject) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      child.once('message', (m) => resolve(m as SweepMeasurement));
      child.once('exit', (code) => reject(new Error(`${fn} on ${vendor} (${mode}) exited with ${code} before reporting`)));
    });
  } finally {
    clearTimeout(timer);
    child.removeAllListeners('exit');
    await stopChild(child);
  }
}

export interface SweepRun {
  vendor: SimVendorName;
  size: number;
  fn: FunctionName;
  mode: Mode;
  /** One per repetition; undefined entries timed out. */
  runs: (Measured | undefined)[];
}

/**
 * Dry runs share one seeded simulator (they change nothing); every enforce repetition gets a
 * freshly seeded one, shared by the five functions in turn, so each repetition does the same work.
 */
export async function sweepVendorSize(
  vendor: SimVendorName,
  size: number,
  options: { reps: number; timeoutMs: number; functions: FunctionName[]; fault?: FaultRule; log: (s: string) => void },
): Promise<SweepRun[]> {
  const results = new Map<string, SweepRun>();
  const entry = (fn: FunctionName, mode: Mode) => {
    const key = `${fn}|${mode}`;
    if (!results.has(key)) results.set(key, { vendor, size, fn, mode, runs: [] });
    return results.get(key)!;
  };
  const timedOut = new Set<string>();
  const run = async (sim: SimProcess, fn: FunctionName, mode: Mode) => {
    const key = `${fn}|${mode}`;
    if (timedOut.has(key)) return entry(fn, mode).runs.push(undefined);
    const m = await measureSweep(fn, vendor, sim, mode, options.timeoutMs);
    if (!m) timedOut.add(key);
    entry(fn, mode).runs.push(m);
    options.log(`  ${vendor} ${size} ${fn} ${mode}: ${m ? `${m.wallMs.toFixed(0)} ms, ${m.requests} requests` : `timed out after ${options.timeoutMs / 1000} s`}`);
  };

  let sim = await startSimProcess(vendor, size);
  try {
    if (options.fault) await sim.faults(options.fault);
    for (let r = 0; r < options.reps; r++) for (const fn of options.functions) await run(sim, fn, 'dry-run');
    for (let r = 0; r < options.reps; r++) {
      await sim.stop();
      sim = await startSimProcess(vendor, size);
      if (options.fault) await sim.faults(options.fault);
      for (const fn of options.functions) await run(sim, fn, 'enforce');
    }
  } finally {
    await sim.stop();
  }
  return [...results.values()];
}
