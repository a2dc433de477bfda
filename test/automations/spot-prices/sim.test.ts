import { runAutomation } from '../../../lib/automations/engine/run';
import { createSpotPricesSpec, SPOT_PRICE_ALERT, SPOT_RECLAIM_ALERT } from '../../../lib/automations/spot-prices';
import { spotPolicySchema, type SpotPolicy } from '../../../lib/config/schema';
import { MemorySpotStateStore } from '../../../lib/state/price-history';
import { Transport, vendorSettings } from '../../../lib/vendors/core';
import { createKecClient } from '../../../lib/vendors/kec';
import { createTencentClient } from '../../../lib/vendors/tencent';
import { SimClock, startSim, type RunningSim } from '../../../sim/core';
import { createKecSim, type KecSimulator } from '../../../sim/kec';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { TEST_NOW } from '../../support/clock';
import { harness, targetConfig } from '../renewal-reminders/harness';

const transport = (readOnly: boolean) => new Transport({ readOnly, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
const policy = (over: Record<string, unknown> = {}): SpotPolicy => spotPolicySchema.parse({ name: 'spot', mode: 'enforce', watches: 'running', ...over });
const detailsOf = (events: { detailType: string; detail: object }[], type: string) => events.filter((e) => e.detailType === type).map((e) => e.detail as Record<string, unknown>);

// Business time is the test's clock: the simulator, the clients and the runs all read it.
describe('spot-prices against the KEC simulator', () => {
  let sim: RunningSim;
  let kec: KecSimulator;
  const clock = new SimClock();
  beforeEach(async () => {
    clock.set(TEST_NOW);
    kec = createKecSim();
    sim = await startSim({ modules: [kec], ports: { kec: 0 }, clock });
  });
  afterEach(() => sim.stop());

  const setup = () => {
    const h = harness([targetConfig('ks', 'kec', ['cn-beijing-6'], sim.endpoints.kec)], (target, mode) =>
      createKecClient({ target: target.name, endpoint: sim.endpoints.kec, credentials: { accessKeyId: 'sim-kec-id', secret: 'sim-kec-secret' }, transport: transport(mode === 'dry-run'), settings: vendorSettings.kec.parse({}), now: () => clock.nowMs() }),
    );
    return { h, spec: createSpotPricesSpec({ state: new MemorySpotStateStore() }) };
  };

  it('alerts on an absolute limit and a bid margin with 5-decimal prices, once across runs, changing nothing at the vendor', async () => {
    const bidder = kec.addInstance({ chargeType: 'Spot', zone: 'cn-beijing-6a', instanceType: 'N3.2B', spotStrategy: 'SpotWithPriceLimit', spotPriceLimit: '0.130' }, clock.nowMs());
    const follower = kec.addInstance({ chargeType: 'Spot', zone: 'cn-beijing-6a', instanceType: 'N3.2B', spotStrategy: 'SpotAsPriceGo' }, clock.nowMs());
    kec.addInstance({ chargeType: 'Monthly', zone: 'cn-beijing-6b', instanceType: 'N3.4B' }, clock.nowMs());
    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.12381);
    const { h, spec } = setup();
    // runs a minute apart, so a returning condition gets a new start time
    const minute = (n: number) => {
      clock.set(new Date(TEST_NOW.getTime() + n * 60_000));
      return clock.now();
    };
    // 0.12381 > 0.12380; bid 0.13 ≤ 0.12381 × 1.05 = 0.1300005
    const p = policy({ thresholds: { maxPrice: '0.12380', bidMarginPercent: '5' } });
    const first = await runAutomation(h.deps(minute(1), 'run-1'), spec, [p]);
    expect(first.errors).toEqual([]);
    const alerts = detailsOf(h.events.events, SPOT_PRICE_ALERT);
    expect(alerts.map((a) => [a.condition, a.price, a.currency])).toEqual([
      ['max-price', '0.12381', 'CNY'],
      [`bid-margin:${bidder.id}`, '0.12381', 'CNY'],
    ]);
    expect((alerts[0]!.instances as { id: string }[]).map((i) => i.id).sort()).toEqual([bidder.id, follower.id].sort());
    expect(alerts[0]!.onDemandPrice).toMatch(/^\d+(\.\d+)?$/);

    await runAutomation(h.deps(minute(2), 'run-2'), spec, [p]);
    expect(detailsOf(h.events.events, SPOT_PRICE_ALERT)).toHaveLength(2);

    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.1238); // equal to the limit: max-price clears; 0.1238 × 1.05 = 0.12999 < bid: bid margin clears
    await runAutomation(h.deps(minute(3), 'run-3'), spec, [p]);
    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.12381);
    await runAutomation(h.deps(minute(4), 'run-4'), spec, [p]);
    expect(detailsOf(h.events.events, SPOT_PRICE_ALERT).map((a) => a.condition)).toEqual(['max-price', `bid-margin:${bidder.id}`, 'max-price', `bid-margin:${bidder.id}`]);
    expect(new Set(detailsOf(h.events.events, SPOT_PRICE_ALERT).map((a) => a.since)).size).toBe(2);
    expect(sim.mutatingRequests()).toEqual([]);
  });

  it('alerts at once for an instance the vendor is reclaiming (SpotRecyclingTime), with an audit record', async () => {
    const doomed = kec.addInstance({ chargeType: 'Spot', zone: 'cn-beijing-6a', instanceType: 'N3.2B', spotStrategy: 'SpotAsPriceGo', spotRecyclingAtMs: clock.nowMs() + 5 * 60_000 }, clock.nowMs());
    const { h, spec } = setup();
    await runAutomation(h.deps(clock.now(), 'run-1'), spec, [policy()]);
    const [alert] = detailsOf(h.events.events, SPOT_RECLAIM_ALERT);
    expect(alert).toMatchObject({ source: 'vendor', instance: { id: doomed.id } });
    expect((await h.audit.query({ action: 'alert-reclaim', phase: 'result' })).map((r) => [r.resourceId, r.outcome])).toEqual([[doomed.id, 'success']]);
  });

  it('a throttled vendor still completes', async () => {
    kec.addInstance({ chargeType: 'Spot', zone: 'cn-beijing-6a', instanceType: 'N3.2B', spotStrategy: 'SpotAsPriceGo' }, clock.nowMs());
    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.5);
    sim.faults.inject({ kind: 'throttle', vendor: 'kec', action: 'DescribeSpotPriceHistory', times: 2 });
    const { h, spec } = setup();
    const report = await runAutomation(h.deps(clock.now(), 'run-1'), spec, [policy({ thresholds: { maxPrice: '0.1' } })]);
    expect(report.errors).toEqual([]);
    expect(detailsOf(h.events.events, SPOT_PRICE_ALERT)).toHaveLength(1);
  });
});

