/**
 * Exports of the indicators for the national team (ADMINISTRATEUR, OPERATEUR_PUBLIC_NATIONAL): breakdowns, a date
 * or a range of months, the dashboards' filters; CSV (UTF-8 with BOM, `;`) or XLSX, streamed: one indicator query
 * per (breakdown, date), its rows written out before the next one is asked, so memory holds one breakdown at a time
 * whatever the size of the file. The rows are for reuse: "Mois (AAAA-MM)" is the format of the debut= and fin=
 * filters, "Date (JJ/MM/AAAA)" a date as Excel in French reads it in a CSV and a real date in an XLSX (decision 019),
 * counts are plain integers (the page's preview shows them in French, libelles.ts `celluleApercu`); a niveau's label is the
 * dashboards' (app/tableaux/options.ts `libelleNiveau`). A filtered export says so: its file name carries the filters
 * (`-region-84-niveau-3`), each row names them in French (last column, "Filtres", as the dashboards' tags name them),
 * and the XLSX "Paramètres" sheet lists them one per line.
 *
 * URL: /exports/telechargement?repartition=region&repartition=niveau&periode=mois&debut=2025-09&fin=2026-10
 *      &format=csv&<filters of app/indicateurs/filters.ts>   (periode=date&date=AAAA-MM-JJ for one date)
 */
import { redirect } from "@remix-run/node";
import type { Database } from "../../db/client.server";
import { requireEquipeNationale, type Viewer } from "../auth/policy.server";
import type { Compteurs } from "../indicateurs/etats";
import {
  FILTER_PARAMS,
  dateDuMois,
  filtersToSearchParams,
  moisDecale,
  parametresInconnus,
  parseDateBornee,
  parseFilters,
  parseMoisBorne,
  type IndicateursFilters,
} from "../indicateurs/filters";
import { codePublic, indicateurs, type LigneRepartition } from "../indicateurs/indicateurs.server";
import { dateValue, toCsv, type CsvValue } from "../shared/csv";
import { XLSX_CONTENT_TYPE } from "../shared/xlsx.server";
import { todayIso } from "../statut/annee-scolaire";
import { COLONNES_EXPORT, ENTETE_EXPORT, LIBELLES_REPARTITION, MOIS_MAX, REPARTITIONS_EXPORT, type RepartitionExport } from "./libelles";
import { xlsxEnFlux, type FeuilleFlux } from "./xlsx-flux.server";
import { libelleNiveau } from "../tableaux/options";
import { libellesFiltres, type LibelleFiltre } from "../tableaux/page.server";
import { formatDate, majuscule } from "../ui/format";

export { COLONNES_EXPORT, ENTETE_EXPORT, LIBELLES_REPARTITION, MOIS_MAX, REPARTITIONS_EXPORT, type RepartitionExport };

export interface ParametresExport {
  repartitions: RepartitionExport[];
  periode: "date" | "mois";
  /** The days counted, in order: one per month (its last day, or today for the current month), or the date asked. */
  dates: { mois: string; date: string }[];
  format: "csv" | "xlsx";
  filters: IndicateursFilters;
}

/** What the form shows back (the raw values, valid or not). */
export interface SaisieExport {
  repartitions: string[];
  periode: string;
  date: string;
  debut: string;
  fin: string;
  format: string;
}

/** The parameters of an export's address: its own, and the dashboards' filters. */
const PARAMETRES_EXPORT = ["repartition", "periode", "date", "debut", "fin", "format", ...Object.values(FILTER_PARAMS)];
/** The same, as the messages name them. */
const PARAMETRES_ACCEPTES = ["repartition", "periode", "date=AAAA-MM-JJ", "debut=AAAA-MM", "fin=AAAA-MM", "format", ...Object.values(FILTER_PARAMS)];
/** Parameters of the dashboards' addresses that an export does not read, and what to write instead. */
const PARAMETRES_DES_TABLEAUX: Record<string, string> = {
  mois: "non lu par les exports : utilisez periode=mois&debut=AAAA-MM&fin=AAAA-MM (ou periode=date&date=AAAA-MM-JJ)",
  vue: "non lu par les exports : filtrez par territoire avec region=, departement= ou academie=",
};

