import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryPublisher } from '../../../lib/audit/events';
import { FileAuditStore } from '../../../lib/audit/file-store';
import { automationConfigSchema, snapshotPolicySchema, type AutomationConfig } from '../../../lib/config/schema';
import { runAutomation, type EngineDeps, type Mode } from '../../../lib/automations/engine';
import { QUOTA_EXHAUSTED_EVENT, quotaExhaustedDetailSchema, snapshotActionDetailSchema, snapshotName, snapshotsSpec, slotAt, type SnapshotsPolicy } from '../../../lib/automations/snapshots';
import { Transport, vendorSettings } from '../../../lib/vendors/core';
import { createTencentClient } from '../../../lib/vendors/tencent';
import { simCredentials, startSim, type RunningSim } from '../../../sim/core';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';

const REGION = 'ap-guangzhou';
const creds = simCredentials('tencent');
let running: RunningSim;
let sim: TencentSim;
let audit: FileAuditStore;
let events: MemoryPublisher;

const config = (): AutomationConfig =>
  automationConfigSchema.parse({
    targets: [{ name: 'tc', vendor: 'tencent', regions: [REGION], credentials: { accessKeyIdEnv: 'TC_ID', secretEnv: 'TC_SECRET' } }],
  });

const policy = (extra: Record<string, unknown> = {}): SnapshotsPolicy =>
  snapshotPolicySchema.parse({ name: 'daily', mode: 'enforce', schedule: { at: '02:00' }, selector: { tags: { team: 'web' } }, retention: { keepLast: 2 }, ...extra });

function deps(now: string): EngineDeps {
  const cfg = config();
  return {
    runId: `run-${now}`,
    trigger: 'schedule',
    now: new Date(now),
    config: cfg,
    audit,
    events,
    client: (target, mode: Mode) =>
      createTencentClient({
        target: target.name,
        endpoint: running.endpoints.tencent,
        credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret },
        transport: new Transport({ readOnly: mode === 'dry-run', retry: { baseDelayMs: 1, maxDelayMs: 5 } }),
        settings: vendorSettings.tencent.parse({}),
      }),
    modeFor: (p) => p.mode,
    shouldStop: () => false,
  };
}

async function run(now: string, p: SnapshotsPolicy) {
  running.clock.set(now);
  return runAutomation(deps(now), snapshotsSpec, [p]);
}

const ours = () => sim.snapshots().filter((s) => s.ImageName.startsWith('ca-'));
const creates = () => running.requests.filter((r) => r.action === 'CreateImage');

beforeEach(async () => {
  sim = createTencentSim({ transitionMs: 60_000 });
  running = await startSim({ modules: [sim], ports: { tencent: 0 } });
  running.clock.set('2026-03-01T00:00:00Z');
  sim.bindClock(running.clock);
  audit = new FileAuditStore(join(mkdtempSync(join(tmpdir(), 'snap-')), 'audit.jsonl'));
  events = new MemoryPublisher();
});
afterEach(async () => {
  await running.stop();
});

const web = () => [sim.addInstance({ InstanceName: 'web-1', tags: { team: 'web' } }).InstanceId, sim.addInstance({ InstanceName: 'web-2', tags: { team: 'web' } }).InstanceId];

