import { matchesSelector } from '../../../lib/automations/engine/select';

const instance = (name: string) => ({ id: 'i-1', name, tags: {}, project: undefined, chargeType: 'postpaid' as const });

describe('matchesSelector name globs', () => {
  it('matches `*` as any run and everything else literally, the same on every call', () => {
    const selector = { names: ['web-*', 'db.(1)'] };
    for (let round = 0; round < 3; round++) {
      expect(matchesSelector(instance('web-01'), selector)).toBe(true);
      expect(matchesSelector(instance('db.(1)'), selector)).toBe(true);
      expect(matchesSelector(instance('dbx(1)'), selector)).toBe(false);
      expect(matchesSelector(instance('api-web-01'), selector)).toBe(false);
    }
  });
});
