import { groupBy } from '../engine/group';
import type { PlanNote, PlannedAction, ScopeArgs, ScopePlan, VendorAction } from '../engine/types';
import type { Quota, SnapshotPolicy, SnapshotSource } from '../../vendors/core';
import { createAction, deleteAction, quotaNotice, type ActionContext } from './actions';
import { decide } from './decide';
import { listingQuery, listSnapshotsBySource, selectOwners, type Selection, type SnapshotFacts } from './inventory';
import { planNative, nativeSpec } from './native';
import { pendingSnapshots, readinessNotices } from './readiness';
import { isOurs, nameMaxLength, ourNamePattern, prefixProblem, snapshotName } from './naming';
import type { SnapshotsPolicy } from './policy';
import { slotAt, type Slot } from './schedule';

const scopeNote = (action: string, reason: string, status: PlanNote['status']): PlanNote => ({ resourceId: '-', action, reason, status });

/** One policy's planning in a scope: what it decided so far, and what it still needs read. */
interface PolicyPlan {
  args: ScopeArgs<SnapshotsPolicy>;
  notes: PlanNote[];
  readFailures: string[];
  /** Set once the policy needs no reads: invalid, or nothing to take snapshots with. */
  final?: ScopePlan;
  slot?: Slot;
  native?: Exclude<ReturnType<typeof nativeSpec>, { error: string }>;
  selection?: Selection;
}

/**
 * Every policy of one target × region, on reads they share (engine DECISIONS.md E11; DECISIONS.md
 * 11): one instance listing per distinct query, each page through every policy's selection; the
 * snapshot sources of all selections in one read, their snapshots in one listing, the vendor's
 * auto-snapshot policies and the snapshot quota at most once. Then, policy by policy in config
 * order: engine `ours` (take this slot's snapshot of each source, prune by retention) or engine
 * `native` (vendor policy + membership; our own leftover snapshots are still pruned). Deletions are
 * planned before creations, and the quota's room is shared out in config order, so at a quota
 * limit the engine frees room first and no policy counts room an earlier one took.
 */
export async function planSnapshotPolicies(all: ScopeArgs<SnapshotsPolicy>[]): Promise<PromiseSettledResult<ScopePlan>[]> {
  const plans = all.map(prepare);
  const reading = plans.filter((p) => !p.final);
  if (!reading.length) return plans.map((p) => ({ status: 'fulfilled', value: p.final! }));
  const { client, scope, deps } = reading[0]!.args;

  // instances: one pass per distinct listing, every policy of it selecting from each page
  for (const riders of groupBy(reading, (p) => JSON.stringify(listingQuery(p.args.policy))).values()) {
    const { selections, failure } = await selectOwners(client, scope, riders.map((p) => p.args.policy), deps.now);
    for (const [i, p] of riders.entries()) {
      p.selection = selections[i]!;
      p.notes.push(...p.selection.notes);
      if (failure) p.readFailures.push(failure);
    }
  }

  // sources of every selection at once; each policy takes its own instances' (what was selected before a listing failure too)
  const owners = new Map(reading.flatMap((p) => p.selection!.owners.map((o) => [o.id, o] as const)));
  let sources: SnapshotSource[] = [];
  try {
    if (owners.size) sources = await client.listSnapshotSources(scope, [...owners.values()]);
  } catch (e) {
    for (const p of reading) if (p.selection!.owners.length) p.readFailures.push(`listing instances or their snapshot sources: ${(e as Error).message}`);
  }
  const sourcesOf = (p: PolicyPlan) => {
    const mine = new Set(p.selection!.owners.map((o) => o.id));
    return sources.filter((s) => mine.has(s.instanceId));
  };

  // their snapshots, one listing for all
  const listFailures: string[] = [];
  const snapshots = await listSnapshotsBySource(client, scope, [...new Set(sources.map((s) => s.id))], listFailures);
  const shared: SharedReads = { snapshotPolicies: once(() => client.listSnapshotPolicies(scope)), quota: once(() => client.getSnapshotQuota(scope)), pruned: new Set(), starting: new Map(), taken: 0, freed: 0 };

  const out: PromiseSettledResult<ScopePlan>[] = [];
  for (const p of plans) {
    if (p.final) {
      out.push({ status: 'fulfilled', value: p.final });
      continue;
    }
    try {
      const mine = sourcesOf(p);
      out.push({ status: 'fulfilled', value: await planPolicy(p, mine, mine.length ? snapshots : new Map(), listFailures, shared) });
    } catch (e) {
      out.push({ status: 'rejected', reason: e });
    }
  }
  return out;
}

