import type { Capabilities, Instance, VendorLimits } from '../../vendors/core';
import { parseDuration, parseIsoWithZone } from '../../vendors/core';

export interface AutoDeleteSource {
  tag?: string;
  ttl?: string;
  list?: { id: string; at: string }[];
}

export interface WantedTime {
  at?: string;
  /** Where the wanted time came from, for the plan. */
  from?: 'list' | 'tag' | 'ttl';
  /** The tag held something that is not an ISO time with offset. */
  invalid?: string;
}

/** Precedence: an explicit config list entry, then the instance's tag, then the TTL from creation. */
export function wantedDeletion(
  instance: Pick<Instance, 'id' | 'tags' | 'createdAt'>,
  source: AutoDeleteSource,
  ttlApplies: boolean,
): WantedTime {
  const listed = source.list?.find((e) => e.id === instance.id);
  if (listed) return { at: parseIsoWithZone(listed.at), from: 'list' };
  const tagValue = source.tag ? instance.tags[source.tag] : undefined;
  if (tagValue !== undefined) {
    try {
      return { at: parseIsoWithZone(tagValue), from: 'tag' };
    } catch {
      return {
        invalid: `tag ${source.tag}=${JSON.stringify(tagValue)} is not an ISO-8601 time with offset (e.g. 2026-12-01T18:00:00+08:00): not deleted, fix the tag`,
      };
    }
  }
  if (source.ttl && ttlApplies && instance.createdAt) {
    return {
      at: new Date(Date.parse(instance.createdAt) + parseDuration(source.ttl)).toISOString(),
      from: 'ttl',
    };
  }
  return {};
}

export interface Snooze {
  until?: string;
  /** Where it came from, for the plan: `tag auto-delete-snooze` or `config (reason)`. */
  by?: string;
  /** The snooze tag holds something that is not an ISO time with offset. */
  invalid?: string;
}

/** A config entry beats the tag (config is reviewed; a tag anyone may set). */
export function snoozeFor(
  instance: Pick<Instance, 'id' | 'tags'>,
  snooze: { tag: string; entries: { id: string; until: string; reason?: string }[] },
): Snooze {
  const entry = snooze.entries.find((e) => e.id === instance.id);
  if (entry) return { until: parseIsoWithZone(entry.until), by: `config entry${entry.reason ? ` (${entry.reason})` : ''}` };
  const value = instance.tags[snooze.tag];
  if (value === undefined) return {};
  try {
    return { until: parseIsoWithZone(value), by: `tag ${snooze.tag}` };
  } catch {
    return {
      invalid: `snooze tag ${snooze.tag}=${JSON.stringify(value)} is not an ISO-8601 time with offset: not deleted until the tag is fixed or removed`,
    };
  }
}

/**
 * The deletion happens at the later of the wanted time and the snooze: pure, with a note for the
 * plan when the snooze moves it. An unreadable snooze holds the deletion (fail closed).
 */
export function applySnooze(wanted: WantedTime, snooze: Snooze): { wanted: WantedTime; note?: string; snoozedFrom?: string } {
  if (!wanted.at) return { wanted };
  if (snooze.invalid) return { wanted: { invalid: snooze.invalid } };
  if (!snooze.until || Date.parse(snooze.until) <= Date.parse(wanted.at)) return { wanted };
  return {
    wanted: { ...wanted, at: snooze.until },
    snoozedFrom: wanted.at,
    note: `snoozed by ${snooze.by} until ${snooze.until}: deletion wanted at ${wanted.at} (from ${wanted.from}) postponed`,
  };
}

export type AutoDeleteDecision =
  | { action: 'none'; reason: string }
  | { action: 'invalid'; reason: string }
  | { action: 'warn'; at: string; reason: string }
  | { action: 'delete'; at: string; reason: string }
  | { action: 'soft-delete'; at: string; reason: string }
  | { action: 'set-timer'; at: string; reason: string }
  | { action: 'clear-timer'; reason: string }
  /** Termination protection is on: the vendor would refuse, so no call is made. */
  | { action: 'protected'; at: string; reason: string }
  /** The vendor still runs an operation on the instance: no new one this run. */
  | { action: 'busy'; would: 'delete' | 'soft-delete' | 'set-timer' | 'clear-timer'; reason: string };

export interface DecideInput {
  instance: Pick<
    Instance,
    'id' | 'state' | 'autoDeleteAt' | 'chargeType' | 'expiresAt' | 'terminationProtected' | 'busyWith'
  >;
  wanted: WantedTime;
  now: Date;
  capabilities: Pick<Capabilities, 'autoDelete' | 'recycleBin'>;
  limits: Pick<VendorLimits, 'autoDeleteMinLeadMinutes'>;
  /** Warning lead time in ms, when the policy asks for warnings. */
  warnBeforeMs?: number;
  /** The native timer now set holds the value this policy last set (per the audit trail). */
  timerIsOurs: boolean;
}

const GONE_STATES = new Set(['deleting', 'recycled', 'deleted']);
const MINUTE = 60_000;

