import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPOT_PRICE_ALERT, SPOT_RECLAIM_ALERT, spotPriceAlertDetailSchema, spotReclaimAlertDetailSchema } from '../../../lib/automations/spot-prices';
import type { SimContext, SimRequest, SimResponse } from '../../../sim/core';
import { createKecSim, type KecSimulator } from '../../../sim/kec';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { spotPriceFen } from '../../../sim/tencent/handlers';
import { fenToYuan } from '../../../sim/tencent/state';
import { EVENTS_DIR, startHarness, type Harness } from '../../support/harness';

// The exported Lambda handler (functions/spot-prices.ts) with the sample events, against the KEC
// (price history, SpotRecyclingTime) and Tencent (price table quotes) simulators.
const NOW = new Date('2026-11-24T02:00:00Z'); // the sample events' time

const busEvents = (h: Harness, type: string) => h.busEvents(type);

/** The sample interruption event, for another vendor's instance. */
function interruption(vendor: string, target: string, region: string, instanceId: string) {
  const sample = JSON.parse(readFileSync(join(EVENTS_DIR, 'spot-prices.spot-interruption.json'), 'utf8')) as { source: string; detail: Record<string, unknown> };
  return { ...sample, source: `cloud-automation.${vendor}`, detail: { ...sample.detail, vendor, target, region, instanceId } };
}

describe('functions/spot-prices handler on KEC', () => {
  let h: Harness;
  let kec: KecSimulator;
  beforeEach(async () => {
    kec = createKecSim();
    h = await startHarness([kec]);
    h.sim.clock.set(NOW);
  });
  afterEach(() => h.stop());

  const spot = (partial: Record<string, unknown> = {}) => kec.addInstance({ chargeType: 'Spot', zone: 'cn-beijing-6a', instanceType: 'N3.2B', spotStrategy: 'SpotAsPriceGo', ...partial }, NOW.getTime() - 86_400_000);

  it('a spot-interruption event gives an immediate Spot Reclaim Alert and an audit record, once', async () => {
    const doomed = spot({ id: '00000000-0000-4000-8000-000000000002' }); // the sample event's instance
    const cfg = h.config({ spotPrices: [{ name: 'spot', mode: 'enforce', watches: 'running', thresholds: { maxPrice: '100' } }] });
    const report = await h.invoke('spot-prices', 'spot-prices.spot-interruption.json', cfg);
    expect(report.errors).toEqual([]);
    const alerts = busEvents(h, SPOT_RECLAIM_ALERT);
    expect(alerts).toHaveLength(1);
    expect(spotReclaimAlertDetailSchema.parse(alerts[0])).toMatchObject({ source: 'event', eventAt: '2026-11-24T02:05:00.000Z', instance: { id: doomed.id } });
    expect(h.audit().filter((r) => r.action === 'alert-reclaim').map((r) => [r.phase, r.resourceId, r.outcome ?? null])).toEqual([
      ['intent', doomed.id, null],
      ['result', doomed.id, 'success'],
    ]);
    // the event is urgent: no price reads in that invocation
    expect(h.sim.requests.some((r) => r.action === 'DescribeSpotPriceHistory')).toBe(false);

    await h.invoke('spot-prices', 'spot-prices.spot-interruption.json', cfg);
    expect(busEvents(h, SPOT_RECLAIM_ALERT)).toHaveLength(1);
    expect(h.sim.mutatingRequests()).toEqual([]);
  });

  it('5-decimal prices: above the limit alerts, equal does not; a bid within the margin alerts, just outside it does not; each once across runs', async () => {
    const bidder = spot({ spotStrategy: 'SpotWithPriceLimit', spotPriceLimit: '0.130' });
    const follower = spot();
    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.12381);
    const cfg = h.config({
      spotPrices: [
        { name: 'equal', mode: 'enforce', watches: 'running', thresholds: { maxPrice: '0.12381' } },
        // 0.12381 > 0.12380; the bid 0.13 is within 5 % of 0.12381 (0.1300005)
        { name: 'above', mode: 'enforce', watches: 'running', thresholds: { maxPrice: '0.12380', bidMarginPercent: '5' } },
        // 0.12381 × 1.05 = 0.1300005 ≥ 0.13, but × 1.049 = 0.12987669 < 0.13: no bid alert
        { name: 'tight', mode: 'enforce', watches: 'running', thresholds: { bidMarginPercent: '4.9' } },
      ],
    });
    const first = await h.invoke('spot-prices', 'spot-prices.schedule.json', cfg);
    expect(first.errors).toEqual([]);
    const alerts = busEvents(h, SPOT_PRICE_ALERT).map((d) => spotPriceAlertDetailSchema.parse(d));
    expect(alerts.map((a) => [a.policy, a.condition, a.price, a.threshold])).toEqual([
      ['above', 'max-price', '0.12381', '0.12380'],
      ['above', `bid-margin:${bidder.id}`, '0.12381', '0.13'],
    ]);
    expect(alerts[0]!.instances.map((i) => i.id).sort()).toEqual([bidder.id, follower.id].sort());
    expect(first.rows.filter((r) => r.policy === 'equal').every((r) => r.status === 'info')).toBe(true);
    expect(h.audit().filter((r) => r.phase === 'result').map((r) => r.action).sort()).toEqual(['alert-bid-margin', 'alert-max-price']);
    // the state store sits next to the events file (DECISIONS.md S7)
    expect(existsSync(join(h.dir, 'state', 'prices.json'))).toBe(true);

    const retried = await h.invoke('spot-prices', 'spot-prices.schedule.json', cfg);
    expect(retried.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(busEvents(h, SPOT_PRICE_ALERT)).toHaveLength(2);
    expect(h.sim.mutatingRequests()).toEqual([]);
  });

  it('lists running instances only (instance-state.name=active, seed 000 L1415-1426): 1,200 stopped ones cost no page', async () => {
    spot();
    for (let i = 0; i < 1200; i++) kec.addInstance({ state: 'stopped' }, NOW.getTime() - 86_400_000);
    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.5);
    const report = await h.invoke('spot-prices', 'spot-prices.schedule.json', h.config({ spotPrices: [{ name: 'spot', watches: 'running', thresholds: { maxPrice: '0.1' } }] }));
    expect(report.errors).toEqual([]);
    expect(report.rows.some((r) => r.action === 'alert-max-price' || r.reason.includes('0.5'))).toBe(true);
    // one page of 1,000 holds the one active instance; without the filter 1,201 instances take two
    expect(h.sim.requests.filter((r) => r.action === 'DescribeInstances')).toHaveLength(1);
  });

  it('a throttled vendor still completes', async () => {
    spot();
    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.5);
    h.sim.faults.inject({ kind: 'throttle', vendor: 'kec', action: 'DescribeSpotPriceHistory', times: 2 });
    h.sim.faults.inject({ kind: 'throttle', vendor: 'kec', action: 'DescribeInstances', times: 1 });
    const report = await h.invoke('spot-prices', 'spot-prices.schedule.json', h.config({ spotPrices: [{ name: 'spot', mode: 'enforce', watches: 'running', thresholds: { maxPrice: '0.1' } }] }));
    expect(report.errors).toEqual([]);
    expect(busEvents(h, SPOT_PRICE_ALERT).map((a) => a.price)).toEqual(['0.5']);
  });
});

