/**
 * Every vendor time format is parsed here, each with its zone explicit (design §3).
 * Beijing wall time is UTC+08:00 with no daylight saving. Results are UTC ISO strings.
 */

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

export class TimeFormatError extends Error {
  constructor(value: unknown, format: string) {
    super(`expected a time in format ${format}, got ${JSON.stringify(value)}`);
    this.name = 'TimeFormatError';
  }
}

export function toIso(date: Date | number): string {
  return new Date(date).toISOString();
}

/** ISO-8601 / RFC 3339 with an explicit zone (`Z` or `±hh:mm`); a zoneless value is refused, not guessed. */
export function parseIsoWithZone(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(value.trim());
  if (!m) throw new TimeFormatError(value, 'ISO-8601 with zone, e.g. 2026-12-01T18:00:00+08:00');
  // Every listed instance carries a few of these: plain values are computed directly; anything at
  // an edge (a leap second, an odd offset, an early year) goes the long way below, through Date.parse.
  const y = +m[1]!;
  const mo = +m[2]!;
  const d = +m[3]!;
  const h = +m[4]!;
  const mi = +m[5]!;
  const sec = m[6] === undefined ? 0 : +m[6];
  const zone = m[8]!;
  const zoneSign = zone.length === 1 ? 0 : zone[0] === '-' ? -1 : 1;
  const zoneH = zoneSign ? +zone.slice(1, 3) : 0;
  const zoneM = zoneSign ? +zone.slice(-2) : 0;
  if (sec < 60 && zoneH < 24 && zoneM < 60 && validCalendar(y, mo, d, h, mi, sec)) {
    const ms = m[7] === undefined ? 0 : +`${m[7].slice(1, 4)}00`.slice(0, 3);
    return toIso(Date.UTC(y, mo - 1, d, h, mi, sec, ms) - zoneSign * (zoneH * 60 + zoneM) * 60_000);
  }
  return parseIsoWithZoneAtEdges(value, m);
}

function parseIsoWithZoneAtEdges(value: string, m: RegExpExecArray): string {
  const [, y, mo, d, h, mi, s = '00', frac = '', zone] = m;
  const zoneNorm = zone!.toUpperCase() === 'Z' ? 'Z' : zone!.length === 5 ? `${zone!.slice(0, 3)}:${zone!.slice(3)}` : zone!;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zoneNorm}`);
  if (Number.isNaN(ms) || !validCalendar(+y!, +mo!, +d!, +h!, +mi!, +s)) throw new TimeFormatError(value, 'ISO-8601 with zone');
  return toIso(ms);
}

/** `yyyy-MM-dd HH:mm[:ss]` (or with `T`) as Beijing wall time, UTC+08:00 (KEC, Tencent legacy). */
export function parseBeijingWallTime(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) throw new TimeFormatError(value, 'yyyy-MM-dd HH:mm[:ss] (Beijing time)');
  const [, y, mo, d, h, mi, s = '00'] = m;
  if (!validCalendar(+y!, +mo!, +d!, +h!, +mi!, +s)) throw new TimeFormatError(value, 'yyyy-MM-dd HH:mm[:ss] (Beijing time)');
  return toIso(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s) - BEIJING_OFFSET_MS);
}

/**
 * KEC writes Beijing wall time, sometimes with a misleading literal `Z`: Instance.CreationDate is
 * "遵循北京时间, 例如 2014-05-26T12:00:00Z (为北京时间…12点)" (seed 000 L6345-6350). The `Z` is
 * ignored: `yyyy-MM-dd HH:mm[:ss]`, `T` or space, optional `Z`, always UTC+08:00.
 */
export function parseBeijingWallTimeMarkedZ(value: string): string {
  const trimmed = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?Z?$/i.test(trimmed)) {
    throw new TimeFormatError(value, 'yyyy-MM-dd[T ]HH:mm[:ss][Z] (Beijing wall time)');
  }
  return parseBeijingWallTime(trimmed.replace(/Z$/i, ''));
}

/** UTC ISO → Beijing wall time in `yyyy-MM-dd HH:mm` or `yyyy-MM-dd HH:mm:ss`. */
export function formatBeijingWallTime(iso: string, withSeconds = false): string {
  const shifted = new Date(Date.parse(iso) + BEIJING_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, withSeconds ? 19 : 16)}`;
}

/** UTC ISO → RFC 3339 in Beijing time, `2026-12-01T18:00:00+08:00`. */
export function formatBeijingRfc3339(iso: string): string {
  const shifted = new Date(Date.parse(iso) + BEIJING_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}

/** UTC ISO → `yyyy-MM-ddTHH:mm:ssZ` (Tencent/Alibaba UTC times without milliseconds). */
export function formatUtcSeconds(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** Alibaba's UTC times, `yyyy-MM-ddTHH:mmZ` or with seconds. */
export function parseUtcMinutes(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?Z$/i.exec(value.trim());
  if (!m) throw new TimeFormatError(value, 'yyyy-MM-ddTHH:mm[:ss]Z (UTC)');
  const [, y, mo, d, h, mi, s = '00'] = m;
  if (!validCalendar(+y!, +mo!, +d!, +h!, +mi!, +s)) throw new TimeFormatError(value, 'yyyy-MM-ddTHH:mm[:ss]Z (UTC)');
  return toIso(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s));
}

export function parseEpochSeconds(value: number | string): string {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TimeFormatError(value, 'epoch seconds');
  return toIso(n * 1000);
}

export function parseEpochMillis(value: number | string): string {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TimeFormatError(value, 'epoch milliseconds');
  return toIso(n);
}

/** CECSTACK writes `0001-01-01T00:00:00Z` for "not set". */
export function parseOptionalRfc3339(value: string | null | undefined): string | undefined {
  if (value === undefined || value === null || value === '' || value.startsWith('0001-01-01')) return undefined;
  return parseIsoWithZone(value);
}

function daysInMonth(y: number, mo: number): number {
  return mo === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/**
 * The fields name a real moment as written: as `Date.UTC` would keep them, without building a Date per
 * value. Date.UTC reads years 0-99 as 1900-1999 and rolls 23:59:60 into the next day: both refused, as before.
 */
function validCalendar(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return false;
  return !(s === 60 && h === 23 && mi === 59);
}

/** Parses durations such as `72h`, `30m`, `7d`, `1w` into milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (!m) throw new TimeFormatError(value, 'a duration such as 30m, 72h, 7d or 2w');
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
