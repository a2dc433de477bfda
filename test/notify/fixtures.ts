import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditStore, makeActionKey } from '../../lib/audit';
import { notificationsSchema, type NotificationsConfig } from '../../lib/config/notifications';
import type { SlidingWindowLimiter} from '../../lib/notify';
import { AuditLedger, deliver, type DeliverDeps, type FailedDelivery, type IncomingEvent } from '../../lib/notify';
import type { Channel } from '../../lib/notify/channels';

/** A clock the test owns: sleeping advances it, so waits cost no wall time. */
export function fakeTime(startMs = Date.parse('2026-11-24T01:00:00Z')) {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => (now += ms),
    sleeps,
  };
}

let seq = 0;

export function reminderEvent(o: { id?: string; name?: string; owner?: string | null; daysLeft?: number; runId?: string; policy?: string; target?: string; expiresAt?: string } = {}): IncomingEvent {
  const id = o.id ?? `ins-${String(++seq).padStart(4, '0')}`;
  const policy = o.policy ?? 'prod-renewals';
  const target = o.target ?? 'tencent-prod';
  const daysLeft = o.daysLeft ?? 7;
  const actionKey = makeActionKey({ function: 'renewal-reminders', policy, target, region: 'ap-guangzhou', resourceId: id, action: 'remind', slot: `stage-${daysLeft}d@2026-12-01T09:00:00.000Z` });
  return {
    source: 'cloud-automation',
    'detail-type': 'Renewal Reminder',
    time: '2026-11-24T01:00:00Z',
    detail: {
      policy,
      vendor: 'tencent',
      target,
      region: 'ap-guangzhou',
      instance: { id, name: o.name ?? `web-${id.slice(-4)}` },
      owner: o.owner === undefined ? 'alice' : o.owner,
      expiresAt: o.expiresAt ?? '2026-12-01T09:00:00Z',
      daysLeft,
      stageDays: daysLeft,
      renewFlag: 'manual',
      autoRenew: { enabled: false, planned: false },
      quote: { total: '120.50', currency: 'CNY', periodMonths: 1, parts: [] },
      renewPlanned: false,
      message: `expires in ${daysLeft} days`,
      actionKey,
      runId: o.runId ?? 'run-renew-1',
    },
  };
}

export function purgeEvent(o: { id?: string; runId?: string; purgeAt?: string } = {}): IncomingEvent {
  const id = o.id ?? `ins-rb-${++seq}`;
  const purgeAt = o.purgeAt ?? '2026-11-25T04:30:00Z';
  return {
    source: 'cloud-automation',
    'detail-type': 'Recycle Bin Purge Warning',
    detail: {
      vendor: 'cecstack',
      target: 'cecstack-prod',
      region: 'cn-north-1',
      resourceId: id,
      kind: 'instance',
      purgeAt,
      purgeAtSource: 'vendor',
      policyAction: 'leave',
      actionKey: makeActionKey({ function: 'recycle-bin', policy: 'bin-watch', target: 'cecstack-prod', region: 'cn-north-1', resourceId: id, action: 'warn-purge', slot: purgeAt }),
      runId: o.runId ?? 'run-bin-1',
    },
  };
}

export function failedActionEvent(o: { id?: string; outcome?: string } = {}): IncomingEvent {
  const id = o.id ?? `ins-f-${++seq}`;
  return {
    source: 'cloud-automation',
    'detail-type': 'Automation Action',
    detail: {
      function: 'auto-delete',
      policy: 'expire-dev',
      vendor: 'kec',
      target: 'kec-prod',
      region: 'cn-beijing-6',
      resourceId: id,
      action: 'delete-instance',
      outcome: o.outcome ?? 'failed',
      reason: 'due',
      error: { code: 'InvalidInstance.Locked', message: 'the instance is locked' },
      actionKey: makeActionKey({ function: 'auto-delete', policy: 'expire-dev', target: 'kec-prod', region: 'cn-beijing-6', resourceId: id, action: 'delete-instance', slot: '2026-11-24T01:00Z' }),
      runId: 'run-del-1',
    },
  };
}

export function notifications(input: unknown): NotificationsConfig {
  return notificationsSchema.parse(input);
}

export function tempStore() {
  const dir = mkdtempSync(join(tmpdir(), 'notify-'));
  return new FileAuditStore(join(dir, 'audit.jsonl'), { fsync: false });
}

