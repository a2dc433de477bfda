import type { SimContext } from '../core';
import { ApiError, invalid, missing } from './protocol';
import type { AlibabaState, ResourceType, SimDisk, SimInstance, SimSnapshot } from './state';

/** One request's parameters (names case-sensitive, as the tables print them). */
export class Params {
  constructor(readonly pairs: [string, string][]) {}
  get(name: string): string | undefined {
    return this.pairs.find(([k]) => k === name)?.[1];
  }
  need(name: string): string {
    const v = this.get(name);
    if (v === undefined || v === '') throw missing(name);
    return v;
  }
  /** A JSON-array parameter (seed 001 L1701); `[]` is an active filter (L1689). */
  jsonArray(name: string, max = 100, malformed?: ApiError): string[] | undefined {
    const v = this.get(name);
    if (v === undefined || v === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(v);
    } catch {
      throw malformed ?? invalid(name);
    }
    if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw malformed ?? invalid(name);
    if (parsed.length > max) throw malformed ?? invalid(name);
    return parsed.map((x) => String(x).trim());
  }
  /** Tag.n.Key / Tag.n.Value, n 1..5 (seed 001 L7803-7804). */
  tags(): { key: string; value?: string }[] {
    const out: { key: string; value?: string }[] = [];
    for (const [k] of this.pairs) {
      const m = /^Tag\.(\d+)\.(Key|Value)$/.exec(k);
      if (!m) continue;
      const n = Number(m[1]);
      if (n < 1 || n > 5) throw new ApiError(400, 'InvalidTagCount', 'The specified tags are beyond the permitted range.');
    }
    for (let n = 1; n <= 5; n++) {
      const key = this.get(`Tag.${n}.Key`);
      const value = this.get(`Tag.${n}.Value`);
      if (key === undefined && value === undefined) continue;
      if (!key) throw new ApiError(400, 'InvalidTag.Mismatch', 'The specified Tag.n.Key and Tag.n.Value are not match.');
      out.push({ key, value });
    }
    return out;
  }
  /** PageNumber from 1, PageSize 1..max (seed 001 digest §3.6). */
  page(max: number, fallback = 10): { number: number; size: number } {
    const num = this.get('PageNumber') ?? '1';
    const size = this.get('PageSize') ?? String(fallback);
    if (!/^\d+$/.test(num) || Number(num) < 1) throw invalid('PageNumber');
    if (!/^\d+$/.test(size) || Number(size) < 1 || Number(size) > max) throw invalid('PageSize');
    return { number: Number(num), size: Number(size) };
  }
}

/** `YYYY-MM-DDThh:mm:ssZ` as most samples show (seed 001 L1753, decision A9). */
export const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** A page by number; with `shapes.pageClamp` the server holds pages shorter than asked (decision A17). */
export function pageOf<T>(items: T[], p: { number: number; size: number }, state?: AlibabaState) {
  const size = Math.min(p.size, state?.shapes.pageClamp ?? p.size);
  const start = (p.number - 1) * size;
  return { TotalCount: items.length, PageNumber: p.number, PageSize: size, items: items.slice(start, start + size) };
}

const newest = <T extends { createdAt: number; id: string }>(a: T, b: T) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function matchesTags(state: AlibabaState, type: ResourceType, id: string, filters: { key: string; value?: string }[]): boolean {
  if (!filters.length) return true;
  const tags = state.peekTags(type, id);
  // Decision A7: Tag.n filters intersect; a key without a value matches any value
  return filters.every((f) => tags?.has(f.key) && (f.value === undefined || tags.get(f.key) === f.value));
}

export function region(state: AlibabaState, p: Params, notFound = new ApiError(404, 'InvalidRegionId.NotFound', 'The specified RegionId does not exist.')): string {
  const r = p.need('RegionId');
  if (!state.regions.includes(r)) throw notFound;
  return r;
}

