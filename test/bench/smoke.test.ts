import { startSimProcess } from '../../bench/lib/sim-process';
import { spread } from '../../bench/lib/stats';
import { measureSweep } from '../../bench/lib/sweep';

// The benchmark code runs end to end on a tiny fleet; no timing is asserted.
describe('benchmark smoke', () => {
  it('measures a dry-run and an enforce sweep against a simulator in a child process', async () => {
    const sim = await startSimProcess('cecstack', 40);
    try {
      const dry = await measureSweep('auto-delete', 'cecstack', sim, 'dry-run', 30_000);
      expect(dry).toBeDefined();
      expect(dry!.requests).toBeGreaterThan(0);
      expect(dry!.minimum).toBeGreaterThan(0);
      expect(dry!.byAction.ListInstances?.sent).toBeGreaterThan(0);
      expect(dry!.peakRssBytes).toBeGreaterThan(0);
      // a dry run sends no mutation, so the simulator saw none
      const stats = await sim.stats();
      expect(Object.entries(stats.byAction).filter(([, a]) => a.mutating)).toEqual([]);

      const enforce = await measureSweep('auto-delete', 'cecstack', sim, 'enforce', 30_000);
      expect(enforce!.rows).toBeGreaterThan(0);
      const after = await sim.stats();
      expect(after.requests).toBeGreaterThan(stats.requests);
    } finally {
      await sim.stop();
    }
  }, 60_000);

  it('reports median, min and max', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(spread([4, 1])).toEqual({ median: 2.5, min: 1, max: 4, runs: 2 });
  });
});
