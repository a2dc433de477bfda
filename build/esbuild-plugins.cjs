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
    const entries = Array.isArray(options.entryPoints) ? options.entryPoints : Object.values(options.entryPoints ?? {});
    if (!options.splitting || entries.length !== 1 || options.chunkNames) return;
    const entry = typeof entries[0] === 'string' ? entries[0] : entries[0].out ?? entries[0].in;
    const base = entry.split(/[\\/]/).pop().replace(/\.[^.]*$/, '');
    options.chunkNames = `${base}.chunks/[name]-[hash]`;
  },
};

module.exports = [zodEnglishOnly, chunksBesideEntry];
