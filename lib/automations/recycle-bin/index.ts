import { UNDO } from '../undo';
import type { AuditRecord } from '../../audit/record';
import type { AutomationConfig } from '../../config/schema';
import type { RecycleBinItem, Scope, VendorClient } from '../../vendors/core';
import { parseDuration, parseIsoWithZone } from '../../vendors/core';
import {
  exemptionFor,
  groupBy,
  matchesSelector,
  readAll,
  type EngineDeps,
  type PlannedAction,
  type ScopeArgs,
  type ScopePlan,
} from '../engine';
import type { AutomationSpec } from '../engine/run';
import { softRestoreRun } from '../soft-delete';
import { decideRecycleBin, type BinItemView, type PurgeTimeSource } from './decide';
import { warningDigest, type WarningEntry } from '../digest';
import { RECYCLE_BIN_PURGE_DIGEST, RECYCLE_BIN_PURGE_WARNING } from './events';
import { carryForward, readTrail, TRAIL_CARRIED } from '../trail-window';

export type RecycleBinPolicy = NonNullable<AutomationConfig['policies']['recycleBin']>[number];

const DAY = 86_400_000;
export const INSTANCE_DELETED_EVENT = 'Instance Deleted';
/** Bookkeeping records (phase `notice`) the purge time is derived from when the vendor does not say. */
export const OBSERVED_DELETED = 'observed-deleted';
export const FIRST_SEEN_IN_BIN = 'first-seen-in-bin';

export const recycleBinSpec: AutomationSpec<RecycleBinPolicy> = {
  function: 'recycle-bin',
  requires: (c) => (c.recycleBin === 'unsupported' ? 'a recycle bin' : undefined),
  planPolicies: planBinPolicies,
};

/** One policy's plan in a scope, and the bin items it sees (purge times from its own retention where the vendor gives none). */
interface PolicyBin {
  args: ScopeArgs<RecycleBinPolicy>;
  plan: ScopePlan;
  items: Found[];
}

/**
 * Every policy of one target × region on one read of the bin (engine DECISIONS.md E11; DECISIONS.md
 * "Several policies of one scope"): the vendor's bin, its settings and our trail of it once (our soft-delete bin: one
 * listing per soft-delete tag); then each policy selects and decides in config order. An item an
 * earlier policy purges or restores in this run is left by the later ones: before, they listed the
 * bin after it was gone.
 */
async function planBinPolicies(all: ScopeArgs<RecycleBinPolicy>[]): Promise<PromiseSettledResult<ScopePlan>[]> {
  const { deps, client, scope } = all[0]!;
  const emulated = client.capabilities.recycleBin === 'emulated';
  const focus = deps.focus?.instanceId;
  if (deps.focus?.detailType === INSTANCE_DELETED_EVENT) await recordDeletion(deps, all[0]!);
  // an event narrows the run to its instance
  const wanted = (id: string) => !focus || id === focus;
  const policies: PolicyBin[] = all.map((args) => ({ args, plan: { actions: [], notes: [], selected: 0, readFailures: [] }, items: [] }));
  if (emulated) {
    for (const [tag, riders] of groupBy(policies, (p) => p.args.policy.softDeleteTag)) await softDeleted(client, scope, tag, riders, wanted);
  } else await nativeItems(policies, wanted);
  const claimed = new Map<string, string>();
  const out: PromiseSettledResult<ScopePlan>[] = [];
  for (const p of policies) {
    try {
      out.push({ status: 'fulfilled', value: await decideBin(p, emulated, claimed) });
    } catch (e) {
      out.push({ status: 'rejected', reason: e });
    }
  }
  return out;
}

