/**
 * Recomputes the stored parcours of effectifs from their stored dates and contracts (statut engine), inside the
 * caller's transaction. Set-based: one read, one update, whatever the number of effectifs.
 *
 * Stand-in until `app/statut/storage.server.ts` (refreshStatutStorage) is available: the pipeline calls
 * `refreshStatuts`, which is the single place to switch.
 */
import { sql } from "drizzle-orm";
import { computeParcours, type ContratDates } from "../statut/engine";
import { execRows, type Executor } from "./sql.server";

interface Row {
  id: number;
  date_entree_formation: string;
  date_fin_formation: string;
  date_exclusion_formation: string | null;
  contrats: ContratDates[] | string;
}

export async function refreshParcours(tx: Executor, effectifIds: number[]): Promise<void> {
  if (effectifIds.length === 0) return;
  const rows = await execRows<Row>(
    tx,
    sql`select e.id,
               e.date_entree_formation::text as date_entree_formation,
               e.date_fin_formation::text as date_fin_formation,
               e.date_exclusion_formation::text as date_exclusion_formation,
               coalesce((select json_agg(json_build_object('date_debut', c.date_debut, 'date_fin', c.date_fin,
                                                           'date_rupture', c.date_rupture) order by c.rang)
                         from contrats c where c.effectif_id = e.id), '[]'::json) as contrats
        from effectifs e
        where e.id in (select (jsonb_array_elements_text(${JSON.stringify(effectifIds)}::jsonb))::int)`,
  );
  const updates = rows.map((r) => ({
    id: r.id,
    parcours: computeParcours({
      date_entree_formation: r.date_entree_formation,
      date_fin_formation: r.date_fin_formation,
      date_exclusion_formation: r.date_exclusion_formation,
      contrats: typeof r.contrats === "string" ? (JSON.parse(r.contrats) as ContratDates[]) : r.contrats,
    }),
  }));
  updates.sort((a, b) => a.id - b.id);
  await tx.execute(sql`
    update effectifs e set parcours = r.parcours
    from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as r(id int, parcours jsonb)
    where e.id = r.id`);
}

/** The pipeline's single entry point for derived statut data. */
export async function refreshStatuts(tx: Executor, effectifIds: number[]): Promise<void> {
  await refreshParcours(tx, effectifIds);
}
