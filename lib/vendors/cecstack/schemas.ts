import { z } from 'zod';

/**
 * zod schemas for the responses the client reads (seed 003). Lenient where the samples contradict
 * the tables (digest §6): numbers or strings, absent or null arrays, both error-field spellings.
 */
const text = z.string().nullish();
const num = z.union([z.number(), z.string()]);
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish().transform((v) => v ?? []);

export const label = z.looseObject({ key: z.string(), value: z.string().nullish().transform((v) => v ?? '') });

/**
 * The VM object (seed 003 L5026-5160; sample L5683-5997). Fields beyond these are accepted and not
 * copied: nothing reads them, and copying a listing's worth costs more than checking the rest.
 */
export const vm = z.object({
  ecsId: z.string(),
  displayName: text,
  status: z.string(),
  billingMode: text,
  expiredAt: text,
  expireCountdown: num.nullish(),
  createdAt: text,
  softDeletedAt: text,
  region: text,
  az: text,
  flavorId: text,
  departmentId: text,
  resourceGroupId: text,
  isLock: z.boolean().nullish(),
  bRecycle: z.boolean().nullish(),
  vmLabels: list(label),
});
export type Vm = z.infer<typeof vm>;

/** The list sample wraps each VM in a whole envelope (seed 003 L6074-6079): unwrap when there is no ecsId. */
const vmItem = z.preprocess((item) => {
  const o = item as { ecsId?: unknown; data?: unknown } | null;
  return o && typeof o === 'object' && o.ecsId === undefined && o.data && typeof o.data === 'object' ? o.data : item;
}, vm);

export const instanceList = z.looseObject({ totalCount: num.optional(), virtualMachines: list(vmItem) });

/** ECS snapshot (seed 003 L10815-10850 list, L10965-10990 detail: `errorMessage` vs `errMessage`). */
export const snapshot = z.looseObject({
  ecsSnapshotId: z.string(),
  ecsSnapshotName: text,
  ecsId: text,
  status: text,
  type: text,
  createdAt: text,
  expiredAt: text,
  errorMessage: text,
  errMessage: text,
});
export type VmSnapshot = z.infer<typeof snapshot>;
export const snapshotList = z.looseObject({ ecsSnapshots: list(snapshot), totalCount: num.optional() });

/** Auto-snapshot policy (seed 003 L11170-11196, sample L11207-11244). `bindEcs` shape is undocumented. */
export const policy = z.looseObject({
  policyId: z.string(),
  policyName: text,
  hourOfDay: num.nullish(),
  weekDays: num.nullish(),
  status: text,
  expire: num.nullish(),
  executeAt: text,
  bindEcs: list(z.union([z.string(), z.looseObject({ ecsId: z.string() })])),
  bindEcsCount: num.nullish(),
});
export type Policy = z.infer<typeof policy>;
export const policyList = z.looseObject({ snapshotPolicies: list(policy), totalCount: num.optional() });

/** Recycle-bin entry (seed 003 L13117-13140, sample L13150-13189): `cleanAt` epoch seconds. */
export const recycleEntry = z.looseObject({
  instanceId: z.string(),
  instanceName: text,
  instanceType: text,
  createdAt: text,
  cleanAt: num.nullish(),
  associatedEcsId: text,
  zone: text,
});
export type RecycleEntry = z.infer<typeof recycleEntry>;
export const recyclePage = z.looseObject({ size: num.nullish(), current: num.nullish(), total: num.nullish(), list: list(recycleEntry) });

/** Recycled instance detail (seed 003 L13335-13440): a creation spec, not the VM object; no cleanAt in the sample. */
export const recycledInstance = z.looseObject({
  ecsId: z.string(),
  displayName: text,
  billingMode: text,
  flavorName: text,
  az: text,
  cleanAt: num.nullish(),
});
export type RecycledInstance = z.infer<typeof recycledInstance>;

/** Operator-side recycle configuration (seed 003 L4240-4272): freezeTime in days. */
export const recycleConfig = z.looseObject({ enable: z.boolean(), freezeTime: num });

const renewPart = z.looseObject({
  instanceId: z.string().nullish(),
  eipId: z.string().nullish(),
  instanceName: text,
  expireTime: text,
  expireCountdown: num.nullish(),
  price: num.nullish(),
  displayPrice: text,
});
export type RenewPart = z.infer<typeof renewPart>;

/** Renewal quote (seed 003 L6437-6512): the VM, its disks and EIPs, each with its own expiry. */
export const renewResources = z.looseObject({
  serviceCode: text,
  instanceId: z.string(),
  instanceName: text,
  expireTime: text,
  expireCountdown: num.nullish(),
  price: num,
  displayPrice: text,
  volumes: list(renewPart),
  eips: list(renewPart),
});
export type RenewResources = z.infer<typeof renewResources>;

/** Price inquiry (seed 003 L8535-8561). */
export const queryPrice = z.looseObject({
  showPriceSwitch: text,
  totalPrice: z.looseObject({
    displayPrice: text,
    price: num,
    discount: num.nullish(),
    total: num,
    priceDetailDTOS: list(z.looseObject({ serviceCode: text, instanceId: text, price: num.nullish(), total: num.nullish() })),
  }),
  tips: text,
});
export type QueryPrice = z.infer<typeof queryPrice>;

/** Region discovery (seed 003 L14020-14044). */
export const regionInfo = list(z.looseObject({ regionId: z.string(), regionDisplayName: text }));

/** Mutations answer `data: null` (or omit it). */
export const nothing = z.unknown();
