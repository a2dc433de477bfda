import { collect, DryRunViolation, Transport, UnsupportedCapability, VendorError, type KecSettings } from '../../../lib/vendors/core';
import { createKecClient, type KecClient } from '../../../lib/vendors/kec';
import { SimClock, simCredentials, startSim, type RunningSim } from '../../../sim/core';
import { createKecSim, type KecSimulator } from '../../../sim/kec';
import { TEST_NOW } from '../../support/clock';

const REGION = 'cn-beijing-6';
const scope = { region: REGION };
let sim: RunningSim;
let kec: KecSimulator;
// business time: the simulator and the client read the test's clock
const clock = new SimClock();
clock.set(TEST_NOW);

beforeAll(async () => {
  sim = await startSim({ modules: [createKecSim()], ports: { kec: 0 }, clock });
  kec = sim.module<KecSimulator>('kec');
});
afterAll(() => sim.stop());
// Each test makes its own instances (fresh ids, or a region of its own), so no state reset is needed.
beforeEach(() => sim.faults.clear());

function client(settings: KecSettings = {}, opts: { readOnly?: boolean; secret?: string; accessKeyId?: string } = {}): KecClient {
  const creds = simCredentials('kec');
  return createKecClient({
    target: 'kec-test',
    endpoint: sim.endpoints.kec,
    credentials: { accessKeyId: opts.accessKeyId ?? creds.accessKeyId, secret: opts.secret ?? creds.secret },
    transport: new Transport({ readOnly: opts.readOnly, retry: { baseDelayMs: 1, maxDelayMs: 5 } }),
    settings,
    now: () => clock.nowMs(),
  });
}

const requestsOf = (action: string) => sim.requests.filter((r) => r.action === action);
const add = (p: Parameters<KecSimulator['addInstance']>[0] = {}) => kec.addInstance({ region: REGION, ...p }, clock.nowMs());

