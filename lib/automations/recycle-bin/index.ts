import type { AutomationConfig } from '../../config/schema';
import type { RecycleBinItem, Scope, VendorClient } from '../../vendors/core';
import { parseDuration, parseIsoWithZone } from '../../vendors/core';
import { exemptionFor, matchesSelector, readAll, type EngineDeps, type PlannedAction, type ScopeArgs, type ScopePlan } from '../engine';
import type { AutomationSpec } from '../engine/run';
import { decideRecycleBin, type BinItemView, type PurgeTimeSource } from './decide';
import { RECYCLE_BIN_PURGE_WARNING } from './events';

export type RecycleBinPolicy = NonNullable<AutomationConfig['policies']['recycleBin']>[number];

const DAY = 86_400_000;

export const recycleBinSpec: AutomationSpec<RecycleBinPolicy> = {
  function: 'recycle-bin',
  requires: (c) => (c.recycleBin === 'unsupported' ? 'a recycle bin' : undefined),
  async planScope(args: ScopeArgs<RecycleBinPolicy>): Promise<ScopePlan> {
    const { deps, policy, client, scope } = args;
    const plan: ScopePlan = { actions: [], notes: [], selected: 0, readFailures: [] };
    const emulated = client.capabilities.recycleBin === 'emulated';
    if (deps.focus?.detailType === 'Instance Deleted') await recordDeletion(deps, args);
    const items = emulated ? await softDeleted(client, scope, policy, plan) : await nativeItems(args, plan);
    const rules = {
      warnBeforeMs: parseDuration(policy.warnBefore),
      action: policy.action,
      emulated,
      canRestore: client.capabilities.recycleRestore !== 'unsupported',
    };
    for (const { item, view } of items) {
      if (!matchesSelector({ id: item.id, name: item.name ?? '', tags: {}, chargeType: 'other' }, { ...policy.selector, tags: undefined, chargeTypes: undefined })) continue;
      plan.selected++;
      const exemption = exemptionFor(item, policy.exemptions, deps.now);
      if (exemption.exempt) {
        plan.notes.push({ resourceId: item.id, action: 'none', status: 'exempt', reason: exemption.reason! });
        continue;
      }
      for (const d of decideRecycleBin(view, rules, deps.now)) {
        const action = toAction(d, item, view, { client, scope, policy, emulated });
        if (action) plan.actions.push(action);
        else plan.notes.push({ resourceId: item.id, action: 'none', status: 'info', reason: d.reason });
      }
    }
    return plan;
  },
};

interface Found {
  item: RecycleBinItem & { tags?: Record<string, string> };
  view: BinItemView;
}

/** Our soft-delete bin: stopped instances carrying the purge-time tag. */
async function softDeleted(client: VendorClient, scope: Scope, policy: RecycleBinPolicy, plan: ScopePlan): Promise<Found[]> {
  const instances = await readAll(client.listInstances(scope, { tagKeys: [policy.softDeleteTag] }), 'listing instances', plan.readFailures);
  const found: Found[] = [];
  for (const i of instances) {
    const tag = i.tags[policy.softDeleteTag];
    if (!tag) continue;
    try {
      const purgeAt = parseIsoWithZone(tag);
      found.push({
        item: { vendor: i.vendor, target: i.target, region: i.region, kind: 'instance', id: i.id, name: i.name, purgeAt, rawState: i.rawState, tags: i.tags },
        view: { id: i.id, purgeAt, source: 'soft-delete tag' },
      });
    } catch {
      plan.notes.push({ resourceId: i.id, action: 'none', status: 'error', reason: `tag ${policy.softDeleteTag}=${JSON.stringify(tag)} is not an ISO time: left alone` });
    }
  }
  return found;
}

/** The vendor's bin; the purge time from the vendor where it says, else from our audit trail plus the policy's retention. */
async function nativeItems(args: ScopeArgs<RecycleBinPolicy>, plan: ScopePlan): Promise<Found[]> {
  const { deps, client, scope, policy } = args;
  const config = await client.getRecycleBinConfig(scope).catch(() => undefined);
  const items = await readAll(client.listRecycleBin(scope), 'listing the recycle bin', plan.readFailures);
  const found: Found[] = [];
  for (const item of items) {
    let purgeAt = item.purgeAt;
    let source: PurgeTimeSource = 'vendor';
    if (!purgeAt && item.since && config?.retentionDays !== undefined) {
      purgeAt = new Date(Date.parse(item.since) + config.retentionDays * DAY).toISOString();
      source = 'vendor retention';
    }
    if (!purgeAt) {
      const known = await knownSince(deps, args, item);
      purgeAt = new Date(Date.parse(known.since) + policy.retentionDays * DAY).toISOString();
      source = known.source;
    }
    found.push({ item, view: { id: item.id, purgeAt, source } });
  }
  return found;
}

