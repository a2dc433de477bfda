import type { z } from 'zod';
import {
  callOrigin,
  batchWithBisect,
  chunk,
  collect,
  formatBeijingWallTime,
  paginate,
  PagingError,
  parseMoney,
  UnsupportedCapability,
  VendorError,
  type BatchCallResult,
  type BatchOutcome,
  type Capabilities,
  type ClientOptions,
  type Instance,
  type KecSettings,
  type ListInstancesOptions,
  type RecycleBinItem,
  type Scope,
  type Snapshot,
  type SnapshotSource,
  type SpotPricePoint,
  type SpotWatch,
  type VendorClient,
  type VendorLimits,
} from '../core';
import { ACTIONS, REFERENCE_IMAGE_ID, schemas, SNAPSHOT_NAME, SPOT_FAMILIES, SPOT_MAX_WINDOW_MS, type ActionSpec } from './actions';
import { buildRequest, parseResponse, type Params } from './codec';
import { kecStateNames, mapInstance, mapSnapshot, mapSnapshotSource, parseKecTime, toRecycleBinItem } from './mapping';

/** design.md capability matrix, KEC column; restore is not in seed 000 (no action, L1430-1441). */
export const capabilities: Capabilities = {
  tags: 'unsupported',
  autoDelete: 'native',
  recycleBin: 'native',
  recycleRestore: 'unsupported',
  snapshots: 'native',
  snapshotPolicies: 'unsupported',
  spotPrices: 'native',
  renewal: 'unsupported',
  renewalActions: 'unsupported',
};

/** ModifyInstanceAutoDeleteTime: "至少为当前时间30分钟以后" (seed 000 L3141-3145); snapshot names 2-40 characters (L4752). */
export const limits: VendorLimits = { snapshotKind: 'local-volume', autoDeleteMinLeadMinutes: 30, snapshotNameMaxLength: 40 };

/** Spot prices carry no currency in the sample (seed 000 L3246-3268); the field's example is CNY (L3215). */
const DEFAULT_CURRENCY = 'CNY';

/** The unified interface plus KEC's zone listing (DescribeAvailabilityZones, seed 000 L5041-5081). */
export interface KecClient extends VendorClient {
  listZones(region: string): Promise<string[]>;
}

