import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryPublisher } from '../../../lib/audit/events';
import { FileAuditStore } from '../../../lib/audit/file-store';
import { automationConfigSchema, snapshotPolicySchema } from '../../../lib/config/schema';
import { runAutomation, type EngineDeps, type Mode } from '../../../lib/automations/engine';
import { snapshotsSpec, type SnapshotsPolicy } from '../../../lib/automations/snapshots';
import { Transport } from '../../../lib/vendors/core';
import { createCecstackClient } from '../../../lib/vendors/cecstack';
import { simCredentials, startSim, type RunningSim } from '../../../sim/core';
import { createCecstackSim, type CecstackSim, type SimVm } from '../../../sim/cecstack';

const REGION = 'region0';
const creds = simCredentials('cecstack');
let running: RunningSim;
let sim: CecstackSim;
let audit: FileAuditStore;

function vm(ecsId: string): SimVm {
  return sim.addVm({
    ecsId,
    displayName: ecsId,
    status: 'Running',
    billingMode: 'OnDemand',
    createdAt: Date.parse('2026-02-01T00:00:00Z'),
    region: REGION,
    az: 'AZ0',
    flavorId: 'flavor-x',
    monthlyFen: 20000,
    departmentId: 'd1',
    resourceGroupId: '',
    labels: [],
    isLock: false,
    bRecycle: true,
    volumes: [],
    eips: [],
  });
}

const policy = (ids: string[], extra: Record<string, unknown> = {}): SnapshotsPolicy =>
  snapshotPolicySchema.parse({ name: 'nightly', mode: 'enforce', engine: 'native', schedule: { at: '02:00' }, selector: { ids }, retention: { maxAge: '7d' }, ...extra });

function deps(now: string): EngineDeps {
  return {
    runId: `run-${now}`,
    trigger: 'schedule',
    now: new Date(now),
    config: automationConfigSchema.parse({ targets: [{ name: 'cec', vendor: 'cecstack', regions: [REGION], credentials: { accessKeyIdEnv: 'C_ID', secretEnv: 'C_SECRET' } }] }),
    audit,
    events: new MemoryPublisher(),
    client: (target, mode: Mode) =>
      createCecstackClient({
        target: target.name,
        endpoint: running.endpoints.cecstack,
        credentials: { accessKeyId: creds.accessKeyId, secret: creds.secret },
        operatorCredentials: { accessKeyId: creds.accessKeyId, secret: creds.secret },
        transport: new Transport({ readOnly: mode === 'dry-run', retry: { baseDelayMs: 1, maxDelayMs: 5 } }),
        settings: { auth: { scheme: 'bearer' } },
      }),
    modeFor: (p) => p.mode,
    shouldStop: () => false,
  };
}

const run = (now: string, p: SnapshotsPolicy) => {
  running.clock.set(now);
  return runAutomation(deps(now), snapshotsSpec, [p]);
};
const policies = () => [...sim.state.policies.values()];

beforeEach(async () => {
  sim = createCecstackSim();
  running = await startSim({ modules: [sim], ports: { cecstack: 0 } });
  audit = new FileAuditStore(join(mkdtempSync(join(tmpdir(), 'snap-cec-')), 'audit.jsonl'));
});
afterEach(() => running.stop());

describe('engine native on the CECSTACK simulator (auto-snapshot policies)', () => {
  it('dry run plans the vendor policy and changes nothing', async () => {
    vm('ecs-a');
    const report = await run('2026-03-01T19:00:00Z', policy(['ecs-a'], { mode: 'dry-run' }));
    expect(running.mutatingRequests()).toEqual([]);
    expect(report.rows.find((r) => r.status === 'planned')).toMatchObject({ action: 'create-snapshot-policy', reason: expect.stringMatching(/hours 18 UTC daily, kept 7 days \(vendor expire 10080 minutes\).*bind 1/) });
    expect(report.rows.find((r) => r.resource === 'ecs-a')).toMatchObject({ action: 'engine', reason: expect.stringMatching(/engine native/) });
  });

  it('creates and binds the policy, reconciles membership and settings, takes no snapshot itself', async () => {
    vm('ecs-a');
    vm('ecs-b');
    const first = await run('2026-03-01T19:00:00Z', policy(['ecs-a', 'ecs-b']));
    expect(first.errors).toEqual([]);
    expect(policies()).toHaveLength(1);
    // expire is minutes (seed 003 L11467): 7 days
    expect(policies()[0]).toMatchObject({ expire: 10080 });
    expect(sim.instances().map((v) => v.policyId)).toEqual([policies()[0]!.policyId, policies()[0]!.policyId]);
    expect(sim.snapshots()).toEqual([]);

    // a re-run with nothing changed does nothing
    const before = running.mutatingRequests().length;
    await run('2026-03-01T20:00:00Z', policy(['ecs-a', 'ecs-b']));
    expect(running.mutatingRequests()).toHaveLength(before);

    // ecs-b leaves the selection and retention changes: unbind and update
    const next = await run('2026-03-02T19:00:00Z', policy(['ecs-a'], { retention: { maxAge: '14d' } }));
    expect(next.rows.filter((r) => r.status === 'applied').map((r) => r.action).sort()).toEqual(['unbind-snapshot-policy', 'update-snapshot-policy']);
    expect(sim.instances().find((v) => v.ecsId === 'ecs-b')!.policyId).toBeUndefined();
    expect(policies()[0]).toMatchObject({ expire: 14 * 1440 });
  });

  it('falls back to engine ours when the schedule cannot be a vendor policy', async () => {
    vm('ecs-a');
    const report = await run('2026-03-01T19:00:00Z', policy(['ecs-a'], { schedule: { at: '02:30' } }));
    expect(report.rows.find((r) => r.action === 'engine')!.reason).toMatch(/cannot express .*whole hours.*using engine ours/);
    expect(policies()).toEqual([]);
    expect(sim.snapshots()).toHaveLength(1);
  });
});
