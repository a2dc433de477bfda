import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '../../lib/automations/engine/types';
import type { AuditRecord } from '../../lib/audit/record';
import type { AutomationConfig } from '../../lib/config/schema';
import type { FunctionName } from '../../lib/config';
import { createAlibabaSim, type AlibabaSim } from '../../sim/alibaba';
import type { VendorSimulator } from '../../sim/core';
import { createKecSim, type KecSimulator } from '../../sim/kec';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { startDynalite } from '../audit/dynalite-server';
import { EVENTS_DIR, startHarness, type Harness } from '../support/harness';
import { mutationsNaming, recordMutations, resultsPerKey, scanTable, type ReceivedMutation } from './support';

// Issue 18, as it runs when deployed: 2 and 4 invocations of each function at once over one audit
// store (the local file store, and DynamoDB through dynalite), vendor mutations slowed to 400 ms so
// the runs overlap inside each action. Counted at the simulated clouds: each resource is mutated
// once per action key, each action key ends with exactly one result, no scope aborts, and each
// notice reaches the bus once.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_ACCESS_KEY_ID = 'fake-id';
process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';

const NOW = new Date('2026-11-24T02:00:00Z'); // the sample scheduled events' time
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LATENCY_MS = 400;
const event = (name: string, time?: Date) => {
  const e = JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Record<string, unknown>;
  return time ? { ...e, time: time.toISOString() } : e;
};

interface Scenario {
  fn: FunctionName;
  /** The test's name when a function has several scenarios. */
  name?: string;
  modules(): VendorSimulator[];
  /** Seeds the fleet (and any earlier runs); returns the config and the event of the concurrent runs. */
  setup(h: Harness, store: AutomationConfig['audit']): Promise<{ config: AutomationConfig; event: object; mutating: string[] }>;
  /** Vendor-state checks beyond the generic counts. */
  check?(): void;
}

let tencent: TencentSim;
let kec: KecSimulator;
let ali: AlibabaSim;

