import { pagesAhead, PagingError } from '../core';
import type { QueryValue } from './codec';

/**
 * The three paging families of seed 003 (digest §2.3), behind one helper:
 * - pageNumber/pageSize → `totalCount` (instances L6016, snapshots L10811, policies L11160)
 * - current/size        → `{size, current, total, list}` (recycle bin L13092ff; `total` is the page count, L13117)
 * - pageIndex/pageSize  → `count` (ssh keys L8801, scheduler L10540)
 * Pages are 1-based in every sample. The query parameters are emitted in the samples' order.
 */
export type PagingStyle = 'pageNumber' | 'current' | 'pageIndex';

export function pageQuery(style: PagingStyle, page: number, size: number): [string, QueryValue][] {
  switch (style) {
    case 'pageNumber':
      return [['pageSize', size], ['pageNumber', page]]; // seed 003 L10853, L11202
    case 'current':
      return [['current', page], ['size', size]]; // seed 003 L13145
    case 'pageIndex':
      return [['pageSize', size], ['pageIndex', page]]; // seed 003 L8833, L10571
  }
}

export interface FetchedPage<T> {
  items: T[];
  /** What the vendor reports as `total`/`totalCount`: records, or pages where the endpoint's table says so. */
  total?: number;
}

/**
 * Walks every page, counting pages (never deriving them from the items received). `totalIs` follows
 * each endpoint's own table: a record count (most lists), or the number of pages (the recycle bin,
 * "总页数", seed 003 L13117). A page shorter than asked is not the end while the total says more
 * remain (a server that holds smaller pages, D5); the listing ends when the total is reached, on an
 * empty page, or (with no total) on a short page. Never a silent gap: an empty page before the
 * record total is reached, an id seen twice, or more records than the total fail the listing.
 * Once a total says more pages exist, up to `PAGES_AHEAD` of them are asked for before they are
 * wanted (core `pagesAhead`); none past the total.
 */
export async function* listPages<T>(
  style: PagingStyle,
  pageSize: number,
  fetchPage: (query: [string, QueryValue][]) => Promise<FetchedPage<T>>,
  what: string,
  totalIs: 'records' | 'pages' = 'records',
  idOf?: (item: T) => string,
  maxPages = 100_000,
): AsyncGenerator<T[]> {
  let seen = 0;
  const ids = new Set<string>();
  const ahead = pagesAhead((page: number) => fetchPage(pageQuery(style, page, pageSize)));
  for (let page = 1; ; page++) {
    if (page > maxPages) throw new PagingError(`${what} exceeded ${maxPages} pages; refusing to continue with a partial view`);
    const { items, total } = await ahead.take(page);
    seen += items.length;
    for (const item of items) {
      const id = idOf?.(item);
      if (id === undefined) continue;
      if (ids.has(id)) throw new PagingError(`${what}: ${id} came back twice (page ${page}); refusing a view that may hold duplicates or gaps`);
      ids.add(id);
    }
    if (total !== undefined && totalIs === 'records') {
      if (seen > total) throw new PagingError(`${what}: ${seen} records listed while the total says ${total}; refusing an inconsistent view`);
      if (!items.length && seen < total) throw new PagingError(`${what}: page ${page} is empty after ${seen} of ${total} records; refusing a partial view`);
    }
    const more = !items.length ? false : total === undefined ? items.length >= pageSize : totalIs === 'pages' ? page < total : seen < total;
    if (more && total !== undefined) {
      // pages still to come: by records, at the server's page size; by pages, as the table says
      if (totalIs === 'records') ahead.askAfter(page, items.length, total - seen, maxPages);
      else ahead.askAfter(page, 1, total - page, maxPages);
    }
    yield items;
    if (!more) return;
  }
}
