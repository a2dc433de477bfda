import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../config';
import { UsageError } from './errors';

/** Where `npm start` writes the config it ran with (lib/cli/demo.ts). */
export const DEMO_CONFIG_PATH = '.automation/demo-config.yml';

/**
 * The config the CLI uses: `--config`, else $AUTOMATION_CONFIG, else ./automation.yml, else the
 * demo's config from the last `npm start` (so `npm start -- --enforce` then `cloud-automation audit` works).
 */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  if (flag) return flag;
  if (env.AUTOMATION_CONFIG) return env.AUTOMATION_CONFIG;
  for (const candidate of [DEFAULT_CONFIG_PATH, DEMO_CONFIG_PATH]) if (existsSync(resolve(cwd, candidate))) return resolve(cwd, candidate);
  throw new UsageError(`no config found: pass --config PATH, set AUTOMATION_CONFIG, or create ${DEFAULT_CONFIG_PATH} (after \`npm start\`, ${DEMO_CONFIG_PATH} is used)`);
}
