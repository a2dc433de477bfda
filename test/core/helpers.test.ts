import fc from 'fast-check';
import {
  batchWithBisect,
  collect,
  eachId,
  mapBounded,
  MUTATION_CONCURRENCY,
  compareMoney,
  divMoney,
  formatBeijingWallTime,
  numberedPages,
  offsetPages,
  PAGES_AHEAD,
  paginate,
  parseBeijingWallTime,
  parseDuration,
  parseEpochMillis,
  parseEpochSeconds,
  parseIsoWithZone,
  parseMoney,
  parseOptionalRfc3339,
  parseUtcMinutes,
  PagingError,
  VendorError,
} from '../../lib/vendors/core';

describe('time parsing, each format with its zone explicit', () => {
  it('reads ISO with offsets and refuses zoneless values', () => {
    expect(parseIsoWithZone('2026-12-01T18:00:00+08:00')).toBe('2026-12-01T10:00:00.000Z');
    expect(parseIsoWithZone('2018-01-08T09:21:00Z')).toBe('2018-01-08T09:21:00.000Z');
    expect(parseIsoWithZone('2026-12-01T18:00+0800')).toBe('2026-12-01T10:00:00.000Z');
    expect(() => parseIsoWithZone('2026-12-01T18:00:00')).toThrow(/with zone/);
    expect(() => parseIsoWithZone('2026-02-30T18:00:00Z')).toThrow();
  });
  it('reads and writes Beijing wall time (UTC+08:00, no DST)', () => {
    expect(parseBeijingWallTime('2026-01-01 07:30')).toBe('2025-12-31T23:30:00.000Z');
    expect(parseBeijingWallTime('2026-07-01 12:00:05')).toBe('2026-07-01T04:00:05.000Z');
    expect(formatBeijingWallTime('2025-12-31T23:30:00.000Z')).toBe('2026-01-01 07:30');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800 }), (s) => {
        const iso = new Date(s * 1000).toISOString();
        expect(parseBeijingWallTime(formatBeijingWallTime(iso, true))).toBe(iso);
      }),
    );
  });
  it('reads epoch seconds and milliseconds, UTC minutes, and the CECSTACK zero time', () => {
    expect(parseEpochSeconds(1700000000)).toBe('2023-11-14T22:13:20.000Z');
    expect(parseEpochMillis('1700000000000')).toBe('2023-11-14T22:13:20.000Z');
    expect(parseUtcMinutes('2017-12-10T04:04Z')).toBe('2017-12-10T04:04:00.000Z');
    expect(parseOptionalRfc3339('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(parseOptionalRfc3339('2023-05-06T10:00:00+08:00')).toBe('2023-05-06T02:00:00.000Z');
    expect(parseDuration('72h')).toBe(72 * 3600_000);
    expect(() => parseDuration('3 days')).toThrow(/duration/);
  });
});

describe('money is decimal', () => {
  it('keeps five decimals exact and compares at the edge', () => {
    expect(parseMoney(0.12345)).toBe('0.12345');
    expect(parseMoney('0.10000')).toBe('0.1');
    expect(compareMoney('0.30000', parseMoney('0.3'))).toBe(0);
    expect(compareMoney('0.00001', '0')).toBe(1);
    expect(divMoney('0.3', '1.2')).toBe('0.25');
    expect(() => parseMoney('12,5')).toThrow(/decimal/);
  });
});

describe('paging', () => {
  it('walks offset pages until the total and never caps silently', async () => {
    const items = Array.from({ length: 250 }, (_, i) => i);
    const calls: number[] = [];
    const pages = offsetPages(async (offset, limit) => {
      calls.push(offset);
      return { items: items.slice(offset, offset + limit), total: items.length };
    }, 100);
    expect(await collect(pages)).toEqual(items);
    expect(calls).toEqual([0, 100, 200]);
    await expect(collect(paginate(async (c?: number) => ({ items: [c], next: (c ?? 0) + 1 }), { maxPages: 5 }))).rejects.toBeInstanceOf(
      PagingError,
    );
    await expect(collect(paginate(async () => ({ items: [1], next: 'same' })))).rejects.toThrow(/twice/);
  });
});

describe('offset paging ahead of the consumer', () => {
  const items = Array.from({ length: 450 }, (_, i) => i);

  it('asks for the next pages while the current one is consumed, PAGES_AHEAD ahead, in order', async () => {
    const many = Array.from({ length: 950 }, (_, i) => i);
    let inFlight = 0;
    let most = 0;
    const calls: number[] = [];
    const pages = offsetPages(async (offset, limit) => {
      calls.push(offset);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return { items: many.slice(offset, offset + limit), total: many.length };
    }, 100);
    expect(await collect(pages)).toEqual(many);
    expect(calls).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]); // each page once: nothing asked past the total
    expect(most).toBe(PAGES_AHEAD + 1);
  });

  it('after a short page drops the pages fetched ahead and goes on from where it ended', async () => {
    const calls: number[] = [];
    const pages = offsetPages(async (offset, limit) => {
      calls.push(offset);
      const n = offset === 100 ? 60 : limit; // the vendor answers one page short
      return { items: items.slice(offset, offset + n), total: items.length };
    }, 100);
    expect(await collect(pages)).toEqual(items); // every item once, in order
    expect(calls.slice(0, 3)).toEqual([0, 100, 200]);
    expect(calls).toContain(160);
  });

  it('a page fetched ahead that fails after the consumer stopped is no unhandled rejection', async () => {
    const pages = offsetPages(async (offset, limit) => {
      if (offset > 0) throw new Error('boom');
      return { items: items.slice(0, limit), total: items.length };
    }, 100);
    for await (const page of pages) {
      expect(page).toHaveLength(100);
      break;
    }
    await new Promise((r) => setImmediate(r));
  });
});

