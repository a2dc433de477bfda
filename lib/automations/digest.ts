import { z } from 'zod';
import type { NoticeAction, ScopeArgs } from './engine/types';
import { UNDO } from './undo';

/**
 * The per-owner digest of a scope's warnings (deletions, purges), once per policy × target × region
 * and UTC day: the same grouping as the renewal digest, owners from the policy's `ownerTag`.
 */
export const warningDigestDetailSchema = z.strictObject({
  policy: z.string().min(1),
  vendor: z.string().min(1),
  target: z.string().min(1),
  region: z.string().min(1),
  /** Run date (UTC, yyyy-mm-dd). */
  date: z.iso.date(),
  owners: z.array(
    z.strictObject({
      /** Value of the owner tag; null when the resource has none. */
      owner: z.string().nullable(),
      entries: z.array(z.strictObject({ resourceId: z.string().min(1), name: z.string().optional(), dueAt: z.string(), reason: z.string() })),
    }),
  ),
  count: z.int().nonnegative(),
  /** Filled in by the engine when it publishes. */
  actionKey: z.string().optional(),
  runId: z.string().optional(),
});
export type WarningDigestDetail = z.infer<typeof warningDigestDetailSchema>;

export interface WarningEntry {
  owner: string | null;
  resourceId: string;
  name?: string;
  dueAt: string;
  reason: string;
}

/** Owners sorted, no owner last; entries by due time. Undefined when there is nothing to say. */
export function warningDigest(
  args: Pick<ScopeArgs<{ name: string }>, 'deps' | 'policy' | 'client' | 'target' | 'scope'>,
  detailType: string,
  entries: WarningEntry[],
): NoticeAction | undefined {
  if (!entries.length) return undefined;
  const groups = new Map<string | null, WarningEntry[]>();
  for (const e of entries) groups.set(e.owner, [...(groups.get(e.owner) ?? []), e]);
  const owners = [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([owner, list]) => ({
      owner,
      entries: list
        .sort((x, y) => x.dueAt.localeCompare(y.dueAt) || x.resourceId.localeCompare(y.resourceId))
        .map(({ owner: _owner, ...rest }) => rest),
    }));
  const date = args.deps.now.toISOString().slice(0, 10);
  const detail = warningDigestDetailSchema.parse({
    policy: args.policy.name,
    vendor: args.client.vendor,
    target: args.target.name,
    region: args.scope.region,
    date,
    owners,
    count: entries.length,
  });
  return {
    kind: 'notice',
    resourceId: `${detailType.toLowerCase().replace(/ /g, '-')}`,
    resourceKind: 'other',
    action: 'send-digest',
    reason: `digest of ${entries.length} warning(s) for ${owners.length} owner(s)`,
    slot: date,
    destructive: false,
    undoHint: UNDO.notice,
    event: { detailType, detail },
  };
}
