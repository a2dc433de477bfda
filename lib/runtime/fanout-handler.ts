import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { RunReport } from '../automations';
import type { AutomationConfig, FunctionName } from '../config';
import { configFromSsm, loadConfig } from './ssm-config';
import { dispatch, type DispatchReport } from '../fanout/dispatcher';
import { restrictConfig } from '../fanout/restrict';
import { WorkQueue } from '../fanout/queue';
import { parseWorkItem, scopeKey, type WorkItem } from '../fanout/work-item';
import { processWorkItem, type WorkItemRun } from '../fanout/worker';
import type { RunContext } from './context';
import { createHandler } from './handler';
import { createLogger } from './logger';
import { automationHandler, runAutomationFor, type AutomationHandlerOptions } from './run-automation';

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
  const dispatcher = createHandler<DispatchReport>(name, (ctx) => dispatch(name, ctx.config, ctx.now, ctx.runId, queueOf()!), shared);
  const config = configLoader(options);

  const worker = middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const cfg = await config();
      const processor = new BatchProcessor(EventType.SQS);
      const recordHandler = async (record: SQSRecord) => {
        const item = parseWorkItem(record.body);
        if (item.function !== name) throw new Error(`work item for ${item.function} reached the ${name} worker; each function has its own queue event source`);
        const outcome = await processWorkItem(item, {
          run: (it) => runWorkItem(name, it, cfg, context, shared),
          requeue: (next) => queueOf(true)!.send(next),
          maxAttempts: options.maxAttempts,
        });
        logger.info(outcome.status === 'continued' ? 'work item continued' : 'work item done', {
          scope: scopeKey(item),
          attempt: item.attempt,
          summary: outcome.report.summary,
        });
        return outcome.status;
      };
      // batchSize 1 in serverless.yml; a failed item is returned in batchItemFailures, never thrown
      return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false });
    });

  return async (event: unknown, context: Context): Promise<FanoutResult> => {
    queueUrlFromName(context);
    if (isSqsEvent(event)) return worker(event, context);
    if (isScheduledEvent(event) && queueOf()) return dispatcher(event, context);
    return inProcess(event, context);
  };
}

/** Runs the automation on one work item's scope, noting whether the invocation neared its timeout. */
async function runWorkItem(name: FunctionName, item: WorkItem, config: AutomationConfig, lambda: Context, options: FanoutHandlerOptions): Promise<WorkItemRun> {
  const restricted = restrictConfig(config, name, item);
  const logger = options.logger!;
  const remainingMs = () => (typeof lambda.getRemainingTimeInMillis === 'function' ? lambda.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY);
  let stopped = false;
  const filters = { targets: [item.target], policies: [item.policy] };
  const ctx: RunContext = {
    runId: randomUUID(),
    function: name,
    trigger: { kind: 'schedule', scheduledAt: item.now },
    now: new Date(item.now),
    config: restricted,
    logger,
    modeFor: (policy) => policy.mode,
    remainingMs,
    shouldStop: () => {
      if (remainingMs() < restricted.safety.timeoutMarginMs) stopped = true;
      return stopped;
    },
    filters,
    includesTarget: (t) => t === item.target,
    includesPolicy: (p) => p === item.policy,
    cursor: item.cursor,
  };
  logger.appendKeys({ runId: ctx.runId, origin: item.origin, scope: scopeKey(item), attempt: item.attempt });
  const report = await runAutomationFor(name, ctx, options);
  return { report, stopped: stopped || report.continuation !== undefined };
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

/** The queue from options, else from FANOUT_QUEUE_URL (re-read per invocation, one client per URL). */
function queueResolver(fixed?: WorkQueue) {
  let cached: WorkQueue | undefined;
  return (required = false): WorkQueue | undefined => {
    if (fixed) return fixed;
    const url = process.env.FANOUT_QUEUE_URL;
    if (!url) {
      if (required) return WorkQueue.fromEnv(); // throws, naming the variable
      return undefined;
    }
    if (cached?.queueUrl !== url) cached = WorkQueue.fromEnv();
    return cached;
  };
}

/** The config, once per cold start and per AUTOMATION_CONFIG path (as the in-process handler loads it). */
function configLoader(options: FanoutHandlerOptions) {
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
