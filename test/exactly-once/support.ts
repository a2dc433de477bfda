import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditRecord } from '../../lib/audit/record';
import type { SimRequest, VendorSimulator } from '../../sim/core';

/** One mutating request as the simulated cloud received it (query and body as sent). */
export interface ReceivedMutation {
  vendor: string;
  action: string;
  text: string;
}

/**
 * Records every mutating request a simulator module handles, with its parameters, so tests count
 * at the vendor — per resource id — rather than in our own trail.
 */
export function recordMutations(module: VendorSimulator): ReceivedMutation[] {
  const seen: ReceivedMutation[] = [];
  const handle = module.handle.bind(module);
  module.handle = (req: SimRequest, ctx) => {
    const action = module.actionOf(req);
    if (module.isMutating(action)) seen.push({ vendor: module.vendor, action, text: `${decodeURIComponent(req.rawQuery)} ${req.body}` });
    return handle(req, ctx);
  };
  return seen;
}

/** Mutations whose parameters name this id (as a whole word: `ins-1` does not match `ins-10`). */
export function mutationsNaming(mutations: ReceivedMutation[], id: string): ReceivedMutation[] {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const word = new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`);
  return mutations.filter((m) => word.test(m.text));
}

/** Every record in the audit table, read raw (a test-side Scan; the functions never scan). */
export async function scanTable(client: DynamoDBClient, tableName: string): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let startKey: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) out.push(JSON.parse(item.record!.S!) as AuditRecord);
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  return out;
}

/** Per action key: how many result records (each key must end with exactly one). */
export function resultsPerKey(records: AuditRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) if (r.phase === 'intent') counts.set(r.actionKey, counts.get(r.actionKey) ?? 0);
  for (const r of records) if (r.phase === 'result') counts.set(r.actionKey, (counts.get(r.actionKey) ?? 0) + 1);
  return counts;
}
