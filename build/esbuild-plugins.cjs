// esbuild plugins for every function bundle (serverless-esbuild `plugins:` and bench/).
// zod's classic entry re-exports all ~40 message locales (`z.locales`), which defeats tree
// shaking; our messages are English, so the locale index is replaced by English alone.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]v4[\\/](classic|core|mini)[\\/]?$/.test(args.resolveDir)) return undefined;
      return { path: 'zod-locales-en', namespace: 'zod-english-only', pluginData: { resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: "export { default as en } from '../locales/en.js';",
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

// With `splitting`, the chunks of a function go in a folder named after its bundle
// (functions/auto-delete.chunks/ beside functions/auto-delete.mjs): serverless-esbuild zips every
// file of the build folder except the other functions' bundles and files named like them
// (`functions/<other>.*`), so each function's zip holds its own chunks and no other's.
const chunksBesideEntry = {
  name: 'chunks-beside-entry',
  setup(build) {
    const options = build.initialOptions;
    const base = entryName(options);
    if (!options.splitting || !base || options.chunkNames) return;
    options.chunkNames = `${base}.chunks/[name]-[hash]`;
  },
};

// functions/<automation>.ts runs its own automation only (fanoutHandler('<automation>')): the
// registry's import() of the other four (lib/automations/registry.ts) becomes a module that
// refuses, so their code stays out of the function's zip. Unbundled (CLI, tests) nothing changes.
const AUTOMATIONS = ['auto-delete', 'snapshots', 'spot-prices', 'renewal-reminders', 'recycle-bin'];
const ownAutomationOnly = {
  name: 'own-automation-only',
  setup(build) {
    const own = entryName(build.initialOptions);
    if (!AUTOMATIONS.includes(own)) return;
    build.onResolve({ filter: /^\.\/[a-z-]+$/ }, (args) => {
      const other = args.path.slice(2);
      if (args.kind !== 'dynamic-import' || other === own || !AUTOMATIONS.includes(other)) return undefined;
      if (!/[\\/]lib[\\/]automations[\\/]registry\.ts$/.test(args.importer)) return undefined;
      return { path: other, namespace: 'other-automation' };
    });
    build.onLoad({ filter: /.*/, namespace: 'other-automation' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`the ${args.path} automation is not bundled into the ${own} function`)});`,
      loader: 'js',
    }));
  },
};

/** The file name (no extension) of a build's single entry point, e.g. `auto-delete`. */
function entryName(options) {
  const entries = Array.isArray(options.entryPoints) ? options.entryPoints : Object.values(options.entryPoints ?? {});
  if (entries.length !== 1) return undefined;
  const entry = typeof entries[0] === 'string' ? entries[0] : entries[0].out ?? entries[0].in;
  return entry.split(/[\\/]/).pop().replace(/\.[^.]*$/, '');
}

module.exports = [zodEnglishOnly, chunksBesideEntry, ownAutomationOnly];
