/**
 * In-memory state of the simulated CECSTACK ECS (seed 003). Times are epoch milliseconds on the
 * shared business clock; rendering to the wire formats happens in `render.ts`.
 */
export interface SimLabel {
  key: string;
  value: string;
}

export interface SimVolume {
  volumeUuid: string;
  name: string;
  sizeGb: number;
  /** Subscription disks carry their own expiry (seed 003 L6494-6505). */
  expiresAt?: number;
}

export interface SimVm {
  ecsId: string;
  displayName: string;
  /** Wire spelling, PascalCase (seed 003 L5720). */
  status: string;
  billingMode: 'ByCycle' | 'OnDemand';
  expiresAt?: number;
  createdAt: number;
  region: string;
  az: string;
  flavorId: string;
  /** Monthly price of the VM in fen (cents), so money stays integral in the simulator. */
  monthlyFen: number;
  departmentId: string;
  resourceGroupId: string;
  labels: SimLabel[];
  isLock: boolean;
  bRecycle: boolean;
  softDeletedAt?: number;
  volumes: SimVolume[];
  eips: { eipId: string; expiresAt?: number; monthlyFen: number }[];
  policyId?: string;
}

export interface SimSnapshot {
  ecsSnapshotId: string;
  name: string;
  ecsId: string;
  region: string;
  createdAt: number;
  type: 'manual' | 'auto';
  /** In the recycle bin: hidden from the snapshot list. */
  recycled: boolean;
}

export interface SimPolicy {
  policyId: string;
  policyName: string;
  region: string;
  hourOfDay: string;
  weekDays: string;
  expire: number;
  status: 'enabled' | 'disabled';
  createdAt: number;
  bindEcs: Set<string>;
}

export interface SimRecycleEntry {
  id: number;
  instanceId: string;
  instanceName: string;
  /** `ecsSnapshot` per the sample (seed 003 L13171); `ecs` for VMs is our decision (D9). */
  instanceType: 'ecs' | 'ecsSnapshot';
  region: string;
  zone: string;
  createdAt: number;
  /** Epoch seconds (seed 003 L13175). */
  cleanAt: number;
  associatedEcsId: string;
  associatedEcsName: string;
}

export class SimState {
  readonly vms = new Map<string, SimVm>();
  readonly snapshots = new Map<string, SimSnapshot>();
  readonly policies = new Map<string, SimPolicy>();
  readonly recycle = new Map<string, SimRecycleEntry>();
  recycleConfig = { enable: true, freezeTime: 7 };
  /** Bumped on every change that can alter a listing (list caches key on it). */
  version = 0;
  private seq = 0;

  nextSeq(): number {
    return ++this.seq;
  }

  touch(): void {
    this.version++;
  }
}
