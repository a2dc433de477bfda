import { scopesFor } from '../automations/engine/run';
import type { EngineDeps } from '../automations/engine/types';
import { policiesOf } from '../automations/registry';
import type { AutomationConfig, FunctionName } from '../config/schema';
import type { WorkItem } from './work-item';

/**
 * The dispatcher's plan: the engine's own scopes (policies × targets × regions, as `scopesFor`
 * narrows them), one work item each — and one per project on a KEC target that lists
 * `settings.projects`, because KEC lists instances project by project (seed 000 L1408-1413).
 */
export function planWorkItems(config: AutomationConfig, fn: FunctionName, now: Date, origin: string): WorkItem[] {
  // scopesFor reads only config, filters and focus: a scheduled run has neither filter nor focus
  const scopeDeps = { config } as Pick<EngineDeps, 'config' | 'filters' | 'focus'> as EngineDeps;
  const items: WorkItem[] = [];
  for (const { policy, target, region } of scopesFor(scopeDeps, policiesOf[fn](config))) {
    const base = { v: 1 as const, function: fn, policy: policy.name, target: target.name, region, now: now.toISOString(), origin, attempt: 1 };
    const projects = target.vendor === 'kec' ? target.settings.projects : undefined;
    if (projects?.length) for (const project of projects) items.push({ ...base, project });
    else items.push(base);
  }
  return items;
}
