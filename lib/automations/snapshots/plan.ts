import type { PlanNote, PlannedAction, ScopeArgs, ScopePlan, VendorAction } from '../engine/types';
import type { SnapshotSource } from '../../vendors/core';
import { createAction, deleteAction, quotaNotice, type ActionContext } from './actions';
import { decide } from './decide';
import { listSnapshotsBySource, listSources, type SnapshotFacts } from './inventory';
import { planNative, nativeSpec } from './native';
import { pendingSnapshots, readinessNotices } from './readiness';
import { isOurs, nameMaxLength, ourNamePattern, prefixProblem, snapshotName } from './naming';
import type { SnapshotsPolicy } from './policy';
import { slotAt, type Slot } from './schedule';

const scopeNote = (action: string, reason: string, status: PlanNote['status']): PlanNote => ({ resourceId: '-', action, reason, status });

/**
 * One target × region: list and select, then either engine `ours` (take this slot's snapshot of
 * each source, prune by retention) or engine `native` (vendor policy + membership; our own
 * leftover snapshots are still pruned). Deletions are planned before creations, so at a quota
 * limit the engine frees room first.
 */
export async function planSnapshots(args: ScopeArgs<SnapshotsPolicy>): Promise<ScopePlan> {
  const { deps, policy, client, capabilities, scope, target } = args;
  const now = deps.now;
  const readFailures: string[] = [];
  const notes: PlanNote[] = [];
  const empty = (): ScopePlan => ({ actions: [], notes, selected: 0, readFailures });

  const badPrefix = prefixProblem(policy.namePrefix);
  if (badPrefix) return (notes.push(scopeNote('none', `policy invalid: ${badPrefix}`, 'error')), empty());
  let slot: Slot;
  try {
    slot = slotAt(policy.schedule, now);
  } catch (e) {
    return (notes.push(scopeNote('none', `policy invalid: ${(e as Error).message}`, 'error')), empty());
  }

  let native = false;
  let nativePlan: ReturnType<typeof nativeSpec> | undefined;
  if (policy.engine === 'native') {
    if (capabilities.snapshotPolicies !== 'native') {
      notes.push(scopeNote('engine', `engine native asked, but ${client.vendor} has no vendor auto-snapshot policies: using engine ours`, 'info'));
    } else {
      nativePlan = nativeSpec(policy, now);
      if ('error' in nativePlan) notes.push(scopeNote('engine', `engine native cannot express this policy (${nativePlan.error}): using engine ours`, 'info'));
      else native = true;
    }
  }
  if (!native && capabilities.snapshots === 'unsupported') {
    return (notes.push(scopeNote('none', `${client.vendor} does not support snapshots: skipped`, 'skipped')), empty());
  }

  const inventory = await listSources(client, scope, policy, now, readFailures);
  notes.push(...inventory.notes);
  const ctx: ActionContext = { client, scope, policy: policy.name, target: target.name, slot };
  const actions: PlannedAction[] = [];

  if (native && nativePlan && !('error' in nativePlan)) {
    for (const rule of nativePlan.ignored) notes.push(scopeNote('engine', `engine native: the vendor policy keeps ${nativePlan.spec.retentionDays} days; retention.${rule} is not applied`, 'info'));
    const planned = await planNative(ctx, policy, nativePlan.spec, inventory.sources, readFailures, deps.audit);
    actions.push(...planned.actions);
    notes.push(...planned.notes);
  }

  const snapshots = await listSnapshotsBySource(client, scope, inventory.sources.map((s) => s.id), readFailures);
  if (!snapshots) {
    if (!native) notes.push(scopeNote('create-snapshot', 'no snapshot taken: snapshots could not be listed, so one made by an earlier try could not be looked for', 'skipped'));
    return { actions, notes, selected: inventory.selected, readFailures };
  }

  // confirm what earlier runs took: ready is recorded, failed or stuck alerts (engine ours: our own snapshots)
  if (!native) actions.push(...readinessNotices(ctx, await pendingSnapshots(deps.audit, ctx, now), snapshots, policy.readyWithin, now));

  const deletions: VendorAction[] = [];
  const creations: VendorAction[] = [];
  const maxName = nameMaxLength(client.limits);
  for (const source of inventory.sources) {
    const history = snapshots.get(source.id) ?? [];
    const pattern = ourNamePattern(policy.namePrefix, policy.name, source.id);
    const ours = (s: SnapshotFacts) => policy.adoptForeign || isOurs(s, pattern);
    if (!native) {
      const creation = planCreation(ctx, source, history, ours, policy, maxName);
      if ('action' in creation) creations.push(creation.action);
      else notes.push(creation.note);
    }
    const byId = new Map(history.map((s) => [s.id, s]));
    for (const verdict of decide(history.map((s) => ({ ...s, ours: ours(s) })), policy.retention, now, policy.schedule.timezone)) {
      const snap = byId.get(verdict.id)!;
      if (verdict.verdict === 'delete') deletions.push(deleteAction(ctx, snap, `${source.id}: ${verdict.reason}`));
      else if (verdict.verdict === 'keep') notes.push({ resourceId: `${snap.id} (${snap.name})`, action: 'keep-snapshot', reason: `${source.id}: ${verdict.reason}`, status: 'info' });
    }
  }

  actions.push(...deletions, ...(await fitQuota(ctx, creations, deletions.length, notes)));
  return { actions, notes, selected: inventory.selected, readFailures };
}

