import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';
import type { CliIo } from '../../lib/cli/io';
import { cliLogger } from '../../lib/cli/logger';
import type { AutomationConfig } from '../../lib/config';
import { automationHandler } from '../../lib/runtime/run-automation';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { startHarness, type Harness } from '../support/harness';

// `apply` you can trust: dry-run policies never act unless named with --override-mode; on a
// terminal it asks; a saved plan is applied exactly, or refused when the fleet changed since.
describe('cloud-automation apply', () => {
  let h: Harness;
  let cvm: TencentSim;
  let configPath: string;
  const out: string[] = [];
  const err: string[] = [];
  const NOW = '2026-11-24T04:00:00Z';
  const io = (extra: Partial<CliIo> = {}): Partial<CliIo> => ({ interactive: false, progress: undefined, columns: undefined, now: () => new Date(NOW), ...extra });
  const run = (argv: string[], extra: Partial<CliIo> = {}) => main(argv, (s) => out.push(s), (s) => err.push(s), io(extra));
  const mutations = () => h.sim.mutatingRequests().length;
  const alive = (id: string) => !/TERMINATING|SHUTDOWN/.test(cvm.instance(id)?.InstanceState ?? 'SHUTDOWN');
  const due = (team: string) => cvm.addInstance({ InstanceName: `due-${team}`, tags: { team, 'auto-delete-at': '2026-11-24T11:00:00+08:00' } }).InstanceId;

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(NOW);
    cvm.bindClock(h.sim.clock);
    configPath = join(h.dir, 'apply-config.json');
    const policies = {
      autoDelete: [
        { name: 'prod-cleanup', mode: 'enforce' as const, selector: { tags: { team: 'a' } } },
        { name: 'trial', mode: 'dry-run' as const, selector: { tags: { team: 'b' } } },
      ],
    };
    writeFileSync(configPath, JSON.stringify(h.config(policies, { safety: { maxDestructivePercent: 100 } })));
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
  });
  const cfg = () => ['--config', configPath, '--function', 'auto-delete', '--now', NOW];

  it('enforces only mode: enforce policies; a dry-run policy never acts', async () => {
    const a = due('a');
    const b = due('b');
    expect(await run(['apply', ...cfg(), '--yes'])).toBe(0);
    expect(alive(a)).toBe(false);
    expect(alive(b)).toBe(true);
    expect(out.join('\n')).toMatch(/enforce: prod-cleanup/);
  });

  it('names a dry-run policy: refused without --override-mode, enforced with it', async () => {
    const b = due('b');
    const before = mutations();
    expect(await run(['apply', ...cfg(), '--policy', 'trial', '--yes'])).toBe(2);
    expect(err.join('\n')).toMatch(/policy "trial" \(auto-delete\) is mode: dry-run.*--override-mode/);
    expect(await run(['apply', ...cfg(), '--override-mode', '--yes'])).toBe(2);
    expect(err.join('\n')).toMatch(/--override-mode needs --policy NAME/);
    expect(mutations()).toBe(before);
    expect(alive(b)).toBe(true);

    expect(await run(['apply', ...cfg(), '--policy', 'trial', '--override-mode', '--yes'])).toBe(0);
    expect(alive(b)).toBe(false);
  });

  it('asks on a terminal and acts only on "yes"; without a terminal it needs --yes', async () => {
    const a = due('a');
    const before = mutations();
    expect(await run(['apply', ...cfg()])).toBe(2);
    expect(err.join('\n')).toMatch(/not a terminal: pass --yes/);

    const questions: string[] = [];
    const ask = (answer: string) => async (q: string) => (questions.push(q), answer);
    expect(await run(['apply', ...cfg()], { interactive: true, ask: ask('n') })).toBe(1);
    expect(err.join('\n')).toMatch(/apply cancelled; nothing changed/);
    expect(out.join('\n')).toMatch(new RegExp(`${a}[\\s\\S]*planned`)); // the plan was shown first
    expect(questions[0]).toMatch(/apply these 1 action\(s\)\?/);
    expect(mutations()).toBe(before);
    expect(alive(a)).toBe(true);

    expect(await run(['apply', ...cfg()], { interactive: true, ask: ask('yes') })).toBe(0);
    expect(alive(a)).toBe(false);
  });

  it('applies exactly a saved plan, and refuses one the fleet has changed since', async () => {
    const a1 = due('a');
    const planPath = join(h.dir, 'plan.json');
    expect(await run(['plan', ...cfg(), '--out', planPath])).toBe(0);
    const saved = JSON.parse(readFileSync(planPath, 'utf8')) as { functions: { actions: { resource: string; policy: string }[] }[] };
    expect(saved.functions.flatMap((f) => f.actions).map((x) => [x.resource, x.policy])).toEqual([[a1, 'prod-cleanup']]);

    const a2 = due('a'); // appears after the plan was made
    const before = mutations();
    expect(await run(['apply', planPath, '--config', configPath])).toBe(1);
    expect(err.join('\n')).toMatch(new RegExp(`fleet changed since the plan[\\s\\S]*\\+ delete-instance ${a2}`));
    expect(mutations()).toBe(before);
    expect([alive(a1), alive(a2)]).toEqual([true, true]);

    expect(await run(['plan', ...cfg(), '--out', planPath])).toBe(0);
    expect(await run(['apply', planPath, '--config', configPath])).toBe(0);
    expect([alive(a1), alive(a2)]).toEqual([false, false]);

    // a plan made for a different config is refused
    writeFileSync(planPath, readFileSync(planPath, 'utf8').replace(/"sha256": "[0-9a-f]+"/, '"sha256": "0000"'));
    expect(await run(['apply', planPath, '--config', configPath])).toBe(1);
    expect(err.join('\n')).toMatch(/config .* changed since the plan was made; nothing applied/);
  });

  it('says whether the selector matched nothing or the matched fleet is clean', async () => {
    cvm.addInstance({ InstanceName: 'bystander', tags: { team: 'c' } });
    const empty = join(h.dir, 'empty-config.json');
    writeFileSync(empty, JSON.stringify(h.config({ autoDelete: [{ name: 'nobody', selector: { tags: { team: 'zzz' } } }] })));
    expect(await run(['plan', '--config', empty, '--function', 'auto-delete', '--now', NOW])).toBe(0);
    expect(out.join('\n')).toMatch(/selector matched 0 of [1-9]\d* instances: nothing to do/);
  });

  it('the enforce run acts only on approved action keys (what changed between check and apply is skipped)', async () => {
    const a = due('a');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as AutomationConfig;
    const handler = automationHandler('auto-delete', { config, allowAction: () => false, logger: cliLogger('auto-delete') });
    const report = await handler({ dryRun: false, policies: ['prod-cleanup'], now: NOW }, { getRemainingTimeInMillis: () => 900_000 } as never);
    expect(report.rows.filter((r) => r.resource.startsWith(a)).map((r) => [r.status, r.reason])).toEqual([['skipped', expect.stringMatching(/not in the approved plan/)]]);
    expect(alive(a)).toBe(true);
  });
});
