import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError, configErrorMap, formatIssues } from './errors';
import { type AutomationConfig, automationConfigSchema } from './schema';

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
  return parseConfig(text, path);
}

/** Parses YAML text into a validated config; throws ConfigError listing every problem. */
export function parseConfig(text: string, source = 'automation config'): AutomationConfig {
  const data = parseYaml(text, source);
  if (data === null || data === undefined)
    throw new ConfigError(
      [{ path: '(top level)', message: 'the file is empty: expected a mapping with targets and policies' }],
      source,
    );
  const result = automationConfigSchema.safeParse(data, { error: configErrorMap });
  if (result.success) return result.data;
  throw new ConfigError(formatIssues(result.error.issues, data), source);
}

function parseYaml(text: string, source: string): unknown {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        // Only the first line: the rest quotes the source, which may hold anything.
        const what = (e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '');
        return {
          path: pos ? `line ${pos.line}, column ${pos.col}` : '(yaml)',
          message: `YAML syntax error: ${what}`,
        };
      }),
      source,
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // e.g. an alias bomb; the message names the problem, not the content.
    throw new ConfigError(
      [{ path: '(yaml)', message: `YAML error: ${(e as Error).message.split('\n')[0]}` }],
      source,
    );
  }
}
