import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { VendorError } from '../../../lib/vendors/core';
import { schemas } from '../../../lib/vendors/kec/actions';
import { parseResponse } from '../../../lib/vendors/kec/codec';
import { mapInstance, mapSnapshot } from '../../../lib/vendors/kec/mapping';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const load = (name: string): string => readFileSync(join(dir, name), 'utf8');
const ok = (body: string, status = 200) => ({ status, headers: {}, body });

// Every documented sample response the client reads, hand-cleaned of PDF artefacts (page-break
// fragments, `//` comments, trailing commas), named with its seed 000 line range.
const cases: [string, string, z.ZodType][] = [
  ['describe-instances.json', 'seed 000 L1498-1790 (two instances reassembled across page breaks)', schemas.describeInstances],
  ['stop-instances.json', 'seed 000 L1010-1019', schemas.stateChanges],
  ['terminate-instances.json', 'seed 000 L1135-1144', schemas.stateChanges],
  ['modify-instance-auto-delete-time.json', 'seed 000 L3171-3175', schemas.modifyAutoDelete],
  ['describe-spot-price-history.json', 'seed 000 L3246-3268', schemas.describeSpotPriceHistory],
  ['describe-price.json', 'seed 000 L3359-3370 (// comments removed)', schemas.describePrice],
  ['describe-regions.json', 'seed 000 L5003-5037 (stray element moved into the array)', schemas.describeRegions],
  ['describe-availability-zones.json', 'seed 000 L5067-5081', schemas.describeZones],
  ['describe-local-volumes.json', 'seed 000 L5696-5732 (page break and "..." removed)', schemas.describeLocalVolumes],
  ['create-local-volume-snapshot.json', 'seed 000 L4795-4798 (trailing comma removed)', schemas.createLocalVolumeSnapshot],
  ['describe-local-volume-snapshots.json', 'seed 000 L4904-4924', schemas.describeLocalVolumeSnapshots],
  ['delete-local-volume-snapshot.json', 'seed 000 L4963-4971', schemas.deleteLocalVolumeSnapshot],
];

describe('KEC sample responses parse through the client schemas', () => {
  it.each(cases)('%s (%s)', (file, _source, schema) => {
    expect(() => parseResponse('Fixture', schema, ok(load(file)))).not.toThrow();
  });

  it('maps the DescribeInstances sample: Beijing CreationDate with literal Z, PostPaidByHour as postpaid (seed 000 L1556, L6345-6350)', () => {
    const r = parseResponse('DescribeInstances', schemas.describeInstances, ok(load('describe-instances.json')));
    const [a, b] = r.InstancesSet!.map((i) => mapInstance(i, { target: 't', region: 'cn-beijing-6' }));
    expect(a).toMatchObject({ id: '19c61e7e-c604-43ec-b225-3677f4f2eaf6', state: 'running', rawState: 'active', chargeType: 'postpaid', rawChargeType: 'PostPaidByHour', zone: 'cn-beijing-6a', project: '0' });
    expect(a!.createdAt).toBe('2018-08-22T09:56:52.000Z');
    expect(b!.chargeType).toBe('postpaid');
    expect(b!.tags).toEqual({});
  });

  it('maps the snapshot sample (state ACTIVE → ready)', () => {
    const r = parseResponse('DescribeLocalVolumeSnapshots', schemas.describeLocalVolumeSnapshots, ok(load('describe-local-volume-snapshots.json')));
    const s = mapSnapshot(r.LocalVolumeSnapshotSet![0]!, { target: 't', region: 'cn-beijing-6' });
    expect(s).toMatchObject({ state: 'ready', sourceId: 'e458972c-1f44-4fa6-a58f-581a681bb5e9-c', createdAt: '2017-04-17T09:14:29.000Z', sizeGb: 50 });
  });

  it('turns the documented error envelope into a VendorError (seed 000 L6110-6119)', () => {
    let caught: unknown;
    try {
      parseResponse('X', schemas.modifyAutoDelete, ok(load('error-envelope.json'), 400));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VendorError);
    expect(caught).toMatchObject({ code: 'InvalidParameterValue', requestId: '68093a99-2f63-4f39-8f70-3047ab8ecb5b', retryable: false, auth: false, httpStatus: 400 });
  });

  it('classifies LimitExceeded/409 as retryable and SignatureDoesNotMatch as auth (seed 000 L6131, L6154)', () => {
    const err = (code: string, status: number) => {
      try {
        parseResponse('X', schemas.modifyAutoDelete, ok(JSON.stringify({ RequestId: 'r', Error: { Code: code, Message: 'm' } }), status));
      } catch (e) {
        return e as VendorError;
      }
      throw new Error('no error');
    };
    expect(err('LimitExceeded', 409)).toMatchObject({ retryable: true, auth: false });
    expect(err('ServiceUnavailable', 500)).toMatchObject({ retryable: true });
    expect(err('SignatureDoesNotMatch', 403)).toMatchObject({ retryable: false, auth: true });
    expect(err('MissingParameter', 400)).toMatchObject({ retryable: false, auth: false });
  });
});
