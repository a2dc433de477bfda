import { z } from 'zod';
import {
  callOrigin,
  batchWithBisect,
  parseIsoWithZone,
  type BatchOutcome,
  type ClientOptions,
  type Instance,
  type ListInstancesOptions,
  type Scope,
  type TencentSettings,
} from '../core';
import type { ActionSpec } from './actions';
import { buildRequest, parseEnvelope, requestIdOf, type Params } from './codec';

/**
 * Instance action timers: native auto-delete for CVM. Not in seeds 002/004 (004 L6317-6326 knows
 * ActionTimer only as a create-time RunInstances field); taken from the official SDK model,
 * tencentcloud-sdk-nodejs-cvm 4.1 `cvm_models.d.ts`: ImportInstancesActionTimer(InstanceIds,
 * ActionTimer) → ActionTimerIds, DescribeInstancesActionTimer(ActionTimerIds?, InstanceIds?,
 * TimerAction?, StatusList?, …) → ActionTimers?, DeleteInstancesActionTimer(ActionTimerIds).
 * sim/DECISIONS.md T22 records what the model leaves open.
 */

/** The model's only timer action. */
export const TERMINATE = 'TerminateInstances';
/** "执行时间必须大于当前时间5分钟" (ActionTimer.ActionTime): at least 5 minutes ahead. */
export const TIMER_MIN_LEAD_MINUTES = 5;

/** ActionTimer: every field optional in the model (all but TimerAction/ActionTime are output only). */
export const actionTimerSchema = z.looseObject({
  TimerAction: z.string().nullish(),
  ActionTime: z.string().nullish(),
  Externals: z.looseObject({}).nullish(),
  ActionTimerId: z.string().nullish(),
  Status: z.string().nullish(),
  InstanceId: z.string().nullish(),
});

const requestId = { RequestId: z.string().optional(), RequestID: z.string().optional() };

/** No rate limit or batch size in the model: 10/s like every CVM mutation in seed 004, 100 ids like every `.N` list (T22). */
export const TIMER_ACTIONS = {
  ImportInstancesActionTimer: {
    name: 'ImportInstancesActionTimer',
    mutating: true,
    ratePerSecond: 10,
    batchLimit: 100,
    schema: z.looseObject({ ...requestId, ActionTimerIds: z.array(z.string()).nullish() }),
  },
  DescribeInstancesActionTimer: {
    name: 'DescribeInstancesActionTimer',
    mutating: false,
    ratePerSecond: 10,
    batchLimit: 100,
    schema: z.looseObject({ ...requestId, ActionTimers: z.array(actionTimerSchema).nullish() }),
  },
  DeleteInstancesActionTimer: {
    name: 'DeleteInstancesActionTimer',
    mutating: true,
    ratePerSecond: 10,
    batchLimit: 100,
    schema: z.looseObject({ ...requestId }),
  },
} as const satisfies Record<string, ActionSpec>;

type TimerActionName = keyof typeof TIMER_ACTIONS;
type Body<K extends TimerActionName> = z.infer<(typeof TIMER_ACTIONS)[K]['schema']>;

/** `YYYY-MM-DDThh:mm:ssZ`, UTC, as the model's ActionTime asks. */
export const timerTime = (at: string) => `${new Date(at).toISOString().slice(0, 19)}Z`;

/** The model says UTC; a value without a zone (seed 004's `2018-5-29 11:26:40` style) is read as UTC too. */
export function parseTimerTime(value: string): string {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return parseIsoWithZone(value);
  const [, y, mo, d, h, mi, s] = m;
  const pad = (x: string) => x.padStart(2, '0');
  return parseIsoWithZone(`${y}-${pad(mo!)}-${pad(d!)}T${pad(h!)}:${mi}:${s}Z`);
}

export interface PendingTimer {
  id: string;
  instanceId: string;
  at: string;
}

export interface ActionTimerOps {
  /** Pending (UNDO) termination timers of these instances, ≤100 ids per call. */
  pendingTimers(scope: Scope, instanceIds: string[]): Promise<Map<string, PendingTimer[]>>;
  /** The instances, each carrying its earliest pending timer as `autoDeleteAt` (≤100 ids per read). */
  readAutoDeleteTimers(scope: Scope, instances: Instance[]): Promise<Instance[]>;
  /** Wraps a listing: with `autoDeleteTimers`, each page's instances carry their earliest pending timer as `autoDeleteAt`. */
  withTimers(list: (scope: Scope, opts?: ListInstancesOptions) => AsyncGenerator<Instance[]>): (scope: Scope, opts?: ListInstancesOptions) => AsyncGenerator<Instance[]>;
  setAutoDeleteTime(scope: Scope, ids: string[], at: string): Promise<BatchOutcome[]>;
  clearAutoDeleteTime(scope: Scope, ids: string[]): Promise<BatchOutcome[]>;
}

