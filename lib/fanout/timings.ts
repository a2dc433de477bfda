import type { AuditRecord, AuditStore } from '../audit';
import type { AutomationConfig, FunctionName } from '../config/schema';
import { messageGroupOf, scopeKey, type WorkItem } from './work-item';

/**
 * How long each work item took, kept in the audit trail so the next dispatch can send the longest
 * message groups first (docs/fanout.md "Longest first"). A notice per invocation: nothing changes
 * at the vendor, nothing conflicts, and the functions need no permission the trail does not.
 */
export const WORK_ITEM_TIME = 'work-item-time';

/** One partition per function, so the dispatcher reads the latest times in one query. */
export const timesPartition = (fn: FunctionName): string => `fanout|${fn}`;

/** The notice for one invocation of a work item; undefined when its target is no longer configured. */
export function workItemTimeRecord(item: WorkItem, ms: number, config: AutomationConfig, runId: string, at = new Date()): AuditRecord | undefined {
  const vendor = config.targets.find((t) => t.name === item.target)?.vendor;
  if (!vendor) return undefined;
  return {
    schemaVersion: 1,
    phase: 'notice',
    actionKey: `${item.function}|fanout|${scopeKey(item)}|${item.origin}|${item.attempt}`,
    runId,
    trigger: 'schedule',
    function: item.function,
    policy: item.policy,
    vendor,
    target: item.target,
    // not the scope's own region: a scope's runs read their trail by function × target × region,
    // and one notice an invocation would grow every read of it (no vendor's region has a colon)
    region: `fan-out:${item.region}`,
    resourceId: timesPartition(item.function),
    resourceKind: 'other',
    action: WORK_ITEM_TIME,
    mode: 'dry-run', // an observation: nothing changes at the vendor
    reason: `work item ${scopeKey(item)} attempt ${item.attempt} took ${Math.round(ms)} ms`,
    requestIds: [],
    at: at.toISOString(),
    details: { scope: scopeKey(item), origin: item.origin, attempt: item.attempt, ms: Math.round(ms) },
  };
}

/**
 * Each scope's time in the newest dispatch that ran it (its attempts added up), from the newest
 * `limit` notices of the function.
 */
export async function lastTimes(store: AuditStore, fn: FunctionName, limit: number): Promise<Map<string, number>> {
  const records = await store.query({ resourceId: timesPartition(fn), action: WORK_ITEM_TIME, function: fn, newestFirst: true, limit });
  const origins = new Map<string, string>();
  const times = new Map<string, number>();
  for (const r of records) {
    const { scope, origin, ms } = (r.details ?? {}) as { scope?: unknown; origin?: unknown; ms?: unknown };
    if (typeof scope !== 'string' || typeof origin !== 'string' || typeof ms !== 'number') continue;
    if (!origins.has(scope)) origins.set(scope, origin);
    if (origins.get(scope) === origin) times.set(scope, (times.get(scope) ?? 0) + ms);
  }
  return times;
}

/**
 * Longest processing time first: the message groups whose items took longest last time go to the
 * queue first, so the long ones start while the short ones fill the gaps (with more items than
 * workers, a long group sent last ends the run late). A group with an item never timed goes first
 * (it may be long); without any times the plan order stands. A group's items keep their order.
 */
export function longestFirst(items: WorkItem[], times: ReadonlyMap<string, number>): WorkItem[] {
  if (!items.some((i) => times.has(scopeKey(i)))) return items;
  const groups = new Map<string, { items: WorkItem[]; ms: number }>();
  for (const item of items) {
    const group = groups.get(messageGroupOf(item)) ?? { items: [], ms: 0 };
    group.items.push(item);
    group.ms += times.get(scopeKey(item)) ?? Number.POSITIVE_INFINITY;
    groups.set(messageGroupOf(item), group);
  }
  // Array.prototype.sort is stable: groups of equal time keep the plan order
  return [...groups.values()].sort((a, b) => (a.ms === b.ms ? 0 : b.ms - a.ms)).flatMap((g) => g.items);
}
