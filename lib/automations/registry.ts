import type { AutomationConfig } from '../config/schema';
import type { AutomationSpec, PolicyBase } from './engine/run';
import type { FunctionName } from './engine/types';

export interface Automation {
  spec: AutomationSpec<PolicyBase>;
  policies(config: AutomationConfig): PolicyBase[];
}

/** Each function's policies in the config (no automation code loaded). */
export const policiesOf: Record<FunctionName, (config: AutomationConfig) => PolicyBase[]> = {
  'auto-delete': (c) => c.policies.autoDelete,
  snapshots: (c) => c.policies.snapshots,
  'spot-prices': (c) => c.policies.spotPrices,
  'renewal-reminders': (c) => c.policies.renewalReminders,
  'recycle-bin': (c) => c.policies.recycleBin,
};

const specs: Record<FunctionName, () => Promise<unknown>> = {
  'auto-delete': async () => (await import('./auto-delete')).autoDeleteSpec,
  snapshots: async () => (await import('./snapshots')).snapshotsSpec,
  'spot-prices': async () => (await import('./spot-prices')).spotPricesSpec,
  'renewal-reminders': async () => (await import('./renewal-reminders')).renewalRemindersSpec,
  'recycle-bin': async () => (await import('./recycle-bin')).recycleBinSpec,
};

/** One automation, its code imported on first use: a deployed function loads only its own (cold start). */
export async function loadAutomation(fn: FunctionName): Promise<Automation> {
  const load = specs[fn];
  if (!load) throw new Error(`unknown function "${fn}": use one of ${Object.keys(specs).join(', ')}`);
  return { spec: (await load()) as AutomationSpec<PolicyBase>, policies: policiesOf[fn] };
}
