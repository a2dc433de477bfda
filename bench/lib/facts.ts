import type { AlibabaSim } from '../../sim/alibaba';
import type { CecstackSim } from '../../sim/cecstack';
import type { SimVendorName, VendorSimulator } from '../../sim/core';
import type { KecSimulator } from '../../sim/kec';
import type { TencentSim } from '../../sim/tencent';
import { actionTimersOf } from '../../sim/tencent/action-timers';
import { BENCH_REGIONS } from './targets';

/** One instance as the vendor holds it, reduced to what the documented minimum of a sweep depends on. */
export interface FactInstance {
  id: string;
  name: string;
  /** Undefined where the vendor has no tags (KEC). */
  tags?: Record<string, string>;
  charge: 'prepaid' | 'postpaid' | 'spot';
  /** Vendor state as the API spells it. */
  state: string;
  expiresAtMs?: number;
  /** Tencent: a pending deletion timer (action timer) is set. The bench fleet seeds none, so each is an earlier sweep's. */
  ourTimer?: boolean;
}

/** The fleet of the benchmark region, read from the simulator's state (not through any API: nothing is counted). */
export function fleetFacts(vendor: SimVendorName, module: VendorSimulator): FactInstance[] {
  const region = BENCH_REGIONS[vendor];
  switch (vendor) {
    case 'tencent': {
      const state = (module as TencentSim).state;
      const timed = new Set(actionTimersOf(state).filter((t) => t.Status === 'UNDO').map((t) => t.InstanceId));
      return [...state.instances.values()]
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.InstanceId, name: i.InstanceName, tags: { ...i.tags }, charge: i.InstanceChargeType === 'PREPAID' ? 'prepaid' : i.InstanceChargeType === 'SPOTPAID' ? 'spot' : 'postpaid', state: i.InstanceState, expiresAtMs: i.expiredMs, ourTimer: timed.has(i.InstanceId) }));
    }
    case 'alibaba': {
      const sim = module as AlibabaSim;
      return sim
        .instances()
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.id, name: i.name, tags: sim.tagsOf('instance', i.id), charge: i.chargeType === 'PrePaid' ? 'prepaid' : 'postpaid', state: i.status, expiresAtMs: i.expiredAt }));
    }
    case 'kec':
      return (module as KecSimulator)
        .instances()
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.id, name: i.name, charge: i.chargeType === 'Monthly' ? 'prepaid' : i.chargeType === 'Spot' ? 'spot' : 'postpaid', state: i.state }));
    case 'cecstack':
      return (module as CecstackSim)
        .instances()
        .filter((i) => i.region === region)
        .map((i) => ({ id: i.ecsId, name: i.displayName, tags: Object.fromEntries(i.labels.map((l) => [l.key, l.value])), charge: i.billingMode === 'ByCycle' ? 'prepaid' : 'postpaid', state: i.softDeletedAt !== undefined ? 'SOFT_DELETED' : i.status, expiresAtMs: i.expiresAt }));
  }
}

