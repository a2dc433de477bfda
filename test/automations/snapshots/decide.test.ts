import fc from 'fast-check';
import { decide, type RetentionItem, type RetentionVerdict } from '../../../lib/automations/snapshots/decide';
import type { RetentionRules } from '../../../lib/automations/snapshots/policy';

const ZONE = 'Asia/Shanghai';
const NOW = new Date('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const item = (id: string, createdAt: string, extra: Partial<RetentionItem> = {}): RetentionItem => ({ id, createdAt, state: 'ready', ours: true, ...extra });
const rules = (r: Partial<RetentionRules>): RetentionRules => ({ minKeep: 1, ...r });
const verdictOf = (vs: RetentionVerdict[], id: string) => vs.find((v) => v.id === id)!;

describe('decide (examples)', () => {
  it('keeps the last N and prunes the rest, saying which rule kept each', () => {
    const vs = decide([item('a', '2026-03-01T00:00:00Z'), item('b', '2026-02-28T00:00:00Z'), item('c', '2026-02-27T00:00:00Z')], rules({ keepLast: 2 }), NOW, ZONE);
    expect(vs.map((v) => [v.id, v.verdict])).toEqual([['a', 'keep'], ['b', 'keep'], ['c', 'delete']]);
    expect(verdictOf(vs, 'a').rules).toEqual(['keepLast', 'newest']);
    expect(verdictOf(vs, 'b').reason).toBe('kept by keepLast (#2)');
    expect(verdictOf(vs, 'c').reason).toMatch(/kept by no rule \(keepLast 2/);
  });

  it('keeps the newest per local day: 23:00Z and 17:00Z the same UTC day are different Shanghai days', () => {
    const vs = decide(
      [item('late', '2026-02-27T23:00:00Z'), item('early', '2026-02-27T17:00:00Z'), item('earlier', '2026-02-27T15:00:00Z')],
      rules({ keepDaily: 3 }),
      NOW,
      ZONE,
    );
    // late = 28 Feb 07:00 local, early = 28 Feb 01:00 local, earlier = 27 Feb 23:00 local
    expect(vs.map((v) => v.verdict)).toEqual(['keep', 'delete', 'keep']);
    expect(verdictOf(vs, 'earlier').reason).toBe('kept by keepDaily (2026-02-27)');
  });

  it('drops beyond maxAge even when a keep rule holds it, but never below the floor', () => {
    const old = [item('o1', '2025-01-01T00:00:00Z'), item('o2', '2024-12-01T00:00:00Z'), item('o3', '2024-11-01T00:00:00Z')];
    const vs = decide(old, rules({ keepMonthly: 12, maxAge: '30d', minKeep: 2 }), NOW, ZONE);
    expect(vs.map((v) => [v.id, v.verdict, v.rules])).toEqual([
      ['o1', 'keep', ['newest']],
      ['o2', 'keep', ['minKeep']],
      ['o3', 'delete', []],
    ]);
    expect(verdictOf(vs, 'o3').reason).toMatch(/older than maxAge 30d/);
  });

  it('never deletes in-use, creating or unknown ones, ignores foreign and deleting ones, prunes failed ones', () => {
    const vs = decide(
      [
        item('new', '2026-03-01T00:00:00Z', { state: 'creating' }),
        item('r1', '2026-02-28T00:00:00Z'),
        item('used', '2025-01-01T00:00:00Z', { inUse: true }),
        item('odd', '2025-01-01T00:00:00Z', { state: 'unknown' }),
        item('bad', '2026-02-27T00:00:00Z', { state: 'failed' }),
        item('theirs', '2020-01-01T00:00:00Z', { ours: false }),
        item('going', '2020-01-01T00:00:00Z', { state: 'deleting' }),
      ],
      rules({ keepLast: 1, maxAge: '7d' }),
      NOW,
      ZONE,
    );
    expect(Object.fromEntries(vs.map((v) => [v.id, v.verdict]))).toEqual({ new: 'keep', r1: 'keep', used: 'keep', odd: 'keep', bad: 'delete', theirs: 'ignore', going: 'ignore' });
    expect(verdictOf(vs, 'new').reason).toMatch(/still creating/);
    expect(verdictOf(vs, 'used').rules).toEqual(['inUse']);
  });

  it('with no keep rule keeps every ready snapshot within maxAge', () => {
    const vs = decide([item('a', '2026-02-28T00:00:00Z'), item('b', '2026-02-01T00:00:00Z')], rules({ maxAge: '7d' }), NOW, ZONE);
    expect(vs.map((v) => v.verdict)).toEqual(['keep', 'delete']);
  });
});

// ---------------------------------------------------------------- properties

/** Reference period keys, written independently: Shanghai is UTC+8 all year. */
function refKey(t: number, period: 'day' | 'week' | 'month' | 'year'): string {
  const d = new Date(t + 8 * HOUR);
  if (period === 'day') return d.toISOString().slice(0, 10);
  if (period === 'month') return d.toISOString().slice(0, 7);
  if (period === 'year') return d.toISOString().slice(0, 4);
  const date = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  date.setUTCDate(date.getUTCDate() + 4 - (date.getUTCDay() || 7));
  const week = Math.ceil(((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY + 1) / 7);
  return `${date.getUTCFullYear()}-W${week}`;
}

const STATES = ['ready', 'ready', 'ready', 'ready', 'ready', 'creating', 'failed', 'deleting', 'unknown'] as const;
const historyArb = fc
  .uniqueArray(
    fc.record({
      id: fc.string({ minLength: 1, maxLength: 6 }),
      // whole hours from 2024-01-01, with duplicates likely (ties are ordered by id)
      at: fc.integer({ min: 0, max: 19_000 }).map((h) => Date.UTC(2024, 0, 1) + h * HOUR),
      state: fc.constantFrom(...STATES),
      inUse: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      ours: fc.integer({ min: 0, max: 9 }).map((n) => n > 1),
    }),
    { selector: (r) => r.id, maxLength: 40 },
  )
  .map((rs) => rs.map((r): RetentionItem => ({ id: r.id, createdAt: new Date(r.at).toISOString(), state: r.state, inUse: r.inUse, ours: r.ours })));
const count = fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined });
const rulesArb = fc.record({
  keepLast: count,
  keepDaily: count,
  keepWeekly: count,
  keepMonthly: count,
  keepYearly: count,
  maxAge: fc.option(fc.constantFrom('1d', '7d', '30d', '400d'), { nil: undefined }),
  minKeep: fc.integer({ min: 1, max: 5 }),
});

const byNewest = (a: RetentionItem, b: RetentionItem) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const AGE_MS: Record<string, number> = { '1d': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '400d': 400 * DAY };

describe('decide (properties)', () => {
  it('the kept set satisfies every rule, the floor and the protections', () => {
    fc.assert(
      fc.property(historyArb, rulesArb, (history, r) => {
        const vs = decide(history, r, NOW, ZONE);
        const v = new Map(vs.map((x) => [x.id, x]));
        expect(vs).toHaveLength(history.length);
        const ready = history.filter((s) => s.ours && s.state === 'ready').sort(byNewest);
        const cutoff = r.maxAge ? NOW.getTime() - AGE_MS[r.maxAge]! : -Infinity;
        const young = (s: RetentionItem) => Date.parse(s.createdAt) >= cutoff;
        const kept = (s: RetentionItem) => v.get(s.id)!.verdict === 'keep';

        // every rule: what it selects (by a separate reckoning) is kept unless beyond maxAge
        const selected = new Set<string>();
        ready.slice(0, r.keepLast ?? 0).forEach((s) => selected.add(s.id));
        for (const [n, period] of [[r.keepDaily, 'day'], [r.keepWeekly, 'week'], [r.keepMonthly, 'month'], [r.keepYearly, 'year']] as const) {
          const seen = new Set<string>();
          for (const s of ready) {
            const k = refKey(Date.parse(s.createdAt), period);
            if (seen.size < (n ?? 0) && !seen.has(k)) {
              seen.add(k);
              selected.add(s.id);
            }
          }
        }
        const anyRule = [r.keepLast, r.keepDaily, r.keepWeekly, r.keepMonthly, r.keepYearly].some((n) => n !== undefined);
        for (const s of ready) {
          if (young(s) && (selected.has(s.id) || !anyRule)) expect(kept(s)).toBe(true);
        }
        // the floor, and the newest ready one
        expect(ready.filter(kept).length).toBeGreaterThanOrEqual(Math.min(r.minKeep, ready.length));
        if (ready[0]) expect(kept(ready[0])).toBe(true);
        for (const s of history) {
          const verdict = v.get(s.id)!;
          if (!s.ours) expect(verdict.verdict).toBe('ignore');
          if (s.inUse || s.state === 'creating' || s.state === 'unknown') expect(verdict.verdict).not.toBe('delete');
          if (verdict.verdict === 'keep') expect(verdict.rules.length).toBeGreaterThan(0);
          // every deletion has a cause: failed, too old, or no rule wants it
          if (verdict.verdict === 'delete') {
            expect(s.ours && !s.inUse).toBe(true);
            expect(s.state === 'failed' || !young(s) || (anyRule && !selected.has(s.id))).toBe(true);
          }
        }
        // the floor adds no more than it must: beyond the rules, only the newest and up to minKeep
        const extra = ready.filter((s) => kept(s) && !(young(s) && (selected.has(s.id) || !anyRule)) && !s.inUse);
        expect(extra.length).toBeLessThanOrEqual(Math.max(1, r.minKeep));
      }),
      { numRuns: 300 },
    );
  });

  it('is the same whatever order the snapshots are listed in', () => {
    fc.assert(
      fc.property(historyArb, rulesArb, fc.integer(), (history, r, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(history, { minLength: history.length, maxLength: history.length }), { seed, numRuns: 1 })[0]!;
        const key = (vs: RetentionVerdict[]) => Object.fromEntries(vs.map((x) => [x.id, [x.verdict, x.rules.join()]]));
        expect(key(decide(shuffled, r, NOW, ZONE))).toEqual(key(decide(history, r, NOW, ZONE)));
        expect(decide(shuffled, r, NOW, ZONE).map((x) => x.id)).toEqual(decide([...history].reverse(), r, NOW, ZONE).map((x) => x.id));
      }),
      { numRuns: 200 },
    );
  });
});
