import { makeActionKey } from '../../audit/record';
import type { AuditStore } from '../../audit/store';
import { durationMs } from '../../config/fields';
import type { PlanNote, PlannedAction, VendorAction } from '../engine/types';
import type { SnapshotPolicy, SnapshotPolicySpec, SnapshotSource } from '../../vendors/core';
import type { ActionContext } from './actions';
import { SNAPSHOT_ACTIONS } from './events';
import { clientTokenFor } from './naming';
import type { SnapshotsPolicy } from './policy';
import { nativeSchedule } from './schedule';

const DAY_MS = 86_400_000;

/** The vendor policy this policy stands for, or why it cannot be expressed (then engine `ours` runs instead). */
export function nativeSpec(policy: SnapshotsPolicy, now: Date): { spec: SnapshotPolicySpec; ignored: string[] } | { error: string } {
  const schedule = nativeSchedule(policy.schedule, now);
  if ('error' in schedule) return schedule;
  const r = policy.retention;
  const retentionDays = r.maxAge ? Math.ceil(durationMs(r.maxAge) / DAY_MS) : r.keepDaily;
  if (!retentionDays) return { error: 'vendor auto-snapshot policies keep snapshots for a number of days: set retention.maxAge or retention.keepDaily' };
  const ignored: string[] = (['keepLast', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const).filter((k) => r[k] !== undefined);
  if (r.maxAge && r.keepDaily !== undefined) ignored.push('keepDaily');
  return { spec: { name: `${policy.namePrefix}${policy.name.replace(/[^A-Za-z0-9-]/g, '-')}`, hoursUtc: schedule.hoursUtc, weekdays: schedule.weekdays, retentionDays }, ignored };
}

const sameSpec = (a: SnapshotPolicySpec, b: SnapshotPolicySpec) =>
  a.retentionDays === b.retentionDays && a.hoursUtc.join() === [...b.hoursUtc].sort((x, y) => x - y).join() && a.weekdays.join() === [...b.weekdays].sort((x, y) => x - y).join();

function base(ctx: ActionContext, resourceId: string, action: string, reason: string, batchKey: string) {
  return { kind: 'vendor' as const, resourceId, resourceKind: 'snapshot-policy' as const, action, reason, slot: ctx.slot.start, destructive: false as const, batchKey };
}

/**
 * Engine native: the vendor's auto-snapshot policy takes and expires the snapshots; we keep the
 * policy's schedule and retention in line and reconcile which sources are bound to it. Unbinding
 * needs a complete selection: after a failed read nothing is unbound.
 */
export async function planNative(
  ctx: ActionContext,
  policy: SnapshotsPolicy,
  spec: SnapshotPolicySpec,
  sources: SnapshotSource[],
  failures: string[],
  /** The scope's vendor policies as they were before this run applied anything (read once for all its policies). */
  vendorPolicies: () => Promise<SnapshotPolicy[]>,
  audit?: AuditStore,
): Promise<{ actions: PlannedAction[]; notes: PlanNote[] }> {
  const actions: PlannedAction[] = [];
  const notes: PlanNote[] = [];
  let existing: SnapshotPolicy | undefined;
  try {
    existing = (await vendorPolicies()).find((p) => p.name === spec.name);
  } catch (e) {
    failures.push(`listing auto-snapshot policies: ${(e as Error).message}`);
    return { actions, notes };
  }
  const selectedIds = [...new Set(sources.map((s) => s.id))].sort();
  // the vendor's own retention unit where it is not days (CECSTACK expire: minutes), so the plan shows what is sent
  const unit = ctx.client.limits.policyRetention;
  const vendorRetention = unit ? ` (vendor expire ${spec.retentionDays * unit.perDay} ${unit.unit})` : '';
  const schedule = `hours ${spec.hoursUtc.join(',')} UTC${spec.weekdays.length ? ` on ISO weekdays ${spec.weekdays.join(',')}` : ' daily'}, kept ${spec.retentionDays} days${vendorRetention}`;

  if (!existing) {
    const key = makeActionKey({ function: 'snapshots', policy: policy.name, target: ctx.target, region: ctx.scope.region, resourceId: spec.name, action: SNAPSHOT_ACTIONS.policyCreated, slot: ctx.slot.start });
    actions.push({
      ...base(ctx, spec.name, SNAPSHOT_ACTIONS.policyCreated, `engine native: create vendor policy ${spec.name} (${schedule}) and bind ${selectedIds.length} source(s)`, `policy:${spec.name}`),
      expected: { ...spec },
      undoHint: `delete the vendor auto-snapshot policy ${spec.name}`,
      run: async (ids) => {
        const made = await ctx.client.createSnapshotPolicy(ctx.scope, spec, clientTokenFor(key));
        return ids.map((id) => ({ id, ok: true, requestId: made.requestId }));
      },
      confirm: async () => (await ctx.client.listSnapshotPolicies(ctx.scope)).some((p) => p.name === spec.name),
    });
    // Bound as their own actions (run after the creation, which the engine applies first): the same
    // action keys as a later run's, so a retry binds nothing twice even where the vendor does not
    // report bindings (Alibaba, sim/alibaba DECISIONS A6).
    const createdId = async () => {
      const made = (await ctx.client.listSnapshotPolicies(ctx.scope)).find((p) => p.name === spec.name);
      if (!made) throw new Error(`vendor policy ${spec.name} is not there: its creation failed, so nothing is bound`);
      return made.id;
    };
    for (const id of selectedIds) {
      notes.push({ resourceId: id, action: 'engine', reason: `engine native: to be bound to vendor policy ${spec.name}`, status: 'info' });
      actions.push(bindAction(ctx, spec.name, id, createdId));
    }
    return { actions, notes };
  }

  const policyId = existing.id;
  if (!sameSpec(spec, existing)) {
    actions.push({
      ...base(ctx, policyId, SNAPSHOT_ACTIONS.policyUpdated, `engine native: vendor policy ${spec.name} differs (hours ${existing.hoursUtc.join(',')}, weekdays ${existing.weekdays.join(',') || 'all'}, ${existing.retentionDays} days); set ${schedule}`, `policy:${policyId}`),
      before: { hoursUtc: existing.hoursUtc, weekdays: existing.weekdays, retentionDays: existing.retentionDays },
      expected: { ...spec },
      undoHint: `set vendor policy ${policyId} back to hours ${existing.hoursUtc.join(',')}, weekdays ${existing.weekdays.join(',') || 'all'}, ${existing.retentionDays} days`,
      run: async (ids) => {
        const out = await ctx.client.updateSnapshotPolicy(ctx.scope, policyId, spec);
        return ids.map((id) => ({ ...out, id }));
      },
      confirm: async () => (await ctx.client.listSnapshotPolicies(ctx.scope)).some((p) => p.id === policyId && sameSpec(spec, p)),
    });
  }
  const bound = new Set(existing.boundSourceIds);
  const isBound = (id: string) => isBoundTo(ctx, policyId, id);
  for (const id of selectedIds) {
    if (bound.has(id)) {
      notes.push({ resourceId: id, action: 'engine', reason: `engine native: bound to vendor policy ${spec.name}`, status: 'info' });
      continue;
    }
    actions.push(bindAction(ctx, spec.name, id, async () => policyId, policyId));
  }
  // A vendor that does not report bindings (Alibaba): what this policy bound and has not unbound, per the trail
  const trailBound = existing.bindingsKnown === false && audit ? await boundPerTrail(audit, ctx, spec.name) : new Set<string>();
  const stale = [...new Set([...bound, ...trailBound])].filter((id) => !selectedIds.includes(id)).sort();
  if (stale.length && failures.length) {
    for (const id of stale) notes.push({ resourceId: id, action: SNAPSHOT_ACTIONS.unbound, reason: 'not unbound: a read failed in this scope, so the selection may be incomplete', status: 'skipped' });
  } else {
    for (const id of stale) {
      const why = bound.has(id) ? '' : ' (bound by this policy per the audit trail; the vendor does not report bindings)';
      actions.push({
        ...base(ctx, id, SNAPSHOT_ACTIONS.unbound, `engine native: no longer selected; unbind from vendor policy ${spec.name}${why}`, `unbind:${policyId}`),
        expected: { vendorPolicyName: spec.name, vendorPolicyId: policyId },
        undoHint: `bind ${id} to vendor policy ${policyId} again`,
        run: (ids) => ctx.client.unbindSnapshotPolicy(ctx.scope, policyId, ids),
        // unreadable bindings cannot confirm: an interrupted unbind is sent again (cancelling twice is harmless)
        ...(!existing.bindingsKnown === false && { confirm: async () => !(await isBound(id)) }),
      });
    }
  }
  return { actions, notes };
}

async function isBoundTo(ctx: ActionContext, policyId: string, sourceId: string): Promise<boolean> {
  return (await ctx.client.listSnapshotPolicies(ctx.scope)).some((p) => p.id === policyId && p.boundSourceIds.includes(sourceId));
}

/**
 * The sources this policy bound to vendor policy `name` in this scope and has not unbound since:
 * the last successful bind or unbind per source wins (records are oldest first).
 */
async function boundPerTrail(audit: AuditStore, ctx: ActionContext, name: string): Promise<Set<string>> {
  // one query, in the store's order (oldest first), so a bind and an unbind in the same millisecond keep their order
  const mine = (await audit.query({ function: 'snapshots', phase: 'result', policy: ctx.policy, target: ctx.target, region: ctx.scope.region })).filter(
    (r) =>
      (r.action === SNAPSHOT_ACTIONS.bound || r.action === SNAPSHOT_ACTIONS.unbound) &&
      r.policy === ctx.policy &&
      r.target === ctx.target &&
      r.region === ctx.scope.region &&
      (r.outcome === 'success' || r.outcome === 'reconciled') &&
      (r.expected?.vendorPolicyName ?? name) === name,
  );
  const bound = new Set<string>();
  for (const r of mine) {
    if (r.action === SNAPSHOT_ACTIONS.bound) bound.add(r.resourceId);
    else bound.delete(r.resourceId);
  }
  return bound;
}

/** Binds one source to the vendor policy named `name`; all binds of a scope go out as one batch. */
function bindAction(ctx: ActionContext, name: string, sourceId: string, policyId: () => Promise<string>, knownId?: string): VendorAction {
  return {
    ...base(ctx, sourceId, SNAPSHOT_ACTIONS.bound, `engine native: bind to vendor policy ${name}`, `bind:${name}`),
    expected: { vendorPolicyName: name, ...(knownId && { vendorPolicyId: knownId }) },
    undoHint: `unbind ${sourceId} from vendor policy ${name}`,
    run: async (ids) => ctx.client.bindSnapshotPolicy(ctx.scope, await policyId(), ids),
    confirm: async () => isBoundTo(ctx, await policyId(), sourceId),
  };
}
