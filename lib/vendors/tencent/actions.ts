import { z } from 'zod';

/**
 * Every CVM action the client uses, described as data (design §9): name, whether it mutates,
 * the documented rate limit (seed 004, "A maximum of N requests ... per second" in each action),
 * page size, batch limit and the zod schema of the response body (inside `Response`).
 * Schemas are lenient: the samples contradict the tables in places (seed 004 digest §8).
 */

const requestId = { RequestId: z.string().optional(), RequestID: z.string().optional() };

/** Prices are Float in the tables but strings in the samples (seed 004 L1634-1653 vs L6631-6638). */
const money = z.union([z.number(), z.string()]);

export const itemPriceSchema = z.looseObject({
  UnitPrice: money.optional(),
  ChargeUnit: z.string().optional(),
  OriginalPrice: money.optional(),
  DiscountPrice: money.optional(),
  /** What a postpaid/spot buyer pays per unit; UnitPrice is the list price (SDK model ItemPrice; sim/DECISIONS.md T18). */
  UnitPriceDiscount: money.optional(),
});

/** Samples use `tagKey`/`tagValue` (seed 004 L2390-2395); the Tag type has `Key`/`Value` (L6794-6796). */
const tagSchema = z.looseObject({
  Key: z.string().optional(),
  Value: z.string().optional(),
  tagKey: z.string().optional(),
  tagValue: z.string().optional(),
});

/** Instance (seed 004 L6480-6512); everything but InstanceId optional. */
export const instanceSchema = z.looseObject({
  InstanceId: z.string(),
  InstanceName: z.string().optional(),
  InstanceType: z.string().optional(),
  InstanceState: z.string().optional(),
  RestrictState: z.string().optional(),
  InstanceChargeType: z.string().optional(),
  /** null for postpaid and spot instances (SDK model Instance.RenewFlag "后付费模式本项为null"; sim/DECISIONS.md T15). */
  RenewFlag: z.string().nullish(),
  CreatedTime: z.string().nullish(),
  ExpiredTime: z.string().nullish(),
  Placement: z.looseObject({ Zone: z.string().optional(), ProjectId: z.union([z.number(), z.string()]).optional() }).optional(),
  SystemDisk: z.looseObject({ DiskId: z.string().optional(), DiskSize: z.number().optional(), DiskType: z.string().optional() }).optional(),
  Tags: z.array(tagSchema).nullish(),
  /** Not in seed 004; later API versions (and the SDK models) report the async operation outcome. */
  LatestOperation: z.string().nullish(),
  LatestOperationState: z.string().nullish(),
  /** Termination protection: TerminateInstances is refused while true (SDK model Instance; sim/DECISIONS.md T17). */
  DisableApiTermination: z.boolean().nullish(),
  /** ARREAR / EXPIRE / MANMADE / NOTISOLATED: why an instance sits in SHUTDOWN (SDK model Instance; T17). */
  IsolatedSource: z.string().nullish(),
});

/** Image: the type says ImageState/CreatedTime/ImageCreator/OsName, the samples ImageStatus/ImageCreateTime/Creator/ImageOsName (seed 004 L4764-4783 vs L6448-6468). */
export const imageSchema = z.looseObject({
  ImageId: z.string(),
  ImageName: z.string().optional(),
  ImageDescription: z.string().nullish(),
  ImageType: z.string().optional(),
  ImageState: z.string().optional(),
  ImageStatus: z.string().optional(),
  CreatedTime: z.string().nullish(),
  ImageCreateTime: z.string().nullish(),
  ImageSize: z.number().optional(),
  /** Real images carry tags (SDK model Image.Tags; not in seed 004's Image type): T17. */
  Tags: z.array(tagSchema).nullish(),
});

