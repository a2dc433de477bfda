import { ACTIONS } from '../../../lib/vendors/kec/actions';
import { buildRequest, type Params } from '../../../lib/vendors/kec/codec';
import { Rng, SimClock, simCredentials, startSim, type RunningSim } from '../../../sim/core';
import { createKecSim, RECYCLE_RETENTION_MS, type KecSimulator } from '../../../sim/kec';
import { TEST_NOW } from '../../support/clock';

let sim: RunningSim;
let kec: KecSimulator;
const clock = new SimClock();
const creds = simCredentials('kec');

beforeAll(async () => {
  clock.set(TEST_NOW);
  sim = await startSim({ modules: [createKecSim()], ports: { kec: 0 }, clock });
  kec = sim.module<KecSimulator>('kec');
});
afterAll(() => sim.stop());

/** A correctly signed raw call, so the simulator's own answers can be checked. */
async function raw(action: keyof typeof ACTIONS, region: string, params: Params): Promise<{ status: number; body: Record<string, unknown> & { Error?: { Code: string; Message: string } } }> {
  const req = buildRequest({ spec: ACTIONS[action], region, params, credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret }, endpoint: sim.endpoints.kec });
  const res = await fetch(req.url, { method: req.method, headers: req.headers });
  return { status: res.status, body: (await res.json()) as never };
}

describe('KEC simulator protocol', () => {
  it('pages by Marker offset: MaxResults default 10, clamped to 5..1000, Marker 0 at the end (seed 000 L1387-1399, L1468-1472)', async () => {
    const region = 'eu-east-1';
    for (let n = 0; n < 23; n++) kec.addInstance({ region, name: `m-${n}` }, clock.nowMs());
    const first = await raw('DescribeInstances', region, {});
    expect(first.body).toMatchObject({ Marker: 10, InstanceCount: 23 });
    expect(first.body.InstancesSet).toHaveLength(10);
    const small = await raw('DescribeInstances', region, { MaxResults: 1, Marker: 20 });
    expect(small.body).toMatchObject({ Marker: 0 });
    expect(small.body.InstancesSet).toHaveLength(3);
    const bad = await raw('DescribeInstances', region, { MaxResults: 'ten' });
    expect([bad.status, bad.body.Error?.Code]).toEqual([400, 'InvalidParameterValue']);
  });

  it('without ProjectId.N shows only the default project (seed 000 L1408-1413)', async () => {
    const region = 'cn-shanghai-2';
    const other = kec.addInstance({ region, projectId: 5150 }, clock.nowMs());
    const none = await raw('DescribeInstances', region, { InstanceId: [other.id] });
    expect(none.body.InstanceCount).toBe(0);
    const withProject = await raw('DescribeInstances', region, { InstanceId: [other.id], ProjectId: [5150] });
    expect(withProject.body.InstanceCount).toBe(1);
  });

  it('answers documented error codes for missing and out-of-range parameters', async () => {
    expect((await raw('StopInstances', 'cn-beijing-6', {})).body.Error).toMatchObject({ Code: 'MissingParameter' });
    const tooMany = await raw('TerminateInstances', 'cn-beijing-6', { InstanceId: Array.from({ length: 101 }, (_, i) => `i-${i}`) });
    expect([tooMany.status, tooMany.body.Error?.Code]).toEqual([400, 'InvalidParameterValue']);
    expect((await raw('DescribeSpotPriceHistory', 'cn-beijing-6', { InstanceType: 'I2.2C', AvailabilityZone: 'cn-beijing-6a' })).body.Error?.Code).toBe('InvalidParameterValue');
    expect((await raw('DescribePrice', 'cn-beijing-6', { InstanceType: 'N3.2B' })).body.Error?.Code).toBe('MissingParameter');
    const early = await raw('ModifyInstanceAutoDeleteTime', 'cn-beijing-6', { InstanceId: [kec.addInstance({}, clock.nowMs()).id], AutoDeleteTime: '2001-01-01 00:00' });
    expect(early.body.Error?.Message).toContain('AutoDeleteTime');
  });

  it('DescribePrice answers the sample shape (N3.2B hourly 0.524, seed 000 L3359-3370)', async () => {
    const r = await raw('DescribePrice', 'cn-beijing-6', { InstanceType: 'N3.2B', ImageId: 'img', ChargeType: 'HourlyInstantSettlement' });
    expect(r.body.PriceInfo).toEqual({ InstancePrice: { DiscountPrice: 0, OriginalPrice: 0.524, TradePrice: 0.524, PriceUnit: 'Hour' } });
  });

  it('runs timers on the business clock: due auto-delete → recycle bin, purge after retention, spot reclaim', async () => {
    const region = 'cn-hongkong-2';
    const now = clock.nowMs();
    const timed = kec.addInstance({ region, autoDeleteAtMs: now + 3600_000 }, now);
    const spot = kec.addInstance({ region, chargeType: 'Spot', spotRecyclingAtMs: now + 600_000 }, now);
    clock.advance(2 * 3600_000);
    await raw('DescribeRegions', region, {});
    expect(kec.instance(timed.id)!.state).toBe('recycling');
    expect(kec.instance(spot.id)).toBeUndefined();
    clock.advance(RECYCLE_RETENTION_MS);
    await raw('DescribeRegions', region, {});
    expect(kec.instance(timed.id)).toBeUndefined();
  });
});

