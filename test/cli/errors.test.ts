import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';
import type { AutomationConfig } from '../../lib/config';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { TEST_NOW } from '../support/clock';
import { startHarness, type Harness } from '../support/harness';
import { FLEETS } from '../support/vendor-fleet';

// Errors people can act on: which target, which endpoint, which credential setting.
describe('cloud-automation errors', () => {
  let h: Harness;
  let cvm: TencentSim;
  const out: string[] = [];
  const err: string[] = [];
  const NOW = '2026-11-24T04:00:00Z';
  const run = (...argv: string[]) => main(argv, (s) => out.push(s), (s) => err.push(s), { interactive: false, progress: undefined, columns: undefined, now: () => new Date(NOW) });
  const writeConfig = (edit: (c: AutomationConfig) => void) => {
    const config = h.config({ autoDelete: [{ name: 'ad' }] });
    edit(config);
    const path = join(h.dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(config));
    return path;
  };

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(NOW);
    cvm.bindClock(h.sim.clock);
    cvm.addInstance({ InstanceName: 'web-1', tags: { 'auto-delete-at': '2026-11-24T11:00:00+08:00' } });
  });
  afterAll(() => h.stop());
  beforeEach(() => {
    out.length = 0;
    err.length = 0;
  });

  it('a missing credential variable fails only that target, naming the variable', async () => {
    delete process.env.NOT_SET_KEY_ID;
    const path = writeConfig((c) =>
      c.targets.push({ ...c.targets[0]!, name: 'tencent-dev', credentials: { accessKeyIdEnv: 'NOT_SET_KEY_ID', secretEnv: 'IT_TENCENT_SECRET' } } as AutomationConfig['targets'][number]),
    );
    expect(await run('plan', '--config', path, '--function', 'auto-delete', '--now', NOW)).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/tencent-prod .*delete-instance\s+planned/); // the other target still planned
    expect(text).toMatch(/tencent-dev[\s\S]*environment variable NOT_SET_KEY_ID \(credentials.accessKeyIdEnv\) is not set/);
  });

  it('progress on a terminal shows the scope, requests answered and retries', async () => {
    const progress: string[] = [];
    const path = writeConfig(() => undefined);
    await main(['plan', '--config', path, '--function', 'auto-delete', '--now', NOW], () => undefined, () => undefined, { interactive: false, progress: (m) => progress.push(m), now: () => new Date(NOW) });
    expect(progress).toContain('auto-delete: ad on tencent-prod/ap-guangzhou');
    expect(progress.some((m) => /^auto-delete: ad on tencent-prod\/ap-guangzhou · [1-9]\d* request\(s\) answered$/.test(m))).toBe(true);
    expect(progress.at(-1)).toBe(''); // cleared before the table is printed
  });

  it('a connection failure names the target and the endpoint', async () => {
    const path = writeConfig((c) => (c.targets[0]!.endpoint = 'http://127.0.0.1:9/'));
    expect(await run('plan', '--config', path, '--function', 'auto-delete', '--now', NOW)).toBe(1);
    expect(out.join('\n').replace(/\s+/g, ' ')).toMatch(/cannot reach target "tencent-prod" at http:\/\/127\.0\.0\.1:9\/: check its endpoint setting/);
  }, 60_000);

  it('an auth failure names the credential settings to check', async () => {
    process.env.WRONG_SECRET = 'not-the-secret';
    const path = writeConfig((c) => (c.targets[0]!.credentials = { accessKeyIdEnv: 'IT_TENCENT_ID', secretEnv: 'WRONG_SECRET' }));
    expect(await run('plan', '--config', path, '--function', 'auto-delete', '--now', NOW)).toBe(1);
    const text = out.join('\n').replace(/\s+/g, ' ');
    expect(text).toMatch(/AuthFailure/);
    expect(text).toMatch(/target "tencent-prod" rejected the credentials: check credentials.accessKeyIdEnv IT_TENCENT_ID, credentials.secretEnv WRONG_SECRET/);
    expect(text).not.toContain('not-the-secret');
  });
});

describe('cloud-automation validate', () => {
  let h: Harness;
  const out: string[] = [];
  const err: string[] = [];
  const run = (...argv: string[]) => main(argv, (s) => out.push(s), (s) => err.push(s), { interactive: false, progress: undefined, columns: undefined, now: () => new Date('2026-11-24T04:00:00Z') });

  beforeAll(async () => {
    h = await startHarness([createTencentSim({ transitionMs: 0 })]);
  });
  afterAll(() => h.stop());

  it('checks the file offline, and with --connect that each target answers one read call', async () => {
    const config = h.config({ autoDelete: [{ name: 'ad', mode: 'enforce' }] });
    config.targets.push({ ...config.targets[0]!, name: 'tencent-broken', endpoint: 'http://127.0.0.1:9/' } as AutomationConfig['targets'][number]);
    const path = join(h.dir, 'validate.json');
    writeFileSync(path, JSON.stringify(config));
    expect(await run('validate', '--config', path)).toBe(0);
    expect(out.join('\n')).toMatch(/valid — 2 target\(s\), 1 policy \(1 mode: enforce\)/);
    const mutationsBefore = h.sim.mutatingRequests().length;
    out.length = 0;
    expect(await run('validate', '--config', path, '--connect')).toBe(1);
    const text = out.join('\n');
    expect(text).toMatch(/tencent-prod\s+tencent\s+ap-guangzhou\s+http:\/\/\S+\s+ok: listed \d+ instance/);
    expect(text).toMatch(/tencent-broken[\s\S]*cannot reach target "tencent-broken" at http:\/\/127\.0\.0\.1:9\//);
    expect(h.sim.mutatingRequests().length).toBe(mutationsBefore);

    const bad = join(h.dir, 'bad.yml');
    writeFileSync(bad, 'targets: []\n');
    expect(await run('validate', '--config', bad)).toBe(2);
    expect(err.join('\n')).toMatch(/targets.*at least one target/);
  }, 60_000);
});

describe.each(['tencent', 'kec', 'alibaba', 'cecstack'] as const)('an auth failure on %s', (vendor) => {
  let h: Harness;
  const out: string[] = [];
  beforeAll(async () => {
    h = await startHarness([FLEETS[vendor]().module]);
  });
  afterAll(() => h.stop());

  it('names the credential settings to check', async () => {
    process.env.WRONG_SECRET_2 = 'wrong-secret-value';
    const config = h.config({ autoDelete: [{ name: 'ad', selector: { names: ['tmp-*'] }, source: { ttl: '72h' } }] });
    const creds = config.targets[0]!.credentials as { accessKeyIdEnv: string; secretEnv: string };
    config.targets[0]!.credentials = { accessKeyIdEnv: creds.accessKeyIdEnv, secretEnv: 'WRONG_SECRET_2' };
    const path = join(h.dir, 'auth.json');
    writeFileSync(path, JSON.stringify(config));
    const code = await main(['plan', '--config', path, '--function', 'auto-delete'], (s) => out.push(s), () => undefined, { interactive: false, progress: undefined, now: () => TEST_NOW });
    expect(code).toBe(1);
    const text = out.join('\n').replace(/\s+/g, ' ');
    expect(text).toContain(`rejected the credentials: check credentials.accessKeyIdEnv ${creds.accessKeyIdEnv}, credentials.secretEnv WRONG_SECRET_2`);
    expect(text).not.toContain('wrong-secret-value');
  });
});
