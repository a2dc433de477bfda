import type { SQSEvent } from 'aws-lambda';
import { automationConfigSchema } from '../../lib/config/schema';
import { continuationOf, deduplicationIdOf, parseWorkItem, planWorkItems, processWorkItem, restrictConfig, WorkQueue, type WorkItem } from '../../lib/fanout';
import type { RunReport } from '../../lib/automations';
import { fanoutHandler } from '../../lib/runtime/fanout-handler';
import { lambdaContext, startSqsServer } from '../support/sqs-server';

const creds = { accessKeyIdEnv: 'X_ID', secretEnv: 'X_SECRET' };
const config = automationConfigSchema.parse({
  targets: [
    { name: 'tc', vendor: 'tencent', regions: ['ap-guangzhou', 'ap-shanghai'], credentials: creds },
    { name: 'ks', vendor: 'kec', regions: ['cn-beijing-6'], credentials: creds, settings: { projects: ['0', '101'] } },
  ],
  policies: { snapshots: [{ name: 'a', schedule: { at: '02:00' } }, { name: 'b', targets: ['tc'], regions: ['ap-shanghai'], schedule: { at: '03:00' } }] },
});
const NOW = new Date('2026-11-24T02:00:00Z');
const item = (extra: Partial<WorkItem> = {}): WorkItem => ({ v: 1, function: 'snapshots', policy: 'a', target: 'tc', region: 'ap-shanghai', now: NOW.toISOString(), origin: 'r1', attempt: 1, ...extra });

describe('work items', () => {
  it('plans one item per policy × target × region, and per project on a KEC target listing projects', () => {
    const items = planWorkItems(config, 'snapshots', NOW, 'r1');
    expect(items.map((i) => [i.policy, i.target, i.region, i.project ?? '-'].join(' '))).toEqual([
      'a tc ap-guangzhou -',
      'a tc ap-shanghai -',
      'a ks cn-beijing-6 0',
      'a ks cn-beijing-6 101',
      'b tc ap-shanghai -',
    ]);
    expect(items.every((i) => i.now === NOW.toISOString() && i.attempt === 1)).toBe(true);
  });

  it('restricts the config to the one target, region, project and policy, leaving the original alone', () => {
    const r = restrictConfig(config, 'snapshots', item({ target: 'ks', region: 'cn-beijing-6', project: '101' }));
    expect(r.targets).toHaveLength(1);
    expect(r.targets[0]).toMatchObject({ name: 'ks', regions: ['cn-beijing-6'], settings: { projects: ['101'] } });
    expect(r.policies.snapshots.map((p) => p.name)).toEqual(['a']);
    expect(config.targets).toHaveLength(2);
    expect(() => restrictConfig(config, 'snapshots', item({ region: 'eu-x' }))).toThrow(/region "eu-x" is not among target tc's regions/);
    expect(() => restrictConfig(config, 'snapshots', item({ policy: 'zz' }))).toThrow(/policy "zz" is not in policies.snapshots/);
    expect(() => restrictConfig(config, 'snapshots', item({ project: '7' }))).toThrow(/only KEC/);
  });

  it('rejects a malformed message naming the field', () => {
    expect(() => parseWorkItem('nope')).toThrow(/not JSON/);
    expect(() => parseWorkItem(JSON.stringify({ ...item(), attempt: 0 }))).toThrow(/attempt/);
  });

  it('a continuation is the next attempt, with a new deduplication id and the resources done', () => {
    const report = { rows: [{ resource: 'i-1', status: 'applied' }, { resource: 'i-2', status: 'deferred' }] } as RunReport;
    const next = continuationOf(item(), report);
    expect(next).toMatchObject({ attempt: 2, cursor: { doneCount: 1, done: ['i-1'], deferred: ['i-2'] } });
    expect(deduplicationIdOf(next)).not.toBe(deduplicationIdOf(item()));
  });

  it('fails a stopped item past maxAttempts and an item whose run reported errors', async () => {
    const ok = { rows: [], errors: [] } as unknown as RunReport;
    const requeued: WorkItem[] = [];
    const requeue = async (next: WorkItem) => void requeued.push(next);
    await expect(processWorkItem(item({ attempt: 3 }), { run: async () => ({ report: ok, stopped: true }), requeue, maxAttempts: 3 })).rejects.toThrow(/after 3 invocations/);
    await expect(processWorkItem(item(), { run: async () => ({ report: { ...ok, errors: ['read failed'] }, stopped: false }), requeue })).rejects.toThrow(/read failed/);
    expect(requeued).toEqual([]);
  });
});

describe('work queue and worker over the loopback SQS', () => {
  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  });

  it('sends 10 per SendMessageBatch, re-sends the entries the queue failed, groups by account-region', async () => {
    const sqs = await startSqsServer({ fifo: true });
    try {
      sqs.failEntries((b) => b.includes('"region":"r3"'), 1);
      const queue = new WorkQueue({ queueUrl: sqs.queueUrl, endpoint: sqs.endpoint, region: 'us-east-1' });
      const items = Array.from({ length: 12 }, (_, n) => item({ region: `r${n}` }));
      const { calls } = await queue.sendAll(items);
      expect(calls).toBe(3); // 10 + 2, then the failed one again
      expect(sqs.messages().map((m) => m.groupId).sort()).toEqual(items.map((i) => `tc|${i.region}`).sort());
      await queue.sendAll([items[0]!]); // same dedup id: dropped
      expect(sqs.messages()).toHaveLength(12);
    } finally {
      await sqs.close();
    }
  });

  it('reports a bad record in batchItemFailures; a manual payload without a queue stays in-process', async () => {
    const handler = fanoutHandler('snapshots', { config });
    const event = { Records: [{ messageId: 'm1', body: '{"v":2}', eventSource: 'aws:sqs' }] } as unknown as SQSEvent;
    expect(await handler(event, lambdaContext(() => 900_000))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    delete process.env.FANOUT_QUEUE_URL;
    await expect(handler({ targets: ['nope'] }, lambdaContext(() => 900_000))).rejects.toThrow(/unknown target "nope"/);
  });
});
