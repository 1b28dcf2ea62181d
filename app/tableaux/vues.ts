/**
 * The dashboards' pages ("vues") and their URLs, shared by the server (page.server.ts) and the components.
 * Pure and browser-safe.
 *
 *   /                                      national (or the viewer's own scope when it is not national)
 *   /regions/84  /departements/69  /academies/10
 *   /organismes/:id/tableau-de-bord        an organisme (and its formateurs)
 *   /formations/:id/tableau-de-bord        a formation (CFD, else RNCP)
 *
 * Query string: `mois=AAAA-MM` and the filters of app/indicateurs/filters.ts; `territoire=region:84` (the filter
 * panel's territory choice: a page change, or a filter on the formation page), `cfa=<nom, UAI ou SIRET>` and
 * `formation=<CFD, RNCP ou intitulé>` (searches turned into the `organisme` / `cfd` / `rncp` filters); the tables'
 * sort and page: `tri_o`, `ordre_o`, `page_o` (organismes) and `tri_f`, `ordre_f`, `page_f` (formations).
 * `perimetre=france` (national and formation pages): a signed-in viewer whose scope is not national sees the public
 * figures of all France (decision 037); `territoire=france` is the panel's choice of them.
 */

export type NiveauTerritoire = "region" | "departement" | "academie";

export type Vue =
  | { kind: "national" }
  | { kind: NiveauTerritoire; code: string }
  | { kind: "organisme"; id: number }
  | { kind: "formation"; id: number };

export const CHEMIN_NIVEAU: Record<NiveauTerritoire, string> = {
  region: "regions",
  departement: "departements",
  academie: "academies",
};

export function cheminVue(vue: Vue): string {
  switch (vue.kind) {
    case "national":
      return "/";
    case "region":
    case "departement":
    case "academie":
      return `/${CHEMIN_NIVEAU[vue.kind]}/${vue.code}`;
    case "organisme":
      return `/organismes/${vue.id}/tableau-de-bord`;
    case "formation":
      return `/formations/${vue.id}/tableau-de-bord`;
  }
}

/** `vue=` parameter of the CSV / JSON resource routes: "national", "region:84", "organisme:12"… */
export function vueEnParametre(vue: Vue): string {
  switch (vue.kind) {
    case "national":
      return "national";
    case "organisme":
    case "formation":
      return `${vue.kind}:${vue.id}`;
    default:
      return `${vue.kind}:${vue.code}`;
  }
}

/** Parameters of the tables (sort, order, page): not carried over when the filters change. */
export const PARAMETRES_TABLES = ["tri_o", "ordre_o", "page_o", "tri_f", "ordre_f", "page_f"] as const;
/** Parameters of the filter panel's searches (turned into filters by the loader). */
export const PARAMETRES_RECHERCHE = ["territoire", "cfa", "formation"] as const;
export const PARAMETRES_TERRITOIRE = ["region", "departement", "academie"] as const;

/**
 * `perimetre=`: whose figures a page shows (decision 037): « mien », the default, the viewer's perimeter; « france »,
 * the public figures of all France. The répertoire reads the same parameter and values (its default: all of it).
 */
export const PERIMETRE = "perimetre";
export const PERIMETRE_FRANCE = "france";

/** The values of `perimetre=` in an address, empty ones left out. */
export function perimetresDemandes(params: URLSearchParams): string[] {
  return params.getAll(PERIMETRE).filter((v) => v !== "");
}

/** A query string ("?a=1" or "") from params, dropping empty values. */
export function chaineRequete(params: URLSearchParams): string {
  const p = new URLSearchParams();
  for (const [k, v] of params) if (v !== "") p.append(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The search with some params changed (undefined / null / "" removes them). */
export function avecParametres(search: string, changes: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === "") p.delete(k);
    else p.set(k, String(v));
  }
  return chaineRequete(p);
}

/** The search kept when leaving for another dashboard page: month and filters, without the tables' state. */
export function rechercheTransmise(search: string, sans: readonly string[] = []): string {
  const p = new URLSearchParams(search);
  for (const k of [...PARAMETRES_TABLES, ...PARAMETRES_RECHERCHE, ...sans]) p.delete(k);
  return chaineRequete(p);
}

// ---------------------------------------------------------------------------------------------- tables

export const COLONNES_COMPTES = ["apprenants", "apprentis", "inscritsSansContrat", "rupturants", "abandons", "finsDeFormation"] as const;
export type ColonneCompte = (typeof COLONNES_COMPTES)[number];
export const TRIS_TABLE = ["libelle", ...COLONNES_COMPTES] as const;
export type TriTable = (typeof TRIS_TABLE)[number];
export const LIGNES_PAR_PAGE = 20;

export const LIBELLES_COMPTES: Record<ColonneCompte, string> = {
  apprenants: "Apprenants",
  apprentis: "Apprentis",
  inscritsSansContrat: "Inscrits sans contrat",
  rupturants: "Rupturants",
  abandons: "Abandons",
  finsDeFormation: "Fins de formation",
};

export const DEFINITIONS_COMPTES: Record<ColonneCompte, string> = {
  apprenants: "Apprentis, inscrits sans contrat et rupturants",
  apprentis: "En contrat d'apprentissage à la date",
  inscritsSansContrat: "En formation, sans contrat depuis 90 jours au plus",
  rupturants: "Contrat rompu depuis 180 jours au plus, sans nouveau contrat",
  abandons: "Exclus, ou délais de recherche de contrat dépassés",
  finsDeFormation: "Formation terminée",
};
