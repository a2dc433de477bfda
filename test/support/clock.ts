import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EVENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../events');

/**
 * Business time for tests: the `time` of the sample events in events/, so a run driven by a sample
 * event and the simulator clock agree by construction. Never the calendar date (the suite also runs
 * with the system clock a year ahead and a year back: `npm run test:any-date`).
 */
export const TEST_NOW = new Date(
  (JSON.parse(readFileSync(join(EVENTS_DIR, 'recycle-bin.instance-deleted.json'), 'utf8')) as { time: string }).time,
);
