import type { SSMClient } from '@aws-sdk/client-ssm';
import { registerSecret } from '../audit/redact';
import type { SecretSource } from '../config/notifications';
import { ParameterReadError, readParameter } from '../runtime/ssm-config';

/** A channel secret could not be read. Names the channel and the variable/parameter, never a value. */
export class NotifySecretError extends Error {
  override readonly name = 'NotifySecretError';
}

export interface SecretOptions {
  /** Variables for `{ env }` sources, and POWERTOOLS_PARAMETERS_MAX_AGE. */
  env?: Record<string, string | undefined>;
  /** SSM client (tests); default: the function's own, created on first use by the shared reader. */
  ssm?: SSMClient;
  /** Parameter cache age in seconds (default: lib/runtime/ssm-config parameterMaxAge). */
  maxAgeSeconds?: number;
}

/**
 * Reads a webhook URL or signing secret from env or SSM (through the shared Powertools Parameters
 * cache: a rotated value is read again once the cache age has passed) and registers it (and, for
 * URLs, each query value and the last path segment, which is where the vendors put the key) with
 * the redaction step, so it cannot reach a log line, an audit record or an error message.
 */
export async function resolveSecret(channel: string, field: string, source: SecretSource, options: SecretOptions = {}): Promise<string> {
  let value: string | undefined;
  if ('env' in source) {
    value = (options.env ?? process.env)[source.env];
    if (!value) throw new NotifySecretError(`notifications channel "${channel}": environment variable ${source.env} (${field}) is not set`);
  } else {
    try {
      value = await readParameter(source.parameter, options);
    } catch (e) {
      if (!(e instanceof ParameterReadError)) throw e;
      const where = `SSM parameter ${source.parameter} (${field})`;
      const why = e.problem === 'missing' ? `${where} does not exist` : e.problem === 'empty' ? `${where} is empty` : `cannot read ${where}: ${e.kind ?? 'Error'}`;
      throw new NotifySecretError(`notifications channel "${channel}": ${why}`, { cause: e });
    }
  }
  registerSecret(value);
  if (/^https?:\/\//.test(value)) {
    try {
      const u = new URL(value);
      const segments = u.pathname.split('/').filter(Boolean);
      // keys are long; short parts ("send", "hook") would redact innocent text everywhere
      for (const v of [...u.searchParams.values(), ...segments, segments.slice(-3).join('/')]) if (v.length >= 16) registerSecret(v);
    } catch {
      /* not a URL after all: the whole value is registered */
    }
  }
  return value;
}
