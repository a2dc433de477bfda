import type { z } from 'zod';
import {
  callOrigin,
  batchWithBisect,
  chunk,
  eachId,
  mapBounded,
  nameGlob,
  numberedPages,
  sleep,
  UnsupportedCapability,
  VendorError,
  type AlibabaSettings,
  type BatchOutcome,
  type Capabilities,
  type ClientOptions,
  type Instance,
  type ListInstancesOptions,
  type Scope,
  type Snapshot,
  type SnapshotOwner,
  type SnapshotPolicySpec,
  type SnapshotSource,
  type VendorClient,
  type VendorLimits,
} from '../core';
import { ACTIONS, TAG_LIMITS, type ActionName } from './actions';
import { buildRequest, clientToken, endpointUrl, indexed, jsonArray, parseEnvelope, type Params } from './codec';
import { toInstance, toPolicy, toRetentionDays, toSnapshot, toSource, toVendorSchedule } from './mapping';

/** What seed 001 allows (design.md matrix; sim/DECISIONS.md (alibaba)). */
export const capabilities: Capabilities = {
  tags: 'native', // DescribeTags/AddTags/RemoveTags + Tag.n filters (seed 001 L7785-8019)
  autoDelete: 'emulated', // AutoReleaseTime is RunInstances-only and unreadable (L828): delete when due
  recycleBin: 'emulated', // no recycle bin; DeleteInstance is final (L1351-1358): our soft-delete bin
  recycleRestore: 'emulated', // StartInstance (L1155-1218) after the automation removes the purge tag
  snapshots: 'native', // per-disk CreateSnapshot/DescribeSnapshots/DeleteSnapshot (L3507-3787)
  snapshotPolicies: 'native', // automatic snapshot policies (L4040-4396)
  spotPrices: 'unsupported', // no spot instances or price API in the guide
  renewal: 'native', // ExpiredTime/InstanceChargeType read from DescribeInstances (L1761-1829); no quote API
  renewalActions: 'unsupported', // no renew or auto-renew action
};

/** 10 tags per resource (L7789); SnapshotName 2-128 characters (L3530). */
export const limits: VendorLimits & { snapshotNameMaxLength: number } = {
  snapshotKind: 'disk',
  maxTags: TAG_LIMITS.perResource,
  snapshotNameMaxLength: 128,
  // tags are not inline (seed 001 L8946-8987): one DescribeTags per instance
  tagsReadPerInstance: true,
  listsTagCarriers: true,
};

/** SnapshotName: [2,128], a letter or Chinese first, then letters, digits, `_`, `-`; never `auto`/`http(s)://` (seed 001 L3530). */
const SNAPSHOT_NAME = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5_-]{1,127}$/;
/** AutoSnapshotPolicyName: same rules (seed 001 L4056). */
const POLICY_NAME = SNAPSHOT_NAME;

/** Lookups per page run this many at a time (tags come back one resource per DescribeTags call). */
const LOOKUP_CONCURRENCY = 8;
/** Polls after StopInstance before DeleteInstance (Stopping → Stopped runs in the background, L1226-1227). */
const STOP_POLL_MS = [0, 500, 1000, 2000, 4000, 8000, 15000, 30000];

type Body<K extends ActionName> = z.output<(typeof ACTIONS)[K]['schema']>;

export interface AlibabaClient extends VendorClient {
  /** DeleteAutoSnapshotPolicy (seed 001 L4104-4151): not in the unified interface. */
  deleteSnapshotPolicy(scope: Scope, id: string): Promise<BatchOutcome>;
  /** DescribeInstanceStatus (seed 001 L1588-1680), 50 per page. */
  listInstanceStatuses(scope: Scope): AsyncIterable<{ id: string; rawState: string }[]>;
  /** Disk ids bound to each auto-snapshot policy; undefined when the vendor does not report which policy a disk has (A6). */
  policyBindings(scope: Scope): Promise<Map<string, string[]> | undefined>;
  /** Tags of one resource through DescribeTags. */
  tagsOf(scope: Scope, resourceType: 'instance' | 'snapshot' | 'disk', id: string): Promise<Record<string, string>>;
}

