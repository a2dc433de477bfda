import { readFileSync } from 'node:fs';
import { JSON_SCHEMA_PATH, buildJsonSchema, jsonSchemaText } from '../../lib/config/json-schema';

describe('schema/automation.schema.json', () => {
  it('is current with the zod schema (run `npm run schema` when this fails)', () => {
    const committed = readFileSync(new URL(`../../${JSON_SCHEMA_PATH}`, import.meta.url), 'utf8');
    // Compared as data, so reformatting the file (prettier) does not matter.
    expect(JSON.parse(committed)).toEqual(buildJsonSchema());
  });

  it('describes what a user writes: defaults shown, defaulted keys optional, no extra keys', () => {
    const schema = JSON.parse(jsonSchemaText());
    expect(schema.required).toEqual(['targets']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.safety.properties.maxDestructivePerRun.default).toBe(20);
  });
});
