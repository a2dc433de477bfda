import { collect, Transport, type HttpResponse, type Scope, type TencentSettings } from '../../../lib/vendors/core';
import { createTencentClient, type TencentClient } from '../../../lib/vendors/tencent';
import { ACTIONS } from '../../../lib/vendors/tencent/actions';
import { parseEnvelope } from '../../../lib/vendors/tencent/codec';
import { toInstance, toSnapshot } from '../../../lib/vendors/tencent/mapping';
import { Rng, startSim, simCredentials, type RunningSim } from '../../../sim/core';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { spotPriceFen } from '../../../sim/tencent/handlers';

/** Issue 16: what the real CVM API and the SDK model send, not only what seed 004's samples show. */

const creds = simCredentials('tencent');
const scope: Scope = { region: 'ap-guangzhou' };
const SETTINGS: TencentSettings = { signatureMethod: 'HmacSHA256', httpMethod: 'POST', regionalEndpoint: false };

let running: RunningSim;
let sim: TencentSim;
const client = (): TencentClient =>
  createTencentClient({
    target: 'tencent-test',
    endpoint: running.endpoints.tencent,
    credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret },
    transport: new Transport({ retry: { baseDelayMs: 1, maxDelayMs: 5 } }),
    settings: SETTINGS,
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

const calls = (action: string) => running.requests.filter((r) => r.action === action);

describe('RenewFlag is null for postpaid and spot instances (item 1)', () => {
  it('the simulator sends null and a listing with postpaid and spot instances reads every instance', async () => {
    const post = sim.addInstance({ InstanceChargeType: 'POSTPAID_BY_HOUR' }).InstanceId;
    const spot = sim.addInstance({ InstanceChargeType: 'SPOTPAID' }).InstanceId;
    const pre = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW' }).InstanceId;
    expect(sim.render(post)).toMatchObject({ RenewFlag: null, ExpiredTime: null });
    const listed = await collect(client().listInstances(scope));
    expect(Object.fromEntries(listed.map((i) => [i.id, [i.chargeType, i.renewFlag ?? null, i.rawRenewFlag ?? null]]))).toEqual({
      [post]: ['postpaid', null, null],
      [spot]: ['spot', null, null],
      [pre]: ['prepaid', 'manual', 'NOTIFY_AND_MANUAL_RENEW'],
    });
  });
});

describe('RenewInstances keeps the auto-renew setting (item 2)', () => {
  it('sends each instance its current flag, so a one-off renewal changes no flag', async () => {
    const manual = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW' }).InstanceId;
    const never = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'DISABLE_NOTIFY_AND_MANUAL_RENEW' }).InstanceId;
    const auto = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_AUTO_RENEW' }).InstanceId;
    const outcomes = await client().renewInstances(scope, [manual, never, auto], 1, 'token');
    expect(outcomes.map((o) => [o.id, o.ok])).toEqual([
      [manual, true],
      [never, true],
      [auto, true],
    ]);
    expect([manual, never, auto].map((id) => sim.instance(id)!.RenewFlag)).toEqual(['NOTIFY_AND_MANUAL_RENEW', 'DISABLE_NOTIFY_AND_MANUAL_RENEW', 'NOTIFY_AND_AUTO_RENEW']);
    // One RenewInstances per distinct flag.
    expect(calls('RenewInstances')).toHaveLength(3);
  });

  it('the simulator applies the documented default when the flag is left out (seed 004 L6522)', async () => {
    const id = sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW' }).InstanceId;
    const { buildRequest } = await import('../../../lib/vendors/tencent/codec');
    const req = buildRequest({ action: 'RenewInstances', region: 'ap-guangzhou', params: { InstanceIds: [id], InstanceChargePrepaid: { Period: 1 } }, settings: SETTINGS, endpoint: running.endpoints.tencent, credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret } });
    await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
    expect(sim.instance(id)!.RenewFlag).toBe('NOTIFY_AND_AUTO_RENEW');
  });
});

