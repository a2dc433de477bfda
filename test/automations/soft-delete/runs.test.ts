import { softDeleteRun, softRestoreRun } from '../../../lib/automations/soft-delete';
import { MUTATION_CONCURRENCY, type BatchOutcome, type VendorClient } from '../../../lib/vendors/core';

/** A client whose per-instance tag calls answer only when the test says so. */
function fakeClient(failTag?: string) {
  const waiting: (() => void)[] = [];
  const calls: string[] = [];
  const tagCall = (what: string) => async (_scope: unknown, id: string): Promise<BatchOutcome> => {
    calls.push(`${what} ${id}`);
    if (id === failTag) throw Object.assign(new Error('tag service down'), { code: 'ServiceUnavailable' });
    await new Promise<void>((resolve) => waiting.push(resolve));
    return { id, ok: true, requestId: `${what}-${id}` };
  };
  const client = {
    vendor: 'alibaba',
    target: 't',
    capabilities: { recycleRestore: 'emulated' },
    stopInstances: async (_scope: unknown, ids: string[]) => ids.map((id) => ({ id, ok: id !== 'i-bad', requestId: `stop-${id}` })),
    setTags: tagCall('tag'),
    removeTags: tagCall('untag'),
    restoreRecycled: async (_scope: unknown, items: { id: string }[]) => items.map((i) => ({ id: i.id, ok: true, requestId: `start-${i.id}` })),
  } as unknown as VendorClient;
  const answerAll = async () => {
    while (calls.length === 0 || waiting.length) {
      waiting.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { client, waiting, calls, answerAll };
}

const scope = { region: 'cn-hangzhou' };
const ids = Array.from({ length: 8 }, (_, i) => `i-${i}`);

describe('our soft-delete bin applies one instance\'s calls beside the others\'', () => {
  it('tags the stopped instances several at once, not one round trip after another', async () => {
    const { client, waiting, answerAll } = fakeClient();
    const run = softDeleteRun(client, scope, 'purge-at', '2026-12-01T00:00:00.000Z')([...ids, 'i-bad']);
    await new Promise((r) => setImmediate(r));
    expect(waiting).toHaveLength(MUTATION_CONCURRENCY); // one at a time would have started one
    await answerAll();
    const out = await run;
    expect(out.map((o) => o.id)).toEqual([...ids, 'i-bad']);
    expect(out.filter((o) => o.ok)).toHaveLength(8);
    expect(out.at(-1)).toMatchObject({ id: 'i-bad', ok: false }); // its stop failed: no tag call
  });

  it('a tag call that throws fails its own instance, and the others keep their outcomes', async () => {
    const { client, calls, answerAll } = fakeClient('i-3');
    const run = softDeleteRun(client, scope, 'purge-at', '2026-12-01T00:00:00.000Z')(ids);
    await answerAll();
    const out = await run;
    expect(calls.filter((c) => c.startsWith('tag'))).toHaveLength(8);
    expect(out.find((o) => o.id === 'i-3')).toEqual({ id: 'i-3', ok: false, error: { code: 'ServiceUnavailable', message: 'tag service down', retryable: false } });
    expect(out.filter((o) => o.ok).map((o) => o.id)).toEqual(ids.filter((i) => i !== 'i-3'));
  });

  it('restores: removes the tags several at once, then starts only the untagged instances', async () => {
    const { client, waiting, answerAll } = fakeClient('i-5');
    const run = softRestoreRun(client, scope, 'purge-at')(ids);
    await new Promise((r) => setImmediate(r));
    expect(waiting.length).toBeGreaterThan(1);
    await answerAll();
    const out = await run;
    expect(out.find((o) => o.id === 'i-5')).toMatchObject({ ok: false, error: { code: 'ServiceUnavailable' } });
    expect(out.filter((o) => o.ok).map((o) => o.requestId).sort()).toEqual(ids.filter((i) => i !== 'i-5').map((i) => `start-${i}`).sort());
  });
});
