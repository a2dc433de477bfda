import type { z } from 'zod';
import { isSecretKey } from '../audit/redact';

export interface ConfigIssue {
  /** Where in the file, e.g. `policies.snapshots[1].retention.keepDaily` (or `line 3, column 5`). */
  path: string;
  /** What is wrong and what is expected. Never contains a secret. */
  message: string;
}

/** The automation config is invalid; `issues` holds every problem found, `message` lists them. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly issues: ConfigIssue[],
    readonly source = 'automation config',
  ) {
    super(
      `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` +
        issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'),
    );
  }
}

type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;

const UNION = '\u0000union';
const KEYS = '\u0000keys:';

/**
 * Per-parse error map: the generic "expected ..." wording for issues whose schema has no
 * message of its own (field schemas in fields.ts carry theirs). Two markers pass data the
 * final issues lose: the known keys of a strict object, and "expand this union's branches".
 */
export const configErrorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return `expected ${TYPE_WORDS[iss.expected] ?? iss.expected}`;
    case 'invalid_value':
      return `expected ${oneOf(iss.values)}`;
    case 'unrecognized_keys': {
      const shape = (iss.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
      return KEYS + JSON.stringify(shape ? Object.keys(shape) : []);
    }
    case 'invalid_union':
      if ('options' in iss && Array.isArray(iss.options) && iss.options.length > 0 && iss.errors.length === 0)
        return `expected ${oneOf(iss.options as readonly unknown[])}`;
      return UNION;
    case 'too_small':
      return `expected ${bound(iss.origin, 'at least', iss.minimum, iss.inclusive)}`;
    case 'too_big':
      return `expected ${bound(iss.origin, 'at most', iss.maximum, iss.inclusive)}`;
    case 'invalid_format':
      return `expected ${iss.format === 'regex' && 'pattern' in iss ? `text matching ${String(iss.pattern)}` : `a valid ${iss.format}`}`;
    case 'invalid_key':
      return 'invalid key';
    default:
      return undefined;
  }
};

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
  null: 'null',
};

const oneOf = (values: readonly unknown[]) =>
  values.length === 1
    ? JSON.stringify(values[0])
    : `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;

function bound(origin: string, word: string, n: number | bigint, inclusive = true): string {
  const v = Number(n);
  if (origin === 'array' || origin === 'set') return `${word} ${v} item${v === 1 ? '' : 's'}`;
  if (origin === 'string')
    return v === 1 && word === 'at least' ? 'a non-empty string' : `${word} ${v} characters`;
  const op = word === 'at least' ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `a number ${op} ${v}`;
}

/** Turns zod issues into `{ path, message }` with the offending value (unless secret) appended. */
export function formatIssues(issues: readonly Issue[], input: unknown, prefix: Path = []): ConfigIssue[] {
  return issues.flatMap((iss) => formatIssue(iss, input, [...prefix, ...iss.path]));
}

function formatIssue(iss: Issue, input: unknown, path: Path): ConfigIssue[] {
  if (iss.code === 'unrecognized_keys') return unknownKeys(iss, path);
  if (iss.code === 'invalid_union' && iss.message === UNION) return expandUnion(iss, input, path);
  const crossField =
    iss.code === 'custom' && (iss.params as { crossField?: boolean } | undefined)?.crossField;
  const value = valueAt(input, path);
  let message = iss.message;
  if (!crossField)
    message = value === undefined ? `required: ${message}` : `${message}, got ${describe(value, path)}`;
  return [{ path: formatPath(path), message }];
}

function unknownKeys(iss: Issue & { keys: string[] }, path: Path): ConfigIssue[] {
  const known: string[] = iss.message.startsWith(KEYS) ? JSON.parse(iss.message.slice(KEYS.length)) : [];
  return iss.keys.map((key) => {
    let message: string;
    if (isSecretKey(key) || /accesskey/i.test(key))
      message =
        'literal credentials are not allowed in the config file: put the secret in an environment variable and name it with secretEnv, or in SSM Parameter Store and name it with secretParameter (likewise accessKeyIdEnv/accessKeyIdParameter, tokenEnv/tokenParameter)';
    else {
      const close = known.find((k) => distance(k.toLowerCase(), key.toLowerCase()) <= 2);
      message = `unknown key${close ? ` (did you mean "${close}"?)` : ''}; expected ${known.length ? `one of: ${known.join(', ')}` : 'no keys here'}`;
    }
    return { path: formatPath([...path, key]), message };
  });
}

/**
 * A union none of whose branches matched. If some branch got past the type check (its issues
 * are inside the value), the value was meant to be that branch: report its issues. Otherwise
 * say which kinds of value are accepted.
 */
function expandUnion(iss: Issue & { errors: Issue[][] }, input: unknown, path: Path): ConfigIssue[] {
  const rootMismatch = (branch: Issue[]) =>
    branch.some((b) => b.path.length === 0 && (b.code === 'invalid_type' || b.code === 'invalid_value'));
  const weight = (branch: Issue[]) =>
    branch.reduce((n, b) => n + (b.code === 'unrecognized_keys' ? b.keys.length : 1), 0);
  const candidates = iss.errors.filter((b) => b.length > 0 && !rootMismatch(b));
  if (candidates.length > 0) {
    const best = candidates.reduce((a, b) => (weight(b) < weight(a) ? b : a));
    return formatIssues(best, input, path);
  }
  const expected = [
    ...new Set(
      iss.errors.flatMap((b) =>
        b.filter((x) => x.path.length === 0).map((x) => x.message.replace(/^expected /, '')),
      ),
    ),
  ];
  const value = valueAt(input, path);
  const message = `expected ${expected.join(' or ') || 'a different value'}`;
  return [
    {
      path: formatPath(path),
      message: value === undefined ? `required: ${message}` : `${message}, got ${describe(value, path)}`,
    },
  ];
}

export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out || '(top level)';
}

function valueAt(input: unknown, path: Path): unknown {
  let v: unknown = input;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, seg))
      return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** Values under credentials, under a key that names a secret, a notification URL, or a URL with a user name or password are never echoed. */
function describe(value: unknown, path: Path): string {
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  const hidden =
    path.some((s) => typeof s === 'string' && (isSecretKey(s) || /credentials$/i.test(s))) ||
    (path[0] === 'notifications' && path.includes('url')) || // notification webhook URLs carry their key
    (typeof value === 'string' && /^[a-z][a-z\d+.-]*:\/\/[^/?#\s]*@/i.test(value)); // scheme://user:password@host
  if (hidden) return `a ${typeof value} (value not shown)`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