describe('KEC fleet generation', () => {
  it('is deterministic from the seed', () => {
    const a = createKecSim();
    const b = createKecSim();
    const now = new Date('2026-01-01T00:00:00Z');
    a.seedFleet({ rng: new Rng(7), count: 200, now, demo: true });
    b.seedFleet({ rng: new Rng(7), count: 200, now, demo: true });
    expect(a.instances()).toEqual(b.instances());
    expect(a.snapshots().map((s) => s.name)).toEqual(b.snapshots().map((s) => s.name));
  });

  it('demo mix: tmp-* TTL candidates, timers, spot reclaim notice, recycle bin, ours/foreign/auto snapshots', () => {
    const s = createKecSim();
    const now = new Date('2026-01-01T00:00:00Z');
    s.seedFleet({ rng: new Rng(1), count: 300, now, demo: true });
    const all = s.instances();
    expect(all.filter((i) => i.name.startsWith('tmp-')).length).toBeGreaterThanOrEqual(3);
    expect(all.filter((i) => i.autoDeleteAtMs !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(all.filter((i) => i.state === 'recycling').length).toBeGreaterThanOrEqual(2);
    expect(all.some((i) => i.spotRecyclingAtMs !== undefined)).toBe(true);
    expect(new Set(all.map((i) => i.chargeType))).toEqual(new Set(['Daily', 'PostPaidByHour', 'Monthly', 'Spot']));
    const snaps = s.snapshots();
    expect(snaps.filter((x) => x.name.startsWith('ca-')).length).toBeGreaterThanOrEqual(40);
    expect(snaps.some((x) => x.type === 'auto')).toBe(true);
    expect(snaps.some((x) => x.type === 'manual' && !x.name.startsWith('ca-'))).toBe(true);
  });

  it('serves a generated fleet page by page (20k here; 100k runs the same code)', async () => {
    const big = await startSim({ modules: [createKecSim()], ports: { kec: 0 } });
    try {
      big.seedFleet(42, 20_000);
      const m = big.module<KecSimulator>('kec');
      const region = 'cn-beijing-6';
      const expected = m.instances().filter((i) => i.region === region && i.projectId === 0 && i.state !== 'recycling').length;
      let marker = 0;
      let seen = 0;
      let pages = 0;
      do {
        const req = buildRequest({ spec: ACTIONS.DescribeInstances, region, params: { MaxResults: 1000, Marker: marker }, credentials: creds as never, endpoint: big.endpoints.kec });
        const body = (await (await fetch(req.url, { headers: req.headers })).json()) as { Marker: number; InstancesSet: unknown[] };
        seen += body.InstancesSet.length;
        marker = body.Marker;
        pages++;
      } while (marker !== 0);
      expect(seen).toBe(expected);
      expect(pages).toBe(Math.ceil(expected / 1000));
    } finally {
      await big.stop();
    }
  });
});
