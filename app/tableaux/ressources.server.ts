/**
 * The dashboards' data as files: `/tableau.json` (the page's figures, or one whole table) and `/tableau.csv`
 * (one table: organismes, formations, chiffres, serie), with the page's parameters plus `vue=` (national,
 * region:84, departement:69, academie:10, organisme:<id>, formation:<id>). Same policy as the pages (they share
 * chargerTableau): masked for the public, the public's figures for a signed-in user asking for another région
 * (`horsPerimetre` says so in the JSON) and for a signed-in user asking the public figures of all France
 * (`perimetre=france` with vue=national or formation:<id>, decision 037; `chiffresPublicsDemandes` says so), 403 outside the viewer's rights — as JSON for the JSON route — with
 * no figure in it; a bad parameter is a 400 (no figures), not ignored as on the pages, and so is a parameter they do
 * not read: `date=` (a dashboard counts by month: `mois=AAAA-MM`), the panel's searches, an unknown name.
 * For reuse: months "AAAA-MM" (the format of mois=), counts as plain integers; dates "AAAA-MM-JJ" (ISO 8601) in the
 * JSON, JJ/MM/AAAA in the CSV, as Excel in French reads them (decision 019); the labels (statuts, niveaux,
 * territories) are the pages'. The pages' own tables and charts' CSV are in French.
 * A CSV names what it counts (fichiers.ts), as the national exports do: its name says the territory or subject,
 * the scope, the filters and the month ("region-84-niveau-5-2026-03-organismes.csv", never « national » for a
 * région's figures), and its last column, « Filtres », says them in French on every row.
 * Organismes and formations are given by their public codes (SIRET and UAI; CFD and RNCP) and names, never by a
 * database id (docs/decisions/020): the one place an id remains is `vue` ("organisme:123"), the value of these
 * routes' own `vue=` parameter that opens that line's dashboard — the JSON body's `vue` names its page the same way.
 */
import { dateValue, toCsv, type CsvValue } from "../shared/csv";
import { chargerTableau, vueDeParametre } from "./page.server";
import type { Comptes, LigneFormation, LigneOrganisme, Resultat, TableTriee, TableauPage } from "./types";
import { COLONNES_COMPTES, LIBELLES_COMPTES, PARAMETRES_RECHERCHE, PARAMETRES_TABLES, PERIMETRE, vueEnParametre } from "./vues";
import { FILTER_PARAMS, parametresInconnus } from "../indicateurs/filters";
import type { Database } from "../../db/client.server";
import { avecColonneFiltres } from "../ui/format";

export const TABLES_CSV = ["organismes", "formations", "chiffres", "serie"] as const;
export type TableCsv = (typeof TABLES_CSV)[number];

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "private, no-store" };
const TEXT_HEADERS = { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "private, no-store" };

function erreur(format: "json" | "csv", status: number, message: string): Response {
  return format === "json"
    ? new Response(JSON.stringify({ erreur: message }), { status, headers: JSON_HEADERS })
    : new Response(message, { status, headers: TEXT_HEADERS });
}

/** The filter panel's searches (the HTML form's): refused here, with the parameter to use instead. */
const RECHERCHES: Record<(typeof PARAMETRES_RECHERCHE)[number], string> = {
  territoire: "recherche du formulaire de la page, non lue ici : utilisez vue=region:84 (departement:69, academie:10) ou les filtres region=, departement=, academie=",
  cfa: "recherche du formulaire de la page, non lue ici : utilisez organisme=<SIRET ou UAI>",
  formation: "recherche du formulaire de la page, non lue ici : utilisez cfd= ou rncp=",
};

/** The parameters these routes read: the page's, `vue` and `table` (`date` is read to be refused with its reason). */
const PARAMETRES_LUS = new Set<string>(["vue", "table", "mois", "date", PERIMETRE, ...Object.values(FILTER_PARAMS), ...PARAMETRES_TABLES]);

/**
 * A parameter these routes do not read is refused (a 400), never silently ignored: the answer would not be what
 * was asked for. The messages are French and name the parameter.
 */
function parametresNonLus(params: URLSearchParams): string[] {
  return parametresInconnus(params, PARAMETRES_LUS, ["vue", "table", "mois=AAAA-MM", "perimetre=mien|france", ...Object.values(FILTER_PARAMS), ...PARAMETRES_TABLES], RECHERCHES);
}

/** The page of the request's `vue`; a parameter the routes do not read is a 400 like a bad value. */
async function page(request: Request, database: Database, format: "json" | "csv", complet: boolean): Promise<TableauPage | Response> {
  const url = new URL(request.url);
  const nonLus = parametresNonLus(url.searchParams);
  try {
    const vue = vueDeParametre(url.searchParams.get("vue"));
    if (nonLus.length) return erreur(format, 400, `Paramètres invalides : ${nonLus.join(" ; ")}.`);
    const result = await chargerTableau(new Request(url, { headers: request.headers }), database, vue, { complet, strict: true });
    if (result.erreurs.length) return erreur(format, 400, `Paramètres invalides : ${result.erreurs.join(" ; ")}.`);
    return result;
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status >= 400) return erreur(format, thrown.status, await thrown.text());
    throw thrown;
  }
}

function comptes(c: Comptes): CsvValue[] {
  return COLONNES_COMPTES.map((k) => c[k]);
}

/** A line of the organismes' table as JSON: public codes, and the `vue=` of its dashboard in place of the pages' id. */
function organismeJson({ id, libelle, siret, uai, comptes }: LigneOrganisme) {
  return { libelle, siret, uai, vue: id === null ? null : `organisme:${id}`, comptes };
}

