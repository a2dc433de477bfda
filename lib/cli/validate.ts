import { parseArgs } from 'node:util';
import { credentialSettings } from '../config/credential-settings';
import { functionNames, functionPolicyKey, loadConfig, type AutomationConfig } from '../config';
import { resolveConfigPath } from './config-path';
import type { CliIo } from './io';
import { formatTable } from './table';
import { displayZone } from './time';

/** `validate`: the config offline; with `--connect`, one read call per target (endpoint and credentials answer). */
export async function validateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, connect: { type: 'boolean', default: false } } });
  const path = resolveConfigPath(values.config, io.env);
  const config = await loadConfig(path); // every problem in the file, exit 2
  const policies = functionNames.flatMap((fn) => config.policies[functionPolicyKey[fn]].map((p) => ({ fn, name: p.name, mode: p.mode })));
  io.out(`${path}: valid — ${config.targets.length} target(s), ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'} (${policies.filter((p) => p.mode === 'enforce').length} mode: enforce), times shown in ${displayZone(config)}`);
  const missing = missingVariables(config, io.env);
  for (const m of missing) io.out(`  warning: ${m}`);
  if (!values.connect) {
    io.out('offline check only; `validate --connect` also makes one read call per target');
    return 0;
  }
  const rows = await connectAll(config, io);
  io.out(formatTable(['target', 'vendor', 'region', 'endpoint', 'result'], rows.map((r) => [r.target, r.vendor, r.region, r.endpoint, r.result]), io.columns, [16, 8, 18, 40]));
  return rows.some((r) => !r.ok) ? 1 : 0;
}

/** Credential environment variables the config names that are not set here (their names only). */
function missingVariables(config: AutomationConfig, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const t of config.targets) {
    for (const [field, source] of [['credentials', t.credentials], ['operatorCredentials', t.operatorCredentials]] as const) {
      if (!source || !('secretEnv' in source)) continue;
      const names = [['accessKeyIdEnv', source.accessKeyIdEnv], ['secretEnv', source.secretEnv], ...(source.tokenEnv ? [['tokenEnv', source.tokenEnv]] : [])];
      for (const [key, name] of names) if (!env[name!]) out.push(`target "${t.name}": environment variable ${name} (${field}.${key}) is not set`);
    }
  }
  return out;
}

interface ConnectRow {
  target: string;
  vendor: string;
  region: string;
  endpoint: string;
  ok: boolean;
  result: string;
}

async function connectAll(config: AutomationConfig, io: CliIo): Promise<ConnectRow[]> {
  const [{ buildEngineDeps }, { resolveCredentials, resolveOperatorCredentials }] = await Promise.all([import('../automations/deps'), import('../runtime/credentials')]);
  const deps = await buildEngineDeps({
    runId: 'validate',
    trigger: 'manual',
    now: io.now(),
    config,
    modeFor: () => 'dry-run',
    shouldStop: () => false,
    transport: { retry: { maxAttempts: 2 }, timeoutMs: 10_000 },
    resolveCredentials: (target, which) => (which === 'operatorCredentials' ? resolveOperatorCredentials(target) : resolveCredentials(target)),
  });
  const rows: ConnectRow[] = [];
  try {
    for (const target of config.targets) {
      const region = target.regions[0]!;
      const row = { target: target.name, vendor: target.vendor, region, endpoint: target.endpoint ?? '(vendor default)' };
      io.progress?.(`validate: ${target.name} ${region}`);
      const started = performance.now();
      try {
        const client = deps.client(target, 'dry-run'); // read-only
        const first = await client.listInstances({ region })[Symbol.asyncIterator]().next();
        const n = first.done ? 0 : first.value.length;
        rows.push({ ...row, ok: true, result: `ok: listed ${n} instance(s) on the first page in ${Math.round(performance.now() - started)} ms` });
      } catch (e) {
        const message = (e as Error).message;
        rows.push({ ...row, ok: false, result: /credential|environment variable|SSM parameter/i.test(message) ? message : `${message}${/check/.test(message) ? '' : ` (credentials: ${credentialSettings(target)})`}` });
      }
    }
  } finally {
    io.progress?.('');
    await deps.close();
  }
  return rows;
}
