import { parseBeijingWallTime, parseIsoWithZone, parseUtcMinutes } from '../../lib/vendors/core/time';

/** The parsers as they were before the direct path (Date.parse and a Date per value): the reference. */
function validCalendarBefore(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 61;
}
function isoBefore(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.exec(value.trim());
  if (!m) throw new Error('format');
  const [, y, mo, d, h, mi, s = '00', frac = '', zone] = m;
  const zoneNorm = zone!.toUpperCase() === 'Z' ? 'Z' : zone!.length === 5 ? `${zone!.slice(0, 3)}:${zone!.slice(3)}` : zone!;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zoneNorm}`);
  if (Number.isNaN(ms) || !validCalendarBefore(+y!, +mo!, +d!, +h!, +mi!, +s)) throw new Error('calendar');
  return new Date(ms).toISOString();
}
function beijingBefore(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) throw new Error('format');
  const [, y, mo, d, h, mi, s = '00'] = m;
  if (!validCalendarBefore(+y!, +mo!, +d!, +h!, +mi!, +s)) throw new Error('calendar');
  return new Date(Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s) - 8 * 3600 * 1000).toISOString();
}

const outcome = (f: (v: string) => string, v: string) => {
  try {
    return f(v);
  } catch {
    return 'refused';
  }
};

const years = ['0000', '0099', '0100', '1900', '2024', '2100'];
const months = ['00', '01', '02', '12', '13'];
const days = ['00', '01', '29', '30', '31', '32'];
const hours = ['00', '23', '24'];
const minutes = ['00', '59', '60'];

describe('time parsers at the calendar edges read exactly as before', () => {
  it('parseIsoWithZone: years, months, days, leap seconds, fractions and offsets', () => {
    const seconds = ['', ':00', ':59', ':60', ':61', ':59.1', ':30.123456'];
    const zones = ['Z', 'z', '+08:00', '-0530', '+23:59', '+24:00', '-00:00', '+08:60'];
    const differ: string[] = [];
    let accepted = 0;
    for (const y of years)
      for (const mo of months)
        for (const d of days)
          for (const h of hours)
            for (const mi of minutes)
              for (const s of seconds)
                for (const z of zones) {
                  const v = `${y}-${mo}-${d}${z === 'z' ? ' ' : 'T'}${h}:${mi}${s}${z}`;
                  const before = outcome(isoBefore, v);
                  if (before !== 'refused') accepted++;
                  if (outcome(parseIsoWithZone, v) !== before) differ.push(v);
                }
    expect(differ.slice(0, 10)).toEqual([]);
    expect(accepted).toBeGreaterThan(1000);
  });

  it('parseBeijingWallTime and parseUtcMinutes (the shared calendar check)', () => {
    const differ: string[] = [];
    for (const y of years)
      for (const mo of months)
        for (const d of days)
          for (const h of hours)
            for (const mi of minutes)
              for (const s of ['', ':00', ':59', ':60', ':61']) {
                const wall = `${y}-${mo}-${d} ${h}:${mi}${s}`;
                if (outcome(parseBeijingWallTime, wall) !== outcome(beijingBefore, wall)) differ.push(wall);
                const utc = `${y}-${mo}-${d}T${h}:${mi}${s}Z`;
                const utcBefore = outcome((v) => beijingBefore(v.replace('T', ' ').slice(0, -1)), utc);
                const shifted = utcBefore === 'refused' ? 'refused' : new Date(Date.parse(utcBefore) + 8 * 3600 * 1000).toISOString();
                if (outcome(parseUtcMinutes, utc) !== shifted) differ.push(utc);
              }
    expect(differ.slice(0, 10)).toEqual([]);
  });
});
