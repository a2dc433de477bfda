import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { AutomationConfig, FunctionName } from '../config/schema';
import { restrictConfig } from '../fanout/restrict';
import { parseWorkItem, scopeKey, type WorkItem } from '../fanout/work-item';
import { workItemTimeRecord } from '../fanout/timings';
import { processWorkItem, type WorkItemRun } from '../fanout/worker';
import { auditStoreConfigOf, openAuditStore } from '../audit/open';
import type { RunContext } from './context';
import type { FanoutHandlerOptions, QueueResolver } from './fanout-handler';
import type { Logger } from './logger';
import { runAutomationFor } from './run-automation';

/**
 * Worker mode of fanoutHandler (fanout-handler.ts): one work item per SQS record, run restricted
 * to its scope, partial batch failures reported (Powertools batch). Loaded with the first SQS event.
 */
export function fanoutWorker(
  name: FunctionName,
  options: FanoutHandlerOptions,
  deps: { config: () => Promise<AutomationConfig>; queueOf: QueueResolver; maxAttempts?: number },
) {
  const logger = options.logger!;
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      const cfg = await deps.config();
      const processor = new BatchProcessor(EventType.SQS);
      const recordHandler = async (record: SQSRecord) => {
        const item = parseWorkItem(record.body);
        if (item.function !== name) throw new Error(`work item for ${item.function} reached the ${name} worker; each function has its own queue event source`);
        const runId = randomUUID();
        const started = performance.now();
        const outcome = await processWorkItem(item, {
          run: (it) => runWorkItem(name, it, cfg, context, options, runId),
          requeue: async (next) => (await deps.queueOf(true))!.send(next),
          maxAttempts: deps.maxAttempts,
        }).finally(() => recordTime(item, performance.now() - started, cfg, runId, logger));
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
}

/**
 * The invocation's time, for the next dispatch's order (fanout/timings.ts). A trail that refuses
 * it costs the order, never the work item (logged).
 */
async function recordTime(item: WorkItem, ms: number, config: AutomationConfig, runId: string, logger: Logger): Promise<void> {
  const record = workItemTimeRecord(item, ms, config, runId);
  if (!record) return;
  try {
    const store = await openAuditStore(auditStoreConfigOf(config.audit));
    try {
      await store.putRecord(record);
    } finally {
      await store.close?.();
    }
  } catch (e) {
    logger.warn('work item time not recorded: the next dispatch orders this scope as new', { scope: scopeKey(item), error: (e as Error).message });
  }
}

/** Runs the automation on one work item's scope, noting whether the invocation neared its timeout. */
async function runWorkItem(name: FunctionName, item: WorkItem, config: AutomationConfig, lambda: Context, options: FanoutHandlerOptions, runId: string): Promise<WorkItemRun> {
  const restricted = restrictConfig(config, name, item);
  const logger = options.logger!;
  const remainingMs = () => (typeof lambda.getRemainingTimeInMillis === 'function' ? lambda.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY);
  let stopped = false;
  const filters = { targets: [item.target], policies: [item.policy] };
  const ctx: RunContext = {
    runId,
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
