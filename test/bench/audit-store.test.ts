import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoAuditStore } from '../../lib/audit/dynamo-store';
import { HISTORY_TARGETS, HISTORY_NOW, historyRecord, RECENT } from '../../bench/lib/audit-history';
import { runFunctions, storeRun, tally } from '../../bench/lib/audit-runs';
import { seededDynalite } from '../../bench/lib/dynalite-history';

// Issue 19: the audit bench's runs over DynamoDB (dynalite, seeded with bench history the way the
// 1M table is) — counted at the server, no request is a Scan, and nothing but GetItem, Query and
// PutItem is sent. No timing is asserted.
const DAY = 86_400_000;

describe('audit bench over DynamoDB', () => {
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('a store-level run and a scheduled run of every function send no Scan', async () => {
    const seeded = await seededDynalite(RECENT + 1500, cache);
    try {
      const { dynamo, tableName } = seeded;
      const store = new DynamoAuditStore({ tableName, client: dynamo.client });
      const before = dynamo.served.length;
      const { scopeRecords } = await storeRun(store);
      const run = tally(dynamo.served.slice(before, -1)); // the last is the scope query, apart from the run
      expect(run.requests).toEqual({ Query: 121, GetItem: 120, PutItem: 40 });
      expect(scopeRecords).toBeGreaterThan(40); // the scope's recent history and the run's 40 appends

      const fromFunctions = dynamo.served.length;
      const runs = await runFunctions(dynamo.endpoint, tableName, dynamo.served);
      // each function twice: the first run over the history, then the next day's
      expect(runs.map((r) => `${r.fn} ${r.run}`)).toEqual(
        ['auto-delete', 'snapshots', 'renewal-reminders', 'recycle-bin', 'spot-prices'].flatMap((fn) => [
          `${fn} first`,
          `${fn} next`,
        ]),
      );
      for (const r of runs) expect([r.fn, r.errors]).toEqual([r.fn, []]);
      // the runs read their scopes' history: the open-intents ledger and the scope index
      expect(runs.find((r) => r.fn === 'snapshots')!.reads['Query byLedger']!.items).toBeGreaterThan(0);
      const ops = dynamo.served.slice(fromFunctions).map((s) => s.operation);
      expect(ops.filter((op) => !['GetItem', 'Query', 'PutItem'].includes(op))).toEqual([]);
      expect(runs.reduce((n, r) => n + (r.requests.Scan ?? 0), 0)).toBe(0);
    } finally {
      await seeded.close();
    }
  }, 120_000);

  it('a bigger history is the same recent part with more past: nothing newer than 36 days in the run scopes', () => {
    for (let i = 0; i < RECENT; i += 7) expect(historyRecord(i, 1_000_000)).toEqual(historyRecord(i, 1000));
    const runRegions = new Set(HISTORY_TARGETS.map((t) => `${t.target}|${t.regions[0]}`));
    for (let i = RECENT; i < 1_000_000; i += 997) {
      const r = historyRecord(i, 1_000_000);
      if (runRegions.has(`${r.target}|${r.region}`))
        expect(Date.parse(r.at)).toBeLessThan(HISTORY_NOW - 35 * DAY);
    }
  });
});
