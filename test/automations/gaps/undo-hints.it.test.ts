import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

// Every action result says how to undo it, or says plainly that it cannot be undone.
describe('undo hints on every result', () => {
  let h: Harness;
  let cvm: TencentSim;
  const now = Date.parse('2026-11-24T02:00:00Z');
  const at = (ms: number) => new Date(now + ms).toISOString();
  const HOUR = 3_600_000;
  const scheduled = (ms: number) => ({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: at(ms), detail: {} });

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(new Date(now));
    cvm.bindClock(h.sim.clock);
  });
  afterAll(() => h.stop());

  it('Tencent deletions, purges, timers and notices each carry one, in the trail and the events', async () => {
    const postpaid = cvm.addInstance({ InstanceName: 'gone', tags: { 'auto-delete-at': at(-HOUR) } });
    const prepaid = cvm.addInstance({ InstanceName: 'binned', InstanceChargeType: 'PREPAID', tags: { 'auto-delete-at': at(-HOUR) } });
    const later = cvm.addInstance({ InstanceName: 'later', tags: { 'auto-delete-at': at(2 * HOUR) } });
    const config = h.config(
      {
        autoDelete: [{ name: 'ad', mode: 'enforce', warnBefore: '3h' }],
        recycleBin: [{ name: 'bin', mode: 'enforce', action: 'purge', retentionDays: 1, warnBefore: '48h' }],
      },
      { safety: { maxDestructivePercent: 100 } },
    );
    await h.invoke('auto-delete', scheduled(0), config);
    expect(cvm.instance(postpaid.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);
    expect(cvm.instance(prepaid.InstanceId)?.InstanceState).toBe('SHUTDOWN');
    await h.invoke('recycle-bin', scheduled(HOUR), config); // warns ahead of the purge
    h.sim.clock.set(new Date(now + 25 * HOUR));
    await h.invoke('recycle-bin', scheduled(25 * HOUR), config); // purges
    expect(cvm.instance(prepaid.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);

    const results = h.audit().filter((r) => r.phase === 'result');
    const byAction = (fn: string, action: string, id: string) => results.find((r) => r.function === fn && r.action === action && r.resourceId === id)?.undoHint;
    expect(results.map((r) => r.action).sort()).toEqual(
      ['delete-instance', 'delete-instance', 'purge', 'send-digest', 'send-digest', 'set-auto-delete-time', 'warn-auto-delete', 'warn-purge'].sort(),
    );
    expect(results.every((r) => typeof r.undoHint === 'string' && r.undoHint.length > 0)).toBe(true);
    expect(byAction('auto-delete', 'delete-instance', postpaid.InstanceId)).toMatch(/^cannot be undone: tencent offers no restore/);
    expect(byAction('recycle-bin', 'purge', prepaid.InstanceId)).toMatch(/^cannot be undone/);
    expect(byAction('auto-delete', 'warn-auto-delete', later.InstanceId)).toMatch(/^nothing to undo/);
    expect(byAction('auto-delete', 'set-auto-delete-time', later.InstanceId)).toBe('clear the instance auto-delete time');
    const events = h.busEvents('Automation Action');
    expect(events.length).toBe(4);
    expect(events.every((e) => typeof e.undoHint === 'string' && (e.undoHint as string).length > 0)).toBe(true);
  });
});
