import { SNAPSHOT_FAILED, SNAPSHOT_READY, SNAPSHOT_STUCK, snapshotReadinessDetailSchema } from '../../../lib/automations/snapshots/events';
import { createAlibabaSim, type AlibabaSim } from '../../../sim/alibaba';
import { startHarness, type Harness } from '../../support/harness';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-24T02:00:00Z'); // 10:00 Asia/Shanghai: the slot of `at: 10:00`
const at = (ms: number) => new Date(NOW + ms).toISOString();
const scheduled = (ms: number) => ({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: at(ms), detail: {} });

// Each run confirms the snapshots earlier runs took: ready is recorded once, failed and stuck alert once.
describe('snapshot readiness confirmed by later runs', () => {
  let h: Harness;
  let ali: AlibabaSim;

  beforeEach(async () => {
    ali = createAlibabaSim();
    ali.state.snapshotDelayMs = 30 * 60_000;
    h = await startHarness([ali]);
    h.sim.clock.set(new Date(NOW));
  });
  afterEach(() => h.stop());

  it('records ready, alerts stuck past readyWithin, then failed; each once, in the trail and the events', async () => {
    ali.addInstance({ name: 'web-1', status: 'Running' } as never, { dataDisk: true, tags: { team: 'web' } });
    const config = h.config({
      snapshots: [{ name: 'daily', mode: 'enforce', schedule: { at: '10:00' }, selector: { tags: { team: 'web' } }, retention: { keepLast: 3 }, readyWithin: '2h' }],
    });
    const run = async (ms: number) => {
      h.sim.clock.set(new Date(NOW + ms));
      const report = await h.invoke('snapshots', scheduled(ms), config);
      expect(report.errors).toEqual([]);
      return report;
    };
    await run(0);
    const taken = ali.snapshots().filter((s) => s.name.startsWith('ca-'));
    expect(taken.map((s) => s.status)).toEqual(['progressing', 'progressing']);
    const [slow, fine] = taken;
    ali.state.snapshots.get(slow!.id)!.settleAt = NOW + 100 * HOUR; // the vendor never finishes this one
    ali.state.changed();

    const second = await run(HOUR);
    expect(second.rows.filter((r) => r.action === 'create-snapshot').map((r) => r.status)).toEqual(['skipped', 'skipped']);
    const detailsOf = (type: string) => h.busEvents(type).map((d) => snapshotReadinessDetailSchema.parse(d));
    expect(detailsOf(SNAPSHOT_READY).map((d) => [d.snapshotId, d.state, d.sourceId])).toEqual([[fine!.id, 'ready', fine!.diskId]]);
    expect(detailsOf(SNAPSHOT_STUCK)).toEqual([]);

    await run(3 * HOUR);
    expect(detailsOf(SNAPSHOT_STUCK).map((d) => [d.snapshotId, d.state])).toEqual([[slow!.id, 'creating']]);
    expect(detailsOf(SNAPSHOT_STUCK)[0]!.message).toMatch(/still creating 180 min after it was taken \(readyWithin 2h\)/);
    expect(detailsOf(SNAPSHOT_READY)).toHaveLength(1);

    ali.state.snapshots.get(slow!.id)!.status = 'failed';
    ali.state.snapshots.get(slow!.id)!.settleAt = undefined;
    ali.state.changed();
    await run(4 * HOUR);
    await run(5 * HOUR);
    expect(detailsOf(SNAPSHOT_FAILED).map((d) => [d.snapshotId, d.state])).toEqual([[slow!.id, 'failed']]);
    expect(detailsOf(SNAPSHOT_STUCK)).toHaveLength(1);
    expect(detailsOf(SNAPSHOT_READY)).toHaveLength(1);

    const trail = h.audit().filter((r) => r.phase === 'result' && /snapshot-(ready|failed|stuck)/.test(r.action));
    expect(trail.map((r) => [r.action, r.resourceId, r.expected?.state, r.outcome])).toEqual([
      ['confirm-snapshot-ready', fine!.id, 'ready', 'success'],
      ['alert-snapshot-stuck', slow!.id, 'creating', 'success'],
      ['alert-snapshot-failed', slow!.id, 'failed', 'success'],
    ]);
  });
});
