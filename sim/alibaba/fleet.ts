import type { FleetOptions, Rng } from '../core';
import type { AlibabaState, SimDisk, SimInstance, SimSnapshot } from './state';

const DAY = 86_400_000;
const TYPES = ['ecs.n4.large', 'ecs.sn1ne.xlarge', 'ecs.g5.large', 'ecs.c5.2xlarge'];

/** `2026-11-24T11:00:00+08:00`: the auto-delete tag is written in Beijing time. */
const beijing = (ms: number) => `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

export interface Builders {
  instance(partial: Partial<SimInstance> & { region: string }, rng: Rng): SimInstance;
  disk(instance: SimInstance, type: 'system' | 'data', rng: Rng): SimDisk;
  snapshot(disk: SimDisk, partial: Partial<SimSnapshot>, rng: Rng): SimSnapshot;
}

export function builders(state: AlibabaState, now: () => number): Builders {
  return {
    instance(partial, rng) {
      const id = partial.id ?? state.newId('i', () => rng.hex(8));
      const inst: SimInstance = {
        id,
        zone: `${partial.region}-a`,
        name: `host-${id.slice(2, 10)}`,
        description: '',
        instanceType: rng.pick(TYPES),
        status: 'Running',
        createdAt: now() - rng.int(1, 400) * DAY,
        chargeType: 'PostPaid',
        ...partial,
      };
      state.instances.set(id, inst);
      state.changed();
      return inst;
    },
    disk(instance, type, rng) {
      const disk: SimDisk = {
        id: state.newId('d', () => rng.hex(8)),
        region: instance.region,
        zone: instance.zone,
        instanceId: instance.id,
        type,
        category: type === 'system' ? 'cloud_efficiency' : 'cloud_ssd',
        size: type === 'system' ? 40 : rng.pick([100, 200, 500]),
        name: `${instance.name}-${type}`,
        createdAt: instance.createdAt,
        deleteWithInstance: type === 'system',
        deleteAutoSnapshot: true,
      };
      state.disks.set(disk.id, disk);
      state.changed();
      return disk;
    },
    snapshot(disk, partial, rng) {
      const snap: SimSnapshot = {
        id: state.newId('s', () => rng.hex(8)),
        region: disk.region,
        name: '',
        description: '',
        diskId: disk.id,
        diskSize: disk.size,
        diskType: disk.type === 'system' ? 'System' : 'Data',
        createdAt: now(),
        status: 'accomplished',
        usage: 'none',
        auto: false,
        ...partial,
      };
      state.snapshots.set(snap.id, snap);
      state.changed();
      return snap;
    },
  };
}

/** A deterministic fleet; with `demo`, the mix the automations act on (brief: vendor.md, simulator contract). */
export function seedFleet(state: AlibabaState, b: Builders, options: FleetOptions): void {
  const { rng, count } = options;
  const now = options.now.getTime();
  const regions = options.regions ?? state.regions;
  for (const r of regions) if (!state.regions.includes(r)) state.regions.push(r);
  for (let n = 0; n < count; n++) {
    const region = regions[n % regions.length]!;
    const inst = b.instance({ region, status: rng.chance(0.85) ? 'Running' : 'Stopped', createdAt: now - rng.int(1, 400) * DAY }, rng);
    b.disk(inst, 'system', rng);
    if (rng.chance(0.3)) b.disk(inst, 'data', rng);
    if (rng.chance(0.2)) state.tagsOf('instance', inst.id).set('env', rng.pick(['prod', 'staging', 'dev']));
  }
  if (!options.demo) return;
  const region = regions[0]!;
  const tag = (id: string, k: string, v: string) => state.tagsOf('instance', id).set(k, v);
  // auto-delete-at in Beijing time: due, future, and one invalid value
  for (let k = 0; k < 4; k++) tag(b.instance({ region, name: `autodel-due-${k}` }, rng).id, 'auto-delete-at', beijing(now - (k + 1) * 3600_000));
  for (let k = 0; k < 3; k++) tag(b.instance({ region, name: `autodel-later-${k}` }, rng).id, 'auto-delete-at', beijing(now + (k + 1) * 2 * DAY));
  tag(b.instance({ region, name: 'autodel-bad' }, rng).id, 'auto-delete-at', 'next tuesday');
  // TTL candidates
  for (let k = 0; k < 4; k++) b.instance({ region, name: `tmp-build-${k}`, createdAt: now - (k + 2) * DAY }, rng);
  // prepaid expiring in 1-40 days (ExpiredTime, seed 001 L1761)
  for (const days of [1, 3, 7, 15, 30, 40]) b.instance({ region, name: `prepaid-${days}d`, chargeType: 'PrePaid', expiredAt: now + days * DAY }, rng);
  // our soft-delete bin: stopped and tagged with a purge time, one near purge, one overdue
  for (const [name, at] of [
    ['binned-soon', now + 6 * 3600_000],
    ['binned-due', now - 3600_000],
    ['binned-later', now + 5 * DAY],
  ] as const) {
    tag(b.instance({ region, name, status: 'Stopped' }, rng).id, 'cloud-automation:purge-at', new Date(at).toISOString());
  }
  // snapshot histories: ours (ca-, managed tag), foreign, and automatic ones
  const owner = b.instance({ region, name: 'db-primary' }, rng);
  tag(owner.id, 'backup', 'daily');
  const disk = b.disk(owner, 'data', rng);
  b.disk(owner, 'system', rng);
  for (let d = 1; d <= 12; d++) {
    const ours = b.snapshot(disk, { name: `ca-daily-${new Date(now - d * DAY).toISOString().slice(0, 10).replace(/-/g, '')}0300`, createdAt: now - d * DAY }, rng);
    state.tagsOf('snapshot', ours.id).set('cloud-automation:managed', 'true');
    state.tagsOf('snapshot', ours.id).set('cloud-automation:policy', 'daily');
  }
  for (let d = 1; d <= 3; d++) b.snapshot(disk, { name: `manual-before-upgrade-${d}`, createdAt: now - d * 20 * DAY }, rng);
  for (let d = 1; d <= 3; d++) b.snapshot(disk, { name: `auto_${new Date(now - d * DAY).toISOString().slice(0, 10).replace(/-/g, '')}_1`, auto: true, createdAt: now - d * DAY }, rng);
  b.snapshot(disk, { name: 'golden-image-base', usage: 'image', createdAt: now - 90 * DAY }, rng);
  state.changed();
}
