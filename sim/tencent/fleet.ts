import type { FleetOptions } from '../core';
import { DAY_MS, HOUR_MS, REGIONS, TYPE_PRICES_FEN, zonesOf, type CvmState, type SimInstance } from './state';

const TYPES = Object.keys(TYPE_PRICES_FEN);
const TEAMS = ['web', 'batch', 'data', 'ml'];

/** `2026-12-01T18:00:00+08:00`: how people write the auto-delete tag (Beijing time). */
function beijingIso(ms: number): string {
  return `${new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 19)}+08:00`;
}

/**
 * Deterministic fleet: a linear pass, so 100k instances take well under a second. With `demo`, the
 * first instances of each region carry the interesting cases (see the vendor brief).
 */
export function seedFleet(state: CvmState, options: FleetOptions): void {
  const { rng, count, demo } = options;
  const now = options.now.getTime();
  const regions = options.regions ?? REGIONS.filter((r) => !r.Region.endsWith('-fsi')).map((r) => r.Region);
  const base = (region: string, n: number): SimInstance => {
    const created = now - rng.int(1, 400) * DAY_MS - rng.int(0, 86_399) * 1000;
    const roll = rng.next();
    const charge = roll < 0.45 ? 'POSTPAID_BY_HOUR' : roll < 0.85 ? 'PREPAID' : 'SPOTPAID';
    const prepaid = charge === 'PREPAID';
    return {
      InstanceId: state.newId('ins'),
      InstanceName: `${rng.pick(TEAMS)}-${n}`,
      InstanceType: rng.pick(TYPES),
      InstanceState: rng.chance(0.85) ? 'RUNNING' : 'STOPPED',
      RestrictState: 'NORMAL',
      InstanceChargeType: charge,
      RenewFlag: prepaid ? rng.pick(['NOTIFY_AND_AUTO_RENEW', 'NOTIFY_AND_MANUAL_RENEW', 'DISABLE_NOTIFY_AND_MANUAL_RENEW'] as const) : undefined,
      region,
      zone: rng.pick(zonesOf(region)),
      projectId: rng.pick([0, 0, 1001, 1002]),
      createdMs: created,
      expiredMs: prepaid ? now + rng.int(41, 300) * DAY_MS : undefined,
      tags: { team: rng.pick(TEAMS), ...(rng.chance(0.3) ? { env: rng.pick(['prod', 'staging', 'dev']) } : {}) },
      imageId: 'img-pmqg1cw7',
      returnable: true,
    };
  };

  const perRegion = Math.ceil(count / regions.length);
  let made = 0;
  for (const region of regions) {
    const demoCases = demo ? demoInstances(state, region, base, now, rng.next.bind(rng)) : [];
    for (const i of demoCases) {
      if (made >= count) break;
      state.addInstance(i);
      made++;
    }
    for (let n = demoCases.length; n < perRegion && made < count; n++, made++) state.addInstance(base(region, n));
    if (demo) demoImages(state, region, [...state.instances.values()].filter((i) => i.region === region).slice(0, 3), now);
    // the example config's snapshot policy selects `backup: daily`: three plain instances (no other function acts on them), so its runs take images here too
    if (demo) for (const i of [...state.instances.values()].filter((i) => i.region === region).slice(demoCases.length, demoCases.length + 3)) i.tags = { ...i.tags, backup: 'daily' };
  }
}

