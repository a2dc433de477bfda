import { timingSafeEqual } from 'node:crypto';
import { ALGORITHM, parseAuthorization, parseCredential, sigV4, TERMINATOR } from '../../lib/vendors/kec/signer';
import type { SimRequest } from '../core';

/** Signatures older or newer than this (against the real wall clock) are expired: the seed names no window (decision). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface AuthFailure {
  status: number;
  code: string;
  message: string;
}

export interface AuthOk {
  accessKeyId: string;
  /** The region named in the credential scope: the simulator's only view of which region is asked (loopback host). */
  region: string;
  service: string;
}

/** Parameter pairs of a request: the query string for GET, the form body for POST (seed 000 L6018-6020). */
export function requestPairs(req: SimRequest): [string, string][] {
  const raw = req.method.toUpperCase() === 'POST' && req.body ? req.body : req.rawQuery;
  return splitPairs(raw);
}

export function splitPairs(raw: string): [string, string][] {
  if (!raw) return [];
  return raw
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      const v = eq < 0 ? '' : part.slice(eq + 1);
      return [decode(k), decode(v)] as [string, string];
    });
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/** A `Date` header (HTTP date) as `YYYYMMDD'T'HHMMSS'Z'`, or undefined. */
function basicDate(header: string | undefined): string | undefined {
  const ms = header === undefined ? Number.NaN : Date.parse(header);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const fail = (status: number, code: string, message: string): AuthFailure => ({ status, code, message });

/** `YYYYMMDD'T'HHMMSS'Z'` → epoch ms, or undefined when not ISO 8601 basic format. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/**
 * Verifies a SigV4 request in header form (Authorization + X-Amz-Date) or query form (X-Amz-*
 * parameters), answering the common errors of seed 000 L6124-6150.
 */
export function verify(req: SimRequest, credentials: Map<string, string>, expectedService: string, regions: readonly string[]): AuthOk | AuthFailure {
  if (!req.host) return fail(403, 'MissingAuthenticationToken', "Request is missing 'Host' header.");
  const query = splitPairs(req.rawQuery);
  const queryMap = new Map(query);
  const header = req.headers.authorization;
  let parsed: { accessKeyId: string; date: string; region: string; service: string; terminator: string; signedHeaders: string[]; signature: string };
  let amzDate: string | undefined;
  let expiresS: number | undefined;
  let canonicalPairs: [string, string][];

  if (header) {
    const p = parseAuthorization(header);
    if ('error' in p) return fail(400, p.error, p.message);
    parsed = p;
    amzDate = req.headers['x-amz-date'];
    if (!amzDate) {
      if (!req.headers.date) return fail(400, 'IncompleteSignature', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header, Authorization=***");
      amzDate = basicDate(req.headers.date);
      if (!amzDate) return fail(400, 'IncompleteSignature', `Date must be in ISO-8601 'basic format'. Got '${req.headers.date}'. See http://en.wikipedia.org/wiki/ISO_8601 .`);
    }
    canonicalPairs = query;
  } else if (queryMap.has('X-Amz-Algorithm') || queryMap.has('X-Amz-Signature')) {
    // X-Amz-Date is optional: it overrides the date of the Date header (seed 000 L6040).
    for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
      if (!queryMap.get(name)) return fail(400, 'IncompleteSignature', `KSC query-string parameters must include ${name}. Re-examine the query-string parameters.`);
    }
    if (queryMap.get('X-Amz-Algorithm') !== ALGORITHM) return fail(400, 'IncompleteSignature', `Unsupported ksc 'algorithm': ${queryMap.get('X-Amz-Algorithm')}.`);
    const c = parseCredential(queryMap.get('X-Amz-Credential')!);
    if ('error' in c) return fail(400, c.error, c.message);
    parsed = { ...c, signedHeaders: queryMap.get('X-Amz-SignedHeaders')!.split(';'), signature: queryMap.get('X-Amz-Signature')! };
    amzDate = queryMap.get('X-Amz-Date') ?? basicDate(req.headers.date);
    if (!amzDate) return fail(400, 'IncompleteSignature', "KSC query-string parameters must include X-Amz-Date, or the request a 'Date' header. Re-examine the query-string parameters.");
    expiresS = queryMap.has('X-Amz-Expires') ? Number(queryMap.get('X-Amz-Expires')) : undefined;
    canonicalPairs = query.filter(([k]) => k !== 'X-Amz-Signature');
  } else {
    return fail(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token.');
  }

  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return fail(400, 'IncompleteSignature', `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601 .`);
  if (!parsed.signedHeaders.includes('host')) return fail(403, 'SignatureDoesNotMatch', "Host' must be a 'SignedHeader' in the Authorization.");
  if (parsed.terminator !== TERMINATOR) return fail(403, 'SignatureDoesNotMatch', `Credential should be scoped with a valid terminator: 'aws4_request', not: ${parsed.terminator}.`);
  if (!regions.includes(parsed.region)) return fail(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region, not:${parsed.region}.`);
  if (parsed.service !== expectedService) return fail(403, 'SignatureDoesNotMatch', `Credential should be scoped to correct service: ${expectedService}.`);
  if (parsed.date !== amzDate.slice(0, 8)) return fail(403, 'SignatureDoesNotMatch', 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.');
  const secret = credentials.get(parsed.accessKeyId);
  if (secret === undefined) return fail(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  // Staleness is judged on the real wall clock, never the business clock tests move (decision).
  const now = Date.now();
  const expired = expiresS !== undefined ? now > signedAt + expiresS * 1000 || now < signedAt - MAX_SKEW_MS : Math.abs(now - signedAt) > MAX_SKEW_MS;
  if (expired) return fail(403, 'SignatureDoesNotMatch', `Signature expired:${amzDate}.`);

  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = name === 'host' ? req.host : req.headers[name];
    if (value === undefined) return fail(403, 'MissingAuthenticationToken', `${name} not in Http Header.`);
    headers[name] = value;
  }
  const expected = sigV4({
    method: req.method,
    path: req.path || '/',
    query: canonicalPairs,
    headers,
    body: req.body,
    amzDate,
    region: parsed.region,
    service: parsed.service,
    secret,
  }).signature;
  const a = Buffer.from(expected);
  const b = Buffer.from(parsed.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return fail(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
  }
  return { accessKeyId: parsed.accessKeyId, region: parsed.region, service: parsed.service };
}
