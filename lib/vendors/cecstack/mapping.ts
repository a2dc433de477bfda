import {
  parseEpochSeconds,
  parseMoney,
  parseOptionalRfc3339,
  type ChargeType,
  type Instance,
  type InstanceState,
  type PriceQuote,
  type RecycleBinItem,
  type Snapshot,
  type SnapshotPolicy,
  type SnapshotState,
} from '../core';
import type { Policy, RecycleEntry, RenewPart, RenewResources, Vm, VmSnapshot } from './schemas';

/**
 * Vendor → unified model. Raw values are kept. Status enum (seed 003 L4804-4807) is documented in
 * camelCase while the wire carries PascalCase (L5720, L6060): compared case-insensitively.
 */
const STATES: Record<string, InstanceState> = {
  stopped: 'stopped',
  provisioning: 'pending',
  waitingforvolumebinding: 'pending',
  starting: 'starting',
  running: 'running',
  paused: 'stopped',
  hibernated: 'stopped',
  hibernating: 'stopping',
  stopping: 'stopping',
  terminating: 'deleting',
  migrating: 'running',
  softdeleted: 'recycled',
  unknown: 'unknown',
  crashloopbackoff: 'error',
  errorunschedulable: 'error',
  errimagepull: 'error',
  imagepullbackoff: 'error',
  errorpvcnotfound: 'error',
  errordatavolumenotfound: 'error',
  datavolumeerror: 'error',
};

export function mapState(raw: string): InstanceState {
  return STATES[raw.toLowerCase()] ?? 'unknown';
}

/** billingMode: ByCycle = subscription, OnDemand = pay-as-you-go (seed 003 L5098). */
export function mapChargeType(raw: string | null | undefined): ChargeType {
  switch ((raw ?? '').toLowerCase()) {
    case 'bycycle':
      return 'prepaid';
    case 'ondemand':
      return 'postpaid';
    default:
      return 'other';
  }
}

export function labelsToTags(labels: { key: string; value: string }[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const { key, value } of labels) tags[key] = value;
  return tags;
}

