import { durationMs } from '../../config/fields';
import { dayIndexOf, localParts, localStamp, offsetMs, weekdayOf, zonedToUtc } from './zone';
import type { SnapshotSchedule } from './policy';

const DAY_MIN = 1440;

/** The schedule slot an instant falls in. */
export interface Slot {
  /** UTC ISO start of the slot: the idempotency slot of every action in it. */
  start: string;
  /** UTC ISO start of the next candidate slot. */
  end: string;
  /** `yyyyMMddHHmm` of the start, wall-clock in the policy's zone: goes into snapshot names. */
  stamp: string;
  /** False when the slot falls on a weekday the policy leaves out: no creation in it. */
  acting: boolean;
  reason: string;
}

interface Grid {
  /** Minutes after local midnight of the day's first slot. */
  anchor: number;
  /** Minutes between slots (< 1 day), or whole days between slots. */
  stepMinutes?: number;
  stepDays?: number;
}

/** Reads `every`/`at` into a slot grid; throws naming the field and the fix. */
function grid(schedule: SnapshotSchedule): Grid {
  const anchor = schedule.at ? Number(schedule.at.slice(0, 2)) * 60 + Number(schedule.at.slice(3, 5)) : 0;
  if (!schedule.every) return { anchor, stepDays: 1 };
  const minutes = durationMs(schedule.every) / 60_000;
  if (minutes <= 0) throw new Error(`schedule.every: expected a positive duration like "6h", got "${schedule.every}"`);
  if (minutes < DAY_MIN) return { anchor, stepMinutes: minutes };
  if (minutes % DAY_MIN !== 0) {
    throw new Error(`schedule.every: "${schedule.every}" is a day or longer but not whole days; use e.g. "1d", "2d" or "1w" (add "at" for the time of day)`);
  }
  return { anchor, stepDays: minutes / DAY_MIN };
}

/**
 * The slot `now` falls in, in the policy's time zone: the latest slot start at or before `now`.
 * Sub-day `every` slots restart at the anchor (`at`, else local midnight) each day, so "6h" gives
 * 00/06/12/18 local; a day or longer counts whole days from 1970-01-01 local, at the anchor.
 * A run later in the same slot still acts in it (catching up a missed run); the name and the action
 * key make that idempotent. A slot on a left-out weekday is not acting: nothing is created, but
 * retention still runs (see DECISIONS.md).
 */
export function slotAt(schedule: SnapshotSchedule, now: Date): Slot {
  const zone = schedule.timezone;
  const g = grid(schedule);
  const local = localParts(now, zone);
  let day = dayIndexOf(local);
  let tod = local.hour * 60 + local.minute;
  if (tod < g.anchor) {
    day -= 1;
    tod += DAY_MIN;
  }
  let startDay: number;
  let startMinute: number;
  let endDay: number;
  let endMinute: number;
  if (g.stepMinutes !== undefined) {
    const k = Math.floor((tod - g.anchor) / g.stepMinutes);
    startDay = day;
    startMinute = g.anchor + k * g.stepMinutes;
    const next = startMinute + g.stepMinutes;
    [endDay, endMinute] = next >= g.anchor + DAY_MIN ? [day + 1, g.anchor] : [day, next];
  } else {
    const n = g.stepDays!;
    startDay = day - (((day % n) + n) % n);
    startMinute = g.anchor;
    endDay = startDay + n;
    endMinute = g.anchor;
  }
  const start = zonedToUtc(startDay, startMinute, zone);
  const end = zonedToUtc(endDay, endMinute, zone);
  const weekday = weekdayOf(startDay + Math.floor(startMinute / DAY_MIN));
  const acting = !schedule.weekdays?.length || schedule.weekdays.includes(weekday);
  const stamp = localStamp(start, zone);
  return {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    stamp,
    acting,
    reason: acting ? `slot ${stamp} ${zone}` : `slot ${stamp} ${zone} falls on ISO weekday ${weekday}, not in schedule.weekdays: no snapshot taken`,
  };
}

/** A vendor auto-snapshot policy's schedule: whole UTC hours on UTC weekdays (empty = every day). */
export interface NativeSchedule {
  hoursUtc: number[];
  weekdays: number[];
}

/**
 * Translates the policy's schedule to the vendor's (hours of the day and weekdays, UTC), or says
 * why it cannot be: vendor policies take whole hours and repeat every day or on set weekdays.
 * The zone's offset is read at `now` (a zone with DST drifts by an hour across the change).
 */
export function nativeSchedule(schedule: SnapshotSchedule, now: Date): NativeSchedule | { error: string } {
  const g = grid(schedule);
  if (g.anchor % 60 !== 0) return { error: `schedule.at ${schedule.at} is not on the hour; vendor auto-snapshot policies take whole hours` };
  if (g.stepDays !== undefined && g.stepDays !== 1) return { error: `schedule.every ${schedule.every} repeats over several days; vendor auto-snapshot policies repeat daily or on weekdays` };
  if (g.stepMinutes !== undefined && (g.stepMinutes % 60 !== 0 || DAY_MIN % g.stepMinutes !== 0)) {
    return { error: `schedule.every ${schedule.every} is not a whole number of hours dividing 24; vendor auto-snapshot policies take hours of the day` };
  }
  const offset = offsetMs(now.getTime(), schedule.timezone) / 60_000;
  if (offset % 60 !== 0) return { error: `time zone ${schedule.timezone} is not a whole number of hours from UTC` };
  const stepHours = (g.stepMinutes ?? DAY_MIN) / 60;
  const localHours: number[] = [];
  for (let h = g.anchor / 60; h < g.anchor / 60 + 24; h += stepHours) localHours.push(h % 24); // weekday = the slot's calendar day
  const localDays = schedule.weekdays?.length ? schedule.weekdays : [1, 2, 3, 4, 5, 6, 7];
  const pairs = new Set<string>();
  for (const d of localDays) {
    for (const h of localHours) {
      const utc = h - offset / 60; // may fall on the UTC day before or after
      const dayShift = Math.floor(utc / 24);
      const utcDay = ((((d - 1 + dayShift) % 7) + 7) % 7) + 1;
      pairs.add(`${utcDay}:${((utc % 24) + 24) % 24}`);
    }
  }
  const days = [...new Set([...pairs].map((p) => Number(p.split(':')[0])))].sort((a, b) => a - b);
  const hours = [...new Set([...pairs].map((p) => Number(p.split(':')[1])))].sort((a, b) => a - b);
  if (days.length * hours.length !== pairs.size) {
    return { error: `schedule.weekdays with these hours fall on different UTC weekdays per hour in ${schedule.timezone}; a vendor policy cannot express that` };
  }
  return { hoursUtc: hours, weekdays: days.length === 7 ? [] : days };
}
