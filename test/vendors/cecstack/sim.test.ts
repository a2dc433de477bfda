import { jest } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { collect, DryRunViolation, Transport, UnsupportedCapability, VendorError, type Instance } from '../../../lib/vendors/core';
import { Rng, startSim, type RunningSim } from '../../../sim/core';
import { createCecstackSim, type CecstackSim, type SimVm } from '../../../sim/cecstack';
import { client, fastTransport, SIM_CREDS } from './helpers';

const R = { region: 'region0' };
const NOW = new Date('2026-03-02T04:00:00Z');
let sim: RunningSim;
let mod: CecstackSim;
let base: string;

function vm(over: Partial<SimVm> & { ecsId: string }): SimVm {
  return mod.addVm({
    displayName: over.ecsId,
    status: 'Running',
    billingMode: 'OnDemand',
    createdAt: NOW.getTime() - 86_400_000,
    region: 'region0',
    az: 'AZ0',
    flavorId: 'flavor-x',
    monthlyFen: 20000,
    departmentId: 'd1',
    resourceGroupId: '',
    labels: [],
    isLock: false,
    bRecycle: true,
    volumes: [],
    eips: [],
    ...over,
  });
}

beforeEach(async () => {
  mod = createCecstackSim();
  sim = await startSim({ modules: [mod], ports: { cecstack: 0 } });
  sim.clock.set(NOW);
  base = sim.endpoints.cecstack!;
});
afterEach(() => sim.stop());

const cli = (opts: Parameters<typeof client>[1] = {}) => client(base, { settings: { operatorEndpoint: base }, ...opts });
const ids = (pages: Instance[]) => pages.map((i) => i.id);

