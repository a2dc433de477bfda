import { jest } from '@jest/globals';
import type { AuditRecord } from '../../../lib/audit/record';
import type { AutomationConfigInput } from '../../../lib/config/schema';
import { mutationsNaming, recordMutations, type ReceivedMutation } from '../../exactly-once/support';
import { TEST_NOW } from '../../support/clock';
import { startHarness, type Harness } from '../../support/harness';
import { FLEETS, type VendorFleet } from '../../support/vendor-fleet';

// Engine DECISIONS.md E3: the deletions of all auto-delete policies of one target × region go to the
// vendor together, ⌈distinct ids / documented batch⌉ calls (Tencent TerminateInstances 100, seed 004
// L2141 and L2155; CECSTACK BatchDeleteInstances 50, no size at seed 003 L5605, L5614: sim/DECISIONS.md D6),
// counted at the simulated cloud; each action keeps its own intent, lease and result with its policy.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const HOUR = 3_600_000;
// CECSTACK deletes a single id at its own endpoint (DeleteInstance, seed 003 L5557)
const BATCH = { tencent: { actions: ['TerminateInstances'], limit: 100 }, cecstack: { actions: ['BatchDeleteInstances', 'DeleteInstance'], limit: 50 } } as const;

describe.each(['tencent', 'cecstack'] as const)('deletions of several policies in one scope on %s', (vendor) => {
  let h: Harness;
  let fleet: VendorFleet;
  let received: ReceivedMutation[];
  const now = TEST_NOW;
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const { actions: deleteActions, limit } = BATCH[vendor];
  const isDelete = (action: string) => (deleteActions as readonly string[]).includes(action);

  beforeEach(async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.001); // near-zero retry backoff
    fleet = FLEETS[vendor]();
    received = recordMutations(fleet.module);
    h = await startHarness([fleet.module]);
    h.sim.clock.set(now);
    fleet.bind(h.sim.clock);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await h.stop();
  });

  /** `n` instances due by tag (policy by-tag) and `n` past their TTL (policy tmp-ttl), plus one to keep. */
  function seed(n: number) {
    const tagged = Array.from({ length: n }, (_, i) => fleet.add({ name: `web-${i}`, tags: { 'auto-delete-at': at(-HOUR) } }));
    const expired = Array.from({ length: n }, (_, i) => fleet.add({ name: `tmp-${i}`, createdAt: at(-73 * HOUR) }));
    fleet.add({ name: 'web-keep' });
    return { tagged, expired };
  }
  type Policies = NonNullable<NonNullable<AutomationConfigInput['policies']>['autoDelete']>;
  const byTag = { name: 'by-tag', mode: 'enforce' as const };
  const tmpTtl = { name: 'tmp-ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } };
  const config = (policies: Policies, maxDestructivePerRun = 1000) =>
    h.config({ autoDelete: policies }, { safety: { maxDestructivePercent: 100, maxDestructivePerRun } });
  const deletes = () => received.filter((m) => isDelete(m.action));
  const records = (phase: AuditRecord['phase'], id: string) => h.audit().filter((r) => r.phase === phase && r.resourceId === id && r.action === 'delete-instance');

  it.each([2, 60])('%i due instances per policy: ⌈distinct ids / batch⌉ calls, each action its own intent and result with its policy', async (n) => {
    const { tagged, expired } = seed(n);
    const report = await h.run('auto-delete', config([byTag, tmpTtl]));
    expect(report.errors).toEqual([]);

    // at the vendor: the two policies' deletions share the calls, each id named once
    expect(deletes()).toHaveLength(Math.ceil((2 * n) / limit));
    for (const id of [...tagged, ...expired]) expect([id, mutationsNaming(deletes(), id).length]).toEqual([id, 1]);
    expect(received.filter((m) => !isDelete(m.action))).toEqual([]);
    for (const id of [...tagged, ...expired]) expect(fleet.state(id)).not.toBe('running');

    // in the trail: per action, one intent (its own lease) and one result, under the policy that decided it
    const keys = new Set<string>();
    for (const [policy, ids] of [['by-tag', tagged], ['tmp-ttl', expired]] as const) {
      for (const id of ids) {
        const [intent, ...moreIntents] = records('intent', id);
        const [result, ...moreResults] = records('result', id);
        expect([moreIntents, moreResults]).toEqual([[], []]);
        expect(intent).toMatchObject({ policy, runId: report.runId, lease: { owner: report.runId, attempt: 1 } });
        expect(result).toMatchObject({ policy, runId: report.runId, outcome: 'success', actionKey: intent!.actionKey });
        keys.add(intent!.actionKey);
        expect(report.rows.find((r) => r.resource.startsWith(id) && r.action === 'delete-instance')).toMatchObject({ policy, status: 'applied' });
      }
    }
    expect(keys.size).toBe(2 * n);
  });

  it('counts the run\'s limit across the policies in config order, and a dry-run policy or an exemption sends nothing', async () => {
    const { tagged, expired } = seed(2);
    const exempt = fleet.add({ name: 'web-exempt', tags: { 'auto-delete-at': at(-HOUR) } });
    const exempting = { ...byTag, exemptions: { entries: [{ id: exempt, reason: 'kept for the test' }] } };
    const report = await h.run('auto-delete', config([exempting, tmpTtl], 3));
    // by-tag takes two of the three, tmp-ttl one; the fourth waits for the next run
    expect(deletes()).toHaveLength(1);
    const named = [...tagged, ...expired, exempt].filter((id) => mutationsNaming(deletes(), id).length);
    expect(named).toEqual([...tagged, expired[0]]);
    expect(report.rows.find((r) => r.resource.startsWith(expired[1]!))).toMatchObject({ policy: 'tmp-ttl', status: 'deferred' });
    expect(report.rows.find((r) => r.resource.startsWith(exempt))).toMatchObject({ policy: 'by-tag', status: 'exempt' });

    received.length = 0;
    const again = await h.run('auto-delete', config([{ ...byTag, mode: 'dry-run' }, tmpTtl]));
    // the dry-run policy plans (the exempt one too now: exemptions are per policy); tmp-ttl deletes the one left
    expect(deletes()).toHaveLength(1);
    expect([expired[1], exempt].map((id) => fleet.state(id!))).toEqual([expect.not.stringMatching(/^running$/), 'running']);
    expect(again.rows.find((r) => r.resource.startsWith(exempt))).toMatchObject({ policy: 'by-tag', status: 'planned' });
    expect(records('intent', exempt)).toEqual([]);
  });

  it('a later policy that wants an instance an earlier one deletes waits for that call and decides again', async () => {
    const { tagged, expired } = seed(1);
    const byTagToo = { ...byTag, name: 'by-tag-too' };
    const report = await h.run('auto-delete', config([byTag, tmpTtl, byTagToo]));
    // by-tag and tmp-ttl share one call; by-tag-too re-reads its instance, finds it deleted, and sends nothing
    expect(deletes()).toHaveLength(1);
    expect(mutationsNaming(deletes(), tagged[0]!)).toHaveLength(1);
    expect(mutationsNaming(deletes(), expired[0]!)).toHaveLength(1);
    expect(report.rows.filter((r) => r.resource.startsWith(tagged[0]!) && r.action === 'delete-instance').map((r) => r.policy)).toEqual(['by-tag']);
  });

  if (vendor === 'tencent') {
    it('a failure of one id in the shared batch is that action\'s result, under its policy; the rest succeed', async () => {
      const { tagged, expired } = seed(2);
      h.sim.faults.failIds(tagged[1]!); // the simulator fails a whole batch naming it (sim/DECISIONS.md D6): the client bisects
      const report = await h.run('auto-delete', config([byTag, tmpTtl]));
      expect(records('result', tagged[1]!)).toEqual([expect.objectContaining({ policy: 'by-tag', outcome: 'failed', error: expect.objectContaining({ code: expect.any(String) }) })]);
      for (const [policy, id] of [['by-tag', tagged[0]!], ['tmp-ttl', expired[0]!], ['tmp-ttl', expired[1]!]] as const) {
        expect(records('result', id)).toEqual([expect.objectContaining({ policy, outcome: 'success' })]);
      }
      expect(report.rows.find((r) => r.resource.startsWith(tagged[1]!))).toMatchObject({ policy: 'by-tag', status: 'failed' });
      expect(fleet.state(tagged[1]!)).toBe('running');
    });
  }
});
