import { functionNames, functionPolicyKey, type AutomationConfig, type FunctionName } from '../config';
import { UsageError } from './errors';

/** What one function runs: the policies selected, and of those the ones `apply` enforces. */
export interface FunctionSelection {
  function: FunctionName;
  /** Policy names selected by --policy; undefined = all of the function's policies. */
  named?: string[];
  /** Policies apply enforces: `mode: enforce` ones, plus ones named with --override-mode. */
  enforce: string[];
  /** Selected `mode: dry-run` policies apply leaves alone. */
  dryRunOnly: string[];
}

export interface SelectionArgs {
  function?: string;
  policy?: string[];
  overrideMode?: boolean;
}

/**
 * The dry-run rule (issue 22): a `mode: dry-run` policy never acts unless named with `--policy NAME
 * --override-mode`. `--policy` names are checked against every selected function's policies.
 */
export function selectFunctions(config: AutomationConfig, args: SelectionArgs, command: 'plan' | 'apply'): FunctionSelection[] {
  const fns = args.function ? [checkFunction(args.function)] : functionNames;
  const named = args.policy?.length ? args.policy : undefined;
  if (args.overrideMode && !named) throw new UsageError('--override-mode needs --policy NAME: it enforces only the policies you name');
  const policiesOf = (fn: FunctionName) => config.policies[functionPolicyKey[fn]];
  if (named) {
    const known = new Set(fns.flatMap((fn) => policiesOf(fn).map((p) => p.name)));
    const unknown = named.filter((n) => !known.has(n));
    if (unknown.length) {
      const lists = fns.map((fn) => `${fn}: ${policiesOf(fn).map((p) => p.name).join(', ') || '(none)'}`).join('; ');
      throw new UsageError(`--policy: unknown polic${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((n) => `"${n}"`).join(', ')}; configured: ${lists}`);
    }
  }
  const out: FunctionSelection[] = [];
  for (const fn of fns) {
    const selected = policiesOf(fn).filter((p) => !named || named.includes(p.name));
    if (named && !selected.length) continue;
    if (command === 'apply' && named && !args.overrideMode) {
      const dry = selected.filter((p) => p.mode === 'dry-run').map((p) => p.name);
      if (dry.length)
        throw new UsageError(
          `policy ${dry.map((n) => `"${n}"`).join(', ')} (${fn}) is mode: dry-run, so apply does not enforce it; add --override-mode to enforce it this once, or set mode: enforce in the config`,
        );
    }
    const enforce = selected.filter((p) => p.mode === 'enforce' || (args.overrideMode && named?.includes(p.name))).map((p) => p.name);
    out.push({
      function: fn,
      named: named ? selected.map((p) => p.name) : undefined,
      enforce,
      dryRunOnly: selected.map((p) => p.name).filter((n) => !enforce.includes(n)),
    });
  }
  return out;
}

export function checkFunction(name: string): FunctionName {
  if (!(functionNames as string[]).includes(name)) throw new UsageError(`--function: expected one of ${functionNames.join(', ')}, got "${name}"`);
  return name as FunctionName;
}
