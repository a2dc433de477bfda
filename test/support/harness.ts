import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEngineDeps, type BuiltDeps } from '../../lib/automations/deps';
import { runAutomation, type AutomationSpec, type PolicyBase } from '../../lib/automations/engine/run';
import type { CloudEventFocus, FunctionName, RunReport } from '../../lib/automations/engine/types';
import type { AuditRecord } from '../../lib/audit/record';
import { automationConfigSchema, type AutomationConfig, type AutomationConfigInput } from '../../lib/config/schema';
import { simCredentials, startSim, type RunningSim, type SimVendorName, type VendorSimulator } from '../../sim/core';

/** Target names, as in automation.example.yml and the sample events in events/. */
export const SIM_TARGETS: Record<SimVendorName, string> = {
  tencent: 'tencent-prod',
  kec: 'kec-prod',
  alibaba: 'apsara-prod',
  cecstack: 'cecstack-prod',
};

/** Default region each simulated vendor serves in the tests. */
export const SIM_REGIONS: Record<SimVendorName, string> = {
  tencent: 'ap-guangzhou',
  kec: 'cn-beijing-6',
  alibaba: 'cn-qingdao-sg-d01',
  cecstack: 'region0',
};

export const EVENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../events');

export interface Harness {
  sim: RunningSim;
  dir: string;
  auditPath: string;
  /** A full config: one target per vendor (named as in SIM_TARGETS), pointed at the simulator. */
  config(policies: AutomationConfigInput['policies'], extra?: Partial<AutomationConfigInput>): AutomationConfig;
  run(fn: FunctionName, config: AutomationConfig, options?: RunOptions): Promise<RunReport & { deps: BuiltDeps }>;
  audit(): AuditRecord[];
  /** The details of the events published so far (the local events file), of one detail-type. */
  busEvents(detailType: string): Record<string, unknown>[];
  /**
   * Runs the exported Lambda handler of `functions/<fn>.ts` the way Lambda would: the config is
   * written to a file that AUTOMATION_CONFIG points at, the event is a sample from events/ (a
   * file name) or an object.
   */
  invoke(fn: FunctionName, event: string | object, config: AutomationConfig, options?: { remainingMs?: number }): Promise<RunReport>;
  stop(): Promise<void>;
}

export interface RunOptions {
  dryRun?: boolean;
  now?: Date;
  focus?: CloudEventFocus;
  shouldStop?: () => boolean;
}

/** Starts the given simulator modules on free ports with an audit file in a temp folder. */
export async function startHarness(modules: VendorSimulator[]): Promise<Harness> {
  const sim = await startSim({ modules, ports: Object.fromEntries(modules.map((m) => [m.vendor, 0])) });
  const dir = mkdtempSync(join(tmpdir(), 'ca-it-'));
  const auditPath = join(dir, 'audit.jsonl');
  let configs = 0;
  for (const m of modules) {
    const c = simCredentials(m.vendor);
    process.env[`IT_${m.vendor.toUpperCase()}_ID`] = c.accessKeyId;
    process.env[`IT_${m.vendor.toUpperCase()}_SECRET`] = c.secret;
  }
  return {
    sim,
    dir,
    auditPath,
    config(policies, extra = {}) {
      return automationConfigSchema.parse({
        targets: modules.map((m) => ({
          name: SIM_TARGETS[m.vendor],
          vendor: m.vendor,
          regions: [SIM_REGIONS[m.vendor]],
          endpoint: sim.endpoints[m.vendor],
          credentials: { accessKeyIdEnv: `IT_${m.vendor.toUpperCase()}_ID`, secretEnv: `IT_${m.vendor.toUpperCase()}_SECRET` },
        })),
        audit: { store: 'file', path: auditPath },
        events: { file: join(dir, 'events.jsonl') },
        policies,
        ...extra,
      });
    },
    async run(fn, config, options = {}) {
      const deps = await buildEngineDeps({
        runId: `run-${Math.random().toString(36).slice(2, 10)}`,
        trigger: options.focus ? 'event' : options.dryRun === undefined ? 'schedule' : 'manual',
        now: options.now ?? sim.clock.now(),
        config,
        modeFor: (p) => (options.dryRun === undefined ? p.mode : options.dryRun ? 'dry-run' : 'enforce'),
        shouldStop: options.shouldStop ?? (() => false),
        focus: options.focus,
        transport: { retry: { baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 2000 },
        resolveCredentials: async (t) => ({ accessKeyId: process.env[(t.credentials as { accessKeyIdEnv: string }).accessKeyIdEnv]!, secret: process.env[(t.credentials as { secretEnv: string }).secretEnv]! }),
      });
      const { spec, key } = await loadAutomation(fn);
      const report = await runAutomation(deps, spec, config.policies[key] as PolicyBase[]);
      await deps.close();
      return { ...report, deps };
    },
    audit() {
      if (!existsSync(auditPath)) return [];
      return readFileSync(auditPath, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as AuditRecord);
    },
    async invoke(fn, event, config, options = {}) {
      const path = join(dir, `config-${++configs}.json`);
      writeFileSync(path, JSON.stringify(config)); // JSON is YAML: the loader reads it as the real file
      process.env.AUTOMATION_CONFIG = path;
      const payload = typeof event === 'string' ? JSON.parse(readFileSync(join(EVENTS_DIR, event), 'utf8')) : event;
      // a manual run's now is the wall clock; in this world the wall clock is the simulator's
      if (isManualPayload(payload) && payload.now === undefined) payload.now = sim.clock.now().toISOString();
      const { handler } = (await import(`../../functions/${fn}`)) as { handler: (e: unknown, c: unknown) => Promise<RunReport> };
      const remaining = options.remainingMs ?? 900_000;
      return handler(payload, { functionName: fn, awsRequestId: `it-${configs}`, getRemainingTimeInMillis: () => remaining });
    },
    busEvents(detailType) {
      const path = join(dir, 'events.jsonl');
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { detailType: string; detail: Record<string, unknown> })
        .filter((e) => e.detailType === detailType)
        .map((e) => e.detail);
    },
    stop: () => sim.stop(),
  };
}

/** Loads one automation at a time, so a test needs only the modules it exercises. */
async function loadAutomation(fn: FunctionName): Promise<{ spec: AutomationSpec<PolicyBase>; key: keyof AutomationConfig['policies'] }> {
  const cast = (spec: unknown) => spec as AutomationSpec<PolicyBase>;
  switch (fn) {
    case 'auto-delete':
      return { spec: cast((await import('../../lib/automations/auto-delete')).autoDeleteSpec), key: 'autoDelete' };
    case 'recycle-bin':
      return { spec: cast((await import('../../lib/automations/recycle-bin')).recycleBinSpec), key: 'recycleBin' };
    case 'snapshots':
      return { spec: cast((await import('../../lib/automations/snapshots')).snapshotsSpec), key: 'snapshots' };
    case 'renewal-reminders':
      return { spec: cast((await import('../../lib/automations/renewal-reminders')).renewalRemindersSpec), key: 'renewalReminders' };
    case 'spot-prices':
      return { spec: cast((await import('../../lib/automations/spot-prices')).spotPricesSpec), key: 'spotPrices' };
  }
}

/** A manual payload is neither a scheduled nor a cloud event (lib/runtime/triggers.ts). */
function isManualPayload(payload: unknown): payload is { now?: string } {
  return typeof payload === 'object' && payload !== null && !('source' in payload) && !('detail-type' in payload);
}
