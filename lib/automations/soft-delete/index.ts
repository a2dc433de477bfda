import type { AutomationConfig } from '../../config/schema';
import type { BatchOutcome, Scope, VendorClient } from '../../vendors/core';

/** Our soft-delete bin, for vendors without a recycle bin: stop the instance, tag it with its purge time. */
export const DEFAULT_SOFT_DELETE_TAG = 'cloud-automation:purge-at';

export function softDeleteTagFor(config: AutomationConfig, target: string): string {
  const policy = (config.policies.recycleBin ?? []).find((p) => !p.targets?.length || p.targets.includes(target));
  return policy?.softDeleteTag ?? DEFAULT_SOFT_DELETE_TAG;
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
      out.push(await client.setTags(scope, s.id, { [tag]: purgeAt }));
    }
    return out;
  };
}