/**
 * The export's parameters, read as strictly as the dashboards' files (`/tableau.csv`): the same bounds (no month
 * before January 2000, none after today) and the same filters, and a parameter it does not read is refused, never
 * ignored (a misspelt filter would give a national file). `autres`: the parameters of the page that shows the
 * form (its preview's switch), read there.
 */
export function lireExport(
  params: URLSearchParams,
  today: string,
  options: { autres?: readonly string[] } = {},
): { valeur: ParametresExport | null; erreurs: string[]; saisie: SaisieExport } {
  const erreurs: string[] = [];
  const moisCourant = today.slice(0, 7);
  const saisie: SaisieExport = {
    repartitions: params.getAll("repartition").flatMap((v) => v.split(",")).filter(Boolean),
    periode: params.get("periode") ?? "mois",
    date: params.get("date") ?? "",
    debut: params.get("debut") ?? moisDecale(today, -11),
    fin: params.get("fin") ?? moisCourant,
    format: params.get("format") ?? "csv",
  };
  const repartitions: RepartitionExport[] = [];
  for (const r of saisie.repartitions) {
    if ((REPARTITIONS_EXPORT as readonly string[]).includes(r)) {
      if (!repartitions.includes(r as RepartitionExport)) repartitions.push(r as RepartitionExport);
    } else erreurs.push(`repartition : répartition inconnue « ${r} » (valeurs : ${REPARTITIONS_EXPORT.join(", ")})`);
  }
  if (saisie.repartitions.length === 0) erreurs.push("repartition : choisissez au moins une répartition (ou « total »)");
  if (saisie.format !== "csv" && saisie.format !== "xlsx") erreurs.push(`format : « csv » ou « xlsx » attendu, reçu « ${saisie.format} »`);

  const dates: { mois: string; date: string }[] = [];
  if (saisie.periode === "date") {
    const parsed = parseDateBornee(saisie.date || "(vide)", today);
    if (!parsed.ok) erreurs.push(...parsed.errors);
    else dates.push({ mois: parsed.value.slice(0, 7), date: parsed.value });
  } else if (saisie.periode === "mois") {
    const debut = parseMoisBorne(saisie.debut, today, "debut");
    const fin = parseMoisBorne(saisie.fin, today, "fin");
    if (!debut.ok) erreurs.push(...debut.errors);
    if (!fin.ok) erreurs.push(...fin.errors);
    if (debut.ok && fin.ok) {
      if (debut.value > fin.value) erreurs.push(`debut : le premier mois (${debut.value}) est après le dernier (${fin.value})`);
      else {
        for (let m = debut.value; m <= fin.value; m = moisDecale(`${m}-01`, 1)) {
          if (dates.length >= MOIS_MAX) {
            erreurs.push(`debut, fin : ${MOIS_MAX} mois au plus par export`);
            break;
          }
          dates.push({ mois: m, date: dateDuMois(m, today) });
        }
      }
    }
  } else erreurs.push(`periode : « date » ou « mois » attendu, reçu « ${saisie.periode} »`);

  const filters = parseFilters(params);
  if (!filters.ok) erreurs.push(...filters.errors);
  erreurs.push(...parametresInconnus(params, new Set([...PARAMETRES_EXPORT, ...(options.autres ?? [])]), PARAMETRES_ACCEPTES, PARAMETRES_DES_TABLEAUX));
  if (erreurs.length || !filters.ok) return { valeur: null, erreurs, saisie };
  return { valeur: { repartitions, periode: saisie.periode as "date" | "mois", dates, format: saisie.format as "csv" | "xlsx", filters: filters.value }, erreurs, saisie };
}

/** The export URL of valid parameters (the page's download links). */
export function urlExport(p: ParametresExport): string {
  const s = new URLSearchParams();
  for (const r of p.repartitions) s.append("repartition", r);
  s.set("periode", p.periode);
  if (p.periode === "date") s.set("date", p.dates[0].date);
  else {
    s.set("debut", p.dates[0].mois);
    s.set("fin", p.dates[p.dates.length - 1].mois);
  }
  s.set("format", p.format);
  filtersToSearchParams(p.filters, s);
  return `/exports/telechargement?${s.toString()}`;
}

