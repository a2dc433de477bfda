import type { SimContext, SimResponse } from '../core';
import { ACTION_TIMER_HANDLERS } from './action-timers';
import type { WireParams } from './params';
import { ApiError, ok } from './protocol';
import { IMAGE_CORE, INSTANCE_CORE, PRICE_CORE } from './shapes';
import {
  addMonths,
  DAY_MS,
  fenToYuan,
  isoSeconds,
  REGIONS,
  TYPE_PRICES_FEN,
  TYPE_SPECS,
  zonesOf,
  type CvmState,
  type SimImage,
  type SimInstance,
} from './state';

export interface HandlerEnv {
  state: CvmState;
  ctx: SimContext;
  region: string;
  p: WireParams;
  nowMs: number;
}

export interface Handler {
  mutating: boolean;
  /** Documented requests per second (seed 004, each action's section). */
  rate: number;
  /** Top-level parameters the action's table lists; anything else is UnknownParameter (seed 004 L677). */
  allowed: string[];
  required: string[];
  /** DescribeRegions does not need Region (seed 004 L997). */
  regionless?: boolean;
  run(env: HandlerEnv): SimResponse;
}

const INSTANCE_ID = /^ins-[0-9a-z]{8}$/;
const IMAGE_ID = /^img-[0-9a-z]{8}$/;
const PERIODS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36]); // seed 004 L6521
const RENEW_FLAGS = new Set(['NOTIFY_AND_AUTO_RENEW', 'NOTIFY_AND_MANUAL_RENEW', 'DISABLE_NOTIFY_AND_MANUAL_RENEW']);
const INSTANCE_FILTERS = new Set(['zone', 'project-id', 'host-id', 'instance-id', 'instance-name', 'instance-charge-type', 'private-ip-address', 'public-ip-address', 'tag-key', 'tag-value']); // L2226

/** Resolves `InstanceIds.N` to instances in the region: ≤100, well-formed, existing (seed 004 L2155, L2169). */
function instancesOf(env: HandlerEnv, max = 100): SimInstance[] {
  const ids = env.p.list('InstanceIds');
  if (!ids.length) throw new ApiError('MissingParameter', 'InstanceIds is required');
  if (ids.length > max) throw new ApiError('InvalidParameterValue.LimitExceeded', `at most ${max} InstanceIds per request, got ${ids.length}`);
  return ids.map((id) => {
    if (!INSTANCE_ID.test(id)) throw new ApiError('InvalidInstanceId.Malformed', `instance id ${id} is malformed`);
    const i = env.state.instances.get(id);
    if (!i || i.region !== env.region) throw new ApiError('InvalidInstanceId.NotFound', `instance ${id} not found`);
    return i;
  });
}

/** A new operation on an instance whose last one is still OPERATING is refused (sim/DECISIONS.md T17). */
function refuseBusy(list: SimInstance[]): void {
  const busy = list.find((i) => i.latestOperationState === 'OPERATING');
  if (busy) throw new ApiError('MutexOperation.TaskRunning', `instance ${busy.InstanceId} is still running ${busy.latestOperation ?? 'an operation'}`); // seed 004 L4537
}

/** Batches are atomic (DECISIONS.md D6): an id the fault control marks failing fails the whole request. */
function failIfInjected(env: HandlerEnv, ids: string[], code: string): void {
  const bad = ids.find((id) => env.ctx.faults.isFailingId(id));
  if (bad) throw new ApiError(code, `the operation is not supported for ${bad}`);
}

function checkLimits(env: HandlerEnv, maxIds?: number): { offset: number; limit: number } {
  const offset = env.p.int('Offset', 0);
  const limit = env.p.int('Limit', 20); // default 20, maximum 100 (seed 004 L2227-2228)
  if (offset < 0) throw new ApiError('InvalidParameterValue', 'Offset must not be negative');
  if (limit < 1 || limit > 100) throw new ApiError('InvalidParameterValue', `Limit must be between 1 and 100, got ${limit}`);
  if (maxIds !== undefined && env.p.list('InstanceIds').length > maxIds) throw new ApiError('InvalidParameterValue.LimitExceeded', `at most ${maxIds} InstanceIds`);
  return { offset, limit };
}

