import { openAuditStore, type AuditStore } from '../audit';
import type { AutomationConfig } from '../config';

/** The audit store the config names (the CLI only uses its query interface). */
export function openConfiguredAuditStore(config: AutomationConfig): Promise<AuditStore> {
  const a = config.audit;
  return openAuditStore(a.store === 'file' ? { kind: 'file', path: a.path } : { kind: 'dynamodb', tableName: a.tableName, endpoint: a.endpoint, region: a.region });
}
