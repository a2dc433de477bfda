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

module.exports = [zodEnglishOnly];