/** What the policies of a scope read once and share out in config order. */
interface SharedReads {
  snapshotPolicies: () => Promise<SnapshotPolicy[]>;
  quota: () => Promise<Quota | undefined>;
  /** Snapshots an earlier policy plans to delete: no later one counts or deletes them. */
  pruned: Set<string>;
  /** Sources an earlier policy takes a snapshot of in this run, and which policy. */
  starting: Map<string, string>;
  /** Creations earlier policies plan, and deletions: the quota room they took and freed. */
  taken: number;
  freed: number;
}

const once = <T>(read: () => Promise<T>): (() => Promise<T>) => {
  let answer: Promise<T> | undefined;
  return () => (answer ??= read());
};

/** The checks a policy needs no read for: its name prefix and schedule, and which engine it runs. */
function prepare(args: ScopeArgs<SnapshotsPolicy>): PolicyPlan {
  const { policy, client, capabilities, deps } = args;
  const p: PolicyPlan = { args, notes: [], readFailures: [] };
  const stop = (note: PlanNote) => {
    p.notes.push(note);
    p.final = { actions: [], notes: p.notes, selected: 0, readFailures: p.readFailures };
    return p;
  };
  const badPrefix = prefixProblem(policy.namePrefix);
  if (badPrefix) return stop(scopeNote('none', `policy invalid: ${badPrefix}`, 'error'));
  try {
    p.slot = slotAt(policy.schedule, deps.now);
  } catch (e) {
    return stop(scopeNote('none', `policy invalid: ${(e as Error).message}`, 'error'));
  }
  if (policy.engine === 'native') {
    if (capabilities.snapshotPolicies !== 'native') {
      p.notes.push(scopeNote('engine', `engine native asked, but ${client.vendor} has no vendor auto-snapshot policies: using engine ours`, 'info'));
    } else {
      const spec = nativeSpec(policy, deps.now);
      if ('error' in spec) p.notes.push(scopeNote('engine', `engine native cannot express this policy (${spec.error}): using engine ours`, 'info'));
      else p.native = spec;
    }
  }
  if (!p.native && capabilities.snapshots === 'unsupported') return stop(scopeNote('none', `${client.vendor} does not support snapshots: skipped`, 'skipped'));
  return p;
}

/**
 * One policy's actions from the shared reads: its vendor policy (native), readiness, this slot's
 * snapshots, retention, quota. `all` is undefined when its sources' snapshots could not be listed.
 */
