import { RENEWAL_DIGEST, RENEWAL_LAPSED, RENEWAL_REMINDER, renewalDigestDetailSchema, renewalEventSchemas, renewalRemindersSpec } from '../../../lib/automations/renewal-reminders';
import { runAutomation } from '../../../lib/automations/engine/run';
import { renewalPolicySchema, type RenewalPolicy } from '../../../lib/config/schema';
import { ALL_NATIVE, FakeClient, harness, targetConfig } from './harness';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T00:00:00.000Z');
const inDays = (d: number) => new Date(NOW.getTime() + d * DAY).toISOString();

function policy(over: Record<string, unknown> = {}): RenewalPolicy {
  return renewalPolicySchema.parse({ name: 'renewals', mode: 'enforce', ...over });
}

function setup(capabilities = ALL_NATIVE) {
  const client = new FakeClient('tc', capabilities);
  const h = harness([targetConfig('tc', 'tencent', ['r1'])], (_t, mode) => {
    client.readOnly = mode === 'dry-run';
    return client.asClient();
  });
  return { client, h };
}

const published = (h: ReturnType<typeof setup>['h'], type: string) => h.events.events.filter((e) => e.detailType === type).map((e) => e.detail as Record<string, unknown>);

describe('renewal-reminders planning through the engine (in-memory client)', () => {
  it('sends one reminder per stage and expiry, with owner, quote and days left, and a digest per owner; a retry sends nothing again', async () => {
    const { client, h } = setup();
    client.add({ id: 'a', expiresAt: inDays(5), renewFlag: 'manual', tags: { owner: 'amy' } });
    client.add({ id: 'b', expiresAt: inDays(20), renewFlag: 'auto', tags: { owner: 'bob' } });
    client.add({ id: 'c', expiresAt: inDays(45), tags: { owner: 'amy' } }); // no stage yet
    client.add({ id: 'd', chargeType: 'postpaid' });
    client.quotes.set('a', [
      { resourceId: 'a', kind: 'instance', amount: '120.10480', originalAmount: '150', currency: 'CNY', periodMonths: 1 },
      { resourceId: 'disk-a', kind: 'disk', amount: '0.00001', currency: 'CNY', periodMonths: 1, expiresAt: inDays(5) },
    ]);

    const report = await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy()]);
    expect(report.errors).toEqual([]);
    const reminders = published(h, RENEWAL_REMINDER);
    expect(reminders.map((r) => (r.instance as { id: string }).id).sort()).toEqual(['a', 'b']);
    const a = reminders.find((r) => (r.instance as { id: string }).id === 'a')!;
    expect(a).toMatchObject({ owner: 'amy', daysLeft: 5, stageDays: 7, renewFlag: 'manual', autoRenew: { enabled: false, planned: false }, renewPlanned: false });
    expect(a.quote).toMatchObject({ total: '120.10481', currency: 'CNY', parts: [{ resourceId: 'a' }, { resourceId: 'disk-a', kind: 'disk' }] });
    for (const r of reminders) expect(() => renewalEventSchemas[RENEWAL_REMINDER].parse(stripEngineFields(r))).not.toThrow();
    const [digest] = published(h, RENEWAL_DIGEST);
    const parsed = renewalDigestDetailSchema.parse(stripEngineFields(digest!));
    expect(parsed.owners.map((o) => [o.owner, o.entries.map((e) => e.instanceId)])).toEqual([
      ['amy', ['a']],
      ['bob', ['b']],
    ]);
    expect(client.mutations).toEqual([]);

    const retry = await runAutomation(h.deps(NOW, 'run-2'), renewalRemindersSpec, [policy()]);
    expect(h.events.events).toHaveLength(3);
    expect(retry.rows.filter((r) => r.status === 'skipped')).toHaveLength(3);
  });

  it('a later stage, and a moved expiry, each send again', async () => {
    const { client, h } = setup();
    client.add({ id: 'a', expiresAt: inDays(8) });
    await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy()]);
    await runAutomation(h.deps(new Date(NOW.getTime() + 2 * DAY), 'run-2'), renewalRemindersSpec, [policy()]);
    client.instances.get('a')!.expiresAt = inDays(9); // renewed by hand a little: same stage, new expiry
    await runAutomation(h.deps(new Date(NOW.getTime() + 2 * DAY), 'run-3'), renewalRemindersSpec, [policy()]);
    expect(published(h, RENEWAL_REMINDER).map((r) => `${r.stageDays}@${r.expiresAt}`)).toEqual([`30@${inDays(8)}`, `7@${inDays(8)}`, `7@${inDays(9)}`]);
  });

  it('a failed quote still sends the reminder, without a quote, saying so', async () => {
    const { client, h } = setup();
    client.add({ id: 'a', expiresAt: inDays(1) });
    client.quotes.set('a', new Error('InternalError: quote service down'));
    await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy({ renew: { periodMonths: 1, budget: '100' } })]);
    const [r] = published(h, RENEWAL_REMINDER);
    expect(r).toMatchObject({ quote: null, quoteError: expect.stringMatching(/quote service down/), renewPlanned: false, message: expect.stringMatching(/without a quote/) });
    expect(client.mutations).toEqual([]);
  });

  it('renews within budget (equal counts), not over it (an audited refusal notice instead), and audits intent and result', async () => {
    const { client, h } = setup();
    client.add({ id: 'in', expiresAt: inDays(3) });
    client.add({ id: 'over', expiresAt: inDays(3) });
    client.quotes.set('in', [{ resourceId: 'in', kind: 'instance', amount: '99.99999', currency: 'CNY', periodMonths: 1 }, { resourceId: 'eip', kind: 'eip', amount: '0.00001', currency: 'CNY', periodMonths: 1 }]);
    client.quotes.set('over', [{ resourceId: 'over', kind: 'instance', amount: '100.00001', currency: 'CNY', periodMonths: 1 }]);
    const report = await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy({ renew: { periodMonths: 1, budget: '100' } })]);
    expect(client.mutations).toEqual(['renew1:in']);
    expect(client.instances.get('in')!.expiresAt).toBe('2026-04-04T00:00:00.000Z');
    expect(report.rows.find((r) => r.resource === 'over' && r.action === 'refuse-renewal')).toMatchObject({ status: 'applied', reason: expect.stringMatching(/over the budget 100/) });
    const records = await h.audit.query({ action: 'renew-instance' });
    expect(records.map((r) => [r.phase, r.outcome ?? null])).toEqual([
      ['intent', null],
      ['result', 'success'],
    ]);
    expect(published(h, RENEWAL_REMINDER).find((r) => (r.instance as { id: string }).id === 'in')).toMatchObject({ renewPlanned: true });

    // a retried invocation for the same expiry does not renew twice (the instance read back shows the old expiry)
    client.instances.get('in')!.expiresAt = inDays(3);
    await runAutomation(h.deps(NOW, 'run-2'), renewalRemindersSpec, [policy({ renew: { periodMonths: 1, budget: '100' } })]);
    expect(client.mutations).toEqual(['renew1:in']);
  });

  it('several policies of one scope list once and quote an instance once; one that would renew what an earlier one renews leaves it', async () => {
    const { client, h } = setup();
    client.add({ id: 'in', expiresAt: inDays(3), tags: { team: 'web' } });
    client.quotes.set('in', [{ resourceId: 'in', kind: 'instance', amount: '50', currency: 'CNY', periodMonths: 1 }]);
    let listings = 0;
    const list = client.listInstances.bind(client);
    client.listInstances = (...a) => (listings++, list(...a));
    const team = policy({ name: 'team', selector: { tags: { team: 'web' } }, renew: { periodMonths: 1, budget: '100' } });
    const all = policy({ name: 'all', leadDays: [14, 3], selector: { tags: { team: 'web' } }, renew: { periodMonths: 1, budget: '100' } });
    const report = await runAutomation(h.deps(NOW, 'run-both'), renewalRemindersSpec, [team, all]);
    expect(report.errors).toEqual([]);
    expect([listings, client.quoteCalls]).toEqual([1, 1]);
    // bought once: the second policy's renewal waits for its next run, which sees the new expiry
    expect(client.mutations).toEqual(['renew1:in']);
    expect(report.rows.find((r) => r.policy === 'all' && r.action === 'busy')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/policy team renews it/) });
    // each policy reminds at its own stage
    expect(published(h, RENEWAL_REMINDER).map((r) => [r.policy, r.stageDays])).toEqual([
      ['team', 7],
      ['all', 3],
    ]);
  });

  it('turns auto-renew on in one batch; dry run plans it and calls nothing', async () => {
    const { client, h } = setup();
    client.add({ id: 'a', expiresAt: inDays(90), renewFlag: 'manual' });
    client.add({ id: 'b', expiresAt: inDays(3), renewFlag: 'never' });
    client.add({ id: 'c', expiresAt: inDays(3), renewFlag: 'auto' });
    await runAutomation(h.deps(NOW, 'run-dry'), renewalRemindersSpec, [policy({ autoRenew: true, mode: 'dry-run' })]);
    expect(client.mutations).toEqual([]);
    expect(h.events.events).toEqual([]);
    const planned = await h.audit.query({ phase: 'planned', action: 'set-auto-renew' });
    expect(planned.map((r) => r.resourceId).sort()).toEqual(['a', 'b']);

    await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy({ autoRenew: true })]);
    expect(client.mutations).toEqual(['setAutoRenew:a,b']);
    expect([...client.instances.values()].map((i) => i.renewFlag)).toEqual(['auto', 'auto', 'auto']);
    expect(published(h, RENEWAL_REMINDER).find((r) => (r.instance as { id: string }).id === 'b')).toMatchObject({ autoRenew: { enabled: false, planned: true } });
  });

  it('reports expired and isolated instances separately, once, and never renews them', async () => {
    const { client, h } = setup();
    client.add({ id: 'gone', expiresAt: inDays(-2), restricted: 'expired', rawState: 'SHUTDOWN/expired', tags: { owner: 'amy' } });
    client.add({ id: 'iso', expiresAt: inDays(4), restricted: 'isolated' });
    const p = policy({ autoRenew: true });
    const report = await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [p]);
    await runAutomation(h.deps(NOW, 'run-2'), renewalRemindersSpec, [p]);
    // published side by side (engine E8): compared in id order
    expect(published(h, RENEWAL_LAPSED).map((d) => [(d.instance as { id: string }).id, d.state, d.owner]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['gone', 'expired', 'amy'],
      ['iso', 'isolated', null],
    ]);
    expect(published(h, RENEWAL_REMINDER)).toEqual([]);
    expect(report.rows.filter((r) => r.action === 'report-lapsed' && r.status === 'info')).toHaveLength(2);
    expect(client.mutations).toEqual([]);
  });

  it('honours exemptions and the selector', async () => {
    const { client, h } = setup();
    client.add({ id: 'keep', expiresAt: inDays(1), tags: { 'automation-exempt': 'true', env: 'prod' } });
    client.add({ id: 'dev', expiresAt: inDays(1), tags: { env: 'dev' } });
    client.add({ id: 'prod', expiresAt: inDays(1), tags: { env: 'prod' } });
    const report = await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy({ selector: { tags: { env: 'prod' } }, autoRenew: true })]);
    expect(published(h, RENEWAL_REMINDER).map((r) => (r.instance as { id: string }).id)).toEqual(['prod']);
    expect(report.rows.find((r) => r.resource === 'keep')).toMatchObject({ status: 'exempt' });
    expect(client.mutations).toEqual(['setAutoRenew:prod']);
  });

  it('a failed listing is reported and what was read is still reminded', async () => {
    const { client, h } = setup();
    for (const id of ['a', 'b', 'c']) client.add({ id, expiresAt: inDays(2) });
    client.failListing = true;
    const report = await runAutomation(h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy()]);
    expect(report.errors[0]).toMatch(/listing prepaid instances: listing page 2 failed/);
    expect(published(h, RENEWAL_REMINDER)).toHaveLength(2);
  });

  it('a vendor without renewal support is skipped and said once; one without renewal actions reminds only', async () => {
    const kec = setup({ ...ALL_NATIVE, renewal: 'unsupported', renewalActions: 'unsupported' });
    kec.client.add({ id: 'a', expiresAt: inDays(1) });
    const skipped = await runAutomation(kec.h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy()]);
    expect(skipped.rows).toEqual([expect.objectContaining({ status: 'info', reason: 'tencent does not support renewal: skipped' })]);

    const readOnly = setup({ ...ALL_NATIVE, renewal: 'emulated', renewalActions: 'unsupported' });
    readOnly.client.add({ id: 'a', expiresAt: inDays(1), renewFlag: 'manual' });
    const report = await runAutomation(readOnly.h.deps(NOW, 'run-1'), renewalRemindersSpec, [policy({ autoRenew: true, renew: { periodMonths: 1, budget: '1000' } })]);
    expect(readOnly.client.mutations).toEqual([]);
    expect(report.rows.some((r) => r.status === 'skipped' && /reminders only/.test(r.reason))).toBe(true);
    expect(published(readOnly.h, RENEWAL_REMINDER)[0]).toMatchObject({ quote: null, quoteError: 'no quote: the vendor offers none' });
    expect(readOnly.client.quoteCalls).toBe(0);
  });
});

/** The engine adds these to every notice's detail. */
function stripEngineFields(detail: Record<string, unknown>): Record<string, unknown> {
  const { actionKey: _k, runId: _r, ...rest } = detail;
  return rest;
}