describe('instances against the simulator', () => {
  test('pages past several pages, in the vendor order, with x-regionid scoping', async () => {
    sim.seedFleet(7, 50);
    const expected = mod.instances().filter((v) => v.region === 'region0');
    const pages: Instance[][] = [];
    for await (const page of cli({ extras: { pageSize: 7 } }).listInstances(R)) pages.push(page);
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ids(pages.flat()))).toEqual(new Set(expected.map((v) => v.ecsId)));
    expect(pages.flat().every((i) => i.region === 'region0' && i.vendor === 'cecstack')).toBe(true);
  });

  test('maps labels, billing mode, expiry and PascalCase status', async () => {
    const expiresAt = Date.parse('2026-03-20T15:59:59Z');
    vm({ ecsId: 'ecs-aaaaaaaaaaaaaa', billingMode: 'ByCycle', expiresAt, labels: [{ key: 'team', value: 'web' }], status: 'Stopped' });
    const [one] = await collect(cli().listInstances(R));
    expect(one).toMatchObject({ id: 'ecs-aaaaaaaaaaaaaa', chargeType: 'prepaid', rawChargeType: 'ByCycle', expiresAt: '2026-03-20T15:59:59.000Z', state: 'stopped', rawState: 'Stopped', tags: { team: 'web' } });
  });

  test('a throttled call succeeds on retry', async () => {
    vm({ ecsId: 'ecs-bbbbbbbbbbbbbb' });
    sim.faults.inject({ kind: 'throttle', times: 1, action: 'ListInstances' });
    expect(ids(await collect(cli().listInstances(R)))).toEqual(['ecs-bbbbbbbbbbbbbb']);
    expect(sim.requests.filter((r) => r.action === 'ListInstances').map((r) => r.status)).toEqual([429, 200]);
  });

  test('a wrong secret is a clear auth error, not retried', async () => {
    const err = await collect(cli({ secret: 'wrong' }).listInstances(R)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ code: 'ECS.OperationDenied.AuthFail', auth: true, retryable: false, httpStatus: 400 });
    expect(String((err as Error).message)).not.toContain('wrong');
    expect(sim.requests).toHaveLength(1);
  });

  test('a signing hook module signs every request (the secret never travels); a simulator that wants signatures refuses bearer', async () => {
    await sim.stop();
    mod = createCecstackSim({ auth: { scheme: 'example-hmac' } });
    sim = await startSim({ modules: [mod], ports: { cecstack: 0 } });
    vm({ ecsId: 'ecs-cccccccccccccc' });
    const module = fileURLToPath(new URL('./hooks/example-hmac-signer.mjs', import.meta.url));
    expect(ids(await collect(client(sim.endpoints.cecstack!, { settings: { auth: { scheme: 'hook', module } } }).listInstances(R)))).toEqual(['ecs-cccccccccccccc']);
    const sent = mod.log.at(-1)!;
    expect(Object.values(sent.headers).join(' ')).not.toContain(SIM_CREDS.secret);
    await expect(collect(client(sim.endpoints.cecstack!).listInstances(R))).rejects.toMatchObject({ auth: true });
  });

  test('a 401 from an auth gateway (no {code, message, data} envelope) is an auth error, sent once', async () => {
    await sim.stop();
    mod = createCecstackSim({ auth: { scheme: 'bearer' }, gatewayAuth: true });
    sim = await startSim({ modules: [mod], ports: { cecstack: 0 } });
    const err = await collect(client(sim.endpoints.cecstack!, { secret: 'wrong' }).listInstances(R)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HTTP401', auth: true, retryable: false });
    expect(sim.requests).toHaveLength(1);
  });

  test('batch delete with one failing id: the others are deleted into the recycle bin', async () => {
    for (const id of ['ecs-d1', 'ecs-d2', 'ecs-d3', 'ecs-d4']) vm({ ecsId: id });
    sim.faults.failIds('ecs-d3');
    const out = await cli().deleteInstances(R, ['ecs-d1', 'ecs-d2', 'ecs-d3', 'ecs-d4']);
    expect(out.filter((o) => o.ok).map((o) => o.id).sort()).toEqual(['ecs-d1', 'ecs-d2', 'ecs-d4']);
    expect(out.find((o) => o.id === 'ecs-d3')).toMatchObject({ ok: false, error: { code: 'ECS.OperationDenied.CleanVolume' } });
    expect(mod.instances().filter((v) => v.status === 'SoftDeleted').map((v) => v.ecsId).sort()).toEqual(['ecs-d1', 'ecs-d2', 'ecs-d4']);
    expect(mod.recycleEntries().map((e) => e.cleanAt)).toEqual(Array(3).fill(NOW.getTime() / 1000 + 7 * 86400));
    // hidden from the listing unless asked for
    expect(ids(await collect(cli().listInstances(R)))).toEqual(['ecs-d3']);
    expect(ids(await collect(cli().listInstances(R, { includeRecycled: true }))).sort()).toEqual(['ecs-d1', 'ecs-d2', 'ecs-d3', 'ecs-d4']);
  });

  test('force delete purges from the bin; a locked VM is refused', async () => {
    vm({ ecsId: 'ecs-f1' });
    vm({ ecsId: 'ecs-f2', isLock: true });
    const out = await cli().deleteInstances(R, ['ecs-f1', 'ecs-f2'], { force: true });
    expect(out).toEqual([
      expect.objectContaining({ id: 'ecs-f1', ok: true }),
      expect.objectContaining({ id: 'ecs-f2', ok: false, error: expect.objectContaining({ code: 'ECS.OperationDenied.Identity' }) }),
    ]);
    expect(mod.instances().map((v) => v.ecsId)).toEqual(['ecs-f2']);
    expect(mod.recycleEntries()).toEqual([]);
  });

  test('stop follows the state machine: a stopped VM cannot be stopped again', async () => {
    vm({ ecsId: 'ecs-s1' });
    vm({ ecsId: 'ecs-s2', status: 'Stopped' });
    const out = await cli().stopInstances(R, ['ecs-s1', 'ecs-s2']);
    expect(out.map((o) => [o.id, o.ok, o.error?.code])).toEqual([
      ['ecs-s1', true, undefined],
      ['ecs-s2', false, 'ECS.InvalidParameter.Status.NotSupported'],
    ]);
    expect(mod.instances().map((v) => v.status)).toEqual(['Stopped', 'Stopped']);
  });

  test('a dry-run transport refuses a mutation and the simulator sees no request', async () => {
    vm({ ecsId: 'ecs-r1' });
    await expect(cli({ transport: fastTransport(true) }).deleteInstances(R, ['ecs-r1'])).rejects.toBeInstanceOf(DryRunViolation);
    expect(sim.requests).toHaveLength(0);
    expect(mod.instances()[0]!.status).toBe('Running');
  });

  test('labels: read-modify-write of the full set; a sixth label fails clearly', async () => {
    vm({ ecsId: 'ecs-l1', labels: [{ key: 'a', value: '1' }] });
    const c = cli();
    expect((await c.setTags(R, 'ecs-l1', { 'auto-delete-at': '2026-03-05T12:00:00+08:00' })).ok).toBe(true);
    expect(mod.instances()[0]!.labels).toEqual([{ key: 'a', value: '1' }, { key: 'auto-delete-at', value: '2026-03-05T12:00:00+08:00' }]);
    expect((await c.removeTags(R, 'ecs-l1', ['a'])).ok).toBe(true);
    expect(mod.instances()[0]!.labels.map((l) => l.key)).toEqual(['auto-delete-at']);
    await c.setTags(R, 'ecs-l1', { b: '1', c: '1', d: '1', e: '1' });
    const full = await c.setTags(R, 'ecs-l1', { f: '1' });
    expect(full).toMatchObject({ ok: false, error: { code: 'LabelLimitExceeded', retryable: false } });
    expect(full.error!.message).toMatch(/at most 5/);
    expect(mod.instances()[0]!.labels).toHaveLength(5);
  });
});

