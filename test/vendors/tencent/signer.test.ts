import fc from 'fast-check';
import signModule from 'tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js';
import { legacySign, legacyStringToSign, tc3Signature } from '../../../lib/vendors/tencent/signer';
import { buildRequest, flattenParams } from '../../../lib/vendors/tencent/codec';

type SdkSign = {
  sign(secretKey: string, signStr: string, signMethod: string): string;
  sign3(args: { method: string; url: string; payload: unknown; timestamp: number; service: string; secretId: string; secretKey: string; multipart: boolean; headers: Record<string, string> }): string;
};
const Sign = (signModule as unknown as { default: SdkSign }).default;

// Worked example, seed 004 L426-517 (SecretKey split over L428-429 rejoined).
const KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const PARAMS = {
  Action: 'DescribeInstances',
  'InstanceIds.0': 'ins-09dx96dg',
  Limit: '20',
  Nonce: '11886',
  Offset: '0',
  Region: 'ap-guangzhou',
  SecretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  Timestamp: '1465185768',
  Version: '2017-03-12',
};

describe('Tencent legacy signature: seed 004 worked example', () => {
  it('builds the documented string to sign (seed 004 L484-492)', () => {
    expect(legacyStringToSign('GET', 'cvm.tencentcloudapi.com', '/', PARAMS)).toBe(
      'GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12',
    );
  });

  it('TV1: HmacSHA1 GET equals the documented signature with the I/l OCR typo corrected (seed 004 L514 prints ...WcGel=)', () => {
    const s = legacyStringToSign('GET', 'cvm.tencentcloudapi.com', '/', PARAMS);
    expect(legacySign(s, KEY, 'HmacSHA1')).toBe('EliP9YW3pW28FpsEdkXt/+WcGeI=');
    expect(encodeURIComponent(legacySign(s, KEY, 'HmacSHA1'))).toBe('EliP9YW3pW28FpsEdkXt%2F%2BWcGeI%3D');
  });

  it('TV2-TV5 from the digest (POST SHA1, GET/POST SHA256, the Java demo InstanceId.0)', () => {
    const post = legacyStringToSign('POST', 'cvm.tencentcloudapi.com', '/', PARAMS);
    expect(legacySign(post, KEY, 'HmacSHA1')).toBe('/4JqpPkM1WMS/I5IvWzp5mqoqWY=');
    const sha = { ...PARAMS, SignatureMethod: 'HmacSHA256' };
    expect(legacySign(legacyStringToSign('GET', 'cvm.tencentcloudapi.com', '/', sha), KEY, 'HmacSHA256')).toBe('A8uy2/o7WBZXYCTWEFpMrVGhGBVlEGIOioeqRM+fzFs=');
    expect(legacySign(legacyStringToSign('POST', 'cvm.tencentcloudapi.com', '/', sha), KEY, 'HmacSHA256')).toBe('qwaMxk0NcXl0kw8VKseP3kAXJTW8MuyduO2uDJ69szQ=');
    const { 'InstanceIds.0': id, ...rest } = PARAMS;
    expect(legacySign(legacyStringToSign('GET', 'cvm.tencentcloudapi.com', '/', { ...rest, 'InstanceId.0': id }), KEY, 'HmacSHA1')).toBe('YCjwYxB0iE9QgtCFDxEGcIQ5HjM=');
  });

  it('sorts by code unit: Filters.10 before Filters.2 (seed 004 L448)', () => {
    const s = legacyStringToSign('GET', 'h', '/', { 'Filters.2.Name': 'b', 'Filters.10.Name': 'a' });
    expect(s).toBe('GETh/?Filters.10.Name=a&Filters.2.Name=b');
  });
});

/** Inputs the cross-check varies: non-ASCII, spaces, `*`, `~`, repeated values, empty values. */
const awkward = fc.constantFrom('上海 机房', 'a b', '*', '~tilde', '', 'x=y&z', 'ñ/+?', 'ins-r8hr2upy');
const paramTree = fc.record({
  InstanceIds: fc.array(awkward, { minLength: 1, maxLength: 4 }),
  Filters: fc.array(fc.record({ Name: fc.constantFrom('tag:城市', 'zone', 'tag-key'), Values: fc.array(awkward, { minLength: 1, maxLength: 3 }) }), { maxLength: 3 }),
  InstanceName: awkward,
  Limit: fc.integer({ min: 1, max: 100 }),
});

