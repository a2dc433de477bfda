import type { AuditFunction, AuditRecord } from '../../lib/audit/record';
import type { SimVendorName } from '../../sim/core';

/**
 * History for the audit-store bench (issue 19): n records of a fleet's past, deterministic and
 * generated record by record (nothing held in memory), the same for every store.
 *
 * - The run's own scopes (each function × each simulated target in the region the simulator
 *   serves, with the policy names the bench's runs use) get a fixed recent part: RECENT records
 *   over the last 35 days, the same at every size — so a bigger history is "the same run, with
 *   more past", which is what the 1M/1k ratio compares.
 * - The rest (n − RECENT) is the fleet's past: 3,200 instances over 4 targets × 4 regions, events
 *   of daily snapshots (create + retention delete), renewal reminders, auto-delete timers and
 *   deletions, recycle-bin bookkeeping and spot-price conditions, each an intent + result pair
 *   (or two notices). In the run's regions it is older than 36 days (it grows the scope's past,
 *   which only an unbounded read sees); in the other regions it reaches up to the run's time.
 *   At 1M records that is about 300 records a day for a year in each target × region.
 */
const DAY = 86_400_000;
const SAMPLE_TIME = Date.parse('2026-11-24T02:00:00Z'); // the sample scheduled events' time
/**
 * The runs' time: the last 02:00 UTC (the sample events' time of day) at or before now. A record's
 * `at` is the wall-clock time it was written, and the trail windows read it against the machine's
 * clock, so the history is written, and the runs run, at the machine's day — business time close to
 * the wall clock, as in production — and a run on any date sees the same history in its windows
 * (the seeded tables are cached per day).
 */
export const HISTORY_NOW = SAMPLE_TIME + Math.floor((Date.now() - SAMPLE_TIME) / DAY) * DAY;
const PAST_DAYS = 365;
/** Records in the fixed recent part (even: intents and results come in pairs). */
export const RECENT = 500;
export const INSTANCES = 3200;

export interface HistoryTarget {
  vendor: SimVendorName;
  target: string;
  /** The region the simulator serves first; the run's scopes are in it. */
  regions: [string, ...string[]];
}

/** The simulated targets (test/support/harness.ts SIM_TARGETS / SIM_REGIONS) and three more regions each. */
export const HISTORY_TARGETS: HistoryTarget[] = [
  {
    vendor: 'tencent',
    target: 'tencent-prod',
    regions: ['ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-chengdu'],
  },
  {
    vendor: 'kec',
    target: 'kec-prod',
    regions: ['cn-beijing-6', 'cn-shanghai-2', 'cn-guangzhou-1', 'cn-hongkong-2'],
  },
  {
    vendor: 'alibaba',
    target: 'apsara-prod',
    regions: ['cn-qingdao-sg-d01', 'cn-hangzhou-d01', 'cn-beijing-d01', 'cn-shenzhen-d01'],
  },
  { vendor: 'cecstack', target: 'cecstack-prod', regions: ['region0', 'region1', 'region2', 'region3'] },
];

/** The policy names of the bench's runs (bench/lib/audit-runs.ts), one per function. */
export const HISTORY_POLICIES: Record<AuditFunction, string> = {
  'auto-delete': 'ad',
  snapshots: 'daily',
  'renewal-reminders': 'renewals',
  'recycle-bin': 'bin',
  'spot-prices': 'spot',
};

interface EventKind {
  function: AuditFunction;
  action: string;
  kind: AuditRecord['resourceKind'];
  /** Two notices rather than an intent and its result. */
  notices?: boolean;
}

/** Ten event kinds, cycled: most of a fleet's trail is its daily snapshots. */
const KINDS: EventKind[] = [
  { function: 'snapshots', action: 'create-snapshot', kind: 'snapshot' },
  { function: 'snapshots', action: 'create-snapshot', kind: 'snapshot' },
  { function: 'snapshots', action: 'create-snapshot', kind: 'snapshot' },
  { function: 'snapshots', action: 'delete-snapshot', kind: 'snapshot' },
  { function: 'snapshots', action: 'delete-snapshot', kind: 'snapshot' },
  { function: 'renewal-reminders', action: 'send-reminder', kind: 'instance', notices: true },
  { function: 'auto-delete', action: 'set-auto-delete-time', kind: 'instance' },
  { function: 'auto-delete', action: 'delete-instance', kind: 'instance' },
  { function: 'recycle-bin', action: 'first-seen-in-bin', kind: 'recycle-item', notices: true },
  { function: 'spot-prices', action: 'spot-conditions', kind: 'price', notices: true },
];