describe('recycle bin against the simulator', () => {
  test('list (both kinds, purgeAt from cleanAt), restore, purge, auto-clean when due, config', async () => {
    vm({ ecsId: 'ecs-b1' });
    vm({ ecsId: 'ecs-b2' });
    const snap = mod.addSnapshot({ ecsId: 'ecs-b1', name: 'ca-x', region: 'region0', createdAt: NOW.getTime() - 3_600_000, type: 'manual' });
    const c = cli();
    await c.deleteInstances(R, ['ecs-b1', 'ecs-b2']);
    await c.deleteSnapshots(R, [snap.ecsSnapshotId]);
    const items = await collect(c.listRecycleBin(R));
    expect(items.map((i) => [i.kind, i.id, i.purgeAt]).sort()).toEqual([
      ['instance', 'ecs-b1', '2026-03-09T04:00:00.000Z'],
      ['instance', 'ecs-b2', '2026-03-09T04:00:00.000Z'],
      ['snapshot', snap.ecsSnapshotId, '2026-03-09T04:00:00.000Z'],
    ]);
    const detail = await c.getRecycledInstance(R, 'ecs-b1');
    expect(detail.detail.ecsId).toBe('ecs-b1');
    const restored = await c.restoreRecycled(R, items.filter((i) => i.id !== 'ecs-b2'));
    expect(restored.every((o) => o.ok)).toBe(true);
    expect(mod.instances().find((v) => v.ecsId === 'ecs-b1')!.status).toBe('Stopped');
    expect(mod.snapshots().find((s) => s.ecsSnapshotId === snap.ecsSnapshotId)!.recycled).toBe(false);
    // auto-clean refuses before cleanAt, purges after
    const early = await c.autoCleanRecycled(R, ['ecs-b2']);
    expect(early[0]).toMatchObject({ ok: false, error: { code: 'ECS.InvalidParameter.Status.NotSupported' } });
    expect(await c.getRecycleBinConfig(R)).toEqual({ enabled: true, retentionDays: 7 });
    expect(await client(base).getRecycleBinConfig(R)).toBeUndefined();
    const purged = await c.purgeRecycled(R, items.filter((i) => i.id === 'ecs-b2'));
    expect(purged[0]!.ok).toBe(true);
    expect(mod.instances().map((v) => v.ecsId)).toEqual(['ecs-b1']);
  });

  test('the recycle list pages with current/size; entries vanish once the clock passes cleanAt', async () => {
    for (let i = 0; i < 12; i++) vm({ ecsId: `ecs-p${i}` });
    await cli().deleteInstances(R, mod.instances().map((v) => v.ecsId));
    const pages: unknown[][] = [];
    for await (const p of cli({ extras: { pageSize: 5 } }).listRecycleBin(R)) pages.push(p);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    sim.clock.advance(7 * 86_400_000);
    expect(await collect(cli().listRecycleBin(R))).toEqual([]);
    expect(mod.instances()).toEqual([]);
  });
});

