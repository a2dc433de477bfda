import type { z } from 'zod';
import { parseUtcMinutes, type ChargeType, type Instance, type InstanceState, type Snapshot, type SnapshotPolicy, type SnapshotPolicySpec, type SnapshotSource, type SnapshotState } from '../core';
import type { diskSchema, instanceSchema, policySchema, snapshotSchema } from './actions';

type RawInstance = z.output<typeof instanceSchema>;
type RawDisk = z.output<typeof diskSchema>;
type RawSnapshot = z.output<typeof snapshotSchema>;
type RawPolicy = z.output<typeof policySchema>;

/** Pending/Starting/Running/Stopping/Stopped (seed 001 L9684-9697) and Deleted (L1355). */
const STATES: Record<string, InstanceState> = {
  pending: 'pending',
  starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  deleted: 'deleted',
};

/** Only PostPaid appears (seed 001 L1765, L1824); PrePaid is the public spelling. Absent: pay-as-you-go (no charge-type parameter exists). */
export function chargeTypeOf(raw: string | undefined): ChargeType {
  if (raw === undefined || raw === '') return 'postpaid';
  const v = raw.toLowerCase();
  if (v === 'postpaid') return 'postpaid';
  if (v === 'prepaid') return 'prepaid';
  return 'other';
}

/** Times are UTC `YYYY-MM-DDThh:mmZ`, samples add seconds (seed 001 L8980, L1753); empty means unset. */
export function timeOf(value: string | undefined): string | undefined {
  return value ? parseUtcMinutes(value) : undefined;
}

export function toInstance(raw: RawInstance, tags: Record<string, string>, target: string, region: string): Instance {
  const chargeType = chargeTypeOf(raw.InstanceChargeType);
  const locked = (raw.OperationLocks ?? []).some((r) => r.toLowerCase() === 'security');
  return {
    vendor: 'alibaba',
    target,
    region: raw.RegionId?.trim() || region,
    zone: raw.ZoneId || undefined,
    id: raw.InstanceId,
    name: raw.InstanceName ?? '',
    state: STATES[raw.Status.toLowerCase()] ?? 'unknown',
    rawState: raw.Status,
    chargeType,
    rawChargeType: raw.InstanceChargeType,
    instanceType: raw.InstanceType,
    createdAt: timeOf(raw.CreationTime),
    // The PostPaid sample carries an ExpiredTime before its CreationTime (seed 001 L1813-1816): meaningless for pay-as-you-go.
    expiresAt: chargeType === 'postpaid' ? undefined : timeOf(raw.ExpiredTime),
    restricted: locked ? 'other' : undefined,
    tags,
  };
}

export function toSource(raw: RawDisk, target: string, region: string): SnapshotSource {
  return {
    vendor: 'alibaba',
    target,
    region: raw.RegionId || region,
    id: raw.DiskId,
    kind: 'disk',
    instanceId: raw.InstanceId ?? '',
    name: raw.DiskName || undefined,
    zone: raw.ZoneId || undefined,
  };
}

const SNAPSHOT_STATES: Record<string, SnapshotState> = { progressing: 'creating', accomplished: 'ready', failed: 'failed' };

export function toSnapshot(raw: RawSnapshot, tags: Record<string, string>, target: string, region: string, instanceId?: string): Snapshot {
  const usage = (raw.Usage ?? 'none').toLowerCase();
  return {
    vendor: 'alibaba',
    target,
    region,
    id: raw.SnapshotId,
    name: raw.SnapshotName ?? '',
    sourceId: raw.SourceDiskId ?? '',
    sourceKind: 'disk',
    instanceId,
    createdAt: timeOf(raw.CreationTime) ?? new Date(0).toISOString(),
    state: SNAPSHOT_STATES[(raw.Status ?? '').toLowerCase()] ?? 'unknown',
    rawState: raw.Status ?? '',
    // Usage image/disk/image_disk: DeleteSnapshot refuses (SnapshotCreatedImage/SnapshotCreatedDisk, seed 001 L3614-3616)
    inUse: usage !== 'none' && usage !== '',
    tags,
    sizeGb: raw.SourceDiskSize,
  };
}

