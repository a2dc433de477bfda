import { z } from 'zod';
import { VendorError, type HttpMethod, type HttpRequest, type HttpResponse } from '../core';
import type { CecstackSigner } from './signer';

/** Base path of every call (seed 003 L1249: `https://{endpoint}/api/ecs/v1/...`). */
export const API_PREFIX = '/api/ecs/v1';

export type QueryValue = string | number | boolean | undefined;

/**
 * Query encoding: everything percent-encoded except `:`, `|` and `,`, which the `filter=`
 * mini-language uses as separators and the samples send raw (seed 003 L6060).
 */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%7C/gi, '|').replace(/%2C/gi, ',');
}

export function buildQuery(query: [string, QueryValue][]): string {
  const parts = query.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${encodeQueryValue(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export interface CallSpec {
  method: HttpMethod;
  /** Path below `/api/ecs/v1`, with path parameters already encoded. */
  path: string;
  query?: [string, QueryValue][];
  /** Serialised as JSON: objects and top-level arrays (seed 003 L7464). */
  body?: unknown;
}

/** Builds one request: base URL, `x-regionid` (required, seed 003 L1239), JSON body, then the signer's headers. */
export async function buildRequest(base: string, region: string, spec: CallSpec, signer: CecstackSigner): Promise<HttpRequest> {
  const url = `${base.replace(/\/+$/, '')}${API_PREFIX}${spec.path}${buildQuery(spec.query ?? [])}`;
  const headers: Record<string, string> = { accept: 'application/json', 'x-regionid': region };
  let body: string | undefined;
  if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    headers['content-type'] = 'application/json';
  }
  const signed = await signer.sign({ method: spec.method, url, headers: { ...headers }, body }, new Date());
  return { method: spec.method, url, headers: { ...headers, ...signed }, body };
}

/** The envelope (seed 003 L1501-1506); requestId and data may be absent (digest §2.1). */
const envelope = z.object({
  requestId: z.string().nullish(),
  code: z.string(),
  message: z.string().nullish(),
  data: z.unknown().optional(),
});

/**
 * Auth failures are HTTP 400 (seed 003 L14655). `ECS.OperationDenied.Identity` ("no permission on
 * this resource", L14656) is per resource, not a credential failure: it fails that id only (D4).
 */
const AUTH_CODES = new Set(['ecs.operationdenied.authfail']);

/**
 * No throttling code is documented (seed 003 L14650-14717). Retryable: HTTP 429/5xx, the backend
 * disconnection and the database failures, all transient by their description (DECISIONS.md D4).
 */
const RETRYABLE_CODES = new Set([
  'ecs.operationdenied.disconnection',
  'ecs.dbcreate.fail',
  'ecs.dbdelete.fail',
  'ecs.dbget.fail',
  'ecs.dbupdate.fail',
  'ecs.throttling',
]);

/**
 * Database writes that failed (L14701-14706) or a backend that dropped mid-call may have acted:
 * retryable for reads, but a non-idempotent mutation is never resent (the transport's rule); the
 * client reconciles from vendor state instead.
 */
const MAY_HAVE_ACTED = new Set(['ecs.operationdenied.disconnection', 'ecs.dbcreate.fail', 'ecs.dbdelete.fail', 'ecs.dbupdate.fail']);

/**
 * A 401/403 without the vendor's envelope is an authentication gateway's answer (seed 003 defers
 * authentication to a separate document, L1234, L4687): an auth error, never retried.
 */
function gatewayError(action: string, response: HttpResponse): VendorError | undefined {
  if (response.status !== 401 && response.status !== 403) return undefined;
  return new VendorError({
    vendor: 'cecstack',
    action,
    code: `HTTP${response.status}`,
    message: `the authentication gateway refused the request (HTTP ${response.status}, no {code, message, data} envelope): check settings.auth and the target's token or signing hook against the vendor's authentication document`,
    httpStatus: response.status,
    retryable: false,
    auth: true,
  });
}

export function isNotFound(e: unknown): boolean {
  return e instanceof VendorError && e.code.toLowerCase() === 'ecs.dbget.nodata';
}

/**
 * Turns a response into the validated `data`, or throws a VendorError carrying the vendor's
 * code, message and request id. Codes are compared case-insensitively (`Ecs.` at L14711).
 */
export interface Envelope<T> {
  data: T;
  requestId?: string;
}

export function parseEnvelope<T>(action: string, schema: z.ZodType<T>) {
  return (response: HttpResponse): Envelope<T> => {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch (e) {
      // unreadable: the transport classifies it (5xx → retry, truncated body → retry), unless an auth gateway refused us
      throw gatewayError(action, response) ?? new Error(`not JSON: ${(e as Error).message}`, { cause: e });
    }
    const env = envelope.safeParse(json);
    if (!env.success) throw gatewayError(action, response) ?? new Error(`no {code, message, data} envelope in the response`);
    const { code, message, requestId } = env.data;
    const lower = code.toLowerCase();
    if (response.status < 200 || response.status >= 300 || lower !== 'success') {
      throw new VendorError({
        vendor: 'cecstack',
        action,
        code,
        message: message ?? '',
        requestId: requestId || undefined,
        httpStatus: response.status,
        retryable: response.status === 429 || response.status >= 500 || RETRYABLE_CODES.has(lower),
        auth: AUTH_CODES.has(lower),
        mayHaveActed: MAY_HAVE_ACTED.has(lower),
      });
    }
    const data = schema.safeParse(env.data.data ?? null);
    if (!data.success) {
      throw new VendorError({
        vendor: 'cecstack',
        action,
        code: 'UnexpectedResponse',
        message: `response data does not match the documented shape: ${z.prettifyError(data.error)}`.slice(0, 800),
        requestId: requestId || undefined,
        httpStatus: response.status,
      });
    }
    return { data: data.data, requestId: requestId || undefined };
  };
}
