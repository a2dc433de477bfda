import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { VendorError, type Credentials, type HttpRequest, type HttpResponse } from '../core';
import { validateResponse } from '../core/validate';
import { percentEncode, signV1 } from './signer';

/** API version of this guide (seed 001 L723). */
export const VERSION = '2014-05-26';

/**
 * The three multi-value encodings of the guide (seed 001 L1701, L4529, L7785-7804):
 * a JSON array in one parameter, a comma-separated list, and repeated indexed keys `Name.n.Field`.
 */
export type ParamValue =
  | string
  | number
  | boolean
  | undefined
  | { json: string[] }
  | { comma: string[] }
  | { indexed: Record<string, string>[] };

export type Params = Record<string, ParamValue>;

export const jsonArray = (values: string[]): ParamValue => ({ json: values });
export const commaList = (values: string[]): ParamValue => ({ comma: values });
export const indexed = (items: Record<string, string>[]): ParamValue => ({ indexed: items });

/** Flattens to query pairs: compact JSON arrays (`["a","b"]`), `a,b`, and `Tag.1.Key`/`Tag.1.Value` (1-based). */
export function flattenParams(params: Params): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (typeof value !== 'object') out.push([name, String(value)]);
    else if ('json' in value) out.push([name, JSON.stringify(value.json)]);
    else if ('comma' in value) out.push([name, value.comma.join(',')]);
    else value.indexed.forEach((item, i) => Object.entries(item).forEach(([field, v]) => out.push([`${name}.${i + 1}.${field}`, v])));
  }
  return out;
}

/** `YYYY-MM-DDThh:mm:ssZ`, UTC (seed 001 L727). */
export function timestampOf(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** ClientToken: at most 64 ASCII characters, case-sensitive (seed 001 L9768); longer or non-ASCII tokens are hashed, stably. */
export function clientToken(token: string): string {
  if (!token) throw new Error('clientToken is empty: pass the token derived from the action key');
  if (token.length <= 64 && /^[\x21-\x7e]+$/.test(token)) return token;
  return `ca-${createHash('sha256').update(token).digest('hex').slice(0, 61)}`;
}

/** One endpoint per deployment, no regional host names (seed 001 L428, L11038-11069). */
export function endpointUrl(endpoint: string | undefined, target: string): string {
  if (!endpoint) {
    throw new Error(
      `alibaba target "${target}": endpoint is required (Apsara Stack has no public endpoint); set the target's endpoint to the deployment's ecs.inner.openapi.endpoint, e.g. https://ecs.example.com`,
    );
  }
  const withScheme = /^https?:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  return withScheme.replace(/\/+$/, '');
}

export interface BuildInput {
  action: string;
  params: Params;
  credentials: Credentials;
  /** Base URL, scheme included. */
  base: string;
  /** Fixed in tests; the real wall clock and a fresh UUID otherwise (a fresh nonce per attempt, seed 001 L9772). */
  nowMs?: number;
  nonce?: string;
}

/** The signed GET request: every parameter in the query string (seed 001 L422, L432). */
export function buildRequest(input: BuildInput): HttpRequest {
  const pairs: [string, string][] = [
    ['Action', input.action],
    ['Format', 'JSON'],
    ['Version', VERSION],
    ['AccessKeyId', input.credentials.accessKeyId],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', input.nonce ?? randomUUID()],
    ['Timestamp', timestampOf(input.nowMs ?? Date.now())],
    ...flattenParams(input.params),
  ];
  const signature = signV1(pairs, input.credentials.secret);
  const query = [...pairs, ['Signature', signature] as [string, string]].map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
  return { method: 'GET', url: `${input.base}/?${query}`, headers: { accept: 'application/json' } };
}

/** Throttling comes back as HTTP 400 (seed 001 L9724): retry by code, not by status. */
const RETRYABLE = new Set([
  'Throttling',
  'ServiceUnavailable',
  'ServiceUnavailable.RegionMaintaining',
  'InternalError',
  'InternalServerError',
  'OperationConflict',
  'LastTokenProcessing',
  // a fresh nonce is drawn per attempt, so a collision heals on retry
  'SignatureNonceUsed',
]);

/** Signature/credential failures: surfaced, never retried. SignatureDoesNotMatch is the public-cloud spelling (seed 001 L11035). */
const AUTH = new Set([
  'IncompleteSignature',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId.NotFound',
  'InvalidAccessKeyId',
  'Forbidden.AccessKeyDisabled',
  'IllegalTimestamp',
  // permissions (seed 001 L9728-9733): the account may not act at all, so every further id would fail alike
  'Forbidden.NotSupportRAM',
  'Forbidden.RAM',
  'Forbidden.RiskControl',
  'Forbidden.SubUser',
  'Forbidden.Unauthorized',
  'InvalidAccount.NotFound',
  'RealNameAuthenticationError',
]);

/** A ClientToken reused with different parameters (seed 001 L9704, L9735, L4463). */
export const IDEMPOTENCY_MISMATCH = new Set(['IdempotentParameterMismatch', 'InvalidIdempotenceParameter.Mismatch', 'InvalidParamter.Conflict']);

export function isRetryableCode(code: string): boolean {
  return RETRYABLE.has(code) || code.startsWith('Throttling.');
}

function errorMessage(code: string, message: string): string {
  if (IDEMPOTENCY_MISMATCH.has(code)) {
    return `${message} (the ClientToken was already used by a request with different parameters: the action key now describes a different request; not retried)`;
  }
  if (code === 'IllegalTimestamp') return `${message} (check this host's clock: Timestamp is UTC wall time)`;
  if (code.startsWith('Forbidden.') && code !== 'Forbidden.AccessKeyDisabled') return `${message} (the AccessKey lacks permission for this action: grant it in RAM; the scope stops here)`;
  if (AUTH.has(code)) return `${message} (check the target's AccessKey id/secret)`;
  return message;
}

/** JSON body → data validated by `schema`, or the error envelope {RequestId, HostId, Code, Message} → VendorError (seed 001 L603-628). */
export function parseEnvelope<S extends z.ZodType>(action: string, response: HttpResponse, schema: S): z.output<S> {
  const body = JSON.parse(response.body) as unknown; // unreadable: the transport retries it as MalformedResponse
  if (typeof body !== 'object' || body === null) throw new Error('response body is not a JSON object');
  const envelope = body as { RequestId?: unknown; Code?: unknown; Message?: unknown };
  const requestId = typeof envelope.RequestId === 'string' ? envelope.RequestId : undefined;
  if (response.status >= 400 || typeof envelope.Code === 'string') {
    const code = typeof envelope.Code === 'string' ? envelope.Code : `HTTP${response.status}`;
    const message = typeof envelope.Message === 'string' ? envelope.Message : `HTTP ${response.status}`;
    throw new VendorError({
      vendor: 'alibaba',
      action,
      code,
      message: errorMessage(code, message),
      requestId,
      httpStatus: response.status,
      retryable: isRetryableCode(code) || response.status >= 500,
      auth: AUTH.has(code),
    });
  }
  return validateResponse(schema, body, { vendor: 'alibaba', action, requestId: requestId, httpStatus: response.status });
}
