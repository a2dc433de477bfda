import fc from 'fast-check';
import { decideReclaim, decideSpotSeries, latestPoint, watchesFor, type SpotInstanceRef, type SpotSeriesInput } from '../../../lib/automations/spot-prices/decide';
import type { SpotPricePoint } from '../../../lib/vendors/core';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const EARLIER = '2026-03-01T06:00:00.000Z';

function point(price: string, at = NOW.toISOString(), onDemandPrice?: string): SpotPricePoint {
  return { vendor: 'kec', target: 'kec-prod', region: 'cn-beijing-6', zone: 'cn-beijing-6a', instanceType: 'N3.2B', at, price, currency: 'CNY', ...(onDemandPrice && { onDemandPrice }) };
}

function input(over: Partial<SpotSeriesInput> & { price?: string; onDemand?: string }): SpotSeriesInput {
  const current = over.current ?? point(over.price ?? '0.10480', NOW.toISOString(), over.onDemand);
  return { current, window: over.window ?? [current], instances: over.instances ?? [], thresholds: over.thresholds ?? {}, open: over.open ?? {}, now: NOW, ...(over.instancesKnown !== undefined && { instancesKnown: over.instancesKnown }) };
}

const spotVm = (id: string, maxPrice?: string): SpotInstanceRef => ({ id, name: id, zone: 'cn-beijing-6a', instanceType: 'N3.2B', ...(maxPrice && { maxPrice }) });

describe('absolute limit (strictly above alerts)', () => {
  it('alerts one hundred-thousandth above the limit, with the affected instances', () => {
    const d = decideSpotSeries(input({ price: '0.10481', thresholds: { maxPrice: '0.10480' }, instances: [spotVm('i-1')] }));
    expect(d.alerts).toHaveLength(1);
    expect(d.alerts[0]).toMatchObject({ condition: 'max-price', kind: 'max-price', isNew: true, since: NOW.toISOString(), price: '0.10481', threshold: '0.10480' });
    expect(d.alerts[0]!.instances.map((i) => i.id)).toEqual(['i-1']);
    expect(d.open).toEqual({ 'max-price': NOW.toISOString() });
  });

  it('does not alert at exactly the limit, even written with different trailing zeros', () => {
    expect(decideSpotSeries(input({ price: '0.10480', thresholds: { maxPrice: '0.1048' } })).alerts).toEqual([]);
    expect(decideSpotSeries(input({ price: '0.1048', thresholds: { maxPrice: '0.10480' } })).alerts).toEqual([]);
  });

  it('agrees with integer arithmetic for any 5-decimal prices (no float error)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (p, m) => {
        const fmt = (n: number) => `${Math.floor(n / 100_000)}.${String(n % 100_000).padStart(5, '0')}`;
        const d = decideSpotSeries(input({ price: fmt(p), thresholds: { maxPrice: fmt(m) } }));
        return d.alerts.length === (p > m ? 1 : 0);
      }),
    );
  });
});

describe('condition lifecycle: once until it clears', () => {
  it('a continuing condition keeps its start time (same slot) and is not new', () => {
    const d = decideSpotSeries(input({ price: '0.2', thresholds: { maxPrice: '0.1' }, open: { 'max-price': EARLIER } }));
    expect(d.alerts[0]).toMatchObject({ isNew: false, since: EARLIER });
    expect(d.open).toEqual({ 'max-price': EARLIER });
    expect(d.cleared).toEqual([]);
  });

  it('a condition that is no longer true clears; when it returns it starts anew', () => {
    const cleared = decideSpotSeries(input({ price: '0.1', thresholds: { maxPrice: '0.1' }, open: { 'max-price': EARLIER } }));
    expect(cleared.cleared).toEqual(['max-price']);
    expect(cleared.open).toEqual({});
    const back = decideSpotSeries(input({ price: '0.10001', thresholds: { maxPrice: '0.1' }, open: cleared.open }));
    expect(back.alerts[0]).toMatchObject({ isNew: true, since: NOW.toISOString() });
  });

  it('a condition whose threshold was removed from the policy clears', () => {
    expect(decideSpotSeries(input({ price: '9', thresholds: {}, open: { jump: EARLIER } })).cleared).toEqual(['jump']);
  });
});

describe('ratio to on-demand (strictly above alerts)', () => {
  it('equal ratio does not alert; one step above does, with the ratio observed', () => {
    expect(decideSpotSeries(input({ price: '0.26200', onDemand: '0.52400', thresholds: { maxRatioToOnDemand: '0.5' } })).alerts).toEqual([]);
    const d = decideSpotSeries(input({ price: '0.26201', onDemand: '0.52400', thresholds: { maxRatioToOnDemand: '0.5' } }));
    expect(d.alerts[0]).toMatchObject({ kind: 'ratio', threshold: '0.5', observed: '0.500019', onDemandPrice: '0.52400' });
  });

  it('without an on-demand price the ratio is not checked and an open ratio condition is kept', () => {
    const d = decideSpotSeries(input({ price: '0.5', thresholds: { maxRatioToOnDemand: '0.1' }, open: { ratio: EARLIER } }));
    expect(d.alerts).toEqual([]);
    expect(d.open).toEqual({ ratio: EARLIER });
    expect(d.notes[0]).toMatch(/no on-demand price/);
  });
});

