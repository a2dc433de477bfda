import type { FleetOptions } from '../core';
import type { CecstackSim } from './sim';
import { endOfBeijingDay, rfc3339 } from './render';
import type { SimVm } from './state';

const DAY = 86_400_000;
const FLAVORS = [
  { id: 'flavor-guysomaj', fen: 20000 },
  { id: 'flavor-vqz16hzd', fen: 12000 },
  { id: 'flavor-28lwum65', fen: 45000 },
];

/**
 * Deterministic fleet: 1 rng draw sequence per VM, O(count). With `demo`, a mix the automations
 * act on (DECISIONS.md D15): auto-delete-at labels (due, future, invalid), old tmp-* VMs, prepaid
 * VMs expiring in 1-40 days, recycle-bin entries (some near purge), `ca-` snapshot histories and
 * foreign snapshots, and one VM whose five label slots are full.
 */
export function seedCecstackFleet(sim: CecstackSim, { rng, count, now, regions = ['region0', 'region1'], demo }: FleetOptions): void {
  const t0 = now.getTime();
  const ecsId = () => `ecs-${rng.hex(6)}${sim.state.nextSeq().toString(36).padStart(8, '0')}`;
  const make = (i: number, over: Partial<SimVm> = {}): SimVm => {
    const id = over.ecsId ?? ecsId();
    const flavor = rng.pick(FLAVORS);
    const prepaid = rng.chance(0.3);
    const vm: SimVm = {
      ecsId: id,
      displayName: `vm-${i}`,
      status: rng.chance(0.85) ? 'Running' : 'Stopped',
      billingMode: prepaid ? 'ByCycle' : 'OnDemand',
      expiresAt: prepaid ? endOfBeijingDay(t0 + rng.int(41, 300) * DAY) : undefined,
      createdAt: t0 - rng.int(1, 400) * DAY - rng.int(0, 86_399) * 1000,
      region: regions[i % regions.length]!,
      az: 'AZ0',
      flavorId: flavor.id,
      monthlyFen: flavor.fen,
      departmentId: '1849876287452087119',
      resourceGroupId: '',
      labels: rng.chance(0.3) ? [{ key: 'team', value: rng.pick(['web', 'data', 'ops']) }] : [],
      isLock: false,
      bRecycle: true,
      volumes: [{ volumeUuid: `volume-${rng.hex(8)}-${id.slice(4)}`, name: `${id}-os-disk1`, sizeGb: 20 }],
      eips: [],
      ...over,
    };
    if (vm.billingMode === 'ByCycle') for (const v of vm.volumes) v.expiresAt ??= vm.expiresAt;
    return sim.addVm(vm);
  };

  for (let i = 0; i < count; i++) make(i);
  if (!demo) return;

  const region = regions[0]!;
  const label = (key: string, value: string) => ({ key, value });
  // auto-delete-at labels: ISO with +08:00 offset (two due, one ahead, one invalid)
  make(count + 1, { displayName: 'demo-expire-due-1', region, labels: [label('auto-delete-at', rfc3339(t0 - 2 * 3_600_000).replace(/\.\d{3}/, ''))] });
  make(count + 2, { displayName: 'demo-expire-due-2', region, labels: [label('auto-delete-at', rfc3339(t0 - 3 * DAY).replace(/\.\d{3}/, ''))] });
  make(count + 3, { displayName: 'demo-expire-later', region, labels: [label('auto-delete-at', rfc3339(t0 + 5 * DAY).replace(/\.\d{3}/, ''))] });
  make(count + 4, { displayName: 'demo-expire-invalid', region, labels: [label('auto-delete-at', 'next tuesday')] });
  // TTL candidates: tmp-* created days ago
  for (let d = 1; d <= 3; d++) make(count + 10 + d, { displayName: `tmp-build-${d}`, region, billingMode: 'OnDemand', expiresAt: undefined, createdAt: t0 - d * 2 * DAY });
  // prepaid expiring within 1-40 days, with a disk and an EIP of their own expiry
  for (const days of [1, 3, 7, 15, 30, 40]) {
    const expiresAt = endOfBeijingDay(t0 + days * DAY);
    make(count + 20 + days, {
      displayName: `prepaid-${days}d`,
      region,
      billingMode: 'ByCycle',
      expiresAt,
      eips: [{ eipId: `eip-${rng.hex(10)}`, expiresAt, monthlyFen: 3000 }],
    });
  }
  // all five label slots taken: setting our label must fail clearly
  make(count + 70, { displayName: 'demo-labels-full', region, labels: ['a', 'b', 'c', 'd', 'e'].map((k) => label(k, 'x')) });
  // snapshot histories: ours (`ca-` prefix) daily for 10 days, plus foreign manual ones
  const snapped = [...sim.state.vms.values()].filter((v) => v.region === region).slice(0, 3);
  for (const vm of snapped) {
    // the example config's snapshot policy selects `backup: daily`: these, so its runs snapshot and prune here too
    vm.labels = [...vm.labels, label('backup', 'daily')];
    for (let d = 1; d <= 10; d++) sim.addSnapshot({ ecsId: vm.ecsId, name: `ca-daily-${vm.ecsId}-${d}`, region, createdAt: t0 - d * DAY, type: 'manual' });
    sim.addSnapshot({ ecsId: vm.ecsId, name: `before-upgrade-${vm.displayName}`, region, createdAt: t0 - 20 * DAY, type: 'manual' });
  }
  // recycle bin: VMs and snapshots, some within a day of purge (freezeTime 7 days)
  const freeze = sim.state.recycleConfig.freezeTime * DAY;
  for (const [i, age] of [6.5 * DAY, 6.9 * DAY, 2 * DAY].entries()) {
    const vm = make(count + 80 + i, { displayName: `deleted-${i}`, region });
    sim.recycleNow(vm.ecsId, t0 - age);
  }
  const snap = sim.addSnapshot({ ecsId: snapped[0]!.ecsId, name: 'ca-daily-old', region, createdAt: t0 - 30 * DAY, type: 'manual' });
  sim.recycleNow(snap.ecsSnapshotId, t0 - freeze + 6 * 3_600_000);
}
