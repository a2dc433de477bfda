import type { AuditRecord } from '../../audit/record';
import type { AutomationConfig } from '../../config/schema';
import type { Instance, ListInstancesOptions, VendorClient } from '../../vendors/core';
import { parseDuration } from '../../vendors/core';
import {
  exemptionFor,
  matchesSelector,
  type PlannedAction,
  type PlanNote,
  type ScopeArgs,
  type ScopePlan,
} from '../engine';
import type { AutomationSpec, PolicyPass } from '../engine/run';
import { UNDO } from '../undo';
import { softDeleteRun, softDeleteSettingsFor, type SoftDeleteSettings } from '../soft-delete';
import { applySnooze, decideAutoDelete, sameTimerMinute, snoozeFor, wantedDeletion } from './decide';
import { warningDigest, type WarningEntry } from '../digest';
import { AUTO_DELETE_DIGEST, AUTO_DELETE_WARNING, type AutoDeleteWarningDetail } from './events';
import { bookkeepingRecord, carryForward, readTrail, TRAIL_CARRIED, TRAIL_WINDOW_DAYS } from '../trail-window';

export type AutoDeletePolicy = NonNullable<AutomationConfig['policies']['autoDelete']>[number];

/** A TTL applies to the policy's selection; an empty selector with a TTL would expire everything, so it needs one. */
function ttlApplies(policy: AutoDeletePolicy): boolean {
  const s = policy.selector;
  return (
    Boolean(policy.source.ttl) &&
    Boolean(s.names?.length || s.ids?.length || s.projects?.length || Object.keys(s.tags ?? {}).length)
  );
}

/** Each policy pass's listing hints, from begin() (which reads our timers) to the engine's query(). */
const passState = new WeakMap<ScopeArgs<AutoDeletePolicy>, { hints: ListInstancesOptions }>();

export const autoDeleteSpec: AutomationSpec<AutoDeletePolicy> = {
  function: 'auto-delete',
  requires: (c) => (c.autoDelete === 'unsupported' ? 'auto-delete' : undefined),
  // every auto-delete policy of a target × region decides on one pass over its listing (policies whose
  // vendor-side hints differ, as on Alibaba where tags are read per candidate, get a pass each)
  instances: {
    query: (args) => passState.get(args)!.hints,
    detail: async (args, instances) => (args.client.readAutoDeleteTimers ? args.client.readAutoDeleteTimers(args.scope, instances) : instances),
    async begin(args: ScopeArgs<AutoDeletePolicy>): Promise<PolicyPass> {
      const { deps, policy, client, target } = args;
      const plan: ScopePlan = { actions: [], notes: [], selected: 0, readFailures: [] };
      const warnBeforeMs = policy.warnBefore ? parseDuration(policy.warnBefore) : undefined;
      const ours = await timersSetByUs(args);
      const softDelete = softDeleteSettingsFor(deps.config, target.name);
      const hints: ListInstancesOptions = { ids: deps.focus ? [deps.focus.instanceId] : undefined, ...listingHints(policy, client, ours) };
      passState.set(args, { hints });
      const digest: WarningEntry[] = [];
      // already in our soft-delete bin: the recycle-bin function's business
      const selected = (instance: Instance) => matchesSelector(instance, policy.selector) && !instance.tags[softDelete.tag];
      return {
        // a vendor timer matters where this policy wants a time or set the timer: elsewhere it is left
        // alone whatever it holds, so it is not read (one timer read per 100 such instances, not per page)
        needsDetail: client.readAutoDeleteTimers
          ? (instance) => selected(instance) && (ours.has(instance.id) || wantedDeletion(instance, policy.source, ttlApplies(policy)).at !== undefined)
          : undefined,
        take(instance) {
          if (!selected(instance)) return;
          plan.selected++;
          // ours only while the vendor still holds the value we set: a timer changed by someone else is never cleared
          const timerIsOurs = sameTimerMinute(ours.get(instance.id), instance.autoDeleteAt);
          planInstance(plan, { policy, client, instance, now: deps.now, warnBeforeMs, timerIsOurs, softDelete, digest });
        },
        finish(readFailure) {
          // only candidates were listed: the selection is what the vendor counted (the blast-radius guard's base)
          const matched = hints.candidates?.counted?.matched;
          if (matched !== undefined) {
            plan.selected = Math.max(plan.selected, matched);
            plan.listed = matched;
          }
          // a whole scope's view only: an event's single instance or a failed listing would use up the day's digest
          const notice = !deps.focus && !readFailure ? warningDigest(args, AUTO_DELETE_DIGEST, digest) : undefined;
          if (notice) plan.actions.push(notice);
          return plan;
        },
      };
    },
  },
};

