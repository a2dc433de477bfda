import {
  parseBeijingWallTimeMarkedZ,
  parseMoney,
  type ChargeType,
  type Instance,
  type InstanceState,
  type RecycleBinItem,
  type Snapshot,
  type SnapshotSource,
  type SnapshotState,
} from '../core';
import type { KecInstance, KecSnapshot, localVolumeSchema } from './actions';
import type { z } from 'zod';

/** KEC times: Beijing wall time, sometimes with a literal `Z` (core/time.ts, seed 000 L6345-6350). */
export const parseKecTime = parseBeijingWallTimeMarkedZ;

function optionalTime(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  return parseKecTime(value);
}

/** VM states and task states share InstanceState.Name (seed 000 L6482-6489, L7501-7552). */
const STATES: Record<string, InstanceState> = {
  active: 'running',
  building: 'pending',
  scheduling: 'pending',
  block_device_mapping: 'pending',
  networking: 'pending',
  spawning: 'pending',
  stopped: 'stopped',
  paused: 'stopped',
  suspended: 'stopped',
  stopping: 'stopping',
  'powering-off': 'stopping',
  pausing: 'stopping',
  suspending: 'stopping',
  starting: 'starting',
  'powering-on': 'starting',
  unpausing: 'starting',
  resuming: 'starting',
  rebooting: 'rebooting',
  rebooting_hard: 'rebooting',
  deleting: 'deleting',
  recycling: 'recycled',
  'soft-delete': 'recycled',
  deleted: 'deleted',
  error: 'error',
};

/** The vendor's state names for ours, for the `instance-state.name` filter (seed 000 L1415-1426). */
export function kecStateNames(states: InstanceState[]): string[] {
  return Object.entries(STATES).filter(([, ours]) => states.includes(ours)).map(([name]) => name);
}

export function mapState(raw: string | undefined): InstanceState {
  return (raw && STATES[raw]) || 'unknown';
}

/** Monthly prepaid; Daily/HourlyInstantSettlement and the samples' PostPaidByHour postpaid; Spot (seed 000 L686, L6365-6369, L1562). */
export function mapChargeType(raw: string | undefined): ChargeType {
  if (!raw) return 'other';
  if (raw === 'Monthly') return 'prepaid';
  if (raw === 'Spot') return 'spot';
  if (/^(Daily|HourlyInstantSettlement|PostPaidBy\w+)$/.test(raw)) return 'postpaid';
  return 'other';
}

export interface MapContext {
  target: string;
  region: string;
}

export function mapInstance(raw: KecInstance, ctx: MapContext): Instance {
  const rawState = raw.InstanceState?.Name ?? '';
  const state = mapState(rawState);
  const reclaimAt = optionalTime(raw.SpotRecyclingTime);
  const spot =
    raw.ChargeType === 'Spot' || raw.SpotStrategy || reclaimAt
      ? {
          ...(raw.SpotPriceLimit !== undefined && raw.SpotPriceLimit !== null ? { maxPrice: parseMoney(raw.SpotPriceLimit) } : {}),
          ...(reclaimAt ? { reclaimAt } : {}),
        }
      : undefined;
  return {
    vendor: 'kec',
    target: ctx.target,
    region: ctx.region,
    zone: raw.AvailabilityZone,
    id: raw.InstanceId,
    name: raw.InstanceName ?? '',
    state,
    rawState,
    chargeType: mapChargeType(raw.ChargeType),
    rawChargeType: raw.ChargeType,
    instanceType: raw.InstanceType,
    project: raw.ProjectId !== undefined ? String(raw.ProjectId) : undefined,
    createdAt: optionalTime(raw.CreationDate),
    autoDeleteAt: optionalTime(raw.AutoDeleteTime),
    tags: {},
    ...(spot ? { spot } : {}),
    // No recycle timestamp in the API: `since` comes from our audit trail (seed 000 L1430-1441).
    ...(state === 'recycled' ? { recycleBin: {} } : {}),
  };
}

export function toRecycleBinItem(instance: Instance): RecycleBinItem {
  return {
    vendor: 'kec',
    target: instance.target,
    region: instance.region,
    kind: 'instance',
    id: instance.id,
    name: instance.name,
    rawState: instance.rawState,
  };
}

export function mapSnapshotSource(raw: z.infer<typeof localVolumeSchema>, ctx: MapContext, zone?: string): SnapshotSource {
  return {
    vendor: 'kec',
    target: ctx.target,
    region: ctx.region,
    id: raw.LocalVolumeId,
    kind: 'local-volume',
    instanceId: raw.InstanceId,
    name: raw.LocalVolumeName,
    ...(zone ? { zone } : {}),
  };
}

/** The sample shows `ACTIVE` (seed 000 L4915); compared case-insensitively. */
function mapSnapshotState(raw: string | undefined): SnapshotState {
  switch ((raw ?? '').toLowerCase()) {
    case 'active':
    case 'available':
      return 'ready';
    case 'creating':
    case 'pending':
      return 'creating';
    case 'deleting':
      return 'deleting';
    case 'error':
    case 'failed':
      return 'failed';
    default:
      return 'unknown';
  }
}

export function mapSnapshot(raw: KecSnapshot, ctx: MapContext): Snapshot {
  return {
    vendor: 'kec',
    target: ctx.target,
    region: ctx.region,
    id: raw.LocalVolumeSnapshotId,
    name: raw.LocalVolumeSnapshotName ?? '',
    sourceId: raw.SourceLocalVolumeId ?? '',
    sourceKind: 'local-volume',
    instanceId: raw.InstanceId,
    createdAt: parseKecTime(raw.CreationDate ?? ''),
    state: mapSnapshotState(raw.State),
    rawState: raw.State ?? '',
    tags: {},
    ...(raw.DiskSize !== undefined ? { sizeGb: Number(raw.DiskSize) } : {}),
  };
}
