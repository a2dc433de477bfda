import { createHash, createHmac } from 'node:crypto';
import { rfc3986Encode } from '../core/percent-encode';

/**
 * AWS Signature Version 4 as KEC documents it (seed 000 L6161-6252): pure functions over strings,
 * so the simulator verifies with the same code and the tests compare with @smithy/signature-v4.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Lower case, as the algorithm text writes it (seed 000 L6228); the parameter table's `AWS4_request` (L6039) is a typo. */
export const TERMINATOR = 'aws4_request';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();

/** RFC 3986 strict: only `A-Z a-z 0-9 - _ . ~` stay; space is `%20`, never `+` (the seed gives no rules, L6188). */
export const uriEncode = rfc3986Encode;

/** Sorted by encoded name, then encoded value (repeated names), joined `k=v&...` (seed 000 L6188-6191). */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Trimall: ends trimmed, inner whitespace runs collapsed, except inside double quotes (seed 000 L6199). */
export function trimAll(value: string): string {
  return value
    .trim()
    .split(/("[^"]*")/)
    .map((part) => (part.startsWith('"') ? part : part.replace(/\s+/g, ' ')))
    .join('');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, TERMINATOR);
}

export interface SigV4Input {
  method: string;
  /** Absolute path; `/` for every KEC action. */
  path: string;
  /** Query parameters as sent (names/values unencoded); exclude X-Amz-Signature. */
  query: ReadonlyArray<readonly [string, string]>;
  /** The headers to sign (any case); `host` must be among them. */
  headers: Record<string, string>;
  /** Raw body; '' for GET. */
  body: string;
  /** `YYYYMMDD'T'HHMMSS'Z'` (seed 000 L6040). */
  amzDate: string;
  region: string;
  service: string;
  secret: string;
}

export interface SigV4Result {
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  scope: string;
  signature: string;
}

export function sigV4(input: SigV4Input): SigV4Result {
  const headers = Object.entries(input.headers)
    .map(([k, v]) => [k.toLowerCase(), trimAll(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path || '/',
    canonicalQuery(input.query),
    headers.map(([k, v]) => `${k}:${v}\n`).join(''),
    signedHeaders,
    input.body === '' ? EMPTY_BODY_SHA256 : sha256Hex(input.body),
  ].join('\n');
  const date = input.amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/${TERMINATOR}`;
  const stringToSign = [ALGORITHM, input.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(input.secret, date, input.region, input.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  return { canonicalRequest, stringToSign, signedHeaders, scope, signature };
}

export function authorizationHeader(accessKeyId: string, result: SigV4Result): string {
  return `${ALGORITHM} Credential=${accessKeyId}/${result.scope}, SignedHeaders=${result.signedHeaders}, Signature=${result.signature}`;
}

/** `20160914T114902Z` from epoch milliseconds (UTC, as SigV4 requires). */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=AK/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`
 * (commas with or without spaces). Returns an error code/message pair from seed 000 L6124-6151 when malformed.
 */
export function parseAuthorization(header: string): ParsedAuthorization | { error: string; message: string } {
  const m = /^(\S+)\s+(.*)$/.exec(header.trim());
  if (!m) return { error: 'IncompleteSignature', message: 'Authorization header format error.' };
  if (m[1] !== ALGORITHM) return { error: 'IncompleteSignature', message: `Unsupported ksc 'algorithm': ${m[1]}.` };
  const fields = new Map<string, string>();
  for (const part of m[2]!.split(/\s*,\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  if (!credential) return { error: 'IncompleteSignature', message: `Authorization header requires 'Credential' parameter. Authorization=${redact(header)}` };
  if (!fields.get('SignedHeaders')) return { error: 'IncompleteSignature', message: `Authorization header requires 'SignedHeaders' parameter. Authorization=${redact(header)}` };
  if (!fields.get('Signature')) return { error: 'IncompleteSignature', message: `Authorization header requires 'Signature' parameter. Authorization=${redact(header)}` };
  const scope = parseCredential(credential);
  if ('error' in scope) return scope;
  return { ...scope, signedHeaders: fields.get('SignedHeaders')!.split(';'), signature: fields.get('Signature')! };
}

export function parseCredential(credential: string): Omit<ParsedAuthorization, 'signedHeaders' | 'signature'> | { error: string; message: string } {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    return { error: 'IncompleteSignature', message: `Credential must have exactly 5 slash-delimited elements, e.g. accesskeyid/date/region/service/aws4_request, got: ${parts.length}.` };
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator };
}

/** Error messages echo the header without its signature. */
function redact(header: string): string {
  return header.replace(/Signature=[0-9a-f]+/i, 'Signature=***');
}
