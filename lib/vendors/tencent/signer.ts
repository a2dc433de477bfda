import { createHash, createHmac } from 'node:crypto';

/**
 * Tencent Cloud API 3.0 signatures. Pure functions over strings so the simulator can verify
 * with the same code and the tests can compare with the vendor SDK.
 */

export type LegacySignatureMethod = 'HmacSHA1' | 'HmacSHA256';

/**
 * String to sign for HmacSHA1/HmacSHA256: METHOD + host + path + "?" + sorted raw `k=v` pairs
 * joined by `&` (seed 004 L446-492). Values are raw, not URL-encoded (seed 004 L468); keys are
 * sorted by code unit, as PHP ksort / Java TreeMap do (seed 004 L448).
 */
export function legacyStringToSign(method: string, host: string, path: string, params: Record<string, string>): string {
  const keys = Object.keys(params).sort();
  const query = keys.map((k) => `${k}=${params[k]}`).join('&');
  return `${method.toUpperCase()}${host}${path}?${query}`;
}

/** Base64(HMAC(secret, stringToSign)) (seed 004 L496; SHA256 when SignatureMethod=HmacSHA256, L357). */
export function legacySign(stringToSign: string, secret: string, method: LegacySignatureMethod): string {
  return createHmac(method === 'HmacSHA256' ? 'sha256' : 'sha1', secret)
    .update(stringToSign, 'utf8')
    .digest('base64');
}

export interface Tc3Input {
  method: string;
  /** Host without port (the SDK signs `URL.hostname`). */
  host: string;
  path: string;
  /** Canonical query string: the raw query as sent (empty for POST). */
  query: string;
  contentType: string;
  payload: string;
  /** Unix seconds. */
  timestamp: number;
  service: string;
  secretId: string;
  secretKey: string;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();

/** `yyyy-MM-dd` (UTC) of a Unix timestamp: the TC3 credential-scope date. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/**
 * TC3-HMAC-SHA256, as the vendor's current SDK sends it (not in the seeds: seed 004 L357 knows only
 * HmacSHA1/HmacSHA256). Signed headers are `content-type;host`, exactly like tencentcloud-sdk-nodejs.
 */
export function tc3Signature(input: Tc3Input): { authorization: string; signature: string; stringToSign: string } {
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path,
    input.query,
    `content-type:${input.contentType}\nhost:${input.host}\n`,
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');
  const date = tc3Date(input.timestamp);
  const scope = `${date}/${input.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${input.timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const kDate = hmac(`TC3${input.secretKey}`, date);
  const kService = hmac(kDate, input.service);
  const kSigning = hmac(kService, 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  return {
    signature,
    stringToSign,
    authorization: `TC3-HMAC-SHA256 Credential=${input.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** Parses a TC3 Authorization header; undefined when it is not one. */
export function parseTc3Authorization(header: string): { secretId: string; date: string; service: string; signedHeaders: string; signature: string } | undefined {
  const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(header.trim());
  if (!m) return undefined;
  return { secretId: m[1]!, date: m[2]!, service: m[3]!, signedHeaders: m[4]!, signature: m[5]! };
}
