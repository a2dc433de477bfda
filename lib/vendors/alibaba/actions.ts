import { z } from 'zod';

/**
 * Each action as data (design §9): request fields live in the client calls, the response schema,
 * paging, page size, batch limit and whether it mutates live here. The guide documents no rate
 * limits (seed 001: no 限流/QPS anywhere), so none is declared. Schemas follow the type tables and
 * accept the samples' drift (strings for numbers, `>>true`, missing wrappers: seed 001 §7 of the digest).
 */

/** Integer or numeric string (`"PageSize": "10"`, seed 001 L6320; `"RetentionDays": "30"`, L4286). */
const int = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+$/),
  ])
  .transform(Number);
/** Optional string; null and numbers tolerated. */
const str = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));
/** `true`, `"True"`, `">>true"` (seed 001 L1754, L8434). */
const bool = z
  .union([z.boolean(), z.string()])
  .optional()
  .transform((v) => (typeof v === 'string' ? /^>*\s*true$/i.test(v.trim()) : v));

/** Collections are wrapped twice (`Instances.Instance[]`, seed 001 L1808-1840); samples also drop the wrapper or give one item. */
function listOf<T extends z.ZodType>(key: string, item: T) {
  return z.preprocess((v) => {
    if (v === undefined || v === null || v === '') return [];
    if (Array.isArray(v)) return v;
    if (typeof v === 'object') {
      const inner = (v as Record<string, unknown>)[key];
      if (inner === undefined || inner === null || inner === '') return [];
      return Array.isArray(inner) ? inner : [inner];
    }
    return v;
  }, z.array(item));
}

/** A JSON array held in a string (`"[ \"0\" , \"1\" ]"`, seed 001 L4284), or an array; elements trimmed (`"11 "`, L4079). */
const jsonStrings = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    if (!v.trim()) return [];
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  },
  z.array(z.union([z.string(), z.number()]).transform((x) => String(x).trim())),
);

const paged = { TotalCount: int, PageNumber: int.optional(), PageSize: int.optional() };
const common = z.looseObject({ RequestId: str });

/**
 * Security locks in both documented forms: the DescribeInstances sample wraps them in `LockReason`
 * (seed 001 L1833), the type definition names the node `OperationLock` (L8649-8651) as the DescribeDisks
 * sample does (L2811); items are strings or `{LockReason}` objects (SDK model). Read both.
 */
