import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';
import type { RunReport } from '../../lib/automations/engine/types';
import { TEST_NOW } from '../support/clock';
import { startHarness, type Harness } from '../support/harness';
import { FLEETS, type VendorFleet } from '../support/vendor-fleet';

// `undo RUN`: shows how a run's applied actions are reversed; --yes reverses them, audited.
describe('cloud-automation undo', () => {
  let h: Harness;
  let fleet: VendorFleet;
  let configPath: string;
  const out: string[] = [];
  const err: string[] = [];
  const now = TEST_NOW.toISOString();
  const run = (...argv: string[]) => main(argv, (s) => out.push(s), (s) => err.push(s), { interactive: false, progress: undefined, columns: undefined, now: () => TEST_NOW });

  beforeAll(async () => {
    fleet = FLEETS.alibaba();
    h = await startHarness([fleet.module]);
    h.sim.clock.set(TEST_NOW);
    fleet.bind(h.sim.clock);
    configPath = join(h.dir, 'undo-config.json');
    const policies = { autoDelete: [{ name: 'ttl', mode: 'enforce' as const, selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }], recycleBin: [{ name: 'bin' }] };
    writeFileSync(configPath, JSON.stringify(h.config(policies, { safety: { maxDestructivePercent: 100 } })));
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
  });

  it('shows, then with --yes reverses a soft delete, and records the undo in the trail', async () => {
    const due = fleet.add({ name: 'tmp-due', createdAt: new Date(TEST_NOW.getTime() - 80 * 3_600_000).toISOString() });
    expect(await run('apply', '--config', configPath, '--function', 'auto-delete', '--now', now, '--yes', '--json')).toBe(0);
    const [report] = JSON.parse(out.join('\n')) as RunReport[];
    expect(fleet.state(due)).toBe('stopped');

    out.length = 0;
    expect(await run('undo', report!.runId, '--config', configPath)).toBe(0);
    expect(out.join('\n')).toMatch(new RegExp(`${due}\\s+soft-delete-instance\\s+undo\\s+remove tag cloud-automation:purge-at and start the instance`));
    expect(out.join('\n')).toMatch(/1 of 1 action\(s\) can be undone here; nothing changed/);
    expect(fleet.state(due)).toBe('stopped');

    const code = await run('undo', report!.runId, '--config', configPath, '--yes');
    expect(code).toBe(0);
    expect(fleet.state(due)).toMatch(/running|other:Starting/); // StartInstance accepted
    expect(fleet.tags(due)['cloud-automation:purge-at']).toBeUndefined();
    const undo = h.audit().filter((r) => r.resourceId === due && r.action === 'undo-soft-delete-instance');
    expect(undo.map((r) => [r.phase, r.outcome ?? '-'])).toEqual([
      ['intent', '-'],
      ['result', 'success'],
    ]);

    // a second undo of the same run does not act again
    out.length = 0;
    expect(await run('undo', report!.runId, '--config', configPath, '--yes')).toBe(0);
    expect(out.join('\n')).toMatch(/already recorded; not repeated/);
  });

  it('an unknown run id is an error naming recent runs', async () => {
    expect(await run('undo', 'no-such-run', '--config', configPath)).toBe(2);
    expect(err.join('\n')).toMatch(/no records of run "no-such-run"; recent runs that acted: /);
  });
});
