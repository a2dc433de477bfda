import type { FaultRule, SimVendorName } from '../../sim/core';
import { startBenchSim } from './bench-sim';
import { fleetFacts } from './facts';
export type { FactInstance } from './facts';

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


export interface SimStats {
  requests: number;
  /** `perSecond`: requests that arrived in each wall-clock second (the windows the simulator's rate limits count by). */
  byAction: Record<string, { ok: number; throttled: number; mutating: boolean; perSecond: Record<number, number>; arrivals: number[] }>;
  refused: number;
  rssBytes: number;
}

const [vendor, countArg, seedArg] = process.argv.slice(2) as [SimVendorName, string, string];
const { module, sim, seedMs } = await startBenchSim(vendor, Number(countArg), Number(seedArg));

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
      return reply(fleetFacts(vendor, module));
    case 'stats': {
      const byAction: SimStats['byAction'] = {};
      for (const r of sim.requests) {
        const a = (byAction[r.action] ??= { ok: 0, throttled: 0, mutating: r.mutating, perSecond: {}, arrivals: [] });
        a.arrivals.push(r.wallMs);
        if (r.throttled) a.throttled++; // Tencent throttles with HTTP 200 (an error in the body)
        else a.ok++;
        const second = Math.floor(r.wallMs / 1000);
        a.perSecond[second] = (a.perSecond[second] ?? 0) + 1;
      }
      const refused = [...sim.rateLimits.refused.values()].reduce((s, n) => s + n, 0);
      return reply({ requests: sim.requests.length, byAction, refused, rssBytes: process.memoryUsage().rss } satisfies SimStats);
    }
  }
});
// The parent ends this process with SIGTERM (or it dies with the parent's IPC channel).
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, endpoint: sim.endpoints[vendor], now: sim.clock.now().toISOString(), seedMs });
