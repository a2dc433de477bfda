import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunReport } from '../automations/engine/types';
import type { AttemptEvent } from '../vendors/core';
import { loadConfig, type AutomationConfig, type FunctionName } from '../config';
import { resolveConfigPath } from './config-path';
import { RefusedError, UsageError } from './errors';
import { localNotifier } from '../notify/local';
import type { CliIo } from './io';
import { cliLogger } from './logger';
import { PLAN_KIND, checkPlanFresh, configDigest, planDifferences, readPlanFile, writePlanFile, type PlanFile, type PlannedActionEntry } from './plan-file';
import { selectFunctions, type FunctionSelection } from './selection';
import { openConfiguredAuditStore } from './store';
import { formatReport, type TableOptions } from './table';
import { displayZone, formatTime, zoneOffset } from './time';

/** A local run has no Lambda deadline; middy arms a timer from this, so it must stay a finite 32-bit delay. */
const NO_DEADLINE_MS = 2_000_000_000;

interface RunEnv {
  io: CliIo;
  config: AutomationConfig;
  /** Delivers each enforced run's notices when notifications.channels are configured (lib/notify/local.ts). */
  notifier?: ReturnType<typeof localNotifier>;
  table: TableOptions;
  json: boolean;
  reports: RunReport[];
}

interface Payload {
  dryRun: boolean;
  targets?: string[];
  policies?: string[];
  now: string;
}

