import { jest } from '@jest/globals';
import { RUN_METRICS, publishRunMetrics, runMetricValues } from '../../lib/runtime/metrics';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { startHarness, type Harness } from '../support/harness';

/** EMF documents (Powertools Metrics' stdout lines), captured while `run` runs. */
async function emfDuring(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (chunks.push(String(chunk)), true));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((d) => '_aws' in d);
}

// The deployed handler, as Lambda runs it (AWS_LAMBDA_FUNCTION_NAME set), against the simulated cloud.
describe('run metrics (Powertools Metrics, EMF) from the deployed handler', () => {
  let h: Harness;
  let cvm: TencentSim;
  const saved = { ...process.env };

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(new Date('2026-11-24T02:00:00Z'));
    cvm.bindClock(h.sim.clock);
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'cloud-fleet-automation-test-auto-delete';
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'CloudFleetAutomation/test';
    process.env.POWERTOOLS_SERVICE_NAME = 'cloud-fleet-automation';
  });
  afterAll(async () => {
    for (const k of ['AWS_LAMBDA_FUNCTION_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME']) if (saved[k] === undefined) delete process.env[k];
    await h.stop();
  });

  it('counts read failures (a rejected key) and refused destructive actions, per function', async () => {
    for (const name of ['a', 'b', 'c']) cvm.addInstance({ InstanceName: name, tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' } });
    cvm.addInstance({ InstanceName: 'keep' });
    const base = h.config({ autoDelete: [{ name: 'ad', mode: 'enforce' }] }, { safety: { maxDestructivePercent: 50 } });
    process.env.IT_BROKEN_SECRET = 'expired-key-secret';
    const broken = { ...base.targets[0]!, name: 'tencent-expired', credentials: { accessKeyIdEnv: 'IT_TENCENT_ID', secretEnv: 'IT_BROKEN_SECRET' } };
    const config = { ...base, targets: [...base.targets, broken] };

    let report: Awaited<ReturnType<Harness['invoke']>> | undefined;
    const docs = await emfDuring(async () => (report = await h.invoke('auto-delete', 'auto-delete.schedule.json', config)));
    expect(report!.rows.filter((r) => r.status === 'refused')).toHaveLength(3); // 3 of 4 > 50 %
    expect(h.sim.mutatingRequests()).toEqual([]);

    expect(docs).toHaveLength(1);
    const emf = docs[0]! as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } } & Record<string, unknown>;
    const [directive] = emf._aws.CloudWatchMetrics;
    expect(directive!.Namespace).toBe('CloudFleetAutomation/test');
    expect(directive!.Dimensions[0]!.sort()).toEqual(['function', 'service']);
    expect(directive!.Metrics.map((m) => [m.Name, m.Unit]).sort()).toEqual([
      [RUN_METRICS.failedActions, 'Count'],
      [RUN_METRICS.readFailures, 'Count'],
      [RUN_METRICS.refusedActions, 'Count'],
    ]);
    expect(emf).toMatchObject({ function: 'auto-delete', service: 'cloud-fleet-automation', ReadFailures: 1, RefusedActions: 3, FailedActions: 0 });
  });
});

describe('runMetricValues / publishRunMetrics', () => {
  const row = (status: string) => ({ status }) as never;

  it('counts failed actions; the timeout-stop note is not a read failure', () => {
    expect(runMetricValues({ rows: [row('failed'), row('failed'), row('applied')], errors: ['stopped near the invocation timeout'], continuation: { remaining: [] } })).toEqual({
      ReadFailures: 0,
      RefusedActions: 0,
      FailedActions: 2,
    });
  });

  it('emits nothing outside Lambda and never fails the run when metrics break', async () => {
    const docs = await emfDuring(() => publishRunMetrics('snapshots', { rows: [], errors: [] }, { env: {} }));
    expect(docs).toEqual([]);
    const problems: unknown[] = [];
    const broken = { addDimension: () => undefined, addMetric: () => { throw new Error('boom'); }, publishStoredMetrics: () => undefined };
    await expect(publishRunMetrics('snapshots', { rows: [], errors: [] }, { metrics: broken, onError: (e) => problems.push(e) })).resolves.toBeUndefined();
    expect(problems).toHaveLength(1);
  });
});
