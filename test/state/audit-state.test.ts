import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoAuditStore } from '../../lib/audit/dynamo-store';
import { FileAuditStore } from '../../lib/audit/file-store';
import type { AuditStore } from '../../lib/audit/store';
import { AuditSpotStateStore } from '../../lib/state/audit-state';
import { priceKeyId } from '../../lib/state/price-history';
import type { SpotPricePoint } from '../../lib/vendors/core';
import { startDynalite } from '../audit/dynalite-server';

const point = (at: string, price: string, zone = 'cn-beijing-6a'): SpotPricePoint => ({
  vendor: 'kec',
  target: 'kec|prod', // a '|' inside a part must survive the round trip
  region: 'cn-beijing-6',
  zone,
  instanceType: 'N3.2B',
  at,
  price,
  onDemandPrice: '0.50000',
  currency: 'CNY',
});

function contract(name: string, open: () => Promise<{ store: AuditStore; close(): Promise<void> }>) {
  describe(`spot state in the audit store (${name})`, () => {
    let store: AuditStore;
    let close: () => Promise<void>;
    beforeEach(async () => ({ store, close } = await open()));
    afterEach(() => close());

    it('keeps price history per series across runs, the latest observation of a time winning', async () => {
      const first = new AuditSpotStateStore(store, { runId: 'r1', trigger: 'schedule' });
      await first.append([point('2026-11-24T01:00:00Z', '0.12345'), point('2026-11-24T02:00:00Z', '0.12000'), point('2026-11-24T02:00:00Z', '0.20000', 'other-zone')]);
      const second = new AuditSpotStateStore(store, { runId: 'r2', trigger: 'schedule' });
      await second.append([point('2026-11-24T02:00:00Z', '0.12001'), point('2026-11-24T03:00:00Z', '0.13000')]);
      const series = await second.recent(priceKeyId(point('', '')), '2026-11-24T01:30:00Z');
      expect(series.map((p) => [p.at, p.price])).toEqual([
        ['2026-11-24T02:00:00.000Z', '0.12001'],
        ['2026-11-24T03:00:00.000Z', '0.13000'],
      ]);
      expect(series[0]).toMatchObject({ vendor: 'kec', target: 'kec|prod', zone: 'cn-beijing-6a', onDemandPrice: '0.50000' });
    });

    it('remembers open alert conditions and writes only changes', async () => {
      const state = new AuditSpotStateStore(store, { runId: 'r1', trigger: 'schedule' });
      const group = `spot-watch|${priceKeyId(point('', ''))}`;
      expect(await state.openConditions(group)).toEqual({});
      await state.setOpenConditions(group, { 'above-max': '2026-11-24T02:00:00.000Z' });
      await state.setOpenConditions(group, { 'above-max': '2026-11-24T02:00:00.000Z' });
      expect(await state.openConditions(group)).toEqual({ 'above-max': '2026-11-24T02:00:00.000Z' });
      await state.setOpenConditions(group, {});
      expect(await state.openConditions(group)).toEqual({});
      expect((await store.query({ resourceId: group, action: 'spot-conditions' })).length).toBe(2);
    });
  });
}

contract('file', async () => {
  const store = new FileAuditStore(join(mkdtempSync(join(tmpdir(), 'ca-spot-state-')), 'audit.jsonl'));
  return { store, close: async () => store.close?.() };
});

contract('DynamoDB on dynalite', async () => {
  const db = await startDynalite();
  const store = new DynamoAuditStore({ tableName: await db.createAuditTable(), client: db.client });
  return { store, close: () => db.close() };
});
