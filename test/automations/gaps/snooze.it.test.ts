import { jest } from '@jest/globals';
import { AUTO_DELETE_WARNING } from '../../../lib/automations/auto-delete/events';
import { TEST_NOW } from '../../support/clock';
import { startHarness, type Harness } from '../../support/harness';
import { FLEETS, type FleetState, type VendorFleet } from '../../support/vendor-fleet';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = TEST_NOW.getTime();
const at = (ms: number) => new Date(NOW + ms).toISOString();
const scheduled = (ms: number) => ({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: at(ms), detail: {} });
const AFTER_DELETE: Record<string, FleetState[]> = { tencent: ['gone', 'deleting'], kec: ['recycled'], alibaba: ['stopped'], cecstack: ['recycled'] };

// A snooze (config entry or tag with an expiry) postpones a deletion on every vendor: emulated ones
// wait, native timers (KEC, Tencent) are moved to the snooze; the plan says so.
describe.each(['tencent', 'kec', 'alibaba', 'cecstack'] as const)('auto-delete snooze on %s', (vendor) => {
  let h: Harness;
  let fleet: VendorFleet;

  beforeEach(async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.001);
    fleet = FLEETS[vendor]();
    h = await startHarness([fleet.module]);
    h.sim.clock.set(new Date(NOW));
    fleet.bind(h.sim.clock);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.stop();
  });

  it('a due instance snoozed by config (and by tag where tags exist) is not deleted until the snooze ends, with a warning for the new time', async () => {
    const byConfig = fleet.add({ name: 'tmp-config', createdAt: at(-73 * HOUR) });
    const byTag = vendor === 'kec' ? undefined : fleet.add({ name: 'tmp-tag', createdAt: at(-73 * HOUR), tags: { 'auto-delete-snooze': at(3 * DAY) } });
    const config = h.config(
      {
        autoDelete: [
          {
            name: 'ttl',
            mode: 'enforce',
            selector: { names: ['tmp-*'] },
            source: { ttl: '72h' },
            warnBefore: '1d',
            snooze: { entries: [{ id: byConfig, until: at(2 * DAY), reason: 'demo on Friday' }] },
          },
        ],
      },
      { safety: { maxDestructivePercent: 100 } },
    );
    const snoozed = [byConfig, ...(byTag ? [byTag] : [])];

    const dry = await h.invoke('auto-delete', { dryRun: true, now: at(0) }, config);
    const notes = dry.rows.filter((r) => r.action === 'snooze');
    expect(notes.map((r) => r.status)).toEqual(snoozed.map(() => 'info'));
    expect(notes.find((r) => r.resource.startsWith(byConfig))?.reason).toBe(
      `snoozed by config entry (demo on Friday) until ${at(2 * DAY)}: deletion wanted at ${at(-HOUR)} (from ttl) postponed`,
    );
    if (byTag) expect(notes.find((r) => r.resource.startsWith(byTag))?.reason).toMatch(`snoozed by tag auto-delete-snooze until ${at(3 * DAY)}`);
    expect(dry.rows.filter((r) => /delete-instance/.test(r.action))).toEqual([]);

    const run = await h.invoke('auto-delete', scheduled(0), config);
    expect(run.errors).toEqual([]);
    expect(snoozed.map((id) => fleet.state(id))).toEqual(snoozed.map(() => 'running'));
    expect(h.audit().filter((r) => /delete-instance/.test(r.action))).toEqual([]);
    if (vendor === 'kec' || vendor === 'tencent') {
      // native: the vendor's own timer now holds the snooze, so it deletes at the snooze even without us
      expect(fleet.autoDeleteAt(byConfig)).toBe(at(2 * DAY));
      if (byTag) expect(fleet.autoDeleteAt(byTag)).toBe(at(3 * DAY));
    }

    // a day before the snooze ends: one warning for the postponed time
    h.sim.clock.set(new Date(NOW + DAY + HOUR));
    await h.invoke('auto-delete', scheduled(DAY + HOUR), config);
    const warnings = h.busEvents(AUTO_DELETE_WARNING).filter((w) => w.instanceId === byConfig);
    expect(warnings).toEqual([expect.objectContaining({ dueAt: at(2 * DAY), snoozedFrom: at(-HOUR) })]);
    expect(fleet.state(byConfig)).toBe('running');

    // the snooze ends: deleted (by the vendor's timer, or by us)
    h.sim.clock.set(new Date(NOW + 2 * DAY + HOUR));
    await h.invoke('auto-delete', scheduled(2 * DAY + HOUR), config);
    expect(AFTER_DELETE[vendor]).toContain(fleet.state(byConfig));
    if (byTag) expect(fleet.state(byTag)).toBe('running');
  });
});
