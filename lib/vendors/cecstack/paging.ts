import { paginate, PagingError } from '../core';
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
 * Walks every page. `totalIs` follows each endpoint's own table: a record count (most lists), or the
 * number of pages (the recycle bin, "总页数", seed 003 L13117). Stops when the total is reached, or on
 * an empty page (or a short one when no total is given). Never caps silently: a short page while the
 * total says more remain means the server clamped our page size, and the listing fails rather than
 * skipping records.
 */
export function listPages<T>(
  style: PagingStyle,
  pageSize: number,
  fetchPage: (query: [string, QueryValue][]) => Promise<FetchedPage<T>>,
  what: string,
  totalIs: 'records' | 'pages' = 'records',
): AsyncGenerator<T[]> {
  let seen = 0;
  return paginate<T, number>(
    async (cursor) => {
      const page = cursor ?? 1;
      const { items, total } = await fetchPage(pageQuery(style, page, pageSize));
      seen += items.length;
      const short = items.length < pageSize;
      const remain = total === undefined ? undefined : totalIs === 'pages' ? page < total : seen < total;
      if (remain && short && items.length > 0) {
        throw new PagingError(
          `${what}: page ${page} held ${items.length} of ${pageSize} records while the reported total (${total} ${totalIs}) says more remain; the server capped the page size, refusing a partial view`,
        );
      }
      const more = remain !== undefined ? remain && items.length > 0 : !short;
      return { items, next: more ? page + 1 : undefined };
    },
    { what },
  );
}
