import { z } from 'zod';
import { ACTION_EVENT } from '../engine/execute';

/**
 * What the snapshots function puts on the bus (source `cloud-automation`).
 *
 * Actions come through the engine's `Automation Action` detail-type, told apart by `action`:
 *   create-snapshot          "Snapshot Created"      (not destructive)
 *   delete-snapshot          "Snapshot Pruned"       (destructive: 'snapshot')
 *   create-snapshot-policy   vendor auto-snapshot policy created and bound (engine: native)
 *   update-snapshot-policy   its schedule or retention changed
 *   bind-snapshot-policy / unbind-snapshot-policy   membership reconciled
 * Notices are their own detail-types (below), published once per action key.
 */
export const SNAPSHOT_ACTIONS = {
  created: 'create-snapshot',
  pruned: 'delete-snapshot',
  policyCreated: 'create-snapshot-policy',
  policyUpdated: 'update-snapshot-policy',
  bound: 'bind-snapshot-policy',
  unbound: 'unbind-snapshot-policy',
} as const;

export const SNAPSHOT_ACTION_EVENT = ACTION_EVENT;

/** The `detail` of an `Automation Action` event carrying a snapshot action (the engine's shape). */
export const snapshotActionDetailSchema = z.object({
  function: z.literal('snapshots'),
  policy: z.string(),
  vendor: z.string(),
  target: z.string(),
  region: z.string(),
  resourceId: z.string(),
  action: z.enum(Object.values(SNAPSHOT_ACTIONS) as [string, ...string[]]),
  outcome: z.string(),
  reason: z.string(),
  actionKey: z.string(),
  runId: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  undoHint: z.string().optional(),
});

/** Notice: the vendor's snapshot quota leaves no room for this slot's snapshots even after pruning. */
export const QUOTA_EXHAUSTED_EVENT = 'Snapshot Quota Exhausted';

export const quotaExhaustedDetailSchema = z.object({
  policy: z.string(),
  vendor: z.string(),
  target: z.string(),
  region: z.string(),
  /** Slot start, UTC ISO. */
  slot: z.string(),
  used: z.number().int(),
  limit: z.number().int(),
  /** Snapshots this slot wanted, deletions planned before them, and how many cannot be taken. */
  wanted: z.number().int(),
  pruning: z.number().int(),
  shortBy: z.number().int().positive(),
  /** Sources left without a snapshot this slot. */
  sourceIds: z.array(z.string()),
  /** Filled in by the engine when it publishes. */
  actionKey: z.string().optional(),
  runId: z.string().optional(),
});
export type QuotaExhaustedDetail = z.infer<typeof quotaExhaustedDetailSchema>;

/**
 * Readiness of the snapshots this policy took, confirmed by each later run, once per snapshot:
 * `Snapshot Ready` (recorded), `Snapshot Failed` and `Snapshot Stuck` (still creating past `readyWithin`) alert.
 */
export const SNAPSHOT_READY = 'Snapshot Ready';
export const SNAPSHOT_FAILED = 'Snapshot Failed';
export const SNAPSHOT_STUCK = 'Snapshot Stuck';
export const READINESS_ACTIONS = { ready: 'confirm-snapshot-ready', failed: 'alert-snapshot-failed', stuck: 'alert-snapshot-stuck' } as const;

export const snapshotReadinessDetailSchema = z.strictObject({
  policy: z.string(),
  vendor: z.string(),
  target: z.string(),
  region: z.string(),
  snapshotId: z.string(),
  name: z.string(),
  sourceId: z.string(),
  state: z.enum(['ready', 'failed', 'creating']),
  /** When the vendor says it was taken, and when this run saw the state. */
  createdAt: z.string(),
  seenAt: z.string(),
  message: z.string(),
  actionKey: z.string().optional(),
  runId: z.string().optional(),
});
export type SnapshotReadinessDetail = z.infer<typeof snapshotReadinessDetailSchema>;

export const SNAPSHOT_EVENT_SCHEMAS = {
  [SNAPSHOT_ACTION_EVENT]: snapshotActionDetailSchema,
  [QUOTA_EXHAUSTED_EVENT]: quotaExhaustedDetailSchema,
  [SNAPSHOT_READY]: snapshotReadinessDetailSchema,
  [SNAPSHOT_FAILED]: snapshotReadinessDetailSchema,
  [SNAPSHOT_STUCK]: snapshotReadinessDetailSchema,
} as const;
