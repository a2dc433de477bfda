import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvelope, schemas } from '../../../lib/vendors/alibaba';
import { toInstance, toPolicy, toSnapshot } from '../../../lib/vendors/alibaba/mapping';

const dir = join(process.cwd(), 'test/vendors/alibaba/fixtures');
const load = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { source: string; body: unknown };
const ok = (body: unknown) => ({ status: 200, headers: {}, body: JSON.stringify(body) });

describe('alibaba sample responses (seed 001) parse through the client schemas', () => {
  it('every fixture names its seed lines', () => {
    for (const f of readdirSync(dir)) expect(load(f.replace('.json', '')).source).toMatch(/^seed 001 L\d+-\d+/);
  });

  it('DescribeInstanceStatus (L1664-1679)', () => {
    const body = parseEnvelope('DescribeInstanceStatus', ok(load('describe-instance-status').body), schemas.DescribeInstanceStatus);
    expect(body.InstanceStatuses.map((s) => s.Status)).toEqual(['Running', 'Stopped']);
  });

  it('DescribeInstances (L1808-1871): PostPaid, minute-precision UTC times', () => {
    const body = parseEnvelope('DescribeInstances', ok(load('describe-instances').body), schemas.DescribeInstances);
    const inst = toInstance(body.Instances[0]!, {}, 't', 'cn-shenzhen');
    expect(inst).toMatchObject({ id: 'i-94t3s****', state: 'running', chargeType: 'postpaid', createdAt: '2015-07-27T07:08:00.000Z', zone: 'cn-shenzhen-a' });
    expect(inst.expiresAt).toBeUndefined(); // the PostPaid sample's 2011 ExpiredTime is ignored (DECISIONS A8)
  });

  it('DescribeDisks (L2788-2861)', () => {
    const body = parseEnvelope('DescribeDisks', ok(load('describe-disks').body), schemas.DescribeDisks);
    expect(body.Disks.map((d) => [d.DiskId, d.Size, d.EnableAutoSnapshot])).toEqual([
      ['d-28m5z****', 5, false],
      ['d-28zfr****', 5, false],
    ]);
    expect(body.TotalCount).toBe(9);
  });

  it('DescribeSnapshots (L3755-3786)', () => {
    const body = parseEnvelope('DescribeSnapshots', ok(load('describe-snapshots').body), schemas.DescribeSnapshots);
    const s = toSnapshot(body.Snapshots[0]!, {}, 't', 'r');
    expect(s).toMatchObject({ id: 's-943yp****', sourceId: 'd-944qy****', state: 'ready', inUse: false, createdAt: '2015-07-30T05:00:14.000Z', sizeGb: 20 });
  });

  it('CreateSnapshot (L3583-3586), CreateAutoSnapshotPolicy (L4097-4100), StopInstance (L1278-1280)', () => {
    expect(parseEnvelope('CreateSnapshot', ok(load('create-snapshot').body), schemas.CreateSnapshot).SnapshotId).toBe('s-923FE****');
    expect(parseEnvelope('CreateAutoSnapshotPolicy', ok(load('create-auto-snapshot-policy').body), schemas.CreateAutoSnapshotPolicy).AutoSnapshotPolicyId).toBe('p-233e6****');
    expect(parseEnvelope('StopInstance', ok(load('stop-instance').body), schemas.common).RequestId).toBe('1C488B66-B819-4D14-8711-C4EAAA13AC01');
  });

  it('DescribeTags (L8005-8018)', () => {
    const body = parseEnvelope('DescribeTags', ok(load('describe-tags').body), schemas.DescribeTags);
    expect(body.Tags).toEqual([{ TagKey: 'test', TagValue: 'api' }]);
  });

  it('DescribeAutoSnapshotPolicyEx (L4275-4298): Setting* names, string RetentionDays, Beijing hours', () => {
    const body = parseEnvelope('DescribeAutoSnapshotPolicyEx', ok(load('describe-auto-snapshot-policy-ex').body), schemas.DescribeAutoSnapshotPolicyEx);
    const [a, b] = body.policies.map((p) => toPolicy(p));
    // Beijing 00:00 and 01:00 on Monday/Sunday are 16:00 and 17:00 UTC on Sunday/Saturday
    expect(a).toMatchObject({ id: 'p-23f2j****', hoursUtc: [16, 17], weekdays: [6, 7], retentionDays: 30 });
    expect(b).toMatchObject({ id: 'p-a1fd3****', retentionDays: 0 }); // -1: keep forever
    expect(b!.hoursUtc).toEqual([1, 18]);
  });

  it('DescribeRegions (L7658-7670): the trailing space in a RegionId is trimmed', () => {
    const body = parseEnvelope('DescribeRegions', ok(load('describe-regions').body), schemas.DescribeRegions);
    expect(body.Regions.map((r) => r.RegionId)).toEqual(['cn-hangzhou', 'cn-qingdao']);
  });

  it('the error envelope (L619-626) becomes a VendorError with code, message and request id', () => {
    expect(() => parseEnvelope('DescribeRegions', { status: 400, headers: {}, body: JSON.stringify(load('error').body) }, schemas.common)).toThrow(
      expect.objectContaining({ code: 'InvalidOwnerId', requestId: '8906582E-6722-409A-A6C4-0E7863B733A5', httpStatus: 400, retryable: false, auth: false }),
    );
  });
});
