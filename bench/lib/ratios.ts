import type { PolicyLike } from './config';
import type { FunctionName, Mode } from '../../lib/automations/engine/types';
import type { SimVendorName } from '../../sim/core';
import { startBenchSim } from './bench-sim';
import { fleetFacts } from './facts';
import { againstMinimum, type Measured } from './sweep';
import { runSweep } from './sweep-run';

export interface RatioRow {
  vendor: SimVendorName;
  size: number;
  function: FunctionName;
  mode: Mode;
  received: number;
  minimum: number;
  /** received / minimum; 1 when both are 0. */
  ratio: number;
  byAction: Measured['byAction'];
  basis: Measured['basis'];
  errors: string[];
}

/**
 * Requests received by the simulator / documented minimum for every function × vendor × mode, run
 * in this process (simulators too): request counts do not depend on speed, so nothing needs the
 * isolation of the timed sweeps. Dry runs share one seeded simulator, enforce runs a fresh one
 * used by the five functions in turn (as `sweepVendorSize`).
 */
export async function requestRatios(options: { sizes: number[]; vendors: SimVendorName[]; functions: FunctionName[]; log?: (s: string) => void; policies?: Record<string, PolicyLike[]> }): Promise<RatioRow[]> {
  const rows: RatioRow[] = [];
  for (const size of options.sizes) {
    for (const vendor of options.vendors) {
      for (const mode of ['dry-run', 'enforce'] as const) {
        const bench = await startBenchSim(vendor, size);
        try {
          for (const fn of options.functions) {
            bench.sim.requests.length = 0;
            const facts = fleetFacts(vendor, bench.module);
            const m = await runSweep({ fn, vendor, endpoint: bench.endpoint, now: bench.now, mode, policies: options.policies });
            const received: Record<string, number> = {};
            for (const r of bench.sim.requests) received[r.action] = (received[r.action] ?? 0) + 1;
            const measured = againstMinimum(fn, vendor, bench.endpoint, bench.now, facts, m, received, options.policies);
            const ratio = measured.minimum ? measured.received / measured.minimum : measured.received ? Infinity : 1;
            rows.push({ vendor, size, function: fn, mode, received: measured.received, minimum: measured.minimum, ratio, byAction: measured.byAction, basis: measured.basis, errors: m.errors });
            options.log?.(`  ${vendor} ${size} ${fn} ${mode}: ${measured.received} / ${measured.minimum} = ${ratio.toFixed(2)}`);
          }
        } finally {
          await bench.sim.stop();
        }
      }
    }
  }
  return rows;
}
