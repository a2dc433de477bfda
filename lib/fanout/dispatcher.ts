import type { AutomationConfig, FunctionName } from '../config/schema';
import { planWorkItems } from './plan';
import type { WorkQueue } from './queue';

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
}

/** A scheduled run in dispatch mode: plan one work item per scope and put them on the queue. */
export async function dispatch(fn: FunctionName, config: AutomationConfig, now: Date, runId: string, queue: WorkQueue): Promise<DispatchReport> {
  const items = planWorkItems(config, fn, now, runId);
  const { calls } = items.length ? await queue.sendAll(items) : { calls: 0 };
  const byTarget: Record<string, number> = {};
  for (const i of items) byTarget[i.target] = (byTarget[i.target] ?? 0) + 1;
  return { function: fn, runId, mode: 'dispatch', now: now.toISOString(), queueUrl: queue.queueUrl, workItems: items.length, calls, byTarget };
}
