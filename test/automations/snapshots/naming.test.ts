import { isOurs, nameMaxLength, ourNamePattern, prefixProblem, snapshotName } from '../../../lib/automations/snapshots/naming';

describe('snapshot names', () => {
  it('uses the readable form where the vendor allows it, the compact one within 20', () => {
    expect(snapshotName('ca-', 'daily.web', 'd-2ze9h1xk0yz', '202603010200', 64)).toBe('ca-daily-web-202603010200-9h1xk0yz');
    const compact = snapshotName('ca-', 'daily.web', 'ins-abc', '202603010200', 20);
    expect(compact).toMatch(/^ca-[0-9a-z]{6}-2603010200$/);
    expect(compact).toHaveLength(20);
    expect(snapshotName('ca-', 'daily.web', 'ins-abc', '202603010200', 20)).toBe(compact);
    expect(snapshotName('ca-', 'daily.web', 'ins-abd', '202603010200', 20)).not.toBe(compact);
  });

  it('recognises both forms for the same policy and source only', () => {
    const p = ourNamePattern('ca-', 'daily.web', 'ins-abc');
    expect(isOurs({ name: snapshotName('ca-', 'daily.web', 'ins-abc', '202601010000', 20) }, p)).toBe(true);
    expect(isOurs({ name: snapshotName('ca-', 'daily.web', 'ins-abc', '202601010000', 64) }, p)).toBe(true);
    expect(isOurs({ name: snapshotName('ca-', 'weekly', 'ins-abc', '202601010000', 20) }, p)).toBe(false);
    expect(isOurs({ name: snapshotName('ca-', 'daily.web', 'ins-xyz', '202601010000', 20) }, p)).toBe(false);
    expect(isOurs({ name: 'ca-by-hand' }, p)).toBe(false);
  });

  it('refuses prefixes a vendor would reject, and one too long for the limit', () => {
    expect(prefixProblem('ca-')).toBeUndefined();
    expect(prefixProblem('auto-')).toMatch(/auto/);
    expect(prefixProblem('1x')).toMatch(/start with a letter/);
    expect(() => snapshotName('a-very-long-prefix-', 'p', 'i', '202601010000', 20)).toThrow(/namePrefix .* at most 3/);
    expect(nameMaxLength({ snapshotKind: 'disk' })).toBe(20);
  });
});
