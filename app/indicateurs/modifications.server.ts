/**
 * "The figures changed": every write that changes what the dashboards show (statut periods and aggregates,
 * organismes' transmission times, the référentiel) sends a PostgreSQL notification on `CANAL_MODIFICATIONS`.
 * Sent inside the writer's transaction, it is delivered at commit only (never for a rolled-back write), to every
 * process listening on the database: the dashboards' cache (app/tableaux/cache.server.ts) empties itself on it, so
 * that what was posted is on the dashboard as soon as it is committed.
 */
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/client.server";

export const CANAL_MODIFICATIONS = "donnees_modifiees";

export async function signalerModification(executor: Executor): Promise<void> {
  await executor.execute(sql`select pg_notify(${CANAL_MODIFICATIONS}, '')`);
}
