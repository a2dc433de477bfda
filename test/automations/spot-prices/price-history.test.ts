import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonFileSpotStateStore, MemorySpotStateStore, priceKeyId, type PriceKey } from '../../../lib/state/price-history';
import type { SpotPricePoint } from '../../../lib/vendors/core';
import { tempDir } from '../renewal-reminders/harness';

const key: PriceKey = { vendor: 'kec', target: 'kec-prod', region: 'cn-beijing-6', zone: 'cn-beijing-6a', instanceType: 'N3.2B' };
const p = (at: string, price: string, over: Partial<SpotPricePoint> = {}): SpotPricePoint => ({ ...key, at, price, currency: 'CNY', ...over });

describe.each([
  ['memory', () => new MemorySpotStateStore()],
  ['json file', () => new JsonFileSpotStateStore(join(tempDir(), 'state', 'prices.json'))],
])('%s spot state store', (_name, make) => {
  it('keeps series apart, orders by time, replaces a point at the same time and prunes old points', async () => {
    const store = make();
    await store.append([p('2026-03-01T02:00:00Z', '0.10480', { onDemandPrice: '0.52400' }), p('2026-03-01T01:00:00Z', '0.10000'), p('2026-03-01T01:00:00Z', '0.1', { zone: 'cn-beijing-6b' })]);
    await store.append([p('2026-03-01T02:00:00.000Z', '0.10490')]);
    expect((await store.recent(key, '2026-03-01T00:00:00Z')).map((x) => [x.at, x.price, x.onDemandPrice])).toEqual([
      ['2026-03-01T01:00:00.000Z', '0.10000', undefined],
      ['2026-03-01T02:00:00.000Z', '0.10490', undefined],
    ]);
    expect(await store.recent(priceKeyId(key), '2026-03-01T01:30:00Z')).toEqual([p('2026-03-01T02:00:00.000Z', '0.10490')]);
    await store.append([], '2026-03-01T01:30:00Z');
    expect(await store.recent({ ...key, zone: 'cn-beijing-6b' }, '2000-01-01T00:00:00Z')).toEqual([]);
    expect(await store.recent(key, '2000-01-01T00:00:00Z')).toHaveLength(1);
  });

  it('keeps open conditions per group and clears a group with an empty record', async () => {
    const store = make();
    await store.setOpenConditions('g1', { 'max-price': '2026-03-01T00:00:00.000Z' });
    await store.setOpenConditions('g2', { jump: '2026-03-01T01:00:00.000Z' });
    expect(await store.openConditions('g1')).toEqual({ 'max-price': '2026-03-01T00:00:00.000Z' });
    await store.setOpenConditions('g1', {});
    expect(await store.openConditions('g1')).toEqual({});
    expect(await store.openConditions('g2')).toEqual({ jump: '2026-03-01T01:00:00.000Z' });
  });
});

describe('JsonFileSpotStateStore', () => {
  it('persists across instances (runs)', async () => {
    const path = join(tempDir(), 'prices.json');
    await new JsonFileSpotStateStore(path).append([p('2026-03-01T01:00:00Z', '0.1')]);
    await new JsonFileSpotStateStore(path).setOpenConditions('g', { jump: '2026-03-01T01:00:00.000Z' });
    const again = new JsonFileSpotStateStore(path);
    expect(await again.recent(key, '2026-03-01T00:00:00Z')).toHaveLength(1);
    expect(await again.openConditions('g')).toEqual({ jump: '2026-03-01T01:00:00.000Z' });
  });

  it('refuses a corrupt file by path, with the fix', async () => {
    const path = join(tempDir(), 'prices.json');
    writeFileSync(path, '{not json');
    await expect(new JsonFileSpotStateStore(path).recent(key, '2026-01-01T00:00:00Z')).rejects.toThrow(/prices\.json is not valid JSON .*move it aside/);
    writeFileSync(path, '{"version":2}');
    await expect(new JsonFileSpotStateStore(path).openConditions('g')).rejects.toThrow(/not a version 1 state file/);
  });

  it('priceKeyId escapes the separator so different keys never collide', () => {
    expect(priceKeyId({ ...key, zone: 'a|b', instanceType: 'c' })).not.toBe(priceKeyId({ ...key, zone: 'a', instanceType: 'b|c' }));
  });
});
