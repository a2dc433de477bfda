import { collect, PagingError, Transport } from '../../../lib/vendors/core';
import { createKecClient, type KecClient } from '../../../lib/vendors/kec';
import { simCredentials, startSim, type RunningSim } from '../../../sim/core';
import { createKecSim, type KecSimulator } from '../../../sim/kec';

/** Issue 16: the KEC client follows seed 000 where client and simulator used to agree against it. */

const REGION = 'cn-shanghai-2';
const scope = { region: REGION };
let sim: RunningSim;
let kec: KecSimulator;

beforeEach(async () => {
  sim = await startSim({ modules: [createKecSim()], ports: { kec: 0 } });
  kec = sim.module<KecSimulator>('kec');
});
afterEach(() => sim.stop());

function client(opts: { now?: () => number; fetch?: typeof fetch } = {}): KecClient {
  const creds = simCredentials('kec');
  return createKecClient({
    target: 'kec-test',
    endpoint: sim.endpoints.kec,
    credentials: creds,
    transport: new Transport({ retry: { baseDelayMs: 1, maxDelayMs: 5 }, fetch: opts.fetch }),
    settings: { projects: ['0'] },
    now: opts.now,
  });
}
const requestsOf = (action: string) => sim.requests.filter((r) => r.action === action);

describe('GET requests carry the signature in the URL (item 7, seed 000 L6163, L6036-6043)', () => {
  it('every request the client sends is query-signed, without Authorization header, and the simulator accepts it', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const spy = ((url: string, init: { headers: Record<string, string> }) => {
      seen.push({ url, headers: init.headers });
      return fetch(url, init as RequestInit);
    }) as unknown as typeof fetch;
    const a = kec.addInstance({ region: REGION });
    expect((await collect(client({ fetch: spy }).listInstances(scope))).map((i) => i.id)).toEqual([a.id]);
    expect(seen.length).toBeGreaterThan(0);
    for (const { url, headers } of seen) {
      const q = new URL(url).searchParams;
      expect(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature'].filter((k) => !q.get(k))).toEqual([]);
      expect(Object.keys(headers).map((k) => k.toLowerCase())).not.toContain('authorization');
    }
  });
});

describe('local-volume listings follow the Marker (item 8, seed 000 L5697-5733)', () => {
  it('lists every local volume across pages', async () => {
    const ids = Array.from({ length: 60 }, () => kec.addInstance({ region: REGION, dataDiskGb: 40 }).id);
    const instances = await collect(client().listInstances(scope));
    const sources = await client().listSnapshotSources(scope, instances);
    expect(sources).toHaveLength(120);
    expect(new Set(sources.map((s) => s.instanceId))).toEqual(new Set(ids));
    // 120 volumes at the sim's 50 per page.
    expect(requestsOf('DescribeLocalVolumes')).toHaveLength(3);
  });

  it('lists every local-volume snapshot across pages', async () => {
    const a = kec.addInstance({ region: REGION });
    for (let n = 0; n < 70; n++) kec.addSnapshot({ instanceId: a.id, name: `s-${n}` });
    const snaps = await collect(client().listSnapshots(scope));
    expect(snaps).toHaveLength(70);
    expect(requestsOf('DescribeLocalVolumeSnapshots')).toHaveLength(2);
  });

  it('a count that disagrees with what was listed is a loud read failure (the sample: Marker 0, count 32, one volume)', async () => {
    const sample = { RequestId: 'r', Marker: 0, LocalVolumeCount: 32, LocalVolumeSet: [{ LocalVolumeId: 'v-a', InstanceId: 'i-1', LocalVolumeCategory: 'data', LocalVolumeSize: 40 }] };
    const canned = (async () => new Response(JSON.stringify(sample), { status: 200, headers: { 'content-type': 'application/json' } })) as unknown as typeof fetch;
    const instance = { id: 'i-1', zone: 'cn-shanghai-2a' } as never;
    await expect(client({ fetch: canned }).listSnapshotSources(scope, [instance])).rejects.toThrow(PagingError);
    await expect(client({ fetch: canned }).listSnapshotSources(scope, [instance])).rejects.toThrow(/reported 32 items but 1 were listed/);
  });
});

describe('AutoDeleteTime is rounded to its minute before the 30-minute check (item 9, seed 000 L3141-3145)', () => {
  const NOW = Date.parse('2026-03-01T00:00:40Z');

  it('a time between now+30 and now+31 minutes reaches the vendor at or beyond the minimum', async () => {
    sim.clock.set(new Date(NOW).toISOString());
    const a = kec.addInstance({ region: REGION }, NOW);
    const out = await client({ now: () => NOW }).setAutoDeleteTime(scope, [a.id], '2026-03-01T00:30:50Z');
    expect(out).toEqual([expect.objectContaining({ id: a.id, ok: true })]);
    expect(new Date(kec.instance(a.id)!.autoDeleteAtMs!).toISOString()).toBe('2026-03-01T00:31:00.000Z');
  });

  it('a minute under the minimum is refused before any request', async () => {
    const a = kec.addInstance({ region: REGION }, NOW);
    await expect(client({ now: () => NOW }).setAutoDeleteTime(scope, [a.id], '2026-03-01T00:29:59Z')).rejects.toThrow(/at least 30 minutes/);
    expect(requestsOf('ModifyInstanceAutoDeleteTime')).toHaveLength(0);
  });
});

describe('seeded real-shapes mode: optional fields absent, unset timers null, Return as String, short pages', () => {
  it.each([1, 2, 3])('seed %i: listings, per-id results and local volumes read as the simulator holds them', async (seed) => {
    await sim.stop();
    sim = await startSim({ modules: [createKecSim({ realShapes: { seed } })], ports: { kec: 0 } });
    kec = sim.module<KecSimulator>('kec');
    const ids = Array.from({ length: 1300 }, (_, n) => kec.addInstance({ region: REGION, dataDiskGb: n % 3 ? 40 : 0, chargeType: n % 5 ? 'Daily' : 'Monthly' }).id);
    for (let n = 0; n < 120; n++) kec.addSnapshot({ instanceId: ids[n]!, name: `s-${n}` });
    const c = client();

    const listed = await collect(c.listInstances(scope));
    expect(listed.map((i) => i.id).sort()).toEqual([...ids].sort());
    expect(listed.filter((i) => i.chargeType === 'prepaid')).toHaveLength(260);
    expect(await c.listSnapshotSources(scope, listed)).toHaveLength(1300 + 866);
    const snaps = await collect(c.listSnapshots(scope));
    expect(snaps).toHaveLength(120);

    const stopped = await c.stopInstances(scope, ids.slice(0, 150));
    expect(stopped.filter((o) => o.ok)).toHaveLength(150);
    expect((await c.deleteSnapshots(scope, snaps.slice(0, 30).map((s) => s.id))).filter((o) => o.ok)).toHaveLength(30);
    expect(kec.snapshots()).toHaveLength(90);

    const stats = kec.shapes!.stats;
    expect(stats.absent).toBeGreaterThan(100);
    expect(stats.nulls).toBeGreaterThan(100);
    expect(stats.stringReturns).toBeGreaterThan(10);
    expect(stats.shortPages).toBeGreaterThan(0);
  });
});