describe('spot-prices against the Tencent simulator', () => {
  let sim: RunningSim;
  let cvm: TencentSim;
  const clock = new SimClock();
  beforeEach(async () => {
    clock.set(TEST_NOW);
    cvm = createTencentSim();
    sim = await startSim({ modules: [cvm], ports: { tencent: 0 }, clock });
    cvm.bindClock(sim.clock);
  });
  afterEach(() => sim.stop());

  it('quotes the running spot types against on-demand and alerts once on the ratio', async () => {
    const spot = cvm.addInstance({ InstanceChargeType: 'SPOTPAID', InstanceType: 'S2.MEDIUM4', zone: 'ap-guangzhou-1' });
    const h = harness([targetConfig('tc', 'tencent', ['ap-guangzhou'], sim.endpoints.tencent)], (target, mode) =>
      createTencentClient({ target: target.name, endpoint: sim.endpoints.tencent, credentials: { accessKeyId: 'sim-tencent-id', secret: 'sim-tencent-secret' }, transport: transport(mode === 'dry-run'), settings: vendorSettings.tencent.parse({}), now: () => clock.nowMs() }),
    );
    const spec = createSpotPricesSpec({ state: new MemorySpotStateStore() });
    // the simulator prices spot at 15-45 % of on-demand: a 0.1 ratio limit is always crossed, 0.5 never
    const p = policy({ thresholds: { maxRatioToOnDemand: '0.1', maxPrice: '10' } });
    await runAutomation(h.deps(clock.now(), 'run-1'), spec, [p]);
    await runAutomation(h.deps(clock.now(), 'run-2'), spec, [p]);
    const alerts = detailsOf(h.events.events, SPOT_PRICE_ALERT);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ condition: 'ratio', zone: 'ap-guangzhou-1', instanceType: 'S2.MEDIUM4', onDemandPrice: '0.64', instances: [{ id: spot.InstanceId }] });
    expect(Number(alerts[0]!.observed)).toBeGreaterThanOrEqual(0.15);
    await runAutomation(h.deps(clock.now(), 'run-3'), spec, [policy({ thresholds: { maxRatioToOnDemand: '0.5' } })]);
    expect(detailsOf(h.events.events, SPOT_PRICE_ALERT)).toHaveLength(1);
    expect(sim.mutatingRequests()).toEqual([]);
  });
});
