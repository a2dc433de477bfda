import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { RunReport } from '../automations/engine/types';
import type { AutomationConfig, FunctionName } from '../config/schema';
import type { DispatchReport } from '../fanout/dispatcher';
import type { WorkQueue } from '../fanout/queue';
import type { lastTimes as LastTimesOfStore } from '../fanout/timings';
import { configFromSsm, loadConfig } from './ssm-config';
import { createHandler } from './handler';
import { createLogger, type Logger } from './logger';
import { automationHandler, type AutomationHandlerOptions } from './run-automation';

export interface FanoutHandlerOptions extends AutomationHandlerOptions {
  /** The work queue; default: from FANOUT_QUEUE_URL (unset = no fan-out: scheduled runs stay in-process). */
  queue?: WorkQueue;
  /** Continuations of one work item before its message fails (default 25). */
  maxAttempts?: number;
}

export type FanoutResult = RunReport | DispatchReport | SQSBatchResponse;

/**
 * The handler of an automation that fans out (docs/fanout.md):
 * - an SQS event → worker mode: one work item per record, run restricted to its scope, partial
 *   batch failures reported (Powertools batch);
 * - a scheduled event with a work queue configured → dispatch mode: plan work items, SendMessageBatch;
 * - anything else (manual payloads, cloud events, schedules without a queue) → the in-process
 *   handler, unchanged.
 */
export function fanoutHandler(name: FunctionName, options: FanoutHandlerOptions = {}) {
  const logger = options.logger ?? createLogger(name);
  const shared = { ...options, logger };
  const inProcess = automationHandler(name, shared);
  const queueOf = queueResolver(options.queue);
  const dispatcher = createHandler<DispatchReport>(
    name,
    async (ctx) => {
      // one after the other: both graphs hold the work item module, and jest's ESM linker fails
      // on overlapping graphs imported at once ("request for … is not in cache"); Node does not
      const { dispatch, lastTimes } = await import('../fanout/dispatcher');
      const queue = await queueOf();
      return dispatch(name, ctx.config, ctx.now, ctx.runId, queue!, (limit) => lastTimesOf(lastTimes, name, ctx.config, limit, ctx.logger));
    },
    shared,
  );
  const config = configLoader(options);

  // Worker mode (Powertools batch, the fan-out modules) loads with the first SQS event: the
  // scheduled and manual paths never pay for it, nor does init (DECISIONS.md "Cold start").
  let worker: Promise<(event: SQSEvent, context: Context) => Promise<SQSBatchResponse>> | undefined;
  const workerOf = () => {
    if (!worker) {
      worker = import('./fanout-worker').then(({ fanoutWorker }) => fanoutWorker(name, shared, { config, queueOf, maxAttempts: options.maxAttempts }));
      worker.catch(() => (worker = undefined));
    }
    return worker;
  };

  return async (event: unknown, context: Context): Promise<FanoutResult> => {
    queueUrlFromName(context);
    if (isSqsEvent(event)) return (await workerOf())(event, context);
    if (isScheduledEvent(event) && queueConfigured(options.queue)) return dispatcher(event, context);
    return inProcess(event, context);
  };
}

/**
 * The last run's work item times, for the queue's order only: a trail that cannot be read leaves
 * the plan order (logged), never a failed dispatch.
 */
async function lastTimesOf(lastTimes: typeof LastTimesOfStore, name: FunctionName, config: AutomationConfig, limit: number, logger: Logger): Promise<ReadonlyMap<string, number>> {
  try {
    const { auditStoreConfigOf, openAuditStore } = await import('../audit/open');
    const store = await openAuditStore(auditStoreConfigOf(config.audit));
    try {
      return await lastTimes(store, name, limit);
    } finally {
      await store.close?.();
    }
  } catch (e) {
    logger.warn('last work item times not read: the queue keeps the plan order', { error: (e as Error).message });
    return new Map();
  }
}

export function isSqsEvent(event: unknown): event is SQSEvent {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => (r as { eventSource?: unknown })?.eventSource === 'aws:sqs');
}

function isScheduledEvent(event: unknown): boolean {
  const source = (event as { source?: unknown })?.source;
  return source === 'aws.events' || source === 'aws.scheduler';
}

/**
 * serverless.yml sets FANOUT_QUEUE_NAME (a plain string, so `sls invoke local` needs no AWS
 * lookups); in Lambda the queue URL follows from the function's own ARN. Local runs never fan out.
 */
function queueUrlFromName(context: Partial<Context> | undefined): void {
  const name = process.env.FANOUT_QUEUE_NAME;
  if (process.env.FANOUT_QUEUE_URL || !name || process.env.IS_LOCAL === 'true' || !process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const [, partition, , region, account] = context?.invokedFunctionArn?.split(':') ?? [];
  if (!region || !account) return;
  const domain = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  process.env.FANOUT_QUEUE_URL = `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** A work queue is configured: from options, else FANOUT_QUEUE_URL (re-read per invocation). */
const queueConfigured = (fixed?: WorkQueue) => fixed !== undefined || !!process.env.FANOUT_QUEUE_URL;

/** The queue from options, else from FANOUT_QUEUE_URL (re-read per invocation, one client per URL; the module loads on first use). */
function queueResolver(fixed?: WorkQueue) {
  let cached: WorkQueue | undefined;
  return async (required = false): Promise<WorkQueue | undefined> => {
    if (fixed) return fixed;
    const url = process.env.FANOUT_QUEUE_URL;
    if (!url && !required) return undefined;
    const { WorkQueue } = await import('../fanout/queue');
    if (!url) return WorkQueue.fromEnv(); // throws, naming the variable
    if (cached?.queueUrl !== url) cached = WorkQueue.fromEnv();
    return cached;
  };
}

export type QueueResolver = ReturnType<typeof queueResolver>;

/** The config, once per cold start and per AUTOMATION_CONFIG path (as the in-process handler loads it). */
function configLoader(options: FanoutHandlerOptions): () => Promise<AutomationConfig> {
  let once: Promise<AutomationConfig> | undefined;
  let from: string | undefined;
  return () => {
    if (options.config) return Promise.resolve(options.config);
    if (!options.loadConfig && configFromSsm()) return loadConfig(); // the parameter cache decides (ssm-config.ts)
    const path = process.env.AUTOMATION_CONFIG;
    if (from !== path) once = undefined;
    from = path;
    once ??= (options.loadConfig ?? (() => loadConfig()))();
    once.catch(() => (once = undefined));
    return once;
  };
}
