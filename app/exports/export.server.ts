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
 *      &format=csv&<filters of app/indicateurs/filters.ts>   (periode=date&date=AAAA-MM-JJ — or JJ/MM/AAAA — for one
 *      date; the form's `apercu=1` is accepted and ignored)
 */
import { fluxWeb } from "../shared/flux.server";
import { redirect } from "@remix-run/node";
import type { Database } from "../../db/client.server";
import { requireEquipeNationale, type Viewer } from "../auth/policy.server";
import type { Compteurs } from "../indicateurs/etats";
import {
  FILTER_PARAMS,
  MOIS_MIN,
  dateDuMois,
  filtersToSearchParams,
  filtresEnNomDeFichier,
  moisDecale,
  parametresInconnus,
  parseFilters,
  type IndicateursFilters,
} from "../indicateurs/filters";
import { codePublic, indicateurs, type LigneRepartition } from "../indicateurs/indicateurs.server";
import { dateValue, jourJjMmAaaa, toCsv, type CsvValue } from "../shared/csv";
import { isIsoDate } from "../statut/days";
import { XLSX_CONTENT_TYPE } from "../shared/xlsx.server";
import { todayIso } from "../statut/annee-scolaire";
import { COLONNES_EXPORT, ENTETE_EXPORT, LIBELLES_REPARTITION, MOIS_MAX, REPARTITIONS_EXPORT, type RepartitionExport } from "./libelles";
import { xlsxEnFlux, type FeuilleFlux } from "./xlsx-flux.server";
import { libelleNiveau } from "../tableaux/options";
import { libellesFiltres, type LibelleFiltre } from "../tableaux/page.server";
import { formatDate, formatMois, majuscule, texteFiltres } from "../ui/format";

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
/**
 * The fields of the /exports form that are not the export's: its preview switch (`apercu=1`, a hidden field that
 * both of its buttons send). Read by the page, accepted and ignored by the download, so that the page and the
 * download read the same parameters: a download refused goes back to the page, which shows the same messages.
 */
export const PARAMETRES_DU_FORMULAIRE = ["apercu"] as const;
/** The same, as the messages name them. */
const PARAMETRES_ACCEPTES = ["repartition", "periode", "date=AAAA-MM-JJ", "debut=AAAA-MM", "fin=AAAA-MM", "format", ...Object.values(FILTER_PARAMS)];
/** Parameters of the dashboards' addresses that an export does not read, and what to write instead. */
const PARAMETRES_DES_TABLEAUX: Record<string, string> = {
  mois: "non lu par les exports : utilisez periode=mois&debut=AAAA-MM&fin=AAAA-MM (ou periode=date&date=AAAA-MM-JJ)",
  vue: "non lu par les exports : filtrez par territoire avec region=, departement= ou academie=",
};

/**
 * The labels of the /exports form's fields, by URL parameter: the messages about a value name the field the user
 * filled in ("Du mois : …"), not its parameter. The filters the form does not show (bassin, annee_formation) keep
 * their parameter's name.
 */
export const LIBELLES_CHAMPS_EXPORT: Readonly<Record<string, string>> = {
  repartition: "Répartitions",
  periode: "Période",
  date: "Date",
  debut: "Du mois",
  fin: "Au mois",
  format: "Format",
  region: "Région",
  academie: "Académie",
  departement: "Département",
  reseau: "Réseau",
  nature: "Nature de l'organisme",
  organisme: "Organisme",
  niveau: "Niveau",
  cfd: "Code formation diplôme (CFD)",
  rncp: "Code RNCP",
  age: "Âge à la date",
  sexe: "Sexe",
  rqth: "RQTH",
};

/**
 * The form's fields a message is about, by parameter: those whose labels start it ("Du mois, Au mois : …" → debut
 * and fin); none for a message about a parameter no field sends. The page marks those fields in error.
 */
export function champsDuMessage(message: string): string[] {
  const fin = message.indexOf(" : ");
  if (fin < 0) return [];
  const libelles = message.slice(0, fin).split(", ");
  return Object.keys(LIBELLES_CHAMPS_EXPORT).filter((k) => libelles.includes(LIBELLES_CHAMPS_EXPORT[k]));
}

/** "region : code région inconnu…" (the filters' message) → "Région : code région inconnu…" (the form's label). */
function libelleChampExport(message: string): string {
  const m = /^([a-z_]+) : /.exec(message);
  const libelle = m ? LIBELLES_CHAMPS_EXPORT[m[1]] : undefined;
  return libelle ? `${libelle} : ${message.slice(m![0].length)}` : message;
}

/**
 * The day of the form's Date field: "AAAA-MM-JJ" (what a date field sends) or "JJ/MM/AAAA" (what its hint says,
 * typed where the browser shows a text field), from the first day of MOIS_MIN up to today; the French message
 * naming the field otherwise, dates written JJ/MM/AAAA.
 */
export function lireJourExport(value: string, today: string): { ok: true; value: string } | { ok: false; erreur: string } {
  const v = value.trim();
  if (!v) return { ok: false, erreur: "Date : indiquez la date (JJ/MM/AAAA)" };
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : (jourJjMmAaaa(v)?.date ?? null);
  if (!iso || !isIsoDate(iso))
    return { ok: false, erreur: `Date : « ${v.slice(0, 40)} » n'est pas une date (jour, mois et année existants attendus, JJ/MM/AAAA, par exemple ${formatDate(today)})` };
  if (iso < `${MOIS_MIN}-01`) return { ok: false, erreur: `Date : le ${formatDate(iso)} est trop ancien (le ${formatDate(`${MOIS_MIN}-01`)} au plus tôt)` };
  if (iso > today) return { ok: false, erreur: `Date : le ${formatDate(iso)} est dans le futur (aujourd'hui : ${formatDate(today)})` };
  return { ok: true, value: iso };
}

/**
 * A month of the form's "Du mois" (`debut`) or "Au mois" (`fin`) field: "AAAA-MM" (what a month field sends) or
 * "MM/AAAA", from MOIS_MIN up to the current month; the French message naming the field otherwise, months written
 * "mai 2026".
 */
export function lireMoisExport(value: string, today: string, champ: "debut" | "fin"): { ok: true; value: string } | { ok: false; erreur: string } {
  const libelle = LIBELLES_CHAMPS_EXPORT[champ];
  const v = value.trim();
  if (!v) return { ok: false, erreur: `${libelle} : indiquez le mois (AAAA-MM, par exemple ${today.slice(0, 7)})` };
  const francais = /^(\d{2})\/(\d{4})$/.exec(v);
  const mois = francais ? `${francais[2]}-${francais[1]}` : v;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(mois))
    return { ok: false, erreur: `${libelle} : « ${v.slice(0, 40)} » n'est pas un mois (AAAA-MM attendu, par exemple ${today.slice(0, 7)})` };
  if (mois < MOIS_MIN) return { ok: false, erreur: `${libelle} : ${formatMois(mois)} est trop ancien (${formatMois(MOIS_MIN)} au plus tôt)` };
  if (mois > today.slice(0, 7)) return { ok: false, erreur: `${libelle} : ${formatMois(mois)} est dans le futur (mois en cours : ${formatMois(today.slice(0, 7))})` };
  return { ok: true, value: mois };
}

