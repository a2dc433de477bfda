import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { automationConfigSchema, type AutomationConfig } from '../../lib/config/schema';
import type { SimVendorName } from '../../sim/core';
import { BENCH_REGIONS, BENCH_TARGETS } from './targets';

const EXAMPLE = fileURLToPath(new URL('../../automation.example.yml', import.meta.url));

export interface PolicyLike {
  targets?: string[];
  [k: string]: unknown;
}

/**
 * The example config's policies against one simulated target. The blast-radius guard is opened
 * wide (the benchmark measures the full work a sweep decides on, not the guard's cap); everything
 * else is as a user would deploy it.
 */
export function benchConfig(vendor: SimVendorName, endpoint: string, dir: string, only?: Record<string, PolicyLike[]>): AutomationConfig {
  const example = parseYaml(readFileSync(EXAMPLE, 'utf8')) as { policies: Record<string, PolicyLike[]>; safety: Record<string, unknown> };
  const target = BENCH_TARGETS[vendor];
  const policies: Record<string, PolicyLike[]> = {};
  // `only`: these policies instead of the example's (a variant a ratio test asks for)
  for (const [fn, list] of Object.entries(only ?? example.policies)) {
    policies[fn] = list.filter((p) => !p.targets || p.targets.includes(target)).map((p) => ({ ...p, targets: [target] }));
  }
  return automationConfigSchema.parse({
    targets: [
      {
        name: target,
        vendor,
        regions: [BENCH_REGIONS[vendor]],
        endpoint,
        credentials: { accessKeyIdEnv: 'BENCH_ACCESS_KEY_ID', secretEnv: 'BENCH_SECRET' },
      },
    ],
    safety: { ...example.safety, maxDestructivePerRun: 1_000_000, maxDestructivePercent: 100, requestBudget: 1_000_000 },
    audit: { store: 'file', path: `${dir}/audit.jsonl` },
    events: { file: `${dir}/events.jsonl` },
    policies,
  });
}
