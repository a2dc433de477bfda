import type { AutomationConfig } from '../../config/schema';
import type { BatchOutcome, Scope, VendorClient } from '../../vendors/core';

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

/** Stop (batched), then tag each stopped instance; an id fails if either step fails. */
export function softDeleteRun(client: VendorClient, scope: Scope, tag: string, purgeAt: string) {
  return async (ids: string[]): Promise<BatchOutcome[]> => {
    const stopped = await client.stopInstances(scope, ids);
    const out: BatchOutcome[] = [];
    for (const s of stopped) {
      if (!s.ok) {
        out.push(s);
        continue;
      }
      const tagged = await client.setTags(scope, s.id, { [tag]: purgeAt });
      out.push(tagged.ok ? { ...tagged, requestId: tagged.requestId ?? s.requestId } : tagged);
    }
    return out;
  };
}

/**
 * Takes instances out of our bin: remove the purge tag first (so nothing purges them meanwhile),
 * then start them where the client can (`recycleRestore` not unsupported).
 */
export function softRestoreRun(client: VendorClient, scope: Scope, tag: string) {
  return async (ids: string[]): Promise<BatchOutcome[]> => {
    const out: BatchOutcome[] = [];
    const untagged: string[] = [];
    for (const id of ids) {
      const r = await client.removeTags(scope, id, [tag]);
      if (r.ok) untagged.push(id);
      else out.push(r);
    }
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