/** `plan` and `apply`; returns the exit code. */
export async function runCommand(command: 'plan' | 'apply', args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      function: { type: 'string' },
      target: { type: 'string', multiple: true },
      policy: { type: 'string', multiple: true },
      'override-mode': { type: 'boolean', default: false },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
      wide: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const configPath = resolveConfigPath(values.config, io.env);
  const config = await loadConfig(configPath); // exit 2 on an invalid file, before any work
  const zone = displayZone(config);
  const notifier = command === 'apply' ? localNotifier(config, values.json ? () => undefined : io.out) : undefined;
  const env: RunEnv = { io, config: notifier?.config ?? config, notifier, table: { columns: values.wide ? undefined : io.columns, zone }, json: values.json, reports: [] };
  say(env, `times in ${zone} (${zoneOffset(zone, io.now())}); business time ${values.now ? formatTime(values.now, zone) : 'now'}`);
  const targets = values.target?.length ? values.target : undefined;

  if (command === 'apply' && positionals.length) {
    if (positionals.length > 1 || values.function || values.policy || values.now || values.target || values['override-mode'])
      throw new UsageError('apply PLANFILE takes the selection from the plan: no --function, --policy, --target, --now or --override-mode');
    return applyPlanFile(env, configPath, positionals[0]!);
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"${command === 'plan' ? ' (save a plan with --out FILE)' : ''}`);
  if (command === 'apply' && values.out) throw new UsageError('--out belongs to plan: `plan --out plan.json`, then `apply plan.json`');
  const now = values.now ? isoArg('--now', values.now) : io.now().toISOString();
  const selection = selectFunctions(config, { function: values.function, policy: values.policy, overrideMode: values['override-mode'] }, command);

  if (command === 'plan') {
    let failures = 0;
    const saved: PlanFile['functions'] = [];
    for (const sel of selection) {
      const { report, actions } = await planPhase(env, sel.function, { dryRun: true, targets, policies: sel.named, now });
      failures += print(env, `${sel.function} (dry run${enforceNote(sel)})`, report);
      if (sel.enforce.length) saved.push({ function: sel.function, policies: sel.enforce, actions: actions.filter((a) => sel.enforce.includes(a.policy)) });
    }
    if (values.out) {
      writePlanFile(values.out, { kind: PLAN_KIND, version: 1, createdAt: io.now().toISOString(), now, config: { path: resolve(configPath), sha256: configDigest(configPath) }, targets, functions: saved });
      const n = saved.reduce((s, f) => s + f.actions.length, 0);
      say(env, `\nsaved plan ${values.out}: ${n} action(s) of mode: enforce policies${saved.length ? ` (${saved.map((f) => f.policies.join(', ')).join('; ')})` : ''}; apply exactly these with \`cloud-automation apply ${values.out}\``);
    }
    return finish(env, failures);
  }

  const toApply = selection.filter((s) => s.enforce.length);
  if (!toApply.length) {
    const dry = selection.flatMap((s) => s.dryRunOnly);
    say(env, `nothing to apply: no selected policy has mode: enforce${dry.length ? ` (mode: dry-run: ${dry.join(', ')})` : ''}. \`plan\` shows what they would do; enforce one with --policy NAME --override-mode.`);
    return finish(env, 0);
  }
  if (!values.yes && !io.interactive)
    throw new UsageError('apply shows the plan and asks before acting, and this is not a terminal: pass --yes to apply without asking, or save a plan (`plan --out plan.json`) and `apply plan.json`');

  const approved: { sel: FunctionSelection; actions: PlannedActionEntry[] }[] = [];
  let failures = 0;
  for (const sel of toApply) {
    const { report, actions } = await planPhase(env, sel.function, { dryRun: true, targets, policies: sel.enforce, now });
    failures += print(env, `${sel.function} (plan: apply enforces ${sel.enforce.join(', ')})`, report);
    approved.push({ sel, actions });
  }
  const total = approved.reduce((s, a) => s + a.actions.length, 0);
  if (!total) {
    say(env, '\nnothing to apply: the plan holds no action');
    return finish(env, failures);
  }
  if (!values.yes) {
    const answer = await io.ask(`\napply these ${total} action(s)? Only "yes" applies: `);
    if (answer.trim().toLowerCase() !== 'yes') throw new RefusedError('apply cancelled; nothing changed');
  }
  env.reports = [];
  for (const { sel, actions } of approved) {
    if (!actions.length) continue;
    const report = await enforce(env, sel.function, { dryRun: false, targets, policies: sel.enforce, now }, actions);
    failures += print(env, `${sel.function} (enforce: ${sel.enforce.join(', ')})`, report);
    if (env.notifier) failures += await env.notifier.afterRun(report);
  }
  return finish(env, failures);
}

/** `apply plan.json`: re-plans, refuses if anything differs, then enforces exactly the saved actions. */
async function applyPlanFile(env: RunEnv, configPath: string, path: string): Promise<number> {
  const plan = readPlanFile(path);
  checkPlanFresh(plan, configPath, env.io.now());
  const differences: string[] = [];
  for (const f of plan.functions) {
    const { actions } = await planPhase(env, f.function as FunctionName, { dryRun: true, targets: plan.targets, policies: f.policies, now: plan.now });
    differences.push(...planDifferences(f.actions, actions).map((d) => `${f.function}: ${d}`));
  }
  if (differences.length) {
    const shown = differences.slice(0, 20);
    throw new RefusedError(
      `the fleet changed since the plan was made; nothing applied. Make a new plan.\n  ${shown.join('\n  ')}${differences.length > shown.length ? `\n  … and ${differences.length - shown.length} more` : ''}`,
    );
  }
  env.reports = [];
  let failures = 0;
  for (const f of plan.functions) {
    if (!f.actions.length) continue;
    const report = await enforce(env, f.function as FunctionName, { dryRun: false, targets: plan.targets, policies: f.policies, now: plan.now }, f.actions);
    failures += print(env, `${f.function} (enforce saved plan: ${f.policies.join(', ')})`, report);
    if (env.notifier) failures += await env.notifier.afterRun(report);
  }
  if (!plan.functions.some((f) => f.actions.length)) say(env, 'nothing to apply: the saved plan holds no action');
  return finish(env, failures);
}

/** A dry run, and the actions it planned (read back from the audit trail by run id). */
async function planPhase(env: RunEnv, fn: FunctionName, payload: Payload): Promise<{ report: RunReport; actions: PlannedActionEntry[] }> {
  const report = await invoke(env, fn, payload);
  const store = await openConfiguredAuditStore(env.config);
  try {
    const records = await store.query({ runId: report.runId, phase: 'planned' });
    const actions = records.map((r) => ({ key: r.actionKey, policy: r.policy, target: r.target, region: r.region, resource: r.resourceId, action: r.action, reason: r.reason }));
    return { report, actions };
  } finally {
    await store.close?.();
  }
}

function enforce(env: RunEnv, fn: FunctionName, payload: Payload, approved: PlannedActionEntry[]): Promise<RunReport> {
  const keys = new Set(approved.map((a) => a.key));
  return invoke(env, fn, payload, (key) => keys.has(key));
}

async function invoke(env: RunEnv, fn: FunctionName, payload: Payload, allowAction?: (key: string) => boolean): Promise<RunReport> {
  const { automationHandler } = await import('../runtime/run-automation');
  const handler = automationHandler(fn, { config: env.config, allowAction, logger: cliLogger(fn, env.io.env), ...progressOptions(env.io.progress) });
  try {
    const report = await handler(payload, { functionName: fn, getRemainingTimeInMillis: () => NO_DEADLINE_MS } as never);
    env.reports.push(report);
    return report;
  } finally {
    env.io.progress?.('');
  }
}

/** Progress on a terminal: the scope, vendor requests answered so far, and retries with their cause (a hung endpoint shows). */
function progressOptions(progress: CliIo['progress']) {
  if (!progress) return {};
  let scope = '';
  let answered = 0;
  return {
    progress: (message: string) => progress((scope = message)),
    transport: {
      onAttempt: (a: AttemptEvent) => {
        if (a.outcome === 'ok') answered++;
        progress(`${scope} · ${answered} request(s) answered${a.outcome === 'ok' ? '' : ` · ${a.vendor} ${a.action}: ${a.code ?? `HTTP ${a.status}`}${a.outcome === 'retry' ? `, retrying (attempt ${a.attempt})` : ''}`}`);
      },
    },
  };
}

/** Prints one report (unless --json); returns its failure count. */
function print(env: RunEnv, title: string, report: RunReport): number {
  if (!env.json) env.io.out(`\n== ${title} ==\n${formatReport(report, env.table)}`);
  return report.rows.filter((r) => r.status === 'failed').length + report.errors.length;
}

function say(env: RunEnv, text: string) {
  if (!env.json) env.io.out(text);
}

function finish(env: RunEnv, failures: number): number {
  if (env.json) env.io.out(JSON.stringify(env.reports, null, 2));
  return failures ? 1 : 0;
}

function enforceNote(sel: FunctionSelection): string {
  if (!sel.enforce.length && !sel.dryRunOnly.length) return '';
  return `; apply enforces ${sel.enforce.join(', ') || 'none'}${sel.dryRunOnly.length ? `, not ${sel.dryRunOnly.join(', ')} (mode: dry-run)` : ''}`;
}

export function isoArg(flag: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) throw new UsageError(`${flag}: expected an ISO time with zone, e.g. 2026-11-24T00:00:00Z, got "${value}"`);
  return new Date(ms).toISOString();
}
