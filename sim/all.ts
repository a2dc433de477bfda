import { createAlibabaSim } from './alibaba';
import { createCecstackSim } from './cecstack';
import { startSim, type RunningSim, type StartSimOptions } from './core';
import { createKecSim } from './kec';
import { createTencentSim } from './tencent';

/** The four simulated clouds in one process (design §7). */
export function allSimModules() {
  return [createTencentSim(), createKecSim(), createAlibabaSim(), createCecstackSim()];
}

export function startAllSims(options: Omit<StartSimOptions, 'modules'> = {}): Promise<RunningSim> {
  return startSim({ ...options, modules: allSimModules() });
}
