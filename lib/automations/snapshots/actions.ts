import { UNDO } from '../undo';
import { makeActionKey } from '../../audit/record';
import type { NoticeAction, VendorAction } from '../engine/types';
import type { BatchOutcome, Scope, SnapshotSource, VendorClient } from '../../vendors/core';
import { QUOTA_EXHAUSTED_EVENT, SNAPSHOT_ACTIONS, type QuotaExhaustedDetail } from './events';
import { findByName, isGone, type SnapshotFacts } from './inventory';
import { clientTokenFor } from './naming';
import { MANAGED_TAG } from './policy';
import type { Slot } from './schedule';

export interface ActionContext {
  client: VendorClient;
  scope: Scope;
  policy: string;
  target: string;
  slot: Slot;
}

function failure(id: string, e: unknown): BatchOutcome {
  const err = e as { code?: string; name?: string; message?: string; retryable?: boolean; requestId?: string };
  return { id, ok: false, requestId: err.requestId, error: { code: err.code ?? err.name ?? 'Error', message: err.message ?? String(e), retryable: err.retryable ?? false } };
}

/** Our mark, where the vendor has tags. */
export function ourTags(ctx: ActionContext): Record<string, string> | undefined {
  return ctx.client.capabilities.tags === 'native' ? { [MANAGED_TAG]: 'true' } : undefined;
}

/**
 * (The description fits KEC's 2–40 characters of [\w-@#. ], seed 000 L4759.)
 * Takes this slot's snapshot of one source. The client token derives from the action key, so a
 * vendor that honours tokens answers a repeat with the first snapshot; where a call fails (or
 * timed out after succeeding), the name is looked up before reporting a failure.
 */
export function createAction(ctx: ActionContext, source: SnapshotSource, name: string, reason: string): VendorAction {
  const key = makeActionKey({ function: 'snapshots', policy: ctx.policy, target: ctx.target, region: ctx.scope.region, resourceId: source.id, action: SNAPSHOT_ACTIONS.created, slot: ctx.slot.start });
  const tags = ourTags(ctx);
  return {
    kind: 'vendor',
    resourceId: source.id,
    resourceKind: 'snapshot',
    resourceName: name,
    action: SNAPSHOT_ACTIONS.created,
    reason,
    slot: ctx.slot.start,
    destructive: false,
    // a source's snapshot waits for no other source's; the prunes before it (ordered) still go first (DECISIONS.md 13)
    sideBySide: true,
    batchKey: `${SNAPSHOT_ACTIONS.created}:${source.id}`,
    expected: { name, sourceId: source.id, sourceKind: source.kind, instanceId: source.instanceId, tags },
    undoHint: `delete the snapshot named ${name}`,
    async run(ids) {
      try {
        const out = await ctx.client.createSnapshot(ctx.scope, source, { name, clientToken: clientTokenFor(key), tags, description: `cloud-automation ${ctx.policy}`.slice(0, 40) });
        return ids.map((id) => ({ id, ok: true, requestId: out.requestId }));
      } catch (e) {
        const made = await findByName(ctx.client, ctx.scope, name, source.id).catch(() => undefined);
        return ids.map((id) => (made ? { id, ok: true } : failure(id, e)));
      }
    },
    confirm: async () => (await findByName(ctx.client, ctx.scope, name, source.id)) !== undefined,
  };
}

/** Prunes one of our snapshots; all prunes of a scope go out in one batch (the client splits it to the vendor limit). */
export function deleteAction(ctx: ActionContext, snapshot: SnapshotFacts, reason: string): VendorAction {
  return {
    kind: 'vendor',
    resourceId: snapshot.id,
    resourceKind: 'snapshot',
    resourceName: snapshot.name,
    action: SNAPSHOT_ACTIONS.pruned,
    reason,
    slot: ctx.slot.start,
    destructive: 'snapshot',
    batchKey: SNAPSHOT_ACTIONS.pruned,
    before: { name: snapshot.name, sourceId: snapshot.sourceId, createdAt: snapshot.createdAt, state: snapshot.state },
    expected: { state: 'deleted' },
    undoHint: 'none: a deleted snapshot cannot be restored unless the vendor keeps it in a recycle bin',
    run: (ids) => ctx.client.deleteSnapshots(ctx.scope, ids),
    confirm: () => isGone(ctx.client, ctx.scope, snapshot.id, snapshot.sourceId),
  };
}

/** The quota leaves no room for some of this slot's snapshots. */
export function quotaNotice(ctx: ActionContext, vendor: string, detail: Omit<QuotaExhaustedDetail, 'policy' | 'vendor' | 'target' | 'region' | 'slot'>): NoticeAction {
  return {
    kind: 'notice',
    undoHint: UNDO.notice,
    resourceId: `snapshot-quota:${ctx.scope.region}`,
    resourceKind: 'other',
    action: 'snapshot-quota-exhausted',
    reason: `snapshot quota ${detail.used}/${detail.limit}: ${detail.shortBy} of ${detail.wanted} snapshots cannot be taken this slot even after pruning ${detail.pruning}; raise the quota or tighten retention`,
    slot: ctx.slot.start,
    destructive: false,
    event: {
      detailType: QUOTA_EXHAUSTED_EVENT,
      detail: { policy: ctx.policy, vendor, target: ctx.target, region: ctx.scope.region, slot: ctx.slot.start, ...detail },
    },
  };
}
