import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, loadConfig as loadConfigFile, parseConfig, type AutomationConfig } from '../config';
import { registerSecret } from '../audit/redact';

/** `AUTOMATION_CONFIG=ssm:/cloud-automation/prod/config` reads the config from that parameter. */
export const SSM_PREFIX = 'ssm:';

export interface SsmConfigOptions {
  env?: Record<string, string | undefined>;
  /** Defaults to an SSMClient for the Lambda's own region, created on first use. */
  ssm?: SSMClient;
}

const cache = new Map<string, Promise<string>>();
let defaultClient: Promise<SSMClient> | undefined;

/** For tests: forget cached parameter values. */
export function clearSsmCache(): void {
  cache.clear();
}

/**
 * One SecureString (or String) parameter, decrypted, read once per cold start; a failed read is
 * not cached. Errors name the parameter, never its value.
 */
export function readParameter(name: string, options: SsmConfigOptions = {}): Promise<string> {
  let value = cache.get(name);
  if (!value) {
    value = fetchParameter(name, options.ssm);
    cache.set(name, value);
    value.catch(() => cache.delete(name));
  }
  return value;
}

async function fetchParameter(name: string, client: SSMClient | undefined): Promise<string> {
  // Loaded on first use: functions that read nothing from SSM never load the client.
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const ssm = client ?? (await (defaultClient ??= Promise.resolve(new SSMClient({}))));
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }))).Parameter?.Value;
  } catch (e) {
    const kind = (e as { name?: string }).name ?? 'Error';
    // The SDK error is kept as the cause; its message names only the parameter.
    throw new Error(
      kind === 'ParameterNotFound' ? `SSM parameter ${name} does not exist` : `cannot read SSM parameter ${name}: ${kind}`,
      { cause: e },
    );
  }
  if (value === undefined || value === '') throw new Error(`SSM parameter ${name} is empty`);
  return value;
}

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
    config = parseConfig(text, from);
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
