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
