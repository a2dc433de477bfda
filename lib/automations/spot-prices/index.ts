import { UNDO } from '../undo';
import { instanceNotice } from '../instance-notice';
import { dirname, join } from 'node:path';
import type { SpotPolicy } from '../../config/schema';
import { durationMs } from '../../config/fields';
import {
  DEFAULT_PRICE_STATE_PATH,
  JsonFileSpotStateStore,
  priceKeyId,
  type ConditionStore,
  type PriceHistoryStore,
  type PriceKey,
  type SpotStateStore,
} from '../../state/price-history';
import { AuditSpotStateStore } from '../../state/audit-state';
import type { SpotPricePoint, SpotWatch } from '../../vendors/core';
import type { AutomationSpec } from '../engine/run';
import { groupBy } from '../engine/group';
import { exemptionFor, matchesSelector } from '../engine/select';
import type { EngineDeps, NoticeAction, PlannedAction, ScopeArgs, ScopePlan } from '../engine/types';
import { decideReclaim, decideSpotSeries, latestPoint, spotRef, watchesFor, type SpotAlert, type SpotInstanceRef } from './decide';
import {
  SPOT_INTERRUPTION_EVENT,
  SPOT_PRICE_ALERT,
  SPOT_RECLAIM_ALERT,
  spotPriceAlertDetailSchema,
  spotReclaimAlertDetailSchema,
} from './events';

export { decideReclaim, decideSpotSeries, watchesFor } from './decide';
export * from './events';

/** Where spot-prices keeps its price history and open alert conditions between runs. */
export interface SpotState {
  prices: PriceHistoryStore;
  conditions: ConditionStore;
}

/** The engine deps, plus the state store the runtime may hand in (DECISIONS.md S7). */
export type SpotDeps = EngineDeps & { state?: SpotState };

export interface SpotPricesOptions {
  /** Overrides the state a run would otherwise find from its deps (DECISIONS.md S7). */
  state?: SpotState | SpotStateStore | (() => SpotState | SpotStateStore);
}

/** Env var naming the price state file; in Lambda it must point under /tmp (or, later, a DynamoDB store). */
export const SPOT_STATE_PATH_ENV = 'SPOT_STATE_PATH';

/**
 * The price state file of a run: `SPOT_STATE_PATH`, else `state/prices.json` next to the
 * configured events file (so a local run keeps its state with its other outputs), else
 * `.automation/state/prices.json`.
 */
export function spotStatePath(config: EngineDeps['config'], env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[SPOT_STATE_PATH_ENV]?.trim();
  if (fromEnv) return fromEnv;
  if (config.events.file) return join(dirname(config.events.file), 'state', 'prices.json');
  return DEFAULT_PRICE_STATE_PATH;
}

const asState = (s: SpotState | SpotStateStore): SpotState => ('prices' in s && 'conditions' in s ? s : { prices: s, conditions: s });

/** The fetch window never reaches further back than KEC serves (3 days before its now, seed 000 L3199), less an hour of clock slack. */
const MAX_FETCH_MS = 71 * 3_600_000;

/** spot-prices: read prices of watched (zone, type) pairs, keep a history, alert on thresholds; alert at once on reclaims. */
export function createSpotPricesSpec(options: SpotPricesOptions = {}): AutomationSpec<SpotPolicy> {
  let given: SpotState | undefined;
  const files = new Map<string, SpotState>();
  const stateFor = (deps: SpotDeps): SpotState => {
    if (deps.state) return deps.state;
    if (options.state) return (given ??= asState(typeof options.state === 'function' ? options.state() : options.state));
    // deployed: the audit table is the one writable store (put and read only); local: a JSON file
    if (deps.config.audit.store === 'dynamodb' && !process.env[SPOT_STATE_PATH_ENV]) return asState(new AuditSpotStateStore(deps.audit, deps));
    const path = spotStatePath(deps.config);
    let store = files.get(path);
    if (!store) files.set(path, (store = asState(new JsonFileSpotStateStore(path))));
    return store;
  };
  return {
    function: 'spot-prices',
    requires: (c) => (c.spotPrices === 'unsupported' ? 'spotPrices' : undefined),
    planPolicies: (all) => planSpotPolicies(all, stateFor(all[0]!.deps)),
  };
}

export const spotPricesSpec = createSpotPricesSpec();

/** One policy's plan in a scope, and the running spot instances it selected. */
interface PolicySpot {
  args: ScopeArgs<SpotPolicy>;
  plan: ScopePlan;
  running: SpotInstanceRef[];
  watches: SpotWatch[];
}

