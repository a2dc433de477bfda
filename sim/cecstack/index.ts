import { CecstackSim, type CecstackSimOptions } from './sim';

export { CecstackSim, type CecstackSimOptions } from './sim';
export type { SimVm, SimSnapshot, SimPolicy, SimRecycleEntry } from './state';

export function createCecstackSim(options?: CecstackSimOptions): CecstackSim {
  return new CecstackSim(options);
}
