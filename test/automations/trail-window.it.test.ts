import { jest } from '@jest/globals';
import { appendFileSync } from 'node:fs';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoAuditStore, toAuditItem } from '../../lib/audit/dynamo-store';
import { FileAuditStore } from '../../lib/audit/file-store';
import type { AuditQuery } from '../../lib/audit/store';
import { makeActionKey, type AuditRecord } from '../../lib/audit/record';
import { TIMER_CARRIED } from '../../lib/automations/auto-delete';
import { BIN_SINCE_CARRIED, FIRST_SEEN_IN_BIN } from '../../lib/automations/recycle-bin';
import { TRAIL_CARRIED, TRAIL_WINDOW_DAYS } from '../../lib/automations/trail-window';
import type { KecSimulator } from '../../sim/kec';
import { TEST_NOW } from '../support/clock';
import { startDynalite } from '../audit/dynalite-server';
import { startHarness, type Harness } from '../support/harness';
import { kecFleet, type VendorFleet } from '../support/vendor-fleet';

// Issue 19: the auto-delete timers a policy set and the recycle-bin history are read from the last
// 35 days of their scope once a run has carried older facts forward, so a run's cost does not grow
// with months of history; the decisions stay those the whole history gives. Counted in the store.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OLD_RECORDS = 3000;
const now = TEST_NOW;
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
/** Records carry wall-clock `at` (any-date runs move the system clock), business times are TEST_NOW's. */
const wallAgo = (ms: number) => new Date(Date.now() - ms).toISOString();

interface QueryCall {
  q: AuditQuery;
  returned: number;
}

