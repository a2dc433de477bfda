import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const plugins = createRequire(import.meta.url)('../../build/esbuild-plugins.cjs') as never[];

// The function bundles drop zod's 40 message locales; zod must still speak English in them.
describe('esbuild plugins for the function bundles', () => {
  it('bundles zod with English messages only, and smaller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-bundle-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `import { z } from 'zod';\nexport const message = z.object({ n: z.number() }).safeParse({ n: 'x' }).error?.issues[0]?.message;\n`);
    const options = { entryPoints: [entry], bundle: true, minify: true, format: 'esm' as const, platform: 'node' as const, nodePaths: [join(process.cwd(), 'node_modules')], write: false };
    const plain = await build(options);
    const slim = await build({ ...options, plugins });
    const out = join(dir, 'slim.mjs');
    writeFileSync(out, slim.outputFiles![0]!.contents);
    const { message } = (await import(pathToFileURL(out).href)) as { message: string };
    expect(message).toBe('Invalid input: expected number, received string');
    expect(slim.outputFiles![0]!.contents.length).toBeLessThan(plain.outputFiles![0]!.contents.length * 0.75);
  });
});
