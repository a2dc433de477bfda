/** The simulated KEC account: instances, local-volume snapshots, projects, spot price overrides. */

export const REGIONS: Record<string, { name: string; zones: string[] }> = {
  // seed 000 L6256-6262 and the DescribeRegions sample L5003-5037
  'cn-beijing-6': { name: '北京6区(VPC)', zones: ['cn-beijing-6a', 'cn-beijing-6b', 'cn-beijing-6c'] },
  'cn-shanghai-2': { name: '上海2区(VPC)', zones: ['cn-shanghai-2a', 'cn-shanghai-2b'] },
  'cn-guangzhou-1': { name: '广州1区(VPC)', zones: ['cn-guangzhou-1a'] },
  'cn-hongkong-2': { name: '香港2区(VPC)', zones: ['cn-hongkong-2a'] },
  'ap-singapore-1': { name: '新加坡1区(VPC)', zones: ['ap-singapore-1a'] },
  'eu-east-1': { name: '俄罗斯1区(VPC)', zones: ['eu-east-1a'] },
};
export const REGION_IDS = Object.keys(REGIONS);

export interface SimInstance {
  id: string;
  name: string;
  region: string;
  zone: string;
  projectId: number;
  instanceType: string;
  /** InstanceState.Name (seed 000 L6482-6489). */
  state: string;
  /** Monthly | Daily | PostPaidByHour | HourlyInstantSettlement | Spot. */
  chargeType: string;
  createdAtMs: number;
  autoDeleteAtMs?: number;
  spotStrategy?: 'SpotWithPriceLimit' | 'SpotAsPriceGo';
  spotPriceLimit?: string;
  /** SpotRecyclingTime: present only when a reclaim is imminent (seed 000 L6405-6410). */
  spotRecyclingAtMs?: number;
  rootDiskGb: number;
  dataDiskGb: number;
  /** Simulator bookkeeping, never sent: when it entered the recycle bin. */
  recycledAtMs?: number;
}

export interface SimSnapshot {
  id: string;
  name: string;
  desc?: string;
  region: string;
  sourceVolumeId: string;
  instanceId: string;
  category: 'system' | 'data';
  createdAtMs: number;
  state: string;
  /** The sample shows `auto` (seed 000 L4920); ours are `manual` (decision). */
  type: 'auto' | 'manual';
  diskSize: number;
}

const BEIJING_MS = 8 * 3600 * 1000;

/** Beijing wall time `yyyy-MM-dd HH:mm[:ss]` (seed 000 L3145, L6408). */
export function beijing(ms: number, seconds = true): string {
  const iso = new Date(ms + BEIJING_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/** Beijing wall time with the seed's literal `Z` (Instance.CreationDate, seed 000 L6345-6350). */
export function beijingZ(ms: number): string {
  return `${beijing(ms).replace(' ', 'T')}Z`;
}

/** Parses Beijing wall time `yyyy-MM-dd[T ]HH:mm[:ss][Z]`; undefined when malformed. */
export function parseBeijing(value: string, requireMinutesOnly = false): number | undefined {
  const re = requireMinutesOnly ? /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})()$/ : /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?$/;
  const m = re.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] || 0)];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(t);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return t - BEIJING_MS;
}

/** Local volumes derive from instances: `<id>-a` system, `<id>-c` data (seed 000 L5707-5730). */
export function volumesOf(i: SimInstance) {
  const vols: { id: string; name: string; category: 'system' | 'data'; size: number }[] = [{ id: `${i.id}-a`, name: `ksc-${i.id}-vda`, category: 'system', size: i.rootDiskGb }];
  if (i.dataDiskGb > 0) vols.push({ id: `${i.id}-c`, name: `ksc-${i.id}-vdc`, category: 'data' as const, size: i.dataDiskGb });
  return vols;
}

/** Hourly on-demand price in 1e-5 CNY: per-vCPU rate × size digit (N3.2B → 0.52400, as the samples, seed 000 L3253 / L3364). */
const FAMILY_RATE: Record<string, number> = { E1: 20000, N2: 25000, N3: 26200, I1: 30000, I2: 32000, C1: 28000, S3: 24000 };
export function onDemandMicro(instanceType: string): number {
  const [family = '', size = '1'] = instanceType.split('.');
  const n = Number.parseInt(size, 10) || 1;
  return (FAMILY_RATE[family] ?? 27000) * n;
}

/** Deterministic spot price for an hour: 15-35 % of on-demand, varying by type, zone and hour. */
export function spotMicro(instanceType: string, zone: string, hourMs: number): number {
  let h = 2166136261;
  for (const c of `${instanceType}|${zone}|${Math.floor(hourMs / 3_600_000)}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  const pct = 15 + ((h >>> 0) % 21);
  return Math.round((onDemandMicro(instanceType) * pct) / 100);
}

export const money = (micro: number) => Number((micro / 1e5).toFixed(5));