describe('trail reads bounded by scope and time (issue 19)', () => {
  let h: Harness;
  let fleet: VendorFleet & { sim: KecSimulator };
  let calls: QueryCall[];

  beforeEach(async () => {
    fleet = kecFleet();
    h = await startHarness([fleet.sim]);
    h.sim.clock.set(now);
    fleet.bind(h.sim.clock);
    calls = [];
    // a counting wrapper around the store the runs open: every query and the records it returned
    for (const Store of [FileAuditStore, DynamoAuditStore]) {
      const query = Store.prototype.query;
      jest.spyOn(Store.prototype, 'query').mockImplementation(async function (this: FileAuditStore | DynamoAuditStore, q: AuditQuery) {
        const out = await query.call(this, q);
        calls.push({ q, returned: out.length });
        return out;
      });
    }
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.stop();
  });

  /** A trail written by an earlier version: lines appended straight to the log (indexed on open). */
  const history = (records: AuditRecord[]) => appendFileSync(h.auditPath, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const record = (fn: 'auto-delete' | 'recycle-bin', policy: string, r: Partial<AuditRecord> & Pick<AuditRecord, 'resourceId' | 'action' | 'phase' | 'at'>): AuditRecord => ({
    schemaVersion: 1,
    actionKey: makeActionKey({ function: fn, policy, target: fleet.target, region: fleet.region, resourceId: r.resourceId, action: r.action, slot: `${r.at}#${Math.random()}` }),
    runId: 'run-old',
    trigger: 'schedule',
    function: fn,
    policy,
    vendor: 'kec',
    target: fleet.target,
    region: fleet.region,
    resourceKind: 'instance',
    mode: 'enforce',
    reason: 'history',
    requestIds: [],
    ...r,
  });
  /** Old records of the same scope that no decision needs (e.g. daily warnings), spread over a year before the window. */
  const filler = (fn: 'auto-delete' | 'recycle-bin', policy: string) =>
    Array.from({ length: OLD_RECORDS }, (_, i) =>
      record(fn, policy, { resourceId: `ins-filler-${i % 50}`, action: 'warn-purge', phase: 'notice', at: wallAgo((40 + (i % 360)) * DAY + i * 1000) }),
    );
  const scopeQueries = () => calls.filter((c) => c.q.target === fleet.target);
  const windowStart = () => Date.now() - TRAIL_WINDOW_DAYS * DAY - HOUR;

  it('auto-delete: a timer set 200 days ago is still ours after the trail is bounded; a later clear still wins; reads stay in the window', async () => {
    const ours = fleet.add({ name: 'svc-ours' }); // timer set long ago, far ahead, still in effect
    const recent = fleet.add({ name: 'svc-recent' }); // set 10 days ago
    const foreign = fleet.add({ name: 'svc-foreign' }); // set by someone else
    const cleared = fleet.add({ name: 'svc-cleared' }); // we set, then cleared, then someone set the same value
    const far = at(100 * DAY);
    for (const [id, value] of [[ours, far], [recent, at(20 * DAY)], [foreign, at(30 * DAY)], [cleared, far]] as const) fleet.sim.instance(id)!.autoDeleteAtMs = Date.parse(value);
    const set = (id: string, value: string, ago: number) =>
      record('auto-delete', 'kec', { resourceId: id, action: 'set-auto-delete-time', phase: 'result', outcome: 'success', expected: { autoDeleteAt: value }, at: wallAgo(ago) });
    history([
      ...filler('auto-delete', 'kec'),
      set(ours, far, 200 * DAY),
      set(recent, at(20 * DAY), 10 * DAY),
      set(cleared, far, 150 * DAY),
      record('auto-delete', 'kec', { resourceId: cleared, action: 'clear-auto-delete-time', phase: 'result', outcome: 'success', at: wallAgo(149 * DAY) }),
    ]);
    // nothing wants a deletion any more: only the timers this policy set (and still hold) are cleared
    const cfg = h.config({ autoDelete: [{ name: 'kec', mode: 'enforce', selector: { names: ['svc-*'] }, source: { list: [] } }] });
    const clears = (report: { rows: { action: string; resource: string }[] }) =>
      report.rows.filter((r) => r.action === 'clear-auto-delete-time').map((r) => r.resource.split(' ')[0]).sort();

    const first = await h.run('auto-delete', cfg, { dryRun: true });
    expect(clears(first)).toEqual([ours, recent].sort());
    // the first run read the whole history (no marker yet), then carried the old timer forward
    expect(scopeQueries().some((c) => c.q.since === undefined && c.returned > OLD_RECORDS)).toBe(true);
    expect(h.audit().filter((r) => r.action === TIMER_CARRIED).map((r) => [r.resourceId, r.expected?.autoDeleteAt])).toEqual([[ours, far]]);
    expect(h.audit().filter((r) => r.action === TRAIL_CARRIED)).toHaveLength(1);

    calls = [];
    const second = await h.run('auto-delete', cfg, { dryRun: true });
    expect(clears(second)).toEqual(clears(first)); // the same decisions...
    const reads = scopeQueries();
    expect(reads.length).toBeGreaterThan(0);
    for (const c of reads) expect(Date.parse(c.q.since!)).toBeGreaterThanOrEqual(windowStart()); // ...from the window only
    expect(reads.reduce((n, c) => n + c.returned, 0)).toBeLessThan(20);

    // a clear written after the carry, for the timer set 200 days ago, still wins (ordered by the set's own time)
    history([record('auto-delete', 'kec', { resourceId: ours, action: 'clear-auto-delete-time', phase: 'result', outcome: 'success', at: wallAgo(0) })]);
    const third = await h.run('auto-delete', cfg, { dryRun: true });
    expect(clears(third)).toEqual([recent]);
  });

  it('recycle-bin: items first seen or deleted months ago keep their purge times once the trail is bounded; reads stay in the window', async () => {
    const seen = fleet.sim.addInstance({ name: 'seen', state: 'recycling' }, now.getTime()).id;
    const deleted = fleet.sim.addInstance({ name: 'deleted', state: 'recycling' }, now.getTime()).id;
    const fresh = fleet.sim.addInstance({ name: 'fresh', state: 'recycling' }, now.getTime()).id;
    history([
      ...filler('recycle-bin', 'bin'),
      record('recycle-bin', 'bin', { resourceId: seen, resourceKind: 'recycle-item', action: FIRST_SEEN_IN_BIN, phase: 'notice', at: wallAgo(60 * DAY), details: { runNow: at(-60 * DAY) } }),
      record('auto-delete', 'ttl', { resourceId: deleted, action: 'delete-instance', phase: 'result', outcome: 'success', at: wallAgo(45 * DAY), details: { runNow: at(-45 * DAY) } }),
    ]);
    // a vendor that keeps items longer than the policy says (KEC documents no retention): left alone, not purged
    const cfg = h.config({ recycleBin: [{ name: 'bin', mode: 'enforce', retentionDays: 90, action: 'leave', warnBefore: '60d' }] });
    const plan = (report: { rows: { resource: string; action: string; reason: string }[] }) =>
      report.rows.map((r) => [r.resource.split(' ')[0], r.action, r.reason]).sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));

    const first = await h.run('recycle-bin', cfg, { dryRun: true });
    const purgeAt = Object.fromEntries(first.rows.filter((r) => r.action === 'warn-purge').map((r) => [r.resource.split(' ')[0], r.reason]));
    expect(purgeAt[seen]).toMatch(new RegExp(`${at(30 * DAY).slice(0, 16)}.*first seen`));
    expect(purgeAt[deleted]).toMatch(new RegExp(`${at(45 * DAY).slice(0, 16)}.*our deletion`));
    expect(scopeQueries().some((c) => c.q.since === undefined && c.returned > OLD_RECORDS)).toBe(true);
    expect(h.audit().filter((r) => r.action === BIN_SINCE_CARRIED).map((r) => [r.resourceId, r.details?.runNow, r.details?.source]).sort()).toEqual(
      [
        [seen, at(-60 * DAY), 'first seen + policy retention'],
        [deleted, at(-45 * DAY), 'our deletion + policy retention'],
      ].sort(),
    );

    calls = [];
    const second = await h.run('recycle-bin', cfg, { dryRun: true });
    expect(plan(second)).toEqual(plan(first)); // the same purge times, sources and actions...
    const reads = scopeQueries();
    expect(reads).toHaveLength(2); // the bin's scope and auto-delete's deletions of the target × region
    for (const c of reads) expect(Date.parse(c.q.since!)).toBeGreaterThanOrEqual(windowStart()); // ...from the window only
    expect(reads.reduce((n, c) => n + c.returned, 0)).toBeLessThan(20);
    expect(h.audit().filter((r) => r.action === FIRST_SEEN_IN_BIN).map((r) => r.resourceId).sort()).toEqual([seen, fresh].sort());
  });

  it('a marker older than the window less the carry age is not trusted: the whole history is read again', async () => {
    history([
      ...filler('recycle-bin', 'bin'),
      record('recycle-bin', 'bin', { resourceId: `${fleet.target}|${fleet.region}`, resourceKind: 'other', action: TRAIL_CARRIED, phase: 'notice', at: wallAgo(22 * DAY) }),
    ]);
    fleet.sim.addInstance({ name: 'x', state: 'recycling' }, now.getTime());
    await h.run('recycle-bin', h.config({ recycleBin: [{ name: 'bin', mode: 'enforce', retentionDays: 7 }] }), { dryRun: true });
    expect(scopeQueries().some((c) => c.q.since === undefined && c.returned > OLD_RECORDS)).toBe(true);
    expect(h.audit().filter((r) => r.action === TRAIL_CARRIED)).toHaveLength(2); // renewed
  });

  it('the same on DynamoDB: the second run queries byScope from the window start only, and sends no Scan', async () => {
    const dynamo = await startDynalite();
    const env = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'fake-id'; // dynalite checks no signature, but the SDK needs credentials
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    try {
      const tableName = await dynamo.createAuditTable();
      const ours = fleet.add({ name: 'svc-ours' });
      const far = at(100 * DAY);
      fleet.sim.instance(ours)!.autoDeleteAtMs = Date.parse(far);
      const old = [
        ...filler('auto-delete', 'kec'),
        record('auto-delete', 'kec', { resourceId: ours, action: 'set-auto-delete-time', phase: 'result', outcome: 'success', expected: { autoDeleteAt: far }, at: wallAgo(200 * DAY) }),
      ];
      for (let i = 0; i < old.length; i += 25) {
        const batch = old.slice(i, i + 25).map((r, j) => ({ PutRequest: { Item: toAuditItem(r, r.phase === 'result' ? 'result' : `notice#${r.at}#${i + j}`) } }));
        await dynamo.client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: batch } }));
      }
      const cfg = h.config(
        { autoDelete: [{ name: 'kec', mode: 'enforce', selector: { names: ['svc-*'] }, source: { list: [] } }] },
        { audit: { store: 'dynamodb', tableName, endpoint: dynamo.endpoint, region: 'us-east-1' } },
      );
      const clears = (report: { rows: { action: string; resource: string }[] }) => report.rows.filter((r) => r.action === 'clear-auto-delete-time').map((r) => r.resource.split(' ')[0]);
      const opsBefore = dynamo.operations.length;
      expect(clears(await h.run('auto-delete', cfg, { dryRun: true }))).toEqual([ours]);
      expect(scopeQueries().some((c) => c.q.since === undefined && c.returned > OLD_RECORDS)).toBe(true);
      calls = [];
      expect(clears(await h.run('auto-delete', cfg, { dryRun: true }))).toEqual([ours]);
      const reads = scopeQueries();
      for (const c of reads) expect(Date.parse(c.q.since!)).toBeGreaterThanOrEqual(windowStart());
      expect(reads.reduce((n, c) => n + c.returned, 0)).toBeLessThan(20);
      expect(dynamo.operations.slice(opsBefore).filter((op) => !['PutItem', 'GetItem', 'Query'].includes(op))).toEqual([]);
    } finally {
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', env.id], ['AWS_SECRET_ACCESS_KEY', env.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await dynamo.close();
    }
  });
});
