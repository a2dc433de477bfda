import { createAlibabaSim } from '../../../sim/alibaba';
import { startHarness, type Harness } from '../../support/harness';

// Issue 17 item 5: InstanceChargeType/ExpiredTime are sample-only in seed 001 (L1761-1829, not in
// L8946-8987). An instance whose charge type is not reported is `unknown`, shown as such in the plan,
// never silently postpaid (which dropped it from renewal reminders without a word).
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const NOW = new Date('2026-11-24T02:00:00Z');
const DAY = 86_400_000;
let h: Harness;
afterEach(() => h.stop());

it('instances without InstanceChargeType appear in the plan as charge type unknown, with their expiry', async () => {
  const ali = createAlibabaSim(1, { dropChargeEvery: 1 });
  h = await startHarness([ali]);
  h.sim.clock.set(NOW);
  const expiring = ali.addInstance({ name: 'pre', chargeType: 'PrePaid', expiredAt: NOW.getTime() + 5 * DAY });
  ali.addInstance({ name: 'no-expiry', chargeType: 'PostPaid' });
  const report = await h.run('renewal-reminders', h.config({ renewalReminders: [{ name: 'prepaid', leadDays: [30, 7, 1] }] }), { dryRun: true });
  expect(report.errors).toEqual([]);
  expect(report.rows.find((r) => r.resource.startsWith(expiring.id))).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/charge type unknown.*expires 2026-11-29T02:00:00.000Z/) });
  expect(report.rows.find((r) => r.resource === '-' && /neither a charge type nor an expiry/.test(r.reason))?.reason).toMatch(/^1 selected/);
});
