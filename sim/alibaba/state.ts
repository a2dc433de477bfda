/** In-memory state of the simulated Apsara Stack ECS. Times are epoch ms on the business clock. */

export interface SimInstance {
  id: string;
  region: string;
  zone: string;
  name: string;
  description: string;
  instanceType: string;
  /** Pending | Starting | Running | Stopping | Stopped (seed 001 L9684-9697). */
  status: string;
  createdAt: number;
  /** PostPaid | PrePaid (sample-only field, seed 001 L1765). */
  chargeType: string;
  expiredAt?: number;
  /** OperationLocks LockReason=security (seed 001 L9776-9824). */
  locked?: boolean;
  /** SpotStrategy of the SDK model (not in seed 001): SpotAsPriceGo / SpotWithPriceLimit make a PostPaid instance spot. */
  spotStrategy?: string;
  /** A transitional status (Stopping, Starting) settles at this business time. */
  settleAt?: number;
}

export interface SimDisk {
  id: string;
  region: string;
  zone: string;
  instanceId?: string;
  type: 'system' | 'data';
  category: string;
  size: number;
  name: string;
  createdAt: number;
  deleteWithInstance: boolean;
  deleteAutoSnapshot: boolean;
  policyId?: string;
}

export interface SimSnapshot {
  id: string;
  region: string;
  name: string;
  description: string;
  diskId: string;
  diskSize: number;
  diskType: 'System' | 'Data';
  createdAt: number;
  status: 'progressing' | 'accomplished' | 'failed';
  usage: 'none' | 'image' | 'disk' | 'image_disk';
  auto: boolean;
  settleAt?: number;
}

export interface SimPolicy {
  id: string;
  region: string;
  name: string;
  timePoints: string[];
  weekdays: string[];
  retentionDays: number;
  createdAt: number;
}

export type ResourceType = 'instance' | 'disk' | 'snapshot' | 'image' | 'securitygroup';

/**
 * The documented variety a real deployment may send (decision A17), off by default:
 * - `pageClamp`: pages hold at most this many items whatever PageSize asks (short pages before the last);
 * - `sdkShapes`: the public SDK's spellings where seed 001 has another (`AutoSnapshotPolicies`, the
 *   `OperationLock` lock node), no `AutoSnapshotPolicyId` on disks (DiskItemType, L8402-8441) — the
 *   opposite of the default mode;
 * - `dropChargeEvery`: every n-th instance lacks the sample-only InstanceChargeType (not in L8946-8987).
 */
export interface AlibabaShapes {
  pageClamp?: number;
  sdkShapes?: boolean;
  dropChargeEvery?: number;
}

export class AlibabaState {
  shapes: AlibabaShapes = {};
  /** Actions the caller's AccessKey may not call: answered `Forbidden.RAM` 403 (seed 001 L9729). */
  readonly denied = new Set<string>();
  regions = ['cn-qingdao-sg-d01', 'cn-hangzhou'];
  readonly instances = new Map<string, SimInstance>();
  readonly disks = new Map<string, SimDisk>();
  readonly snapshots = new Map<string, SimSnapshot>();
  readonly policies = new Map<string, SimPolicy>();
  /** `${type}:${id}` → key → value. */
  readonly tags = new Map<string, Map<string, string>>();
  /** ClientToken → fingerprint of the parameters and the first answer (seed 001 L9764-9774). */
  readonly tokens = new Map<string, { fingerprint: string; body: Record<string, unknown> }>();
  /** Business-time delay of Stopping → Stopped and of snapshot completion (0: settled by the next request). */
  stopDelayMs = 0;
  snapshotDelayMs = 0;
  private version = 0;
  private counter = 0;
  private readonly listCache = new Map<string, { version: number; items: unknown[] }>();

  changed(): void {
    this.version++;
  }

  newId(prefix: string, hex: () => string): string {
    return `${prefix}-${hex()}${(this.counter++).toString(36)}`;
  }

  tagsOf(type: ResourceType, id: string): Map<string, string> {
    const key = `${type}:${id}`;
    let t = this.tags.get(key);
    if (!t) {
      t = new Map();
      this.tags.set(key, t);
    }
    return t;
  }

  peekTags(type: ResourceType, id: string): Map<string, string> | undefined {
    return this.tags.get(`${type}:${id}`);
  }

  /** Filtered, sorted listing cached until the next change, so paging a large fleet is O(page) per request. */
  cached<T>(key: string, build: () => T[]): T[] {
    const hit = this.listCache.get(key);
    if (hit && hit.version === this.version) return hit.items as T[];
    const items = build();
    if (this.listCache.size > 64) this.listCache.clear();
    this.listCache.set(key, { version: this.version, items });
    return items;
  }

  /** Moves transitional states on by the business clock. */
  settle(nowMs: number): void {
    let moved = false;
    for (const i of this.pendingInstances) {
      const inst = this.instances.get(i);
      if (!inst || inst.settleAt === undefined) {
        this.pendingInstances.delete(i);
        continue;
      }
      if (inst.settleAt <= nowMs) {
        inst.status = inst.status === 'Stopping' ? 'Stopped' : 'Running';
        inst.settleAt = undefined;
        this.pendingInstances.delete(i);
        moved = true;
      }
    }
    for (const s of this.pendingSnapshots) {
      const snap = this.snapshots.get(s);
      if (!snap || snap.settleAt === undefined) {
        this.pendingSnapshots.delete(s);
        continue;
      }
      if (snap.settleAt <= nowMs) {
        snap.status = 'accomplished';
        snap.settleAt = undefined;
        this.pendingSnapshots.delete(s);
        moved = true;
      }
    }
    if (moved) this.changed();
  }

  readonly pendingInstances = new Set<string>();
  readonly pendingSnapshots = new Set<string>();

  deleteInstance(id: string): void {
    this.instances.delete(id);
    this.tags.delete(`instance:${id}`);
    // Disks with DeleteWithInstance go; their manual snapshots stay, auto ones per DeleteAutoSnapshot (seed 001 L1356)
    for (const disk of [...this.disks.values()]) {
      if (disk.instanceId !== id) continue;
      if (!disk.deleteWithInstance) {
        disk.instanceId = undefined;
        continue;
      }
      this.disks.delete(disk.id);
      if (disk.deleteAutoSnapshot) for (const s of [...this.snapshots.values()]) if (s.diskId === disk.id && s.auto) this.snapshots.delete(s.id);
    }
    this.changed();
  }
}