/**
 * Every policy of one target × region on shared reads (engine DECISIONS.md E11, DECISIONS.md S12):
 * one listing of running spot instances per distinct query, each page through every policy's
 * selection; one price read for the watches of all policies, from the earliest time any of them
 * needs; the history appended once. Then each policy decides on its own thresholds and conditions.
 */
async function planSpotPolicies(all: ScopeArgs<SpotPolicy>[], store: SpotState): Promise<PromiseSettledResult<ScopePlan>[]> {
  const { deps, client, scope, target } = all[0]!;
  const now = deps.now;
  const interruption = deps.focus?.detailType === SPOT_INTERRUPTION_EVENT ? deps.focus : undefined;
  const policies: PolicySpot[] = all.map((args) => ({ args, plan: { actions: [], notes: [], selected: 0, readFailures: [] }, running: [], watches: [] }));

  const byQuery = groupBy(policies, (p) => JSON.stringify(Object.keys(p.args.policy.selector.tags ?? {})));
  for (const riders of byQuery.values()) await listRunningSpot(riders, interruption ? [interruption.instanceId] : undefined);

  for (const p of policies) {
    for (const inst of p.running) {
      const d = decideReclaim(inst, now);
      if (d.alert) p.plan.actions.push(reclaimNotice(p.args, inst, 'vendor', d.slot, d.reason, { reclaimAt: inst.reclaimAt }));
    }
    if (interruption) {
      // An interruption event is urgent: alert for its instance and leave the price checks to the schedule.
      const inst = p.running.find((i) => i.id === interruption.instanceId) ?? { id: interruption.instanceId, name: interruption.instanceId };
      const eventAt = interruption.at ? new Date(interruption.at).toISOString() : now.toISOString();
      const reason = `spot interruption event for ${inst.id}${interruption.at ? ` at ${eventAt}` : ''}: the vendor is reclaiming it`;
      p.plan.actions.push(reclaimNotice(p.args, inst, 'event', `interruption:${eventAt}`, reason, { eventAt }));
      continue;
    }
    p.watches = watchesFor(p.args.policy.watches, target.name, scope.region, p.running);
    if (!p.watches.length) p.plan.notes.push({ resourceId: '-', action: 'check-prices', reason: p.args.policy.watches === 'running' ? 'no running spot instances to watch' : 'no watch applies to this region', status: 'info' });
  }
  const watching = policies.filter((p) => p.watches.length);
  if (watching.length) {
    // the prices of every policy's watches in one read, from the earliest its windows need
    const watches = [...new Map(watching.flatMap((p) => p.watches.map((w) => [`${w.zone}|${w.instanceType}`, w] as const))).values()];
    const windowMs = (p: PolicySpot) => durationMs(p.args.policy.thresholds.jumpWindow);
    const since = new Date(now.getTime() - Math.min(Math.max(...watching.map(windowMs)), MAX_FETCH_MS)).toISOString();
    let fresh: SpotPricePoint[] | undefined;
    try {
      fresh = atMostNow(await client.getSpotPrices(scope, watches, since), now);
    } catch (e) {
      for (const p of watching) p.plan.readFailures.push(`reading spot prices: ${(e as Error).message}`);
    }
    if (fresh) {
      const keep = Math.max(...watching.map((p) => Math.max(p.args.policy.historyHours * 3_600_000, windowMs(p))));
      await store.prices.append(fresh, new Date(now.getTime() - keep).toISOString());
    }
    for (const p of watching) if (fresh) await decidePrices(p, fresh, store);
  }
  return policies.map((p) => ({ status: 'fulfilled', value: p.plan }));
}

/** One policy's price alerts from the points read for the scope. */
async function decidePrices({ args, plan, running, watches }: PolicySpot, fresh: SpotPricePoint[], store: SpotState): Promise<void> {
  const { deps, policy, target, client, scope } = args;
  const now = deps.now;
  const windowStart = new Date(now.getTime() - durationMs(policy.thresholds.jumpWindow)).toISOString();
  for (const watch of watches) {
    const key: PriceKey = { vendor: client.vendor, target: target.name, region: scope.region, zone: watch.zone, instanceType: watch.instanceType };
    const label = `${watch.zone}/${watch.instanceType}`;
    const current = latestPoint(fresh.filter((p) => p.zone === watch.zone && p.instanceType === watch.instanceType));
    if (!current) {
      plan.notes.push({ resourceId: label, action: 'check-prices', reason: 'the vendor returned no price for this zone and type; open alerts kept as they were', status: 'info' });
      continue;
    }
    const group = `${policy.name}|${priceKeyId(key)}`;
    const decision = decideSpotSeries({
      current,
      window: await store.prices.recent(key, windowStart),
      instances: running.filter((i) => i.zone === watch.zone && i.instanceType === watch.instanceType),
      instancesKnown: plan.readFailures.length === 0,
      thresholds: policy.thresholds,
      open: await store.conditions.openConditions(group),
      now,
    });
    await store.conditions.setOpenConditions(group, decision.open);
    for (const alert of decision.alerts) plan.actions.push(priceNotice(args, key, alert));
    for (const note of decision.notes) plan.notes.push({ resourceId: label, action: 'check-prices', reason: note, status: 'info' });
    for (const c of decision.cleared) plan.notes.push({ resourceId: label, action: 'check-prices', reason: `condition ${c} cleared`, status: 'info' });
    if (!decision.alerts.length) plan.notes.push({ resourceId: label, action: 'check-prices', reason: `spot price ${current.price} ${current.currency}/h: no threshold crossed`, status: 'info' });
  }
}

