import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotActionDetailSchema, snapshotName, slotAt } from '../../../lib/automations/snapshots';
import { snapshotPolicySchema } from '../../../lib/config/schema';
import { createAlibabaSim, type AlibabaSim } from '../../../sim/alibaba';
import { createKecSim, type KecSimulator } from '../../../sim/kec';
import { startHarness, type Harness } from '../../support/harness';

// The exported Lambda handler (functions/snapshots.ts), fed the sample events from events/, against
// the KEC (local volumes) and Alibaba (disks, auto-snapshot policies) simulators.
const NOW = new Date('2026-11-24T02:00:00Z'); // snapshots.schedule.json's time = 10:00 Asia/Shanghai
const DAY = 86_400_000;
const SCHEDULE = { at: '10:00' };
const stamp = slotAt(snapshotPolicySchema.parse({ name: 'x', schedule: SCHEDULE }).schedule, NOW).stamp;

interface BusEvent {
  detailType: string;
  detail: Record<string, unknown>;
}
const busEvents = (h: Harness): BusEvent[] => {
  const path = join(h.dir, 'events.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as BusEvent) : [];
};
const mutations = (h: Harness, action: string) => h.sim.mutatingRequests().filter((r) => r.action === action);

/** Drops every `result` record of an action: as if the invocation died after the vendor call, before writing it. */
function loseResults(h: Harness, action: string): void {
  const kept = readFileSync(h.auditPath, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !(JSON.parse(l).phase === 'result' && JSON.parse(l).action === action))
    // the dead invocation's leases have run out by the time the next one comes
    .map((l) => (JSON.parse(l).phase === 'intent' && JSON.parse(l).action === action ? JSON.stringify({ ...JSON.parse(l), lease: { ...JSON.parse(l).lease, until: '2000-01-01T00:00:00.000Z' } }) : l));
  writeFileSync(h.auditPath, `${kept.join('\n')}\n`);
}

describe('functions/snapshots handler on KEC (local-volume snapshots)', () => {
  let h: Harness;
  let kec: KecSimulator;
  beforeEach(async () => {
    kec = createKecSim();
    h = await startHarness([kec]);
    h.sim.clock.set(NOW);
  });
  afterEach(() => h.stop());

  const web = (name: string, dataDiskGb = 0) => kec.addInstance({ name, zone: 'cn-beijing-6a', dataDiskGb }, NOW.getTime() - 30 * DAY);
  const config = (extra: Record<string, unknown> = {}, safety: Record<string, unknown> = {}) =>
    h.config(
      { snapshots: [{ name: 'daily', mode: 'enforce', schedule: SCHEDULE, selector: { names: ['web-*'] }, retention: { keepLast: 2 }, ...extra }] },
      { safety: { maxDestructivePercent: 100, ...safety } },
    );
  const ours = () => kec.snapshots().filter((s) => s.name.startsWith('ca-'));

  it('dry run plans, enforce takes one snapshot per local volume, a retried invocation takes none; the exempt one is left alone', async () => {
    const a = web('web-1', 50);
    const b = web('web-2');
    const exempt = web('web-3');
    kec.addInstance({ name: 'db-1' }, NOW.getTime());
    const cfg = config({ exemptions: { entries: [{ id: exempt.id, reason: 'migrating' }] } });

    const dry = await h.invoke('snapshots', 'snapshots.manual-dry-run.json', cfg);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(dry.rows.filter((r) => r.status === 'planned').map((r) => r.resource.split(' ')[0]).sort()).toEqual([`${a.id}-a`, `${a.id}-c`, `${b.id}-a`].sort());
    expect(dry.rows.find((r) => r.resource === exempt.id)).toMatchObject({ status: 'exempt', reason: expect.stringMatching(/migrating/) });
    expect(h.audit().every((r) => r.phase === 'planned')).toBe(true);

    const first = await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(first.errors).toEqual([]);
    const names = [`${a.id}-a`, `${a.id}-c`, `${b.id}-a`].map((v) => snapshotName('ca-', 'daily', v, stamp, 40));
    expect(ours().map((s) => s.name).sort()).toEqual(names.sort());
    expect(ours().map((s) => s.sourceVolumeId).sort()).toEqual([`${a.id}-a`, `${a.id}-c`, `${b.id}-a`].sort());
    expect(kec.snapshots().some((s) => s.instanceId === exempt.id)).toBe(false);
    const results = h.audit().filter((r) => r.phase === 'result' && r.action === 'create-snapshot');
    expect(results.map((r) => r.outcome)).toEqual(['success', 'success', 'success']);
    const actionEvents = busEvents(h).filter((e) => e.detailType === 'Automation Action');
    expect(actionEvents.map((e) => snapshotActionDetailSchema.parse(e.detail).action)).toEqual(['create-snapshot', 'create-snapshot', 'create-snapshot']);

    const retried = await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(retried.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(mutations(h, 'CreateLocalVolumeSnapshot')).toHaveLength(3);
    expect(h.audit().filter((r) => r.phase === 'intent')).toHaveLength(3);
  });

  it('a create that succeeded but whose result was lost is found by its deterministic name, not repeated', async () => {
    const a = web('web-1');
    const cfg = config();
    await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(mutations(h, 'CreateLocalVolumeSnapshot')).toHaveLength(1);
    loseResults(h, 'create-snapshot');
    const report = await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(mutations(h, 'CreateLocalVolumeSnapshot')).toHaveLength(1);
    expect(ours().filter((s) => s.sourceVolumeId === `${a.id}-a`)).toHaveLength(1);
    // the open intent is reconciled at the start of the run, then the plan finds the snapshot
    expect(report.rows.find((r) => r.action === 'create-snapshot' && r.status === 'info')?.reason).toMatch(/found at the vendor/);
    expect(report.rows.find((r) => r.action === 'create-snapshot' && r.status !== 'info')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/exists: /) });
  });

  it('a failed snapshot listing deletes nothing and creates nothing; the run reports it', async () => {
    const a = web('web-1');
    const old = [10, 11, 12].map((d) => kec.addSnapshot({ instanceId: a.id, sourceVolumeId: `${a.id}-a`, name: snapshotName('ca-', 'daily', `${a.id}-a`, `2026110${d - 9}1000`, 40), createdAtMs: NOW.getTime() - d * DAY }));
    h.sim.faults.inject({ kind: '5xx', vendor: 'kec', action: 'DescribeLocalVolumeSnapshots', times: 5 });
    const report = await h.invoke('snapshots', 'snapshots.schedule.json', config({ retention: { keepLast: 1 } }));
    expect(report.errors.join()).toMatch(/listing snapshots/);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(kec.snapshots().map((s) => s.id).sort()).toEqual(old.map((s) => s.id).sort());
  });

  it('the blast-radius count limit defers prunes beyond safety.maxDestructivePerRun; a throttled vendor still completes', async () => {
    const a = web('web-1');
    const old = [1, 2, 3, 4, 5].map((d) =>
      kec.addSnapshot({ instanceId: a.id, sourceVolumeId: `${a.id}-a`, name: snapshotName('ca-', 'daily', `${a.id}-a`, `2026111${d}1000`, 40), createdAtMs: NOW.getTime() - (10 - d) * DAY }),
    );
    const foreign = kec.addSnapshot({ instanceId: a.id, sourceVolumeId: `${a.id}-a`, name: 'hand-made', createdAtMs: NOW.getTime() - 90 * DAY });
    h.sim.faults.inject({ kind: 'throttle', vendor: 'kec', action: 'DescribeLocalVolumes', times: 2 });
    h.sim.faults.inject({ kind: 'throttle', vendor: 'kec', action: 'CreateLocalVolumeSnapshot', times: 1 });
    const report = await h.invoke('snapshots', 'snapshots.schedule.json', config({ retention: { keepLast: 1 } }, { maxDestructivePerRun: 2 }));
    expect(report.errors).toEqual([]);
    // retention is planned over the history before this slot's snapshot: keepLast 1 keeps the newest
    // old one, the other four are due; two go this run, two wait for the next
    const deferred = report.rows.filter((r) => r.action === 'delete-snapshot' && r.status === 'deferred');
    expect(deferred).toHaveLength(2);
    expect(deferred[0]!.reason).toMatch(/safety.maxDestructivePerRun \(2\)/);
    expect(report.rows.filter((r) => r.action === 'delete-snapshot' && r.status === 'applied')).toHaveLength(2);
    const left = kec.snapshots().map((s) => s.id);
    expect(old.filter((s) => left.includes(s.id))).toHaveLength(3);
    expect(left).toContain(old[4]!.id);
    expect(left).toContain(foreign.id);
    expect(mutations(h, 'CreateLocalVolumeSnapshot').length).toBeGreaterThanOrEqual(1);
    expect(ours().filter((s) => s.name === snapshotName('ca-', 'daily', `${a.id}-a`, stamp, 40))).toHaveLength(1);
    expect(h.audit().filter((r) => r.phase === 'notice' && r.action === 'delete-snapshot').map((r) => r.outcome)).toEqual(['refused', 'refused']);
  });
});

