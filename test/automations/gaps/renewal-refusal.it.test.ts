import { RENEWAL_REFUSED, renewalRefusedDetailSchema } from '../../../lib/automations/renewal-reminders';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

// An over-budget renewal is refused in the plan, in the trail and with a notice, once per expiry.
describe('renewal refused over budget', () => {
  let h: Harness;
  let cvm: TencentSim;
  const NOW = new Date('2026-11-24T02:00:00Z');
  const DAY = 86_400_000;

  beforeAll(async () => {
    cvm = createTencentSim();
    h = await startHarness([cvm]);
    h.sim.clock.set(NOW);
    cvm.bindClock(h.sim.clock);
  });
  afterAll(() => h.stop());

  it('dry run audits the refusal as planned; enforce audits it and publishes one notice; the vendor renews nothing', async () => {
    const dear = cvm.addInstance({ InstanceChargeType: 'PREPAID', InstanceType: 'S3.2XLARGE16', expiredMs: NOW.getTime() + 3 * DAY, tags: { owner: 'bob' } });
    const config = h.config({ renewalReminders: [{ name: 'renewals', mode: 'enforce', renew: { periodMonths: 1, budget: '400', currency: 'CNY' } }] });

    const dry = await h.invoke('renewal-reminders', { dryRun: true, now: NOW.toISOString() }, config);
    expect(dry.rows.find((r) => r.action === 'refuse-renewal')).toMatchObject({ status: 'planned', reason: expect.stringMatching(/1474.56 CNY is over the budget 400/) });
    expect(h.audit().filter((r) => r.action === 'refuse-renewal').map((r) => r.phase)).toEqual(['planned']);
    expect(h.busEvents(RENEWAL_REFUSED)).toEqual([]);

    const run = await h.invoke('renewal-reminders', 'renewal-reminders.schedule.json', config);
    expect(run.rows.find((r) => r.action === 'refuse-renewal')?.status).toBe('applied');
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(cvm.instance(dear.InstanceId)!.expiredMs).toBe(NOW.getTime() + 3 * DAY);
    const trail = h.audit().filter((r) => r.action === 'refuse-renewal' && r.mode === 'enforce');
    expect(trail.map((r) => [r.phase, r.outcome ?? null, r.resourceId])).toEqual([
      ['intent', null, dear.InstanceId],
      ['result', 'success', dear.InstanceId],
    ]);
    const notices = h.busEvents(RENEWAL_REFUSED);
    expect(notices).toHaveLength(1);
    const detail = renewalRefusedDetailSchema.parse(notices[0]);
    expect(detail).toMatchObject({ owner: 'bob', quoteTotal: '1474.56', budget: { amount: '400', currency: 'CNY' }, periodMonths: 1, instance: { id: dear.InstanceId } });

    await h.invoke('renewal-reminders', 'renewal-reminders.schedule.json', config);
    expect(h.busEvents(RENEWAL_REFUSED)).toHaveLength(1);
  });
});
