import type { SimContext } from '../core';
import { pageOf, region, utc, type Params } from './handlers';
import { ApiError, invalid } from './protocol';
import type { AlibabaState, SimPolicy } from './state';

/** Automatic snapshot policies (seed 001 L4040-4396); TimePoints in Beijing time (decision A4). */

function schedule(p: Params, name: string, alias: string, valid: (n: number) => boolean, required: boolean): string[] | undefined {
  // the table names; the samples' Setting* spelling accepted too (seed 001 L4079, decision A5)
  const key = p.get(name) !== undefined ? name : p.get(alias) !== undefined ? alias : undefined;
  if (!key) {
    if (required) throw new ApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
    return undefined;
  }
  const values = p.jsonArray(key, 24);
  if (!values?.length || values.some((v) => !/^\d+$/.test(v) || !valid(Number(v)))) throw invalid(name);
  return [...new Set(values.map((v) => String(Number(v))))];
}

/** Create: 1-65536, omitted = forever (seed 001 L4059); modify also takes -1 = forever (L4172). */
function retention(p: Params, forever: boolean): number | undefined {
  const v = p.get('RetentionDays');
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || ((n !== -1 || !forever) && (n < 1 || n > 65536))) throw invalid('RetentionDays');
  return n;
}

const NAME = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9\u4e00-\u9fa5_-]{1,127}$/;

function policyOf(state: AlibabaState, p: Params, r?: string): SimPolicy {
  const id = p.need('AutoSnapshotPolicyId');
  const policy = state.policies.get(id);
  if (!policy || (r !== undefined && policy.region !== r)) throw new ApiError(404, 'InvalidAutoSnapshotPolicyId.NotFound', 'The specified AutoSnapshotPolicyId does not exist.');
  return policy;
}

export function createPolicy(state: AlibabaState, p: Params, ctx: SimContext, hex: () => string) {
  const r = region(state, p);
  const name = p.need('AutoSnapshotPolicyName');
  if (!NAME.test(name)) throw invalid('AutoSnapshotPolicyName');
  const policy: SimPolicy = {
    id: state.newId('p', hex),
    region: r,
    name,
    timePoints: schedule(p, 'TimePoints', 'SettingTimePoints', (h) => h <= 23, true)!,
    weekdays: schedule(p, 'RepeatWeekdays', 'SettingRepeatWeekdays', (d) => d >= 1 && d <= 7, true)!,
    retentionDays: retention(p, false) ?? -1, // default: keep forever (seed 001 L4059)
    createdAt: ctx.clock.nowMs(),
  };
  state.policies.set(policy.id, policy);
  state.changed();
  return { AutoSnapshotPolicyId: policy.id };
}

export function modifyPolicy(state: AlibabaState, p: Params) {
  // RegionId optional here (seed 001 L4167)
  const policy = policyOf(state, p, p.get('RegionId') || undefined);
  const name = p.get('AutoSnapshotPolicyName');
  if (name) {
    if (!NAME.test(name)) throw invalid('AutoSnapshotPolicyName');
    policy.name = name;
  }
  policy.timePoints = schedule(p, 'TimePoints', 'SettingTimePoints', (h) => h <= 23, false) ?? policy.timePoints;
  policy.weekdays = schedule(p, 'RepeatWeekdays', 'SettingRepeatWeekdays', (d) => d >= 1 && d <= 7, false) ?? policy.weekdays;
  policy.retentionDays = retention(p, true) ?? policy.retentionDays;
  state.changed();
  return {};
}

export function describePolicies(state: AlibabaState, p: Params) {
  const r = region(state, p);
  const ids = p.jsonArray('AutoSnapshotPolicyId');
  const page = p.page(50);
  const all = [...state.policies.values()].filter((x) => x.region === r && (!ids || ids.includes(x.id))).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  const { items: slice, ...paging } = pageOf(all, page, state);
  const diskNums = (id: string) => [...state.disks.values()].filter((d) => d.policyId === id).length;
  // the seed's `AutoSnapshotPolicys` (L4249), or the SDK's `AutoSnapshotPolicies` in SDK-shapes mode (A17)
  return {
    ...paging,
    [state.shapes.sdkShapes ? 'AutoSnapshotPolicies' : 'AutoSnapshotPolicys']: {
      AutoSnapshotPolicy: slice.map((x) => ({
        AutoSnapshotPolicyId: x.id,
        RegionId: x.region,
        AutoSnapshotPolicyName: x.name,
        TimePoints: JSON.stringify(x.timePoints),
        RepeatWeekdays: JSON.stringify(x.weekdays),
        // both spellings: the table's and the samples' (decision A5)
        SettingTimePoints: JSON.stringify(x.timePoints),
        SettingRepeatWeekdays: JSON.stringify(x.weekdays),
        RetentionDays: x.retentionDays,
        DiskNums: diskNums(x.id),
        OperationLocks: { OperationLock: [] },
        Status: 'Available',
        CreationTime: utc(x.createdAt),
      })),
    },
  };
}

/** The whole call fails when one disk is unknown or failing: the response has no per-disk result (seed 001 L4329-4350, decision A10). */
function disksOf(state: AlibabaState, p: Params, r: string, ctx: SimContext) {
  const ids = p.jsonArray('DiskIds', 100);
  if (!ids) throw new ApiError(400, 'MissingParameter', 'The input parameter "DiskIds" that is mandatory for processing this request is not supplied.');
  return ids.map((id) => {
    const disk = state.disks.get(id);
    if (!disk || disk.region !== r || ctx.faults.isFailingId(id)) throw new ApiError(404, 'InvalidDiskId.NotFound', 'The specified DiskId does not exist.');
    return disk;
  });
}

export function applyPolicy(state: AlibabaState, p: Params, ctx: SimContext) {
  const r = region(state, p);
  const policy = policyOf(state, p, r);
  // one policy per disk: applying another replaces it (seed 001 L4307)
  for (const disk of disksOf(state, p, r, ctx)) disk.policyId = policy.id;
  state.changed();
  return {};
}

export function cancelPolicy(state: AlibabaState, p: Params, ctx: SimContext) {
  const r = region(state, p);
  for (const disk of disksOf(state, p, r, ctx)) disk.policyId = undefined;
  state.changed();
  return {};
}

export function deletePolicy(state: AlibabaState, p: Params) {
  const r = region(state, p);
  const policy = policyOf(state, p, r);
  // disks running it stop running it (seed 001 L4106)
  for (const disk of state.disks.values()) if (disk.policyId === policy.id) disk.policyId = undefined;
  state.policies.delete(policy.id);
  state.changed();
  return {};
}
