import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

// Every policy of a target × region rides one pass over its listing, at any fleet size; an instance an
// earlier policy changed is re-read by id (not the fleet) before a later policy acts on it.
describe('one listing pass for the policies of a scope', () => {
  let h: Harness;
  let cvm: TencentSim;

  beforeEach(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set('2026-11-24T04:00:00Z');
    cvm.bindClock(h.sim.clock);
    for (let i = 0; i < 250; i++) cvm.addInstance({ InstanceName: `web-${i}` });
  });
  afterEach(() => h.stop());

  const listings = () => h.sim.requests.filter((r) => r.action === 'DescribeInstances').length;
  const policies = [
    { name: 'by-tag', mode: 'enforce' as const },
    { name: 'tmp-ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '1h' } },
    { name: 'by-tag-too', mode: 'enforce' as const }, // wants the same deletion as by-tag
  ];

  it('lists the fleet once for all three policies in a dry run', async () => {
    await h.run('auto-delete', h.config({ autoDelete: policies }), { dryRun: true });
    expect(listings()).toBe(3); // 251 instances at 100 per page, once
  });

  it('lists a fleet larger than any listing cache once (the old cache held 20,000 items)', async () => {
    for (let i = 250; i < 20_050; i++) cvm.addInstance({ InstanceName: `web-${i}` });
    await h.run('auto-delete', h.config({ autoDelete: policies }), { dryRun: true });
    expect(listings()).toBe(201); // 20,050 instances at 100 per page, once for three policies
  }, 60_000);

  it('after the first policy changed an instance, the second re-reads just that one, not the fleet', async () => {
    const due = cvm.addInstance({ InstanceName: 'due', tags: { 'auto-delete-at': '2026-11-24T10:00:00+08:00' } });
    const report = await h.run('auto-delete', h.config({ autoDelete: policies }, { safety: { maxDestructivePercent: 100 } }));
    expect(report.rows.find((r) => r.resource.startsWith(due.InstanceId))?.status).toBe('applied');
    // the fleet once (3 pages) + the changed instance by id, for by-tag-too only: tmp-ttl decided nothing on it
    expect(listings()).toBe(4);
    // by-tag-too saw the instance as it is after the deletion, not as the shared pass had it
    expect(report.rows.filter((r) => r.resource.startsWith(due.InstanceId) && r.action === 'delete-instance')).toHaveLength(1);
    expect(h.sim.requests.filter((r) => r.action === 'TerminateInstances')).toHaveLength(1);
  });
});
