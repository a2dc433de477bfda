/**
 * The unified model every vendor client speaks (design §3). Times are UTC ISO-8601 strings
 * (`2026-11-24T03:00:00.000Z`), money is a decimal string (never a float).
 */

export const VENDORS = ['tencent', 'kec', 'alibaba', 'cecstack'] as const;
export type VendorName = (typeof VENDORS)[number];

/** native: the vendor does it; emulated: we do it with our own bookkeeping; unsupported: skipped, said once. */
export type Support = 'native' | 'emulated' | 'unsupported';

export interface Capabilities {
  /** Selecting instances by tag/label (KEC has none). */
  tags: Support;
  /** Vendor-side deletion timer (native) or delete-when-due (emulated). */
  autoDelete: Support;
  /** Vendor recycle bin (native) or our soft-delete bin: stop, tag with purge time, delete when due (emulated). */
  recycleBin: Support;
  /** Restoring an item from the recycle bin. */
  recycleRestore: Support;
  /** Snapshots we create and prune ourselves. */
  snapshots: Support;
  /** Vendor auto-snapshot policies (engine: native). */
  snapshotPolicies: Support;
  /** Spot price reads. */
  spotPrices: Support;
  /** Expiry time, renew flag and renewal quote of prepaid instances. */
  renewal: Support;
  /** Renewing and switching auto-renew on. */
  renewalActions: Support;
}

export interface VendorLimits {
  /** What a snapshot is taken of on this vendor. */
  snapshotKind: SnapshotSourceKind;
  /** Most tags/labels one instance can carry (CECSTACK: 5). */
  maxTags?: number;
  /** Native auto-delete timers must lie at least this far ahead (KEC: 30). */
  autoDeleteMinLeadMinutes?: number;
  /** Longest snapshot/image name the vendor accepts (Tencent 20, KEC 40, Alibaba 128). */
  snapshotNameMaxLength?: number;
  /**
   * Tags cost one request per instance (Alibaba: not inline, seed 001 L8946-8987): callers should pass
   * `names` and `candidates` so tags are read only for instances they can act on.
   */
  tagsReadPerInstance?: boolean;
  /**
   * The listing filters by tag key at the vendor (Tencent `tag-key`, seed 004 L2226; Alibaba
   * `Tag.n.Key`, seed 001 L1714-1715): a caller that acts on a tag's carriers only passes
   * `candidates`, and the client lists those (and the named ids) instead of the scope.
   */
  listsTagCarriers?: boolean;
  /** Auto-snapshot policy retention in the vendor's own unit where it is not days (CECSTACK `expire`: minutes, seed 003 L11467). */
  policyRetention?: { unit: string; perDay: number; max: number };
}

export type InstanceState =
  | 'pending'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'rebooting'
  | 'deleting'
  | 'recycled'
  | 'deleted'
  | 'error'
  | 'unknown';

/** `unknown`: the vendor did not say (never read as postpaid); no selector matches it. */
export type ChargeType = 'prepaid' | 'postpaid' | 'spot' | 'other' | 'unknown';

export interface Instance {
  vendor: VendorName;
  target: string;
  region: string;
  zone?: string;
  id: string;
  name: string;
  state: InstanceState;
  /** The vendor's own state string, kept for the plan and the audit record. */
  rawState: string;
  chargeType: ChargeType;
  rawChargeType?: string;
  instanceType?: string;
  /** KEC project id, Tencent project id, CECSTACK resource group: where the vendor has one. */
  project?: string;
  createdAt?: string;
  /** Prepaid expiry. */
  expiresAt?: string;
  /** Vendor-native deletion timer, when set. */
  autoDeleteAt?: string;
  renewFlag?: 'auto' | 'manual' | 'never';
  rawRenewFlag?: string;
  /** Vendor restriction: expired (arrears/expiry) or isolated. */
  restricted?: 'expired' | 'isolated' | 'other';
  tags: Record<string, string>;
  spot?: { maxPrice?: string; reclaimAt?: string };
  /** Present when the instance sits in the vendor's recycle bin. */
  recycleBin?: { since?: string; purgeAt?: string };
  /** The vendor refuses to terminate it through the API (Tencent DisableApiTermination). */
  terminationProtected?: boolean;
  /** An operation the vendor is still running on it (Tencent LatestOperationState OPERATING): start no new one. */
  busyWith?: string;
}

/** What a client needs of an instance to find its snapshot sources (kept small: a whole selection is held at once). */
export type SnapshotOwner = Pick<Instance, 'id' | 'name' | 'region' | 'zone'>;

/** Where a listing or call applies. */
export interface Scope {
  region: string;
  /** KEC ProjectId, when the target scans projects one by one. */
  project?: string;
}

