import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VendorError, type HttpResponse } from '../../../lib/vendors/core';
import { ACTIONS } from '../../../lib/vendors/tencent/actions';
import { parseEnvelope } from '../../../lib/vendors/tencent/codec';
import { priceOf, toInstance, toSnapshot } from '../../../lib/vendors/tencent/mapping';

interface Fixture {
  seed: string;
  lines: string;
  repair: string | null;
  body: unknown;
}
const dir = join(import.meta.dirname, 'fixtures');
const load = (name: string): Fixture => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Fixture;
const response = (f: Fixture): HttpResponse => ({ status: 200, headers: {}, body: JSON.stringify(f.body) });

/** Which action's schema reads each documented sample (seed 004, line ranges in each fixture). */
const READS: Record<string, keyof typeof ACTIONS> = {
  'describe-regions': 'DescribeRegions',
  'describe-zones': 'DescribeZones',
  'describe-instances-ex1': 'DescribeInstances',
  'describe-instances-ex2': 'DescribeInstances',
  'describe-instances-status': 'DescribeInstancesStatus',
  'terminate-instances': 'TerminateInstances',
  'inquiry-price-renew': 'InquiryPriceRenewInstances',
  'inquiry-price-run-example1': 'InquiryPriceRunInstances',
  'inquiry-price-run-prepaid': 'InquiryPriceRunInstances',
  'inquiry-price-run-postpaid': 'InquiryPriceRunInstances',
  'describe-zone-instance-config-infos': 'DescribeZoneInstanceConfigInfos',
  'describe-images': 'DescribeImages',
  'describe-image-quota': 'DescribeImageQuota',
};

describe('seed 004 sample responses parse through the client schemas', () => {
  it('every fixture file is covered and names its seed lines', () => {
    const files = readdirSync(dir).map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual([...Object.keys(READS), 'error-auth'].sort());
    for (const f of files) expect(load(f)).toMatchObject({ seed: '004_6815deae9bb9ab0b.txt', lines: expect.stringMatching(/^L\d+-L\d+$/) });
  });

  it.each(Object.entries(READS))('%s parses as %s', (name, action) => {
    expect(() => parseEnvelope(action, response(load(name)), ACTIONS[action].schema)).not.toThrow();
  });

  it('DescribeInstances Ex2 (seed 004 L2344-2405): tagKey/tagValue tags, UTC times, prepaid mapping', () => {
    const body = parseEnvelope('DescribeInstances', response(load('describe-instances-ex2')), ACTIONS.DescribeInstances.schema);
    const i = toInstance(body.InstanceSet[0]!, 't', 'ap-guangzhou');
    expect(i).toMatchObject({
      id: 'ins-r8hr2upy',
      zone: 'ap-guangzhou-1',
      chargeType: 'prepaid',
      createdAt: '2016-12-02T00:22:40.000Z',
      expiresAt: '2017-01-02T00:22:48.000Z',
      renewFlag: 'auto',
      tags: { city: 'shenzhen' },
      // The samples omit InstanceState (seed 004 digest §8 item 14).
      rawState: 'UNKNOWN',
      state: 'unknown',
    });
  });

  it('DescribeImages (seed 004 L4764-4783): sample field names ImageStatus/ImageCreateTime with +00:00', () => {
    const body = parseEnvelope('DescribeImages', response(load('describe-images')), ACTIONS.DescribeImages.schema);
    expect(toSnapshot(body.ImageSet[0]!, 't', 'r')).toMatchObject({ id: 'img-pmqg1cw7', state: 'ready', rawState: 'NORMAL', createdAt: '1970-01-01T00:00:00.000Z', sourceId: '', tags: {} });
  });

  it('prices as strings and numbers become decimal strings (seed 004 L1634-1653, L3376-3388, L3856-3899)', () => {
    const run = parseEnvelope('InquiryPriceRunInstances', response(load('inquiry-price-run-postpaid')), ACTIONS.InquiryPriceRunInstances.schema);
    expect(priceOf(run.Price.InstancePrice, 'UnitPrice')).toBe('0.34');
    const renew = parseEnvelope('InquiryPriceRenewInstances', response(load('inquiry-price-renew')), ACTIONS.InquiryPriceRenewInstances.schema);
    expect(priceOf(renew.Price.InstancePrice, 'DiscountPrice')).toBe('1.2');
    const zone = parseEnvelope('DescribeZoneInstanceConfigInfos', response(load('describe-zone-instance-config-infos')), ACTIONS.DescribeZoneInstanceConfigInfos.schema);
    expect(priceOf(zone.InstanceTypeQuotaSet[0]!.Price, 'UnitPrice')).toBe('0.64');
  });

  it('the documented error sample (seed 004 L652-660) becomes an auth VendorError with the request id', () => {
    let error: unknown;
    try {
      parseEnvelope('DescribeInstances', response(load('error-auth')), ACTIONS.DescribeInstances.schema);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VendorError);
    expect(error).toMatchObject({ code: 'AuthFailure.SignatureFailure', auth: true, retryable: false, requestId: 'ed93f3cb-f35e-473f-b9f3-0d451b8b79c6' });
  });

  it('throttling is retryable, validation is not, and RequestID is read too', () => {
    const env = (code: string) => ({ status: 200, headers: {}, body: JSON.stringify({ Response: { Error: { Code: code, Message: 'm' }, RequestID: 'R1' } }) });
    expect(() => parseEnvelope('X', env('RequestLimitExceeded'), ACTIONS.DescribeImageQuota.schema)).toThrow(expect.objectContaining({ retryable: true, requestId: 'R1' }));
    expect(() => parseEnvelope('X', env('InvalidParameterValue'), ACTIONS.DescribeImageQuota.schema)).toThrow(expect.objectContaining({ retryable: false }));
    expect(() => parseEnvelope('X', { status: 200, headers: {}, body: '{"Response": {"RequestId": "x"}}' }, ACTIONS.DescribeImageQuota.schema)).toThrow(expect.objectContaining({ code: 'UnexpectedResponse' }));
  });
});