/** The Tencent simulator does not echo a spot instance's bid; this stands in for a vendor that does (InstanceMarketOptions, seed 004 L6534). */
function withBids(cvm: TencentSim): TencentSim {
  const handle = cvm.handle.bind(cvm);
  return Object.assign(Object.create(cvm) as TencentSim, {
    async handle(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
      const res = await handle(req, ctx);
      if (cvm.actionOf(req) !== 'DescribeInstances') return res;
      const body = (typeof res.body === 'string' ? JSON.parse(res.body) : res.body) as { Response?: { InstanceSet?: { InstanceId: string; InstanceMarketOptions?: unknown }[] } };
      for (const i of body.Response?.InstanceSet ?? []) {
        const bid = cvm.instance(i.InstanceId)?.spotMaxPrice;
        if (bid) i.InstanceMarketOptions = { MarketType: 'spot', SpotOptions: { MaxPrice: bid } };
      }
      return { ...res, body };
    },
  });
}

describe('functions/spot-prices handler on Tencent', () => {
  let h: Harness;
  let cvm: TencentSim;
  const zone = 'ap-guangzhou-1';
  const price = () => fenToYuan(spotPriceFen(zone, 'S2.MEDIUM4', NOW.getTime()));
  beforeEach(async () => {
    cvm = createTencentSim();
    h = await startHarness([withBids(cvm)]);
    h.sim.clock.set(NOW);
    cvm.bindClock(h.sim.clock);
  });
  afterEach(() => h.stop());

  const spot = (spotMaxPrice?: string) => cvm.addInstance({ InstanceChargeType: 'SPOTPAID', InstanceType: 'S2.MEDIUM4', zone, ...(spotMaxPrice && { spotMaxPrice }) });

  it('a spot-interruption event gives an immediate Spot Reclaim Alert and an audit record, once', async () => {
    const doomed = spot();
    const cfg = h.config({ spotPrices: [{ name: 'spot', mode: 'enforce', watches: 'running' }] });
    const event = interruption('tencent', 'tencent-prod', 'ap-guangzhou', doomed.InstanceId);
    await h.invoke('spot-prices', event, cfg);
    await h.invoke('spot-prices', event, cfg);
    expect(busEvents(h, SPOT_RECLAIM_ALERT).map((d) => spotReclaimAlertDetailSchema.parse(d))).toEqual([expect.objectContaining({ vendor: 'tencent', source: 'event', instance: expect.objectContaining({ id: doomed.InstanceId }) })]);
    expect(h.audit().filter((r) => r.phase === 'result' && r.action === 'alert-reclaim').map((r) => r.outcome)).toEqual(['success']);
  });

  it('the bid (InstanceMarketOptions.SpotOptions.MaxPrice) drives bid-margin alerts: equal to the price alerts, above it does not', async () => {
    const atPrice = spot(price());
    const above = spot((Number(price()) + 0.01).toFixed(2));
    h.sim.faults.inject({ kind: 'throttle', vendor: 'tencent', action: 'DescribeZoneInstanceConfigInfos', times: 2 });
    const cfg = h.config({ spotPrices: [{ name: 'spot', mode: 'enforce', watches: 'running', thresholds: { bidMarginPercent: '0' } }] });
    const report = await h.invoke('spot-prices', 'spot-prices.schedule.json', cfg);
    expect(report.errors).toEqual([]); // throttled, retried, completed
    const alerts = busEvents(h, SPOT_PRICE_ALERT).map((d) => spotPriceAlertDetailSchema.parse(d));
    expect(alerts.map((a) => [a.condition, a.kind, a.instances.map((i) => i.id)])).toEqual([[`bid-margin:${atPrice.InstanceId}`, 'bid-margin', [atPrice.InstanceId]]]);
    expect(alerts[0]!.price).toBe(String(Number(price())));
    expect(alerts.some((a) => a.condition.endsWith(above.InstanceId))).toBe(false);

    await h.invoke('spot-prices', 'spot-prices.schedule.json', cfg);
    expect(busEvents(h, SPOT_PRICE_ALERT)).toHaveLength(1);
    expect(h.sim.mutatingRequests()).toEqual([]);
  });
});
