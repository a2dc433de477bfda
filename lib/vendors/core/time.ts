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

function validCalendar(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 61;
}

/** Parses durations such as `72h`, `30m`, `7d`, `1w` into milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+)\s*(m|h|d|w)$/.exec(value.trim());
  if (!m) throw new TimeFormatError(value, 'a duration such as 30m, 72h, 7d or 2w');
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
