import { attemptOf, makeActionKey, type AuditRecord } from '../../audit/record';
import { AuditConflictError } from '../../audit/store';
import type { BatchOutcome, VendorName } from '../../vendors/core';
import { groupBy } from './group';
import type { EngineDeps, FunctionName, Mode, NoticeAction, PlannedAction, PlanRow, RowStatus, ScopePlan, VendorAction } from './types';

export interface ScopeIdentity {
  function: FunctionName;
  policy: string;
  vendor: VendorName;
  target: string;
  region: string;
}

/** The blast-radius count limit is per run and per function: every scope draws from one counter. */
export interface RunBudget {
  destructiveLeft: number;
}

export const ACTION_EVENT = 'Automation Action';

/** One policy's plan in one scope, as the engine applies it. */
export interface ScopeWork {
  id: ScopeIdentity;
  plan: ScopePlan;
  mode: Mode;
}

/** What applying one policy's plan gave: its rows, and the error that stopped it, if any. */
export interface ScopeOutcome {
  rows: PlanRow[];
  error?: unknown;
}

/** An action of one policy, on its way to the vendor with other policies' actions. */
interface Item {
  /** Index of its policy's work. */
  at: number;
  id: ScopeIdentity;
  action: PlannedAction;
}

/**
 * guard → apply → audit for the plans of several policies (of one function) that apply together.
 * Each plan is guarded in the given order (the run's count limit is drawn in that order); dry runs
 * stop after the audit of the plan (`planned`). Enforce then sends the vendor actions of all plans
 * that share a scope and a `batchKey` in one batch (E3): each action still takes its own key's lease
 * (its intent, per policy) before the call and writes its own result after it; a key another run
 * holds is skipped and the plan says so. The caller makes sure no two plans act on one instance.
 */
export async function executeScopes(deps: EngineDeps, works: ScopeWork[], budget: RunBudget): Promise<ScopeOutcome[]> {
  const out: ScopeOutcome[] = works.map(() => ({ rows: [] }));
  const items: Item[] = [];
  for (const [at, work] of works.entries()) {
    try {
      const allowed = await guardAndRecord(deps, work, budget, out[at]!.rows);
      if (work.mode === 'enforce') for (const action of allowed) items.push({ at, id: work.id, action });
    } catch (e) {
      out[at]!.error = e;
    }
  }
  // a batch needs one vendor call's parameters: same function, target, region and batch key
  const groups = groupBy(items, ({ id, action }) => (action.kind === 'vendor' ? JSON.stringify([id.function, id.target, id.region, action.batchKey]) : `notice:${actionKeyOf(id, action)}`));
  // rows are written in group order whatever order the groups finish in
  const rowsOf = [...groups.values()].map(() => [] as { at: number; row: PlanRow }[]);
  await inDependencyOrder([...groups.values()], async (group, k) => {
    const emit = (item: Item, r: PlanRow) => rowsOf[k]!.push({ at: item.at, row: r });
    const live = group.filter((i) => out[i.at]!.error === undefined); // a policy that failed stops, as it always did
    if (!live.length) return;
    if (deps.shouldStop()) {
      for (const item of live) emit(item, row(item.id, label(item.action), item.action.action, `${item.action.reason} — not started: invocation near its timeout`, 'deferred'));
      return;
    }
    try {
      if (live[0]!.action.kind === 'notice') {
        for (const item of live) emit(item, await applyNotice(deps, item.id, item.action as NoticeAction));
      } else {
        await applyVendorGroup(deps, live, emit);
      }
    } catch (e) {
      for (const { at } of live) out[at]!.error ??= e;
    }
  });
  for (const rows of rowsOf) for (const { at, row: r } of rows) out[at]!.rows.push(r);
  return out;
}

/** Groups of one wave applied at once, at most (E8). */
export const GROUPS_IN_FLIGHT = 5;
/** Audit writes of one group at once (E10): its leases, then its results. */
export const WRITES_IN_FLIGHT = 10;

/**
 * Applies the groups of a wave (E8): a group of `sideBySide` actions starts once the groups before
 * it that name one of its resources are done, and once every earlier group without `sideBySide`
 * is; any other group waits for all groups before it. At most `GROUPS_IN_FLIGHT` run at once.
 * `apply` must not throw (it records its own failure).
 */
