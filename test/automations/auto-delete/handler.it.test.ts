import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

// The exported Lambda handler, fed the sample events from events/, against the simulated cloud.
describe('functions/auto-delete handler', () => {
  let h: Harness;
  let cvm: TencentSim;
  const now = new Date('2026-11-24T02:00:00Z'); // the sample scheduled event's time

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(now);
    cvm.bindClock(h.sim.clock);
  });
  afterAll(() => h.stop());

  it('a manual payload is a dry run; the scheduled event enforces an enforce policy once', async () => {
    const due = cvm.addInstance({
      InstanceName: 'due',
      tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' },
    });
    cvm.addInstance({ InstanceName: 'other' });
    const config = h.config(
      { autoDelete: [{ name: 'ad', mode: 'enforce' }] },
      { safety: { maxDestructivePercent: 100 } },
    );

    const dry = await h.invoke('auto-delete', 'auto-delete.manual-dry-run.json', config);
    expect(dry.rows.find((r) => r.action === 'delete-instance')?.status).toBe('planned');
    expect(h.sim.mutatingRequests()).toEqual([]);

    const scheduled = await h.invoke('auto-delete', 'auto-delete.schedule.json', config);
    expect(scheduled.rows.find((r) => r.action === 'delete-instance')?.status).toBe('applied');
    expect(cvm.instance(due.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);

    const retried = await h.invoke('auto-delete', 'auto-delete.schedule.json', config);
    expect(retried.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(h.audit().filter((r) => r.resourceId === due.InstanceId && r.phase === 'intent')).toHaveLength(1);
  });

  it('rejects an event it does not recognise with a clear error', async () => {
    const config = h.config({ autoDelete: [{ name: 'ad' }] });
    await expect(h.invoke('auto-delete', { hello: 'world' }, config)).rejects.toThrow(/expected one of/);
  });
});