describe('issue 17: CECSTACK as documented, not as first read', () => {
  test('the recycle list reads `total` as pages ("总页数", L13117): 250 entries, all listed and purgeable', async () => {
    for (let i = 0; i < 250; i++) vm({ ecsId: `ecs-r${String(i).padStart(3, '0')}` });
    await cli().deleteInstances(R, mod.instances().map((v) => v.ecsId));
    const listed = await collect(cli().listRecycleBin(R));
    expect(new Set(listed.map((e) => e.id)).size).toBe(250);
    expect(sim.requests.filter((r) => r.action === 'ListRecycle')).toHaveLength(3);
  });

  test('a server holding shorter pages than asked (30 of 100): instances and the recycle bin are listed whole', async () => {
    await sim.stop();
    mod = createCecstackSim({ pageClamp: 30 });
    sim = await startSim({ modules: [mod], ports: { cecstack: 0 } });
    sim.clock.set(NOW);
    for (let i = 0; i < 130; i++) vm({ ecsId: `ecs-s${String(i).padStart(3, '0')}` });
    const c = client(sim.endpoints.cecstack!);
    expect(new Set((await collect(c.listInstances(R))).map((i) => i.id)).size).toBe(130);
    await c.deleteInstances(R, mod.instances().slice(0, 70).map((v) => v.ecsId));
    expect(new Set((await collect(c.listRecycleBin(R))).map((e) => e.id)).size).toBe(70);
    expect(sim.requests.filter((r) => r.action === 'ListRecycle')).toHaveLength(3);
  });

  test('absent fields where the dense simulator sends null read the same (sparse mode)', async () => {
    const read = async () => {
      vm({ ecsId: 'ecs-x1', labels: [{ key: 'team', value: 'web' }] });
      vm({ ecsId: 'ecs-x2' });
      const c = cli();
      const { id } = await c.createSnapshotPolicy(R, { name: 'ca-s', hoursUtc: [1], weekdays: [], retentionDays: 2 }, 't');
      await c.bindSnapshotPolicy(R, id, ['ecs-x1']);
      await c.deleteInstances(R, ['ecs-x2']);
      const [src] = await c.listSnapshotSources(R, await collect(c.listInstances(R)));
      await c.createSnapshot(R, src!, { name: 'ca-snap', clientToken: 'k' });
      return {
        instances: await collect(c.listInstances(R, { includeRecycled: true })),
        policies: await c.listSnapshotPolicies(R),
        snapshots: (await collect(c.listSnapshots(R))).map((x) => ({ ...x, id: 'snap' })),
        bin: await collect(c.listRecycleBin(R)),
      };
    };
    const dense = await read();
    await sim.stop();
    mod = createCecstackSim({ sparse: true });
    sim = await startSim({ modules: [mod], ports: { cecstack: 0 } });
    sim.clock.set(NOW);
    base = sim.endpoints.cecstack!;
    const sparse = await read();
    expect({ ...sparse, policies: sparse.policies.map((p) => ({ ...p, id: 'p' })) }).toEqual({ ...dense, policies: dense.policies.map((p) => ({ ...p, id: 'p' })) });
  });

  test('a DB write failure (ECS.DBCreate.Fail, HTTP 400) on create is never resent; the vendor state decides', async () => {
    vm({ ecsId: 'ecs-w9' });
    const c = cli();
    const [source] = await c.listSnapshotSources(R, await collect(c.listInstances(R)));
    // the snapshot was made before the write failed: found by name, not created again
    mod.dbFailures.set('CreateSnapshot', { code: 'ECS.DBCreate.Fail', acted: true, times: 1 });
    await c.createSnapshot(R, source!, { name: 'ca-db-1', clientToken: 'k' });
    expect(mod.snapshots().filter((s) => s.name === 'ca-db-1')).toHaveLength(1);
    expect(sim.requests.filter((r) => r.action === 'CreateSnapshot')).toHaveLength(1);
    // nothing was made: the error surfaces after one request
    mod.dbFailures.set('CreateSnapshot', { code: 'ECS.DBCreate.Fail', acted: false, times: 1 });
    await expect(c.createSnapshot(R, source!, { name: 'ca-db-2', clientToken: 'k2' })).rejects.toMatchObject({ code: 'ECS.DBCreate.Fail' });
    expect(sim.requests.filter((r) => r.action === 'CreateSnapshot')).toHaveLength(2);
    expect(mod.snapshots().filter((s) => s.name === 'ca-db-2')).toEqual([]);
    // a modify is not resent either
    const { id } = await c.createSnapshotPolicy(R, { name: 'ca-p', hoursUtc: [1], weekdays: [], retentionDays: 1 }, 't');
    mod.dbFailures.set('ModifyPolicy', { code: 'ECS.DBUpdate.Fail', acted: false, times: 3 });
    expect((await c.updateSnapshotPolicy(R, id, { name: 'ca-p', hoursUtc: [2], weekdays: [], retentionDays: 1 })).ok).toBe(false);
    expect(sim.requests.filter((r) => r.action === 'ModifyPolicy')).toHaveLength(1);
  });
});

