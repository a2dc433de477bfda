import { goalLines, goals, type BenchResults } from '../../bench/lib/goals';
import { spread } from '../../bench/lib/stats';

// The goals table judges what one run measured; these results are made up, not measured.
const sweepRow = (vendor: string, size: number, fn: string, mode: string, received: number, minimum: number, wallMs = 1000, completed = 1) => ({
  vendor,
  size,
  function: fn,
  mode,
  completed,
  wallMs: spread(completed ? [wallMs] : []),
  requests: spread(completed ? [received] : []),
  minimumRequests: spread(completed ? [minimum] : []),
});

const good: BenchResults = {
  sweep: [sweepRow('tencent', 1000, 'auto-delete', 'dry-run', 10, 10), sweepRow('kec', 1000, 'renewal-reminders', 'dry-run', 0, 0), sweepRow('alibaba', 100_000, 'auto-delete', 'dry-run', 1015, 1015, 20_000)],
  rateLimit: { results: [{ limiterBound: true, utilisation: 0.99, periodUtilisation: 0.989, throttled: 0 }, { limiterBound: false, throttled: 0 }] },
  coldStart: {
    bundles: [
      { name: 'auto-delete', kind: 'function', bytes: 45_000, totalBytes: 600_000, loadMs: spread([30]) },
      { name: 'tencentcloud-sdk-nodejs-cvm', kind: 'vendor-sdk', bytes: 900_000, loadMs: spread([100]) },
    ],
  },
  fanout: [{ latencyMs: 100, rateLimits: false, runs: [{ workers: 1, speedUp: 1, throttled: 0 }, { workers: 16, speedUp: 11.2, throttled: 0, floors: { bound: 'the queue: 24 items' } }] }],
};

describe('issue 20 goals, read off one run', () => {
  it('marks each goal met when the run measured it within bounds', () => {
    expect(goals(good).map((g) => g.met)).toEqual([true, true, true, true, true]);
    const [requests, , apsara, cold, fanout] = goals(good);
    expect(requests!.measured).toBe('1,000: 2 of 2, 100,000: 1 of 1');
    expect(apsara!.measured).toBe('dry-run 20.0 s (≤ 0.050×)');
    expect(cold!.measured).toContain('auto-delete 0.30× (44 KB at init, 586 KB in all)');
    expect(fanout!.measured).toContain('11.20×');
  });

  it('names what is off, and does not call a skipped section met', () => {
    const bad: BenchResults = {
      sweep: [sweepRow('tencent', 1000, 'auto-delete', 'enforce', 23, 11), sweepRow('alibaba', 100_000, 'auto-delete', 'dry-run', 0, 0, 0, 0)],
      rateLimit: { results: [{ limiterBound: true, utilisation: 0.88, periodUtilisation: 0.88, throttled: 3 }] },
      fanout: [{ latencyMs: 100, rateLimits: true, runs: [{ workers: 16, speedUp: 9.4, throttled: 0, floors: { bound: 'CPU' } }] }],
    };
    const [requests, rate, apsara, cold, fanout] = goals(bad);
    expect(requests!.met).toBe(false);
    expect(requests!.measured).toContain('tencent 1000 auto-delete enforce 23 / 11');
    expect(requests!.measured).toContain('alibaba 100000 auto-delete dry-run timed out');
    expect(rate!.met).toBe(false);
    expect(apsara!.met).toBe(false);
    expect(cold!.met).toBeUndefined();
    expect(fanout!.met).toBe(false);
    expect(goalLines(bad).join('\n')).toContain('not measured');
  });

  it('prefers the ratios section (no timeout) to the sweep for request counts', () => {
    const r: BenchResults = { ...good, ratios: [{ vendor: 'kec', size: 10_000, function: 'snapshots', mode: 'enforce', received: 4, minimum: 3 }] };
    expect(goals(r)[0]).toMatchObject({ met: false, measured: '10,000: 0 of 1; off: kec 10000 snapshots enforce 4 / 3' });
  });
});
