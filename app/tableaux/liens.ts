/** Links between dashboard pages (drill-down by map or table), keeping the month and the filters. Browser-safe. */
import { FILTER_PARAMS } from "../indicateurs/filters";
import type { TableauPage } from "./types";
import { CHEMIN_NIVEAU, PARAMETRES_TERRITOIRE, PERIMETRE, avecParametres, rechercheTransmise, type NiveauTerritoire } from "./vues";

/** The page of a territory (or this page filtered on it), or null when territories are not links here. */
export function lienTerritoire(page: Pick<TableauPage, "liens" | "recherche" | "info">, niveau: NiveauTerritoire, code: string): string | null {
  switch (page.liens) {
    case "aucun":
      return null;
    case "page":
      // a territory's page is not one of the public figures of all France (`perimetre=france`, decision 037)
      return `/${CHEMIN_NIVEAU[niveau]}/${code}${rechercheTransmise(page.recherche, [...PARAMETRES_TERRITOIRE, "bassin", PERIMETRE])}`;
    case "filtre": {
      const reste = rechercheTransmise(page.recherche, [...PARAMETRES_TERRITOIRE, "bassin"]);
      return page.info.chemin + avecParametres(reste, { [niveau]: code });
    }
  }
}

/**
 * The query of a link to another dashboard that fixes `fixes` itself (its organisme, its formation): this page's month
 * and filters without those (a repeated filter would contradict the target's own, decision 023), and this page's own
 * subject as a filter (`info.filtre`: its territory, organisme or formation) unless the target fixes it or the
 * address already narrows it (an organisme page filtered on one of its formateurs keeps that formateur). The figure
 * clicked is then the one of the page reached.
 */
function rechercheVers(page: Pick<TableauPage, "recherche" | "info">, fixes: readonly string[]): string {
  const reste = rechercheTransmise(page.recherche, fixes);
  const dejaLa = new URLSearchParams(reste);
  const contexte = Object.entries(page.info.filtre).filter(([k]) => !fixes.includes(k) && !dejaLa.has(k));
  return avecParametres(reste, Object.fromEntries(contexte));
}

/**
 * An organisme's dashboard: the month and the filters of this page (territory, learners, formation: a formation's
 * page gives its code), not the `organisme` filter, which the target page fixes.
 */
export function lienOrganisme(page: Pick<TableauPage, "recherche" | "info">, id: number): string {
  // an organisme's figures are never the public figures of all France (`perimetre=france`, decision 037)
  return `/organismes/${id}/tableau-de-bord${rechercheVers(page, [FILTER_PARAMS.organisme, PERIMETRE])}`;
}

/**
 * A formation's dashboard: the month and the filters of this page, the page's territory or organisme becoming a
 * filter (`region=84`, `organisme=<SIRET>`); not the formation filters, which the target page fixes.
 */
export function lienFormation(page: Pick<TableauPage, "recherche" | "info">, id: number): string {
  return `/formations/${id}/tableau-de-bord${rechercheVers(page, [FILTER_PARAMS.cfd, FILTER_PARAMS.rncp])}`;
}
