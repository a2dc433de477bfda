import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditStore } from '../../lib/audit';
import { DynamoAuditStore } from '../../lib/audit/dynamo-store';
import { FileAuditStore } from '../../lib/audit/file-store';
import { readTrail } from '../../lib/cli/report';
import { automationConfigSchema } from '../../lib/config/schema';
import { lastTimes, longestFirst, messageGroupOf, planWorkItems, scopeKey, WORK_ITEM_TIME, workItemTimeRecord, type DispatchReport, type WorkItem } from '../../lib/fanout';
import { fanoutHandler } from '../../lib/runtime/fanout-handler';
import { startDynalite } from '../audit/dynalite-server';
import { lambdaContext, startSqsServer } from '../support/sqs-server';
import { startFleet, type Fleet } from './fleet';

// Longest processing time first (docs/fanout.md "Longest first"): each invocation leaves its time
// in the trail, and the next dispatch sends the message groups that took longest first.

const NOW = new Date('2026-11-24T02:00:00Z');
const scheduled = (at: Date) => ({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: at.toISOString() });
const item = (target: string, region: string, extra: Partial<WorkItem> = {}): WorkItem => ({ v: 1, function: 'auto-delete', policy: 'p', target, region, now: NOW.toISOString(), origin: 'o1', attempt: 1, ...extra });
const order = (items: WorkItem[]) => items.map((i) => [i.target, i.region, i.project].filter(Boolean).join('/'));

describe('longestFirst', () => {
  const a = item('a', 'r1');
  const b = item('b', 'r1');
  const k0 = item('k', 'r1', { project: '0' });
  const k1 = item('k', 'r1', { project: '1' });
  const c = item('c', 'r1');

  it('sends the groups that took longest first, a group by its items added up, its items in plan order', () => {
    const times = new Map([
      [scopeKey(a), 100],
      [scopeKey(b), 400],
      [scopeKey(k0), 150],
      [scopeKey(k1), 150],
      [scopeKey(c), 200],
    ]);
    expect(order(longestFirst([a, b, k0, k1, c], times))).toEqual(['b/r1', 'k/r1/0', 'k/r1/1', 'c/r1', 'a/r1']);
  });

  it('a group with an untimed item goes first (it may be long); without any time the plan order stands', () => {
    const times = new Map([
      [scopeKey(a), 100],
      [scopeKey(b), 400],
      [scopeKey(k0), 150],
    ]);
    expect(order(longestFirst([a, b, k0, k1, c], times))).toEqual(['k/r1/0', 'k/r1/1', 'c/r1', 'b/r1', 'a/r1']);
    const plan = [a, b, c];
    expect(longestFirst(plan, new Map())).toBe(plan);
  });
});

describe('the times in the trail', () => {
  const config = automationConfigSchema.parse({
    targets: [{ name: 'a', vendor: 'tencent', regions: ['r1'], credentials: { accessKeyIdEnv: 'X', secretEnv: 'Y' } }],
    policies: { autoDelete: [{ name: 'p', source: { tag: 'auto-delete-at' } }] },
  });

  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(() => dynamo.close());
  const stores: [string, () => Promise<AuditStore>][] = [
    ['the file store', async () => new FileAuditStore(join(mkdtempSync(join(tmpdir(), 'ca-times-')), 'audit.jsonl'))],
    // as deployed: no scan allowed, the byResource index serves it
    ['DynamoDB', async () => new DynamoAuditStore({ tableName: await dynamo.createAuditTable(), client: dynamo.client })],
  ];

  it.each(stores)("a scope's time is its newest dispatch, the attempts of that dispatch added up (%s)", async (_name, open) => {
    const store = await open();
    const put = (i: WorkItem, ms: number, at: string) => store.putRecord(workItemTimeRecord(i, ms, config, 'run', new Date(at))!);
    await put(item('a', 'r1', { origin: 'old' }), 900, '2026-11-24T01:00:00Z');
    await put(item('a', 'r1', { origin: 'new' }), 300, '2026-11-24T02:00:00Z');
    await put(item('a', 'r1', { origin: 'new', attempt: 2 }), 50, '2026-11-24T02:05:00Z');
    await put(item('a', 'r2', { origin: 'old' }), 70, '2026-11-24T01:00:00Z');
    expect(await lastTimes(store, 'auto-delete', 10)).toEqual(new Map([
      [scopeKey(item('a', 'r1')), 350],
      [scopeKey(item('a', 'r2')), 70],
    ]));
    // the newest 2 notices: the newest dispatch of a/r1 only
    expect(await lastTimes(store, 'auto-delete', 2)).toEqual(new Map([[scopeKey(item('a', 'r1')), 350]]));
    await store.close?.();
  });

  it('a target no longer configured leaves no notice', () => {
    expect(workItemTimeRecord(item('gone', 'r1'), 5, config, 'run')).toBeUndefined();
  });

  it("the report's last run is the last run that did something, not the last work item time", async () => {
    const store = new FileAuditStore(join(mkdtempSync(join(tmpdir(), 'ca-times-')), 'audit.jsonl'));
    const result = { ...workItemTimeRecord(item('a', 'r1'), 1, config, 'did', new Date('2026-11-24T02:00:00Z'))!, phase: 'result' as const, actionKey: 'k1', region: 'r1', resourceId: 'ins-1', resourceKind: 'instance' as const, action: 'terminate', outcome: 'success' as const };
    await store.putResult(result);
    await store.putRecord(workItemTimeRecord(item('a', 'r1'), 1, config, 'timed', new Date('2026-11-24T03:00:00Z'))!);
    const { lastRuns } = await readTrail(store);
    expect(lastRuns).toEqual([expect.objectContaining({ function: 'auto-delete', runId: 'did', byVendor: { tencent: { success: 1 } } })]);
    await store.close();
  });
});