describe('by-id reads stay within 100 ids (item 3)', () => {
  it('150 renewals are confirmed in reads of at most 100 ids', async () => {
    const ids = Array.from({ length: 150 }, () => sim.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW' }).InstanceId);
    const outcomes = await client().renewInstances(scope, ids, 1, 'token');
    expect(outcomes.filter((o) => o.ok)).toHaveLength(150);
    // Two renewal batches (100 + 50); flags read and outcomes confirmed in 2 + 2 reads (the sim refuses > 100 ids).
    expect(calls('RenewInstances')).toHaveLength(2);
    expect(calls('DescribeInstances')).toHaveLength(4);
    expect(calls('DescribeInstances').every((r) => r.status === 200)).toBe(true);
    expect(sim.instances().filter((i) => i.RenewFlag !== 'NOTIFY_AND_MANUAL_RENEW')).toEqual([]);
  });
});

describe('spot prices are the prices a spot buyer pays (item 4)', () => {
  it('reads UnitPriceDiscount, not the list UnitPrice', async () => {
    const [p] = await client().getSpotPrices(scope, [{ zone: 'ap-guangzhou-1', instanceType: 'S3.LARGE8' }], '2026-02-28T00:00:00Z');
    const fen = spotPriceFen('ap-guangzhou-1', 'S3.LARGE8', running.clock.nowMs());
    expect(p).toMatchObject({ price: (fen / 100).toFixed(2).replace(/0+$/, '').replace(/\.$/, ''), onDemandPrice: '1.28' });
    expect(Number(p!.price) / Number(p!.onDemandPrice)).toBeLessThan(0.5);
  });

  it('falls back to UnitPrice where only the seed 004 ItemPrice fields exist (L6631-6638)', () => {
    const body = (price: object): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify({ Response: { RequestId: 'r', InstanceTypeQuotaSet: [{ Zone: 'z', InstanceType: 't', Price: price }] } }) });
    const parsed = parseEnvelope('DescribeZoneInstanceConfigInfos', body({ UnitPrice: 0.64 }), ACTIONS.DescribeZoneInstanceConfigInfos.schema);
    expect(parsed.InstanceTypeQuotaSet[0]!.Price).toEqual({ UnitPrice: 0.64 });
  });
});

describe('fields every real instance carries (item 5)', () => {
  const raw = (extra: object) => ({ InstanceId: 'ins-aaaaaaaa', InstanceState: 'RUNNING', InstanceChargeType: 'POSTPAID_BY_HOUR', RenewFlag: null, ...extra });

  it('DisableApiTermination marks the instance protected, and the vendor refuses to terminate it', async () => {
    expect(toInstance(raw({ DisableApiTermination: true }), 't', 'r').terminationProtected).toBe(true);
    expect(toInstance(raw({ DisableApiTermination: false }), 't', 'r').terminationProtected).toBeUndefined();
    const id = sim.addInstance({ disableApiTermination: true }).InstanceId;
    const [listed] = await collect(client().listInstances(scope, { ids: [id] }));
    expect(listed).toMatchObject({ terminationProtected: true });
    expect(await client().deleteInstances(scope, [id])).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'UnsupportedOperation' }) })]);
    expect(sim.instance(id)!.InstanceState).toBe('RUNNING');
  });

  it('LatestOperationState OPERATING marks the instance busy with that operation', async () => {
    expect(toInstance(raw({ LatestOperation: 'StopInstances', LatestOperationState: 'OPERATING' }), 't', 'r').busyWith).toBe('StopInstances');
    expect(toInstance(raw({ LatestOperation: 'StopInstances', LatestOperationState: 'SUCCESS' }), 't', 'r').busyWith).toBeUndefined();
    const id = sim.addInstance({}).InstanceId;
    await client().stopInstances(scope, [id]);
    const [listed] = await collect(client().listInstances(scope, { ids: [id] }));
    expect(listed).toMatchObject({ busyWith: 'StopInstances', state: 'stopping' });
  });

  it('IsolatedSource decides the bin times: only an instance isolated at expiry entered the bin at ExpiredTime', () => {
    const base = { InstanceState: 'SHUTDOWN', InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', ExpiredTime: '2026-02-20T00:00:00Z' };
    // Returned by hand while RestrictState says EXPIRED: ExpiredTime says nothing about when it entered the bin.
    const returned = toInstance(raw({ ...base, RestrictState: 'EXPIRED', IsolatedSource: 'MANMADE' }), 't', 'r');
    expect(returned).toMatchObject({ state: 'recycled', restricted: 'isolated', recycleBin: {} });
    // Isolated at expiry, whatever RestrictState reads.
    const expired = toInstance(raw({ ...base, RestrictState: 'NORMAL', IsolatedSource: 'EXPIRE' }), 't', 'r');
    expect(expired).toMatchObject({ restricted: 'expired', recycleBin: { since: '2026-02-20T00:00:00.000Z', purgeAt: '2026-02-27T00:00:00.000Z' } });
    // Arrears: entered the bin when the balance ran out, not at ExpiredTime.
    expect(toInstance(raw({ ...base, RestrictState: 'EXPIRED', IsolatedSource: 'ARREAR' }), 't', 'r')).toMatchObject({ restricted: 'expired', recycleBin: {} });
  });

  it('the simulator reports why an instance is isolated', async () => {
    const id = sim.addInstance({ InstanceChargeType: 'PREPAID' }).InstanceId;
    expect(sim.render(id)).toMatchObject({ IsolatedSource: 'NOTISOLATED', DisableApiTermination: false });
    await client().deleteInstances(scope, [id]);
    expect(sim.render(id)).toMatchObject({ InstanceState: 'SHUTDOWN', IsolatedSource: 'MANMADE' });
    const [item] = await collect(client().listRecycleBin(scope));
    expect(item).toMatchObject({ id, since: undefined, purgeAt: undefined });
  });

  it('image tags are read, beside the description encoding', async () => {
    const img = { ImageId: 'img-aaaaaaaa', ImageName: 'golden', ImageDescription: 'src=ins-aaaaaaaa;team=web', Tags: [{ Key: 'owner', Value: 'ops' }] };
    expect(toSnapshot(img, 't', 'r')).toMatchObject({ sourceId: 'ins-aaaaaaaa', tags: { owner: 'ops', team: 'web' } });
    sim.addImage({ ImageName: 'tagged', ImageDescription: 'hand-made', tags: { 'cloud-automation:managed': 'true' } });
    const [snap] = await collect(client().listSnapshots(scope, { names: ['tagged'] }));
    expect(snap).toMatchObject({ sourceId: '', tags: { 'cloud-automation:managed': 'true' } });
  });
});

