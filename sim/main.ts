import { Rng } from './core';
import { startAllSims } from './all';

// `npm run sim`: the four simulated clouds in the foreground, with a seeded demo fleet.
const seed = Number(process.env.SIM_SEED ?? 42);
const count = Number(process.env.SIM_FLEET ?? 60);
const sim = await startAllSims();
for (const vendor of ['tencent', 'kec', 'alibaba', 'cecstack'] as const) {
  sim.module(vendor).seedFleet({ rng: new Rng(seed + vendor.length * 7919), count, now: sim.clock.now(), demo: true });
}
console.log(`simulated clouds (seed ${seed}, ${count} instances per vendor):`);
for (const [vendor, url] of Object.entries(sim.endpoints)) console.log(`  ${vendor.padEnd(9)} ${url}`);
console.log('credentials: sim-<vendor>-id / sim-<vendor>-secret (override with SIM_<VENDOR>_ACCESS_KEY_ID / SIM_<VENDOR>_SECRET); Ctrl-C stops');
const stop = async () => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
