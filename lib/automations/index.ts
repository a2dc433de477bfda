import { autoDeleteSpec } from './auto-delete';
import type { AutomationSpec, PolicyBase } from './engine/run';
import type { Automation } from './registry';
import type { FunctionName } from './engine/types';
import { recycleBinSpec } from './recycle-bin';
import { renewalRemindersSpec } from './renewal-reminders';
import { snapshotsSpec } from './snapshots';
import { spotPricesSpec } from './spot-prices';

export * from './engine';
export { buildEngineDeps, type BuiltDeps, type DepsInput } from './deps';

export { loadAutomation, policiesOf, type Automation } from './registry';

/** The five automations, by their deployed function names (eager: the CLI and tests; functions use `loadAutomation`). */
export const automations: Record<FunctionName, Automation> = {
  'auto-delete': { spec: autoDeleteSpec as unknown as AutomationSpec<PolicyBase>, policies: (c) => c.policies.autoDelete },
  snapshots: { spec: snapshotsSpec as unknown as AutomationSpec<PolicyBase>, policies: (c) => c.policies.snapshots },
  'spot-prices': { spec: spotPricesSpec as unknown as AutomationSpec<PolicyBase>, policies: (c) => c.policies.spotPrices },
  'renewal-reminders': { spec: renewalRemindersSpec as unknown as AutomationSpec<PolicyBase>, policies: (c) => c.policies.renewalReminders },
  'recycle-bin': { spec: recycleBinSpec as unknown as AutomationSpec<PolicyBase>, policies: (c) => c.policies.recycleBin },
};
