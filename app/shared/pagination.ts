/** Pages of a list: what a paged query returns, and the arithmetic around it. Pure: safe in browser code. */

export interface Page<T> {
  data: T[];
  pagination: { page: number; limit: number; total: number; pages: number };
}

export function pageOf<T>(data: T[], total: number, page: number, limit: number): Page<T> {
  return { data, pagination: { page, limit, total, pages: Math.max(1, Math.ceil(total / limit)) } };
}

/** A page number read from a query parameter: a whole number from 1 to `max`, 1 when absent or not a number. */
export function pageNumber(value: unknown, max = 100_000): number {
  return Math.max(1, Math.min(max, Math.floor(Number(value)) || 1));
}

/**
 * The total of a page whose rows carry `count(*) over ()`: its first row's; for a page past the end, which has no row
 * to carry it, `count()`.
 */
export async function totalOf(rows: readonly { total: number }[], offset: number, count: () => Promise<number>): Promise<number> {
  return rows.length > 0 || offset === 0 ? (rows[0]?.total ?? 0) : count();
}

/**
 * The page `page` of a list, or its last page when `page` is past the end (an old link, a list that shrank, a typed
 * number): as every paged list of the app, the pages show the last page rather than an empty one whose count says
 * otherwise. `load` reads one page (its `pagination.pages` is the number of pages); it is called a second time only
 * past the end. Not for the API, whose clients page until an empty page.
 */
export async function pageOrLast<P extends { pagination: { page: number; pages: number } }>(page: number, load: (page: number) => Promise<P>): Promise<P> {
  const first = await load(page);
  return first.pagination.page > first.pagination.pages ? load(first.pagination.pages) : first;
}
