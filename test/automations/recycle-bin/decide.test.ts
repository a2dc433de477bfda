import { decideRecycleBin, type RecycleBinRules } from '../../../lib/automations/recycle-bin/decide';

const now = new Date('2026-11-24T04:00:00Z');
const rules: RecycleBinRules = {
  warnBeforeMs: 24 * 3600_000,
  action: 'leave',
  emulated: false,
  canRestore: true,
};
const item = (purgeAt: string) => ({ id: 'i-1', purgeAt, source: 'vendor' as const });
const acts = (purgeAt: string, over: Partial<RecycleBinRules> = {}) =>
  decideRecycleBin(item(purgeAt), { ...rules, ...over }, now).map((d) => d.action);

describe('decideRecycleBin', () => {
  it('warns inside the lead time, and leaves the purge to the vendor', () => {
    expect(acts('2026-11-24T10:00:00Z')).toEqual(['warn', 'none']);
    expect(acts('2026-11-27T10:00:00Z')).toEqual(['none']);
    expect(acts('2026-11-24T03:00:00Z')).toEqual(['none']);
  });
  it('purges our own soft-delete bin when due, since nobody else will', () => {
    expect(acts('2026-11-24T03:00:00Z', { emulated: true })).toEqual(['purge']);
    expect(acts('2026-11-24T10:00:00Z', { emulated: true })).toEqual(['warn', 'none']);
  });
  it('purges now or restores by policy', () => {
    expect(acts('2026-11-30T00:00:00Z', { action: 'purge' })).toEqual(['purge']);
    expect(acts('2026-11-24T10:00:00Z', { action: 'purge' })).toEqual(['warn', 'purge']);
    expect(acts('2026-11-30T00:00:00Z', { action: 'restore' })).toEqual(['restore']);
    expect(acts('2026-11-30T00:00:00Z', { action: 'restore', canRestore: false })).toEqual(['none']);
  });
});

describe('decideRecycleBin when a restore is impossible', () => {
  it('still warns ahead of the purge, and says why nothing is restored', () => {
    expect(acts('2026-11-24T10:00:00Z', { action: 'restore', canRestore: false })).toEqual(['warn', 'none']);
  });
});

describe('decideRecycleBin on an item the vendor is still operating on', () => {
  const busy = (purgeAt: string, over: Partial<RecycleBinRules> = {}) =>
    decideRecycleBin({ ...item(purgeAt), busyWith: 'TerminateInstances' }, { ...rules, ...over }, now);
  it('warns as usual but neither purges nor restores this run, and says why', () => {
    expect(busy('2026-11-24T10:00:00Z', { action: 'purge' }).map((d) => d.action)).toEqual(['warn', 'none']);
    expect(busy('2026-11-24T03:00:00Z', { emulated: true }).map((d) => d.action)).toEqual(['none']);
    expect(busy('2026-11-30T00:00:00Z', { action: 'restore' })).toEqual([
      { action: 'none', reason: expect.stringMatching(/busy: the vendor is still running TerminateInstances.*no restore this run, the next run retries/) },
    ]);
  });
});
