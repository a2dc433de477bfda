import { createHash } from 'node:crypto';
import { z } from 'zod';
import { functionNames } from '../config/schema';

/** Resource labels kept in a cursor: informational only (the audit ledger decides what is done), capped to stay far below SQS's 256 KiB. */
export const CURSOR_MAX_IDS = 1000;

/**
 * One unit of fanned-out work: a policy of one function on one target × region (× project, where
 * the vendor scans projects one by one). `now` is the dispatching schedule's business time, so
 * every worker — and every continuation — plans the same schedule slots and action keys.
 */
export const workItemSchema = z.strictObject({
  v: z.literal(1),
  function: z.enum(functionNames),
  policy: z.string().min(1),
  target: z.string().min(1),
  region: z.string().min(1),
  /** KEC ProjectId, when the target lists `settings.projects`. */
  project: z.string().min(1).optional(),
  now: z.iso.datetime({ offset: true }),
  /** Run id of the dispatching invocation (correlation in logs). */
  origin: z.string().min(1),
  /** 1 for the dispatched item, +1 per continuation. */
  attempt: z.int().min(1),
  /** Set on a continuation: what the earlier attempts reported. The continued run re-plans; action keys stop repeats. */
  cursor: z
    .strictObject({
      doneCount: z.int().min(0),
      /** Resources applied or found done so far (first CURSOR_MAX_IDS). */
      done: z.array(z.string()),
      /** Resources left unstarted when the invocation neared its timeout (first CURSOR_MAX_IDS). */
      deferred: z.array(z.string()),
    })
    .optional(),
});
export type WorkItem = z.output<typeof workItemSchema>;

export class InvalidWorkItem extends Error {
  override readonly name = 'InvalidWorkItem';
}

/** Parses an SQS message body; the error names the field and what was expected. */
export function parseWorkItem(body: string): WorkItem {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidWorkItem('work item: the message body is not JSON; expected a work item sent by the dispatcher');
  }
  const r = workItemSchema.safeParse(json);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new InvalidWorkItem(`work item: ${problems.join('; ')}`);
}

/** function / policy / target / region [/ project]: what a work item covers. */
export function scopeKey(item: Pick<WorkItem, 'function' | 'policy' | 'target' | 'region' | 'project'>): string {
  return [item.function, item.policy, item.target, item.region, ...(item.project !== undefined ? [item.project] : [])].join('/');
}

/**
 * The FIFO message group: one vendor account in one region. SQS hands out one message of a group
 * at a time, so at most one worker talks to an account-region at once, and that worker's token
 * buckets (per vendor, action, region) hold the documented rates for all workers together.
 */
export function messageGroupOf(item: WorkItem): string {
  return `${item.target}|${item.region}`;
}

/** FIFO deduplication: the same scope, schedule time and attempt is one message (a re-dispatched schedule is dropped). */
export function deduplicationIdOf(item: WorkItem): string {
  return createHash('sha256').update(`${scopeKey(item)}|${item.now}|${item.attempt}`).digest('hex');
}
