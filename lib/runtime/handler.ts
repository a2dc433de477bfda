import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { AutomationConfig } from '../config/schema';
import { functionPolicyKey } from '../config/names';
import { configFromSsm, loadConfig as loadDeployedConfig } from './ssm-config';
import type { HandlerName, RunContext } from './context';
import { createLogger, type Logger } from './logger';
import { TriggerError } from './trigger-error';
import type { Trigger } from './triggers';

// The trigger schemas (zod) load with the first invocation, not at init (DECISIONS.md "Cold start").
const triggers = () => import('./triggers');

export interface HandlerOptions {
  /** Use this config instead of loading the file (tests). */
  config?: AutomationConfig;
  /** How to load the config; called once per cold start. Default: AUTOMATION_CONFIG, a file or `ssm:<name>` (ssm-config.ts). */
  loadConfig?: () => Promise<AutomationConfig>;
  logger?: Logger;
}

type RunLambdaContext = Context & { run: RunContext };

/**
 * The one middy pipeline every function uses: load the config (once per cold start), recognise
 * the trigger, build the RunContext (run id, business time, dry-run rule, timeout awareness),
 * log start/finish/failure as redacted JSON, and return what `run` returns.
 */
export function createHandler<R>(
  name: HandlerName,
  run: (ctx: RunContext) => Promise<R>,
  options: HandlerOptions = {},
): middy.MiddyfiedHandler<unknown, R, Error, Context> {
  const logger = options.logger ?? createLogger(name);
  let configOnce: Promise<AutomationConfig> | undefined;
  let configFrom: string | undefined;
  const config = () => {
    if (options.config) return Promise.resolve(options.config);
    // from SSM: every invocation asks the parameter cache, so a changed config lands within its age
    if (!options.loadConfig && configFromSsm()) return loadDeployedConfig();
    // cached per cold start, and per config path: pointing AUTOMATION_CONFIG elsewhere re-reads
    const path = process.env.AUTOMATION_CONFIG;
    if (configFrom !== path) configOnce = undefined;
    configFrom = path;
    configOnce ??= (options.loadConfig ?? (() => loadDeployedConfig()))();
    configOnce.catch(() => (configOnce = undefined)); // a broken file is re-read on the next invocation
    return configOnce;
  };

  const runContext: middy.MiddlewareObj<unknown, R, Error, RunLambdaContext> = {
    before: async (request) => {
      const [cfg, { recognizeTrigger }] = await Promise.all([config(), triggers()]);
      const trigger = recognizeTrigger(request.event);
      const ctx = buildRunContext(name, trigger, cfg, request.context, logger);
      logger.setCorrelationId(ctx.runId);
      logger.appendKeys({ runId: ctx.runId, trigger: ctx.trigger.kind });
      logger.info('run started', {
        now: ctx.now.toISOString(),
        mode: trigger.kind !== 'manual' ? 'per policy' : trigger.payload.dryRun === false ? 'enforce (mode: enforce policies and named ones)' : 'dry-run',
        filters: ctx.filters,
      });
      request.context.run = ctx;
    },
    after: async (request) => {
      logger.info('run finished', { result: request.response });
    },
    onError: async (request) => {
      logger.error(
        request.error instanceof TriggerError ? 'rejected trigger' : 'run failed',
        request.error ?? 'unknown error',
      );
    },
  };

  return middy<unknown, R, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(runContext as unknown as middy.MiddlewareObj<unknown, R, Error, Context>)
    .handler(async (_event, context) => run((context as RunLambdaContext).run));
}

function buildRunContext(
  name: HandlerName,
  trigger: Trigger,
  config: AutomationConfig,
  lambda: Partial<Context> | undefined,
  logger: Logger,
): RunContext {
  const manual = trigger.kind === 'manual' ? trigger.payload : undefined;
  const filters = { targets: manual?.targets, policies: manual?.policies };
  checkNames(name, config, filters, trigger);

  // business time: the payload's `now`, else when the schedule fired or the event happened
  const nowIso = manual?.now ?? (trigger.kind === 'schedule' ? trigger.scheduledAt : trigger.kind === 'event' ? trigger.event.time : undefined);
  const remainingMs = () =>
    typeof lambda?.getRemainingTimeInMillis === 'function'
      ? lambda.getRemainingTimeInMillis()
      : Number.POSITIVE_INFINITY;

  return {
    runId: randomUUID(),
    function: name,
    trigger:
      trigger.kind === 'schedule'
        ? { kind: 'schedule', scheduled: trigger.event, scheduledAt: trigger.scheduledAt }
        : trigger.kind === 'event'
          ? { kind: 'event', event: trigger.event }
          : { kind: 'manual' },
    now: nowIso ? new Date(nowIso) : new Date(),
    config,
    logger,
    // a manual enforce run acts with a dry-run policy only when the payload names it (design: dry-run policies never act by accident)
    modeFor: (policy) =>
      !manual ? policy.mode : manual.dryRun !== false ? 'dry-run' : policy.name !== undefined && manual.policies?.includes(policy.name) ? 'enforce' : policy.mode,
    remainingMs,
    shouldStop: () => remainingMs() < config.safety.timeoutMarginMs,
    filters,
    includesTarget: (t) => !filters.targets || filters.targets.includes(t),
    includesPolicy: (p) => !filters.policies || filters.policies.includes(p),
    cursor: manual?.cursor,
  };
}

/** A manual payload or event that names an unknown target or policy is an error, not a no-op. */
function checkNames(
  name: HandlerName,
  config: AutomationConfig,
  filters: { targets?: string[]; policies?: string[] },
  trigger: Trigger,
): void {
  const targets = config.targets.map((t) => t.name);
  const unknownTargets = (filters.targets ?? []).filter((t) => !targets.includes(t));
  if (unknownTargets.length)
    throw new TriggerError(
      `unknown target${unknownTargets.length > 1 ? 's' : ''} ${list(unknownTargets)}; configured targets: ${list(targets)}`,
    );

  if (filters.policies && name !== '_empty') {
    const key = functionPolicyKey[name];
    const policies = config.policies[key].map((p) => p.name);
    const unknown = filters.policies.filter((p) => !policies.includes(p));
    if (unknown.length)
      throw new TriggerError(
        `unknown ${name} polic${unknown.length > 1 ? 'ies' : 'y'} ${list(unknown)}; policies.${key}: ${list(policies)}`,
      );
  }

  if (trigger.kind === 'event') {
    const { target, vendor } = trigger.event.detail;
    const t = config.targets.find((x) => x.name === target);
    if (!t)
      throw new TriggerError(`event for unknown target "${target}"; configured targets: ${list(targets)}`);
    if (t.vendor !== vendor)
      throw new TriggerError(`event says vendor "${vendor}" but target "${target}" is ${t.vendor}`);
  }
}

const list = (names: string[]) => (names.length ? names.map((n) => `"${n}"`).join(', ') : '(none)');
