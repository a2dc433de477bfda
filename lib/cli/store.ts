import { auditStoreConfigOf, openAuditStore, type AuditStore } from '../audit';
import type { AutomationConfig } from '../config';

/** The audit store the config names (the CLI only uses its query interface; unlike a run, it may scan). */
export function openConfiguredAuditStore(config: AutomationConfig): Promise<AuditStore> {
  return openAuditStore(auditStoreConfigOf(config.audit, { allowScan: true }));
}