export const schemas = {
  describeRegions: z.looseObject({
    ...requestId,
    TotalCount: z.number().optional(),
    RegionSet: z.array(z.looseObject({ Region: z.string(), RegionName: z.string().optional(), RegionState: z.string().optional() })),
  }),
  describeZones: z.looseObject({
    ...requestId,
    TotalCount: z.number().optional(),
    ZoneSet: z.array(z.looseObject({ Zone: z.string(), ZoneName: z.string().optional(), ZoneId: z.string().optional(), ZoneState: z.string().optional() })),
  }),
  describeInstances: z.looseObject({ ...requestId, TotalCount: z.number(), InstanceSet: z.array(instanceSchema) }),
  describeInstancesStatus: z.looseObject({
    ...requestId,
    TotalCount: z.number(),
    InstanceStatusSet: z.array(z.looseObject({ InstanceId: z.string(), InstanceState: z.string() })),
  }),
  requestOnly: z.looseObject({ ...requestId }),
  // ImageId: the SDK model's (CreateImageResponse, optional), not in seed 004's sample (L4553-4559)
  createImage: z.looseObject({ ...requestId, ImageId: z.string().optional() }),
  inquiryPrice: z.looseObject({
    ...requestId,
    Price: z.looseObject({ InstancePrice: itemPriceSchema.optional(), BandwidthPrice: itemPriceSchema.optional() }),
  }),
  describeZoneInstanceConfigInfos: z.looseObject({
    ...requestId,
    InstanceTypeQuotaSet: z.array(
      z.looseObject({
        Zone: z.string(),
        InstanceType: z.string(),
        InstanceChargeType: z.string().optional(),
        Status: z.string().optional(),
        Price: itemPriceSchema.optional(),
      }),
    ),
  }),
  describeImages: z.looseObject({ ...requestId, TotalCount: z.number(), ImageSet: z.array(imageSchema) }),
  describeImageQuota: z.looseObject({ ...requestId, ImageNumQuota: z.number() }),
};

export interface ActionSpec<S extends z.ZodType = z.ZodType> {
  name: string;
  mutating: boolean;
  /** Documented requests per second. */
  ratePerSecond: number;
  schema: S;
  /** Largest documented Limit. */
  pageSize?: number;
  /** Most ids per request. */
  batchLimit?: number;
  /** DescribeRegions: "Region ... not required for this API" (seed 004 L997). */
  regionless?: boolean;
}

const spec = <S extends z.ZodType>(s: ActionSpec<S>) => s;

export const ACTIONS = {
  DescribeRegions: spec({ name: 'DescribeRegions', mutating: false, ratePerSecond: 20, schema: schemas.describeRegions, regionless: true }), // seed 004 L978-997
  DescribeZones: spec({ name: 'DescribeZones', mutating: false, ratePerSecond: 20, schema: schemas.describeZones }), // L1087-1161
  DescribeInstances: spec({ name: 'DescribeInstances', mutating: false, ratePerSecond: 40, schema: schemas.describeInstances, pageSize: 100, batchLimit: 100 }), // L2198-2228
  DescribeInstancesStatus: spec({ name: 'DescribeInstancesStatus', mutating: false, ratePerSecond: 40, schema: schemas.describeInstancesStatus, pageSize: 100, batchLimit: 100 }), // L2407-2436
  StopInstances: spec({ name: 'StopInstances', mutating: true, ratePerSecond: 10, schema: schemas.requestOnly, batchLimit: 100 }), // L1726-1760
  TerminateInstances: spec({ name: 'TerminateInstances', mutating: true, ratePerSecond: 10, schema: schemas.requestOnly, batchLimit: 100 }), // L2129-2155
  RenewInstances: spec({ name: 'RenewInstances', mutating: true, ratePerSecond: 10, schema: schemas.requestOnly, batchLimit: 100 }), // L3227-3258
  InquiryPriceRenewInstances: spec({ name: 'InquiryPriceRenewInstances', mutating: false, ratePerSecond: 10, schema: schemas.inquiryPrice, batchLimit: 100 }), // L3306-3341
  ModifyInstancesRenewFlag: spec({ name: 'ModifyInstancesRenewFlag', mutating: true, ratePerSecond: 10, schema: schemas.requestOnly, batchLimit: 100 }), // L3390-3418
  InquiryPriceRunInstances: spec({ name: 'InquiryPriceRunInstances', mutating: false, ratePerSecond: 10, schema: schemas.inquiryPrice }), // L1452-1503
  DescribeZoneInstanceConfigInfos: spec({ name: 'DescribeZoneInstanceConfigInfos', mutating: false, ratePerSecond: 40, schema: schemas.describeZoneInstanceConfigInfos }), // L3796-3826
  CreateImage: spec({ name: 'CreateImage', mutating: true, ratePerSecond: 10, schema: schemas.createImage }), // L4493-4525
  DeleteImages: spec({ name: 'DeleteImages', mutating: true, ratePerSecond: 10, schema: schemas.requestOnly, batchLimit: 100 }), // L4565-4596
  DescribeImages: spec({ name: 'DescribeImages', mutating: false, ratePerSecond: 10, schema: schemas.describeImages, pageSize: 100 }), // L4697-4735
  DescribeImageQuota: spec({ name: 'DescribeImageQuota', mutating: false, ratePerSecond: 10, schema: schemas.describeImageQuota }), // L5345-5372
} as const;

