/**
 * Links effectifs to the catalogue (issue 8, item 6): by CFD, else by RNCP code when one formation carries it.
 * Run after every formations import (importFormations does) and usable after a backfill. Idempotent.
 * Effectifs whose codes are unknown stay unlinked and show in the CFA's data quality (qualiteFormations).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";

export interface LinkResult {
  /** Effectifs (re)linked by CFD. */
  parCfd: number;
  /** Effectifs linked by RNCP (no CFD or an unknown CFD). */
  parRncp: number;
  /** Effectifs left unlinked although they carry a CFD or an RNCP code. */
  codesInconnus: number;
}

function count(result: unknown): number {
  const rows = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  return (rows[0] as { n: number } | undefined)?.n ?? 0;
}

export async function linkEffectifsToFormations(database: Database, options: { organismeId?: number } = {}): Promise<LinkResult> {
  const scope = options.organismeId ? sql`and e.organisme_formateur_id = ${options.organismeId}` : sql``;
  return database.db.transaction(async (tx) => {
    const byCfd = await tx.execute(sql`
      with u as (update effectifs e set formation_id = f.id
      from formations f
      where e.formation_cfd is not null and f.cfd = e.formation_cfd and e.formation_id is distinct from f.id ${scope}
      returning 1) select count(*)::int as n from u`);
    const byRncp = await tx.execute(sql`
      with u as (update effectifs e set formation_id = f.id
      from (select rncp, min(id) as id from formations where rncp is not null group by rncp having count(*) = 1) f
      where e.formation_rncp = f.rncp and e.formation_id is distinct from f.id
        and (e.formation_cfd is null or not exists (select 1 from formations f2 where f2.cfd = e.formation_cfd)) ${scope}
      returning 1) select count(*)::int as n from u`);
    return { parCfd: count(byCfd), parRncp: count(byRncp), codesInconnus: await countUnknown(tx as never, scope) };
  });
}

async function countUnknown(tx: { execute: (q: ReturnType<typeof sql>) => Promise<unknown> }, scope: ReturnType<typeof sql>): Promise<number> {
  const result = await tx.execute(sql`
    select count(*)::int as n from effectifs e
    where e.formation_id is null and (e.formation_cfd is not null or e.formation_rncp is not null) ${scope}`);
  return count(result);
}
