import { registerSecret } from '../audit/redact';
import type { SecretSource } from '../config/notifications';

/** A channel secret could not be read. Names the channel and the variable/parameter, never a value. */
export class NotifySecretError extends Error {
  override readonly name = 'NotifySecretError';
}

export interface SecretOptions {
  env?: Record<string, string | undefined>;
  /** An SSMClient-like sender (tests); default: @aws-sdk/client-ssm, imported on first use. */
  ssm?: { send(command: unknown): Promise<{ Parameter?: { Value?: string } }> };
}

/**
 * Reads a webhook URL or signing secret from env or SSM and registers it (and, for URLs, each
 * query value and the last path segment, which is where the vendors put the key) with the
 * redaction step, so it cannot reach a log line, an audit record or an error message.
 */
export async function resolveSecret(channel: string, field: string, source: SecretSource, options: SecretOptions = {}): Promise<string> {
  let value: string | undefined;
  if ('env' in source) {
    value = (options.env ?? process.env)[source.env];
    if (!value) throw new NotifySecretError(`notifications channel "${channel}": environment variable ${source.env} (${field}) is not set`);
  } else {
    const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
    const ssm = options.ssm ?? new SSMClient({});
    try {
      value = (await ssm.send(new GetParameterCommand({ Name: source.parameter, WithDecryption: true }))).Parameter?.Value;
    } catch (e) {
      throw new NotifySecretError(`notifications channel "${channel}": cannot read SSM parameter ${source.parameter} (${field}): ${(e as { name?: string }).name ?? 'Error'}`);
    }
    if (!value) throw new NotifySecretError(`notifications channel "${channel}": SSM parameter ${source.parameter} (${field}) is empty`);
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
