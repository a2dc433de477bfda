import type { FleetOptions, Rng } from '../core';
import type { KecSimulator } from './simulator';
import type { SimInstance } from './state';
import { REGIONS } from './state';

const DAY = 86_400_000;
const TYPES = ['N3.2B', 'N3.4B', 'N2.2A', 'E1.2A', 'I2.2C', 'I1.1A', 'C1.4A'];
const SPOT_TYPES = ['N3.2B', 'N2.2A', 'E1.2A'];
const PROJECTS = [0, 101, 102];

function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A deterministic fleet: spread over regions, projects 0/101/102, charge types Daily,
 * PostPaidByHour, Monthly and Spot. KEC has no tags (seed 000) and no expiry field, so the demo
 * mix is: tmp-* TTL candidates, native auto-delete timers (due and future), spot instances (one
 * with a reclaim notice), recycle-bin items (some near the simulator's purge) and snapshot
 * histories: ours (`ca-` prefix) to prune, foreign manual ones and `auto` ones.
 */
export function seedKecFleet(sim: KecSimulator, { rng, count, now, demo, regions }: FleetOptions): void {
  const nowMs = now.getTime();
  const regionList = regions?.length ? regions : ['cn-beijing-6', 'cn-shanghai-2'];
  for (const p of PROJECTS) if (!sim.projectIds.includes(p)) sim.projectIds.push(p);
  const made: SimInstance[] = [];
  for (let n = 0; n < count; n++) {
    const region = regionList[n % regionList.length]!;
    const r = rng.next();
    const chargeType = r < 0.45 ? 'Daily' : r < 0.7 ? 'PostPaidByHour' : r < 0.9 ? 'Monthly' : 'Spot';
    const spot = chargeType === 'Spot';
    made.push(
      sim.addInstance(
        {
          id: uuid(rng),
          name: `${rng.pick(['web', 'db', 'batch', 'api'])}-${n}`,
          region,
          zone: rng.pick(REGIONS[region]?.zones ?? [`${region}a`]),
          projectId: rng.pick(PROJECTS),
          instanceType: spot ? rng.pick(SPOT_TYPES) : rng.pick(TYPES),
          state: rng.chance(0.85) ? 'active' : 'stopped',
          chargeType,
          createdAtMs: nowMs - rng.int(1, 400) * DAY - rng.int(0, 86_399) * 1000,
          rootDiskGb: 20,
          dataDiskGb: rng.chance(0.4) ? 50 : 0,
          ...(spot ? { spotStrategy: rng.chance(0.5) ? ('SpotWithPriceLimit' as const) : ('SpotAsPriceGo' as const), spotPriceLimit: '0.30000' } : {}),
        },
        nowMs,
      ),
    );
  }
  if (demo) demoMix(sim, rng, made, nowMs);
}

function demoMix(sim: KecSimulator, rng: Rng, made: SimInstance[], nowMs: number): void {
  const postpaid = made.filter((i) => i.chargeType !== 'Monthly' && i.chargeType !== 'Spot');
  const pick = (k: number) => postpaid.splice(0, Math.min(k, postpaid.length));
  // TTL candidates: tmp-* created days ago, no timer
  for (const [k, i] of pick(4).entries()) {
    i.name = `tmp-${k}`;
    i.createdAtMs = nowMs - (2 + k * 3) * DAY;
  }
  // native timers: two due within the hour (the sim deletes them when due), two far ahead
  for (const [k, i] of pick(4).entries()) {
    i.autoDeleteAtMs = k < 2 ? nowMs + (40 + k * 10) * 60_000 : nowMs + (3 + k) * DAY;
    sim.addInstance(i, nowMs);
  }
  // recycle bin: some near the simulator's 7-day purge
  for (const [k, i] of pick(4).entries()) {
    i.state = 'recycling';
    i.recycledAtMs = nowMs - (k < 2 ? 6.8 : 1 + k) * DAY;
    sim.addInstance(i, nowMs);
  }
  // spot: one with a reclaim notice
  const spot = made.find((i) => i.chargeType === 'Spot');
  if (spot) {
    spot.spotRecyclingAtMs = nowMs + 5 * 60_000;
    sim.addInstance(spot, nowMs);
  }
  // snapshot histories: ours daily over 40 days (retention prunes), foreign manual, vendor auto
  for (const i of pick(3)) {
    for (let d = 0; d < 40; d++) {
      sim.addSnapshot({ instanceId: i.id, name: `ca-daily-${i.id.slice(0, 8)}-${d}`, createdAtMs: nowMs - d * DAY - rng.int(0, 3600) * 1000 }, nowMs);
    }
    sim.addSnapshot({ instanceId: i.id, name: `manual-${i.id.slice(0, 8)}`, createdAtMs: nowMs - 90 * DAY }, nowMs);
    sim.addSnapshot({ instanceId: i.id, name: `auto-${i.id.slice(0, 8)}`, type: 'auto', createdAtMs: nowMs - 3 * DAY }, nowMs);
  }
}
