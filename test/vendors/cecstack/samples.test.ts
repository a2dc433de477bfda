/**
 * The samples of seed 003 are the contract (no independent implementation exists): each sample
 * request the client sends is reproduced exactly (method, path, query, body), answered with the
 * sample response, which the client must parse. Deviations forced by the document are asserted
 * explicitly and recorded in sim/DECISIONS.md (cecstack).
 */
import { collect } from '../../../lib/vendors/core';
import { captureServer, client, fixture } from './helpers';

const R = { region: 'region0' };
const P = '/api/ecs/v1';
let srv: Awaited<ReturnType<typeof captureServer>>;

/** Which sample answers which route. */
function answer({ method, path }: { method: string; path: string }): unknown {
  const p = path.slice(P.length);
  const table: [string, RegExp, string][] = [
    ['GET', /^\/instances\/recycle-config$/, 'recycle-config'],
    ['GET', /^\/instances$/, 'instance-list'],
    ['GET', /^\/instances\/[^/]+$/, 'instance-detail'],
    ['DELETE', /^\/instances\/batch-delete$/, 'instance-batch-delete'],
    ['DELETE', /^\/instances\/[^/]+$/, 'instance-delete'],
    ['PUT', /^\/instances\/batch-stop$/, 'instance-batch-stop'],
    ['PUT', /^\/instances\/[^/]+\/label$/, 'instance-label'],
    ['POST', /^\/instances\/[^/]+\/renew-resources$/, 'renew-resources'],
    ['POST', /^\/instances\/[^/]+\/renew$/, 'renew'],
    ['POST', /^\/flavors\/query-price$/, 'query-price'],
    ['POST', /^\/service-region-info$/, 'region-info'],
    ['GET', /^\/snapshot$/, 'snapshot-list'],
    ['POST', /^\/snapshot$/, 'snapshot-create'],
    ['GET', /^\/snapshot\/[^/]+$/, 'snapshot-detail'],
    ['DELETE', /^\/snapshot\/[^/]+$/, 'snapshot-delete'],
    ['GET', /^\/policy$/, 'policy-list'],
    ['PUT', /^\/policy$/, 'policy-create'],
    ['POST', /^\/policy\/[^/]+$/, 'policy-detail'],
    ['DELETE', /^\/policy\/[^/]+$/, 'policy-delete'],
    ['GET', /^\/policy\/[^/]+\/bind$/, 'policy-bind'],
    ['POST', /^\/policy\/[^/]+\/unbind$/, 'policy-unbind'],
    ['POST', /^\/policy\/[^/]+\/pause$/, 'policy-pause'],
    ['POST', /^\/policy\/[^/]+\/resume$/, 'policy-resume'],
    ['GET', /^\/recycle$/, 'recycle-list'],
    ['PUT', /^\/recycle\/snapshot\/[^/]+$/, 'recycle-snapshot-restore'],
    ['DELETE', /^\/recycle\/snapshot\/[^/]+$/, 'recycle-snapshot-delete'],
    ['GET', /^\/recycle\/instances\/[^/]+$/, 'recycle-instance-detail'],
    ['PUT', /^\/recycle\/instances\/[^/]+$/, 'recycle-instance-restore'],
    ['DELETE', /^\/recycle\/instances\/[^/]+$/, 'recycle-instance-delete'],
    ['POST', /^\/res-life-cycle\/auto-clean$/, 'auto-clean'],
  ];
  const hit = table.find(([m, re]) => m === method && re.test(p));
  return hit ? fixture(hit[2]).response : { code: 'ECS.InvalidParameter', message: 'no sample' };
}

beforeAll(async () => {
  srv = await captureServer(answer);
});
afterAll(() => srv.close());
beforeEach(() => {
  srv.captured.length = 0;
});

const cli = (extras = {}) => client(srv.base, { settings: { operatorEndpoint: srv.base }, extras: { pageSize: 10, ...extras } });
const sent = () => srv.captured.map((c) => `${c.method} ${c.url}${c.body ? ` ${c.body}` : ''}`);
/** The sample body (fixed by hand), serialised as the client serialises JSON. */
const json = (v: unknown) => JSON.stringify(v);

