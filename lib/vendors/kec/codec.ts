import type { z } from 'zod';
import { VendorError, type Credentials, type HttpRequest, type HttpResponse } from '../core';
import { validateResponse } from '../core/validate';
import { AUTH_CODES, RETRYABLE_CODES, type ActionSpec } from './actions';
import { ALGORITHM, amzDate, sigV4, TERMINATOR, uriEncode } from './signer';

/** A parameter tree: arrays become `.N` (1-based), objects `.Name` (seed 000 L1437-1438, L3620-3621). */
export type ParamValue = string | number | boolean | undefined | ParamValue[] | { [key: string]: ParamValue };
export type Params = Record<string, ParamValue>;

export function flattenParams(params: Params, prefix = '', out: [string, string][] = []): [string, string][] {
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const name = prefix + key;
    if (Array.isArray(value)) value.forEach((v, i) => flattenParams({ [String(i + 1)]: v }, `${name}.`, out));
    else if (typeof value === 'object') flattenParams(value, `${name}.`, out);
    else out.push([name, String(value)]);
  }
  return out;
}

/**
 * `kec.<region>.api.ksyun.com` (seed 000 L6008); IAM is global, `iam.api.ksyun.com` [external].
 * An endpoint override (tests, private deployments) serves every service.
 */
export function endpointFor(service: ActionSpec['service'], region: string, override?: string): URL {
  if (override) return new URL(override.endsWith('/') ? override : `${override}/`);
  return new URL(service === 'iam' ? 'https://iam.api.ksyun.com/' : `https://kec.${region}.api.ksyun.com/`);
}

/** IAM is global; its credential scope names the region the SDKs default to (decision, sim/DECISIONS.md (kec)). */
export const IAM_SCOPE_REGION = 'cn-beijing-6';

const formEncode = (pairs: [string, string][]) => pairs.map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).join('&');

export interface BuildInput {
  spec: ActionSpec;
  region: string;
  params: Params;
  credentials: Credentials;
  endpoint?: string;
  /** Injected in tests; the real wall clock otherwise (never the sim clock). */
  now?: () => number;
}

/**
 * One signed GET (the method the seed recommends, L6016) with every parameter in the URL,
 * the SigV4 signature included: "GET方法所有请求参数包括signature放置在url中" (L6163), with the
 * signing parameters of the common-parameter table (L6036-6043): X-Amz-Algorithm, -Credential,
 * -Date, -SignedHeaders (`host`), -Signature; the canonical query holds all of them but the
 * signature (L6188-6190). JSON is asked for by `Accept` (L6062). Called per attempt, so every
 * attempt carries a fresh X-Amz-Date.
 */
export function buildRequest(input: BuildInput): HttpRequest {
  const url = endpointFor(input.spec.service, input.region, input.endpoint);
  const date = amzDate((input.now ?? Date.now)());
  const scopeRegion = input.spec.service === 'iam' ? IAM_SCOPE_REGION : input.region;
  const pairs: [string, string][] = [
    ...flattenParams({ Action: input.spec.action, Version: input.spec.version, ...input.params }),
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${input.credentials.accessKeyId}/${date.slice(0, 8)}/${scopeRegion}/${input.spec.service}/${TERMINATOR}`],
    ['X-Amz-Date', date],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const signed = sigV4({
    method: 'GET',
    path: url.pathname,
    query: pairs,
    headers: { host: url.host },
    body: '',
    amzDate: date,
    region: scopeRegion,
    service: input.spec.service,
    secret: input.credentials.secret,
  });
  url.search = formEncode([...pairs, ['X-Amz-Signature', signed.signature]]);
  return { method: 'GET', url: url.toString(), headers: { Accept: 'application/json' } };
}

interface Envelope {
  RequestId?: string;
  Error?: { Type?: string; Code?: string; Message?: string };
}

/**
 * JSON envelope → data, or VendorError (seed 000 L6058-6120): throttling (409 LimitExceeded) and
 * 5xx are retryable, auth codes are flagged, the rest (validation) is final. Data is checked with zod.
 */
export function parseResponse<S extends z.ZodType>(action: string, schema: S, response: HttpResponse): z.infer<S> {
  let body: Envelope;
  try {
    body = JSON.parse(response.body) as Envelope;
  } catch {
    throw new VendorError({
      vendor: 'kec',
      action,
      code: response.status >= 500 ? `HTTP${response.status}` : 'MalformedResponse',
      message: `response is not JSON (HTTP ${response.status})`,
      httpStatus: response.status,
      retryable: true,
    });
  }
  if (body.Error || response.status >= 400) {
    const code = body.Error?.Code ?? `HTTP${response.status}`;
    throw new VendorError({
      vendor: 'kec',
      action,
      code,
      message: body.Error?.Message ?? `HTTP ${response.status}`,
      requestId: body.RequestId,
      httpStatus: response.status,
      retryable: RETRYABLE_CODES.has(code) || response.status >= 500,
      auth: AUTH_CODES.has(code),
    });
  }
  return validateResponse(schema, body, { vendor: 'kec', action, requestId: body.RequestId, httpStatus: response.status });
}
