import { AuditConflictError, clearRegisteredSecrets, registerSecret, type AuditStore } from '../../lib/audit';
import { VendorError } from '../../lib/vendors/core';
import { resultOf, sampleRecord } from './fixtures';

export interface StoreUnderTest {
  store: AuditStore;
  /** A new store instance over the same persisted data. */
  reopen(): Promise<AuditStore>;
  /** Everything the store persisted, as text (file bytes, or every raw table item). */
  rawContent(): Promise<string>;
}

/** The behaviour every AuditStore must have; run by each store's test file. */
export function auditStoreContract(setup: () => Promise<StoreUnderTest>): void {
  let sut: StoreUnderTest;
  let store: AuditStore;

  beforeEach(async () => {
    sut = await setup();
    store = sut.store;
  });

  afterEach(async () => {
    await store.close?.();
    clearRegisteredSecrets();
  });

  it('refuses a second intent for the same action key and keeps the first', async () => {
    const intent = sampleRecord();
    await expect(store.putIntent(intent)).resolves.toBe('written');
    await expect(store.putIntent({ ...intent, runId: 'run-2' })).resolves.toBe('exists');
    const got = await store.get(intent.actionKey);
    expect(got.intent?.runId).toBe('run-1');
    expect(got.result).toBeUndefined();
    expect(await store.query({ phase: 'intent', resourceId: intent.resourceId })).toHaveLength(1);
  });

  it('lets exactly one of several concurrent intents with one key through', async () => {
    const intent = sampleRecord();
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((i) => store.putIntent({ ...intent, runId: `run-${i}` })));
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'exists')).toHaveLength(4);
  });

  it('records one result per key and refuses a second without overwriting', async () => {
    const intent = sampleRecord();
    await store.putIntent(intent);
    await store.putResult(resultOf(intent, { at: '2026-03-01T02:00:05Z', after: { state: 'terminated' } }));
    await expect(store.putResult(resultOf(intent, { outcome: 'failed' }))).rejects.toBeInstanceOf(AuditConflictError);
    const got = await store.get(intent.actionKey);
    expect(got.intent?.phase).toBe('intent');
    expect(got.result).toMatchObject({ phase: 'result', outcome: 'success', after: { state: 'terminated' } });
    expect(got.result?.at).toBe('2026-03-01T02:00:05.000Z'); // normalised
  });

  it('rejects invalid records and wrong phases, naming the field, and writes nothing', async () => {
    const bad = { ...sampleRecord(), mode: 'yolo' } as unknown as Parameters<AuditStore['putIntent']>[0];
    await expect(store.putIntent(bad)).rejects.toThrow(/mode/);
    await expect(store.putIntent(sampleRecord({ at: '2026-03-01 10:00' }))).rejects.toThrow(/at: must be a UTC ISO-8601 time/);
    await expect(store.putResult(sampleRecord({ phase: 'intent' }))).rejects.toThrow(/putResult takes records with phase "result"/);
    await expect(store.putResult(sampleRecord({ phase: 'result' }))).rejects.toThrow(/outcome: a result record needs an outcome/);
    await expect(store.putRecord(sampleRecord({ phase: 'intent' }))).rejects.toThrow(/putRecord/);
    expect(await store.query({})).toEqual([]);
  });

  it('appends planned and notice records without conflicts and without taking the intent slot', async () => {
    const planned = sampleRecord({ phase: 'planned', outcome: 'planned', mode: 'dry-run' });
    await store.putRecord(planned);
    await store.putRecord({ ...planned, runId: 'run-2' });
    await store.putRecord(sampleRecord({ ...planned, phase: 'notice', outcome: undefined, action: 'send-reminder' }));
    expect(await store.query({ phase: 'planned', resourceId: planned.resourceId })).toHaveLength(2);
    expect(await store.query({ phase: 'notice' })).toHaveLength(1);
    expect(await store.get(planned.actionKey)).toEqual({});
    await expect(store.putIntent({ ...planned, phase: 'intent', outcome: undefined, mode: 'enforce' })).resolves.toBe('written');
  });

  describe('query', () => {
    beforeEach(async () => {
      const times = ['2026-03-01T02:00:00Z', '2026-03-02T02:00:00Z', '2026-03-03T02:00:00Z'];
      for (const [i, at] of times.entries()) {
        const intent = sampleRecord({ resourceId: 'ins-a', at, runId: `run-${i}` });
        await store.putIntent(intent);
        await store.putResult(resultOf(intent, { outcome: i === 1 ? 'failed' : 'success', at }));
      }
      const snap = sampleRecord({ resourceId: 'ins-b', function: 'snapshots', action: 'create-snapshot', at: '2026-03-02T12:00:00Z', runId: 'run-1' });
      await store.putIntent(snap);
      await store.putResult(resultOf(snap));
    });

    it('by resource, oldest first', async () => {
      const rs = await store.query({ resourceId: 'ins-a', phase: 'result' });
      expect(rs.map((r) => r.at)).toEqual(['2026-03-01T02:00:00.000Z', '2026-03-02T02:00:00.000Z', '2026-03-03T02:00:00.000Z']);
      expect(await store.query({ resourceId: 'ins-nope' })).toEqual([]);
    });

    it('by time range: since inclusive, until exclusive, across days', async () => {
      const rs = await store.query({ since: '2026-03-02T02:00:00Z', until: '2026-03-03T02:00:00Z' });
      expect(rs.map((r) => `${r.resourceId}/${r.phase}`)).toEqual(['ins-a/intent', 'ins-a/result', 'ins-b/intent', 'ins-b/result']);
      const sinceOnly = await store.query({ since: '2026-03-03T00:00:00Z', phase: 'result' });
      expect(sinceOnly.map((r) => r.at)).toEqual(['2026-03-03T02:00:00.000Z']);
    });

    it('by outcome, run, function and action, with a limit', async () => {
      expect((await store.query({ outcome: 'failed' })).map((r) => r.runId)).toEqual(['run-1']);
      expect((await store.query({ runId: 'run-1', phase: 'intent' })).map((r) => r.resourceId)).toEqual(['ins-a', 'ins-b']);
      expect((await store.query({ function: 'snapshots', action: 'create-snapshot' })).map((r) => r.phase)).toEqual(['intent', 'result']);
      const firstTwo = await store.query({ resourceId: 'ins-a', limit: 2 });
      expect(firstTwo.map((r) => r.phase)).toEqual(['intent', 'result']);
      expect(firstTwo[0]?.at).toBe('2026-03-01T02:00:00.000Z');
      expect(await store.query({})).toHaveLength(8);
      await expect(store.query({ since: 'yesterday' })).rejects.toThrow(/since must be an ISO-8601 time/);
    });
  });

  it('takes over an expired lease with a new attempt: of several concurrent takeovers exactly one wins', async () => {
    const lease = (attempt: number, owner: string) => ({ owner, until: '2026-03-01T02:15:00Z', attempt });
    const first = sampleRecord({ lease: lease(1, 'run-1') });
    await expect(store.putIntent(first)).resolves.toBe('written');
    const outcomes = await Promise.all([2, 3, 4, 5].map((i) => store.putIntent({ ...first, runId: `run-${i}`, lease: lease(2, `run-${i}`) })));
    expect(outcomes.filter((o) => o === 'written')).toHaveLength(1);
    const got = await store.get(first.actionKey);
    expect(got.intent?.lease).toMatchObject({ attempt: 2, until: '2026-03-01T02:15:00.000Z' });
    expect(got.intent?.runId).toBe(got.intent?.lease?.owner);
    await expect(store.putIntent({ ...first, lease: lease(1, 'run-9') })).resolves.toBe('exists');
    await expect(store.putIntent(sampleRecord({ phase: 'result', outcome: 'success', lease: lease(1, 'run-1') }))).rejects.toThrow(/lease/);
  });

  it('lists the open intents of one scope since a time: latest attempt, none with a result, no other scope', async () => {
    const scope = { function: 'auto-delete', policy: 'expire-dev', target: 'tencent-prod', region: 'ap-guangzhou' } as const;
    const open = sampleRecord({ at: '2026-03-02T00:00:00Z', lease: { owner: 'run-1', until: '2026-03-02T00:15:00Z', attempt: 1 } });
    await store.putIntent(open);
    await store.putIntent({ ...open, runId: 'run-2', at: '2026-03-02T01:00:00Z', lease: { owner: 'run-2', until: '2026-03-02T01:15:00Z', attempt: 2 } });
    const closed = sampleRecord({ at: '2026-03-02T00:00:00Z' });
    await store.putIntent(closed);
    await store.putResult(resultOf(closed));
    await store.putIntent(sampleRecord({ at: '2026-02-01T00:00:00Z' })); // before `since`
    await store.putIntent(sampleRecord({ at: '2026-03-02T00:00:00Z', region: 'ap-shanghai' })); // another scope
    await store.putRecord(sampleRecord({ phase: 'notice', at: '2026-03-02T00:00:00Z' }));
    const found = await store.openIntents(scope, '2026-03-01T00:00:00Z');
    expect(found.map((r) => [r.resourceId, r.runId, r.lease?.attempt])).toEqual([[open.resourceId, 'run-2', 2]]);
  });

  it('survives reopening: the ledger still refuses the old key', async () => {
    const intent = sampleRecord();
    await store.putIntent(intent);
    await store.putResult(resultOf(intent));
    await store.close?.();
    store = await sut.reopen();
    await expect(store.putIntent(intent)).resolves.toBe('exists');
    await expect(store.putResult(resultOf(intent))).rejects.toBeInstanceOf(AuditConflictError);
    expect((await store.get(intent.actionKey)).result?.outcome).toBe('success');
    expect(await store.query({ resourceId: intent.resourceId })).toHaveLength(2);
  });

  it('never persists a credential planted in vendor errors and request echoes', async () => {
    const secret = 'sim/tencent+secret-Zx9Q';
    const extraSignature = 'c0ffee1234deadbeef5678';
    registerSecret(secret);
    const vendorError = new VendorError({
      vendor: 'tencent',
      action: 'TerminateInstances',
      code: 'AuthFailure.SignatureFailure',
      message: `signature mismatch; string to sign used key ${secret}`,
      requestId: 'req-9',
    });
    const intent = sampleRecord({
      details: {
        request: {
          url: `https://cvm.tencentcloudapi.com/?Action=TerminateInstances&SecretKey=${secret}&Signature=${extraSignature}`,
          headers: {
            Authorization: `TC3-HMAC-SHA256 Credential=AKIDsim/2026-03-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${extraSignature}`,
            'X-TC-Token': secret,
          },
        },
        credentials: { accessKeySecret: secret },
      },
    });
    await store.putIntent(intent);
    await store.putResult(
      resultOf(intent, {
        outcome: 'failed',
        error: { code: vendorError.code, message: vendorError.message },
        details: { vendorError: vendorError as unknown as string, echo: `GET /?X-Amz-Signature=${extraSignature}&x=${encodeURIComponent(secret)}` },
      }),
    );
    await store.putRecord(sampleRecord({ phase: 'notice', reason: `reminder (debug: password=${secret})` }));

    const raw = await sut.rawContent();
    expect(raw).toContain('AuthFailure.SignatureFailure'); // the record is there...
    expect(raw).not.toContain(secret); // ...its secrets are not
    expect(raw).not.toContain(encodeURIComponent(secret));
    expect(raw).not.toContain(extraSignature);
    const got = await store.get(intent.actionKey);
    expect(got.result?.error?.message).toContain('[REDACTED]');
  });
}
