import type { Capabilities, Instance, ListInstancesOptions, VendorClient } from '../../vendors/core';
import { executeScopes, type RunBudget, type ScopeIdentity } from './execute';
import { reconcileOpenIntents } from './reconcile';
import type { EngineDeps, FunctionName, Mode, PlanRow, RunReport, ScopeArgs, ScopePlan, TargetConfig } from './types';

export interface PolicyBase {
  name: string;
  mode: Mode;
  targets?: string[];
  regions?: string[];
}

/** One policy's selection and decision, fed the instance listing one instance at a time. */
export interface PolicyPass {
  /** Whether the instance must be read in detail (`InstancePass.detail`) before `take()`; absent: never. */
  needsDetail?(instance: Instance): boolean;
  take(instance: Instance): void;
  /** The plan once the listing has been read; `readFailure` says the listing failed (the engine adds it to the plan). */
  finish(readFailure?: string): ScopePlan;
}

/**
 * A function whose policies decide on the instance listing of a scope. The engine lists each
 * target × region once for all such policies (one pass: every page goes through every policy's
 * selection and decision, then is dropped) instead of each policy listing the fleet again.
 */
export interface InstancePass<P> {
  /** What the policy lists; policies with equal queries share one pass. */
  query(args: ScopeArgs<P>): ListInstancesOptions;
  /** Reads what the policy needs besides the listing and returns its pass. */
  begin(args: ScopeArgs<P>): Promise<PolicyPass>;
  /**
   * Reads, once for every policy of a pass, what the listing leaves out for the instances of a page
   * some policy needs it for (Tencent's deletion timers live apart from the instance): the instances back, completed.
   */
  detail?(args: ScopeArgs<P>, instances: Instance[]): Promise<Instance[]>;
}