describe('functions/snapshots handler on Alibaba (disk snapshots and auto-snapshot policies)', () => {
  let h: Harness;
  let ali: AlibabaSim;
  beforeEach(async () => {
    ali = createAlibabaSim();
    h = await startHarness([ali]);
    h.sim.clock.set(NOW);
  });
  afterEach(() => h.stop());

  const web = (name: string, tags: Record<string, string> = {}) => ali.addInstance({ name, status: 'Running' } as never, { dataDisk: true, tags: { team: 'web', ...tags } });
  const disksOf = (instanceId: string) => ali.disks().filter((d) => d.instanceId === instanceId);
  const config = (extra: Record<string, unknown> = {}, safety: Record<string, unknown> = {}) =>
    h.config(
      { snapshots: [{ name: 'daily', mode: 'enforce', schedule: SCHEDULE, selector: { tags: { team: 'web' } }, retention: { keepLast: 3 }, ...extra }] },
      { safety: { maxDestructivePercent: 100, ...safety } },
    );
  const ours = () => ali.snapshots().filter((s) => s.name.startsWith('ca-'));

  it('engine ours: one snapshot per disk, tagged ours; a retried invocation takes none; the exempt instance is left alone', async () => {
    const a = web('web-1');
    const exempt = web('web-2', { 'automation-exempt': 'true' });
    ali.addInstance({ name: 'db' } as never, { tags: { team: 'db' } });
    const cfg = config();

    const dry = await h.invoke('snapshots', 'snapshots.manual-dry-run.json', cfg);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(dry.rows.filter((r) => r.status === 'planned')).toHaveLength(2);

    const first = await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(first.errors).toEqual([]);
    const diskIds = disksOf(a.id).map((d) => d.id).sort();
    expect(ours().map((s) => s.diskId).sort()).toEqual(diskIds);
    expect(ours().map((s) => s.name).sort()).toEqual(diskIds.map((d) => snapshotName('ca-', 'daily', d, stamp, 128)).sort());
    expect(ours().every((s) => ali.tagsOf('snapshot', s.id)['cloud-automation:managed'] === 'true')).toBe(true);
    expect(ali.snapshots().some((s) => disksOf(exempt.id).some((d) => d.id === s.diskId))).toBe(false);
    expect(first.rows.find((r) => r.resource === exempt.id)).toMatchObject({ status: 'exempt' });

    await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(mutations(h, 'CreateSnapshot')).toHaveLength(2);
    expect(h.audit().filter((r) => r.phase === 'intent' && r.action === 'create-snapshot')).toHaveLength(2);
  });

  it('an intent without a result is reconciled from vendor state: done is not repeated, not done is done once', async () => {
    const a = web('web-1');
    const cfg = config();
    await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(mutations(h, 'CreateSnapshot')).toHaveLength(2);
    // the invocation "died" after the vendor calls: intents stand, results are gone
    loseResults(h, 'create-snapshot');
    const again = await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(mutations(h, 'CreateSnapshot')).toHaveLength(2);
    // reconciled at the start of the run (info rows), then skipped by the plan as done
    expect(again.rows.filter((r) => r.action === 'create-snapshot').map((r) => r.status)).toEqual(['info', 'info', 'skipped', 'skipped']);

    // now as if it died before one call reached the vendor: that snapshot never existed
    loseResults(h, 'create-snapshot');
    const lost = ours()[0]!;
    ali.state.snapshots.delete(lost.id);
    for (const key of ali.state.tokens.keys()) if (key.includes('|CreateSnapshot|')) ali.state.tokens.delete(key); // the vendor never saw the call
    ali.state.changed();
    const third = await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(third.rows.filter((r) => r.action === 'create-snapshot' && r.status === 'applied')).toHaveLength(1);
    expect(mutations(h, 'CreateSnapshot')).toHaveLength(3);
    expect(ours().filter((s) => disksOf(a.id).some((d) => d.id === s.diskId))).toHaveLength(2);
    const ledger = h.audit().filter((r) => r.action === 'create-snapshot' && r.resourceId === lost.diskId);
    // the expired lease was taken over: attempt 2
    expect(ledger.filter((r) => r.phase === 'intent').map((r) => r.lease?.attempt)).toEqual([1, 2]);
    expect(ledger.filter((r) => r.phase === 'result').map((r) => r.outcome)).toEqual(['success']);
  });

  it('a failed disk listing prunes nothing; a throttled vendor still completes', async () => {
    const a = web('web-1');
    const system = disksOf(a.id).find((d) => d.type === 'system')!;
    for (const d of [5, 6, 7, 8, 9]) ali.addSnapshot(system.id, { name: snapshotName('ca-', 'daily', system.id, `2026111${d}1000`, 128), createdAt: NOW.getTime() - (20 - d) * DAY, status: 'accomplished' });
    h.sim.faults.inject({ kind: '5xx', vendor: 'alibaba', action: 'DescribeDisks', times: 5 });
    const failed = await h.invoke('snapshots', 'snapshots.schedule.json', config({ retention: { keepLast: 1 } }));
    expect(failed.errors.join()).toMatch(/listing instances or their snapshot sources/);
    expect(mutations(h, 'DeleteSnapshot')).toEqual([]);

    h.sim.faults.inject({ kind: 'throttle', vendor: 'alibaba', action: 'DescribeSnapshots', times: 2 });
    const ok = await h.invoke('snapshots', 'snapshots.schedule.json', config({ retention: { keepLast: 1 } }));
    expect(ok.errors).toEqual([]);
    // keepLast 1 over the history before this slot's snapshot: the newest old one stays, four go
    expect(mutations(h, 'DeleteSnapshot')).toHaveLength(4);
    expect(ours().filter((s) => s.diskId === system.id).map((s) => s.name).sort()).toEqual([snapshotName('ca-', 'daily', system.id, '202611191000', 128), snapshotName('ca-', 'daily', system.id, stamp, 128)]);
  });

  it('engine native: creates the vendor policy, binds the selected disks, takes no snapshot itself; a retry binds nothing twice', async () => {
    const a = web('web-1');
    const exempt = web('web-2', { 'automation-exempt': 'true' });
    const cfg = config({ engine: 'native', retention: { maxAge: '7d' } });

    const dry = await h.invoke('snapshots', 'snapshots.manual-dry-run.json', cfg);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(dry.rows.find((r) => r.status === 'planned')).toMatchObject({ action: 'create-snapshot-policy', reason: expect.stringMatching(/hours 2 UTC daily, kept 7 days/) });

    const first = await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(first.errors).toEqual([]);
    const policies = [...ali.state.policies.values()];
    expect(policies).toHaveLength(1);
    expect(policies[0]).toMatchObject({ name: 'ca-daily', retentionDays: 7 });
    expect(disksOf(a.id).map((d) => d.policyId)).toEqual([policies[0]!.id, policies[0]!.id]);
    expect(disksOf(exempt.id).map((d) => d.policyId)).toEqual([undefined, undefined]);
    expect(mutations(h, 'CreateSnapshot')).toEqual([]);
    expect(h.audit().find((r) => r.phase === 'result' && r.action === 'create-snapshot-policy')).toMatchObject({ outcome: 'success' });

    const count = h.sim.mutatingRequests().length;
    await h.invoke('snapshots', 'snapshots.schedule.json', cfg);
    expect(h.sim.mutatingRequests()).toHaveLength(count);
    expect([...ali.state.policies.values()]).toHaveLength(1);
  });
});
