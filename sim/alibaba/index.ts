import type { FleetOptions, SimContext, SimRequest, SimResponse, VendorSimulator } from '../core';
import { Rng } from '../core';
import { builders, seedFleet, type Builders } from './fleet';
import * as h from './handlers';
import * as pol from './policies';
import { ApiError, errorResponse, NonceCache, parsePairs, render, requestId, verify } from './protocol';
import { AlibabaState, type AlibabaShapes, type ResourceType, type SimDisk, type SimInstance, type SimSnapshot } from './state';

export { AlibabaState, type SimInstance, type SimDisk, type SimSnapshot, type SimPolicy, type AlibabaShapes } from './state';

const MUTATING = new Set([
  'StartInstance',
  'StopInstance',
  'DeleteInstance',
  'CreateSnapshot',
  'DeleteSnapshot',
  'AddTags',
  'RemoveTags',
  'CreateAutoSnapshotPolicy',
  'ModifyAutoSnapshotPolicyEx',
  'ApplyAutoSnapshotPolicy',
  'CancelAutoSnapshotPolicy',
  'DeleteAutoSnapshotPolicy',
]);

/** Actions taking ClientToken (seed 001 digest §3.5) among those simulated. */
const TOKENED = new Set(['CreateSnapshot', 'CreateAutoSnapshotPolicy', 'ModifyAutoSnapshotPolicyEx']);
const COMMON = new Set(['Action', 'Format', 'Version', 'AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'ClientToken']);

export interface AlibabaSim extends VendorSimulator {
  readonly state: AlibabaState;
  addInstance(partial: Partial<SimInstance> & { region?: string }, options?: { dataDisk?: boolean; tags?: Record<string, string> }): SimInstance;
  addSnapshot(diskId: string, partial?: Partial<SimSnapshot>, tags?: Record<string, string>): SimSnapshot;
  instances(): SimInstance[];
  disks(): SimDisk[];
  snapshots(): SimSnapshot[];
  tagsOf(type: ResourceType, id: string): Record<string, string>;
}

/** `shapes`: the documented variety (short pages, SDK spellings, absent optional fields), off by default (A17). */
export function createAlibabaSim(seed = 1, shapes?: AlibabaShapes): AlibabaSim {
  const state = new AlibabaState();
  // SIM_REAL_SHAPES=<seed>: short pages and (odd seeds) the SDK spellings for every simulator a run creates
  const envSeed = process.env.SIM_REAL_SHAPES ? Number(process.env.SIM_REAL_SHAPES) : undefined;
  state.shapes = shapes ?? (envSeed !== undefined && Number.isInteger(envSeed) ? { pageClamp: 7 + (envSeed % 41), sdkShapes: envSeed % 2 === 1 } : {});
  const rng = new Rng(seed);
  const hex = () => rng.hex(8);
  const nonces = new NonceCache();
  let clockNow = () => Date.now();
  const b: Builders = builders(state, () => clockNow());

  function dispatch(action: string, p: h.Params, ctx: SimContext): Record<string, unknown> {
    switch (action) {
      case 'DescribeRegions':
        return { Regions: { Region: state.regions.map((RegionId) => ({ RegionId, LocalName: RegionId })) } };
      case 'DescribeInstances':
        return h.describeInstances(state, p);
      case 'DescribeInstanceStatus':
        return h.describeInstanceStatus(state, p);
      case 'StartInstance':
        return h.startInstance(state, p, ctx);
      case 'StopInstance':
        return h.stopInstance(state, p, ctx);
      case 'DeleteInstance':
        return h.deleteInstance(state, p, ctx);
      case 'DescribeDisks':
        return h.describeDisks(state, p);
      case 'CreateSnapshot':
        return h.createSnapshot(state, p, ctx, hex);
      case 'DeleteSnapshot':
        return h.deleteSnapshot(state, p, ctx);
      case 'DescribeSnapshots':
        return h.describeSnapshots(state, p);
      case 'AddTags':
        return h.addTags(state, p, ctx);
      case 'RemoveTags':
        return h.removeTags(state, p);
      case 'DescribeTags':
        return h.describeTags(state, p);
      case 'CreateAutoSnapshotPolicy':
        return pol.createPolicy(state, p, ctx, hex);
      case 'ModifyAutoSnapshotPolicyEx':
        return pol.modifyPolicy(state, p);
      case 'DescribeAutoSnapshotPolicyEx':
        return pol.describePolicies(state, p);
      case 'ApplyAutoSnapshotPolicy':
        return pol.applyPolicy(state, p, ctx);
      case 'CancelAutoSnapshotPolicy':
        return pol.cancelPolicy(state, p, ctx);
      case 'DeleteAutoSnapshotPolicy':
        return pol.deletePolicy(state, p);
      default:
        throw new ApiError(403, 'InvalidAction', 'Specified action is not valid.');
    }
  }

  /** Same ClientToken, same parameters: the first answer again; different parameters: IdempotentParameterMismatch (seed 001 L9770-9771). */
  function withToken(action: string, accessKeyId: string, p: h.Params, ctx: SimContext): Record<string, unknown> {
    if (state.denied.has(action)) throw new ApiError(403, 'Forbidden.RAM', "User not authorized to operate the specified resource, or this API doesn't support RAM.");
    const token = p.get('ClientToken');
    if (!token || !TOKENED.has(action)) return dispatch(action, p, ctx);
    if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) throw new ApiError(400, 'InvalidParameter', 'The specified parameter "ClientToken" is not valid.');
    const fingerprint = JSON.stringify(p.pairs.filter(([k]) => !COMMON.has(k)).sort(([a], [b2]) => (a < b2 ? -1 : a > b2 ? 1 : 0)));
    const key = `${accessKeyId}|${action}|${token}`;
    const seen = state.tokens.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) throw new ApiError(400, 'IdempotentParameterMismatch', 'The request is retried with updated parameters.');
      return seen.body;
    }
    const body = dispatch(action, p, ctx);
    state.tokens.set(key, { fingerprint, body });
    return body;
  }

  const sim: AlibabaSim = {
    vendor: 'alibaba',
    state,
    actionOf: (req: SimRequest) => req.query.get('Action') ?? 'unknown',
    // The guide documents no rate limits (decision A11)
    rateLimitOf: () => undefined,
    isMutating: (action) => MUTATING.has(action),
    throttled: (req) =>
      errorResponse(
        new ApiError(400, 'Throttling', 'You have made too many requests within a short time; your request is denied due to request throttling.'),
        req.query.get('Format') ?? undefined,
        req.host,
      ),
    serverError: (req) =>
      errorResponse(
        new ApiError(500, 'InternalError', 'The request processing has failed due to some unknown error.'),
        req.query.get('Format') ?? undefined,
        req.host,
      ),
    handle(req: SimRequest, ctx: SimContext): SimResponse {
      clockNow = () => ctx.clock.nowMs();
      const format = req.query.get('Format') ?? undefined;
      try {
        const pairs = parsePairs(req.rawQuery);
        const { accessKeyId } = verify(req, pairs, ctx, nonces);
        state.settle(ctx.clock.nowMs());
        const action = req.query.get('Action')!;
        const body = withToken(action, accessKeyId, new h.Params(pairs), ctx);
        return render(format, `${action}Response`, 200, { RequestId: requestId(), ...body });
      } catch (e) {
        if (e instanceof ApiError) return errorResponse(e, format, req.host);
        throw e;
      }
    },
    seedFleet(options: FleetOptions) {
      clockNow = () => options.now.getTime();
      seedFleet(state, b, options);
    },
    addInstance(partial, options = {}) {
      const inst = b.instance({ region: state.regions[0]!, ...partial }, rng);
      b.disk(inst, 'system', rng);
      if (options.dataDisk) b.disk(inst, 'data', rng);
      for (const [k, v] of Object.entries(options.tags ?? {})) state.tagsOf('instance', inst.id).set(k, v);
      return inst;
    },
    addSnapshot(diskId, partial = {}, tags = {}) {
      const disk = state.disks.get(diskId);
      if (!disk) throw new Error(`no disk ${diskId}`);
      const snap = b.snapshot(disk, partial, rng);
      for (const [k, v] of Object.entries(tags)) state.tagsOf('snapshot', snap.id).set(k, v);
      return snap;
    },
    instances: () => [...state.instances.values()],
    disks: () => [...state.disks.values()],
    snapshots: () => [...state.snapshots.values()],
    tagsOf: (type, id) => Object.fromEntries(state.peekTags(type, id) ?? []),
  };
  return sim;
}
