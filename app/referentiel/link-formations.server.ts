/**
 * Links effectifs to the catalogue (issue 8, item 6): by CFD, else by RNCP code when one formation carries it.
 * Run after every formations import (importFormations does) and usable after a backfill. Idempotent.
 * Effectifs whose codes are unknown stay unlinked and show in the CFA's data quality (qualiteFormations).
 */
import { sql, type SQL } from "drizzle-orm";
import { execRows, type Database, type Executor } from "../../db/client.server";
import { signalerModification } from "../indicateurs/modifications.server";
import { refreshStatutStorageParLots } from "../statut/storage.server";

export interface LinkResult {
  /** Effectifs (re)linked by CFD. */
  parCfd: number;
  /** Effectifs linked by RNCP (no CFD or an unknown CFD). */
  parRncp: number;
  /** Effectifs left unlinked although they carry a CFD or an RNCP code. */
  codesInconnus: number;
}

export async function linkEffectifsToFormations(database: Database, options: { organismeId?: number } = {}): Promise<LinkResult> {
  const scope = options.organismeId ? sql`and e.organisme_formateur_id = ${options.organismeId}` : sql``;
  return database.db.transaction(async (tx) => {
    const byCfd = await execRows<{ id: number }>(tx, sql`
      update effectifs e set formation_id = f.id, empreinte = null
      from formations f
      where e.formation_cfd is not null and f.cfd = e.formation_cfd and e.formation_id is distinct from f.id ${scope}
      returning e.id`);
    const byRncp = await execRows<{ id: number }>(tx, sql`
      update effectifs e set formation_id = f.id, empreinte = null
      from (select rncp, min(id) as id from formations where rncp is not null group by rncp having count(*) = 1) f
      where e.formation_rncp = f.rncp and e.formation_id is distinct from f.id
        and (e.formation_cfd is null or not exists (select 1 from formations f2 where f2.cfd = e.formation_cfd)) ${scope}
      returning e.id`);
    // The periods carry the formation and its niveau: the relinked learners are refreshed in the same transaction.
    const relies = [...byCfd, ...byRncp].map((r) => Number(r.id));
    await refreshStatutStorageParLots(tx, relies);
    if (relies.length) await signalerModification(tx);
    return { parCfd: byCfd.length, parRncp: byRncp.length, codesInconnus: await countUnknown(tx, scope) };
  });
}

async function countUnknown(tx: Executor, scope: SQL): Promise<number> {
  const [row] = await execRows<{ n: number }>(tx, sql`
    select count(*)::int as n from effectifs e
    where e.formation_id is null and (e.formation_cfd is not null or e.formation_rncp is not null) ${scope}`);
  return row?.n ?? 0;
}
