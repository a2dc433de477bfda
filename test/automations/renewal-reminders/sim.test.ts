import { runAutomation } from '../../../lib/automations/engine/run';
import { RENEWAL_DIGEST, RENEWAL_REMINDER, renewalRemindersSpec } from '../../../lib/automations/renewal-reminders';
import { renewalPolicySchema, type RenewalPolicy } from '../../../lib/config/schema';
import { createCecstackClient } from '../../../lib/vendors/cecstack';
import { Transport, vendorSettings, type VendorClient } from '../../../lib/vendors/core';
import { createTencentClient } from '../../../lib/vendors/tencent';
import { startSim, type RunningSim } from '../../../sim/core';
import { createCecstackSim, type CecstackSim } from '../../../sim/cecstack';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { harness, targetConfig } from './harness';

const DAY = 86_400_000;
const T0 = new Date('2026-03-01T00:00:00.000Z');
const transport = (readOnly: boolean) => new Transport({ readOnly, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
const policy = (over: Record<string, unknown> = {}): RenewalPolicy => renewalPolicySchema.parse({ name: 'renewals', mode: 'enforce', ...over });

describe('renewal-reminders against the Tencent simulator', () => {
  let sim: RunningSim;
  let cvm: TencentSim;
  beforeEach(async () => {
    cvm = createTencentSim();
    sim = await startSim({ modules: [cvm], ports: { tencent: 0 } });
    sim.clock.set(T0);
    cvm.bindClock(sim.clock);
  });
  afterEach(() => sim.stop());

  const setup = () =>
    harness([targetConfig('tc', 'tencent', ['ap-guangzhou'], sim.endpoints.tencent)], (target, mode): VendorClient =>
      createTencentClient({ target: target.name, endpoint: sim.endpoints.tencent, credentials: { accessKeyId: 'sim-tencent-id', secret: 'sim-tencent-secret' }, transport: transport(mode === 'dry-run'), settings: vendorSettings.tencent.parse({}) }),
    );

  it('dry run plans and changes nothing; enforce renews within budget only, reminds with quotes, and a retry repeats nothing', async () => {
    const cheap = cvm.addInstance({ InstanceChargeType: 'PREPAID', InstanceType: 'S2.MEDIUM4', expiredMs: T0.getTime() + 5 * DAY, tags: { owner: 'amy' } });
    const dear = cvm.addInstance({ InstanceChargeType: 'PREPAID', InstanceType: 'S3.2XLARGE16', expiredMs: T0.getTime() + 3 * DAY, tags: { owner: 'bob' } });
    const later = cvm.addInstance({ InstanceChargeType: 'PREPAID', expiredMs: T0.getTime() + 60 * DAY });
    cvm.addInstance({ InstanceChargeType: 'POSTPAID_BY_HOUR' });
    const h = setup();
    const p = policy({ renew: { periodMonths: 1, budget: '400' } });

    await runAutomation(h.deps(T0, 'dry'), renewalRemindersSpec, [{ ...p, mode: 'dry-run' }]);
    expect(sim.mutatingRequests()).toEqual([]);
    expect((await h.audit.query({ phase: 'planned' })).map((r) => `${r.action}:${r.resourceId}`).sort()).toEqual(
      [`renew-instance:${cheap.InstanceId}`, `send-reminder:${cheap.InstanceId}`, `send-reminder:${dear.InstanceId}`, `refuse-renewal:${dear.InstanceId}`, 'send-digest:renewal-digest'].sort(),
    );

    const report = await runAutomation(h.deps(T0, 'run-1'), renewalRemindersSpec, [p]);
    expect(report.errors).toEqual([]);
    // the simulated cloud: the cheap one renewed by a month, the dear one (1474.56 > 400) and the later one untouched
    expect(cvm.instance(cheap.InstanceId)!.expiredMs).toBeGreaterThan(T0.getTime() + 30 * DAY);
    expect(cvm.instance(dear.InstanceId)!.expiredMs).toBe(T0.getTime() + 3 * DAY);
    expect(cvm.instance(later.InstanceId)!.expiredMs).toBe(T0.getTime() + 60 * DAY);
    expect(sim.mutatingRequests().map((r) => r.action)).toEqual(['RenewInstances']);
    const reminders = h.events.events.filter((e) => e.detailType === RENEWAL_REMINDER).map((e) => e.detail as Record<string, unknown>);
    // notices go out side by side (engine E8): the bus promises no order, so none is expected
    const byId = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(reminders.map((r) => [(r.instance as { id: string }).id, r.owner, r.stageDays, (r.quote as { total: string }).total, r.renewPlanned]).sort(byId)).toEqual(
      [
        [cheap.InstanceId, 'amy', 7, '368.64', true],
        [dear.InstanceId, 'bob', 7, '1474.56', false],
      ].sort(byId),
    );
    expect(report.rows.find((r) => r.resource.startsWith(dear.InstanceId) && r.action === 'refuse-renewal')?.reason).toMatch(/1474.56 CNY is over the budget 400/);
    const renewResult = (await h.audit.query({ action: 'renew-instance', phase: 'result' }))[0]!;
    expect(renewResult).toMatchObject({ outcome: 'success', resourceId: cheap.InstanceId, before: { expiresAt: new Date(T0.getTime() + 5 * DAY).toISOString() } });
    expect(renewResult.requestIds.length).toBe(1);
    expect(h.events.events.filter((e) => e.detailType === RENEWAL_DIGEST)).toHaveLength(1);

    const published = h.events.events.length;
    await runAutomation(h.deps(T0, 'run-2'), renewalRemindersSpec, [p]);
    expect(sim.mutatingRequests().map((r) => r.action)).toEqual(['RenewInstances']);
    expect(h.events.events.filter((e) => e.detailType === RENEWAL_REMINDER)).toHaveLength(2);
    expect(h.events.events.length).toBe(published);
  });

  it('turns auto-renew on at the vendor and reports an isolated instance separately', async () => {
    const manual = cvm.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', expiredMs: T0.getTime() + 10 * DAY });
    const isolated = cvm.addInstance({ InstanceChargeType: 'PREPAID', RestrictState: 'PROTECTIVELY_ISOLATED', expiredMs: T0.getTime() + 10 * DAY });
    const h = setup();
    const report = await runAutomation(h.deps(T0, 'run-1'), renewalRemindersSpec, [policy({ autoRenew: true })]);
    expect(report.errors).toEqual([]);
    expect(cvm.instance(manual.InstanceId)!.RenewFlag).toBe('NOTIFY_AND_AUTO_RENEW');
    expect(cvm.instance(isolated.InstanceId)!.RenewFlag).toBe('NOTIFY_AND_MANUAL_RENEW');
    expect(h.events.events.map((e) => e.detailType).sort()).toEqual(['Automation Action', 'Renewal Digest', 'Renewal Lapsed', 'Renewal Reminder']);
    expect((await h.audit.query({ action: 'set-auto-renew', phase: 'result' })).map((r) => [r.resourceId, r.outcome])).toEqual([[manual.InstanceId, 'success']]);
  });

  it('starts no renewal action on an instance the vendor is still operating on (LatestOperationState OPERATING)', async () => {
    const busy = cvm.addInstance({ InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', InstanceType: 'S2.MEDIUM4', expiredMs: T0.getTime() + 5 * DAY, latestOperation: 'StopInstances', latestOperationState: 'OPERATING' });
    const h = setup();
    const report = await runAutomation(h.deps(T0, 'run-1'), renewalRemindersSpec, [policy({ autoRenew: true, renew: { periodMonths: 1, budget: '400' } })]);
    expect(report.errors).toEqual([]);
    expect(sim.mutatingRequests()).toEqual([]);
    expect(report.rows.find((r) => r.resource.startsWith(busy.InstanceId) && r.action === 'busy')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/still running StopInstances.*next run retries/) });
    expect(cvm.instance(busy.InstanceId)!.expiredMs).toBe(T0.getTime() + 5 * DAY);
  });
});

describe('renewal-reminders against the CECSTACK simulator', () => {
  let sim: RunningSim;
  let ecs: CecstackSim;
  beforeEach(async () => {
    ecs = createCecstackSim();
    sim = await startSim({ modules: [ecs], ports: { cecstack: 0 } });
    sim.clock.set(T0);
  });
  afterEach(() => sim.stop());

  it('reminds with the renewal quote (VM and its disks/EIPs) and renews within budget', async () => {
    const region = 'cn-north-1';
    ecs.addVm({
      ecsId: 'ecs-renew0001',
      displayName: 'db-1',
      status: 'Running',
      billingMode: 'ByCycle',
      expiresAt: T0.getTime() + 6 * DAY,
      createdAt: T0.getTime() - 100 * DAY,
      region,
      az: `${region}a`,
      flavorId: 'flavor-1',
      monthlyFen: 10_000,
      departmentId: 'd',
      resourceGroupId: 'g',
      labels: [{ key: 'owner', value: 'amy' }],
      isLock: false,
      bRecycle: false,
      volumes: [],
      eips: [{ eipId: 'eip-1', expiresAt: T0.getTime() + 6 * DAY, monthlyFen: 500 }],
    } as never);
    const h = harness([targetConfig('ce', 'cecstack', [region], sim.endpoints.cecstack)], (target, mode) =>
      createCecstackClient({ target: target.name, endpoint: sim.endpoints.cecstack, credentials: { accessKeyId: 'sim-cecstack-id', secret: 'sim-cecstack-secret', token: 'sim-cecstack-secret' }, transport: transport(mode === 'dry-run'), settings: vendorSettings.cecstack.parse({}) }),
    );
    const report = await runAutomation(h.deps(T0, 'run-1'), renewalRemindersSpec, [policy({ renew: { periodMonths: 1, budget: '105' } })]);
    expect(report.errors).toEqual([]);
    const [reminder] = h.events.events.filter((e) => e.detailType === RENEWAL_REMINDER).map((e) => e.detail as Record<string, unknown>);
    expect(reminder).toMatchObject({ owner: 'amy', stageDays: 7, renewPlanned: true });
    expect((reminder!.quote as { parts: { kind: string }[] }).parts.map((q) => q.kind).sort()).toEqual(['eip', 'instance']);
    expect(ecs.instances()[0]!.expiresAt).toBeGreaterThan(T0.getTime() + 30 * DAY);
  });
});
