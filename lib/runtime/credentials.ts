import type { SSMClient } from '@aws-sdk/client-ssm';
import { registerSecret } from '../audit/redact';
import type { CredentialsSource, Target } from '../config';
import type { Credentials } from '../vendors/core';

/** A credential could not be found. Names the target and the variable/parameter, never a value. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

export interface CredentialsOptions {
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Defaults to an SSMClient for the Lambda's own region, created on first use. */
  ssm?: SSMClient;
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
      : (key: string, name: string) => fromSsm(target, `${field}.${key}`, name, options.ssm);
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

/** Parameters are read once per cold start (failures are not cached). */
const parameterCache = new Map<string, Promise<string>>();
let defaultSsm: Promise<SSMClient> | undefined;

/** For tests: forget cached parameter values. */
export function clearCredentialsCache(): void {
  parameterCache.clear();
}

function fromSsm(
  target: string,
  field: string,
  name: string,
  client: SSMClient | undefined,
): Promise<string> {
  let cached = parameterCache.get(name);
  if (!cached) {
    cached = readParameter(target, field, name, client);
    parameterCache.set(name, cached);
    cached.catch(() => parameterCache.delete(name));
  }
  return cached;
}

async function readParameter(
  target: string,
  field: string,
  name: string,
  client: SSMClient | undefined,
): Promise<string> {
  // Loaded on first use only: functions whose targets use env variables never load the SSM client.
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const ssm = client ?? (await (defaultSsm ??= Promise.resolve(new SSMClient({}))));
  let value: string | undefined;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    value = out.Parameter?.Value;
  } catch (e) {
    const kind = (e as { name?: string }).name ?? 'Error';
    if (kind === 'ParameterNotFound')
      throw new CredentialsError(`target "${target}": SSM parameter ${name} (${field}) does not exist`);
    throw new CredentialsError(`target "${target}": cannot read SSM parameter ${name} (${field}): ${kind}`);
  }
  if (value === undefined || value === '')
    throw new CredentialsError(`target "${target}": SSM parameter ${name} (${field}) is empty`);
  return value;
}
