import { parseArgs } from 'node:util';
import type { RunReport } from '../automations/engine/types';
import { openAuditStore } from '../audit/open';
import type { AuditQuery } from '../audit/store';
import { ConfigError, functionNames, loadConfig, type FunctionName } from '../config';
import { localNotifier } from '../notify/local';
import { TriggerError } from '../runtime/triggers';
import { formatPlanTable, formatSummary } from './table';

export const USAGE = `usage: cloud-automation <plan|apply|audit> [options]

  plan    dry run of the functions against your config (changes nothing)
  apply   run them in enforce mode
  audit   query the audit store

options (plan, apply):
  --config PATH       config file (default: $AUTOMATION_CONFIG or automation.yml)
  --function NAME     one of ${functionNames.join(', ')} (default: all)
  --target NAME       only this target (repeatable)
  --policy NAME       only this policy (repeatable)
  --now ISO           business time of the run (default: now)
  --json              print the reports as JSON
options (audit):
  --resource ID  --action NAME  --function NAME  --outcome OUTCOME  --phase PHASE
  --since ISO  --until ISO  --run ID  --limit N  --json

exit codes: 0 ok, 1 failures in the run, 2 invalid config or arguments`;

export class UsageError extends Error {}

/** A local run has no Lambda deadline; middy arms a timer from this, so it must stay a finite 32-bit delay. */
const NO_DEADLINE_MS = 2_000_000_000;

/** The CLI; returns the exit code. */
export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === 'plan' || command === 'apply') return await runCommand(command, rest, out);
    if (command === 'audit') return await auditCommand(rest, out);
    if (command === undefined || command === 'help' || command === '--help') {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TriggerError || e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`error: ${(e as Error).message}`);
      if (e instanceof UsageError) err(USAGE);
      return 2;
    }
    err(`error: ${(e as Error).message}`);
    return 1;
  }
}

async function runCommand(command: 'plan' | 'apply', args: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      function: { type: 'string' },
      target: { type: 'string', multiple: true },
      policy: { type: 'string', multiple: true },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.config) process.env.AUTOMATION_CONFIG = values.config;
  const config = await loadConfig(); // fail fast, exit 2, on an invalid file
  // notices are delivered after each enforced run when notifications.channels are configured (lib/notify/local.ts)
  const notifier = command === 'apply' ? localNotifier(config, values.json ? () => {} : out) : undefined;
  const names: FunctionName[] = values.function ? [checkFunction(values.function)] : functionNames;
  const { automationHandler } = await import('../runtime/run-automation');
  const reports: RunReport[] = [];
  let failures = 0;
  for (const name of names) {
    const payload = { dryRun: command === 'plan', targets: values.target, policies: values.policy, now: values.now };
    const report = await automationHandler(name, notifier ? { config: notifier.config } : {})(payload, { functionName: name, getRemainingTimeInMillis: () => NO_DEADLINE_MS } as never);
    reports.push(report);
    failures += report.rows.filter((r) => r.status === 'failed').length + report.errors.length;
    if (!values.json) {
      out(`\n== ${name} (${command === 'plan' ? 'dry run' : 'enforce'}) ==`);
      out(formatPlanTable(report.rows));
      out(`  summary: ${formatSummary(report)}`);
    }
    if (notifier) failures += await notifier.afterRun(report);
  }
  if (values.json) out(JSON.stringify(reports, null, 2));
  return failures ? 1 : 0;
}

async function auditCommand(args: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      resource: { type: 'string' },
      action: { type: 'string' },
      function: { type: 'string' },
      outcome: { type: 'string' },
      phase: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      run: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.config) process.env.AUTOMATION_CONFIG = values.config;
  const config = await loadConfig();
  const store = await openAuditStore(
    config.audit.store === 'file' ? { kind: 'file', path: config.audit.path } : { kind: 'dynamodb', tableName: config.audit.tableName, endpoint: config.audit.endpoint, region: config.audit.region },
  );
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UsageError(`--limit: expected a whole number above 0, got "${values.limit}"`);
  const query: AuditQuery = {
    resourceId: values.resource,
    action: values.action,
    function: values.function ? checkFunction(values.function) : undefined,
    outcome: values.outcome as AuditQuery['outcome'],
    phase: values.phase as AuditQuery['phase'],
    since: values.since ? isoArg('--since', values.since) : undefined,
    until: values.until ? isoArg('--until', values.until) : undefined,
    runId: values.run,
    limit,
  };
  const records = await store.query(query);
  await store.close?.();
  if (values.json) {
    out(JSON.stringify(records, null, 2));
    return 0;
  }
  if (!records.length) {
    out('no audit records match');
    return 0;
  }
  const rows = records.map((r) => [r.at, r.phase, r.outcome ?? '', r.function, r.vendor, r.target, r.resourceId, r.action, r.mode, r.reason.slice(0, 80)]);
  const head = ['at', 'phase', 'outcome', 'function', 'vendor', 'target', 'resource', 'action', 'mode', 'reason'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  out([line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  return 0;
}

function checkFunction(name: string): FunctionName {
  if (!(functionNames as string[]).includes(name)) throw new UsageError(`--function: expected one of ${functionNames.join(', ')}, got "${name}"`);
  return name as FunctionName;
}

function isoArg(flag: string, value: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(value)) throw new UsageError(`${flag}: expected an ISO time with zone, e.g. 2026-11-24T00:00:00Z, got "${value}"`);
  return new Date(ms).toISOString();
}