/** One policy's selection and decisions over the bin items it sees. */
async function decideBin({ args, plan, items }: PolicyBin, emulated: boolean, claimed: Map<string, string>): Promise<ScopePlan> {
  const { deps, policy, client, scope } = args;
  const rules = {
    warnBeforeMs: parseDuration(policy.warnBefore),
    action: policy.action,
    emulated,
    canRestore: client.capabilities.recycleRestore !== 'unsupported',
  };
  // one map per scope: a batch call runs with the first action's closure and maps every id back here
  const byId = new Map<string, Found['item']>();
  const ctx: ActionContext = { client, scope, policy, emulated, byId };
  const digest: WarningEntry[] = [];
  for (const { item, view } of items) {
    if (
      !matchesSelector(
        { id: item.id, name: item.name ?? '', tags: {}, chargeType: 'other' },
        { ...policy.selector, tags: undefined, chargeTypes: undefined },
      )
    )
      continue;
    plan.selected++;
    const exemption = exemptionFor(item, policy.exemptions, deps.now);
    if (exemption.exempt) {
      plan.notes.push({ resourceId: item.id, action: 'none', status: 'exempt', reason: exemption.reason! });
      continue;
    }
    const other = claimed.get(item.id);
    if (other !== undefined) {
      plan.notes.push({ resourceId: item.id, action: 'none', status: 'skipped', reason: `policy ${other} purges or restores it in this run` });
      continue;
    }
    byId.set(item.id, item);
    for (const d of decideRecycleBin(view, rules, deps.now)) {
      const action = toAction(d, item, view, ctx);
      if (action?.action === 'warn-purge' && view.purgeAt) {
        digest.push({ owner: item.tags?.[policy.ownerTag] ?? (await ownerPerTrail(deps, item.id)), resourceId: item.id, name: item.name, dueAt: view.purgeAt, reason: action.reason });
      }
      if (action?.kind === 'vendor') claimed.set(item.id, policy.name);
      if (action) plan.actions.push(action);
      else plan.notes.push({ resourceId: item.id, action: 'none', status: 'info', reason: d.reason });
    }
  }
  // a whole scope's view only: an event's single item or a failed listing would use up the day's digest
  const notice = !deps.focus?.instanceId && !plan.readFailures.length ? warningDigest(args, RECYCLE_BIN_PURGE_DIGEST, digest) : undefined;
  if (notice) plan.actions.push(notice);
  return plan;
}

/** A bin that reports no tags: the owner auto-delete saw when it deleted the instance, if it did. */
async function ownerPerTrail(deps: EngineDeps, id: string): Promise<string | null> {
  const deleted = await deps.audit.query({ resourceId: id, function: 'auto-delete', phase: 'intent' });
  const owner = deleted.reverse().find((r) => typeof r.before?.owner === 'string')?.before?.owner;
  return typeof owner === 'string' ? owner : null;
}

interface Found {
  item: RecycleBinItem & { tags?: Record<string, string> };
  view: BinItemView;
}

/** Our soft-delete bin: stopped instances carrying the purge-time tag, listed once for the policies of that tag. */
async function softDeleted(client: VendorClient, scope: Scope, tag: string, riders: PolicyBin[], wanted: (id: string) => boolean): Promise<void> {
  const failures: string[] = [];
  const instances = await readAll(client.listInstances(scope, { tagKeys: [tag] }), 'listing instances', failures);
  for (const { plan } of riders) plan.readFailures.push(...failures);
  for (const i of instances) {
    const value = i.tags[tag];
    if (!value || !wanted(i.id)) continue;
    let purgeAt: string;
    try {
      purgeAt = parseIsoWithZone(value);
    } catch {
      for (const { plan } of riders) plan.notes.push({ resourceId: i.id, action: 'none', status: 'error', reason: `tag ${tag}=${JSON.stringify(value)} is not an ISO time: left alone` });
      continue;
    }
    const item = { vendor: i.vendor, target: i.target, region: i.region, kind: 'instance' as const, id: i.id, name: i.name, purgeAt, rawState: i.rawState, tags: i.tags };
    for (const { items } of riders) items.push({ item, view: { id: i.id, purgeAt, source: 'soft-delete tag' } });
  }
}

/**
 * The vendor's bin, its settings and our trail of it, read once for the policies of a scope; the purge
 * time from the vendor where it says, else from our audit trail plus each policy's retention.
 */
async function nativeItems(policies: PolicyBin[], wanted: (id: string) => boolean): Promise<void> {
  const first = policies[0]!.args;
  const { client, scope } = first;
  const config = await client.getRecycleBinConfig(scope).catch(() => undefined);
  const failures: string[] = [];
  const items = (await readAll(client.listRecycleBin(scope), 'listing the recycle bin', failures)).filter((i) => wanted(i.id));
  for (const { plan } of policies) plan.readFailures.push(...failures);
  const trail = await binTrail(first);
  // the whole bin was listed: what its items need from older records can be carried forward
  if (!failures.length && !first.deps.focus) await trail.carry(items);
  for (const item of items) {
    let purgeAt = item.purgeAt;
    let source: PurgeTimeSource = 'vendor';
    if (!purgeAt && item.since && config?.retentionDays !== undefined) {
      purgeAt = new Date(Date.parse(item.since) + config.retentionDays * DAY).toISOString();
      source = 'vendor retention';
    }
    const known = purgeAt ? undefined : await trail.since(item);
    for (const { args, items: seen } of policies) {
      const at = purgeAt ?? new Date(Date.parse(known!.since) + args.policy.retentionDays * DAY).toISOString();
      seen.push({ item, view: { id: item.id, purgeAt: at, source: purgeAt ? source : known!.source, ...(item.busyWith !== undefined && { busyWith: item.busyWith }) } });
    }
  }
}