describe('dispatch and workers over the loopback SQS', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    fleet = await startFleet({ seed: 3, now: NOW, perTarget: 4, sims: { tencent: 1, kec: 1, alibaba: 1, cecstack: 1 } });
  });
  afterAll(async () => {
    delete process.env.FANOUT_QUEUE_URL;
    delete process.env.FANOUT_SQS_ENDPOINT;
    await fleet.stop();
  });

  async function dispatchAndDrain(config: ReturnType<Fleet['config']>, at: Date, drain = true) {
    const sqs = await startSqsServer({ fifo: true });
    try {
      process.env.FANOUT_QUEUE_URL = sqs.queueUrl;
      process.env.FANOUT_SQS_ENDPOINT = sqs.endpoint;
      const handler = fanoutHandler('auto-delete', { config, transport: { retry: { baseDelayMs: 1, maxDelayMs: 5 } } });
      const report = (await handler(scheduled(at), lambdaContext(() => 900_000))) as DispatchReport;
      const queued = sqs.messages().map((m) => JSON.parse(m.body) as WorkItem);
      const stats = drain ? await sqs.drain(handler as never, { maximumConcurrency: 4 }) : undefined;
      return { report, queued, stats };
    } finally {
      await sqs.close();
    }
  }

  it("each invocation leaves its time outside its scope's trail; the next dispatch sends the longest groups first", async () => {
    const config = fleet.config({ autoDelete: [{ name: 'expiry', mode: 'dry-run', source: { tag: 'auto-delete-at' } }] });
    const first = await dispatchAndDrain(config, NOW);
    expect(first.report).toMatchObject({ order: 'plan', timed: 0 });
    const notices = fleet.audit().filter((r) => r.action === WORK_ITEM_TIME);
    expect(notices).toHaveLength(first.stats!.invocations);
    expect(new Set(notices.map((n) => n.details?.scope))).toEqual(new Set(first.queued.map(scopeKey)));
    for (const n of notices) {
      const timed = first.queued.find((i) => scopeKey(i) === n.details?.scope)!;
      expect(n).toMatchObject({ phase: 'notice', target: timed.target, region: `fan-out:${timed.region}`, details: { origin: first.report.runId, attempt: 1 } });
      expect(n.details?.ms).toEqual(expect.any(Number));
    }
    // a scope's runs read their trail by function × target × region: the times are not in it
    const store = new FileAuditStore(fleet.auditPath);
    const [scope] = first.queued;
    expect((await store.query({ function: 'auto-delete', target: scope!.target, region: scope!.region })).some((r) => r.action === WORK_ITEM_TIME)).toBe(false);

    // newer times: the CECSTACK groups longest, then Alibaba, KEC (a group: its three projects added up), Tencent
    const rank: Record<string, number> = { cecstack: 10_000, alibaba: 8000, kec: 2000, tencent: 1000 };
    const planned = planWorkItems(config, 'auto-delete', NOW, 'timed');
    // after every notice the workers wrote (their wall-clock `at`), read from the trail, not the clock
    const later = new Date(Math.max(...notices.map((n) => Date.parse(n.at))) + 60_000);
    for (const [n, i] of planned.entries()) {
      const vendor = config.targets.find((t) => t.name === i.target)!.vendor;
      await store.putRecord(workItemTimeRecord(i, rank[vendor]! + n, config, 'r', later)!);
    }
    await store.close();
    const second = await dispatchAndDrain(config, new Date(NOW.getTime() + 3_600_000), false);
    expect(second.report).toMatchObject({ order: 'longest-first', timed: planned.length });
    const vendorOf = (i: WorkItem) => config.targets.find((t) => t.name === i.target)!.vendor;
    expect([...new Set(second.queued.map(vendorOf))]).toEqual(['cecstack', 'alibaba', 'kec', 'tencent']);
    // within a vendor, the later-planned (larger n, longer) group first; a KEC group's projects in plan order
    const kec = second.queued.filter((i) => vendorOf(i) === 'kec');
    const kecGroups = [...new Set(kec.map(messageGroupOf))];
    expect(kecGroups).toEqual([...new Set(planned.filter((i) => vendorOf(i) === 'kec').map(messageGroupOf))].reverse());
    for (const g of kecGroups) expect(kec.filter((i) => messageGroupOf(i) === g).map((i) => i.project ?? '')).toEqual(planned.filter((i) => messageGroupOf(i) === g).map((i) => i.project ?? ''));
  });

  it('a trail that cannot be read leaves the plan order, and the dispatch still goes out', async () => {
    const blocker = join(fleet.dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const config = fleet.config({ autoDelete: [{ name: 'expiry', mode: 'dry-run', source: { tag: 'auto-delete-at' } }] }, { audit: { store: 'file', path: join(blocker, 'audit.jsonl') } });
    const { report, queued } = await dispatchAndDrain(config, new Date(NOW.getTime() + 7_200_000), false);
    expect(report).toMatchObject({ order: 'plan', timed: 0 });
    expect(order(queued)).toEqual(order(planWorkItems(config, 'auto-delete', NOW, 'x')));
  });
});