function instanceMatches(i: SimInstance, f: { Name: string; Values: string[] }): boolean {
  const v = f.Values;
  if (f.Name.startsWith('tag:')) {
    const key = f.Name.slice(4);
    return key in i.tags && v.includes(i.tags[key]!);
  }
  switch (f.Name) {
    case 'zone':
      return v.includes(i.zone);
    case 'project-id':
      return v.includes(String(i.projectId));
    case 'instance-id':
      return v.includes(i.InstanceId);
    case 'instance-name':
      return v.includes(i.InstanceName);
    case 'instance-charge-type':
      return v.includes(i.InstanceChargeType);
    case 'tag-key':
      return v.some((k) => k in i.tags);
    case 'tag-value':
      return Object.values(i.tags).some((t) => v.includes(t));
    default:
      return false; // host-id / IP filters: the simulated fleet has no CDH hosts or IPs
  }
}

export function renderInstance(i: SimInstance) {
  const spec = TYPE_SPECS[i.InstanceType] ?? { cpu: 1, memory: 1 };
  return {
    InstanceId: i.InstanceId,
    InstanceName: i.InstanceName,
    InstanceType: i.InstanceType,
    InstanceState: i.InstanceState,
    RestrictState: i.RestrictState,
    InstanceChargeType: i.InstanceChargeType,
    // null for postpaid and spot, as the SDK model says ("后付费模式本项为null"; sim/DECISIONS.md T15).
    RenewFlag: i.RenewFlag ?? null,
    CPU: spec.cpu,
    Memory: spec.memory,
    ImageId: i.imageId,
    CreatedTime: isoSeconds(i.createdMs),
    ExpiredTime: i.expiredMs !== undefined ? isoSeconds(i.expiredMs) : null,
    Placement: { Zone: i.zone, ProjectId: i.projectId, HostId: '' },
    SystemDisk: { DiskId: `disk-${i.InstanceId.slice(4)}`, DiskSize: 50, DiskType: 'CLOUD_PREMIUM' },
    DataDisks: [],
    // The Tag type's Key/Value (seed 004 L6794-6796), not the sample's tagKey/tagValue (DECISIONS.md D9).
    Tags: Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
    LatestOperation: i.latestOperation ?? null,
    LatestOperationState: i.latestOperationState ?? null,
    DisableApiTermination: i.disableApiTermination ?? false,
    IsolatedSource: i.isolatedSource ?? 'NOTISOLATED',
  };
}

