import type { SQSRecord } from 'aws-lambda';
import type { DispatchReport } from '../../lib/fanout';
import type { FunctionName } from '../../lib/config';
import type { AutomationConfigInput } from '../../lib/config/schema';
import { fanoutHandler } from '../../lib/runtime/fanout-handler';
import { lambdaContext, startSqsServer, type SqsServer } from '../support/sqs-server';
import { startFleet, successfulKeys, type Fleet } from './fleet';

// The local proof of issue 12: dispatcher and workers driven the way Lambda drives them, against
// 20 simulated targets over the four vendors, one worker cut off mid-run and continued; the clouds
// and the audit trail end up as after one uninterrupted in-process run on an identical fleet.

const NOW = new Date('2026-11-24T02:00:00Z');
const SEED = 7;
const PER_TARGET = 12;
const transport = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 5000 };
const scheduled = { source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: NOW.toISOString() };
const safety = { maxDestructivePercent: 100, maxDestructivePerRun: 10_000, timeoutMarginMs: 30_000 };

const policies: Record<'snapshots' | 'auto-delete', AutomationConfigInput['policies']> = {
  snapshots: { snapshots: [{ name: 'nightly', mode: 'enforce', schedule: { at: '10:00' }, retention: { keepLast: 2 } }] },
  'auto-delete': { autoDelete: [{ name: 'expiry', mode: 'enforce', source: { tag: 'auto-delete-at', ttl: '200d' }, warnBefore: '30d' }] },
};

/** Work items whose invocation is cut off: after how many remaining-time reads the clock runs out. */
type Cutoffs = (item: { target: string; attempt: number }) => number | undefined;

async function inProcessRun(fn: FunctionName) {
  const fleet = await startFleet({ seed: SEED, now: NOW, perTarget: PER_TARGET });
  const config = fleet.config(policies[fn as 'snapshots'], { safety });
  delete process.env.FANOUT_QUEUE_URL; // no queue: the scheduled run stays in-process
  const report = await fanoutHandler(fn, { config, transport })(scheduled, lambdaContext(() => 900_000));
  return { fleet, report };
}

async function fannedOutRun(fn: FunctionName, sqs: SqsServer, cutoffs: Cutoffs) {
  const fleet = await startFleet({ seed: SEED, now: NOW, perTarget: PER_TARGET });
  const config = fleet.config(policies[fn as 'snapshots'], { safety });
  process.env.FANOUT_QUEUE_URL = sqs.queueUrl;
  process.env.FANOUT_SQS_ENDPOINT = sqs.endpoint;
  const handler = fanoutHandler(fn, { config, transport });
  const dispatched = (await handler(scheduled, lambdaContext(() => 900_000))) as DispatchReport;
  const cut: { target: string; attempt: number }[] = [];
  const context = (_n: number, record: SQSRecord) => {
    const item = JSON.parse(record.body) as { target: string; attempt: number };
    const limit = cutoffs(item);
    if (limit === undefined) return lambdaContext(() => 900_000);
    let reads = 0;
    return lambdaContext(() => {
      if (++reads <= limit) return 900_000;
      if (reads === limit + 1) cut.push(item);
      return 1_000; // below safety.timeoutMarginMs from now on
    });
  };
  const stats = await sqs.drain(handler as never, { maximumConcurrency: 4, maxReceiveCount: 3, context });
  return { fleet, dispatched, stats, cut };
}

describe('fan-out: dispatch → SQS → workers, continued past a cut-off, equals one in-process run', () => {
  let sqs: SqsServer;
  const fleets: Fleet[] = [];
  beforeAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    process.env.AWS_REGION = 'us-east-1';
  });
  beforeEach(async () => {
    sqs = await startSqsServer({ fifo: true });
  });
  afterEach(async () => {
    await sqs.close();
    while (fleets.length) await fleets.pop()!.stop();
    delete process.env.FANOUT_QUEUE_URL;
    delete process.env.FANOUT_SQS_ENDPOINT;
  });

  it.each(['snapshots', 'auto-delete'] as const)('%s over 20 targets and the four vendors', async (fn) => {
    const single = await inProcessRun(fn);
    fleets.push(single.fleet);
    // cut: one Tencent item before its scope starts, every Alibaba item after two action groups, KEC projects after one
    const cutoffs: Cutoffs = ({ target, attempt }) =>
      attempt > 1 ? undefined : target === 'tencent-0-ap-guangzhou' ? 0 : target.startsWith('alibaba-') ? 3 : target.startsWith('kec-0-') ? 2 : undefined;
    const fanned = await fannedOutRun(fn, sqs, cutoffs);
    fleets.push(fanned.fleet);

    expect(new Set(fanned.fleet.targets.map((t) => t.vendor))).toEqual(new Set(['tencent', 'kec', 'alibaba', 'cecstack']));
    expect(fanned.fleet.targets).toHaveLength(20);
    // 20 targets, the first KEC account split into its 3 projects: 18 + 2×3 work items, 10 per SendMessageBatch
    expect(fanned.dispatched.workItems).toBe(24);
    expect(sqs.calls.filter((c) => c.target === 'SendMessageBatch').map((c) => (c.body.Entries as unknown[]).length)).toEqual([10, 10, 4]);
    // the cut-off workers re-enqueued through SendMessage and were continued; nothing failed
    const continuations = sqs.calls.filter((c) => c.target === 'SendMessage');
    expect(continuations.length).toBe(fanned.cut.length);
    expect(fanned.cut.length).toBeGreaterThanOrEqual(4);
    expect(fanned.cut.some((c) => c.target === 'tencent-0-ap-guangzhou')).toBe(true); // cut before its scope started
    expect(fanned.stats.invocations).toBe(24 + continuations.length);
    expect(sqs.deadLetters()).toEqual([]);
    expect(fanned.stats.peakConcurrency).toBeGreaterThan(1);
    expect(fanned.stats.peakPerGroup).toBe(1); // one worker per account-region at a time

    const singleKeys = successfulKeys(single.fleet.audit());
    expect(singleKeys.length).toBeGreaterThan(20);
    expect(successfulKeys(fanned.fleet.audit())).toEqual(singleKeys);
    // no action key was attempted twice
    const intents = fanned.fleet.audit().filter((r) => r.phase === 'intent').map((r) => r.actionKey);
    expect(new Set(intents).size).toBe(intents.length);
    expect(fanned.fleet.state()).toEqual(single.fleet.state());
  }, 300_000); // a safety net, not a speed goal: two full runs over 20 targets on a loaded 2-core machine
});
