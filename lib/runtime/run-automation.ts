import type { CloudEventFocus, RunReport } from '../automations/engine/types';
import type { Automation } from '../automations/registry';
import type { FunctionName } from '../config/names';
import type { TransportOptions } from '../vendors/core';
import type { RunContext } from './context';
import { createHandler, type HandlerOptions } from './handler';
import { resolveCredentials, resolveOperatorCredentials } from './credentials';
import { publishRunMetrics, type MetricsSink } from './metrics';

export interface AutomationHandlerOptions extends HandlerOptions {
  transport?: TransportOptions;
  progress?: (message: string) => void;
  /** Enforce only the actions of an approved plan (their action keys). */
  allowAction?: (actionKey: string) => boolean;
  /** Where run metrics go; default Powertools Metrics when running in Lambda (metrics.ts). */
  metrics?: MetricsSink;
}

/**
 * The engine's modules, imported on the first run, not at init (DECISIONS.md "Cold start");
 * submodules, not the automations index: a function evaluates only its own automation
 * (loadAutomation). Kept for the container's life: a warm invocation does not ask the module
 * loader (and its resolve hooks, where there are any) again. A failed import is not kept.
 */
const importEngine = () => Promise.all([import('../automations/deps'), import('../automations/engine/run'), import('../automations/registry')]);
let engine: ReturnType<typeof importEngine> | undefined;
const automations = new Map<FunctionName, Promise<Automation>>();

function loadEngine(): ReturnType<typeof importEngine> {
  if (!engine) {
    engine = importEngine();
    engine.catch(() => (engine = undefined));
  }
  return engine;
}

function automationOf(name: FunctionName, load: (name: FunctionName) => Promise<Automation>): Promise<Automation> {
  let automation = automations.get(name);
  if (!automation) {
    automation = load(name);
    automations.set(name, automation);
    automation.catch(() => automations.delete(name));
  }
  return automation;
}

/** Runs one automation for a RunContext: engine deps from the config, the plan, the audit. */
export async function runAutomationFor(name: FunctionName, ctx: RunContext, options: AutomationHandlerOptions = {}): Promise<RunReport> {
  const [{ buildEngineDeps }, { runAutomation }, { loadAutomation }] = await loadEngine();
  const event = ctx.trigger.event;
  const focus: CloudEventFocus | undefined = event
    ? { detailType: event['detail-type'], vendor: event.detail.vendor, target: event.detail.target, region: event.detail.region, instanceId: event.detail.instanceId, at: event.detail.at }
    : undefined;
  const deps = await buildEngineDeps({
    runId: ctx.runId,
    trigger: ctx.trigger.kind,
    now: ctx.now,
    config: ctx.config,
    modeFor: ctx.modeFor,
    shouldStop: ctx.shouldStop,
    remainingMs: ctx.remainingMs,
    filters: ctx.filters,
    focus,
    transport: options.transport,
    progress: options.progress,
    allowAction: options.allowAction,
    log: (level, message, data) => ctx.logger[level](message, data ?? {}),
    resolveCredentials: (target, which) => (which === 'operatorCredentials' ? resolveOperatorCredentials(target) : resolveCredentials(target)),
  });
  try {
    const automation = await automationOf(name, loadAutomation);
    const report = await runAutomation(deps, automation.spec, automation.policies(ctx.config));
    await publishRunMetrics(name, report, { metrics: options.metrics, onError: (e) => ctx.logger.warn('run metrics not published', { error: (e as Error).message }) });
    return report;
  } finally {
    await deps.close();
  }
}

/** The Lambda handler of one automation: the runtime wrapper around runAutomationFor. */
export function automationHandler(name: FunctionName, options: AutomationHandlerOptions = {}) {
  return createHandler<RunReport>(name, (ctx) => runAutomationFor(name, ctx, options), options);
}
