import { VendorError } from './errors';
import type { BatchOutcome } from './model';

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** What one batch call reports: one request id, and per-id outcomes where the vendor gives them. */
export interface BatchCallResult {
  requestId?: string;
  outcomes?: BatchOutcome[];
}

/**
 * Runs a batch mutation in chunks of the documented maximum. When a chunk fails with a
 * non-retryable error, it is split in halves until the failing ids are isolated, so one bad
 * instance never blocks the rest. (Retryable errors were already retried by the transport.)
 */
export async function batchWithBisect(
  ids: string[],
  maxBatch: number,
  run: (ids: string[]) => Promise<BatchCallResult>,
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  const attempt = async (group: string[]): Promise<void> => {
    try {
      const result = await run(group);
      if (result.outcomes) outcomes.push(...result.outcomes);
      else outcomes.push(...group.map((id) => ({ id, ok: true, requestId: result.requestId })));
    } catch (e) {
      if (!(e instanceof VendorError) || e.auth) throw e;
      if (group.length === 1) {
        outcomes.push({
          id: group[0]!,
          ok: false,
          requestId: e.requestId,
          error: { code: e.code, message: e.vendorMessage, retryable: e.retryable },
        });
        return;
      }
      const half = Math.ceil(group.length / 2);
      await attempt(group.slice(0, half));
      await attempt(group.slice(half));
    }
  };
  for (const group of chunk([...new Set(ids)], maxBatch)) await attempt(group);
  return outcomes;
}

/** Runs a one-id-at-a-time mutation over many ids (vendors without batch actions). */
export async function eachId(ids: string[], run: (id: string) => Promise<BatchCallResult>): Promise<BatchOutcome[]> {
  return batchWithBisect(ids, 1, async ([id]) => run(id!));
}