describe('seed 003 sample requests, reproduced', () => {
  test('GET instance detail (L5677-5679) and label write (L7462-7478)', async () => {
    // the detail sample VM has no labels; writing the sample's three labels sends the sample body
    const out = await cli().setTags(R, 'ecs-h653yv11c8dlp1', { '公司 A': '部门 1', '公司 B': '部门 1', 备用: '备用' });
    expect(out).toEqual({ id: 'ecs-h653yv11c8dlp1', ok: true, requestId: '1067a6fe-1c35-42f0-8192-190512d81ea4' });
    expect(sent()).toEqual([
      `GET ${P}/instances/ecs-h653yv11c8dlp1`,
      `PUT ${P}/instances/ecs-h653yv11c8dlp1/label ${json([{ key: '公司 A', value: '部门 1' }, { key: '公司 B', value: '部门 1' }, { key: '备用', value: '备用' }])}`,
    ]);
    expect(srv.captured[0]!.headers['x-regionid']).toBe('region0');
    expect(srv.captured[1]!.headers['content-type']).toBe('application/json');
  });

  test('DELETE one instance (L5582-5584) and batch delete (L5628-5633)', async () => {
    await cli().deleteInstances(R, ['ecs-829vs035oi12b5']);
    await cli().deleteInstances(R, ['vm1', 'vm2', 'vm3']);
    expect(sent()).toEqual([`DELETE ${P}/instances/ecs-829vs035oi12b5`, `DELETE ${P}/instances/batch-delete ${json({ ecsIds: ['vm1', 'vm2', 'vm3'] })}`]);
  });

  test('PUT batch-stop (L6799-6805): the table spelling gracePeriodSeconds (sample: GracePeriodSeconds)', async () => {
    await cli().stopInstancesWith(R, ['vm1', 'vm2', 'vm3'], { force: true });
    expect(sent()).toEqual([`PUT ${P}/instances/batch-stop ${json({ ecsIds: ['vm1', 'vm2', 'vm3'], gracePeriodSeconds: 0 })}`]);
  });

  test('instance list filter (L6055-6060): separators sent raw', async () => {
    const c = client(srv.base, { settings: { departmentId: 'xxx', resourceGroupId: 'xxx' }, extras: { pageSize: 10 } });
    const pages = await collect(c.listInstances(R));
    expect(sent()).toEqual([`GET ${P}/instances?pageSize=10&pageNumber=1&filter=departmentId:eq:xxx|resourceGroupId:eq:xxx`]);
    expect(pages.map((i) => i.id)).toEqual(['ecs-7751tih23uy93g']);
  });

  test('renew (L6553-6558) and renewal quote (L6431-6433, plus the required cycleCount)', async () => {
    const out = await cli().renewInstances(R, ['ecs-zd2hbm080qweph'], 1, 'tok');
    expect(out).toEqual([{ id: 'ecs-zd2hbm080qweph', ok: true, requestId: undefined }]);
    const quotes = await cli().quoteRenewal(R, ['ecs-zd2hbm080qweph'], 1);
    expect(sent()).toEqual([`POST ${P}/instances/ecs-zd2hbm080qweph/renew ${json({ cycleCount: 1 })}`, `POST ${P}/instances/ecs-zd2hbm080qweph/renew-resources ${json({ cycleCount: 1 })}`]);
    expect(quotes).toEqual([
      { resourceId: 'ecs-zd2hbm080qweph', kind: 'instance', amount: '200', currency: 'CNY', periodMonths: 1, expiresAt: '2024-01-26T15:59:59.000Z' },
      { resourceId: 'volume-b9c2cla1-380e-4a8c-9f1b-c609b2b67358', kind: 'disk', amount: '14', currency: 'CNY', periodMonths: 1, expiresAt: '2024-01-27T13:54:09.000Z' },
    ]);
  });

  test('price inquiry (L8505-8531) and region discovery (L14011-14016)', async () => {
    const body = { tenantId: 'xxxx', departmentId: 'xxxx', region: '{{region_id}}', az: 'AZ1', action: 'Create', billingMode: 'OnDemand', amount: 1, flavors: [{ flavorId: 'flavor-28lwum65', cpu: 4, ram: 12 }] };
    expect(await cli().queryPrice(R, body)).toEqual({ total: '2', list: '2', requestId: undefined });
    const regions = await client(srv.base, { settings: { tenantId: '1812871774124131324' } }).listRegions();
    expect(regions).toEqual(['region0']);
    expect(sent()).toEqual([`POST ${P}/flavors/query-price ${json(body)}`, `POST ${P}/service-region-info ${json({ tenantId: '1812871774124131324' })}`]);
  });

  test('snapshots: list (L10852-10854), create (L10923-10930), detail (L10997-10999), delete (L11077-11079)', async () => {
    const c = cli();
    const listed = await collect(c.listSnapshots(R));
    expect(listed.map((s) => [s.id, s.name, s.state, s.createdAt])).toEqual([['ecs.snapshot-x7jz40yae9lrepr5', 'snapshot-name-002', 'ready', '2023-07-06T09:16:33.402Z']]);
    srv.captured.length = 0;
    const source = { vendor: 'cecstack' as const, target: 't', region: 'region0', id: 'ecs-erxb7y4ohhk7kv', kind: 'vm' as const, instanceId: 'ecs-erxb7y4ohhk7kv' };
    await c.createSnapshot(R, source, { name: 'snapshot-test-001', clientToken: 'x' });
    expect(sent()).toEqual([`POST ${P}/snapshot ${json({ ecsId: 'ecs-erxb7y4ohhk7kv', snapshotName: 'snapshot-test-001' })}`]);
    srv.captured.length = 0;
    const detail = await c.getSnapshot(R, 'ecs.snapshot-c43txnj5jodoz5e');
    expect(detail).toMatchObject({ id: 'ecs.snapshot-c43txnj5jodoz5e', state: 'creating', sourceId: 'ecs-erxb7y4ohhk7kv' });
    await c.deleteSnapshots(R, ['ecs.snapshot-x7jz40yae91repr5']);
    expect(sent()).toEqual([`GET ${P}/snapshot/ecs.snapshot-c43txnj5jodoz5e`, `DELETE ${P}/snapshot/ecs.snapshot-x7jz40yae91repr5`]);
  });

  test('policies: list (L11201-11203), create PUT (L11281-11290), detail POST (L11354-11356), modify (L11480-11491), delete (L11428-11430)', async () => {
    const c = cli();
    const id = 'ecs.policy-0junfi2vzch8bch3';
    const policies = await c.listSnapshotPolicies(R);
    // hourOfDay "0", weekDays "1" in Beijing time = Sunday 16:00 UTC
    expect(policies).toEqual([{ id: 'ecs.policy-cmms1zb5bgffs8zc', name: 'policy-test', hoursUtc: [16], weekdays: [7], retentionDays: 0, boundSourceIds: [], enabled: true }]);
    srv.captured.length = 0;
    // the listing answers with policy-test, so create goes ahead and is found again by name
    await c.createSnapshotPolicy(R, { name: 'policy-test', hoursUtc: [16], weekdays: [7], retentionDays: 0 }, 'tok');
    expect(sent()).toEqual([`GET ${P}/policy?pageSize=10&pageNumber=1&policyName=policy-test`]);
    srv.captured.length = 0;
    await expect(c.createSnapshotPolicy(R, { name: 'policy_test', hoursUtc: [16], weekdays: [7], retentionDays: 0 }, 'tok')).rejects.toThrow(/accepted but is not listed/);
    expect(sent()).toContain(`PUT ${P}/policy ${json({ policyName: 'policy_test', hourOfDay: '0', weekDays: '1', expire: 0 })}`);
    srv.captured.length = 0;
    expect(await c.getSnapshotPolicy(R, id)).toMatchObject({ id, hoursUtc: [16], weekdays: [7] });
    await c.updateSnapshotPolicy(R, id, { name: 'policy_test', hoursUtc: [16, 17], weekdays: [7], retentionDays: 0 });
    await c.deleteSnapshotPolicy(R, id);
    expect(sent()).toEqual([`POST ${P}/policy/${id}`, `POST ${P}/policy/${id} ${json({ policyName: 'policy_test', hourOfDay: '0,1', weekDays: '1', expire: 0 })}`, `DELETE ${P}/policy/${id}`]);
  });

  test('policy bind (L11536-11544: GET, ecsId moved to the query), unbind (L11590-11598 at /unbind), pause (L11645), resume (L11693)', async () => {
    const c = cli();
    const id = 'ecs.policy-0junfi2vzch8bch3';
    await c.bindSnapshotPolicy(R, id, ['ecs-ta9s6065jbydgn']);
    await c.unbindSnapshotPolicy(R, id, ['ecs-ta9s6065jbydgn']);
    await c.pauseSnapshotPolicy(R, id);
    await c.resumeSnapshotPolicy(R, id);
    expect(sent()).toEqual([
      `GET ${P}/policy/${id}/bind?ecsId=ecs-ta9s6065jbydgn`,
      `POST ${P}/policy/${id}/unbind ${json({ ecsId: 'ecs-ta9s6065jbydgn' })}`,
      `POST ${P}/policy/${id}/pause`,
      `POST ${P}/policy/${id}/resume`,
    ]);
  });

  test('bind evidence (D8): the seed shows a GET with a JSON body (L11518, L11537-11543), which fetch refuses to send', async () => {
    // WHATWG fetch (Node's HTTP client) rejects a GET with a body before any byte leaves; RFC 9110 §9.3.1
    // gives such content no meaning and lets intermediaries refuse it. The table lists ecsId as a
    // request parameter of a GET, which the seed's other GETs carry in the query (L6060, L13145).
    await expect(fetch('http://127.0.0.1:9/api/ecs/v1/policy/p/bind', { method: 'GET', body: '{"ecsId":"x"}' })).rejects.toThrow(/GET\/HEAD method cannot have body/);
  });

  test('recycle bin: list (L13144-13146), snapshot restore/delete (L13226, L13279), VM detail/restore/delete (L13329, L13477, L13529), auto-clean (L13580-13589), config (L4256-4258)', async () => {
    const c = cli();
    const items = await collect(c.listRecycleBin(R));
    expect(items).toEqual([
      { vendor: 'cecstack', target: 'cec-test', region: 'region0', kind: 'snapshot', id: 'ecs.snapshot-f7qfzfjqc4vryy0c', name: 'lptest6', since: '2023-09-06T12:35:05.155Z', purgeAt: '2023-09-07T12:35:05.000Z', rawState: 'ecsSnapshot' },
    ]);
    const snap = { ...items[0]!, id: 'ecs.snapshot-cvn6gbvddtvaedop' };
    const vm = { ...items[0]!, kind: 'instance' as const, id: 'ecs-rlg8at7vqe8qzm' };
    await c.restoreRecycled(R, [snap]);
    await c.purgeRecycled(R, [snap]);
    const detail = await c.getRecycledInstance(R, 'ecs-kh99gi4a78xknm');
    expect(detail.detail).toMatchObject({ ecsId: 'ecs-kh99gi4a78xknm', displayName: 'gdx_2', flavorName: 'gdx' });
    await c.restoreRecycled(R, [vm]);
    await c.purgeRecycled(R, [vm]);
    await c.autoCleanRecycled(R, ['ecs-rlg8at7vqe8qzm']);
    expect(await c.getRecycleBinConfig(R)).toEqual({ enabled: false, retentionDays: 1 });
    expect(sent()).toEqual([
      `GET ${P}/recycle?current=1&size=10`,
      `PUT ${P}/recycle/snapshot/ecs.snapshot-cvn6gbvddtvaedop`,
      `DELETE ${P}/recycle/snapshot/ecs.snapshot-cvn6gbvddtvaedop`,
      `GET ${P}/recycle/instances/ecs-kh99gi4a78xknm`,
      `PUT ${P}/recycle/instances/ecs-rlg8at7vqe8qzm`,
      `DELETE ${P}/recycle/instances/ecs-rlg8at7vqe8qzm`,
      `POST ${P}/res-life-cycle/auto-clean ${json({ instanceId: 'ecs-rlg8at7vqe8qzm', serviceCode: 'ECS' })}`,
      `GET ${P}/instances/recycle-config`,
    ]);
  });
});
