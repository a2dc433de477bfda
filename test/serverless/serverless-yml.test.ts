import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

// serverless.yml's variables (${opt:...}) are left as text: this reads the static shape only.
const sls = parse(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8')) as {
  provider: { runtime: string };
  package: { individually: boolean };
  custom: { esbuild: Record<string, unknown> };
  functions: Record<string, { handler: string }>;
};

describe('serverless.yml', () => {
  it('bundles each function separately as minified ESM with source maps, leaving out the runtime-provided AWS SDK', () => {
    expect(sls.provider.runtime).toBe('nodejs22.x');
    expect(sls.package.individually).toBe(true);
    expect(sls.custom.esbuild).toMatchObject({
      bundle: true,
      minify: true,
      treeShaking: true,
      sourcemap: true,
      format: 'esm',
      outputFileExtension: "${env:CA_BUNDLE_EXTENSION, '.mjs'}",
      exclude: ['@aws-sdk/*'],
    });
  });

  it('points every function at an existing handler file', () => {
    for (const [name, fn] of Object.entries(sls.functions)) {
      const file = `${fn.handler.replace(/\.[^.]+$/, '')}.ts`;
      expect([name, existsSync(new URL(`../../${file}`, import.meta.url))]).toEqual([name, true]);
    }
  });
});
