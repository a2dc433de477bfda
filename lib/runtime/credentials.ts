import type { SSMClient } from '@aws-sdk/client-ssm';
import { registerSecret } from '../audit/redact';
import type { CredentialsSource, Target } from '../config';
import type { Credentials } from '../vendors/core';
import { ParameterReadError, clearSsmCache, readParameter } from './ssm-config';

/** A credential could not be found. Names the target and the variable/parameter, never a value. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

export interface CredentialsOptions {
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Defaults to an SSMClient for the Lambda's own region, created on first use. */
  ssm?: SSMClient;
  /** Parameter cache age in seconds (default: POWERTOOLS_PARAMETERS_MAX_AGE, else 300). */
  maxAgeSeconds?: number;
}

type TargetRef = Pick<Target, 'name' | 'credentials' | 'operatorCredentials'>;

/** The target's API credentials, from environment variables or SSM parameters. */
export function resolveCredentials(
  target: TargetRef,
  options: CredentialsOptions = {},
): Promise<Credentials> {
  return resolveSource(target.name, 'credentials', target.credentials, options);
}

/** The target's operator-side credentials (CECSTACK omphost), when configured. */
export async function resolveOperatorCredentials(
  target: TargetRef,
  options: CredentialsOptions = {},
): Promise<Credentials | undefined> {
  if (!target.operatorCredentials) return undefined;
  return resolveSource(target.name, 'operatorCredentials', target.operatorCredentials, options);
}

async function resolveSource(
  target: string,
  field: string,
  source: CredentialsSource,
  options: CredentialsOptions,
): Promise<Credentials> {
  const read =
    'secretEnv' in source
      ? (key: string, name: string) =>
          Promise.resolve(fromEnv(target, `${field}.${key}`, name, options.env ?? process.env))
      : (key: string, name: string) => fromSsm(target, `${field}.${key}`, name, options);
  const [accessKeyId, secret, token] =
    'secretEnv' in source
      ? await Promise.all([
          read('accessKeyIdEnv', source.accessKeyIdEnv),
          read('secretEnv', source.secretEnv),
          source.tokenEnv === undefined ? undefined : read('tokenEnv', source.tokenEnv),
        ])
      : await Promise.all([
          read('accessKeyIdParameter', source.accessKeyIdParameter),
          read('secretParameter', source.secretParameter),
          source.tokenParameter === undefined ? undefined : read('tokenParameter', source.tokenParameter),
        ]);
  // Every secret is registered before anything can log it.
  registerSecret(secret);
  registerSecret(token);
  return token === undefined ? { accessKeyId, secret } : { accessKeyId, secret, token };
}

function fromEnv(
  target: string,
  field: string,
  name: string,
  env: Record<string, string | undefined>,
): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new CredentialsError(`target "${target}": environment variable ${name} (${field}) is not set`);
  return value;
}

/** For tests: forget cached parameter values. */
export function clearCredentialsCache(): void {
  clearSsmCache();
}

/**
 * Through Powertools Parameters (ssm-config.ts readParameter): each value is reused for the cache
 * age (POWERTOOLS_PARAMETERS_MAX_AGE, default 5 minutes), then read again, so a rotated key is
 * picked up by warm functions without a redeploy. Failures are not cached.
 */
async function fromSsm(
  target: string,
  field: string,
  name: string,
  options: CredentialsOptions,
): Promise<string> {
  try {
    return await readParameter(name, { ssm: options.ssm, env: options.env, maxAgeSeconds: options.maxAgeSeconds });
  } catch (e) {
    if (!(e instanceof ParameterReadError)) throw e;
    const what = `target "${target}": SSM parameter ${name} (${field})`;
    if (e.problem === 'missing') throw new CredentialsError(`${what} does not exist`, { cause: e });
    if (e.problem === 'empty') throw new CredentialsError(`${what} is empty`);
    // deployed, each function may read only its own parameters (resources/iam-roles.cjs): say where
    const base = options.env?.AUTOMATION_PARAMETER_PATH ?? process.env.AUTOMATION_PARAMETER_PATH;
    const hint = e.kind === 'AccessDeniedException' && base ? `; keep target credentials under ${base}/targets/${target}/ (docs/deploy.md "SSM parameters")` : '';
    throw new CredentialsError(`target "${target}": cannot read SSM parameter ${name} (${field}): ${e.kind}${hint}`, { cause: e });
  }
}
