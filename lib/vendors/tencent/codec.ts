import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import { VendorError, type Credentials, type HttpRequest, type HttpResponse, type TencentSettings } from '../core';
import { rfc3986Encode } from '../core/percent-encode';
import { validateResponse } from '../core/validate';
import { classifyError } from './actions';
import { legacySign, legacyStringToSign, tc3Signature } from './signer';

export const VERSION = '2017-03-12';
export const SERVICE = 'cvm';

/** A request parameter tree: arrays become `.N` (0-based), objects `.Name` (seed 004 L184-198, L6396-6402). */
export type ParamValue = string | number | boolean | undefined | ParamValue[] | { [key: string]: ParamValue };
export type Params = Record<string, ParamValue>;

/** Flattens a parameter tree into the wire form: `InstanceIds.0`, `Filters.0.Values.1`, `InstanceChargePrepaid.Period`. */
export function flattenParams(params: Params, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  for (const key of Object.keys(params)) flattenValue(prefix + key, params[key], out);
  return out;
}

// element by element, without an object per array element: timer reads carry 100 ids per request
function flattenValue(name: string, value: ParamValue, out: Record<string, string>): void {
  if (value === undefined) return;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) flattenValue(`${name}.${i}`, value[i], out);
  else if (typeof value === 'object') flattenParams(value, `${name}.`, out);
  // Booleans travel as TRUE/FALSE, as every example does (seed 004 L1760 `ForceStop=FALSE`).
  else out[name] = typeof value === 'boolean' ? (value ? 'TRUE' : 'FALSE') : String(value);
}

/** The JSON body a TC3 POST carries: the same tree, booleans as JSON booleans (as the SDK sends). */
function jsonBody(params: Params): string {
  return JSON.stringify(params, (_k, v: unknown) => (v === undefined ? undefined : v));
}

/** `cvm.tencentcloudapi.com`, or `cvm.<region>.tencentcloudapi.com` when asked and for finance regions (seed 004 L312, L1099). */
export function endpointFor(region: string | undefined, settings: TencentSettings, override?: string): URL {
  if (override) return new URL(override.endsWith('/') ? override : `${override}/`);
  const regional = region !== undefined && (settings.regionalEndpoint || region.endsWith('-fsi'));
  return new URL(regional ? `https://cvm.${region}.tencentcloudapi.com/` : 'https://cvm.tencentcloudapi.com/');
}

const encode = rfc3986Encode;
export const formEncode = (flat: Record<string, string>) =>
  Object.keys(flat)
    .sort()
    .map((k) => `${encode(k)}=${encode(flat[k]!)}`)
    .join('&');

export interface BuildInput {
  action: string;
  region?: string;
  params: Params;
  credentials: Credentials;
  settings: TencentSettings;
  endpoint?: string;
  /** Injected in tests; the real wall clock otherwise (never the sim clock). */
  now?: () => number;
  nonce?: () => number;
}

/** Builds one signed request; called per attempt so every attempt gets a fresh Timestamp/Nonce. */
export function buildRequest(input: BuildInput): HttpRequest {
  const url = endpointFor(input.region, input.settings, input.endpoint);
  const timestamp = Math.floor((input.now ?? Date.now)() / 1000);
  const method = input.settings.httpMethod;
  if (input.settings.signatureMethod === 'TC3-HMAC-SHA256') return buildTc3(input, url, method, timestamp);

  const flat: Record<string, string> = {
    ...flattenParams(input.params),
    Action: input.action,
    Version: VERSION,
    Timestamp: String(timestamp),
    Nonce: String((input.nonce ?? (() => randomInt(1, 2 ** 31 - 1)))()),
    SecretId: input.credentials.accessKeyId,
    // Sent (and therefore signed) for both methods, so the server never has to guess (seed 004 L357).
    SignatureMethod: input.settings.signatureMethod,
  };
  if (input.region !== undefined) flat.Region = input.region;
  if (input.credentials.token) flat.Token = input.credentials.token;
  const stringToSign = legacyStringToSign(method, url.host, url.pathname, flat);
  flat.Signature = legacySign(stringToSign, input.credentials.secret, input.settings.signatureMethod);
  const encoded = formEncode(flat);
  if (method === 'GET') return { method, url: `${url.origin}${url.pathname}?${encoded}`, headers: {} };
  return {
    method,
    url: `${url.origin}${url.pathname}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encoded,
  };
}

function buildTc3(input: BuildInput, url: URL, method: 'GET' | 'POST', timestamp: number): HttpRequest {
  const query = method === 'GET' ? formEncode(flattenParams(input.params)) : '';
  const payload = method === 'POST' ? jsonBody(input.params) : '';
  const contentType = method === 'POST' ? 'application/json' : 'application/x-www-form-urlencoded';
  const { authorization } = tc3Signature({
    method,
    host: url.hostname,
    path: url.pathname,
    query,
    contentType,
    payload,
    timestamp,
    service: SERVICE,
    secretId: input.credentials.accessKeyId,
    secretKey: input.credentials.secret,
  });
  const headers: Record<string, string> = {
    'content-type': contentType,
    authorization,
    'x-tc-action': input.action,
    'x-tc-version': VERSION,
    'x-tc-timestamp': String(timestamp),
  };
  if (input.region !== undefined) headers['x-tc-region'] = input.region;
  if (input.credentials.token) headers['x-tc-token'] = input.credentials.token;
  return {
    method,
    url: `${url.origin}${url.pathname}${query ? `?${query}` : ''}`,
    headers,
    body: method === 'POST' ? payload : undefined,
  };
}

interface Envelope {
  Response?: { Error?: { Code?: string; Message?: string }; RequestId?: string; RequestID?: string } & Record<string, unknown>;
}

/**
 * Reads the `{"Response": {...}}` envelope (seed 004 L625-667): failure iff `Response.Error`
 * exists, whatever the HTTP status. Codes of both editions are classified (`classifyError`). An unreadable body is thrown as a plain Error (the transport retries it).
 */
export function parseEnvelope<S extends z.ZodType>(action: string, response: HttpResponse, schema: S): z.infer<S> {
  const envelope = JSON.parse(response.body) as Envelope;
  const body = envelope?.Response;
  if (!body || typeof body !== 'object') throw new Error('response has no "Response" object');
  const requestId = body.RequestId ?? body.RequestID;
  if (body.Error) {
    const code = body.Error.Code ?? 'UnknownError';
    const { auth, retryable } = classifyError(code);
    throw new VendorError({
      vendor: 'tencent',
      action,
      code,
      message: body.Error.Message ?? '',
      requestId,
      httpStatus: response.status,
      retryable: retryable || (!auth && response.status >= 500),
      auth,
    });
  }
  if (response.status >= 500) throw new Error(`HTTP ${response.status} without an error envelope`);
  return validateResponse(schema, body, { vendor: 'tencent', action, requestId: requestId, httpStatus: response.status });
}

/** The request id of a parsed body, whichever spelling the vendor used (seed 004 L6077). */
export function requestIdOf(body: { RequestId?: string; RequestID?: string }): string | undefined {
  return body.RequestId ?? body.RequestID;
}