/** Pushdown hints: the client may filter at the vendor; automations re-check every selector themselves. */
export interface ListInstancesOptions {
  ids?: string[];
  tagKeys?: string[];
  chargeTypes?: ChargeType[];
  /** Name globs (`*` any run); instances matching none may be left out. */
  names?: string[];
  /**
   * Only instances carrying at least one of `tagKeys`, or named in `ids`, are needed (a union, unlike
   * the filters above). Clients with `limits.listsTagCarriers` list only those; others list the scope.
   */
  candidates?: {
    tagKeys?: string[];
    ids?: string[];
    /** Filled by a client that lists candidates only: how many instances the vendor-side filters matched, candidates or not (for guards that count the selection). */
    counted?: { matched?: number };
  };
  /**
   * The counts the vendor reported for the listings of one scope's pass (engine-owned, dropped after the
   * pass), keyed by the client: a listing records its total here, and `candidates.counted` is taken from
   * an earlier listing of the same vendor-side filters instead of a request of its own.
   */
  scopeCounts?: Map<string, number>;
  /**
   * Only prepaid instances expiring by this UTC time are needed, besides those the vendor reports lapsed
   * or restricted and any whose charge type or expiry it does not report: clients with
   * `limits.tagsReadPerInstance` leave the rest out rather than read their tags.
   */
  expiringBy?: string;
  /** Only instances in these states are needed: a client that can filter by state at the vendor leaves the rest out. */
  states?: InstanceState[];
  /** Include instances in the recycle bin (KEC hides `recycling` unless asked). */
  includeRecycled?: boolean;
  /** Also read native auto-delete timers kept apart from the instance (Tencent action timers) into `autoDeleteAt`. */
  autoDeleteTimers?: boolean;
}

/** One id's fate in a batch mutation: batches are split until the failing ids are isolated. */
export interface BatchOutcome {
  id: string;
  ok: boolean;
  requestId?: string;
  error?: { code: string; message: string; retryable: boolean };
}

export type SnapshotSourceKind = 'system-image' | 'disk' | 'local-volume' | 'vm';

export interface SnapshotSource {
  vendor: VendorName;
  target: string;
  region: string;
  id: string;
  kind: SnapshotSourceKind;
  instanceId: string;
  name?: string;
  zone?: string;
}

export type SnapshotState = 'creating' | 'ready' | 'failed' | 'deleting' | 'unknown';

export interface Snapshot {
  vendor: VendorName;
  target: string;
  region: string;
  id: string;
  name: string;
  sourceId: string;
  sourceKind: SnapshotSourceKind;
  instanceId?: string;
  createdAt: string;
  state: SnapshotState;
  rawState: string;
  /** The vendor reports it in use (e.g. an image or disk built from it): never deleted. */
  inUse?: boolean;
  tags: Record<string, string>;
  sizeGb?: number;
}

export interface CreateSnapshotRequest {
  /** Deterministic from policy and slot, so a retry finds the one it already made. */
  name: string;
  /** Idempotency token where the vendor has one (derived from the action key). */
  clientToken: string;
  description?: string;
  tags?: Record<string, string>;
}

export interface SnapshotPolicySpec {
  name: string;
  /** Hours of the day (0-23, UTC) at which the vendor takes snapshots. */
  hoursUtc: number[];
  /** ISO weekdays (1 = Monday … 7 = Sunday, UTC); all days when empty. */
  weekdays: number[];
  retentionDays: number;
}

export interface SnapshotPolicy extends SnapshotPolicySpec {
  id: string;
  /** The snapshot sources (disks or VMs) the policy is bound to. */
  boundSourceIds: string[];
  /** false: the vendor did not report bindings, so `boundSourceIds` is not a reading (nothing may be unbound from it). */
  bindingsKnown?: boolean;
  enabled: boolean;
}

export interface Quota {
  used: number;
  limit: number;
}

export interface RecycleBinItem {
  vendor: VendorName;
  target: string;
  region: string;
  kind: 'instance' | 'snapshot';
  id: string;
  name?: string;
  /** When it entered the bin, where the vendor says. */
  since?: string;
  /** When the vendor purges it for good, where the vendor says. */
  purgeAt?: string;
  rawState?: string;
  /** The vendor still runs an operation on it (Tencent `LatestOperationState: OPERATING`): it refuses another. */
  busyWith?: string;
}

export interface RecycleBinConfig {
  enabled: boolean;
  retentionDays?: number;
}

export interface PriceQuote {
  resourceId: string;
  kind: 'instance' | 'disk' | 'eip' | 'other';
  /** Decimal string in `currency`. */
  amount: string;
  originalAmount?: string;
  currency: string;
  periodMonths: number;
  expiresAt?: string;
}

