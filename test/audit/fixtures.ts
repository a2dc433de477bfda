import { makeActionKey, type AuditRecord } from '../../lib/audit';

let n = 0;

/** A valid record; each call gets a fresh resource and key unless overridden. */
export function sampleRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  n++;
  const resourceId = overrides.resourceId ?? `ins-${n}`;
  return {
    schemaVersion: 1,
    phase: 'intent',
    actionKey: makeActionKey({
      function: 'auto-delete',
      policy: 'expire-dev',
      target: 'tencent-prod',
      region: 'ap-guangzhou',
      resourceId,
      action: 'delete-instance',
      slot: `2026-03-01T02:00Z#${n}`,
    }),
    runId: 'run-1',
    trigger: 'schedule',
    function: 'auto-delete',
    policy: 'expire-dev',
    vendor: 'tencent',
    target: 'tencent-prod',
    region: 'ap-guangzhou',
    resourceId,
    resourceKind: 'instance',
    action: 'delete-instance',
    mode: 'enforce',
    reason: 'expired at 2026-02-28T00:00:00Z',
    requestIds: [],
    at: '2026-03-01T02:00:00.000Z',
    ...overrides,
  };
}

export function resultOf(intent: AuditRecord, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return { ...intent, phase: 'result', outcome: 'success', requestIds: ['req-1'], ...overrides };
}
