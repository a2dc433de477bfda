import type { AuditRecord } from '../audit/record';
import type { AuditStore } from '../audit/store';
import type { SpotPricePoint, VendorName } from '../vendors/core';
import { priceKeyId, type PriceKey, type SpotStateStore } from './price-history';

const OBSERVED = 'spot-price-observed';
const CONDITIONS = 'spot-conditions';
const DAY_MS = 86_400_000;

/** Undoes priceKeyId: `vendor|target|region|zone|type`, each part percent-escaped. */
function keyOf(id: string): PriceKey {
  const [vendor, target, region, zone, instanceType] = id.split('|').map((p) => p.replace(/%7C/g, '|').replace(/%25/g, '%'));
  return { vendor: vendor as VendorName, target: target!, region: region!, zone: zone!, instanceType: instanceType! };
}

/**
 * The spot state kept in the audit store's backend (issue 9: "the audit store's backend"), for
 * deployed functions whose only writable store is the put-and-read audit table: each run appends
 * one `notice` record per observed series and one per change of open alert conditions; reads take
 * the records of the series (by resource, the table's byResource index) and the latest conditions.
 * Nothing is updated or deleted, so the functions' IAM needs no more than the audit trail does.
 */
export class AuditSpotStateStore implements SpotStateStore {
  constructor(
    private readonly audit: AuditStore,
    private readonly run: { runId: string; trigger: AuditRecord['trigger'] },
  ) {}

  async append(points: SpotPricePoint[]): Promise<void> {
    const bySeries = new Map<string, SpotPricePoint[]>();
    for (const p of points) {
      const id = priceKeyId(p);
      bySeries.set(id, [...(bySeries.get(id) ?? []), p]);
    }
    for (const [id, series] of bySeries) {
      const points = series.map((p) => ({ at: new Date(p.at).toISOString(), price: p.price, currency: p.currency, ...(p.onDemandPrice !== undefined && { onDemandPrice: p.onDemandPrice }) }));
      await this.audit.putRecord(this.record(id, OBSERVED, `observed ${points.length} price point(s)`, { points }));
    }
  }

  async recent(key: PriceKey | string, sinceIso: string): Promise<SpotPricePoint[]> {
    const id = typeof key === 'string' ? key : priceKeyId(key);
    const since = new Date(sinceIso).toISOString();
    const byTime = new Map<string, SpotPricePoint>();
    for (const r of await this.records(id, OBSERVED, sinceIso)) {
      for (const p of (r.details?.points ?? []) as { at: string; price: string; currency: string; onDemandPrice?: string }[]) {
        if (p.at >= since) byTime.set(p.at, { ...keyOf(id), ...p }); // a later observation of the same time wins
      }
    }
    return [...byTime.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async openConditions(group: string): Promise<Record<string, string>> {
    // the newest record of the group only: one Query of its partition, newest first, limit 1
    const [latest] = await this.audit.query({ resourceId: group, action: CONDITIONS, function: 'spot-prices', newestFirst: true, limit: 1 });
    return { ...((latest?.details?.open ?? {}) as Record<string, string>) };
  }

  async setOpenConditions(group: string, open: Record<string, string>): Promise<void> {
    const current = await this.openConditions(group);
    if (JSON.stringify(Object.entries(current).sort()) === JSON.stringify(Object.entries(open).sort())) return;
    await this.audit.putRecord(this.record(group, CONDITIONS, `open spot alert conditions: ${Object.keys(open).join(', ') || 'none'}`, { open }));
  }

  /** A series' records; the query is bounded below by a day before the earlier of `since` and the wall clock, since records carry wall-clock times. */
  private async records(resourceId: string, action: string, sinceIso?: string): Promise<AuditRecord[]> {
    const since = sinceIso === undefined ? undefined : new Date(Math.min(Date.parse(sinceIso), Date.now()) - DAY_MS).toISOString();
    return this.audit.query({ resourceId, action, function: 'spot-prices', since });
  }

  private record(resourceId: string, action: string, reason: string, details: Record<string, unknown>): AuditRecord {
    // a condition group is `<policy>|<series>`; a series id alone has five parts
    const parts = resourceId.split('|');
    const key = keyOf(parts.length > 5 ? parts.slice(1).join('|') : resourceId);
    return {
      schemaVersion: 1,
      phase: 'notice',
      actionKey: `spot-prices|state|${resourceId}|${action}`,
      runId: this.run.runId,
      trigger: this.run.trigger,
      function: 'spot-prices',
      policy: parts.length > 5 ? parts[0]! : 'state',
      vendor: key.vendor,
      target: key.target,
      region: key.region,
      resourceId,
      resourceKind: 'price',
      action,
      mode: 'dry-run', // an observation: nothing changes at the vendor
      reason,
      requestIds: [],
      at: new Date().toISOString(),
      details: details as AuditRecord['details'],
    };
  }
}
