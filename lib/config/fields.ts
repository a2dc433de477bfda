import { z } from 'zod';

/**
 * Leaf field schemas of the automation config. Each carries its own "expected ..." message,
 * so an error reads `path: expected <this>, got <value>` (the loader appends the value).
 */

const DURATION = /^\d+(m|h|d|w)$/;
const DURATION_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export const duration = z
  .string({ error: 'expected a duration like "30m", "72h", "7d" or "2w"' })
  .regex(DURATION, { error: 'expected a duration like "30m", "72h", "7d" or "2w"' })
  .meta({
    description: 'A duration: digits then m (minutes), h (hours), d (days) or w (weeks), e.g. "72h".',
  });

export type Duration = z.output<typeof duration>;

/** Milliseconds in a validated duration string such as "72h". */
export function durationMs(d: string): number {
  const m = DURATION.exec(d);
  if (!m) throw new RangeError(`not a duration: expected e.g. "72h"`);
  return Number(d.slice(0, -1)) * DURATION_UNIT_MS[m[1] as keyof typeof DURATION_UNIT_MS];
}

export function int(min?: number, max?: number) {
  const expected =
    min !== undefined && max !== undefined
      ? `expected an integer from ${min} to ${max}`
      : min !== undefined
        ? `expected an integer >= ${min}`
        : 'expected an integer';
  let s = z.int({ error: expected });
  if (min !== undefined) s = s.min(min, { error: expected });
  if (max !== undefined) s = s.max(max, { error: expected });
  return s;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const DECIMAL_EXPECTED = 'expected a non-negative decimal like "0.25" (quote it to keep every digit)';

/**
 * Money and percentages are decimal strings (never floats). A YAML number is accepted when it
 * survives the float round trip, i.e. has at most 15 significant digits: then its shortest
 * decimal form equals what was written (0.10 becomes "0.1"). Longer numbers must be quoted.
 */
export const decimal = z
  .union(
    [
      z.string().regex(DECIMAL, { error: DECIMAL_EXPECTED }),
      z.number().nonnegative({ error: DECIMAL_EXPECTED }),
    ],
    { error: DECIMAL_EXPECTED },
  )
  .transform((v, ctx) => {
    if (typeof v === 'string') return v;
    const exact = Number.isFinite(v) && Number(v.toPrecision(15)) === v;
    const text = exact ? plainDecimal(v) : undefined;
    if (text === undefined || !DECIMAL.test(text)) {
      ctx.addIssue({
        code: 'custom',
        message: `${DECIMAL_EXPECTED}; this number has too many digits to keep exactly`,
      });
      return z.NEVER;
    }
    return text;
  })
  .meta({ description: 'A non-negative decimal, best quoted ("0.25"); money is never a float.' });

/** Decimal notation without an exponent, e.g. 1e-7 -> "0.0000001". */
function plainDecimal(n: number): string | undefined {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const digits = Math.min(100, Math.max(0, -Math.floor(Math.log10(n)) + 15));
  const fixed = n
    .toFixed(digits)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  return Number(fixed) === n ? fixed : undefined;
}

const ISO_EXPECTED = 'expected an ISO 8601 date-time with a zone, like "2026-12-01T18:00:00+08:00"';

/** An instant written with an explicit zone; normalised to a UTC ISO string. */
export const isoInstant = z.iso.datetime({ offset: true, error: ISO_EXPECTED }).transform((s, ctx) => {
  const t = Date.parse(s);
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: ISO_EXPECTED });
    return z.NEVER;
  }
  return new Date(t).toISOString();
});

export const clockTime = z
  .string({ error: 'expected a time of day "HH:MM" (24-hour), quoted' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected a time of day "HH:MM" (24-hour), quoted' });

let canonicalZones: Set<string> | undefined;

export function isTimeZone(zone: string): boolean {
  // The canonical IANA names first: building a DateTimeFormat loads ICU's time zone data (tens
  // of ms on a cold start); aliases and other spellings still go to DateTimeFormat, the rule.
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z
  .string({ error: 'expected an IANA time zone like "Asia/Shanghai"' })
  .refine(isTimeZone, { error: 'expected an IANA time zone like "Asia/Shanghai"' });

export const name = z
  .string({ error: 'expected a name (letters, digits, ".", "_" or "-")' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error: 'expected a name of 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  });

export const nonEmpty = (what: string) =>
  z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what} (not empty)` });

export const bool = z.boolean({ error: 'expected true or false' });
