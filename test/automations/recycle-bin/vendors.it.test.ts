import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomationConfig } from '../../../lib/config/schema';
import { EVENTS_DIR, startHarness, type Harness } from '../../support/harness';
import { TEST_NOW } from '../../support/clock';
import { FLEETS, type FleetState, type VendorFleet } from '../../support/vendor-fleet';

// The lifecycle through the exported handlers, for every vendor with a recycle bin (native or our
// soft-delete bin): auto-delete puts due instances in the bin, recycle-bin purges them per policy.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const schedule = (fn: string) =>
  JSON.parse(readFileSync(join(EVENTS_DIR, `${fn}.schedule.json`), 'utf8')) as Record<string, unknown>;

/** What a binned instance looks like at the vendor, and where its purge time comes from. */
const BINNED: Record<string, FleetState> = {
  tencent: 'recycled',
  kec: 'recycled',
  alibaba: 'stopped',
  cecstack: 'recycled',
};
const SOURCE: Record<string, string> = {
  tencent: 'our deletion + policy retention',
  kec: 'our deletion + policy retention',
  alibaba: 'soft-delete tag',
  cecstack: 'vendor',
};

describe.each(['tencent', 'kec', 'alibaba', 'cecstack'] as const)('recycle-bin handler on %s', (vendor) => {
  let h: Harness;
  let fleet: VendorFleet;
  let binned: string[];
  const now = TEST_NOW;
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const slot = (fn: string, ms = 0) => ({ ...schedule(fn), time: at(ms) });

  const config = (over: { exempt?: string[]; percent?: number } = {}): AutomationConfig =>
    h.config(
      {
        // prepaid on Tencent: postpaid instances are destroyed at once, prepaid ones go to SHUTDOWN (D3)
        autoDelete: [
          { name: 'ttl', mode: 'enforce', selector: { names: ['tmp-*'] }, source: { ttl: '72h' } },
        ],
        recycleBin: [
          {
            name: 'bin',
            mode: 'enforce',
            action: 'purge',
            selector: { names: ['tmp-*'] },
            retentionDays: 7,
            exemptions: { entries: (over.exempt ?? []).map((id) => ({ id })) },
          },
        ],
      },
      { safety: { maxDestructivePercent: over.percent ?? 100 } },
    );

  beforeEach(async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.001); // near-zero retry backoff keeps the suite fast
    fleet = FLEETS[vendor]();
    h = await startHarness([fleet.module]);
    h.sim.clock.set(now);
    fleet.bind(h.sim.clock);
    const charge = vendor === 'tencent' ? 'prepaid' : 'postpaid';
    binned = ['tmp-a', 'tmp-b', 'tmp-c'].map((name) =>
      fleet.add({ name, charge, createdAt: at(-73 * HOUR) }),
    );
    await h.invoke('auto-delete', slot('auto-delete'), config());
    expect(binned.map((id) => fleet.state(id))).toEqual([BINNED[vendor], BINNED[vendor], BINNED[vendor]]);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.stop();
  });

  const purges = () => h.audit().filter((r) => r.function === 'recycle-bin' && r.action === 'purge');

  it('a dry run plans the purge with its purge time and source, and changes nothing', async () => {
    const mutations = h.sim.mutatingRequests().length;
    const report = await h.invoke('recycle-bin', { dryRun: true, now: at(HOUR) }, config());
    expect(report.rows.filter((r) => r.action === 'purge').map((r) => r.status)).toEqual([
      'planned',
      'planned',
      'planned',
    ]);
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    expect(binned.map((id) => fleet.state(id))).toEqual([BINNED[vendor], BINNED[vendor], BINNED[vendor]]);
    const planned = purges();
    expect(planned.map((r) => [r.phase, r.before?.purgeAtSource, r.before?.purgeAt])).toEqual(
      binned.map(() => ['planned', SOURCE[vendor], at(7 * DAY)]),
    );
  });

  it('purges nothing when the bin listing fails, and nothing past the blast-radius guard', async () => {
    const mutations = h.sim.mutatingRequests().length;
    h.sim.faults.inject({ kind: '5xx', vendor, action: fleet.binListAction });
    const failed = await h.invoke('recycle-bin', slot('recycle-bin', HOUR), config());
    expect(failed.errors.join()).toMatch(/listing/);
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    h.sim.faults.clear();

    const guarded = await h.invoke('recycle-bin', slot('recycle-bin', 2 * HOUR), config({ percent: 50 }));
    expect(guarded.rows.filter((r) => r.action === 'purge').map((r) => r.status)).toEqual([
      'refused',
      'refused',
      'refused',
    ]);
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    expect(binned.map((id) => fleet.state(id))).toEqual([BINNED[vendor], BINNED[vendor], BINNED[vendor]]);
    expect(purges().map((r) => r.outcome)).toEqual(['refused', 'refused', 'refused']);
  });

  it('purges (throttled, still completes), leaves the exempt item, and a retried invocation purges nothing twice', async () => {
    const [a, b, exempt] = binned as [string, string, string];
    h.sim.faults.inject({ kind: 'throttle', vendor, times: 3 });
    const cfg = config({ exempt: [exempt] });
    const report = await h.invoke('recycle-bin', slot('recycle-bin', HOUR), cfg);
    expect(report.errors).toEqual([]);
    expect(report.rows.find((r) => r.resource.startsWith(exempt))?.status).toBe('exempt');
    expect([a, b, exempt].map((id) => fleet.state(id))).toEqual(['gone', 'gone', BINNED[vendor]]);
    const trail = (id: string) =>
      purges()
        .filter((r) => r.resourceId === id)
        .map((r) => [r.phase, r.outcome]);
    for (const id of [a, b])
      expect(trail(id)).toEqual([
        ['intent', undefined],
        ['result', 'success'],
      ]);
    expect(trail(exempt)).toEqual([]);

    const mutations = h.sim.mutatingRequests().length;
    const retried = await h.invoke('recycle-bin', slot('recycle-bin', HOUR), cfg);
    expect(retried.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    expect(purges().filter((r) => r.phase === 'intent')).toHaveLength(2);
    expect(fleet.state(exempt)).toBe(BINNED[vendor]);
  });
});
