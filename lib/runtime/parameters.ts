import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { registerSecret } from '../audit/redact';

// SSM parameters through Powertools Parameters, without the config parser: the ingest function
// reads its key here and never carries the config chunks (ssm-config.ts reads the config).

/**
 * How long a parameter value is reused before SSM is asked again (seconds): a rotated secret is
 * picked up within this time, without a redeploy. serverless.yml sets POWERTOOLS_PARAMETERS_MAX_AGE
 * (setting `parameterMaxAge`); docs/deploy.md "Rotating a credential".
 */
export const DEFAULT_PARAMETER_MAX_AGE_SECONDS = 300;

export interface SsmConfigOptions {
  env?: Record<string, string | undefined>;
  /** Defaults to an SSMClient for the Lambda's own region, created on first use. */
  ssm?: SSMClient;
  /** Cache age in seconds; default POWERTOOLS_PARAMETERS_MAX_AGE, else DEFAULT_PARAMETER_MAX_AGE_SECONDS. */
  maxAgeSeconds?: number;
}

/** One Powertools SSMProvider (and so one cache) per client; `default` for the Lambda's own. */
const providers = new Map<SSMClient | 'default', Promise<SSMProvider>>();

/** For tests: forget cached parameter values (and providers). */
export function clearParameterCache(): void {
  providers.clear();
}

function providerFor(client: SSMClient | undefined): Promise<SSMProvider> {
  const key = client ?? 'default';
  let provider = providers.get(key);
  if (!provider) {
    // Loaded on first use: functions that read nothing from SSM never load the SDK client.
    provider = import('@aws-lambda-powertools/parameters/ssm').then(({ SSMProvider }) => (client ? new SSMProvider({ awsSdkV3Client: client }) : new SSMProvider()));
    providers.set(key, provider);
    provider.catch(() => providers.delete(key));
  }
  return provider;
}

/** The cache age in seconds: the option, else POWERTOOLS_PARAMETERS_MAX_AGE, else the default. */
export function parameterMaxAge(options: Pick<SsmConfigOptions, 'env' | 'maxAgeSeconds'> = {}): number {
  if (options.maxAgeSeconds !== undefined) return options.maxAgeSeconds;
  const raw = (options.env ?? process.env).POWERTOOLS_PARAMETERS_MAX_AGE;
  const seconds = raw ? Number(raw) : Number.NaN;
  return Number.isInteger(seconds) && seconds >= 0 ? seconds : DEFAULT_PARAMETER_MAX_AGE_SECONDS;
}

/** A parameter could not be read: `problem` says why; the message names the parameter, never a value. */
export class ParameterReadError extends Error {
  override readonly name = 'ParameterReadError';
  constructor(
    readonly parameter: string,
    readonly problem: 'missing' | 'empty' | 'unreadable',
    /** The SDK error's name (AccessDeniedException, ...), for `unreadable`. */
    readonly kind?: string,
    options?: ErrorOptions,
  ) {
    super(
      problem === 'missing' ? `SSM parameter ${parameter} does not exist` : problem === 'empty' ? `SSM parameter ${parameter} is empty` : `cannot read SSM parameter ${parameter}: ${kind}`,
      options,
    );
  }
}

/**
 * One SecureString (or String) parameter, decrypted, through Powertools Parameters: kept for the
 * cache age (parameterMaxAge), then read again, so a rotation lands within minutes; a failed read
 * is not cached. Errors name the parameter, never its value; the SDK error is the cause.
 */
export async function readParameter(name: string, options: SsmConfigOptions = {}): Promise<string> {
  const provider = await providerFor(options.ssm);
  let value: string | undefined;
  try {
    value = await provider.get(name, { decrypt: true, maxAge: parameterMaxAge(options) });
  } catch (e) {
    // Powertools wraps the SDK error (GetParameterError, cause = the SDK's)
    const sdk = ((e as { cause?: unknown }).cause ?? e) as { name?: string };
    const kind = sdk.name ?? 'Error';
    throw new ParameterReadError(name, kind === 'ParameterNotFound' ? 'missing' : 'unreadable', kind, { cause: sdk });
  }
  if (value === undefined || value === '') throw new ParameterReadError(name, 'empty');
  return value;
}

/** The ingest HMAC key: INGEST_HMAC_SECRET (local runs) or the SSM parameter INGEST_HMAC_SECRET_PARAMETER. */
export async function ingestSecret(options: SsmConfigOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const secret = env.INGEST_HMAC_SECRET || (env.INGEST_HMAC_SECRET_PARAMETER ? await readParameter(env.INGEST_HMAC_SECRET_PARAMETER, options) : undefined);
  if (!secret) throw new Error('no ingest HMAC secret: set INGEST_HMAC_SECRET_PARAMETER (an SSM SecureString) or INGEST_HMAC_SECRET');
  registerSecret(secret);
  return secret;
}
