import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import type { RunReport } from '../automations/engine/types';
import { functionNames, functionPolicyKey, loadConfig, parseConfig, type FunctionName, type PolicyKey } from '../config';
import { localNotifier } from '../notify/local';
import { Rng, simCredentials, type RunningSim } from '../../sim/core';
import { startAllSims } from '../../sim/all';
import { terminalProgress } from './io';
import { cliLogger } from './logger';
import { formatReport } from './table';
import { displayZone, zoneOffset } from './time';

export interface DemoOptions {
  enforce: boolean;
  seed: number;
  /** Instances per vendor. */
  count: number;
  reset: boolean;
  configPath: string;
  stateDir: string;
  out: (line: string) => void;
  /** Terminal width to fit the tables to; undefined = print in full. */
  columns?: number;
}

interface DemoState {
  /** The simulated clock's start, kept so a second run sees the same fleet and the same due times. */
  baseTime: string;
  seed: number;
}

/**
 * The main job on the embedded default: start the four simulated clouds in-process, seed a demo
 * fleet, run all five functions once through their Lambda handlers, print plans and summaries.
 */
export async function runDemo(options: DemoOptions): Promise<{ reports: Record<FunctionName, RunReport>; failures: number }> {
  const { out } = options;
  mkdirSync(options.stateDir, { recursive: true });
  const statePath = `${options.stateDir}/demo-state.json`;
  let state: DemoState | undefined = !options.reset && existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as DemoState) : undefined;
  if (!state || state.seed !== options.seed) {
    state = { baseTime: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString(), seed: options.seed };
    writeFileSync(statePath, JSON.stringify(state, null, 2));
  }

  const sim = await startAllSims({ ports: { tencent: 0, kec: 0, alibaba: 0, cecstack: 0 } });
  try {
    sim.clock.set(state.baseTime);
    const config = demoConfig(options.configPath, sim, options.stateDir);
    seed(sim, config, options);
    out(`simulated clouds on loopback (business time ${state.baseTime}):`);
    for (const [vendor, url] of Object.entries(sim.endpoints)) out(`  ${vendor.padEnd(9)} ${url}`);
    const demoConfigPath = `${options.stateDir}/demo-config.yml`;
    writeFileSync(demoConfigPath, stringify(config));
    process.env.AUTOMATION_CONFIG = demoConfigPath;

    const { automationHandler } = await import('../runtime/run-automation');
    // with notifications.channels in the config, each run's notices are delivered after it (lib/notify/local.ts)
    const notifier = localNotifier(await loadConfig(demoConfigPath), out);
    const reports = {} as Record<FunctionName, RunReport>;
    let failures = 0;
    const zone = displayZone(parseConfig(stringify(config), demoConfigPath));
    out(`times in ${zone} (${zoneOffset(zone, sim.clock.now())})`);
    out(`\nmode: ${options.enforce ? 'ENFORCE (changes the simulated clouds)' : 'dry run (nothing changes; use --enforce to apply)'}`);
    for (const name of functionNames) {
      out(`\n== ${name} ==`);
      const progress = terminalProgress();
      const handler = automationHandler(name, { progress, logger: cliLogger(name) });
      // the demo's --enforce names every policy: the example config keeps them all `mode: dry-run`
      const policies = options.enforce ? (config.policies?.[functionPolicyKey[name]] ?? []).map((p) => p.name) : [];
      const report = (await handler({ dryRun: !options.enforce, now: state.baseTime, ...(policies.length && { policies }) }, lambdaContext(name))) as RunReport;
      progress?.('');
      reports[name] = report;
      out(formatReport(report, { columns: options.columns, zone }));
      if (notifier) failures += await notifier.afterRun(report);
      failures += report.rows.filter((r) => r.status === 'failed').length + report.errors.length;
    }
    out(`\naudit records: ${config.audit.store === 'file' ? config.audit.path : 'dynamodb'}; events: ${config.events.file ?? '(bus)'}`);
    const { buildReport } = await import('./report-command');
    const reportPath = await buildReport(parseConfig(stringify(config), demoConfigPath), sim.clock.now(), `${options.stateDir}/report.html`);
    out(`report: ${reportPath} (open it in a browser; \`cloud-automation audit\` answers from the same trail)`);
    return { reports, failures };
  } finally {
    await sim.stop();
  }
}

interface DemoConfig {
  targets: { vendor: 'tencent' | 'kec' | 'alibaba' | 'cecstack'; endpoint?: string; regions: string[]; credentials: { accessKeyIdEnv: string; secretEnv: string } }[];
  audit: { store: 'file'; path: string };
  events: { file?: string };
  policies?: Partial<Record<PolicyKey, { name: string }[]>>;
}

/** The example config, pointed at the simulator, with the simulator's credentials in the environment it names. */
function demoConfig(path: string, sim: RunningSim, stateDir: string): DemoConfig {
  const config = parseYaml(readFileSync(path, 'utf8')) as DemoConfig;
  for (const target of config.targets) {
    target.endpoint = sim.endpoints[target.vendor];
    const creds = simCredentials(target.vendor);
    process.env[target.credentials.accessKeyIdEnv] = creds.accessKeyId;
    process.env[target.credentials.secretEnv] = creds.secret;
  }
  config.audit = { store: 'file', path: `${stateDir}/audit.jsonl` };
  config.events = { file: `${stateDir}/events.jsonl` };
  return config;
}

function seed(sim: RunningSim, config: DemoConfig, options: DemoOptions) {
  for (const target of config.targets) {
    const module = sim.module(target.vendor);
    module.seedFleet({ rng: new Rng(options.seed + target.vendor.length * 7919), count: options.count, now: sim.clock.now(), regions: target.regions, demo: true });
  }
}

function lambdaContext(name: string) {
  return {
    functionName: name,
    awsRequestId: `local-${Date.now()}`,
    getRemainingTimeInMillis: () => 900_000,
  } as never;
}
