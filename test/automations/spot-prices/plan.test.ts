import { runAutomation } from '../../../lib/automations/engine/run';
import { createSpotPricesSpec, SPOT_PRICE_ALERT, SPOT_RECLAIM_ALERT, spotPriceAlertDetailSchema, spotReclaimAlertDetailSchema } from '../../../lib/automations/spot-prices';
import { spotPolicySchema, type SpotPolicy } from '../../../lib/config/schema';
import { MemorySpotStateStore } from '../../../lib/state/price-history';
import type { SpotPricePoint } from '../../../lib/vendors/core';
import { ALL_NATIVE, FakeClient, harness, targetConfig } from '../renewal-reminders/harness';

const HOUR = 3_600_000;
const T0 = new Date('2026-03-01T00:00:00.000Z');
const at = (h: number) => new Date(T0.getTime() + h * HOUR);

function policy(over: Record<string, unknown> = {}): SpotPolicy {
  return spotPolicySchema.parse({ name: 'spot', mode: 'enforce', watches: 'running', ...over });
}

function setup(capabilities = ALL_NATIVE) {
  const client = new FakeClient('kec-prod', capabilities);
  const h = harness([targetConfig('kec-prod', 'kec', ['r1'])], () => client.asClient());
  const store = new MemorySpotStateStore();
  const spec = createSpotPricesSpec({ state: store });
  client.add({ id: 'spot-1', chargeType: 'spot', zone: 'r1a', instanceType: 'N3.2B', spot: { maxPrice: '0.20000' } });
  client.add({ id: 'spot-2', chargeType: 'spot', zone: 'r1a', instanceType: 'N3.2B' });
  client.add({ id: 'stopped', chargeType: 'spot', state: 'stopped', zone: 'r1b', instanceType: 'N3.4B' });
  client.add({ id: 'prepaid', chargeType: 'prepaid', zone: 'r1c', instanceType: 'X' });
  /** The vendor shows only the current price (like a quote), so jumps need the stored history. */
  const priceAt = (h: number, price: string, onDemandPrice = '0.52400'): SpotPricePoint[] => [
    { vendor: client.vendor, target: 'kec-prod', region: 'r1', zone: 'r1a', instanceType: 'N3.2B', at: at(h).toISOString(), price, onDemandPrice, currency: 'CNY' },
  ];
  const run = (h_: number, price: string, p: SpotPolicy, extra = {}) => {
    client.prices = priceAt(h_, price);
    return runAutomation(h.deps(at(h_), `run-${h_}-${price}`, extra), spec, [p]);
  };
  return { client, h, store, spec, run };
}

const alerts = (h: ReturnType<typeof setup>['h'], type = SPOT_PRICE_ALERT) => h.events.events.filter((e) => e.detailType === type).map((e) => e.detail as Record<string, unknown>);

