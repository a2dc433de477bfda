import type { AutomationConfig, FunctionName } from '../config/schema';
import { planWorkItems } from './plan';
import type { WorkQueue } from './queue';
import { longestFirst } from './timings';
import { scopeKey } from './work-item';

/** The dispatch path's reader of the times (fanout-handler.ts loads this module alone). */
export { lastTimes } from './timings';

export interface DispatchReport {
  function: FunctionName;
  runId: string;
  mode: 'dispatch';
  now: string;
  queueUrl: string;
  workItems: number;
  /** SendMessageBatch calls made (10 items per call). */
  calls: number;
  /** Work items per target. */
  byTarget: Record<string, number>;
  /** The queue's order: longest message groups first (by the last run's times), or the plan's. */
  order: 'longest-first' | 'plan';
  /** Work items whose scope has a time from an earlier run. */
  timed: number;
}

/** Each scope's time in the last run, from the newest `limit` notices (timings.ts `lastTimes`). */
export type LastTimes = (limit: number) => Promise<ReadonlyMap<string, number>>;

/** Notices read per planned item: its last dispatch, and room for continuations. */
export const TIMES_READ_PER_ITEM = 3;

/**
 * A scheduled run in dispatch mode: plan one work item per scope and put them on the queue, the
 * message groups that took longest last time first.
 */
export async function dispatch(fn: FunctionName, config: AutomationConfig, now: Date, runId: string, queue: WorkQueue, lastTimes?: LastTimes): Promise<DispatchReport> {
  const planned = planWorkItems(config, fn, now, runId);
  const times = planned.length && lastTimes ? await lastTimes(TIMES_READ_PER_ITEM * planned.length) : new Map<string, number>();
  const items = longestFirst(planned, times);
  const { calls } = items.length ? await queue.sendAll(items) : { calls: 0 };
  const byTarget: Record<string, number> = {};
  for (const i of items) byTarget[i.target] = (byTarget[i.target] ?? 0) + 1;
  const timed = planned.filter((i) => times.has(scopeKey(i))).length;
  return { function: fn, runId, mode: 'dispatch', now: now.toISOString(), queueUrl: queue.queueUrl, workItems: items.length, calls, byTarget, order: items === planned ? 'plan' : 'longest-first', timed };
}