export function instanceView(state: AlibabaState, i: SimInstance) {
  return {
    InstanceId: i.id,
    InstanceName: i.name,
    Description: i.description,
    ImageId: 'centos_7_64_20G_alibase.vhd',
    RegionId: i.region,
    ZoneId: i.zone,
    CPU: 2,
    Memory: 4096,
    InstanceType: i.instanceType,
    InstanceTypeFamily: i.instanceType.split('.').slice(0, 2).join('.'),
    HostName: `iZ${i.id.slice(2)}`,
    SerialNumber: `${i.id}-serial`,
    Status: i.status,
    SecurityGroupIds: { SecurityGroupId: ['sg-sim0001'] },
    PublicIpAddress: { IpAddress: [] },
    InnerIpAddress: { IpAddress: [] },
    InternetMaxBandwidthIn: -1,
    InternetMaxBandwidthOut: 0,
    CreationTime: utc(i.createdAt),
    VpcAttributes: { VpcId: 'vpc-sim0001', VSwitchId: 'vsw-sim0001', PrivateIpAddress: { IpAddress: [] }, NatIpAddress: '' },
    EipAddress: {},
    InstanceNetworkType: 'vpc',
    // the sample's wrapper (L1833) with the SDK's item objects; the type definition's node name (L8649-8651) in SDK-shapes mode
    OperationLocks: state.shapes.sdkShapes ? { OperationLock: i.locked ? [{ LockReason: 'security' }] : [] } : { LockReason: i.locked ? [{ LockReason: 'security' }] : [] },
    ...(i.spotStrategy !== undefined ? { SpotStrategy: i.spotStrategy } : {}),
    // the SDK model's inline tags; seed 001 has none (L8946-8987), so only in SDK-shapes mode
    ...(state.shapes.sdkShapes ? { Tags: { Tag: [...(state.peekTags('instance', i.id) ?? [])].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) } } : {}),
    DeviceAvailable: true,
    IoOptimized: true,
    InternetChargeType: 'PayByTraffic',
    // sample-only fields (seed 001 L1761-1829), emitted as decision A8; absent from some instances in variety mode (A17)
    ...(dropsCharge(state, i) ? {} : { InstanceChargeType: i.chargeType }),
    ...(i.expiredAt !== undefined ? { ExpiredTime: utc(i.expiredAt).replace(/:\d{2}Z$/, 'Z') } : {}),
  };
}

/** Deterministic per id: the last hex digit of the id picks every n-th instance. */
function dropsCharge(state: AlibabaState, i: SimInstance): boolean {
  const every = state.shapes.dropChargeEvery;
  return every !== undefined && parseInt(i.id.slice(-1), 36) % every === 0;
}

function diskView(d: SimDisk, instances: Map<string, SimInstance>, state: AlibabaState) {
  return {
    DiskId: d.id,
    RegionId: d.region,
    ZoneId: d.zone,
    DiskName: d.name,
    Description: '',
    Type: d.type,
    Category: d.category,
    Size: d.size,
    ImageId: '',
    SourceSnapshotId: '',
    Portable: d.type === 'data',
    ProductCode: '',
    Status: d.instanceId ? 'In_use' : 'Available',
    OperationLocks: { OperationLock: instances.get(d.instanceId ?? '')?.locked ? [{ LockReason: 'security' }] : [] },
    InstanceId: d.instanceId ?? '',
    Device: d.instanceId ? (d.type === 'system' ? '/dev/xvda' : '/dev/xvdb') : '',
    DeleteWithInstance: d.deleteWithInstance,
    DeleteAutoSnapshot: d.deleteAutoSnapshot,
    EnableAutoSnapshot: d.policyId !== undefined,
    // the SDK model's field (not in DiskItemType, L8402-8441): absent in SDK-shapes mode to mirror the seed
    ...(state.shapes.sdkShapes ? {} : { AutoSnapshotPolicyId: d.policyId ?? '' }),
    CreationTime: utc(d.createdAt),
    AttachedTime: d.instanceId ? utc(d.createdAt) : '',
    DetachedTime: '',
  };
}

