/**
 * Issue 17 (Alibaba items 1-7): the client against what a real Apsara deployment may send, read from
 * seed 001 and the public SDK model rather than from our own simulator's first reading.
 */
import { collect, MUTATION_CONCURRENCY, PagingError, Transport, type ListInstancesOptions } from '../../../lib/vendors/core';
import { createAlibabaClient, type AlibabaClient } from '../../../lib/vendors/alibaba';
import { startSim, type RunningSim } from '../../../sim/core';
import { createAlibabaSim, type AlibabaShapes, type AlibabaSim } from '../../../sim/alibaba';

const REGION = 'cn-qingdao-sg-d01';
const scope = { region: REGION };
const creds = { accessKeyId: 'sim-alibaba-id', secret: 'sim-alibaba-secret' };
let sim: RunningSim | undefined;
let mod: AlibabaSim;
let endpoint: string;

async function start(shapes: AlibabaShapes = {}) {
  mod = createAlibabaSim(1, shapes);
  sim = await startSim({ modules: [mod], ports: { alibaba: 0 } });
  endpoint = sim.endpoints.alibaba!;
}
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** Query strings the client sent (the simulator's request log keeps no parameters). */
let sent: URLSearchParams[] = [];
beforeEach(() => {
  sent = [];
});
const recording = ((url: string, init?: RequestInit) => {
  sent.push(new URL(url).searchParams);
  return fetch(url, init);
}) as typeof fetch;
const lastSent = (action: string) => sent.filter((q) => q.get('Action') === action).at(-1)!;

const client = (fetchImpl: typeof fetch = recording): AlibabaClient =>
  createAlibabaClient({
    target: 'apsara',
    endpoint: endpoint ?? 'http://127.0.0.1:1',
    credentials: creds,
    transport: new Transport({ retry: { baseDelayMs: 1, maxDelayMs: 2 }, fetch: fetchImpl }),
    settings: {},
  });
const received = (action: string) => sim!.requests.filter((r) => r.action === action);

/** A vendor that answers every call from `answer` (the action name and its query); counts calls. */
function fakeVendor(answer: (action: string, q: URLSearchParams) => { status?: number; body: unknown }) {
  const calls: URLSearchParams[] = [];
  const impl = (async (url: string) => {
    const q = new URL(url).searchParams;
    calls.push(q);
    const { status = 200, body } = answer(q.get('Action')!, q);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { impl, calls };
}

describe('paging (item 1): pages are counted, never derived from the items received', () => {
  it('lists 250 instances from a server that holds 30 per page: 250 distinct, 9 pages', async () => {
    await start({ pageClamp: 30 });
    for (let i = 0; i < 250; i++) mod.addInstance({ name: `n${i}` });
    const all = await collect(client().listInstances(scope));
    expect(new Set(all.map((i) => i.id)).size).toBe(250);
    expect(all).toHaveLength(250);
    expect(sent.filter((q) => q.get('Action') === 'DescribeInstances').map((q) => q.get('PageNumber'))).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('an id seen twice is a read failure, not a silently duplicated fleet', async () => {
    endpoint = 'http://apsara.invalid';
    const inst = (id: string) => ({ InstanceId: id, Status: 'Running', InstanceChargeType: 'PostPaid' });
    const vendor = fakeVendor((_a, q) => ({
      // a server that rounds PageNumber down and repeats page 1
      body: { RequestId: 'r', TotalCount: 3, Instances: { Instance: q.get('PageNumber') === '1' ? [inst('i-a'), inst('i-b')] : [inst('i-a')] } },
    }));
    await expect(collect(client(vendor.impl).listInstances(scope, { tagKeys: ['k'] }))).rejects.toThrow(PagingError);
  });

  it('a total that moves during the listing is a read failure', async () => {
    await start({ pageClamp: 10 });
    // 10 pages: the ones asked for ahead of page 1's hand-over (PAGES_AHEAD) may predate the move, the rest do not
    for (let i = 0; i < 95; i++) mod.addInstance({ name: `n${i}` });
    const pages = client().listInstances(scope)[Symbol.asyncIterator]();
    await pages.next();
    mod.addInstance({ name: 'late' });
    await expect(
      (async () => {
        for (let r = await pages.next(); !r.done; r = await pages.next());
      })(),
    ).rejects.toThrow(/total moved/);
  });
});

describe('snapshot policies (items 2, 4, 6)', () => {
  it('reads the SDK spelling AutoSnapshotPolicies as well as the seed\'s AutoSnapshotPolicys', async () => {
    for (const sdkShapes of [false, true]) {
      await start({ sdkShapes });
      const { id } = await client().createSnapshotPolicy(scope, { name: 'nightly', hoursUtc: [18], weekdays: [], retentionDays: 7 }, 'tok-1');
      expect((await client().listSnapshotPolicies(scope)).map((p) => p.id)).toEqual([id]);
      await sim!.stop();
      sim = undefined;
    }
  });

  it('TotalCount > 0 with no policy under any known name is a read failure', async () => {
    endpoint = 'http://apsara.invalid';
    const vendor = fakeVendor(() => ({ body: { RequestId: 'r', TotalCount: 2, PageNumber: 1, PageSize: 50, AutoSnapshotPolicyList: { AutoSnapshotPolicy: [{}, {}] } } }));
    await expect(client(vendor.impl).listSnapshotPolicies(scope)).rejects.toThrow(PagingError);
  });

  it('reads bindings back from the disks (AutoSnapshotPolicyId), and says when the vendor does not report them', async () => {
    await start();
    const a = mod.addInstance({ name: 'a' });
    const disk = mod.disks().find((d) => d.instanceId === a.id)!;
    const c = client();
    const { id } = await c.createSnapshotPolicy(scope, { name: 'nightly', hoursUtc: [18], weekdays: [], retentionDays: 7 }, 'tok-2');
    await c.bindSnapshotPolicy(scope, id, [disk.id]);
    expect(await c.listSnapshotPolicies(scope)).toEqual([expect.objectContaining({ id, boundSourceIds: [disk.id], bindingsKnown: true })]);
    // only disks with a policy are swept (EnableAutoSnapshot=true, seed 001 L2667)
    expect(lastSent('DescribeDisks').get('EnableAutoSnapshot')).toBe('true');
    mod.state.shapes.sdkShapes = true; // the seed's DiskItemType: no AutoSnapshotPolicyId
    expect(await c.listSnapshotPolicies(scope)).toEqual([expect.objectContaining({ id, boundSourceIds: [], bindingsKnown: false })]);
  });

  it('creates a keep-forever policy without RetentionDays (the create table allows 1-65536 only, L4059); modify sends -1 (L4172)', async () => {
    await start();
    const c = client();
    const { id } = await c.createSnapshotPolicy(scope, { name: 'forever', hoursUtc: [1], weekdays: [], retentionDays: 0 }, 'tok-3');
    expect(lastSent('CreateAutoSnapshotPolicy').has('RetentionDays')).toBe(false);
    expect(mod.state.policies.get(id)!.retentionDays).toBe(-1);
    await c.updateSnapshotPolicy(scope, id, { name: 'forever', hoursUtc: [1], weekdays: [], retentionDays: 3 });
    expect((await c.updateSnapshotPolicy(scope, id, { name: 'forever', hoursUtc: [1], weekdays: [], retentionDays: 0 })).ok).toBe(true);
    expect(mod.state.policies.get(id)!.retentionDays).toBe(-1);
  });
});

describe('instances (items 3, 4, 5)', () => {
  it('reads a security lock in both documented forms (LockReason wrapper L1833, OperationLock node L8649)', async () => {
    for (const sdkShapes of [false, true]) {
      await start({ sdkShapes });
      const locked = mod.addInstance({ name: 'locked', locked: true });
      mod.addInstance({ name: 'free' });
      const all = await collect(client().listInstances(scope));
      expect(all.find((i) => i.id === locked.id)!.restricted).toBe('other');
      expect(all.find((i) => i.name === 'free')!.restricted).toBeUndefined();
      await sim!.stop();
      sim = undefined;
    }
  });

  it('a PostPaid instance with SpotAsPriceGo/SpotWithPriceLimit is spot; a spot selector finds it', async () => {
    await start();
    const go = mod.addInstance({ name: 'go', chargeType: 'PostPaid', spotStrategy: 'SpotAsPriceGo' });
    const cap = mod.addInstance({ name: 'cap', chargeType: 'PostPaid', spotStrategy: 'SpotWithPriceLimit' });
    mod.addInstance({ name: 'plain', chargeType: 'PostPaid', spotStrategy: 'NoSpot' });
    const spot = await collect(client().listInstances(scope, { chargeTypes: ['spot'] }));
    expect(spot.map((i) => i.id).sort()).toEqual([go.id, cap.id].sort());
    expect(spot.every((i) => i.chargeType === 'spot' && i.expiresAt === undefined)).toBe(true);
  });

  it('an absent InstanceChargeType is unknown, never postpaid, and keeps its ExpiredTime', async () => {
    await start({ dropChargeEvery: 1 });
    mod.addInstance({ name: 'pre', chargeType: 'PrePaid', expiredAt: Date.UTC(2030, 0, 2, 3, 4) });
    const [inst] = await collect(client().listInstances(scope, { chargeTypes: ['prepaid'] }));
    expect(inst).toMatchObject({ chargeType: 'unknown', rawChargeType: undefined, expiresAt: '2030-01-02T03:04:00.000Z' });
    expect(received('DescribeInstances')[0]!.status).toBe(200);
  });
});

describe('errors and retries (item 6)', () => {
  it('a permission error (Forbidden.RAM, L9729) stops the scope instead of being tried for every id', async () => {
    await start();
    const ids = Array.from({ length: 3 * MUTATION_CONCURRENCY }, (_, n) => mod.addInstance({ name: `s${n}` }).id);
    mod.state.denied.add('StopInstance');
    await expect(client().stopInstances(scope, ids)).rejects.toMatchObject({ code: 'Forbidden.RAM', auth: true });
    // the calls already in flight when the first refusal came back, and none started after it
    expect(received('StopInstance').length).toBeLessThanOrEqual(MUTATION_CONCURRENCY);
  });

  it('a ClientToken call is retried after a 5xx (seed 001 L9774) and acts once', async () => {
    await start();
    const inst = mod.addInstance({ name: 'snap-me' });
    const disk = mod.disks().find((d) => d.instanceId === inst.id)!;
    sim!.faults.inject({ kind: '5xx', vendor: 'alibaba', action: 'CreateSnapshot', times: 1 });
    const source = { vendor: 'alibaba' as const, target: 'apsara', region: REGION, id: disk.id, kind: 'disk' as const, instanceId: inst.id };
    const made = await client().createSnapshot(scope, source, { name: 'ca-one', clientToken: 'tok-snap' });
    expect(made.snapshotId).toBeDefined();
    expect(received('CreateSnapshot').map((r) => r.status)).toEqual([500, 200]);
    expect(mod.snapshots().filter((s) => s.name === 'ca-one')).toHaveLength(1);
  });

  it('a mutation without ClientToken is not resent after a 5xx', async () => {
    await start();
    const inst = mod.addInstance({ name: 'x', status: 'Stopped' });
    sim!.faults.inject({ kind: '5xx', vendor: 'alibaba', action: 'DeleteInstance', times: 1 });
    const [out] = await client().deleteInstances(scope, [inst.id]);
    expect(out!.ok).toBe(false);
    expect(received('DeleteInstance')).toHaveLength(1);
  });
});

it('reads inline Tags where the deployment sends them (SDK model) and then sends no DescribeTags', async () => {
  await start({ sdkShapes: true });
  const a = mod.addInstance({ name: 'a' }, { tags: { team: 'web' } });
  mod.addInstance({ name: 'b' });
  const all = await collect(client().listInstances(scope));
  expect(all.find((i) => i.id === a.id)!.tags).toEqual({ team: 'web' });
  expect(all.find((i) => i.name === 'b')!.tags).toEqual({});
  expect(received('DescribeTags')).toHaveLength(0);
});

it('reads by id in chunks of the documented maximum (InstanceIds: at most 100, L1701)', async () => {
  await start();
  const ids = Array.from({ length: 150 }, (_, i) => mod.addInstance({ name: `c${i}` }).id);
  const all = await collect(client().listInstances(scope, { ids }));
  expect(all.map((i) => i.id).sort()).toEqual([...ids].sort());
  const sizes = sent.filter((q) => q.get('Action') === 'DescribeInstances').map((q) => (JSON.parse(q.get('InstanceIds')!) as string[]).length);
  expect(sizes).toEqual([100, 50]);
});

describe('tag reads only for candidates (item 7)', () => {
  async function fleet() {
    await start();
    for (let i = 0; i < 300; i++) mod.addInstance({ name: `web-${i}` });
    const tagged = [0, 1, 2].map((i) => mod.addInstance({ name: `t${i}` }, { tags: { 'auto-delete-at': '2030-01-01T00:00:00+08:00' } }));
    const tmp = [0, 1].map((i) => mod.addInstance({ name: `tmp-${i}` }));
    const prepaid = mod.addInstance({ name: 'pre', chargeType: 'PrePaid', expiredAt: Date.UTC(2030, 0, 1) }, { tags: { owner: 'ops' } });
    return { tagged, tmp, prepaid };
  }
  const run = async (opts: ListInstancesOptions) => {
    const before = { list: received('DescribeInstances').length, tags: received('DescribeTags').length };
    const out = await collect(client().listInstances(scope, opts));
    return { out, lists: received('DescribeInstances').length - before.list, tagReads: received('DescribeTags').length - before.tags };
  };

  it('candidates by tag key: one tag-filtered listing, tags read for the carriers only', async () => {
    const { tagged } = await fleet();
    const r = await run({ candidates: { tagKeys: ['auto-delete-at'] } });
    expect(r.out.map((i) => i.id).sort()).toEqual(tagged.map((i) => i.id).sort());
    expect(r.out.every((i) => i.tags['auto-delete-at'] === '2030-01-01T00:00:00+08:00')).toBe(true);
    expect(r).toMatchObject({ lists: 1, tagReads: 3 });
    expect(lastSent('DescribeInstances').get('Tag.1.Key')).toBe('auto-delete-at');
  });

  it('the selection\'s count (the blast-radius base) is asked beside the tag-filtered listing, not before it', async () => {
    const { tagged } = await fleet();
    // answers wait until both listings are out: one after the other, the first would never be answered
    const out: URLSearchParams[] = [];
    let release!: () => void;
    let alone = false;
    const bothOut = new Promise<void>((r) => (release = r));
    const gated = (async (url: string, init?: RequestInit) => {
      const q = new URL(url).searchParams;
      if (q.get('Action') === 'DescribeInstances') {
        out.push(q);
        if (out.length === 2) release();
        await Promise.race([bothOut, new Promise((r) => setTimeout(r, 2000)).then(() => (alone = true))]);
      }
      return fetch(url, init);
    }) as typeof fetch;
    const counted: { matched?: number } = {};
    const listed = await collect(client(gated).listInstances(scope, { tagKeys: [], candidates: { tagKeys: ['auto-delete-at'], counted } }));
    expect(alone).toBe(false); // no listing waited for the other's answer
    expect(out.map((q) => q.get('PageSize'))).toEqual(['1', '100']);
    expect(counted.matched).toBe(306); // every instance: no vendor-side filter besides the candidates' tag
    expect(listed.map((i) => i.id).sort()).toEqual(tagged.map((i) => i.id).sort());
  });

  it('a name glob and a charge type filter the listing before any tag read', async () => {
    const { tmp, prepaid } = await fleet();
    const byName = await run({ names: ['tmp-*'] });
    expect(byName.out.map((i) => i.id).sort()).toEqual(tmp.map((i) => i.id).sort());
    expect(byName).toMatchObject({ lists: 4, tagReads: 2 });
    const byCharge = await run({ chargeTypes: ['prepaid'] });
    expect(byCharge.out.map((i) => i.id)).toEqual([prepaid.id]);
    expect(byCharge.out[0]!.tags).toEqual({ owner: 'ops' });
    expect(byCharge.tagReads).toBe(1);
  });
});
