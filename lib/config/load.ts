import { plainJson, validateConfig } from './read';
import { parseYaml } from './yaml';
import type { AutomationConfig } from './schema';

export { DEFAULT_CONFIG_PATH, loadConfig, parseConfigText } from './read';

/** Parses YAML text (or JSON, which is YAML) into a validated config; throws ConfigError listing every problem. */
export function parseConfig(text: string, source = 'automation config'): AutomationConfig {
  const json = plainJson(text);
  return validateConfig(json.ok ? json.value : parseYaml(text, source), source);
}