function snapshotView(s: SimSnapshot) {
  return {
    SnapshotId: s.id,
    SnapshotName: s.name,
    Description: s.description,
    Progress: s.status === 'progressing' ? '0%' : '100%',
    SourceDiskId: s.diskId,
    SourceDiskSize: s.diskSize,
    SourceDiskType: s.diskType,
    CreationTime: utc(s.createdAt),
    Status: s.status,
    Usage: s.usage,
  };
}

const INSTANCE_STATUSES = ['Running', 'Starting', 'Stopping', 'Stopped'];

export function describeInstances(state: AlibabaState, p: Params) {
  const r = region(state, p);
  const ids = p.jsonArray('InstanceIds');
  const status = p.get('Status');
  if (status !== undefined && status !== '' && !INSTANCE_STATUSES.includes(status)) throw new ApiError(404, 'InvalidStatus.NotFound', 'The specified Status is not found.');
  const tags = p.tags();
  const name = p.get('InstanceName');
  const zone = p.get('ZoneId');
  const type = p.get('InstanceType');
  const page = p.page(100);
  const key = JSON.stringify(['i', r, ids, status, tags, name, zone, type]);
  const items = state.cached(key, () => {
    const pool = ids ? ids.map((id) => state.instances.get(id)).filter((i): i is SimInstance => !!i) : [...state.instances.values()];
    return pool
      .filter(
        (i) =>
          i.region === r &&
          (!status || i.status === status) &&
          (!name || i.name === name) &&
          (!zone || i.zone === zone) &&
          (!type || i.instanceType === type) &&
          matchesTags(state, 'instance', i.id, tags),
      )
      .sort(newest);
  });
  const { items: slice, ...paging } = pageOf(items, page, state);
  return { ...paging, Instances: { Instance: slice.map((i) => instanceView(state, i)) } };
}

export function describeInstanceStatus(state: AlibabaState, p: Params) {
  const r = region(state, p);
  const zone = p.get('ZoneId');
  const page = p.page(50);
  const items = state.cached(JSON.stringify(['s', r, zone]), () =>
    [...state.instances.values()].filter((i) => i.region === r && (!zone || i.zone === zone)).sort(newest),
  );
  const { items: slice, ...paging } = pageOf(items, page, state);
  return { ...paging, InstanceStatuses: { InstanceStatus: slice.map((i) => ({ InstanceId: i.id, Status: i.status })) } };
}

export function describeDisks(state: AlibabaState, p: Params) {
  const r = region(state, p, new ApiError(400, 'InvalidRegion.NotFound', 'The specified parameter RegionId is not valid.'));
  const ids = p.jsonArray('DiskIds', 100, new ApiError(403, 'InvalidDiskIds.Malformed', 'The amount of specified disk Ids exceeds the limit.'));
  const instanceId = p.get('InstanceId');
  const diskType = p.get('DiskType') ?? 'all';
  if (!['all', 'system', 'data'].includes(diskType)) throw new ApiError(400, 'InvalidDiskType.ValueNotSupported', 'The specified disk type is not supported.');
  const auto = p.get('EnableAutoSnapshot');
  if (auto !== undefined && auto !== '' && !/^(true|false)$/i.test(auto)) throw invalid('EnableAutoSnapshot');
  const tags = p.tags();
  const page = p.page(100);
  const items = state.cached(JSON.stringify(['d', r, ids, instanceId, diskType, tags, auto]), () => {
    const pool = ids ? ids.map((id) => state.disks.get(id)).filter((d): d is SimDisk => !!d) : [...state.disks.values()];
    return pool
      .filter(
        (d) =>
          d.region === r &&
          (!instanceId || d.instanceId === instanceId) &&
          (diskType === 'all' || d.type === diskType) &&
          (!auto || (d.policyId !== undefined) === /^true$/i.test(auto)) &&
          matchesTags(state, 'disk', d.id, tags),
      )
      .sort(newest);
  });
  const { items: slice, ...paging } = pageOf(items, page, state);
  return { ...paging, Disks: { Disk: slice.map((d) => diskView(d, state.instances, state)) } };
}

