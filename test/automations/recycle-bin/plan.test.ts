import { recycleBinSpec, type RecycleBinPolicy } from '../../../lib/automations/recycle-bin';
import type { EngineDeps, ScopeArgs, VendorAction } from '../../../lib/automations/engine';
import type { AuditRecord } from '../../../lib/audit/record';
import type { RecycleBinItem, VendorClient } from '../../../lib/vendors/core';

// The plan step alone, against an in-memory client: a batch call must carry each id's own item.
const now = new Date('2026-11-24T04:00:00Z');
const item = (id: string, name: string, kind: RecycleBinItem['kind'] = 'instance'): RecycleBinItem => ({
  vendor: 'cecstack',
  target: 't',
  region: 'r',
  kind,
  id,
  name,
  purgeAt: '2026-11-30T00:00:00.000Z',
});

function args(items: RecycleBinItem[], purged: RecycleBinItem[][]): ScopeArgs<RecycleBinPolicy> {
  const client = {
    vendor: 'cecstack',
    target: 't',
    capabilities: { recycleBin: 'native', recycleRestore: 'native' },
    async *listRecycleBin() {
      yield items;
    },
    getRecycleBinConfig: async () => undefined,
    purgeRecycled: async (_scope: unknown, batch: RecycleBinItem[]) => {
      purged.push(batch);
      return batch.map((b) => ({ id: b.id, ok: true }));
    },
  } as unknown as VendorClient;
  const records: AuditRecord[] = [];
  const deps = {
    now,
    runId: 'r',
    trigger: 'schedule',
    audit: { query: async () => records, putRecord: async (r: AuditRecord) => void records.push(r) },
  } as unknown as EngineDeps;
  const policy = {
    name: 'p',
    mode: 'enforce',
    action: 'purge',
    warnBefore: '1h',
    retentionDays: 7,
    softDeleteTag: 'x',
    ownerTag: 'owner',
    selector: {},
    exemptions: { tag: 'automation-exempt', entries: [] },
  } as RecycleBinPolicy;
  return {
    deps,
    policy,
    client,
    capabilities: client.capabilities,
    scope: { region: 'r' },
    mode: 'enforce',
    target: { name: 't', vendor: 'cecstack' } as ScopeArgs<RecycleBinPolicy>['target'],
  };
}

describe('recycle-bin plan', () => {
  it('maps every id of a batch back to its own item (not the first item of the group)', async () => {
    const purged: RecycleBinItem[][] = [];
    const [answer] = await recycleBinSpec.planPolicies!([args([item('a', 'first'), item('b', 'second'), item('s', 'snap', 'snapshot')], purged)]);
    if (answer!.status !== 'fulfilled') throw answer!.reason;
    const plan = answer!.value;
    const purges = plan.actions.filter((a): a is VendorAction => a.kind === 'vendor');
    expect(purges.map((a) => [a.resourceId, a.batchKey, a.destructive])).toEqual([
      ['a', 'purge:instance', 'instance'],
      ['b', 'purge:instance', 'instance'],
      ['s', 'purge:snapshot', 'snapshot'],
    ]);
    await purges[0]!.run(['a', 'b']); // the engine runs a group with its first action's closure
    expect(purged[0]!.map((i) => [i.id, i.name, i.kind])).toEqual([
      ['a', 'first', 'instance'],
      ['b', 'second', 'instance'],
    ]);
  });
});
