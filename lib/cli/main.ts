import { AUDIT_OUTCOMES, AUDIT_PHASES } from '../audit/record';
import { ConfigError, functionNames } from '../config';
import { TriggerError } from '../runtime/triggers';
import { auditCommand } from './audit';
import { UsageError } from './errors';
import { processIo, type CliIo } from './io';
import { reportCommand } from './report-command';
import { runCommand } from './run';
import { undoCommand } from './undo';
import { validateCommand } from './validate';

export { UsageError } from './errors';

export const USAGE = `usage: cloud-automation <plan|apply|audit|undo|validate|report> [options]

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
  --resource ID  --run ID  --function NAME
  --action NAME       repeatable: any of them
  --outcome OUTCOME   one of ${AUDIT_OUTCOMES.join(', ')}
  --phase PHASE       one of ${AUDIT_PHASES.join(', ')}
  --since WHEN        24h, 7d, 30m, 2w (ago), today, yesterday, 2026-11-24 (midnight in the display
  --until WHEN        zone) or an ISO time with zone
  --limit N           the newest N records
  --format FORMAT     table (default; reason and undo hint), json, csv (--json = --format json) or
                      jsonl (one record per line, streamed: the export)
undo RUN [--yes]      show how each applied action of a run is reversed; --yes does it (audited)
report [--out PATH]   one offline HTML page: next 30 days on a timeline, last runs, spot prices,
                      open warnings and refusals (default .automation/report.html)
validate [--connect]  check the config offline; --connect: one read call per target (endpoint, credentials)

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
    if (command === 'undo') return await undoCommand(rest, cli);
    if (command === 'validate') return await validateCommand(rest, cli);
    if (command === 'report') return await reportCommand(rest, cli);
    if (command === undefined || command === 'help' || command === '--help') {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TriggerError || e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`error: ${(e as Error).message}`);
      // the whole usage for a wrong command or flag; a wrong value names the valid ones already
      if (e instanceof UsageError && /^unknown command/.test(e.message)) err(USAGE);
      else if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) err(USAGE);
      return 2;
    }
    err(`error: ${(e as Error).message}`);
    return 1;
  }
}
