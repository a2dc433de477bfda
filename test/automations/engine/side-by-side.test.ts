import { MemoryPublisher } from '../../../lib/audit/events';
import type { AuditRecord } from '../../../lib/audit/record';
import type { AuditStore } from '../../../lib/audit/store';
import { automationConfigSchema } from '../../../lib/config/schema';
import { executeScopes, GROUPS_IN_FLIGHT, WRITES_IN_FLIGHT, type ScopeWork } from '../../../lib/automations/engine/execute';
import type { EngineDeps, NoticeAction, VendorAction } from '../../../lib/automations/engine/types';
import { instanceNotice } from '../../../lib/automations/instance-notice';
import type { BatchOutcome } from '../../../lib/vendors/core';
import { TEST_NOW } from '../../support/clock';

// Engine DECISIONS.md E8: the groups of a wave whose actions are `sideBySide` go to the vendor side by
// side (at most GROUPS_IN_FLIGHT), a group naming a resource an earlier group names waits for it, a
// group without `sideBySide` waits for every earlier group; rows keep the plan's order.

/** The ledger in memory: every write answers on the next turn, so the test alone decides when the vendor answers. */
function memoryLedger(): AuditStore {
  const intents = new Map<string, AuditRecord>();
  const results = new Map<string, AuditRecord>();
  return {
    putIntent: async (r) => (intents.has(r.actionKey) ? 'exists' : (intents.set(r.actionKey, r), 'written')),
    putResult: async (r) => void results.set(r.actionKey, r),
    putRecord: async () => undefined,
    get: async (key) => ({ intent: intents.get(key), result: results.get(key) }),
    openIntents: async () => [],
    query: async () => [],
  };
}

function deps(shouldStop = () => false): EngineDeps {
  return {
    runId: 'run-1',
    trigger: 'manual',
    now: TEST_NOW,
    config: automationConfigSchema.parse({ targets: [{ name: 't', vendor: 'tencent', regions: ['r'], credentials: { accessKeyIdEnv: 'X', secretEnv: 'Y' } }], safety: { maxDestructivePercent: 100 } }),
    audit: memoryLedger(),
    events: new MemoryPublisher(),
    client: () => {
      throw new Error('not used');
    },
    modeFor: () => 'enforce',
    shouldStop,
  } as EngineDeps;
}

/** Vendor calls that answer only when the test says so; `log` is the order they were sent and answered in. */
function vendor() {
  const log: string[] = [];
  const pending = new Map<string, () => void>();
  const run = (batchKey: string) => (ids: string[]) =>
    new Promise<BatchOutcome[]>((resolve) => {
      log.push(`send ${batchKey} ${ids.join(',')}`);
      pending.set(batchKey, () => {
        log.push(`answer ${batchKey}`);
        resolve(ids.map((id) => ({ id, ok: true })));
      });
    });
  const action = (resourceId: string, batchKey: string, sideBySide: boolean): VendorAction => ({
    kind: 'vendor',
    resourceId,
    resourceKind: 'instance',
    action: batchKey,
    reason: `${batchKey} ${resourceId}`,
    slot: 's',
    destructive: false,
    batchKey,
    run: run(batchKey),
    ...(sideBySide && { sideBySide: true }),
  });
  /** Lets the engine run until it waits on the vendor; answers `key` if given. */
  const settle = async (key?: string) => {
    if (key) pending.get(key)!();
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  };
  return { log, pending, action, settle };
}

const work = (actions: VendorAction[], policy = 'p'): ScopeWork => ({
  id: { function: 'auto-delete', policy, vendor: 'tencent', target: 't', region: 'r' },
  plan: { actions, notes: [], selected: 10, readFailures: [] },
  mode: 'enforce',
});

