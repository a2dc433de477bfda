import type { AutomationConfig, FunctionName } from '../config/schema';
import { functionPolicyKey } from '../config/schema';
import type { WorkItem } from './work-item';

export class UnknownWorkScope extends Error {
  override readonly name = 'UnknownWorkScope';
}

/**
 * A copy of the config that covers exactly one work item: the one target with only the item's
 * region (and project), and the function's policy list with only the item's policy. The engine
 * has no region filter, so this is how a worker runs one scope and nothing else. Pure.
 */
export function restrictConfig(config: AutomationConfig, fn: FunctionName, item: WorkItem): AutomationConfig {
  const target = config.targets.find((t) => t.name === item.target);
  if (!target) throw new UnknownWorkScope(`work item target "${item.target}" is not in the config (targets: ${config.targets.map((t) => t.name).join(', ')}); was the config changed after dispatch?`);
  if (!target.regions.includes(item.region)) throw new UnknownWorkScope(`work item region "${item.region}" is not among target ${target.name}'s regions (${target.regions.join(', ')})`);
  const key = functionPolicyKey[fn];
  const policies = config.policies[key] as { name: string }[];
  const policy = policies.find((p) => p.name === item.policy);
  if (!policy) throw new UnknownWorkScope(`work item policy "${item.policy}" is not in policies.${key} (${policies.map((p) => p.name).join(', ') || 'none'})`);

  let narrowed = { ...target, regions: [item.region] };
  if (item.project !== undefined) {
    if (narrowed.vendor !== 'kec') throw new UnknownWorkScope(`work item names project "${item.project}" but target ${target.name} is ${target.vendor}; only KEC scans projects one by one`);
    narrowed = { ...narrowed, settings: { ...narrowed.settings, projects: [item.project] } };
  }
  return { ...config, targets: [narrowed], policies: { ...config.policies, [key]: [policy] } };
}
