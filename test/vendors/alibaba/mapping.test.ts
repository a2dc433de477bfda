import { fromVendorSchedule, toVendorSchedule } from '../../../lib/vendors/alibaba';

describe('snapshot policy schedule: UTC ↔ Beijing TimePoints (DECISIONS A4)', () => {
  it('shifts hours by 8 and weekdays across midnight', () => {
    expect(toVendorSchedule({ hoursUtc: [2], weekdays: [1] })).toEqual({ timePoints: ['10'], weekdays: ['1'] });
    expect(toVendorSchedule({ hoursUtc: [20], weekdays: [7] })).toEqual({ timePoints: ['4'], weekdays: ['1'] });
    expect(toVendorSchedule({ hoursUtc: [3, 20], weekdays: [] })).toEqual({ timePoints: ['4', '11'], weekdays: ['1', '2', '3', '4', '5', '6', '7'] });
  });

  it('round-trips', () => {
    const spec = { hoursUtc: [17, 18], weekdays: [2, 5] };
    const v = toVendorSchedule(spec);
    expect(fromVendorSchedule(v.timePoints, v.weekdays)).toEqual(spec);
  });

  it('refuses what the vendor schedule cannot express, naming the fix', () => {
    expect(() => toVendorSchedule({ hoursUtc: [3, 20], weekdays: [1] })).toThrow(/split it into two policies/);
    expect(() => toVendorSchedule({ hoursUtc: [24], weekdays: [] })).toThrow(/hoursUtc/);
    expect(() => toVendorSchedule({ hoursUtc: [1], weekdays: [8] })).toThrow(/weekdays/);
  });
});
