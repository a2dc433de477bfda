import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import RPCClient from '@alicloud/pop-core';
import { buildRequest, canonicalizedQuery, flattenParams, indexed, jsonArray, signV1, stringToSign, type Params } from '../../../lib/vendors/alibaba';

// Signature v1.0 vectors: seed 001 L552-571 (the document masks the nonce and signature; digest §2.4 unmasks them)
const V1: Record<string, string> = {
  TimeStamp: '2016-02-23T12:46:24Z',
  Format: 'XML',
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  Version: '2014-05-26',
  SignatureVersion: '1.0',
};

describe('alibaba signature v1.0 vectors', () => {
  it('V1: the document example (seed 001 L561, L565, L570) with its TimeStamp spelling', () => {
    expect(stringToSign(Object.entries(V1))).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    const sig = signV1(V1, 'testsecret');
    expect(sig.startsWith('CT9X0VtwR86fNWSnsc6v8YGO')).toBe(true); // the visible part at L570
    expect(sig).toBe('CT9X0VtwR86fNWSnsc6v8YGOjuE=');
  });

  it('V2: the same request with the table spelling Timestamp (seed 001 L727)', () => {
    const { TimeStamp, ...rest } = V1;
    expect(signV1({ ...rest, Timestamp: TimeStamp! }, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });

  it('V3: a JSON-array parameter and a tag value with space, * and ~', () => {
    const params: [string, string][] = [
      ['Action', 'DescribeInstances'],
      ['RegionId', 'cn-qingdao-sg-d01'],
      ['InstanceIds', '["i-abc","i-def"]'],
      ['Tag.1.Key', 'auto-release'],
      ['Tag.1.Value', 'a b*c~d'],
      ['PageNumber', '1'],
      ['PageSize', '100'],
      ['Format', 'JSON'],
      ['Version', '2014-05-26'],
      ['AccessKeyId', 'testid'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', '00000000-0000-4000-8000-000000000001'],
      ['Timestamp', '2020-08-21T00:00:00Z'],
    ];
    expect(canonicalizedQuery(params)).toBe(
      'AccessKeyId=testid&Action=DescribeInstances&Format=JSON&InstanceIds=%5B%22i-abc%22%2C%22i-def%22%5D&PageNumber=1&PageSize=100&RegionId=cn-qingdao-sg-d01&SignatureMethod=HMAC-SHA1&SignatureNonce=00000000-0000-4000-8000-000000000001&SignatureVersion=1.0&Tag.1.Key=auto-release&Tag.1.Value=a%20b%2Ac~d&Timestamp=2020-08-21T00%3A00%3A00Z&Version=2014-05-26',
    );
    expect(signV1(params, 'testsecret')).toBe('iaWeuaBJljuEk1FMCXkanOxvof8=');
  });

  it('V4: a multibyte UTF-8 value', () => {
    const params = {
      Action: 'CreateSnapshot',
      DiskId: 'd-abc',
      SnapshotName: '每日快照-1',
      ClientToken: 'snap-d-abc-2020082100',
      Format: 'JSON',
      Version: '2014-05-26',
      AccessKeyId: 'testid',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: 'n-0002',
      Timestamp: '2020-08-21T00:00:00Z',
    };
    expect(canonicalizedQuery(Object.entries(params))).toContain('SnapshotName=%E6%AF%8F%E6%97%A5%E5%BF%AB%E7%85%A7-1');
    expect(signV1(params, 'testsecret')).toBe('YHi46nuh2MsPV9cOGrN7cRYubBA=');
  });

  it('flattens the three multi-value encodings', () => {
    expect(flattenParams({ InstanceIds: jsonArray(['i-1', 'i-2']), Tag: indexed([{ Key: 'a', Value: '' }, { Key: 'b', Value: 'x' }]), Skip: undefined })).toEqual([
      ['InstanceIds', '["i-1","i-2"]'],
      ['Tag.1.Key', 'a'],
      ['Tag.1.Value', ''],
      ['Tag.2.Key', 'b'],
      ['Tag.2.Value', 'x'],
    ]);
  });
});

describe('cross-check against @alicloud/pop-core', () => {
  let server: Server;
  let endpoint: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"RequestId":"R"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const signatureOf = (url: string) => new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('Signature');

  const cases: { name: string; action: string; ours: Params; theirs: Record<string, unknown> }[] = [
    { name: 'plain', action: 'DescribeRegions', ours: {}, theirs: {} },
    {
      name: 'non-ASCII, spaces, * and ~',
      action: 'DescribeInstances',
      ours: { RegionId: 'cn-qingdao-sg-d01', InstanceName: '测试 服务器*~(1)!', PageSize: 100 },
      theirs: { RegionId: 'cn-qingdao-sg-d01', InstanceName: '测试 服务器*~(1)!', PageSize: 100 },
    },
    {
      name: 'repeated indexed keys and empty values',
      action: 'AddTags',
      ours: { RegionId: 'r', ResourceId: 'i-1', ResourceType: 'instance', Tag: indexed([{ Key: 'a b', Value: '' }, { Key: 'k~2', Value: 'x*y' }]) },
      theirs: { RegionId: 'r', ResourceId: 'i-1', ResourceType: 'instance', Tag: [{ Key: 'a b', Value: '' }, { Key: 'k~2', Value: 'x*y' }] },
    },
    {
      name: 'JSON array',
      action: 'DescribeDisks',
      ours: { RegionId: 'r', DiskIds: jsonArray(['d-1', 'd-2']), Description: '' },
      theirs: { RegionId: 'r', DiskIds: '["d-1","d-2"]', Description: '' },
    },
  ];

  it.each(cases)('signs $name identically', async ({ action, ours, theirs }) => {
    const nonce = `nonce-${action}`;
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const timestamp = '2026-01-02T03:04:05Z';
    const client = new RPCClient({ endpoint, apiVersion: '2014-05-26', accessKeyId: 'AKID', accessKeySecret: 'sec ret/*' });
    // pop-core's own params win over its defaults (lib/rpc.js: Object.assign({Action}, defaults, params))
    await client.request(action, { ...theirs, SignatureNonce: nonce, Timestamp: timestamp }, { formatParams: false });
    const mine = buildRequest({ action, params: ours, credentials: { accessKeyId: 'AKID', secret: 'sec ret/*' }, base: endpoint, nowMs: now, nonce });
    expect(signatureOf(mine.url)).toBe(signatureOf(seen.at(-1)!));
    // both sign the same set of parameters
    const keys = (u: string) => [...new URLSearchParams(u.slice(u.indexOf('?') + 1)).keys()].sort();
    expect(keys(mine.url)).toEqual(keys(seen.at(-1)!));
  });
});
