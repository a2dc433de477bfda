import type { AutomationConfig } from '../../config/schema';
import { failedOutcome, mapBounded, MUTATION_CONCURRENCY, type BatchOutcome, type Scope, type VendorClient } from '../../vendors/core';

/** Our soft-delete bin, for vendors without a recycle bin: stop the instance, tag it with its purge time. */
export const DEFAULT_SOFT_DELETE_TAG = 'cloud-automation:purge-at';
export const DEFAULT_SOFT_DELETE_RETENTION_DAYS = 7;

export interface SoftDeleteSettings {
  /** Tag whose value is the purge time (UTC ISO). */
  tag: string;
  /** Days an instance stays in the bin before the recycle-bin function purges it. */
  retentionDays: number;
}

/** The first recycle-bin policy covering the target decides the bin's tag and retention (auto-delete fills the bin, recycle-bin empties it). */
export function softDeleteSettingsFor(config: AutomationConfig, target: string): SoftDeleteSettings {
  const policy = (config.policies.recycleBin ?? []).find(
    (p) => !p.targets?.length || p.targets.includes(target),
  );
  return {
    tag: policy?.softDeleteTag ?? DEFAULT_SOFT_DELETE_TAG,
    retentionDays: policy?.retentionDays ?? DEFAULT_SOFT_DELETE_RETENTION_DAYS,
  };
}

/** Stop (batched), then tag each stopped instance (several at once); an id fails if either step fails. */
export function softDeleteRun(client: VendorClient, scope: Scope, tag: string, purgeAt: string) {
  return async (ids: string[]): Promise<BatchOutcome[]> => {
    const stopped = await client.stopInstances(scope, ids);
    return mapBounded(stopped, MUTATION_CONCURRENCY, async (s) => {
      if (!s.ok) return s;
      const tagged = await settle(s.id, client.setTags(scope, s.id, { [tag]: purgeAt }));
      return tagged.ok ? { ...tagged, requestId: tagged.requestId ?? s.requestId } : tagged;
    });
  };
}

/** A tag call that throws fails its own id: the instances already stopped keep their outcomes. */
async function settle(id: string, call: Promise<BatchOutcome>): Promise<BatchOutcome> {
  try {
    return await call;
  } catch (e) {
    return failedOutcome(id, e);
  }
}

/**
 * Takes instances out of our bin: remove the purge tag first (so nothing purges them meanwhile),
 * then start them where the client can (`recycleRestore` not unsupported).
 */
export function softRestoreRun(client: VendorClient, scope: Scope, tag: string) {
  return async (ids: string[]): Promise<BatchOutcome[]> => {
    const out: BatchOutcome[] = [];
    const untagged: string[] = [];
    const removed = await mapBounded(ids, MUTATION_CONCURRENCY, (id) => settle(id, client.removeTags(scope, id, [tag])));
    ids.forEach((id, i) => (removed[i]!.ok ? untagged.push(id) : out.push(removed[i]!)));
    if (!untagged.length || client.capabilities.recycleRestore === 'unsupported')
      return [...out, ...untagged.map((id) => ({ id, ok: true }))];
    const items = untagged.map((id) => ({
      vendor: client.vendor,
      target: client.target,
      region: scope.region,
      kind: 'instance' as const,
      id,
    }));
    return [...out, ...(await client.restoreRecycled(scope, items))];
  };
}