describe('spot-prices planning through the engine (in-memory client)', () => {
  it('alerts once per condition until it clears, then again when it returns; lists the affected running instances', async () => {
    const { h, run } = setup();
    const p = policy({ thresholds: { maxPrice: '0.10480' } });
    await run(0, '0.10481', p);
    await run(1, '0.10500', p); // continuing: no new alert
    await run(2, '0.10480', p); // equal: cleared
    await run(3, '0.10481', p); // back: new alert
    const sent = alerts(h);
    expect(sent.map((a) => [a.condition, a.since, a.price])).toEqual([
      ['max-price', at(0).toISOString(), '0.10481'],
      ['max-price', at(3).toISOString(), '0.10481'],
    ]);
    expect((sent[0]!.instances as { id: string }[]).map((i) => i.id)).toEqual(['spot-1', 'spot-2']);
    const { actionKey: _k, runId: _r, ...detail } = sent[0]!;
    expect(() => spotPriceAlertDetailSchema.parse(detail)).not.toThrow();
  });

  it('detects a jump over the low of the window across runs from the stored history, not beyond the window', async () => {
    const { h, run } = setup();
    const p = policy({ thresholds: { jumpPercent: '10', jumpWindow: '6h' } });
    await run(0, '0.10000', p);
    await run(3, '0.11000', p); // exactly 10 %: no alert
    await run(5, '0.11001', p); // more than 10 % over the 0.10000 low
    expect(alerts(h).map((a) => [a.kind, a.observed])).toEqual([['jump', '10.01']]);
    await run(7, '0.12200', p); // the 0.10000 low left the 6h window; low 0.11000: 10.9 %, still a jump, continuing
    expect(alerts(h)).toHaveLength(1);
    await run(8, '0.12100', p); // 10 % over 0.11000: cleared
    await run(9, '0.13000', p); // low 0.11000 (at the window edge, included) → 18 %: a new condition
    expect(alerts(h).map((a) => a.since)).toEqual([at(5).toISOString(), at(9).toISOString()]);
  });

  it('ratio and bid margin use exact decimals at their edges', async () => {
    const { h, run } = setup();
    const p = policy({ thresholds: { maxRatioToOnDemand: '0.38168', bidMarginPercent: '5' } });
    // 0.52400 × 0.38168 = 0.2000003: price 0.20000 is not above it; bid 0.20000 is within 5 % of 0.20000
    await run(0, '0.20000', p);
    expect(alerts(h).map((a) => a.condition)).toEqual(['bid-margin:spot-1']);
    expect((alerts(h)[0]!.instances as { id: string }[]).map((i) => i.id)).toEqual(['spot-1']);
    await run(1, '0.20001', p);
    expect(alerts(h).map((a) => a.condition)).toEqual(['bid-margin:spot-1', 'ratio']);
  });

  it('dry run audits the plan, publishes nothing', async () => {
    const { h, run } = setup();
    await run(0, '1', policy({ mode: 'dry-run', thresholds: { maxPrice: '0.5' } }));
    expect(h.events.events).toEqual([]);
    expect((await h.audit.query({ phase: 'planned' })).map((r) => [r.resourceId, r.action])).toEqual([['r1a/N3.2B', 'alert-max-price']]);
  });

  it('alerts at once for a reclaim time, once per time, with an audit record', async () => {
    const { client, h, run } = setup();
    client.instances.get('spot-2')!.spot = { reclaimAt: at(0.1).toISOString() };
    await run(0, '0.1', policy());
    await run(0.05, '0.1', policy());
    const sent = alerts(h, SPOT_RECLAIM_ALERT);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ source: 'vendor', reclaimAt: at(0.1).toISOString(), instance: { id: 'spot-2' } });
    const records = await h.audit.query({ action: 'alert-reclaim', phase: 'result' });
    expect(records.map((r) => [r.resourceId, r.outcome])).toEqual([['spot-2', 'success']]);
  });

  it('a Spot Interruption event alerts for its instance without reading prices', async () => {
    const { client, h, spec } = setup();
    let priceReads = 0;
    client.getSpotPrices = async () => {
      priceReads++;
      return [];
    };
    const focus = { detailType: 'Spot Interruption', vendor: 'kec' as const, target: 'kec-prod', region: 'r1', instanceId: 'spot-1', at: '2026-03-01T00:01:00+08:00' };
    const deps = h.deps(T0, 'run-event', { trigger: 'event', focus });
    await runAutomation(deps, spec, [policy({ thresholds: { maxPrice: '0' } })]);
    await runAutomation({ ...deps, runId: 'run-event-retry' }, spec, [policy({ thresholds: { maxPrice: '0' } })]);
    const sent = alerts(h, SPOT_RECLAIM_ALERT);
    expect(sent).toHaveLength(1);
    const { actionKey: _k, runId: _r, ...detail } = sent[0]!;
    expect(spotReclaimAlertDetailSchema.parse(detail)).toMatchObject({ source: 'event', eventAt: '2026-02-28T16:01:00.000Z', instance: { id: 'spot-1', maxPrice: '0.20000' } });
    expect(priceReads).toBe(0);
  });

  it('explicit watches are read even with no running instances; a failed price read is reported and alerts nothing', async () => {
    const { client, h, run } = setup();
    client.instances.clear();
    const p = policy({ watches: [{ zone: 'r1a', instanceType: 'N3.2B' }], thresholds: { maxPrice: '0.1' } });
    await run(0, '0.2', p);
    expect(alerts(h).map((a) => a.instances)).toEqual([[]]);
    client.getSpotPrices = async () => {
      throw new Error('RequestLimitExceeded after retries');
    };
    const report = await run(1, '0.2', p);
    expect(report.errors).toEqual(['kec-prod/r1 (spot): reading spot prices: RequestLimitExceeded after retries']);
    expect(alerts(h)).toHaveLength(1);
  });

  it('a vendor without spot prices is skipped and said once', async () => {
    const { h, spec } = setup({ ...ALL_NATIVE, spotPrices: 'unsupported' });
    const report = await runAutomation(h.deps(T0, 'run-1'), spec, [policy()]);
    expect(report.rows).toEqual([expect.objectContaining({ status: 'info', reason: 'kec does not support spotPrices: skipped' })]);
  });

  it('several policies of one scope read the listing and the prices once; each decides on its own thresholds and exemptions', async () => {
    const { client, h, spec } = setup();
    client.add({ id: 'spot-x', chargeType: 'spot', zone: 'r1a', instanceType: 'N3.2B', tags: { 'automation-exempt': 'true' } });
    let listings = 0;
    let priceReads = 0;
    const base = client.asClient();
    const counting = {
      ...base,
      listInstances: (...a: Parameters<typeof base.listInstances>) => (listings++, base.listInstances(...a)),
      getSpotPrices: (...a: Parameters<typeof base.getSpotPrices>) => (priceReads++, base.getSpotPrices(...a)),
    };
    const h2 = harness([targetConfig('kec-prod', 'kec', ['r1'])], () => counting);
    client.prices = [{ vendor: client.vendor, target: 'kec-prod', region: 'r1', zone: 'r1a', instanceType: 'N3.2B', at: at(0).toISOString(), price: '0.30000', onDemandPrice: '0.52400', currency: 'CNY' }];
    const byPrice = policy({ name: 'by-price', thresholds: { maxPrice: '0.25000' } });
    const byRatio = policy({ name: 'by-ratio', thresholds: { maxRatioToOnDemand: '0.9' }, exemptions: { tag: 'none-such' } });
    const report = await runAutomation(h2.deps(at(0), 'run-both'), spec, [byPrice, byRatio]);
    expect(report.errors).toEqual([]);
    expect([listings, priceReads]).toEqual([1, 1]);
    // 0.30000 is over by-price's 0.25000, and under 0.9 × 0.52400 = 0.4716
    expect(alerts(h2).map((a) => [a.policy, a.condition])).toEqual([['by-price', 'max-price']]);
    // spot-x carries the default exemption tag: exempt for by-price, watched by by-ratio (its exemption tag differs)
    expect(report.rows.filter((r) => r.resource === 'spot-x').map((r) => [r.policy, r.status])).toEqual([['by-price', 'exempt']]);
    expect(h.events.events).toEqual([]);
  });
});