/**
 * Native timers hold whole minutes (KEC `yyyy-MM-dd HH:mm`, seed 000 L3145): round UP, so the
 * vendor never deletes before the wanted time.
 */
export function timerMinute(at: string): string {
  return new Date(Math.ceil(Date.parse(at) / MINUTE) * MINUTE).toISOString();
}

/** Two times name the same timer minute. */
export function sameTimerMinute(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && timerMinute(a) === timerMinute(b);
}

/**
 * One instance's auto-delete decision: pure, with the reason the plan shows. A native timer is
 * pushed to the vendor (its minimum lead respected) and reconciled on every run; otherwise the
 * instance is deleted when due (into our soft-delete bin where the vendor has no recycle bin).
 */
export function decideAutoDelete(input: DecideInput): AutoDeleteDecision[] {
  return decideUnguarded(input).map((d) => guard(d, input.instance));
}

/**
 * What the vendor would refuse or trip over is never attempted: a protected instance is shown as
 * "protected" and gets no deletion call; an instance with an operation still running gets no new
 * action this run (the next run retries), with that reason in the plan (sim/DECISIONS.md T17).
 */
function guard(d: AutoDeleteDecision, instance: DecideInput['instance']): AutoDeleteDecision {
  if ((d.action === 'delete' || d.action === 'soft-delete') && instance.terminationProtected) {
    return {
      action: 'protected',
      at: d.at,
      reason: `${d.reason}; protected: termination protection is on (DisableApiTermination), so the vendor refuses deletion and none is attempted; turn the protection off to let this policy delete it`,
    };
  }
  if (
    (d.action === 'delete' ||
      d.action === 'soft-delete' ||
      d.action === 'set-timer' ||
      d.action === 'clear-timer') &&
    instance.busyWith
  ) {
    return {
      action: 'busy',
      would: d.action,
      reason: `${d.reason}; busy: the vendor is still running ${instance.busyWith} on it (LatestOperationState OPERATING): no new action this run, the next run retries`,
    };
  }
  return d;
}

function decideUnguarded(input: DecideInput): AutoDeleteDecision[] {
  const { instance, wanted, now, capabilities } = input;
  if (GONE_STATES.has(instance.state)) return [{ action: 'none', reason: `already ${instance.state}` }];
  if (wanted.invalid) return [{ action: 'invalid', reason: wanted.invalid }];
  const timer = instance.autoDeleteAt;

  if (!wanted.at) {
    if (capabilities.autoDelete === 'native' && timer) {
      return input.timerIsOurs
        ? [
            {
              action: 'clear-timer',
              reason: `vendor timer ${timer} was set by this policy and nothing wants it any more`,
            },
          ]
        : [{ action: 'none', reason: `vendor timer ${timer} was set outside this policy: left alone` }];
    }
    return [{ action: 'none', reason: 'no deletion time wanted' }];
  }

  const at = wanted.at;
  const due = Date.parse(at) <= now.getTime();
  const decisions: AutoDeleteDecision[] = [];
  if (!due && input.warnBeforeMs !== undefined && Date.parse(at) - input.warnBeforeMs <= now.getTime()) {
    decisions.push({ action: 'warn', at, reason: `deletion due at ${at} (from ${wanted.from})` });
  }

  const prepaid =
    instance.chargeType === 'prepaid' && instance.expiresAt && Date.parse(instance.expiresAt) > now.getTime()
      ? `; prepaid until ${instance.expiresAt}: the vendor may refuse an early deletion (reported, not retried for this due time)`
      : '';
  if (capabilities.autoDelete === 'native') {
    // one minute of margin over the vendor's minimum: planning and the call happen at different moments
    const minLead =
      (input.limits.autoDeleteMinLeadMinutes ?? 0) * MINUTE +
      (input.limits.autoDeleteMinLeadMinutes ? MINUTE : 0);
    const minute = timerMinute(at);
    if (sameTimerMinute(timer, minute)) {
      decisions.push({ action: 'none', reason: `vendor timer already set to ${minute}` });
    } else if (Date.parse(minute) - now.getTime() >= minLead) {
      decisions.push({
        action: 'set-timer',
        at: minute,
        reason: `${timer ? `vendor timer ${timer} differs (drift)` : 'no vendor timer'}: set to ${minute} (from ${wanted.from})`,
      });
    } else if (due) {
      decisions.push({
        action: 'delete',
        at,
        reason: `due at ${at} (from ${wanted.from}) and too close for the vendor timer: delete now${prepaid}`,
      });
    } else {
      decisions.push({
        action: 'none',
        reason: `due at ${at}: closer than the vendor timer's minimum lead; deleted when due`,
      });
    }
    return decisions;
  }

  if (capabilities.autoDelete === 'unsupported')
    return [{ action: 'none', reason: 'auto-delete unsupported' }];
  if (!due) {
    decisions.push({ action: 'none', reason: `due at ${at} (from ${wanted.from})` });
    return decisions;
  }
  decisions.push({
    action: capabilities.recycleBin === 'emulated' ? 'soft-delete' : 'delete',
    at,
    reason: `due at ${at} (from ${wanted.from})${prepaid}`,
  });
  return decisions;
}
