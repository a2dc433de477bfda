import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';
import { startBenchSim } from './bench-sim';
import { benchConfig } from './config';
import { spread, type Spread } from './stats';

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** serverless.yml's esbuild plugins (zod in English only). */
const PLUGINS = createRequire(import.meta.url)('../../build/esbuild-plugins.cjs') as Plugin[];

/** The custom.esbuild options of serverless.yml (sourcemaps left out: they are not loaded; `splitting` for the functions, below). */
const OPTIONS = {
  plugins: PLUGINS,
  bundle: true,
  minify: true,
  treeShaking: true,
  format: 'esm' as const,
  platform: 'node' as const,
  target: 'node22',
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  banner: { js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);" },
  logLevel: 'silent' as const,
};

/** serverless.yml's custom.esbuild `splitting` (read, so the bench builds what `npm run package` builds). */
const SPLITTING = /^\s+splitting:\s*true\b/m.test(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'));

export const FUNCTIONS = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin', 'ingest', 'notify', '_empty'] as const;
/** The functions a manual dry-run payload invokes (the first-invocation measurement). */
const AUTOMATIONS: readonly string[] = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin'];

/** Everything the functions use, imported eagerly at top level: what a bundle without lazy loading would carry. */
const NAIVE_ENTRY = `
export * as automations from '${ROOT}lib/automations/index.ts';
export * as tencent from '${ROOT}lib/vendors/tencent/index.ts';
export * as kec from '${ROOT}lib/vendors/kec/index.ts';
export * as alibaba from '${ROOT}lib/vendors/alibaba/index.ts';
export * as cecstack from '${ROOT}lib/vendors/cecstack/index.ts';
export * as runtime from '${ROOT}lib/runtime/index.ts';
export * as audit from '${ROOT}lib/audit/index.ts';
export * as config from '${ROOT}lib/config/index.ts';
export * as zod from 'zod';
export * as zodLocales from 'zod/locales';
export * as yaml from 'yaml';
export * as logger from '@aws-lambda-powertools/logger';
export * as batch from '@aws-lambda-powertools/batch';
export * as middy from '@middy/core';
export * as eventbridge from '@aws-sdk/client-eventbridge';
export * as dynamodb from '@aws-sdk/client-dynamodb';
export * as ssm from '@aws-sdk/client-ssm';
export * as sqs from '@aws-sdk/client-sqs';
`;

export interface BundleResult {
  name: string;
  kind: 'function' | 'naive' | 'vendor-sdk' | 'baseline';
  /** What `import` loads: the entry and the chunks it imports statically (a function's init). */
  bytes: number;
  gzipBytes: number;
  /** Every file of the bundle: entry and all chunks, loaded at init or on first use (the artefact's code). */
  totalBytes: number;
  /** Files in the bundle (entry + chunks). */
  files: number;
  loadMs: Spread;
  /**
   * Functions only: module load plus the first invocation (a manual dry run against a simulated
   * Tencent cloud with no instances), in a fresh process: what lazy loading defers (the function's
   * automation, its configured vendor's client) is paid here, so this is the honest cold start.
   */
  firstInvokeMs?: Spread;
}

export interface ColdStartResult {
  bundles: BundleResult[];
  /** Per function: its bundle against the naive one and each official SDK alone (bytes, gzip, load time). */
  ratios: { function: string; versus: string; bytes: number; gzipBytes: number; loadMs: number }[];
}

/** Import of `file` plus one invocation of its handler with a manual dry-run payload, in a fresh process (milliseconds). */
async function firstInvokeTimes(file: string, runs: number, env: Record<string, string>): Promise<number[]> {
  const script = `
    const t = performance.now();
    const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
    const context = { functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:cold', memoryLimitInMB: '256', awsRequestId: 'cold-1', logGroupName: 'cold', logStreamName: 'cold', getRemainingTimeInMillis: () => 900000, callbackWaitsForEmptyEventLoop: false, done() {}, fail() {}, succeed() {} };
    const report = await handler({ dryRun: true }, context);
    if (!report || report.errors?.length) throw new Error('first invocation failed: ' + JSON.stringify(report?.errors ?? report));
    process.stdout.write(String(performance.now() - t));`;
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    // asynchronously: the simulated cloud answers from this process's event loop
    const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env } });
    out.push(Number(stdout));
  }
  return out;
}

/** Module-load time of `file` in a fresh node process, `runs` times (milliseconds). */
function loadTimes(file: string, runs: number): number[] {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    out.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', POWERTOOLS_LOG_LEVEL: 'SILENT' } })));
  }
  return out;
}

interface Built {
  file: string;
  /** Entry + static imports, as loaded by `import`. */
  init: Buffer;
  totalBytes: number;
  files: number;
}

/**
 * A function is built as serverless.yml builds it: ESM with `splitting` (chunks in
 * `<name>.chunks/`), so code behind dynamic import() loads on first use; the others as one file.
 */