const failure = (id: string, e: unknown): BatchOutcome => {
  if (!(e instanceof VendorError) || e.auth) throw e;
  return { id, ok: false, requestId: e.requestId, error: { code: e.code, message: e.vendorMessage, retryable: e.retryable } };
};

export function createAlibabaClient(options: ClientOptions<AlibabaSettings>): AlibabaClient {
  const { target, transport, credentials } = options;
  const origin = callOrigin(options);
  const base = endpointUrl(options.endpoint, target);

  /**
   * Disk → instance of the disks this client has read (the sources of a selection, snapshot source
   * disks): the owner a snapshot reports, so listing snapshots of disks just read as sources asks
   * DescribeDisks nothing again. Bounded by the disks read, not the region; an owner is only a label.
   */
  const diskOwners = new Map<string, string | undefined>();

  function call<K extends ActionName>(name: K, region: string | undefined, params: Params = {}): Promise<Body<K>> {
    const spec: { schema: z.ZodType; mutating: boolean; regionless?: boolean; clientToken?: boolean } = ACTIONS[name];
    const all: Params = spec.regionless || region === undefined ? params : { RegionId: region, ...params };
    // a repeat carrying the same ClientToken returns the first result (seed 001 L9770, L9774): safe to resend after a 5xx
    const idempotent = spec.clientToken === true && params.ClientToken !== undefined;
    return transport.call(
      { vendor: 'alibaba', action: name, region: region ?? 'global', mutating: spec.mutating, idempotent, origin },
      () => buildRequest({ action: name, params: all, credentials, base }),
      (response) => parseEnvelope(name, response, spec.schema) as Body<K>,
    );
  }

  /**
   * PageNumber (1-based, counted) / PageSize at the documented maximum (seed 001 L1716-1717); TotalCount
   * or an empty page ends it; a repeated id or a moving total fails the listing (core numberedPages).
   */
  function pages<K extends 'DescribeInstances' | 'DescribeInstanceStatus' | 'DescribeDisks' | 'DescribeSnapshots' | 'DescribeTags' | 'DescribeAutoSnapshotPolicyEx', T>(
    name: K,
    region: string,
    params: Params,
    items: (body: Body<K>) => T[],
    idOf: (item: T) => string,
    onTotal?: (total: number) => void,
  ): AsyncGenerator<T[]> {
    const size = ACTIONS[name].pageSize;
    return numberedPages(
      async (page) => {
        const body = await call(name, region, { ...params, PageNumber: page, PageSize: size });
        if (page === 1 && body.TotalCount !== undefined) onTotal?.(body.TotalCount);
        return { items: items(body), total: body.TotalCount };
      },
      idOf,
      { what: `alibaba ${name} ${region}` },
    );
  }

  async function tagsOf(scope: Scope, resourceType: 'instance' | 'snapshot' | 'disk', id: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    for await (const page of pages('DescribeTags', scope.region, { ResourceType: resourceType, ResourceId: id }, (b) => b.Tags, (t) => `${t.TagKey}=${t.TagValue}`)) {
      for (const t of page) tags[t.TagKey] = t.TagValue;
    }
    return tags;
  }

  /** Resources carry no tags inline (seed 001 L8946-8987) and TagSetItem names no resource (L9067-9082): one DescribeTags per resource, run together per page. */
  function tagsFor(scope: Scope, resourceType: 'instance' | 'snapshot', ids: string[]) {
    return mapBounded(ids, LOOKUP_CONCURRENCY, (id) => tagsOf(scope, resourceType, id));
  }

  /**
   * Charge type, name and id filters run on the listing itself; tags (one DescribeTags each) are read
   * only for the instances that pass them (seed 001 L1714-1715 for what the vendor filters itself).
   */
  async function* instancePages(scope: Scope, params: Params, keep: (inst: Instance) => boolean, counts?: Map<string, number>): AsyncGenerator<Instance[]> {
    const record = counts && ((total: number) => counts.set(countKey(params), total));
    for await (const page of pages('DescribeInstances', scope.region, params, (b) => b.Instances, (r) => r.InstanceId, record)) {
      const kept = page.filter((raw) => keep(toInstance(raw, {}, target, scope.region)));
      // inline Tags where the deployment sends them (SDK model); one DescribeTags each otherwise
      const missing = kept.filter((raw) => raw.Tags === undefined).map((raw) => raw.InstanceId);
      const read = await tagsFor(scope, 'instance', missing);
      const byId = new Map(missing.map((id, i) => [id, read[i]!]));
      yield kept.map((raw) => toInstance(raw, byId.get(raw.InstanceId) ?? Object.fromEntries(raw.Tags!.map((t) => [t.TagKey, t.TagValue])), target, scope.region));
    }
  }

  /** Which vendor-side filters a DescribeInstances total counts (`ListInstancesOptions.scopeCounts`). */
  const countKey = (params: Params) => `DescribeInstances?${JSON.stringify(Object.entries(params).sort(([a], [b]) => a.localeCompare(b)))}`;

  /** Tag.n.Key filters intersect (L1688, L1714; decision A7): up to 5 keys are pushed down, without a value (any value). */
  const tagParams = (keys: string[]): Params => Object.fromEntries(keys.slice(0, 5).map((k, i) => [`Tag.${i + 1}.Key`, k]));

  async function* listInstances(scope: Scope, opts: ListInstancesOptions = {}): AsyncGenerator<Instance[]> {
    const names = opts.names?.length ? opts.names.map(nameGlob) : undefined;
    const charge = opts.chargeTypes?.length ? new Set(opts.chargeTypes) : undefined;
    const ids = opts.ids?.length ? new Set(opts.ids) : undefined;
    const keys = [...new Set(opts.tagKeys ?? [])];
    const base: Params = { ...tagParams(keys) };
    // one exact name (no glob) is a vendor filter too (InstanceName, L1707)
    if (opts.names?.length === 1 && !opts.names[0]!.includes('*')) base.InstanceName = opts.names[0];
    // an unknown charge type passes every charge filter: the caller decides what unknown means (A8)
    const expiringBy = opts.expiringBy ? Date.parse(opts.expiringBy) : undefined;
    const later = (i: Instance) => expiringBy !== undefined && i.chargeType === 'prepaid' && !i.restricted && i.expiresAt !== undefined && Date.parse(i.expiresAt) > expiringBy;
    const filters = (i: Instance) =>
      (!ids || ids.has(i.id)) && (!charge || i.chargeType === 'unknown' || charge.has(i.chargeType)) && (!names || names.some((n) => n.test(i.name))) && !later(i);
    const counts = opts.scopeCounts;
    if (ids) {
      // InstanceIds: a JSON array of at most 100 (seed 001 L1701); never `[]`, which matches nothing (L1689)
      for (const group of chunk([...ids], ACTIONS.DescribeInstances.batchLimit)) yield* instancePages(scope, { ...base, InstanceIds: jsonArray(group) }, filters);
      return;
    }
    const cand = opts.candidates;
    if (!cand || (!cand.tagKeys?.length && !cand.ids?.length) || cand.tagKeys?.some((k) => keys.includes(k))) {
      yield* instancePages(scope, base, filters, counts);
      return;
    }
    // Candidates only: each key's carriers come from a tag-filtered listing, the named ids from a read
    // by id; tags are read for those alone, each instance once.
    // the selection's size without listing it: the TotalCount (L1724) of a listing of the same filters this
    // pass already made, else of the filtered listing with one item asked, beside the candidates' listings
    const known = counts?.get(countKey(base));
    const counting = !cand.counted ? undefined : known !== undefined ? Promise.resolve(known) : call('DescribeInstances', scope.region, { ...base, PageNumber: 1, PageSize: 1 }).then((b) => b.TotalCount);
    counting?.catch(() => undefined); // awaited once the candidates are listed, or abandoned with the listing
    const seen = new Set<string>();
    const once = (i: Instance) => !seen.has(i.id) && filters(i) && seen.add(i.id) !== undefined;
    for (const key of new Set(cand.tagKeys ?? [])) yield* instancePages(scope, { ...base, ...tagParams([...keys.slice(0, 4), key]) }, once);
    const rest = [...new Set(cand.ids ?? [])].filter((id) => !seen.has(id));
    for (const group of chunk(rest, ACTIONS.DescribeInstances.batchLimit)) yield* instancePages(scope, { ...base, InstanceIds: jsonArray(group) }, once);
    // read by the caller when the listing is over (the guard's base), so a failed count fails the listing
    if (cand.counted) cand.counted.matched = await counting;
  }

  async function stateOf(scope: Scope, id: string): Promise<string | undefined> {
    const body = await call('DescribeInstances', scope.region, { InstanceIds: jsonArray([id]), PageNumber: 1, PageSize: 100 });
    return body.Instances.find((i) => i.InstanceId === id)?.Status;
  }

  async function stop(scope: Scope, id: string) {
    try {
      return { requestId: (await call('StopInstance', undefined, { InstanceId: id })).RequestId };
    } catch (e) {
      // Already stopping or stopped: the goal holds (a rerun after a partial failure).
      if (e instanceof VendorError && e.code === 'IncorrectInstanceStatus' && /^(stopping|stopped)$/i.test((await stateOf(scope, id)) ?? '')) return { requestId: e.requestId };
      throw e;
    }
  }

  async function waitStopped(scope: Scope, id: string) {
    for (const ms of STOP_POLL_MS) {
      if (ms) await sleep(ms);
      const state = await stateOf(scope, id);
      if (state === undefined || /^stopped$/i.test(state)) return;
    }
    throw new VendorError({ vendor: 'alibaba', action: 'DeleteInstance', code: 'StopTimeout', message: `instance ${id} did not reach Stopped after StopInstance`, retryable: false });
  }

  /** DeleteInstance needs Stopped (seed 001 L1355): a running instance is stopped first; an unknown id is already gone. */
  async function deleteOne(scope: Scope, id: string) {
    try {
      return { requestId: (await call('DeleteInstance', undefined, { InstanceId: id })).RequestId };
    } catch (e) {
      if (!(e instanceof VendorError)) throw e;
      if (e.code === 'InvalidInstanceId.NotFound') return { requestId: e.requestId };
      if (e.code !== 'IncorrectInstanceState' && e.code !== 'IncorrectInstanceStatus') throw e;
    }
    await stop(scope, id);
    await waitStopped(scope, id);
    return { requestId: (await call('DeleteInstance', undefined, { InstanceId: id })).RequestId };
  }

  async function tagCall(action: 'AddTags' | 'RemoveTags', scope: Scope, resourceType: string, id: string, items: Record<string, string>[]): Promise<BatchOutcome> {
    let requestId: string | undefined;
    try {
      for (const group of chunk(items, TAG_LIMITS.perCall)) {
        requestId = (await call(action, scope.region, { ResourceType: resourceType, ResourceId: id, Tag: indexed(group) })).RequestId;
      }
      return { id, ok: true, requestId };
    } catch (e) {
      return failure(id, e);
    }
  }

  function checkTags(tags: Record<string, string>) {
    for (const [k, v] of Object.entries(tags)) {
      if (!k || k.length > 64 || /^(aliyun|https?:\/\/)/i.test(k)) throw new Error(`tag key "${k}" is not allowed: 1-64 characters, not starting with aliyun, http:// or https:// (seed 001 L7803)`);
      if (v.length > 128 || /^(aliyun|https?:\/\/)/i.test(v)) throw new Error(`tag value for "${k}" is not allowed: at most 128 characters, not starting with aliyun, http:// or https:// (seed 001 L7804)`);
    }
  }

  async function* listSnapshots(scope: Scope, opts: { names?: string[]; sourceIds?: string[] } = {}): AsyncGenerator<Snapshot[]> {
    const names = opts.names ? new Set(opts.names) : undefined;
    const sources = opts.sourceIds ? new Set(opts.sourceIds) : undefined;
    if (names?.size === 0 || sources?.size === 0) return;
    const params: Params = {};
    if (sources?.size === 1) params.DiskId = [...sources][0];
    if (names?.size === 1) params.SnapshotName = [...names][0];
    for await (const page of pages('DescribeSnapshots', scope.region, params, (b) => b.Snapshots, (x) => x.SnapshotId)) {
      const kept = page.filter((s) => (!names || names.has(s.SnapshotName ?? '')) && (!sources || sources.has(s.SourceDiskId ?? '')));
      if (!kept.length) {
        yield [];
        continue;
      }
      // SnapshotType names no instance (seed 001 L8740-8751): the owner is the source disk's, asked only for disks not yet seen
      const diskIds = [...new Set(kept.map((s) => s.SourceDiskId).filter((d): d is string => !!d && !diskOwners.has(d)))];
      // DiskIds: at most 100 per call (seed 001 L2660)
      for (const group of chunk(diskIds, ACTIONS.DescribeDisks.batchLimit)) {
        const disks = await call('DescribeDisks', scope.region, { DiskIds: jsonArray(group), PageNumber: 1, PageSize: ACTIONS.DescribeDisks.pageSize });
        for (const id of group) diskOwners.set(id, undefined); // a deleted source disk keeps its id (L8747): asked once
        for (const d of disks.Disks) diskOwners.set(d.DiskId, d.InstanceId || undefined);
      }
      const tags = await tagsFor(
        scope,
        'snapshot',
        kept.map((s) => s.SnapshotId),
      );
      yield kept.map((raw, i) => toSnapshot(raw, tags[i]!, target, scope.region, diskOwners.get(raw.SourceDiskId ?? '')));
    }
  }

  async function listSnapshotSources(scope: Scope, instances: SnapshotOwner[]): Promise<SnapshotSource[]> {
    const wanted = new Set(instances.map((i) => i.id));
    if (!wanted.size) return [];
    const out: SnapshotSource[] = [];
    // Few instances: DescribeDisks per instance; many: one sweep of the region's disks (100 per page).
    const filters: Params[] = wanted.size <= 10 ? [...wanted].map((id) => ({ InstanceId: id })) : [{}];
    for (const params of filters) {
      for await (const page of pages('DescribeDisks', scope.region, params, (b) => b.Disks, (d) => d.DiskId)) {
        for (const disk of page) {
          if (!disk.InstanceId || !wanted.has(disk.InstanceId)) continue;
          diskOwners.set(disk.DiskId, disk.InstanceId);
          out.push(toSource(disk, target, scope.region));
        }
      }
    }
    return out;
  }

  /**
   * Disks with a policy applied (`EnableAutoSnapshot=true`, seed 001 L2667) and the policy each names
   * (`AutoSnapshotPolicyId`, SDK model; not in DiskItemType, L8402-8441). Undefined when a bound disk
   * does not say which policy: the bindings cannot be read back (DECISIONS.md A6).
   */
  async function policyBindings(scope: Scope): Promise<Map<string, string[]> | undefined> {
    const byPolicy = new Map<string, string[]>();
    let unnamed = false;
    for await (const page of pages('DescribeDisks', scope.region, { EnableAutoSnapshot: 'true' }, (b) => b.Disks, (d) => d.DiskId)) {
      for (const disk of page) {
        if (disk.EnableAutoSnapshot === false) continue;
        if (!disk.AutoSnapshotPolicyId) {
          unnamed = true;
          continue;
        }
        byPolicy.set(disk.AutoSnapshotPolicyId, [...(byPolicy.get(disk.AutoSnapshotPolicyId) ?? []), disk.DiskId]);
      }
    }
    return unnamed ? undefined : byPolicy;
  }

  function policyParams(spec: SnapshotPolicySpec, on: 'create' | 'modify'): Params {
    if (!POLICY_NAME.test(spec.name) || /^https?:/i.test(spec.name)) {
      throw new Error(`snapshot policy name "${spec.name}" is not allowed: 2-128 characters, a letter first, then letters, digits, "_" or "-" (seed 001 L4056)`);
    }
    const schedule = toVendorSchedule(spec);
    return {
      AutoSnapshotPolicyName: spec.name,
      TimePoints: jsonArray(schedule.timePoints),
      RepeatWeekdays: jsonArray(schedule.weekdays),
      RetentionDays: toRetentionDays(spec.retentionDays, on),
    };
  }

  const unsupported = (what: string) => () => Promise.reject(new UnsupportedCapability('alibaba', what));

  return {
    vendor: 'alibaba',
    target,
    capabilities,
    limits,

    async listRegions() {
      const body = await call('DescribeRegions', undefined);
      return body.Regions.map((r) => r.RegionId);
    },

    listInstances,

    async *listInstanceStatuses(scope) {
      yield* pages(
        'DescribeInstanceStatus',
        scope.region,
        {},
        (b) => b.InstanceStatuses.map((s) => ({ id: s.InstanceId, rawState: s.Status })),
        (s) => s.id,
      );
    },

    tagsOf,

    // StopInstance takes one InstanceId (seed 001 L1220-1281)
    stopInstances: (scope, ids) => eachId(ids, (id) => stop(scope, id)),

    // No recycle bin: deletion is immediate and final whatever `force` says (seed 001 L1351)
    deleteInstances: (scope, ids) => eachId(ids, (id) => deleteOne(scope, id)),

    async setTags(scope, id, tags) {
      checkTags(tags);
      return tagCall(
        'AddTags',
        scope,
        'instance',
        id,
        Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      );
    },

    // Key only: removes the key whatever its value (seed 001 L7871)
    removeTags: (scope, id, keys) =>
      tagCall(
        'RemoveTags',
        scope,
        'instance',
        id,
        keys.map((Key) => ({ Key })),
      ),

    setAutoDeleteTime: unsupported('a native auto-delete timer (AutoReleaseTime is RunInstances-only, seed 001 L828; autoDelete is emulated)'),
    clearAutoDeleteTime: unsupported('a native auto-delete timer (AutoReleaseTime is RunInstances-only, seed 001 L828; autoDelete is emulated)'),

    // The soft-delete bin is ours: nothing sits in a vendor bin
    // eslint-disable-next-line require-yield
    async *listRecycleBin() {
      return;
    },
    getRecycleBinConfig: async () => undefined,
    purgeRecycled: (scope, items) =>
      eachId(
        items.map((i) => i.id),
        (id) => deleteOne(scope, id),
      ),
    // Restoring from our bin: start the instance again (StartInstance, seed 001 L1155-1218)
    restoreRecycled: (_scope, items) =>
      eachId(
        items.map((i) => i.id),
        async (id) => ({ requestId: (await call('StartInstance', undefined, { InstanceId: id })).RequestId }),
      ),

    listSnapshotSources,
    listSnapshots,

    async createSnapshot(scope, source, request) {
      if (source.kind !== 'disk') throw new Error(`alibaba snapshots are taken of disks; got a ${source.kind} source ${source.id}`);
      if (!SNAPSHOT_NAME.test(request.name) || /^(auto|https?:)/i.test(request.name)) {
        throw new Error(`snapshot name "${request.name}" is not allowed: 2-128 characters, a letter first, then letters, digits, "_" or "-", not starting with "auto" (seed 001 L3530)`);
      }
      if (request.tags) checkTags(request.tags);
      const body = await call('CreateSnapshot', undefined, {
        DiskId: source.id,
        SnapshotName: request.name,
        Description: request.description || undefined,
        ClientToken: clientToken(request.clientToken),
      });
      // CreateSnapshot takes no tags (seed 001 L3526-3533): tag the new snapshot afterwards
      if (request.tags && Object.keys(request.tags).length) {
        const tagged = await tagCall(
          'AddTags',
          scope,
          'snapshot',
          body.SnapshotId,
          Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })),
        );
        if (!tagged.ok) {
          throw new VendorError({
            vendor: 'alibaba',
            action: 'AddTags',
            code: tagged.error!.code,
            message: `snapshot ${body.SnapshotId} was created but tagging it failed: ${tagged.error!.message}`,
            requestId: tagged.requestId,
            retryable: tagged.error!.retryable,
          });
        }
      }
      return { snapshotId: body.SnapshotId, requestId: body.RequestId };
    },

    // A nonexistent id is ignored by the vendor (seed 001 L3596)
    deleteSnapshots: (_scope, ids) => eachId(ids, async (id) => ({ requestId: (await call('DeleteSnapshot', undefined, { SnapshotId: id })).RequestId })),

    // The quota "depends on the account's number of disks" (seed 001 L3519): no API reports it
    getSnapshotQuota: async () => undefined,

    async listSnapshotPolicies(scope) {
      const raw = [];
      for await (const page of pages('DescribeAutoSnapshotPolicyEx', scope.region, {}, (b) => b.policies, (p) => p.AutoSnapshotPolicyId)) raw.push(...page);
      if (!raw.length) return [];
      const bindings = await policyBindings(scope);
      return raw.map((p) => toPolicy(p, bindings));
    },

    policyBindings,

    async createSnapshotPolicy(scope, spec, token) {
      const body = await call('CreateAutoSnapshotPolicy', scope.region, { ...policyParams(spec, 'create'), ClientToken: clientToken(token) });
      return { id: body.AutoSnapshotPolicyId, requestId: body.RequestId };
    },

    async updateSnapshotPolicy(scope, id, spec) {
      try {
        const body = await call('ModifyAutoSnapshotPolicyEx', scope.region, { AutoSnapshotPolicyId: id, ...policyParams(spec, 'modify') });
        return { id, ok: true, requestId: body.RequestId };
      } catch (e) {
        return failure(id, e);
      }
    },

    // DiskIds: a JSON array, decided at most 100 (seed 001 L4319); the whole call fails on one bad disk, so bisect
    bindSnapshotPolicy: (scope, id, sourceIds) =>
      batchWithBisect(sourceIds, ACTIONS.ApplyAutoSnapshotPolicy.batchLimit, async (group) => ({
        requestId: (await call('ApplyAutoSnapshotPolicy', scope.region, { AutoSnapshotPolicyId: id, DiskIds: jsonArray(group) })).RequestId,
      })),

    // CancelAutoSnapshotPolicy names disks only (seed 001 L4353-4371)
    unbindSnapshotPolicy: (scope, _id, sourceIds) =>
      batchWithBisect(sourceIds, ACTIONS.CancelAutoSnapshotPolicy.batchLimit, async (group) => ({
        requestId: (await call('CancelAutoSnapshotPolicy', scope.region, { DiskIds: jsonArray(group) })).RequestId,
      })),

    async deleteSnapshotPolicy(scope, id) {
      try {
        const body = await call('DeleteAutoSnapshotPolicy', scope.region, { AutoSnapshotPolicyId: id });
        return { id, ok: true, requestId: body.RequestId };
      } catch (e) {
        return failure(id, e);
      }
    },

    quoteRenewal: unsupported('renewal quotes (no price API in seed 001)'),
    renewInstances: unsupported('renewal actions (no renew API in seed 001)'),
    setAutoRenew: unsupported('renewal actions (no auto-renew API in seed 001)'),
    getSpotPrices: unsupported('spot prices (no spot instances in seed 001)'),
  };
}