describe('snapshots on the Tencent simulator (system-disk images)', () => {
  it('dry run plans one image per selected instance and makes no mutating request', async () => {
    const [a, b] = web();
    sim.addInstance({ InstanceName: 'db', tags: { team: 'db' } });
    const exempt = sim.addInstance({ InstanceName: 'web-x', tags: { team: 'web', 'automation-exempt': 'true' } }).InstanceId;
    const report = await run('2026-03-01T18:30:00Z', policy({ mode: 'dry-run' }));
    expect(running.mutatingRequests()).toEqual([]);
    expect(report.errors).toEqual([]);
    const planned = report.rows.filter((r) => r.status === 'planned');
    expect(planned.map((r) => r.resource.split(' ')[0]).sort()).toEqual([a, b].sort());
    expect(planned.every((r) => r.action === 'create-snapshot' && /engine ours/.test(r.reason))).toBe(true);
    expect(report.rows.find((r) => r.resource === exempt)).toMatchObject({ status: 'exempt' });
    expect((await audit.query({ phase: 'planned' })).map((r) => r.resourceId).sort()).toEqual([a, b].sort());
    expect(sim.snapshots()).toEqual([]);
  });

  it('takes no image of an instance the vendor is still operating on; the next run does', async () => {
    const busy = sim.addInstance({ InstanceName: 'web-b', tags: { team: 'web' }, latestOperation: 'StopInstances', latestOperationState: 'OPERATING' }).InstanceId;
    const report = await run('2026-03-01T18:30:00Z', policy());
    expect(creates()).toHaveLength(0);
    expect(report.rows.find((r) => r.resource.startsWith(busy))).toMatchObject({ action: 'snapshot', status: 'skipped', reason: expect.stringMatching(/busy: .*StopInstances/) });
    sim.instance(busy)!.latestOperationState = 'SUCCESS';
    await run('2026-03-01T19:00:00Z', policy());
    expect(creates()).toHaveLength(1);
  });

  it('enforce takes one image per source per slot; a second run in the slot takes none', async () => {
    const [a, b] = web();
    const p = policy();
    const first = await run('2026-03-01T18:30:00Z', p);
    expect(first.rows.filter((r) => r.status === 'applied')).toHaveLength(2);
    const slot = slotAt(p.schedule, new Date('2026-03-01T18:30:00Z'));
    const names = [a!, b!].map((id) => snapshotName('ca-', 'daily', id, slot.stamp, 20));
    expect(ours().map((s) => s.ImageName).sort()).toEqual(names.sort());
    expect(ours().every((s) => s.ImageDescription.includes('cloud-automation:managed=true'))).toBe(true);
    const results = await audit.query({ phase: 'result', action: 'create-snapshot' });
    expect(results.map((r) => r.outcome)).toEqual(['success', 'success']);
    expect(events.events.filter((e) => e.detailType === 'Automation Action').map((e) => snapshotActionDetailSchema.parse(e.detail).action)).toEqual(['create-snapshot', 'create-snapshot']);

    // later in the same slot (the images are ready by now): nothing new
    const again = await run('2026-03-01T19:00:00Z', p);
    expect(creates()).toHaveLength(2);
    const skipped = again.rows.filter((r) => r.action === 'create-snapshot');
    expect(skipped.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect(skipped.every((r) => /exists: img-.* state ready/.test(r.reason))).toBe(true);
    // the next day's slot takes the next image
    await run('2026-03-02T18:30:00Z', p);
    expect(creates()).toHaveLength(4);
    expect(ours()).toHaveLength(4);
  });

  it('prunes first, then takes the sources\' images side by side (engine E8; snapshots DECISIONS 13)', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => sim.addInstance({ InstanceName: `web-${i}`, tags: { team: 'web' } }).InstanceId);
    for (const id of ids) {
      for (const day of ['20', '21']) {
        sim.addImage({ ImageName: snapshotName('ca-', 'daily', id, `202602${day}0200`, 20), ImageDescription: `src=${id};cloud-automation:managed=true`, ImageState: 'NORMAL', createdMs: Date.parse(`2026-02-${day}T18:00:00Z`) });
      }
    }
    // each create is answered 150 ms after it arrives: one after another, no two arrive closer than that
    running.faults.inject({ kind: 'round-trip', vendor: 'tencent', action: 'CreateImage', latencyMs: 150, times: 100 });
    const report = await run('2026-03-01T18:30:00Z', policy({ retention: { keepLast: 1 } }));
    expect(report.errors).toEqual([]);
    const mutations = running.mutatingRequests();
    expect(mutations.map((r) => r.action)).toEqual(['DeleteImages', ...ids.map(() => 'CreateImage')]);
    const arrivals = mutations.filter((r) => r.action === 'CreateImage').map((r) => r.wallMs);
    expect(arrivals[1]! - arrivals[0]!).toBeLessThan(150); // the second was sent before the first was answered
    expect(report.rows.filter((r) => r.action === 'create-snapshot').map((r) => [r.resource.split(' ')[0], r.status])).toEqual(ids.map((id) => [id, 'applied'])); // rows in plan order
    expect(ours()).toHaveLength(16); // 8 pruned, 8 taken
  });

  it('an image still creating is reported as such and not counted', async () => {
    web();
    await run('2026-03-01T18:30:00Z', policy());
    const again = await run('2026-03-01T18:30:20Z', policy());
    expect(again.rows.filter((r) => r.action === 'create-snapshot').every((r) => r.status === 'skipped' && /still creating, not counted/.test(r.reason))).toBe(true);
    expect(again.rows.filter((r) => r.action === 'keep-snapshot').every((r) => /still creating/.test(r.reason))).toBe(true);
    expect(running.mutatingRequests()).toHaveLength(2);
  });

  it('a retried invocation whose audit lost the intent still finds the image by name', async () => {
    web();
    const p = policy();
    await run('2026-03-01T18:30:00Z', p);
    audit = new FileAuditStore(join(mkdtempSync(join(tmpdir(), 'snap-')), 'audit.jsonl')); // a fresh ledger
    await run('2026-03-01T18:40:00Z', p);
    expect(creates()).toHaveLength(2);
  });

  it('retention prunes only our images, keeping the last N ready ones', async () => {
    const [a] = web();
    const day = 86_400_000;
    const base = Date.parse('2026-02-20T18:00:00Z');
    const mine = [0, 1, 2, 3, 4].map((n) =>
      sim.addImage({
        ImageName: snapshotName('ca-', 'daily', a!, `2026022${n}0200`, 20),
        ImageDescription: `src=${a};cloud-automation:managed=true`,
        ImageState: 'NORMAL',
        createdMs: base + n * day,
      }),
    );
    const foreign = sim.addImage({ ImageName: 'hand-made', ImageDescription: `src=${a}`, ImageState: 'NORMAL', createdMs: base - 30 * day });
    const other = sim.addImage({ ImageName: 'ca-other-policy', ImageDescription: `src=${a};cloud-automation:managed=true`, ImageState: 'NORMAL', createdMs: base - 30 * day });
    const report = await run('2026-03-01T18:30:00Z', policy());
    const left = sim.snapshots().map((s) => s.ImageId);
    expect(left).toEqual(expect.arrayContaining([mine[3]!.ImageId, mine[4]!.ImageId, foreign.ImageId, other.ImageId]));
    for (const gone of mine.slice(0, 3)) expect(left).not.toContain(gone.ImageId);
    const kept = report.rows.filter((r) => r.action === 'keep-snapshot');
    expect(kept.map((r) => r.reason)).toEqual([expect.stringMatching(/keepLast \(#1\), newest ready/), expect.stringMatching(/keepLast \(#2\)/)]);
    expect((await audit.query({ phase: 'result', action: 'delete-snapshot' })).map((r) => r.outcome)).toEqual(['success', 'success', 'success']);
  });

  it('a failed image listing means no pruning and no new image in that scope', async () => {
    const [a] = web();
    sim.addImage({ ImageName: snapshotName('ca-', 'daily', a!, '202602200200', 20), ImageDescription: `src=${a}`, ImageState: 'NORMAL', createdMs: Date.parse('2026-02-01T00:00:00Z') });
    running.faults.inject({ kind: '5xx', vendor: 'tencent', action: 'DescribeImages' });
    const report = await run('2026-03-01T18:30:00Z', policy({ retention: { keepLast: 0, maxAge: '1d', minKeep: 1 } }));
    expect(running.mutatingRequests()).toEqual([]);
    expect(report.errors.join()).toMatch(/listing snapshots/);
  });

  it('at the image quota, prunes first and reports the snapshots it cannot take', async () => {
    await running.stop();
    sim = createTencentSim({ transitionMs: 60_000, imageQuota: 3 });
    running = await startSim({ modules: [sim], ports: { tencent: 0 } });
    sim.bindClock(running.clock);
    const [a, b] = web();
    for (const n of [1, 2]) sim.addImage({ ImageName: snapshotName('ca-', 'daily', a!, `2026022${n}0200`, 20), ImageDescription: `src=${a}`, ImageState: 'NORMAL', createdMs: Date.parse(`2026-02-2${n}T00:00:00Z`) });
    sim.addImage({ ImageName: 'hand-made', ImageDescription: `src=${b}`, ImageState: 'NORMAL', createdMs: Date.parse('2026-02-01T00:00:00Z') });
    // quota 3, used 3, one prune (keepLast 1) frees one: one of the two wanted fits
    const report = await run('2026-03-01T18:30:00Z', policy({ retention: { keepLast: 1 } }));
    const order = running.mutatingRequests().map((r) => r.action);
    expect(order).toEqual(['DeleteImages', 'CreateImage']);
    const notice = events.events.find((e) => e.detailType === QUOTA_EXHAUSTED_EVENT);
    expect(quotaExhaustedDetailSchema.parse(notice!.detail)).toMatchObject({ used: 3, limit: 3, wanted: 2, pruning: 1, shortBy: 1 });
    expect(report.rows.filter((r) => r.action === 'create-snapshot' && r.status === 'skipped')[0]!.reason).toMatch(/quota 3\/3/);
  });

  it('engine native on a vendor without auto-snapshot policies falls back to ours, saying so', async () => {
    web();
    const report = await run('2026-03-01T18:30:00Z', policy({ engine: 'native', retention: { maxAge: '7d' } }));
    expect(report.rows.find((r) => r.action === 'engine')!.reason).toMatch(/no vendor auto-snapshot policies: using engine ours/);
    expect(creates()).toHaveLength(2);
  });

  it('outside an acting slot creates nothing but still prunes', async () => {
    const [a] = web();
    const old = sim.addImage({ ImageName: snapshotName('ca-', 'daily', a!, '202602010200', 20), ImageDescription: `src=${a}`, ImageState: 'NORMAL', createdMs: Date.parse('2026-02-01T00:00:00Z') });
    sim.addImage({ ImageName: snapshotName('ca-', 'daily', a!, '202602280200', 20), ImageDescription: `src=${a}`, ImageState: 'NORMAL', createdMs: Date.parse('2026-02-28T00:00:00Z') });
    // Monday-only; 2026-03-03 is a Tuesday
    await run('2026-03-02T18:30:00Z', policy({ schedule: { at: '02:00', weekdays: [1] }, retention: { maxAge: '7d' } }));
    expect(creates()).toEqual([]);
    expect(sim.snapshots().map((s) => s.ImageId)).not.toContain(old.ImageId);
  });
});

describe('several snapshot policies of one scope (daily and weekly on the same instances)', () => {
  const daily = (extra: Record<string, unknown> = {}) => policy({ name: 'daily', ...extra });
  const weekly = (extra: Record<string, unknown> = {}) => policy({ name: 'weekly', namePrefix: 'cw-', retention: { keepWeekly: 4 }, ...extra });
  const runAll = async (now: string, policies: SnapshotsPolicy[]) => {
    running.clock.set(now);
    return runAutomation(deps(now), snapshotsSpec, policies);
  };
  const received = (action: string) => running.requests.filter((r) => r.action === action).length;

  it('share their reads: the instances, their images and the quota are each read once', async () => {
    web();
    sim.addInstance({ InstanceName: 'db-1', tags: { team: 'db' } });
    const report = await runAll('2026-03-01T18:30:00Z', [daily(), weekly({ selector: { tags: { team: 'db' } } })]);
    expect(report.errors).toEqual([]);
    // the images listed once (its TotalCount is the quota's `used`); a CreateImage is one request
    expect([received('DescribeInstances'), received('DescribeImageQuota'), received('DescribeImages')]).toEqual([1, 1, 1]);
    expect(creates()).toHaveLength(3);
    expect((await audit.query({ phase: 'result', action: 'create-snapshot' })).map((r) => `${r.policy} ${r.outcome}`).sort()).toEqual(['daily success', 'daily success', 'weekly success']);
  });

  it('take one snapshot of a source at a time: a later policy leaves it for the next run in the slot, which takes it', async () => {
    const [a, b] = web();
    const first = await runAll('2026-03-01T18:30:00Z', [daily(), weekly()]);
    // Tencent refuses a second image of an instance while one is being made (MutexOperation.TaskRunning)
    expect(creates()).toHaveLength(2);
    expect(first.rows.filter((r) => r.policy === 'weekly' && r.action === 'create-snapshot').map((r) => [r.status, r.reason])).toEqual([
      ['skipped', expect.stringMatching(/busy: policy daily takes one in this run/)],
      ['skipped', expect.stringMatching(/busy: policy daily takes one in this run/)],
    ]);
    // the next run in the slot (the daily images ready by then) takes the weekly ones
    await runAll('2026-03-01T19:30:00Z', [daily(), weekly()]);
    const slot = slotAt(weekly().schedule, new Date('2026-03-01T19:30:00Z'));
    expect(sim.snapshots().map((s) => s.ImageName).sort()).toEqual([a!, b!].flatMap((id) => [snapshotName('ca-', 'daily', id, slot.stamp, 20), snapshotName('cw-', 'weekly', id, slot.stamp, 20)]).sort());
    expect((await audit.query({ phase: 'result', action: 'create-snapshot' })).map((r) => `${r.policy} ${r.outcome}`).sort()).toEqual(['daily success', 'daily success', 'weekly success', 'weekly success']);
  });

  it('share out the quota in config order: a later policy does not count room an earlier one took', async () => {
    await running.stop();
    sim = createTencentSim({ transitionMs: 60_000, imageQuota: 3 });
    running = await startSim({ modules: [sim], ports: { tencent: 0 } });
    sim.bindClock(running.clock);
    web();
    const db = [sim.addInstance({ InstanceName: 'db-1', tags: { team: 'db' } }).InstanceId, sim.addInstance({ InstanceName: 'db-2', tags: { team: 'db' } }).InstanceId];
    const report = await runAll('2026-03-01T18:30:00Z', [daily(), weekly({ selector: { tags: { team: 'db' } } })]);
    expect(creates()).toHaveLength(3);
    expect(sim.snapshots()).toHaveLength(3);
    const notice = events.events.find((e) => e.detailType === QUOTA_EXHAUSTED_EVENT);
    expect(quotaExhaustedDetailSchema.parse(notice!.detail)).toMatchObject({ used: 2, limit: 3, wanted: 2, pruning: 0, shortBy: 1 });
    expect(report.rows.filter((r) => r.action === 'create-snapshot' && r.status === 'skipped').map((r) => [r.policy, r.resource, r.reason])).toEqual([['weekly', [...db].sort()[1], expect.stringMatching(/quota 2\/3/)]]);
  });

  it('a failed image listing stops both: no image taken, none pruned, both report it', async () => {
    web();
    running.faults.inject({ kind: '5xx', vendor: 'tencent', action: 'DescribeImages' });
    const report = await runAll('2026-03-01T18:30:00Z', [daily(), weekly()]);
    expect(running.mutatingRequests()).toEqual([]);
    expect(report.errors).toEqual([expect.stringMatching(/\(daily\): listing snapshots/), expect.stringMatching(/\(weekly\): listing snapshots/)]);
  });

  it('a snapshot an earlier policy prunes is not counted or deleted again by a later one that adopts it', async () => {
    const [a] = web();
    const old = sim.addImage({ ImageName: snapshotName('ca-', 'daily', a!, '202602200200', 20), ImageDescription: `src=${a}`, ImageState: 'NORMAL', createdMs: Date.parse('2026-02-20T00:00:00Z') });
    const newer = sim.addImage({ ImageName: snapshotName('ca-', 'daily', a!, '202602280200', 20), ImageDescription: `src=${a}`, ImageState: 'NORMAL', createdMs: Date.parse('2026-02-28T00:00:00Z') });
    await runAll('2026-03-01T18:30:00Z', [daily({ retention: { keepLast: 1 } }), weekly({ adoptForeign: true, retention: { keepLast: 2 } })]);
    expect(running.requests.filter((r) => r.action === 'DeleteImages')).toHaveLength(1);
    expect(sim.snapshots().map((s) => s.ImageId)).not.toContain(old.ImageId);
    expect(sim.snapshots().map((s) => s.ImageId)).toContain(newer.ImageId);
    expect((await audit.query({ phase: 'result', action: 'delete-snapshot' })).map((r) => `${r.policy} ${r.outcome}`)).toEqual(['daily success']);
  });
});
