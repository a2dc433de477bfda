import { collect, DryRunViolation, Transport, UnsupportedCapability, VendorError, type Scope, type TencentSettings } from '../../../lib/vendors/core';
import { createTencentClient, type TencentClient } from '../../../lib/vendors/tencent';
import { buildRequest } from '../../../lib/vendors/tencent/codec';
import { Rng, startSim, simCredentials, type RunningSim } from '../../../sim/core';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';

const creds = simCredentials('tencent');
const scope: Scope = { region: 'ap-guangzhou' };
const DEFAULTS: TencentSettings = { signatureMethod: 'HmacSHA256', httpMethod: 'POST', regionalEndpoint: false };

let running: RunningSim;
let sim: TencentSim;

const transport = (readOnly = false) => new Transport({ readOnly, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
const client = (settings: Partial<TencentSettings> = {}, opts: { secret?: string; readOnly?: boolean } = {}): TencentClient =>
  createTencentClient({
    target: 'tencent-test',
    endpoint: running.endpoints.tencent,
    credentials: { accessKeyId: creds.accessKeyId, secret: opts.secret ?? creds.secret },
    transport: transport(opts.readOnly),
    settings: { ...DEFAULTS, ...settings },
  });

beforeEach(async () => {
  sim = createTencentSim({ transitionMs: 1000 });
  running = await startSim({ modules: [sim], ports: { tencent: 0 } });
  running.clock.set('2026-03-01T00:00:00Z');
  sim.bindClock(running.clock);
});
afterEach(async () => {
  await running.stop();
});

describe('protocol variants', () => {
  it.each([
    ['HmacSHA256', 'POST'],
    ['HmacSHA256', 'GET'],
    ['HmacSHA1', 'POST'],
    ['HmacSHA1', 'GET'],
    ['TC3-HMAC-SHA256', 'POST'],
    ['TC3-HMAC-SHA256', 'GET'],
  ] as const)('%s over %s lists instances the simulator holds', async (signatureMethod, httpMethod) => {
    const a = sim.addInstance({ InstanceName: '上海 web *~', tags: { team: 'web' } });
    const pages = await collect(client({ signatureMethod, httpMethod }).listInstances(scope, { tagKeys: ['team'] }));
    expect(pages.map((i) => i.id)).toEqual([a.InstanceId]);
    expect(pages[0]).toMatchObject({ name: '上海 web *~', state: 'running', rawState: 'RUNNING', chargeType: 'postpaid', tags: { team: 'web' } });
  });

  it('lists regions and zones', async () => {
    const c = client();
    expect(await c.listRegions()).toContain('ap-guangzhou');
    expect((await c.listZones('ap-guangzhou')).map((z) => z.zone)).toEqual(['ap-guangzhou-1', 'ap-guangzhou-2', 'ap-guangzhou-3']);
  });
});

describe('listing', () => {
  it('pages past several pages of 100 and maps prepaid fields to the unified model', async () => {
    for (let n = 0; n < 250; n++) sim.addInstance({ InstanceName: `n${n}` });
    const p = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_AUTO_RENEW', expiredMs: Date.parse('2026-04-01T08:00:00Z') });
    const pages: number[] = [];
    const all = [];
    for await (const page of client().listInstances(scope)) {
      pages.push(page.length);
      all.push(...page);
    }
    expect(pages).toEqual([100, 100, 51]);
    expect(new Set(all.map((i) => i.id)).size).toBe(251);
    expect(all.find((i) => i.id === p.InstanceId)).toMatchObject({ chargeType: 'prepaid', rawChargeType: 'PREPAID', expiresAt: '2026-04-01T08:00:00.000Z', renewFlag: 'auto' });
    expect(running.requests.filter((r) => r.action === 'DescribeInstances')).toHaveLength(3);
  });

  it('splits more than 5 tag keys into several requests (10 filters x 5 values) and unions the results', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
    const tagged = keys.map((k) => sim.addInstance({ tags: { [k]: 'x' } }).InstanceId);
    sim.addInstance({ tags: { other: 'y' } });
    const both = sim.addInstance({ tags: { k1: 'a', k7: 'b' } }).InstanceId;
    const found = await collect(client().listInstances(scope, { tagKeys: keys }));
    expect(found.map((i) => i.id).sort()).toEqual([...tagged, both].sort());
    expect(running.requests.filter((r) => r.action === 'DescribeInstances')).toHaveLength(2);
  });

  it('finds SPOTPAID instances by filtering on our side, and hides the recycle bin unless asked', async () => {
    const spot = sim.addInstance({ InstanceChargeType: 'SPOTPAID' }).InstanceId;
    sim.addInstance({});
    const binned = sim.addInstance({ InstanceChargeType: 'PREPAID', InstanceState: 'SHUTDOWN', RestrictState: 'EXPIRED' }).InstanceId;
    const c = client();
    expect((await collect(c.listInstances(scope, { chargeTypes: ['spot'] }))).map((i) => i.id)).toEqual([spot]);
    expect((await collect(c.listInstances(scope))).map((i) => i.id)).not.toContain(binned);
    expect((await collect(c.listInstances(scope, { includeRecycled: true }))).map((i) => i.id)).toContain(binned);
  });

  it('lists by ids (without filters, which the API refuses to combine)', async () => {
    const ids = [sim.addInstance({}).InstanceId, sim.addInstance({}).InstanceId];
    sim.addInstance({});
    expect((await collect(client().listInstances(scope, { ids }))).map((i) => i.id).sort()).toEqual([...ids].sort());
  });
});

describe('mutations', () => {
  it('stops running instances (STOPPING, then STOPPED on the business clock); a stopped one fails alone', async () => {
    const a = sim.addInstance({}).InstanceId;
    const b = sim.addInstance({}).InstanceId;
    const stopped = sim.addInstance({ InstanceState: 'STOPPED' }).InstanceId;
    const outcomes = await client().stopInstances(scope, [a, stopped, b]);
    expect(outcomes.filter((o) => o.ok).map((o) => o.id).sort()).toEqual([a, b].sort());
    expect(outcomes.find((o) => o.id === stopped)).toMatchObject({ ok: false, error: { code: 'InvalidInstanceState' } });
    expect(sim.instance(a)!.InstanceState).toBe('STOPPING');
    running.clock.advance(2000);
    expect(sim.instance(a)!.InstanceState).toBe('STOPPED');
  });

  it('a batch with one failing id: the others are terminated (the client bisects)', async () => {
    const ids = Array.from({ length: 5 }, () => sim.addInstance({}).InstanceId);
    running.faults.failIds(ids[2]!);
    const outcomes = await client().deleteInstances(scope, ids);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.id)).toEqual([ids[2]]);
    expect(outcomes.find((o) => !o.ok)!.error!.code).toBe('InvalidInstance.NotSupported');
    running.clock.advance(2000);
    expect(sim.instances().map((i) => i.InstanceId)).toEqual([ids[2]]);
  });

  it('prepaid: terminate moves to the bin (SHUTDOWN, isolated); purge destroys; force does both', async () => {
    const pre = sim.addInstance({ InstanceChargeType: 'PREPAID' }).InstanceId;
    const pre2 = sim.addInstance({ InstanceChargeType: 'PREPAID' }).InstanceId;
    const c = client();
    await c.deleteInstances(scope, [pre]);
    expect(sim.instance(pre)).toMatchObject({ InstanceState: 'SHUTDOWN', RestrictState: 'PROTECTIVELY_ISOLATED' });
    const bin = await collect(c.listRecycleBin(scope));
    expect(bin).toEqual([expect.objectContaining({ id: pre, kind: 'instance', rawState: 'SHUTDOWN/isolated' })]);
    expect(await c.purgeRecycled(scope, bin)).toEqual([expect.objectContaining({ id: pre, ok: true })]);
    expect(sim.instance(pre)!.InstanceState).toBe('TERMINATING');
    const forced = await c.deleteInstances(scope, [pre2], { force: true });
    expect(forced).toEqual([expect.objectContaining({ id: pre2, ok: true })]);
    running.clock.advance(2000);
    expect(sim.instance(pre)).toBeUndefined();
    expect(sim.instance(pre2)).toBeUndefined();
  });

  it('a prepaid instance past ExpiredTime without auto-renew lands in the bin with an estimated purge time', async () => {
    const manual = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', expiredMs: Date.parse('2026-03-02T00:00:00Z') }).InstanceId;
    const auto = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_AUTO_RENEW', expiredMs: Date.parse('2026-03-02T00:00:00Z') }).InstanceId;
    running.clock.advance(2 * 86_400_000);
    const c = client();
    const bin = await collect(c.listRecycleBin(scope));
    expect(bin).toEqual([expect.objectContaining({ id: manual, since: '2026-03-02T00:00:00.000Z', purgeAt: '2026-03-09T00:00:00.000Z' })]);
    const [renewed] = await collect(c.listInstances(scope, { ids: [auto] }));
    expect(renewed!.expiresAt).toBe('2026-04-02T00:00:00.000Z');
    expect((await collect(c.listInstances(scope, { ids: [manual], includeRecycled: true })))[0]).toMatchObject({ state: 'recycled', restricted: 'expired' });
  });

  it('a throttled call succeeds on retry', async () => {
    sim.addInstance({});
    running.faults.inject({ kind: 'throttle', vendor: 'tencent', action: 'DescribeInstances', times: 1 });
    expect(await collect(client().listInstances(scope))).toHaveLength(1);
    expect(running.requests.filter((r) => r.action === 'DescribeInstances')).toHaveLength(2);
  });

  it('with the documented rates on, the simulator counts DescribeInstances per region and logs each throttled answer (HTTP 200, seed 004 L682)', async () => {
    running.rateLimits.enabled = true;
    const raw = (region: string) => {
      const r = buildRequest({ action: 'DescribeInstances', region, params: { Limit: 1 }, credentials: creds, settings: DEFAULTS, endpoint: running.endpoints.tencent });
      return fetch(r.url, { method: r.method, headers: r.headers, body: r.body });
    };
    // 45 at once in one region (40/s, L2211) and 5 in another; tried again when a second boundary splits them
    for (let attempt = 0; attempt < 5; attempt++) {
      running.requests.length = 0;
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5)); // just after a second starts
      await Promise.all([...Array.from({ length: 45 }, () => raw('ap-guangzhou')), ...Array.from({ length: 5 }, () => raw('ap-shanghai'))]);
      const log = running.requests.filter((r) => r.action === 'DescribeInstances');
      if (new Set(log.map((r) => Math.floor(r.wallMs / 1000))).size > 1) continue;
      expect(log).toHaveLength(50);
      expect(log.every((r) => r.status === 200)).toBe(true); // Tencent answers its errors with HTTP 200
      expect(log.filter((r) => r.throttled)).toHaveLength(5); // the 41st-45th of ap-guangzhou; ap-shanghai counts its own
      return;
    }
    throw new Error('no attempt fitted in one second');
  });

  it('a 5xx is retried', async () => {
    sim.addInstance({});
    running.faults.inject({ kind: '5xx', vendor: 'tencent', times: 1 });
    expect(await collect(client().listInstances(scope))).toHaveLength(1);
  });

  it('a dry-run transport refuses a mutation and the simulator sees no request', async () => {
    const id = sim.addInstance({}).InstanceId;
    await expect(client({}, { readOnly: true }).deleteInstances(scope, [id])).rejects.toBeInstanceOf(DryRunViolation);
    expect(running.mutatingRequests('tencent')).toHaveLength(0);
    expect(running.requests).toHaveLength(0);
  });
});

