import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditStore } from '../../lib/audit/store';
import type { FunctionName } from '../../lib/automations/engine/types';
import type { AutomationConfig } from '../../lib/config/schema';
import type { VendorSimulator } from '../../sim/core';
import { createKecSim, type KecSimulator } from '../../sim/kec';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import type { ServedRequest } from '../../test/audit/dynalite-server';
import { EVENTS_DIR, startHarness, type Harness } from '../../test/support/harness';
import { HISTORY_NOW, HISTORY_POLICIES as P, historyRecord, RECENT, recentKeys } from './audit-history';

/** What one scheduled run of one function cost at the audit table, counted at the server. */
export interface FunctionRun {
  fn: FunctionName;
  /**
   * `first`: the first run over this history (no trail marker yet: it reads the scope's whole past
   * once and carries forward what it still needs, engine/DECISIONS.md E5); `next`: the next day's
   * run, the steady state every later run is in.
   */
  run: 'first' | 'next';
  runMs: number;
  /** Requests by operation (GetItem, Query, PutItem, Scan, ...). */
  requests: Record<string, number>;
  /** Per read kind (`GetItem`, `Query table`, `Query byScope`, ...): requests and items read. */
  reads: Record<string, { requests: number; items: number }>;
  /** Errors the run reported (a bench run must have none). */
  errors: string[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date(HISTORY_NOW);

interface Scenario {
  fn: FunctionName;
  modules(): VendorSimulator[];
  setup(h: Harness, audit: AutomationConfig['audit']): Promise<{ config: AutomationConfig; event: object }>;
}

const event = (name: string, time?: Date) => {
  const e = JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8')) as Record<string, unknown>;
  return time ? { ...e, time: time.toISOString() } : e;
};

let tencent: TencentSim;
let kec: KecSimulator;

/** One scheduled run of each function over a small fleet, with the policy names the history uses. */
const SCENARIOS: Scenario[] = [
  {
    fn: 'auto-delete',
    modules: () => [(tencent = createTencentSim({ transitionMs: 0 }))],
    async setup(h, audit) {
      tencent.bindClock(h.sim.clock);
      for (const n of [1, 2, 3])
        tencent.addInstance({
          InstanceName: `due-${n}`,
          tags: { 'auto-delete-at': new Date(NOW.getTime() - HOUR).toISOString() },
        });
      for (const n of [1, 2]) tencent.addInstance({ InstanceName: `keep-${n}` });
      const config = h.config(
        { autoDelete: [{ name: P['auto-delete'], mode: 'enforce' }] },
        { safety: { maxDestructivePercent: 100 }, audit },
      );
      return { config, event: event('auto-delete.schedule.json', NOW) };
    },
  },
  {
    fn: 'snapshots',
    modules: () => [(kec = createKecSim())],
    async setup(h, audit) {
      for (const n of [1, 2, 3])
        kec.addInstance(
          { name: `web-${n}`, zone: 'cn-beijing-6a', dataDiskGb: 50 },
          NOW.getTime() - 30 * DAY,
        );
      const config = h.config(
        {
          snapshots: [
            {
              name: P.snapshots,
              mode: 'enforce',
              schedule: { at: '10:00' },
              selector: { names: ['web-*'] },
              retention: { keepLast: 2 },
            },
          ],
        },
        { safety: { maxDestructivePercent: 100 }, audit },
      );
      return { config, event: event('snapshots.schedule.json', NOW) };
    },
  },
  {
    fn: 'renewal-reminders',
    modules: () => [(tencent = createTencentSim({ transitionMs: 0 }))],
    async setup(h, audit) {
      tencent.bindClock(h.sim.clock);
      tencent.addInstance({
        InstanceChargeType: 'PREPAID',
        InstanceType: 'S2.MEDIUM4',
        expiredMs: NOW.getTime() + 5 * DAY,
        tags: { owner: 'amy' },
      });
      tencent.addInstance({
        InstanceChargeType: 'PREPAID',
        InstanceType: 'S2.MEDIUM4',
        expiredMs: NOW.getTime() + 6 * DAY,
        tags: { owner: 'bob' },
      });
      const config = h.config(
        {
          renewalReminders: [
            { name: P['renewal-reminders'], mode: 'enforce', renew: { periodMonths: 1, budget: '400' } },
          ],
        },
        { audit },
      );
      return { config, event: event('renewal-reminders.schedule.json', NOW) };
    },
  },
  {
    // a native bin (KEC's): the purge time comes from the trail's bin history of the scope
    fn: 'recycle-bin',
    modules: () => [(kec = createKecSim())],
    async setup(h, audit) {
      for (const n of [1, 2])
        kec.addInstance({ name: `old-${n}`, state: 'recycling' } as never, NOW.getTime() - 2 * DAY);
      const config = h.config(
        { recycleBin: [{ name: P['recycle-bin'], mode: 'enforce', retentionDays: 7 }] },
        { audit },
      );
      return { config, event: event('recycle-bin.schedule.json', NOW) };
    },
  },
  {
    fn: 'spot-prices',
    modules: () => [(kec = createKecSim())],
    async setup(h, audit) {
      kec.addInstance(
        {
          chargeType: 'Spot',
          zone: 'cn-beijing-6a',
          instanceType: 'N3.2B',
          spotStrategy: 'SpotAsPriceGo',
        } as never,
        NOW.getTime() - DAY,
      );
      kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.5);
      const config = h.config(
        {
          spotPrices: [
            { name: P['spot-prices'], mode: 'enforce', watches: 'running', thresholds: { maxPrice: '0.1' } },
          ],
        },
        { audit },
      );
      return { config, event: event('spot-prices.schedule.json', NOW) };
    },
  },
];

/** The scope of the store-level run: one of the run's scopes of the history. */
export const STORE_RUN_SCOPE = {
  function: 'snapshots',
  policy: P.snapshots,
  target: 'kec-prod',
  region: 'cn-beijing-6',
} as const;

/**
 * The store-level run of one scope: 120 ledger lookups by action key (100 new, 20 done recently),
 * the scope's open intents (35 days), 40 appends (20 intents + 20 results); then, apart from the
 * run, the scope's records of the last 35 days. `rep` keeps the new keys of repeated runs apart.
 */
export async function storeRun(
  store: AuditStore,
  rep = 0,
): Promise<{ lookupMs: number; appendMs: number; scopeQueryMs: number; scopeRecords: number }> {
  const s = STORE_RUN_SCOPE;
  const key = (k: number, slot: string) =>
    `${s.function}|${s.policy}|${s.target}|${s.region}|res-${k}|create-snapshot|${slot}`;
  const t0 = performance.now();
  for (let k = 0; k < 100; k++) await store.get(key(k, `new-${rep}`));
  for (const done of recentKeys(20)) await store.get(done);
  const since = new Date(HISTORY_NOW - 35 * DAY).toISOString();
  await store.openIntents(s, since);
  const t1 = performance.now();
  for (let k = 0; k < 20; k++) {
    const intent = {
      ...historyRecord(0, RECENT),
      ...s,
      actionKey: key(k, `bench-${process.pid}-${rep}`),
      at: new Date(HISTORY_NOW).toISOString(),
      lease: { owner: 'bench', until: new Date(HISTORY_NOW + 60_000).toISOString(), attempt: 1 },
    };
    await store.putIntent(intent);
    const { lease: _l, ...rest } = intent;
    await store.putResult({ ...rest, phase: 'result', outcome: 'success' });
  }
  const t2 = performance.now();
  const scopeRecords = (
    await store.query({ function: s.function, target: s.target, region: s.region, since })
  ).length;
  return { lookupMs: t1 - t0, appendMs: t2 - t1, scopeQueryMs: performance.now() - t2, scopeRecords };
}

/** The read kind of a served request: its operation and the index it read. */
export function readKind(r: ServedRequest): string {
  return r.index
    ? `${r.operation} ${r.index}`
    : r.operation === 'Query' || r.operation === 'Scan'
      ? `${r.operation} table`
      : r.operation;
}

/** Sums served requests by operation and by read kind. */
export function tally(served: ServedRequest[]): Pick<FunctionRun, 'requests' | 'reads'> {
  const requests: Record<string, number> = {};
  const reads: Record<string, { requests: number; items: number }> = {};
  for (const r of served) {
    requests[r.operation] = (requests[r.operation] ?? 0) + 1;
    if (r.operation === 'PutItem' || r.operation === 'BatchWriteItem') continue;
    const k = (reads[readKind(r)] ??= { requests: 0, items: 0 });
    k.requests++;
    k.items += r.itemsRead;
  }
  return { requests, reads };
}

/**
 * Two scheduled runs of each function (the Lambda handler, as deployed) — the first over this
 * history and the next day's — against the simulated clouds, with the audit trail in the given DynamoDB table; each run's requests counted at the
 * server from `served`.
 */
export async function runFunctions(
  endpoint: string,
  tableName: string,
  served: ServedRequest[],
): Promise<FunctionRun[]> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_ACCESS_KEY_ID ??= 'fake-id';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'fake-secret';
  const runs: FunctionRun[] = [];
  for (const s of SCENARIOS) {
    const h = await startHarness(s.modules());
    try {
      h.sim.clock.set(NOW);
      const { config, event: trigger } = await s.setup(h, {
        store: 'dynamodb',
        tableName,
        endpoint,
        region: 'us-east-1',
      });
      for (const run of ['first', 'next'] as const) {
        const at =
          run === 'first' ? undefined : new Date(Date.parse((trigger as { time: string }).time) + DAY);
        if (at) h.sim.clock.set(at);
        const before = served.length;
        const t0 = performance.now();
        const report = await h.invoke(s.fn, at ? { ...trigger, time: at.toISOString() } : trigger, config);
        const runMs = performance.now() - t0;
        const errors = [
          ...report.errors,
          ...report.rows.filter((r) => r.status === 'error').map((r) => `${r.resource}: ${r.reason}`),
        ];
        runs.push({ fn: s.fn, run, runMs, ...tally(served.slice(before)), errors });
      }
    } finally {
      await h.stop();
    }
  }
  return runs;
}
