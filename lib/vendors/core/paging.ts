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

/**
 * Pages a listing asks for before its consumer wants them, once the total says they exist
 * (sim/DECISIONS.md "Calls in flight"): with five in flight a listing keeps Tencent's 40 requests a
 * second up to a 125 ms round trip, where one at a time tops out at 8. Memory stays a few pages.
 */
export const PAGES_AHEAD = 4;

/**
 * Offset/limit paging (Tencent Offset/Limit). Once the first page gives the total, the next
 * `readAhead` pages (default `PAGES_AHEAD`) are requested before the consumer asks for them, so a
 * rate-limited listing is paced by the limiter, not by the round trip. Pages still arrive in
 * order, at most `readAhead + 1` are held, none is asked past the total, and a short page (fewer
 * items than asked while more remain) drops the pages fetched ahead and goes on from where it ended.
 */
export async function* offsetPages<TItem>(
  fetch: (offset: number, limit: number) => Promise<{ items: TItem[]; total?: number }>,
  limit: number,
  options: { maxPages?: number; what?: string; readAhead?: number } = {},
): AsyncGenerator<TItem[]> {
  const maxPages = options.maxPages ?? 100_000;
  const readAhead = options.readAhead ?? PAGES_AHEAD;
  const what = options.what ?? 'listing';
  const ahead: { offset: number; answer: Promise<{ items: TItem[]; total?: number }> }[] = [];
  const ask = (offset: number) => {
    const answer = fetch(offset, limit);
    answer.catch(() => undefined); // awaited below, or abandoned when the consumer stops early
    return { offset, answer };
  };
  let next = 0; // the offset the next page must start at
  let planned = 0; // the offset of the next request to send
  let total: number | undefined;
  for (let pages = 1; ; pages++) {
    if (pages > maxPages) throw new PagingError(`${what} exceeded ${maxPages} pages; refusing to continue with a partial view`);
    if (ahead[0] && ahead[0].offset !== next) ahead.length = 0; // after a short page the pages ahead start at the wrong place
    if (!ahead.length) {
      ahead.push(ask(next));
      planned = next + limit;
    }
    while (total !== undefined && ahead.length <= readAhead && planned < total) {
      ahead.push(ask(planned));
      planned += limit;
    }
    const { offset, answer } = ahead.shift()!;
    const { items, total: reported } = await answer;
    total = reported;
    yield items;
    const after = offset + items.length;
    const more = total !== undefined ? after < total && items.length > 0 : items.length === limit;
    if (!more) return;
    if (after <= next && pages > 1) throw new PagingError(`${what} returned offset ${after} twice`);
    next = after;
  }
}

/**
 * 1-based page-number paging (Alibaba PageNumber/PageSize, seed 001 L1716): the page number is counted,
 * never derived from the items received, so a short page cannot skew it. Ends when the reported
 * total is reached, or on an empty page. An id seen twice, a total that moves during the listing, or
 * an empty page before the total is reached is a read failure: the caller's scope gets no destructive action.
 * Once the total is known, up to `PAGES_AHEAD` further pages are asked for before the consumer
 * wants them (`pagesAhead`), never one past the total.
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
  const ahead = pagesAhead(fetch);
  for (let page = 1; ; page++) {
    if (page > maxPages) throw new PagingError(`${what} exceeded ${maxPages} pages; refusing to continue with a partial view`);
    const { items, total } = await ahead.take(page);
    if (total !== undefined) {
      if (first === undefined) first = total;
      else if (total !== first) throw new PagingError(`${what}: the total moved from ${first} to ${total} during the listing; refusing a view that may hold duplicates or gaps`);
    }
    for (const item of items) {
      const id = idOf(item);
      if (seen.has(id)) throw new PagingError(`${what}: ${id} came back twice (page ${page}); refusing a view that may hold duplicates or gaps`);
      seen.add(id);
    }
    if (items.length && first !== undefined && seen.size < first) ahead.askAfter(page, items.length, first - seen.size, maxPages);
    if (items.length) yield items;
    if (first !== undefined && seen.size > first) throw new PagingError(`${what}: ${seen.size} items listed while the total says ${first}; refusing an inconsistent view`);
    if (first !== undefined && seen.size === first) return;
    if (!items.length) {
      if (first !== undefined) throw new PagingError(`${what}: page ${page} is empty after ${seen.size} of ${first} items; refusing a partial view`);
      return;
    }
  }
}

/**
 * The pages of a numbered listing asked for ahead of its consumer. `askAfter(page, size, left)`:
 * page `page` held `size` items and `left` remain, so the next ⌈left / size⌉ pages exist; up to
 * `PAGES_AHEAD` of them are asked for now (a server that holds shorter pages than asked still
 * numbers them by its own size, the longest page seen). `take(n)` answers page n, asking for it if nobody has. A page
 * asked for ahead that fails after the consumer stopped is no unhandled rejection.
 */
export function pagesAhead<T>(fetch: (page: number) => Promise<T>) {
  const asked = new Map<number, Promise<T>>();
  let longest = 0;
  const ask = (page: number) => {
    let answer = asked.get(page);
    if (!answer) {
      answer = fetch(page);
      answer.catch(() => undefined); // awaited by take, or abandoned when the consumer stops early
      asked.set(page, answer);
    }
    return answer;
  };
  return {
    take(page: number): Promise<T> {
      const answer = ask(page);
      asked.delete(page);
      return answer;
    },
    askAfter(page: number, size: number, left: number, maxPages = Number.POSITIVE_INFINITY) {
      longest = Math.max(longest, size); // the server's page size: a short page never makes more pages seem to exist
      const last = Math.min(page + Math.ceil(left / longest), page + PAGES_AHEAD, maxPages);
      for (let p = page + 1; p <= last; p++) ask(p);
    },
  };
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