describe('authentication', () => {
  it('a wrong key is a clear auth error, not retried, without the secret in it', async () => {
    const err = await collect(client({}, { secret: 'wrong-secret' }).listInstances(scope)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ auth: true, retryable: false, code: 'AuthFailure.SignatureFailure' });
    expect((err as VendorError).requestId).toBeDefined();
    expect(String((err as Error).message)).not.toContain('wrong-secret');
    expect(running.requests).toHaveLength(1);
  });

  it.each(['HmacSHA1', 'TC3-HMAC-SHA256'] as const)('%s: unknown key, stale timestamp and tampered parameter are refused', async (signatureMethod) => {
    const settings = { ...DEFAULTS, signatureMethod };
    const base = { action: 'DescribeInstances', region: 'ap-guangzhou', params: { Limit: 5 }, settings, endpoint: running.endpoints.tencent };
    const send = async (req: { url: string; method: string; headers: Record<string, string>; body?: string }) =>
      (await (await fetch(req.url, { method: req.method, headers: req.headers, body: req.body })).json()) as { Response: { Error?: { Code: string } } };
    const unknown = buildRequest({ ...base, credentials: { accessKeyId: 'AKIDnobody', secret: 'x' } });
    expect((await send(unknown)).Response.Error?.Code).toBe('AuthFailure.SecretIdNotFound');
    const stale = buildRequest({ ...base, credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret }, now: () => Date.now() - 3_600_000 });
    expect((await send(stale)).Response.Error?.Code).toBe('AuthFailure.SignatureExpire');
    const good = buildRequest({ ...base, credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret } });
    const tampered = { ...good, body: good.body!.replace(/Limit(["=:]+)5/, 'Limit$16') };
    expect(tampered.body).not.toBe(good.body);
    expect((await send(tampered)).Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
    expect((await send(good)).Response.Error).toBeUndefined();
  });
});

describe('validation by the simulator', () => {
  it('answers the documented codes for missing and unknown parameters, and wrong periods', async () => {
    const c = client();
    const id = sim.addInstance({ InstanceChargeType: 'PREPAID' }).InstanceId;
    await expect(c.renewInstances(scope, [id], 13, 'token')).rejects.toThrow(/not a Tencent prepaid period/);
    const send = async (params: Record<string, unknown>, action: string) => {
      const req = buildRequest({ action, region: 'ap-guangzhou', params: params as never, settings: DEFAULTS, endpoint: running.endpoints.tencent, credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret } });
      return ((await (await fetch(req.url, { method: req.method, headers: req.headers, body: req.body })).json()) as { Response: { Error?: { Code: string } } }).Response.Error?.Code;
    };
    expect(await send({}, 'TerminateInstances')).toBe('MissingParameter');
    expect(await send({ InstanceIds: [id], DiskType: 'x' }, 'TerminateInstances')).toBe('UnknownParameter');
    expect(await send({ InstanceIds: [id], InstanceChargePrepaid: { Period: 13 } }, 'RenewInstances')).toBe('InvalidPeriod');
    expect(await send({ InstanceIds: [id], Filters: [{ Name: 'zone', Values: ['x'] }] }, 'DescribeInstances')).toBe('InvalidParameter');
    expect(await send({ Filters: [{ Name: 'zone', Values: ['1', '2', '3', '4', '5', '6'] }] }, 'DescribeInstances')).toBe('InvalidFilterValue.LimitExceeded');
    expect(await send({ InstanceIds: ['ins-12'] }, 'TerminateInstances')).toBe('InvalidInstanceId.Malformed');
    expect(await send({}, 'NoSuchAction')).toBe('InvalidAction');
  });
});

describe('renewal', () => {
  it('quotes, renews and sets auto-renew for prepaid instances', async () => {
    const a = sim.addInstance({ InstanceChargeType: 'PREPAID', InstanceType: 'S2.MEDIUM4', expiredMs: Date.parse('2026-03-10T00:00:00Z') }).InstanceId;
    const post = sim.addInstance({}).InstanceId;
    const c = client();
    const [quote] = await c.quoteRenewal(scope, [a], 1);
    // 0.64 CNY/h x 720 h = 460.80, 20% off = 368.64 (simulator price table).
    expect(quote).toEqual({ resourceId: a, kind: 'instance', amount: '368.64', originalAmount: '460.8', currency: 'CNY', periodMonths: 1 });
    const renewed = await c.renewInstances(scope, [a, post], 1, 'token-1');
    expect(renewed.find((o) => o.id === a)!.ok).toBe(true);
    expect(renewed.find((o) => o.id === post)).toMatchObject({ ok: false, error: { code: 'InvalidInstance.NotSupported' } });
    expect(new Date(sim.instance(a)!.expiredMs!).toISOString()).toBe('2026-04-10T00:00:00.000Z');
    expect((await c.setAutoRenew(scope, [a]))[0]!.ok).toBe(true);
    expect(sim.instance(a)!.RenewFlag).toBe('NOTIFY_AND_AUTO_RENEW');
  });

  it('turns a FAILED LatestOperationState into a failed outcome', async () => {
    const a = sim.addInstance({ InstanceChargeType: 'PREPAID' });
    const c = client();
    // The call is accepted but the instance reports the operation failed afterwards (async API).
    Object.defineProperty(sim.state.instances.get(a.InstanceId)!, 'latestOperationState', { get: () => 'FAILED', set: () => undefined });
    const [outcome] = await c.setAutoRenew(scope, [a.InstanceId]);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'LatestOperationFailed' } });
  });
});

