import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

// auto-delete against the simulated Tencent CVM (emulated: terminate when due), asserting on the
// simulated cloud's state and on the audit trail.
describe('auto-delete on Tencent (emulated)', () => {
  let h: Harness;
  let cvm: TencentSim;
  const now = new Date('2026-11-24T04:00:00Z');

  beforeEach(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(now);
    cvm.bindClock(h.sim.clock);
  });
  afterEach(() => h.stop());

  const policy = (over: Record<string, unknown> = {}) => ({
    autoDelete: [{ name: 'ad', mode: 'enforce' as const, warnBefore: '2h', ...over }],
  });
  const due = (name: string, at = '2026-11-24T11:00:00+08:00') =>
    cvm.addInstance({ InstanceName: name, tags: { 'auto-delete-at': at } });

  it('plans in a dry run and changes nothing', async () => {
    const a = due('a');
    cvm.addInstance({ InstanceName: 'keep' });
    const cfg = h.config(policy(), { safety: { maxDestructivePercent: 100 } });
    const report = await h.run('auto-delete', cfg, { dryRun: true });
    expect(report.rows.filter((r) => r.status === 'planned').map((r) => r.action)).toEqual([
      'delete-instance',
    ]);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(cvm.instance(a.InstanceId)?.InstanceState).toBe('RUNNING');
    expect(h.audit().map((r) => [r.phase, r.resourceId, r.action])).toEqual([
      ['planned', a.InstanceId, 'delete-instance'],
    ]);
  });

  it('deletes the due instance once, warns about the upcoming one, and a retried run does nothing twice', async () => {
    const a = due('a');
    const b = due('b', '2026-11-24T13:00:00+08:00'); // 1 h ahead: inside warnBefore
    const keep = cvm.addInstance({ InstanceName: 'keep' });
    const cfg = h.config(policy(), { safety: { maxDestructivePercent: 100 } });
    const first = await h.run('auto-delete', cfg);
    expect(first.rows.find((r) => r.action === 'delete-instance')?.status).toBe('applied');
    expect(first.rows.find((r) => r.action === 'warn-auto-delete')?.status).toBe('applied');
    expect(cvm.instance(a.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);
    expect(cvm.instance(b.InstanceId)?.InstanceState).toBe('RUNNING');
    expect(cvm.instance(keep.InstanceId)?.InstanceState).toBe('RUNNING');

    const mutations = h.sim.mutatingRequests().length;
    const second = await h.run('auto-delete', cfg);
    expect(h.sim.mutatingRequests().length).toBe(mutations);
    expect(second.rows.filter((r) => r.status === 'applied')).toEqual([]);

    const trail = h.audit().filter((r) => r.resourceId === a.InstanceId && r.action === 'delete-instance');
    expect(trail.map((r) => [r.phase, r.outcome])).toEqual([
      ['intent', undefined],
      ['result', 'success'],
    ]);
    expect(trail[1]!.requestIds.length).toBe(1);
    expect(h.audit().filter((r) => r.action === 'warn-auto-delete' && r.phase === 'result')).toHaveLength(1);
  });

  it('trips the blast-radius guard and deletes nothing', async () => {
    const ids = [due('a'), due('b'), due('c')].map((i) => i.InstanceId);
    cvm.addInstance({ InstanceName: 'keep' });
    const cfg = h.config(policy(), { safety: { maxDestructivePercent: 50 } });
    const report = await h.run('auto-delete', cfg);
    expect(report.rows.filter((r) => r.action === 'delete-instance').map((r) => r.status)).toEqual([
      'refused',
      'refused',
      'refused',
    ]);
    expect(ids.map((id) => cvm.instance(id)?.InstanceState)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(h.audit().filter((r) => r.outcome === 'refused')).toHaveLength(3);
  });

  it('leaves an exempt instance and an invalid tag alone', async () => {
    const exempt = cvm.addInstance({
      InstanceName: 'x',
      tags: { 'auto-delete-at': '2026-11-24T11:00:00+08:00', 'automation-exempt': 'true' },
    });
    const invalid = cvm.addInstance({ InstanceName: 'y', tags: { 'auto-delete-at': 'tomorrow' } });
    const cfg = h.config(policy(), { safety: { maxDestructivePercent: 100 } });
    const report = await h.run('auto-delete', cfg);
    expect(report.rows.find((r) => r.resource.startsWith(exempt.InstanceId))?.status).toBe('exempt');
    expect(report.rows.find((r) => r.resource.startsWith(invalid.InstanceId))).toMatchObject({
      status: 'error',
      reason: expect.stringMatching(/not an ISO-8601/),
    });
    expect(h.sim.mutatingRequests()).toEqual([]);
  });

  it('does nothing destructive when the listing fails, and completes when throttled', async () => {
    const a = due('a');
    const cfg = h.config(policy(), { safety: { maxDestructivePercent: 100 } });
    h.sim.faults.inject({ kind: '5xx', action: 'DescribeInstances' });
    const failed = await h.run('auto-delete', cfg);
    expect(failed.errors.join()).toMatch(/listing instances/);
    expect(cvm.instance(a.InstanceId)?.InstanceState).toBe('RUNNING');
    h.sim.faults.clear();

    h.sim.faults.inject({ kind: 'throttle', times: 2 });
    const ok = await h.run('auto-delete', cfg);
    expect(ok.rows.find((r) => r.action === 'delete-instance')?.status).toBe('applied');
    expect(cvm.instance(a.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);
  });
  it('a protected instance is shown as "protected" and gets no call (DisableApiTermination)', async () => {
    const a = cvm.addInstance({
      InstanceName: 'p',
      disableApiTermination: true,
      tags: { 'auto-delete-at': '2026-11-24T11:00:00+08:00' },
    });
    const cfg = h.config(policy(), { safety: { maxDestructivePercent: 100 } });
    const report = await h.run('auto-delete', cfg);
    expect(report.rows.find((r) => r.resource.startsWith(a.InstanceId))).toMatchObject({
      action: 'protected',
      status: 'skipped',
      reason: expect.stringMatching(/termination protection/),
    });
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(cvm.instance(a.InstanceId)?.InstanceState).toBe('RUNNING');
  });

  it('an instance with an operation still running gets no new action this run; the next run deletes it', async () => {
    const a = cvm.addInstance({
      InstanceName: 'b',
      latestOperation: 'StopInstances',
      latestOperationState: 'OPERATING',
      tags: { 'auto-delete-at': '2026-11-24T11:00:00+08:00' },
    });
    const cfg = h.config(policy(), { safety: { maxDestructivePercent: 100 } });
    const busy = await h.run('auto-delete', cfg);
    expect(busy.rows.find((r) => r.resource.startsWith(a.InstanceId))).toMatchObject({
      action: 'busy',
      status: 'skipped',
      reason: expect.stringMatching(/still running StopInstances.*next run retries/),
    });
    expect(h.sim.mutatingRequests()).toEqual([]);
    cvm.instance(a.InstanceId)!.latestOperationState = 'SUCCESS';
    const next = await h.run('auto-delete', cfg);
    expect(next.rows.find((r) => r.action === 'delete-instance')?.status).toBe('applied');
  });
});