describe('numbered paging ahead of the consumer', () => {
  const ids = Array.from({ length: 450 }, (_, i) => `i-${i}`);
  const page = (n: number) => ({ items: ids.slice((n - 1) * 100, n * 100), total: ids.length });

  it('asks for the next pages while the consumer works on the current one, each page once, none past the total', async () => {
    const many = Array.from({ length: 950 }, (_, i) => `i-${i}`);
    const calls: number[] = [];
    const askedWhenHandedOver: number[] = [];
    const pages = numberedPages(async (n) => {
      calls.push(n);
      await new Promise((r) => setImmediate(r));
      return { items: many.slice((n - 1) * 100, n * 100), total: many.length };
    }, (id) => id);
    const seen: string[] = [];
    for await (const items of pages) {
      askedWhenHandedOver.push(calls.length);
      await new Promise((r) => setImmediate(r)); // the consumer's own work (Apsara: the page's tag reads)
      seen.push(...items);
    }
    expect(seen).toEqual(many);
    expect(calls).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // pages n + 1 … n + PAGES_AHEAD are on their way when page n is handed over; none past the 10th
    expect(askedWhenHandedOver).toEqual([5, 6, 7, 8, 9, 10, 10, 10, 10, 10]);
    expect(PAGES_AHEAD).toBe(4);
  });

  it('reads ahead at the page size the server holds, not the one asked for', async () => {
    const calls: number[] = [];
    const pages = numberedPages(async (n) => {
      calls.push(n);
      return { items: ids.slice((n - 1) * 90, n * 90), total: ids.length }; // asked 100, the server holds 90
    }, (id) => id);
    expect(await collect(pages)).toEqual(ids);
    expect(calls).toEqual([1, 2, 3, 4, 5]); // ⌈450 / 90⌉: no page past the end
  });

  it('a page fetched ahead that fails after the consumer stopped is no unhandled rejection', async () => {
    const pages = numberedPages(async (n) => {
      if (n > 1) throw new Error('boom');
      return page(1);
    }, (id) => id);
    for await (const items of pages) {
      expect(items).toHaveLength(100);
      break;
    }
    await new Promise((r) => setImmediate(r));
  });
});

describe('batching with bisect', () => {
  it('isolates the failing id and lets the others through', async () => {
    const calls: string[][] = [];
    const ids = Array.from({ length: 10 }, (_, i) => `i-${i}`);
    const out = await batchWithBisect(ids, 4, async (group) => {
      calls.push(group);
      if (group.includes('i-5')) {
        throw new VendorError({ vendor: 'kec', action: 'Terminate', code: 'InvalidInstance', message: 'bad i-5' });
      }
      return { requestId: `r-${calls.length}` };
    });
    expect(out.filter((o) => o.ok).map((o) => o.id).sort()).toEqual(ids.filter((i) => i !== 'i-5').sort());
    expect(out.find((o) => o.id === 'i-5')).toMatchObject({ ok: false, error: { code: 'InvalidInstance' } });
    expect(calls.every((g) => g.length <= 4)).toBe(true);
  });
  it('keeps up to MUTATION_CONCURRENCY one-id calls in flight, and answers in the ids\' order', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `i-${i}`);
    const waiting: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    const out = eachId(ids, (id) => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise((resolve) => waiting.push(() => (inFlight--, resolve({ requestId: `r-${id}` }))));
    });
    await new Promise((r) => setImmediate(r));
    expect(waiting).toHaveLength(MUTATION_CONCURRENCY); // sequential calls would have started one
    while (waiting.length) {
      waiting.pop()!(); // the last started answers first
      await new Promise((r) => setImmediate(r));
    }
    expect((await out).map((o) => o.id)).toEqual(ids);
    expect(most).toBe(MUTATION_CONCURRENCY);
  });
  it('keeps the outcomes of calls done before an authentication failure, and starts nothing after it', async () => {
    const started: string[] = [];
    const out = await eachId(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], async (id) => {
      started.push(id);
      if (id === 'c') throw new VendorError({ vendor: 'alibaba', action: 'StopInstance', code: 'Forbidden.RAM', message: 'no', auth: true });
      await new Promise((r) => setImmediate(r));
      return { requestId: `r-${id}` };
    });
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']); // the lanes' first calls; none started after the failure
    expect(out.filter((o) => o.ok).map((o) => o.id)).toEqual(['a', 'b', 'd', 'e']);
    expect(out.filter((o) => !o.ok)).toEqual(
      ['c', 'f', 'g', 'h'].map((id) => ({ id, ok: false, error: { code: 'Forbidden.RAM', message: expect.stringMatching(/^not done: /), retryable: false } })),
    );
  });
  it('maps with a bound, in order', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
  it('does not bisect an authentication failure', async () => {
    await expect(
      batchWithBisect(['a', 'b'], 2, async () => {
        throw new VendorError({ vendor: 'kec', action: 'X', code: 'AuthFailure', message: 'no', auth: true });
      }),
    ).rejects.toMatchObject({ auth: true });
  });
});