describe('snapshots (system-disk images)', () => {
  it('creates an image in one request, finds it by name, prunes, and reports the quota', async () => {
    const id = sim.addInstance({}).InstanceId;
    sim.addImage({ ImageName: 'foreign', ImageDescription: 'made by hand' });
    const c = client();
    const [source] = await c.listSnapshotSources(scope, (await collect(c.listInstances(scope))));
    expect(source).toMatchObject({ id, kind: 'system-image', instanceId: id });
    const sent = () => running.requests.map((r) => r.action);
    let before = sent().length;
    await c.createSnapshot(scope, source!, { name: 'ca-daily-0301', clientToken: 't', tags: { 'cloud-automation:managed': 'true' } });
    expect(sent().slice(before)).toEqual(['CreateImage']);
    // A retry of the same slot: the unique name is the image it already made; nothing new is made.
    await c.createSnapshot(scope, source!, { name: 'ca-daily-0301', clientToken: 't' });
    expect(sim.snapshots().filter((s) => s.ImageName === 'ca-daily-0301')).toHaveLength(1);
    const [snap] = await collect(c.listSnapshots(scope, { sourceIds: [id] }));
    expect(snap).toMatchObject({ id: expect.stringMatching(/^img-/), name: 'ca-daily-0301', sourceId: id, state: 'creating', tags: { 'cloud-automation:managed': 'true' }, sourceKind: 'system-image' });
    // the listing counted the private images: the quota's `used` costs no request of its own
    before = sent().length;
    expect(await c.getSnapshotQuota(scope)).toEqual({ used: 2, limit: 20 });
    expect(sent().slice(before)).toEqual(['DescribeImageQuota']);
    expect(await c.deleteSnapshots(scope, [snap!.id])).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'InvalidImageId.IncorrectState' }) })]);
    running.clock.advance(2000);
    expect(await c.deleteSnapshots(scope, [snap!.id])).toEqual([expect.objectContaining({ ok: true })]);
    expect(sim.snapshots().map((s) => s.ImageName)).toEqual(['foreign']);
    // after a change it counts them again
    before = sent().length;
    expect(await c.getSnapshotQuota(scope)).toEqual({ used: 1, limit: 20 });
    expect(sent().slice(before)).toEqual(['DescribeImageQuota', 'DescribeImages']);
  });

  it('pages images past one page of 100', async () => {
    for (let n = 0; n < 130; n++) sim.addImage({ ImageName: `ca-${n}` });
    const pages = [];
    for await (const page of client().listSnapshots(scope)) pages.push(page.length);
    expect(pages).toEqual([100, 30]);
  });
});

