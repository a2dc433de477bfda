import { RENEWAL_DIGEST, RENEWAL_REMINDER, renewalReminderDetailSchema } from '../../../lib/automations/renewal-reminders';
import { createAlibabaSim, type AlibabaSim } from '../../../sim/alibaba';
import { createCecstackSim, type CecstackSim } from '../../../sim/cecstack';
import { createKecSim } from '../../../sim/kec';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

// The exported Lambda handler (functions/renewal-reminders.ts) with the sample events, against all
// four simulated clouds at once: Tencent and CECSTACK remind with quotes and act, Alibaba reminds
// without a quote (read-only), KEC is unsupported and said so once.
const NOW = new Date('2026-11-24T02:00:00Z'); // the sample scheduled event's time
const DAY = 86_400_000;

const busEvents = (h: Harness, type: string) => h.busEvents(type);
const reminderOf = (h: Harness, id: string) => busEvents(h, RENEWAL_REMINDER).filter((d) => (d.instance as { id: string }).id === id);

describe('functions/renewal-reminders handler on all four simulated clouds', () => {
  let h: Harness;
  let cvm: TencentSim;
  let ecs: CecstackSim;
  let ali: AlibabaSim;
  beforeEach(async () => {
    cvm = createTencentSim();
    ecs = createCecstackSim();
    ali = createAlibabaSim();
    h = await startHarness([cvm, createKecSim(), ali, ecs]);
    h.sim.clock.set(NOW);
    cvm.bindClock(h.sim.clock);
  });
  afterEach(() => h.stop());

  const vm = (ecsId: string, expiresInDays: number, labels: { key: string; value: string }[] = []) =>
    ecs.addVm({
      ecsId,
      displayName: ecsId,
      status: 'Running',
      billingMode: 'ByCycle',
      expiresAt: NOW.getTime() + expiresInDays * DAY,
      createdAt: NOW.getTime() - 100 * DAY,
      region: 'region0',
      az: 'AZ0',
      flavorId: 'flavor-1',
      monthlyFen: 10_000,
      departmentId: 'd',
      resourceGroupId: '',
      labels,
      isLock: false,
      bRecycle: false,
      volumes: [],
      eips: [],
    } as never);

  const config = (policy: Record<string, unknown>) => {
    const cfg = h.config({ renewalReminders: [{ name: 'renewals', mode: 'enforce', ...policy }] });
    cfg.targets.find((t) => t.vendor === 'kec')!.regions.push('cn-shanghai-2'); // two scopes, one "unsupported"
    return cfg;
  };

  it('dry run plans and sends nothing; enforce reminds with quotes, renews within budget, once across retries', async () => {
    const tc = cvm.addInstance({ InstanceChargeType: 'PREPAID', InstanceType: 'S2.MEDIUM4', expiredMs: NOW.getTime() + 5 * DAY, tags: { owner: 'amy' } });
    const tcLater = cvm.addInstance({ InstanceChargeType: 'PREPAID', expiredMs: NOW.getTime() + 90 * DAY });
    vm('ecs-renew0001', 6, [{ key: 'owner', value: 'bob' }]);
    const aliPrepaid = ali.addInstance({ name: 'ali-prepaid', chargeType: 'PrePaid', expiredAt: NOW.getTime() + 2 * DAY } as never);
    const cfg = config({ renew: { periodMonths: 1, budget: '400' } });

    const dry = await h.invoke('renewal-reminders', 'renewal-reminders.manual-dry-run.json', cfg);
    expect(h.sim.mutatingRequests()).toEqual([]);
    expect(busEvents(h, RENEWAL_REMINDER)).toEqual([]);
    expect(dry.rows.filter((r) => r.status === 'planned').length).toBeGreaterThan(0);
    expect(h.audit().every((r) => r.phase === 'planned')).toBe(true);

    const first = await h.invoke('renewal-reminders', 'renewal-reminders.schedule.json', cfg);
    expect(first.errors).toEqual([]);
    // KEC: said once for the run, though it has two regions
    expect(first.rows.filter((r) => r.vendor === 'kec')).toEqual([expect.objectContaining({ status: 'info', reason: 'kec does not support renewal: skipped' })]);
    // Tencent: reminded with its quote and renewed at the vendor (368.64 ≤ 400)
    const [tcReminder] = reminderOf(h, tc.InstanceId);
    expect(renewalReminderDetailSchema.parse(tcReminder)).toMatchObject({ owner: 'amy', stageDays: 7, renewPlanned: true, quote: { total: '368.64', currency: 'CNY' } });
    expect(cvm.instance(tc.InstanceId)!.expiredMs).toBeGreaterThan(NOW.getTime() + 30 * DAY);
    expect(cvm.instance(tcLater.InstanceId)!.expiredMs).toBe(NOW.getTime() + 90 * DAY);
    // CECSTACK: reminded with its quote and renewed
    const [ceReminder] = reminderOf(h, 'ecs-renew0001');
    expect(ceReminder).toMatchObject({ owner: 'bob', stageDays: 7, renewPlanned: true, quote: { total: expect.stringMatching(/^\d/) } });
    expect(ecs.instances()[0]!.expiresAt).toBeGreaterThan(NOW.getTime() + 30 * DAY);
    // Alibaba: read-only, so no quote was asked for and nothing renewed
    const [aliReminder] = reminderOf(h, aliPrepaid.id);
    expect(aliReminder).toMatchObject({ stageDays: 7, quote: null, quoteError: 'no quote: the vendor offers none', renewPlanned: false });
    expect(first.rows.some((r) => r.vendor === 'alibaba' && /renewal quote failed/.test(r.reason))).toBe(false);
    expect(first.rows.find((r) => r.vendor === 'alibaba' && r.action === 'renew')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/reminders only/) });
    const byVendor = (v: string) => h.sim.mutatingRequests().filter((r) => r.vendor === v).length;
    expect([byVendor('tencent'), byVendor('cecstack'), byVendor('alibaba'), byVendor('kec')]).toEqual([1, 1, 0, 0]);
    expect(h.sim.mutatingRequests().find((r) => r.vendor === 'tencent')!.action).toBe('RenewInstances');
    expect(h.audit().filter((r) => r.phase === 'result' && r.action === 'renew-instance').map((r) => [r.vendor, r.outcome]).sort()).toEqual([
      ['cecstack', 'success'],
      ['tencent', 'success'],
    ]);
    expect(busEvents(h, RENEWAL_DIGEST)).toHaveLength(3);

    // a retried invocation of the same schedule sends nothing twice and renews nothing twice
    const mutated = h.sim.mutatingRequests().length;
    const retried = await h.invoke('renewal-reminders', 'renewal-reminders.schedule.json', cfg);
    expect(retried.rows.filter((r) => r.status === 'applied')).toEqual([]);
    expect(h.sim.mutatingRequests()).toHaveLength(mutated);
    expect(busEvents(h, RENEWAL_REMINDER)).toHaveLength(3);
    expect(busEvents(h, RENEWAL_DIGEST)).toHaveLength(3);
  });

  it('an exempt instance gets nothing; a failed listing is reported; a throttled vendor still completes', async () => {
    const exempt = cvm.addInstance({ InstanceChargeType: 'PREPAID', expiredMs: NOW.getTime() + 3 * DAY, tags: { 'automation-exempt': 'true' } });
    const plain = cvm.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', expiredMs: NOW.getTime() + 3 * DAY });
    vm('ecs-renew0002', 1);
    h.sim.faults.inject({ kind: 'throttle', vendor: 'tencent', action: 'InquiryPriceRenewInstances', times: 2 });
    h.sim.faults.inject({ kind: '5xx', vendor: 'cecstack', times: 5 });
    const report = await h.invoke('renewal-reminders', 'renewal-reminders.schedule.json', config({ autoRenew: true }));

    expect(report.rows.find((r) => r.resource === exempt.InstanceId)).toMatchObject({ status: 'exempt' });
    expect(reminderOf(h, exempt.InstanceId)).toEqual([]);
    expect(cvm.instance(exempt.InstanceId)!.RenewFlag).toBe('NOTIFY_AND_MANUAL_RENEW');
    expect(h.audit().some((r) => r.resourceId === exempt.InstanceId)).toBe(false);
    // throttled quotes were retried: the reminder carries the quote, auto-renew was set
    expect(reminderOf(h, plain.InstanceId)[0]).toMatchObject({ stageDays: 7, quote: { total: expect.stringMatching(/^\d/) } });
    expect(cvm.instance(plain.InstanceId)!.RenewFlag).toBe('NOTIFY_AND_AUTO_RENEW');
    // CECSTACK's listing failed: reported, nothing sent or changed there
    expect(report.errors.join()).toMatch(/cecstack-prod\/region0.*listing prepaid instances/);
    expect(reminderOf(h, 'ecs-renew0002')).toEqual([]);
    expect(h.sim.mutatingRequests().filter((r) => r.vendor === 'cecstack')).toEqual([]);
  });
});