/** This slot's snapshot of a source: planned, or a note saying why not (already there, off-slot). */
function planCreation(
  ctx: ActionContext,
  source: SnapshotSource,
  history: SnapshotFacts[],
  ours: (s: SnapshotFacts) => boolean,
  policy: SnapshotsPolicy,
  maxName: number,
): { action: VendorAction } | { note: PlanNote } {
  const { slot } = ctx;
  const note = (reason: string, status: PlanNote['status'] = 'skipped') => ({ note: { resourceId: source.id, action: 'create-snapshot', reason, status } });
  if (!slot.acting) return note(`engine ours: ${slot.reason}`, 'info');
  let name: string;
  try {
    name = snapshotName(policy.namePrefix, policy.name, source.id, slot.stamp, maxName);
  } catch (e) {
    return note(`policy invalid: ${(e as Error).message}`, 'error');
  }
  // By name first; then any of ours taken in this slot (covers a name form changed by a new limit).
  const inSlot = (s: SnapshotFacts) => ours(s) && s.createdAt >= slot.start && s.createdAt < slot.end;
  const existing = history.find((s) => s.name === name) ?? history.find(inSlot);
  if (existing) {
    const still = existing.state === 'creating' ? '; still creating, not counted until ready' : existing.state === 'failed' ? '; it failed at the vendor (next slot tries again)' : '';
    return note(`exists: ${existing.id} (${existing.name}) is this slot's snapshot, state ${existing.state}${still}`);
  }
  return { action: createAction(ctx, source, name, `engine ours: ${slot.reason}: snapshot ${source.kind} of ${source.instanceId} as ${name}`) };
}

/** Keeps creations within the vendor quota (after this plan's deletions); the rest become one notice. */
async function fitQuota(ctx: ActionContext, creations: VendorAction[], pruning: number, notes: PlanNote[]): Promise<PlannedAction[]> {
  if (!creations.length) return creations;
  let quota;
  try {
    quota = await ctx.client.getSnapshotQuota(ctx.scope);
  } catch (e) {
    notes.push(scopeNote('quota', `snapshot quota could not be read (${(e as Error).message}); creating without a check`, 'info'));
    return creations;
  }
  if (!quota) return creations;
  const room = Math.max(0, quota.limit - quota.used + pruning);
  if (room >= creations.length) return creations;
  const ordered = [...creations].sort((a, b) => (a.resourceId < b.resourceId ? -1 : 1));
  const left = ordered.slice(room);
  for (const a of left) notes.push({ resourceId: a.resourceId, action: a.action, reason: `not taken: snapshot quota ${quota.used}/${quota.limit} is full even after pruning ${pruning}`, status: 'skipped' });
  const notice = quotaNotice(ctx, ctx.client.vendor, {
    used: quota.used,
    limit: quota.limit,
    wanted: creations.length,
    pruning,
    shortBy: left.length,
    sourceIds: left.map((a) => a.resourceId),
  });
  return [...ordered.slice(0, room), notice];
}