describe('snapshots and policies against the simulator', () => {
  test('create is one request (the snapshot is found by name in the listing); delete goes to the bin', async () => {
    vm({ ecsId: 'ecs-n1' });
    const c = cli();
    const [source] = await c.listSnapshotSources(R, await collect(c.listInstances(R)));
    const before = sim.requests.length;
    await c.createSnapshot(R, source!, { name: 'ca-daily-1', clientToken: 'k' });
    expect(sim.requests.slice(before).map((r) => r.action)).toEqual(['CreateSnapshot']);
    expect(mod.snapshots()).toHaveLength(1);
    const [snap] = await collect(c.listSnapshots(R, { sourceIds: ['ecs-n1'] }));
    expect(snap).toMatchObject({ id: expect.stringMatching(/^ecs\.snapshot-/), name: 'ca-daily-1', state: 'creating', sourceKind: 'vm', instanceId: 'ecs-n1' });
    const first = { snapshotId: snap!.id };
    sim.clock.advance(120_000);
    expect((await c.getSnapshot(R, first.snapshotId!))!.state).toBe('ready');
    sim.faults.failIds('ecs.snapshot-missing');
    const out = await c.deleteSnapshots(R, [first.snapshotId!, 'ecs.snapshot-missing']);
    expect(out.map((o) => o.ok)).toEqual([true, false]);
    expect(mod.recycleEntries().map((e) => e.instanceType)).toEqual(['ecsSnapshot']);
  });

  test('policy create (PUT, found by name), bind, unbind, pause, resume, modify', async () => {
    vm({ ecsId: 'ecs-q1' });
    const c = cli();
    const spec = { name: 'ca-nightly', hoursUtc: [18], weekdays: [], retentionDays: 7 };
    const { id } = await c.createSnapshotPolicy(R, spec, 'tok');
    expect((await c.createSnapshotPolicy(R, spec, 'tok')).id).toBe(id);
    const p = mod.state.policies.get(id)!;
    // expire is minutes ("过期时间（分钟）", seed 003 L11467): 7 days = 10080
    expect([p.hourOfDay, p.weekDays, p.expire]).toEqual(['2', '1,2,3,4,5,6,7', 10080]);
    expect((await c.bindSnapshotPolicy(R, id, ['ecs-q1', 'ecs-none']))!.map((o) => o.ok)).toEqual([true, false]);
    expect(await c.listSnapshotPolicies(R)).toEqual([{ id, name: 'ca-nightly', hoursUtc: [18], weekdays: [], retentionDays: 7, boundSourceIds: ['ecs-q1'], enabled: true }]);
    await c.pauseSnapshotPolicy(R, id);
    expect((await c.getSnapshotPolicy(R, id))!.enabled).toBe(false);
    await c.resumeSnapshotPolicy(R, id);
    expect((await c.updateSnapshotPolicy(R, id, { ...spec, retentionDays: 30 })).ok).toBe(true);
    expect(mod.state.policies.get(id)!.expire).toBe(43200);
    // more than 65536 minutes (45.5 days) cannot be expressed: refused with the reason, nothing sent
    const before = sim.requests.length;
    await expect(c.updateSnapshotPolicy(R, id, { ...spec, retentionDays: 46 })).rejects.toThrow(/minutes, 0-65536.*at most 45 days/);
    expect(sim.requests.length).toBe(before);
    await c.unbindSnapshotPolicy(R, id, ['ecs-q1']);
    expect(mod.instances()[0]!.policyId).toBeUndefined();
  });
});