export interface SpotWatch {
  zone: string;
  instanceType: string;
}

export interface SpotPricePoint {
  vendor: VendorName;
  target: string;
  region: string;
  zone: string;
  instanceType: string;
  /** When the vendor says the price applied. */
  at: string;
  /** Decimal string per hour. */
  price: string;
  onDemandPrice?: string;
  currency: string;
}

/**
 * One interface, four implementations. Methods behind an `unsupported` capability throw
 * `UnsupportedCapability`; automations read `capabilities` instead of checking vendor names.
 */
export interface VendorClient {
  readonly vendor: VendorName;
  readonly target: string;
  readonly capabilities: Capabilities;
  readonly limits: VendorLimits;

  listRegions(): Promise<string[]>;
  /** Pages of instances, page by page, so memory grows with the page and not the fleet. */
  listInstances(scope: Scope, options?: ListInstancesOptions): AsyncIterable<Instance[]>;
  /**
   * Where native deletion timers live apart from the instance (Tencent action timers): the given
   * instances with their earliest pending timer as `autoDeleteAt`. A listing reads them for every
   * instance with `autoDeleteTimers`; this reads them for just the instances that need them.
   */
  readAutoDeleteTimers?(scope: Scope, instances: Instance[]): Promise<Instance[]>;

  stopInstances(scope: Scope, ids: string[]): Promise<BatchOutcome[]>;
  /** Into the vendor's recycle bin where it has one; `force` deletes for good. */
  deleteInstances(scope: Scope, ids: string[], options?: { force?: boolean }): Promise<BatchOutcome[]>;

  setTags(scope: Scope, id: string, tags: Record<string, string>): Promise<BatchOutcome>;
  removeTags(scope: Scope, id: string, keys: string[]): Promise<BatchOutcome>;

  /** Native deletion timer. `at` is UTC ISO; never clears. */
  setAutoDeleteTime(scope: Scope, ids: string[], at: string): Promise<BatchOutcome[]>;
  /** Clears the native timer: only ever called on purpose. */
  clearAutoDeleteTime(scope: Scope, ids: string[]): Promise<BatchOutcome[]>;

  listRecycleBin(scope: Scope): AsyncIterable<RecycleBinItem[]>;
  getRecycleBinConfig(scope: Scope): Promise<RecycleBinConfig | undefined>;
  purgeRecycled(scope: Scope, items: RecycleBinItem[]): Promise<BatchOutcome[]>;
  restoreRecycled(scope: Scope, items: RecycleBinItem[]): Promise<BatchOutcome[]>;

  /** Sources of the given instances; called once per selection (a client may list the whole region for it). */
  listSnapshotSources(scope: Scope, instances: SnapshotOwner[]): Promise<SnapshotSource[]>;
  listSnapshots(scope: Scope, options?: { names?: string[]; sourceIds?: string[] }): AsyncIterable<Snapshot[]>;
  createSnapshot(scope: Scope, source: SnapshotSource, request: CreateSnapshotRequest): Promise<{ snapshotId?: string; requestId?: string }>;
  deleteSnapshots(scope: Scope, ids: string[]): Promise<BatchOutcome[]>;
  getSnapshotQuota(scope: Scope): Promise<Quota | undefined>;

  listSnapshotPolicies(scope: Scope): Promise<SnapshotPolicy[]>;
  createSnapshotPolicy(scope: Scope, spec: SnapshotPolicySpec, clientToken: string): Promise<{ id: string; requestId?: string }>;
  updateSnapshotPolicy(scope: Scope, id: string, spec: SnapshotPolicySpec): Promise<BatchOutcome>;
  bindSnapshotPolicy(scope: Scope, id: string, sourceIds: string[]): Promise<BatchOutcome[]>;
  unbindSnapshotPolicy(scope: Scope, id: string, sourceIds: string[]): Promise<BatchOutcome[]>;

  /** Renewal quotes for instances (and, where the vendor reports them, their disks and EIPs). */
  quoteRenewal(scope: Scope, ids: string[], periodMonths: number): Promise<PriceQuote[]>;
  renewInstances(scope: Scope, ids: string[], periodMonths: number, clientToken: string): Promise<BatchOutcome[]>;
  setAutoRenew(scope: Scope, ids: string[]): Promise<BatchOutcome[]>;

  getSpotPrices(scope: Scope, watches: SpotWatch[], since: string): Promise<SpotPricePoint[]>;
}

export interface Credentials {
  accessKeyId: string;
  secret: string;
  /** Session token or bearer token, where the vendor scheme uses one. */
  token?: string;
}
