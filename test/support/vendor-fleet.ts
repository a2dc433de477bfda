import { createAlibabaSim, type AlibabaSim } from '../../sim/alibaba';
import { createCecstackSim, type CecstackSim } from '../../sim/cecstack';
import type { SimClock, SimVendorName, VendorSimulator } from '../../sim/core';
import { createKecSim, type KecSimulator } from '../../sim/kec';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { actionTimersOf } from '../../sim/tencent/action-timers';
import { SIM_REGIONS, SIM_TARGETS } from './harness';
import { TEST_NOW } from './clock';

/**
 * One small adapter per simulated vendor, so a test written once can add an instance and read back
 * what the simulated cloud holds, through each module's own helpers.
 */

export interface FleetInstanceSpec {
  name: string;
  /** Tags/labels; KEC has none (the adapter refuses them). */
  tags?: Record<string, string>;
  createdAt?: string;
  charge?: 'prepaid' | 'postpaid';
  state?: 'running' | 'stopped';
  /** Prepaid expiry (default: 30 days after the clock). */
  expiresAt?: string;
  /** Tencent: a prepaid instance the vendor will not return early (seed 004 L2170). */
  returnable?: boolean;
}

/** What the simulated cloud holds, in one vocabulary: `recycled` = in the vendor's bin. */
export type FleetState = 'running' | 'stopped' | 'recycled' | 'deleting' | 'gone' | `other:${string}`;

export interface VendorFleet {
  vendor: SimVendorName;
  target: string;
  region: string;
  module: VendorSimulator;
  /** The action names the simulator logs for the instance listing and for the recycle-bin listing. */
  listAction: string;
  binListAction: string;
  /** Makes the module's helpers use the shared business clock (call after the harness starts). */
  bind(clock: SimClock): void;
  add(spec: FleetInstanceSpec): string;
  state(id: string): FleetState;
  tags(id: string): Record<string, string>;
  /** Native timer as UTC ISO (KEC AutoDeleteTime, Tencent's earliest pending action timer). */
  autoDeleteAt(id: string): string | undefined;
  /** Vendor-side purge time of a bin entry, where the vendor keeps one (CECSTACK cleanAt). */
  binPurgeAt(id: string): string | undefined;
}

const DAY = 86_400_000;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function tencentFleet(): VendorFleet & { sim: TencentSim } {
  const sim = createTencentSim({ transitionMs: 0 });
  let now = () => TEST_NOW.getTime();
  const map: Record<string, FleetState> = {
    RUNNING: 'running',
    STOPPED: 'stopped',
    SHUTDOWN: 'recycled',
    TERMINATING: 'deleting',
  };
  return {
    sim,
    vendor: 'tencent',
    target: SIM_TARGETS.tencent,
    region: SIM_REGIONS.tencent,
    module: sim,
    listAction: 'DescribeInstances',
    binListAction: 'DescribeInstances',
    bind(clock) {
      sim.bindClock(clock);
      now = () => clock.nowMs();
    },
    add(spec) {
      const prepaid = spec.charge === 'prepaid';
      return sim.addInstance({
        InstanceName: spec.name,
        tags: spec.tags ?? {},
        createdMs: spec.createdAt ? Date.parse(spec.createdAt) : now() - DAY,
        InstanceChargeType: prepaid ? 'PREPAID' : 'POSTPAID_BY_HOUR',
        RenewFlag: prepaid ? 'NOTIFY_AND_MANUAL_RENEW' : undefined,
        expiredMs: prepaid ? (spec.expiresAt ? Date.parse(spec.expiresAt) : now() + 30 * DAY) : undefined,
        InstanceState: spec.state === 'stopped' ? 'STOPPED' : 'RUNNING',
        returnable: spec.returnable ?? true,
      }).InstanceId;
    },
    state(id) {
      const i = sim.instance(id);
      return i ? (map[i.InstanceState] ?? `other:${i.InstanceState}`) : 'gone';
    },
    tags: (id) => ({ ...(sim.instance(id)?.tags ?? {}) }),
    autoDeleteAt: (id) => {
      const pending = actionTimersOf(sim.state).filter((t) => t.InstanceId === id && t.Status === 'UNDO').map((t) => t.actionMs);
      return pending.length ? iso(Math.min(...pending)) : undefined;
    },
    binPurgeAt: () => undefined,
  };
}