describe('renewal against the simulator', () => {
  test('quote covers the VM, disks and EIPs; renew extends expiry; on-demand is refused', async () => {
    const exp = Date.parse('2026-03-10T15:59:59Z');
    vm({ ecsId: 'ecs-w1', billingMode: 'ByCycle', expiresAt: exp, volumes: [{ volumeUuid: 'volume-1', name: 'os', sizeGb: 20, expiresAt: exp }], eips: [{ eipId: 'eip-1', expiresAt: exp, monthlyFen: 3000 }] });
    vm({ ecsId: 'ecs-w2' });
    const c = cli({ settings: { tenantId: 't', departmentId: 'd' } });
    const quotes = await c.quoteRenewal(R, ['ecs-w1'], 2);
    expect(quotes.map((q) => [q.kind, q.resourceId, q.amount, q.expiresAt])).toEqual([
      ['instance', 'ecs-w1', '400', '2026-03-10T15:59:59.000Z'],
      ['disk', 'volume-1', '28', '2026-03-10T15:59:59.000Z'],
      ['eip', 'eip-1', '60', '2026-03-10T15:59:59.000Z'],
    ]);
    expect(await c.quoteRenewalByInquiry(R, { id: 'ecs-w1', zone: 'AZ0' }, 1)).toMatchObject({ amount: '200', kind: 'instance' });
    const out = await c.renewInstances(R, ['ecs-w1', 'ecs-w2'], 1, 'tok');
    expect(out.map((o) => [o.id, o.ok])).toEqual([
      ['ecs-w1', true],
      ['ecs-w2', false],
    ]);
    expect(new Date(mod.instances()[0]!.expiresAt!).toISOString()).toBe('2026-04-10T15:59:59.000Z');
    await expect(c.setAutoRenew()).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.getSpotPrices()).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.setAutoDeleteTime()).rejects.toBeInstanceOf(UnsupportedCapability);
  });
});

