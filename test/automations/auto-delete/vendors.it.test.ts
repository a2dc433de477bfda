import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomationConfig } from '../../../lib/config/schema';
import { EVENTS_DIR, startHarness, type Harness } from '../../support/harness';
import { TEST_NOW } from '../../support/clock';
import { FLEETS, type FleetState, type VendorFleet } from '../../support/vendor-fleet';

// auto-delete through the exported Lambda handler, for every vendor whose autoDelete is not
// unsupported: TTL by name pattern (KEC has no tags), asserting the simulated cloud and the audit trail.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SCHEDULE = JSON.parse(readFileSync(join(EVENTS_DIR, 'auto-delete.schedule.json'), 'utf8')) as Record<
  string,
  unknown
>;

/** Where a due instance ends up, per vendor (capabilities: native timer/bin, emulated bin). */
const AFTER_DELETE: Record<string, FleetState> = {
  tencent: 'gone',
  kec: 'recycled',
  alibaba: 'stopped',
  cecstack: 'recycled',
};
const DELETE_ACTION: Record<string, string> = {
  tencent: 'delete-instance',
  kec: 'delete-instance',
  alibaba: 'soft-delete-instance',
  cecstack: 'delete-instance',
};

describe.each(['tencent', 'kec', 'alibaba', 'cecstack'] as const)('auto-delete handler on %s', (vendor) => {
  let h: Harness;
  let fleet: VendorFleet;
  const now = TEST_NOW;
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const schedule = { ...SCHEDULE, time: now.toISOString() };

  beforeEach(async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.001); // near-zero retry backoff (full jitter) keeps the suite fast
    fleet = FLEETS[vendor]();
    h = await startHarness([fleet.module]);
    h.sim.clock.set(now);
    fleet.bind(h.sim.clock);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.stop();
  });

  const config = (over: { exempt?: string[]; percent?: number } = {}): AutomationConfig =>
    h.config(
      {
        autoDelete: [
          {
            name: 'ttl',
            mode: 'enforce',
            selector: { names: ['tmp-*'] },
            source: { ttl: '72h' },
            warnBefore: '2h',
            exemptions: { entries: (over.exempt ?? []).map((id) => ({ id, reason: 'kept for the test' })) },
          },
        ],
        recycleBin: [{ name: 'bin', retentionDays: 7 }],
      },
      { safety: { maxDestructivePercent: over.percent ?? 100 } },
    );
  const trail = (id: string) => h.audit().filter((r) => r.resourceId === id);

  it('plans in a dry run (nothing changes), then enforces once; a retried invocation repeats nothing', async () => {
    const due = fleet.add({ name: 'tmp-due', createdAt: at(-73 * HOUR) });
    const soon = fleet.add({ name: 'tmp-soon', createdAt: at(-71 * HOUR) }); // due in 1 h: inside warnBefore
    const later = fleet.add({ name: 'tmp-later', createdAt: at(-HOUR) });
    const exempt = fleet.add({ name: 'tmp-exempt', createdAt: at(-80 * HOUR) });
    const keep = fleet.add({ name: 'web-1', createdAt: at(-100 * DAY) });
    const cfg = config({ exempt: [exempt] });

    const dry = await h.invoke('auto-delete', { dryRun: true, now: now.toISOString() }, cfg);
    expect(dry.rows.find((r) => r.resource.startsWith(due))).toMatchObject({
      action: DELETE_ACTION[vendor],
      status: 'planned',
    });
    expect(dry.rows.find((r) => r.resource.startsWith(exempt))?.status).toBe('exempt');
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect([due, soon, later, exempt, keep].map((id) => fleet.state(id))).toEqual([
      'running',
      'running',
      'running',
      'running',
      'running',
    ]);
    expect(h.audit().every((r) => r.phase === 'planned' || r.phase === 'notice')).toBe(true);

    const first = await h.invoke('auto-delete', schedule, cfg);
    expect(first.errors).toEqual([]);
    expect(first.rows.find((r) => r.resource.startsWith(due))).toMatchObject({
      action: DELETE_ACTION[vendor],
      status: 'applied',
    });
    expect(fleet.state(due)).toBe(AFTER_DELETE[vendor]);
    expect([soon, later, exempt, keep].map((id) => fleet.state(id))).toEqual([
      'running',
      'running',
      'running',
      'running',
    ]);
    if (vendor === 'alibaba') expect(fleet.tags(due)['cloud-automation:purge-at']).toBe(at(7 * DAY));
    if (vendor === 'cecstack') expect(fleet.binPurgeAt(due)).toBe(at(7 * DAY));
    if (vendor === 'kec') {
      // native timers for the instances not yet due; the due one could not take a timer (< 30 min)
      expect(fleet.autoDeleteAt(soon)).toBe(at(HOUR));
      expect(fleet.autoDeleteAt(later)).toBe(at(71 * HOUR));
    }
    const deleted = trail(due).filter((r) => r.action === DELETE_ACTION[vendor] && r.mode === 'enforce');
    expect(deleted.map((r) => [r.phase, r.outcome])).toEqual([
      ['intent', undefined],
      ['result', 'success'],
    ]);
    expect(deleted[1]!.requestIds.length).toBeGreaterThan(0);
    expect(deleted[1]!.trigger).toBe('schedule');
    expect(trail(exempt).filter((r) => r.phase !== 'planned')).toEqual([]);
    expect(trail(soon).filter((r) => r.action === 'warn-auto-delete' && r.phase === 'result')).toHaveLength(
      1,
    );

    const mutations = h.sim.mutatingRequests().length;
    const intents = h.audit().filter((r) => r.phase === 'intent').length;
    const retried = await h.invoke('auto-delete', schedule, cfg);
    expect(retried.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    expect(h.audit().filter((r) => r.phase === 'intent').length).toBe(intents);
    expect(fleet.state(due)).toBe(AFTER_DELETE[vendor]);
    // the warning went out once for this instance and due time
    const events = readFileSync(join(h.dir, 'events.jsonl'), 'utf8');
    expect(
      events.split('\n').filter((l) => l.includes('Auto Delete Warning') && l.includes(soon)),
    ).toHaveLength(1);
  });

  it('deletes nothing when the listing fails, and completes when the vendor throttles', async () => {
    const due = fleet.add({ name: 'tmp-due', createdAt: at(-73 * HOUR) });
    const cfg = config();
    h.sim.faults.inject({ kind: '5xx', vendor, action: fleet.listAction });
    const failed = await h.invoke('auto-delete', schedule, cfg);
    expect(failed.errors.join()).toMatch(/listing instances/);
    expect(fleet.state(due)).toBe('running');
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(h.audit().filter((r) => r.phase === 'intent')).toEqual([]);
    h.sim.faults.clear();

    h.sim.faults.inject({ kind: 'throttle', vendor, times: 3 });
    const ok = await h.invoke('auto-delete', schedule, cfg);
    expect(ok.errors).toEqual([]);
    expect(ok.rows.find((r) => r.resource.startsWith(due))?.status).toBe('applied');
    expect(fleet.state(due)).toBe(AFTER_DELETE[vendor]);
    expect(h.sim.requests.filter((r) => r.status !== 200).length).toBeGreaterThanOrEqual(3);
  });

  it('trips the blast-radius guard: nothing deleted, each refusal audited', async () => {
    const ids = ['tmp-a', 'tmp-b', 'tmp-c'].map((name) => fleet.add({ name, createdAt: at(-73 * HOUR) }));
    fleet.add({ name: 'tmp-young', createdAt: at(-HOUR) });
    const report = await h.invoke('auto-delete', schedule, config({ percent: 50 }));
    expect(report.rows.filter((r) => r.action === DELETE_ACTION[vendor]).map((r) => r.status)).toEqual([
      'refused',
      'refused',
      'refused',
    ]);
    expect(ids.map((id) => fleet.state(id))).toEqual(['running', 'running', 'running']);
    // the young one's native timer (KEC, Tencent) is not destructive; every deletion is refused
    const timers = new Set(['ModifyInstanceAutoDeleteTime', 'ImportInstancesActionTimer', 'DescribeInstancesActionTimer', 'DeleteInstancesActionTimer']);
    expect(h.sim.mutatingRequests().filter((r) => !timers.has(r.action))).toEqual([]);
    expect(
      h
        .audit()
        .filter((r) => r.outcome === 'refused')
        .map((r) => r.resourceId)
        .sort(),
    ).toEqual([...ids].sort());
  });
});
