import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { automations, buildEngineDeps, runAutomation } from '../../lib/automations';
import type { AuditRecord } from '../../lib/audit/record';
import type { AutomationConfig } from '../../lib/config/schema';
import type { FunctionName } from '../../lib/config';
import { createAlibabaSim, type AlibabaSim } from '../../sim/alibaba';
import type { VendorSimulator } from '../../sim/core';
import { createKecSim, type KecSimulator } from '../../sim/kec';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { startDynalite } from '../audit/dynalite-server';
import { EVENTS_DIR, startHarness, type Harness } from '../support/harness';
import { interceptMutations, mutationsNaming, resultsPerKey, scanTable, type ReceivedMutation } from './support';

// Issue 18: an invocation killed (SIGKILL, in its own process) between its intent and its result —
// while its vendor call is held before the vendor applies it, or after the vendor applied it but
// before the answer came back — then a later run. Counted at the simulated cloud: each resource is
// changed once per action key, each key ends with exactly one result, the trail records what happened.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_ACCESS_KEY_ID = 'fake-id';
process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'child.ts');
const NOW = new Date('2026-11-24T02:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The rerun comes after the killed invocation's lease (at most 15 min + skew) has lapsed. */
const LATER_MS = 20 * 60_000;
const event = (name: string, time?: Date) => {
  const e = JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Record<string, unknown>;
  return time ? { ...e, time: time.toISOString() } : e;
};

interface Scenario {
  name: string;
  fn: FunctionName;
  module(): VendorSimulator;
  setup(h: Harness, audit: AutomationConfig['audit']): Promise<{ config: AutomationConfig; event: Record<string, unknown> }>;
  /** Checks beyond the generic counts, on the function's records and the mutations the vendor applied. */
  check?(records: AuditRecord[], applied: ReceivedMutation[]): void;
}

let tencent: TencentSim;
let kec: KecSimulator;
let ali: AlibabaSim;

const scenarios: Scenario[] = [
  {
    name: 'Tencent delete (auto-delete)',
    fn: 'auto-delete',
    module: () => (tencent = createTencentSim({ transitionMs: 0 })),
    async setup(h, audit) {
      tencent.bindClock(h.sim.clock);
      for (const n of [1, 2]) tencent.addInstance({ InstanceName: `due-${n}`, tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' } });
      return { config: h.config({ autoDelete: [{ name: 'ad', mode: 'enforce' }] }, { safety: { maxDestructivePercent: 100 }, audit }), event: event('auto-delete.schedule.json') };
    },
  },
  {
    // engine DECISIONS.md E3: one TerminateInstances carries both policies' deletions; the kill leaves
    // an intent per action (per policy), and the rerun settles each under its own policy
    name: 'Tencent delete by two policies in one call (auto-delete)',
    fn: 'auto-delete',
    module: () => (tencent = createTencentSim({ transitionMs: 0 })),
    async setup(h, audit) {
      tencent.bindClock(h.sim.clock);
      tencent.addInstance({ InstanceName: 'due-1', tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' } });
      tencent.addInstance({ InstanceName: 'tmp-1', createdMs: NOW.getTime() - 73 * HOUR });
      const policies = [
        { name: 'ad', mode: 'enforce' as const },
        { name: 'ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } },
      ];
      return { config: h.config({ autoDelete: policies }, { safety: { maxDestructivePercent: 100 }, audit }), event: event('auto-delete.schedule.json') };
    },
    check(records, applied) {
      const deleted = records.filter((r) => r.phase === 'result' && r.action === 'delete-instance');
      expect(deleted.map((r) => r.policy).sort()).toEqual(['ad', 'ttl']);
      const calls = applied.filter((m) => m.action === 'TerminateInstances');
      expect(calls).toHaveLength(1);
      for (const r of deleted) expect(mutationsNaming(calls, r.resourceId)).toHaveLength(1);
    },
  },
  {
    name: 'KEC local-volume snapshot (snapshots)',
    fn: 'snapshots',
    module: () => (kec = createKecSim()),
    async setup(h, audit) {
      kec.addInstance({ name: 'web-1', zone: 'cn-beijing-6a', dataDiskGb: 0 }, NOW.getTime() - 30 * DAY);
      const config = h.config(
        { snapshots: [{ name: 'daily', mode: 'enforce', schedule: { at: '10:00' }, selector: { names: ['web-*'] }, retention: { keepLast: 2 } }] },
        { safety: { maxDestructivePercent: 100 }, audit },
      );
      return { config, event: event('snapshots.schedule.json') };
    },
  },
  {
    name: 'KEC native timer (auto-delete)',
    fn: 'auto-delete',
    module: () => (kec = createKecSim()),
    async setup(h, audit) {
      // the client checks the timer's 30-minute lead against the run's clock (the event's time)
      const now = NOW;
      h.sim.clock.set(now);
      kec.addInstance({ name: 'tmp-1', zone: 'cn-beijing-6a' }, now.getTime() - 70 * HOUR); // due in 2 h
      const config = h.config(
        { autoDelete: [{ name: 'ttl', mode: 'enforce', selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }] },
        { safety: { maxDestructivePercent: 100 }, audit },
      );
      return { config, event: event('auto-delete.schedule.json', now) };
    },
  },
  {
    name: 'irreversible Alibaba purge (recycle-bin)',
    fn: 'recycle-bin',
    module: () => (ali = createAlibabaSim()),
    async setup(h, audit) {
      ali.addInstance({ name: 'tmp-1', createdAt: NOW.getTime() - 73 * HOUR } as never);
      const config = h.config(
        {
          autoDelete: [{ name: 'ttl', mode: 'enforce', selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }],
          recycleBin: [{ name: 'bin', mode: 'enforce', retentionDays: 7 }],
        },
        { safety: { maxDestructivePercent: 100 }, audit },
      );
      await h.invoke('auto-delete', event('auto-delete.schedule.json', NOW), config); // soft-deletes it
      const later = new Date(NOW.getTime() + 7 * DAY + HOUR);
      h.sim.clock.set(later);
      return { config, event: event('recycle-bin.schedule.json', later) };
    },
  },
];

const cases = ['file', 'dynamodb'].flatMap((store) =>
  scenarios.flatMap((s) => (['before', 'after'] as const).map((point) => [store as 'file' | 'dynamodb', s.name, point, s] as const)),
);

describe('kill -9 between intent and result, then a rerun', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(() => dynalite.close());

  it.each(cases)('%s store, %s, killed %s the vendor applied it', async (store, _name, point, scenario) => {
    const module = scenario.module();
    const vendor = interceptMutations(module);
    const h = await startHarness([module]);
    let child: ChildProcess | undefined;
    try {
      h.sim.clock.set(NOW);
      const tableName = store === 'dynamodb' ? await dynalite.createAuditTable() : undefined;
      const audit: AutomationConfig['audit'] = tableName ? { store: 'dynamodb', tableName, endpoint: dynalite.endpoint, region: 'us-east-1' } : { store: 'file', path: h.auditPath };
      const { config, event: trigger } = await scenario.setup(h, audit);
      const appliedBefore = vendor.applied.length;

      const held = vendor.holdNext(point);
      child = runChild(h, scenario.fn, trigger, config);
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      const mutation = await Promise.race([held, exited.then(() => Promise.reject(new Error('the child finished without a vendor mutation')))]);
      child.kill('SIGKILL');
      await exited;
      // the request was in flight: `before` it never takes effect, `after` it already has
      if (point === 'before') mutation.drop();
      else mutation.release();

      const trailAtKill = await trail(h, tableName);
      const open = [...resultsPerKey(trailAtKill.filter((r) => r.function === scenario.fn)).entries()].filter(([, n]) => n === 0);
      expect(open.length).toBeGreaterThan(0); // the kill left an intent without a result

      const report = await rerun(h, scenario.fn, config, trigger);
      expect(report.errors).toEqual([]);
      expect(report.rows.filter((r) => r.status === 'error')).toEqual([]);

      const records = (await trail(h, tableName)).filter((r) => r.function === scenario.fn);
      expect([...resultsPerKey(records).entries()].filter(([, n]) => n !== 1)).toEqual([]);
      const applied = vendor.applied.slice(appliedBefore);
      const done = records.filter((r) => r.phase === 'result' && (r.outcome === 'success' || r.outcome === 'reconciled') && r.resourceKind !== 'other');
      expect(done.length).toBeGreaterThan(0);
      for (const r of done) expect([r.resourceId, mutationsNaming(applied, r.resourceId).length]).toEqual([r.resourceId, 1]);
      if (point === 'after') expect(done.some((r) => r.outcome === 'reconciled')).toBe(true);
      scenario.check?.(records, applied);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await h.stop();
    }
  });

  function runChild(h: Harness, fn: FunctionName, trigger: object, config: AutomationConfig): ChildProcess {
    const path = join(h.dir, `child-config-${fn}.json`);
    writeFileSync(path, JSON.stringify(config));
    return spawn(process.execPath, ['--import', 'tsx', CHILD, fn, JSON.stringify(trigger)], {
      env: { ...process.env, AUTOMATION_CONFIG: path, NODE_OPTIONS: '' },
      stdio: 'ignore',
    });
  }

  /** A later scheduled run, LATER_MS after the killed one by the lease clock. */
  async function rerun(h: Harness, fn: FunctionName, config: AutomationConfig, trigger: Record<string, unknown>) {
    const deps = await buildEngineDeps({
      runId: 'rerun',
      trigger: 'schedule',
      now: new Date(String(trigger.time)),
      config,
      modeFor: (p) => p.mode,
      shouldStop: () => false,
      leaseClock: () => Date.now() + LATER_MS,
      transport: { retry: { baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 2000 },
      resolveCredentials: async (t) => ({
        accessKeyId: process.env[(t.credentials as { accessKeyIdEnv: string }).accessKeyIdEnv]!,
        secret: process.env[(t.credentials as { secretEnv: string }).secretEnv]!,
      }),
    });
    try {
      return await runAutomation(deps, automations[fn].spec, automations[fn].policies(config));
    } finally {
      await deps.close();
    }
  }

  async function trail(h: Harness, tableName: string | undefined): Promise<AuditRecord[]> {
    return tableName ? scanTable(dynalite.client, tableName) : h.audit();
  }
});
