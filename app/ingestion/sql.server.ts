/**
 * Small helpers to run raw SQL inside a drizzle transaction whatever the driver (postgres.js answers an array,
 * PGlite an object with `rows`).
 */
import type { SQL } from "drizzle-orm";

export interface Executor {
  execute(query: SQL): Promise<unknown>;
}

export async function execRows<T = Record<string, unknown>>(executor: Executor, query: SQL): Promise<T[]> {
  const result = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** PostgreSQL error codes worth retrying the whole transaction for: deadlock, serialization failure. */
export function isRetryableDbError(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  return code === "40P01" || code === "40001";
}