export function createKecClient(options: ClientOptions<KecSettings>): KecClient {
  const now = options.now ?? Date.now;
  const { target, transport, credentials, endpoint, settings } = options;
  const origin = callOrigin(options);
  let projectsCache: Promise<string[]> | undefined;

  function call<S extends z.ZodType>(spec: ActionSpec, region: string, params: Params, schema: S): Promise<z.infer<S>> {
    return transport.call(
      { vendor: 'kec', action: spec.action, region, mutating: spec.mutating, origin },
      () => buildRequest({ spec, region, params, credentials, endpoint }),
      (res) => parseResponse(spec.action, schema, res),
    );
  }

  const unsupported = (capability: string) => () => Promise.reject(new UnsupportedCapability('kec', capability));

  /**
   * ProjectIds to pass as ProjectId.N: without them DescribeInstances shows only the default
   * project (seed 000 L1408-1413). The scope's project, else the target's list, else every project
   * of the account from IAM GetAccountAllProjectList ([external], decision in sim/DECISIONS.md (kec)).
   */
  function projectsFor(scope: Scope): Promise<string[]> {
    if (scope.project !== undefined) return Promise.resolve([scope.project]);
    if (settings.projects?.length) return Promise.resolve(settings.projects);
    projectsCache ??= call(ACTIONS.GetAccountAllProjectList, scope.region, {}, schemas.listProjects)
      .then((r) => r.ListProjectResult.ProjectList.map((p) => String(p.ProjectId)))
      .catch((e: unknown) => {
        projectsCache = undefined;
        throw e;
      });
    return projectsCache;
  }

  /** One Marker/MaxResults listing (seed 000 L1387-1399, L1468-1472): stop on Marker 0, the total, or an empty page. */
  async function* describeInstances(scope: Scope, params: Params): AsyncGenerator<Instance[]> {
    const spec = ACTIONS.DescribeInstances;
    let seen = 0;
    yield* paginate<Instance, number>(
      async (marker) => {
        const r = await call(spec, scope.region, { ...params, MaxResults: spec.pageSize, Marker: marker ?? 0 }, schemas.describeInstances);
        const items = (r.InstancesSet ?? []).map((i) => mapInstance(i, { target, region: scope.region }));
        seen += items.length;
        const next = Number(r.Marker ?? 0);
        const total = r.InstanceCount !== undefined ? Number(r.InstanceCount) : undefined;
        const more = next > 0 && items.length > 0 && (total === undefined || seen < total);
        return { items, next: more ? next : undefined };
      },
      { what: `kec DescribeInstances ${scope.region}` },
    );
  }

  async function* listInstancesFiltered(scope: Scope, options: ListInstancesOptions, recycling: boolean): AsyncGenerator<Instance[]> {
    const projects = await projectsFor(scope);
    const idGroups = options.ids?.length ? chunk([...new Set(options.ids)], ACTIONS.DescribeInstances.maxBatch!) : [undefined];
    const stateNames = options.states?.length ? kecStateNames(options.states) : undefined;
    // no vendor state maps to what is asked: nothing to list (an empty Value would be no filter at all)
    if (stateNames && !stateNames.length && !recycling) return;
    for (const projectGroup of chunk(projects, ACTIONS.DescribeInstances.maxBatch!)) {
      for (const ids of idGroups) {
        const params: Params = {
          ProjectId: projectGroup,
          ...(ids ? { InstanceId: ids } : {}),
          // Recycle-bin instances are hidden unless filtered for (seed 000 L1430-1441); other states by the same filter (L1415-1426)
          ...(recycling ? { Filter: [{ Name: 'instance-state.name', Value: ['recycling'] }] } : stateNames ? { Filter: [{ Name: 'instance-state.name', Value: stateNames }] } : {}),
        };
        for await (const page of describeInstances(scope, params)) {
          const wanted = options.chargeTypes?.length ? page.filter((i) => options.chargeTypes!.includes(i.chargeType)) : page;
          if (wanted.length) yield wanted;
        }
      }
    }
  }

  /** Batches of `.N` ids with per-id `Return` (InstanceStateChange, seed 000 L6554-6569); an id the answer omits is a failure (L1136-1144). */
  function perIdBatch(spec: ActionSpec, scope: Scope, ids: string[], extra: Params): Promise<BatchOutcome[]> {
    return batchWithBisect(ids, spec.maxBatch!, async (group): Promise<BatchCallResult> => {
      const r = await call(spec, scope.region, { InstanceId: group, ...extra }, schemas.stateChanges);
      const results = new Map((r.InstancesSet ?? []).map((s) => [s.InstanceId, s.Return !== false]));
      return {
        requestId: r.RequestId,
        outcomes: group.map((id) => outcome(id, results.get(id), r.RequestId, spec.action)),
      };
    });
  }

  function setAutoDelete(scope: Scope, ids: string[], at: string | undefined): Promise<BatchOutcome[]> {
    const spec = ACTIONS.ModifyInstanceAutoDeleteTime;
    return batchWithBisect(ids, spec.maxBatch!, async (group) => {
      const r = await call(spec, scope.region, { InstanceId: group, ...(at ? { AutoDeleteTime: formatBeijingWallTime(at) } : {}) }, schemas.modifyAutoDelete);
      if (r.Return === false) throw new VendorError({ vendor: 'kec', action: spec.action, code: 'ReturnFalse', message: 'KEC answered Return=false', requestId: r.RequestId });
      return { requestId: r.RequestId };
    });
  }

  /**
   * A local-volume listing, followed by `Marker` until it is 0 (the sample answers a Marker and a
   * count of 32, seed 000 L5697-5733; no page parameter is documented, so the first call sends none).
   * The count must match the page or the whole listing: otherwise the read fails loudly, never a partial view.
   */
  async function listLocal<S extends z.ZodType, T>(spec: ActionSpec, scope: Scope, schema: S, read: (r: z.infer<S>) => { items: T[]; marker: unknown; count: unknown }): Promise<T[]> {
    const what = `kec ${spec.action} ${scope.region}`;
    const counts: { length: number; count?: number }[] = [];
    const all = await collect(
      paginate<T, number>(
        async (marker) => {
          const page = read(await call(spec, scope.region, marker ? { Marker: marker } : {}, schema));
          const next = Number(page.marker ?? 0);
          counts.push({ length: page.items.length, count: page.count === undefined || page.count === null ? undefined : Number(page.count) });
          return { items: page.items, next: next > 0 && page.items.length > 0 ? next : undefined };
        },
        { what },
      ),
    );
    const wrong = counts.find((c) => c.count !== undefined && c.count !== c.length && c.count !== all.length);
    if (wrong) throw new PagingError(`${what} reported ${wrong.count} items but ${all.length} were listed; refusing to continue with a partial view`);
    return all;
  }

  async function listAllSnapshots(scope: Scope): Promise<Snapshot[]> {
    // No id filter (seed 000 L4858-4890): everything, filtered here.
    const raw = await listLocal(ACTIONS.DescribeLocalVolumeSnapshots, scope, schemas.describeLocalVolumeSnapshots, (r) => ({ items: r.LocalVolumeSnapshotSet ?? [], marker: r.Marker, count: r.LocalVolumeSnapshotCount }));
    return raw.map((s) => mapSnapshot(s, { target, region: scope.region }));
  }

  return {
    vendor: 'kec',
    target,
    capabilities,
    limits,

    async listRegions() {
      const r = await call(ACTIONS.DescribeRegions, 'cn-beijing-6', {}, schemas.describeRegions);
      return r.RegionSet.map((x) => x.Region);
    },

    async listZones(region) {
      const r = await call(ACTIONS.DescribeAvailabilityZones, region, {}, schemas.describeZones);
      return r.AvailabilityZoneSet.map((z) => z.AvailabilityZone ?? z.AzCode ?? '').filter(Boolean);
    },

    async *listInstances(scope, options = {}) {
      yield* listInstancesFiltered(scope, options, false);
      if (options.includeRecycled) yield* listInstancesFiltered(scope, options, true);
    },

    stopInstances: (scope, ids) => perIdBatch(ACTIONS.StopInstances, scope, ids, {}),

    /** Recycle bin by default; ForceDelete is presence-based, so it is sent only when meant (seed 000 L1104). */
    deleteInstances: (scope, ids, options = {}) => perIdBatch(ACTIONS.TerminateInstances, scope, ids, options.force ? { ForceDelete: true } : {}),

    setTags: unsupported('tags'),
    removeTags: unsupported('tags'),

    /**
     * The vendor holds whole minutes (`yyyy-MM-dd HH:mm`, seed 000 L3145): the time is rounded UP to
     * its minute first (never earlier than asked), and the minute that will be sent is what must lie
     * 30 minutes ahead (L3141-3145).
     */
    async setAutoDeleteTime(scope, ids, at) {
      const ms = Date.parse(at);
      if (Number.isNaN(ms)) throw new Error(`setAutoDeleteTime: "at" must be a UTC ISO time, got ${JSON.stringify(at)}`);
      const minute = new Date(Math.ceil(ms / 60_000) * 60_000).toISOString();
      if (Date.parse(minute) < now() + limits.autoDeleteMinLeadMinutes! * 60_000) {
        throw new Error(`setAutoDeleteTime: "at" (${at}, sent as the minute ${minute}) must be at least ${limits.autoDeleteMinLeadMinutes} minutes ahead (KEC rule, seed 000 L3141-3145); pick a later time`);
      }
      // Guard: without AutoDeleteTime the call CLEARS the timer, so never send it empty here.
      return setAutoDelete(scope, ids, minute);
    },

    /** Omitting AutoDeleteTime turns the timer off (seed 000 L3141-3145): the only caller allowed to do so. */
    clearAutoDeleteTime: (scope, ids) => setAutoDelete(scope, ids, undefined),

    async *listRecycleBin(scope) {
      for await (const page of listInstancesFiltered(scope, {}, true)) yield page.map(toRecycleBinItem);
    },
    // No recycle-bin configuration in seed 000.
    getRecycleBinConfig: async () => undefined,
    purgeRecycled: (scope, items: RecycleBinItem[]) => perIdBatch(ACTIONS.TerminateInstances, scope, items.filter((i) => i.kind === 'instance').map((i) => i.id), { ForceDelete: true }),
    restoreRecycled: unsupported('recycleRestore'),

    async listSnapshotSources(scope, instances) {
      // InstanceName is the only filter and names repeat (seed 000 L5657-5665): list all, match by id.
      const volumes = await listLocal(ACTIONS.DescribeLocalVolumes, scope, schemas.describeLocalVolumes, (r) => ({ items: r.LocalVolumeSet ?? [], marker: r.Marker, count: r.LocalVolumeCount }));
      const zones = new Map(instances.map((i) => [i.id, i.zone]));
      return volumes.filter((v) => zones.has(v.InstanceId)).map((v) => mapSnapshotSource(v, { target, region: scope.region }, zones.get(v.InstanceId)));
    },

    async *listSnapshots(scope, options = {}) {
      const names = options.names ? new Set(options.names) : undefined;
      const sources = options.sourceIds ? new Set(options.sourceIds) : undefined;
      const all = await listAllSnapshots(scope);
      yield all.filter((s) => (!names || names.has(s.name)) && (!sources || sources.has(s.sourceId)));
    },

    async createSnapshot(scope, source: SnapshotSource, request) {
      if (!SNAPSHOT_NAME.test(request.name)) {
        throw new Error(`createSnapshot: name ${JSON.stringify(request.name)} must be 2-40 letters, digits, spaces or _-@#. (seed 000 L4752-4757); shorten or rename it`);
      }
      if (request.description !== undefined && request.description !== '' && !SNAPSHOT_NAME.test(request.description)) {
        throw new Error(`createSnapshot: description must be 2-40 letters, digits, spaces or _-@#. (seed 000 L4759-4764); drop or shorten it`);
      }
      const r = await call(
        ACTIONS.CreateLocalVolumeSnapshot,
        scope.region,
        { LocalVolumeId: source.id, LocalVolumeSnapshotName: request.name, LocalVolumeSnapshotDesc: request.description || undefined },
        schemas.createLocalVolumeSnapshot,
      );
      if (r.LocalVolumeSnapshotId) return { snapshotId: r.LocalVolumeSnapshotId, requestId: r.RequestId };
      // The sample answers without the id (seed 000 L4795-4798): find it by name and source.
      const found = (await listAllSnapshots(scope)).find((s) => s.name === request.name && s.sourceId === source.id);
      return { snapshotId: found?.id, requestId: r.RequestId };
    },

    deleteSnapshots(scope, ids) {
      const spec = ACTIONS.DeleteLocalVolumeSnapshot;
      return batchWithBisect(ids, spec.maxBatch!, async (group): Promise<BatchCallResult> => {
        const r = await call(spec, scope.region, { LocalVolumeSnapshotId: group }, schemas.deleteLocalVolumeSnapshot);
        if (r.ReturnSet) {
          const results = new Map(r.ReturnSet.map((x) => [x.LocalVolumeSnapshotId, x.Return !== false]));
          return { requestId: r.RequestId, outcomes: group.map((id) => outcome(id, results.get(id), r.RequestId, spec.action)) };
        }
        if (r.Return === false) throw new VendorError({ vendor: 'kec', action: spec.action, code: 'ReturnFalse', message: 'KEC answered Return=false', requestId: r.RequestId });
        return { requestId: r.RequestId };
      });
    },

    getSnapshotQuota: async () => undefined,

    listSnapshotPolicies: unsupported('snapshotPolicies'),
    createSnapshotPolicy: unsupported('snapshotPolicies'),
    updateSnapshotPolicy: unsupported('snapshotPolicies'),
    bindSnapshotPolicy: unsupported('snapshotPolicies'),
    unbindSnapshotPolicy: unsupported('snapshotPolicies'),

    quoteRenewal: unsupported('renewal'),
    renewInstances: unsupported('renewalActions'),
    setAutoRenew: unsupported('renewalActions'),

    async getSpotPrices(scope, watches: SpotWatch[], since) {
      const bad = watches.filter((w) => !SPOT_FAMILIES.includes(w.instanceType.split('.')[0] as (typeof SPOT_FAMILIES)[number]));
      if (bad.length) {
        throw new Error(`getSpotPrices: KEC spot history covers families ${SPOT_FAMILIES.join(', ')} only (seed 000 L3184-3186); remove ${bad.map((w) => w.instanceType).join(', ')} from the watch list`);
      }
      const start = Date.parse(since);
      if (Number.isNaN(start)) throw new Error(`getSpotPrices: since ${JSON.stringify(since)} is not an ISO time; pass e.g. 2026-11-24T00:00:00Z`);
      // Normally EndTime is left out ("空表示当前时间", seed 000 L3203): the window ends at the vendor's
      // own now, and the points carry the vendor's times. KEC serves at most 3 days before the end
      // (L3199): an older `since` is clamped to the last 3 days of this machine's clock, EndTime set to match.
      const end = now();
      const slackMs = 10 * 60_000; // the vendor's now may run ahead of ours
      const window = start >= end - SPOT_MAX_WINDOW_MS + slackMs ? { StartTime: spotTime(start) } : { StartTime: spotTime(end - SPOT_MAX_WINDOW_MS), EndTime: spotTime(end) };
      const points: SpotPricePoint[] = [];
      for (const watch of watches) {
        const r = await call(
          ACTIONS.DescribeSpotPriceHistory,
          scope.region,
          { InstanceType: watch.instanceType, AvailabilityZone: watch.zone, ...window },
          schemas.describeSpotPriceHistory,
        );
        const prices = r.SpotPrices ?? [];
        const baseline = prices.some((p) => p.OriginPrice === undefined) ? await onDemandPrice(scope, watch.instanceType) : undefined;
        for (const p of prices) {
          points.push({
            vendor: 'kec',
            target,
            region: scope.region,
            zone: watch.zone,
            instanceType: watch.instanceType,
            at: parseKecTime(p.Timestamp),
            price: parseMoney(p.SpotPrice),
            onDemandPrice: p.OriginPrice !== undefined ? parseMoney(p.OriginPrice) : baseline,
            currency: r.Currency ?? DEFAULT_CURRENCY,
          });
        }
      }
      return points;
    },
  };

  /** DescribePrice hourly on-demand (seed 000 L3273-3371): the baseline when a point lacks OriginPrice. */
  async function onDemandPrice(scope: Scope, instanceType: string): Promise<string | undefined> {
    const r = await call(
      ACTIONS.DescribePrice,
      scope.region,
      { InstanceType: instanceType, ImageId: REFERENCE_IMAGE_ID, ChargeType: 'HourlyInstantSettlement' },
      schemas.describePrice,
    );
    const price = r.PriceInfo.InstancePrice?.TradePrice ?? r.PriceInfo.InstancePrice?.OriginalPrice;
    return price !== undefined ? parseMoney(price) : undefined;
  }
}

/** `yyyy-MM-ddTHH:mm:ssZ` holding Beijing wall time, as the seed words it ("UTC +8 … yyyy-MM-ddTHH:mm:ssZ", L3196-3205). */
function spotTime(ms: number): string {
  return `${formatBeijingWallTime(new Date(ms).toISOString(), true).replace(' ', 'T')}Z`;
}

function outcome(id: string, ok: boolean | undefined, requestId: string | undefined, action: string): BatchOutcome {
  if (ok === true) return { id, ok: true, requestId };
  return {
    id,
    ok: false,
    requestId,
    error: ok === false ? { code: 'ReturnFalse', message: `${action} answered Return=false for this id`, retryable: false } : { code: 'NotReported', message: `${action} did not report this id`, retryable: false },
  };
}
