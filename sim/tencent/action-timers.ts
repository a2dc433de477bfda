import type { Handler, HandlerEnv } from './handlers';
import { ApiError, ok } from './protocol';
import { DAY_MS, isoSeconds, type CvmState } from './state';

/**
 * Instance action timers, following the official SDK model (tencentcloud-sdk-nodejs-cvm 4.1
 * cvm_models.d.ts: ImportInstancesActionTimer, DescribeInstancesActionTimer,
 * DeleteInstancesActionTimer, type ActionTimer); seeds 002/004 do not have them. Gaps the model
 * leaves are sim/DECISIONS.md T22.
 */

interface SimTimer {
  ActionTimerId: string;
  InstanceId: string;
  region: string;
  TimerAction: 'TerminateInstances';
  actionMs: number;
  Status: 'UNDO' | 'DOING' | 'DONE';
}

const MIN_LEAD_MS = 5 * 60_000; // "执行时间必须大于当前时间5分钟"
const STATUSES = new Set(['UNDO', 'DOING', 'DONE']);
const INSTANCE_ID = /^ins-[0-9a-z]{8}$/;

interface TimerBook {
  timers: Map<string, SimTimer>;
  counter: number;
  /** Earliest UNDO timer: settling before it costs nothing, so large fleets page linearly. */
  nextMs: number;
}
const books = new WeakMap<CvmState, TimerBook>();
const bookOf = (state: CvmState): TimerBook => {
  let b = books.get(state);
  if (!b) books.set(state, (b = { timers: new Map(), counter: 0, nextMs: Number.POSITIVE_INFINITY }));
  return b;
};

/** The timers the simulated account holds (for assertions). */
export function actionTimersOf(state: CvmState): SimTimer[] {
  return [...bookOf(state).timers.values()];
}

/**
 * Makes due timers fire whenever the state is advanced (every request and every helper calls
 * `settle`): the deletion happens at the vendor even when no function of ours runs.
 */
export function attachActionTimers(state: CvmState): void {
  const settle = state.settle.bind(state);
  state.settle = (nowMs: number) => {
    fireDue(state, nowMs);
    settle(nowMs);
  };
}

/** A due UNDO timer terminates its instance as TerminateInstances does (DECISIONS.md D3) and ends DONE. */
function fireDue(state: CvmState, nowMs: number): void {
  const book = bookOf(state);
  if (nowMs < book.nextMs) return;
  book.nextMs = Number.POSITIVE_INFINITY;
  for (const t of book.timers.values()) {
    if (t.Status !== 'UNDO') continue;
    if (t.actionMs > nowMs) {
      book.nextMs = Math.min(book.nextMs, t.actionMs);
      continue;
    }
    t.Status = 'DONE';
    const i = state.instances.get(t.InstanceId);
    // already terminating or in the bin: the timer has nothing left to do (a binned instance is not destroyed early);
    // termination protection (T17) holds against the timer as against TerminateInstances
    if (!i || i.InstanceState === 'TERMINATING' || i.InstanceState === 'SHUTDOWN' || i.disableApiTermination) continue;
    i.latestOperation = 'TerminateInstances';
    i.latestOperationState = 'SUCCESS';
    if (i.InstanceChargeType === 'PREPAID') {
      i.InstanceState = 'SHUTDOWN';
      i.RestrictState = 'PROTECTIVELY_ISOLATED';
      i.isolatedSource = 'MANMADE';
      i.purgeAtMs = t.actionMs + state.options.isolationDays * DAY_MS;
    } else {
      i.InstanceState = 'TERMINATING';
      i.purgeAtMs = undefined;
      i.transitionAtMs = t.actionMs + state.options.transitionMs;
    }
    state.changed(i);
  }
}

/** `YYYY-MM-DDThh:mm:ssZ`, UTC (the model's ActionTime); anything else is refused. */
function parseActionTime(value: string | undefined): number {
  if (value === undefined) throw new ApiError('MissingParameter', 'the parameter ActionTimer.ActionTime is missing');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ApiError('InvalidParameterValue', `ActionTimer.ActionTime must be YYYY-MM-DDThh:mm:ssZ (UTC), got ${JSON.stringify(value)}`);
  }
  return Date.parse(value);
}

function idsOf(env: HandlerEnv, name: string, max = 100): string[] {
  const ids = env.p.list(name);
  if (ids.length > max) throw new ApiError('InvalidParameterValue.LimitExceeded', `at most ${max} ${name} per request, got ${ids.length}`);
  return ids;
}

/** `YYYY-MM-DD hh:mm:ss` (the model's Start/EndActionTime filter format), read as UTC. */
function filterTime(env: HandlerEnv, name: string): number | undefined {
  const v = env.p.str(name);
  if (v === undefined) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(v);
  if (!m) throw new ApiError('InvalidParameterValue', `${name} must be YYYY-MM-DD hh:mm:ss, got ${JSON.stringify(v)}`);
  return Date.parse(`${m[1]}T${m[2]}Z`);
}