export function renderImage(img: SimImage) {
  return {
    ImageId: img.ImageId,
    ImageName: img.ImageName,
    ImageDescription: img.ImageDescription,
    ImageType: img.ImageType,
    ImageState: img.ImageState,
    CreatedTime: isoSeconds(img.createdMs),
    ImageCreator: img.ImageType === 'PUBLIC_IMAGE' ? 'PUBLIC' : '100000000001',
    OsName: 'CentOS 7.6 64bit',
    ImageSize: img.sizeGb,
    Architecture: 'x86_64',
    Platform: 'CentOS',
    ImageSource: img.ImageType === 'PUBLIC_IMAGE' ? 'OFFICIAL' : 'CREATE_IMAGE',
    Tags: Object.entries(img.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
  };
}

/** Filtered views cached per state version, so paging a large fleet is linear overall. */
const viewCache = new WeakMap<CvmState, { version: number; views: Map<string, SimInstance[]> }>();
function instanceView(env: HandlerEnv, key: string, build: () => SimInstance[]): SimInstance[] {
  let entry = viewCache.get(env.state);
  if (!entry || entry.version !== env.state.version) {
    entry = { version: env.state.version, views: new Map() };
    viewCache.set(env.state, entry);
  }
  let view = entry.views.get(key);
  if (!view) {
    view = build();
    entry.views.set(key, view);
  }
  return view;
}

function renewalPriceFen(i: SimInstance, months: number): { original: number; discount: number } {
  const hourly = TYPE_PRICES_FEN[i.InstanceType] ?? 50;
  const original = hourly * 720 * months;
  // 20% off for prepaid, in whole fen.
  return { original, discount: Math.round((original * 80) / 100) };
}

/** Spot price in fen: 15-45% of on-demand, moving hour by hour and per zone (deterministic). */
export function spotPriceFen(zone: string, type: string, nowMs: number): number {
  const base = TYPE_PRICES_FEN[type] ?? 50;
  let h = Math.floor(nowMs / 3_600_000) ^ 0x9e3779b9;
  for (const c of `${zone}|${type}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  const pct = 15 + ((h >>> 0) % 31);
  return Math.max(1, Math.round((base * pct) / 100));
}

export const HANDLERS: Record<string, Handler> = {
  ...ACTION_TIMER_HANDLERS, // from the SDK model, not the seeds: action-timers.ts
  DescribeRegions: {
    mutating: false,
    rate: 20,
    allowed: [],
    required: [],
    regionless: true,
    run: () => ok({ TotalCount: REGIONS.length, RegionSet: REGIONS.map((r) => ({ ...r, RegionState: 'AVAILABLE' })) }),
  },

  DescribeZones: {
    mutating: false,
    rate: 20,
    allowed: [],
    required: [],
    run: ({ region }) => {
      const zones = zonesOf(region).map((z, n) => ({ Zone: z, ZoneName: `${z} (zone ${n + 1})`, ZoneId: String(100001 + n), ZoneState: 'AVAILABLE' }));
      return ok({ TotalCount: zones.length, ZoneSet: zones });
    },
  },

  DescribeInstances: {
    mutating: false,
    rate: 40,
    allowed: ['InstanceIds', 'Filters', 'Offset', 'Limit'],
    required: [],
    run: (env) => {
      const { offset, limit } = checkLimits(env);
      const ids = env.p.list('InstanceIds');
      const filters = env.p.filters();
      if (ids.length && filters.length) throw new ApiError('InvalidParameter', 'InstanceIds and Filters cannot be specified together'); // L2223
      if (ids.length > 100) throw new ApiError('InvalidParameterValue.LimitExceeded', `at most 100 InstanceIds, got ${ids.length}`);
      if (filters.length > 10 || filters.some((f) => f.Values.length > 5 || f.Values.length === 0)) {
        throw new ApiError('InvalidFilterValue.LimitExceeded', 'at most 10 Filters and 1-5 Values per Filter'); // L2226, L2244
      }
      for (const f of filters) {
        if (!INSTANCE_FILTERS.has(f.Name) && !f.Name.startsWith('tag:')) throw new ApiError('InvalidFilter', `unknown filter ${f.Name}`);
      }
      for (const id of ids) if (!INSTANCE_ID.test(id)) throw new ApiError('InvalidInstanceId.Malformed', `instance id ${id} is malformed`);
      const key = JSON.stringify([env.region, ids, filters]);
      const view = instanceView(env, key, () => {
        if (ids.length) return ids.map((id) => env.state.instances.get(id)).filter((i): i is SimInstance => !!i && i.region === env.region);
        const out: SimInstance[] = [];
        for (const i of env.state.instances.values()) {
          if (i.region === env.region && filters.every((f) => instanceMatches(i, f))) out.push(i);
        }
        return out;
      });
      const shapes = env.state.shapes;
      const page = view.slice(offset, offset + (shapes ? shapes.pageLength(limit, view.length - offset) : limit));
      return ok({ TotalCount: view.length, InstanceSet: page.map((i) => (shapes ? shapes.vary(renderInstance(i), 'Instance', INSTANCE_CORE) : renderInstance(i))) });
    },
  },

  DescribeInstancesStatus: {
    mutating: false,
    rate: 40,
    allowed: ['InstanceIds', 'Offset', 'Limit'],
    required: [],
    run: (env) => {
      const { offset, limit } = checkLimits(env, 100);
      const ids = env.p.list('InstanceIds');
      const view = instanceView(env, JSON.stringify(['status', env.region, ids]), () =>
        ids.length
          ? ids.map((id) => env.state.instances.get(id)).filter((i): i is SimInstance => !!i && i.region === env.region)
          : [...env.state.instances.values()].filter((i) => i.region === env.region),
      );
      return ok({
        TotalCount: view.length,
        InstanceStatusSet: view.slice(offset, offset + limit).map((i) => ({ InstanceId: i.InstanceId, InstanceState: i.InstanceState })),
      });
    },
  },

  StopInstances: {
    mutating: true,
    rate: 10,
    allowed: ['InstanceIds', 'ForceStop', 'StopType', 'StoppedMode'],
    required: ['InstanceIds'],
    run: (env) => {
      const list = instancesOf(env);
      failIfInjected(env, list.map((i) => i.InstanceId), 'InvalidInstance.NotSupported');
      refuseBusy(list);
      // "only allowed for the instances with a status of RUNNING" (seed 004 L1736); code: DECISIONS.md D10.
      const wrong = list.find((i) => i.InstanceState !== 'RUNNING');
      if (wrong) throw new ApiError('InvalidInstanceState', `instance ${wrong.InstanceId} is ${wrong.InstanceState}, not RUNNING`);
      for (const i of list) {
        i.InstanceState = 'STOPPING';
        i.transitionAtMs = env.nowMs + env.state.options.transitionMs;
        i.latestOperation = 'StopInstances';
        i.latestOperationState = 'OPERATING';
        env.state.changed(i);
      }
      return ok({});
    },
  },

  TerminateInstances: {
    mutating: true,
    rate: 10,
    allowed: ['InstanceIds'],
    required: ['InstanceIds'],
    run: (env) => {
      const list = instancesOf(env);
      failIfInjected(env, list.map((i) => i.InstanceId), 'InvalidInstance.NotSupported');
      const protectedOne = list.find((i) => i.disableApiTermination);
      if (protectedOne) throw new ApiError('UnsupportedOperation', `instance ${protectedOne.InstanceId} has termination protection (DisableApiTermination)`); // seed 004 L685; T17
      refuseBusy(list);
      const refused = list.find((i) => i.InstanceChargeType === 'PREPAID' && i.InstanceState !== 'SHUTDOWN' && !i.returnable);
      if (refused) throw new ApiError('InvalidInstanceNotSupportedPrepaidInstance', `prepaid instance ${refused.InstanceId} does not meet the rules for returning instances`); // L2170
      const busy = list.find((i) => i.InstanceState === 'TERMINATING' || i.InstanceState === 'PENDING');
      if (busy) throw new ApiError('InvalidInstanceState', `instance ${busy.InstanceId} is ${busy.InstanceState}`);
      for (const i of list) {
        i.latestOperation = 'TerminateInstances';
        i.latestOperationState = 'SUCCESS';
        if (i.InstanceChargeType === 'PREPAID' && i.InstanceState !== 'SHUTDOWN') {
          // Prepaid: first return isolates into the bin (DECISIONS.md D3).
          i.InstanceState = 'SHUTDOWN';
          i.RestrictState = 'PROTECTIVELY_ISOLATED';
          i.isolatedSource = 'MANMADE';
          i.purgeAtMs = env.nowMs + env.state.options.isolationDays * DAY_MS;
        } else {
          i.InstanceState = 'TERMINATING';
          i.purgeAtMs = undefined;
          i.transitionAtMs = env.nowMs + env.state.options.transitionMs;
        }
        env.state.changed(i);
      }
      return ok({});
    },
  },

  RenewInstances: {
    mutating: true,
    rate: 10,
    allowed: ['InstanceIds', 'InstanceChargePrepaid', 'RenewPortableDataDisk'],
    required: ['InstanceIds', 'InstanceChargePrepaid'],
    run: (env) => {
      const list = instancesOf(env);
      const months = prepaidPeriod(env);
      const flag = env.p.str('InstanceChargePrepaid.RenewFlag');
      if (flag !== undefined && !RENEW_FLAGS.has(flag)) throw new ApiError('InvalidParameterValue', `RenewFlag ${flag} is not valid`);
      failIfInjected(env, list.map((i) => i.InstanceId), 'InvalidInstance.NotSupported');
      const notPrepaid = list.find((i) => i.InstanceChargeType !== 'PREPAID' || i.RestrictState === 'PROTECTIVELY_ISOLATED');
      if (notPrepaid) throw new ApiError('InvalidInstance.NotSupported', `instance ${notPrepaid.InstanceId} cannot be renewed (only prepaid, not returned)`); // L3233-3236
      for (const i of list) {
        const from = Math.max(i.expiredMs ?? env.nowMs, i.RestrictState === 'EXPIRED' ? env.nowMs : 0);
        i.expiredMs = addMonths(from, months);
        if (i.RestrictState === 'EXPIRED') {
          // Renewing rescues an expired instance from isolation (seed 004 digest §9E).
          i.InstanceState = 'RUNNING';
          i.RestrictState = 'NORMAL';
          i.isolatedSource = undefined;
          i.purgeAtMs = undefined;
        }
        // An omitted flag takes its documented default (seed 004 L6522, cf. L3257): it is not "unchanged".
        i.RenewFlag = (flag ?? 'NOTIFY_AND_AUTO_RENEW') as SimInstance['RenewFlag'];
        i.latestOperation = 'RenewInstances';
        i.latestOperationState = 'SUCCESS';
        env.state.changed(i);
      }
      return ok({});
    },
  },

  InquiryPriceRenewInstances: {
    mutating: false,
    rate: 10,
    allowed: ['InstanceIds', 'InstanceChargePrepaid', 'DryRun', 'RenewPortableDataDisk'],
    required: ['InstanceIds', 'InstanceChargePrepaid'],
    run: (env) => {
      const list = instancesOf(env);
      const months = prepaidPeriod(env);
      const notPrepaid = list.find((i) => i.InstanceChargeType !== 'PREPAID');
      if (notPrepaid) throw new ApiError('InvalidInstance.NotSupported', `instance ${notPrepaid.InstanceId} is not prepaid`);
      if (env.p.str('DryRun') === 'TRUE') throw new ApiError('DryRunOperation', 'the request would have succeeded');
      let original = 0;
      let discount = 0;
      for (const i of list) {
        const p = renewalPriceFen(i, months);
        original += p.original;
        discount += p.discount;
      }
      return ok({ Price: { InstancePrice: { OriginalPrice: fenToYuan(original), DiscountPrice: fenToYuan(discount) } } });
    },
  },

  ModifyInstancesRenewFlag: {
    mutating: true,
    rate: 10,
    allowed: ['InstanceIds', 'RenewFlag'],
    required: ['InstanceIds', 'RenewFlag'],
    run: (env) => {
      const list = instancesOf(env);
      const flag = env.p.str('RenewFlag')!;
      if (!RENEW_FLAGS.has(flag)) throw new ApiError('InvalidParameterValue', `RenewFlag ${flag} is not one of ${[...RENEW_FLAGS].join(', ')}`);
      failIfInjected(env, list.map((i) => i.InstanceId), 'InvalidInstance.NotSupported');
      const notPrepaid = list.find((i) => i.InstanceChargeType !== 'PREPAID');
      if (notPrepaid) throw new ApiError('InvalidInstance.NotSupported', `instance ${notPrepaid.InstanceId} is not prepaid`); // L3398
      for (const i of list) {
        i.RenewFlag = flag as SimInstance['RenewFlag'];
        i.latestOperation = 'ModifyInstancesRenewFlag';
        i.latestOperationState = 'SUCCESS';
        env.state.changed(i);
      }
      return ok({});
    },
  },

  DescribeZoneInstanceConfigInfos: {
    mutating: false,
    rate: 40,
    allowed: ['Filters'],
    required: [],
    run: (env) => {
      const filters = env.p.filters();
      const known = new Set(['zone', 'instance-family', 'instance-type', 'instance-charge-type']); // L3820
      for (const f of filters) if (!known.has(f.Name)) throw new ApiError('InvalidFilter', `unknown filter ${f.Name}`);
      const want = (name: string) => filters.find((f) => f.Name === name)?.Values;
      const zones = want('zone') ?? zonesOf(env.region);
      const bad = zones.find((z) => !zonesOf(env.region).includes(z));
      if (bad) throw new ApiError('InvalidZone.MismatchRegion', `zone ${bad} is not in ${env.region}`);
      const types = want('instance-type') ?? Object.keys(TYPE_PRICES_FEN);
      const families = want('instance-family');
      const charges = want('instance-charge-type') ?? ['PREPAID', 'POSTPAID_BY_HOUR', 'SPOTPAID'];
      const set = [];
      for (const zone of zones)
        for (const type of types) {
          const hourly = TYPE_PRICES_FEN[type];
          if (hourly === undefined) continue;
          const family = type.split('.')[0]!;
          if (families && !families.includes(family)) continue;
          const spec = TYPE_SPECS[type]!;
          for (const charge of charges) {
            const price =
              charge === 'PREPAID'
                ? { OriginalPrice: fenToYuan(hourly * 720), DiscountPrice: fenToYuan(Math.round(hourly * 720 * 0.8)) }
                : charge === 'SPOTPAID'
                  ? // UnitPrice is the list price, UnitPriceDiscount what a spot buyer pays (SDK model ItemPrice; T18).
                    { ChargeUnit: 'HOUR', UnitPrice: Number(fenToYuan(hourly)), UnitPriceDiscount: Number(fenToYuan(spotPriceFen(zone, type, env.nowMs))) }
                  : charge === 'POSTPAID_BY_HOUR'
                    ? { ChargeUnit: 'HOUR', UnitPrice: Number(fenToYuan(hourly)), UnitPriceDiscount: Number(fenToYuan(hourly)), Discount: 100 }
                    : undefined;
            if (!price) continue;
            const shaped = env.state.shapes ? env.state.shapes.vary(price as Record<string, unknown>, 'ItemPrice', PRICE_CORE) : price;
            set.push({ Zone: zone, InstanceType: type, InstanceChargeType: charge, InstanceFamily: family, TypeName: `Standard ${family}`, Cpu: spec.cpu, Memory: spec.memory, NetworkCard: 0, Externals: {}, LocalDiskTypeList: [], Status: 'SELL', Price: shaped });
          }
        }
      return ok({ InstanceTypeQuotaSet: set });
    },
  },

  CreateImage: {
    mutating: true,
    rate: 10,
    allowed: ['InstanceId', 'ImageName', 'ImageDescription', 'ForcePoweroff', 'Sysprep', 'Reboot'],
    required: ['InstanceId', 'ImageName'],
    run: (env) => {
      const id = env.p.str('InstanceId')!;
      const name = env.p.str('ImageName')!;
      const description = env.p.str('ImageDescription') ?? '';
      const instance = env.state.instances.get(id);
      if (!instance || instance.region !== env.region) throw new ApiError('InvalidInstanceId.NotFound', `instance ${id} not found`);
      if (name.length > 60 || description.length > 60) throw new ApiError('InvalidParameter.ValueTooLarge', 'ImageName and ImageDescription are limited to 60 characters'); // DECISIONS.md D7
      if (env.ctx.faults.isFailingId(id) || !['RUNNING', 'STOPPED'].includes(instance.InstanceState)) {
        throw new ApiError('InvalidInstance.NotSupported', `instance ${id} is ${instance.InstanceState}`);
      }
      const privates = [...env.state.images.values()].filter((i) => i.region === env.region && i.ImageType === 'PRIVATE_IMAGE');
      if (privates.some((i) => i.ImageName === name)) throw new ApiError('InvalidImageName.Duplicate', `image name ${name} already exists`);
      if (privates.some((i) => i.sourceInstanceId === id && i.ImageState === 'CREATING')) throw new ApiError('MutexOperation.TaskRunning', `an image of ${id} is being created`);
      if (privates.length >= env.state.options.imageQuota) throw new ApiError('ImageQuotaLimitExceeded', `the quota of ${env.state.options.imageQuota} custom images is used up`);
      env.state.addImage({
        ImageId: env.state.newId('img'),
        ImageName: name,
        ImageDescription: description,
        ImageType: 'PRIVATE_IMAGE',
        ImageState: 'CREATING',
        region: env.region,
        createdMs: env.nowMs,
        readyAtMs: env.nowMs + env.state.options.transitionMs,
        sourceInstanceId: id,
        shared: false,
        sizeGb: 50,
      });
      return ok({});
    },
  },

  DeleteImages: {
    mutating: true,
    rate: 10,
    allowed: ['ImageIds'],
    required: ['ImageIds'],
    run: (env) => {
      const ids = env.p.list('ImageIds');
      if (ids.length > 100) throw new ApiError('InvalidParameterValue.LimitExceeded', `at most 100 ImageIds, got ${ids.length}`); // DECISIONS.md D6
      const images = ids.map((id) => {
        if (!IMAGE_ID.test(id)) throw new ApiError('InvalidImageId.Malformed', `image id ${id} is malformed`);
        const img = env.state.images.get(id);
        if (!img || img.region !== env.region || img.ImageType === 'PUBLIC_IMAGE') throw new ApiError('InvalidImageId.NotFound', `image ${id} not found`);
        return img;
      });
      for (const img of images) {
        if (img.shared) throw new ApiError('InvalidImageId.InShared', `image ${img.ImageId} is shared`); // L4603
        if (img.ImageState !== 'NORMAL' || env.ctx.faults.isFailingId(img.ImageId)) throw new ApiError('InvalidImageId.IncorrectState', `image ${img.ImageId} is ${img.ImageState}`); // L4575, L4604
      }
      for (const img of images) env.state.images.delete(img.ImageId);
      env.state.touch();
      return ok({});
    },
  },

  DescribeImages: {
    mutating: false,
    rate: 10,
    allowed: ['ImageIds', 'Filters', 'Offset', 'Limit', 'InstanceType'],
    required: [],
    run: (env) => {
      const { offset, limit } = checkLimits(env);
      const ids = env.p.list('ImageIds');
      const filters = env.p.filters();
      if (ids.length && filters.length) throw new ApiError('InvalidParameter.InvalidParameterCoexistImageIdsFilters', 'ImageIds and Filters cannot be specified at the same time'); // L4746
      // "maximum number of Filters ... is 0" read as 10 (seed 004 L4725; DECISIONS.md D11).
      if (filters.length > 10 || filters.some((f) => f.Values.length > 5)) throw new ApiError('InvalidParameterValue.InvalidParameterValueLimit', 'at most 10 Filters and 5 Values per Filter');
      const field: Record<string, (i: SimImage) => string> = { 'image-id': (i) => i.ImageId, 'image-type': (i) => i.ImageType, 'image-state': (i) => i.ImageState };
      for (const f of filters) if (!field[f.Name]) throw new ApiError('InvalidFilter', `unknown filter ${f.Name}`);
      const all = [...env.state.images.values()].filter(
        (i) => (i.region === env.region || i.ImageType === 'PUBLIC_IMAGE') && (!ids.length || ids.includes(i.ImageId)) && filters.every((f) => f.Values.includes(field[f.Name]!(i))),
      );
      const shapes = env.state.shapes;
      const page = all.slice(offset, offset + (shapes ? shapes.pageLength(limit, all.length - offset) : limit));
      return ok({ TotalCount: all.length, ImageSet: page.map((i) => (shapes ? shapes.vary(renderImage(i), 'Image', IMAGE_CORE) : renderImage(i))) });
    },
  },

  DescribeImageQuota: {
    mutating: false,
    rate: 10,
    allowed: [],
    required: [],
    run: (env) => ok({ ImageNumQuota: env.state.options.imageQuota }),
  },
};

function prepaidPeriod(env: HandlerEnv): number {
  const months = env.p.int('InstanceChargePrepaid.Period', Number.NaN);
  if (!PERIODS.has(months)) throw new ApiError('InvalidPeriod', 'Supported period values are: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 24, 36 (in month).'); // L3279
  return months;
}
