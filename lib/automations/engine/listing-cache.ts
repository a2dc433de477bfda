import type { Instance, ListInstancesOptions, Scope, Snapshot, VendorClient } from '../../vendors/core';

/** Items one cached listing may hold; past it the listing streams through uncached. */
export const LISTING_CACHE_ITEMS = 20_000;

/**
 * Shares one full listing of a target × region between the policies of a run, so two policies
 * over the same fleet cost one listing (the API-efficiency minimum), while memory stays bounded:
 * only the current target × region is kept, only up to LISTING_CACHE_ITEMS, only complete
 * listings, never lookups by id (those confirm vendor state), and a mutation in the scope drops it.
 */
export class ListingCache {
  private scopeKey?: string;
  private readonly lists = new Map<string, unknown[][]>();
  /** Instances changed since their listing was cached: re-read by id when the listing is replayed. */
  private readonly touched = new Set<string>();

  /** Instances the current policy's full listings returned (undefined: it listed none), for "selector matched 0 of N". */
  private listed?: number;

  /** Starts counting listed instances for the next policy of the scope. */
  countListed(): void {
    this.listed = undefined;
  }

  listedInstances(): number | undefined {
    return this.listed;
  }

  /** Called as the run moves to a target × region: earlier scopes' listings are dropped. */
  enter(target: string, region: string): void {
    const key = `${target}|${region}`;
    if (key !== this.scopeKey) this.invalidate();
    this.scopeKey = key;
  }

  /** Something changed at the vendor: the next reader lists afresh. */
  invalidate(): void {
    this.lists.clear();
    this.touched.clear();
  }

  /**
   * These instances changed at the vendor: a replayed instance listing re-reads just them by id
   * (dropping the ones gone), so a second policy sees them as they are now without listing the
   * fleet again. Snapshot listings are dropped whole.
   */
  touch(instanceIds: string[]): void {
    if (!instanceIds.length) return;
    for (const id of instanceIds) this.touched.add(id);
    for (const key of [...this.lists.keys()]) if (key.startsWith('snapshots|')) this.lists.delete(key);
  }

  wrap(client: VendorClient): VendorClient {
    const wrapped: VendorClient = Object.create(client) as VendorClient;
    Object.assign(wrapped, {
      listInstances: (scope: Scope, options: ListInstancesOptions = {}): AsyncIterable<Instance[]> =>
        options.ids?.length
          ? client.listInstances(scope, options)
          : this.counted(
              this.shared(`instances|${JSON.stringify([scope, options])}`, () => client.listInstances(scope, options), (ids) =>
                client.listInstances(scope, { ...options, ids }),
              ),
            ),
      listSnapshots: (scope: Scope, options: { names?: string[]; sourceIds?: string[] } = {}): AsyncIterable<Snapshot[]> =>
        options.names?.length
          ? client.listSnapshots(scope, options)
          : this.shared(`snapshots|${JSON.stringify([scope, options])}`, () => client.listSnapshots(scope, options)),
    });
    return wrapped;
  }

  private async *counted(pages: AsyncIterable<Instance[]>): AsyncGenerator<Instance[]> {
    let n = 0;
    for await (const page of pages) {
      n += page.length;
      yield page;
    }
    this.listed = Math.max(this.listed ?? 0, n);
  }

  private async *shared<T extends { id: string }>(
    key: string,
    list: () => AsyncIterable<T[]>,
    reread?: (ids: string[]) => AsyncIterable<T[]>,
  ): AsyncGenerator<T[]> {
    const cached = this.lists.get(key) as T[][] | undefined;
    if (cached) {
      if (!this.touched.size || !reread) {
        yield* cached;
        return;
      }
      const now = new Map<string, T>();
      for await (const page of reread([...this.touched])) for (const item of page) now.set(item.id, item);
      for (const page of cached) yield page.flatMap((item) => (!this.touched.has(item.id) ? [item] : now.has(item.id) ? [now.get(item.id)!] : []));
      return;
    }
    const pages: T[][] = [];
    let items = 0;
    let keep = true;
    for await (const page of list()) {
      if (keep) {
        items += page.length;
        if (items > LISTING_CACHE_ITEMS) keep = false;
        else pages.push(page);
      }
      yield page;
    }
    // reached only when the consumer read to the end and the vendor reported no error
    if (keep) this.lists.set(key, pages);
  }
}
