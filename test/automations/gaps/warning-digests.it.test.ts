import { AUTO_DELETE_DIGEST, autoDeleteDigestDetail } from '../../../lib/automations/auto-delete/events';
import { RECYCLE_BIN_PURGE_DIGEST, recycleBinPurgeDigestDetail } from '../../../lib/automations/recycle-bin/events';
import { createAlibabaSim, type AlibabaSim } from '../../../sim/alibaba';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startHarness, type Harness } from '../../support/harness';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-24T02:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const scheduled = (ms: number) => ({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event', time: at(ms), detail: {} });
const ownersOf = (d: { owners: { owner: string | null; entries: { resourceId: string }[] }[] }) => d.owners.map((o) => [o.owner, o.entries.map((e) => e.resourceId)]);

// Deletion and purge warnings, like renewals, come with one digest per owner group, once a day.
describe('per-owner digests of deletion and purge warnings', () => {
  let h: Harness;
  let cvm: TencentSim;
  let ali: AlibabaSim;

  beforeEach(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    ali = createAlibabaSim();
    h = await startHarness([cvm, ali]);
    h.sim.clock.set(new Date(NOW));
    cvm.bindClock(h.sim.clock);
  });
  afterEach(() => h.stop());

  it('Tencent: warned deletions, then warned purges, each grouped by owner (from the trail where the bin has no tags), once per day', async () => {
    const soon = (name: string, owner?: string, charge: 'PREPAID' | 'POSTPAID_BY_HOUR' = 'PREPAID') =>
      cvm.addInstance({ InstanceName: name, InstanceChargeType: charge, tags: { 'auto-delete-at': at(2 * HOUR), ...(owner && { owner }) } }).InstanceId;
    const amy1 = soon('amy-1', 'amy');
    const amy2 = soon('amy-2', 'amy');
    const bob = soon('bob-1', 'bob');
    const nobody = soon('nobody');
    const config = h.config(
      {
        autoDelete: [{ name: 'ad', mode: 'enforce', targets: ['tencent-prod'], warnBefore: '3h' }],
        recycleBin: [{ name: 'bin', mode: 'enforce', targets: ['tencent-prod'], action: 'leave', retentionDays: 1, warnBefore: '48h' }],
      },
      { safety: { maxDestructivePercent: 100 } },
    );

    await h.invoke('auto-delete', scheduled(0), config);
    const digests = h.busEvents(AUTO_DELETE_DIGEST).map((d) => autoDeleteDigestDetail.parse(d));
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ policy: 'ad', vendor: 'tencent', target: 'tencent-prod', date: '2026-11-24', count: 4 });
    expect(ownersOf(digests[0]!)).toEqual([
      ['amy', [amy1, amy2].sort()],
      ['bob', [bob]],
      [null, [nobody]],
    ]);
    expect(digests[0]!.owners[0]!.entries[0]!.dueAt).toBe(at(2 * HOUR));
    expect(h.audit().filter((r) => r.action === 'send-digest' && r.function === 'auto-delete').map((r) => [r.phase, r.outcome ?? null])).toEqual([
      ['intent', null],
      ['result', 'success'],
    ]);
    await h.invoke('auto-delete', scheduled(HOUR), config);
    expect(h.busEvents(AUTO_DELETE_DIGEST)).toHaveLength(1);

    // the due time passes: the vendor's action timers (set by the first run) put them in the bin
    h.sim.clock.set(new Date(NOW + 2 * HOUR + 60_000));
    await h.invoke('auto-delete', scheduled(2 * HOUR + 60_000), config);
    expect([amy1, amy2, bob, nobody].map((id) => cvm.instance(id)?.InstanceState)).toEqual(['SHUTDOWN', 'SHUTDOWN', 'SHUTDOWN', 'SHUTDOWN']);

    await h.invoke('recycle-bin', scheduled(3 * HOUR), config);
    const purge = h.busEvents(RECYCLE_BIN_PURGE_DIGEST).map((d) => recycleBinPurgeDigestDetail.parse(d));
    expect(purge).toHaveLength(1);
    expect(ownersOf(purge[0]!)).toEqual([
      ['amy', [amy1, amy2].sort()],
      ['bob', [bob]],
      [null, [nobody]],
    ]);
    expect(h.busEvents('Recycle Bin Purge Warning')).toHaveLength(4);
    await h.invoke('recycle-bin', scheduled(4 * HOUR), config);
    expect(h.busEvents(RECYCLE_BIN_PURGE_DIGEST)).toHaveLength(1);
  });

  it('Alibaba soft-delete bin: the owner comes from the instance tag', async () => {
    const add = (name: string, owner: string) =>
      ali.addInstance({ name, status: 'Running' } as never, { tags: { owner, 'auto-delete-at': at(-HOUR) } }).id;
    const carl = add('carl-1', 'carl');
    const dana = add('dana-1', 'dana');
    const config = h.config(
      {
        autoDelete: [{ name: 'ad', mode: 'enforce', targets: ['apsara-prod'] }],
        recycleBin: [{ name: 'bin', mode: 'enforce', targets: ['apsara-prod'], action: 'leave', retentionDays: 1, warnBefore: '48h' }],
      },
      { safety: { maxDestructivePercent: 100 } },
    );
    await h.invoke('auto-delete', scheduled(0), config);
    await h.invoke('recycle-bin', scheduled(HOUR), config);
    const purge = h.busEvents(RECYCLE_BIN_PURGE_DIGEST).map((d) => recycleBinPurgeDigestDetail.parse(d));
    expect(purge.map((d) => [d.vendor, ownersOf(d)])).toEqual([['alibaba', [['carl', [carl]], ['dana', [dana]]]]]);
  });
});
