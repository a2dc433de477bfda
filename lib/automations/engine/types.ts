import type { AuditStore } from '../../audit/store';
import type { EventPublisher } from '../../audit/events';
import type { AutomationConfig } from '../../config/schema';
import type { BatchOutcome, Capabilities, Scope, VendorClient, VendorName } from '../../vendors/core';

export type FunctionName = 'auto-delete' | 'snapshots' | 'spot-prices' | 'renewal-reminders' | 'recycle-bin';
export type Mode = 'dry-run' | 'enforce';
export type TriggerKind = 'schedule' | 'event' | 'manual';
export type TargetConfig = AutomationConfig['targets'][number];
export type ResourceKind = 'instance' | 'snapshot' | 'snapshot-policy' | 'price' | 'recycle-item' | 'other';

/** A normalized cloud event (instance created/deleted, spot interruption) that narrows a run to one resource. */
export interface CloudEventFocus {
  detailType: string;
  vendor: VendorName;
  target: string;
  region: string;
  instanceId: string;
  at?: string;
}

/** What the engine needs from the runtime; the handler wrapper builds it per invocation. */
export interface EngineDeps {
  runId: string;
  trigger: TriggerKind;
  now: Date;
  config: AutomationConfig;
  audit: AuditStore;
  events: EventPublisher;
  /** A client for the target; read-only (refusing every mutation) in dry-run mode. */
  client(target: TargetConfig, mode: Mode): VendorClient;
  modeFor(policy: { mode: Mode }): Mode;
  /** True when the invocation nears its timeout: start nothing new. */
  shouldStop(): boolean;
  /** Milliseconds left in the invocation (Lambda's getRemainingTimeInMillis); bounds the leases this run takes. */
  remainingMs?: () => number;
  /** The wall clock leases are measured on (tests set it); Date.now by default. */
  leaseClock?: () => number;
  filters?: { targets?: string[]; policies?: string[] };
  focus?: CloudEventFocus;
  log?: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
  progress?: (message: string) => void;
  /** An approved plan (CLI apply): enforce only actions whose action key it holds; the rest are skipped. */
  allowAction?: (actionKey: string) => boolean;
}

interface ActionBase {
  resourceId: string;
  resourceKind: ResourceKind;
  resourceName?: string;
  /** e.g. `delete-instance`, `create-snapshot`, `send-reminder`. */
  action: string;
  /** Human-readable: what the plan table shows. */
  reason: string;
  /** The idempotency slot: schedule slot, due time or expiry the action belongs to. */
  slot: string;
  /** `instance` actions count against the percent and count limits, `snapshot` ones against the count limit. */
  destructive: false | 'instance' | 'snapshot';
  before?: Record<string, unknown>;
  expected?: Record<string, unknown>;
  undoHint?: string;
  /**
   * Its outcome depends on no other action of the scope, so its call may go out beside the calls
   * of the scope's other such actions (E8). Without it, the action waits for every action planned
   * before it (snapshots prune before they create: at a quota, room is freed first).
   */
  sideBySide?: boolean;
}

/** A vendor mutation. Actions sharing `batchKey` are sent together, in one batch call per vendor limit. */
export interface VendorAction extends ActionBase {
  kind: 'vendor';
  batchKey: string;
  run(ids: string[]): Promise<BatchOutcome[]>;
  /** Reads the vendor: has the effect already happened? Reconciles an intent that has no result. */
  confirm?(): Promise<boolean>;
}

/** A notice (warning, reminder, alert): published to the bus once per action key. */
export interface NoticeAction extends ActionBase {
  kind: 'notice';
  event: { detailType: string; detail: Record<string, unknown> };
}

export type PlannedAction = VendorAction | NoticeAction;

export type RowStatus = 'planned' | 'applied' | 'failed' | 'skipped' | 'refused' | 'deferred' | 'exempt' | 'info' | 'error';

/** One line of the plan table. */
export interface PlanRow {
  function: FunctionName;
  policy: string;
  vendor: VendorName;
  target: string;
  region: string;
  resource: string;
  action: string;
  reason: string;
  status: RowStatus;
}

/** Something the plan shows that is not an action: exemptions, invalid tags, kept snapshots, unsupported. */
export interface PlanNote {
  resourceId: string;
  action: string;
  reason: string;
  status: Extract<RowStatus, 'exempt' | 'info' | 'error' | 'skipped'>;
}

export interface ScopePlan {
  actions: PlannedAction[];
  notes: PlanNote[];
  /** Size of the selection, for the percent blast-radius limit. */
  selected: number;
  /** A read failed in this scope: no destructive action runs in it. */
  readFailures: string[];
  /** Instances listed in the scope, where the plan came from an instance listing ("selector matched 0 of N"). */
  listed?: number;
}

export interface ScopeArgs<P> {
  deps: EngineDeps;
  policy: P;
  target: TargetConfig;
  client: VendorClient;
  capabilities: Capabilities;
  scope: Scope;
  mode: Mode;
}

export interface RunReport {
  function: FunctionName;
  runId: string;
  rows: PlanRow[];
  summary: Record<string, Partial<Record<RowStatus, number>>>;
  errors: string[];
  /** Present when the run stopped early near its timeout: the scopes left to do. */
  continuation?: { remaining: { policy: string; target: string; region: string }[] };
}