describe('spot prices', () => {
  it('reads spot and on-demand prices from the per-zone table, splitting zones and types by 5', async () => {
    const watches = ['ap-guangzhou-1', 'ap-guangzhou-2'].flatMap((zone) => ['S1.SMALL1', 'S2.SMALL2', 'S2.MEDIUM4', 'S3.LARGE8', 'S3.2XLARGE16', 'S9.NOPE'].map((instanceType) => ({ zone, instanceType })));
    const points = await client().getSpotPrices(scope, watches, '2026-02-28T00:00:00Z');
    expect(points).toHaveLength(10);
    const p = points.find((x) => x.zone === 'ap-guangzhou-1' && x.instanceType === 'S2.MEDIUM4')!;
    expect(p).toMatchObject({ onDemandPrice: '0.64', currency: 'CNY' });
    expect(Number(p.price)).toBeLessThan(0.64);
    expect(running.requests.filter((r) => r.action === 'DescribeZoneInstanceConfigInfos')).toHaveLength(2);
  });
});

describe('capabilities', () => {
  it('declares the matrix and throws UnsupportedCapability behind unsupported ones', async () => {
    const c = client();
    expect(c.capabilities).toMatchObject({ tags: 'native', autoDelete: 'native', recycleBin: 'native', recycleRestore: 'unsupported', snapshots: 'native', snapshotPolicies: 'unsupported', spotPrices: 'native', renewal: 'native', renewalActions: 'native' });
    expect(c.limits.snapshotKind).toBe('system-image');
    await expect(c.listSnapshotPolicies(scope)).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.restoreRecycled(scope, [])).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.setTags(scope, 'ins-1', { a: 'b' })).rejects.toBeInstanceOf(UnsupportedCapability);
    expect(await c.getRecycleBinConfig(scope)).toBeUndefined();
  });
});