/** When the item entered the bin, per our audit trail: our own deletion, an `Instance Deleted` event, or the first time we saw it. */
async function knownSince(deps: EngineDeps, args: ScopeArgs<RecycleBinPolicy>, item: RecycleBinItem): Promise<{ since: string; source: PurgeTimeSource }> {
  const history = await deps.audit.query({ resourceId: item.id });
  const deleted = history.find(
    (r) => r.target === args.target.name && ((r.action === 'delete-instance' && r.phase === 'result' && r.outcome === 'success') || r.action === 'observed-deleted'),
  );
  if (deleted) return { since: runNow(deleted.details) ?? deleted.at, source: 'our deletion + policy retention' };
  const seen = history.find((r) => r.target === args.target.name && r.action === 'first-seen-in-bin');
  if (seen) return { since: runNow(seen.details) ?? seen.at, source: 'first seen + policy retention' };
  await deps.audit.putRecord(bookkeeping(deps, args, item.id, 'first-seen-in-bin', 'first time this item was seen in the recycle bin'));
  return { since: deps.now.toISOString(), source: 'first seen + policy retention' };
}

async function recordDeletion(deps: EngineDeps, args: ScopeArgs<RecycleBinPolicy>) {
  const focus = deps.focus!;
  const at = focus.at ?? deps.now.toISOString();
  await deps.audit.putRecord({ ...bookkeeping(deps, args, focus.instanceId, 'observed-deleted', `instance deleted event at ${at}`), details: { runNow: at } });
}

function bookkeeping(deps: EngineDeps, args: ScopeArgs<RecycleBinPolicy>, resourceId: string, action: string, reason: string) {
  return {
    schemaVersion: 1 as const,
    phase: 'notice' as const,
    actionKey: `recycle-bin|${args.policy.name}|${args.target.name}|${args.scope.region}|${resourceId}|${action}`,
    runId: deps.runId,
    trigger: deps.trigger,
    function: 'recycle-bin' as const,
    policy: args.policy.name,
    vendor: args.target.vendor,
    target: args.target.name,
    region: args.scope.region,
    resourceId,
    resourceKind: 'recycle-item' as const,
    action,
    mode: args.mode,
    reason,
    requestIds: [],
    at: new Date().toISOString(),
    details: { runNow: deps.now.toISOString() },
  };
}

function runNow(details: Record<string, unknown> | undefined): string | undefined {
  return typeof details?.runNow === 'string' ? details.runNow : undefined;
}

function toAction(
  d: ReturnType<typeof decideRecycleBin>[number],
  item: Found['item'],
  view: BinItemView,
  ctx: { client: VendorClient; scope: Scope; policy: RecycleBinPolicy; emulated: boolean },
): PlannedAction | undefined {
  const { client, scope, policy, emulated } = ctx;
  const base = { resourceId: item.id, resourceName: item.name, resourceKind: 'recycle-item' as const, slot: view.purgeAt, before: { purgeAt: view.purgeAt, source: view.source, state: item.rawState } };
  const gone = async () => {
    if (emulated) {
      for await (const page of client.listInstances(scope, { ids: [item.id] })) if (page.some((i) => i.id === item.id)) return false;
      return true;
    }
    for await (const page of client.listRecycleBin(scope)) if (page.some((i) => i.id === item.id)) return false;
    return true;
  };
  switch (d.action) {
    case 'none':
      return undefined;
    case 'warn':
      return {
        ...base,
        kind: 'notice',
        action: 'warn-purge',
        destructive: false,
        reason: `warning: ${d.reason}`,
        event: {
          detailType: RECYCLE_BIN_PURGE_WARNING,
          detail: { vendor: item.vendor, target: item.target, region: item.region, resourceId: item.id, kind: item.kind, purgeAt: view.purgeAt, purgeAtSource: view.source, policyAction: policy.action },
        },
      };
    case 'purge':
      return {
        ...base,
        kind: 'vendor',
        action: 'purge',
        destructive: 'instance',
        reason: d.reason,
        expected: { state: 'deleted' },
        batchKey: `purge:${item.kind}`,
        run: (ids) => (emulated ? client.deleteInstances(scope, ids, { force: true }) : client.purgeRecycled(scope, ids.map((id) => ({ ...item, id })))),
        confirm: gone,
      };
    case 'restore':
      return {
        ...base,
        kind: 'vendor',
        action: 'restore',
        destructive: false,
        reason: d.reason,
        expected: { state: emulated ? 'stopped, untagged' : 'restored' },
        batchKey: `restore:${item.kind}`,
        run: emulated
          ? async (ids) => Promise.all(ids.map((id) => client.removeTags(scope, id, [policy.softDeleteTag])))
          : (ids) => client.restoreRecycled(scope, ids.map((id) => ({ ...item, id }))),
        confirm: async () => (emulated ? false : gone()),
      };
  }
}
