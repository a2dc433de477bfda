import { exemptionFor, matchesSelector } from '../engine/select';
import type { PlanNote } from '../engine/types';
import type { Scope, Snapshot, SnapshotOwner, SnapshotSource, VendorClient } from '../../vendors/core';
import { MANAGED_TAG, type SnapshotsPolicy } from './policy';

/** What planning keeps of a snapshot: small, so a large history stays cheap. */
export type SnapshotFacts = Pick<Snapshot, 'id' | 'name' | 'createdAt' | 'state' | 'inUse' | 'sourceId'> & { tags: Record<string, string> };

export interface Inventory {
  /** Snapshot sources of selected, non-exempt instances. */
  sources: SnapshotSource[];
  /** Instances selected (exempt ones included): the selection size. */
  selected: number;
  notes: PlanNote[];
}

/**
 * Lists instances page by page, selects, drops exempt ones (noted), then asks the client once for the
 * snapshot sources of the whole selection (disks, local volumes, the VM, the system image): where
 * sources come from a region-wide listing (KEC local volumes, seed 000 L5657-5665; Apsara disks of
 * many instances) it is read once per scope, not once per page of instances. Only the id, name,
 * region and zone of each selected instance are kept until then (memory bounded by the selection).
 */
export async function listSources(client: VendorClient, scope: Scope, policy: SnapshotsPolicy, now: Date, failures: string[]): Promise<Inventory> {
  const notes: PlanNote[] = [];
  const chosen: SnapshotOwner[] = [];
  let selected = 0;
  try {
    for await (const page of client.listInstances(scope, { ids: policy.selector.ids, tagKeys: Object.keys(policy.selector.tags ?? {}) })) {
      for (const instance of page) {
        if (!matchesSelector(instance, policy.selector)) continue;
        if (instance.state === 'deleted' || instance.state === 'deleting' || instance.state === 'recycled') continue;
        selected++;
        const exemption = exemptionFor(instance, policy.exemptions, now);
        if (exemption.exempt) {
          notes.push({ resourceId: instance.id, action: 'snapshot', reason: exemption.reason ?? 'exempt', status: 'exempt' });
          continue;
        }
        if (instance.busyWith) {
          // The vendor still runs an operation on it (Tencent OPERATING): nothing new this run (sim/DECISIONS.md T17).
          notes.push({ resourceId: instance.id, action: 'snapshot', reason: `busy: the vendor is still running ${instance.busyWith} on it; no snapshot this run, the next run retries`, status: 'skipped' });
          continue;
        }
        chosen.push({ id: instance.id, name: instance.name, region: instance.region, ...(instance.zone !== undefined && { zone: instance.zone }) });
      }
    }
  } catch (e) {
    failures.push(`listing instances or their snapshot sources: ${(e as Error).message}`);
  }
  let sources: SnapshotSource[] = [];
  try {
    // what was selected before a listing failure still gets its sources (as when they were read per page)
    if (chosen.length) sources = await client.listSnapshotSources(scope, chosen);
  } catch (e) {
    failures.push(`listing instances or their snapshot sources: ${(e as Error).message}`);
  }
  return { sources, selected, notes };
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
