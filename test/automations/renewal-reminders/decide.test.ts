import fc from 'fast-check';
import { checkRenewBudget, decideRenewal, groupByOwner, normaliseLeadDays, quoteSummary, stageFor, type RenewalRules } from '../../../lib/automations/renewal-reminders/decide';
import type { Instance, PriceQuote } from '../../../lib/vendors/core';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T00:00:00.000Z');
const rules: RenewalRules = { leadDays: [30, 7, 1], autoRenew: false };

function vm(over: Partial<Instance> = {}): Pick<Instance, 'id' | 'chargeType' | 'expiresAt' | 'restricted' | 'renewFlag'> {
  return { id: 'ins-1', chargeType: 'prepaid', renewFlag: 'manual', ...over };
}
const expiringIn = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('stages', () => {
  it.each([
    [31 * DAY, undefined],
    [30 * DAY + 1, undefined],
    [30 * DAY, 30],
    [8 * DAY, 30],
    [7 * DAY + 1, 30],
    [7 * DAY, 7],
    [2 * DAY, 7],
    [DAY, 1],
    [60_000, 1],
  ])('%d ms left → stage %s (the tightest lead reached; exactly L days left is in stage L)', (ms, stage) => {
    expect(stageFor(ms, [30, 7, 1])).toBe(stage);
  });

  it('lead days are sorted and de-duplicated; 0 is dropped; a negative or fractional lead is refused by name', () => {
    expect(normaliseLeadDays([7, 30, 7, 0, 1])).toEqual([1, 7, 30]);
    expect(() => normaliseLeadDays([-1])).toThrow(/leadDays/);
    expect(() => normaliseLeadDays([1.5])).toThrow(/leadDays/);
  });

  it('the slot ties a stage to the expiry, so a renewal that moves the expiry starts the stages over', () => {
    const a = decideRenewal(vm({ expiresAt: expiringIn(5 * DAY) }), rules, NOW);
    const b = decideRenewal(vm({ expiresAt: expiringIn(5 * DAY + 30 * DAY + DAY) }), rules, NOW);
    const c = decideRenewal(vm({ expiresAt: expiringIn(6 * DAY) }), rules, NOW);
    expect(a).toMatchObject({ kind: 'track', stage: 7, daysLeft: 5, reminderSlot: `${expiringIn(5 * DAY)}:7d` });
    expect(b).toMatchObject({ kind: 'track' });
    expect(b).not.toHaveProperty('stage');
    expect(c.kind === 'track' && c.reminderSlot).not.toBe(a.kind === 'track' && a.reminderSlot);
  });

  it('property: as time passes towards one expiry the stage never loosens and each stage keeps one slot', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 61 * DAY }), { minLength: 2, maxLength: 20 }),
        (leadDays, lefts) => {
          const expiresAt = '2026-06-01T00:00:00.000Z';
          const sorted = [...lefts].sort((a, b) => b - a); // later runs have less time left
          const slots = new Map<number, string>();
          let previous = Infinity;
          for (const msLeft of sorted) {
            const d = decideRenewal(vm({ expiresAt }), { leadDays, autoRenew: false }, new Date(Date.parse(expiresAt) - msLeft));
            if (d.kind !== 'track') return false;
            const expected = [...leadDays].sort((a, b) => a - b).find((l) => msLeft <= l * DAY);
            if (d.stage !== expected) return false;
            if (d.stage !== undefined) {
              if (d.stage > previous) return false;
              previous = d.stage;
              if ((slots.get(d.stage) ?? d.reminderSlot) !== d.reminderSlot) return false;
              slots.set(d.stage, d.reminderSlot!);
            }
          }
          return true;
        },
      ),
    );
  });
});

