/** Regenerates sim/tencent/sdk-model.generated.ts from the installed SDK: `npx tsx scripts/tencent-sdk-model.ts`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { extractModels, parseSdkModels, renderGenerated, RESPONSE_ROOTS, SDK_MODELS_PATH, SDK_PACKAGE_PATH } from '../sim/tencent/sdk-model';

const version = (JSON.parse(readFileSync(SDK_PACKAGE_PATH, 'utf8')) as { version: string }).version;
const models = extractModels(parseSdkModels(readFileSync(SDK_MODELS_PATH, 'utf8')), RESPONSE_ROOTS);
writeFileSync('sim/tencent/sdk-model.generated.ts', renderGenerated(version, models));
