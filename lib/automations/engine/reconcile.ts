import type { AuditRecord } from '../../audit/record';
import type { Instance, Scope, VendorClient } from '../../vendors/core';
import type { ScopeIdentity } from './execute';
import type { EngineDeps, PlanRow } from './types';

/** Open intents older than this are no longer looked at (records carry wall-clock `at`). */
export const RECONCILE_WINDOW_DAYS = 35;
const DAY_MS = 86_400_000;

/** What the vendor says about an open intent's action: done, or gone (nothing left to act on), or unknown. */
type Verdict = { done: true; why: string } | { gone: true; why: string } | undefined;

/**
 * Every open intent of the scope whose lease has expired is checked at the vendor at the start of
 * a run, whether or not its resource is still listed (design §5): an instance that is gone after a
 * delete, a snapshot found by its name, a pruned or purged one that is gone — the result says
 * `reconciled`. An action whose resource is gone for another reason ends `skipped`. Anything the
 * vendor cannot tell stays open: if the action is planned again, its expired lease is taken over.
 */
export async function reconcileOpenIntents(deps: EngineDeps, id: ScopeIdentity, client: VendorClient): Promise<PlanRow[]> {
  const now = (deps.leaseClock ?? Date.now)();
  const open = await deps.audit.openIntents(id, new Date(now - RECONCILE_WINDOW_DAYS * DAY_MS).toISOString());
  const rows: PlanRow[] = [];
  const scope: Scope = { region: id.region };
  for (const intent of open) {
    // only the engine's own intents (they carry a lease; notify's delivery intents, say, do not)
    if (!intent.lease || Date.parse(intent.lease.until) > now) continue; // none, or its run is still at work
    let verdict: Verdict;
    try {
      verdict = await checkAtVendor(client, scope, intent);
    } catch {
      continue; // a failed read decides nothing; the next run asks again
    }
    if (!verdict) continue;
    const done = 'done' in verdict;
    const result: AuditRecord = {
      ...withoutLease(intent),
      phase: 'result',
      runId: deps.runId,
      trigger: deps.trigger,
      outcome: done ? 'reconciled' : 'skipped',
      reason: `${intent.reason} — ${verdict.why} (intent of run ${intent.runId} had no result)`,
      at: new Date().toISOString(),
      details: { ...(intent.details ?? {}), runNow: deps.now.toISOString(), reconciledIntentOf: intent.runId },
    };
    try {
      await deps.audit.putResult(result);
    } catch (e) {
      if ((e as Error).name !== 'AuditConflictError') throw e;
      continue; // another run reconciled it first
    }
    rows.push({
      function: id.function,
      policy: id.policy,
      vendor: id.vendor,
      target: id.target,
      region: id.region,
      resource: intent.resourceId,
      action: intent.action,
      reason: result.reason,
      status: 'info',
    });
  }
  return rows;
}

function withoutLease(r: AuditRecord): AuditRecord {
  const { lease: _lease, ...rest } = r;
  return rest;
}

async function readInstance(client: VendorClient, scope: Scope, id: string, includeRecycled: boolean): Promise<Instance | undefined> {
  for await (const page of client.listInstances(scope, { ids: [id], includeRecycled })) {
    const hit = page.find((i) => i.id === id);
    if (hit) return hit;
  }
  return undefined;
}

async function instanceExists(client: VendorClient, scope: Scope, id: string, includeRecycled: boolean): Promise<boolean> {
  return (await readInstance(client, scope, id, includeRecycled)) !== undefined;
}

/** Native timers are kept to the minute (KEC takes `yyyy-MM-dd HH:mm`). */
const sameMinute = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && Math.floor(Date.parse(a) / 60_000) === Math.floor(Date.parse(b) / 60_000);

async function snapshotExists(client: VendorClient, scope: Scope, match: { id?: string; name?: string; sourceId?: string }): Promise<boolean> {
  const options = match.name ? { names: [match.name] } : match.sourceId ? { sourceIds: [match.sourceId] } : {};
  for await (const page of client.listSnapshots(scope, options)) {
    if (page.some((s) => (match.id === undefined || s.id === match.id) && (match.name === undefined || s.name === match.name))) return true;
  }
  return false;
}

async function inRecycleBin(client: VendorClient, scope: Scope, id: string): Promise<boolean> {
  for await (const page of client.listRecycleBin(scope)) if (page.some((i) => i.id === id)) return true;
  return false;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** Reads the vendor for the effect of one open intent, by what the action is. */
async function checkAtVendor(client: VendorClient, scope: Scope, intent: AuditRecord): Promise<Verdict> {
  const { action, resourceId, resourceKind } = intent;
  if (action === 'delete-instance') {
    return (await instanceExists(client, scope, resourceId, false)) ? undefined : { done: true, why: 'the instance is gone at the vendor' };
  }
  if (action === 'create-snapshot') {
    const name = str(intent.expected?.name);
    if (name && (await snapshotExists(client, scope, { name }))) return { done: true, why: `snapshot ${name} found at the vendor` };
    return undefined;
  }
  if (resourceKind === 'snapshot' && intent.expected?.state === 'deleted') {
    const sourceId = str(intent.before?.sourceId);
    return (await snapshotExists(client, scope, { id: resourceId, sourceId })) ? undefined : { done: true, why: 'the snapshot is gone at the vendor' };
  }
  if (action === 'purge') {
    if (await inRecycleBin(client, scope, resourceId)) return undefined;
    if (resourceKind !== 'snapshot' && (await instanceExists(client, scope, resourceId, true))) return undefined;
    return { done: true, why: 'the item is gone from the recycle bin' };
  }
  if (action === 'set-auto-delete-time' || action === 'clear-auto-delete-time') {
    const instance = await readInstance(client, scope, resourceId, true);
    if (!instance) return { gone: true, why: 'the instance no longer exists, so there is nothing left to do' };
    const wanted = str(intent.expected?.autoDeleteAt);
    if (action === 'set-auto-delete-time' && sameMinute(instance.autoDeleteAt, wanted)) return { done: true, why: `the vendor's timer holds ${wanted}` };
    if (action === 'clear-auto-delete-time' && !instance.autoDeleteAt) return { done: true, why: "the vendor's timer is cleared" };
    return undefined;
  }
  if (resourceKind === 'instance' && !(await instanceExists(client, scope, resourceId, true))) {
    return { gone: true, why: 'the instance no longer exists, so there is nothing left to do' };
  }
  return undefined;
}
