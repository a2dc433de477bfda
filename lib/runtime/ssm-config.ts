import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ConfigError, loadConfig as loadConfigFile, parseConfig, type AutomationConfig } from '../config';
import { registerSecret } from '../audit/redact';

/** `AUTOMATION_CONFIG=ssm:/cloud-automation/prod/config` reads the config from that parameter. */
export const SSM_PREFIX = 'ssm:';

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
export function clearSsmCache(): void {
  providers.clear();
  lastParsed = undefined;
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

let lastParsed: { from: string; text: string; config: AutomationConfig } | undefined;

/** True when AUTOMATION_CONFIG names an SSM parameter: re-read through the cache on every invocation. */
export const configFromSsm = (env: Record<string, string | undefined> = process.env) => env.AUTOMATION_CONFIG?.startsWith(SSM_PREFIX) === true;

/**
 * The config loader for deployed functions: AUTOMATION_CONFIG is a file path or `ssm:<name>`.
 * The stack's own bus and table (AUTOMATION_BUS, AUTOMATION_AUDIT_TABLE, set by serverless.yml)
 * replace events.busName and audit, so events and records land where the IAM roles allow.
 */
export async function loadConfig(options: SsmConfigOptions = {}): Promise<AutomationConfig> {
  const env = options.env ?? process.env;
  const from = env.AUTOMATION_CONFIG;
  let config: AutomationConfig;
  if (from?.startsWith(SSM_PREFIX)) {
    const name = from.slice(SSM_PREFIX.length);
    let text: string;
    try {
      text = await readParameter(name, options);
    } catch (e) {
      const problem = `${(e as Error).message}; create it (docs/deploy.md) or point AUTOMATION_CONFIG elsewhere`;
      throw Object.assign(new ConfigError([{ path: '(ssm)', message: problem }], from), { cause: e });
    }
    // the text comes from the parameter cache: parse again only when it changed
    if (lastParsed?.from !== from || lastParsed.text !== text) lastParsed = { from, text, config: parseConfig(text, from) };
    config = lastParsed.config;
  } else {
    config = await loadConfigFile(from);
  }
  return withStackResources(config, env);
}

/** Applies AUTOMATION_BUS / AUTOMATION_AUDIT_TABLE when set (an empty value means unset), except in local invocations. */
export function withStackResources(config: AutomationConfig, env: Record<string, string | undefined>): AutomationConfig {
  // `sls invoke local` sets IS_LOCAL and the deployed environment: a local run keeps the file's audit and events
  if (env.IS_LOCAL === 'true') return config;
  const bus = env.AUTOMATION_BUS;
  const table = env.AUTOMATION_AUDIT_TABLE;
  return {
    ...config,
    ...(bus && { events: { ...config.events, busName: bus } }),
    ...(table && { audit: { store: 'dynamodb' as const, tableName: table } }),
  };
}

/** The ingest HMAC key: INGEST_HMAC_SECRET (local runs) or the SSM parameter INGEST_HMAC_SECRET_PARAMETER. */
export async function ingestSecret(options: SsmConfigOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const secret = env.INGEST_HMAC_SECRET || (env.INGEST_HMAC_SECRET_PARAMETER ? await readParameter(env.INGEST_HMAC_SECRET_PARAMETER, options) : undefined);
  if (!secret) throw new Error('no ingest HMAC secret: set INGEST_HMAC_SECRET_PARAMETER (an SSM SecureString) or INGEST_HMAC_SECRET');
  registerSecret(secret);
  return secret;
}