/** Months from `debut` to `fin` included ("2026-01", "2026-03" → 3). */
function nombreDeMois(debut: string, fin: string): number {
  const index = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7));
  return index(fin) - index(debut) + 1;
}

/**
 * The export's parameters, read as strictly as the dashboards' files (`/tableau.csv`): the same bounds (no month
 * before January 2000, none after today) and the same filters, and a parameter it does not read is refused, never
 * ignored (a misspelt filter would give a national file) — except the form's own fields (PARAMETRES_DU_FORMULAIRE),
 * which change nothing in the file. The messages about a value name the form's field ("Du mois : …") and write
 * dates JJ/MM/AAAA and months "mai 2026"; those about a parameter no field sends name the parameter.
 */
export function lireExport(params: URLSearchParams, today: string): { valeur: ParametresExport | null; erreurs: string[]; saisie: SaisieExport } {
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
    } else erreurs.push(`Répartitions : répartition inconnue « ${r.slice(0, 40)} » (valeurs : ${REPARTITIONS_EXPORT.join(", ")})`);
  }
  if (saisie.repartitions.length === 0) erreurs.push("Répartitions : choisissez au moins une répartition (ou « Total »)");
  if (saisie.format !== "csv" && saisie.format !== "xlsx") erreurs.push(`Format : « csv » ou « xlsx » attendu, reçu « ${saisie.format.slice(0, 40)} »`);

  const dates: { mois: string; date: string }[] = [];
  if (saisie.periode === "date") {
    const jour = lireJourExport(saisie.date, today);
    if (!jour.ok) erreurs.push(jour.erreur);
    else {
      // shown back as the date field reads it (AAAA-MM-JJ), whatever was typed
      saisie.date = jour.value;
      dates.push({ mois: jour.value.slice(0, 7), date: jour.value });
    }
  } else if (saisie.periode === "mois") {
    const debut = lireMoisExport(saisie.debut, today, "debut");
    const fin = lireMoisExport(saisie.fin, today, "fin");
    if (!debut.ok) erreurs.push(debut.erreur);
    else saisie.debut = debut.value;
    if (!fin.ok) erreurs.push(fin.erreur);
    else saisie.fin = fin.value;
    if (debut.ok && fin.ok) {
      if (debut.value > fin.value) erreurs.push(`Du mois : ${formatMois(debut.value)} est après le mois de fin (Au mois : ${formatMois(fin.value)})`);
      else if (nombreDeMois(debut.value, fin.value) > MOIS_MAX)
        erreurs.push(
          `Du mois, Au mois : ${MOIS_MAX} mois au plus par export, ${nombreDeMois(debut.value, fin.value)} demandés (de ${formatMois(debut.value)} à ${formatMois(fin.value)})`,
        );
      else for (let m = debut.value; m <= fin.value; m = moisDecale(`${m}-01`, 1)) dates.push({ mois: m, date: dateDuMois(m, today) });
    }
  } else erreurs.push(`Période : « Mois par mois » (periode=mois) ou « À une date » (periode=date) attendu, reçu « ${saisie.periode.slice(0, 40)} »`);

  const filters = parseFilters(params);
  if (!filters.ok) erreurs.push(...filters.errors.map(libelleChampExport));
  erreurs.push(...parametresInconnus(params, new Set([...PARAMETRES_EXPORT, ...PARAMETRES_DU_FORMULAIRE]), PARAMETRES_ACCEPTES, PARAMETRES_DES_TABLEAUX));
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

