import type { Capabilities } from '../../vendors/core';
import { executeScope, type RunBudget, type ScopeIdentity } from './execute';
import { ListingCache } from './listing-cache';
import { reconcileOpenIntents } from './reconcile';
import type { EngineDeps, FunctionName, Mode, PlanRow, RunReport, ScopeArgs, ScopePlan, TargetConfig } from './types';

export interface PolicyBase {
  name: string;
  mode: Mode;
  targets?: string[];
  regions?: string[];
}

export interface AutomationSpec<P extends PolicyBase> {
  function: FunctionName;
  /** The capability this function needs; scopes whose vendor has it `unsupported` are skipped, said once per target. */
  requires?: (capabilities: Capabilities) => string | undefined;
  planScope(args: ScopeArgs<P>): Promise<ScopePlan>;
}

interface ScopeRef {
  policy: string;
  target: string;
  region: string;
}

/** Policies × targets × regions, narrowed by the manual payload's filters and by an event's focus. */
export function scopesFor<P extends PolicyBase>(deps: EngineDeps, policies: P[]): { policy: P; target: TargetConfig; region: string }[] {
  const out: { policy: P; target: TargetConfig; region: string }[] = [];
  for (const policy of policies) {
    if (deps.filters?.policies?.length && !deps.filters.policies.includes(policy.name)) continue;
    for (const target of deps.config.targets) {
      if (policy.targets?.length && !policy.targets.includes(target.name)) continue;
      if (deps.filters?.targets?.length && !deps.filters.targets.includes(target.name)) continue;
      if (deps.focus && deps.focus.target !== target.name) continue;
      for (const region of target.regions) {
        if (policy.regions?.length && !policy.regions.includes(region)) continue;
        if (deps.focus && deps.focus.region !== region) continue;
        out.push({ policy, target, region });
      }
    }
  }
  return out;
}

/** The pipeline every function runs for each target × region: plan (list, select, decide) → guard → apply → audit. */
export async function runAutomation<P extends PolicyBase>(deps: EngineDeps, spec: AutomationSpec<P>, policies: P[]): Promise<RunReport> {
  const rows: PlanRow[] = [];
  const errors: string[] = [];
  const budget: RunBudget = { destructiveLeft: deps.config.safety.maxDestructivePerRun };
  const saidUnsupported = new Set<string>();
  // target × region major, so the policies of one scope share its listing (ListingCache)
  const scopes = scopesFor(deps, policies)
    .map((s, order) => ({ ...s, order }))
    .sort((a, b) => a.target.name.localeCompare(b.target.name) || a.region.localeCompare(b.region) || a.order - b.order);
  const listings = new ListingCache();
  let remaining: ScopeRef[] | undefined;

  for (const [index, { policy, target, region }] of scopes.entries()) {
    if (deps.shouldStop()) {
      remaining = scopes.slice(index).map((s) => ({ policy: s.policy.name, target: s.target.name, region: s.region }));
      errors.push(`stopped near the invocation timeout with ${remaining.length} scope(s) left; continue with the returned cursor`);
      break;
    }
    const mode = deps.modeFor(policy);
    const id: ScopeIdentity = { function: spec.function, policy: policy.name, vendor: target.vendor, target: target.name, region };
    deps.progress?.(`${spec.function}: ${policy.name} on ${target.name}/${region}`);
    try {
      listings.enter(target.name, region);
      const client = listings.wrap(deps.client(target, mode));
      const missing = spec.requires?.(client.capabilities);
      if (missing) {
        if (!saidUnsupported.has(target.name)) {
          saidUnsupported.add(target.name);
          rows.push({ ...id, region: '*', resource: '-', action: 'none', reason: `${target.vendor} does not support ${missing}: skipped`, status: 'info' });
        }
        continue;
      }
      // open intents first, listed or not: an action that happened must not stay unrecorded (issue 18)
      if (mode === 'enforce') rows.push(...(await reconcileOpenIntents(deps, id, client)));
      listings.countListed();
      const plan = await spec.planScope({ deps, policy, target, client, capabilities: client.capabilities, scope: { region }, mode });
      const listed = listings.listedInstances();
      // "nothing to do" must say whether the selector matched nothing or the matched fleet is clean
      if (!plan.actions.length && !plan.notes.length && !plan.readFailures.length && listed !== undefined)
        rows.push({ ...id, resource: '-', action: 'none', reason: `selector matched ${plan.selected} of ${listed} instances: nothing to do`, status: 'info' });
      for (const failure of plan.readFailures) errors.push(`${target.name}/${region} (${policy.name}): ${failure}`);
      rows.push(...(await executeScope(deps, id, plan, mode, budget)));
      if (mode === 'enforce') listings.touch(plan.actions.filter((a) => a.kind === 'vendor').map((a) => a.resourceId));
    } catch (e) {
      const message = `${target.name}/${region} (${policy.name}): ${(e as Error).message}`;
      errors.push(message);
      rows.push({ ...id, resource: '-', action: 'none', reason: (e as Error).message, status: 'error' });
      deps.log?.('error', 'scope failed', { target: target.name, region, policy: policy.name, error: (e as Error).message });
    }
  }
  return { function: spec.function, runId: deps.runId, rows, summary: summarize(rows), errors, continuation: remaining ? { remaining } : undefined };
}

function summarize(rows: PlanRow[]): RunReport['summary'] {
  const summary: RunReport['summary'] = {};
  for (const r of rows) {
    const key = `${r.target}/${r.region}`;
    const counts = (summary[key] ??= {});
    counts[r.status] = (counts[r.status] ?? 0) + 1;
  }
  return summary;
}

/** Reads a listing fully, turning a failure into a read failure of the scope instead of an exception. */
export async function readAll<T>(pages: AsyncIterable<T[]>, what: string, failures: string[]): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const page of pages) items.push(...page);
  } catch (e) {
    failures.push(`${what}: ${(e as Error).message}`);
  }
  return items;
}
