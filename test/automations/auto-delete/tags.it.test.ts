import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS_DIR, startHarness, type Harness } from '../../support/harness';
import { cecstackFleet, tencentFleet, type VendorFleet } from '../../support/vendor-fleet';

// The tag source through the exported handler: Tencent's prepaid semantics (sim/DECISIONS.md (tencent)
// D3) and CECSTACK's five-label VMs.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const now = new Date('2026-11-24T02:00:00Z'); // the sample scheduled event's time
const SCHEDULE = JSON.parse(readFileSync(join(EVENTS_DIR, 'auto-delete.schedule.json'), 'utf8')) as Record<
  string,
  unknown
>;
const beijing = (ms: number) => `${new Date(now.getTime() + ms + 8 * HOUR).toISOString().slice(0, 19)}+08:00`;

describe('auto-delete by tag', () => {
  let h: Harness;
  let fleet: VendorFleet;
  const start = async (f: VendorFleet) => {
    fleet = f;
    h = await startHarness([f.module]);
    h.sim.clock.set(now);
    f.bind(h.sim.clock);
  };
  afterEach(() => h.stop());
  const config = () =>
    h.config({ autoDelete: [{ name: 'tag', mode: 'enforce' }] }, { safety: { maxDestructivePercent: 100 } });

  it('Tencent: a prepaid instance goes to SHUTDOWN first; one the vendor will not return is reported once, not retried', async () => {
    await start(tencentFleet());
    const prepaid = fleet.add({ name: 'p', charge: 'prepaid', tags: { 'auto-delete-at': beijing(-HOUR) } });
    const locked = fleet.add({
      name: 'q',
      charge: 'prepaid',
      returnable: false,
      tags: { 'auto-delete-at': beijing(-HOUR) },
    });
    const report = await h.invoke('auto-delete', 'auto-delete.schedule.json', config());
    const row = (id: string) => report.rows.find((r) => r.resource.startsWith(id));
    expect(row(prepaid)).toMatchObject({ status: 'applied', reason: expect.stringMatching(/prepaid until/) });
    expect(fleet.state(prepaid)).toBe('recycled');
    expect(row(locked)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/InvalidInstanceNotSupportedPrepaidInstance/),
    });
    expect(fleet.state(locked)).toBe('running');
    const failed = h.audit().filter((r) => r.resourceId === locked && r.phase === 'result');
    expect(failed.map((r) => [r.outcome, r.error?.code])).toEqual([
      ['failed', 'InvalidInstanceNotSupportedPrepaidInstance'],
    ]);

    const mutations = h.sim.mutatingRequests().length;
    const later = await h.invoke(
      'auto-delete',
      { ...SCHEDULE, time: new Date(now.getTime() + HOUR).toISOString() },
      config(),
    );
    expect(later.rows.find((r) => r.resource.startsWith(locked))).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/already done .*failed/),
    });
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    // the binned prepaid instance is the recycle-bin function's business now: not terminated again
    expect(fleet.state(prepaid)).toBe('recycled');
  });

  it('CECSTACK: a VM with all five labels is deleted into the recycle bin by its label; an invalid label is reported', async () => {
    await start(cecstackFleet());
    const full = fleet.add({
      name: 'full',
      tags: { a: '1', b: '2', c: '3', d: '4', 'auto-delete-at': beijing(-HOUR) },
    });
    const bad = fleet.add({ name: 'bad', tags: { 'auto-delete-at': 'next tuesday' } });
    const exempt = fleet.add({
      name: 'x',
      tags: { 'auto-delete-at': beijing(-HOUR), 'automation-exempt': 'true' },
    });
    const report = await h.invoke('auto-delete', 'auto-delete.schedule.json', config());
    expect(report.rows.find((r) => r.resource.startsWith(full))?.status).toBe('applied');
    expect(fleet.state(full)).toBe('recycled');
    expect(fleet.binPurgeAt(full)).toBe(new Date(now.getTime() + 7 * 24 * HOUR).toISOString());
    expect(report.rows.find((r) => r.resource.startsWith(bad))).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/not an ISO-8601/),
    });
    expect(report.rows.find((r) => r.resource.startsWith(exempt))?.status).toBe('exempt');
    expect([bad, exempt].map((id) => fleet.state(id))).toEqual(['running', 'running']);
    expect(
      h
        .audit()
        .filter((r) => r.phase === 'intent')
        .map((r) => r.resourceId),
    ).toEqual([full]);
  });
});