/**
 * Which instances this policy can act on, for the listing. With only a tag source over the whole
 * scope (no list, no TTL), a vendor that filters by tag key lists just that tag's carriers and the
 * instances whose timer the policy set (to clear it), and counts the scope for the blast-radius
 * guard (engine E6). Where tags cost a request per instance (Alibaba), the selector's names, tag keys
 * and charge types go too, so tags are read only for what passes them. Elsewhere no hints: the
 * listing stays shared.
 */
function listingHints(policy: AutoDeletePolicy, client: VendorClient, ours: Map<string, string>): ListInstancesOptions {
  const s = policy.selector;
  const tagKeys = Object.keys(s.tags ?? {});
  // candidates only when the selection is the whole scope, so the vendor's count of it is exact
  const whole = !s.names?.length && !s.ids?.length && !s.projects?.length && !s.chargeTypes?.length && !tagKeys.length;
  const onlyTagged = whole && policy.source.tag !== undefined && !policy.source.list?.length && !ttlApplies(policy) && client.limits.listsTagCarriers;
  const candidates: ListInstancesOptions = onlyTagged ? { candidates: { tagKeys: [policy.source.tag!], ...(ours.size && { ids: [...ours.keys()].sort() }), counted: {} } } : {};
  if (!client.limits.tagsReadPerInstance) return candidates;
  return {
    ...(s.names?.length && { names: s.names }),
    ...(s.chargeTypes?.length && { chargeTypes: s.chargeTypes }),
    ...(tagKeys.length && { tagKeys }),
    ...candidates,
  };
}

interface InstanceArgs {
  policy: AutoDeletePolicy;
  client: VendorClient;
  instance: Instance;
  now: Date;
  warnBeforeMs?: number;
  timerIsOurs: boolean;
  softDelete: SoftDeleteSettings;
  /** Warnings of this scope, for the per-owner digest. */
  digest: WarningEntry[];
}

