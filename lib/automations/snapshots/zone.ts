/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl: slots and retention periods
 * are reckoned in the policy's zone, while every time inside the program stays a UTC instant.
 */

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock date and time of an instant in `zone` (seconds dropped). */
export function localParts(instant: Date | number, zone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute! };
}

/** Milliseconds the zone is ahead of UTC at an instant (Asia/Shanghai: +8 h, no DST). */
export function offsetMs(instant: number, zone: string): number {
  const p = localParts(instant, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - (instant - (((instant % 60_000) + 60_000) % 60_000));
}

/** The UTC instant of a wall-clock time in `zone`; in a DST gap the later reading wins. */
export function zonedToUtc(dayIndex: number, minuteOfDay: number, zone: string): number {
  const wall = dayIndex * DAY_MS + minuteOfDay * 60_000;
  let t = wall - offsetMs(wall, zone);
  const corrected = wall - offsetMs(t, zone);
  if (corrected !== t) t = corrected;
  return t;
}

/** Days since 1970-01-01 of a calendar date (the date, not an instant). */
export function dayIndexOf(p: Pick<LocalParts, 'year' | 'month' | 'day'>): number {
  return Math.floor(Date.UTC(p.year, p.month - 1, p.day) / DAY_MS);
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a day index; 1970-01-01 was a Thursday. */
export function weekdayOf(dayIndex: number): number {
  return (((dayIndex + 3) % 7) + 7) % 7 + 1;
}

export type Period = 'day' | 'week' | 'month' | 'year';

/** The calendar period an instant falls in, in `zone`: `2026-03-01`, `2026-W09`, `2026-03`, `2026`. */
export function periodKey(instant: number, period: Period, zone: string): string {
  const p = localParts(instant, zone);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  switch (period) {
    case 'day':
      return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
    case 'month':
      return `${p.year}-${pad(p.month)}`;
    case 'year':
      return String(p.year);
    case 'week': {
      // ISO week: the week belongs to the year of its Thursday.
      const day = dayIndexOf(p);
      const thursday = day - weekdayOf(day) + 4;
      const thursdayYear = new Date(thursday * DAY_MS).getUTCFullYear();
      const week = Math.floor((thursday - dayIndexOf({ year: thursdayYear, month: 1, day: 1 })) / 7) + 1;
      return `${thursdayYear}-W${pad(week)}`;
    }
  }
}

/** `yyyyMMddHHmm` of an instant's wall-clock time in `zone`. */
export function localStamp(instant: number, zone: string): string {
  const p = localParts(instant, zone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}${pad(p.month)}${pad(p.day)}${pad(p.hour)}${pad(p.minute)}`;
}