export function describeSnapshots(state: AlibabaState, p: Params) {
  const r = region(state, p);
  const ids = p.jsonArray('SnapshotIds', 100, new ApiError(403, 'InvalidSnapshotIds.Malformed', 'The amount of specified specified snapshot ids exceeds the limit.'));
  const diskId = p.get('DiskId');
  const instanceId = p.get('InstanceId');
  const name = p.get('SnapshotName');
  const status = p.get('Status') ?? 'all';
  if (!['progressing', 'accomplished', 'failed', 'all'].includes(status)) throw new ApiError(404, 'InvalidStatus.NotFound', 'The specified Status is not found');
  const kind = p.get('SnapshotType') ?? 'all';
  if (!['auto', 'user', 'all'].includes(kind)) throw new ApiError(404, 'InvalidSnapshotType.NotFound', 'The specified SnapshotType is not found');
  const tags = p.tags();
  const page = p.page(100);
  const items = state.cached(JSON.stringify(['n', r, ids, diskId, instanceId, name, status, kind, tags]), () => {
    const pool = ids ? ids.map((id) => state.snapshots.get(id)).filter((s): s is SimSnapshot => !!s) : [...state.snapshots.values()];
    return pool
      .filter(
        (s) =>
          s.region === r &&
          (!diskId || s.diskId === diskId) &&
          (!instanceId || state.disks.get(s.diskId)?.instanceId === instanceId) &&
          (!name || s.name === name) &&
          (status === 'all' || s.status === status) &&
          (kind === 'all' || (kind === 'auto') === s.auto) &&
          matchesTags(state, 'snapshot', s.id, tags),
      )
      .sort(newest);
  });
  const { items: slice, ...paging } = pageOf(items, page, state);
  return { ...paging, Snapshots: { Snapshot: slice.map(snapshotView) } };
}

export function instanceOf(state: AlibabaState, p: Params): SimInstance {
  const id = p.need('InstanceId');
  const inst = state.instances.get(id);
  if (!inst) throw new ApiError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
  return inst;
}

export const locked = () => new ApiError(403, 'InstanceLockedForSecurity', 'The specified operation is denied as your instance is locked for security reasons.');

export function stopInstance(state: AlibabaState, p: Params, ctx: SimContext) {
  const inst = instanceOf(state, p);
  const force = p.get('ForceStop');
  if (force !== undefined && !/^(true|false)$/i.test(force)) throw invalid('ForceStop');
  if (inst.locked || ctx.faults.isFailingId(inst.id)) throw locked();
  if (inst.status !== 'Running') throw new ApiError(403, 'IncorrectInstanceStatus', 'The current status of the resource does not support this operation.');
  inst.status = 'Stopping';
  inst.settleAt = ctx.clock.nowMs() + state.stopDelayMs;
  state.pendingInstances.add(inst.id);
  state.changed();
  return {};
}

export function startInstance(state: AlibabaState, p: Params, ctx: SimContext) {
  const inst = instanceOf(state, p);
  if (inst.locked || ctx.faults.isFailingId(inst.id)) throw locked();
  if (inst.status !== 'Stopped') throw new ApiError(403, 'IncorrectInstanceStatus', 'The current status of the resource does not support this operation.');
  inst.status = 'Starting';
  inst.settleAt = ctx.clock.nowMs() + state.stopDelayMs;
  state.pendingInstances.add(inst.id);
  state.changed();
  return {};
}

export function deleteInstance(state: AlibabaState, p: Params, ctx: SimContext) {
  const inst = instanceOf(state, p);
  if (ctx.faults.isFailingId(inst.id)) throw new ApiError(400, 'DependencyViolation.SLBConfiguring', 'Specified operation is denied as the instance is being used by another product.');
  // Must be Stopped (seed 001 L1355); a security lock does not stop the deletion (L9776-9824)
  if (inst.status !== 'Stopped') throw new ApiError(403, 'IncorrectInstanceState', 'The current status of the resource does not support this operation.');
  state.deleteInstance(inst.id);
  return {};
}

const NAME = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5_-]{1,127}$/;