// ------------------------------------------------------------------------------------------------ rows

function ligne(
  d: { mois: string; date: string },
  repartition: RepartitionExport,
  l: Partial<LigneRepartition> & { libelle: string },
  c: Compteurs,
  filtres: string,
): CsvValue[] {
  return [
    d.mois,
    dateValue(d.date),
    majuscule(LIBELLES_REPARTITION[repartition].replace(/^Par /, "").replace(/^Total.*/, "Total")),
    codePublic(repartition, l),
    repartition === "niveau" && l.code ? libelleNiveau(l.code) : l.libelle,
    l.siret ?? null,
    l.uai ?? null,
    l.cfd ?? null,
    l.rncp ?? null,
    c.apprenants,
    c.apprentis,
    c.inscritsSansContrat,
    c.rupturants,
    c.abandons,
    c.finsDeFormation,
    c.rupturantsParDuree.moins45j,
    c.rupturantsParDuree.de45a89j,
    c.rupturantsParDuree.de90a180j,
    c.inscritsSansContratParDuree.jusqua30j,
    c.inscritsSansContratParDuree.jusqua60j,
    c.inscritsSansContratParDuree.jusqua90j,
    c.aRisque,
    c.total,
    filtres,
  ];
}

/** The filters of an export in French, one line each (the dashboards' tags): "Région" → "Auvergne-Rhône-Alpes". */
export function filtresExport(database: Database, p: ParametresExport): Promise<LibelleFiltre[]> {
  return libellesFiltres(database, p.filters);
}

/** The "Filtres" cell of every row: "Région : Auvergne-Rhône-Alpes · Niveau : 3 (CAP, BEP)", or "aucun". */
export function texteFiltres(filtres: LibelleFiltre[]): string {
  return filtres.length ? filtres.map((f) => `${f.nom} : ${f.valeur}`).join(" · ") : "aucun";
}

/** The rows of one breakdown, date after date (one indicator query per date, never more in memory). */
export async function* lignesExport(
  database: Database,
  viewer: Viewer,
  p: ParametresExport,
  repartition: RepartitionExport,
  today: string = todayIso(),
): AsyncGenerator<CsvValue[]> {
  const filtres = texteFiltres(await filtresExport(database, p));
  for (const d of p.dates) {
    const r = await indicateurs(database, {
      date: d.date,
      filters: p.filters,
      scope: viewer.scope,
      by: repartition === "total" ? undefined : repartition,
      today,
    });
    if (repartition === "total") yield ligne(d, repartition, { code: null, libelle: "Total" }, r.compteurs, filtres);
    else for (const l of r.repartition!.lignes) yield ligne(d, repartition, l, l.compteurs, filtres);
  }
}

/** The first rows of the export (the page's preview) and its number of indicator queries. */
export async function apercuExport(database: Database, viewer: Viewer, p: ParametresExport, today: string = todayIso()): Promise<{ lignes: CsvValue[][]; requetes: number }> {
  const lignes: CsvValue[][] = [];
  const premier = { ...p, dates: p.dates.slice(-1) };
  for await (const l of lignesExport(database, viewer, premier, p.repartitions[0], today)) {
    lignes.push(l);
    if (lignes.length >= 10) break;
  }
  return { lignes, requetes: p.repartitions.length * p.dates.length };
}

// ------------------------------------------------------------------------------------------------ files

