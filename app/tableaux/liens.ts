/** Links between dashboard pages (drill-down by map or table), keeping the month and the filters. Browser-safe. */
import type { TableauPage } from "./types";
import { CHEMIN_NIVEAU, PARAMETRES_TERRITOIRE, avecParametres, rechercheTransmise, type NiveauTerritoire } from "./vues";

/** The page of a territory (or this page filtered on it), or null when territories are not links here. */
export function lienTerritoire(page: Pick<TableauPage, "liens" | "recherche" | "info">, niveau: NiveauTerritoire, code: string): string | null {
  switch (page.liens) {
    case "aucun":
      return null;
    case "page":
      return `/${CHEMIN_NIVEAU[niveau]}/${code}${rechercheTransmise(page.recherche, [...PARAMETRES_TERRITOIRE, "bassin"])}`;
    case "filtre": {
      const reste = rechercheTransmise(page.recherche, [...PARAMETRES_TERRITOIRE, "bassin"]);
      return page.info.chemin + avecParametres(reste, { [niveau]: code });
    }
  }
}

/** An organisme's dashboard: the month and the learner filters (not the territory, réseau or organisme ones). */
export function lienOrganisme(page: Pick<TableauPage, "recherche">, id: number): string {
  return `/organismes/${id}/tableau-de-bord${rechercheTransmise(page.recherche, [...PARAMETRES_TERRITOIRE, "bassin", "organisme", "reseau", "nature"])}`;
}

/** A formation's dashboard: the month and the filters, the page's territory becoming a filter. */
export function lienFormation(page: Pick<TableauPage, "recherche" | "info">, id: number): string {
  const reste = rechercheTransmise(page.recherche, ["cfd", "rncp"]);
  const v = page.info.vue;
  const territoire = v.kind === "region" || v.kind === "departement" || v.kind === "academie" ? { [v.kind]: v.code } : {};
  return `/formations/${id}/tableau-de-bord${avecParametres(reste, territoire)}`;
}