function planInstance(plan: ScopePlan, a: InstanceArgs): void {
  const { instance, policy, client } = a;
  const exemption = exemptionFor(instance, policy.exemptions, a.now);
  const note = (n: Omit<PlanNote, 'resourceId'>) => plan.notes.push({ resourceId: label(instance), ...n });
  if (exemption.exempt) {
    note({ action: 'none', status: 'exempt', reason: exemption.reason! });
    return;
  }
  const snoozed = applySnooze(wantedDeletion(instance, policy.source, ttlApplies(policy)), snoozeFor(instance, policy.snooze));
  const wanted = snoozed.wanted;
  if (snoozed.note) note({ action: 'snooze', status: 'info', reason: snoozed.note });
  // one action per instance and policy, none reading another's outcome: calls go out side by side (engine E8)
  const base = { resourceId: instance.id, resourceName: instance.name, resourceKind: 'instance' as const, sideBySide: true };
  // mutations name instances by id: the project only narrows listings, so batches span projects
  // (one TerminateInstances of up to 100 ids, not one per project)
  const mutationScope = { region: instance.region };
  const batch = (key: string) => key;
  const before = {
    state: instance.rawState,
    autoDeleteAt: instance.autoDeleteAt,
    chargeType: instance.chargeType,
    // kept for the recycle-bin digest: most vendor bins do not report tags
    owner: instance.tags[policy.ownerTag],
  };
  for (const d of decideAutoDelete({
    instance,
    wanted,
    now: a.now,
    capabilities: client.capabilities,
    limits: client.limits,
    warnBeforeMs: a.warnBeforeMs,
    timerIsOurs: a.timerIsOurs,
  })) {
    switch (d.action) {
      case 'none':
        break;
      case 'invalid':
        note({ action: 'none', status: 'error', reason: d.reason });
        break;
      case 'protected':
        note({ action: 'protected', status: 'skipped', reason: d.reason });
        break;
      case 'busy':
        note({ action: 'busy', status: 'skipped', reason: d.reason });
        break;
      case 'warn': {
        const detail: AutoDeleteWarningDetail = {
          vendor: instance.vendor,
          target: instance.target,
          region: instance.region,
          instanceId: instance.id,
          instanceName: instance.name,
          dueAt: d.at,
          source: wanted.from!,
          engine: client.capabilities.autoDelete === 'native' ? 'native' : 'emulated',
          ...(snoozed.snoozedFrom && { snoozedFrom: snoozed.snoozedFrom }),
        };
        a.digest.push({ owner: instance.tags[policy.ownerTag] ?? null, resourceId: instance.id, name: instance.name, dueAt: d.at, reason: d.reason });
        plan.actions.push({
          ...base,
          kind: 'notice',
          action: 'warn-auto-delete',
          undoHint: UNDO.notice,
          slot: d.at,
          destructive: false,
          reason: `warning: ${d.reason}`,
          event: { detailType: AUTO_DELETE_WARNING, detail: { ...detail } },
        });
        break;
      }
      case 'set-timer':
        plan.actions.push({
          ...base,
          kind: 'vendor',
          action: 'set-auto-delete-time',
          // the slot names the timer it replaces, so drift back to a value we set once is corrected again
          slot: `${d.at}|was:${instance.autoDeleteAt ?? 'none'}`,
          destructive: false,
          reason: d.reason,
          before,
          expected: { autoDeleteAt: d.at },
          undoHint: instance.autoDeleteAt
            ? `set the auto-delete time back to ${instance.autoDeleteAt}`
            : 'clear the instance auto-delete time',
          batchKey: batch(`set-timer:${d.at}`),
          run: (ids) => client.setAutoDeleteTime(mutationScope, ids, d.at),
          confirm: async () => sameTimerMinute((await find(client, instance))?.autoDeleteAt, d.at),
        });
        break;
      case 'clear-timer':
        plan.actions.push({
          ...base,
          kind: 'vendor',
          action: 'clear-auto-delete-time',
          slot: instance.autoDeleteAt ?? 'none',
          destructive: false,
          reason: d.reason,
          before,
          undoHint: `set the auto-delete time back to ${instance.autoDeleteAt}`,
          batchKey: batch('clear-timer'),
          run: (ids) => client.clearAutoDeleteTime(mutationScope, ids),
          confirm: async () => !(await find(client, instance))?.autoDeleteAt,
        });
        break;
      case 'delete':
        plan.actions.push({
          ...base,
          kind: 'vendor',
          action: 'delete-instance',
          slot: d.at,
          destructive: 'instance',
          reason: d.reason,
          before,
          expected: { state: client.capabilities.recycleBin === 'native' ? 'recycled' : 'deleted' },
          undoHint:
            client.capabilities.recycleRestore !== 'unsupported'
              ? 'restore it from the recycle bin'
              : UNDO.deleteWithoutRestore(client.vendor),
          batchKey: batch('delete-instance'),
          run: (ids) => client.deleteInstances(mutationScope, ids),
          confirm: async () => {
            const now = await find(client, instance, true);
            return !now || ['deleting', 'recycled', 'deleted'].includes(now.state);
          },
        });
        break;
      case 'soft-delete': {
        const { tag, retentionDays } = a.softDelete;
        const purgeAt = new Date(a.now.getTime() + retentionDays * 86_400_000).toISOString();
        plan.actions.push({
          ...base,
          kind: 'vendor',
          action: 'soft-delete-instance',
          slot: d.at,
          destructive: 'instance',
          reason: `${d.reason}: stop and keep ${retentionDays} days in the soft-delete bin (purge at ${purgeAt})`,
          before,
          expected: { state: 'stopped', [tag]: purgeAt },
          undoHint: `remove tag ${tag} and start the instance (recycle-bin policy action: restore)`,
          batchKey: batch(`soft-delete:${purgeAt}`),
          run: softDeleteRun(client, mutationScope, tag, purgeAt),
          confirm: async () => Boolean((await find(client, instance))?.tags[tag]),
        } satisfies PlannedAction);
        break;
      }
    }
  }
}

