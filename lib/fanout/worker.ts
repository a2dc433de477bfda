import type { RunReport } from '../automations';
import { CURSOR_MAX_IDS, scopeKey, type WorkItem } from './work-item';

/** Default cap on continuations of one work item; past it the message fails (and lands in the DLQ). */
export const DEFAULT_MAX_ATTEMPTS = 25;

export interface WorkItemRun {
  report: RunReport;
  /** The invocation neared its timeout (RunContext.shouldStop() said so at least once). */
  stopped: boolean;
}

export interface WorkerDeps {
  /** Runs the automation restricted to the item's scope. */
  run(item: WorkItem): Promise<WorkItemRun>;
  /** Puts the continuation on the queue. */
  requeue(next: WorkItem): Promise<void>;
  maxAttempts?: number;
}

export type WorkItemOutcome = { status: 'done'; report: RunReport } | { status: 'continued'; report: RunReport; next: WorkItem };

/** The work item failed; the SQS record is reported in batchItemFailures so SQS redelivers it (then the DLQ). */
export class WorkItemFailed extends Error {
  override readonly name = 'WorkItemFailed';
}

/**
 * One work item, one invocation: run the scope; if the invocation neared its timeout, re-enqueue
 * the item with a cursor and succeed (the continuation re-plans, and the audit ledger's action
 * keys skip what is done, so nothing repeats and nothing is missed); if a scope or read failed,
 * fail the record so SQS retries it.
 */
export async function processWorkItem(item: WorkItem, deps: WorkerDeps): Promise<WorkItemOutcome> {
  const { report, stopped } = await deps.run(item);
  if (stopped) {
    const max = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (item.attempt >= max) throw new WorkItemFailed(`${scopeKey(item)}: still unfinished after ${item.attempt} invocations (max ${max}); raise the function timeout or split the scope`);
    const next = continuationOf(item, report);
    await deps.requeue(next);
    return { status: 'continued', report, next };
  }
  if (report.errors.length) throw new WorkItemFailed(`${scopeKey(item)}: ${report.errors.join('; ')}`);
  return { status: 'done', report };
}

/** The same scope, attempt + 1, with what this attempt did and left (added to the earlier attempts'). */
export function continuationOf(item: WorkItem, report: RunReport): WorkItem {
  const done = report.rows.filter((r) => r.status === 'applied' || r.status === 'skipped').map((r) => r.resource);
  const deferred = report.rows.filter((r) => r.status === 'deferred').map((r) => r.resource);
  const earlier = item.cursor ?? { doneCount: 0, done: [], deferred: [] };
  return {
    ...item,
    attempt: item.attempt + 1,
    cursor: {
      doneCount: earlier.doneCount + report.rows.filter((r) => r.status === 'applied').length,
      done: [...new Set([...earlier.done, ...done])].slice(0, CURSOR_MAX_IDS),
      deferred: deferred.slice(0, CURSOR_MAX_IDS),
    },
  };
}