export function kecFleet(): VendorFleet & { sim: KecSimulator } {
  const sim = createKecSim();
  let now = () => TEST_NOW.getTime();
  const map: Record<string, FleetState> = {
    active: 'running',
    stopped: 'stopped',
    recycling: 'recycled',
    deleting: 'deleting',
  };
  return {
    sim,
    vendor: 'kec',
    target: SIM_TARGETS.kec,
    region: SIM_REGIONS.kec,
    module: sim,
    listAction: 'DescribeInstances',
    binListAction: 'DescribeInstances',
    bind(clock) {
      now = () => clock.nowMs();
    },
    add(spec) {
      if (spec.tags && Object.keys(spec.tags).length)
        throw new Error(
          'KEC instances carry no tags (capabilities.tags = unsupported): select by name instead',
        );
      return sim.addInstance(
        {
          name: spec.name,
          createdAtMs: spec.createdAt ? Date.parse(spec.createdAt) : now() - DAY,
          chargeType: spec.charge === 'prepaid' ? 'Monthly' : 'Daily',
          state: spec.state === 'stopped' ? 'stopped' : 'active',
        },
        now(),
      ).id;
    },
    state(id) {
      const i = sim.instance(id);
      return i ? (map[i.state] ?? `other:${i.state}`) : 'gone';
    },
    tags: () => ({}),
    autoDeleteAt: (id) => iso(sim.instance(id)?.autoDeleteAtMs),
    binPurgeAt: () => undefined,
  };
}

export function alibabaFleet(): VendorFleet & { sim: AlibabaSim } {
  const sim = createAlibabaSim();
  let now = () => TEST_NOW.getTime();
  const map: Record<string, FleetState> = { Running: 'running', Stopped: 'stopped', Stopping: 'stopped' };
  const find = (id: string) => sim.instances().find((i) => i.id === id);
  return {
    sim,
    vendor: 'alibaba',
    target: SIM_TARGETS.alibaba,
    region: SIM_REGIONS.alibaba,
    module: sim,
    listAction: 'DescribeInstances',
    binListAction: 'DescribeInstances',
    bind(clock) {
      now = () => clock.nowMs();
    },
    add(spec) {
      const prepaid = spec.charge === 'prepaid';
      return sim.addInstance(
        {
          region: SIM_REGIONS.alibaba,
          name: spec.name,
          createdAt: spec.createdAt ? Date.parse(spec.createdAt) : now() - DAY,
          chargeType: prepaid ? 'PrePaid' : 'PostPaid',
          expiredAt: prepaid ? (spec.expiresAt ? Date.parse(spec.expiresAt) : now() + 30 * DAY) : undefined,
          status: spec.state === 'stopped' ? 'Stopped' : 'Running',
        },
        { tags: spec.tags },
      ).id;
    },
    state(id) {
      const i = find(id);
      return i ? (map[i.status] ?? `other:${i.status}`) : 'gone';
    },
    tags: (id) => sim.tagsOf('instance', id),
    autoDeleteAt: () => undefined,
    binPurgeAt: () => undefined,
  };
}

export function cecstackFleet(): VendorFleet & { sim: CecstackSim } {
  const sim = createCecstackSim();
  let now = () => TEST_NOW.getTime();
  let seq = 0;
  const map: Record<string, FleetState> = {
    Running: 'running',
    Stopped: 'stopped',
    SoftDeleted: 'recycled',
    Terminating: 'deleting',
  };
  return {
    sim,
    vendor: 'cecstack',
    target: SIM_TARGETS.cecstack,
    region: SIM_REGIONS.cecstack,
    module: sim,
    listAction: 'ListInstances',
    binListAction: 'ListRecycle',
    bind(clock) {
      now = () => clock.nowMs();
    },
    add(spec) {
      const prepaid = spec.charge === 'prepaid';
      const ecsId = `ecs-fleet${(++seq).toString(36).padStart(8, '0')}`;
      sim.addVm({
        ecsId,
        displayName: spec.name,
        status: spec.state === 'stopped' ? 'Stopped' : 'Running',
        billingMode: prepaid ? 'ByCycle' : 'OnDemand',
        expiresAt: prepaid ? (spec.expiresAt ? Date.parse(spec.expiresAt) : now() + 30 * DAY) : undefined,
        createdAt: spec.createdAt ? Date.parse(spec.createdAt) : now() - DAY,
        region: SIM_REGIONS.cecstack,
        az: 'AZ0',
        flavorId: 'flavor-guysomaj',
        monthlyFen: 20000,
        departmentId: '1849876287452087119',
        resourceGroupId: '',
        labels: Object.entries(spec.tags ?? {}).map(([key, value]) => ({ key, value })),
        isLock: false,
        bRecycle: true,
        volumes: [{ volumeUuid: `volume-${ecsId}`, name: `${ecsId}-os-disk1`, sizeGb: 20 }],
        eips: [],
      });
      return ecsId;
    },
    state(id) {
      const vm = sim.state.vms.get(id);
      return vm ? (map[vm.status] ?? `other:${vm.status}`) : 'gone';
    },
    tags: (id) => Object.fromEntries((sim.state.vms.get(id)?.labels ?? []).map((l) => [l.key, l.value])),
    autoDeleteAt: () => undefined,
    binPurgeAt: (id) => {
      const e = sim.recycleEntries().find((x) => x.instanceId === id);
      return e ? new Date(e.cleanAt * 1000).toISOString() : undefined;
    },
  };
}

export const FLEETS: Record<SimVendorName, () => VendorFleet> = {
  tencent: tencentFleet,
  kec: kecFleet,
  alibaba: alibabaFleet,
  cecstack: cecstackFleet,
};
