import { attemptOf, normaliseTime, parseAuditRecord, type AuditFunction, type AuditOutcome, type AuditPhase, type AuditRecord } from './record';
import { redact, redactText } from './redact';

export interface AuditQuery {
  resourceId?: string;
  action?: string;
  function?: AuditFunction;
  outcome?: AuditOutcome;
  phase?: AuditPhase;
  /** Inclusive lower bound on `at` (UTC ISO). */
  since?: string;
  /** Exclusive upper bound on `at` (UTC ISO). */
  until?: string;
  runId?: string;
  /** With function and region, the scope a run reads: served by an index, never a scan. */
  target?: string;
  region?: string;
  policy?: string;
  /** At most this many records (the oldest first, or the newest with newestFirst). */
  limit?: number;
  /** Newest first (e.g. the latest state record: `limit: 1, newestFirst: true`). */
  newestFirst?: boolean;
}

/** The scope an action belongs to: what open intents are looked up by at the start of a run. */
export interface LedgerScope {
  function: AuditFunction;
  policy: string;
  target: string;
  region: string;
}

export function ledgerScopeId(s: LedgerScope): string {
  return [s.function, s.policy, s.target, s.region].map((p) => p.replace(/%/g, '%25').replace(/\|/g, '%7C')).join('|');
}

/**
 * The audit trail and idempotency ledger (design §5). Contract shared by every store:
 * - putIntent is conditional per (actionKey, lease attempt): the first intent of an attempt is
 *   written ('written'); any later one is refused ('exists') and nothing is written — the caller
 *   must not act. An intent without a lease is attempt 1. Taking over an expired lease is writing
 *   attempt n+1, so of several runs taking over at once exactly one wins.
 * - get returns the latest attempt's intent and the result.
 * - putResult writes the one result of an actionKey. A second result for the same key is refused
 *   with AuditConflictError (the first result stands, nothing is overwritten). A result without
 *   an intent is allowed (e.g. a guard's 'refused' outcome, or a reconciliation).
 * - putRecord appends 'planned' and 'notice' records; they never conflict.
 * - Every record is redacted, then validated, before it is written; `at` is normalised to
 *   toISOString() form. query() returns records ordered by `at`, oldest first.
 * Stores only ever add records: nothing is updated or deleted.
 */
export interface AuditStore {
  putIntent(record: AuditRecord): Promise<'written' | 'exists'>;
  putResult(record: AuditRecord): Promise<void>;
  putRecord(record: AuditRecord): Promise<void>;
  get(actionKey: string): Promise<{ intent?: AuditRecord; result?: AuditRecord }>;
  /**
   * The intents of a scope written at or after `since` that have no result yet, the latest attempt
   * of each key, oldest first. Costs the scope and the time range, never the whole history.
   */
  openIntents(scope: LedgerScope, since: string): Promise<AuditRecord[]>;
  query(q: AuditQuery): Promise<AuditRecord[]>;
  /**
   * The records a query matches, one at a time, in the store's own order (the file store: the
   * order they were written; DynamoDB: by day when `since` is given, else table order), holding
   * a page at a time: the CLI's JSONL export. `limit` and `newestFirst` are not taken.
   */
  stream?(q: AuditQuery): AsyncIterable<AuditRecord>;
  close?(): Promise<void>;
}

/** A second result for the same action key. */
export class AuditConflictError extends Error {
  constructor(readonly actionKey: string) {
    super(`audit: a result for action ${actionKey} is already recorded; results are written once and never overwritten`);
    this.name = 'AuditConflictError';
  }
}

const PHASES_BY_METHOD = {
  putIntent: ['intent'],
  putResult: ['result'],
  putRecord: ['planned', 'notice'],
} as const satisfies Record<string, readonly AuditPhase[]>;

/** Redacts, validates and checks the phase fits the method; what every store writes. */
export function prepareRecord(record: AuditRecord, method: keyof typeof PHASES_BY_METHOD): AuditRecord {
  const clean = parseAuditRecord(redact(record));
  const allowed: readonly AuditPhase[] = PHASES_BY_METHOD[method];
  if (!allowed.includes(clean.phase)) {
    throw new Error(`audit: ${method} takes records with phase ${allowed.map((p) => `"${p}"`).join(' or ')}, got "${clean.phase}"`);
  }
  return clean;
}

/** The key as stored: keys pass through redaction like the rest of the record. */
export function storedKey(actionKey: string): string {
  return redactText(actionKey);
}

export function normaliseQuery(q: AuditQuery): AuditQuery {
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1)) {
    throw new Error(`audit query: limit must be a positive integer, got ${q.limit}`);
  }
  return {
    ...q,
    ...(q.since !== undefined && { since: checkedTime('since', q.since) }),
    ...(q.until !== undefined && { until: checkedTime('until', q.until) }),
  };
}

function checkedTime(name: string, value: string): string {
  if (Number.isNaN(Date.parse(value))) throw new Error(`audit query: ${name} must be an ISO-8601 time, got "${value}"`);
  return normaliseTime(value);
}

export function matchesQuery(r: AuditRecord, q: AuditQuery): boolean {
  return (
    (q.resourceId === undefined || r.resourceId === q.resourceId) &&
    (q.action === undefined || r.action === q.action) &&
    (q.function === undefined || r.function === q.function) &&
    (q.outcome === undefined || r.outcome === q.outcome) &&
    (q.phase === undefined || r.phase === q.phase) &&
    (q.runId === undefined || r.runId === q.runId) &&
    (q.target === undefined || r.target === q.target) &&
    (q.region === undefined || r.region === q.region) &&
    (q.policy === undefined || r.policy === q.policy) &&
    (q.since === undefined || r.at >= q.since) &&
    (q.until === undefined || r.at < q.until)
  );
}

/** Stable sort by time (oldest first unless newestFirst), then cut to the limit. */
export function orderAndLimit(records: AuditRecord[], limit?: number, newestFirst = false): AuditRecord[] {
  const sorted = records
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.at < b.r.at ? -1 : a.r.at > b.r.at ? 1 : a.i - b.i))
    .map((x) => x.r);
  if (newestFirst) sorted.reverse();
  return limit === undefined ? sorted : sorted.slice(0, limit);
}

/** Of one key's intents, the latest attempt. */
export function latestIntent(intents: AuditRecord[]): AuditRecord | undefined {
  let latest: AuditRecord | undefined;
  for (const i of intents) if (!latest || attemptOf(i) > attemptOf(latest)) latest = i;
  return latest;
}

/** Open intents from a scope's intents and results (any order): latest attempt per key without a result, oldest first. */
export function openFrom(records: AuditRecord[]): AuditRecord[] {
  const intents = new Map<string, AuditRecord[]>();
  const done = new Set<string>();
  for (const r of records) {
    if (r.phase === 'result') done.add(r.actionKey);
    else if (r.phase === 'intent') intents.set(r.actionKey, [...(intents.get(r.actionKey) ?? []), r]);
  }
  const open: AuditRecord[] = [];
  for (const [key, list] of intents) if (!done.has(key)) open.push(latestIntent(list)!);
  return orderAndLimit(open);
}
