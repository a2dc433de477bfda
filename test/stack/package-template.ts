import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: unknown;
  DeletionPolicy?: string;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

/**
 * Runs `sls package` (offline) into a fresh temp folder and reads the generated template. A
 * fresh build, not .serverless/: a stale template there would test an old serverless.yml.
 */
export async function packageTemplate(stage = 'test', region = 'us-east-1', env: Record<string, string> = {}): Promise<CfnTemplate> {
  return (await packageService(stage, region, env)).template;
}

/** packageTemplate, and the folder holding the function zips. */
export async function packageService(stage = 'test', region = 'us-east-1', env: Record<string, string> = {}): Promise<{ template: CfnTemplate; dir: string }> {
  const out = mkdtempSync(join(tmpdir(), 'ca-stack-'));
  await promisify(execFile)('npx', ['sls', 'package', '--stage', stage, '--region', region, '--package', out], {
    cwd: ROOT,
    // its own esbuild work folder: other tests package or invoke locally at the same time
    env: { ...process.env, ...env, CA_ESBUILD_DIR: `.esbuild-package-${stage}-${region}`, SLS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return { template: JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate, dir: out };
}

/** The file names in a zip (its central directory). */
export function zipEntries(file: string): string[] {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names;
}

export function resourcesOfType(t: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}
