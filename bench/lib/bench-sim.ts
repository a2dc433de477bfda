import { createAlibabaSim } from '../../sim/alibaba';
import { createCecstackSim } from '../../sim/cecstack';
import { Rng, startSim, type SimVendorName, type VendorSimulator } from '../../sim/core';
import { createKecSim } from '../../sim/kec';
import { createTencentSim } from '../../sim/tencent';
import { BENCH_REGIONS } from './targets';

const factories: Record<SimVendorName, () => VendorSimulator> = {
  tencent: createTencentSim,
  kec: createKecSim,
  alibaba: createAlibabaSim,
  cecstack: createCecstackSim,
};

/** A fixed business time on the hour: every run of the benchmark sees the same fleet. */
export const BENCH_NOW = new Date(Date.UTC(2026, 0, 15, 2, 0, 0));

/** One vendor's simulated cloud on a free loopback port, seeded with `count` instances (demo mix) in the bench region. */
export async function startBenchSim(vendor: SimVendorName, count: number, seed = 42) {
  const module = factories[vendor]();
  const sim = await startSim({ modules: [module], ports: { [vendor]: 0 } });
  sim.clock.set(BENCH_NOW);
  const started = performance.now();
  module.seedFleet({ rng: new Rng(seed), count, now: sim.clock.now(), regions: [BENCH_REGIONS[vendor]], demo: true });
  return { module, sim, endpoint: sim.endpoints[vendor]!, now: sim.clock.now().toISOString(), seedMs: performance.now() - started };
}
