import { actionTimersOf, addActionTimer } from '../../../sim/tencent/action-timers';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

// Tencent native auto-delete through instance action timers (SDK model, not the seeds): pushed,
// reconciled, at least 5 minutes ahead, and the vendor deletes even when no function runs.
describe('auto-delete on Tencent with instance action timers', () => {
  let h: Harness;
  let cvm: TencentSim;
  const now = new Date('2026-11-24T02:00:00Z');
  const undo = (id: string) => actionTimersOf(cvm.state).filter((t) => t.InstanceId === id && t.Status === 'UNDO');
  const timerActions = () => h.sim.requests.filter((r) => r.action.endsWith('ActionTimer')).map((r) => r.action);

  beforeEach(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(now);
    cvm.bindClock(h.sim.clock);
  });
  afterEach(() => h.stop());

  const config = () => h.config({ autoDelete: [{ name: 'ad', mode: 'enforce' }] }, { safety: { maxDestructivePercent: 100 } });
  const setTag = (id: string, value: string | undefined) => {
    const i = cvm.instance(id)!;
    if (value === undefined) delete i.tags['auto-delete-at'];
    else i.tags['auto-delete-at'] = value;
    cvm.state.touch();
  };

  it('pushes the deletion time to a timer, reconciles drift and removal, and leaves a foreign timer alone', async () => {
    const a = cvm.addInstance({ InstanceName: 'a', tags: { 'auto-delete-at': '2026-11-25T10:00:00+08:00' } });
    const close = cvm.addInstance({ InstanceName: 'close', tags: { 'auto-delete-at': '2026-11-24T10:03:00+08:00' } }); // 3 min ahead
    const foreign = cvm.addInstance({ InstanceName: 'foreign' });
    addActionTimer(cvm.state, { instanceId: foreign.InstanceId, region: 'ap-guangzhou', atMs: Date.parse('2026-11-30T00:00:00Z') });

    const dry = await h.invoke('auto-delete', { dryRun: true, now: now.toISOString() }, config());
    expect(dry.rows.find((r) => r.resource.startsWith(a.InstanceId))).toMatchObject({ action: 'set-auto-delete-time', status: 'planned' });
    expect(h.sim.mutatingRequests()).toEqual([]);

    const first = await h.invoke('auto-delete', 'auto-delete.schedule.json', config());
    expect(first.errors).toEqual([]);
    expect(first.rows.find((r) => r.resource.startsWith(a.InstanceId))).toMatchObject({ action: 'set-auto-delete-time', status: 'applied' });
    expect(first.rows.filter((r) => r.resource.startsWith(close.InstanceId) || r.resource.startsWith(foreign.InstanceId)).map((r) => r.status)).toEqual([]);
    // the vendor holds one timer for a, in the model's format, and none for the close one
    expect(undo(a.InstanceId).map((t) => new Date(t.actionMs).toISOString())).toEqual(['2026-11-25T02:00:00.000Z']);
    expect(undo(close.InstanceId)).toEqual([]);
    expect(undo(foreign.InstanceId)).toHaveLength(1);
    expect(h.audit().filter((r) => r.resourceId === a.InstanceId && r.phase === 'result').map((r) => [r.action, r.outcome, r.expected?.autoDeleteAt])).toEqual([
      ['set-auto-delete-time', 'success', '2026-11-25T02:00:00.000Z'],
    ]);
    expect(h.busEvents('Automation Action').filter((e) => e.resourceId === a.InstanceId)).toEqual([
      expect.objectContaining({ action: 'set-auto-delete-time', outcome: 'success', undoHint: 'clear the instance auto-delete time' }),
    ]);

    // read back: nothing to do, no mutation
    const mutations = h.sim.mutatingRequests().length;
    const again = await h.invoke('auto-delete', 'auto-delete.schedule.json', config());
    expect(again.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(h.sim.mutatingRequests().length).toBe(mutations);

    // the wanted time moves: the old timer goes, one new timer holds the new time
    setTag(a.InstanceId, '2026-11-26T10:00:00+08:00');
    await h.invoke('auto-delete', 'auto-delete.schedule.json', config());
    expect(undo(a.InstanceId).map((t) => new Date(t.actionMs).toISOString())).toEqual(['2026-11-26T02:00:00.000Z']);

    // nothing wants it any more: our timer is cleared, the foreign one stays
    setTag(a.InstanceId, undefined);
    const cleared = await h.invoke('auto-delete', 'auto-delete.schedule.json', config());
    expect(cleared.rows.find((r) => r.resource.startsWith(a.InstanceId))).toMatchObject({ action: 'clear-auto-delete-time', status: 'applied' });
    expect(undo(a.InstanceId)).toEqual([]);
    expect(undo(foreign.InstanceId)).toHaveLength(1);
    expect(h.audit().filter((r) => r.resourceId === a.InstanceId && r.phase === 'result').map((r) => r.action)).toEqual([
      'set-auto-delete-time',
      'set-auto-delete-time',
      'clear-auto-delete-time',
    ]);
    expect(timerActions()).toContain('DeleteInstancesActionTimer');
  });

  it('reads timers only for the instances a policy may act on, once for all policies of the pass', async () => {
    // 3 pages of 100: a timer read per page would be 3 requests; what the policies can act on fits in one
    for (let n = 0; n < 250; n++) cvm.addInstance({ InstanceName: `plain-${n}` });
    const tagged = [1, 2].map((n) => cvm.addInstance({ InstanceName: `tagged-${n}`, tags: { 'auto-delete-at': '2026-11-28T10:00:00+08:00' } }));
    const old = cvm.addInstance({ InstanceName: 'tmp-old', createdMs: now.getTime() - 10 * 86_400_000 });
    const foreign = cvm.addInstance({ InstanceName: 'plain-foreign' });
    addActionTimer(cvm.state, { instanceId: foreign.InstanceId, region: 'ap-guangzhou', atMs: Date.parse('2026-11-30T00:00:00Z') });
    const twoPolicies = () =>
      h.config(
        { autoDelete: [{ name: 'ad', mode: 'enforce' }, { name: 'ttl', mode: 'enforce', selector: { names: ['tmp-*'] }, source: { ttl: '30d' } }] },
        { safety: { maxDestructivePercent: 100 } },
      );
    const timerReads = () => h.sim.requests.filter((r) => r.action === 'DescribeInstancesActionTimer').length;

    const dry = await h.invoke('auto-delete', { dryRun: true, now: now.toISOString() }, twoPolicies());
    expect(dry.errors).toEqual([]);
    expect(timerReads()).toBe(1);
    expect(dry.rows.filter((r) => r.action === 'set-auto-delete-time').map((r) => r.resource.split(' ')[0]).sort()).toEqual(
      [...tagged, old].map((i) => i.InstanceId).sort(),
    );

    await h.invoke('auto-delete', 'auto-delete.schedule.json', twoPolicies());
    expect([...tagged, old].map((i) => undo(i.InstanceId).length)).toEqual([1, 1, 1]);
    // read back: the timers found, nothing set again, still one read
    const before = { reads: timerReads(), mutations: h.sim.mutatingRequests().length };
    const again = await h.invoke('auto-delete', 'auto-delete.schedule.json', twoPolicies());
    expect(again.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(h.sim.mutatingRequests().length).toBe(before.mutations);
    expect(timerReads() - before.reads).toBe(1);
    // one of ours loses its tag: ours from the trail, so its timer is still read and cleared; the foreign one stays
    delete cvm.instance(tagged[0]!.InstanceId)!.tags['auto-delete-at'];
    cvm.state.touch();
    const cleared = await h.invoke('auto-delete', 'auto-delete.schedule.json', twoPolicies());
    expect(cleared.rows.find((r) => r.resource.startsWith(tagged[0]!.InstanceId))).toMatchObject({ action: 'clear-auto-delete-time', status: 'applied' });
    expect(undo(tagged[0]!.InstanceId)).toEqual([]);
    expect(undo(foreign.InstanceId)).toHaveLength(1);
  });

  it('a policy that acts on a tag\'s carriers lists only them (tag-key, seed 004 L2226) and those whose timer it set, and counts the scope', async () => {
    // 253 instances: the whole scope would be 3 pages; the carriers fit in one, the count is one more (E6)
    for (let n = 0; n < 250; n++) cvm.addInstance({ InstanceName: `plain-${n}` });
    const due = cvm.addInstance({ InstanceName: 'due', tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' } });
    const later = cvm.addInstance({ InstanceName: 'later', tags: { 'auto-delete-at': '2026-11-28T10:00:00+08:00' } });
    const foreign = cvm.addInstance({ InstanceName: 'plain-foreign' });
    addActionTimer(cvm.state, { instanceId: foreign.InstanceId, region: 'ap-guangzhou', atMs: Date.parse('2026-11-30T00:00:00Z') });
    // a percent limit the scope's size allows (1 of 253) and the carriers alone would not (1 of 2)
    const tagOnly = () => h.config({ autoDelete: [{ name: 'ad', mode: 'enforce' }] }, { safety: { maxDestructivePercent: 10 } });
    const listings = () => h.sim.requests.filter((r) => r.action === 'DescribeInstances').length;

    let before = listings();
    const first = await h.invoke('auto-delete', 'auto-delete.schedule.json', tagOnly());
    expect(first.errors).toEqual([]);
    expect(listings() - before).toBe(2); // the count (Limit=1) beside the carriers' page
    expect(first.rows.find((r) => r.resource.startsWith(due.InstanceId))).toMatchObject({ action: 'delete-instance', status: 'applied' });
    expect(first.rows.find((r) => r.resource.startsWith(later.InstanceId))).toMatchObject({ action: 'set-auto-delete-time', status: 'applied' });
    expect(undo(later.InstanceId)).toHaveLength(1);

    // its tag removed: ours by the trail, read by id, and cleared; the foreign timer stays
    delete cvm.instance(later.InstanceId)!.tags['auto-delete-at'];
    cvm.state.touch();
    before = listings();
    const cleared = await h.invoke('auto-delete', 'auto-delete.schedule.json', tagOnly());
    expect(cleared.errors).toEqual([]);
    expect(listings() - before).toBe(3); // the count, the carriers (none left), the instance whose timer it set by id
    expect(cleared.rows.find((r) => r.resource.startsWith(later.InstanceId))).toMatchObject({ action: 'clear-auto-delete-time', status: 'applied' });
    expect(undo(later.InstanceId)).toEqual([]);
    expect(undo(foreign.InstanceId)).toHaveLength(1);
  });

  it('the vendor deletes at the timer even when no function runs again', async () => {
    const a = cvm.addInstance({ InstanceName: 'a', tags: { 'auto-delete-at': '2026-11-24T12:00:00+08:00' } });
    await h.invoke('auto-delete', 'auto-delete.schedule.json', config());
    expect(undo(a.InstanceId)).toHaveLength(1);
    h.sim.clock.set(new Date('2026-11-24T03:59:00Z'));
    expect(cvm.instance(a.InstanceId)?.InstanceState).toBe('RUNNING');
    h.sim.clock.set(new Date('2026-11-24T04:00:00Z'));
    expect(cvm.instance(a.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);
    expect(actionTimersOf(cvm.state).find((t) => t.InstanceId === a.InstanceId)?.Status).toBe('DONE');
  });

  it('the simulator refuses a timer less than 5 minutes ahead, as the SDK model says', async () => {
    const a = cvm.addInstance({ InstanceName: 'a' });
    const { createTencentClient } = await import('../../../lib/vendors/tencent');
    const { Transport } = await import('../../../lib/vendors/core');
    const client = createTencentClient({
      target: 'tencent-prod',
      endpoint: h.sim.endpoints.tencent,
      credentials: { accessKeyId: process.env.IT_TENCENT_ID!, secret: process.env.IT_TENCENT_SECRET! },
      transport: new Transport({ retry: { baseDelayMs: 1, maxDelayMs: 2 } }),
      settings: { signatureMethod: 'HmacSHA256', httpMethod: 'POST', regionalEndpoint: false },
    });
    const [out] = await client.setAutoDeleteTime({ region: 'ap-guangzhou' }, [a.InstanceId], '2026-11-24T02:04:00Z');
    expect(out).toMatchObject({ ok: false, error: { code: 'InvalidParameterValue' } });
    expect(undo(a.InstanceId)).toEqual([]);
  });
});
