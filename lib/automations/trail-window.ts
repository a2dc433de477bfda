import { makeActionKey, type AuditFunction, type AuditRecord } from '../audit/record';
import type { AuditQuery } from '../audit/store';
import type { EngineDeps, Mode } from './engine/types';

const DAY_MS = 86_400_000;
/** A run reads this much of its scope's trail (records carry wall-clock `at`), as reconcile does. */
export const TRAIL_WINDOW_DAYS = 35;
/** A run writing a marker first re-writes (carries) what it still needs from records older than this. */
export const CARRY_AFTER_DAYS = 14;
/** A marker is renewed once it is this old, so a scope run daily writes one a week. */
export const MARKER_EVERY_DAYS = 7;
/** Below this many records a scope's whole history is read as cheaply as its window: no marker needed. */
export const MARKER_MIN_RECORDS = 500;
/** The marker: everything a run needs from before the window was carried into it (phase notice). */
export const TRAIL_CARRIED = 'trail-carried';

export interface TrailRead {
  /** The records read, oldest first: the window when `bounded`, else the whole history of the scope. */
  records: AuditRecord[];
  /** Only the window was read (a marker younger than window − carry age is in it). */
  bounded: boolean;
  /** This run should carry forward and write a marker (none fresh, and the history is worth bounding). */
  due: boolean;
  /** Records older than this (wall clock) are carried forward when `due`. */
  carryBefore: string;
}

/**
 * The records of one scope (function × target × region; `home`, where the markers live) and of
 * any `others` queries, bounded by time: once a run has written a marker, what a later run needs
 * from before the window has been re-written (carried) into it, so reading the last 35 days is
 * enough while the marker is at most 21 days old. Without one (trails written before markers, a
 * scope left without runs for weeks) the whole history is read once, and the run carries forward.
 * Correct under concurrent runs (carries and markers are append-only notices; a duplicate says
 * the same) and crashes (a marker is written after the carries it vouches for).
 */
export async function readTrail(
  deps: Pick<EngineDeps, 'audit' | 'leaseClock'>,
  home: Required<Pick<AuditQuery, 'function' | 'target' | 'region'>>,
  isMarker: (r: AuditRecord) => boolean,
  others: AuditQuery[] = [],
): Promise<TrailRead> {
  const wallNow = (deps.leaseClock ?? Date.now)();
  const windowStart = new Date(wallNow - TRAIL_WINDOW_DAYS * DAY_MS).toISOString();
  let homeRecords = await deps.audit.query({ ...home, since: windowStart });
  const marker = homeRecords.filter(isMarker).reduce<string | undefined>((m, r) => (m === undefined || r.at > m ? r.at : m), undefined);
  const bounded = marker !== undefined && Date.parse(marker) >= wallNow - (TRAIL_WINDOW_DAYS - CARRY_AFTER_DAYS) * DAY_MS;
  if (!bounded) homeRecords = await deps.audit.query(home);
  const rest = (await Promise.all(others.map((q) => deps.audit.query(bounded ? { ...q, since: windowStart } : q)))).flat();
  const records = [...homeRecords, ...rest].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const fresh = marker !== undefined && Date.parse(marker) >= wallNow - MARKER_EVERY_DAYS * DAY_MS;
  return {
    records,
    bounded,
    due: !fresh && (bounded || records.length >= MARKER_MIN_RECORDS),
    carryBefore: new Date(wallNow - CARRY_AFTER_DAYS * DAY_MS).toISOString(),
  };
}

export interface CarryScope {
  function: AuditFunction;
  policy: string;
  vendor: AuditRecord['vendor'];
  target: string;
  region: string;
  mode: Mode;
}

/** Writes the carried records, then the marker vouching for them (a crash between leaves no marker). */
export async function carryForward(deps: Pick<EngineDeps, 'audit' | 'runId' | 'trigger' | 'now'>, scope: CarryScope, carried: AuditRecord[]): Promise<void> {
  for (const r of carried) await deps.audit.putRecord(r);
  const at = new Date().toISOString();
  await deps.audit.putRecord(
    bookkeepingRecord(deps, scope, {
      resourceId: `${scope.target}|${scope.region}`,
      resourceKind: 'other',
      action: TRAIL_CARRIED,
      slot: at,
      reason: `bookkeeping: what later runs need from records older than ${CARRY_AFTER_DAYS} days is carried forward (${carried.length} record(s)), so they read only the last ${TRAIL_WINDOW_DAYS} days`,
      details: { carried: carried.length },
    }),
  );
}

/** A `notice` record of the run's own bookkeeping (nothing changes at the vendor). */
export function bookkeepingRecord(
  deps: Pick<EngineDeps, 'runId' | 'trigger' | 'now'>,
  scope: CarryScope,
  r: Pick<AuditRecord, 'resourceId' | 'resourceKind' | 'action' | 'reason'> & { slot: string } & Partial<Pick<AuditRecord, 'expected' | 'details'>>,
): AuditRecord {
  const key = makeActionKey({ function: scope.function, policy: scope.policy, target: scope.target, region: scope.region, resourceId: r.resourceId, action: r.action, slot: r.slot });
  return {
    schemaVersion: 1,
    phase: 'notice',
    actionKey: key,
    runId: deps.runId,
    trigger: deps.trigger,
    function: scope.function,
    policy: scope.policy,
    vendor: scope.vendor,
    target: scope.target,
    region: scope.region,
    resourceId: r.resourceId,
    resourceKind: r.resourceKind,
    action: r.action,
    mode: scope.mode,
    reason: r.reason,
    requestIds: [],
    at: new Date().toISOString(),
    ...(r.expected && { expected: r.expected }),
    details: { runNow: deps.now.toISOString(), ...(r.details ?? {}) },
  };
}