describe('fleet seeding', () => {
  it('is deterministic and includes the demo mix', async () => {
    const seeded = (sim2: TencentSim) => {
      sim2.seedFleet({ rng: new Rng(7), count: 60, now: running.clock.now(), demo: true });
      return sim2.instances().map((i) => [i.InstanceId, i.InstanceName, i.InstanceChargeType, i.expiredMs]);
    };
    const other = createTencentSim();
    other.bindClock(running.clock);
    expect(seeded(sim)).toEqual(seeded(other));
    const names = sim.instances().map((i) => i.InstanceName);
    expect(names).toHaveLength(60);
    expect(names).toEqual(expect.arrayContaining(['demo-due-1', 'demo-invalid-timer', 'tmp-build-1', 'demo-prepaid-1d', 'demo-spot-1', 'demo-expired-near-purge']));
    const c = client();
    const bin = await collect(c.listRecycleBin(scope));
    expect(bin.length).toBeGreaterThanOrEqual(3);
    const snaps = await collect(c.listSnapshots(scope));
    expect(snaps.filter((s) => s.name.startsWith('ca-') && s.tags['cloud-automation:managed'] === 'true')).toHaveLength(10);
    expect(snaps.some((s) => !s.name.startsWith('ca-'))).toBe(true);
  });

  it('generates 100k instances and serves the last page by offset', async () => {
    running.seedFleet(1, 100_000);
    expect(sim.state.instances.size).toBe(100_000);
    const req = buildRequest({ action: 'DescribeInstances', region: 'ap-guangzhou', params: { Offset: 33_300, Limit: 100 }, settings: DEFAULTS, endpoint: running.endpoints.tencent, credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret } });
    const body = (await (await fetch(req.url, { method: req.method, headers: req.headers, body: req.body })).json()) as { Response: { TotalCount: number; InstanceSet: unknown[] } };
    expect(body.Response.TotalCount).toBe(33_334);
    expect(body.Response.InstanceSet).toHaveLength(34);
  });
});
