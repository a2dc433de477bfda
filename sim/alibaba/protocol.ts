import { randomUUID } from 'node:crypto';
import { signV1 } from '../../lib/vendors/alibaba/signer';
import type { SimContext, SimRequest, SimResponse } from '../core';

/** An error the simulated ECS answers with, in the envelope {RequestId, HostId, Code, Message} (seed 001 L603-628). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const missing = (name: string) => new ApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
export const invalid = (name: string) => new ApiError(400, 'InvalidParameter', `The specified parameter "${name}" is not valid.`);

/** Query pairs in order, repeated names kept. */
export function parsePairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery.split('&').map((part) => {
    const eq = part.indexOf('=');
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return eq < 0 ? [dec(part), ''] : [dec(part.slice(0, eq)), dec(part.slice(eq + 1))];
  });
}

/** Decision A2: a Timestamp more than 15 minutes from the real wall clock is IllegalTimestamp (the guide gives no window). */
export const SKEW_MS = 15 * 60 * 1000;

/** Replay protection: each SignatureNonce once within the skew window (seed 001 L728, L9723). */
export class NonceCache {
  private seen = new Map<string, number>();
  use(nonce: string, nowMs: number): boolean {
    if (this.seen.size > 50_000) for (const [n, at] of this.seen) if (nowMs - at > SKEW_MS * 2) this.seen.delete(n);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs);
    return true;
  }
}

/**
 * Verifies the common parameters and the signature (seed 001 L494-571, L711-745, L9699-9753).
 * Staleness is judged against Date.now(), not the business clock (decision A2).
 */
export function verify(req: SimRequest, pairs: [string, string][], ctx: SimContext, nonces: NonceCache): { accessKeyId: string } {
  if (req.method !== 'GET') throw new ApiError(403, 'UnsupportedHTTPMethod', 'This http method is not supported.');
  const get = (n: string) => pairs.find(([k]) => k === n)?.[1];
  for (const name of ['Action', 'AccessKeyId', 'Signature', 'Timestamp', 'Version']) {
    if (!get(name)) {
      if (name === 'Signature') throw new ApiError(400, 'MissingParameter', 'An input parameter "Signature" that is mandatory for processing the request is not supplied.');
      throw missing(name);
    }
  }
  if (get('SignatureMethod') !== 'HMAC-SHA1') throw new ApiError(400, 'InvalidParamater', 'The specified parameter "SignatureMethod" is not valid.');
  if (get('SignatureVersion') !== '1.0') throw new ApiError(400, 'InvalidParamater', 'The specified parameter "SignatureVersion" is not valid.');
  if (get('Version') !== '2014-05-26') throw new ApiError(400, 'InvalidParameter', 'The specified parameter "Action or Version" is not valid.');
  const accessKeyId = get('AccessKeyId')!;
  const secret = ctx.credentials.get(accessKeyId);
  if (secret === undefined) throw new ApiError(400, 'InvalidAccessKeyId.NotFound', 'The Access Key ID provided does not exist in our records.');
  const ts = get('Timestamp')!;
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(ts) ? Date.parse(ts) : NaN;
  if (Number.isNaN(at) || Math.abs(Date.now() - at) > SKEW_MS) {
    throw new ApiError(400, 'IllegalTimestamp', 'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.');
  }
  if (signV1(pairs, secret) !== get('Signature')) throw new ApiError(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');
  const nonce = get('SignatureNonce');
  if (!nonce) throw missing('SignatureNonce');
  if (!nonces.use(`${accessKeyId}|${nonce}`, Date.now())) throw new ApiError(400, 'SignatureNonceUsed', 'The request signature nonce has been used.');
  return { accessKeyId };
}

export function requestId(): string {
  return randomUUID().toUpperCase();
}

function xmlOf(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => xmlOf(name, v)).join('');
  if (value !== null && typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => xmlOf(k, v))
      .join('')}</${name}>`;
  }
  const text = String(value ?? '').replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  return `<${name}>${text}</${name}>`;
}

/** JSON when Format=JSON (any case), XML otherwise (the default, seed 001 L722); errors use the `<Error>` root (L609). */
export function render(format: string | undefined, root: string, status: number, body: Record<string, unknown>): SimResponse {
  if ((format ?? 'XML').toUpperCase() === 'JSON') return { status, headers: { 'content-type': 'application/json;charset=utf-8' }, body };
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=utf-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>${xmlOf(root, body)}`,
  };
}

export function errorResponse(e: ApiError, format: string | undefined, host: string): SimResponse {
  return render(format, 'Error', e.status, { RequestId: requestId(), HostId: host.replace(/:\d+$/, ''), Code: e.code, Message: e.message });
}