const RECENT_FUNCTIONS: AuditFunction[] = [
  'auto-delete',
  'snapshots',
  'renewal-reminders',
  'recycle-bin',
  'spot-prices',
];
const RECENT_KINDS: Record<AuditFunction, EventKind> = {
  'auto-delete': KINDS[6]!,
  snapshots: KINDS[0]!,
  'renewal-reminders': KINDS[5]!,
  'recycle-bin': KINDS[8]!,
  'spot-prices': KINDS[9]!,
};

/** A spread of event numbers over instances (a multiplicative hash, so neighbours differ). */
const spreadOf = (e: number) => (e * 2_654_435_761) % 4_294_967_296;

/** A history instance's id in its vendor's form (Tencent reads ids it set a timer on by id: a malformed one is refused, seed 004 L2246). */
const instanceId = (vendor: string, recent: boolean, n: number) =>
  vendor === 'tencent' ? `ins-${recent ? 'r' : 'h'}${n.toString(36).padStart(7, '0')}` : `hist-${vendor}-${recent ? 'recent-' : ''}${n}`;

/** Record i of a history of n records (n ≥ RECENT, n − RECENT even). */
export function historyRecord(i: number, n: number): AuditRecord {
  const pair = Math.floor(i / 2);
  const second = i % 2 === 1;
  let kind: EventKind;
  let t: HistoryTarget;
  let region: string;
  let resourceId: string;
  let at: number;
  if (i < RECENT) {
    // the run's scopes, the last 35 days: the same at every size
    const events = RECENT / 2;
    kind = RECENT_KINDS[RECENT_FUNCTIONS[pair % RECENT_FUNCTIONS.length]!];
    t = HISTORY_TARGETS[Math.floor(pair / RECENT_FUNCTIONS.length) % HISTORY_TARGETS.length]!;
    region = t.regions[0];
    resourceId = instanceId(t.vendor, true, pair % 25);
    // within 34 days of HISTORY_NOW, which is less than a day before now: inside a 35-day window
    at = HISTORY_NOW - 34 * DAY + Math.floor((pair / events) * (34 * DAY - 3_600_000));
  } else {
    const e = Math.floor((i - RECENT) / 2);
    const events = Math.max(1, (n - RECENT) / 2);
    kind = KINDS[e % KINDS.length]!;
    const instance = spreadOf(e) % INSTANCES;
    t = HISTORY_TARGETS[instance % HISTORY_TARGETS.length]!;
    const r = Math.floor(instance / HISTORY_TARGETS.length) % t.regions.length;
    region = t.regions[r]!;
    resourceId = kind.kind === 'price' ? `hist-group-${instance % 40}` : instanceId(t.vendor, false, instance);
    // the run's regions: older than 36 days; elsewhere up to an hour before the run
    const newest = r === 0 ? HISTORY_NOW - 36 * DAY : HISTORY_NOW - 3_600_000;
    const oldest = HISTORY_NOW - PAST_DAYS * DAY;
    at = oldest + Math.floor((e / events) * (newest - oldest));
  }
  const iso = new Date(at + (second ? 1000 : 0)).toISOString();
  const policy = HISTORY_POLICIES[kind.function];
  const slot = iso.slice(0, 10);
  const phase: AuditRecord['phase'] = kind.notices ? 'notice' : second ? 'result' : 'intent';
  const runId = `hist-run-${slot}-${kind.function}`;
  return {
    schemaVersion: 1,
    phase,
    actionKey: `${kind.function}|${policy}|${t.target}|${region}|${resourceId}|${kind.action}|${slot}${kind.notices ? `|${second ? 2 : 1}` : ''}`,
    runId,
    trigger: 'schedule',
    function: kind.function,
    policy,
    vendor: t.vendor,
    target: t.target,
    region,
    resourceId,
    resourceKind: kind.kind,
    action: kind.action,
    mode: 'enforce',
    reason: `bench history: ${kind.action}`,
    requestIds: phase === 'result' ? [`req-${pair}`] : [],
    at: iso,
    // recent timers are set for 30 days ahead (still in effect); the past's fired 12 h after being
    // set: the past holds nothing a run still needs, so the sizes differ only in what is over
    ...(kind.action === 'set-auto-delete-time' && {
      expected: { autoDeleteAt: new Date(at + (i < RECENT ? 30 * DAY : DAY / 2)).toISOString() },
    }),
    ...(phase === 'result' && { outcome: 'success' as const }),
    ...(phase === 'intent' && {
      lease: { owner: runId, until: new Date(at + 900_000).toISOString(), attempt: 1 },
    }),
  };
}

/** Action keys of recent ledger entries of one run scope (what a run's `get` finds done). */
export function recentKeys(count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < RECENT && keys.length < count; i += 2) {
    const r = historyRecord(i, RECENT);
    if (r.phase === 'intent') keys.push(r.actionKey);
  }
  return keys;
}
