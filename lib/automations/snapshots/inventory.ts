import { exemptionFor, matchesSelector } from '../engine/select';
import type { PlanNote } from '../engine/types';
import type { Instance, ListInstancesOptions, Scope, Snapshot, SnapshotOwner, VendorClient } from '../../vendors/core';
import { MANAGED_TAG, type SnapshotsPolicy } from './policy';

/** What planning keeps of a snapshot: small, so a large history stays cheap. */
export type SnapshotFacts = Pick<Snapshot, 'id' | 'name' | 'createdAt' | 'state' | 'inUse' | 'sourceId'> & { tags: Record<string, string> };

/** What one policy's selection kept of a listing: the instances to take snapshots of, and why others are left out. */
export interface Selection {
  /** Selected, non-exempt, not busy: only the id, name, region and zone of each (memory bounded by the selection). */
  owners: SnapshotOwner[];
  /** Instances selected (exempt ones included): the selection size. */
  selected: number;
  notes: PlanNote[];
}

/** The listing a policy asks for; policies asking the same share one pass (`selectOwners`). */
export function listingQuery(policy: SnapshotsPolicy): ListInstancesOptions {
  return { ids: policy.selector.ids, tagKeys: Object.keys(policy.selector.tags ?? {}) };
}

/**
 * Lists instances page by page once for policies that ask the same listing (`listingQuery`), each
 * page through every policy's selection (exempt ones noted, busy ones skipped), then dropped.
 * `failure` says the listing broke off; what was selected before it is kept.
 */
export async function selectOwners(client: VendorClient, scope: Scope, policies: SnapshotsPolicy[], now: Date): Promise<{ selections: Selection[]; failure?: string }> {
  const selections: Selection[] = policies.map(() => ({ owners: [], selected: 0, notes: [] }));
  try {
    for await (const page of client.listInstances(scope, listingQuery(policies[0]!))) {
      for (const instance of page) {
        if (instance.state === 'deleted' || instance.state === 'deleting' || instance.state === 'recycled') continue;
        for (const [i, policy] of policies.entries()) {
          if (matchesSelector(instance, policy.selector)) take(selections[i]!, instance, policy, now);
        }
      }
    }
  } catch (e) {
    return { selections, failure: `listing instances or their snapshot sources: ${(e as Error).message}` };
  }
  return { selections };
}

function take(selection: Selection, instance: Instance, policy: SnapshotsPolicy, now: Date): void {
  selection.selected++;
  const exemption = exemptionFor(instance, policy.exemptions, now);
  if (exemption.exempt) {
    selection.notes.push({ resourceId: instance.id, action: 'snapshot', reason: exemption.reason ?? 'exempt', status: 'exempt' });
    return;
  }
  if (instance.busyWith) {
    // The vendor still runs an operation on it (Tencent OPERATING): nothing new this run (sim/DECISIONS.md T17).
    selection.notes.push({ resourceId: instance.id, action: 'snapshot', reason: `busy: the vendor is still running ${instance.busyWith} on it; no snapshot this run, the next run retries`, status: 'skipped' });
    return;
  }
  selection.owners.push({ id: instance.id, name: instance.name, region: instance.region, ...(instance.zone !== undefined && { zone: instance.zone }) });
}

/** Snapshots of the given sources, grouped by source; undefined when the listing failed. */
export async function listSnapshotsBySource(
  client: VendorClient,
  scope: Scope,
  sourceIds: string[],
  failures: string[],
): Promise<Map<string, SnapshotFacts[]> | undefined> {
  const bySource = new Map<string, SnapshotFacts[]>(sourceIds.map((id) => [id, []]));
  if (!sourceIds.length) return bySource;
  try {
    for await (const page of client.listSnapshots(scope, { sourceIds })) {
      for (const s of page) {
        const list = bySource.get(s.sourceId);
        if (!list) continue;
        const tags: Record<string, string> = s.tags[MANAGED_TAG] === undefined ? {} : { [MANAGED_TAG]: s.tags[MANAGED_TAG] };
        list.push({ id: s.id, name: s.name, createdAt: s.createdAt, state: s.state, inUse: s.inUse, sourceId: s.sourceId, tags });
      }
    }
  } catch (e) {
    failures.push(`listing snapshots: ${(e as Error).message}`);
    return undefined;
  }
  return bySource;
}

/** Finds a snapshot of a source by its exact name (a retried or timed-out create may have made it). */
export async function findByName(client: VendorClient, scope: Scope, name: string, sourceId: string): Promise<Snapshot | undefined> {
  for await (const page of client.listSnapshots(scope, { names: [name], sourceIds: [sourceId] })) {
    const hit = page.find((s) => s.name === name && s.sourceId === sourceId);
    if (hit) return hit;
  }
  return undefined;
}

/** Is the snapshot gone (or on its way out)? */
export async function isGone(client: VendorClient, scope: Scope, id: string, sourceId: string): Promise<boolean> {
  for await (const page of client.listSnapshots(scope, { sourceIds: [sourceId] })) {
    const hit = page.find((s) => s.id === id);
    if (hit) return hit.state === 'deleting';
  }
  return true;
}
