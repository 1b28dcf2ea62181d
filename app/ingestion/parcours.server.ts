/**
 * The pipeline's statut step. The parcours of each dossier is computed in the pipeline from the dossier itself
 * (exact for a new effectif, and whenever the dossier carries its contracts) and written by the upsert; then
 * `refreshStatutStorage` (app/statut/storage.server.ts) recomputes, inside the same transaction, the stored
 * parcours from the merged row (it rewrites only those that differ: an exclusion date or contracts kept from an
 * earlier transmission), the statut periods and the aggregates.
 */
import { computeParcours, type ParcoursStep } from "../statut/engine";
import { refreshStatutStorage, type EffectifNouveau } from "../statut/storage.server";
import type { DossierV3 } from "./dossier-schema.server";
import type { Executor } from "../../db/client.server";

/** The parcours of a dossier on its own (no stored data merged in). */
export function parcoursOfDossier(d: DossierV3): ParcoursStep[] {
  return computeParcours({
    date_entree_formation: d.date_entree_formation,
    date_fin_formation: d.date_fin_formation,
    date_exclusion_formation: d.date_exclusion_formation,
    contrats: d.contrats,
  });
}

/**
 * The pipeline's single entry point for derived statut data, after writing effectifs and contracts; the effectifs
 * it has just inserted are given as written (not read back).
 */
export async function refreshStatuts(tx: Executor, effectifIds: number[], nouveaux: EffectifNouveau[]): Promise<void> {
  await refreshStatutStorage(tx, effectifIds, nouveaux);
}
