import { Rng } from '../core';

/**
 * Seeded "real shapes" mode for KEC (sim/DECISIONS.md K5). No Kingsoft SDK model exists on npm
 * (K4), so the variation follows seed 000 itself: fields its samples show only sometimes are left
 * out, timer fields with no value come as null rather than absent, `Return` comes as the tables'
 * String "true" (L6554-6569) as well as the samples' boolean, and pages are short now and then.
 */
export class KecShapes {
  private readonly rng: Rng;
  readonly stats = { nulls: 0, absent: 0, stringReturns: 0, shortPages: 0 };

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** Leaves out optional fields outside `keep`; sends the listed nullable fields as null when unset. */
  vary<T extends Record<string, unknown>>(rendered: T, keep: ReadonlySet<string>, nullable: readonly string[] = []): T {
    const out: Record<string, unknown> = { ...rendered };
    for (const name of nullable) {
      if (out[name] === undefined && this.rng.chance(0.5)) {
        out[name] = null;
        this.stats.nulls++;
      }
    }
    for (const name of Object.keys(out)) {
      if (!keep.has(name) && out[name] !== null && this.rng.chance(0.2)) {
        delete out[name];
        this.stats.absent++;
      }
    }
    return out as T;
  }

  /** `Return` as a JSON boolean (samples) or the tables' String. */
  returnFlag(ok: boolean): boolean | string {
    if (!this.rng.chance(0.5)) return ok;
    this.stats.stringReturns++;
    return String(ok);
  }

  pageLength(limit: number, remaining: number): number {
    const full = Math.min(limit, remaining);
    if (full <= 1 || !this.rng.chance(0.3)) return full;
    this.stats.shortPages++;
    return this.rng.int(1, full - 1);
  }
}

/** What identifies and decides: never left out. */
export const KEC_INSTANCE_CORE = new Set(['InstanceId', 'InstanceName', 'InstanceState', 'ChargeType', 'CreationDate', 'AvailabilityZone', 'ProjectId', 'InstanceType', 'AutoDeleteTime', 'SpotRecyclingTime', 'SpotPriceLimit', 'SpotStrategy']);
export const KEC_VOLUME_CORE = new Set(['LocalVolumeId', 'InstanceId', 'LocalVolumeCategory', 'LocalVolumeName']);
export const KEC_SNAPSHOT_CORE = new Set(['LocalVolumeSnapshotId', 'LocalVolumeSnapshotName', 'SourceLocalVolumeId', 'State', 'CreationDate', 'InstanceId']);
export const KEC_INSTANCE_NULLABLE = ['AutoDeleteTime', 'SpotRecyclingTime', 'SpotPriceLimit', 'SpotStrategy'] as const;
