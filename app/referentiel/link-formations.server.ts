/**
 * Links effectifs to the catalogue (issue 8, item 6): by CFD, else by RNCP code when one formation carries it.
 * Run after every formations import (importFormations does) and usable after a backfill. Idempotent.
 * Effectifs whose codes are unknown stay unlinked and show in the CFA's data quality (qualiteFormations).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { signalerModification } from "../indicateurs/modifications.server";
import { refreshStatutStorage } from "../statut/storage.server";

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

function idsOf(result: unknown): number[] {
  const rows = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  const ids = (rows[0] as { ids?: unknown } | undefined)?.ids;
  if (Array.isArray(ids)) return ids.map(Number);
  // an int[] may come back in its text form, depending on the driver
  return typeof ids === "string" ? ids.replace(/[{}]/g, "").split(",").filter(Boolean).map(Number) : [];
}

export async function linkEffectifsToFormations(database: Database, options: { organismeId?: number } = {}): Promise<LinkResult> {
  const scope = options.organismeId ? sql`and e.organisme_formateur_id = ${options.organismeId}` : sql``;
  return database.db.transaction(async (tx) => {
    const byCfd = await tx.execute(sql`
      with u as (update effectifs e set formation_id = f.id
      from formations f
      where e.formation_cfd is not null and f.cfd = e.formation_cfd and e.formation_id is distinct from f.id ${scope}
      returning e.id) select count(*)::int as n, coalesce(array_agg(id), '{}') as ids from u`);
    const byRncp = await tx.execute(sql`
      with u as (update effectifs e set formation_id = f.id
      from (select rncp, min(id) as id from formations where rncp is not null group by rncp having count(*) = 1) f
      where e.formation_rncp = f.rncp and e.formation_id is distinct from f.id
        and (e.formation_cfd is null or not exists (select 1 from formations f2 where f2.cfd = e.formation_cfd)) ${scope}
      returning e.id) select count(*)::int as n, coalesce(array_agg(id), '{}') as ids from u`);
    // The periods carry the formation and its niveau: the relinked learners are refreshed in the same transaction.
    const relies = [...idsOf(byCfd), ...idsOf(byRncp)];
    for (let i = 0; i < relies.length; i += 5000) await refreshStatutStorage(tx as never, relies.slice(i, i + 5000));
    if (relies.length) await signalerModification(tx as never);
    return { parCfd: count(byCfd), parRncp: count(byRncp), codesInconnus: await countUnknown(tx as never, scope) };
  });
}

async function countUnknown(tx: { execute: (q: ReturnType<typeof sql>) => Promise<unknown> }, scope: ReturnType<typeof sql>): Promise<number> {
  const result = await tx.execute(sql`
    select count(*)::int as n from effectifs e
    where e.formation_id is null and (e.formation_cfd is not null or e.formation_rncp is not null) ${scope}`);
  return count(result);
}