function formationJson({ id, libelle, cfd, rncp, comptes }: LigneFormation) {
  return { libelle, cfd, rncp, vue: id === null ? null : `formation:${id}`, comptes };
}

function tableJson<L, J>(table: TableTriee<L> | null, ligne: (l: L) => J): (Omit<TableTriee<L>, "lignes"> & { lignes: J[] }) | null {
  return table === null ? null : { ...table, lignes: table.lignes.map(ligne) };
}

/** The page's figures as JSON: the tables' lines without the pages' ids. */
function resultatJson(r: Resultat) {
  return { ...r, organismes: tableJson(r.organismes, organismeJson), formations: tableJson(r.formations, formationJson) };
}

/** Why a page has no table by organisme: the visitor is anonymous, or signed in and asking outside its perimeter. */
function refusOrganismes(p: { horsPerimetre: string | null }): string {
  return p.horsPerimetre
    ? `Les chiffres par organisme ne sont pas disponibles ici. ${p.horsPerimetre}`
    : "Les chiffres par organisme sont réservés aux utilisateurs connectés.";
}

/**
 * Why a signed-in user is given the public figures, in two fields a program can test apart: `horsPerimetre`, the
 * territory asked is outside its organisation's scope; `chiffresPublicsDemandes`, it asked them (`perimetre=france`,
 * the page then offers the way back to its scope, `votrePerimetre`). Both null: the figures of its scope, or a visitor.
 */
function avisPerimetre(p: TableauPage): { horsPerimetre: string | null; chiffresPublicsDemandes: string | null } {
  return p.votrePerimetre ? { horsPerimetre: null, chiffresPublicsDemandes: p.horsPerimetre } : { horsPerimetre: p.horsPerimetre, chiffresPublicsDemandes: null };
}

export async function tableauJson(request: Request, database: Database): Promise<Response> {
  const table = new URL(request.url).searchParams.get("table");
  if (table !== null && table !== "organismes" && table !== "formations") {
    return erreur("json", 400, `table : table inconnue « ${table} » (organismes ou formations)`);
  }
  const p = await page(request, database, "json", table !== null);
  if (p instanceof Response) return p;
  const r = resultatJson(p.resultat!);
  const vue = vueEnParametre(p.info.vue);
  const body =
    table === "organismes" || table === "formations"
      ? { vue, titre: p.info.titre, mois: p.mois, date: p.date, filtres: p.panneau.filtres, table, lignes: r[table]?.lignes ?? null }
      : { vue, titre: p.info.titre, perimetre: p.info.perimetre, ...avisPerimetre(p), mois: p.mois, date: p.date, filtres: p.panneau.filtres, ...r };
  if ((table === "organismes" || table === "formations") && r[table] === null) {
    return erreur("json", 403, table === "organismes" ? refusOrganismes(p) : "Pas de table par formation sur cette page.");
  }
  return new Response(JSON.stringify(body), { headers: JSON_HEADERS });
}

export async function tableauCsv(request: Request, database: Database): Promise<Response> {
  const table = new URL(request.url).searchParams.get("table") ?? "";
  if (!(TABLES_CSV as readonly string[]).includes(table)) {
    return erreur(
      "csv",
      400,
      table === ""
        ? `table : paramètre manquant, la table à télécharger (valeurs : ${TABLES_CSV.join(", ")})`
        : `table : table inconnue « ${table} » (valeurs : ${TABLES_CSV.join(", ")})`,
    );
  }
  const p = await page(request, database, "csv", table === "organismes" || table === "formations");
  if (p instanceof Response) return p;
  const r = p.resultat!;
  let rows: CsvValue[][];
  const libelles = COLONNES_COMPTES.map((k) => LIBELLES_COMPTES[k]);
  switch (table as TableCsv) {
    case "organismes":
      if (!r.organismes) return erreur("csv", 403, refusOrganismes(p));
      rows = [["Organisme", "SIRET", "UAI", ...libelles], ...r.organismes.lignes.map((l) => [l.libelle, l.siret, l.uai, ...comptes(l.comptes)])];
      break;
    case "formations":
      if (!r.formations) return erreur("csv", 400, "Pas de table par formation sur cette page.");
      rows = [["Formation", "CFD", "RNCP", ...libelles], ...r.formations.lignes.map((l) => [l.libelle, l.cfd, l.rncp, ...comptes(l.comptes)])];
      break;
    case "chiffres":
      rows = [
        ["Indicateur", "Date", "Valeur", "Mois précédent (date)", "Mois précédent", "Un an avant (date)", "Un an avant"],
        ...r.chiffres.map((c) => [
          LIBELLES_COMPTES[c.cle],
          dateValue(p.date),
          c.valeur,
          dateValue(c.moisPrecedent.date),
          c.moisPrecedent.valeur,
          dateValue(c.anneePrecedente.date),
          c.anneePrecedente.valeur,
        ]),
      ];
      break;
    case "serie":
      rows = [
        ["Mois (AAAA-MM)", "Date (JJ/MM/AAAA)", "Apprentis", "Inscrits sans contrat", "Rupturants"],
        ...r.serie.map((s) => [s.mois, dateValue(s.date), s.apprentis, s.inscritsSansContrat, s.rupturants]),
      ];
      break;
  }
  // what the file counts, on every row as in the national exports: the territory or subject, the scope, the day, the filters
  rows = avecColonneFiltres(rows, p.fichiers.parametres);
  return new Response(toCsv(rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${p.fichiers.nom}-${table}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