/** deliver() with a file audit store, a fake clock and a memory failure sink. */
export function harness(config: NotificationsConfig, channels: Map<string, Channel>, time = fakeTime(), store = tempStore()) {
  const failures: FailedDelivery[] = [];
  let run = 0;
  const limiters = new Map<string, SlidingWindowLimiter>(); // one warm function: the windows outlive each call
  const deps = (extra: Partial<DeliverDeps> = {}): DeliverDeps => ({
    config,
    channels,
    ledger: new AuditLedger({ store, runId: `notify-${++run}`, now: time.clock }),
    clock: time.clock,
    sleep: time.sleep,
    failures: { put: async (e) => void failures.push(...e) },
    limiters,
    ...extra,
  });
  return { store, time, failures, send: (events: IncomingEvent[], extra: Partial<DeliverDeps> = {}) => deliver(events, deps(extra)) };
}

/** `Renewal Refused` as renewal-reminders publishes it (lib/automations/renewal-reminders/index.ts refusedNotice). */
export function refusedEvent(o: { id?: string; owner?: string | null; runId?: string } = {}): IncomingEvent {
  const id = o.id ?? `ins-rf-${++seq}`;
  const expiresAt = '2026-12-01T09:00:00Z';
  return {
    source: 'cloud-automation',
    'detail-type': 'Renewal Refused',
    detail: {
      policy: 'prod-renewals',
      vendor: 'tencent',
      target: 'tencent-prod',
      region: 'ap-guangzhou',
      instance: { id, name: `db-${id.slice(-4)}` },
      owner: o.owner === undefined ? 'alice' : o.owner,
      expiresAt,
      periodMonths: 1,
      budget: { amount: '100.00', currency: 'CNY' },
      quoteTotal: '368.64',
      reason: 'quote 368.64 CNY exceeds renew.budget 100.00 CNY',
      actionKey: makeActionKey({ function: 'renewal-reminders', policy: 'prod-renewals', target: 'tencent-prod', region: 'ap-guangzhou', resourceId: id, action: 'refuse-renewal', slot: `${expiresAt}:1m` }),
      runId: o.runId ?? 'run-renew-1',
    },
  };
}

/** `Snapshot Ready` / `Failed` / `Stuck` as snapshots publishes them (lib/automations/snapshots/readiness.ts). */
export function readinessEvent(kind: 'ready' | 'failed' | 'stuck', o: { id?: string; runId?: string } = {}): IncomingEvent {
  const id = o.id ?? `snap-${++seq}`;
  const type = { ready: 'Snapshot Ready', failed: 'Snapshot Failed', stuck: 'Snapshot Stuck' }[kind];
  const action = { ready: 'confirm-snapshot-ready', failed: 'alert-snapshot-failed', stuck: 'alert-snapshot-stuck' }[kind];
  return {
    source: 'cloud-automation',
    'detail-type': type,
    detail: {
      policy: 'nightly',
      vendor: 'kec',
      target: 'kec-prod',
      region: 'cn-beijing-6',
      snapshotId: id,
      name: `nightly-vol-1-${id}`,
      sourceId: 'vol-1',
      state: kind === 'stuck' ? 'creating' : kind,
      createdAt: '2026-11-24T01:00:00Z',
      seenAt: '2026-11-24T08:00:00Z',
      message: `snapshot ${id} is ${kind}`,
      actionKey: makeActionKey({ function: 'snapshots', policy: 'nightly', target: 'kec-prod', region: 'cn-beijing-6', resourceId: id, action, slot: id }),
      runId: o.runId ?? 'run-snap-1',
    },
  };
}

/** `Auto Delete Digest` / `Recycle Bin Purge Digest` as lib/automations/digest.ts builds them. */
export function warningDigestEvent(type: 'Auto Delete Digest' | 'Recycle Bin Purge Digest', o: { runId?: string } = {}): IncomingEvent {
  const fn = type === 'Auto Delete Digest' ? 'auto-delete' : 'recycle-bin';
  const resourceId = type.toLowerCase().replace(/ /g, '-');
  return {
    source: 'cloud-automation',
    'detail-type': type,
    detail: {
      policy: 'expire-dev',
      vendor: 'kec',
      target: 'kec-prod',
      region: 'cn-beijing-6',
      date: '2026-11-24',
      owners: [
        { owner: 'alice', entries: [{ resourceId: 'ins-d1', name: 'dev-1', dueAt: '2026-11-25T04:00:00Z', reason: 'ttl' }] },
        { owner: null, entries: [{ resourceId: 'ins-d2', dueAt: '2026-11-26T04:00:00Z', reason: 'tag' }] },
      ],
      count: 2,
      actionKey: makeActionKey({ function: fn, policy: 'expire-dev', target: 'kec-prod', region: 'cn-beijing-6', resourceId, action: 'send-digest', slot: '2026-11-24' }),
      runId: o.runId ?? 'run-del-1',
    },
  };
}
