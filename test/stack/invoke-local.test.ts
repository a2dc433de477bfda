import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RunReport } from '../../lib/automations';
import { functionNames, type AutomationConfigInput, type FunctionName } from '../../lib/config/schema';
import { startAllSims } from '../../sim/all';
import { Rng, simCredentials, type RunningSim, type SimVendorName } from '../../sim/core';
import { SIM_REGIONS, SIM_TARGETS } from '../support/harness';
import { ROOT } from './package-template';

// `sls invoke local -f <fn> --path events/<fn>.manual-dry-run.json`, as a user runs it, against
// the simulated clouds. Slow (each call bundles the function), so only the dry runs.
const VENDORS: SimVendorName[] = ['tencent', 'kec', 'alibaba', 'cecstack'];
const POLICIES: AutomationConfigInput['policies'] = {
  autoDelete: [{ name: 'due', mode: 'enforce' }],
  snapshots: [{ name: 'hourly', mode: 'enforce', schedule: { every: '1h' }, retention: { keepLast: 2 } }],
  spotPrices: [{ name: 'spot', mode: 'enforce', watches: 'running' }],
  renewalReminders: [{ name: 'renew', mode: 'enforce', autoRenew: true }],
  recycleBin: [{ name: 'bin', mode: 'enforce', action: 'purge' }],
};

/** The environment without the old CA_BUNDLE_EXTENSION workaround. */
function withoutWorkaround(): NodeJS.ProcessEnv {
  const { CA_BUNDLE_EXTENSION: _ignored, ...rest } = process.env;
  return rest;
}

describe('sls invoke local with the sample manual dry-run events, against the simulators', () => {
  let sim: RunningSim;
  let configPath: string;
  const env: string[] = [];

  beforeAll(async () => {
    sim = await startAllSims({ ports: { tencent: 0, kec: 0, alibaba: 0, cecstack: 0 } });
    for (const v of VENDORS) sim.module(v).seedFleet({ rng: new Rng(7 + v.length), count: 30, now: sim.clock.now(), demo: true });
    const dir = mkdtempSync(join(tmpdir(), 'ca-invoke-'));
    configPath = join(dir, 'automation.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        targets: VENDORS.map((v) => ({
          name: SIM_TARGETS[v],
          vendor: v,
          regions: [SIM_REGIONS[v]],
          endpoint: sim.endpoints[v],
          credentials: { accessKeyIdEnv: `SIM_${v.toUpperCase()}_ID`, secretEnv: `SIM_${v.toUpperCase()}_SECRET` },
        })),
        safety: { maxDestructivePercent: 100, maxDestructivePerRun: 1000 },
        audit: { store: 'file', path: join(dir, 'audit.jsonl') },
        events: { file: join(dir, 'events.jsonl') },
        policies: POLICIES,
      }),
    );
    for (const v of VENDORS) {
      const c = simCredentials(v);
      env.push('-e', `SIM_${v.toUpperCase()}_ID=${c.accessKeyId}`, '-e', `SIM_${v.toUpperCase()}_SECRET=${c.secret}`);
    }
    // serverless.yml points deployed functions at SSM, the stack's bus and table: not here.
    env.push('-e', `AUTOMATION_CONFIG=${configPath}`, '-e', 'AUTOMATION_BUS=', '-e', 'AUTOMATION_AUDIT_TABLE=');
  });
  afterAll(() => sim.stop());

  async function invokeLocal(fn: FunctionName, eventFile: string): Promise<RunReport> {
    // typed the usual way: no CA_BUNDLE_EXTENSION (resources/stack-plugin.cjs bundles `.js` for invoke local)
    const { stdout } = await promisify(execFile)('npx', ['sls', 'invoke', 'local', '-f', fn, '--path', `events/${eventFile}`, ...env], {
      cwd: ROOT,
      env: { ...withoutWorkaround(), CA_ESBUILD_DIR: '.esbuild-invoke-local', SLS_TELEMETRY_DISABLED: '1' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    // Log lines are one-line JSON; the result is printed last, indented.
    const start = stdout.lastIndexOf('\n{\n');
    return JSON.parse(stdout.slice(start === -1 ? stdout.indexOf('{\n') : start + 1)) as RunReport;
  }

  it.each(functionNames)('%s: the dry-run sample plans, reports, and makes no mutating request', async (fn) => {
    const before = sim.mutatingRequests().length;
    const report = await invokeLocal(fn, `${fn}.manual-dry-run.json`);
    expect(report.function).toBe(fn);
    expect(report.errors).toEqual([]);
    expect(report.rows.length).toBeGreaterThan(0);
    expect(report.rows.filter((r) => r.status === 'applied')).toEqual([]);
    if (fn === 'auto-delete' || fn === 'recycle-bin') expect(report.rows.some((r) => r.status === 'planned')).toBe(true);
    expect(sim.mutatingRequests().slice(before)).toEqual([]);
  }, 150_000);
});

describe('sls invoke local never hangs', () => {
  /** Runs the command in its own process group, killed whole if it outlives `timeoutMs`. */
  function runBounded(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; timedOut: boolean; output: string }> {
    const child = spawn('npx', args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, timeoutMs);
    return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, timedOut, output }))));
  }

  it('exits with an error when the handler cannot be loaded (it used to wait forever)', async () => {
    const dir = `.esbuild-invoke-hang-${process.pid}`;
    try {
      // the old failure: a `.mjs` bundle, which osls cannot require; a fresh work folder so no `.js` is left over
      const run = await runBounded(
        ['sls', 'invoke', 'local', '-f', 'snapshots', '--path', 'events/snapshots.manual-dry-run.json'],
        { ...withoutWorkaround(), CA_BUNDLE_EXTENSION: '.mjs', CA_ESBUILD_DIR: dir, SLS_TELEMETRY_DISABLED: '1' },
        120_000,
      );
      expect([run.timedOut, run.code]).toEqual([false, 1]);
      expect(run.output).toMatch(/Cannot find module/);
    } finally {
      rmSync(join(ROOT, dir), { recursive: true, force: true });
    }
  }, 150_000);
});
