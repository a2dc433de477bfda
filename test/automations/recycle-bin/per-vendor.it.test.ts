import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomationConfigInput } from '../../../lib/config/schema';
import type { CecstackSim } from '../../../sim/cecstack';
import type { KecSimulator } from '../../../sim/kec';
import type { TencentSim } from '../../../sim/tencent';
import { EVENTS_DIR, startHarness, type Harness } from '../../support/harness';
import {
  alibabaFleet,
  cecstackFleet,
  kecFleet,
  tencentFleet,
  type VendorFleet,
} from '../../support/vendor-fleet';

// Each vendor's bin through the exported handler: where the purge time comes from, warnings once per
// item and stage, and the leave / purge / restore policy actions, each audited.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SCHEDULE = JSON.parse(readFileSync(join(EVENTS_DIR, 'recycle-bin.schedule.json'), 'utf8')) as Record<
  string,
  unknown
>;
const DELETED = JSON.parse(
  readFileSync(join(EVENTS_DIR, 'recycle-bin.instance-deleted.json'), 'utf8'),
) as Record<string, unknown>;
// business time: the sample event's time, which is also an event-triggered run's now
const now = new Date(DELETED.time as string);
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
const slot = (ms = 0) => ({ ...SCHEDULE, time: at(ms) });

type BinPolicy = NonNullable<NonNullable<AutomationConfigInput['policies']>['recycleBin']>[number];