describe('error codes of both editions are classified (item 6)', () => {
  const envelope = (code: string): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify({ Response: { Error: { Code: code, Message: 'm' }, RequestId: 'r' } }) });
  const classOf = (code: string) => {
    try {
      parseEnvelope('DescribeInstances', envelope(code), ACTIONS.DescribeInstances.schema);
    } catch (e) {
      const { auth, retryable } = e as { auth: boolean; retryable: boolean };
      return auth ? 'auth' : retryable ? 'retry' : 'final';
    }
    return 'ok';
  };

  it.each([
    // 2017 edition, seed 002 L1025-1071
    ['InvalidParameter.SignatureFailure', 'auth'],
    ['InvalidParameter.SecretIdNotFound', 'auth'],
    ['InvalidRequest.TokenCheckFailed', 'auth'],
    ['InvalidRequest.MFACheckFailed', 'auth'],
    ['InvalidRequest.Forbidden', 'auth'],
    ['InternalError.CAMInnerError', 'auth'],
    ['UnauthorizedOperation', 'auth'],
    ['InvalidRequest.LimitExceeded', 'retry'],
    ['InvalidRequest.RequestConcurrencyExceeded', 'retry'],
    ['InvalidRequest.ReplayAttack', 'retry'],
    ['InternalError.ResourceOpFailed', 'retry'],
    ['InternalError', 'retry'],
    ['InvalidAction.ActionUnavailable', 'retry'],
    ['InvalidAction.NotFound', 'final'],
    ['InvalidRequest.UnsupportedProtocol', 'final'],
    ['InvalidParameter', 'final'],
    // 3.0 edition, seed 004 L674-690, and sub-codes
    ['AuthFailure.SignatureExpire', 'auth'],
    ['RequestLimitExceeded', 'retry'],
    ['RequestLimitExceeded.UinLimitExceeded', 'retry'],
    ['InvalidParameterValue', 'final'],
    ['UnsupportedOperation', 'final'],
  ])('%s is %s', (code, expected) => {
    expect(classOf(code)).toBe(expected);
  });
});

describe('seeded real-shapes mode: nulls and absent fields the SDK model allows, short pages', () => {
  it.each([1, 2, 3])('seed %i: every listing reads the whole fleet as the simulator holds it', async (seed) => {
    await running.stop();
    sim = createTencentSim({ transitionMs: 1000, realShapes: { seed } });
    running = await startSim({ modules: [sim], ports: { tencent: 0 } });
    running.clock.set('2026-03-01T00:00:00Z');
    sim.bindClock(running.clock);
    sim.seedFleet({ rng: new Rng(seed), count: 900, now: running.clock.now(), demo: true, regions: ['ap-guangzhou'] });
    for (let n = 0; n < 130; n++) sim.addImage({ ImageName: `img-${n}`, tags: n % 2 ? { team: 'x' } : undefined });
    const c = client();

    const listed = await collect(c.listInstances(scope, { includeRecycled: true }));
    const held = sim.instances().filter((i) => i.region === 'ap-guangzhou');
    expect(listed.map((i) => i.id).sort()).toEqual(held.map((i) => i.InstanceId).sort());
    const charge = { PREPAID: 'prepaid', POSTPAID_BY_HOUR: 'postpaid', SPOTPAID: 'spot' } as Record<string, string>;
    expect(listed.every((i) => i.chargeType === charge[sim.instance(i.id)!.InstanceChargeType])).toBe(true);
    expect(listed.filter((i) => i.chargeType === 'prepaid').every((i) => i.expiresAt && i.renewFlag)).toBe(true);

    expect((await collect(c.listRecycleBin(scope))).map((b) => b.id).sort()).toEqual(held.filter((i) => i.InstanceState === 'SHUTDOWN').map((i) => i.InstanceId).sort());
    expect(await collect(c.listSnapshots(scope))).toHaveLength(sim.snapshots().filter((i) => i.region === 'ap-guangzhou').length);
    const points = await c.getSpotPrices(scope, [{ zone: 'ap-guangzhou-1', instanceType: 'S2.MEDIUM4' }], '2026-02-28T00:00:00Z');
    expect(points).toHaveLength(1);

    // The variation happened at the vendor: nulls, absent fields and short pages were sent.
    const stats = sim.state.shapes!.stats;
    expect(stats.nulls).toBeGreaterThan(100);
    expect(stats.absent).toBeGreaterThan(100);
    expect(stats.shortPages).toBeGreaterThan(0);
  });
});
