import { readFileSync } from 'node:fs';
import { startDynalite } from '../../test/audit/dynalite-server';
import { startFleet } from '../../test/fanout/fleet';

/**
 * The fan-out bench's 20-target fleet (test/fanout/fleet.ts) in its own process, so the workers'
 * process spends its CPU on the workers only. Forked by bench/fanout.ts; talks over IPC.
 * argv: seed perTarget latencyMs now rateLimits(0|1) [audit: file|dynamodb]
 */
export type FleetCommand = { type: 'stats' } | { type: 'requests' } | { type: 'stop' };

/** A request a simulator answered: its account (one simulator per vendor account), action and wall-clock time (ms since the epoch). */
export interface RequestTime {
  account: string;
  action: string;
  wallMs: number;
}

export interface FleetStats {
  requests: number;
  throttled: number;
  byVendor: Record<string, number>;
  /** Requests per vendor action, all simulators together. */
  byAction: Record<string, number>;
  /** DynamoDB operations the audit table served (--audit dynamodb), by operation. */
  auditOperations?: Record<string, number>;
  cpuMs: number;
  eventLoopBusy: number;
  /** Main thread runnable but not on a CPU (Linux /proc/self/schedstat). */
  waitingForCpuMs: number;
}

const waiting = () => {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').trim().split(/\s+/)[1]) / 1e6;
  } catch {
    return Number.NaN;
  }
};

const [seed, perTarget, latencyMs, now, rateLimits, audit, latencyKind] = process.argv.slice(2) as [string, string, string, string, string, string | undefined, string | undefined];
const fleet = await startFleet({
  seed: Number(seed),
  now: new Date(now),
  perTarget: Number(perTarget),
  latencyMs: Number(latencyMs),
  latencyKind: latencyKind === 'round-trip' ? 'round-trip' : 'latency',
});
// the audit table the deployed workers write to (DynamoDB), served here so its CPU is not the workers'
const dynamo = audit === 'dynamodb' ? await startDynalite() : undefined;
const tableName = await dynamo?.createAuditTable();
if (rateLimits === '1') for (const s of fleet.sims) s.running.rateLimits.enabled = true;
for (const s of fleet.sims) s.running.requests.length = 0;
const cpu0 = process.cpuUsage();
const wait0 = waiting();
const elu0 = performance.eventLoopUtilization();

process.on('message', (raw) => {
  const cmd = raw as FleetCommand & { id: number };
  const reply = (data: unknown) => process.send!({ id: cmd.id, data });
  if (cmd.type === 'requests') {
    reply(fleet.sims.flatMap((s) => s.running.requests.map((r) => ({ account: s.name, action: r.action, wallMs: r.wallMs }))) satisfies RequestTime[]);
    return;
  }
  if (cmd.type === 'stop') {
    void Promise.all([fleet.stop(), dynamo?.close()]).then(() => reply(null));
    return;
  }
  const byVendor: Record<string, number> = {};
  const byAction: Record<string, number> = {};
  let requests = 0;
  let throttled = 0;
  for (const s of fleet.sims) {
    for (const r of s.running.requests) {
      requests++;
      if (r.throttled) throttled++; // Tencent throttles with HTTP 200 (an error in the body)
      byVendor[s.vendor] = (byVendor[s.vendor] ?? 0) + 1;
      byAction[`${s.vendor} ${r.action}`] = (byAction[`${s.vendor} ${r.action}`] ?? 0) + 1;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const auditOperations = dynamo ? Object.fromEntries([...new Set(dynamo.operations)].map((o) => [o, dynamo.operations.filter((x) => x === o).length])) : undefined;
  reply({ requests, throttled, byVendor, byAction, auditOperations, cpuMs: (cpu.user + cpu.system) / 1000, eventLoopBusy: performance.eventLoopUtilization(elu0).utilization, waitingForCpuMs: waiting() - wait0 } satisfies FleetStats);
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, targets: fleet.targets, dir: fleet.dir, auditPath: fleet.auditPath, ...(dynamo && { dynamo: { endpoint: dynamo.endpoint, tableName } }) });
