/**
 * Our response schemas walked against the public SDK model (`@alicloud/ecs20140526`, its classes'
 * `names()` = wire names and `types()` = field types): every field we read exists there or is a
 * seed-only field named below with its line; every SDK type is accepted; every field the SDK
 * marks optional (all of them) may be absent unless we say why we require it; whole SDK-shaped
 * bodies parse, in the SDK's spellings. Seed and SDK disagreements: sim/DECISIONS.md A18.
 */
import { createRequire } from 'node:module';
import type { z } from 'zod';
import { diskSchema, instanceSchema, policyObject, schemas, snapshotSchema, tagSchema } from '../../../lib/vendors/alibaba/actions';

const require = createRequire(import.meta.url);
interface ModelClass {
  name: string;
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}
type FieldType = string | ModelClass | { type: 'array' | 'map'; itemType?: string | ModelClass };
const model = (file: string, cls = file): ModelClass => (require(`@alicloud/ecs20140526/dist/models/${file}.js`) as Record<string, ModelClass>)[cls]!;

/** Wire name → SDK type of one model class. */
function fields(cls: ModelClass): Map<string, FieldType> {
  const names = cls.names();
  const types = cls.types();
  return new Map(Object.entries(names).map(([prop, wire]) => [wire, types[prop] as FieldType]));
}

const isClass = (t: FieldType): t is ModelClass => typeof t === 'function';
/** JSON-array strings where the table says so (seed 001 L4057-4058); a numeric-looking string elsewhere. */
const STRING_SAMPLES: Record<string, string> = { TimePoints: '["1","2"]', RepeatWeekdays: '["1"]', SettingTimePoints: '["1"]', SettingRepeatWeekdays: '["1"]' };

/** A body as the SDK model describes it: every field present, arrays of one item. */
function sample(t: FieldType, wire = ''): unknown {
  if (t === 'string') return STRING_SAMPLES[wire] ?? '1';
  if (t === 'number') return 1;
  if (t === 'boolean') return true;
  if (isClass(t)) return Object.fromEntries([...fields(t)].map(([w, ft]) => [w, sample(ft, w)]));
  if (typeof t === 'object' && t.type === 'array') return [sample(t.itemType as FieldType, wire)];
  return {};
}

/**
 * Fields we read that the SDK model does not have, each with its seed source. Anything else missing
 * from the SDK fails the test (a misspelt or invented field).
 */
const SEED_ONLY: Record<string, string[]> = {
  policy: ['SettingTimePoints', 'SettingRepeatWeekdays'], // samples L4253-4254, L4284-4285 (A5)
  disk: [],
  snapshot: [],
  instance: [],
  tag: [],
};
/** Fields we refuse to do without, though the SDK marks every field optional: an item without its id names nothing. */
const REQUIRED: Record<string, string[]> = {
  instance: ['InstanceId', 'Status'],
  disk: ['DiskId'],
  snapshot: ['SnapshotId'],
  policy: ['AutoSnapshotPolicyId'],
  tag: ['TagKey'],
};

const ITEMS: [string, z.ZodObject, ModelClass][] = [
  ['instance', instanceSchema, model('DescribeInstancesResponseBody', 'DescribeInstancesResponseBodyInstancesInstance')],
  ['disk', diskSchema, model('DescribeDisksResponseBody', 'DescribeDisksResponseBodyDisksDisk')],
  ['snapshot', snapshotSchema, model('DescribeSnapshotsResponseBody', 'DescribeSnapshotsResponseBodySnapshotsSnapshot')],
  ['policy', policyObject, model('DescribeAutoSnapshotPolicyExResponseBody', 'DescribeAutoSnapshotPolicyExResponseBodyAutoSnapshotPoliciesAutoSnapshotPolicy')],
  ['tag', tagSchema, model('DescribeTagsResponseBody', 'DescribeTagsResponseBodyTagsTag')],
];