export function createSnapshot(state: AlibabaState, p: Params, ctx: SimContext, hex: () => string) {
  const diskId = p.need('DiskId');
  const disk = state.disks.get(diskId);
  if (!disk) throw new ApiError(404, 'InvalidDiskId.NotFound', 'The specified DiskId does not exist.');
  const name = p.get('SnapshotName') ?? '';
  // [2,128], letter first, never auto/http (seed 001 L3530)
  if (name && (!NAME.test(name) || /^(auto|https?:)/i.test(name))) throw new ApiError(400, 'InvalidSnapshotName.Malformed', 'The specified SnapshotName is wrongly formed.');
  const description = p.get('Description') ?? '';
  if (description && (description.length < 2 || description.length > 256 || /^https?:\/\//i.test(description))) {
    throw new ApiError(404, 'InvalidDescription.Malformed', 'The specified description is wrongly formed.');
  }
  const inst = disk.instanceId ? state.instances.get(disk.instanceId) : undefined;
  if (!inst) throw new ApiError(403, 'IncorrectDiskStatus.NeverAttached', 'The specified disk has never been attached to any instance.');
  if (inst.locked) throw new ApiError(403, 'InstanceLockedForSecurity', 'The disk attached instance is locked due to security.');
  if (inst.status !== 'Running' && inst.status !== 'Stopped') throw new ApiError(400, 'IncorrectInstanceStatus', 'The current status of the resource does not support this operation.');
  // one snapshot in progress per disk (seed 001 L3518)
  for (const s of state.pendingSnapshots) {
    if (state.snapshots.get(s)?.diskId === diskId) throw new ApiError(403, 'IncorrectDiskStatus.CreatingSnapshot', 'The snapshot of the disk is still creating.');
  }
  const now = ctx.clock.nowMs();
  const snap: SimSnapshot = {
    id: state.newId('s', hex),
    region: disk.region,
    name,
    description,
    diskId,
    diskSize: disk.size,
    diskType: disk.type === 'system' ? 'System' : 'Data',
    createdAt: now,
    status: 'progressing',
    usage: 'none',
    auto: false,
    settleAt: now + state.snapshotDelayMs,
  };
  state.snapshots.set(snap.id, snap);
  state.pendingSnapshots.add(snap.id);
  state.changed();
  return { SnapshotId: snap.id };
}

export function deleteSnapshot(state: AlibabaState, p: Params, ctx: SimContext) {
  const id = p.need('SnapshotId');
  const snap = state.snapshots.get(id);
  if (!snap) return {}; // a nonexistent id is ignored (seed 001 L3596)
  if (snap.usage === 'image' || snap.usage === 'image_disk' || ctx.faults.isFailingId(id)) {
    throw new ApiError(403, 'SnapshotCreatedImage', 'The snapshot has been used to create user defined image(s).');
  }
  if (snap.usage === 'disk') throw new ApiError(403, 'SnapshotCreatedDisk', 'The snapshot has been used to create disk(s).');
  state.snapshots.delete(id);
  state.tags.delete(`snapshot:${id}`);
  state.changed();
  return {};
}

const RESOURCE_TYPES: ResourceType[] = ['image', 'instance', 'snapshot', 'disk', 'securitygroup'];

function resourceOf(state: AlibabaState, p: Params): { type: ResourceType; id: string } {
  const id = p.need('ResourceId');
  const type = p.need('ResourceType') as ResourceType;
  if (!RESOURCE_TYPES.includes(type)) throw new ApiError(404, 'InvalidResourceType.NotFound', 'The ResourceType provided does not exist in our records.');
  const r = p.get('RegionId');
  const found = type === 'instance' ? state.instances.get(id) : type === 'disk' ? state.disks.get(id) : type === 'snapshot' ? state.snapshots.get(id) : undefined;
  if (!found || found.region !== r) throw new ApiError(404, 'InvalidResourceId.NotFound', 'The specified ResourceId is not found in our records.');
  return { type, id };
}

const TAG_TEXT = /^(aliyun|https?:\/\/)/i;

export function addTags(state: AlibabaState, p: Params, ctx: SimContext) {
  region(state, p);
  const { type, id } = resourceOf(state, p);
  const tags = p.tags();
  if (!tags.length) throw missing('Tag.1.Key');
  if (ctx.faults.isFailingId(id)) throw new ApiError(403, 'InvalidResourceId.NotSupported', 'The specified ResourceId does not support tagging.');
  for (const t of tags) {
    if (t.key.length > 64 || TAG_TEXT.test(t.key)) throw new ApiError(400, 'InvalidTagKey.Malformed', 'The specified Tag.n.Key is not valid.');
    if (t.value === undefined) throw new ApiError(400, 'InvalidTag.Mismatch', 'The specified Tag.n.Key and Tag.n.Value are not match.');
    if (t.value.length > 128 || TAG_TEXT.test(t.value)) throw new ApiError(400, 'InvalidTagValue.Malformed', 'The specified Tag.n.Value is not valid.');
  }
  const current = state.tagsOf(type, id);
  const after = new Set([...current.keys(), ...tags.map((t) => t.key)]);
  if (after.size > 10) throw new ApiError(400, 'OperationDenied.QuotaExceed', 'The quota of tags on resource is beyond permitted range.');
  for (const t of tags) current.set(t.key, t.value!); // an existing key is overwritten (seed 001 L7791)
  state.changed();
  return {};
}

export function removeTags(state: AlibabaState, p: Params) {
  region(state, p);
  const { type, id } = resourceOf(state, p);
  const current = state.peekTags(type, id);
  for (const t of p.tags()) if (current && (t.value === undefined || current.get(t.key) === t.value)) current.delete(t.key);
  state.changed();
  return {};
}

export function describeTags(state: AlibabaState, p: Params) {
  const r = region(state, p);
  const type = p.get('ResourceType') as ResourceType | undefined;
  if (type !== undefined && !RESOURCE_TYPES.includes(type)) throw new ApiError(404, 'InvalidResourceType.NotFound', 'The ResourceType provided does not exist in our records.');
  const id = p.get('ResourceId');
  const filters = p.tags();
  const page = p.page(100, 50);
  const items = state.cached(JSON.stringify(['t', r, type, id, filters]), () => {
    // TagSetItem: distinct key/value pairs with counts per resource type (seed 001 L9067-9082)
    const pairs = new Map<string, { TagKey: string; TagValue: string; counts: Map<string, number> }>();
    const add = (rtype: string, tags: Map<string, string> | undefined) => {
      for (const [k, v] of tags ?? []) {
        if (!filters.every((f) => f.key === k && (f.value === undefined || f.value === v))) continue;
        const key = `${k}\u0000${v}`;
        const entry = pairs.get(key) ?? { TagKey: k, TagValue: v, counts: new Map() };
        entry.counts.set(rtype, (entry.counts.get(rtype) ?? 0) + 1);
        pairs.set(key, entry);
      }
    };
    if (id !== undefined) {
      for (const t of type ? [type] : RESOURCE_TYPES) {
        const res = t === 'instance' ? state.instances.get(id) : t === 'disk' ? state.disks.get(id) : t === 'snapshot' ? state.snapshots.get(id) : undefined;
        if (res?.region === r) add(t, state.peekTags(t, id));
      }
    } else {
      for (const [key, tags] of state.tags) {
        const [t, rid] = key.split(':') as [ResourceType, string];
        if (type && t !== type) continue;
        const res = t === 'instance' ? state.instances.get(rid) : t === 'disk' ? state.disks.get(rid) : t === 'snapshot' ? state.snapshots.get(rid) : undefined;
        if (res?.region === r) add(t, tags);
      }
    }
    return [...pairs.values()];
  });
  const { items: slice, ...paging } = pageOf(items, page, state);
  return {
    ...paging,
    Tags: {
      Tag: slice.map((t) => ({
        TagKey: t.TagKey,
        TagValue: t.TagValue,
        ResourceTypeCount: [...t.counts].map(([ResourceType, n]) => ({ ResourceType, Count: String(n) })),
      })),
    },
  };
}
