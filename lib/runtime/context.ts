import type { AutomationConfig, FunctionName, Mode } from '../config';
import type { Logger } from './logger';
import type { CloudEvent, ScheduledEvent } from './triggers';

/** Function names a handler may carry: the five automations, plus `_empty` (bundle-size baseline). */
export type HandlerName = FunctionName | '_empty';

/** Everything one invocation of a function needs, built by the runtime wrapper. */
export interface RunContext {
  runId: string;
  function: HandlerName;
  trigger: {
    kind: 'schedule' | 'event' | 'manual';
    event?: CloudEvent;
    scheduled?: ScheduledEvent;
    /** UTC ISO time the schedule fired for (scheduled runs). */
    scheduledAt?: string;
  };
  /** Business time of the run: payload `now`, else the scheduled time, else the real clock. */
  now: Date;
  config: AutomationConfig;
  logger: Logger;
  /**
   * Scheduled and event runs use the policy's mode. Manual runs are dry runs unless `dryRun: false`;
   * then a `mode: enforce` policy enforces, and a `mode: dry-run` one only when the payload names it.
   */
  modeFor(policy: { mode: Mode; name?: string }): Mode;
  /** Milliseconds left in this invocation (Infinity outside Lambda). */
  remainingMs(): number;
  /** True once the remaining time is below `safety.timeoutMarginMs`: start no new actions. */
  shouldStop(): boolean;
  /** Limits from a manual payload; undefined = no limit. */
  filters: { targets?: string[]; policies?: string[] };
  includesTarget(name: string): boolean;
  includesPolicy(name: string): boolean;
  /** A continuation cursor passed back in a manual payload. */
  cursor?: unknown;
}
