import { createAlibabaSim, type AlibabaSim } from '../../../sim/alibaba';
import { startHarness, type Harness } from '../../support/harness';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

// Alibaba reports no bindings (sim/DECISIONS.md A6): a disk no longer selected is unbound from the
// vendor policy all the same, from what the trail says this policy bound.
describe('snapshots engine native on Alibaba: bindings reconciled both ways', () => {
  let h: Harness;
  let ali: AlibabaSim;
  const NOW = new Date('2026-11-24T02:00:00Z');
  const DAY = 86_400_000;

  beforeEach(async () => {
    ali = createAlibabaSim();
    h = await startHarness([ali]);
    h.sim.clock.set(NOW);
  });
  afterEach(() => h.stop());

  const web = (name: string) => ali.addInstance({ name, status: 'Running' } as never, { dataDisk: true, tags: { team: 'web' } });
  const disksOf = (instanceId: string) => ali.disks().filter((d) => d.instanceId === instanceId);
  const config = (names?: string[]) =>
    h.config({
      snapshots: [{ name: 'daily', mode: 'enforce', engine: 'native', schedule: { at: '10:00' }, selector: { tags: { team: 'web' }, ...(names && { names }) }, retention: { maxAge: '7d' } }],
    });
  const cancels = () => h.sim.mutatingRequests().filter((r) => r.action === 'CancelAutoSnapshotPolicy');

  it('unbinds the disks of an instance no longer selected, once; the trail and the events say by which policy', async () => {
    const a = web('web-1');
    const b = web('web-2');
    await h.invoke('snapshots', 'snapshots.schedule.json', config());
    const policy = [...ali.state.policies.values()][0]!;
    expect([...disksOf(a.id), ...disksOf(b.id)].map((d) => d.policyId)).toEqual([policy.id, policy.id, policy.id, policy.id]);

    // b leaves the selection
    const later = { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: new Date(NOW.getTime() + DAY).toISOString(), detail: {} };
    h.sim.clock.set(new Date(NOW.getTime() + DAY));
    const dry = await h.invoke('snapshots', { dryRun: true, now: later.time }, config(['web-1']));
    expect(dry.rows.filter((r) => r.action === 'unbind-snapshot-policy').map((r) => [r.resource, r.status]).sort()).toEqual(disksOf(b.id).map((d) => [d.id, 'planned']).sort());
    expect(cancels()).toEqual([]);

    const run = await h.invoke('snapshots', later, config(['web-1']));
    expect(run.errors).toEqual([]);
    expect(disksOf(b.id).map((d) => d.policyId)).toEqual([undefined, undefined]);
    expect(disksOf(a.id).map((d) => d.policyId)).toEqual([policy.id, policy.id]);
    expect(cancels()).toHaveLength(1);

    const trail = h.audit().filter((r) => r.phase === 'result' && disksOf(b.id).some((d) => d.id === r.resourceId));
    expect(trail.map((r) => [r.action, r.outcome, r.policy, r.expected?.vendorPolicyName])).toEqual([
      ['bind-snapshot-policy', 'success', 'daily', 'ca-daily'],
      ['bind-snapshot-policy', 'success', 'daily', 'ca-daily'],
      ['unbind-snapshot-policy', 'success', 'daily', 'ca-daily'],
      ['unbind-snapshot-policy', 'success', 'daily', 'ca-daily'],
    ]);
    expect(trail.filter((r) => r.action === 'unbind-snapshot-policy').every((r) => r.expected?.vendorPolicyId === policy.id)).toBe(true);
    const events = h.busEvents('Automation Action').filter((e) => e.action === 'unbind-snapshot-policy');
    expect(events.map((e) => e.resourceId).sort()).toEqual(disksOf(b.id).map((d) => d.id).sort());
    expect(events.every((e) => e.policy === 'daily' && /vendor policy ca-daily/.test(String(e.reason)))).toBe(true);

    // the next slot: nothing left to unbind
    const next = { ...later, time: new Date(NOW.getTime() + 2 * DAY).toISOString() };
    h.sim.clock.set(new Date(NOW.getTime() + 2 * DAY));
    await h.invoke('snapshots', next, config(['web-1']));
    expect(cancels()).toHaveLength(1);
  });

  it('after a failed read nothing is unbound', async () => {
    const b = web('web-2');
    const a = web('web-1');
    await h.invoke('snapshots', 'snapshots.schedule.json', config());
    h.sim.faults.inject({ kind: '5xx', vendor: 'alibaba', action: 'DescribeDisks', times: 10 });
    const run = await h.invoke('snapshots', 'snapshots.schedule.json', config(['web-1']));
    // the disks (selection and bindings alike) could not be read: the scope reports it and nothing is unbound
    expect(run.errors.length).toBeGreaterThan(0);
    expect(run.rows.filter((r) => r.action === 'unbind-snapshot-policy' && r.status !== 'skipped')).toEqual([]);
    expect(disksOf(a.id).every((d) => d.policyId !== undefined)).toBe(true);
    expect(cancels()).toEqual([]);
    expect(disksOf(b.id).every((d) => d.policyId !== undefined)).toBe(true);
  });
});
