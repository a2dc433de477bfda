import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecord } from '../../lib/audit/record';
import { automationConfigSchema, type AutomationConfig, type AutomationConfigInput } from '../../lib/config/schema';
import { createAlibabaSim } from '../../sim/alibaba';
import { createCecstackSim } from '../../sim/cecstack';
import { Rng, simCredentials, startSim, type RunningSim, type SimVendorName, type VendorSimulator } from '../../sim/core';
import { createKecSim } from '../../sim/kec';
import { createTencentSim } from '../../sim/tencent';

/** Regions each simulated vendor serves (one target per simulator instance × region). */
export const FLEET_REGIONS: Record<SimVendorName, string[]> = {
  tencent: ['ap-guangzhou', 'ap-shanghai', 'ap-beijing'],
  kec: ['cn-beijing-6', 'cn-shanghai-2'],
  alibaba: ['cn-qingdao-sg-d01', 'cn-hangzhou'],
  cecstack: ['region0', 'region1'],
};

/** Simulator instances per vendor: 2×3 + 2×2 + 3×2 + 2×2 = 20 targets. */
export const DEFAULT_SIMS: Record<SimVendorName, number> = { tencent: 2, kec: 2, alibaba: 3, cecstack: 2 };

/** The KEC projects of the simulated fleet (seed fleet spreads instances over 0/101/102). */
export const KEC_PROJECTS = ['0', '101', '102'];

export interface FleetOptions {
  seed: number;
  now: Date;
  /** Instances per target (per simulator region). */
  perTarget: number;
  sims?: Partial<Record<SimVendorName, number>>;
  /** Simulated network latency on every request. */
  latencyMs?: number;
  /**
   * How it is spent (sim/core/faults.ts): `latency` (default) waits, then the cloud acts and answers;
   * `round-trip` acts at once and answers `latencyMs` after the request arrived.
   */
  latencyKind?: 'latency' | 'round-trip';
}

export interface Fleet {
  targets: AutomationConfigInput['targets'];
  sims: { name: string; vendor: SimVendorName; running: RunningSim; module: VendorSimulator }[];
  dir: string;
  auditPath: string;
  config(policies: AutomationConfigInput['policies'], extra?: Partial<AutomationConfigInput>): AutomationConfig;
  /** The simulated clouds' state, with generated snapshot/image ids left out (their order depends on request order). */
  state(): Record<string, unknown>;
  audit(): AuditRecord[];
  stop(): Promise<void>;
}

const make: Record<SimVendorName, () => VendorSimulator> = {
  tencent: () => createTencentSim({ transitionMs: 0 }),
  kec: () => createKecSim(),
  alibaba: () => createAlibabaSim(),
  cecstack: () => createCecstackSim(),
};

/**
 * An identically seeded fleet of simulator instances: per vendor several simulators (separate
 * accounts), each serving its regions, one target per simulator × region. The first KEC
 * simulator's targets list their projects, so the dispatcher plans one work item per project.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const counts = { ...DEFAULT_SIMS, ...options.sims };
  const dir = mkdtempSync(join(tmpdir(), 'ca-fanout-'));
  const auditPath = join(dir, 'audit.jsonl');
  const sims: Fleet['sims'] = [];
  const targets: AutomationConfigInput['targets'] = [];
  let n = 0;
  for (const vendor of Object.keys(FLEET_REGIONS) as SimVendorName[]) {
    const c = simCredentials(vendor);
    process.env[`FLEET_${vendor.toUpperCase()}_ID`] = c.accessKeyId;
    process.env[`FLEET_${vendor.toUpperCase()}_SECRET`] = c.secret;
    for (let i = 0; i < counts[vendor]; i++) {
      const module = make[vendor]();
      const running = await startSim({ modules: [module], ports: { [vendor]: 0 } });
      running.clock.set(options.now);
      (module as { bindClock?: (c: RunningSim['clock']) => void }).bindClock?.(running.clock);
      const regions = FLEET_REGIONS[vendor];
      module.seedFleet({ rng: new Rng(options.seed * 1000 + n++), count: options.perTarget * regions.length, now: options.now, regions, demo: true });
      if (options.latencyMs) running.faults.inject({ kind: options.latencyKind ?? 'latency', latencyMs: options.latencyMs });
      const name = `${vendor}-${i}`;
      sims.push({ name, vendor, running, module });
      for (const region of regions)
        targets.push({
          name: `${name}-${region}`,
          vendor,
          regions: [region],
          endpoint: running.endpoints[vendor],
          credentials: { accessKeyIdEnv: `FLEET_${vendor.toUpperCase()}_ID`, secretEnv: `FLEET_${vendor.toUpperCase()}_SECRET` },
          ...(vendor === 'kec' && i === 0 ? { settings: { projects: KEC_PROJECTS } } : {}),
        } as AutomationConfigInput['targets'][number]);
    }
  }
  return {
    targets,
    sims,
    dir,
    auditPath,
    config: (policies, extra = {}) =>
      automationConfigSchema.parse({ targets, audit: { store: 'file', path: auditPath }, events: { file: join(dir, 'events.jsonl') }, policies, ...extra }),
    state: () => Object.fromEntries(sims.map((s) => [s.name, stateOf(s.module)])),
    audit: () =>
      existsSync(auditPath)
        ? readFileSync(auditPath, 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as AuditRecord)
        : [],
    stop: async () => {
      for (const s of sims) await s.running.stop();
      rmSync(dir, { recursive: true, force: true }); // a test or bench run leaves nothing in the temp folder
    },
  };
}

const SNAPSHOT_ID_KEYS = new Set(['ImageId', 'id', 'ecsSnapshotId']);

function stateOf(module: VendorSimulator): Record<string, unknown> {
  const m = module as unknown as { instances(): object[]; snapshots(): object[]; disks?(): object[]; recycleEntries?(): object[] };
  const sorted = (xs: object[]) => xs.map((x) => JSON.stringify(x)).sort();
  const withoutIds = (xs: object[]) => xs.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => !SNAPSHOT_ID_KEYS.has(k))));
  return {
    instances: sorted(m.instances()),
    snapshots: sorted(withoutIds(m.snapshots())),
    ...(m.disks ? { disks: sorted(m.disks()) } : {}),
    ...(m.recycleEntries ? { recycle: sorted(m.recycleEntries()) } : {}),
  };
}

/** Successful action keys of an audit trail (results that succeeded or were reconciled). */
export function successfulKeys(records: AuditRecord[]): string[] {
  return records
    .filter((r) => r.phase === 'result' && (r.outcome === 'success' || r.outcome === 'reconciled'))
    .map((r) => r.actionKey)
    .sort();
}
