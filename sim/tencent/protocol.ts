import type { SimRequest, SimResponse } from '../core';
import { legacySign, legacyStringToSign, parseTc3Authorization, tc3Date, tc3Signature, type LegacySignatureMethod } from '../../lib/vendors/tencent/signer';

/** The one signature code the simulator shares with the client (design §2). */

export const VERSION = '2017-03-12';
/** Allowed |Timestamp - wall clock| (seed 004 L352 gives none; DECISIONS.md D1). */
export const MAX_SKEW_SECONDS = 300;

/** A request reduced to what every handler needs: flat wire parameters, as if sent GET/form. */
export interface ParsedRequest {
  action: string;
  version?: string;
  region?: string;
  timestamp?: number;
  /** Flat parameters (`InstanceIds.0`, `Filters.0.Values.1`), common ones removed. */
  params: Map<string, string>;
  style: 'legacy' | 'tc3';
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 200,
  ) {
    super(message);
  }
}

const COMMON = new Set(['Action', 'Version', 'Region', 'Timestamp', 'Nonce', 'SecretId', 'Signature', 'SignatureMethod', 'Token', 'Language', 'RequestClient']);

export function isTc3(req: SimRequest): boolean {
  return (req.headers.authorization ?? '').startsWith('TC3-HMAC-SHA256');
}

/** Form parameters of a legacy request: the query (GET) or the urlencoded body (POST). */
export function legacyParams(req: SimRequest): URLSearchParams {
  return req.method === 'GET' ? req.query : new URLSearchParams(req.body);
}

export function actionOf(req: SimRequest): string {
  if (isTc3(req)) return req.headers['x-tc-action'] ?? 'unknown';
  try {
    return legacyParams(req).get('Action') ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** JSON bodies (what the SDK sends with TC3) flattened into the wire form the handlers read. */
function flattenJson(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) value.forEach((v, i) => flattenJson(v, `${prefix}.${i}`, out));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) flattenJson(v, prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, typeof value === 'boolean' ? (value ? 'TRUE' : 'FALSE') : String(value));
}

/**
 * Verifies the signature and returns the parsed request, or throws the documented AuthFailure.*
 * (seed 004 L525-536). Staleness is judged against the real wall clock, never the business clock.
 */
export function authenticate(req: SimRequest, credentials: Map<string, string>, wallNowMs = Date.now()): ParsedRequest {
  return isTc3(req) ? authenticateTc3(req, credentials, wallNowMs) : authenticateLegacy(req, credentials, wallNowMs);
}

function checkSkew(timestamp: number, wallNowMs: number) {
  if (!Number.isFinite(timestamp) || Math.abs(wallNowMs / 1000 - timestamp) > MAX_SKEW_SECONDS) {
    throw new ApiError('AuthFailure.SignatureExpire', 'The signature expired. Timestamp must be within 300 seconds of the server time.');
  }
}

const SIGNATURE_FAILURE = 'The provided credentials could not be validated. Please check your signature is correct.'; // seed 004 L651-661

function authenticateLegacy(req: SimRequest, credentials: Map<string, string>, wallNowMs: number): ParsedRequest {
  const form = legacyParams(req);
  const all: Record<string, string> = {};
  for (const [k, v] of form) {
    if (k in all) throw new ApiError('InvalidParameter', `parameter ${k} is repeated`);
    all[k] = v;
  }
  for (const name of ['SecretId', 'Signature', 'Timestamp', 'Nonce', 'Action', 'Version']) {
    if (all[name] === undefined) throw new ApiError(name === 'SecretId' || name === 'Signature' ? 'AuthFailure.SignatureFailure' : 'MissingParameter', `the common parameter ${name} is missing`);
  }
  const secret = credentials.get(all.SecretId!);
  if (secret === undefined) throw new ApiError('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
  checkSkew(Number(all.Timestamp), wallNowMs);
  const method = (all.SignatureMethod ?? 'HmacSHA1') as LegacySignatureMethod;
  if (method !== 'HmacSHA1' && method !== 'HmacSHA256') throw new ApiError('InvalidParameterValue', `SignatureMethod ${method} is not HmacSHA1 or HmacSHA256`);
  const { Signature: signature, ...signed } = all;
  const expected = legacySign(legacyStringToSign(req.method, req.host, req.path || '/', signed), secret, method);
  if (expected !== signature) throw new ApiError('AuthFailure.SignatureFailure', SIGNATURE_FAILURE);
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(all)) if (!COMMON.has(k)) params.set(k, v);
  return { action: all.Action!, version: all.Version, region: all.Region, timestamp: Number(all.Timestamp), params, style: 'legacy' };
}

function authenticateTc3(req: SimRequest, credentials: Map<string, string>, wallNowMs: number): ParsedRequest {
  const auth = parseTc3Authorization(req.headers.authorization ?? '');
  if (!auth) throw new ApiError('AuthFailure.SignatureFailure', SIGNATURE_FAILURE);
  const secret = credentials.get(auth.secretId);
  if (secret === undefined) throw new ApiError('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
  const timestamp = Number(req.headers['x-tc-timestamp']);
  checkSkew(timestamp, wallNowMs);
  if (auth.date !== tc3Date(timestamp) || auth.service !== 'cvm' || auth.signedHeaders !== 'content-type;host') {
    throw new ApiError('AuthFailure.SignatureFailure', SIGNATURE_FAILURE);
  }
  const { signature } = tc3Signature({
    method: req.method,
    host: req.host.replace(/:\d+$/, ''),
    path: req.path || '/',
    query: req.rawQuery,
    contentType: req.headers['content-type'] ?? '',
    payload: req.body,
    timestamp,
    service: 'cvm',
    secretId: auth.secretId,
    secretKey: secret,
  });
  if (signature !== auth.signature) throw new ApiError('AuthFailure.SignatureFailure', SIGNATURE_FAILURE);
  const params = new Map<string, string>();
  if (req.method === 'GET') {
    for (const [k, v] of req.query) if (!COMMON.has(k)) params.set(k, v);
  } else if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = req.body ? JSON.parse(req.body) : {};
    } catch {
      throw new ApiError('InvalidParameter', 'the request body is not valid JSON');
    }
    flattenJson(parsed, '', params);
  } else {
    for (const [k, v] of new URLSearchParams(req.body)) if (!COMMON.has(k)) params.set(k, v);
  }
  return {
    action: req.headers['x-tc-action'] ?? '',
    version: req.headers['x-tc-version'],
    region: req.headers['x-tc-region'],
    timestamp,
    params,
    style: 'tc3',
  };
}

let counter = 0;
/** Deterministic-enough request ids (UUID shaped, as the samples, seed 004 L633-645). */
export function newRequestId(): string {
  counter = (counter + 1) % 0xffffffff;
  const hex = counter.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
}

export function ok(body: Record<string, unknown>): SimResponse {
  return { status: 200, body: { Response: { ...body, RequestId: newRequestId() } } };
}

/** Errors travel in the envelope with HTTP 200, auth errors included (DECISIONS.md D2). */
export function fail(code: string, message: string, status = 200): SimResponse {
  return { status, body: { Response: { Error: { Code: code, Message: message }, RequestId: newRequestId() } } };
}
