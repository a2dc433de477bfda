import type { AutomationConfig } from '../config/schema';
import { ConfigError } from '../config/errors';
import { clearParameterCache, readParameter, type SsmConfigOptions } from './parameters';

export * from './parameters';

/** The parser (zod schemas, YAML) is loaded on the first config read, not at init (DECISIONS.md). */
const configParser = () => import('../config/read');

/** `AUTOMATION_CONFIG=ssm:/cloud-automation/prod/config` reads the config from that parameter. */
export const SSM_PREFIX = 'ssm:';

/** For tests: forget cached parameter values (and providers) and the parsed config. */
export function clearSsmCache(): void {
  clearParameterCache();
  lastParsed = undefined;
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
    if (lastParsed?.from !== from || lastParsed.text !== text) lastParsed = { from, text, config: await (await configParser()).parseConfigText(text, from) };
    config = lastParsed.config;
  } else {
    config = await (await configParser()).loadConfig(from);
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
