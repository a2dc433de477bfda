import type { z } from 'zod';
import {
  parseIsoWithZone,
  parseMoney,
  type ChargeType,
  type Instance,
  type InstanceState,
  type RecycleBinItem,
  type Snapshot,
  type SnapshotState,
} from '../core';
import type { imageSchema, instanceSchema, itemPriceSchema } from './actions';

type RawInstance = z.infer<typeof instanceSchema>;
type RawImage = z.infer<typeof imageSchema>;

/** InstanceState values (seed 004 L6492). SHUTDOWN "to be terminated" is the recycle bin (DECISIONS.md D3). */
const STATES: Record<string, InstanceState> = {
  PENDING: 'pending',
  LAUNCH_FAILED: 'error',
  RUNNING: 'running',
  STOPPED: 'stopped',
  STARTING: 'starting',
  STOPPING: 'stopping',
  REBOOTING: 'rebooting',
  SHUTDOWN: 'recycled',
  TERMINATING: 'deleting',
};

/** InstanceChargeType (seed 004 L6500; SPOTPAID from RunInstances L1198). */
const CHARGE: Record<string, ChargeType> = { PREPAID: 'prepaid', POSTPAID_BY_HOUR: 'postpaid', SPOTPAID: 'spot' };

const RENEW: Record<string, Instance['renewFlag']> = {
  NOTIFY_AND_AUTO_RENEW: 'auto',
  NOTIFY_AND_MANUAL_RENEW: 'manual',
  DISABLE_NOTIFY_AND_MANUAL_RENEW: 'never',
};

/** RestrictState (seed 004 L6498). */
const RESTRICT: Record<string, Instance['restricted']> = { EXPIRED: 'expired', PROTECTIVELY_ISOLATED: 'isolated' };

/** Days an expired prepaid instance stays isolated before the purge (not in the seeds; DECISIONS.md D4). */
export const EXPIRED_RETENTION_DAYS = 7;

/** Tencent response times are ISO-8601 UTC (`YYYY-MM-DDThh:mm:ssZ`, seed 004 L6511-6512; `+00:00` in L4770). */
export function tencentTime(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return parseIsoWithZone(value);
}

export function tagsOf(raw: RawInstance['Tags'] | RawImage['Tags']): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of raw ?? []) {
    const key = t.Key ?? t.tagKey;
    if (key !== undefined) tags[key] = t.Value ?? t.tagValue ?? '';
  }
  return tags;
}

export function isRecycled(raw: RawInstance): boolean {
  return raw.InstanceState === 'SHUTDOWN';
}

export function toInstance(raw: RawInstance, target: string, region: string): Instance {
  const rawState = raw.InstanceState ?? 'UNKNOWN';
  const rawCharge = raw.InstanceChargeType;
  const restricted = restrictionOf(raw);
  const expiresAt = tencentTime(raw.ExpiredTime);
  const instance: Instance = {
    vendor: 'tencent',
    target,
    region,
    zone: raw.Placement?.Zone,
    id: raw.InstanceId,
    name: raw.InstanceName ?? '',
    state: STATES[rawState] ?? 'unknown',
    rawState,
    chargeType: rawCharge ? (CHARGE[rawCharge] ?? 'other') : 'other',
    rawChargeType: rawCharge,
    instanceType: raw.InstanceType,
    project: raw.Placement?.ProjectId !== undefined ? String(raw.Placement.ProjectId) : undefined,
    createdAt: tencentTime(raw.CreatedTime),
    expiresAt,
    renewFlag: raw.RenewFlag ? RENEW[raw.RenewFlag] : undefined,
    rawRenewFlag: raw.RenewFlag ?? undefined,
    restricted,
    tags: tagsOf(raw.Tags),
  };
  const spot = spotOf(raw);
  if (spot) instance.spot = spot;
  if (raw.DisableApiTermination === true) instance.terminationProtected = true;
  if (raw.LatestOperationState === 'OPERATING') instance.busyWith = raw.LatestOperation ?? 'an operation';
  if (isRecycled(raw)) instance.recycleBin = recycleWindow(raw, expiresAt);
  return instance;
}

/**
 * The bid of a spot instance. Seed 004 defines it only on the request side,
 * InstanceMarketOptions.SpotOptions.MaxPrice (L6534-6542, L6761), and its Instance type (L6482)
 * echoes none; a response that carries the same structure (or a flat `SpotMaxPrice`) is read, so
 * bid-margin alerts work wherever the vendor reports the bid.
 */
export function spotOf(raw: RawInstance): Instance['spot'] | undefined {
  const record = raw as Record<string, unknown>;
  const market = record.InstanceMarketOptions as { SpotOptions?: { MaxPrice?: unknown } } | null | undefined;
  const bid = market?.SpotOptions?.MaxPrice ?? record.SpotMaxPrice;
  if (typeof bid !== 'string' && typeof bid !== 'number') return undefined;
  try {
    return { maxPrice: parseMoney(bid) };
  } catch {
    return undefined; // an unreadable bid is no bid: the instance is still listed
  }
}

/** IsolatedSource (SDK model Instance): why the instance is isolated; absent in seed 004, so RestrictState decides then. */
const ISOLATED: Record<string, Instance['restricted']> = { ARREAR: 'expired', EXPIRE: 'expired', MANMADE: 'isolated' };