/** A file name's piece: ASCII letters, digits and "_" (accents dropped, anything else becomes "_"). */
function segmentFichier(value: string): string {
  return value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/**
 * "indicateurs-apprentissage-2026-01_2026-03-region-84-niveau-3.csv": the period, then each filter (its URL
 * parameter and values, several values joined by "+"), so that a filtered file is never named like the national one.
 */
export function nomFichier(p: ParametresExport): string {
  const periode = p.periode === "date" ? p.dates[0].date : `${p.dates[0].mois}_${p.dates[p.dates.length - 1].mois}`;
  const filtres = [...filtersToSearchParams(p.filters)]
    .map(([k, v]) => `${k}-${v.split(",").map(segmentFichier).filter(Boolean).join("+")}`)
    .join("-")
    .slice(0, 150)
    .replace(/[-+]+$/, "");
  return `indicateurs-apprentissage-${periode}${filtres ? `-${filtres}` : ""}.${p.format}`;
}

const HEURE_DE_PARIS = new Intl.DateTimeFormat("fr-FR", {
  timeZone: "Europe/Paris",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "06/12/2026 07:14" (dd/MM/yyyy HH:mm, heure de Paris). */
export function dateHeureParis(date: Date): string {
  const part = (type: Intl.DateTimeFormatPartTypes) => HEURE_DE_PARIS.formatToParts(date).find((x) => x.type === type)?.value ?? "";
  return `${part("day")}/${part("month")}/${part("year")} ${part("hour")}:${part("minute")}`;
}

/** A web stream of an async generator, pulled as the client reads (back-pressure down to the queries). */
function flux(gen: AsyncGenerator<Uint8Array | string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await gen.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
      } catch (error) {
        console.error("Export interrompu :", error);
        controller.error(error);
      }
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
}

async function* csvEnFlux(database: Database, viewer: Viewer, p: ParametresExport, today: string): AsyncGenerator<string> {
  yield toCsv([ENTETE_EXPORT]);
  for (const r of p.repartitions) {
    let lot: CsvValue[][] = [];
    for await (const l of lignesExport(database, viewer, p, r, today)) {
      lot.push(l);
      if (lot.length >= 2000) {
        yield toCsv(lot, { bom: false });
        lot = [];
      }
    }
    if (lot.length) yield toCsv(lot, { bom: false });
  }
}

function feuillesXlsx(database: Database, viewer: Viewer, p: ParametresExport, today: string, now: Date = new Date()): FeuilleFlux[] {
  const parametres = async function* () {
    yield ["Paramètre", "Valeur"];
    yield ["Répartitions", p.repartitions.map((r) => LIBELLES_REPARTITION[r]).join(", ")];
    yield ["Dates", p.periode === "date" ? formatDate(p.dates[0].date) : `${p.dates.length} mois, du ${formatDate(p.dates[0].date)} au ${formatDate(p.dates[p.dates.length - 1].date)}`];
    const filtres = await filtresExport(database, p);
    if (filtres.length === 0) yield ["Filtres", "aucun"];
    for (const f of filtres) yield [`Filtre : ${f.nom.toLowerCase()}`, f.valeur];
    yield ["Produit le", `${dateHeureParis(now)} (heure de Paris)`];
    yield [
      "Définitions",
      "Apprenants = apprentis + inscrits sans contrat + rupturants ; un mois passé est compté à son dernier jour, le mois en cours à aujourd'hui.",
    ];
  };
  return [
    { nom: "Paramètres", lignes: parametres() },
    ...p.repartitions.map((r) => ({
      nom: LIBELLES_REPARTITION[r].replace(" (sans répartition)", ""),
      lignes: (async function* () {
        yield ENTETE_EXPORT;
        yield* lignesExport(database, viewer, p, r, today);
      })(),
    })),
  ];
}

/** GET /exports/telechargement: the file, streamed; invalid parameters go back to the form with their messages. */
export async function telechargerExport(request: Request, database: Database): Promise<Response> {
  const viewer = await requireEquipeNationale(request, database);
  const url = new URL(request.url);
  const today = todayIso();
  const { valeur: p } = lireExport(url.searchParams, today);
  if (!p) throw redirect(`/exports${url.search}`);
  const headers = {
    "Content-Disposition": `attachment; filename="${nomFichier(p)}"`,
    "Cache-Control": "private, no-store",
  };
  if (p.format === "csv") {
    return new Response(flux(csvEnFlux(database, viewer, p, today)), { headers: { ...headers, "Content-Type": "text/csv; charset=utf-8" } });
  }
  return new Response(flux(xlsxEnFlux(feuillesXlsx(database, viewer, p, today))), { headers: { ...headers, "Content-Type": XLSX_CONTENT_TYPE } });
}