async function inDependencyOrder(groups: Item[][], apply: (group: Item[], index: number) => Promise<void>): Promise<void> {
  const slot = slots(GROUPS_IN_FLIGHT);
  const started: Promise<void>[] = [];
  const lastNaming = new Map<string, Promise<void>>();
  let barrier: Promise<unknown> = Promise.resolve(); // the last group that waited for all before it
  let sinceBarrier: Promise<void>[] = []; // the side-by-side groups after it: the next ordered group waits for them too
  for (const [k, group] of groups.entries()) {
    const free = group.every((i) => i.action.sideBySide);
    const after = free ? [barrier, ...group.map((i) => lastNaming.get(i.action.resourceId))] : [barrier, ...sinceBarrier];
    const done = Promise.all(after).then(() => slot(() => apply(group, k)));
    started.push(done);
    for (const i of group) lastNaming.set(i.action.resourceId, done);
    if (free) sinceBarrier.push(done);
    else [barrier, sinceBarrier] = [done, []];
  }
  await Promise.all(started);
}

/** Runs `fn`s at most `n` at a time, in the order they ask. */
function slots(n: number) {
  let free = n;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** The plan rows of notes, unapproved and refused actions (refusals audited); returns what may be applied. */
async function guardAndRecord(deps: EngineDeps, work: ScopeWork, budget: RunBudget, rows: PlanRow[]): Promise<PlannedAction[]> {
  const { id, mode } = work;
  let plan = work.plan;
  rows.push(...plan.notes.map((n) => row(id, n.resourceId, n.action, n.reason, n.status)));
  if (deps.allowAction && mode === 'enforce') {
    const unapproved = plan.actions.filter((a) => !deps.allowAction!(actionKeyOf(id, a)));
    for (const a of unapproved) rows.push(row(id, label(a), a.action, `${a.reason} — not in the approved plan: not applied`, 'skipped'));
    plan = { ...plan, actions: plan.actions.filter((a) => !unapproved.includes(a)) };
  }
  const { allowed, refused } = guard(deps, onePerKey(id, plan), budget);
  const records: AuditRecord[] = [];
  for (const r of refused) {
    rows.push(row(id, label(r.action), r.action.action, `${r.action.reason} — ${r.why}`, r.status));
    // a 'notice' record: refusals repeat every run while the guard holds, so they never take the action key's result
    records.push(record(deps, id, r.action, mode, 'notice', { outcome: 'refused', reason: `${r.action.reason} — ${r.why}` }));
  }
  if (mode === 'dry-run') {
    for (const action of allowed) {
      rows.push(row(id, label(action), action.action, action.reason, 'planned'));
      records.push(record(deps, id, action, mode, 'planned', { outcome: 'planned' }));
    }
  }
  // these records never conflict, so they go out side by side like a group's (E10), not one round trip each
  const slot = slots(WRITES_IN_FLIGHT);
  await Promise.all(records.map((r) => slot(() => deps.audit.putRecord(r))));
  return allowed;
}

/** An id the vendor listed twice (offset paging while the fleet changes) is planned once. */
function onePerKey(id: ScopeIdentity, plan: ScopePlan): ScopePlan {
  const seen = new Set<string>();
  const actions = plan.actions.filter((a) => {
    const key = actionKeyOf(id, a);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return actions.length === plan.actions.length ? plan : { ...plan, actions };
}

interface Refusal {
  action: PlannedAction;
  why: string;
  status: Extract<RowStatus, 'refused' | 'deferred'>;
}

/** Fail closed: a failed read refuses every destructive action in the scope; too large a share of the selection refuses them all; past the run's count limit the rest wait for the next run. */
function guard(deps: EngineDeps, plan: ScopePlan, budget: RunBudget): { allowed: PlannedAction[]; refused: Refusal[] } {
  const safety = deps.config.safety;
  const refused: Refusal[] = [];
  const allowed: PlannedAction[] = [];
  const instanceDestroying = plan.actions.filter((a) => a.destructive === 'instance').length;
  const percentCap = Math.ceil((safety.maxDestructivePercent / 100) * plan.selected);
  const percentTripped = instanceDestroying > 0 && instanceDestroying > percentCap;
  for (const action of plan.actions) {
    if (!action.destructive) {
      allowed.push(action);
    } else if (plan.readFailures.length) {
      refused.push({ action, status: 'refused', why: `refused: a read failed in this scope (${plan.readFailures[0]}), so nothing destructive runs here` });
    } else if (percentTripped && action.destructive === 'instance') {
      refused.push({
        action,
        status: 'refused',
        why: `refused by blast-radius guard: ${instanceDestroying} of ${plan.selected} selected (${safety.maxDestructivePercent}% allows ${percentCap}); raise safety.maxDestructivePercent if intended`,
      });
    } else if (budget.destructiveLeft <= 0) {
      refused.push({ action, status: 'deferred', why: `deferred: safety.maxDestructivePerRun (${safety.maxDestructivePerRun}) reached in this run` });
    } else {
      budget.destructiveLeft--;
      allowed.push(action);
    }
  }
  return { allowed, refused };
}

/** Lambda's longest invocation: the lease of a run without a deadline (local runs). */
export const MAX_LEASE_MS = 15 * 60_000;
/** Added to a lease so clock skew between hosts cannot make a live holder look expired. */
export const LEASE_SKEW_MS = 30_000;

/** What claiming an action key found. */
type Claim =
  | { kind: 'held'; attempt: number }
  | { kind: 'done'; result: AuditRecord }
  | { kind: 'busy'; owner: string; until?: string }
  | { kind: 'expired'; intent: AuditRecord };

function leaseFor(deps: EngineDeps, attempt: number): NonNullable<AuditRecord['lease']> {
  const now = (deps.leaseClock ?? Date.now)();
  const remaining = deps.remainingMs?.() ?? Number.POSITIVE_INFINITY;
  const span = Math.min(Number.isFinite(remaining) ? Math.max(remaining, 0) : MAX_LEASE_MS, MAX_LEASE_MS) + LEASE_SKEW_MS;
  return { owner: deps.runId, until: new Date(now + span).toISOString(), attempt };
}

/**
 * Takes the lease of an action key (design §5): the first intent of a key is attempt 1. A key that
 * has a result is done; one whose latest lease is live belongs to that run; an expired one must be
 * reconciled (`expired`) before it may be taken over with `takeOver`.
 */
async function claim(deps: EngineDeps, id: ScopeIdentity, action: PlannedAction): Promise<Claim> {
  if ((await deps.audit.putIntent(record(deps, id, action, 'enforce', 'intent', { lease: leaseFor(deps, 1) }))) === 'written') {
    return { kind: 'held', attempt: 1 };
  }
  const earlier = await deps.audit.get(actionKeyOf(id, action));
  if (earlier.result) return { kind: 'done', result: earlier.result };
  const intent = earlier.intent;
  if (!intent) return { kind: 'busy', owner: 'unknown' }; // cannot happen with a consistent store; fail safe
  const lease = intent.lease;
  if (lease && (lease.owner === deps.runId || Date.parse(lease.until) > (deps.leaseClock ?? Date.now)())) {
    return { kind: 'busy', owner: lease.owner, until: lease.until };
  }
  return { kind: 'expired', intent };
}

/** Writes attempt n+1 of an expired lease: of several runs taking over at once, one wins. */
async function takeOver(deps: EngineDeps, id: ScopeIdentity, action: PlannedAction, expired: AuditRecord): Promise<Claim> {
  const attempt = attemptOf(expired) + 1;
  const intent = record(deps, id, action, 'enforce', 'intent', {
    lease: leaseFor(deps, attempt),
    details: { takesOver: { runId: expired.runId, attempt: attemptOf(expired) } },
  });
  if ((await deps.audit.putIntent(intent)) === 'written') return { kind: 'held', attempt };
  const now = await deps.audit.get(intent.actionKey);
  return now.result ? { kind: 'done', result: now.result } : { kind: 'busy', owner: now.intent?.lease?.owner ?? 'unknown', until: now.intent?.lease?.until };
}

function skipRow(id: ScopeIdentity, action: PlannedAction, c: Extract<Claim, { kind: 'done' | 'busy' }>, done = 'already done'): PlanRow {
  const why =
    c.kind === 'done'
      ? `${done} (run ${c.result.runId}, ${c.result.outcome})`
      : c.owner === undefined || c.until === undefined
        ? `in progress in run ${c.owner}`
        : `in progress in run ${c.owner} (lease until ${c.until})`;
  return row(id, label(action), action.action, `${action.reason} — skipped: ${why}`, 'skipped');
}

/**
 * The one result of a key. Should another run have written it first (it took over a lease this run
 * held past its expiry), this run's outcome is kept as a notice instead: the scope goes on and
 * nothing that happened is missing from the trail.
 */
async function writeResult(deps: EngineDeps, result: AuditRecord): Promise<boolean> {
  try {
    await deps.audit.putResult(result);
    return true;
  } catch (e) {
    if (!(e instanceof AuditConflictError)) throw e;
    const { lease: _lease, ...rest } = result;
    await deps.audit.putRecord({ ...rest, phase: 'notice', details: { ...(result.details ?? {}), duplicateResult: true } });
    deps.log?.('warn', 'another run recorded this action first; kept this run\'s outcome as a notice', { actionKey: result.actionKey });
    return false;
  }
}

/**
 * One batch of vendor actions, possibly of several policies: claims each action's key, sends the
 * held ones in one `run` (the client splits it at the documented batch limit), then writes each
 * action's own result from the vendor's outcome for its id, so a partial failure is attributed per
 * instance and per policy. A run dying after the call leaves each intent open for reconciliation.
 */
async function applyVendorGroup(deps: EngineDeps, group: Item[], emit: (item: Item, row: PlanRow) => void): Promise<void> {
  // the leases of a group are taken side by side, and its results written so (E10): one round trip
  // to the trail for the group, not one per action; rows come as before (skipped ones first, then
  // the group's call's, each in the group's order)
  const slot = slots(WRITES_IN_FLIGHT);
  const claimed = await Promise.all(group.map((item) => slot(() => claimForGroup(deps, item.id, item.action as VendorAction))));
  const pending: (Item & { action: VendorAction })[] = [];
  for (const [i, item] of group.entries()) {
    if (claimed[i]!.held) pending.push({ ...item, action: item.action as VendorAction });
    else if (claimed[i]!.row) emit(item, claimed[i]!.row!);
  }
  if (!pending.length) return;
  const started = new Date().toISOString();
  let outcomes: BatchOutcome[];
  try {
    outcomes = await pending[0]!.action.run(pending.map((p) => p.action.resourceId));
  } catch (e) {
    const err = e as { code?: string; message?: string; name?: string };
    outcomes = pending.map((p) => ({ id: p.action.resourceId, ok: false, error: { code: err.code ?? err.name ?? 'Error', message: err.message ?? String(e), retryable: false } }));
  }
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const results = pending.map((item) => {
    const { id, action } = item;
    const outcome = byId.get(action.resourceId) ?? { id: action.resourceId, ok: false, error: { code: 'NoOutcome', message: 'the vendor call reported nothing for this id', retryable: false } };
    const result = record(deps, id, action, 'enforce', 'result', {
      outcome: outcome.ok ? 'success' : 'failed',
      requestIds: outcome.requestId ? [outcome.requestId] : [],
      error: outcome.error ? { code: outcome.error.code, message: outcome.error.message } : undefined,
      after: outcome.ok ? jsonObject(action.expected) : undefined,
      startedAt: started,
      finishedAt: new Date().toISOString(),
    });
    return { item, outcome, result };
  });
  const firsts = await Promise.all(results.map(({ result }) => slot(() => writeResult(deps, result))));
  const events = [];
  for (const [i, { item, outcome, result }] of results.entries()) {
    const { id, action } = item;
    const reason = outcome.ok ? action.reason : `${action.reason} — failed: ${outcome.error?.code}: ${outcome.error?.message}`;
    emit(item, row(id, label(action), action.action, firsts[i] ? reason : `${reason} (another run recorded a result first)`, outcome.ok ? 'applied' : 'failed'));
    if (firsts[i]) events.push(actionEvent(result));
  }
  await publish(deps, events);
}

/** One action's lease for its group's call: held, or the row that says why not (done, busy, reconciled). */
async function claimForGroup(deps: EngineDeps, id: ScopeIdentity, action: VendorAction): Promise<{ held: boolean; row?: PlanRow }> {
  let c = await claim(deps, id, action);
  if (c.kind === 'expired') {
    // the holder's invocation is over: ask the vendor whether its call took effect
    if (action.confirm && (await action.confirm().catch(() => false))) {
      const written = await writeResult(
        deps,
        record(deps, id, action, 'enforce', 'result', { outcome: 'reconciled', reason: `${action.reason} (found done at the vendor after run ${c.intent.runId}'s lease expired)` }),
      );
      return { held: false, row: row(id, label(action), action.action, `${action.reason} (reconciled: already done at the vendor${written ? '' : '; recorded by another run'})`, 'applied') };
    }
    c = await takeOver(deps, id, action, c.intent);
  }
  if (c.kind === 'held') return { held: true };
  return c.kind === 'done' || c.kind === 'busy' ? { held: false, row: skipRow(id, action, c) } : { held: false };
}

/**
 * Notices take the same lease as vendor actions, so one run publishes each. An expired lease
 * without a result is taken over and the notice published again: the bus cannot be asked whether
 * the first publish happened, and the event carries the action key for consumers to drop a repeat.
 */
async function applyNotice(deps: EngineDeps, id: ScopeIdentity, notice: NoticeAction): Promise<PlanRow> {
  let c = await claim(deps, id, notice);
  if (c.kind === 'expired') c = await takeOver(deps, id, notice, c.intent);
  if (c.kind === 'done' || c.kind === 'busy') return skipRow(id, notice, c, 'already sent');
  const actionKey = actionKeyOf(id, notice);
  const detail = { ...notice.event.detail, actionKey, runId: deps.runId };
  const { failed } = await deps.events.publish([{ source: 'cloud-automation', detailType: notice.event.detailType, detail, resources: [notice.resourceId] }]);
  const ok = failed.length === 0;
  const first = await writeResult(
    deps,
    record(deps, id, notice, 'enforce', 'result', {
      outcome: ok ? 'success' : 'failed',
      error: ok ? undefined : { code: 'PublishFailed', message: 'the event bus refused the notice' },
      details: { detailType: notice.event.detailType },
    }),
  );
  const reason = ok ? notice.reason : `${notice.reason} — publishing failed`;
  return row(id, label(notice), notice.action, first ? reason : `${reason} (another run recorded a result first)`, ok ? 'applied' : 'failed');
}

function actionEvent(result: AuditRecord) {
  return {
    source: 'cloud-automation',
    detailType: ACTION_EVENT,
    detail: {
      function: result.function,
      policy: result.policy,
      vendor: result.vendor,
      target: result.target,
      region: result.region,
      resourceId: result.resourceId,
      action: result.action,
      outcome: result.outcome,
      reason: result.reason,
      actionKey: result.actionKey,
      runId: result.runId,
      error: result.error,
      undoHint: result.undoHint,
    },
    resources: [result.resourceId],
  };
}

async function publish(deps: EngineDeps, events: Parameters<EngineDeps['events']['publish']>[0]) {
  if (!events.length) return;
  const { failed } = await deps.events.publish(events);
  if (failed.length) deps.log?.('warn', 'some action events were not delivered to the bus', { failed: failed.length });
}

export function actionKeyOf(id: ScopeIdentity, action: PlannedAction): string {
  return makeActionKey({
    function: id.function,
    policy: id.policy,
    target: id.target,
    region: id.region,
    resourceId: action.resourceId,
    action: action.action,
    slot: action.slot,
  });
}

function record(
  deps: EngineDeps,
  id: ScopeIdentity,
  action: PlannedAction,
  mode: Mode,
  phase: AuditRecord['phase'],
  extra: Partial<AuditRecord>,
): AuditRecord {
  return {
    schemaVersion: 1,
    phase,
    actionKey: actionKeyOf(id, action),
    runId: deps.runId,
    trigger: deps.trigger,
    function: id.function,
    policy: id.policy,
    vendor: id.vendor,
    target: id.target,
    region: id.region,
    resourceId: action.resourceId,
    resourceKind: action.resourceKind,
    action: action.action,
    mode,
    reason: action.reason,
    before: jsonObject(action.before),
    expected: jsonObject(action.expected),
    requestIds: [],
    undoHint: action.undoHint,
    at: new Date().toISOString(),
    ...extra,
    // the run's notion of now (simulated clocks, manual `now`) next to the wall-clock `at`
    details: { runNow: deps.now.toISOString(), ...(extra.details ?? {}) },
  };
}

function label(action: PlannedAction): string {
  return action.resourceName && action.resourceName !== action.resourceId ? `${action.resourceId} (${action.resourceName})` : action.resourceId;
}

function row(id: ScopeIdentity, resource: string, action: string, reason: string, status: RowStatus): PlanRow {
  return { function: id.function, policy: id.policy, vendor: id.vendor, target: id.target, region: id.region, resource, action, reason, status };
}

/** Audit records hold plain JSON: drop undefined fields. */
function jsonObject(value: Record<string, unknown> | undefined): Record<string, never> | undefined {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Record<string, never>);
}
