import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomationConfigInput } from '../../../lib/config/schema';
import type { SimContext, SimRequest } from '../../../sim/core';
import { EVENTS_DIR, startHarness, type Harness } from '../../support/harness';
import { TEST_NOW } from '../../support/clock';
import { kecFleet, type VendorFleet } from '../../support/vendor-fleet';
import type { KecSimulator } from '../../../sim/kec';

// KEC's native timer (ModifyInstanceAutoDeleteTime, seed 000 L3139-3157) driven through the
// exported handler: pushed in Beijing time, reconciled on drift, never cleared when not ours.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SCHEDULE = JSON.parse(readFileSync(join(EVENTS_DIR, 'auto-delete.schedule.json'), 'utf8')) as Record<
  string,
  unknown
>;
const CREATED = JSON.parse(
  readFileSync(join(EVENTS_DIR, 'auto-delete.instance-created.json'), 'utf8'),
) as Record<string, unknown>;

describe('auto-delete on KEC (native timer)', () => {
  let h: Harness;
  let fleet: VendorFleet & { sim: KecSimulator };
  let sent: string[];
  const now = TEST_NOW;
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const scheduleAt = (ms: number) => ({ ...SCHEDULE, time: at(ms) });

  beforeEach(async () => {
    fleet = kecFleet();
    sent = [];
    const handle = fleet.sim.handle.bind(fleet.sim);
    // record the AutoDeleteTime values the client sends (the request log keeps no parameters)
    fleet.sim.handle = (req: SimRequest, ctx: SimContext) => {
      const value = new URLSearchParams(req.rawQuery).get('AutoDeleteTime');
      if (value !== null) sent.push(value);
      return handle(req, ctx);
    };
    h = await startHarness([fleet.sim]);
    h.sim.clock.set(now);
    fleet.bind(h.sim.clock);
  });
  afterEach(() => h.stop());

  const config = (policy: Record<string, unknown>) =>
    h.config(
      {
        autoDelete: [{ name: 'kec', mode: 'enforce', ...policy }] as NonNullable<
          AutomationConfigInput['policies']
        >['autoDelete'],
      },
      { safety: { maxDestructivePercent: 100 } },
    );
  const timerResults = (id: string, action = 'set-auto-delete-time') =>
    h.audit().filter((r) => r.resourceId === id && r.action === action && r.phase === 'result');
  const beijing = (iso: string) =>
    new Date(Date.parse(iso) + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');

  it('pushes the TTL as Beijing yyyy-MM-dd HH:mm, rounded up to the minute and at least 30 minutes ahead', async () => {
    const id = fleet.add({ name: 'tmp-a', createdAt: at(-70 * HOUR + 30_000) }); // due in 2 h 00 min 30 s
    const near = fleet.add({ name: 'tmp-near', createdAt: at(-72 * HOUR + 20 * MIN) }); // due in 20 min: too close for the timer
    await h.invoke(
      'auto-delete',
      scheduleAt(0),
      config({ selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }),
    );
    const wanted = at(2 * HOUR + MIN);
    expect(fleet.autoDeleteAt(id)).toBe(wanted);
    expect(sent).toEqual([beijing(wanted)]);
    expect(sent[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    expect(fleet.autoDeleteAt(near)).toBeUndefined();
    expect(fleet.state(near)).toBe('running');
    expect(timerResults(id).map((r) => [r.outcome, r.expected?.autoDeleteAt])).toEqual([['success', wanted]]);
  });

  it('reconciles drift: a timer changed at the vendor is set back, once per drift', async () => {
    const id = fleet.add({ name: 'tmp-a', createdAt: at(-70 * HOUR) });
    const cfg = config({ selector: { names: ['tmp-*'] }, source: { ttl: '72h' } });
    await h.invoke('auto-delete', scheduleAt(0), cfg);
    expect(fleet.autoDeleteAt(id)).toBe(at(2 * HOUR));

    fleet.sim.instance(id)!.autoDeleteAtMs = now.getTime() + 9 * HOUR; // someone edits it in the console
    const second = await h.invoke('auto-delete', scheduleAt(10 * MIN), cfg);
    expect(second.rows.find((r) => r.action === 'set-auto-delete-time')).toMatchObject({
      status: 'applied',
      reason: expect.stringMatching(/differs \(drift\)/),
    });
    expect(fleet.autoDeleteAt(id)).toBe(at(2 * HOUR));

    const mutations = h.sim.mutatingRequests().length;
    await h.invoke('auto-delete', scheduleAt(20 * MIN), cfg); // in sync: nothing to do
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    expect(timerResults(id)).toHaveLength(2);
  });

  it('clears only a timer it set and that still holds its value; a foreign timer is never cleared', async () => {
    const ours = fleet.add({ name: 'svc-ours' });
    const changed = fleet.add({ name: 'svc-changed' });
    const foreign = fleet.add({ name: 'svc-foreign' });
    fleet.sim.instance(foreign)!.autoDeleteAtMs = now.getTime() + 10 * HOUR;
    const listed = config({
      selector: { names: ['svc-*'] },
      source: { list: [ours, changed].map((id) => ({ id, at: at(5 * HOUR) })) },
    });
    await h.invoke('auto-delete', scheduleAt(0), listed);
    expect([ours, changed, foreign].map((id) => fleet.autoDeleteAt(id))).toEqual([
      at(5 * HOUR),
      at(5 * HOUR),
      at(10 * HOUR),
    ]);

    fleet.sim.instance(changed)!.autoDeleteAtMs = now.getTime() + 6 * HOUR; // no longer the value we set
    const unlisted = config({ selector: { names: ['svc-*'] }, source: { list: [] } });
    const report = await h.invoke('auto-delete', scheduleAt(5 * MIN), unlisted);
    expect(
      report.rows
        .filter((r) => r.action === 'clear-auto-delete-time')
        .map((r) => [r.resource.split(' ')[0], r.status]),
    ).toEqual([[ours, 'applied']]);
    expect([ours, changed, foreign].map((id) => fleet.autoDeleteAt(id))).toEqual([
      undefined,
      at(6 * HOUR),
      at(10 * HOUR),
    ]);
    expect(timerResults(ours, 'clear-auto-delete-time').map((r) => r.undoHint)).toEqual([
      `set the auto-delete time back to ${at(5 * HOUR)}`,
    ]);
  });

  it('an Instance Created event applies the TTL to that instance at once', async () => {
    const fresh = fleet.add({ name: 'tmp-new', createdAt: at(0) });
    const other = fleet.add({ name: 'tmp-other', createdAt: at(0) });
    const event = {
      ...CREATED,
      source: 'cloud-automation.kec',
      detail: { vendor: 'kec', target: fleet.target, region: fleet.region, instanceId: fresh, at: at(0) },
    };
    const report = await h.invoke(
      'auto-delete',
      event,
      config({ selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }),
    );
    expect(report.rows.map((r) => [r.resource.split(' ')[0], r.action, r.status])).toEqual([
      [fresh, 'set-auto-delete-time', 'applied'],
    ]);
    expect(fleet.autoDeleteAt(fresh)).toBe(at(72 * HOUR));
    expect(fleet.autoDeleteAt(other)).toBeUndefined();
    expect(timerResults(fresh)[0]!.trigger).toBe('event');
  });

  it('reports a prepaid (Monthly) instance the vendor refuses to delete, and does not retry it for that due time', async () => {
    const id = fleet.add({ name: 'tmp-monthly', createdAt: at(-80 * HOUR), charge: 'prepaid' });
    const cfg = config({ selector: { names: ['tmp-*'] }, source: { ttl: '72h' } });
    const first = await h.invoke('auto-delete', scheduleAt(0), cfg);
    expect(first.rows.find((r) => r.action === 'delete-instance')).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/ReturnFalse/),
    });
    expect(fleet.state(id)).toBe('running');
    const terminates = h.sim.mutatingRequests().length;
    const second = await h.invoke('auto-delete', scheduleAt(HOUR), cfg);
    expect(second.rows.find((r) => r.action === 'delete-instance')).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/already done .*failed/),
    });
    expect(h.sim.mutatingRequests().length).toBe(terminates);
  });
});
