import { createHmac } from 'node:crypto';
import { rfc3986Encode } from '../core/percent-encode';

/**
 * Signature version 1.0, HMAC-SHA1 (seed 001 L494-551). Kept free of other imports so the
 * simulator can verify with the same code.
 */

/** RFC 3986 percent-encoding as documented: A-Z a-z 0-9 - _ . ~ kept, space as %20, `*` as %2A (seed 001 L507-521). */
export const percentEncode = rfc3986Encode;

/** Pairs sorted by name in code-unit order (ordinal, case-sensitive), `Signature` excluded (seed 001 L503). */
export function canonicalizedQuery(params: [string, string][]): string {
  return params
    .filter(([name]) => name !== 'Signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

/** `GET&%2F&percentEncode(canonicalized)` (seed 001 L531-540). */
export function stringToSign(params: [string, string][], method = 'GET'): string {
  return `${method}&${percentEncode('/')}&${percentEncode(canonicalizedQuery(params))}`;
}

/** Base64 HMAC-SHA1 with key `secret + "&"` (seed 001 L542-546). */
export function signV1(params: [string, string][] | Record<string, string>, secret: string, method = 'GET'): string {
  const pairs = Array.isArray(params) ? params : Object.entries(params);
  return createHmac('sha1', `${secret}&`).update(stringToSign(pairs, method), 'utf8').digest('base64');
}
