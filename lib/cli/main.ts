import { parseArgs } from 'node:util';
import type { AuditQuery } from '../audit/store';
import { ConfigError, functionNames, loadConfig } from '../config';
import { TriggerError } from '../runtime/triggers';
import { resolveConfigPath } from './config-path';
import { UsageError } from './errors';
import { processIo, type CliIo } from './io';
import { isoArg, runCommand } from './run';
import { checkFunction } from './selection';
import { openConfiguredAuditStore } from './store';

export { UsageError } from './errors';

export const USAGE = `usage: cloud-automation <plan|apply|audit> [options]

  plan                 dry run of the functions against your config (changes nothing)
  plan --out FILE      ...and save what apply would do
  apply                plan, show, ask, then enforce the mode: enforce policies (--yes: don't ask)
  apply FILE           enforce exactly a saved plan; refused if the fleet or config changed since
  audit                query the audit trail

options (plan, apply):
  --config PATH       config file (default: --config, $AUTOMATION_CONFIG, ./automation.yml, then
                      .automation/demo-config.yml written by npm start)
  --function NAME     one of ${functionNames.join(', ')} (default: all)
  --target NAME       only this target (repeatable)
  --policy NAME       only this policy (repeatable)
  --override-mode     with --policy: enforce the named policies even if they are mode: dry-run
  --now ISO           business time of the run (default: now)
  --yes               apply without asking
  --wide              print every column in full instead of fitting the terminal
  --json              print the reports as JSON
options (audit):
  --resource ID  --action NAME  --function NAME  --outcome OUTCOME  --phase PHASE
  --since ISO  --until ISO  --run ID  --limit N  --json

exit codes: 0 ok, 1 failures in the run or apply refused/cancelled (nothing changed), 2 invalid config or arguments`;

/** The CLI; returns the exit code. `io` replaces the terminal (tests). */
export async function main(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
  io: Partial<CliIo> = {},
): Promise<number> {
  const cli: CliIo = { ...processIo(out, err), ...io };
  try {
    const [command, ...rest] = argv;
    if (command === 'plan' || command === 'apply') return await runCommand(command, rest, cli);
    if (command === 'audit') return await auditCommand(rest, cli);
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

async function auditCommand(args: string[], io: CliIo): Promise<number> {
  const out = io.out;
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
  const config = await loadConfig(resolveConfigPath(values.config, io.env));
  const store = await openConfiguredAuditStore(config);
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
