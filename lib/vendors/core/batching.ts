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
 * Calls of one batch mutation in flight at once (sim/DECISIONS.md "Calls in flight"). Seeds 000, 001
 * and 003 document no rate; Tencent's documented rates are kept by the transport's limiter.
 */
export const MUTATION_CONCURRENCY = 5;

/**
 * Runs a batch mutation in chunks of the documented maximum, up to `MUTATION_CONCURRENCY` at once
 * (one-id actions would otherwise take one round trip per instance). When a chunk fails with
 * a non-retryable error, it is split in halves until the failing ids are isolated, so one bad
 * instance never blocks the rest. (Retryable errors were already retried by the transport.)
 * An authentication failure (or an error that is not the vendor's) starts nothing more: with no
 * chunk done it is thrown, as before; once some chunk took effect, the ones done keep their
 * outcomes and every other id fails with that error, so nothing that happened is lost.
 */
export async function batchWithBisect(
  ids: string[],
  maxBatch: number,
  run: (ids: string[]) => Promise<BatchCallResult>,
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = [];
  const settled = new Set<string>();
  let stop: unknown;
  const done = (o: BatchOutcome) => {
    outcomes.push(o);
    settled.add(o.id);
  };
  const attempt = async (group: string[]): Promise<void> => {
    try {
      const result = await run(group);
      if (result.outcomes) result.outcomes.forEach(done);
      else group.forEach((id) => done({ id, ok: true, requestId: result.requestId }));
    } catch (e) {
      if (!(e instanceof VendorError) || e.auth) {
        stop ??= e;
        return;
      }
      if (group.length === 1) {
        done({ id: group[0]!, ok: false, requestId: e.requestId, error: { code: e.code, message: e.vendorMessage, retryable: e.retryable } });
        return;
      }
      const half = Math.ceil(group.length / 2);
      await attempt(group.slice(0, half));
      if (stop === undefined) await attempt(group.slice(half));
    }
  };
  const unique = [...new Set(ids)];
  const groups = chunk(unique, maxBatch);
  let next = 0;
  const lane = async () => {
    while (stop === undefined && next < groups.length) await attempt(groups[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(MUTATION_CONCURRENCY, groups.length) }, lane));
  if (stop !== undefined) {
    if (!outcomes.some((o) => o.ok)) throw stop;
    for (const id of unique) if (!settled.has(id)) done(failedOutcome(id, stop, 'not done: '));
  }
  const at = new Map(unique.map((id, i) => [id, i]));
  return outcomes.sort((a, b) => (at.get(a.id) ?? 0) - (at.get(b.id) ?? 0));
}

/** The outcome of an id whose call threw (not one the vendor answered for it): the error's code and message, not retried. */
export function failedOutcome(id: string, e: unknown, prefix = ''): BatchOutcome {
  const err = e as { code?: string; name?: string; message?: string };
  return { id, ok: false, error: { code: err.code ?? err.name ?? 'Error', message: `${prefix}${err.message ?? String(e)}`, retryable: false } };
}

/** Runs a one-id-at-a-time mutation over many ids (vendors without batch actions). */
export async function eachId(ids: string[], run: (id: string) => Promise<BatchCallResult>): Promise<BatchOutcome[]> {
  return batchWithBisect(ids, 1, async ([id]) => run(id!));
}

/** `fn` over `items`, at most `limit` at once; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
