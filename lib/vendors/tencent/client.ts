import type { z } from 'zod';
import {
  callOrigin,
  batchWithBisect,
  chunk,
  offsetPages,
  UnsupportedCapability,
  VendorError,
  type BatchOutcome,
  type Capabilities,
  type ChargeType,
  type ClientOptions,
  type Instance,
  type ListInstancesOptions,
  type PriceQuote,
  type RecycleBinItem,
  type Scope,
  type Snapshot,
  type SnapshotSource,
  type SpotPricePoint,
  type TencentSettings,
  type VendorClient,
  type VendorLimits,
} from '../core';
import { actionTimers, TIMER_MIN_LEAD_MINUTES } from './action-timers';
import { ACTIONS, FILTER_LIMITS, PREPAID_PERIODS, type ActionName } from './actions';
import { buildRequest, parseEnvelope, requestIdOf, type Params } from './codec';
import { DESCRIPTION_MAX, encodeImageDescription, paidUnitPrice, priceOf, toInstance, toRecycleBinItem, toSnapshot } from './mapping';

/** What the CVM API 3.0 documents allow (seed 004; design.md matrix; DECISIONS.md). */
export const capabilities: Capabilities = {
  tags: 'native', // DescribeInstances tag-key / tag:<k> filters (seed 004 L2226); no tag mutation API in the seed
  autoDelete: 'native', // instance action timers, from the SDK model (not in the seeds): action-timers.ts, sim/DECISIONS.md T22
  recycleBin: 'native', // SHUTDOWN "to be terminated" + RestrictState (L6492, L6498): DECISIONS.md D3
  recycleRestore: 'unsupported', // no restore API in either seed: DECISIONS.md D5
  snapshots: 'native', // system-disk images: CreateImage/DescribeImages/DeleteImages (L4493-4819)
  snapshotPolicies: 'unsupported',
  spotPrices: 'native', // DescribeZoneInstanceConfigInfos price table: DECISIONS.md D8
  renewal: 'native', // ExpiredTime, RenewFlag, InquiryPriceRenewInstances (L3306)
  renewalActions: 'native', // RenewInstances (L3227), ModifyInstancesRenewFlag (L3390)
};

/** ImageName ≤ 20 characters (ModifyImageAttribute, seed 004 L4655; CreateImage states none, L4516: the stricter rule is kept). */
export const limits: VendorLimits = { snapshotKind: 'system-image', snapshotNameMaxLength: 20, autoDeleteMinLeadMinutes: TIMER_MIN_LEAD_MINUTES, listsTagCarriers: true };

export const CURRENCY = 'CNY'; // ItemPrice "(in CNY)" (seed 004 L6631-6638)

type Body<K extends ActionName> = z.infer<(typeof ACTIONS)[K]['schema']>;
type Filter = { Name: string; Values: string[] };

/** Extras beyond the unified interface that the issue names. */
export interface TencentClient extends VendorClient {
  listZones(region: string): Promise<{ zone: string; name?: string; state?: string }[]>;
  describeInstancesStatus(scope: Scope, ids: string[]): Promise<{ id: string; rawState: string }[]>;
}

/**
 * Splits filters into requests within the documented 10 filters x 5 values (seed 004 L2226): a filter
 * with more values becomes several requests whose results are unioned (values within a filter OR).
 */
export function splitFilters(filters: Filter[]): Filter[][] {
  if (filters.length > FILTER_LIMITS.filters) {
    throw new Error(`DescribeInstances accepts at most ${FILTER_LIMITS.filters} filters per request; got ${filters.length}: narrow the selector`);
  }
  let sets: Filter[][] = [[]];
  for (const f of filters) {
    const groups: string[][] = [];
    for (let i = 0; i < f.Values.length; i += FILTER_LIMITS.values) groups.push(f.Values.slice(i, i + FILTER_LIMITS.values));
    sets = sets.flatMap((set) => groups.map((values) => [...set, { Name: f.Name, Values: values }]));
  }
  return sets;
}

