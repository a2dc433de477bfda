import { parseDocument } from 'yaml';
import { ConfigError } from './errors';

/** YAML text (1.2 core schema, merge keys, unique keys, at most 100 alias expansions) to plain data; ConfigError on syntax errors. */
export function parseYaml(text: string, source: string): unknown {
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
