import { createAlibabaSim, type AlibabaSim } from '../../sim/alibaba';
import { createCecstackSim, type CecstackSim } from '../../sim/cecstack';
import { Rng, startSim, type FaultRule, type SimVendorName, type VendorSimulator } from '../../sim/core';
import { createKecSim, type KecSimulator } from '../../sim/kec';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { BENCH_REGIONS } from './targets';

/**
 * One simulated cloud in its own process, so the benchmarked process's CPU time and RSS are the
 * client's only. Forked by bench/lib/sim-process.ts; talks over IPC, serves HTTP on loopback.
 * argv: vendor count seed
 */
export type SimCommand =
  | { type: 'faults'; rule?: FaultRule }
  | { type: 'rateLimits'; enabled: boolean }
  | { type: 'stats' }
  | { type: 'clearLog' }
  | { type: 'facts' };

/** One instance as the vendor holds it, reduced to what the documented minimum of a sweep depends on. */
export interface FactInstance {
  id: string;
  name: string;
  /** Undefined where the vendor has no tags (KEC). */
  tags?: Record<string, string>;
  charge: 'prepaid' | 'postpaid' | 'spot';
  /** Vendor state as the API spells it. */
  state: string;
  expiresAtMs?: number;
}

export interface SimStats {
  requests: number;
  byAction: Record<string, { ok: number; throttled: number; mutating: boolean }>;
  refused: number;
  rssBytes: number;
}

const factories: Record<SimVendorName, () => VendorSimulator> = {
  tencent: createTencentSim,
  kec: createKecSim,
  alibaba: createAlibabaSim,
  cecstack: createCecstackSim,
};

/** The fleet of the benchmark region, read from the simulator's state (not through any API: nothing is counted). */
function facts(): FactInstance[] {
  const region = BENCH_REGIONS[vendor];
  switch (vendor) {
    case 'tencent':
      return [...(module as TencentSim).state.instances.values()]
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.InstanceId, name: i.InstanceName, tags: { ...i.tags }, charge: i.InstanceChargeType === 'PREPAID' ? 'prepaid' : i.InstanceChargeType === 'SPOTPAID' ? 'spot' : 'postpaid', state: i.InstanceState, expiresAtMs: i.expiredMs }));
    case 'alibaba': {
      const sim = module as AlibabaSim;
      return sim
        .instances()
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.id, name: i.name, tags: sim.tagsOf('instance', i.id), charge: i.chargeType === 'PrePaid' ? 'prepaid' : 'postpaid', state: i.status, expiresAtMs: i.expiredAt }));
    }
    case 'kec':
      return (module as KecSimulator)
        .instances()
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.id, name: i.name, charge: i.chargeType === 'Monthly' ? 'prepaid' : i.chargeType === 'Spot' ? 'spot' : 'postpaid', state: i.state }));
    case 'cecstack':
      return (module as CecstackSim)
        .instances()
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.ecsId, name: i.displayName, tags: Object.fromEntries(i.labels.map((l) => [l.key, l.value])), charge: i.billingMode === 'ByCycle' ? 'prepaid' : 'postpaid', state: i.softDeletedAt !== undefined ? 'SOFT_DELETED' : i.status, expiresAtMs: i.expiresAt }));
  }
}

const [vendor, countArg, seedArg] = process.argv.slice(2) as [SimVendorName, string, string];
const module = factories[vendor]();
const sim = await startSim({ modules: [module], ports: { [vendor]: 0 } });
// A fixed business time on the hour: every run of the benchmark sees the same fleet.
sim.clock.set(new Date(Date.UTC(2026, 0, 15, 2, 0, 0)));
const started = performance.now();
module.seedFleet({ rng: new Rng(Number(seedArg)), count: Number(countArg), now: sim.clock.now(), regions: [BENCH_REGIONS[vendor]], demo: true });
const seedMs = performance.now() - started;

process.on('message', (raw) => {
  const cmd = raw as SimCommand & { id: number };
  const reply = (data: unknown) => process.send!({ id: cmd.id, data });
  switch (cmd.type) {
    case 'faults':
      sim.faults.clear();
      if (cmd.rule) sim.faults.inject(cmd.rule);
      return reply(null);
    case 'rateLimits':
      sim.rateLimits.enabled = cmd.enabled;
      return reply(null);
    case 'clearLog':
      sim.requests.length = 0;
      sim.rateLimits.refused.clear();
      return reply(null);
    case 'facts':
      return reply(facts());
    case 'stats': {
      const byAction: SimStats['byAction'] = {};
      for (const r of sim.requests) {
        const a = (byAction[r.action] ??= { ok: 0, throttled: 0, mutating: r.mutating });
        if (r.status === 200) a.ok++;
        else a.throttled++;
      }
      const refused = [...sim.rateLimits.refused.values()].reduce((s, n) => s + n, 0);
      return reply({ requests: sim.requests.length, byAction, refused, rssBytes: process.memoryUsage().rss } satisfies SimStats);
    }
  }
});
// The parent ends this process with SIGTERM (or it dies with the parent's IPC channel).
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, endpoint: sim.endpoints[vendor], now: sim.clock.now().toISOString(), seedMs });
