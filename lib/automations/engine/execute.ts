import { makeActionKey, type AuditRecord } from '../../audit/record';
import type { BatchOutcome, VendorName } from '../../vendors/core';
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

/**
 * guard → apply → audit for one scope's plan. Dry runs stop after audit of the plan (`planned`).
 * Enforce writes an intent before each vendor call (refused when the action key already has one:
 * the idempotency ledger) and a result after it.
 */
export async function executeScope(
  deps: EngineDeps,
  id: ScopeIdentity,
  plan: ScopePlan,
  mode: Mode,
  budget: RunBudget,
): Promise<PlanRow[]> {
  const rows: PlanRow[] = plan.notes.map((n) => row(id, n.resourceId, n.action, n.reason, n.status));
  if (deps.allowAction && mode === 'enforce') {
    const unapproved = plan.actions.filter((a) => !deps.allowAction!(actionKeyOf(id, a)));
    for (const a of unapproved) rows.push(row(id, label(a), a.action, `${a.reason} — not in the approved plan: not applied`, 'skipped'));
    plan = { ...plan, actions: plan.actions.filter((a) => !unapproved.includes(a)) };
  }
  const { allowed, refused } = guard(deps, plan, budget);
  for (const r of refused) {
    rows.push(row(id, label(r.action), r.action.action, `${r.action.reason} — ${r.why}`, r.status));
    // a 'notice' record: refusals repeat every run while the guard holds, so they never take the action key's result
    await deps.audit.putRecord(record(deps, id, r.action, mode, 'notice', { outcome: 'refused', reason: `${r.action.reason} — ${r.why}` }));
  }
  if (mode === 'dry-run') {
    for (const action of allowed) {
      rows.push(row(id, label(action), action.action, action.reason, 'planned'));
      await deps.audit.putRecord(record(deps, id, action, mode, 'planned', { outcome: 'planned' }));
    }
    return rows;
  }
  const groups = new Map<string, PlannedAction[]>();
  for (const action of allowed) {
    const key = action.kind === 'vendor' ? action.batchKey : `notice:${action.resourceId}:${action.action}:${action.slot}`;
    groups.set(key, [...(groups.get(key) ?? []), action]);
  }
  for (const group of groups.values()) {
    if (deps.shouldStop()) {
      for (const a of group) rows.push(row(id, label(a), a.action, `${a.reason} — not started: invocation near its timeout`, 'deferred'));
      continue;
    }
    const first = group[0]!;
    if (first.kind === 'notice') {
      for (const notice of group as NoticeAction[]) rows.push(await applyNotice(deps, id, notice));
    } else {
      rows.push(...(await applyVendorGroup(deps, id, group as VendorAction[])));
    }
  }
  return rows;
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

async function applyVendorGroup(deps: EngineDeps, id: ScopeIdentity, group: VendorAction[]): Promise<PlanRow[]> {
  const rows: PlanRow[] = [];
  const pending: VendorAction[] = [];
  for (const action of group) {
    const intent = record(deps, id, action, 'enforce', 'intent', {});
    if ((await deps.audit.putIntent(intent)) === 'written') {
      pending.push(action);
      continue;
    }
    const earlier = await deps.audit.get(intent.actionKey);
    if (earlier.result) {
      rows.push(row(id, label(action), action.action, `already done (run ${earlier.result.runId}, ${earlier.result.outcome})`, 'skipped'));
      continue;
    }
    // An intent without a result: an earlier invocation died mid-action. Ask the vendor.
    if (action.confirm && (await action.confirm().catch(() => false))) {
      await deps.audit.putResult(record(deps, id, action, 'enforce', 'result', { outcome: 'reconciled', reason: `${action.reason} (found done at the vendor)` }));
      rows.push(row(id, label(action), action.action, `${action.reason} (reconciled: already done at the vendor)`, 'applied'));
    } else {
      pending.push(action);
    }
  }
  if (!pending.length) return rows;
  const started = new Date().toISOString();
  let outcomes: BatchOutcome[];
  try {
    outcomes = await pending[0]!.run(pending.map((a) => a.resourceId));
  } catch (e) {
    const err = e as { code?: string; message?: string; name?: string };
    outcomes = pending.map((a) => ({ id: a.resourceId, ok: false, error: { code: err.code ?? err.name ?? 'Error', message: err.message ?? String(e), retryable: false } }));
  }
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const events = [];
  for (const action of pending) {
    const outcome = byId.get(action.resourceId) ?? { id: action.resourceId, ok: false, error: { code: 'NoOutcome', message: 'the vendor call reported nothing for this id', retryable: false } };
    const result = record(deps, id, action, 'enforce', 'result', {
      outcome: outcome.ok ? 'success' : 'failed',
      requestIds: outcome.requestId ? [outcome.requestId] : [],
      error: outcome.error ? { code: outcome.error.code, message: outcome.error.message } : undefined,
      after: outcome.ok ? jsonObject(action.expected) : undefined,
      startedAt: started,
      finishedAt: new Date().toISOString(),
    });
    await deps.audit.putResult(result);
    rows.push(row(id, label(action), action.action, outcome.ok ? action.reason : `${action.reason} — failed: ${outcome.error?.code}: ${outcome.error?.message}`, outcome.ok ? 'applied' : 'failed'));
    events.push(actionEvent(result));
  }
  await publish(deps, events);
  return rows;
}

async function applyNotice(deps: EngineDeps, id: ScopeIdentity, notice: NoticeAction): Promise<PlanRow> {
  const intent = record(deps, id, notice, 'enforce', 'intent', {});
  if ((await deps.audit.putIntent(intent)) === 'exists') {
    // one result per key: a notice whose publishing failed after the publisher's retries is not re-sent
    const earlier = await deps.audit.get(intent.actionKey);
    if (earlier.result) return row(id, label(notice), notice.action, `already sent (run ${earlier.result.runId}, ${earlier.result.outcome})`, 'skipped');
  }
  const detail = { ...notice.event.detail, actionKey: intent.actionKey, runId: deps.runId };
  const { failed } = await deps.events.publish([{ source: 'cloud-automation', detailType: notice.event.detailType, detail, resources: [notice.resourceId] }]);
  const ok = failed.length === 0;
  await deps.audit.putResult(
    record(deps, id, notice, 'enforce', 'result', {
      outcome: ok ? 'success' : 'failed',
      error: ok ? undefined : { code: 'PublishFailed', message: 'the event bus refused the notice' },
      details: { detailType: notice.event.detailType },
    }),
  );
  return row(id, label(notice), notice.action, ok ? notice.reason : `${notice.reason} — publishing failed`, ok ? 'applied' : 'failed');
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