export type ActionName = keyof typeof ACTIONS;

/** DescribeInstances: at most 10 filters x 5 values per request (seed 004 L2226). */
export const FILTER_LIMITS = { filters: 10, values: 5 } as const;

/** Prepaid periods in months (seed 004 L6521, InvalidPeriod L3279). */
export const PREPAID_PERIODS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36] as const;

/**
 * Error classes of both editions. 3.0 (seed 004 L674-690): throttling `RequestLimitExceeded`,
 * `InternalError`, auth `AuthFailure.*`, `UnauthorizedOperation`. 2017 (seed 002 L1025-1071):
 * throttling `InvalidRequest.LimitExceeded` / `.RequestConcurrencyExceeded`, transient
 * `InternalError(.ResourceOpFailed)`, `InvalidAction.ActionUnavailable` ("稍后重试"),
 * `InvalidRequest.ReplayAttack` (a fresh attempt carries a fresh Nonce/Timestamp); auth
 * `InvalidParameter.SignatureFailure`, `.SecretIdNotFound`, `InvalidRequest.TokenCheckFailed`,
 * `.MFACheckFailed`, `.Forbidden`, `InternalError.CAMInnerError`. A code matches itself and its
 * dotted sub-codes (`RequestLimitExceeded.UinLimitExceeded`). sim/DECISIONS.md T19.
 */
export const RETRYABLE_CODES = new Set([
  'RequestLimitExceeded',
  'InternalError',
  'InternalServerError',
  'InvalidRequest.LimitExceeded',
  'InvalidRequest.RequestConcurrencyExceeded',
  'InvalidRequest.ReplayAttack',
  'InvalidAction.ActionUnavailable',
]);
export const AUTH_CODES = new Set([
  'AuthFailure',
  'UnauthorizedOperation',
  'InvalidParameter.SignatureFailure',
  'InvalidParameter.SecretIdNotFound',
  'InvalidRequest.TokenCheckFailed',
  'InvalidRequest.MFACheckFailed',
  'InvalidRequest.Forbidden',
  'InternalError.CAMInnerError',
]);

/** Whether `code` is one of `codes` or a dotted sub-code of one. */
function inFamily(codes: Set<string>, code: string): boolean {
  for (let c = code; ; c = c.slice(0, c.lastIndexOf('.'))) {
    if (codes.has(c)) return true;
    if (!c.includes('.')) return false;
  }
}

export function classifyError(code: string): { auth: boolean; retryable: boolean } {
  const auth = inFamily(AUTH_CODES, code);
  return { auth, retryable: !auth && inFamily(RETRYABLE_CODES, code) };
}