/**
 * TimePoints/RepeatWeekdays carry no zone (seed 001 L4057-4058, L8827-8828). Decision (DECISIONS.md A4):
 * Beijing time, UTC+08:00, as Apsara Stack deployments run. UTC hour h on ISO weekday w is Beijing
 * hour h+8, on weekday w+1 when h+8 passes midnight.
 */
const SHIFT = 8;
const ALL_DAYS = [1, 2, 3, 4, 5, 6, 7];
const nextDay = (w: number, by: number) => ((w - 1 + by + 7) % 7) + 1;

export function toVendorSchedule(spec: Pick<SnapshotPolicySpec, 'hoursUtc' | 'weekdays'>): { timePoints: string[]; weekdays: string[] } {
  if (!spec.hoursUtc.length) throw new Error('snapshot policy hoursUtc is empty: give at least one hour (0-23, UTC)');
  for (const h of spec.hoursUtc) if (!Number.isInteger(h) || h < 0 || h > 23) throw new Error(`snapshot policy hoursUtc has ${h}: hours are integers 0-23 (UTC)`);
  for (const w of spec.weekdays) if (!Number.isInteger(w) || w < 1 || w > 7) throw new Error(`snapshot policy weekdays has ${w}: ISO weekdays are 1 (Monday) to 7 (Sunday)`);
  const days = spec.weekdays.length ? [...new Set(spec.weekdays)] : ALL_DAYS;
  const crosses = spec.hoursUtc.map((h) => h + SHIFT >= 24);
  const allDays = days.length === 7;
  if (!allDays && crosses.some(Boolean) && !crosses.every(Boolean)) {
    throw new Error(
      'snapshot policy hoursUtc straddles midnight Beijing time (some hours before 16:00 UTC, some after) while weekdays is not every day: the vendor schedule (Beijing hours x weekdays) cannot express it; split it into two policies',
    );
  }
  const shift = crosses[0] ? 1 : 0;
  return {
    timePoints: [...new Set(spec.hoursUtc.map((h) => (h + SHIFT) % 24))].sort((a, b) => a - b).map(String),
    weekdays: (allDays ? ALL_DAYS : days.map((w) => nextDay(w, shift))).sort((a, b) => a - b).map(String),
  };
}

export function fromVendorSchedule(timePoints: string[], weekdays: string[]): { hoursUtc: number[]; weekdays: number[] } {
  const beijing = timePoints.map(Number).filter((h) => Number.isInteger(h) && h >= 0 && h <= 23);
  const days = [...new Set(weekdays.map(Number).filter((w) => Number.isInteger(w) && w >= 1 && w <= 7))];
  const hoursUtc = [...new Set(beijing.map((h) => (h - SHIFT + 24) % 24))].sort((a, b) => a - b);
  if (days.length === 7 || !days.length) return { hoursUtc, weekdays: [] };
  // Beijing hours before 08:00 fall on the previous UTC day; a mixed set is reported on the union of both days.
  const back = beijing.some((h) => h < SHIFT);
  const same = beijing.some((h) => h >= SHIFT);
  const utcDays = new Set<number>();
  for (const d of days) {
    if (back) utcDays.add(nextDay(d, -1));
    if (same) utcDays.add(d);
  }
  return { hoursUtc, weekdays: [...utcDays].sort((a, b) => a - b) };
}

/** RetentionDays: -1 forever, 1-65536 (seed 001 L4059, L8829); the unified spec uses 0 or less for "forever". */
export function toRetentionDays(days: number): number {
  if (!Number.isInteger(days) || days > 65536) throw new Error(`snapshot policy retentionDays ${days}: use whole days 1-65536, or 0 to keep forever`);
  return days <= 0 ? -1 : days;
}

export function toPolicy(raw: RawPolicy): SnapshotPolicy {
  const schedule = fromVendorSchedule(raw.TimePoints, raw.RepeatWeekdays);
  return {
    id: raw.AutoSnapshotPolicyId,
    name: raw.AutoSnapshotPolicyName ?? '',
    ...schedule,
    retentionDays: raw.RetentionDays === undefined || raw.RetentionDays < 0 ? 0 : raw.RetentionDays,
    // DiskItemType has no AutoSnapshotPolicyId (seed 001 L8402-8441): bound disks cannot be read back (DECISIONS.md A6)
    boundSourceIds: [],
    bindingsUnreadable: true,
    enabled: (raw.Status ?? 'Available').toLowerCase() !== 'creating',
  };
}
