import { createRequire } from 'node:module';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import SignModule from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js';
import { signV1 } from '../../lib/vendors/alibaba/signer';
import { amzDate, sigV4 } from '../../lib/vendors/kec/signer';
import { tc3Signature } from '../../lib/vendors/tencent/signer';
import { spread, type Spread } from './stats';

export interface SigningResult {
  vendor: string;
  ours: string;
  theirs: string;
  oursPerSecond: Spread;
  theirsPerSecond: Spread;
  /** Ours / theirs, per round (both measured in the same round), then median/min/max. */
  ratio: Spread;
}

/** Signatures per second of `fn` over about `ms` milliseconds. */
async function rate(fn: () => unknown, ms: number): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(); // warm-up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

/** CommonJS default export, seen through ESM interop as `.default`. */
const Sign = ((SignModule as unknown as { default?: typeof SignModule }).default ?? SignModule) as typeof SignModule;

const SECRET = 'bench-secret-key-0123456789abcdef';
const ID = 'bench-access-key-id';
/** One realistic request: a DescribeInstances page with a filter. */
const PARAMS: Record<string, string> = { Action: 'DescribeInstances', Version: '2017-03-12', Region: 'ap-guangzhou', Offset: '100', Limit: '100', 'Filters.0.Name': 'tag-key', 'Filters.0.Values.0': 'backup' };
const BODY = new URLSearchParams(PARAMS).toString();
const TIMESTAMP = 1_768_442_400;

function tencentPair(): [() => unknown, () => unknown] {
  const common = { method: 'POST', payload: BODY, timestamp: TIMESTAMP, service: 'cvm', secretId: ID, secretKey: SECRET };
  return [
    () => tc3Signature({ ...common, host: 'cvm.tencentcloudapi.com', path: '/', query: '', contentType: 'application/x-www-form-urlencoded' }),
    () => Sign.sign3({ ...common, url: 'https://cvm.tencentcloudapi.com/', multipart: false, boundary: '', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
  ];
}

function kecPair(): [() => unknown, () => unknown] {
  const query: [string, string][] = [['Action', 'DescribeInstances'], ['Version', '2016-03-04'], ['MaxResults', '1000'], ['Marker', '0'], ['ProjectId.1', '0']];
  const date = new Date(TIMESTAMP * 1000);
  const signer = new SignatureV4({ credentials: { accessKeyId: ID, secretAccessKey: SECRET }, region: 'cn-beijing-6', service: 'kec', sha256: Sha256 });
  const request = new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'kec.api.ksyun.com', path: '/', query: Object.fromEntries(query), headers: { host: 'kec.api.ksyun.com' } });
  return [
    () => sigV4({ method: 'GET', path: '/', query, headers: { host: 'kec.api.ksyun.com', 'x-amz-date': amzDate(date.getTime()) }, body: '', amzDate: amzDate(date.getTime()), region: 'cn-beijing-6', service: 'kec', secret: SECRET }),
    () => signer.sign(request, { signingDate: date }),
  ];
}

/**
 * @alicloud/pop-core signs inside RPCClient.request (normalize, canonicalize, HMAC-SHA1) with no
 * exported signer: its HTTP call is replaced by one that throws, so a call measures exactly the
 * request building and signing the SDK does before sending.
 */
function alibabaPair(): [() => unknown, () => unknown] {
  const require = createRequire(import.meta.url);
  const popPath = require.resolve('@alicloud/pop-core');
  const httpx = createRequire(popPath)('httpx') as { request: (...a: unknown[]) => Promise<unknown> };
  const stop = new Error('not sent');
  httpx.request = () => Promise.reject(stop);
  const RPCClient = require('@alicloud/pop-core').RPCClient as new (o: object) => { request(a: string, p: object, o: object): Promise<unknown> };
  const client = new RPCClient({ accessKeyId: ID, accessKeySecret: SECRET, endpoint: 'https://ecs.aliyuncs.com', apiVersion: '2014-05-26' });
  const params = { RegionId: 'cn-qingdao', PageNumber: '2', PageSize: '100', 'Tag.1.Key': 'backup' };
  return [
    () =>
      signV1(
        { Action: 'DescribeInstances', Format: 'JSON', Version: '2014-05-26', AccessKeyId: ID, SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: crypto.randomUUID(), Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), ...params },
        SECRET,
      ),
    () => client.request('DescribeInstances', params, { method: 'GET', formatParams: false }).catch((e: unknown) => {
      if (e !== stop) throw e;
    }),
  ];
}

/** Signing throughput of our signers against the official SDKs' on the same inputs, `rounds` rounds. */
export async function benchSigning(rounds: number, msPerRound: number): Promise<SigningResult[]> {
  const cases: { vendor: string; ours: string; theirs: string; pair: [() => unknown, () => unknown] }[] = [
    { vendor: 'tencent', ours: 'lib/vendors/tencent/signer tc3Signature', theirs: 'tencentcloud-sdk-nodejs-common Sign.sign3', pair: tencentPair() },
    { vendor: 'kec', ours: 'lib/vendors/kec/signer sigV4', theirs: '@smithy/signature-v4 (sha256-js)', pair: kecPair() },
    { vendor: 'alibaba', ours: 'lib/vendors/alibaba/signer signV1', theirs: '@alicloud/pop-core RPCClient.request (send stubbed)', pair: alibabaPair() },
  ];
  const out: SigningResult[] = [];
  for (const c of cases) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const a = await rate(c.pair[0], msPerRound);
      const b = await rate(c.pair[1], msPerRound);
      ours.push(a);
      theirs.push(b);
      ratios.push(a / b);
    }
    out.push({ vendor: c.vendor, ours: c.ours, theirs: c.theirs, oursPerSecond: spread(ours), theirsPerSecond: spread(theirs), ratio: spread(ratios) });
  }
  return out;
}
