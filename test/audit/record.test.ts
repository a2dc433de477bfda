import { auditRecordSchema, makeActionKey, parseAuditRecord } from '../../lib/audit';
import { sampleRecord } from './fixtures';

describe('AuditRecord schema', () => {
  it('accepts a full record and normalises its times', () => {
    const r = parseAuditRecord(
      sampleRecord({
        phase: 'result',
        outcome: 'failed',
        at: '2026-03-01T02:00:00Z',
        startedAt: '2026-03-01T01:59:59.5Z',
        finishedAt: '2026-03-01T02:00:00.250Z',
        before: { state: 'running', tags: { env: 'dev' } },
        after: { state: 'running' },
        expected: { state: 'terminated' },
        error: { code: 'InvalidInstanceId.NotFound', message: 'gone' },
        undoHint: 'none: deletion is final',
        requestIds: ['a', 'b'],
        details: { attempt: 2, ids: ['x'], ok: false, none: null },
      }),
    );
    expect(r.at).toBe('2026-03-01T02:00:00.000Z');
    expect(r.startedAt).toBe('2026-03-01T01:59:59.500Z');
  });

  it('names every bad field at once', () => {
    const bad = { ...sampleRecord(), schemaVersion: 2, vendor: 'aws', resourceId: '', at: '2026-03-01T10:00:00+08:00', extra: 1 };
    expect(() => parseAuditRecord(bad)).toThrow(/schemaVersion.*vendor.*resourceId: must be a non-empty string.*at: must be a UTC ISO-8601 time/);
    const issues = auditRecordSchema.safeParse(bad).error?.issues.map((i) => i.path.join('.') || i.code);
    expect(issues).toEqual(expect.arrayContaining(['schemaVersion', 'vendor', 'resourceId', 'at', 'unrecognized_keys']));
  });

  it('requires an outcome on results and only "planned" on planned records', () => {
    expect(() => parseAuditRecord(sampleRecord({ phase: 'result' }))).toThrow(/outcome: a result record needs an outcome/);
    expect(() => parseAuditRecord(sampleRecord({ phase: 'planned', outcome: 'success' }))).toThrow(/planned record/);
    expect(parseAuditRecord(sampleRecord({ phase: 'planned' })).phase).toBe('planned');
  });

  it('rejects non-JSON detail values', () => {
    expect(() => parseAuditRecord({ ...sampleRecord(), details: { at: new Date() } })).toThrow(/details/);
  });
});

describe('makeActionKey', () => {
  const parts = {
    function: 'snapshots',
    policy: 'daily',
    target: 'ali-prod',
    region: 'cn-hangzhou',
    resourceId: 'i-1',
    action: 'create-snapshot',
    slot: '2026-03-01T02:00Z',
  } as const;

  it('is deterministic and readable', () => {
    expect(makeActionKey(parts)).toBe('snapshots|daily|ali-prod|cn-hangzhou|i-1|create-snapshot|2026-03-01T02:00Z');
    expect(makeActionKey({ ...parts })).toBe(makeActionKey(parts));
  });

  it('differs when any part differs, even with separators inside parts', () => {
    const keys = new Set([
      makeActionKey(parts),
      makeActionKey({ ...parts, slot: '2026-03-02T02:00Z' }),
      makeActionKey({ ...parts, policy: 'daily|ali-prod', target: 'x' }),
      makeActionKey({ ...parts, policy: 'daily', target: 'ali-prod|x' }),
    ]);
    expect(keys.size).toBe(4);
  });

  it('refuses an empty part, naming it', () => {
    expect(() => makeActionKey({ ...parts, slot: '' })).toThrow(/slot must be a non-empty string/);
  });
});