/**
 * "indicateurs-apprentissage-2026-01_2026-03-region-84-niveau-3.csv": the period, then each filter (its URL
 * parameter and values, several values joined by "+"), so that a filtered file is never named like the national one.
 */
export function nomFichier(p: ParametresExport): string {
  const periode = p.periode === "date" ? p.dates[0].date : `${p.dates[0].mois}_${p.dates[p.dates.length - 1].mois}`;
  const filtres = filtresEnNomDeFichier(p.filters);
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

/**
 * Where a refused download sends the user: the form, with the same parameters and `apercu=1`, so that the page reads
 * them as a request and shows the messages (it reads the same parameters as the download: never a silent return).
 */
export function formulaireDuRefus(search: string): string {
  const params = new URLSearchParams(search);
  const query = search.replace(/^\?/, "");
  return params.has("apercu") ? `/exports?${query}` : `/exports?apercu=1${query ? `&${query}` : ""}`;
}

/** GET /exports/telechargement: the file, streamed; invalid parameters go back to the form, which says why. */
export async function telechargerExport(request: Request, database: Database): Promise<Response> {
  const viewer = await requireEquipeNationale(request, database);
  const url = new URL(request.url);
  const today = todayIso();
  const { valeur: p } = lireExport(url.searchParams, today);
  if (!p) throw redirect(formulaireDuRefus(url.search));
  const headers = {
    "Content-Disposition": `attachment; filename="${nomFichier(p)}"`,
    "Cache-Control": "private, no-store",
  };
  if (p.format === "csv") {
    return new Response(fluxWeb(csvEnFlux(database, viewer, p, today), "export interrompu"), { headers: { ...headers, "Content-Type": "text/csv; charset=utf-8" } });
  }
  return new Response(fluxWeb(xlsxEnFlux(feuillesXlsx(database, viewer, p, today)), "export interrompu"), { headers: { ...headers, "Content-Type": XLSX_CONTENT_TYPE } });
}