describe('engine E8: independent calls of a scope go out side by side', () => {
  it('sends the groups of side-by-side actions at once, and writes the rows in plan order', async () => {
    const v = vendor();
    const done = executeScopes(deps(), [work([v.action('i-1', 'delete', true), v.action('i-2', 'set-timer', true), v.action('i-3', 'clear-timer', true)])], { destructiveLeft: 10 });
    await v.settle();
    expect(v.log).toEqual(['send delete i-1', 'send set-timer i-2', 'send clear-timer i-3']); // one after another, only the first would be out
    await v.settle('clear-timer');
    await v.settle('delete');
    await v.settle('set-timer');
    const [outcome] = await done;
    expect(outcome!.error).toBeUndefined();
    expect(outcome!.rows.map((r) => [r.resource, r.status])).toEqual([
      ['i-1', 'applied'],
      ['i-2', 'applied'],
      ['i-3', 'applied'],
    ]);
  });

  it('a group without sideBySide waits for every group before it, and the groups after it wait for it', async () => {
    const v = vendor();
    const done = executeScopes(deps(), [work([v.action('s-1', 'prune', false), v.action('d-1', 'create', false), v.action('d-2', 'tag', true)])], { destructiveLeft: 10 });
    await v.settle();
    expect(v.log).toEqual(['send prune s-1']);
    await v.settle('prune');
    expect(v.log.at(-1)).toBe('send create d-1');
    await v.settle('create');
    expect(v.log.at(-1)).toBe('send tag d-2');
    await v.settle('tag');
    expect((await done)[0]!.rows.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
  });

  it('a group that names a resource an earlier group names waits for that group', async () => {
    const v = vendor();
    const a = v.action('i-1', 'stop', true);
    const b = { ...v.action('i-1', 'tag', true), slot: 's2' };
    const c = v.action('i-2', 'delete', true);
    const done = executeScopes(deps(), [work([a, b, c])], { destructiveLeft: 10 });
    await v.settle();
    expect(v.log).toEqual(['send stop i-1', 'send delete i-2']);
    await v.settle('stop');
    expect(v.log.at(-1)).toBe('send tag i-1');
    await v.settle('delete');
    await v.settle('tag');
    await done;
  });

  it(`keeps at most GROUPS_IN_FLIGHT (${GROUPS_IN_FLIGHT}) groups out`, async () => {
    const v = vendor();
    const actions = Array.from({ length: GROUPS_IN_FLIGHT + 3 }, (_, i) => v.action(`i-${i}`, `k${i}`, true));
    const done = executeScopes(deps(), [work(actions)], { destructiveLeft: 100 });
    await v.settle();
    expect(v.log.filter((l) => l.startsWith('send'))).toHaveLength(GROUPS_IN_FLIGHT);
    await v.settle('k0');
    expect(v.log.filter((l) => l.startsWith('send'))).toHaveLength(GROUPS_IN_FLIGHT + 1);
    for (let i = 1; i < actions.length; i++) await v.settle(`k${i}`);
    expect((await done)[0]!.rows).toHaveLength(actions.length);
  });

  it('a group that has not started when the invocation nears its end is deferred, in its place among the rows', async () => {
    const v = vendor();
    let stop = false;
    const actions = Array.from({ length: GROUPS_IN_FLIGHT + 1 }, (_, i) => v.action(`i-${i}`, `k${i}`, true));
    const done = executeScopes(deps(() => stop), [work(actions)], { destructiveLeft: 100 });
    await v.settle();
    stop = true;
    for (let i = 0; i < GROUPS_IN_FLIGHT; i++) await v.settle(`k${i}`);
    const rows = (await done)[0]!.rows;
    expect(rows.map((r) => r.status)).toEqual([...Array<string>(GROUPS_IN_FLIGHT).fill('applied'), 'deferred']);
    expect(v.log.filter((l) => l.startsWith('send'))).toHaveLength(GROUPS_IN_FLIGHT);
  });

  it('notices about one instance (reminders, warnings) are published side by side', async () => {
    const held: (() => void)[] = [];
    const d = deps();
    d.events = {
      publish: (entries) =>
        new Promise((resolve) => {
          held.push(() => resolve({ failed: [] }));
          void entries;
        }),
    } as EngineDeps['events'];
    const notices: NoticeAction[] = Array.from({ length: 7 }, (_, i) =>
      instanceNotice({ id: `i-${i}` }, { action: 'send-reminder', reason: 'expires soon', slot: 'd', event: { detailType: 'Renewal Reminder', detail: { n: i } } }),
    );
    const done = executeScopes(d, [{ ...work([]), plan: { actions: notices, notes: [], selected: 7, readFailures: [] } }], { destructiveLeft: 0 });
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(held).toHaveLength(GROUPS_IN_FLIGHT); // one after another, one would be waiting
    while (held.length || (await Promise.race([done.then(() => false), new Promise((r) => setImmediate(() => r(true)))]))) {
      held.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect((await done)[0]!.rows.map((r) => [r.resource, r.status])).toEqual(notices.map((n) => [n.resourceId, 'applied']));
  });

  it('a wave of many ordered groups waits for each one before it, not for every one (40,000 groups, as KEC snapshots at 100k were before their creations went side by side)', async () => {
    // each group once waited for all groups before it: n²/2 promises, out of memory at ~19,000 volumes
    const n = 40_000;
    const order: number[] = [];
    const actions: VendorAction[] = Array.from({ length: n }, (_, i) => ({
      kind: 'vendor',
      resourceId: `v-${i}`,
      resourceKind: 'snapshot',
      action: 'create-snapshot',
      reason: 'slot due',
      slot: 's',
      destructive: false,
      batchKey: `created:v-${i}`,
      run: async (ids) => (order.push(i), ids.map((id) => ({ id, ok: true }))),
    }));
    const [outcome] = await executeScopes(deps(), [work(actions)], { destructiveLeft: 0 });
    expect(outcome!.rows).toHaveLength(n);
    expect(order).toEqual(actions.map((_, i) => i)); // one after another, in plan order
  }, 60_000);
});

// E10: the audit writes of one group (its leases, then its results) go out side by side, at most
// WRITES_IN_FLIGHT at once: one round trip to the trail for a group, not one per action.
describe('engine E10: a group takes its leases and writes its results side by side', () => {
  /** A ledger whose writes answer only when the test releases them; counts what is in flight. */
  function heldLedger() {
    const inner = memoryLedger();
    const held: (() => void)[] = [];
    let inFlight = 0;
    let most = 0;
    const hold = <T>(kind: string, write: () => Promise<T>) =>
      new Promise<T>((resolve, reject) => {
        inFlight++;
        most = Math.max(most, inFlight);
        held.push(() => {
          inFlight--;
          write().then(resolve, reject);
        });
        void kind;
      });
    const records: AuditRecord[] = [];
    const store: AuditStore = {
      ...inner,
      putIntent: (r) => hold('intent', () => inner.putIntent(r)),
      putResult: (r) => hold('result', () => inner.putResult(r)),
      putRecord: (r) => hold('record', async () => void records.push(r)),
    };
    const turns = async () => {
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    };
    /** Answers the held writes one at a time, letting the engine run after each. */
    const releaseAll = async () => {
      while (held.length) {
        held.shift()!();
        await turns();
      }
    };
    return { store, held, most: () => most, turns, releaseAll, inner, records };
  }

  it(`a dry run writes its planned records side by side (at most WRITES_IN_FLIGHT), rows in plan order`, async () => {
    // one after another, a dry run of 34,000 KEC local-volume snapshots waited for 34,000 trail writes in a row
    const v = vendor();
    const ledger = heldLedger();
    const d = { ...deps(), audit: ledger.store };
    const actions = Array.from({ length: WRITES_IN_FLIGHT + 5 }, (_, i) => v.action(`i-${i}`, `k${i}`, false));
    const done = executeScopes(d, [{ ...work(actions), mode: 'dry-run' }], { destructiveLeft: 100 });
    await ledger.turns();
    expect(ledger.held).toHaveLength(WRITES_IN_FLIGHT);
    await ledger.releaseAll();
    const [outcome] = await done;
    expect(ledger.most()).toBe(WRITES_IN_FLIGHT);
    expect(v.log).toEqual([]);
    expect(outcome!.rows.map((r) => [r.resource, r.status])).toEqual(actions.map((a) => [a.resourceId, 'planned']));
    expect(ledger.records.map((r) => [r.resourceId, r.phase]).sort()).toEqual(actions.map((a) => [a.resourceId, 'planned']).sort());
  });

  it('refusals are recorded side by side too (a read failed: every destructive action refused)', async () => {
    const v = vendor();
    const ledger = heldLedger();
    const d = { ...deps(), audit: ledger.store };
    const actions = Array.from({ length: WRITES_IN_FLIGHT + 5 }, (_, i) => ({ ...v.action(`i-${i}`, 'delete', true), destructive: 'instance' as const }));
    const done = executeScopes(d, [{ ...work(actions), plan: { actions, notes: [], selected: 100, readFailures: ['listing failed'] } }], { destructiveLeft: 100 });
    await ledger.turns();
    expect(ledger.held).toHaveLength(WRITES_IN_FLIGHT);
    await ledger.releaseAll();
    const [outcome] = await done;
    expect(v.log).toEqual([]);
    expect(outcome!.rows.map((r) => [r.resource, r.status])).toEqual(actions.map((a) => [a.resourceId, 'refused']));
    expect(ledger.records.every((r) => r.phase === 'notice')).toBe(true);
    expect(ledger.records).toHaveLength(actions.length);
  });

  it(`sends a group's intents at once (at most WRITES_IN_FLIGHT, ${WRITES_IN_FLIGHT}), then its one call, then its results at once, rows in order`, async () => {
    const v = vendor();
    const ledger = heldLedger();
    const d = { ...deps(), audit: ledger.store };
    const n = WRITES_IN_FLIGHT + 2;
    const actions = Array.from({ length: n }, (_, i) => v.action(`i-${i}`, 'delete', true));
    const done = executeScopes(d, [work(actions)], { destructiveLeft: 100 });
    await ledger.turns();
    expect(ledger.held).toHaveLength(WRITES_IN_FLIGHT); // one after another, one would be out
    await ledger.releaseAll();
    expect(v.log).toEqual([`send delete ${actions.map((a) => a.resourceId).join(',')}`]);
    await v.settle('delete');
    expect(ledger.held).toHaveLength(WRITES_IN_FLIGHT);
    await ledger.releaseAll();
    const [outcome] = await done;
    expect(ledger.most()).toBe(WRITES_IN_FLIGHT);
    expect(outcome!.rows.map((r) => [r.resource, r.status])).toEqual(actions.map((a) => [a.resourceId, 'applied']));
    for (const a of actions) expect((await ledger.inner.get(`auto-delete|p|t|r|${a.resourceId}|delete|s`)).result ?? 'keyed differently').toBeDefined();
  });

  it('an action already done (a result in the trail) is skipped, its row first as before; the rest are sent in one call', async () => {
    const v = vendor();
    const d = deps();
    const actions = Array.from({ length: 4 }, (_, i) => v.action(`i-${i}`, 'delete', true));
    const first = executeScopes(d, [work([actions[2]!])], { destructiveLeft: 100 });
    await v.settle();
    await v.settle('delete');
    await first;
    v.log.length = 0;
    const done = executeScopes({ ...d, runId: 'run-2' }, [work(actions)], { destructiveLeft: 100 });
    await v.settle();
    expect(v.log).toEqual(['send delete i-0,i-1,i-3']);
    await v.settle('delete');
    expect((await done)[0]!.rows.map((r) => [r.resource, r.status])).toEqual([
      ['i-2', 'skipped'],
      ['i-0', 'applied'],
      ['i-1', 'applied'],
      ['i-3', 'applied'],
    ]);
  });
});