/** When an item still in the bin entered it, re-written so runs read only the trail's window (trail-window.ts). */
export const BIN_SINCE_CARRIED = 'bin-since-carried';
const DELETION_SOURCES: PurgeTimeSource[] = ['deleted event + policy retention', 'our deletion + policy retention'];

/**
 * When an item entered the bin, per our audit trail: our own deletion (auto-delete's successful
 * `delete-instance`) or an `Instance Deleted` event, the latest of them; else the first time we saw
 * it there (recorded now when it is new). Read once per scope, bounded by time (trail-window.ts):
 * after a complete listing, what an item still in the bin needs from an older record is carried
 * forward as a `bin-since-carried` notice (its time in `details.runNow`, its source in `details.source`).
 */
async function binTrail(args: ScopeArgs<RecycleBinPolicy>) {
  const { deps, target } = args;
  const region = args.scope.region;
  const trail = await readTrail(deps, { function: 'recycle-bin', target: target.name, region }, (r) => r.action === TRAIL_CARRIED, [
    { function: 'auto-delete', action: 'delete-instance', phase: 'result', target: target.name, region },
  ]);
  const latest = new Map<string, Known>();
  const seen = new Map<string, Known>();
  for (const r of trail.records) {
    if (r.target !== target.name || r.region !== region) continue;
    const at = whenOf(r);
    const carried = r.function === 'recycle-bin' && r.action === BIN_SINCE_CARRIED ? (r.details?.source as PurgeTimeSource | undefined) : undefined;
    let source: PurgeTimeSource | undefined;
    if (r.function === 'auto-delete' && (r.outcome === 'success' || r.outcome === 'reconciled')) source = 'our deletion + policy retention';
    else if (r.function === 'recycle-bin' && r.action === OBSERVED_DELETED) source = 'deleted event + policy retention';
    else if (carried && DELETION_SOURCES.includes(carried)) source = carried;
    if (source) {
      keep(latest, r, { at, source, supportAt: r.at }, (a, b) => Date.parse(a) > Date.parse(b));
      continue;
    }
    if ((r.function === 'recycle-bin' && r.action === FIRST_SEEN_IN_BIN) || carried === 'first seen + policy retention') {
      keep(seen, r, { at, source: 'first seen + policy retention', supportAt: r.at }, (a, b) => Date.parse(a) < Date.parse(b));
    }
  }
  const known = (id: string): Known | undefined => latest.get(id) ?? seen.get(id);
  return {
    async since(item: RecycleBinItem): Promise<{ since: string; source: PurgeTimeSource }> {
      const k = known(item.id);
      if (k) return { since: k.at, source: k.source };
      await deps.audit.putRecord(
        bookkeeping(
          deps,
          args,
          item.id,
          FIRST_SEEN_IN_BIN,
          'first time this item was seen in the recycle bin',
        ),
      );
      seen.set(item.id, { at: deps.now.toISOString(), source: 'first seen + policy retention', supportAt: new Date().toISOString() });
      return { since: deps.now.toISOString(), source: 'first seen + policy retention' };
    },
    /** After a complete listing of the bin: carries forward what its items need, then the marker. */
    async carry(listed: RecycleBinItem[]): Promise<void> {
      if (!trail.due) return;
      const carried = listed.flatMap((item) => {
        const k = known(item.id);
        if (!k || k.supportAt >= trail.carryBefore) return [];
        return [
          {
            ...bookkeeping(deps, args, item.id, BIN_SINCE_CARRIED, `bookkeeping: in the bin since ${k.at} (${k.source}), carried forward`),
            actionKey: `recycle-bin|${args.policy.name}|${target.name}|${region}|${item.id}|${BIN_SINCE_CARRIED}|${k.at}|${deps.runId}`,
            details: { runNow: k.at, source: k.source },
          },
        ];
      });
      await carryForward(deps, { function: 'recycle-bin', policy: args.policy.name, vendor: target.vendor, target: target.name, region, mode: args.mode }, carried);
    },
  };
}

interface Known {
  /** The business time the item entered the bin (or was first seen there). */
  at: string;
  source: PurgeTimeSource;
  /** The newest record saying so (wall clock): older than the carry age, it is carried forward. */
  supportAt: string;
}

/** Keeps the better of two times for an item (`better(a, b)`: a wins); the same time keeps the newest support. */
function keep(map: Map<string, Known>, r: AuditRecord, k: Known, better: (a: string, b: string) => boolean): void {
  const old = map.get(r.resourceId);
  if (!old || better(k.at, old.at)) map.set(r.resourceId, k);
  else if (Date.parse(k.at) === Date.parse(old.at) && k.supportAt > old.supportAt) old.supportAt = k.supportAt;
}

