import { percentEncode } from '../../lib/vendors/alibaba';
import { flattenParams, formEncode } from '../../lib/vendors/tencent/codec';

/** The documented RFC 3986 encoding, without the unreserved-only shortcut the encoders take. */
const reference = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const samples = ['', 'ins-0a1b2c3d', 'i-fc7021c83h', 'A.b_c~d-9', 'a b', "it's (*)!", '100%', 'a=b&c', 'ü北京', 'x/y+z', 'tag:env', '\u00a0', 'é'];

describe('percent-encoding shortcut for unreserved strings', () => {
  it.each(samples)('alibaba percentEncode(%j) equals the full encoding', (s) => {
    expect(percentEncode(s)).toBe(reference(s));
  });
  it('tencent formEncode equals the full encoding of keys and values', () => {
    const flat = Object.fromEntries(samples.map((s, i) => [`K${i}${s}`, s]));
    const expected = Object.keys(flat)
      .sort()
      .map((k) => `${reference(k)}=${reference(flat[k]!)}`)
      .join('&');
    expect(formEncode(flat)).toBe(expected);
  });
  it('tencent flattenParams numbers array elements from 0 and skips undefined ones', () => {
    expect(flattenParams({ InstanceIds: ['a', undefined, 'c'], Filters: [{ Name: 'n', Values: ['x', 'y'] }], ForceStop: false, Skip: undefined })).toEqual({
      'InstanceIds.0': 'a',
      'InstanceIds.2': 'c',
      'Filters.0.Name': 'n',
      'Filters.0.Values.0': 'x',
      'Filters.0.Values.1': 'y',
      ForceStop: 'FALSE',
    });
  });
});
