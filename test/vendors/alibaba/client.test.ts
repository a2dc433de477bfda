import RPCClient from '@alicloud/pop-core';
import { collect, DryRunViolation, Transport, UnsupportedCapability, VendorError } from '../../../lib/vendors/core';
import { buildRequest, createAlibabaClient, type AlibabaClient } from '../../../lib/vendors/alibaba';
import { Rng, startSim, type RunningSim } from '../../../sim/core';
import { createAlibabaSim, type AlibabaSim } from '../../../sim/alibaba';

const REGION = 'cn-qingdao-sg-d01';
const scope = { region: REGION };
const creds = { accessKeyId: 'sim-alibaba-id', secret: 'sim-alibaba-secret' };
let sim: RunningSim;
let mod: AlibabaSim;
let endpoint: string;

const transport = (readOnly = false) => new Transport({ readOnly, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
const client = (opts: { readOnly?: boolean; secret?: string } = {}): AlibabaClient =>
  createAlibabaClient({ target: 'apsara', endpoint, credentials: { ...creds, secret: opts.secret ?? creds.secret }, transport: transport(opts.readOnly), settings: {} });

beforeEach(async () => {
  mod = createAlibabaSim();
  sim = await startSim({ modules: [mod], ports: { alibaba: 0 } });
  endpoint = sim.endpoints.alibaba!;
});
afterEach(() => sim.stop());

const count = (action: string) => sim.requests.filter((r) => r.action === action).length;
const diskOf = (instanceId: string, type = 'system') => mod.disks().find((d) => d.instanceId === instanceId && d.type === type)!;

describe('alibaba client against the simulator', () => {
  it('lists regions', async () => {
    expect(await client().listRegions()).toEqual(['cn-qingdao-sg-d01', 'cn-hangzhou']);
  });

  it('pages DescribeInstances at PageSize 100 past several pages, with tags from DescribeTags', async () => {
    sim.seedFleet(7, 500);
    const expected = mod.instances().filter((i) => i.region === REGION);
    const tagged = expected.find((i) => Object.keys(mod.tagsOf('instance', i.id)).length)!;
    const all = await collect(client().listInstances(scope));
    expect(all.map((i) => i.id).sort()).toEqual(expected.map((i) => i.id).sort());
    expect(count('DescribeInstances')).toBe(Math.ceil(expected.length / 100));
    expect(all.find((i) => i.id === tagged.id)!.tags).toEqual(mod.tagsOf('instance', tagged.id));
    expect(all[0]).toMatchObject({ vendor: 'alibaba', target: 'apsara', region: REGION, chargeType: 'postpaid' });
  });

  it('filters by ids and pushes a single tag key down', async () => {
    const a = mod.addInstance({ name: 'a' }, { tags: { 'auto-delete-at': '2026-01-01T00:00:00+08:00' } });
    const b = mod.addInstance({ name: 'b' });
    expect((await collect(client().listInstances(scope, { ids: [b.id] }))).map((i) => i.name)).toEqual(['b']);
    const byTag = await collect(client().listInstances(scope, { tagKeys: ['auto-delete-at'] }));
    expect(byTag.map((i) => i.id)).toEqual([a.id]);
    expect(byTag[0]!.tags).toEqual({ 'auto-delete-at': '2026-01-01T00:00:00+08:00' });
  });

  it('reads ExpiredTime of prepaid instances (renewal read-only)', async () => {
    const at = Date.UTC(2030, 4, 6, 16, 0);
    mod.addInstance({ name: 'pre', chargeType: 'PrePaid', expiredAt: at });
    const [inst] = await collect(client().listInstances(scope, { chargeTypes: ['prepaid'] }));
    expect(inst).toMatchObject({ chargeType: 'prepaid', rawChargeType: 'PrePaid', expiresAt: '2030-05-06T16:00:00.000Z' });
    await expect(client().quoteRenewal(scope, [inst!.id], 1)).rejects.toBeInstanceOf(UnsupportedCapability);
  });

  it('leaves out prepaid instances expiring after `expiringBy`, unread (no DescribeTags for them)', async () => {
    const now = sim.clock.now().getTime();
    const soon = mod.addInstance({ name: 'soon', chargeType: 'PrePaid', expiredAt: now + 5 * 86_400_000 }, { tags: { owner: 'ann' } });
    mod.addInstance({ name: 'later', chargeType: 'PrePaid', expiredAt: now + 40 * 86_400_000 }, { tags: { owner: 'bob' } });
    const listed = await collect(client().listInstances(scope, { chargeTypes: ['prepaid'], expiringBy: new Date(now + 30 * 86_400_000).toISOString() }));
    expect(listed.map((i) => [i.id, i.tags])).toEqual([[soon.id, { owner: 'ann' }]]);
    expect(count('DescribeTags')).toBe(1);
  });

  it('retries Throttling (HTTP 400) and succeeds', async () => {
    mod.addInstance({ name: 'x' });
    sim.faults.inject({ kind: 'throttle', vendor: 'alibaba', action: 'DescribeInstances', times: 1 });
    const all = await collect(client().listInstances(scope));
    expect(all).toHaveLength(1);
    expect(sim.requests.filter((r) => r.action === 'DescribeInstances').map((r) => r.status)).toEqual([400, 200]);
  });

  it('stops, and deletes a running instance by stopping it first (DeleteInstance needs Stopped)', async () => {
    const run = mod.addInstance({ name: 'run' });
    const stopped = mod.addInstance({ name: 'stopped', status: 'Stopped' });
    const out = await client().deleteInstances(scope, [run.id, stopped.id]);
    expect(out.every((o) => o.ok)).toBe(true);
    expect(mod.instances()).toHaveLength(0);
    expect(count('StopInstance')).toBe(1);
    const s = mod.addInstance({ name: 's' });
    expect((await client().stopInstances(scope, [s.id]))[0]!.ok).toBe(true);
    expect(mod.state.instances.get(s.id)!.status).toBe('Stopping');
    // a second stop of a stopped instance is success, not IncorrectInstanceStatus
    expect((await client().stopInstances(scope, [s.id]))[0]!.ok).toBe(true);
    expect(mod.state.instances.get(s.id)!.status).toBe('Stopped');
  });

  it('isolates one failing id in a batch; the others go through', async () => {
    const ids = [1, 2, 3].map((n) => mod.addInstance({ name: `n${n}` }).id);
    sim.faults.failIds(ids[1]!);
    const out = await client().stopInstances(scope, ids);
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[1]!.error!.code).toBe('InstanceLockedForSecurity');
    const statuses = ids.map((id) => mod.state.instances.get(id)!.status);
    expect(statuses.map((x) => x !== 'Running')).toEqual([true, false, true]);

    const disks = ids.map((id) => diskOf(id).id);
    const policy = await client().createSnapshotPolicy(scope, { name: 'nightly', hoursUtc: [19], weekdays: [], retentionDays: 7 }, 'tok-policy');
    sim.faults.failIds(disks[2]!);
    const bound = await client().bindSnapshotPolicy(scope, policy.id, disks);
    expect(bound.map((o) => o.ok)).toEqual([true, true, false]);
    expect(disks.map((d) => mod.state.disks.get(d)!.policyId)).toEqual([policy.id, policy.id, undefined]);
  });

  it('surfaces a wrong secret as an auth VendorError (IncompleteSignature, HTTP 400), not retried', async () => {
    const err = await client({ secret: 'wrong' })
      .listRegions()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err).toMatchObject({ code: 'IncompleteSignature', httpStatus: 400, auth: true, retryable: false });
    expect((err as Error).message).not.toContain('wrong');
    expect(count('DescribeRegions')).toBe(1);
  });

  it('refuses a mutation in a dry run; the simulator sees no request', async () => {
    const i = mod.addInstance({ name: 'keep' });
    await expect(client({ readOnly: true }).stopInstances(scope, [i.id])).rejects.toBeInstanceOf(DryRunViolation);
    expect(sim.mutatingRequests('alibaba')).toHaveLength(0);
    expect(mod.state.instances.get(i.id)!.status).toBe('Running');
  });

  it('sets and removes tags (AddTags/RemoveTags, 5 per call)', async () => {
    const i = mod.addInstance({ name: 't' });
    const tags = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((n) => [`k${n}`, `v ${n}*~`]));
    expect((await client().setTags(scope, i.id, tags)).ok).toBe(true);
    expect(count('AddTags')).toBe(2);
    expect(mod.tagsOf('instance', i.id)).toEqual(tags);
    expect((await client().removeTags(scope, i.id, ['k1', 'k7'])).ok).toBe(true);
    expect(Object.keys(mod.tagsOf('instance', i.id)).sort()).toEqual(['k2', 'k3', 'k4', 'k5', 'k6']);
  });

  it('snapshots per disk: sources, create with ClientToken and tags, list, delete', async () => {
    const i = mod.addInstance({ name: 'db' }, { dataDisk: true });
    const c = client();
    const [inst] = await collect(c.listInstances(scope));
    const sources = await c.listSnapshotSources(scope, [inst!]);
    expect(sources.map((s) => s.kind)).toEqual(['disk', 'disk']);
    expect(sources.every((s) => s.instanceId === i.id)).toBe(true);
    const data = sources.find((s) => s.id === diskOf(i.id, 'data').id)!;
    const req = { name: 'ca-daily-202601020300', clientToken: 'ca-token-1', tags: { 'cloud-automation:managed': 'true' } };
    const made = await c.createSnapshot(scope, data, req);
    expect(mod.tagsOf('snapshot', made.snapshotId!)).toEqual({ 'cloud-automation:managed': 'true' });
    // the same token and parameters: the same snapshot, no second one
    const again = await c.createSnapshot(scope, data, req);
    expect(again.snapshotId).toBe(made.snapshotId);
    expect(mod.snapshots()).toHaveLength(1);
    // the same token, other parameters: IdempotentParameterMismatch, surfaced, not retried
    const err = await c.createSnapshot(scope, data, { ...req, name: 'ca-other' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'IdempotentParameterMismatch', retryable: false, httpStatus: 400 });
    expect((err as Error).message).toMatch(/ClientToken/);
    const listed = await collect(c.listSnapshots(scope, { sourceIds: [data.id] }));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: made.snapshotId, name: req.name, sourceKind: 'disk', instanceId: i.id, state: 'ready', tags: req.tags });
    await expect(c.createSnapshot(scope, data, { ...req, name: 'auto-no', clientToken: 't2' })).rejects.toThrow(/must|not allowed/);
    const other = mod.addSnapshot(data.id, { name: 'img', usage: 'image' });
    const out = await c.deleteSnapshots(scope, [made.snapshotId!, other.id]);
    expect(out.map((o) => o.ok)).toEqual([true, false]);
    expect(out[1]!.error!.code).toBe('SnapshotCreatedImage');
    expect(mod.snapshots().map((s) => s.id)).toEqual([other.id]);
  });

  it('pages snapshots past several pages', async () => {
    const i = mod.addInstance({ name: 'many' });
    const d = diskOf(i.id);
    for (let n = 0; n < 201; n++) mod.addSnapshot(d.id, { name: `s${n}`, createdAt: Date.UTC(2026, 0, 1) + n * 1000 });
    expect(await collect(client().listSnapshots(scope))).toHaveLength(201);
    expect(count('DescribeSnapshots')).toBe(3);
  });

  it('snapshot policies: create (Beijing time points), list, update, unbind, delete', async () => {
    const c = client();
    const i = mod.addInstance({ name: 'p' });
    const disk = diskOf(i.id).id;
    const { id } = await c.createSnapshotPolicy(scope, { name: 'nightly', hoursUtc: [18, 19], weekdays: [1, 3], retentionDays: 14 }, 'tok');
    const stored = mod.state.policies.get(id)!;
    // 18:00 and 19:00 UTC Monday/Wednesday are 02:00 and 03:00 Beijing, Tuesday/Thursday
    expect(stored).toMatchObject({ timePoints: ['2', '3'], weekdays: ['2', '4'], retentionDays: 14 });
    const [listed] = await c.listSnapshotPolicies(scope);
    expect(listed).toMatchObject({ id, name: 'nightly', hoursUtc: [18, 19], weekdays: [1, 3], retentionDays: 14, enabled: true });
    expect((await c.updateSnapshotPolicy(scope, id, { name: 'nightly', hoursUtc: [1], weekdays: [], retentionDays: 0 })).ok).toBe(true);
    expect(mod.state.policies.get(id)).toMatchObject({ timePoints: ['9'], weekdays: ['1', '2', '3', '4', '5', '6', '7'], retentionDays: -1 });
    await c.bindSnapshotPolicy(scope, id, [disk]);
    expect(mod.state.disks.get(disk)!.policyId).toBe(id);
    await c.unbindSnapshotPolicy(scope, id, [disk]);
    expect(mod.state.disks.get(disk)!.policyId).toBeUndefined();
    expect((await c.deleteSnapshotPolicy(scope, id)).ok).toBe(true);
    expect(mod.state.policies.size).toBe(0);
  });

  it('restores from our soft-delete bin by starting the instance; the vendor bin is empty', async () => {
    const i = mod.addInstance({ name: 'binned', status: 'Stopped' });
    const c = client();
    expect(await collect(c.listRecycleBin(scope))).toEqual([]);
    expect(await c.getRecycleBinConfig(scope)).toBeUndefined();
    const out = await c.restoreRecycled(scope, [{ vendor: 'alibaba', target: 'apsara', region: REGION, kind: 'instance', id: i.id }]);
    expect(out[0]!.ok).toBe(true);
    expect(mod.state.instances.get(i.id)!.status).toBe('Starting');
    await expect(c.getSpotPrices(scope, [], '2026-01-01T00:00:00Z')).rejects.toBeInstanceOf(UnsupportedCapability);
    await expect(c.setAutoDeleteTime(scope, [i.id], '2026-01-01T00:00:00Z')).rejects.toBeInstanceOf(UnsupportedCapability);
  });

  it('DescribeInstanceStatus pages at 50', async () => {
    for (let n = 0; n < 120; n++) mod.addInstance({ name: `s${n}` });
    expect(await collect(client().listInstanceStatuses(scope))).toHaveLength(120);
    expect(count('DescribeInstanceStatus')).toBe(3);
  });

  it('requires an endpoint, naming the fix', () => {
    expect(() => createAlibabaClient({ target: 'x', credentials: creds, transport: transport(), settings: {} })).toThrow(/endpoint is required/);
  });
});

