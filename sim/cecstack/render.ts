import type { SimPolicy, SimRecycleEntry, SimSnapshot, SimVm } from './state';

const BEIJING_MS = 8 * 3600 * 1000;
/** Go zero time = unset (seed 003 L5688). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 in Beijing time with milliseconds, as the samples write it (`2024-07-18T17:49:09.555+08:00`). */
export function rfc3339(ms: number | undefined): string {
  if (ms === undefined) return ZERO_TIME;
  return `${new Date(ms + BEIJING_MS).toISOString().slice(0, 23)}+08:00`;
}

/** End of the Beijing day of `ms` (renewal `expireTime` is `…T23:59:59+08:00`, seed 003 L6489). */
export function endOfBeijingDay(ms: number): number {
  const day = Math.floor((ms + BEIJING_MS) / 86_400_000);
  return (day + 1) * 86_400_000 - BEIJING_MS - 1000;
}

export function yuan(fen: number): number {
  return fen / 100;
}

export function displayYuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

export function renderVm(vm: SimVm, now: number) {
  const countdown = vm.expiresAt === undefined ? 0 : Math.max(0, Math.ceil((vm.expiresAt - now) / 86_400_000));
  return {
    createdAt: rfc3339(vm.createdAt),
    updatedAt: rfc3339(vm.createdAt),
    deletedAt: null,
    expiredAt: rfc3339(vm.expiresAt),
    expireCountdown: countdown,
    id: Number.parseInt(vm.ecsId.slice(4, 10), 36) % 100000,
    displayName: vm.displayName,
    description: '',
    ecsId: vm.ecsId,
    hostName: vm.displayName,
    tenantId: '1849876287452087118',
    region: vm.region,
    az: vm.az,
    cpuArch: 'x86',
    osType: 'linux',
    status: vm.status,
    taskStatus: vm.status,
    taskAt: ZERO_TIME,
    flavorId: vm.flavorId,
    billingMode: vm.billingMode,
    hardDeletedAt: null,
    softDeletedAt: vm.softDeletedAt === undefined ? null : rfc3339(vm.softDeletedAt),
    blockDeviceMappings: vm.volumes.map((v, i) => ({ name: v.name, volumeUuid: v.volumeUuid, volumeSize: v.sizeGb, isOSDisk: i === 0, status: 'inUse' })),
    eipMappings: vm.eips.map((e) => ({ eipId: e.eipId })),
    departmentId: vm.departmentId,
    resourceGroupId: vm.resourceGroupId,
    snapshotPolicyBind: vm.policyId ? { policyId: vm.policyId } : null,
    bRecycle: vm.bRecycle,
    vmLabels: vm.labels.length ? vm.labels.map((l) => ({ ...l })) : null,
    isLock: vm.isLock,
  };
}

export function renderSnapshot(s: SimSnapshot, now: number, expire?: number) {
  return {
    createdAt: rfc3339(s.createdAt),
    updatedAt: rfc3339(s.createdAt),
    deletedAt: null,
    id: Number.parseInt(s.ecsSnapshotId.slice(-6), 36) % 100000,
    region: s.region,
    departmentId: '',
    resourceGroupId: '0',
    ecsSnapshotId: s.ecsSnapshotId,
    ecsSnapshotName: s.name,
    tenantId: '1849876287452087118',
    ecsId: s.ecsId,
    consistencySnapshotId: 0,
    // creation takes a minute of business time (creating → available, seed 003 L11025 vs L10883)
    status: now - s.createdAt < 60_000 ? 'creating' : 'available',
    type: s.type,
    // policy `expire` is minutes ("过期时间（分钟）", seed 003 L11467; D11)
    expiredAt: expire ? rfc3339(s.createdAt + expire * 60_000) : ZERO_TIME,
    description: '',
    errorMessage: '',
    volumeSnapshots: null,
  };
}

export function renderPolicy(p: SimPolicy, now: number) {
  return {
    createdAt: rfc3339(p.createdAt),
    updatedAt: rfc3339(p.createdAt),
    deletedAt: null,
    id: Number.parseInt(p.policyId.slice(-6), 36) % 100000,
    region: p.region,
    departmentId: '',
    resourceGroupId: '',
    tenantId: '1849876287452087118',
    policyId: p.policyId,
    policyName: p.policyName,
    executeAt: rfc3339(nextRun(p, now)),
    hourOfDay: p.hourOfDay,
    weekDays: p.weekDays,
    status: p.status,
    expire: p.expire,
    bindEcs: p.bindEcs.size ? [...p.bindEcs] : null,
    bindEcsCount: p.bindEcs.size,
  };
}

/** Next (weekday, hour) slot in Beijing time after `now` (executeAt, seed 003 L11386). */
export function nextRun(p: Pick<SimPolicy, 'hourOfDay' | 'weekDays'>, now: number): number | undefined {
  const hours = new Set(p.hourOfDay.split(',').map(Number));
  const days = new Set(p.weekDays.split(',').map((d) => (Number(d) === 0 ? 7 : Number(d))));
  const startHour = Math.floor((now + BEIJING_MS) / 3_600_000) + 1;
  for (let h = startHour; h < startHour + 24 * 8; h++) {
    const local = new Date(h * 3_600_000);
    const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
    if (hours.has(local.getUTCHours()) && days.has(weekday)) return h * 3_600_000 - BEIJING_MS;
  }
  return undefined;
}

export function renderRecycle(e: SimRecycleEntry) {
  return {
    createdAt: rfc3339(e.createdAt),
    updatedAt: rfc3339(e.createdAt),
    deletedAt: null,
    id: e.id,
    instanceName: e.instanceName,
    instanceId: e.instanceId,
    instanceType: e.instanceType,
    zone: e.zone,
    tenantId: '1849876287452087118',
    tenantName: 'sim',
    cleanAt: e.cleanAt,
    count: 0,
    associatedEcsId: e.associatedEcsId,
    associatedEcsName: e.associatedEcsName,
    departmentId: '',
    resourceGroupId: '',
    departmentName: '',
    resourceGroupName: '',
  };
}

/** The recycled-VM detail is a creation spec (seed 003 L13335-13440), not the VM object. */
export function renderRecycledVm(vm: SimVm) {
  return {
    az: vm.az,
    region: vm.region,
    ecsId: vm.ecsId,
    displayName: vm.displayName,
    cpus: 1,
    memory: { amount: '1Gi' },
    volumes: vm.volumes.map((v, i) => ({ name: v.name, volumeSize: v.sizeGb, isOsDisk: i === 0, volumeUuid: v.volumeUuid })),
    departmentId: vm.departmentId,
    resourceGroupId: vm.resourceGroupId,
    flavorId: vm.flavorId,
    billingMode: vm.billingMode,
    flavorName: vm.flavorId,
  };
}
