import type { AutomationSpec } from '../engine/run';
import { planSnapshotPolicies } from './plan';
import type { SnapshotsPolicy } from './policy';

export { decide, newestFirst, type RetentionItem, type RetentionVerdict, type KeepRule } from './decide';
export { slotAt, nativeSchedule, type Slot } from './schedule';
export { snapshotName, ourNamePattern, isOurs, nameMaxLength, DEFAULT_NAME_MAX } from './naming';
export * from './events';
export type { SnapshotsPolicy } from './policy';

/** Scheduled snapshots with retention (issue 8); decisions in DECISIONS.md next to this file. */
export const snapshotsSpec: AutomationSpec<SnapshotsPolicy> = {
  function: 'snapshots',
  // Skipped only where neither we nor the vendor can take snapshots; engine choice is per policy, in planSnapshotPolicies.
  requires: (c) => (c.snapshots === 'unsupported' && c.snapshotPolicies !== 'native' ? 'snapshots' : undefined),
  planPolicies: planSnapshotPolicies,
};