/**
 * A quote without a vendor time (Tencent's price table, seed 004; DECISIONS.md S9) is stamped with
 * the read time; one later than the run's now (a scheduled run starts at its slot time) is taken
 * as observed at now, so a retried run of the same slot stores the same point.
 */
function atMostNow(points: SpotPricePoint[], now: Date): SpotPricePoint[] {
  const nowIso = now.toISOString();
  return points.map((p) => (Date.parse(p.at) > now.getTime() ? { ...p, at: nowIso } : p));
}

/**
 * Running spot instances, listed once for policies whose listing is the same (their selectors' tag
 * keys): each policy's selection, compact; exempt ones become notes. A failed listing is a read failure of each.
 */
async function listRunningSpot(riders: PolicySpot[], ids?: string[]): Promise<void> {
  const { deps, client, scope, policy } = riders[0]!.args;
  const tagKeys = Object.keys(policy.selector.tags ?? {});
  try {
    for await (const page of client.listInstances(scope, { chargeTypes: ['spot'], states: ['running'], ...(ids && { ids }), ...(tagKeys.length && { tagKeys }) })) {
      for (const inst of page) {
        if (inst.chargeType !== 'spot' || inst.state !== 'running') continue;
        for (const { args, plan, running } of riders) {
          if (!matchesSelector(inst, args.policy.selector)) continue;
          plan.selected++;
          const exempt = exemptionFor(inst, args.policy.exemptions, deps.now);
          if (exempt.exempt) plan.notes.push({ resourceId: inst.id, action: 'check-prices', reason: exempt.reason ?? 'exempt', status: 'exempt' });
          else running.push(spotRef(inst));
        }
      }
    }
  } catch (e) {
    for (const { plan } of riders) plan.readFailures.push(`listing spot instances: ${(e as Error).message}`);
  }
}

function priceNotice({ policy, scope }: ScopeArgs<SpotPolicy>, key: PriceKey, alert: SpotAlert): NoticeAction {
  const detail = spotPriceAlertDetailSchema.parse({
    policy: policy.name,
    vendor: key.vendor,
    target: key.target,
    region: scope.region,
    zone: key.zone,
    instanceType: key.instanceType,
    condition: alert.condition,
    kind: alert.kind,
    since: alert.since,
    price: alert.price,
    onDemandPrice: alert.onDemandPrice,
    currency: alert.currency,
    threshold: alert.threshold,
    observed: alert.observed,
    instances: alert.instances,
    message: alert.reason,
  });
  const isBid = alert.kind === 'bid-margin';
  return {
    kind: 'notice',
    undoHint: UNDO.notice,
    resourceId: isBid ? alert.instances[0]!.id : `${key.zone}/${key.instanceType}`,
    resourceKind: isBid ? 'instance' : 'price',
    action: `alert-${alert.kind}`,
    reason: `${alert.reason}${alert.isNew ? '' : ` (ongoing since ${alert.since})`}`,
    // condition + start time: a continuing condition keeps its key (sent once); a returning one gets a new key
    slot: `${alert.condition}@${alert.since}`,
    destructive: false,
    expected: { price: alert.price, threshold: alert.threshold },
    event: { detailType: SPOT_PRICE_ALERT, detail },
  };
}

function reclaimNotice(
  { policy, client, target, scope }: ScopeArgs<SpotPolicy>,
  inst: SpotInstanceRef,
  source: 'vendor' | 'event',
  slot: string,
  reason: string,
  times: { reclaimAt?: string; eventAt?: string },
): PlannedAction {
  const detail = spotReclaimAlertDetailSchema.parse({
    policy: policy.name,
    vendor: client.vendor,
    target: target.name,
    region: scope.region,
    instance: inst,
    source,
    ...times,
    message: reason,
  });
  return instanceNotice(inst, {
    action: 'alert-reclaim',
    reason,
    slot,
    before: { ...inst },
    event: { detailType: SPOT_RECLAIM_ALERT, detail },
  });
}