describe.each(ITEMS)('%s schema against the SDK model', (kind, schema, cls) => {
  const sdk = fields(cls);
  const ours = Object.keys(schema.shape);
  const minimal = () => Object.fromEntries(REQUIRED[kind]!.map((k) => [k, sample(sdk.get(k) ?? 'string', k)]));

  it('reads only fields the SDK names, or seed-only fields cited above', () => {
    expect(ours.filter((k) => !sdk.has(k) && !SEED_ONLY[kind]!.includes(k))).toEqual([]);
    // a seed-only field that the SDK has after all is no longer seed-only
    expect(SEED_ONLY[kind]!.filter((k) => sdk.has(k))).toEqual([]);
  });

  it('accepts the SDK type of every field it reads', () => {
    const refused = ours.filter((k) => sdk.has(k) && !schema.safeParse({ ...minimal(), [k]: sample(sdk.get(k)!, k) }).success);
    expect(refused).toEqual([]);
  });

  it('requires only the id fields; every other field may be absent (the SDK marks all optional)', () => {
    const result = schema.safeParse({});
    const required = result.success ? [] : [...new Set(result.error.issues.map((i) => String(i.path[0])))].sort();
    expect(required).toEqual([...REQUIRED[kind]!].sort());
    expect(schema.safeParse(minimal()).success).toBe(true);
  });
});

describe('whole responses in the SDK model\'s shape parse into items', () => {
  const body = (file: string) => sample(model(file)) as Record<string, unknown>;
  it.each([
    ['DescribeInstances', (b: Record<string, unknown>) => (schemas.DescribeInstances.parse(b) as { Instances: unknown[] }).Instances],
    ['DescribeDisks', (b: Record<string, unknown>) => (schemas.DescribeDisks.parse(b) as { Disks: unknown[] }).Disks],
    ['DescribeSnapshots', (b: Record<string, unknown>) => (schemas.DescribeSnapshots.parse(b) as { Snapshots: unknown[] }).Snapshots],
    ['DescribeTags', (b: Record<string, unknown>) => (schemas.DescribeTags.parse(b) as { Tags: unknown[] }).Tags],
    ['DescribeInstanceStatus', (b: Record<string, unknown>) => (schemas.DescribeInstanceStatus.parse(b) as { InstanceStatuses: unknown[] }).InstanceStatuses],
    ['DescribeRegions', (b: Record<string, unknown>) => (schemas.DescribeRegions.parse(b) as { Regions: unknown[] }).Regions],
    // the SDK spells the wrapper AutoSnapshotPolicies, the seed AutoSnapshotPolicys (L4249)
    ['DescribeAutoSnapshotPolicyEx', (b: Record<string, unknown>) => schemas.DescribeAutoSnapshotPolicyEx.parse(b).policies],
  ] as const)('%s', (action, items) => {
    const b = body(`${action}ResponseBody`);
    expect(items(b)).toHaveLength(1);
  });

  it('the policy list spelling of the SDK is AutoSnapshotPolicies, of the seed AutoSnapshotPolicys: both read', () => {
    expect(fields(model('DescribeAutoSnapshotPolicyExResponseBody')).has('AutoSnapshotPolicies')).toBe(true);
    const item = sample(model('DescribeAutoSnapshotPolicyExResponseBody', 'DescribeAutoSnapshotPolicyExResponseBodyAutoSnapshotPoliciesAutoSnapshotPolicy'));
    for (const key of ['AutoSnapshotPolicies', 'AutoSnapshotPolicys']) {
      expect(schemas.DescribeAutoSnapshotPolicyEx.parse({ TotalCount: 1, [key]: { AutoSnapshotPolicy: [item] } }).policies).toHaveLength(1);
    }
  });

  it('ids come from the SDK model fields the client relies on (bindings, spot, locks)', () => {
    expect(fields(model('DescribeDisksResponseBody', 'DescribeDisksResponseBodyDisksDisk')).get('AutoSnapshotPolicyId')).toBe('string');
    expect(fields(model('DescribeInstancesResponseBody', 'DescribeInstancesResponseBodyInstancesInstance')).get('SpotStrategy')).toBe('string');
    const locks = fields(model('DescribeInstancesResponseBody', 'DescribeInstancesResponseBodyInstancesInstanceOperationLocks'));
    expect([...locks.keys()]).toEqual(['LockReason']);
  });
});
