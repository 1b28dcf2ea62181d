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