describe('fleet seeding', () => {
  test('demo fleet holds the mix the automations act on', async () => {
    mod.seedFleet({ rng: new Rng(3), count: 20, now: NOW, demo: true });
    const all = await collect(cli().listInstances(R, { includeRecycled: true }));
    expect(all.filter((i) => i.tags['auto-delete-at'] !== undefined)).toHaveLength(4);
    expect(all.some((i) => i.name.startsWith('tmp-'))).toBe(true);
    const days = all.filter((i) => i.chargeType === 'prepaid' && i.expiresAt).map((i) => (Date.parse(i.expiresAt!) - NOW.getTime()) / 86_400_000);
    expect(days.some((d) => d > 0 && d < 2) && days.some((d) => d > 39 && d < 41)).toBe(true);
    const bin = await collect(cli().listRecycleBin(R));
    expect(bin.some((i) => i.kind === 'snapshot') && bin.some((i) => Date.parse(i.purgeAt!) - NOW.getTime() < 86_400_000)).toBe(true);
    const snaps = await collect(cli().listSnapshots(R));
    expect(snaps.filter((s) => s.name.startsWith('ca-')).length).toBeGreaterThanOrEqual(30);
    expect(snaps.some((s) => !s.name.startsWith('ca-'))).toBe(true);
    expect(all.some((i) => Object.keys(i.tags).length === 5)).toBe(true);
  });

  test('the same seed gives the same fleet; 100k instances are served page by page', async () => {
    const a = createCecstackSim();
    const b = createCecstackSim();
    a.seedFleet({ rng: new Rng(9), count: 30, now: NOW });
    b.seedFleet({ rng: new Rng(9), count: 30, now: NOW });
    expect(a.instances()).toEqual(b.instances());
    mod.seedFleet({ rng: new Rng(1), count: 100_000, now: NOW });
    const c = cli();
    let seen = 0;
    let pages = 0;
    for await (const page of c.listInstances(R)) {
      seen += page.length;
      if (++pages === 3) break;
    }
    expect(seen).toBe(300);
  });
});

test('operator credentials reach the operator side only', async () => {
  const c = client(base, { settings: { operatorEndpoint: base } });
  await c.getRecycleBinConfig(R);
  const last = mod.log.at(-1)!;
  expect(last.path).toBe('/api/ecs/v1/instances/recycle-config');
  expect(last.headers.authorization).toBe(`Bearer ${SIM_CREDS.secret}`);
});

test('a failure names the side that failed: the operator endpoint for an operator-side call, the tenant one otherwise', async () => {
  const transport = new Transport({ retry: { maxAttempts: 1 }, timeoutMs: 2_000 });
  const operatorDown = client(base, { settings: { operatorEndpoint: 'http://127.0.0.1:9' }, transport });
  await expect(operatorDown.getRecycleBinConfig(R)).rejects.toThrow(/cannot reach target "cec-test" at http:\/\/127\.0\.0\.1:9: check its endpoint setting/);
  const tenantDown = client('http://127.0.0.1:9', { settings: { operatorEndpoint: base }, transport });
  await expect(collect(tenantDown.listInstances(R))).rejects.toThrow(/cannot reach target "cec-test" at http:\/\/127\.0\.0\.1:9: check/);
});

// sim/core/faults.ts: `latency` waits, then the cloud acts and answers; `round-trip` acts at once
// and answers `latencyMs` after the request arrived (the fan-out bench's clouds: eight simulated
// clouds share one thread there, and their work must not queue behind each other's delays).
describe('injected latency and round trips', () => {
  // only timers are faked (never run by themselves): the answer waits for the test to advance them
  const fakeTimersOnly = () => jest.useFakeTimers({ doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
  afterEach(() => jest.useRealTimers());
  const turns = async (n = 2_000, until: () => boolean = () => false) => {
    for (let i = 0; i < n && !until(); i++) await new Promise((r) => setImmediate(r));
  };

  test.each([
    ['round-trip', true],
    ['latency', false],
  ] as const)('%s: the stop is done before the answer leaves: %s', async (kind, actsFirst) => {
    vm({ ecsId: 'ecs-rt1' });
    sim.faults.inject({ kind, latencyMs: 10_000 });
    fakeTimersOnly();
    let answered = false;
    const call = cli().stopInstances(R, ['ecs-rt1']).finally(() => (answered = true));
    await turns(200_000, () => sim.requests.length > 0 || mod.instances()[0]!.status !== 'Running');
    await turns();
    expect(answered).toBe(false); // the answer waits for the round trip
    expect(mod.instances()[0]!.status).toBe(actsFirst ? 'Stopped' : 'Running');
    jest.advanceTimersByTime(10_000);
    const [out] = await call;
    expect(out).toMatchObject({ id: 'ecs-rt1', ok: true });
    expect(mod.instances()[0]!.status).toBe('Stopped');
  });
});