describe('KEC client against the simulator', () => {
  it('lists regions and zones', async () => {
    const c = client();
    expect(await c.listRegions()).toEqual(expect.arrayContaining(['cn-beijing-6', 'cn-shanghai-2', 'eu-east-1']));
    expect(await c.listZones('cn-shanghai-2')).toEqual(['cn-shanghai-2a', 'cn-shanghai-2b']);
  });

  it('pages past several pages of 1000 across every project learned from IAM', async () => {
    const region = 'cn-guangzhou-1';
    for (let n = 0; n < 2300; n++) kec.addInstance({ region, projectId: n % 10 === 0 ? 777 : 0, name: `p-${n}` }, clock.nowMs());
    const before = requestsOf('DescribeInstances').length;
    const pages = await collect(client().listInstances({ region }));
    expect(pages).toHaveLength(2300);
    expect(new Set(pages.map((i) => i.id)).size).toBe(2300);
    expect(pages.filter((i) => i.project === '777')).toHaveLength(230);
    expect(requestsOf('DescribeInstances').length - before).toBe(3);
    expect(requestsOf('GetAccountAllProjectList').length).toBeGreaterThan(0);
  });

  it('scans only the configured projects, or the scope project', async () => {
    const region = 'cn-hongkong-2';
    const a = kec.addInstance({ region, projectId: 0 }, clock.nowMs());
    const b = kec.addInstance({ region, projectId: 4242 }, clock.nowMs());
    expect((await collect(client({ projects: ['4242'] }).listInstances({ region }))).map((i) => i.id)).toEqual([b.id]);
    expect((await collect(client().listInstances({ region, project: '0' }))).map((i) => i.id)).toEqual([a.id]);
  });

  it('hides recycle-bin instances unless asked, and lists the bin', async () => {
    const region = 'ap-singapore-1';
    const live = kec.addInstance({ region }, clock.nowMs());
    const binned = kec.addInstance({ region, state: 'recycling' }, clock.nowMs());
    const c = client();
    expect((await collect(c.listInstances({ region }))).map((i) => i.id)).toEqual([live.id]);
    const all = await collect(c.listInstances({ region }, { includeRecycled: true }));
    expect(all.map((i) => [i.id, i.state])).toEqual([
      [live.id, 'running'],
      [binned.id, 'recycled'],
    ]);
    const bin = await collect(c.listRecycleBin({ region }));
    expect(bin).toEqual([expect.objectContaining({ id: binned.id, kind: 'instance', rawState: 'recycling' })]);
    expect(bin[0]!.since).toBeUndefined();
  });

  it('maps spot fields including the reclaim notice (SpotRecyclingTime, Beijing time)', async () => {
    const reclaim = Date.UTC(2030, 0, 1, 4, 0, 45);
    const s = add({ chargeType: 'Spot', spotStrategy: 'SpotWithPriceLimit', spotPriceLimit: '0.123', spotRecyclingAtMs: reclaim, instanceType: 'N3.2B' });
    const [inst] = await collect(client().listInstances(scope, { ids: [s.id] }));
    expect(inst).toMatchObject({ chargeType: 'spot', rawChargeType: 'Spot', spot: { maxPrice: '0.123', reclaimAt: '2030-01-01T04:00:45.000Z' } });
  });

  it('stops a batch; one failing id fails alone, the others stop', async () => {
    const [a, b, c] = [add(), add(), add()];
    sim.faults.failIds(b.id);
    const out = await client().stopInstances(scope, [a.id, b.id, c.id]);
    expect(out.map((o) => [o.id, o.ok])).toEqual([
      [a.id, true],
      [b.id, false],
      [c.id, true],
    ]);
    expect([kec.instance(a.id)!.state, kec.instance(b.id)!.state, kec.instance(c.id)!.state]).toEqual(['stopped', 'active', 'stopped']);
  });

  it('splits 150 ids into batches of 100', async () => {
    const ids = Array.from({ length: 150 }, () => add().id);
    const before = requestsOf('StopInstances').length;
    const out = await client().stopInstances(scope, ids);
    expect(out.every((o) => o.ok)).toBe(true);
    expect(requestsOf('StopInstances').length - before).toBe(2);
    expect(ids.every((id) => kec.instance(id)!.state === 'stopped')).toBe(true);
  });

  it('deletes to the recycle bin by default, for good with force; Monthly is refused per id', async () => {
    const [a, b, m] = [add(), add(), add({ chargeType: 'Monthly' })];
    const out = await client().deleteInstances(scope, [a.id, m.id]);
    expect(out.map((o) => o.ok)).toEqual([true, false]);
    expect(kec.instance(a.id)!.state).toBe('recycling');
    expect(kec.instance(m.id)!.state).toBe('active');
    await client().deleteInstances(scope, [b.id], { force: true });
    expect(kec.instance(b.id)).toBeUndefined();
    const purge = await client().purgeRecycled(scope, [{ vendor: 'kec', target: 't', region: REGION, kind: 'instance', id: a.id }]);
    expect(purge[0]!.ok).toBe(true);
    expect(kec.instance(a.id)).toBeUndefined();
  });

  it('sets the native auto-delete timer in Beijing minutes, reads it back, clears it on purpose', async () => {
    const a = add();
    const at = new Date(clock.nowMs() + 2 * 3600_000);
    at.setUTCSeconds(0, 0);
    const c = client();
    const out = await c.setAutoDeleteTime(scope, [a.id], at.toISOString());
    expect(out[0]!.ok).toBe(true);
    expect(kec.instance(a.id)!.autoDeleteAtMs).toBe(at.getTime());
    const [read] = await collect(c.listInstances(scope, { ids: [a.id] }));
    expect(read!.autoDeleteAt).toBe(at.toISOString());
    await c.clearAutoDeleteTime(scope, [a.id]);
    expect(kec.instance(a.id)!.autoDeleteAtMs).toBeUndefined();
  });

  it('refuses a timer under 30 minutes ahead before sending anything', async () => {
    const a = add();
    const before = requestsOf('ModifyInstanceAutoDeleteTime').length;
    await expect(client().setAutoDeleteTime(scope, [a.id], new Date(clock.nowMs() + 10 * 60_000).toISOString())).rejects.toThrow(/at least 30 minutes/);
    expect(requestsOf('ModifyInstanceAutoDeleteTime').length).toBe(before);
  });

  it('bisects an auto-delete batch around a failing id (the action has no per-id result)', async () => {
    const [a, b, c] = [add(), add(), add()];
    sim.faults.failIds(c.id);
    const at = new Date(clock.nowMs() + 3 * 3600_000).toISOString();
    const out = await client().setAutoDeleteTime(scope, [a.id, b.id, c.id], at);
    expect(out.map((o) => [o.id, o.ok])).toEqual([
      [a.id, true],
      [b.id, true],
      [c.id, false],
    ]);
    expect(out[2]!.error?.code).toBe('InvalidParameterValue');
    expect(kec.instance(a.id)!.autoDeleteAtMs).toBeDefined();
    expect(kec.instance(c.id)!.autoDeleteAtMs).toBeUndefined();
  });

  it('retries a throttled call (LimitExceeded/409) and succeeds', async () => {
    sim.faults.inject({ kind: 'throttle', vendor: 'kec', action: 'DescribeRegions', times: 1 });
    const before = requestsOf('DescribeRegions').length;
    expect(await client().listRegions()).toContain('cn-beijing-6');
    const seen = requestsOf('DescribeRegions').slice(before);
    expect(seen.map((r) => r.status)).toEqual([409, 200]);
  });

  it('retries a 5xx answer', async () => {
    sim.faults.inject({ kind: '5xx', vendor: 'kec', action: 'DescribeRegions', times: 1 });
    expect(await client().listRegions()).toHaveLength(6);
  });

  it('surfaces a wrong secret as an auth VendorError, not retried', async () => {
    const before = requestsOf('DescribeRegions').length;
    const err = await client({}, { secret: 'wrong' })
      .listRegions()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ code: 'SignatureDoesNotMatch', auth: true, retryable: false, httpStatus: 403 });
    expect((err as Error).message).not.toContain('wrong');
    expect(requestsOf('DescribeRegions').length - before).toBe(1);
    await expect(client({}, { accessKeyId: 'nobody' }).listRegions()).rejects.toMatchObject({ code: 'InvalidClientTokenId', auth: true });
  });

  it('a dry-run transport refuses mutations and the simulator sees none', async () => {
    const a = add();
    const before = sim.mutatingRequests('kec').length;
    const c = client({}, { readOnly: true });
    await expect(c.deleteInstances(scope, [a.id])).rejects.toBeInstanceOf(DryRunViolation);
    await expect(c.setAutoDeleteTime(scope, [a.id], new Date(clock.nowMs() + 7200_000).toISOString())).rejects.toBeInstanceOf(DryRunViolation);
    expect(sim.mutatingRequests('kec').length).toBe(before);
    expect(kec.instance(a.id)!.state).toBe('active');
    expect((await collect(c.listInstances(scope, { ids: [a.id] })))[0]!.id).toBe(a.id);
  });

  it('snapshots local volumes: sources, create, list, delete with one failing id', async () => {
    const a = add({ dataDiskGb: 40 });
    const c = client();
    const [inst] = await collect(c.listInstances(scope, { ids: [a.id] }));
    const sources = await c.listSnapshotSources(scope, [inst!]);
    expect(sources.map((s) => [s.id, s.kind])).toEqual([
      [`${a.id}-a`, 'local-volume'],
      [`${a.id}-c`, 'local-volume'],
    ]);
    const made = [];
    for (const n of [1, 2, 3]) made.push(await c.createSnapshot(scope, sources[1]!, { name: `ca-daily-${n}`, clientToken: `t${n}` }));
    expect(made.every((m) => m.snapshotId)).toBe(true);
    const listed = await collect(c.listSnapshots(scope, { sourceIds: [sources[1]!.id] }));
    expect(listed.map((s) => s.name).sort()).toEqual(['ca-daily-1', 'ca-daily-2', 'ca-daily-3']);
    expect(listed[0]).toMatchObject({ sourceKind: 'local-volume', instanceId: a.id, state: 'ready' });
    sim.faults.failIds(made[1]!.snapshotId!);
    const out = await c.deleteSnapshots(scope, made.map((m) => m.snapshotId!));
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(kec.snapshots().filter((s) => s.instanceId === a.id).map((s) => s.name)).toEqual(['ca-daily-2']);
  });

  it('refuses a snapshot name outside the documented charset/length, naming the field', async () => {
    const a = add();
    const src = { vendor: 'kec' as const, target: 't', region: REGION, id: `${a.id}-a`, kind: 'local-volume' as const, instanceId: a.id };
    await expect(client().createSnapshot(scope, src, { name: 'x', clientToken: 't' })).rejects.toThrow(/name .* 2-40/);
    await expect(client().createSnapshot(scope, src, { name: 'bad/name', clientToken: 't' })).rejects.toThrow(/name/);
    expect((await client().createSnapshot(scope, src, { name: '快照 ca-1', clientToken: 't' })).snapshotId).toBeDefined();
  });

  it('reads spot price history (Beijing hours → UTC) with the on-demand OriginPrice', async () => {
    kec.setSpotPrice('N3.2B', 'cn-beijing-6a', 0.1048);
    const since = new Date(clock.nowMs() - 5 * 3600_000).toISOString();
    const points = await client().getSpotPrices(scope, [{ zone: 'cn-beijing-6a', instanceType: 'N3.2B' }], since);
    expect(points.length).toBeGreaterThanOrEqual(4);
    expect(points[0]).toMatchObject({ price: '0.1048', onDemandPrice: '0.524', currency: 'CNY', zone: 'cn-beijing-6a', instanceType: 'N3.2B' });
    expect(points.every((p) => p.at.endsWith(':00:00.000Z') && Date.parse(p.at) >= Date.parse(since) - 3600_000)).toBe(true);
  });

  it('clamps the spot window to 3 days and refuses undocumented families', async () => {
    const points = await client().getSpotPrices(scope, [{ zone: 'cn-beijing-6b', instanceType: 'E1.2A' }], new Date(clock.nowMs() - 10 * 86_400_000).toISOString());
    expect(points.length).toBeGreaterThan(70);
    expect(points.length).toBeLessThanOrEqual(73);
    await expect(client().getSpotPrices(scope, [{ zone: 'cn-beijing-6a', instanceType: 'I2.2C' }], clock.now().toISOString())).rejects.toThrow(/E1, N2, N3/);
  });

  it('declares its capabilities and throws UnsupportedCapability where KEC has none', async () => {
    const c = client();
    expect(c.capabilities).toMatchObject({ tags: 'unsupported', autoDelete: 'native', recycleBin: 'native', snapshots: 'native', spotPrices: 'native', renewal: 'unsupported' });
    expect(c.limits).toEqual({ snapshotKind: 'local-volume', autoDeleteMinLeadMinutes: 30, snapshotNameMaxLength: 40 });
    await expect(c.setTags(scope, 'x', { a: 'b' })).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.removeTags(scope, 'x', ['a'])).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.restoreRecycled(scope, [])).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.quoteRenewal(scope, [], 1)).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.listSnapshotPolicies(scope)).rejects.toBeInstanceOf(UnsupportedCapability);
    expect(await c.getSnapshotQuota(scope)).toBeUndefined();
    expect(await c.getRecycleBinConfig(scope)).toBeUndefined();
  });
});
