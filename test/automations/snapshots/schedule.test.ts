import { snapshotPolicySchema } from '../../../lib/config/schema';
import { nativeSchedule, slotAt } from '../../../lib/automations/snapshots/schedule';

const schedule = (s: Record<string, unknown>) => snapshotPolicySchema.parse({ name: 'p', schedule: s }).schedule;
const at = (iso: string) => new Date(iso);

describe('slotAt', () => {
  it('every 6h gives 00/06/12/18 in the policy zone (Asia/Shanghai by default)', () => {
    const s = schedule({ every: '6h' });
    expect(slotAt(s, at('2026-03-01T05:30:00Z'))).toMatchObject({ start: '2026-03-01T04:00:00.000Z', end: '2026-03-01T10:00:00.000Z', stamp: '202603011200', acting: true });
    // 01:00 local on 1 March belongs to the local-midnight slot, which starts on 28 Feb in UTC
    expect(slotAt(s, at('2026-02-28T17:00:00Z'))).toMatchObject({ start: '2026-02-28T16:00:00.000Z', stamp: '202603010000' });
    expect(slotAt(s, at('2026-03-01T09:59:59Z')).stamp).toBe('202603011200');
    expect(slotAt(s, at('2026-03-01T10:00:00Z')).stamp).toBe('202603011800');
  });

  it('daily at 02:00 is one slot per local day; a later run the same day is still in it', () => {
    const s = schedule({ at: '02:00' });
    expect(slotAt(s, at('2026-03-01T17:59:00Z'))).toMatchObject({ start: '2026-02-28T18:00:00.000Z', stamp: '202603010200', end: '2026-03-01T18:00:00.000Z' });
    expect(slotAt(s, at('2026-03-01T18:00:00Z')).stamp).toBe('202603020200');
  });

  it('a slot on a left-out weekday is not acting', () => {
    const s = schedule({ at: '02:00', weekdays: [1] }); // 2026-03-02 is a Monday
    expect(slotAt(s, at('2026-03-01T19:00:00Z'))).toMatchObject({ stamp: '202603020200', acting: true });
    const tuesday = slotAt(s, at('2026-03-02T19:00:00Z'));
    expect(tuesday).toMatchObject({ stamp: '202603030200', acting: false });
    expect(tuesday.reason).toMatch(/weekday 2/);
  });

  it('every with at anchors the day; whole-day steps count days', () => {
    expect(slotAt(schedule({ every: '6h', at: '01:30' }), at('2026-03-01T16:00:00Z')).stamp).toBe('202603011930'); // 00:00 local 2 Mar
    const twoDays = schedule({ every: '2d', at: '03:00' });
    const a = slotAt(twoDays, at('2026-03-01T20:00:00Z'));
    const b = slotAt(twoDays, at('2026-03-02T20:00:00Z'));
    expect(Date.parse(a.end) - Date.parse(a.start)).toBe(2 * 86_400_000);
    expect(a.stamp.endsWith('0300')).toBe(true);
    expect(b.start === a.start || b.start === a.end).toBe(true);
  });

  it('reckons wall time across a DST change', () => {
    const s = schedule({ every: '6h', timezone: 'Europe/Berlin' });
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 06:00 local is 04:00Z
    expect(slotAt(s, at('2026-03-29T04:30:00Z'))).toMatchObject({ start: '2026-03-29T04:00:00.000Z', stamp: '202603290600' });
    expect(slotAt(s, at('2026-03-29T03:00:00Z')).start).toBe('2026-03-28T23:00:00.000Z');
  });

  it('refuses a day-or-longer every that is not whole days, naming the field', () => {
    expect(() => slotAt(schedule({ every: '25h' }), at('2026-03-01T00:00:00Z'))).toThrow(/schedule\.every.*whole days/);
  });
});

describe('nativeSchedule', () => {
  const now = at('2026-03-01T00:00:00Z');
  it('translates local hours and weekdays to UTC', () => {
    expect(nativeSchedule(schedule({ every: '6h' }), now)).toEqual({ hoursUtc: [4, 10, 16, 22], weekdays: [] });
    expect(nativeSchedule(schedule({ at: '02:00', weekdays: [1] }), now)).toEqual({ hoursUtc: [18], weekdays: [7] });
  });
  it('says why a schedule cannot be a vendor policy', () => {
    expect(nativeSchedule(schedule({ at: '02:30' }), now)).toEqual({ error: expect.stringMatching(/whole hours/) });
    expect(nativeSchedule(schedule({ every: '6h', weekdays: [1] }), now)).toEqual({ error: expect.stringMatching(/different UTC weekdays/) });
    expect(nativeSchedule(schedule({ every: '2d' }), now)).toEqual({ error: expect.stringMatching(/several days/) });
  });
});