describe('cross-check with tencentcloud-sdk-nodejs-common', () => {
  it.each(['HmacSHA1', 'HmacSHA256'] as const)('%s: our string-to-sign and signature equal the SDK signer on varied inputs', (method) => {
    fc.assert(
      fc.property(paramTree, fc.constantFrom('GET', 'POST'), (tree, http) => {
        const flat = { ...flattenParams(tree), Action: 'DescribeInstances', Nonce: '42', Timestamp: '1700000000', SecretId: 'AKIDtest', Version: '2017-03-12', SignatureMethod: method };
        const s = legacyStringToSign(http, 'cvm.tencentcloudapi.com', '/', flat);
        // The SDK's formatSignString: sorted keys, raw `k=v` joined with `&` (abstract_client.js).
        const sdkString = `${http}cvm.tencentcloudapi.com/?${Object.keys(flat)
          .sort()
          .map((k) => `${k}=${flat[k as keyof typeof flat]}`)
          .join('&')}`;
        expect(s).toBe(sdkString);
        expect(legacySign(s, 'sk/秘密 ~*', method)).toBe(Sign.sign('sk/秘密 ~*', s, method));
      }),
      { numRuns: 60 },
    );
  });

  it('TC3-HMAC-SHA256: our Authorization equals the SDK sign3 for JSON POST bodies and GET queries', () => {
    fc.assert(
      fc.property(paramTree, fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }), (tree, timestamp) => {
        const payload = JSON.stringify(tree);
        const ours = tc3Signature({ method: 'POST', host: 'cvm.tencentcloudapi.com', path: '/', query: '', contentType: 'application/json', payload, timestamp, service: 'cvm', secretId: 'AKIDx', secretKey: 'key ~*上' });
        const sdk = Sign.sign3({ method: 'POST', url: 'https://cvm.tencentcloudapi.com/', payload: tree, timestamp, service: 'cvm', secretId: 'AKIDx', secretKey: 'key ~*上', multipart: false, headers: { 'Content-Type': 'application/json' } });
        expect(ours.authorization).toBe(sdk);
      }),
      { numRuns: 60 },
    );
    const query = 'Limit=10&InstanceName=%E4%B8%8A%20x%2A~';
    const ours = tc3Signature({ method: 'GET', host: 'cvm.tencentcloudapi.com', path: '/', query, contentType: 'application/x-www-form-urlencoded', payload: '', timestamp: 1700000000, service: 'cvm', secretId: 'AKIDx', secretKey: 'k' });
    const sdk = Sign.sign3({ method: 'GET', url: `https://cvm.tencentcloudapi.com/?${query}`, payload: '', timestamp: 1700000000, service: 'cvm', secretId: 'AKIDx', secretKey: 'k', multipart: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(ours.authorization).toBe(sdk);
  });

  it('buildRequest signs a POST form the SDK signer agrees with, and never puts the secret on the wire', () => {
    const req = buildRequest({
      action: 'TerminateInstances',
      region: 'ap-shanghai-fsi',
      params: { InstanceIds: ['ins-a', 'ins-b'] },
      credentials: { accessKeyId: 'AKIDx', secret: 'TOPSECRET' },
      settings: { signatureMethod: 'HmacSHA256', httpMethod: 'POST', regionalEndpoint: false },
      now: () => 1_700_000_000_000,
      nonce: () => 7,
    });
    // Finance regions need the regional host (seed 004 L1099).
    expect(req.url).toBe('https://cvm.ap-shanghai-fsi.tencentcloudapi.com/');
    const form = Object.fromEntries(new URLSearchParams(req.body));
    const { Signature, ...rest } = form;
    const s = legacyStringToSign('POST', 'cvm.ap-shanghai-fsi.tencentcloudapi.com', '/', rest);
    expect(Signature).toBe(Sign.sign('TOPSECRET', s, 'HmacSHA256'));
    expect(rest).toMatchObject({ 'InstanceIds.0': 'ins-a', 'InstanceIds.1': 'ins-b', SignatureMethod: 'HmacSHA256', Region: 'ap-shanghai-fsi' });
    expect(JSON.stringify(req)).not.toContain('TOPSECRET');
  });
});
