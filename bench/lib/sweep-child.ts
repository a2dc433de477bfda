import type { FunctionName, Mode } from '../../lib/automations/engine/types';
import type { SimVendorName } from '../../sim/core';
import { runSweep } from './sweep-run';

/**
 * Runs ONE function sweep in this fresh process (so its CPU time and peak RSS are the client's
 * alone) and sends the measurement to the parent.
 * argv: function vendor endpoint now mode; BENCH_RATE_LIMIT=1 keeps the client's rate limiters on
 */
export type { SweepMeasurement } from './sweep-run';

const [fn, vendor, endpoint, now, mode] = process.argv.slice(2) as [FunctionName, SimVendorName, string, string, Mode];
const result = await runSweep({ fn, vendor, endpoint, now, mode, rateLimited: process.env.BENCH_RATE_LIMIT === '1' });
// disconnected only once the message is written: a large one (the timeline of ~38,000 calls, KEC
// snapshots at 100k) was lost when the channel closed right after send(), and the parent saw an exit
process.send!(result, () => process.disconnect());
