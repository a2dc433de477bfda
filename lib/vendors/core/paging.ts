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

/** Drains an async listing into one array (small listings only; sweeps go page by page). */
export async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