async function find(
  client: VendorClient,
  instance: Instance,
  includeRecycled = false,
): Promise<Instance | undefined> {
  for await (const page of client.listInstances(
    { region: instance.region, project: instance.project },
    { ids: [instance.id], includeRecycled, autoDeleteTimers: true },
  )) {
    const hit = page.find((i) => i.id === instance.id);
    if (hit) return hit;
  }
  return undefined;
}

/** A timer this policy set that is still in effect, re-written so runs read only the trail's window (trail-window.ts). */
export const TIMER_CARRIED = 'timer-carried';
const DAY_MS = 86_400_000;

/**
 * The native timer value this policy last set per instance (last successful set wins; a later
 * clear removes it), from the scope's trail bounded by time (trail-window.ts): a timer set long
 * ago for a far date is carried forward as a `timer-carried` notice that keeps the set's own time
 * (`details.carriedAt`), so a clear written after that set still wins. Timers past for longer than
 * the window have fired (the vendor deleted the instance) and are no longer carried.
 */
export async function timersSetByUs(
  args: Pick<ScopeArgs<AutoDeletePolicy>, 'deps' | 'policy' | 'target' | 'scope' | 'mode'>,
): Promise<Map<string, string>> {
  const { deps, policy, target } = args;
  const region = args.scope.region;
  const trail = await readTrail(deps, { function: 'auto-delete', target: target.name, region }, (r) => r.action === TRAIL_CARRIED && r.policy === policy.name);
  const ours = new Map<string, { value: string; setAt: string; supportAt: string }>();
  const changes = trail.records
    .filter((r) => r.policy === policy.name && r.target === target.name && r.region === region)
    .flatMap((r): { r: AuditRecord; value: string | undefined; setAt: string }[] => {
      const value = r.expected?.autoDeleteAt;
      const done = r.phase === 'result' && (r.outcome === 'success' || r.outcome === 'reconciled');
      if (done && r.action === 'set-auto-delete-time' && typeof value === 'string') return [{ r, value, setAt: r.at }];
      if (done && r.action === 'clear-auto-delete-time') return [{ r, value: undefined, setAt: r.at }];
      const carriedAt = r.details?.carriedAt;
      if (r.phase === 'notice' && r.action === TIMER_CARRIED && typeof value === 'string' && typeof carriedAt === 'string') return [{ r, value, setAt: carriedAt }];
      return [];
    })
    .sort((a, b) => (a.setAt < b.setAt ? -1 : a.setAt > b.setAt ? 1 : 0)); // stable: records of one time stay in trail order
  for (const { r, value, setAt } of changes) {
    const known = ours.get(r.resourceId);
    if (value === undefined) ours.delete(r.resourceId);
    else if (known && known.value === value && known.setAt === setAt) known.supportAt = r.at > known.supportAt ? r.at : known.supportAt;
    else ours.set(r.resourceId, { value, setAt, supportAt: r.at });
  }
  if (trail.due) {
    const stillInEffect = deps.now.getTime() - TRAIL_WINDOW_DAYS * DAY_MS;
    const scope = { function: 'auto-delete' as const, policy: policy.name, vendor: target.vendor, target: target.name, region, mode: args.mode };
    const carried = [...ours]
      .filter(([, t]) => t.supportAt < trail.carryBefore && Date.parse(t.value) >= stillInEffect)
      .map(([id, t]) =>
        bookkeepingRecord(deps, scope, {
          resourceId: id,
          resourceKind: 'instance',
          action: TIMER_CARRIED,
          slot: `${t.value}|set:${t.setAt}`,
          reason: `bookkeeping: the vendor timer ${t.value} this policy set at ${t.setAt} is still ours (carried forward)`,
          expected: { autoDeleteAt: t.value },
          details: { carriedAt: t.setAt },
        }),
      );
    await carryForward(deps, scope, carried);
  }
  return new Map([...ours].map(([id, t]) => [id, t.value]));
}

function label(instance: Instance): string {
  return instance.name && instance.name !== instance.id ? `${instance.id} (${instance.name})` : instance.id;
}
