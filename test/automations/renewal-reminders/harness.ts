/** Shared by the renewal-reminders and spot-prices tests: a small EngineDeps and an in-memory vendor client. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryPublisher } from '../../../lib/audit/events';
import { FileAuditStore } from '../../../lib/audit/file-store';
import type { EngineDeps, Mode, TargetConfig } from '../../../lib/automations/engine/types';
import { automationConfigSchema } from '../../../lib/config/schema';
import type { BatchOutcome, Capabilities, Instance, PriceQuote, SpotPricePoint, SpotWatch, VendorClient, VendorName } from '../../../lib/vendors/core';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'automation-test-'));
}

export function targetConfig(name: string, vendor: VendorName, regions: string[], endpoint?: string): Record<string, unknown> {
  return { name, vendor, regions, ...(endpoint && { endpoint }), credentials: { accessKeyIdEnv: 'SIM_ID', secretEnv: 'SIM_SECRET' } };
}

export interface Harness {
  deps(now: Date, runId: string, extra?: Partial<EngineDeps>): EngineDeps;
  audit: FileAuditStore;
  events: MemoryPublisher;
  dir: string;
}

/** EngineDeps around one client factory, a file audit store in a temp dir and a memory publisher. */
export function harness(targets: Record<string, unknown>[], client: (target: TargetConfig, mode: Mode) => VendorClient): Harness {
  const dir = tempDir();
  const audit = new FileAuditStore(join(dir, 'audit.jsonl'));
  const events = new MemoryPublisher();
  const config = automationConfigSchema.parse({ targets });
  return {
    audit,
    events,
    dir,
    deps: (now, runId, extra = {}) => ({
      runId,
      trigger: 'schedule',
      now,
      config,
      audit,
      events,
      client,
      modeFor: (p) => p.mode,
      shouldStop: () => false,
      ...extra,
    }),
  };
}

export const ALL_NATIVE: Capabilities = {
  tags: 'native',
  autoDelete: 'native',
  recycleBin: 'native',
  recycleRestore: 'native',
  snapshots: 'native',
  snapshotPolicies: 'native',
  spotPrices: 'native',
  renewal: 'native',
  renewalActions: 'native',
};

/**
 * An in-memory VendorClient with just what these functions call: instances (paged by 2),
 * quotes, renewals, auto-renew and spot prices. It records every mutation.
 */
export class FakeClient {
  readonly vendor: VendorName = 'tencent';
  readonly limits = { snapshotKind: 'system-image' as const };
  instances = new Map<string, Instance>();
  quotes = new Map<string, PriceQuote[] | Error>();
  prices: SpotPricePoint[] = [];
  mutations: string[] = [];
  quoteCalls = 0;
  failListing = false;
  readOnly = false;

  constructor(
    readonly target: string,
    readonly capabilities: Capabilities = ALL_NATIVE,
  ) {}

  add(partial: Partial<Instance> & { id: string }): Instance {
    const inst: Instance = { vendor: this.vendor, target: this.target, region: 'r1', name: partial.id, state: 'running', rawState: 'RUNNING', chargeType: 'prepaid', tags: {}, ...partial };
    this.instances.set(inst.id, inst);
    return inst;
  }

  async *listInstances(scope: { region: string }, options: { ids?: string[] } = {}): AsyncIterable<Instance[]> {
    const all = [...this.instances.values()].filter((i) => i.region === scope.region && (!options.ids || options.ids.includes(i.id)));
    for (let n = 0; n < all.length; n += 2) {
      if (this.failListing && n > 0) throw new Error('listing page 2 failed (injected)');
      yield all.slice(n, n + 2).map((i) => structuredClone(i));
    }
  }

  async quoteRenewal(_scope: unknown, ids: string[], periodMonths: number): Promise<PriceQuote[]> {
    this.quoteCalls++;
    return ids.flatMap((id) => {
      const q = this.quotes.get(id);
      if (q instanceof Error) throw q;
      return (q ?? [{ resourceId: id, kind: 'instance', amount: '10', currency: 'CNY', periodMonths }]).map((x) => ({ ...x, periodMonths }));
    });
  }

  private mutate(action: string, ids: string[], change: (i: Instance) => void): BatchOutcome[] {
    if (this.readOnly) throw new Error('read-only client: dry run');
    this.mutations.push(`${action}:${[...ids].sort().join(',')}`);
    return ids.map((id) => {
      const inst = this.instances.get(id);
      if (inst) change(inst);
      return { id, ok: inst !== undefined, requestId: `req-${action}` };
    });
  }

  async setAutoRenew(_scope: unknown, ids: string[]): Promise<BatchOutcome[]> {
    return this.mutate('setAutoRenew', ids, (i) => (i.renewFlag = 'auto'));
  }

  async renewInstances(_scope: unknown, ids: string[], periodMonths: number): Promise<BatchOutcome[]> {
    return this.mutate(`renew${periodMonths}`, ids, (i) => {
      const d = new Date(i.expiresAt!);
      d.setUTCMonth(d.getUTCMonth() + periodMonths);
      i.expiresAt = d.toISOString();
    });
  }

  async getSpotPrices(scope: { region: string }, watches: SpotWatch[], since: string): Promise<SpotPricePoint[]> {
    return this.prices.filter((p) => p.region === scope.region && p.at >= since && watches.some((w) => w.zone === p.zone && w.instanceType === p.instanceType));
  }

  asClient(): VendorClient {
    return this as unknown as VendorClient;
  }
}