function render(t: SimTimer): Record<string, unknown> {
  // Externals is output-only and optional in the model: absent, as a client must tolerate
  return { TimerAction: t.TimerAction, ActionTime: isoSeconds(t.actionMs), ActionTimerId: t.ActionTimerId, Status: t.Status, InstanceId: t.InstanceId };
}

export const ACTION_TIMER_HANDLERS: Record<string, Handler> = {
  ImportInstancesActionTimer: {
    mutating: true,
    rate: 10,
    allowed: ['InstanceIds', 'ActionTimer'],
    required: ['InstanceIds', 'ActionTimer'],
    run: (env) => {
      const ids = idsOf(env, 'InstanceIds');
      if (!ids.length) throw new ApiError('MissingParameter', 'InstanceIds is required');
      const action = env.p.str('ActionTimer.TimerAction');
      if (action !== 'TerminateInstances') throw new ApiError('InvalidParameterValue', `ActionTimer.TimerAction must be TerminateInstances (the only timer action), got ${JSON.stringify(action)}`);
      const actionMs = parseActionTime(env.p.str('ActionTimer.ActionTime'));
      if (actionMs <= env.nowMs + MIN_LEAD_MS) throw new ApiError('InvalidParameterValue', `ActionTimer.ActionTime must be more than 5 minutes after the current time ${isoSeconds(env.nowMs)}`);
      for (const id of ids) {
        if (!INSTANCE_ID.test(id)) throw new ApiError('InvalidInstanceId.Malformed', `instance id ${id} is malformed`);
        const i = env.state.instances.get(id);
        if (!i || i.region !== env.region) throw new ApiError('InvalidInstanceId.NotFound', `instance ${id} not found`);
      }
      if (ids.some((id) => env.ctx.faults.isFailingId(id))) throw new ApiError('InvalidInstance.NotSupported', 'the operation is not supported for an instance in this batch');
      const book = bookOf(env.state);
      const created = ids.map((id) => {
        const t: SimTimer = { ActionTimerId: `at-${(++book.counter).toString(36).padStart(8, '0')}`, InstanceId: id, region: env.region, TimerAction: 'TerminateInstances', actionMs, Status: 'UNDO' };
        book.timers.set(t.ActionTimerId, t);
        book.nextMs = Math.min(book.nextMs, actionMs);
        return t.ActionTimerId;
      });
      env.state.touch();
      return ok({ ActionTimerIds: created });
    },
  },

  DescribeInstancesActionTimer: {
    mutating: false,
    rate: 10,
    allowed: ['ActionTimerIds', 'InstanceIds', 'TimerAction', 'EndActionTime', 'StartActionTime', 'StatusList'],
    required: [],
    run: (env) => {
      const timerIds = new Set(idsOf(env, 'ActionTimerIds'));
      const instanceIds = new Set(idsOf(env, 'InstanceIds'));
      const statuses = env.p.list('StatusList');
      const bad = statuses.find((s) => !STATUSES.has(s));
      if (bad) throw new ApiError('InvalidParameterValue', `StatusList holds ${bad}; use UNDO, DOING or DONE`);
      const action = env.p.str('TimerAction');
      const start = filterTime(env, 'StartActionTime');
      const end = filterTime(env, 'EndActionTime');
      const found = actionTimersOf(env.state).filter(
        (t) =>
          t.region === env.region &&
          (!timerIds.size || timerIds.has(t.ActionTimerId)) &&
          (!instanceIds.size || instanceIds.has(t.InstanceId)) &&
          (!statuses.length || statuses.includes(t.Status)) &&
          (action === undefined || action === t.TimerAction) &&
          (start === undefined || t.actionMs >= start) &&
          (end === undefined || t.actionMs <= end),
      );
      // ActionTimers is optional in the model: an empty answer leaves it out
      return ok(found.length ? { ActionTimers: found.map(render) } : {});
    },
  },

  DeleteInstancesActionTimer: {
    mutating: true,
    rate: 10,
    allowed: ['ActionTimerIds'],
    required: ['ActionTimerIds'],
    run: (env) => {
      const ids = idsOf(env, 'ActionTimerIds');
      const book = bookOf(env.state);
      for (const id of ids) {
        const t = book.timers.get(id);
        if (!t || t.region !== env.region) throw new ApiError('InvalidParameterValue', `action timer ${id} not found`);
        // "只能删除未执行的定时任务": only timers not yet executed
        if (t.Status !== 'UNDO') throw new ApiError('InvalidParameterValue', `action timer ${id} is ${t.Status}: only UNDO timers can be deleted`);
      }
      for (const id of ids) book.timers.delete(id);
      env.state.touch();
      return ok({});
    },
  },
};

/** Adds a timer as someone else (the console, another tool) would: for tests and the demo fleet. */
export function addActionTimer(state: CvmState, t: { instanceId: string; region: string; atMs: number }): string {
  const book = bookOf(state);
  const id = `at-${(++book.counter).toString(36).padStart(8, '0')}`;
  book.timers.set(id, { ActionTimerId: id, InstanceId: t.instanceId, region: t.region, TimerAction: 'TerminateInstances', actionMs: t.atMs, Status: 'UNDO' });
  book.nextMs = Math.min(book.nextMs, t.atMs);
  state.touch();
  return id;
}
