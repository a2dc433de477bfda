import { readdirSync } from 'node:fs';
import { collect, VendorError, type HttpResponse } from '../../../lib/vendors/core';
import { fileURLToPath } from 'node:url';
import { ACTIONS, buildFilter, configuredSigner } from '../../../lib/vendors/cecstack';
import { cecstackSettings } from '../../../lib/vendors/core';
import { parseEnvelope } from '../../../lib/vendors/cecstack/codec';
import { listPages } from '../../../lib/vendors/cecstack/paging';
import { mapInstance, mapPolicy, policyBody } from '../../../lib/vendors/cecstack/mapping';
import { vm } from '../../../lib/vendors/cecstack/schemas';
import { fixture } from './helpers';

const res = (status: number, body: unknown): HttpResponse => ({ status, headers: {}, body: JSON.stringify(body) });

describe('signer (auth is in a separate vendor document, seed 003 L1234)', () => {
  const creds = { accessKeyId: 'AK1', secret: 'S1' };
  const req = { method: 'GET', url: 'http://h/api/ecs/v1/instances', headers: {} };
  test('bearer sends the token obtained out of band (tokenEnv, else the secret slot); a custom header carries it', () => {
    expect(configuredSigner({ scheme: 'bearer' }, creds, 't').sign(req, new Date())).toEqual({ authorization: 'Bearer S1' });
    expect(configuredSigner({ scheme: 'bearer' }, { ...creds, token: 'T' }, 't').sign(req, new Date())).toEqual({ authorization: 'Bearer T' });
    expect(configuredSigner({ scheme: 'bearer', header: 'X-Auth-Token' }, creds, 't').sign(req, new Date())).toEqual({ 'x-auth-token': 'S1' });
  });
  test('ak-header (the raw secret in a header) is refused with what to use instead', () => {
    expect(() => configuredSigner({ scheme: 'ak-header' }, creds, 't')).toThrow(/raw secret key.*bearer.*hook/s);
    const parsed = cecstackSettings.safeParse({ auth: { scheme: 'ak-header' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['auth', 'scheme'], message: expect.stringMatching(/raw secret key.*tokenEnv.*module/s) });
    expect(cecstackSettings.safeParse({ auth: { scheme: 'hook' } }).error!.issues[0]!.path).toEqual(['auth', 'module']);
  });
  test('hook: a module that exports no createSigner is a configuration error before any request', async () => {
    const signer = configuredSigner({ scheme: 'hook', module: fileURLToPath(new URL('./hooks/broken-signer.mjs', import.meta.url)) }, creds, 't');
    await expect(signer.ready!()).rejects.toThrow(/exports no createSigner/);
    await expect(configuredSigner({ scheme: 'hook', module: '/nowhere/signer.mjs' }, creds, 't').ready!()).rejects.toThrow(/could not be loaded/);
  });
});

describe('envelope and errors', () => {
  const parse = parseEnvelope('GetInstance', ACTIONS.GetInstance.schema);
  test('documented errors are HTTP 400 VendorErrors with code, message and request id', () => {
    const e = (() => {
      try {
        parse(res(400, { requestId: 'r1', code: 'ECS.DBGet.NoData', message: '资源不存在', data: null }));
      } catch (err) {
        return err as VendorError;
      }
    })()!;
    expect(e).toBeInstanceOf(VendorError);
    expect(e).toMatchObject({ code: 'ECS.DBGet.NoData', requestId: 'r1', retryable: false, auth: false, httpStatus: 400 });
    expect(e.vendorMessage).toBe('资源不存在');
  });
  test.each([
    [400, 'ECS.OperationDenied.AuthFail', { auth: true, retryable: false }],
    [400, 'Ecs.InvalidParameter.TenantId.NotFound', { auth: false, retryable: false }],
    [400, 'ECS.OperationDenied.Disconnection', { retryable: true }],
    [400, 'ECS.DBGet.Fail', { retryable: true }],
    [429, 'ECS.Throttling', { retryable: true }],
    [502, 'Whatever', { retryable: true }],
  ])('HTTP %d %s', (status, code, expected) => {
    expect(() => parse(res(status, { requestId: '', code, message: 'm' }))).toThrow(expect.objectContaining(expected));
  });
  test('a response off the documented shape is a non-retryable UnexpectedResponse', () => {
    expect(() => parse(res(200, { code: 'Success', message: '', data: { displayName: 'no id' } }))).toThrow(expect.objectContaining({ code: 'UnexpectedResponse', retryable: false }));
  });
});

describe('paging helper: three styles, never a silent cap', () => {
  const source = (n: number, cap = Infinity) => async (query: [string, unknown][]) => {
    const q = Object.fromEntries(query);
    const page = Number(q.pageNumber ?? q.current ?? q.pageIndex);
    const size = Math.min(Number(q.pageSize ?? q.size), cap);
    const items = Array.from({ length: n }, (_, i) => i).slice((page - 1) * size, page * size);
    return { items, total: n };
  };
  test.each(['pageNumber', 'current', 'pageIndex'] as const)('%s walks every page', async (style) => {
    expect(await collect(listPages(style, 4, source(10), 'x'))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  test('a server that holds smaller pages is read to the end by counting pages (D5)', async () => {
    expect(await collect(listPages('pageNumber', 4, source(10, 3), 'x', 'records', String))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
  test('asks for the pages the total promises before they are wanted, each once and none past the end', async () => {
    const asked: number[] = [];
    const handedOver: number[] = [];
    const counted = async (query: [string, unknown][]) => {
      asked.push(Number(Object.fromEntries(query).pageNumber));
      await new Promise((r) => setImmediate(r));
      return source(30, 3)(query); // asked 4, the server holds 3: 10 pages
    };
    const seen: number[] = [];
    for await (const items of listPages('pageNumber', 4, counted, 'x', 'records', String)) {
      handedOver.push(asked.length);
      seen.push(...items);
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(asked).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(handedOver).toEqual([5, 6, 7, 8, 9, 10, 10, 10, 10, 10]); // one at a time, page n is handed over with n asked
  });
  test('a gap (an empty page before the total), a repeated id or a total exceeded fails the listing', async () => {
    const gap = async (query: [string, unknown][]) => ({ items: Number(Object.fromEntries(query).pageNumber) === 1 ? [0, 1, 2, 3] : [], total: 10 });
    await expect(collect(listPages('pageNumber', 4, gap, 'x', 'records', String))).rejects.toThrow(/empty after 4 of 10/);
    const repeat = async () => ({ items: [0, 1, 2, 3], total: 10 });
    await expect(collect(listPages('pageNumber', 4, repeat, 'x', 'records', String))).rejects.toThrow(/came back twice/);
  });
  test('`total` as pages (the recycle list, L13117) reads every page', async () => {
    const pages = async (query: [string, unknown][]) => {
      const page = Number(Object.fromEntries(query).current);
      return { items: Array.from({ length: 25 }, (_, i) => i).slice((page - 1) * 10, page * 10), total: 3 };
    };
    expect(await collect(listPages('current', 10, pages, 'x', 'pages', String))).toHaveLength(25);
  });
});

test('filter mini-language refuses what it cannot express', () => {
  expect(buildFilter([{ field: 'status', op: 'in', value: 'Stopped' }, { field: 'az', op: 'in', value: 'AZ0' }])).toBe('status:in:Stopped|az:in:AZ0');
  expect(() => buildFilter([{ field: 'displayName', op: 'lk', value: 'a|b' }])).toThrow(/displayName/);
});

describe('snapshot policy schedule: UTC ↔ Beijing hours and weekdays', () => {
  test('a UTC slot crossing Beijing midnight shifts the weekday', () => {
    expect(policyBody({ name: 'p', hoursUtc: [16, 17], weekdays: [7], retentionDays: 3 })).toEqual({ policyName: 'p', hourOfDay: '0,1', weekDays: '1', expire: 3 * 1440 });
  });
  test('a schedule that is not hours × weekdays in Beijing time is refused', () => {
    expect(() => policyBody({ name: 'p', hoursUtc: [10, 20], weekdays: [1], retentionDays: 1 })).toThrow(/Beijing/);
    expect(() => policyBody({ name: 'p', hoursUtc: [1], weekdays: [], retentionDays: 70000 })).toThrow(/retentionDays/);
  });
  test('weekday 0 is read as Sunday', () => {
    expect(mapPolicy({ policyId: 'x', hourOfDay: '8', weekDays: '0', bindEcs: [] } as never)).toMatchObject({ hoursUtc: [0], weekdays: [7] });
  });
});

describe('fixtures: every sample response the client reads parses through its schema', () => {
  const dir = new URL('./fixtures/', import.meta.url);
  const schemaOf: Record<string, keyof typeof ACTIONS> = {
    'instance-detail': 'GetInstance',
    'instance-list': 'ListInstances',
    'renew-resources': 'RenewResources',
    'query-price': 'QueryPrice',
    'region-info': 'ListRegions',
    'recycle-config': 'GetRecycleConfig',
    'recycle-list': 'ListRecycle',
    'recycle-instance-detail': 'GetRecycledInstance',
    'snapshot-list': 'ListSnapshots',
    'snapshot-detail': 'GetSnapshot',
    'policy-list': 'ListPolicies',
    'policy-detail': 'GetPolicy',
  };
  const names = readdirSync(dir).map((f) => f.replace(/\.json$/, ''));
  test.each(names)('%s', (name) => {
    const { source, response } = fixture(name);
    expect(source).toMatch(/^seed 003 L\d+-\d+$/);
    const action = schemaOf[name] ?? 'DeleteInstance';
    expect(() => parseEnvelope(action, ACTIONS[action].schema as never)(res(200, response))).not.toThrow();
  });
  test('the VM sample maps to the unified model (zero time = unset, PascalCase status)', () => {
    const data = vm.parse((fixture('instance-detail').response as { data: unknown }).data);
    expect(mapInstance(data, 't', 'region-x86')).toEqual({
      vendor: 'cecstack', target: 't', region: 'region-x86', zone: 'baselinex86-zone', id: 'ecs-7751tih23uy93g', name: 'cke-qpwatms6da-53h7t',
      state: 'running', rawState: 'Running', chargeType: 'postpaid', rawChargeType: 'OnDemand', instanceType: 'flavor-guysomaj', project: undefined,
      createdAt: '2024-07-18T09:49:09.555Z', expiresAt: undefined, tags: {}, recycleBin: undefined,
    });
  });
});