export function tagsToLabels(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function mapInstance(v: Vm, target: string, region: string): Instance {
  const state = mapState(v.status);
  const softDeletedAt = parseOptionalRfc3339(v.softDeletedAt);
  return {
    vendor: 'cecstack',
    target,
    region: v.region || region,
    zone: v.az || undefined,
    id: v.ecsId,
    name: v.displayName ?? '',
    state,
    rawState: v.status,
    chargeType: mapChargeType(v.billingMode),
    rawChargeType: v.billingMode ?? undefined,
    instanceType: v.flavorId || undefined,
    project: v.resourceGroupId || undefined,
    createdAt: parseOptionalRfc3339(v.createdAt),
    expiresAt: parseOptionalRfc3339(v.expiredAt),
    tags: labelsToTags(v.vmLabels),
    recycleBin: state === 'recycled' ? { since: softDeletedAt } : undefined,
  };
}

/** Snapshot status: `creating`, `available` in samples (L10883, L11025); others are our guesses. */
function mapSnapshotState(raw: string): SnapshotState {
  switch (raw.toLowerCase()) {
    case 'available':
      return 'ready';
    case 'creating':
      return 'creating';
    case 'error':
    case 'failed':
      return 'failed';
    case 'deleting':
      return 'deleting';
    default:
      return 'unknown';
  }
}

export function mapSnapshot(v: VmSnapshot, target: string, region: string): Snapshot {
  const raw = v.status ?? '';
  return {
    vendor: 'cecstack',
    target,
    region,
    id: v.ecsSnapshotId,
    name: v.ecsSnapshotName ?? '',
    sourceId: v.ecsId ?? '',
    sourceKind: 'vm',
    instanceId: v.ecsId ?? undefined,
    createdAt: parseOptionalRfc3339(v.createdAt) ?? '',
    state: mapSnapshotState(raw),
    rawState: raw,
    tags: {},
  };
}

/** `instanceType` is `ecsSnapshot` in the sample (L13171); the instance value is undocumented (D9). */
export function recycleKind(e: RecycleEntry): 'instance' | 'snapshot' {
  const type = (e.instanceType ?? '').toLowerCase();
  if (type.includes('snapshot') || e.instanceId.startsWith('ecs.snapshot-')) return 'snapshot';
  return 'instance';
}

export function mapRecycleEntry(e: RecycleEntry, target: string, region: string): RecycleBinItem {
  return {
    vendor: 'cecstack',
    target,
    region,
    kind: recycleKind(e),
    id: e.instanceId,
    name: e.instanceName ?? undefined,
    since: parseOptionalRfc3339(e.createdAt),
    purgeAt: e.cleanAt === undefined || e.cleanAt === null || e.cleanAt === '' ? undefined : parseEpochSeconds(e.cleanAt),
    rawState: e.instanceType ?? undefined,
  };
}

// ---- snapshot policies: hours and weekdays are Beijing time (executeAt L11386, digest §4.5) ----

const BEIJING_HOURS = 8;

function splitInts(value: string | number | null | undefined): number[] {
  return String(value ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number)
    .filter(Number.isInteger);
}

/** Weekday 1 = Monday … 7 = Sunday; 0 is read as Sunday too (D12). */
const normDay = (d: number) => (d === 0 ? 7 : d);
const shiftDay = (d: number, by: number) => ((((normDay(d) - 1 + by) % 7) + 7) % 7) + 1;

/** One (weekday, hour) slot set converted between zones; refused when it is no longer a weekdays × hours product. */
function convertSlots(hours: number[], weekdays: number[], offsetHours: number, what: string): { hours: number[]; weekdays: number[] } {
  const days = weekdays.length ? [...new Set(weekdays.map(normDay))] : [1, 2, 3, 4, 5, 6, 7];
  const slots = new Set<string>();
  for (const d of days) {
    for (const h of hours) {
      const shifted = h + offsetHours;
      const dayShift = Math.floor(shifted / 24);
      slots.add(`${shiftDay(d, dayShift)}:${((shifted % 24) + 24) % 24}`);
    }
  }
  const outHours = [...new Set([...slots].map((s) => Number(s.split(':')[1])))].sort((a, b) => a - b);
  const outDays = [...new Set([...slots].map((s) => Number(s.split(':')[0])))].sort((a, b) => a - b);
  if (outHours.length * outDays.length !== slots.size) {
    throw new Error(`cecstack snapshot policy: ${what} cannot be expressed as hours × weekdays in Beijing time; use hours that fall on the same Beijing day`);
  }
  return { hours: outHours, weekdays: outDays.length === 7 ? [] : outDays };
}

/** `expire` is minutes, 0-65536 (seed 003 L11266, L11467; D11): 0 keeps forever, at most 45 days 12 h. */
export const POLICY_RETENTION = { unit: 'minutes', perDay: 1440, max: 65536 } as const;

/** Unified spec (UTC) → vendor fields (Beijing time, comma lists); retention days → `expire` minutes. */
export function policyBody(spec: { name: string; hoursUtc: number[]; weekdays: number[]; retentionDays: number }) {
  if (!spec.name) throw new Error('cecstack snapshot policy: name must not be empty');
  if (!spec.hoursUtc.length || spec.hoursUtc.some((h) => !Number.isInteger(h) || h < 0 || h > 23)) {
    throw new Error('cecstack snapshot policy: hoursUtc must list whole hours 0-23');
  }
  if (spec.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new Error('cecstack snapshot policy: weekdays must be 1 (Monday) … 7 (Sunday)');
  const expire = spec.retentionDays * POLICY_RETENTION.perDay;
  if (!Number.isInteger(spec.retentionDays) || spec.retentionDays < 0 || expire > POLICY_RETENTION.max) {
    throw new Error(
      `cecstack snapshot policy: retentionDays ${spec.retentionDays} cannot be expressed: expire is in minutes, 0-65536 (seed 003 L11266, L11467), so at most 45 days (0 keeps forever); shorten retention.maxAge or use engine: ours`,
    );
  }
  const local = convertSlots(spec.hoursUtc, spec.weekdays, BEIJING_HOURS, 'the schedule');
  return {
    policyName: spec.name,
    hourOfDay: local.hours.join(','),
    weekDays: (local.weekdays.length ? local.weekdays : [1, 2, 3, 4, 5, 6, 7]).join(','),
    expire,
  };
}

export function mapPolicy(p: Policy): SnapshotPolicy {
  const localHours = splitInts(p.hourOfDay);
  const localDays = splitInts(p.weekDays);
  let utc: { hours: number[]; weekdays: number[] };
  try {
    utc = convertSlots(localHours, localDays, -BEIJING_HOURS, `policy ${p.policyId}`);
  } catch {
    // not a clean product in UTC: report the hours, and every weekday any slot touches
    utc = { hours: [...new Set(localHours.map((h) => (h + 16) % 24))].sort((a, b) => a - b), weekdays: [] };
  }
  return {
    id: p.policyId,
    name: p.policyName ?? '',
    hoursUtc: utc.hours,
    weekdays: utc.weekdays,
    // minutes → days; a vendor value that is not whole days keeps its fraction (shown, and differs from any spec)
    retentionDays: Number(p.expire ?? 0) / POLICY_RETENTION.perDay,
    boundSourceIds: p.bindEcs.map((b) => (typeof b === 'string' ? b : b.ecsId)),
    enabled: (p.status ?? '').toLowerCase() === 'enabled',
  };
}

// ---- renewal quotes: currency is not stated; CNY (digest §5.6, D13) ----

function quote(part: { instanceId?: string | null; eipId?: string | null; price?: number | string | null; expireTime?: string | null }, kind: PriceQuote['kind'], periodMonths: number): PriceQuote | undefined {
  const id = part.instanceId ?? part.eipId;
  if (!id || part.price === undefined || part.price === null) return undefined;
  return { resourceId: id, kind, amount: parseMoney(part.price), currency: 'CNY', periodMonths, expiresAt: parseOptionalRfc3339(part.expireTime) };
}

export function mapRenewQuote(r: RenewResources, periodMonths: number): PriceQuote[] {
  const out: (PriceQuote | undefined)[] = [
    quote(r, 'instance', periodMonths),
    ...r.volumes.map((v: RenewPart) => quote(v, 'disk', periodMonths)),
    ...r.eips.map((e: RenewPart) => quote(e, 'eip', periodMonths)),
  ];
  return out.filter((q): q is PriceQuote => q !== undefined);
}
