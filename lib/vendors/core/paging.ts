export interface Page<TItem, TCursor> {
  items: TItem[];
  /** The cursor for the next page; absent on the last page. */
  next?: TCursor;
}

export class PagingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PagingError';
  }
}

/**
 * Walks a listing page by page (callers pass the largest documented page size). Never caps
 * silently: past `maxPages`, or when the vendor hands back the same cursor twice, it throws, and
 * the caller's scope gets no destructive action.
 */
export async function* paginate<TItem, TCursor>(
  fetchPage: (cursor: TCursor | undefined) => Promise<Page<TItem, TCursor>>,
  options: { maxPages?: number; what?: string } = {},
): AsyncGenerator<TItem[]> {
  const maxPages = options.maxPages ?? 100_000;
  const seen = new Set<string>();
  let cursor: TCursor | undefined;
  for (let pages = 1; ; pages++) {
    if (pages > maxPages) {
      throw new PagingError(`${options.what ?? 'listing'} exceeded ${maxPages} pages; refusing to continue with a partial view`);
    }
    const page = await fetchPage(cursor);
    yield page.items;
    if (page.next === undefined) return;
    const key = JSON.stringify(page.next);
    if (seen.has(key)) throw new PagingError(`${options.what ?? 'listing'} returned cursor ${key} twice`);
    seen.add(key);
    cursor = page.next;
  }
}

/** Offset/limit paging (Tencent Offset/Limit, Alibaba PageNumber/PageSize, CECSTACK pages). */
export function offsetPages<TItem>(
  fetch: (offset: number, limit: number) => Promise<{ items: TItem[]; total?: number }>,
  limit: number,
  options: { maxPages?: number; what?: string } = {},
): AsyncGenerator<TItem[]> {
  return paginate<TItem, number>(async (cursor) => {
    const offset = cursor ?? 0;
    const { items, total } = await fetch(offset, limit);
    const next = offset + items.length;
    const more = total !== undefined ? next < total && items.length > 0 : items.length === limit;
    return { items, next: more ? next : undefined };
  }, options);
}

/**
 * 1-based page-number paging (Alibaba PageNumber/PageSize, seed 001 L1716): the page number is counted,
 * never derived from the items received, so a short page cannot skew it. Ends when the reported
 * total is reached, or on an empty page. An id seen twice, a total that moves during the listing, or
 * an empty page before the total is reached is a read failure: the caller's scope gets no destructive action.
 */
export async function* numberedPages<TItem>(
  fetch: (page: number) => Promise<{ items: TItem[]; total?: number }>,
  idOf: (item: TItem) => string,
  options: { maxPages?: number; what?: string } = {},
): AsyncGenerator<TItem[]> {
  const what = options.what ?? 'listing';
  const maxPages = options.maxPages ?? 100_000;
  const seen = new Set<string>();
  let first: number | undefined;
  for (let page = 1; ; page++) {
    if (page > maxPages) throw new PagingError(`${what} exceeded ${maxPages} pages; refusing to continue with a partial view`);
    const { items, total } = await fetch(page);
    if (total !== undefined) {
      if (first === undefined) first = total;
      else if (total !== first) throw new PagingError(`${what}: the total moved from ${first} to ${total} during the listing; refusing a view that may hold duplicates or gaps`);
    }
    for (const item of items) {
      const id = idOf(item);
      if (seen.has(id)) throw new PagingError(`${what}: ${id} came back twice (page ${page}); refusing a view that may hold duplicates or gaps`);
      seen.add(id);
    }
    if (items.length) yield items;
    if (first !== undefined && seen.size > first) throw new PagingError(`${what}: ${seen.size} items listed while the total says ${first}; refusing an inconsistent view`);
    if (first !== undefined && seen.size === first) return;
    if (!items.length) {
      if (first !== undefined) throw new PagingError(`${what}: page ${page} is empty after ${seen.size} of ${first} items; refusing a partial view`);
      return;
    }
  }
}

/** `*` matches any run of characters; everything else literally. */
export function nameGlob(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** Drains an async listing into one array (small listings only; sweeps go page by page). */
export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