describe('recycle-bin per vendor', () => {
  let h: Harness;
  let fleet: VendorFleet;
  const start = async <F extends VendorFleet>(f: F): Promise<F> => {
    fleet = f;
    h = await startHarness([f.module]);
    h.sim.clock.set(now);
    f.bind(h.sim.clock);
    return f;
  };
  afterEach(() => h.stop());
  const config = (
    policy: Partial<BinPolicy> = {},
    autoDelete: NonNullable<AutomationConfigInput['policies']>['autoDelete'] = [],
  ) =>
    h.config(
      { autoDelete, recycleBin: [{ name: 'bin', mode: 'enforce', retentionDays: 7, ...policy }] },
      { safety: { maxDestructivePercent: 100 } },
    );
  const records = (id: string, action: string) =>
    h.audit().filter((r) => r.resourceId === id && r.action === action);
  const warnings = () =>
    readFileSync(join(h.dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('Recycle Bin Purge Warning'));

  it('KEC: purge time from our audit trail (first seen, or the Instance Deleted event at once); warned once per item and stage; no restore', async () => {
    const kec = (await start(kecFleet())).sim as KecSimulator;
    const found = kec.addInstance({ name: 'old', state: 'recycling' }, now.getTime()).id;
    const evented = fleet.add({ name: 'evented' });

    // the event: the deletion time is written at once, before any sweep
    kec.instance(evented)!.state = 'recycling';
    const deletedAt = at(-2 * HOUR);
    const event = {
      ...DELETED,
      detail: {
        vendor: 'kec',
        target: fleet.target,
        region: fleet.region,
        instanceId: evented,
        at: deletedAt,
      },
    };
    const onEvent = await h.invoke('recycle-bin', event, config({ warnBefore: '8d' }));
    expect(records(evented, 'observed-deleted').map((r) => r.details?.runNow)).toEqual([deletedAt]);
    expect(onEvent.rows.map((r) => [r.resource.split(' ')[0], r.action, r.status])).toEqual([
      [evented, 'none', 'info'], // left to the vendor
      [evented, 'warn-purge', 'applied'],
    ]);

    const cfg = config({ warnBefore: '8d', action: 'restore' });
    const first = await h.invoke('recycle-bin', slot(), cfg);
    expect(first.rows.filter((r) => r.action === 'none').map((r) => r.reason)).toEqual([
      expect.stringMatching(/cannot restore.*first seen \+ policy retention/),
      expect.stringMatching(/cannot restore.*deleted event \+ policy retention/),
    ]);
    expect(records(found, 'first-seen-in-bin').map((r) => r.details?.runNow)).toEqual([now.toISOString()]);
    const purgeTimes = Object.fromEntries(
      h
        .audit()
        .filter((r) => r.action === 'warn-purge' && r.phase === 'intent')
        .map((r) => [r.resourceId, [r.before?.purgeAt, r.before?.purgeAtSource]]),
    );
    expect(purgeTimes).toEqual({
      [found]: [at(7 * DAY), 'first seen + policy retention'],
      [evented]: [
        new Date(Date.parse(deletedAt) + 7 * DAY).toISOString(),
        'deleted event + policy retention',
      ],
    });

    const second = await h.invoke('recycle-bin', slot(HOUR), cfg);
    expect(second.rows.filter((r) => r.action === 'warn-purge').map((r) => r.status)).toEqual([
      'skipped',
      'skipped',
    ]);
    expect(records(found, 'first-seen-in-bin')).toHaveLength(1); // the first sighting stays the first
    expect(warnings()).toHaveLength(2);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect([found, evented].map((id) => fleet.state(id))).toEqual(['recycled', 'recycled']);
  });

  it('two policies of one scope read the bin once; an item the first purges is neither purged nor warned of by the second', async () => {
    const cec = (await start(cecstackFleet())).sim as CecstackSim;
    const tmp = fleet.add({ name: 'tmp-1' });
    const keep = fleet.add({ name: 'keep' });
    for (const id of [tmp, keep]) cec.recycleNow(id, now.getTime() - 6 * DAY - 12 * HOUR); // purged by the vendor in 12 h
    const cfg = h.config(
      {
        recycleBin: [
          { name: 'purge-tmp', mode: 'enforce', retentionDays: 7, warnBefore: '24h', action: 'purge', selector: { names: ['tmp-*'] } },
          { name: 'bin', mode: 'enforce', retentionDays: 7, warnBefore: '24h' },
        ],
      },
      { safety: { maxDestructivePercent: 100 } },
    );
    const report = await h.invoke('recycle-bin', slot(), cfg);
    expect(h.sim.requests.filter((r) => r.action === 'ListRecycle')).toHaveLength(1);
    expect(h.sim.mutatingRequests().map((r) => r.action)).toEqual(['PurgeRecycledInstance']);
    expect(report.rows.filter((r) => r.resource.startsWith(tmp)).map((r) => [r.policy, r.action, r.status])).toEqual([
      ['purge-tmp', 'warn-purge', 'applied'],
      ['purge-tmp', 'purge', 'applied'],
      ['bin', 'none', 'skipped'],
    ]);
    // the second policy warns of what it alone sees, once
    expect(warnings().filter((l) => l.includes(keep))).toHaveLength(1);
    expect(warnings().filter((l) => l.includes(tmp))).toHaveLength(1);
  });

  it('CECSTACK: cleanAt is the purge time for instances and snapshots; restore brings both back, each audited', async () => {
    const cec = (await start(cecstackFleet())).sim as CecstackSim;
    const vm = fleet.add({ name: 'vm' });
    const snap = cec.addSnapshot({
      ecsId: vm,
      name: 'ca-snap',
      region: fleet.region,
      createdAt: now.getTime() - DAY,
      type: 'manual',
    }).ecsSnapshotId;
    const keep = fleet.add({ name: 'keep' });
    cec.recycleNow(vm, now.getTime() - 6 * DAY - 12 * HOUR); // purged by the vendor in 12 h
    cec.recycleNow(snap, now.getTime() - 6 * DAY - 12 * HOUR);

    const leave = await h.invoke('recycle-bin', slot(), config({ warnBefore: '24h' }));
    expect(leave.rows.filter((r) => r.action === 'warn-purge').map((r) => r.status)).toEqual([
      'applied',
      'applied',
    ]);
    expect(leave.rows.filter((r) => r.action === 'none').map((r) => r.reason)).toEqual([
      expect.stringMatching(/left to the vendor.*\(vendor\)/),
      expect.stringMatching(/left to the vendor.*\(vendor\)/),
    ]);
    expect(
      warnings()
        .map((l) => (JSON.parse(l) as { detail: { kind: string; purgeAt: string } }).detail)
        .map((d) => [d.kind, d.purgeAt])
        .sort(),
    ).toEqual([
      ['instance', at(12 * HOUR)],
      ['snapshot', at(12 * HOUR)],
    ]);
    expect(h.sim.mutatingRequests()).toEqual([]);

    const restored = await h.invoke('recycle-bin', slot(HOUR), config({ action: 'restore' }));
    expect(restored.rows.filter((r) => r.action === 'restore').map((r) => r.status)).toEqual([
      'applied',
      'applied',
    ]);
    expect(fleet.state(vm)).toBe('stopped');
    expect(cec.snapshots().find((s) => s.ecsSnapshotId === snap)?.recycled).toBe(false);
    expect(cec.recycleEntries()).toEqual([]);
    expect(fleet.state(keep)).toBe('running');
    for (const id of [vm, snap])
      expect(records(id, 'restore').map((r) => [r.phase, r.outcome])).toEqual([
        ['intent', undefined],
        ['result', 'success'],
      ]);
  });

  it('Alibaba: our soft-delete bin is purged when its time is up, and restore removes the tag and starts the instance', async () => {
    await start(alibabaFleet());
    const ad = [
      { name: 'ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } },
    ];
    const gone = fleet.add({ name: 'tmp-a', createdAt: at(-73 * HOUR) });
    const back = fleet.add({ name: 'tmp-b', createdAt: at(-73 * HOUR) });
    await h.invoke('auto-delete', { ...SCHEDULE, time: at(0) }, config({}, ad));
    expect([gone, back].map((id) => [fleet.state(id), fleet.tags(id)['cloud-automation:purge-at']])).toEqual([
      ['stopped', at(7 * DAY)],
      ['stopped', at(7 * DAY)],
    ]);

    const early = await h.invoke('recycle-bin', slot(HOUR), config({ selector: { names: ['tmp-a'] } }));
    expect(early.rows.map((r) => r.reason)).toEqual([expect.stringMatching(/kept until .*soft-delete tag/)]);
    const restored = await h.invoke(
      'recycle-bin',
      slot(HOUR),
      config({ action: 'restore', selector: { names: ['tmp-b'] } }),
    );
    expect(restored.rows.map((r) => [r.action, r.status])).toEqual([['restore', 'applied']]);
    expect(fleet.tags(back)['cloud-automation:purge-at']).toBeUndefined();
    expect(['other:Starting', 'running']).toContain(fleet.state(back)); // Starting settles on the next request (A12)

    h.sim.clock.set(new Date(now.getTime() + 7 * DAY + HOUR));
    const due = await h.invoke('recycle-bin', slot(7 * DAY + HOUR), config());
    expect(due.rows.map((r) => [r.resource.split(' ')[0], r.action, r.status])).toEqual([
      [gone, 'purge', 'applied'],
    ]);
    expect([fleet.state(gone), fleet.state(back)]).toEqual(['gone', 'running']);
    expect(records(gone, 'purge').map((r) => [r.phase, r.outcome])).toEqual([
      ['intent', undefined],
      ['result', 'success'],
    ]);
  });

  it('Tencent: a returned prepaid instance waits in SHUTDOWN, its purge time from our deletion; restore is reported as unsupported', async () => {
    await start(tencentFleet());
    const id = fleet.add({ name: 'tmp-p', charge: 'prepaid', createdAt: at(-73 * HOUR) });
    const ad = [
      { name: 'ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } },
    ];
    await h.invoke('auto-delete', { ...SCHEDULE, time: at(0) }, config({}, ad));
    expect(fleet.state(id)).toBe('recycled');
    const report = await h.invoke('recycle-bin', slot(HOUR), config({ action: 'restore' }));
    expect(report.rows.map((r) => r.reason)).toEqual([
      expect.stringMatching(
        new RegExp(`cannot restore.*purge at ${at(7 * DAY)} \\(our deletion \\+ policy retention\\)`),
      ),
    ]);
    expect(h.sim.mutatingRequests().map((r) => r.action)).toEqual(['TerminateInstances']);
    expect(fleet.state(id)).toBe('recycled');
  });

  it('Tencent: an instance in the bin the vendor is still operating on is not purged until the operation ends', async () => {
    const tencent = await start(tencentFleet());
    const id = fleet.add({ name: 'tmp-p', charge: 'prepaid', createdAt: at(-73 * HOUR) });
    const ad = [{ name: 'ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }];
    await h.invoke('auto-delete', { ...SCHEDULE, time: at(0) }, config({}, ad));
    expect(fleet.state(id)).toBe('recycled');
    const sim = (tencent.module as TencentSim).instance(id)!;
    sim.latestOperation = 'ModifyInstancesAttribute';
    sim.latestOperationState = 'OPERATING';
    const busy = await h.invoke('recycle-bin', slot(HOUR), config({ action: 'purge' }));
    expect(busy.rows.find((r) => r.resource.startsWith(id))).toMatchObject({
      action: 'none',
      reason: expect.stringContaining('busy: the vendor is still running ModifyInstancesAttribute on it'),
    });
    expect(h.sim.mutatingRequests().map((r) => r.action)).toEqual(['TerminateInstances']);
    sim.latestOperationState = 'SUCCESS';
    const next = await h.invoke('recycle-bin', slot(2 * HOUR), config({ action: 'purge' }));
    expect(next.rows.find((r) => r.resource.startsWith(id))).toMatchObject({ action: 'purge', status: 'applied' });
    expect(fleet.state(id)).toBe('gone');
  });
});
