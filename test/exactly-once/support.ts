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

/** A mutating request held at the simulated cloud: before it is applied, or applied with its answer held back. */
export interface HeldMutation {
  action: string;
  /** Apply (if not yet applied) and answer. */
  release(): void;
  /** Never apply it: the vendor answers an error to a caller that is gone. */
  drop(): void;
}

/**
 * Holds the next mutating request of a module at one point, so a test can kill the caller exactly
 * there: `before` the vendor applies it, or `after` it is applied but before the caller hears back.
 * Applied mutations are logged in `applied` (with their parameters).
 */
export function interceptMutations(module: VendorSimulator): {
  applied: ReceivedMutation[];
  holdNext(point: 'before' | 'after'): Promise<HeldMutation>;
} {
  const applied: ReceivedMutation[] = [];
  let armed: { point: 'before' | 'after'; notify(h: HeldMutation): void } | undefined;
  const handle = module.handle.bind(module);
  module.handle = async (req: SimRequest, ctx) => {
    const action = module.actionOf(req);
    if (!module.isMutating(action)) return handle(req, ctx);
    const hold = armed;
    armed = undefined;
    const gate = hold && new Promise<boolean>((resolve) => hold.notify({ action, release: () => resolve(true), drop: () => resolve(false) }));
    if (hold?.point === 'before' && !(await gate)) return module.serverError(req);
    const response = await handle(req, ctx);
    applied.push({ vendor: module.vendor, action, text: `${decodeURIComponent(req.rawQuery)} ${req.body}` });
    if (hold?.point === 'after') await gate;
    return response;
  };
  return {
    applied,
    holdNext: (point) => new Promise((notify) => (armed = { point, notify })),
  };
}