describe('the simulator protocol', () => {
  const get = (url: string) => fetch(url).then(async (r) => ({ status: r.status, body: (await r.json()) as { Code?: string } }));

  it('rejects a stale timestamp (IllegalTimestamp) and a tampered parameter (IncompleteSignature)', async () => {
    const stale = buildRequest({ action: 'DescribeRegions', params: {}, credentials: creds, base: endpoint, nowMs: Date.now() - 20 * 60_000 });
    expect(await get(stale.url)).toMatchObject({ status: 400, body: { Code: 'IllegalTimestamp' } });
    const fresh = buildRequest({ action: 'DescribeInstances', params: { RegionId: REGION }, credentials: creds, base: endpoint });
    expect(await get(fresh.url.replace(`RegionId=${REGION}`, 'RegionId=cn-hangzhou'))).toMatchObject({ status: 400, body: { Code: 'IncompleteSignature' } });
    // a replayed nonce
    expect((await get(fresh.url)).status).toBe(200);
    expect(await get(fresh.url)).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
  });

  it('validates parameters with the documented codes', async () => {
    const url = (params: Record<string, string>) => buildRequest({ action: 'DescribeInstances', params, credentials: creds, base: endpoint }).url;
    expect(await get(url({}))).toMatchObject({ status: 400, body: { Code: 'MissingParameter' } });
    expect(await get(url({ RegionId: REGION, PageSize: '101' }))).toMatchObject({ status: 400, body: { Code: 'InvalidParameter' } });
    expect(await get(url({ RegionId: 'nowhere' }))).toMatchObject({ status: 404, body: { Code: 'InvalidRegionId.NotFound' } });
    expect(await get(url({ RegionId: REGION, InstanceIds: '[]' }))).toMatchObject({ status: 200, body: { TotalCount: 0 } });
  });

  it('pop-core succeeds on DescribeInstances and fails with IncompleteSignature on a wrong secret', async () => {
    mod.addInstance({ name: 'seen-by-pop' });
    const ok = new RPCClient({ endpoint, apiVersion: '2014-05-26', accessKeyId: creds.accessKeyId, accessKeySecret: creds.secret });
    const body = (await ok.request('DescribeInstances', { RegionId: REGION, PageSize: 100 }, { method: 'GET' })) as { TotalCount: number; Instances: { Instance: { InstanceName: string }[] } };
    expect(body.TotalCount).toBe(1);
    expect(body.Instances.Instance[0]!.InstanceName).toBe('seen-by-pop');
    const bad = new RPCClient({ endpoint, apiVersion: '2014-05-26', accessKeyId: creds.accessKeyId, accessKeySecret: 'nope' });
    await expect(bad.request('DescribeInstances', { RegionId: REGION })).rejects.toMatchObject({ code: 'IncompleteSignature' });
    expect(sim.requests.at(-1)!.status).toBe(400);
  });

  it('treats SignatureDoesNotMatch as an auth failure too', async () => {
    const { parseEnvelope } = await import('../../../lib/vendors/alibaba');
    const { schemas } = await import('../../../lib/vendors/alibaba');
    expect(() =>
      parseEnvelope('DescribeRegions', { status: 400, headers: {}, body: JSON.stringify({ RequestId: 'r', Code: 'SignatureDoesNotMatch', Message: 'm' }) }, schemas.common),
    ).toThrow(expect.objectContaining({ auth: true, retryable: false }));
  });

  it('seeds a deterministic demo fleet', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const [a, b] = [createAlibabaSim(), createAlibabaSim()];
    a.seedFleet({ rng: new Rng(42), count: 20, now, demo: true });
    b.seedFleet({ rng: new Rng(42), count: 20, now, demo: true });
    expect(a.instances().map((i) => i.id)).toEqual(b.instances().map((i) => i.id));
    const names = a.instances().map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['autodel-bad', 'tmp-build-0', 'prepaid-40d', 'binned-due', 'db-primary']));
    const due = a.instances().filter((i) => /^autodel-due/.test(i.name));
    expect(due.every((i) => /\+08:00$/.test(a.tagsOf('instance', i.id)['auto-delete-at']!))).toBe(true);
    expect(a.snapshots().filter((s) => s.name.startsWith('ca-'))).toHaveLength(12);
    expect(a.instances().filter((i) => i.chargeType === 'PrePaid').every((i) => i.expiredAt! > now.getTime())).toBe(true);
  });

});
