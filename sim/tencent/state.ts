import type { RealShapes } from './shapes';

/** In-memory CVM state: instances and images per region, lazily advanced on the business clock. */

export type ChargeType = 'PREPAID' | 'POSTPAID_BY_HOUR' | 'SPOTPAID' | 'CDHPAID';
export type RenewFlag = 'NOTIFY_AND_AUTO_RENEW' | 'NOTIFY_AND_MANUAL_RENEW' | 'DISABLE_NOTIFY_AND_MANUAL_RENEW';

export interface SimInstance {
  InstanceId: string;
  InstanceName: string;
  InstanceType: string;
  InstanceState: string;
  RestrictState: 'NORMAL' | 'EXPIRED' | 'PROTECTIVELY_ISOLATED';
  InstanceChargeType: ChargeType;
  RenewFlag?: RenewFlag;
  region: string;
  zone: string;
  projectId: number;
  createdMs: number;
  expiredMs?: number;
  tags: Record<string, string>;
  imageId: string;
  /** Business time at which a pending transition (STOPPING→STOPPED, TERMINATING→gone, …) completes. */
  transitionAtMs?: number;
  /** Business time at which an instance in SHUTDOWN is destroyed. */
  purgeAtMs?: number;
  /** "Rules for returning instances" (seed 004 L2141): false answers InvalidInstanceNotSupportedPrepaidInstance. */
  returnable: boolean;
  latestOperation?: string;
  latestOperationState?: 'SUCCESS' | 'OPERATING' | 'FAILED';
  spotMaxPrice?: string;
  /** Termination protection (SDK model Instance.DisableApiTermination): TerminateInstances is refused. */
  disableApiTermination?: boolean;
  /** Why an instance is in SHUTDOWN (SDK model Instance.IsolatedSource); NOTISOLATED otherwise. */
  isolatedSource?: 'ARREAR' | 'EXPIRE' | 'MANMADE';
}

export interface SimImage {
  ImageId: string;
  ImageName: string;
  ImageDescription: string;
  ImageType: 'PRIVATE_IMAGE' | 'PUBLIC_IMAGE' | 'SHARED_IMAGE';
  ImageState: 'CREATING' | 'NORMAL' | 'USING' | 'CREATEFAILED';
  region: string;
  createdMs: number;
  readyAtMs?: number;
  sourceInstanceId?: string;
  shared: boolean;
  sizeGb: number;
  /** Image tags (SDK model Image.Tags; absent from seed 004's Image type). */
  tags?: Record<string, string>;
}

export const REGIONS: { Region: string; RegionName: string }[] = [
  { Region: 'ap-guangzhou', RegionName: 'South China (Guangzhou)' },
  { Region: 'ap-shanghai', RegionName: 'East China (Shanghai)' },
  { Region: 'ap-beijing', RegionName: 'North China (Beijing)' },
  { Region: 'ap-shanghai-fsi', RegionName: 'East China (Shanghai Finance)' },
];
export const zonesOf = (region: string) => [1, 2, 3].map((n) => `${region}-${n}`);