/** Unified charge types that have a documented `instance-charge-type` filter value (seed 004 L2226: no SPOTPAID). */
const CHARGE_FILTER: Partial<Record<ChargeType, string>> = { prepaid: 'PREPAID', postpaid: 'POSTPAID_BY_HOUR' };

export function createTencentClient(options: ClientOptions<TencentSettings>): TencentClient {
  const now = options.now ?? Date.now;
  const { target, transport, credentials, settings, endpoint } = options;
  const origin = callOrigin(options);

  function call<K extends ActionName>(name: K, region: string | undefined, params: Params = {}): Promise<Body<K>> {
    const action = ACTIONS[name];
    const r = action.regionless ? undefined : region;
    return transport.call(
      { vendor: 'tencent', action: name, region: region ?? 'global', mutating: action.mutating, ratePerSecond: action.ratePerSecond, origin },
      () => buildRequest({ action: name, region: r, params, credentials, settings, endpoint }),
      (response) => parseEnvelope(name, response, action.schema) as Body<K>,
    );
  }

  /** One batch mutation over ids, split to the documented maximum and bisected on failure. */
  function batch(name: ActionName, scope: Scope, ids: string[], idsKey: string, extra: Params = {}): Promise<BatchOutcome[]> {
    return batchWithBisect(ids, ACTIONS[name].batchLimit ?? 100, async (group) => {
      const body = await call(name, scope.region, { [idsKey]: group, ...extra });
      return { requestId: requestIdOf(body) };
    });
  }

  async function* describePages(scope: Scope, params: Params, onTotal?: (total: number) => void): AsyncGenerator<Body<'DescribeInstances'>['InstanceSet']> {
    yield* offsetPages(
      async (offset, limit) => {
        const body = await call('DescribeInstances', scope.region, { ...params, Offset: offset, Limit: limit });
        if (offset === 0) onTotal?.(body.TotalCount);
        return { items: body.InstanceSet, total: body.TotalCount };
      },
      ACTIONS.DescribeInstances.pageSize!,
      { what: `tencent DescribeInstances ${scope.region}` },
    );
  }

  /** Raw instances by id, at most the documented 100 ids per DescribeInstances (seed 004 L2223, L2249). */
  async function describeByIds(scope: Scope, ids: string[]): Promise<Body<'DescribeInstances'>['InstanceSet']> {
    const out: Body<'DescribeInstances'>['InstanceSet'] = [];
    for (const group of chunk([...new Set(ids)], ACTIONS.DescribeInstances.batchLimit!)) {
      for await (const page of describePages(scope, { InstanceIds: group })) out.push(...page);
    }
    return out;
  }

  /** Which filters a DescribeInstances total counts (`ListInstancesOptions.scopeCounts`). */
  const countKey = (region: string, filters: Filter[]) => `DescribeInstances?${region}?${JSON.stringify(filters)}`;

  async function* listInstances(scope: Scope, opts: ListInstancesOptions = {}): AsyncGenerator<Instance[]> {
    const keep = (i: Instance) =>
      (opts.includeRecycled || i.state !== 'recycled') && (!opts.chargeTypes?.length || opts.chargeTypes.includes(i.chargeType));
    // InstanceIds and Filters cannot be combined (seed 004 L2223): ids go alone, 100 per request.
    if (opts.ids?.length) {
      for (let i = 0; i < opts.ids.length; i += 100) {
        for await (const page of describePages(scope, { InstanceIds: opts.ids.slice(i, i + 100) })) {
          yield page.map((raw) => toInstance(raw, target, scope.region)).filter(keep);
        }
      }
      return;
    }
    const filters: Filter[] = [];
    if (scope.project !== undefined) filters.push({ Name: 'project-id', Values: [scope.project] });
    if (opts.tagKeys?.length) filters.push({ Name: 'tag-key', Values: [...new Set(opts.tagKeys)] });
    const charge = opts.chargeTypes?.map((c) => CHARGE_FILTER[c]);
    // spot/other have no filter value: list every charge type then filter here.
    if (charge?.length && charge.every((c) => c !== undefined)) filters.push({ Name: 'instance-charge-type', Values: [...new Set(charge as string[])] });
    if (opts.candidates) return yield* listCandidates(scope, opts, filters, keep);
    const sets = splitFilters(filters);
    const seen = sets.length > 1 ? new Set<string>() : undefined;
    const record = opts.scopeCounts && sets.length === 1 ? (total: number) => opts.scopeCounts!.set(countKey(scope.region, filters), total) : undefined;
    for (const set of sets) {
      for await (const page of describePages(scope, set.length ? { Filters: set } : {}, record)) yield instancesOf(page, scope, keep, seen);
    }
  }

  /** A page's instances that `keep` takes, each once across the listing's requests where `seen` tracks them. */
  function instancesOf(page: Body<'DescribeInstances'>['InstanceSet'], scope: Scope, keep: (i: Instance) => boolean, seen?: Set<string>): Instance[] {
    const out: Instance[] = [];
    for (const raw of page) {
      if (seen?.has(raw.InstanceId)) continue;
      seen?.add(raw.InstanceId);
      const instance = toInstance(raw, target, scope.region);
      if (keep(instance)) out.push(instance);
    }
    return out;
  }

  /**
   * Candidates only (`ListInstancesOptions.candidates`): the carriers of the tag keys (`tag-key`,
   * seed 004 L2226, one filter: its values are alternatives), then the named ids not among them
   * (InstanceIds, 100 a request, checked against the scope's filters here since the two cannot be
   * combined, L2223). The scope's size (`counted`) is the TotalCount of its filters: from a listing
   * of them this pass already made, else one asked with Limit=1 beside the carriers' listing.
   */
  async function* listCandidates(scope: Scope, opts: ListInstancesOptions, filters: Filter[], keep: (i: Instance) => boolean): AsyncGenerator<Instance[]> {
    const cand = opts.candidates!;
    const known = opts.scopeCounts?.get(countKey(scope.region, filters));
    const counting = !cand.counted
      ? undefined
      : known !== undefined
        ? Promise.resolve(known)
        : call('DescribeInstances', scope.region, { ...(filters.length && { Filters: filters }), Offset: 0, Limit: 1 }).then((b) => b.TotalCount);
    counting?.catch(() => undefined); // awaited once the candidates are listed, or abandoned with the listing
    const seen = new Set<string>();
    // ids read by InstanceIds skip the scope's project filter: checked here
    const inScope = (i: Instance) => keep(i) && (scope.project === undefined || i.project === scope.project);
    const fresh = (page: Body<'DescribeInstances'>['InstanceSet']) => instancesOf(page, scope, inScope, seen);
    if (cand.tagKeys?.length) {
      for (const set of splitFilters([...filters, { Name: 'tag-key', Values: [...new Set(cand.tagKeys)] }])) {
        for await (const page of describePages(scope, { Filters: set })) yield fresh(page);
      }
    }
    const rest = [...new Set(cand.ids ?? [])].filter((id) => !seen.has(id));
    for (const group of chunk(rest, ACTIONS.DescribeInstances.batchLimit!)) {
      for await (const page of describePages(scope, { InstanceIds: group })) yield fresh(page);
    }
    // read by the caller when the listing is over (the guard's base), so a failed count fails the listing
    if (cand.counted) cand.counted.matched = await counting;
  }

  async function describeInstancesStatus(scope: Scope, ids: string[]) {
    const out: { id: string; rawState: string }[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const group = ids.slice(i, i + 100);
      const body = await call('DescribeInstancesStatus', scope.region, { InstanceIds: group, Limit: 100 });
      out.push(...body.InstanceStatusSet.map((s) => ({ id: s.InstanceId, rawState: s.InstanceState })));
    }
    return out;
  }

  /**
   * RenewInstances / ModifyInstancesRenewFlag return only a RequestId; where DescribeInstances
   * reports LatestOperationState (later API versions), a FAILED outcome turns the id into a failure.
   */
  async function confirm(scope: Scope, outcomes: BatchOutcome[], operation: string): Promise<BatchOutcome[]> {
    const ok = outcomes.filter((o) => o.ok).map((o) => o.id);
    if (!ok.length) return outcomes;
    const failed = new Map<string, string>();
    for (const raw of await describeByIds(scope, ok)) {
      if (raw.LatestOperationState === 'FAILED' && (!raw.LatestOperation || raw.LatestOperation === operation)) failed.set(raw.InstanceId, raw.LatestOperation ?? operation);
    }
    return outcomes.map((o) =>
      failed.has(o.id) ? { ...o, ok: false, error: { code: 'LatestOperationFailed', message: `${operation} reported FAILED by DescribeInstances`, retryable: false } } : o,
    );
  }

  function checkPeriod(months: number) {
    if (!(PREPAID_PERIODS as readonly number[]).includes(months)) {
      throw new Error(`periodMonths ${months} is not a Tencent prepaid period; use one of ${PREPAID_PERIODS.join(', ')} (seed 004 L6521)`);
    }
  }

  /**
   * Private images per region as the last page of an image listing counted them (TotalCount), until
   * this client creates or deletes one: the snapshot quota's `used` without a request of its own.
   */
  const privateImages = new Map<string, number>();

  async function* listImages(scope: Scope): AsyncGenerator<Body<'DescribeImages'>['ImageSet']> {
    yield* offsetPages(
      async (offset, limit) => {
        const body = await call('DescribeImages', scope.region, {
          Filters: [{ Name: 'image-type', Values: ['PRIVATE_IMAGE'] }],
          Offset: offset,
          Limit: limit,
        });
        privateImages.set(scope.region, body.TotalCount);
        return { items: body.ImageSet, total: body.TotalCount };
      },
      ACTIONS.DescribeImages.pageSize!,
      { what: `tencent DescribeImages ${scope.region}` },
    );
  }

  async function* listSnapshots(scope: Scope, opts: { names?: string[]; sourceIds?: string[] } = {}): AsyncGenerator<Snapshot[]> {
    // No image-name filter is documented (seed 004 L4725): filter here.
    const names = opts.names ? new Set(opts.names) : undefined;
    const sources = opts.sourceIds ? new Set(opts.sourceIds) : undefined;
    for await (const page of listImages(scope)) {
      yield page
        .map((raw) => toSnapshot(raw, target, scope.region))
        .filter((s) => (!names || names.has(s.name)) && (!sources || sources.has(s.sourceId)));
    }
  }

  const unsupported = (what: string) => () => Promise.reject(new UnsupportedCapability('tencent', what));
  const timers = actionTimers(options);

  return {
    vendor: 'tencent',
    target,
    capabilities,
    limits,

    async listRegions() {
      const body = await call('DescribeRegions', undefined);
      return body.RegionSet.filter((r) => !r.RegionState || r.RegionState === 'AVAILABLE').map((r) => r.Region);
    },

    async listZones(region: string) {
      const body = await call('DescribeZones', region);
      return body.ZoneSet.map((z) => ({ zone: z.Zone, name: z.ZoneName, state: z.ZoneState }));
    },

    listInstances: timers.withTimers(listInstances),
    readAutoDeleteTimers: timers.readAutoDeleteTimers,
    describeInstancesStatus,

    stopInstances: (scope, ids) => batch('StopInstances', scope, ids, 'InstanceIds'),

    /**
     * TerminateInstances: postpaid/spot are destroyed, prepaid go to the bin (SHUTDOWN) and a second
     * call destroys them (DECISIONS.md D3). `force` makes that second call for ids now in SHUTDOWN.
     */
    async deleteInstances(scope, ids, opts = {}) {
      const first = await batch('TerminateInstances', scope, ids, 'InstanceIds');
      if (!opts.force) return first;
      const ok = first.filter((o) => o.ok).map((o) => o.id);
      const binned = (await describeInstancesStatus(scope, ok)).filter((s) => s.rawState === 'SHUTDOWN').map((s) => s.id);
      if (!binned.length) return first;
      const second = new Map((await batch('TerminateInstances', scope, binned, 'InstanceIds')).map((o) => [o.id, o]));
      return first.map((o) => second.get(o.id) ?? o);
    },

    setTags: unsupported('setting tags (seed 004 has no tag mutation API; tags are set at RunInstances only)'),
    removeTags: unsupported('removing tags (seed 004 has no tag mutation API)'),
    setAutoDeleteTime: timers.setAutoDeleteTime,
    clearAutoDeleteTime: timers.clearAutoDeleteTime,

    async *listRecycleBin(scope) {
      for await (const page of listInstances(scope, { includeRecycled: true })) {
        yield page.filter((i) => i.state === 'recycled').map(toRecycleBinItem);
      }
    },
    // The vendor exposes no bin configuration (retention is not documented): DECISIONS.md D4.
    getRecycleBinConfig: async () => undefined,
    /** TerminateInstances on an instance in SHUTDOWN destroys it (DECISIONS.md D3). */
    purgeRecycled: (scope, items: RecycleBinItem[]) =>
      batch(
        'TerminateInstances',
        scope,
        items.filter((i) => i.kind === 'instance').map((i) => i.id),
        'InstanceIds',
      ),
    restoreRecycled: unsupported('restoring from the recycle bin (no restore API in seeds 002/004)'),

    async listSnapshotSources(_scope, instances): Promise<SnapshotSource[]> {
      // CreateImage images the system disk of an instance (seed 004 L4499): the instance is the source.
      return instances.map((i) => ({ vendor: 'tencent', target, region: i.region, id: i.id, kind: 'system-image', instanceId: i.id, name: i.name, zone: i.zone }));
    },
    listSnapshots,

    /**
     * One request. The seed's answer has no ImageId (004 L4553-4559), the SDK model's may
     * (`CreateImageResponse.ImageId`): given when sent. Nothing needs it: the next listing finds the
     * image by its unique name, and so does the engine's reconciliation after a lost answer.
     */
    async createSnapshot(scope, source, request) {
      const description = encodeImageDescription(source.instanceId, request.tags);
      if (description.length > DESCRIPTION_MAX) {
        throw new Error(`snapshot tags do not fit the ${DESCRIPTION_MAX}-character image description (seed 004 L4656): ${description.length} characters; use fewer or shorter tags`);
      }
      privateImages.delete(scope.region);
      try {
        const body = await call('CreateImage', scope.region, { InstanceId: source.instanceId, ImageName: request.name, ImageDescription: description });
        return { snapshotId: body.ImageId, requestId: requestIdOf(body) };
      } catch (e) {
        // A retried slot: names are unique, so the image is the one made last time.
        if (e instanceof VendorError && e.code === 'InvalidImageName.Duplicate') return {};
        throw e;
      }
    },

    deleteSnapshots: (scope, ids) => {
      privateImages.delete(scope.region);
      return batch('DeleteImages', scope, ids, 'ImageIds');
    },

    /** The quota, and the private images in use: the TotalCount of this client's image listing when it read one since its last change, else a count. */
    async getSnapshotQuota(scope) {
      const quota = await call('DescribeImageQuota', scope.region);
      const used = privateImages.get(scope.region) ?? (await call('DescribeImages', scope.region, { Filters: [{ Name: 'image-type', Values: ['PRIVATE_IMAGE'] }], Offset: 0, Limit: 1 })).TotalCount;
      return { used, limit: quota.ImageNumQuota };
    },

    listSnapshotPolicies: unsupported('snapshot policies'),
    createSnapshotPolicy: unsupported('snapshot policies'),
    updateSnapshotPolicy: unsupported('snapshot policies'),
    bindSnapshotPolicy: unsupported('snapshot policies'),
    unbindSnapshotPolicy: unsupported('snapshot policies'),

    /** One InquiryPriceRenewInstances per instance: a batch returns one summed Price (seed 004 L3340). */
    async quoteRenewal(scope, ids, periodMonths): Promise<PriceQuote[]> {
      checkPeriod(periodMonths);
      const quotes: PriceQuote[] = [];
      for (const id of [...new Set(ids)]) {
        const body = await call('InquiryPriceRenewInstances', scope.region, { InstanceIds: [id], InstanceChargePrepaid: { Period: periodMonths } });
        const price = body.Price.InstancePrice;
        const original = priceOf(price, 'OriginalPrice');
        const amount = priceOf(price, 'DiscountPrice') ?? original;
        if (amount === undefined) throw new VendorError({ vendor: 'tencent', action: 'InquiryPriceRenewInstances', code: 'UnexpectedResponse', message: `no instance price for ${id}`, requestId: requestIdOf(body) });
        quotes.push({ resourceId: id, kind: 'instance', amount, originalAmount: original, currency: CURRENCY, periodMonths });
      }
      return quotes;
    },

    // RenewInstances has no ClientToken (seed 004 L3249-3258): idempotency comes from the audit store.
    /**
     * InstanceChargePrepaid.RenewFlag has a default (seed 004 L6522: NOTIFY_AND_AUTO_RENEW), so a
     * renewal without it changes the auto-renew setting: each instance's current flag is read and
     * sent back unchanged, one batch per flag. Ids without a flag (postpaid: null; unknown ids) go
     * without one and the vendor answers for them (it renews prepaid instances only).
     */
    async renewInstances(scope, ids, periodMonths) {
      checkPeriod(periodMonths);
      const unique = [...new Set(ids)];
      const flags = new Map((await describeByIds(scope, unique)).map((raw) => [raw.InstanceId, raw.RenewFlag ?? '']));
      const byFlag = new Map<string, string[]>();
      for (const id of unique) {
        const flag = flags.get(id) ?? '';
        byFlag.set(flag, [...(byFlag.get(flag) ?? []), id]);
      }
      const outcomes: BatchOutcome[] = [];
      for (const [flag, group] of byFlag) {
        const prepaid = flag ? { Period: periodMonths, RenewFlag: flag } : { Period: periodMonths };
        outcomes.push(...(await batch('RenewInstances', scope, group, 'InstanceIds', { InstanceChargePrepaid: prepaid })));
      }
      const order = new Map(unique.map((id, n) => [id, n]));
      outcomes.sort((x, y) => order.get(x.id)! - order.get(y.id)!);
      return confirm(scope, outcomes, 'RenewInstances');
    },

    async setAutoRenew(scope, ids) {
      const outcomes = await batch('ModifyInstancesRenewFlag', scope, ids, 'InstanceIds', { RenewFlag: 'NOTIFY_AND_AUTO_RENEW' });
      return confirm(scope, outcomes, 'ModifyInstancesRenewFlag');
    },

    /**
     * Current prices from the per-zone table (DECISIONS.md D8): one call per ≤5 zones x ≤5 types,
     * SPOTPAID and POSTPAID_BY_HOUR together. No history exists, so `since` is not used.
     */
    async getSpotPrices(scope, watches): Promise<SpotPricePoint[]> {
      const wanted = new Set(watches.map((w) => `${w.zone}|${w.instanceType}`));
      const zones = [...new Set(watches.map((w) => w.zone))];
      const types = [...new Set(watches.map((w) => w.instanceType))];
      const spot = new Map<string, string>();
      const onDemand = new Map<string, string>();
      for (const set of splitFilters([
        { Name: 'zone', Values: zones },
        { Name: 'instance-type', Values: types },
        { Name: 'instance-charge-type', Values: ['SPOTPAID', 'POSTPAID_BY_HOUR'] },
      ])) {
        const body = await call('DescribeZoneInstanceConfigInfos', scope.region, { Filters: set });
        for (const item of body.InstanceTypeQuotaSet) {
          const key = `${item.Zone}|${item.InstanceType}`;
          const price = paidUnitPrice(item.Price);
          if (!wanted.has(key) || price === undefined) continue;
          if (item.InstanceChargeType === 'SPOTPAID') spot.set(key, price);
          else if (item.InstanceChargeType === 'POSTPAID_BY_HOUR') onDemand.set(key, price);
        }
      }
      const at = new Date(now()).toISOString();
      return watches
        .filter((w) => spot.has(`${w.zone}|${w.instanceType}`))
        .map((w) => {
          const key = `${w.zone}|${w.instanceType}`;
          return { vendor: 'tencent', target, region: scope.region, zone: w.zone, instanceType: w.instanceType, at, price: spot.get(key)!, onDemandPrice: onDemand.get(key), currency: CURRENCY };
        });
    },
  };
}