describe('jump over the recent low (strictly more than X % alerts)', () => {
  const window = [point('0.10000', '2026-03-01T01:00:00.000Z'), point('0.10500', '2026-03-01T05:00:00.000Z')];

  it('exactly X % over the low does not alert', () => {
    expect(decideSpotSeries(input({ price: '0.11000', window, thresholds: { jumpPercent: '10' } })).alerts).toEqual([]);
  });

  it('more than X % over the low alerts, naming the limit and the percentage', () => {
    const d = decideSpotSeries(input({ price: '0.11001', window, thresholds: { jumpPercent: '10' } }));
    expect(d.alerts[0]).toMatchObject({ kind: 'jump', threshold: '0.11', observed: '10.01' });
  });

  it('a falling price is never a jump; the current price counts towards the low', () => {
    expect(decideSpotSeries(input({ price: '0.05', window, thresholds: { jumpPercent: '0' } })).alerts).toEqual([]);
  });

  it('a jump from a zero low alerts', () => {
    const d = decideSpotSeries(input({ price: '0.00001', window: [point('0')], thresholds: { jumpPercent: '50' } }));
    expect(d.alerts).toHaveLength(1);
  });
});

describe('bid margin (within Y %, equal alerts)', () => {
  const t = { bidMarginPercent: '5' };

  it('a bid exactly Y % above the price alerts; one step more does not', () => {
    const d = decideSpotSeries(input({ price: '0.10000', thresholds: t, instances: [spotVm('i-edge', '0.10500'), spotVm('i-safe', '0.10501')] }));
    expect(d.alerts.map((a) => a.condition)).toEqual(['bid-margin:i-edge']);
    expect(d.alerts[0]).toMatchObject({ kind: 'bid-margin', threshold: '0.10500', observed: '5' });
    expect(d.alerts[0]!.instances.map((i) => i.id)).toEqual(['i-edge']);
  });

  it('a bid already below the price alerts; an instance without a bid (follows the market) does not', () => {
    const d = decideSpotSeries(input({ price: '0.2', thresholds: t, instances: [spotVm('i-low', '0.1'), spotVm('i-market')] }));
    expect(d.alerts.map((a) => a.condition)).toEqual(['bid-margin:i-low']);
  });

  it('the bid condition of an instance no longer running clears, unless the listing failed', () => {
    const open = { 'bid-margin:i-gone': EARLIER };
    expect(decideSpotSeries(input({ price: '0.2', thresholds: t, open })).cleared).toEqual(['bid-margin:i-gone']);
    expect(decideSpotSeries(input({ price: '0.2', thresholds: t, open, instancesKnown: false })).open).toEqual(open);
  });
});

describe('watchesFor', () => {
  const running = [spotVm('a'), spotVm('b'), { id: 'c', name: 'c', zone: 'cn-beijing-6b', instanceType: 'N3.4B' }, { id: 'd', name: 'd' }];

  it("'running' gives the distinct pairs of the running spot instances (instances without zone or type skipped)", () => {
    expect(watchesFor('running', 't', 'cn-beijing-6', running)).toEqual([
      { zone: 'cn-beijing-6a', instanceType: 'N3.2B' },
      { zone: 'cn-beijing-6b', instanceType: 'N3.4B' },
    ]);
  });

  it('explicit watches keep those for this target and region; a watch without region goes by its zone prefix', () => {
    const watches = [
      { zone: 'cn-beijing-6a', instanceType: 'N3.2B' },
      { zone: 'cn-shanghai-2a', instanceType: 'N3.2B' },
      { target: 'other', zone: 'cn-beijing-6a', instanceType: 'X' },
      { target: 't', region: 'cn-beijing-6', zone: 'cn-beijing-6b', instanceType: 'Y' },
      { region: 'cn-shanghai-2', zone: 'cn-beijing-6a', instanceType: 'Z' },
      { zone: 'cn-beijing-6a', instanceType: 'N3.2B' },
    ];
    expect(watchesFor(watches, 't', 'cn-beijing-6', [])).toEqual([
      { zone: 'cn-beijing-6a', instanceType: 'N3.2B' },
      { zone: 'cn-beijing-6b', instanceType: 'Y' },
    ]);
  });
});

describe('decideReclaim and latestPoint', () => {
  it('alerts once per reclaim time; nothing without one', () => {
    expect(decideReclaim(spotVm('a'), NOW).alert).toBe(false);
    const d = decideReclaim({ ...spotVm('a'), reclaimAt: '2026-03-01T12:05:00.000Z' }, NOW);
    expect(d).toMatchObject({ alert: true, slot: 'reclaim:2026-03-01T12:05:00.000Z' });
    expect(d.reason).toMatch(/will be reclaimed/);
  });

  it('latestPoint picks the newest by time, not by order', () => {
    expect(latestPoint([point('1', '2026-03-01T02:00:00Z'), point('2', '2026-03-01T03:00:00Z'), point('3', '2026-03-01T01:00:00Z')])?.price).toBe('2');
    expect(latestPoint([])).toBeUndefined();
  });
});