describe('decideRenewal', () => {
  it('ignores what is not prepaid or has no expiry', () => {
    expect(decideRenewal(vm({ chargeType: 'postpaid', expiresAt: expiringIn(DAY) }), rules, NOW).kind).toBe('ignore');
    expect(decideRenewal(vm(), rules, NOW)).toMatchObject({ kind: 'ignore', reason: expect.stringMatching(/no expiry/) });
  });

  it('reports expired and isolated instances as lapsed, once per expiry', () => {
    expect(decideRenewal(vm({ expiresAt: expiringIn(0) }), rules, NOW)).toMatchObject({ kind: 'lapsed', state: 'expired', slot: `${NOW.toISOString()}:expired` });
    const iso = decideRenewal(vm({ expiresAt: expiringIn(3 * DAY), restricted: 'isolated' }), rules, NOW);
    expect(iso).toMatchObject({ kind: 'lapsed', state: 'isolated', slot: `${expiringIn(3 * DAY)}:isolated` });
    expect(decideRenewal(vm({ restricted: 'expired' }), rules, NOW)).toMatchObject({ kind: 'lapsed', slot: 'no-expiry:expired' });
  });

  it('plans auto-renew for every tracked instance that lacks it, inside a stage or not', () => {
    const auto = { ...rules, autoRenew: true };
    const far = decideRenewal(vm({ expiresAt: expiringIn(90 * DAY) }), auto, NOW);
    expect(far).toMatchObject({ setAutoRenew: true });
    expect(far).not.toHaveProperty('stage');
    expect(decideRenewal(vm({ expiresAt: expiringIn(90 * DAY), renewFlag: undefined }), auto, NOW)).toMatchObject({ setAutoRenew: true });
    expect(decideRenewal(vm({ expiresAt: expiringIn(DAY), renewFlag: 'auto' }), auto, NOW)).toMatchObject({ setAutoRenew: false });
    expect(decideRenewal(vm({ expiresAt: expiringIn(DAY) }), rules, NOW)).toMatchObject({ setAutoRenew: false });
  });

  it('is a renewal candidate only in a stage, with renew configured, and when nothing else renews it', () => {
    const renew = { ...rules, renew: { periodMonths: 1, budget: '100', currency: 'CNY' } };
    expect(decideRenewal(vm({ expiresAt: expiringIn(3 * DAY) }), renew, NOW)).toMatchObject({ renewCandidate: true });
    expect(decideRenewal(vm({ expiresAt: expiringIn(40 * DAY) }), renew, NOW)).toMatchObject({ renewCandidate: false });
    expect(decideRenewal(vm({ expiresAt: expiringIn(3 * DAY), renewFlag: 'auto' }), renew, NOW)).toMatchObject({ renewCandidate: false });
    expect(decideRenewal(vm({ expiresAt: expiringIn(3 * DAY) }), { ...renew, autoRenew: true }, NOW)).toMatchObject({ renewCandidate: false, setAutoRenew: true });
  });
});

describe('checkRenewBudget (decimal, equal is within)', () => {
  const q = (amount: string, over: Partial<PriceQuote> = {}): PriceQuote => ({ resourceId: 'ins-1', kind: 'instance', amount, currency: 'CNY', periodMonths: 1, ...over });
  const budget = { budget: '100.00000', currency: 'CNY', periodMonths: 1 };

  it('a quote equal to the budget renews; one hundred-thousandth over does not', () => {
    expect(checkRenewBudget([q('100')], budget)).toMatchObject({ renew: true, total: '100' });
    expect(checkRenewBudget([q('100.00001')], budget)).toMatchObject({ renew: false, total: '100.00001', reason: expect.stringMatching(/over the budget/) });
  });

  it('sums the instance and its disks and EIPs exactly (0.1 + 0.2 is 0.3)', () => {
    const v = checkRenewBudget([q('0.1'), q('0.2', { resourceId: 'disk-1', kind: 'disk' })], { ...budget, budget: '0.3' });
    expect(v).toMatchObject({ renew: true, total: '0.3' });
  });

  it('refuses another currency, another period, or no quote', () => {
    expect(checkRenewBudget([q('1', { currency: 'USD' })], budget)).toMatchObject({ renew: false, reason: expect.stringMatching(/USD/) });
    expect(checkRenewBudget([q('1', { periodMonths: 12 })], budget)).toMatchObject({ renew: false, reason: expect.stringMatching(/12 month/) });
    expect(checkRenewBudget([], budget)).toMatchObject({ renew: false });
  });
});

describe('digest helpers', () => {
  it('groups per owner, owners sorted, instances by expiry, no owner last', () => {
    const groups = groupByOwner([
      { owner: 'zoe', instanceId: 'b', name: 'b', expiresAt: '2026-03-05T00:00:00.000Z' },
      { instanceId: 'x', name: 'x' },
      { owner: 'amy', instanceId: 'c', name: 'c', expiresAt: '2026-03-09T00:00:00.000Z' },
      { owner: 'zoe', instanceId: 'a', name: 'a', expiresAt: '2026-03-02T00:00:00.000Z' },
    ]);
    expect(groups.map((g) => [g.owner, g.entries.map((e) => e.instanceId)])).toEqual([
      ['amy', ['c']],
      ['zoe', ['a', 'b']],
      [null, ['x']],
    ]);
  });

  it('quoteSummary totals parts exactly and leaves the total out for mixed currencies', () => {
    const parts: PriceQuote[] = [
      { resourceId: 'i', kind: 'instance', amount: '0.10480', originalAmount: '0.52400', currency: 'CNY', periodMonths: 1 },
      { resourceId: 'd', kind: 'disk', amount: '0.00001', originalAmount: '0.1', currency: 'CNY', periodMonths: 1, expiresAt: '2026-03-09T00:00:00.000Z' },
    ];
    expect(quoteSummary(parts)).toMatchObject({ total: '0.10481', originalTotal: '0.624', currency: 'CNY' });
    expect(quoteSummary([parts[0]!, { ...parts[1]!, currency: 'USD' }])).not.toHaveProperty('total');
    expect(quoteSummary([])).toBeUndefined();
  });
});
