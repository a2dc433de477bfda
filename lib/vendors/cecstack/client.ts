import type { z } from 'zod';
import {
  callOrigin,
  UnsupportedCapability,
  VendorError,
  batchWithBisect,
  collect,
  eachId,
  parseMoney,
  type BatchOutcome,
  type CallOrigin,
  type Capabilities,
  type ClientOptions,
  type CecstackSettings,
  type CreateSnapshotRequest,
  type Instance,
  type ListInstancesOptions,
  type PriceQuote,
  type Quota,
  type RecycleBinConfig,
  type RecycleBinItem,
  type Scope,
  type Snapshot,
  type SnapshotPolicy,
  type SnapshotPolicySpec,
  type SnapshotOwner,
  type SnapshotSource,
  type SpotPricePoint,
  type VendorClient,
  type VendorLimits,
} from '../core';
import { ACTIONS, PAGE_SIZE, type ActionData, type ActionName } from './actions';
import { buildRequest, isNotFound, parseEnvelope, type Envelope, type QueryValue } from './codec';
import { buildFilter, type FilterClause } from './filter';
import { labelsToTags, mapInstance, mapPolicy, mapRecycleEntry, mapRenewQuote, mapSnapshot, POLICY_RETENTION, policyBody, tagsToLabels } from './mapping';
import { listPages, type FetchedPage } from './paging';
import type { RecycledInstance } from './schemas';
import { configuredSigner, type CecstackSigner } from './signer';

/** Up to this many ids are looked up one by one; more, and one paged listing is cheaper. */
const FEW_IDS = 10;

export const capabilities: Capabilities = {
  tags: 'native',
  autoDelete: 'emulated',
  recycleBin: 'native',
  recycleRestore: 'native',
  snapshots: 'native',
  snapshotPolicies: 'native',
  spotPrices: 'unsupported',
  renewal: 'native',
  renewalActions: 'native',
};

/** At most five labels per VM (seed 003 L7446); snapshots are whole-VM (L10900); snapshotName has no stated length (L10910): the shortest of the four vendors (20) is assumed. */
export const limits: VendorLimits = { snapshotKind: 'vm', maxTags: 5, snapshotNameMaxLength: 20, policyRetention: POLICY_RETENTION };

/** Extras beyond the target config: the pluggable signers and knobs tests use. */
export interface CecstackClientExtras {
  /** Replaces the scheme of `settings.auth` (a signer built in code rather than loaded from `auth.module`). */
  signer?: CecstackSigner;
  /** Signer for the operator side (omphost); defaults to the static scheme with `operatorCredentials`. */
  operatorSigner?: CecstackSigner;
  /** Page size for every listing (default 100, D5). */
  pageSize?: number;
  /** `x-regionid` for region discovery, which has no scope (default `region0`, seed 003 L1239). */
  discoveryRegion?: string;
}

type CallInput = { id?: string; query?: [string, QueryValue][]; body?: unknown };

export class CecstackClient implements VendorClient {
  readonly vendor = 'cecstack' as const;
  readonly target: string;
  readonly capabilities = capabilities;
  readonly limits = limits;
  private readonly base: string;
  private readonly signer: CecstackSigner;
  private readonly operator?: { base: string; signer: CecstackSigner };
  /** Each side's target, endpoint and credential settings, named when a call fails for them (core `withTargetHint`). */
  private readonly origin: { tenant: CallOrigin; operator: CallOrigin };
  private readonly pageSize: number;

  constructor(
    private readonly options: ClientOptions<CecstackSettings>,
    private readonly extras: CecstackClientExtras = {},
  ) {
    this.target = options.target;
    if (!options.endpoint) throw new Error(`cecstack target ${options.target}: endpoint is required (the tenant-side {{host}} base URL)`);
    this.base = options.endpoint;
    this.signer = extras.signer ?? configuredSigner(options.settings.auth, options.credentials, options.target);
    const opEndpoint = options.settings.operatorEndpoint;
    const opSigner = extras.operatorSigner ?? (options.operatorCredentials ? configuredSigner(options.settings.auth, options.operatorCredentials, options.target) : undefined);
    if (opEndpoint && opSigner) this.operator = { base: opEndpoint, signer: opSigner };
    this.pageSize = extras.pageSize ?? PAGE_SIZE;
    this.origin = { tenant: callOrigin(options, this.base), operator: callOrigin(options, opEndpoint) };
  }