const scenarios: Scenario[] = [
  {
    fn: 'auto-delete',
    modules: () => [(tencent = createTencentSim({ transitionMs: 0 }))],
    async setup(h, audit) {
      tencent.bindClock(h.sim.clock);
      for (const n of [1, 2, 3]) tencent.addInstance({ InstanceName: `due-${n}`, tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' } });
      tencent.addInstance({ InstanceName: 'keep' });
      const config = h.config({ autoDelete: [{ name: 'ad', mode: 'enforce' }] }, { safety: { maxDestructivePercent: 100 }, audit });
      return { config, event: event('auto-delete.schedule.json'), mutating: ['TerminateInstances'] };
    },
  },
  {
    // engine DECISIONS.md E3: both policies' deletions share each run's TerminateInstances, each under its own key
    fn: 'auto-delete',
    name: 'auto-delete, two policies in one batch',
    modules: () => [(tencent = createTencentSim({ transitionMs: 0 }))],
    async setup(h, audit) {
      tencent.bindClock(h.sim.clock);
      for (const n of [1, 2]) tencent.addInstance({ InstanceName: `due-${n}`, tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' } });
      for (const n of [1, 2]) tencent.addInstance({ InstanceName: `tmp-${n}`, createdMs: NOW.getTime() - 73 * HOUR });
      const policies = [
        { name: 'ad', mode: 'enforce' as const },
        { name: 'ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } },
      ];
      const config = h.config({ autoDelete: policies }, { safety: { maxDestructivePercent: 100 }, audit });
      return { config, event: event('auto-delete.schedule.json'), mutating: ['TerminateInstances'] };
    },
  },
  {
    fn: 'snapshots',
    modules: () => [(kec = createKecSim())],
    async setup(h, audit) {
      kec.addInstance({ name: 'web-1', zone: 'cn-beijing-6a', dataDiskGb: 50 }, NOW.getTime() - 30 * DAY);
      kec.addInstance({ name: 'web-2', zone: 'cn-beijing-6a', dataDiskGb: 0 }, NOW.getTime() - 30 * DAY);
      const config = h.config(
        { snapshots: [{ name: 'daily', mode: 'enforce', schedule: { at: '10:00' }, selector: { names: ['web-*'] }, retention: { keepLast: 2 } }] },
        { safety: { maxDestructivePercent: 100 }, audit },
      );
      return { config, event: event('snapshots.schedule.json'), mutating: ['CreateLocalVolumeSnapshot'] };
    },
    check() {
      const names = kec.snapshots().map((s) => s.name);
      expect(names).toHaveLength(3);
      expect(new Set(names).size).toBe(3); // no snapshot exists twice
    },
  },
  {
    fn: 'renewal-reminders',
    modules: () => [(tencent = createTencentSim({ transitionMs: 0 }))],
    async setup(h, audit) {
      tencent.bindClock(h.sim.clock);
      tencent.addInstance({ InstanceChargeType: 'PREPAID', InstanceType: 'S2.MEDIUM4', expiredMs: NOW.getTime() + 5 * DAY, tags: { owner: 'amy' } });
      tencent.addInstance({ InstanceChargeType: 'PREPAID', InstanceType: 'S2.MEDIUM4', expiredMs: NOW.getTime() + 6 * DAY, tags: { owner: 'bob' } });
      const config = h.config({ renewalReminders: [{ name: 'renewals', mode: 'enforce', renew: { periodMonths: 1, budget: '400' } }] }, { audit });
      return { config, event: event('renewal-reminders.schedule.json'), mutating: ['RenewInstances', 'ModifyInstancesRenewFlag'] };
    },
  },
  {
    fn: 'recycle-bin',
    modules: () => [(ali = createAlibabaSim())],
    async setup(h, audit) {
      const ad = [{ name: 'ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }];
      for (const n of [1, 2]) ali.addInstance({ name: `tmp-${n}`, createdAt: NOW.getTime() - 73 * HOUR } as never);
      const config = h.config(
        { autoDelete: ad, recycleBin: [{ name: 'bin', mode: 'enforce', retentionDays: 7 }] },
        { safety: { maxDestructivePercent: 100 }, audit },
      );
      await h.invoke('auto-delete', event('auto-delete.schedule.json', NOW), config); // soft-deletes both (one run)
      const later = new Date(NOW.getTime() + 7 * DAY + HOUR);
      h.sim.clock.set(later);
      return { config, event: event('recycle-bin.schedule.json', later), mutating: ['DeleteInstance', 'DeleteInstances'] };
    },
  },
  {
    fn: 'spot-prices',
    modules: () => [(kec = createKecSim())],
    async setup(h, audit) {
      kec.addInstance({ chargeType: 'Spot', zone: 'cn-beijing-6a', instanceType: 'N3.2B', spotStrategy: 'SpotAsPriceGo' } as never, NOW.getTime() - DAY);
      kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.5);
      const config = h.config({ spotPrices: [{ name: 'spot', mode: 'enforce', watches: 'running', thresholds: { maxPrice: '0.1' } }] }, { audit });
      return { config, event: event('spot-prices.schedule.json'), mutating: [] };
    },
  },
];

type StoreKind = 'file' | 'dynamodb';

describe.each<StoreKind>(['file', 'dynamodb'])('exactly once over one %s store', (storeKind) => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>> | undefined;
  beforeAll(async () => {
    if (storeKind === 'dynamodb') dynalite = await startDynalite();
  });
  afterAll(async () => dynalite?.close());

  describe.each([2, 4])('%i invocations at once', (runs) => {
    it.each(scenarios.map((s) => [s.name ?? s.fn, s] as const))('%s', async (_name, scenario) => {
      const modules = scenario.modules();
      const logs = modules.map((m) => recordMutations(m));
      const received = (): ReceivedMutation[] => logs.flat();
      const h = await startHarness(modules);
      try {
        h.sim.clock.set(NOW);
        const tableName = dynalite ? await dynalite.createAuditTable() : undefined;
        const audit: AutomationConfig['audit'] = tableName ? { store: 'dynamodb', tableName, endpoint: dynalite!.endpoint, region: 'us-east-1' } : { store: 'file', path: h.auditPath };
        const { config, event: trigger, mutating } = await scenario.setup(h, audit);
        const before = received().length;
        for (const action of mutating) h.sim.faults.inject({ kind: 'latency', action, latencyMs: LATENCY_MS });

        const opsBefore = dynalite?.operations.length ?? 0;
        const reports: RunReport[] = await Promise.all(Array.from({ length: runs }, () => h.invoke(scenario.fn, trigger, config)));
        // issue 19: every read a run makes is a GetItem or an indexed Query — never a Scan (counted at the server)
        const ops = dynalite?.operations.slice(opsBefore) ?? [];
        expect(ops.filter((op) => !['PutItem', 'GetItem', 'Query'].includes(op))).toEqual([]);

        // no scope aborts
        for (const r of reports) {
          expect(r.errors).toEqual([]);
          expect(r.rows.filter((row) => row.status === 'error')).toEqual([]);
        }
        const records = await trail(h, tableName);
        const mine = records.filter((r) => r.function === scenario.fn);
        // each action key ends with exactly one result
        const perKey = resultsPerKey(mine);
        expect(perKey.size).toBeGreaterThan(0);
        expect([...perKey.entries()].filter(([, n]) => n !== 1)).toEqual([]);
        // at the vendor: each resource mutated once per action key that succeeded there
        const mutations = received().slice(before);
        const vendorKeys = new Map<string, Set<string>>();
        for (const r of mine) {
          if (r.phase === 'result' && r.outcome === 'success' && r.resourceKind !== 'price' && !r.details?.detailType) {
            vendorKeys.set(r.resourceId, (vendorKeys.get(r.resourceId) ?? new Set()).add(r.actionKey));
          }
        }
        for (const [id, keys] of vendorKeys) expect([id, mutationsNaming(mutations, id).length]).toEqual([id, keys.size]);
        const total = [...vendorKeys.values()].reduce((n, k) => n + k.size, 0);
        expect(mutations.filter((m) => mutating.includes(m.action)).length).toBeLessThanOrEqual(total);
        // each notice reached the bus once
        const published = busEvents(h).filter((e) => typeof e.actionKey === 'string');
        const perNotice = new Map<string, number>();
        for (const e of published) perNotice.set(e.actionKey as string, (perNotice.get(e.actionKey as string) ?? 0) + 1);
        expect([...perNotice.entries()].filter(([, n]) => n !== 1)).toEqual([]);
        // the runs that did not act said why
        const skipped = reports.flatMap((r) => r.rows.filter((row) => row.status === 'skipped' && /in progress in run|already (done|sent)/.test(row.reason)));
        expect(skipped.length).toBeGreaterThan(0);
        scenario.check?.();
        // the README's counts: EXACTLY_ONCE_COUNTS=file.jsonl npx jest test/exactly-once
        if (process.env.EXACTLY_ONCE_COUNTS) {
          const resultsTotal = [...perKey.values()].reduce((a, b) => a + b, 0);
          const row = { store: storeKind, runs, fn: scenario.fn, actionKeys: perKey.size, results: resultsTotal, vendorMutations: mutations.length, vendorKeys: total, notices: perNotice.size, busEvents: published.length, skipped: skipped.length };
          appendFileSync(process.env.EXACTLY_ONCE_COUNTS, `${JSON.stringify(row)}\n`);
        }
      } finally {
        await h.stop();
      }
    });
  });

  async function trail(h: Harness, tableName: string | undefined): Promise<AuditRecord[]> {
    if (!tableName) return h.audit();
    const all = await scanTable(dynalite!.client, tableName);
    return all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
});

function busEvents(h: Harness): Record<string, unknown>[] {
  const path = join(h.dir, 'events.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { detail: Record<string, unknown> }).detail);
}
