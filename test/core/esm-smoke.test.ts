import middy from '@middy/core';
import { parseBeijingWallTime } from '../../lib/vendors/core/time';

// Settles the ESM + jest question once: middy is ESM-only and must load natively here.
describe('ESM toolchain', () => {
  it('runs a middy pipeline from TypeScript under jest', async () => {
    const seen: string[] = [];
    const handler = middy(async (event: { n: number }) => event.n * 2).use({
      before: async () => {
        seen.push('before');
      },
    });
    await expect(handler({ n: 21 }, {} as never)).resolves.toBe(42);
    expect(seen).toEqual(['before']);
    expect(parseBeijingWallTime('2026-12-01 18:00')).toBe('2026-12-01T10:00:00.000Z');
  });
});