  /** One vendor call through the transport: built and signed per attempt, parsed into validated data. */
  private async call<A extends ActionName>(name: A, region: string, input: CallInput = {}): Promise<Envelope<ActionData<A>>> {
    const spec = ACTIONS[name];
    const side = spec.side === 'operator' ? this.operator : { base: this.base, signer: this.signer };
    if (!side) throw new Error(`cecstack ${name} is an operator-side call: configure settings.operatorEndpoint and operatorCredentials`);
    // a signing hook that cannot load is a configuration error, raised once and never retried as a network failure
    await side.signer.ready?.();
    return this.options.transport.call(
      { vendor: 'cecstack', action: name, region, mutating: spec.mutating, origin: spec.side === 'operator' ? this.origin.operator : this.origin.tenant },
      () => buildRequest(side.base, region, { method: spec.method, path: spec.path(input.id), query: input.query, body: input.body }, side.signer),
      parseEnvelope(name, spec.schema as z.ZodType<ActionData<A>>),
    );
  }

  /** A mutation whose outcome is the request id (for batch outcomes). */
  private async mutate(name: ActionName, region: string, input: CallInput): Promise<{ requestId?: string }> {
    const { requestId } = await this.call(name, region, input);
    return { requestId };
  }

  async listRegions(): Promise<string[]> {
    const { tenantId, departmentId } = this.options.settings;
    if (!tenantId) throw new Error(`cecstack target ${this.target}: settings.tenantId is required to discover regions (seed 003 L13990)`);
    const { data } = await this.call('ListRegions', this.extras.discoveryRegion ?? 'region0', { body: { tenantId, ...(departmentId ? { departmentId } : {}) } });
    return data.map((r) => r.regionId);
  }

  // ---------------- instances ----------------

  /** Tenancy scoping pushed into `filter=` (seed 003 L6060); everything else is re-checked client-side. */
  private instanceFilter(): string | undefined {
    const clauses: FilterClause[] = [];
    const { departmentId, resourceGroupId } = this.options.settings;
    if (departmentId) clauses.push({ field: 'departmentId', op: 'eq', value: departmentId });
    if (resourceGroupId) clauses.push({ field: 'resourceGroupId', op: 'eq', value: resourceGroupId });
    return buildFilter(clauses);
  }

