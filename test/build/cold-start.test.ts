import { build, type Metafile } from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../stack/package-template';

const plugins = createRequire(import.meta.url)('../../build/esbuild-plugins.cjs') as never[];
const FUNCTIONS = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin', 'ingest', 'notify'];

/** serverless.yml's custom.esbuild, as serverless-esbuild passes it (outdir = the entry's folder). */
async function buildFunction(fn: string): Promise<{ outdir: string; metafile: Metafile }> {
  const outdir = join(mkdtempSync(join(tmpdir(), 'ca-cold-')), 'functions');
  const { metafile } = await build({
    entryPoints: [join(ROOT, 'functions', `${fn}.ts`)],
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    plugins,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  return { outdir, metafile };
}

/** The source files and external imports evaluated by `import(entry)`: the entry and its static chunk imports. */
function loadedAtInit(metafile: Metafile, fn: string) {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === `functions/${fn}.ts`)!;
  const chunks = new Set<string>();
  const walk = (k: string) => {
    if (chunks.has(k)) return;
    chunks.add(k);
    for (const i of outputs[k]!.imports) if (i.kind === 'import-statement' && !i.external) walk(i.path);
  };
  walk(entry);
  return {
    chunks: [...chunks],
    inputs: [...chunks].flatMap((k) => Object.keys(outputs[k]!.inputs)),
    externals: [...chunks].flatMap((k) => outputs[k]!.imports.filter((i) => i.external && i.kind === 'import-statement').map((i) => i.path)),
  };
}

// Cold start (issue 20, lib/runtime/DECISIONS.md): a function's init loads the handler wrapper
// only; config parsing (zod, YAML), the AWS SDK, the fan-out worker, automations and vendor
// clients load on first use, from chunks in the function's own folder.
describe('what a function bundle loads at init', () => {
  it.each(FUNCTIONS)('%s: no zod, YAML, AWS SDK, automation or vendor code at init', async (fn) => {
    const { metafile } = await buildFunction(fn);
    const init = loadedAtInit(metafile, fn);
    const heavy = init.inputs.filter((p) => /node_modules\/(zod|yaml|nodemailer|big\.js)\/|@aws-lambda-powertools\/(batch|parameters|metrics)\/|lib\/(automations|vendors|fanout|config\/(schema|load|read|yaml|fields))\b|lib\/runtime\/(triggers|fanout-worker)\b|lib\/notify\/(deliver|render|channels)|lib\/ingest\/handler/.test(p));
    expect(heavy).toEqual([]);
    expect(init.externals.filter((x) => !x.startsWith('node:'))).toEqual([]);
  });

  it.each(FUNCTIONS.slice(0, 5))('%s: its artefact carries its own automation and no other', async (fn) => {
    const { metafile } = await buildFunction(fn);
    const automations = new Set(Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs)).map((p) => /^lib\/automations\/([a-z-]+)\/index\.ts$/.exec(p)?.[1]).filter((a) => a && FUNCTIONS.slice(0, 5).includes(a)));
    expect([...automations]).toEqual([fn]);
  });

  it('puts every chunk of a function in <name>.chunks/, so each zip holds its own chunks only', async () => {
    const { outdir, metafile } = await buildFunction('snapshots');
    const files = Object.keys(metafile.outputs).map((k) => k.slice(k.indexOf('functions/')));
    expect(files).toContain('functions/snapshots.mjs');
    expect(files.filter((f) => f !== 'functions/snapshots.mjs').every((f) => f.startsWith('functions/snapshots.chunks/'))).toBe(true);
    // the entry imports them relative to itself
    expect(readFileSync(join(outdir, 'snapshots.mjs'), 'utf8')).toMatch(/from"\.\/snapshots\.chunks\/chunk-[A-Z0-9]+\.mjs"/);
  });
});
