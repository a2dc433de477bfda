import { readFile } from 'node:fs/promises';
import { ConfigError, configErrorMap, formatIssues } from './errors';
import { type AutomationConfig, automationConfigSchema } from './schema';

// The config parser without a static YAML import: the functions load it on their first config
// read, and the YAML parser only for YAML text (lib/runtime/DECISIONS.md "Cold start").

export const DEFAULT_CONFIG_PATH = 'automation.yml';

/** Reads and validates the config file named by AUTOMATION_CONFIG (default automation.yml). */
export async function loadConfig(
  path = process.env.AUTOMATION_CONFIG ?? DEFAULT_CONFIG_PATH,
): Promise<AutomationConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'read error';
    throw new ConfigError(
      [
        {
          path: '(file)',
          message: `cannot read the config file (${code}); set AUTOMATION_CONFIG to its path`,
        },
      ],
      path,
    );
  }
  return parseConfigText(text, path);
}

/** parseConfig (load.ts), loading the YAML parser only when the text is not plain JSON. */
export async function parseConfigText(text: string, source = 'automation config'): Promise<AutomationConfig> {
  const json = plainJson(text);
  return validateConfig(json.ok ? json.value : (await import('./yaml')).parseYaml(text, source), source);
}

/** Validates parsed config data; throws ConfigError listing every problem. */
export function validateConfig(data: unknown, source: string): AutomationConfig {
  if (data === null || data === undefined)
    throw new ConfigError(
      [{ path: '(top level)', message: 'the file is empty: expected a mapping with targets and policies' }],
      source,
    );
  // jitless: zod's compiled fast path costs more to build than it saves on one parse per cold start
  const result = automationConfigSchema.safeParse(data, { error: configErrorMap, jitless: true });
  if (result.success) return result.data;
  throw new ConfigError(formatIssues(result.error.issues, data), source);
}

/**
 * A config written as JSON (a JSON document is YAML 1.2) is read with JSON.parse: the YAML parser
 * is loaded only for YAML text (cold start, lib/runtime/DECISIONS.md). Only when the outcome is the
 * YAML parser's: valid JSON without duplicate keys (YAML refuses them) or `<<` (a YAML merge key)
 * or `__proto__`; anything else goes to the YAML parser, which reports the error.
 */
export function plainJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!/^\s*[{[]/.test(text)) return { ok: false };
  let members = 0;
  let value: unknown;
  try {
    value = JSON.parse(text, function (this: unknown, key: string, v: unknown) {
      if (key === '<<' || key === '__proto__') throw new Error('YAML-only key');
      if (!Array.isArray(this)) members++;
      return v;
    });
  } catch {
    return { ok: false };
  }
  // every key token in the text, against the members the reviver saw (the root call included):
  // a duplicate key is counted once by JSON.parse, twice here
  let keys = 1;
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"(\s*:)?/g)) if (m[1]) keys++;
  return keys === members ? { ok: true, value } : { ok: false };
}