  async *listInstances(scope: Scope, options: ListInstancesOptions = {}): AsyncIterable<Instance[]> {
    const keep = (i: Instance) => options.includeRecycled || i.state !== 'recycled';
    // the list has no id filter: a handful of ids is cheaper read one by one (instance detail)
    if (options.ids?.length && options.ids.length <= FEW_IDS) {
      const found: Instance[] = [];
      for (const id of new Set(options.ids)) {
        try {
          found.push(await this.getInstance(scope, id));
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
      yield found.filter(keep);
      return;
    }
    const filter = this.instanceFilter();
    const ids = options.ids ? new Set(options.ids) : undefined;
    const pages = listPages(
      'pageNumber',
      this.pageSize,
      async (query): Promise<FetchedPage<Instance>> => {
        const { data } = await this.call('ListInstances', scope.region, { query: [...query, ['filter', filter]] });
        return { items: data.virtualMachines.map((v) => mapInstance(v, this.target, scope.region)), total: toCount(data.totalCount) };
      },
      `cecstack ${this.target} instances in ${scope.region}`,
      'records',
      (i) => i.id,
    );
    for await (const page of pages) {
      yield page.filter((i) => keep(i) && (!ids || ids.has(i.id)));
    }
  }

  async getInstance(scope: Scope, id: string): Promise<Instance> {
    const { data } = await this.call('GetInstance', scope.region, { id });
    return mapInstance(data, this.target, scope.region);
  }

  stopInstances(scope: Scope, ids: string[]): Promise<BatchOutcome[]> {
    return this.stopInstancesWith(scope, ids, { force: false });
  }

  /** `gracePeriodSeconds`: 0 forced, 1 graceful (seed 003 L6791). One id uses the single-VM stop. */
  stopInstancesWith(scope: Scope, ids: string[], options: { force: boolean }): Promise<BatchOutcome[]> {
    const gracePeriodSeconds = options.force ? 0 : 1;
    return batchWithBisect(ids, ACTIONS.BatchStopInstances.batch!, (group) =>
      group.length === 1
        ? this.mutate('StopInstance', scope.region, { id: group[0], body: { gracePeriodSeconds } })
        : this.mutate('BatchStopInstances', scope.region, { body: { ecsIds: group, gracePeriodSeconds } }),
    );
  }

  /**
   * DELETE moves the VM to the recycle bin when the bin is on (digest §4.1); `force` then purges
   * the bin entry for good. Batches bisect on failure: the batch answer reports no per-id result.
   */
  async deleteInstances(scope: Scope, ids: string[], options: { force?: boolean } = {}): Promise<BatchOutcome[]> {
    const outcomes = await batchWithBisect(ids, ACTIONS.BatchDeleteInstances.batch!, (group) =>
      group.length === 1
        ? this.mutate('DeleteInstance', scope.region, { id: group[0] })
        : this.mutate('BatchDeleteInstances', scope.region, { body: { ecsIds: group } }),
    );
    if (!options.force) return outcomes;
    const deleted = outcomes.filter((o) => o.ok).map((o) => o.id);
    const purged = new Map((await this.purgeInstances(scope, deleted)).map((o) => [o.id, o]));
    return outcomes.map((o) => purged.get(o.id) ?? o);
  }

  /** Purges recycled VMs; an id not in the bin (bin off: already gone) counts as done. */
  private purgeInstances(scope: Scope, ids: string[]): Promise<BatchOutcome[]> {
    return eachId(ids, async (id) => {
      try {
        return await this.mutate('PurgeRecycledInstance', scope.region, { id });
      } catch (e) {
        if (isNotFound(e)) return {};
        throw e;
      }
    });
  }

  // ---------------- labels (read-modify-write of the full set, at most 5) ----------------

  async setTags(scope: Scope, id: string, tags: Record<string, string>): Promise<BatchOutcome> {
    return this.rewriteLabels(scope, id, (current) => ({ ...current, ...tags }));
  }

  async removeTags(scope: Scope, id: string, keys: string[]): Promise<BatchOutcome> {
    return this.rewriteLabels(scope, id, (current) => Object.fromEntries(Object.entries(current).filter(([k]) => !keys.includes(k))));
  }

  private async rewriteLabels(scope: Scope, id: string, change: (current: Record<string, string>) => Record<string, string>): Promise<BatchOutcome> {
    try {
      const { data } = await this.call('GetInstance', scope.region, { id });
      const current = labelsToTags(data.vmLabels);
      const next = change(current);
      if (sameTags(current, next)) return { id, ok: true };
      const max = limits.maxTags!;
      if (Object.keys(next).length > max) {
        return {
          id,
          ok: false,
          error: {
            code: 'LabelLimitExceeded',
            message: `instance ${id} would carry ${Object.keys(next).length} labels (has ${Object.keys(current).join(', ') || 'none'}); CECSTACK allows at most ${max} per VM (seed 003 L7446): remove a label first`,
            retryable: false,
          },
        };
      }
      const { requestId } = await this.mutate('SetLabels', scope.region, { id, body: tagsToLabels(next) });
      return { id, ok: true, requestId };
    } catch (e) {
      if (!(e instanceof VendorError) || e.auth) throw e;
      return { id, ok: false, requestId: e.requestId, error: { code: e.code, message: e.vendorMessage, retryable: e.retryable } };
    }
  }

  // ---------------- auto-delete: emulated (no vendor timer) ----------------

  setAutoDeleteTime(): Promise<BatchOutcome[]> {
    return Promise.reject(new UnsupportedCapability('cecstack', 'a native auto-delete timer (autoDelete is emulated: delete when due)'));
  }

  clearAutoDeleteTime(): Promise<BatchOutcome[]> {
    return Promise.reject(new UnsupportedCapability('cecstack', 'a native auto-delete timer (autoDelete is emulated: delete when due)'));
  }

  // ---------------- recycle bin ----------------

  listRecycleBin(scope: Scope): AsyncIterable<RecycleBinItem[]> {
    return listPages(
      'current',
      this.pageSize,
      async (query) => {
        const { data } = await this.call('ListRecycle', scope.region, { query });
        return { items: data.list.map((e) => mapRecycleEntry(e, this.target, scope.region)), total: toCount(data.total) };
      },
      `cecstack ${this.target} recycle bin in ${scope.region}`,
      'pages', // "总页数" (seed 003 L13117)
      (i) => `${i.kind}:${i.id}`,
    );
  }

  /** Instance recycle detail (seed 003 L13303): the creation spec of the VM; `cleanAt` only if the server sends it. */
  async getRecycledInstance(scope: Scope, id: string): Promise<{ detail: RecycledInstance; purgeAt?: string }> {
    const { data } = await this.call('GetRecycledInstance', scope.region, { id });
    const item = mapRecycleEntry({ instanceId: data.ecsId, cleanAt: data.cleanAt }, this.target, scope.region);
    return { detail: data, purgeAt: item.purgeAt };
  }

  /** Operator side (seed 003 L4232): undefined without operator endpoint and credentials. */
  async getRecycleBinConfig(scope: Scope): Promise<RecycleBinConfig | undefined> {
    if (!this.operator) return undefined;
    const { data } = await this.call('GetRecycleConfig', scope.region);
    return { enabled: data.enable, retentionDays: Number(data.freezeTime) };
  }

  purgeRecycled(scope: Scope, items: RecycleBinItem[]): Promise<BatchOutcome[]> {
    return this.eachItem(items, (item) => this.mutate(item.kind === 'snapshot' ? 'PurgeRecycledSnapshot' : 'PurgeRecycledInstance', scope.region, { id: item.id }));
  }

  /** Restores send no body: the table says none (seed 003 L13210); the sample's body is a paste (D10). */
  restoreRecycled(scope: Scope, items: RecycleBinItem[]): Promise<BatchOutcome[]> {
    return this.eachItem(items, (item) => this.mutate(item.kind === 'snapshot' ? 'RestoreRecycledSnapshot' : 'RestoreRecycledInstance', scope.region, { id: item.id }));
  }

  /** The vendor's expiry path (seed 003 L13553): `serviceCode` "ECS". */
  autoCleanRecycled(scope: Scope, ids: string[]): Promise<BatchOutcome[]> {
    return eachId(ids, (id) => this.mutate('AutoClean', scope.region, { body: { instanceId: id, serviceCode: 'ECS' } }));
  }

  private eachItem(items: RecycleBinItem[], run: (item: RecycleBinItem) => Promise<{ requestId?: string }>): Promise<BatchOutcome[]> {
    const byId = new Map(items.map((i) => [i.id, i]));
    return eachId([...byId.keys()], (id) => run(byId.get(id)!));
  }

  // ---------------- snapshots (whole VM) ----------------

  async listSnapshotSources(_scope: Scope, instances: SnapshotOwner[]): Promise<SnapshotSource[]> {
    return instances.map((i) => ({ vendor: 'cecstack', target: this.target, region: i.region, id: i.id, kind: 'vm', instanceId: i.id, name: i.name, zone: i.zone }));
  }

  async *listSnapshots(scope: Scope, options: { names?: string[]; sourceIds?: string[] } = {}): AsyncIterable<Snapshot[]> {
    const names = options.names ? new Set(options.names) : undefined;
    for (const ecsId of options.sourceIds ?? [undefined]) {
      for await (const page of this.snapshotPages(scope, ecsId)) {
        yield page.filter((s) => (!names || names.has(s.name)) && (!ecsId || s.sourceId === ecsId));
      }
    }
  }

  /** The table spells the filter `ecsid` in lower case (seed 003 L10814): sent as documented. */
  private snapshotPages(scope: Scope, ecsId?: string): AsyncGenerator<Snapshot[]> {
    return listPages(
      'pageNumber',
      this.pageSize,
      async (query) => {
        const { data } = await this.call('ListSnapshots', scope.region, { query: [...query, ['ecsid', ecsId]] });
        return { items: data.ecsSnapshots.map((s) => mapSnapshot(s, this.target, scope.region)), total: toCount(data.totalCount) };
      },
      `cecstack ${this.target} snapshots in ${scope.region}`,
      'records',
      (s) => s.id,
    );
  }

  async getSnapshot(scope: Scope, id: string): Promise<Snapshot | undefined> {
    const { data } = await this.call('GetSnapshot', scope.region, { id });
    const found = data.ecsSnapshots.find((s) => s.ecsSnapshotId === id) ?? data.ecsSnapshots[0];
    return found && mapSnapshot(found, this.target, scope.region);
  }

  /**
   * One request: create returns no id (seed 003 L10934-10940) and nothing needs it (the next listing
   * finds the snapshot by name, and so does the engine's reconciliation after a lost answer). A
   * failure after which the vendor may have acted is checked by name, never resent.
   */
  async createSnapshot(scope: Scope, source: SnapshotSource, request: CreateSnapshotRequest): Promise<{ snapshotId?: string; requestId?: string }> {
    const requestId = await this.reconciled(
      () => this.mutate('CreateSnapshot', scope.region, { body: { ecsId: source.instanceId, snapshotName: request.name } }),
      async () => (await this.findSnapshotByName(scope, source.instanceId, request.name)) !== undefined,
    );
    return { requestId };
  }

  /**
   * A mutation that failed after the vendor may have acted (a database write failed, L14701-14706)
   * is never resent: the vendor state says whether it happened.
   */
  private async reconciled(run: () => Promise<{ requestId?: string }>, happened: () => Promise<boolean>): Promise<string | undefined> {
    try {
      return (await run()).requestId;
    } catch (e) {
      if (e instanceof VendorError && e.mayHaveActed && (await happened())) return e.requestId;
      throw e;
    }
  }

  private async findSnapshotByName(scope: Scope, ecsId: string, name: string): Promise<Snapshot | undefined> {
    const found = (await collect(this.listSnapshots(scope, { sourceIds: [ecsId], names: [name] }))).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return found[0];
  }

  deleteSnapshots(scope: Scope, ids: string[]): Promise<BatchOutcome[]> {
    return eachId(ids, (id) => this.mutate('DeleteSnapshot', scope.region, { id }));
  }

  async getSnapshotQuota(): Promise<Quota | undefined> {
    return undefined; // no snapshot quota in seed 003
  }

  // ---------------- auto-snapshot policies ----------------

  private policyPages(scope: Scope, filters: [string, QueryValue][] = []): AsyncGenerator<SnapshotPolicy[]> {
    return listPages(
      'pageNumber',
      this.pageSize,
      async (query) => {
        const { data } = await this.call('ListPolicies', scope.region, { query: [...query, ...filters] });
        return { items: data.snapshotPolicies.map(mapPolicy), total: toCount(data.totalCount) };
      },
      `cecstack ${this.target} snapshot policies in ${scope.region}`,
      'records',
      (p) => p.id,
    );
  }

  listSnapshotPolicies(scope: Scope): Promise<SnapshotPolicy[]> {
    const { departmentId, resourceGroupId } = this.options.settings;
    return collect(this.policyPages(scope, [['departmentId', departmentId], ['resourceGroupId', resourceGroupId]]));
  }

  /** Detail is a body-less POST (seed 003 L11317, sample L11354); modify is the same path with a body. */
  async getSnapshotPolicy(scope: Scope, id: string): Promise<SnapshotPolicy | undefined> {
    const { data } = await this.call('GetPolicy', scope.region, { id });
    const found = data.snapshotPolicies.find((p) => p.policyId === id);
    return found && mapPolicy(found);
  }

  private async findPolicyByName(scope: Scope, name: string): Promise<SnapshotPolicy | undefined> {
    return (await collect(this.policyPages(scope, [['policyName', name]]))).find((p) => p.name === name);
  }

  /** Create is a PUT that returns no id (seed 003 L11254, L11294-11300): found again by name. */
  async createSnapshotPolicy(scope: Scope, spec: SnapshotPolicySpec, _clientToken: string): Promise<{ id: string; requestId?: string }> {
    const body = policyBody(spec);
    const existing = await this.findPolicyByName(scope, spec.name);
    if (existing) return { id: existing.id };
    const requestId = await this.reconciled(
      () => this.mutate('CreatePolicy', scope.region, { body }),
      async () => (await this.findPolicyByName(scope, spec.name)) !== undefined,
    );
    const made = await this.findPolicyByName(scope, spec.name);
    if (!made) {
      throw new VendorError({ vendor: 'cecstack', action: 'CreatePolicy', code: 'NotFoundAfterCreate', message: `policy ${spec.name} was accepted but is not listed`, requestId });
    }
    return { id: made.id, requestId };
  }

  async updateSnapshotPolicy(scope: Scope, id: string, spec: SnapshotPolicySpec): Promise<BatchOutcome> {
    const body = policyBody(spec);
    const [outcome] = await eachId([id], (pid) => this.mutate('ModifyPolicy', scope.region, { id: pid, body }));
    return outcome!;
  }

  deleteSnapshotPolicy(scope: Scope, id: string): Promise<BatchOutcome[]> {
    return eachId([id], (pid) => this.mutate('DeletePolicy', scope.region, { id: pid }));
  }

  /** Bind is documented as GET with a JSON body (seed 003 L11518, L11537-11543); fetch cannot send one, so `ecsId` goes in the query (D8). */
  bindSnapshotPolicy(scope: Scope, id: string, sourceIds: string[]): Promise<BatchOutcome[]> {
    return eachId(sourceIds, (ecsId) => this.mutate('BindPolicy', scope.region, { id, query: [['ecsId', ecsId]] }));
  }

  unbindSnapshotPolicy(scope: Scope, id: string, sourceIds: string[]): Promise<BatchOutcome[]> {
    return eachId(sourceIds, (ecsId) => this.mutate('UnbindPolicy', scope.region, { id, body: { ecsId } }));
  }

  pauseSnapshotPolicy(scope: Scope, id: string): Promise<BatchOutcome[]> {
    return eachId([id], (pid) => this.mutate('PausePolicy', scope.region, { id: pid }));
  }

  resumeSnapshotPolicy(scope: Scope, id: string): Promise<BatchOutcome[]> {
    return eachId([id], (pid) => this.mutate('ResumePolicy', scope.region, { id: pid }));
  }

  // ---------------- renewal ----------------

  /** `cycleCount` is in months by inference (digest §4.7, D13); the VM, disks and EIPs each quoted. */
  async quoteRenewal(scope: Scope, ids: string[], periodMonths: number): Promise<PriceQuote[]> {
    checkPeriod(periodMonths);
    const quotes: PriceQuote[] = [];
    for (const id of new Set(ids)) {
      const { data } = await this.call('RenewResources', scope.region, { id, body: { cycleCount: periodMonths } });
      quotes.push(...mapRenewQuote(data, periodMonths));
    }
    return quotes;
  }

  /** The price inquiry (seed 003 L8467) as documented: the caller gives the body. */
  async queryPrice(scope: Scope, body: Record<string, unknown>): Promise<{ total: string; list: string; requestId?: string }> {
    const { data, requestId } = await this.call('QueryPrice', scope.region, { body });
    return { total: parseMoney(data.totalPrice.total), list: parseMoney(data.totalPrice.price), requestId };
  }

  /** `flavors/query-price` with `action: Renew` (seed 003 L8480): tenantId and departmentId are required there. */
  async quoteRenewalByInquiry(scope: Scope, instance: Pick<Instance, 'id' | 'zone'>, periodMonths: number): Promise<PriceQuote> {
    checkPeriod(periodMonths);
    const { tenantId, departmentId } = this.options.settings;
    if (!tenantId || !departmentId) throw new Error(`cecstack target ${this.target}: settings.tenantId and settings.departmentId are required for flavors/query-price (seed 003 L8475-8476)`);
    const price = await this.queryPrice(scope, {
      tenantId,
      departmentId,
      region: scope.region,
      az: instance.zone ?? '',
      action: 'Renew',
      ecsId: instance.id,
      billingMode: 'ByCycle',
      cycleType: 'month',
      cycleCount: periodMonths,
      amount: 1,
    });
    return { resourceId: instance.id, kind: 'instance', amount: price.total, originalAmount: price.list, currency: 'CNY', periodMonths };
  }

  renewInstances(scope: Scope, ids: string[], periodMonths: number, _clientToken: string): Promise<BatchOutcome[]> {
    checkPeriod(periodMonths);
    return eachId(ids, (id) => this.mutate('Renew', scope.region, { id, body: { cycleCount: periodMonths } }));
  }

  /** Seed 003 has no auto-renew setting (D14). */
  setAutoRenew(): Promise<BatchOutcome[]> {
    return Promise.reject(new UnsupportedCapability('cecstack', 'auto-renew (seed 003 documents no auto-renew flag; renew explicitly)'));
  }

  getSpotPrices(): Promise<SpotPricePoint[]> {
    return Promise.reject(new UnsupportedCapability('cecstack', 'spot prices (no spot market in seed 003)'));
  }
}

function toCount(v: number | string | null | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

function checkPeriod(months: number): void {
  if (!Number.isInteger(months) || months < 1) throw new Error(`cecstack renewal: periodMonths must be a whole number ≥ 1, got ${months}`);
}