function restrictionOf(raw: RawInstance): Instance['restricted'] {
  if (raw.IsolatedSource && raw.IsolatedSource !== 'NOTISOLATED') return ISOLATED[raw.IsolatedSource] ?? 'other';
  return raw.RestrictState && raw.RestrictState !== 'NORMAL' ? (RESTRICT[raw.RestrictState] ?? 'other') : undefined;
}

/**
 * The vendor reports no bin times. Only an instance isolated at its expiry entered the bin at
 * ExpiredTime (DECISIONS.md D4); a returned (MANMADE) or arrears instance entered it at some other
 * moment, so its times are left to the automation's trail (sim/DECISIONS.md T17).
 */
function recycleWindow(raw: RawInstance, expiresAt: string | undefined): { since?: string; purgeAt?: string } {
  const atExpiry = raw.IsolatedSource ? raw.IsolatedSource === 'EXPIRE' : raw.RestrictState === 'EXPIRED';
  if (!atExpiry || !expiresAt) return {};
  return { since: expiresAt, purgeAt: new Date(Date.parse(expiresAt) + EXPIRED_RETENTION_DAYS * 86_400_000).toISOString() };
}

export function toRecycleBinItem(instance: Instance): RecycleBinItem {
  return {
    vendor: 'tencent',
    target: instance.target,
    region: instance.region,
    kind: 'instance',
    id: instance.id,
    name: instance.name,
    since: instance.recycleBin?.since,
    purgeAt: instance.recycleBin?.purgeAt,
    rawState: `${instance.rawState}/${instance.restricted ?? 'NORMAL'}`,
    ...(instance.busyWith !== undefined && { busyWith: instance.busyWith }),
  };
}

/**
 * Images carry no source instance and no tags (seed 004 L6448-6468), so ours carry them in
 * ImageDescription as `src=<instanceId>;key=value;...` (≤ 60 characters, L4656; DECISIONS.md D7).
 */
export const SOURCE_KEY = 'src';
export const DESCRIPTION_MAX = 60;

export function encodeImageDescription(instanceId: string, tags: Record<string, string> = {}): string {
  const parts = [`${SOURCE_KEY}=${instanceId}`, ...Object.entries(tags).map(([k, v]) => `${k}=${v}`)];
  for (const p of parts) {
    if (/[;]/.test(p)) throw new Error(`snapshot tag ${JSON.stringify(p)} contains ';', which the image description encoding reserves; rename the tag`);
  }
  return parts.join(';');
}

export function decodeImageDescription(description: string | null | undefined): { sourceId?: string; tags: Record<string, string> } {
  const tags: Record<string, string> = {};
  if (!description || !description.startsWith(`${SOURCE_KEY}=`)) return { tags };
  let sourceId: string | undefined;
  for (const part of description.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { tags: {} };
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === SOURCE_KEY) sourceId = value;
    else tags[key] = value;
  }
  return { sourceId, tags };
}

/** Image states: NORMAL (seed 004 L4775); "Creating"/"In Use" in prose (L4575). */
const IMAGE_STATES: Record<string, SnapshotState> = { NORMAL: 'ready', CREATING: 'creating', CREATEFAILED: 'failed', USING: 'ready', SYNCING: 'ready' };

export function toSnapshot(raw: RawImage, target: string, region: string): Snapshot {
  const rawState = raw.ImageState ?? raw.ImageStatus ?? 'UNKNOWN';
  const decoded = decodeImageDescription(raw.ImageDescription);
  const sourceId = decoded.sourceId;
  // Real images carry tags (SDK model Image.Tags); ours also carry them in the description (D7).
  const tags = { ...tagsOf(raw.Tags), ...decoded.tags };
  return {
    vendor: 'tencent',
    target,
    region,
    id: raw.ImageId,
    name: raw.ImageName ?? '',
    sourceId: sourceId ?? '',
    sourceKind: 'system-image',
    instanceId: sourceId,
    createdAt: tencentTime(raw.CreatedTime ?? raw.ImageCreateTime) ?? new Date(0).toISOString(),
    state: IMAGE_STATES[rawState] ?? 'unknown',
    rawState,
    inUse: rawState === 'USING' ? true : undefined,
    tags,
    sizeGb: raw.ImageSize,
  };
}

/** Money from an ItemPrice field: number or numeric string (seed 004 L6631-6638 vs samples). */
export function priceOf(price: z.infer<typeof itemPriceSchema> | undefined, field: 'UnitPrice' | 'UnitPriceDiscount' | 'OriginalPrice' | 'DiscountPrice'): string | undefined {
  const v = price?.[field];
  return v === undefined ? undefined : parseMoney(v);
}

/**
 * The hourly price a postpaid/spot buyer pays: UnitPriceDiscount; UnitPrice is the list price (SDK
 * model ItemPrice). Seed 004's ItemPrice has only UnitPrice (L6631-6638): read when the other is absent.
 * sim/DECISIONS.md T18.
 */
export function paidUnitPrice(price: z.infer<typeof itemPriceSchema> | undefined): string | undefined {
  return priceOf(price, 'UnitPriceDiscount') ?? priceOf(price, 'UnitPrice');
}