const locks = z.preprocess(
  (v) => {
    if (v === undefined || v === null || v === '') return [];
    if (Array.isArray(v)) return v;
    if (typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const inner = [o.LockReason, o.OperationLock].flatMap((x) =>
      x === undefined || x === null || x === '' ? [] : Array.isArray(x) ? x : [x],
    );
    return inner;
  },
  z.array(z.union([z.string(), z.looseObject({ LockReason: str }).transform((o) => o.LockReason ?? '')])),
);

/**
 * InstanceAttributesType (seed 001 L8946-8987) plus the sample-only InstanceChargeType/ExpiredTime (L1761-1829) and the SDK's SpotStrategy.
 * Other fields are accepted and not copied: nothing reads them, and copying a listing's worth costs more than checking the rest.
 */
export const instanceSchema = z.object({
  InstanceId: z.string(),
  InstanceName: str,
  Description: str,
  RegionId: str,
  ZoneId: str,
  InstanceType: str,
  Status: z.string(),
  CreationTime: str,
  InstanceChargeType: str,
  ExpiredTime: str,
  /** Not in seed 001; the SDK model's `SpotStrategy` (NoSpot / SpotAsPriceGo / SpotWithPriceLimit) marks a spot instance. */
  SpotStrategy: str,
  /** Not in seed 001 (tags are not inline, L8946-8987); the SDK model carries `Tags.Tag[]`: when present, no DescribeTags is needed. */
  Tags: listOf('Tag', z.looseObject({ TagKey: z.string(), TagValue: str.transform((v) => v ?? '') })).optional(),
  OperationLocks: locks.optional(),
});

/** DiskItemType (seed 001 L8402-8441). */
export const diskSchema = z.looseObject({
  DiskId: z.string(),
  RegionId: str,
  ZoneId: str,
  DiskName: str,
  Type: str,
  Category: str,
  Size: int.optional(),
  Status: str,
  InstanceId: str,
  EnableAutoSnapshot: bool,
  /** Not in DiskItemType (seed 001 L8402-8441); the SDK model carries it: the policy the disk is bound to. */
  AutoSnapshotPolicyId: str,
  CreationTime: str,
});

/** SnapshotType (seed 001 L8726-8752). */
export const snapshotSchema = z.looseObject({
  SnapshotId: z.string(),
  SnapshotName: str,
  Description: str,
  Progress: str,
  SourceDiskId: str,
  SourceDiskSize: int.optional(),
  SourceDiskType: str,
  CreationTime: str,
  Status: str,
  Usage: str,
});

/** AutoSnapshotPolicyType (seed 001 L8809-8833); the samples say SettingTimePoints/SettingRepeatWeekdays (L4253-4254, L4284-4285). */
export const policyObject = z.looseObject({
  AutoSnapshotPolicyId: z.string(),
  RegionId: str,
  AutoSnapshotPolicyName: str,
  TimePoints: jsonStrings.optional(),
  SettingTimePoints: jsonStrings.optional(),
  RepeatWeekdays: jsonStrings.optional(),
  SettingRepeatWeekdays: jsonStrings.optional(),
  RetentionDays: int.optional(),
  DiskNums: int.optional(),
  Status: str,
  CreationTime: str,
});

export const policySchema = policyObject.transform((p) => ({
  ...p,
  TimePoints: p.TimePoints ?? p.SettingTimePoints ?? [],
  RepeatWeekdays: p.RepeatWeekdays ?? p.SettingRepeatWeekdays ?? [],
}));

/** TagSetItem (seed 001 L9067-9082). */
export const tagSchema = z.looseObject({ TagKey: z.string(), TagValue: str.transform((v) => v ?? '') });

export const schemas = {
  common,
  DescribeRegions: common.extend({
    Regions: listOf(
      'Region',
      z.looseObject({ RegionId: z.string().transform((s) => s.trim()), LocalName: str }),
    ),
  }),
  DescribeInstances: common.extend({ ...paged, Instances: listOf('Instance', instanceSchema) }),
  DescribeInstanceStatus: common.extend({
    ...paged,
    InstanceStatuses: listOf('InstanceStatus', z.looseObject({ InstanceId: z.string(), Status: z.string() })),
  }),
  DescribeDisks: common.extend({ ...paged, Disks: listOf('Disk', diskSchema) }),
  DescribeSnapshots: common.extend({ ...paged, Snapshots: listOf('Snapshot', snapshotSchema) }),
  CreateSnapshot: common.extend({ SnapshotId: z.string() }),
  DescribeTags: common.extend({ ...paged, Tags: listOf('Tag', tagSchema) }),
  CreateAutoSnapshotPolicy: common.extend({ AutoSnapshotPolicyId: z.string() }),
  /** `AutoSnapshotPolicys` (sic, seed 001 L4249) or the SDK's `AutoSnapshotPolicies`: either, never both silently empty. */
  DescribeAutoSnapshotPolicyEx: common
    .extend({
      ...paged,
      AutoSnapshotPolicys: listOf('AutoSnapshotPolicy', policySchema),
      AutoSnapshotPolicies: listOf('AutoSnapshotPolicy', policySchema),
    })
    .transform(({ AutoSnapshotPolicys, AutoSnapshotPolicies, ...rest }) => ({
      ...rest,
      policies: [...AutoSnapshotPolicys, ...AutoSnapshotPolicies],
    })),
};

export interface ActionSpec {
  schema: z.ZodType;
  mutating: boolean;
  /** The action takes no RegionId: the id is global (seed 001 digest §1.4); sending one risks UnsupportedParameter. */
  regionless?: boolean;
  /** Largest documented PageSize (seed 001 digest §3.6). */
  pageSize?: number;
  /** Most ids per call (JSON-array parameters: 100, seed 001 L1701; "最多 X 个" at L4319/L4364 decided as 100). */
  batchLimit?: number;
  /** Takes ClientToken (seed 001 digest §3.5): a repeat with the same token cannot act twice, so it is retried after a 5xx (L9774). */
  clientToken?: boolean;
}

const c = schemas.common;
export const ACTIONS = {
  DescribeRegions: { schema: schemas.DescribeRegions, mutating: false, regionless: true },
  DescribeInstances: { schema: schemas.DescribeInstances, mutating: false, pageSize: 100, batchLimit: 100 }, // L1716-1717, L1701
  DescribeInstanceStatus: { schema: schemas.DescribeInstanceStatus, mutating: false, pageSize: 50 }, // L1605-1606
  StartInstance: { schema: c, mutating: true, regionless: true }, // L1155-1218
  StopInstance: { schema: c, mutating: true, regionless: true }, // L1220-1281
  DeleteInstance: { schema: c, mutating: true, regionless: true }, // L1349-1408
  DescribeDisks: { schema: schemas.DescribeDisks, mutating: false, pageSize: 100, batchLimit: 100 }, // L2672-2673
  CreateSnapshot: { schema: schemas.CreateSnapshot, mutating: true, regionless: true, clientToken: true }, // L3507-3587
  DeleteSnapshot: { schema: c, mutating: true, regionless: true }, // L3589-3645
  DescribeSnapshots: { schema: schemas.DescribeSnapshots, mutating: false, pageSize: 100, batchLimit: 100 }, // L3674-3675
  AddTags: { schema: c, mutating: true, batchLimit: 5 }, // 5 Tag.n per call, L7789-7804
  RemoveTags: { schema: c, mutating: true, batchLimit: 5 },
  DescribeTags: { schema: schemas.DescribeTags, mutating: false, pageSize: 100 }, // L7944-7945
  CreateAutoSnapshotPolicy: { schema: schemas.CreateAutoSnapshotPolicy, mutating: true, clientToken: true }, // L4040-4102
  ModifyAutoSnapshotPolicyEx: { schema: c, mutating: true }, // L4153-4205
  DescribeAutoSnapshotPolicyEx: {
    schema: schemas.DescribeAutoSnapshotPolicyEx,
    mutating: false,
    pageSize: 50,
  }, // L4219-4220
  ApplyAutoSnapshotPolicy: { schema: c, mutating: true, batchLimit: 100 }, // L4301-4351
  CancelAutoSnapshotPolicy: { schema: c, mutating: true, batchLimit: 100 }, // L4353-4396
  DeleteAutoSnapshotPolicy: { schema: c, mutating: true }, // L4104-4151
} as const satisfies Record<string, ActionSpec>;

export type ActionName = keyof typeof ACTIONS;

/** Tag limits: 5 per call, 10 per resource (seed 001 L7789-7790). */
export const TAG_LIMITS = { perCall: 5, perResource: 10 } as const;
