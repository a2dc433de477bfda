import type { FleetOptions, SimContext, SimRequest, SimResponse, VendorSimulator } from '../core';
import { requestPairs, verify } from './auth';
import { seedKecFleet } from './fleet';
import { KEC_INSTANCE_CORE, KEC_INSTANCE_NULLABLE, KEC_SNAPSHOT_CORE, KEC_VOLUME_CORE, type KecShapes } from './shapes';
import {
  beijing,
  beijingZ,
  money,
  onDemandMicro,
  parseBeijing,
  REGION_IDS,
  REGIONS,
  spotMicro,
  volumesOf,
  type SimInstance,
  type SimSnapshot,
} from './state';

const VERSION = '2016-03-04';
/** The DescribeLocalVolumeSnapshots sample sends 2017-03-09 (seed 000 L4899): accepted there too. */
const EXTRA_VERSIONS: Record<string, string[]> = { DescribeLocalVolumeSnapshots: ['2017-03-09'] };
const IAM_ACTIONS = new Set(['GetAccountAllProjectList']);
const MUTATING = new Set(['StopInstances', 'TerminateInstances', 'ModifyInstanceAutoDeleteTime', 'CreateLocalVolumeSnapshot', 'DeleteLocalVolumeSnapshot']);
/** Recycle-bin retention is not documented: the simulator purges after 7 days (decision). */
export const RECYCLE_RETENTION_MS = 7 * 86_400_000;
const SPOT_FAMILIES = ['E1', 'N2', 'N3'];
const SNAPSHOT_NAME = /^[\w\-@#. \p{L}]{2,40}$/u;
const SNAPSHOT_DESC = /^[\w\-@#. \p{L}]{0,40}$/u;

class KecError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
const invalid = (name: string) => new KecError(400, 'InvalidParameterValue', `An invalid or out-of-range value was supplied for the input parameter ${name}.`);
const missing = (name: string) => new KecError(400, 'MissingParameter', `An value must be supplied for the input parameter ${name}.`);

/** `Name.N` lists (1-based, seed 000 L1401), in N order. */
function listParam(params: Map<string, string>, name: string): string[] {
  const out: [number, string][] = [];
  for (const [k, v] of params) {
    const m = new RegExp(`^${name.replace('.', '\\.')}\\.(\\d+)$`).exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function filters(params: Map<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of params) {
    const m = /^Filter\.(\d+)\.Name$/.exec(k);
    if (m) out.set(v, listParam(params, `Filter.${m[1]}.Value`));
  }
  return out;
}

const FILTERS = new Set(['instance-id', 'subnet-id', 'vpc-id', 'network-interface.subnet-id', 'network-interface.network-interface-id', 'network-interface.group-id', 'instance-state.name', 'availability-zone.name']);

export class KecSimulator implements VendorSimulator {
  readonly vendor = 'kec' as const;
  private readonly byId = new Map<string, SimInstance>();
  private readonly snaps = new Map<string, SimSnapshot>();
  /** Instances with a timer (auto-delete, reclaim, recycle purge): the only ones each request re-checks. */
  private readonly timed = new Set<string>();
  private version = 0;
  private listCache?: { key: string; version: number; items: SimInstance[] };
  private volumeCache?: { key: string; version: number; set: Record<string, unknown>[] };
  private seq = 0;
  projectIds: number[] = [0];
  /**
   * Page size of DescribeLocalVolumes / DescribeLocalVolumeSnapshots: the seed documents no page
   * parameter but its sample answers a `Marker` with `LocalVolumeCount: 32` (L5697-5733), so the sim
   * pages by Marker (offset, 0 = done) and counts the whole listing (sim/DECISIONS.md K2).
   */
  localPageSize = 50;
  /** Seeded real-shapes mode (sim/DECISIONS.md K5); off unless `createKecSim({ realShapes })`. */
  shapes?: KecShapes;
  /** Spot price overrides, `type|zone` → price in 1e-5 CNY. */
  private readonly spotOverrides = new Map<string, number>();

  // ---- test helpers -------------------------------------------------------------------------
  addInstance(partial: Partial<SimInstance> & { id?: string }, now = Date.now()): SimInstance {
    const region = partial.region ?? 'cn-beijing-6';
    const inst: SimInstance = {
      id: partial.id ?? this.newId(),
      name: partial.name ?? `vm-${this.seq}`,
      region,
      zone: partial.zone ?? REGIONS[region]!.zones[0]!,
      projectId: partial.projectId ?? 0,
      instanceType: partial.instanceType ?? 'N3.2B',
      state: partial.state ?? 'active',
      chargeType: partial.chargeType ?? 'Daily',
      createdAtMs: partial.createdAtMs ?? now,
      rootDiskGb: partial.rootDiskGb ?? 20,
      dataDiskGb: partial.dataDiskGb ?? 0,
      ...partial,
    };
    if (inst.state === 'recycling') inst.recycledAtMs ??= now;
    if (!this.projectIds.includes(inst.projectId)) this.projectIds.push(inst.projectId);
    this.byId.set(inst.id, inst);
    this.touch(inst);
    return inst;
  }

  addSnapshot(partial: Partial<SimSnapshot> & { instanceId: string }, now = Date.now()): SimSnapshot {
    const inst = this.byId.get(partial.instanceId);
    const snap: SimSnapshot = {
      id: this.newId(),
      name: `snap-${this.seq}`,
      region: inst?.region ?? 'cn-beijing-6',
      sourceVolumeId: `${partial.instanceId}-a`,
      category: 'system',
      createdAtMs: now,
      state: 'ACTIVE',
      type: 'manual',
      diskSize: inst?.rootDiskGb ?? 20,
      ...partial,
    };
    this.snaps.set(snap.id, snap);
    return snap;
  }

  instances(): SimInstance[] {
    return [...this.byId.values()];
  }

  instance(id: string): SimInstance | undefined {
    return this.byId.get(id);
  }

  snapshots(): SimSnapshot[] {
    return [...this.snaps.values()];
  }

  setSpotPrice(instanceType: string, zone: string, price: number): void {
    this.spotOverrides.set(`${instanceType}|${zone}`, Math.round(price * 1e5));
  }

  newId(): string {
    const n = (++this.seq).toString(16).padStart(12, '0');
    return `5e1a0000-0000-4000-8000-${n}`;
  }

  private touch(inst?: SimInstance): void {
    this.version++;
    if (inst && (inst.autoDeleteAtMs !== undefined || inst.spotRecyclingAtMs !== undefined || inst.state === 'recycling')) this.timed.add(inst.id);
  }

  private remove(id: string): void {
    this.byId.delete(id);
    this.timed.delete(id);
    for (const s of this.snaps.values()) if (s.instanceId === id) this.snaps.delete(s.id);
    this.version++;
  }

  /** Timers on the business clock: auto-delete → recycle bin (decision), reclaim → gone, bin purge after retention. */
  private tick(now: number): void {
    for (const id of this.timed) {
      const i = this.byId.get(id);
      if (!i) {
        this.timed.delete(id);
        continue;
      }
      if (i.spotRecyclingAtMs !== undefined && i.spotRecyclingAtMs <= now) this.remove(id);
      else if (i.autoDeleteAtMs !== undefined && i.autoDeleteAtMs <= now && i.state !== 'recycling') {
        i.state = 'recycling';
        i.recycledAtMs = i.autoDeleteAtMs;
        i.autoDeleteAtMs = undefined;
        this.version++;
      } else if (i.state === 'recycling' && (i.recycledAtMs ?? now) + RECYCLE_RETENTION_MS <= now) this.remove(id);
    }
  }

  // ---- VendorSimulator -----------------------------------------------------------------------
  actionOf(req: SimRequest): string {
    return new Map(requestPairs(req)).get('Action') ?? 'unknown';
  }

  rateLimitOf(): number | undefined {
    return undefined; // seed 000 documents no rate, only its error (LimitExceeded 409, L6154): throttling is a fault to inject
  }

  isMutating(action: string): boolean {
    return MUTATING.has(action);
  }

  throttled(): SimResponse {
    return this.error(409, 'LimitExceeded', 'Request was rejected because the request speed of this openAPI is beyond the current flow control limit.');
  }

  serverError(): SimResponse {
    return this.error(500, 'ServiceUnavailable', 'OpenAPI or Service is unavailable because of an unknown error, exception or failure.');
  }

  seedFleet(options: FleetOptions): void {
    seedKecFleet(this, options);
  }

  private requestId(): string {
    return `${this.newId().slice(0, 24)}${Date.now().toString(16).slice(-12)}`;
  }

  private error(status: number, code: string, message: string): SimResponse {
    return { status, body: { RequestId: this.requestId(), Error: { Type: status >= 500 ? 'Receiver' : 'Sender', Code: code, Message: message } } };
  }

  handle(req: SimRequest, ctx: SimContext): SimResponse {
    const params = new Map(requestPairs(req));
    const action = params.get('Action');
    if (!action) return this.error(400, 'MissingParameter', 'An value must be supplied for the input parameter Action.');
    const service = IAM_ACTIONS.has(action) ? 'iam' : 'kec';
    const auth = verify(req, ctx.credentials, service, REGION_IDS);
    if ('code' in auth) return this.error(auth.status, auth.code, auth.message);
    const version = params.get('Version');
    if (!version) return this.error(400, 'MissingParameter', 'An value must be supplied for the input parameter Version.');
    const versions = service === 'iam' ? ['2015-11-01'] : [VERSION, ...(EXTRA_VERSIONS[action] ?? [])];
    if (!versions.includes(version)) return this.error(400, 'InvalidParameterValue', 'An invalid or out-of-range value was supplied for the input parameter Version.');
    const now = ctx.clock.nowMs();
    this.tick(now);
    try {
      const body = this.dispatch(action, params, auth.region, now, ctx);
      return { status: 200, body: { RequestId: this.requestId(), ...body } };
    } catch (e) {
      if (e instanceof KecError) return this.error(e.status, e.code, e.message);
      throw e;
    }
  }

  private dispatch(action: string, p: Map<string, string>, region: string, now: number, ctx: SimContext): object {
    switch (action) {
      case 'DescribeInstances':
        return this.describeInstances(p, region);
      case 'StopInstances':
        return this.perInstance(p, region, ctx, (i) => {
          if (i.state === 'stopped' || i.state === 'recycling') return false; // "非关闭状态" (seed 000 L957)
          i.state = 'stopped';
          return true;
        });
      case 'TerminateInstances': {
        const force = /^(true|1)$/i.test(p.get('ForceDelete') ?? '');
        return this.perInstance(p, region, ctx, (i) => {
          if (i.chargeType === 'Monthly') return false; // prepaid cannot be destroyed early (decision, digest §7.24)
          if (force) {
            this.remove(i.id);
            return true;
          }
          if (i.state === 'recycling') return false;
          i.state = 'recycling';
          i.recycledAtMs = now;
          i.autoDeleteAtMs = undefined;
          return true;
        });
      }
      case 'ModifyInstanceAutoDeleteTime':
        return this.modifyAutoDelete(p, region, now, ctx);
      case 'DescribeRegions':
        return { RegionSet: REGION_IDS.map((r) => ({ Region: r, RegionName: REGIONS[r]!.name })) };
      case 'DescribeAvailabilityZones':
        return { AvailabilityZoneSet: REGIONS[region]!.zones.map((z) => ({ AvailabilityZone: z, Region: region })) };
      case 'GetAccountAllProjectList':
        return {
          ListProjectResult: {
            Total: this.projectIds.length,
            ProjectList: this.projectIds.map((id) => ({ ProjectId: id, ProjectName: id === 0 ? '默认项目' : `project-${id}`, Status: 1 })),
          },
        };
      case 'DescribeLocalVolumes':
        return this.describeLocalVolumes(p, region);
      case 'CreateLocalVolumeSnapshot':
        return this.createSnapshot(p, region, now);
      case 'DescribeLocalVolumeSnapshots':
        return this.describeSnapshots(p, region);
      case 'DeleteLocalVolumeSnapshot':
        return this.deleteSnapshots(p, region, ctx);
      case 'DescribeSpotPriceHistory':
        return this.spotHistory(p, now);
      case 'DescribePrice':
        return this.describePrice(p);
      default:
        throw new KecError(404, 'NoSuchEntity', "Request was rejected because it referenced an 'InnerApi' that does not exist.");
    }
  }

  private ids(p: Map<string, string>, name: string, required: boolean): string[] {
    const ids = listParam(p, name);
    if (required && ids.length === 0) throw missing(`${name}.N`);
    if (ids.length > 100) throw invalid(`${name}.N`);
    return ids;
  }

  private describeInstances(p: Map<string, string>, region: string): object {
    const ids = this.ids(p, 'InstanceId', false);
    const projectParams = listParam(p, 'ProjectId');
    if (projectParams.length > 100) throw invalid('ProjectId.N');
    if (projectParams.some((x) => !/^\d+$/.test(x))) throw invalid('ProjectId.N');
    // Without ProjectId.N only the default project (seed 000 L1408-1413).
    const projects = projectParams.length ? projectParams.map(Number) : [0];
    const f = filters(p);
    for (const name of f.keys()) if (!FILTERS.has(name)) throw invalid('Filter.N.Name');
    const search = p.get('Search');
    const rawMax = p.get('MaxResults');
    const rawMarker = p.get('Marker');
    if ((rawMax !== undefined && !/^\d+$/.test(rawMax)) || (rawMarker !== undefined && !/^\d+$/.test(rawMarker))) throw invalid(rawMax !== undefined && !/^\d+$/.test(rawMax) ? 'MaxResults' : 'Marker');
    // 5-1000, above 1000 counts as 1000, default 10 (seed 000 L1387-1393); below 5 clamped (decision).
    const max = Math.min(1000, Math.max(5, rawMax === undefined ? 10 : Number(rawMax)));
    const marker = rawMarker === undefined ? 0 : Number(rawMarker);
    const key = JSON.stringify([region, ids, projects, [...f], search]);
    if (!this.listCache || this.listCache.key !== key || this.listCache.version !== this.version) {
      const states = f.get('instance-state.name');
      const idSet = ids.length ? new Set(ids) : undefined;
      const idFilter = f.get('instance-id');
      const zones = f.get('availability-zone.name');
      const items = [...this.byId.values()].filter(
        (i) =>
          i.region === region &&
          projects.includes(i.projectId) &&
          (!idSet || idSet.has(i.id)) &&
          (!idFilter || idFilter.includes(i.id)) &&
          (!zones || zones.includes(i.zone)) &&
          // recycling is hidden unless filtered for (seed 000 L1430-1441)
          (states ? states.includes(i.state) : i.state !== 'recycling') &&
          (!search || i.name.includes(search)),
      );
      this.listCache = { key, version: this.version, items };
    }
    const all = this.listCache.items;
    const shapes = this.shapes;
    const page = all.slice(marker, marker + (shapes ? shapes.pageLength(max, all.length - marker) : max));
    const next = marker + page.length;
    const rendered = page.map((i) => (shapes ? shapes.vary(render(i) as Record<string, unknown>, KEC_INSTANCE_CORE, KEC_INSTANCE_NULLABLE) : render(i)));
    return { Marker: next < all.length ? next : 0, InstanceCount: all.length, InstancesSet: rendered };
  }

  /** Per-id `Return` (InstanceStateChange, seed 000 L6554-6569; `false` for an invalid state as in L7712-7722). */
  private perInstance(p: Map<string, string>, region: string, ctx: SimContext, apply: (i: SimInstance) => boolean): object {
    const ids = this.ids(p, 'InstanceId', true);
    const set = ids.map((id) => {
      const i = this.byId.get(id);
      if (!i || i.region !== region || ctx.faults.isFailingId(id)) return { InstanceId: id, Return: false };
      const ok = apply(i);
      this.touch(this.byId.get(id));
      return { InstanceId: id, Return: this.shapes ? this.shapes.returnFlag(ok) : ok };
    });
    return { InstancesSet: set };
  }

  /** No per-id result in this action (seed 000 L3157): any bad id fails the whole call (decision). */
  private modifyAutoDelete(p: Map<string, string>, region: string, now: number, ctx: SimContext): object {
    const ids = this.ids(p, 'InstanceId', true);
    const raw = p.get('AutoDeleteTime');
    let at: number | undefined;
    if (raw !== undefined) {
      at = parseBeijing(raw, true);
      // `yyyy-MM-dd HH:mm`, at least 30 minutes after now (seed 000 L3139-3145)
      if (at === undefined || at < now + 30 * 60_000) throw invalid('AutoDeleteTime');
    }
    const targets = ids.map((id) => {
      const i = this.byId.get(id);
      if (!i || i.region !== region || i.state === 'recycling' || ctx.faults.isFailingId(id)) throw invalid('InstanceId.N');
      return i;
    });
    for (const i of targets) {
      i.autoDeleteAtMs = at; // omitted → the timer is cleared
      this.touch(i);
    }
    return { Return: true };
  }

  private describeLocalVolumes(p: Map<string, string>, region: string): object {
    const name = p.get('InstanceName');
    // built once per state version, not per Marker page (a 100k fleet has ~2,800 pages of 50)
    const key = JSON.stringify([region, name]);
    if (this.volumeCache?.key !== key || this.volumeCache.version !== this.version) this.volumeCache = { key, version: this.version, set: this.volumeSet(region, name) };
    const set = this.volumeCache.set;
    return { ...this.localPage(p, set, 'LocalVolumeSet', KEC_VOLUME_CORE), LocalVolumeCount: set.length };
  }

  private volumeSet(region: string, name: string | undefined): Record<string, unknown>[] {
    return [...this.byId.values()]
      .filter((i) => i.region === region && (name === undefined || i.name === name) && i.state !== 'recycling')
      .flatMap((i) =>
        volumesOf(i).map((v) => ({
          LocalVolumeId: v.id,
          LocalVolumeName: v.name,
          LocalVolumeState: 'attached',
          InstanceId: i.id,
          InstanceName: i.name,
          InstanceState: i.state,
          LocalVolumeType: 'SSD',
          LocalVolumeCategory: v.category,
          LocalVolumeSize: v.size,
          CreationDate: beijingZ(i.createdAtMs),
        })),
      );
  }

  private createSnapshot(p: Map<string, string>, region: string, now: number): object {
    const volumeId = p.get('LocalVolumeId');
    if (!volumeId) throw missing('LocalVolumeId');
    const name = p.get('LocalVolumeSnapshotName');
    if (name === undefined) throw missing('LocalVolumeSnapshotName');
    if (!SNAPSHOT_NAME.test(name)) throw invalid('LocalVolumeSnapshotName'); // seed 000 L4752-4757
    const desc = p.get('LocalVolumeSnapshotDesc');
    if (desc !== undefined && !SNAPSHOT_DESC.test(desc)) throw invalid('LocalVolumeSnapshotDesc');
    const instanceId = volumeId.replace(/-[a-z]$/, '');
    const inst = this.byId.get(instanceId);
    const vol = inst && volumesOf(inst).find((v) => v.id === volumeId);
    if (!inst || !vol || inst.region !== region || inst.state === 'recycling') throw invalid('LocalVolumeId');
    const snap = this.addSnapshot({ instanceId, name, desc, region, sourceVolumeId: volumeId, category: vol.category, diskSize: vol.size, createdAtMs: now }, now);
    return { LocalVolumeSnapshotId: snap.id };
  }

  private describeSnapshots(p: Map<string, string>, region: string): object {
    const volumeName = p.get('LocalVolumeName');
    const instanceName = p.get('InstanceName');
    const set = [...this.snaps.values()]
      .filter((s) => s.region === region)
      .filter((s) => volumeName === undefined || `ksc-${s.instanceId}-vd${s.sourceVolumeId.slice(-1)}` === volumeName)
      .filter((s) => instanceName === undefined || this.byId.get(s.instanceId)?.name === instanceName)
      .map((s) => ({
        LocalVolumeSnapshotId: s.id,
        LocalVolumeSnapshotName: s.name,
        LocalVolumeSnapshotDesc: s.desc ?? '',
        SourceLocalVolumeId: s.sourceVolumeId,
        SourceLocalVolumeName: `ksc-${s.instanceId}-vd${s.sourceVolumeId.slice(-1)}`,
        SourceLocalVolumeCategory: s.category,
        SourceLocalVolumeState: 'attached',
        State: s.state,
        CreationDate: beijingZ(s.createdAtMs),
        InstanceId: s.instanceId,
        DiskSize: s.diskSize,
        SnapshotType: s.type,
      }));
    return { ...this.localPage(p, set, 'LocalVolumeSnapshotSet', KEC_SNAPSHOT_CORE), LocalVolumeSnapshotCount: set.length };
  }

  /** One page by `Marker` (an offset; 0 in the answer when nothing follows, as DescribeInstances, L1468-1472). */
  private localPage<T extends Record<string, unknown>>(p: Map<string, string>, set: T[], key: string, core: ReadonlySet<string>): object {
    const raw = p.get('Marker');
    if (raw !== undefined && !/^\d+$/.test(raw)) throw invalid('Marker');
    const marker = raw === undefined ? 0 : Number(raw);
    const shapes = this.shapes;
    const page = set.slice(marker, marker + (shapes ? shapes.pageLength(this.localPageSize, set.length - marker) : this.localPageSize));
    const next = marker + page.length;
    return { Marker: next < set.length ? next : 0, [key]: shapes ? page.map((x) => shapes.vary(x, core)) : page };
  }

  /** Answers per id in `ReturnSet`, as the sample does (seed 000 L4963-4971). */
  private deleteSnapshots(p: Map<string, string>, region: string, ctx: SimContext): object {
    const ids = listParam(p, 'LocalVolumeSnapshotId');
    if (p.has('LocalVolumeSnapshotId')) ids.unshift(p.get('LocalVolumeSnapshotId')!);
    if (ids.length === 0) throw missing('LocalVolumeSnapshotId.N');
    if (ids.length > 100) throw invalid('LocalVolumeSnapshotId.N'); // L4933-4937
    return {
      ReturnSet: ids.map((id) => {
        const s = this.snaps.get(id);
        const ok = !!s && s.region === region && !ctx.faults.isFailingId(id);
        if (ok) this.snaps.delete(id);
        return { LocalVolumeSnapshotId: id, Return: this.shapes ? this.shapes.returnFlag(ok) : ok };
      }),
    };
  }

  /** Hourly points; window ≤ 3 days, default the last 3 hours, E1/N2/N3 only (seed 000 L3184-3205). */
  private spotHistory(p: Map<string, string>, now: number): object {
    const type = p.get('InstanceType');
    const zone = p.get('AvailabilityZone');
    if (!type) throw missing('InstanceType');
    if (!zone) throw missing('AvailabilityZone');
    if (!SPOT_FAMILIES.includes(type.split('.')[0]!)) throw invalid('InstanceType');
    if (!Object.values(REGIONS).some((r) => r.zones.includes(zone))) throw invalid('AvailabilityZone');
    const end = p.get('EndTime') ? parseBeijing(p.get('EndTime')!) : now;
    if (end === undefined) throw invalid('EndTime');
    const start = p.get('StartTime') ? parseBeijing(p.get('StartTime')!) : end - 3 * 3_600_000;
    if (start === undefined || start > end || end - start > 3 * 86_400_000) throw invalid('StartTime');
    const override = this.spotOverrides.get(`${type}|${zone}`);
    const points = [];
    for (let h = Math.ceil(start / 3_600_000) * 3_600_000; h <= end; h += 3_600_000) {
      points.push({ SpotPrice: money(override ?? spotMicro(type, zone, h)), OriginPrice: money(onDemandMicro(type)), Timestamp: beijing(h) });
    }
    return { InstanceType: type, AvailabilityZone: zone, SpotPrices: points };
  }

  /** PriceInfo.InstancePrice (seed 000 L3353-3371); Monthly priced per month as 720 hours (decision). */
  private describePrice(p: Map<string, string>): object {
    const type = p.get('InstanceType');
    if (!type) throw missing('InstanceType');
    if (!p.get('ImageId')) throw missing('ImageId');
    const charge = p.get('ChargeType') ?? 'HourlyInstantSettlement';
    if (!['Monthly', 'Daily', 'HourlyInstantSettlement'].includes(charge)) throw invalid('ChargeType');
    const months = charge === 'Monthly' ? Number(p.get('PurchaseTime') ?? '1') : 1;
    const micro = onDemandMicro(type) * (charge === 'Monthly' ? 720 * months : charge === 'Daily' ? 24 : 1);
    return {
      PriceInfo: {
        InstancePrice: { DiscountPrice: 0, OriginalPrice: money(micro), TradePrice: money(micro), PriceUnit: charge === 'Monthly' ? 'Month' : charge === 'Daily' ? 'Day' : 'Hour' },
      },
    };
  }
}

function render(i: SimInstance): object {
  const [family = ''] = i.instanceType.split('.');
  return {
    InstanceId: i.id,
    ProjectId: i.projectId,
    InstanceName: i.name,
    InstanceType: i.instanceType,
    InstanceConfigure: { VCPU: 2, GPU: 0, MemoryGb: 4, DataDiskGb: i.dataDiskGb, RootDiskGb: i.rootDiskGb, DataDiskType: 'SSD' },
    ImageId: 'd6725701-bf67-49a0-90cd-ff9ed0ec3a41',
    InstanceState: { Name: i.state },
    Monitoring: { State: 'enabled' },
    CreationDate: beijingZ(i.createdAtMs),
    AvailabilityZone: i.zone,
    ChargeType: i.chargeType,
    SystemDisk: { DiskType: family.startsWith('I') ? 'Local_SSD' : 'SSD3.0', DiskSize: i.rootDiskGb },
    ...(i.autoDeleteAtMs !== undefined ? { AutoDeleteTime: beijing(i.autoDeleteAtMs, false), AutoDeleteEip: false } : {}),
    ...(i.spotStrategy ? { SpotStrategy: i.spotStrategy } : {}),
    ...(i.spotPriceLimit ? { SpotPriceLimit: Number(i.spotPriceLimit) } : {}),
    ...(i.spotRecyclingAtMs !== undefined ? { SpotRecyclingTime: beijing(i.spotRecyclingAtMs) } : {}),
  };
}
