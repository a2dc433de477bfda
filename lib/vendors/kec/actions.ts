import { z } from 'zod';

/**
 * Every KEC action the client uses, described as data (design §9): name, service host, version,
 * whether it mutates, page size, batch limit and the zod schema of the JSON body. Schemas are
 * lenient: the samples contradict the tables (seed 000 digest §7). No per-action rate limit is
 * documented (only the LimitExceeded/409 answer, seed 000 L6154), so none is declared.
 */

export const KEC_VERSION = '2016-03-04';

/** `Return` is a String "true|false" in the tables, a JSON boolean in the samples (seed 000 L6554-6569, L947). */
export const returnFlag = z.union([z.boolean(), z.string(), z.number()]).transform((v) => v === true || v === 1 || /^\s*>?true\s*$/i.test(String(v)));

const num = z.union([z.number(), z.string()]);
const requestId = { RequestId: z.string().optional() };

/**
 * Instance (seed 000 L6264-6424 and the sample at L1498-1790); everything but InstanceId optional.
 * Other fields are accepted and not copied: nothing reads them, and copying a listing's worth costs more than checking the rest.
 */
export const instanceSchema = z.object({
  InstanceId: z.string(),
  InstanceName: z.string().optional(),
  ProjectId: num.optional(),
  InstanceType: z.string().optional(),
  InstanceState: z.looseObject({ Name: z.string() }).optional(),
  ChargeType: z.string().optional(),
  CreationDate: z.string().optional(),
  AvailabilityZone: z.string().optional(),
  AutoDeleteTime: z.string().nullish(),
  AutoDeleteEip: z.union([z.boolean(), z.string()]).nullish(),
  SpotRecyclingTime: z.string().nullish(),
  SpotStrategy: z.string().nullish(),
  SpotPriceLimit: num.nullish(),
  SystemDisk: z.looseObject({ DiskType: z.string().optional(), DiskSize: num.optional() }).optional(),
});
export type KecInstance = z.infer<typeof instanceSchema>;

const stateChange = z.looseObject({ InstanceId: z.string(), Return: returnFlag.optional() });

export const localVolumeSchema = z.looseObject({
  LocalVolumeId: z.string(),
  LocalVolumeName: z.string().optional(),
  LocalVolumeState: z.string().optional(),
  InstanceId: z.string(),
  InstanceName: z.string().optional(),
  InstanceState: z.string().optional(),
  LocalVolumeType: z.string().optional(),
  LocalVolumeCategory: z.string().optional(),
  LocalVolumeSize: num.optional(),
  CreationDate: z.string().optional(),
});

export const localVolumeSnapshotSchema = z.looseObject({
  LocalVolumeSnapshotId: z.string(),
  LocalVolumeSnapshotName: z.string().optional(),
  LocalVolumeSnapshotDesc: z.string().nullish(),
  SourceLocalVolumeId: z.string().optional(),
  SourceLocalVolumeName: z.string().optional(),
  SourceLocalVolumeCategory: z.string().optional(),
  State: z.string().optional(),
  CreationDate: z.string().optional(),
  InstanceId: z.string().optional(),
  DiskSize: num.optional(),
  SnapshotType: z.string().optional(),
});
export type KecSnapshot = z.infer<typeof localVolumeSnapshotSchema>;