async function bundle(dir: string, name: string, entry: { file?: string; contents?: string }): Promise<Built> {
  if (entry.file) {
    const outdir = join(dir, name);
    const result = await build({ ...OPTIONS, entryPoints: [entry.file], outdir, splitting: SPLITTING, outExtension: { '.js': '.mjs' }, metafile: true });
    const outputs = result.metafile.outputs;
    const entryOut = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === relative(ROOT, entry.file!).split(sep).join('/'))!;
    const init = new Set<string>();
    const walk = (k: string) => {
      if (init.has(k)) return;
      init.add(k);
      for (const i of outputs[k]!.imports) if (i.kind === 'import-statement' && !i.external) walk(i.path);
    };
    walk(entryOut);
    const abs = (k: string) => resolve(process.cwd(), k);
    return {
      file: abs(entryOut),
      init: Buffer.concat([...init].map((k) => readFileSync(abs(k)))),
      totalBytes: Object.values(outputs).reduce((n, o) => n + o.bytes, 0),
      files: Object.keys(outputs).length,
    };
  }
  const outfile = join(dir, `${name}.mjs`);
  await build({ ...OPTIONS, outfile, stdin: { contents: entry.contents!, resolveDir: ROOT, loader: 'ts' as const } });
  const bytes = readFileSync(outfile);
  return { file: outfile, init: bytes, totalBytes: bytes.length, files: 1 };
}

/** Builds every bundle into a temp folder (node_modules linked beside it for the external AWS SDK) and measures it. */
export async function benchColdStart(runs: number): Promise<ColdStartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ca-cold-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  // the first invocations run the example policies, dry, against an empty simulated Tencent cloud
  const cloud = await startBenchSim('tencent', 0);
  const configFile = join(dir, 'automation.json');
  writeFileSync(configFile, JSON.stringify(benchConfig('tencent', cloud.endpoint, dir)));
  const invokeEnv = { AUTOMATION_CONFIG: configFile, BENCH_ACCESS_KEY_ID: 'sim-tencent-id', BENCH_SECRET: 'sim-tencent-secret', AUTOMATION_BUS: '', AUTOMATION_AUDIT_TABLE: '' };
  try {
    const specs: { name: string; kind: BundleResult['kind']; entry: { file?: string; contents?: string } }[] = [
      ...FUNCTIONS.map((f) => ({ name: f, kind: 'function' as const, entry: { file: join(ROOT, 'functions', `${f}.ts`) } })),
      { name: 'naive-eager', kind: 'naive', entry: { contents: NAIVE_ENTRY } },
      { name: 'tencentcloud-sdk-nodejs-cvm', kind: 'vendor-sdk', entry: { contents: "export * from 'tencentcloud-sdk-nodejs-cvm';" } },
      { name: '@alicloud/pop-core', kind: 'vendor-sdk', entry: { contents: "export { default } from '@alicloud/pop-core';" } },
      { name: 'empty middy handler', kind: 'baseline', entry: { contents: "import middy from '@middy/core'; export const handler = middy(async () => ({}));" } },
    ];
    const builts: Built[] = [];
    for (const s of specs) builts.push(await bundle(dir, s.name.replace(/[@/]/g, '_'), s.entry));
    // Round-robin, one fresh process per bundle per round: on a shared, noisy machine every
    // bundle sees the same load over the run, so ratios within one run hold (medians per bundle).
    const loads: number[][] = specs.map(() => []);
    const invokes: number[][] = specs.map(() => []);
    for (let r = 0; r < runs; r++) {
      for (const [i, s] of specs.entries()) {
        loads[i]!.push(...loadTimes(builts[i]!.file, 1));
        if (AUTOMATIONS.includes(s.name)) invokes[i]!.push(...(await firstInvokeTimes(builts[i]!.file, 1, invokeEnv)));
      }
    }
    const bundles: BundleResult[] = specs.map((s, i) => ({
      name: s.name,
      kind: s.kind,
      bytes: builts[i]!.init.length,
      gzipBytes: gzipSync(builts[i]!.init).length,
      totalBytes: builts[i]!.totalBytes,
      files: builts[i]!.files,
      loadMs: spread(loads[i]!),
      ...(invokes[i]!.length ? { firstInvokeMs: spread(invokes[i]!) } : {}),
    }));
    const ratios: ColdStartResult['ratios'] = [];
    for (const f of bundles.filter((b) => b.kind === 'function')) {
      for (const other of bundles.filter((b) => b.kind !== 'function')) {
        ratios.push({
          function: f.name,
          versus: other.name,
          bytes: f.bytes / other.bytes,
          gzipBytes: f.gzipBytes / other.gzipBytes,
          loadMs: f.loadMs.median / other.loadMs.median,
        });
      }
    }
    return { bundles, ratios };
  } finally {
    await cloud.sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
