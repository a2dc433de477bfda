import { KecShapes } from './shapes';
import { KecSimulator } from './simulator';

export { KecSimulator, RECYCLE_RETENTION_MS } from './simulator';
export { MAX_SKEW_MS } from './auth';
export type { SimInstance, SimSnapshot } from './state';

/** The simulated Kingsoft Cloud KEC (seed 000): SigV4-verified query API on its own port. */
export function createKecSim(options: { realShapes?: { seed: number } } = {}): KecSimulator {
  const sim = new KecSimulator();
  // SIM_REAL_SHAPES=<seed>: the mode for every simulator a run creates (exploratory runs of the suite).
  const seed = options.realShapes?.seed ?? (process.env.SIM_REAL_SHAPES ? Number(process.env.SIM_REAL_SHAPES) : undefined);
  if (seed !== undefined) sim.shapes = new KecShapes(seed);
  return sim;
}
