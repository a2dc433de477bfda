import { UsageError } from './errors';
import { zoneOffset } from './time';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** Midnight of a calendar date (YYYY-MM-DD) in a zone, as a UTC instant. */
export function startOfDay(date: string, zone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  const offset = offsetMs(zoneOffset(zone, new Date(utcMidnight)));
  const guess = utcMidnight - offset;
  // the offset at the guessed instant (a DST change on the day moves it)
  return new Date(utcMidnight - offsetMs(zoneOffset(zone, new Date(guess))));
}

function offsetMs(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
}

/** Today's date (YYYY-MM-DD) in a zone. */
function dateIn(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * A time people type: `24h`, `7d`, `30m`, `2w` (ago), `today`, `yesterday`, a date `2026-11-24`
 * (midnight in the display zone), or an ISO time with a zone. `yesterday` also gives its end.
 */
export function parseWhen(flag: string, value: string, now: Date, zone: string): { at: Date; end?: Date } {
  const v = value.trim().toLowerCase();
  const relative = /^(\d+)\s*([mhdw])$/.exec(v);
  if (relative) return { at: new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2]!]!) };
  const today = startOfDay(dateIn(now, zone), zone);
  if (v === 'today') return { at: today };
  if (v === 'yesterday') {
    const day = startOfDay(dateIn(new Date(today.getTime() - 12 * 3_600_000), zone), zone);
    return { at: day, end: today };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))) return { at: startOfDay(v, zone) };
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) return { at: new Date(value) };
  throw new UsageError(
    `${flag}: expected 24h, 7d, 30m or 2w (ago), today, yesterday, a date like 2026-11-24 (midnight ${zone}) or an ISO time with a zone, got "${value}"`,
  );
}
