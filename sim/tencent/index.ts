import type { FleetOptions, SimClock, SimContext, SimRequest, SimResponse, VendorSimulator } from '../core';
import { attachActionTimers } from './action-timers';
import { seedFleet } from './fleet';
import { HANDLERS, renderInstance } from './handlers';
import { WireParams } from './params';
import { actionOf, ApiError, authenticate, fail, VERSION } from './protocol';
import { RealShapes } from './shapes';
import { CvmState, DAY_MS, REGIONS, zonesOf, type SimImage, type SimInstance } from './state';

export interface TencentSimOptions {
  /** Business time for STOPPING→STOPPED, TERMINATING→gone, image CREATING→NORMAL. */
  transitionMs?: number;
  /** Days a returned prepaid instance stays in SHUTDOWN before destruction (DECISIONS.md D3). */
  isolationDays?: number;
  /** Days an expired prepaid instance stays in SHUTDOWN (DECISIONS.md D4). */
  expiredRetentionDays?: number;
  /** Custom images per region (seed 004 sample L5394 says 20; prose L4576 says 10). */
  imageQuota?: number;
  /** Seeded real-shapes mode: nulls and absent fields as the SDK model allows, short pages (sim/DECISIONS.md T20). */
  realShapes?: { seed: number };
}

export interface TencentSim extends VendorSimulator {
  readonly state: CvmState;
  addInstance(partial?: Partial<SimInstance> & { region?: string }): SimInstance;
  addImage(partial: Partial<SimImage> & { region?: string }): SimImage;
  instances(): SimInstance[];
  instance(id: string): SimInstance | undefined;
  snapshots(): SimImage[];
  /** What DescribeInstances would show for an instance (for assertions). */
  render(id: string): ReturnType<typeof renderInstance> | undefined;
  /** Makes the helpers use the shared business clock before the first request arrives. */
  bindClock(clock: SimClock): void;
}

export function createTencentSim(options: TencentSimOptions = {}): TencentSim {
  const state = new CvmState({
    transitionMs: options.transitionMs ?? 5_000,
    isolationDays: options.isolationDays ?? 7,
    expiredRetentionDays: options.expiredRetentionDays ?? 7,
    imageQuota: options.imageQuota ?? 20,
  });
  // SIM_REAL_SHAPES=<seed> turns the mode on for every simulator a run creates (exploratory runs of the suite).
  const shapesSeed = options.realShapes?.seed ?? (process.env.SIM_REAL_SHAPES ? Number(process.env.SIM_REAL_SHAPES) : undefined);
  if (shapesSeed !== undefined) state.shapes = new RealShapes(shapesSeed);
  attachActionTimers(state);
  let nowForHelpers = () => Date.now();

  const handle = (req: SimRequest, ctx: SimContext): SimResponse => {
    nowForHelpers = () => ctx.clock.nowMs();
    try {
      if (req.path !== '/' && req.path !== '') throw new ApiError('InvalidAction', `the request path is always / (seed 004 L480), got ${req.path}`);
      const parsed = authenticate(req, ctx.credentials);
      const handler = HANDLERS[parsed.action];
      if (!handler) throw new ApiError('InvalidAction', `action ${parsed.action} does not exist`);
      if (parsed.version !== VERSION) throw new ApiError('NoSuchVersion', `version ${parsed.version ?? '(none)'} does not exist; use ${VERSION}`);
      const region = parsed.region ?? '';
      if (!handler.regionless) {
        if (!region) throw new ApiError('MissingParameter', 'the common parameter Region is missing');
        if (!REGIONS.some((r) => r.Region === region)) throw new ApiError('UnsupportedRegion', `region ${region} is not supported`);
      }
      const p = new WireParams(parsed.params);
      for (const root of p.roots()) {
        if (!handler.allowed.includes(root)) throw new ApiError('UnknownParameter', `parameter ${root} is not defined for ${parsed.action}`);
      }
      for (const name of handler.required) if (!p.has(name)) throw new ApiError('MissingParameter', `the parameter ${name} is missing`);
      const nowMs = ctx.clock.nowMs();
      state.settle(nowMs);
      return handler.run({ state, ctx, region, p, nowMs });
    } catch (e) {
      if (e instanceof ApiError) return fail(e.code, e.message, e.status);
      throw e;
    }
  };

  const sim: TencentSim = {
    vendor: 'tencent',
    state,
    actionOf,
    rateLimitOf: (action) => HANDLERS[action]?.rate,
    // seed 004 does not say what "per second for this API" is counted per; like the client's
    // limiters and the fan-out's message groups: per account (one simulator) and region
    rateScopeOf: (req) => req.headers['x-tc-region'] ?? req.query.get('Region') ?? new URLSearchParams(req.body).get('Region') ?? '',
    isMutating: (action) => HANDLERS[action]?.mutating ?? false,
    throttled: () => fail('RequestLimitExceeded', 'The number of requests exceeds the frequency limit.'), // seed 004 L682
    serverError: () => fail('InternalError', 'Internal error.', 500), // L679
    handle,
    seedFleet: (fleet: FleetOptions) => seedFleet(state, fleet),

    addInstance(partial = {}) {
      const region = partial.region ?? 'ap-guangzhou';
      const now = nowForHelpers();
      const charge = partial.InstanceChargeType ?? 'POSTPAID_BY_HOUR';
      const i: SimInstance = {
        InstanceId: state.newId('ins'),
        InstanceName: 'sim-instance',
        InstanceType: 'S2.MEDIUM4',
        InstanceState: 'RUNNING',
        RestrictState: 'NORMAL',
        InstanceChargeType: charge,
        RenewFlag: charge === 'PREPAID' ? 'NOTIFY_AND_MANUAL_RENEW' : undefined,
        zone: zonesOf(region)[0]!,
        projectId: 0,
        createdMs: now - DAY_MS,
        expiredMs: charge === 'PREPAID' ? now + 30 * DAY_MS : undefined,
        tags: {},
        imageId: 'img-pmqg1cw7',
        returnable: true,
        ...partial,
        region,
      };
      state.addInstance(i);
      return i;
    },
    addImage(partial) {
      const img: SimImage = {
        ImageId: state.newId('img'),
        ImageName: `image-${state.images.size}`,
        ImageDescription: '',
        ImageType: 'PRIVATE_IMAGE',
        ImageState: 'NORMAL',
        createdMs: nowForHelpers(),
        shared: false,
        sizeGb: 50,
        ...partial,
        region: partial.region ?? 'ap-guangzhou',
      };
      state.addImage(img);
      return img;
    },
    instances: () => {
      state.settle(nowForHelpers());
      return [...state.instances.values()];
    },
    instance: (id) => {
      state.settle(nowForHelpers());
      return state.instances.get(id);
    },
    bindClock: (clock) => {
      nowForHelpers = () => clock.nowMs();
    },
    snapshots: () => [...state.images.values()],
    render: (id) => {
      const i = state.instances.get(id);
      return i ? renderInstance(i) : undefined;
    },
  };
  return sim;
}

export type { SimInstance, SimImage } from './state';