export interface AutomationSpec<P extends PolicyBase> {
  function: FunctionName;
  /** The capability this function needs; scopes whose vendor has it `unsupported` are skipped, said once per target. */
  requires?: (capabilities: Capabilities) => string | undefined;
  /**
   * Plans every policy of one scope together, on reads they share (DECISIONS.md E11): one answer
   * per policy, in order; a rejected one fails that policy alone. Each plan then applies in a wave
   * of its own, in config order. A spec has this or `instances`.
   */
  planPolicies?(args: ScopeArgs<P>[]): Promise<PromiseSettledResult<ScopePlan>[]>;
  /** Plans every policy of a scope from one pass over the instance listing (E1). */
  instances?: InstancePass<P>;
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

interface Planned<P> {
  policy: P;
  args: ScopeArgs<P>;
  id: ScopeIdentity;
  /** Set by the shared pass or by `planPolicies`, before any policy of the scope applies. */
  plan?: ScopePlan;
}

/** The pipeline every function runs for each target × region: plan (list, select, decide) → guard → apply → audit. */
export async function runAutomation<P extends PolicyBase>(deps: EngineDeps, spec: AutomationSpec<P>, policies: P[]): Promise<RunReport> {
  if (!spec.instances === !spec.planPolicies) throw new Error(`${spec.function}: a spec plans with either \`instances\` or \`planPolicies\``);
  const rows: PlanRow[] = [];
  const errors: string[] = [];
  const budget: RunBudget = { destructiveLeft: deps.config.safety.maxDestructivePerRun };
  const saidUnsupported = new Set<string>();
  // target × region major: the policies of one scope are planned together (one listing pass), in config order
  const groups = new Map<string, { target: TargetConfig; region: string; policies: P[] }>();
  for (const { policy, target, region } of scopesFor(deps, policies)) {
    const key = JSON.stringify([target.name, region]);
    if (!groups.has(key)) groups.set(key, { target, region, policies: [] });
    groups.get(key)!.policies.push(policy);
  }
  const ordered = [...groups.values()].sort((a, b) => a.target.name.localeCompare(b.target.name) || a.region.localeCompare(b.region));
  let remaining: ScopeRef[] | undefined;

  for (const [index, { target, region, policies: scopePolicies }] of ordered.entries()) {
    if (deps.shouldStop()) {
      remaining = ordered.slice(index).flatMap((g) => g.policies.map((p) => ({ policy: p.name, target: g.target.name, region: g.region })));
      errors.push(`stopped near the invocation timeout with ${remaining.length} scope(s) left; continue with the returned cursor`);
      break;
    }
    const failed = (policy: P, e: unknown) => {
      const message = (e as Error).message;
      errors.push(`${target.name}/${region} (${policy.name}): ${message}`);
      rows.push({ function: spec.function, policy: policy.name, vendor: target.vendor, target: target.name, region, resource: '-', action: 'none', reason: message, status: 'error' });
      deps.log?.('error', 'scope failed', { target: target.name, region, policy: policy.name, error: message });
    };
    // plan every policy of the scope
    const planned: Planned<P>[] = [];
    const passes: { entry: Planned<P>; pass: PolicyPass; query: ListInstancesOptions }[] = [];
    for (const policy of scopePolicies) {
      const mode = deps.modeFor(policy);
      const id: ScopeIdentity = { function: spec.function, policy: policy.name, vendor: target.vendor, target: target.name, region };
      deps.progress?.(`${spec.function}: ${policy.name} on ${target.name}/${region}`);
      try {
        const client = deps.client(target, mode);
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
        const args: ScopeArgs<P> = { deps, policy, target, client, capabilities: client.capabilities, scope: { region }, mode };
        if (spec.instances) {
          const pass = await spec.instances.begin(args);
          const entry: Planned<P> = { policy, args, id, plan: { actions: [], notes: [], selected: 0, readFailures: [] } };
          planned.push(entry);
          passes.push({ entry, pass, query: spec.instances.query(args) });
        } else {
          planned.push({ policy, args, id });
        }
      } catch (e) {
        failed(policy, e);
      }
    }
    await listOnce(passes, spec.instances?.detail);
    if (spec.planPolicies && planned.length) {
      const together = planned.splice(0);
      const plans = await spec.planPolicies(together.map((e) => e.args)).catch((e: unknown) => together.map((): PromiseSettledResult<ScopePlan> => ({ status: 'rejected', reason: e })));
      for (const [i, entry] of together.entries()) {
        const answer = plans[i] ?? { status: 'rejected', reason: new Error('planPolicies gave no plan for this policy') };
        if (answer.status === 'fulfilled') planned.push({ ...entry, plan: answer.value });
        else failed(entry.policy, answer.reason);
      }
    }
    // then guard → apply → audit, policy by policy in config order. Policies of the shared pass apply
    // together (a wave), so their mutations of one kind share a batch call (E3); a policy that acts
    // on an instance an earlier policy of the wave changes waits for the wave, then decides it again
    // (E2). A `planPolicies` plan is a wave of its own: the function shares out what its policies change (E11).
    const touched = new Set<string>();
    const waveTouched = new Set<string>();
    let wave: { entry: Planned<P>; plan: ScopePlan; head: PlanRow[] }[] = [];
    const flush = async () => {
      const works = wave;
      wave = [];
      for (const resourceId of waveTouched) touched.add(resourceId);
      waveTouched.clear();
      if (!works.length) return;
      const outcomes = await executeScopes(deps, works.map((w) => ({ id: w.entry.id, plan: w.plan, mode: w.entry.args.mode })), budget);
      for (const [i, w] of works.entries()) {
        rows.push(...w.head, ...outcomes[i]!.rows);
        if (outcomes[i]!.error !== undefined) failed(w.entry.policy, outcomes[i]!.error);
      }
    };
    for (const entry of planned) {
      const { policy, args, id } = entry;
      try {
        let plan = entry.plan!;
        if (plan.actions.some((a) => waveTouched.has(a.resourceId))) await flush();
        if (spec.instances && touched.size) plan = await redecideTouched(spec.instances, args, plan, touched);
        const head: PlanRow[] = [];
        for (const failure of plan.readFailures) errors.push(`${target.name}/${region} (${policy.name}): ${failure}`);
        // "nothing to do" must say whether the selector matched nothing or the matched fleet is clean
        if (!plan.actions.length && !plan.notes.length && !plan.readFailures.length) {
          const of = plan.listed === undefined ? '' : ` of ${plan.listed}`;
          head.push({ ...id, resource: '-', action: 'none', reason: `selector matched ${plan.selected}${of} instances: nothing to do`, status: 'info' });
        }
        wave.push({ entry, plan, head });
        if (args.mode === 'enforce') for (const a of plan.actions) if (a.kind === 'vendor') waveTouched.add(a.resourceId);
        if (!spec.instances) await flush();
      } catch (e) {
        failed(policy, e);
      }
    }
    await flush();
  }
  return { function: spec.function, runId: deps.runId, rows, summary: summarize(rows), errors, continuation: remaining ? { remaining } : undefined };
}

/**
 * One pass over the instance listing per distinct query: each page goes through every policy's
 * selection and decision, then is dropped, so memory is bounded by a page, not the fleet.
 * Listings of the whole scope go first and leave the vendor's counts in `scopeCounts`, so a
 * candidates-only pass takes its selection's size (the blast-radius guard's base) from them
 * instead of counting the scope again (DECISIONS.md E6).
 */
async function listOnce<P>(
  passes: { entry: Planned<P>; pass: PolicyPass; query: ListInstancesOptions }[],
  detail?: InstancePass<P>['detail'],
): Promise<void> {
  const byQuery = new Map<string, typeof passes>();
  const keyOf = (query: ListInstancesOptions) => JSON.stringify(query);
  for (const p of passes) byQuery.set(keyOf(p.query), [...(byQuery.get(keyOf(p.query)) ?? []), p]);
  // where a listing shows tags (every vendor but Alibaba), a candidates-only pass rides a listing of
  // the same filters the pass makes anyway: its candidates are in it, tags and all (E9)
  const client = passes[0]?.entry.args.client;
  if (client && !client.limits.tagsReadPerInstance) {
    for (const [key, riders] of byQuery) {
      const { candidates, ...rest } = riders[0]!.query;
      const whole = candidates && byQuery.get(keyOf(rest));
      if (!whole) continue;
      whole.push(...riders);
      byQuery.delete(key);
    }
  }
  const scopeCounts = new Map<string, number>();
  const candidatesLast = [...byQuery.values()].sort((a, b) => Number(Boolean(a[0]!.query.candidates)) - Number(Boolean(b[0]!.query.candidates)));
  for (const riders of candidatesLast) {
    const { args } = riders[0]!.entry;
    const sameQuery = new Set(riders.filter((r) => keyOf(r.query) === keyOf(riders[0]!.query)));
    let failure: string | undefined;
    let listed = 0;
    try {
      const pages = counted(listing(args.client, args.scope.region, { ...riders[0]!.query, scopeCounts }), (n) => (listed += n));
      for await (const page of completed(pages, riders, detail && ((need) => detail(args, need)))) {
        for (const instance of page) for (const r of riders) r.pass.take(instance);
      }
    } catch (e) {
      failure = `listing instances: ${(e as Error).message}`;
    }
    // the count the listing made is every rider's of that query (each passed its own `counted`)
    for (const r of riders) if (r.query.candidates?.counted && sameQuery.has(r)) r.query.candidates.counted.matched = riders[0]!.query.candidates!.counted!.matched;
    for (const r of riders) {
      r.entry.plan = { listed, ...r.pass.finish(failure) };
      if (failure) r.entry.plan.readFailures.push(failure);
    }
  }
}

/** Ids a detail read names at most (Tencent's `.N` lists, 100): instances wait for one until this many do. */
const DETAIL_BATCH = 100;

/**
 * The listing's instances, those some rider needs in detail read once for all riders, up to
 * DETAIL_BATCH at a time across pages (a read per page would cost one per page of the fleet when
 * only a few instances need it). The others pass straight on; memory stays a page plus one batch.
 * Without a `read` (the function reads no detail), the pages as listed.
 */
async function* completed(pages: AsyncIterable<Instance[]>, riders: { pass: PolicyPass }[], read?: (need: Instance[]) => Promise<Instance[]>): AsyncIterable<Instance[]> {
  if (!read) return yield* pages;
  const waiting: Instance[] = [];
  for await (const page of pages) {
    const plain: Instance[] = [];
    for (const i of page) (riders.some((r) => r.pass.needsDetail?.(i)) ? waiting : plain).push(i);
    if (plain.length) yield plain;
    while (waiting.length >= DETAIL_BATCH) yield await read(waiting.splice(0, DETAIL_BATCH));
  }
  if (waiting.length) yield await read(waiting);
}

async function* counted(pages: AsyncIterable<Instance[]>, add: (n: number) => void): AsyncIterable<Instance[]> {
  for await (const page of pages) {
    add(page.length);
    yield page;
  }
}

function listing(client: VendorClient, region: string, query: ListInstancesOptions): AsyncIterable<Instance[]> {
  return client.listInstances({ region }, query);
}

/**
 * An earlier policy of this scope changed instances this policy decided on from the shared pass:
 * re-read just those by id and decide them again, so no action rests on what they were before.
 */
async function redecideTouched<P>(spec: InstancePass<P>, args: ScopeArgs<P>, plan: ScopePlan, touched: Set<string>): Promise<ScopePlan> {
  const stale = [...new Set(plan.actions.map((a) => a.resourceId).filter((id) => touched.has(id)))];
  if (!stale.length) return plan;
  const staleSet = new Set(stale);
  const pass = await spec.begin(args);
  const query = spec.query(args);
  const ids = query.ids?.length ? query.ids.filter((id) => staleSet.has(id)) : stale;
  const readFailures = [...plan.readFailures];
  try {
    const pages = listing(args.client, args.scope.region, { ...query, ids });
    for await (const page of completed(pages, [{ pass }], spec.detail && ((need) => spec.detail!(args, need)))) {
      for (const instance of page) if (staleSet.has(instance.id)) pass.take(instance);
    }
  } catch (e) {
    readFailures.push(`re-reading ${stale.length} instance(s) changed by an earlier policy: ${(e as Error).message}`);
  }
  const fresh = pass.finish(readFailures.length > plan.readFailures.length ? readFailures.at(-1) : undefined);
  return {
    // only the re-read instances' actions: scope-wide ones (a digest) stay as first planned
    actions: [...plan.actions.filter((a) => !staleSet.has(a.resourceId)), ...fresh.actions.filter((a) => staleSet.has(a.resourceId))],
    notes: [...plan.notes, ...fresh.notes.filter((n) => !plan.notes.some((o) => o.resourceId === n.resourceId && o.reason === n.reason))],
    selected: plan.selected,
    readFailures: [...readFailures, ...fresh.readFailures],
  };
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
