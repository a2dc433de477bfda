// npm run schema: writes the editor JSON Schema of automation.yml from the zod schema.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JSON_SCHEMA_PATH, jsonSchemaText } from '../lib/config/json-schema';

await mkdir(dirname(JSON_SCHEMA_PATH), { recursive: true });
await writeFile(JSON_SCHEMA_PATH, jsonSchemaText());
console.log(`wrote ${JSON_SCHEMA_PATH}`);
