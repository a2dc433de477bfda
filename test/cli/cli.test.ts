import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { startHarness, type Harness } from '../support/harness';

describe('cloud-automation CLI', () => {
  let h: Harness;
  let cvm: TencentSim;
  let configPath: string;
  const out: string[] = [];
  const err: string[] = [];
  const run = (...argv: string[]) => main(argv, (s) => out.push(s), (s) => err.push(s));

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set('2026-11-24T04:00:00Z');
    cvm.bindClock(h.sim.clock);
    configPath = join(h.dir, 'cli-config.json');
    writeFileSync(configPath, JSON.stringify(h.config({ autoDelete: [{ name: 'ad', mode: 'enforce' }] }, { safety: { maxDestructivePercent: 100 } })));
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
  });

  it('exits 2 naming the problem for bad arguments and an invalid config', async () => {
    expect(await run('frobnicate')).toBe(2);
    expect(err.join('\n')).toMatch(/unknown command "frobnicate"/);
    const bad = join(mkdtempSync(join(tmpdir(), 'ca-cli-')), 'bad.yml');
    writeFileSync(bad, 'targets: []\npolicies: { autoDelete: [{ name: x, mode: sometimes }] }\n');
    expect(await run('plan', '--config', bad)).toBe(2);
    expect(err.join('\n')).toMatch(/targets.*at least one target/);
    expect(err.join('\n')).toMatch(/policies\.autoDelete\[0\]\.mode/);
    expect(await run('plan', '--config', configPath, '--function', 'teleport')).toBe(2);
  });

  it('plans without changing anything, applies, then finds the action in the audit trail', async () => {
    const due = cvm.addInstance({ InstanceName: 'due', tags: { 'auto-delete-at': '2026-11-24T11:00:00+08:00' } });
    expect(await run('plan', '--config', configPath, '--function', 'auto-delete', '--now', '2026-11-24T04:00:00Z')).toBe(0);
    expect(out.join('\n')).toMatch(/delete-instance\s+planned/);
    expect(h.sim.mutatingRequests()).toEqual([]);

    expect(await run('apply', '--config', configPath, '--function', 'auto-delete', '--now', '2026-11-24T04:00:00Z', '--yes')).toBe(0);
    expect(out.join('\n')).toMatch(/delete-instance\s+applied/);
    expect(cvm.instance(due.InstanceId)?.InstanceState ?? 'gone').toMatch(/TERMINATING|gone/);

    out.length = 0;
    expect(await run('audit', '--config', configPath, '--resource', due.InstanceId, '--phase', 'result', '--json')).toBe(0);
    const records = JSON.parse(out.join('\n')) as { action: string; outcome: string }[];
    expect(records.map((r) => [r.action, r.outcome])).toEqual([['delete-instance', 'success']]);
  });
});