async function planPolicy(p: PolicyPlan, sources: SnapshotSource[], all: Map<string, SnapshotFacts[]> | undefined, listFailures: string[], shared: SharedReads): Promise<ScopePlan> {
  const { args, notes, readFailures } = p;
  const { deps, policy, client, scope, target } = args;
  const now = deps.now;
  const ctx: ActionContext = { client, scope, policy: policy.name, target: target.name, slot: p.slot! };
  const actions: PlannedAction[] = [];
  const selected = p.selection!.selected;
  const native = p.native;

  if (native) {
    for (const rule of native.ignored) notes.push(scopeNote('engine', `engine native: the vendor policy keeps ${native.spec.retentionDays} days; retention.${rule} is not applied`, 'info'));
    const planned = await planNative(ctx, policy, native.spec, sources, readFailures, shared.snapshotPolicies, deps.audit);
    actions.push(...planned.actions);
    notes.push(...planned.notes);
  }

  if (!all) {
    readFailures.push(...listFailures);
    if (!native) notes.push(scopeNote('create-snapshot', 'no snapshot taken: snapshots could not be listed, so one made by an earlier try could not be looked for', 'skipped'));
    return { actions, notes, selected, readFailures };
  }
  const snapshots = new Map(sources.map((s) => [s.id, (all.get(s.id) ?? []).filter((snap) => !shared.pruned.has(snap.id))]));

  // confirm what earlier runs took: ready is recorded, failed or stuck alerts (engine ours: our own snapshots)
  if (!native) actions.push(...readinessNotices(ctx, await pendingSnapshots(deps.audit, ctx, now), snapshots, policy.readyWithin, now));

  const deletions: VendorAction[] = [];
  const creations: VendorAction[] = [];
  const maxName = nameMaxLength(client.limits);
  for (const source of sources) {
    const history = snapshots.get(source.id) ?? [];
    const pattern = ourNamePattern(policy.namePrefix, policy.name, source.id);
    const ours = (s: SnapshotFacts) => policy.adoptForeign || isOurs(s, pattern);
    if (!native) {
      const creation = planCreation(ctx, source, history, ours, policy, maxName, shared.starting.get(source.id));
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
  for (const d of deletions) shared.pruned.add(d.resourceId);
  shared.freed += deletions.length;
  const fitting = await fitQuota(ctx, creations, notes, shared);
  for (const a of fitting) if (a.kind === 'vendor') shared.starting.set(a.resourceId, policy.name);
  shared.taken += fitting.filter((a) => a.kind === 'vendor').length;
  actions.push(...deletions, ...fitting);
  return { actions, notes, selected, readFailures };
}

/** This slot's snapshot of a source: planned, or a note saying why not (already there, off-slot). */
function planCreation(
  ctx: ActionContext,
  source: SnapshotSource,
  history: SnapshotFacts[],
  ours: (s: SnapshotFacts) => boolean,
  policy: SnapshotsPolicy,
  maxName: number,
  /** The earlier policy of the scope that takes a snapshot of this source in this run, if one does. */
  takenBy?: string,
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
  // one snapshot of a disk at a time (seed 001 L3517; Tencent answers MutexOperation.TaskRunning, 004 L4537): a
  // create now would fail and close this slot's action; left for the next run in the slot instead (DECISIONS.md 12)
  const creating = history.find((s) => s.state === 'creating');
  const busy = creating ? `${creating.id} (${creating.name}) is still being taken` : takenBy ? `policy ${takenBy} takes one in this run` : undefined;
  if (busy) return note(`busy: ${busy}; a source takes one snapshot at a time, so the next run in the slot takes this one`);
  return { action: createAction(ctx, source, name, `engine ours: ${slot.reason}: snapshot ${source.kind} of ${source.instanceId} as ${name}`) };
}

/**
 * Keeps creations within the vendor quota, read once for the scope: the room is the quota's after
 * the deletions planned so far in the scope (this policy's and earlier ones'), less what earlier
 * policies' creations take. The rest become one notice.
 */
async function fitQuota(ctx: ActionContext, creations: VendorAction[], notes: PlanNote[], shared: SharedReads): Promise<PlannedAction[]> {
  if (!creations.length) return creations;
  let quota;
  try {
    quota = await shared.quota();
  } catch (e) {
    notes.push(scopeNote('quota', `snapshot quota could not be read (${(e as Error).message}); creating without a check`, 'info'));
    return creations;
  }
  if (!quota) return creations;
  const used = quota.used + shared.taken;
  const pruning = shared.freed;
  const room = Math.max(0, quota.limit - used + pruning);
  if (room >= creations.length) return creations;
  const ordered = [...creations].sort((a, b) => (a.resourceId < b.resourceId ? -1 : 1));
  const left = ordered.slice(room);
  for (const a of left) notes.push({ resourceId: a.resourceId, action: a.action, reason: `not taken: snapshot quota ${used}/${quota.limit} is full even after pruning ${pruning}`, status: 'skipped' });
  const notice = quotaNotice(ctx, ctx.client.vendor, {
    used,
    limit: quota.limit,
    wanted: creations.length,
    pruning,
    shortBy: left.length,
    sourceIds: left.map((a) => a.resourceId),
  });
  return [...ordered.slice(0, room), notice];
}