/** The business time a record speaks for: the run's `now` (simulated clocks, manual `now`, the event's time), else when it was written. */
function whenOf(r: AuditRecord): string {
  return typeof r.details?.runNow === 'string' ? r.details.runNow : r.at;
}

/** An `Instance Deleted` event: the deletion time (the event's `at`, else now) is written at once, so the purge time is known before the next sweep. */
async function recordDeletion(deps: EngineDeps, args: ScopeArgs<RecycleBinPolicy>) {
  const focus = deps.focus!;
  const at = focus.at ? parseIsoWithZone(focus.at) : deps.now.toISOString();
  await deps.audit.putRecord({
    ...bookkeeping(deps, args, focus.instanceId, OBSERVED_DELETED, `instance deleted event at ${at}`),
    details: { runNow: at },
  });
}

function bookkeeping(
  deps: EngineDeps,
  args: ScopeArgs<RecycleBinPolicy>,
  resourceId: string,
  action: string,
  reason: string,
): AuditRecord {
  return {
    schemaVersion: 1,
    phase: 'notice',
    actionKey: `recycle-bin|${args.policy.name}|${args.target.name}|${args.scope.region}|${resourceId}|${action}`,
    runId: deps.runId,
    trigger: deps.trigger,
    function: 'recycle-bin',
    policy: args.policy.name,
    vendor: args.target.vendor,
    target: args.target.name,
    region: args.scope.region,
    resourceId,
    resourceKind: 'recycle-item',
    action,
    mode: args.mode,
    reason,
    requestIds: [],
    at: new Date().toISOString(),
    details: { runNow: deps.now.toISOString() },
  };
}

interface ActionContext {
  client: VendorClient;
  scope: Scope;
  policy: RecycleBinPolicy;
  emulated: boolean;
  byId: Map<string, Found['item']>;
}

function toAction(
  d: ReturnType<typeof decideRecycleBin>[number],
  item: Found['item'],
  view: BinItemView,
  ctx: ActionContext,
): PlannedAction | undefined {
  const { client, scope, policy, emulated, byId } = ctx;
  const base = {
    resourceId: item.id,
    resourceName: item.name,
    resourceKind: 'recycle-item' as const,
    // one decision per item: its call waits for no other item's (engine E8)
    sideBySide: true,
    slot: view.purgeAt,
    before: { kind: item.kind, purgeAt: view.purgeAt, purgeAtSource: view.source, state: item.rawState },
  };
  const itemsOf = (ids: string[]) => ids.map((id) => byId.get(id) ?? { ...item, id });
  const inBin = async () => {
    if (emulated) {
      for await (const page of client.listInstances(scope, { ids: [item.id] })) {
        const hit = page.find((i) => i.id === item.id);
        if (hit) return hit.tags[policy.softDeleteTag] !== undefined ? 'binned' : 'restored';
      }
      return 'gone';
    }
    for await (const page of client.listRecycleBin(scope))
      if (page.some((i) => i.id === item.id)) return 'binned';
    return 'gone';
  };
  switch (d.action) {
    case 'none':
      return undefined;
    case 'warn':
      return {
        ...base,
        kind: 'notice',
        action: 'warn-purge',
        undoHint: UNDO.notice,
        destructive: false,
        reason: `warning: ${d.reason}`,
        event: {
          detailType: RECYCLE_BIN_PURGE_WARNING,
          detail: {
            vendor: item.vendor,
            target: item.target,
            region: item.region,
            resourceId: item.id,
            kind: item.kind,
            purgeAt: view.purgeAt,
            purgeAtSource: view.source,
            policyAction: policy.action,
          },
        },
      };
    case 'purge':
      return {
        ...base,
        kind: 'vendor',
        action: 'purge',
        destructive: item.kind === 'snapshot' ? 'snapshot' : 'instance',
        reason: d.reason,
        expected: { state: 'deleted' },
        undoHint: UNDO.purge,
        batchKey: `purge:${item.kind}`,
        run: (ids) =>
          emulated
            ? client.deleteInstances(scope, ids, { force: true })
            : client.purgeRecycled(scope, itemsOf(ids)),
        confirm: async () => (await inBin()) === 'gone',
      };
    case 'restore':
      return {
        ...base,
        kind: 'vendor',
        action: 'restore',
        destructive: false,
        reason: d.reason,
        expected: { state: emulated ? 'untagged and started' : 'restored' },
        undoHint: emulated ? 'run auto-delete again (it soft-deletes when due)' : 'delete it again',
        batchKey: `restore:${item.kind}`,
        run: emulated
          ? softRestoreRun(client, scope, policy.softDeleteTag)
          : (ids) => client.restoreRecycled(scope, itemsOf(ids)),
        confirm: async () => (await inBin()) === (emulated ? 'restored' : 'gone'),
      };
  }
}
