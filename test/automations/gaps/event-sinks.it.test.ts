import { join } from 'node:path';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';
import { startEventBridgeServer, type EventBridgeServer } from '../../support/eventbridge-server';
import { startHarness, type Harness } from '../../support/harness';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

// events.busName and events.file both set: every event reaches both (README "and/or").
describe('events go to the bus and the file when both are configured', () => {
  let h: Harness;
  let cvm: TencentSim;
  let bus: EventBridgeServer;
  const saved: Record<string, string | undefined> = {};
  const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test-key-id', AWS_SECRET_ACCESS_KEY: 'test-secret-key', AWS_ENDPOINT_URL_EVENTBRIDGE: '' };

  beforeAll(async () => {
    bus = await startEventBridgeServer();
    env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(new Date('2026-11-24T02:00:00Z'));
    cvm.bindClock(h.sim.clock);
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await bus.close();
    await h.stop();
  });

  it('an applied deletion and a warning are published to both sinks, once each', async () => {
    const due = cvm.addInstance({ InstanceName: 'due', tags: { 'auto-delete-at': '2026-11-24T09:00:00+08:00' } });
    const soon = cvm.addInstance({ InstanceName: 'soon', tags: { 'auto-delete-at': '2026-11-24T12:00:00+08:00' } });
    const config = h.config(
      { autoDelete: [{ name: 'ad', mode: 'enforce', warnBefore: '24h' }] },
      { safety: { maxDestructivePercent: 100 }, events: { busName: 'automation-bus', file: join(h.dir, 'events.jsonl') } },
    );
    const report = await h.invoke('auto-delete', 'auto-delete.schedule.json', config);
    expect(report.errors).toEqual([]);
    // the vendor saw the deletion
    expect(cvm.instance(due.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);
    expect(h.audit().filter((r) => r.resourceId === due.InstanceId && r.phase === 'result').map((r) => r.outcome)).toEqual(['success']);

    const fileActions = h.busEvents('Automation Action').map((d) => d.resourceId);
    const fileWarnings = h.busEvents('Auto Delete Warning').map((d) => d.instanceId);
    expect(fileActions).toContain(due.InstanceId);
    expect(fileWarnings).toEqual([soon.InstanceId]);
    const onBus = (type: string, field: string) => bus.delivered.filter((e) => e.DetailType === type).map((e) => (JSON.parse(e.Detail!) as Record<string, unknown>)[field]);
    expect(onBus('Automation Action', 'resourceId')).toEqual(fileActions);
    expect(onBus('Auto Delete Warning', 'instanceId')).toEqual(fileWarnings);
    expect(bus.delivered.every((e) => e.EventBusName === 'automation-bus')).toBe(true);
  });
});
