import type { SnapshotPolicy } from '../../config/schema';

/** A `policies.snapshots[]` entry, defaults applied (lib/config/schema.ts). */
export type SnapshotsPolicy = SnapshotPolicy;
export type SnapshotSchedule = SnapshotsPolicy['schedule'];
export type RetentionRules = SnapshotsPolicy['retention'];

/**
 * Our mark where the vendor has tags (capabilities.tags native). Only this one: Tencent keeps tags
 * in the 60-character image description (seed 004 L4656), and every vendor's snapshot records its
 * source itself (Snapshot.sourceId). Which policy made a snapshot is told by its name.
 */
export const MANAGED_TAG = 'cloud-automation:managed';