/** Hourly on-demand price in fen (CNY cents) per type; integers, so the simulator never does float money. */
export const TYPE_PRICES_FEN: Record<string, number> = { 'S1.SMALL1': 12, 'S2.SMALL2': 22, 'S2.MEDIUM4': 64, 'S3.LARGE8': 128, 'S3.2XLARGE16': 256 };
export const TYPE_SPECS: Record<string, { cpu: number; memory: number }> = {
  'S1.SMALL1': { cpu: 1, memory: 1 },
  'S2.SMALL2': { cpu: 1, memory: 2 },
  'S2.MEDIUM4': { cpu: 2, memory: 4 },
  'S3.LARGE8': { cpu: 4, memory: 8 },
  'S3.2XLARGE16': { cpu: 8, memory: 16 },
};

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** Adds calendar months in UTC (renewal periods are months, seed 004 L6521). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.round(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `YYYY-MM-DDThh:mm:ssZ` (seed 004 L6511-6512). */
export const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

export class CvmState {
  readonly instances = new Map<string, SimInstance>();
  readonly images = new Map<string, SimImage>();
  /** Seeded real-shapes mode (sim/DECISIONS.md T20); off unless the options ask for it. */
  shapes?: RealShapes;
  /** Bumped on every change: listings cache their filtered views per version. */
  version = 0;
  private nextEventMs = Number.POSITIVE_INFINITY;
  private idCounter = 0;

  constructor(
    readonly options: { transitionMs: number; isolationDays: number; expiredRetentionDays: number; imageQuota: number },
  ) {}

  newId(prefix: 'ins' | 'img'): string {
    let id: string;
    do {
      this.idCounter++;
      id = `${prefix}-${(this.idCounter * 2654435761 >>> 0).toString(36).padStart(8, '0').slice(-8)}`;
    } while (this.instances.has(id) || this.images.has(id));
    return id;
  }

  touch(eventAtMs?: number): void {
    this.version++;
    if (eventAtMs !== undefined && eventAtMs < this.nextEventMs) this.nextEventMs = eventAtMs;
  }

  addInstance(i: SimInstance): void {
    this.instances.set(i.InstanceId, i);
    this.touch(this.eventOf(i));
  }

  addImage(i: SimImage): void {
    this.images.set(i.ImageId, i);
    this.touch(i.readyAtMs);
  }

  /** Records a change to an instance (and the moment it next changes by itself). */
  changed(i: SimInstance): void {
    this.touch(this.eventOf(i));
  }

  /** The next moment this instance changes by itself, if any. */
  private eventOf(i: SimInstance): number | undefined {
    const times = [i.transitionAtMs, i.purgeAtMs];
    if (i.InstanceChargeType === 'PREPAID' && i.InstanceState !== 'SHUTDOWN' && i.InstanceState !== 'TERMINATING') times.push(i.expiredMs);
    const defined = times.filter((t): t is number => t !== undefined);
    return defined.length ? Math.min(...defined) : undefined;
  }

  /**
   * Advances every instance and image to `nowMs`. Runs only when something is due, so paging a
   * large fleet stays linear.
   */
  settle(nowMs: number): void {
    if (nowMs < this.nextEventMs) return;
    this.nextEventMs = Number.POSITIVE_INFINITY;
    let changed = false;
    for (const i of this.instances.values()) {
      if (this.advance(i, nowMs)) changed = true;
      if (!this.instances.has(i.InstanceId)) continue;
      const next = this.eventOf(i);
      if (next !== undefined && next < this.nextEventMs) this.nextEventMs = next;
    }
    for (const img of this.images.values()) {
      if (img.ImageState === 'CREATING' && img.readyAtMs !== undefined) {
        if (img.readyAtMs <= nowMs) {
          img.ImageState = 'NORMAL';
          changed = true;
        } else if (img.readyAtMs < this.nextEventMs) this.nextEventMs = img.readyAtMs;
      }
    }
    if (changed) this.version++;
  }

  private advance(i: SimInstance, nowMs: number): boolean {
    let changed = false;
    if (i.transitionAtMs !== undefined && i.transitionAtMs <= nowMs) {
      const done: Record<string, string> = { PENDING: 'RUNNING', STARTING: 'RUNNING', STOPPING: 'STOPPED', REBOOTING: 'RUNNING' };
      i.transitionAtMs = undefined;
      changed = true;
      if (i.InstanceState === 'TERMINATING') {
        this.instances.delete(i.InstanceId);
        return true;
      }
      i.InstanceState = done[i.InstanceState] ?? i.InstanceState;
      if (i.latestOperationState === 'OPERATING') i.latestOperationState = 'SUCCESS';
    }
    // Prepaid expiry: auto-renew extends by a month (seed 004 L3400); otherwise isolation (DECISIONS.md D3).
    if (i.InstanceChargeType === 'PREPAID' && i.expiredMs !== undefined && i.expiredMs <= nowMs && i.InstanceState !== 'SHUTDOWN' && i.InstanceState !== 'TERMINATING') {
      changed = true;
      if (i.RenewFlag === 'NOTIFY_AND_AUTO_RENEW') {
        while (i.expiredMs <= nowMs) i.expiredMs = addMonths(i.expiredMs, 1);
      } else {
        i.InstanceState = 'SHUTDOWN';
        i.RestrictState = 'EXPIRED';
        i.isolatedSource = 'EXPIRE';
        i.purgeAtMs = i.expiredMs + this.options.expiredRetentionDays * DAY_MS;
      }
    }
    if (i.purgeAtMs !== undefined && i.purgeAtMs <= nowMs) {
      this.instances.delete(i.InstanceId);
      return true;
    }
    return changed;
  }
}