function demoInstances(state: CvmState, region: string, base: (r: string, n: number) => SimInstance, now: number, next: () => number): SimInstance[] {
  const out: SimInstance[] = [];
  const add = (n: number, patch: Partial<SimInstance>) => out.push({ ...base(region, n), ...patch, tags: { ...base(region, n).tags, ...patch.tags } });
  // auto-delete-at tags: due, future, invalid (postpaid, so TerminateInstances destroys them).
  add(0, { InstanceName: 'demo-due-1', InstanceChargeType: 'POSTPAID_BY_HOUR', RenewFlag: undefined, expiredMs: undefined, InstanceState: 'RUNNING', tags: { 'auto-delete-at': beijingIso(now - 2 * HOUR_MS) } });
  add(1, { InstanceName: 'demo-due-2', InstanceChargeType: 'POSTPAID_BY_HOUR', RenewFlag: undefined, expiredMs: undefined, InstanceState: 'STOPPED', tags: { 'auto-delete-at': beijingIso(now - 3 * DAY_MS) } });
  add(2, { InstanceName: 'demo-future', InstanceChargeType: 'POSTPAID_BY_HOUR', RenewFlag: undefined, expiredMs: undefined, tags: { 'auto-delete-at': beijingIso(now + 5 * DAY_MS) } });
  add(3, { InstanceName: 'demo-invalid-timer', InstanceChargeType: 'POSTPAID_BY_HOUR', RenewFlag: undefined, expiredMs: undefined, tags: { 'auto-delete-at': 'next tuesday' } });
  // TTL candidates.
  add(4, { InstanceName: 'tmp-build-1', InstanceChargeType: 'POSTPAID_BY_HOUR', RenewFlag: undefined, expiredMs: undefined, createdMs: now - 9 * DAY_MS });
  add(5, { InstanceName: 'tmp-scratch', InstanceChargeType: 'POSTPAID_BY_HOUR', RenewFlag: undefined, expiredMs: undefined, createdMs: now - 2 * DAY_MS });
  // Prepaid expiring in 1-40 days, mixed renew flags.
  for (const [n, days, flag] of [
    [6, 1, 'NOTIFY_AND_MANUAL_RENEW'],
    [7, 7, 'NOTIFY_AND_MANUAL_RENEW'],
    [8, 29, 'DISABLE_NOTIFY_AND_MANUAL_RENEW'],
    [9, 40, 'NOTIFY_AND_AUTO_RENEW'],
  ] as const) {
    add(n, { InstanceName: `demo-prepaid-${days}d`, InstanceChargeType: 'PREPAID', RenewFlag: flag, expiredMs: now + days * DAY_MS - Math.floor(next() * HOUR_MS) });
  }
  // Spot instances (no reclaim notice exists in this API: DECISIONS.md D8).
  add(10, { InstanceName: 'demo-spot-1', InstanceChargeType: 'SPOTPAID', RenewFlag: undefined, expiredMs: undefined, InstanceType: 'S2.MEDIUM4', spotMaxPrice: '0.30' });
  add(11, { InstanceName: 'demo-spot-2', InstanceChargeType: 'SPOTPAID', RenewFlag: undefined, expiredMs: undefined, InstanceType: 'S3.LARGE8', spotMaxPrice: '0.50' });
  // Recycle bin: expired and isolated, one near its purge.
  const expired = now - 6 * DAY_MS;
  add(12, { InstanceName: 'demo-expired-near-purge', InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', InstanceState: 'SHUTDOWN', RestrictState: 'EXPIRED', isolatedSource: 'EXPIRE', expiredMs: expired, purgeAtMs: expired + 7 * DAY_MS });
  add(13, { InstanceName: 'demo-expired-fresh', InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', InstanceState: 'SHUTDOWN', RestrictState: 'EXPIRED', isolatedSource: 'EXPIRE', expiredMs: now - DAY_MS, purgeAtMs: now + 6 * DAY_MS });
  add(14, { InstanceName: 'demo-returned', InstanceChargeType: 'PREPAID', RenewFlag: 'NOTIFY_AND_MANUAL_RENEW', InstanceState: 'SHUTDOWN', RestrictState: 'PROTECTIVELY_ISOLATED', isolatedSource: 'MANMADE', expiredMs: now + 20 * DAY_MS, purgeAtMs: now + 5 * DAY_MS });
  return out;
}

/** Image histories: ours (`ca-` prefix, managed tag in the description) daily for 10 days, plus foreign ones. */
function demoImages(state: CvmState, region: string, sources: SimInstance[], now: number): void {
  for (const src of sources.slice(0, 1)) {
    for (let d = 1; d <= 10; d++) {
      const at = now - d * DAY_MS;
      state.addImage({
        ImageId: state.newId('img'),
        ImageName: `ca-${src.InstanceId.slice(4)}-${new Date(at).toISOString().slice(5, 10).replace('-', '')}`,
        ImageDescription: `src=${src.InstanceId};cloud-automation:managed=true`,
        ImageType: 'PRIVATE_IMAGE',
        ImageState: 'NORMAL',
        region,
        createdMs: at,
        sourceInstanceId: src.InstanceId,
        shared: false,
        sizeGb: 50,
      });
    }
  }
  for (const [n, src] of sources.slice(0, 2).entries()) {
    state.addImage({
      ImageId: state.newId('img'),
      ImageName: `golden-${n}`,
      ImageDescription: 'hand-made base image',
      ImageType: 'PRIVATE_IMAGE',
      ImageState: 'NORMAL',
      region,
      createdMs: now - 60 * DAY_MS,
      sourceInstanceId: src.InstanceId,
      shared: n === 1,
      sizeGb: 50,
    });
  }
}
