/**
 * The one secret-redaction step every audit record, bus event and log line passes through.
 * Three layers, because no single one catches everything:
 *  1. values under keys that name a secret (password, token, signature, authorization, ...);
 *  2. every literal occurrence of a registered secret (the runtime registers each loaded
 *     credential), also in its URL-encoded form, inside any string;
 *  3. text patterns: signature/token query parameters, signed Authorization header values
 *     (TC3-HMAC-SHA256, AWS4-HMAC-SHA256), `Authorization:` header lines, Bearer tokens.
 */

export const REDACTED = '[REDACTED]';

/** Shorter strings would match innocent text everywhere; no real credential is this short. */
const MIN_SECRET_LENGTH = 4;

const registered = new Set<string>();
/** The registered secrets longest first (a longer one may contain a shorter), kept until the set changes. */
let longestFirst: string[] | undefined;

/** Registers a credential so that any later output containing it is scrubbed. */
export function registerSecret(secret: string | undefined | null): void {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) return;
  registered.add(secret);
  const encoded = encodeURIComponent(secret);
  if (encoded !== secret) registered.add(encoded);
  longestFirst = undefined;
}

/** For tests: forget every registered secret. */
export function clearRegisteredSecrets(): void {
  registered.clear();
  longestFirst = undefined;
}

/** Key names (lower-cased, '-' and '_' removed) containing any of these hold secrets. */
const SECRET_KEY_PARTS = [
  'secret',
  'password',
  'passwd',
  'token',
  'signature',
  'authorization',
  'credential',
  'privatekey',
  'apikey',
  'cookie',
];

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEY_PARTS.some((part) => k.includes(part));
}

const TEXT_RULES: Array<[RegExp, string]> = [
  // Signed Authorization values: everything from the algorithm to the end of the signature.
  [/\b((?:TC3|AWS4)-HMAC-SHA256|ACS3-HMAC-SHA256)\s+Credential=[^"'\r\n]*?Signature=[0-9A-Za-z+/=%]+/g, `$1 ${REDACTED}`],
  // `Authorization: value`, `"Authorization":"value"`, `authorization=value`.
  [/(\bauthorization["']?\s*[:=]\s*["']?)([^"'\r\n&]+)/gi, `$1${REDACTED}`],
  // Query/form/header-list parameters whose name holds a secret: Signature=, X-Amz-Signature=,
  // X-Amz-Security-Token=, AccessKeySecret=, SecretKey=, Password=, Token=...
  [
    /((?:^|[?&;,\s"'{(])[\w.-]*(?:signature|secret|password|token|credential)[\w.-]*=)([^&\s"',;#)}]+)/gi,
    `$1${REDACTED}`,
  ],
  // `X-TC-Token: value`, `"SecretKey": "value"` inside free text (e.g. an echoed request).
  [/(\b[\w-]*(?:secret|password|token)[\w-]*["']?\s*:\s*["']?)([^"'\r\n,}\s]+)/gi, `$1${REDACTED}`],
  [/\bBearer\s+[\w.~+/=-]+/g, `Bearer ${REDACTED}`],
];
/** A word every TEXT_RULES match contains (rule 1 ends in `Signature=`): text without one is left as it is. */
const MAY_MATCH_A_RULE = /authorization|signature|secret|password|token|credential|bearer/i;

/** Scrubs one string: registered secrets first (longest first), then the text patterns. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  longestFirst ??= [...registered].sort((a, b) => b.length - a.length);
  const extra = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
  const all = extra.length ? [...longestFirst, ...extra].sort((a, b) => b.length - a.length) : longestFirst;
  for (const s of all) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  if (!MAY_MATCH_A_RULE.test(out)) return out;
  for (const [pattern, replacement] of TEXT_RULES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Returns a redacted deep copy, JSON-shaped: Dates become ISO strings, Errors become
 * { name, message, code?, ... }, undefined/functions/symbols are dropped, cycles become '[Circular]'.
 */
export function redact(value: unknown, secrets: readonly string[] = []): unknown {
  const extra = secrets.filter((s) => s.length >= MIN_SECRET_LENGTH);
  const withEncoded = [...extra, ...extra.map(encodeURIComponent)];
  return copy(value, withEncoded, new WeakSet());
}

function copy(value: unknown, secrets: readonly string[], seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined; // undefined, function, symbol
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => copy(v, secrets, seen) ?? null);
    const source = value instanceof Error ? errorFields(value) : (value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(source)) {
      if (isSecretKey(key)) {
        if (v !== undefined) out[key] = REDACTED;
        continue;
      }
      const c = copy(v, secrets, seen);
      if (c !== undefined) out[key] = c;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function errorFields(e: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: e.name, message: e.message };
  const json = (e as { toJSON?: () => unknown }).toJSON;
  const extra = typeof json === 'function' ? json.call(e) : { ...e };
  if (extra && typeof extra === 'object') Object.assign(fields, extra);
  return fields;
}