export const schemas = {
  describeInstances: z.looseObject({
    ...requestId,
    Marker: num.optional(),
    InstanceCount: num.optional(),
    InstancesSet: z.array(instanceSchema).nullish(),
  }),
  stateChanges: z.looseObject({ ...requestId, InstancesSet: z.array(stateChange).nullish() }),
  /** Tables say RequestId only; the sample adds `Return: true` (seed 000 L3157 vs L3170-3175). */
  modifyAutoDelete: z.looseObject({ ...requestId, Return: returnFlag.optional() }),
  describeRegions: z.looseObject({ ...requestId, RegionSet: z.array(z.looseObject({ Region: z.string(), RegionName: z.string().optional() })) }),
  /** The type says AzCode, the sample AvailabilityZone + Region (seed 000 L6962-6970 vs L5067-5081). */
  describeZones: z.looseObject({
    ...requestId,
    AvailabilityZoneSet: z.array(z.looseObject({ AvailabilityZone: z.string().optional(), AzCode: z.string().optional(), Region: z.string().optional() })),
  }),
  /** The sample pages with `Marker` (seed 000 L5697-5733). */
  describeLocalVolumes: z.looseObject({ ...requestId, Marker: num.nullish(), LocalVolumeCount: num.nullish(), LocalVolumeSet: z.array(localVolumeSchema).nullish() }),
  describeLocalVolumeSnapshots: z.looseObject({
    ...requestId,
    Marker: num.nullish(),
    LocalVolumeSnapshotCount: num.nullish(),
    LocalVolumeSnapshotSet: z.array(localVolumeSnapshotSchema).nullish(),
  }),
  /** The table names LocalVolumeSnapshotId; the sample returns AutoSnapshotPolicyId (seed 000 L4774 vs L4795-4798). */
  createLocalVolumeSnapshot: z.looseObject({ ...requestId, LocalVolumeSnapshotId: z.string().optional(), AutoSnapshotPolicyId: z.string().optional() }),
  /** The table says `Return`; the sample returns `ReturnSet` per id (seed 000 L4945 vs L4963-4971). */
  deleteLocalVolumeSnapshot: z.looseObject({
    ...requestId,
    Return: returnFlag.optional(),
    ReturnSet: z.array(z.looseObject({ LocalVolumeSnapshotId: z.string(), Return: returnFlag.optional() })).optional(),
  }),
  describeSpotPriceHistory: z.looseObject({
    ...requestId,
    Currency: z.string().optional(),
    InstanceType: z.string().optional(),
    AvailabilityZone: z.string().optional(),
    SpotPrices: z.array(z.looseObject({ SpotPrice: num, OriginPrice: num.optional(), Timestamp: z.string() })).nullish(),
  }),
  describePrice: z.looseObject({
    ...requestId,
    PriceInfo: z.looseObject({
      InstancePrice: z.looseObject({ DiscountPrice: num.optional(), OriginalPrice: num.optional(), TradePrice: num.optional(), PriceUnit: z.string().optional() }).optional(),
    }),
  }),
  /** [external] IAM GetAccountAllProjectList (kingsoftcloud/sdk-go iam/v20151101); not in seed 000. */
  listProjects: z.looseObject({
    ...requestId,
    ListProjectResult: z.looseObject({
      Total: num.optional(),
      ProjectList: z.array(z.looseObject({ ProjectId: num, ProjectName: z.string().optional() })),
    }),
  }),
};

export interface ActionSpec {
  action: string;
  /** Credential-scope service and host prefix. */
  service: 'kec' | 'iam';
  version: string;
  mutating: boolean;
  /** Largest documented page size. */
  pageSize?: number;
  /** Documented `.N` maximum per call. */
  maxBatch?: number;
}

const kec = (action: string, mutating: boolean, extra: Partial<ActionSpec> = {}): ActionSpec => ({ action, service: 'kec', version: KEC_VERSION, mutating, ...extra });

export const ACTIONS = {
  /** MaxResults 5-1000, Marker offset (seed 000 L1387-1399); InstanceId.N/ProjectId.N up to 100 (L1401-1413). */
  DescribeInstances: kec('DescribeInstances', false, { pageSize: 1000, maxBatch: 100 }),
  StopInstances: kec('StopInstances', true, { maxBatch: 100 }), // L961
  TerminateInstances: kec('TerminateInstances', true, { maxBatch: 100 }), // L1091
  ModifyInstanceAutoDeleteTime: kec('ModifyInstanceAutoDeleteTime', true, { maxBatch: 100 }), // L3133
  DescribeRegions: kec('DescribeRegions', false),
  DescribeAvailabilityZones: kec('DescribeAvailabilityZones', false),
  DescribeLocalVolumes: kec('DescribeLocalVolumes', false),
  CreateLocalVolumeSnapshot: kec('CreateLocalVolumeSnapshot', true),
  DescribeLocalVolumeSnapshots: kec('DescribeLocalVolumeSnapshots', false),
  DeleteLocalVolumeSnapshot: kec('DeleteLocalVolumeSnapshot', true, { maxBatch: 100 }), // L4933-4937
  DescribeSpotPriceHistory: kec('DescribeSpotPriceHistory', false),
  DescribePrice: kec('DescribePrice', false),
  GetAccountAllProjectList: { action: 'GetAccountAllProjectList', service: 'iam', version: '2015-11-01', mutating: false } as ActionSpec,
} as const satisfies Record<string, ActionSpec>;

/** Throttling and transient server errors from the common error table (seed 000 L6152-6159). */
export const RETRYABLE_CODES = new Set(['LimitExceeded', 'ServiceUnavailable', 'ServiceTimeout']);
/** Authentication/signature failures (seed 000 L6124-6150). */
export const AUTH_CODES = new Set(['MissingAuthenticationToken', 'SignatureDoesNotMatch', 'InvalidClientTokenId', 'AccessDenied', 'IncompleteSignature']);

/** Families DescribeSpotPriceHistory supports (seed 000 L3184-3186). */
export const SPOT_FAMILIES = ['E1', 'N2', 'N3'] as const;
/** Window limit and default (seed 000 L3196-3199). */
export const SPOT_MAX_WINDOW_MS = 3 * 24 * 3600 * 1000;
/** DescribePrice requires an ImageId; the table's reference value, centos 7.6 (seed 000 L3291-3297). */
export const REFERENCE_IMAGE_ID = '48de6f74-e287-45df-b55e-94266d77483f';
/** Snapshot name charset and length, Java syntax in the seed (L4752-4757), written for JS's `u` flag. */
export const SNAPSHOT_NAME = /^[\w\-@#. \p{L}]{2,40}$/u;
