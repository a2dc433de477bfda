import type { AuditStore } from '../../audit/store';
import { durationMs } from '../../config/fields';
import type { NoticeAction } from '../engine/types';
import { UNDO } from '../undo';
import type { ActionContext } from './actions';
import { READINESS_ACTIONS, SNAPSHOT_ACTIONS, SNAPSHOT_FAILED, SNAPSHOT_READY, SNAPSHOT_STUCK, snapshotReadinessDetailSchema } from './events';
import type { SnapshotFacts } from './inventory';

/** A snapshot this policy took (per the trail) whose readiness no run has confirmed yet. */
interface Pending {
  name: string;
  sourceId: string;
}

/**
 * The snapshots this policy took in this scope (successful `create-snapshot` results) that have no
 * `confirm-snapshot-ready` or `alert-snapshot-failed` result yet: a stuck alert keeps them pending.
 * Only those taken by runs of an earlier business time: a retried or continued invocation of the same
 * scheduled event is the same run (the same work, whenever the vendor happens to finish).
 */
/** As long as the engine looks back for open intents (engine DECISIONS E4). */
const PENDING_WINDOW_MS = 35 * 86_400_000;

export async function pendingSnapshots(audit: AuditStore, ctx: ActionContext, now: Date): Promise<Pending[]> {
  // bounded by scope and time (issue 19): a snapshot not settled within the reconcile window is no longer
  // pending. Records carry wall-clock `at`: the window starts from the earlier of the run's now and the wall clock.
  const since = new Date(Math.min(now.getTime(), Date.now()) - PENDING_WINDOW_MS).toISOString();
  const records = (await audit.query({ function: 'snapshots', phase: 'result', policy: ctx.policy, target: ctx.target, region: ctx.scope.region, since })).filter(
    (r) => r.policy === ctx.policy && r.target === ctx.target && r.region === ctx.scope.region && (r.outcome === 'success' || r.outcome === 'reconciled'),
  );
  const settled = new Set(
    records.filter((r) => r.action === READINESS_ACTIONS.ready || r.action === READINESS_ACTIONS.failed).map((r) => String(r.expected?.snapshotName ?? '')),
  );
  const pending = new Map<string, Pending>();
  for (const r of records) {
    const name = r.expected?.name;
    if (r.action !== SNAPSHOT_ACTIONS.created || typeof name !== 'string' || settled.has(name)) continue;
    const takenAt = Date.parse(String(r.details?.runNow ?? ''));
    if (!(takenAt < now.getTime())) continue;
    pending.set(name, { name, sourceId: r.resourceId });
  }
  return [...pending.values()];
}

/**
 * One notice per pending snapshot whose state says something: ready (recorded once), failed
 * (alert), still creating past `readyWithin` (alert once). A snapshot still creating within the bound,
 * or not listed, waits for a later run.
 */
export function readinessNotices(ctx: ActionContext, pending: Pending[], history: Map<string, SnapshotFacts[]>, readyWithin: string, now: Date): NoticeAction[] {
  const boundMs = durationMs(readyWithin);
  const out: NoticeAction[] = [];
  for (const p of pending) {
    const snap = (history.get(p.sourceId) ?? []).find((s) => s.name === p.name);
    if (!snap) continue;
    const age = now.getTime() - Date.parse(snap.createdAt);
    let kind: keyof typeof READINESS_ACTIONS | undefined;
    let message: string;
    if (snap.state === 'ready') {
      kind = 'ready';
      message = `snapshot ${snap.id} (${snap.name}) of ${p.sourceId} is ready; retention counts it from now on`;
    } else if (snap.state === 'failed') {
      kind = 'failed';
      message = `snapshot ${snap.id} (${snap.name}) of ${p.sourceId} failed at the vendor: this slot has no backup of ${p.sourceId}`;
    } else if (snap.state === 'creating' && age > boundMs) {
      kind = 'stuck';
      message = `snapshot ${snap.id} (${snap.name}) of ${p.sourceId} is still creating ${Math.round(age / 60_000)} min after it was taken (readyWithin ${readyWithin})`;
    } else {
      continue;
    }
    const detail = snapshotReadinessDetailSchema.parse({
      policy: ctx.policy,
      vendor: ctx.client.vendor,
      target: ctx.target,
      region: ctx.scope.region,
      snapshotId: snap.id,
      name: snap.name,
      sourceId: p.sourceId,
      state: snap.state,
      createdAt: snap.createdAt,
      seenAt: now.toISOString(),
      message,
    });
    out.push({
      kind: 'notice',
      resourceId: snap.id,
      resourceKind: 'snapshot',
      resourceName: snap.name,
      action: READINESS_ACTIONS[kind],
      reason: message,
      // once per snapshot, whatever the slot
      slot: snap.id,
      destructive: false,
      before: { state: snap.state, createdAt: snap.createdAt },
      expected: { snapshotName: snap.name, state: snap.state },
      undoHint: UNDO.notice,
      event: { detailType: kind === 'ready' ? SNAPSHOT_READY : kind === 'failed' ? SNAPSHOT_FAILED : SNAPSHOT_STUCK, detail },
    });
  }
  return out;
}
