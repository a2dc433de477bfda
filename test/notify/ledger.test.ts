import { describe, expect, it } from '@jest/globals';
import { AuditLedger, deliveryKey, toNotice } from '../../lib/notify';
import { purgeEvent, tempStore } from './fixtures';

const T0 = Date.parse('2026-11-24T01:00:00Z');

describe('the delivery ledger over the audit store', () => {
  it('claims once; a second claimant of the same notice and channel is told it is in flight, or done', async () => {
    const store = tempStore();
    const notice = toNotice(purgeEvent());
    const a = new AuditLedger({ store, runId: 'a', now: () => T0 });
    const b = new AuditLedger({ store, runId: 'b', now: () => T0 + 1000 });
    const claim = await a.claim(notice, 'ops');
    expect(claim).toEqual({ state: 'claimed', attempt: 1, key: deliveryKey(notice, 'ops', 1) });
    expect(await b.claim(notice, 'ops')).toEqual({ state: 'busy' });
    expect(await b.claim(notice, 'other-channel')).toMatchObject({ state: 'claimed', attempt: 1 });
    await a.complete(notice, 'ops', claim as never, { ok: true });
    expect(await b.claim(notice, 'ops')).toEqual({ state: 'done', runId: 'a' });
  });

  it('an invocation that died after claiming is closed as abandoned after 15 minutes and the next attempt is claimed', async () => {
    const store = tempStore();
    const notice = toNotice(purgeEvent());
    await new AuditLedger({ store, runId: 'dead', now: () => T0 }).claim(notice, 'ops');
    expect(await new AuditLedger({ store, runId: 'b', now: () => T0 + 14 * 60_000 }).claim(notice, 'ops')).toEqual({ state: 'busy' });
    const later = await new AuditLedger({ store, runId: 'c', now: () => T0 + 16 * 60_000 }).claim(notice, 'ops');
    expect(later).toMatchObject({ state: 'claimed', attempt: 2 });
    expect((await store.get(deliveryKey(notice, 'ops', 1))).result).toMatchObject({ outcome: 'failed', error: { code: 'Abandoned' } });
  });

  it('gives up after the last attempt', async () => {
    const store = tempStore();
    const notice = toNotice(purgeEvent());
    const ledger = new AuditLedger({ store, runId: 'r', now: () => T0, maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      const c = await ledger.claim(notice, 'ops');
      await ledger.complete(notice, 'ops', c as never, { ok: false, code: 'HTTP500', message: 'down' });
    }
    expect(await ledger.claim(notice, 'ops')).toEqual({ state: 'exhausted', attempts: 2 });
  });
});
