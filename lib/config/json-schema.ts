import { z } from 'zod';
import { automationConfigSchema } from './schema';

export const JSON_SCHEMA_PATH = 'schema/automation.schema.json';

/** The editor JSON Schema of the config file: what a user may write (zod input side). */
export function buildJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(automationConfigSchema, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }),
    $id: 'https://cloud-fleet-automation.local/automation.schema.json',
    title: 'cloud-fleet-automation config (automation.yml)',
  };
}

/** The file's exact text (stable key order, trailing newline), so a test can compare it. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
