import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { startSim, simCredentials, type RunningSim } from '../../../sim/core';
import { createKecSim } from '../../../sim/kec';
import { amzDate, authorizationHeader, canonicalQuery, sigV4, signingKey, uriEncode } from '../../../lib/vendors/kec/signer';
import { buildRequest } from '../../../lib/vendors/kec/codec';
import { ACTIONS } from '../../../lib/vendors/kec/actions';

// Digest 000 §2.3 vectors (computed there with botocore and a Node implementation; the seed's own
// example at L6045-6056 has no secret key, so it cannot be a vector).
const AK = 'AKLTEXAMPLEACCESSKEYID0';
const SK = 'ExampleSecretKey/0123456789abcdefghijKLMN';
const DATE = '20160914T114902Z';
const HOST = 'kec.cn-beijing-6.api.ksyun.com';
const common = { amzDate: DATE, region: 'cn-beijing-6', service: 'kec', secret: SK, path: '/' };

describe('KEC SigV4 vectors', () => {
  it('derives the AWS published signing key (external vector)', () => {
    expect(signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', 'us-east-1', 'iam').toString('hex')).toBe(
      'f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d',
    );
  });

  it('vector 1: GET, Authorization header', () => {
    const r = sigV4({
      ...common,
      method: 'GET',
      query: [
        ['Action', 'DescribeInstances'],
        ['Version', '2016-03-04'],
        ['MaxResults', '10'],
        ['Filter.1.Name', 'instance-state.name'],
        ['Filter.1.Value.1', 'recycling'],
      ],
      headers: { Host: HOST, 'X-Amz-Date': DATE },
      body: '',
    });
    expect(r.canonicalRequest).toBe(
      'GET\n/\nAction=DescribeInstances&Filter.1.Name=instance-state.name&Filter.1.Value.1=recycling&MaxResults=10&Version=2016-03-04\nhost:kec.cn-beijing-6.api.ksyun.com\nx-amz-date:20160914T114902Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(r.stringToSign.split('\n')[3]).toBe('eb4287e4612031669e89beda0c20f186b7e9a082c3a65c5bc7e362b8b5322053');
    expect(r.signature).toBe('7cc4e60854f4d4d68995ac8ab15661fd30304d09e756e7025b7642c4046701be');
    expect(authorizationHeader(AK, r)).toBe(
      'AWS4-HMAC-SHA256 Credential=AKLTEXAMPLEACCESSKEYID0/20160914/cn-beijing-6/kec/aws4_request, SignedHeaders=host;x-amz-date, Signature=7cc4e60854f4d4d68995ac8ab15661fd30304d09e756e7025b7642c4046701be',
    );
  });

  it('vector 2: GET, presigned query (the seed example style, L6045-6056)', () => {
    const r = sigV4({
      ...common,
      method: 'GET',
      query: [
        ['Action', 'ModifyInstanceAutoDeleteTime'],
        ['Version', '2016-03-04'],
        ['InstanceId.1', '55655c35-4ba4-4443-991c-fc1c8a1057cc'],
        ['AutoDeleteTime', '2019-09-17 18:00'],
        ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
        ['X-Amz-Credential', `${AK}/20160914/cn-beijing-6/kec/aws4_request`],
        ['X-Amz-Date', DATE],
        ['X-Amz-SignedHeaders', 'host'],
      ],
      headers: { host: HOST },
      body: '',
    });
    expect(r.stringToSign.split('\n')[3]).toBe('5d4f609f259210130d9aae2cd59a58f87c598badccad2de51b973e27ec3a4fb2');
    expect(r.signature).toBe('93ebdaafeda2e0b1e4fdf450bcb32e8d9ec75f232bf4d99375a61abbc7555007');
  });

  it('vector 3: POST form body', () => {
    const r = sigV4({
      ...common,
      method: 'POST',
      query: [],
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Host: HOST, 'X-Amz-Date': DATE },
      body: 'Action=TerminateInstances&Version=2016-03-04&InstanceId.1=e1d996e9-d182-4510-a9c7-82b74b6d1b81&ForceDelete=true',
    });
    expect(r.stringToSign.split('\n')[3]).toBe('ae62ca02ca972fd9913ffcae8f396df74fa0089ab3bd8faa23b4df030e2aeeb0');
    expect(r.signature).toBe('c851b3fa173b7340bbc310401de1faa058af5f18117ef7433bf15cf4eed0c0a8');
  });

  it('encodes strictly (RFC 3986) and sorts repeated keys by value', () => {
    expect(uriEncode("a b*~!'()/+é")).toBe('a%20b%2A~%21%27%28%29%2F%2B%C3%A9');
    expect(canonicalQuery([['k', 'b'], ['k', 'a'], ['A', '']])).toBe('A=&k=a&k=b');
  });

  it('the client signs GET in the URL, as seed 000 L6163 says, and reproduces vector 2', () => {
    const req = buildRequest({
      spec: ACTIONS.ModifyInstanceAutoDeleteTime,
      region: 'cn-beijing-6',
      params: { InstanceId: ['55655c35-4ba4-4443-991c-fc1c8a1057cc'], AutoDeleteTime: '2019-09-17 18:00' },
      credentials: { accessKeyId: AK, secret: SK },
      now: () => Date.UTC(2016, 8, 14, 11, 49, 2),
    });
    const url = new URL(req.url);
    expect(url.host).toBe(HOST);
    // The signing parameters of the common-parameter table (L6036-6043), nothing in the headers.
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => k.startsWith('X-Amz-')))).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${AK}/20160914/cn-beijing-6/kec/aws4_request`,
      'X-Amz-Date': DATE,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': '93ebdaafeda2e0b1e4fdf450bcb32e8d9ec75f232bf4d99375a61abbc7555007',
    });
    expect(req.headers).toEqual({ Accept: 'application/json' });
  });
});

/** Inputs for the cross-check: non-ASCII, spaces, `*`, `~`, repeated keys, empty values. */
const VARIED: Record<string, string | string[]>[] = [
  { Action: 'DescribeInstances', Version: '2016-03-04', Search: '测试 主机' },
  { Action: 'DescribeInstances', Version: '2016-03-04', Search: 'a*b~c', Marker: '0' },
  { Action: 'DescribeInstances', Version: '2016-03-04', 'ProjectId.1': '0', Search: '' },
  { Action: 'DescribeInstances', Version: '2016-03-04', Tag: ['z', 'a', 'm m'] },
  { Action: 'ModifyInstanceAutoDeleteTime', Version: '2016-03-04', 'InstanceId.1': 'x', AutoDeleteTime: '2030-01-01 08:00' },
  { Action: 'DescribeLocalVolumes', Version: '2016-03-04', InstanceName: "name with 'quotes' (and) !" },
];

const pairsOf = (q: Record<string, string | string[]>): [string, string][] =>
  Object.entries(q).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]]));

describe('cross-check with @smithy/signature-v4 (service kec)', () => {
  const when = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
  const smithy = new SignatureV4({ service: 'kec', region: 'cn-shanghai-2', credentials: { accessKeyId: AK, secretAccessKey: SK }, sha256: Sha256, applyChecksum: false });

  it.each(VARIED.map((q, i) => [i, q] as const))('GET header form, input %i', async (_i, query) => {
    const signed = await smithy.sign(new HttpRequest({ method: 'GET', protocol: 'https:', hostname: HOST, path: '/', query, headers: { host: HOST } }), { signingDate: when });
    const ours = sigV4({ method: 'GET', path: '/', query: pairsOf(query), headers: { host: HOST, 'x-amz-date': amzDate(when.getTime()) }, body: '', amzDate: amzDate(when.getTime()), region: 'cn-shanghai-2', service: 'kec', secret: SK });
    expect(signed.headers.authorization).toBe(authorizationHeader(AK, ours));
  });

  it.each(VARIED.map((q, i) => [i, q] as const))('GET query form (presign), input %i', async (_i, query) => {
    const signed = await smithy.presign(new HttpRequest({ method: 'GET', protocol: 'https:', hostname: HOST, path: '/', query, headers: { host: HOST } }), { signingDate: when, expiresIn: 900 });
    const q = signed.query as Record<string, string | string[]>;
    const pairs = pairsOf(q).filter(([k]) => k !== 'X-Amz-Signature');
    const ours = sigV4({ method: 'GET', path: '/', query: pairs, headers: { host: HOST }, body: '', amzDate: amzDate(when.getTime()), region: 'cn-shanghai-2', service: 'kec', secret: SK });
    expect(q['X-Amz-SignedHeaders']).toBe('host');
    expect(ours.signature).toBe(q['X-Amz-Signature']);
  });

  it('POST form body with a content-type header', async () => {
    const body = 'Action=TerminateInstances&Version=2016-03-04&InstanceId.1=%E4%B8%AD&ForceDelete=true';
    const headers = { host: HOST, 'content-type': 'application/x-www-form-urlencoded' };
    const signed = await smithy.sign(new HttpRequest({ method: 'POST', protocol: 'https:', hostname: HOST, path: '/', headers: { ...headers }, body }), { signingDate: when });
    const ours = sigV4({ method: 'POST', path: '/', query: [], headers: { ...headers, 'x-amz-date': amzDate(when.getTime()) }, body, amzDate: amzDate(when.getTime()), region: 'cn-shanghai-2', service: 'kec', secret: SK });
    expect(signed.headers.authorization).toBe(authorizationHeader(AK, ours));
  });
});

describe('requests signed by @smithy/signature-v4 pass the simulator', () => {
  let sim: RunningSim;
  const creds = simCredentials('kec');
  beforeAll(async () => {
    sim = await startSim({ modules: [createKecSim()], ports: { kec: 0 } });
  });
  afterAll(() => sim.stop());

  const signer = () =>
    new SignatureV4({ service: 'kec', region: 'cn-beijing-6', credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secret }, sha256: Sha256 });

  async function send(req: HttpRequest): Promise<{ status: number; body: { Error?: { Code: string }; RegionSet?: unknown[]; InstanceCount?: number } }> {
    const url = new URL(sim.endpoints.kec!);
    const qs = pairsOf(req.query as Record<string, string | string[]>)
      .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
      .join('&');
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== 'host'));
    const res = await fetch(`${url.origin}/${qs ? `?${qs}` : ''}`, { method: req.method, headers: { ...headers, accept: 'application/json' }, body: req.body as string | undefined });
    return { status: res.status, body: (await res.json()) as never };
  }

  const base = () => {
    const url = new URL(sim.endpoints.kec!);
    return { protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host } };
  };

  it('GET with the Authorization header (x-amz-content-sha256 signed too)', async () => {
    const signed = await signer().sign(new HttpRequest({ ...base(), method: 'GET', query: { Action: 'DescribeInstances', Version: '2016-03-04', Search: '测试 a*~', MaxResults: '5' } }));
    const res = await send(signed as HttpRequest);
    expect(res.status).toBe(200);
    expect(res.body.InstanceCount).toBe(0);
  });

  it('presigned GET (query form, with X-Amz-Expires)', async () => {
    const signed = await signer().presign(new HttpRequest({ ...base(), method: 'GET', query: { Action: 'DescribeRegions', Version: '2016-03-04' } }), { expiresIn: 300 });
    const res = await send(signed as HttpRequest);
    expect(res.status).toBe(200);
    expect(res.body.RegionSet).toHaveLength(6);
  });

  it("the seed's query form (L6045-6056): X-Amz-* in the URL, no X-Amz-Expires; X-Amz-Date may yield to a Date header (L6040)", async () => {
    const url = new URL(sim.endpoints.kec!);
    const date = new Date(Math.floor(Date.now() / 1000) * 1000);
    const amz = amzDate(date.getTime());
    const query = (withDate: boolean): [string, string][] => [
      ['Action', 'DescribeRegions'],
      ['Version', '2016-03-04'],
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', `${creds.accessKeyId}/${amz.slice(0, 8)}/cn-beijing-6/kec/aws4_request`],
      ...(withDate ? [['X-Amz-Date', amz] as [string, string]] : []),
      ['X-Amz-SignedHeaders', 'host'],
    ];
    for (const withDate of [true, false]) {
      const pairs = query(withDate);
      const sig = sigV4({ method: 'GET', path: '/', query: pairs, headers: { host: url.host }, body: '', amzDate: amz, region: 'cn-beijing-6', service: 'kec', secret: creds.secret }).signature;
      const qs = canonicalQuery([...pairs, ['X-Amz-Signature', sig]]);
      const res = await fetch(`${url.origin}/?${qs}`, { headers: { accept: 'application/json', ...(withDate ? {} : { date: date.toUTCString() }) } });
      expect([withDate, res.status]).toEqual([withDate, 200]);
    }
  });

  it('POST form body', async () => {
    const b = base();
    const body = 'Action=DescribeRegions&Version=2016-03-04';
    const signed = await signer().sign(new HttpRequest({ ...b, method: 'POST', headers: { ...b.headers, 'content-type': 'application/x-www-form-urlencoded' }, body }));
    const res = await send(signed as HttpRequest);
    expect(res.status).toBe(200);
    expect(res.body.RegionSet).toHaveLength(6);
  });

  it('a tampered parameter after signing is refused with SignatureDoesNotMatch/403', async () => {
    const signed = (await signer().sign(new HttpRequest({ ...base(), method: 'GET', query: { Action: 'DescribeInstances', Version: '2016-03-04', MaxResults: '5' } }))) as HttpRequest;
    signed.query = { ...signed.query, MaxResults: '6' };
    const res = await send(signed);
    expect(res.status).toBe(403);
    expect(res.body.Error?.Code).toBe('SignatureDoesNotMatch');
  });

  it('a stale signature (20 minutes old by the real clock) is refused as expired', async () => {
    const signed = await signer().sign(new HttpRequest({ ...base(), method: 'GET', query: { Action: 'DescribeRegions', Version: '2016-03-04' } }), { signingDate: new Date(Date.now() - 20 * 60_000) });
    const res = await send(signed as HttpRequest);
    expect(res.status).toBe(403);
    expect(res.body.Error).toMatchObject({ Code: 'SignatureDoesNotMatch' });
    expect(JSON.stringify(res.body)).toContain('Signature expired');
  });

  it('an unknown access key is InvalidClientTokenId/403; no auth at all is MissingAuthenticationToken/403', async () => {
    const wrong = new SignatureV4({ service: 'kec', region: 'cn-beijing-6', credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' }, sha256: Sha256 });
    const signed = await wrong.sign(new HttpRequest({ ...base(), method: 'GET', query: { Action: 'DescribeRegions', Version: '2016-03-04' } }));
    const res = await send(signed as HttpRequest);
    expect([res.status, res.body.Error?.Code]).toEqual([403, 'InvalidClientTokenId']);
    const bare = await send(new HttpRequest({ ...base(), method: 'GET', query: { Action: 'DescribeRegions', Version: '2016-03-04' } }));
    expect([bare.status, bare.body.Error?.Code]).toEqual([403, 'MissingAuthenticationToken']);
  });

  it('the wrong service in the credential scope is refused', async () => {
    const iam = new SignatureV4({ service: 'iam', region: 'cn-beijing-6', credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secret }, sha256: Sha256 });
    const signed = await iam.sign(new HttpRequest({ ...base(), method: 'GET', query: { Action: 'DescribeRegions', Version: '2016-03-04' } }));
    const res = await send(signed as HttpRequest);
    expect([res.status, res.body.Error?.Code]).toEqual([403, 'SignatureDoesNotMatch']);
  });
});