export function actionTimers(options: Pick<ClientOptions<TencentSettings>, 'target' | 'transport' | 'credentials' | 'credentialSettings' | 'settings' | 'endpoint'>): ActionTimerOps {
  const { transport, credentials, settings, endpoint } = options;
  const origin = callOrigin(options);

  function call<K extends TimerActionName>(name: K, region: string, params: Params): Promise<Body<K>> {
    const action = TIMER_ACTIONS[name];
    return transport.call(
      { vendor: 'tencent', action: name, region, mutating: action.mutating, ratePerSecond: action.ratePerSecond, origin },
      () => buildRequest({ action: name, region, params, credentials, settings, endpoint }),
      (response) => parseEnvelope(name, response, action.schema) as Body<K>,
    );
  }

  async function pendingTimers(scope: Scope, instanceIds: string[]): Promise<Map<string, PendingTimer[]>> {
    const out = new Map<string, PendingTimer[]>();
    const ids = [...new Set(instanceIds)];
    for (let i = 0; i < ids.length; i += TIMER_ACTIONS.DescribeInstancesActionTimer.batchLimit) {
      const group = ids.slice(i, i + TIMER_ACTIONS.DescribeInstancesActionTimer.batchLimit);
      const body = await call('DescribeInstancesActionTimer', scope.region, { InstanceIds: group, TimerAction: TERMINATE, StatusList: ['UNDO'] });
      const wanted = new Set(group);
      for (const t of body.ActionTimers ?? []) {
        // filter again: a vendor that ignores a filter must not make us clear someone else's timer
        if (!t.ActionTimerId || !t.InstanceId || !t.ActionTime || !wanted.has(t.InstanceId)) continue;
        if ((t.Status ?? 'UNDO') !== 'UNDO' || (t.TimerAction ?? TERMINATE) !== TERMINATE) continue;
        const list = out.get(t.InstanceId) ?? [];
        list.push({ id: t.ActionTimerId, instanceId: t.InstanceId, at: parseTimerTime(t.ActionTime) });
        out.set(t.InstanceId, list);
      }
    }
    return out;
  }

  async function deleteTimers(scope: Scope, timerIds: string[]): Promise<string | undefined> {
    let last: string | undefined;
    for (let i = 0; i < timerIds.length; i += TIMER_ACTIONS.DeleteInstancesActionTimer.batchLimit) {
      last = requestIdOf(await call('DeleteInstancesActionTimer', scope.region, { ActionTimerIds: timerIds.slice(i, i + TIMER_ACTIONS.DeleteInstancesActionTimer.batchLimit) }));
    }
    return last;
  }

  const earliest = (timers: PendingTimer[] | undefined) => timers?.map((t) => t.at).sort()[0];

  async function readAutoDeleteTimers(scope: Scope, instances: Instance[]): Promise<Instance[]> {
    if (!instances.length) return instances;
    const timers = await pendingTimers(scope, instances.map((i) => i.id));
    return instances.map((i) => {
      const at = earliest(timers.get(i.id));
      return at ? { ...i, autoDeleteAt: at } : i;
    });
  }

  return {
    pendingTimers,
    readAutoDeleteTimers,

    withTimers(list) {
      return async function* (scope, opts = {}) {
        for await (const page of list(scope, opts)) yield opts.autoDeleteTimers ? await readAutoDeleteTimers(scope, page) : page;
      };
    },

    /**
     * Import adds a timer beside any earlier one, which would still fire first: the pending timers
     * of the ids are deleted, then the new one imported. Dying in between leaves no timer (the next
     * run sets it again), never an earlier one.
     */
    setAutoDeleteTime(scope, ids, at) {
      return batchWithBisect(ids, TIMER_ACTIONS.ImportInstancesActionTimer.batchLimit, async (group) => {
        const old = [...(await pendingTimers(scope, group)).values()].flat().map((t) => t.id);
        if (old.length) await deleteTimers(scope, old);
        const body = await call('ImportInstancesActionTimer', scope.region, { InstanceIds: group, ActionTimer: { TimerAction: TERMINATE, ActionTime: timerTime(at) } });
        return { requestId: requestIdOf(body) };
      });
    },

    clearAutoDeleteTime(scope, ids) {
      return batchWithBisect(ids, TIMER_ACTIONS.DeleteInstancesActionTimer.batchLimit, async (group) => {
        const old = [...(await pendingTimers(scope, group)).values()].flat().map((t) => t.id);
        return { requestId: old.length ? await deleteTimers(scope, old) : undefined };
      });
    },
  };
}
