/**
 * Filters, breakdown and date of the indicators, parsed from / written to URL search params: the dashboards' URLs
 * and the `indicateurs` CLI share this module. Pure (no I/O, no server import): safe in browser code.
 *
 * URL parameters (each filter takes one or several values: repeated, or separated by commas):
 *   region=84  departement=69  academie=10  bassin=8405  organisme=<SIRET or UAI>  reseau=<name>
 *   nature=formateur  cfd=32033422  rncp=RNCP35185  niveau=5  annee_formation=1  age=moins_18|18_20|21_25|26_plus
 *   sexe=F  rqth=oui|non   by=region|departement|academie|organisme|formation|niveau
 *   date=AAAA-MM-JJ  or  mois=AAAA-MM (a past month means its last day, the current month today)
 * Bad values give French messages naming the parameter and the value; so do territories that cannot hold together
 * (a département outside the région or the académie asked, an académie outside the région: `incoherencesTerritoriales`).
 */

import { ACADEMIES, ACADEMIE_BY_DEPARTEMENT } from "../referentiel/academies";
import { DEPARTEMENTS, NOMS_REGIONS, REGIONS, regionDeLAcademie, regionDuDepartement } from "../referentiel/decoupage";
import { NATURE_LABELS, nomAcademie } from "../referentiel/labels";
import {
  cleSiretFausse,
  isValidCfd,
  isValidRncp,
  isValidSiret,
  isValidUai,
  normalizeRncp,
  normalizeSiret,
  normalizeUai,
  SIRET_PATTERN,
  UAI_PATTERN,
} from "../referentiel/codes";
import { daysInMonth, isIsoDate, memeJourUnAnAvant } from "../statut/days";
import { segmentFichier } from "../shared/nom-de-fichier";
import { LIBELLES_TRANCHE_AGE, TRANCHES_AGE, type TrancheAge } from "./etats";

export { REGIONS, TRANCHES_AGE, type TrancheAge };

export const ACADEMIE_CODES: readonly string[] = ACADEMIES.map((a) => a.code);
/** Départements of France: 01–95 with 2A/2B (never 20), and the DROM 971–974, 976. */
export const DEPARTEMENT_PATTERN = /^(0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|97[1-46])$/;
/** The codes `DEPARTEMENT_PATTERN` accepts, as the messages say them. */
export const DEPARTEMENTS_VALIDES = "01 à 95, 2A, 2B, 971 à 974, 976";
export const BASSIN_PATTERN = /^[0-9A-Z]{4}$/;
export const NATURES_ORGANISME = ["responsable", "formateur", "responsable_formateur", "lieu", "inconnue"] as const;
export type NatureOrganisme = (typeof NATURES_ORGANISME)[number];
export const SEXES = ["M", "F"] as const;
export type Sexe = (typeof SEXES)[number];
/** Labels of the sexe filter (the filter panels' options, in this order, and the active filters' tags). */
export const LIBELLES_SEXE: Record<Sexe, string> = { F: "Femmes", M: "Hommes" };

/** Breakdowns of the indicators. */
export const REPARTITIONS = ["region", "departement", "academie", "organisme", "formation", "niveau"] as const;
export type Repartition = (typeof REPARTITIONS)[number];

/**
 * Filters of the indicators. Within one filter the values are alternatives (OR); filters combine with AND.
 * Territory, bassin, réseau and nature are those of the organisme formateur. `organisme` (SIRET or UAI) selects
 * the effectifs of the organismes carrying one of these identifiers as formateur or responsable, and those of
 * their formateurs (a responsable includes its formateurs).
 */
export interface IndicateursFilters {
  region?: string[];
  departement?: string[];
  academie?: string[];
  bassinEmploi?: string[];
  /** SIRET (14 digits) or UAI, normalised */
  organisme?: string[];
  reseau?: string[];
  nature?: NatureOrganisme[];
  cfd?: string[];
  /** with the "RNCP" prefix */
  rncp?: string[];
  niveau?: number[];
  anneeFormation?: number[];
  /** age band at the date */
  trancheAge?: TrancheAge[];
  sexe?: Sexe[];
  rqth?: boolean;
}

/** URL parameter of each filter. */
export const FILTER_PARAMS: Record<keyof IndicateursFilters, string> = {
  region: "region",
  departement: "departement",
  academie: "academie",
  bassinEmploi: "bassin",
  organisme: "organisme",
  reseau: "reseau",
  nature: "nature",
  cfd: "cfd",
  rncp: "rncp",
  niveau: "niveau",
  anneeFormation: "annee_formation",
  trancheAge: "age",
  sexe: "sexe",
  rqth: "rqth",
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

class Invalide {
  constructor(readonly message: string) {}
}

function invalide(message: string): Invalide {
  return new Invalide(message);
}

function values(params: URLSearchParams, name: string): string[] {
  return params
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function list(items: readonly (string | number)[]): string {
  return items.join(", ");
}

/**
 * Filters from URL search params (unknown parameters are ignored: the URL carries other state). Territories that cannot
 * hold together are errors too (`incoherencesTerritoriales`): the answer would be empty for a reason nobody sees.
 */
export function parseFilters(params: URLSearchParams): Parsed<IndicateursFilters> {
  const parsed = parseFiltersLenient(params);
  return parsed.errors.length > 0 ? { ok: false, errors: parsed.errors } : { ok: true, value: parsed.filters };
}

/** What `parseFiltersLenient` read: the valid values, the messages of the others, the parameters holding them. */
export interface LenientFilters {
  /** The valid values only (a filter whose every value is invalid is absent). */
  filters: IndicateursFilters;
  errors: string[];
  /** URL parameters holding at least one invalid value ("niveau", "rqth"…). */
  invalidParams: string[];
  /**
   * The territories left out because they cannot hold with the others (their messages are in `errors`); present only
   * when there are some. The dashboards still ask the policy about them: a territory out of the viewer's scope is a 403.
   */
  ecartes?: IncoherenceTerritoriale[];
}

/**
 * The values of the référentiel some filters are checked against (the dashboards, for signed-in viewers): a réseau no
 * organisme of the viewer's scope belongs to, a bassin d'emploi code no zone d'emploi has, is a bad value like a typo —
 * reported and left out, not an unexplained empty page. Absent: not checked (the CLI, the exports).
 */
export interface ValeursConnues {
  /** The réseaux of the viewer's scope (the dashboards' Réseau select offers them). */
  reseaux?: readonly string[];
  /** The bassin d'emploi codes known among those asked. */
  bassins?: ReadonlySet<string>;
}

/** At most `max` values named, then "…". */
function quelques(items: readonly string[], max = 12): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")}…`;
}

/**
 * Filters from URL search params, keeping the valid values when others are not: the dashboards report a bad value
 * and apply the rest (one typo must not clear every filter). A territory that cannot hold with another (a département
 * outside the région asked, or outside the territory of the page, `page`) is reported and left out the same way, and
 * so is a réseau or a bassin d'emploi the référentiel does not know (`connus`).
 */
export function parseFiltersLenient(params: URLSearchParams, page?: TerritoireDePage, connus: ValeursConnues = {}): LenientFilters {
  const errors: string[] = [];
  const invalidParams: string[] = [];
  const filters: IndicateursFilters = {};
  const invalid = (param: string, message: string) => {
    errors.push(message);
    if (!invalidParams.includes(param)) invalidParams.push(param);
  };
  /** `parse` returns the value, or an `Invalide` carrying the message. */
  const collect = <T>(key: keyof IndicateursFilters, parse: (raw: string) => T | Invalide): T[] | undefined => {
    const raw = values(params, FILTER_PARAMS[key]);
    if (raw.length === 0) return undefined;
    const out: T[] = [];
    for (const r of raw) {
      const v = parse(r);
      if (v instanceof Invalide) invalid(FILTER_PARAMS[key], v.message);
      else if (!out.includes(v)) out.push(v);
    }
    return out.length > 0 ? out : undefined;
  };

  filters.region = collect<string>("region", (r) =>
    (REGIONS as readonly string[]).includes(r)
      ? r
      : invalide(`region : code région inconnu « ${r} » (codes : ${list(REGIONS)})`),
  );
  filters.departement = collect("departement", (r) => {
    const v = r.toUpperCase();
    return DEPARTEMENT_PATTERN.test(v)
      ? v
      : invalide(`departement : code département invalide « ${r} » (${DEPARTEMENTS_VALIDES})`);
  });
  filters.academie = collect("academie", (r) =>
    ACADEMIE_CODES.includes(r)
      ? r
      : invalide(`academie : code académie inconnu « ${r} » (codes : ${list(ACADEMIE_CODES)})`),
  );
  filters.bassinEmploi = collect("bassinEmploi", (r) => {
    const v = r.toUpperCase();
    if (!BASSIN_PATTERN.test(v)) return invalide(`bassin : code de bassin d'emploi invalide « ${r} » (zone d'emploi INSEE, 4 caractères)`);
    if (connus.bassins && !connus.bassins.has(v))
      return invalide(`bassin : aucun bassin d'emploi n'a le code « ${r} » (code à 4 caractères d'une zone d'emploi de l'Insee attendu)`);
    return v;
  });
  filters.organisme = collect("organisme", (r) => {
    const siret = normalizeSiret(r);
    if (SIRET_PATTERN.test(siret))
      return isValidSiret(siret) ? siret : invalide(`organisme : SIRET invalide « ${r} » (${cleSiretFausse(siret, "clé de contrôle incorrecte")})`);
    const uai = normalizeUai(r);
    if (UAI_PATTERN.test(uai))
      return isValidUai(uai) ? uai : invalide(`organisme : UAI invalide « ${r} » (lettre de contrôle incorrecte)`);
    return invalide(`organisme : SIRET (14 chiffres) ou UAI (7 chiffres et une lettre) attendu, reçu « ${r} »`);
  });
  filters.reseau = collect("reseau", (r) => {
    if (r.length > 100) return invalide(`reseau : nom de réseau trop long (100 caractères au plus)`);
    if (connus.reseaux && !connus.reseaux.includes(r)) {
      const attendus = connus.reseaux.length ? `réseaux attendus : ${quelques(connus.reseaux)}` : "aucun réseau dans votre périmètre";
      return invalide(`reseau : aucun organisme de votre périmètre n'appartient au réseau « ${r} » (${attendus})`);
    }
    return r;
  });
  filters.nature = collect<NatureOrganisme>("nature", (r) =>
    (NATURES_ORGANISME as readonly string[]).includes(r)
      ? (r as NatureOrganisme)
      : invalide(`nature : nature inconnue « ${r} » (valeurs : ${NATURES_ORGANISME.map((n) => `${n} pour « ${NATURE_LABELS[n] ?? n} »`).join(", ")})`),
  );
  filters.cfd = collect("cfd", (r) => {
    const v = r.toUpperCase();
    return isValidCfd(v) ? v : invalide(`cfd : code formation diplôme invalide « ${r} » (8 chiffres ou lettres)`);
  });
  filters.rncp = collect("rncp", (r) =>
    isValidRncp(r) ? normalizeRncp(r) : invalide(`rncp : code RNCP invalide « ${r} » (RNCP suivi de 2 à 5 chiffres)`),
  );
  filters.niveau = collect("niveau", (r) =>
    /^[3-8]$/.test(r) ? Number(r) : invalide(`niveau : niveau invalide « ${r} » (3 à 8 attendu)`),
  );
  filters.anneeFormation = collect("anneeFormation", (r) =>
    /^[0-5]$/.test(r) ? Number(r) : invalide(`annee_formation : année de formation invalide « ${r} » (0 à 5 attendu)`),
  );
  filters.trancheAge = collect<TrancheAge>("trancheAge", (r) =>
    (TRANCHES_AGE as readonly string[]).includes(r)
      ? (r as TrancheAge)
      : invalide(`age : tranche d'âge inconnue « ${r} » (valeurs : ${TRANCHES_AGE.map((a) => `${a} pour « ${LIBELLES_TRANCHE_AGE[a]} »`).join(", ")})`),
  );
  filters.sexe = collect<Sexe>("sexe", (r) => {
    const v = r.toUpperCase();
    return v === "M" || v === "H" ? "M" : v === "F" ? "F" : invalide(`sexe : « M » ou « F » attendu, reçu « ${r} »`);
  });
  const rqth = values(params, FILTER_PARAMS.rqth);
  if (rqth.length > 1) invalid(FILTER_PARAMS.rqth, "rqth : une seule valeur attendue (oui ou non)");
  else if (rqth.length === 1) {
    const v = rqth[0].toLowerCase();
    if (["oui", "true", "1"].includes(v)) filters.rqth = true;
    else if (["non", "false", "0"].includes(v)) filters.rqth = false;
    else invalid(FILTER_PARAMS.rqth, `rqth : « oui » ou « non » attendu, reçu « ${rqth[0]} »`);
  }

  const ecartes = incoherencesTerritoriales(filters, page);
  for (const i of ecartes) {
    invalid(i.param, i.message);
    filters[i.param] = filters[i.param]!.filter((code) => code !== i.code);
    if (filters[i.param]!.length === 0) filters[i.param] = undefined;
  }

  for (const key of Object.keys(filters) as (keyof IndicateursFilters)[])
    if (filters[key] === undefined) delete filters[key];
  return ecartes.length > 0 ? { filters, errors, invalidParams, ecartes } : { filters, errors, invalidParams };
}

/**
 * The filters asked (`demandes`) that exclude what a page already shows (`imposes`: its formation, its viewer's
 * scope…): a filter's values are alternatives, so one none of whose values the page allows matches nobody. One French
 * sentence per filter, naming its parameter.
 */
export function filtresExclusParLaPage(imposes: IndicateursFilters, demandes: IndicateursFilters): string[] {
  const out: string[] = [];
  for (const key of Object.keys(demandes) as (keyof IndicateursFilters)[]) {
    const demande = demandes[key];
    const impose = imposes[key];
    if (demande === undefined || impose === undefined) continue;
    const valeurs = (v: unknown) => (Array.isArray(v) ? v.join(", ") : v === true ? "oui" : v === false ? "non" : String(v));
    const exclu = Array.isArray(demande) ? !(demande as unknown[]).some((v) => (impose as unknown[]).includes(v)) : demande !== impose;
    if (exclu) {
      out.push(`${FILTER_PARAMS[key]} : « ${valeurs(demande)} » exclut ce que montre cette page (${FILTER_PARAMS[key]} ${valeurs(impose)}) ; retirez ce filtre.`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- territories

export type NiveauTerritorial = "region" | "academie" | "departement";
const NIVEAUX_TERRITORIAUX: readonly NiveauTerritorial[] = ["region", "academie", "departement"];

/** The territory of a dashboard page (/regions/84, /academies/10, /departements/69): its filters are within it. */
export interface TerritoireDePage {
  niveau: NiveauTerritorial;
  code: string;
}

/** A territory filter's value that cannot hold with the others: the value, and why (French, naming the parameter). */
export interface IncoherenceTerritoriale {
  param: NiveauTerritorial;
  code: string;
  message: string;
}

/** The territory of level `niveau` holding the territory (niveauDe, code); itself at its own level; undefined above. */
function territoireContenant(niveauDe: NiveauTerritorial, code: string, niveau: NiveauTerritorial): string | undefined {
  if (niveauDe === niveau) return code;
  if (niveauDe === "departement") return niveau === "region" ? regionDuDepartement(code) : ACADEMIE_BY_DEPARTEMENT[code];
  if (niveauDe === "academie" && niveau === "region") return regionDeLAcademie(code);
  return undefined;
}

/** "la région Auvergne-Rhône-Alpes (84)", "l'académie de Lyon (10)", "le département 75 (Paris)". */
export function designationTerritoire(niveau: NiveauTerritorial, code: string): string {
  if (niveau === "region") return `la région ${NOMS_REGIONS[code] ?? code} (${code})`;
  if (niveau === "departement") return `le département ${code} (${DEPARTEMENTS[code]?.[0] ?? code})`;
  const nom = ACADEMIES.find((a) => a.code === code)?.nom;
  return nom ? `l'${nomAcademie(nom).replace(/^A/, "a")} (${code})` : `l'académie ${code}`;
}

/** "de la région …", "de l'académie …", "du département …". */
function deTerritoire(niveau: NiveauTerritorial, code: string): string {
  const d = designationTerritoire(niveau, code);
  return d.startsWith("le ") ? `du ${d.slice(3)}` : `de ${d}`;
}

const PLURIELS: Record<NiveauTerritorial, string> = { region: "régions", academie: "académies", departement: "départements" };

/**
 * The territory filters' values that cannot hold with the others (filters combine with AND; a filter's values are
 * alternatives): an académie in none of the régions asked; a département in none of the régions, or of the académies,
 * asked; and, on a territory's page (`page`), a value outside that territory, or a wider one not holding it. Each is
 * answered by nothing, for a reason the user does not see: the callers report it (a 400 for the files, the API and the
 * CLI; the dashboards report it and leave the value out). One message per value, naming the parameter, the territory
 * asked and the one it is in.
 */
export function incoherencesTerritoriales(
  filters: Pick<IndicateursFilters, NiveauTerritorial>,
  page?: TerritoireDePage,
): IncoherenceTerritoriale[] {
  const out: IncoherenceTerritoriale[] = [];
  const restants: Record<NiveauTerritorial, string[]> = {
    region: [...(filters.region ?? [])],
    academie: [...(filters.academie ?? [])],
    departement: [...(filters.departement ?? [])],
  };
  const rejeter = (param: NiveauTerritorial, code: string, message: string) => {
    out.push({ param, code, message: `${param} : ${message}` });
    restants[param] = restants[param].filter((c) => c !== code);
  };

  // against the page's territory
  if (page) {
    const rangPage = NIVEAUX_TERRITORIAUX.indexOf(page.niveau);
    for (const niveau of NIVEAUX_TERRITORIAUX) {
      for (const code of restants[niveau]) {
        if (NIVEAUX_TERRITORIAUX.indexOf(niveau) >= rangPage) {
          const contenant = territoireContenant(niveau, code, page.niveau);
          if (contenant === page.code) continue;
          const ailleurs = niveau !== page.niveau && contenant ? ` mais appartient à ${designationTerritoire(page.niveau, contenant)}` : "";
          rejeter(
            niveau,
            code,
            `ce tableau de bord est celui ${deTerritoire(page.niveau, page.code)} : ${designationTerritoire(niveau, code)} n'en fait pas partie${ailleurs} ; ` +
              `retirez ce filtre ou ouvrez le tableau de bord ${deTerritoire(niveau, code)}`,
          );
        } else {
          const contenant = territoireContenant(page.niveau, page.code, niveau);
          if (contenant === code) continue;
          rejeter(
            niveau,
            code,
            `ce tableau de bord est celui ${deTerritoire(page.niveau, page.code)}, qui n'est pas dans ${designationTerritoire(niveau, code)}` +
              `${contenant ? ` mais dans ${designationTerritoire(niveau, contenant)}` : ""} ; retirez ce filtre`,
          );
        }
      }
    }
  }

  // between the filters: the narrower territory is the one reported (académie in région, then département in both)
  const paires: [NiveauTerritorial, NiveauTerritorial][] = [
    ["academie", "region"],
    ["departement", "region"],
    ["departement", "academie"],
  ];
  for (const [etroit, large] of paires) {
    const larges = restants[large];
    if (larges.length === 0) continue;
    for (const code of restants[etroit]) {
      const contenant = territoireContenant(etroit, code, large);
      if (contenant !== undefined && larges.includes(contenant)) continue;
      const ou = larges.length === 1 ? `pas dans ${designationTerritoire(large, larges[0])}` : `dans aucune des ${PLURIELS[large]} demandées (${larges.join(", ")})`;
      const ailleurs = contenant ? ` mais dans ${designationTerritoire(large, contenant)}` : "";
      rejeter(etroit, code, `${designationTerritoire(etroit, code)} n'est ${ou}${ailleurs} : ces deux filtres s'excluent`);
    }
  }
  return out;
}

/** URL search params of filters (one comma-separated parameter per filter), the inverse of `parseFilters`. */
export function filtersToSearchParams(
  filters: IndicateursFilters,
  into: URLSearchParams = new URLSearchParams(),
): URLSearchParams {
  for (const key of Object.keys(FILTER_PARAMS) as (keyof IndicateursFilters)[]) {
    const value = filters[key];
    into.delete(FILTER_PARAMS[key]);
    if (value === undefined) continue;
    if (typeof value === "boolean") into.set(FILTER_PARAMS[key], value ? "oui" : "non");
    else if (value.length > 0) into.set(FILTER_PARAMS[key], value.join(","));
  }
  return into;
}

/**
 * The filters as a file name's piece: each filter's URL parameter and values, several values joined by "+"
 * ("region-84-niveau-3+4"), "" without filter; at most `max` characters. A filtered file is never named like the
 * unfiltered one (the exports' files, the dashboards' downloads).
 */
export function filtresEnNomDeFichier(filters: IndicateursFilters, max = 150): string {
  return [...filtersToSearchParams(filters)]
    .map(([k, v]) => `${k}-${v.split(",").map(segmentFichier).filter(Boolean).join("+")}`)
    .join("-")
    .slice(0, max)
    .replace(/[-+]+$/, "");
}

/** True when no filter is set. */
export function sansFiltre(filters: IndicateursFilters): boolean {
  return Object.values(filters).every((v) => v === undefined || (Array.isArray(v) && v.length === 0));
}

export function parseRepartition(value: string | null | undefined): Parsed<Repartition | undefined> {
  if (value === null || value === undefined || value === "") return { ok: true, value: undefined };
  return (REPARTITIONS as readonly string[]).includes(value)
    ? { ok: true, value: value as Repartition }
    : { ok: false, errors: [`by : répartition inconnue « ${value} » (valeurs : ${list(REPARTITIONS)})`] };
}

// ---------------------------------------------------------------------------------------------- dates

export function parseDate(value: string, name = "date"): Parsed<string> {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && isIsoDate(value)
    ? { ok: true, value }
    : { ok: false, errors: [`${name} : date invalide « ${value} » (AAAA-MM-JJ attendu)`] };
}

/** Last day of the month of a date "YYYY-MM-DD" (or of a month "YYYY-MM"). */
export function dernierJourDuMois(date: string): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return `${date.slice(0, 7)}-${String(daysInMonth(y, m)).padStart(2, "0")}`;
}

/** The month "YYYY-MM" `delta` months after (before when negative) the month of `date`. */
export function moisDecale(date: string, delta: number): string {
  const index = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1 + delta;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/**
 * The days the counters at `date` are compared with (docs/decisions/018): the end of the previous month, and the
 * same day one year before (apprenticeship is seasonal: a month's end a year before is not comparable). A month's
 * last day (a past month's date) is compared with the same month's last day: 28/02/2025 with 29/02/2024, the point
 * of the series the page shows for février 2024.
 */
export function datesDeComparaison(date: string): { moisPrecedent: string; anneePrecedente: string } {
  const anneePrecedente = date === dernierJourDuMois(date) ? dernierJourDuMois(moisDecale(date, -12)) : memeJourUnAnAvant(date);
  return { moisPrecedent: dernierJourDuMois(moisDecale(date, -1)), anneePrecedente };
}

/** The dates of a monthly series ending at `date`: last days of the `mois - 1` previous months, then `date`. */
export function datesSerie(date: string, mois = 24): { mois: string; date: string }[] {
  const points: { mois: string; date: string }[] = [];
  for (let k = mois - 1; k >= 1; k--) {
    const m = moisDecale(date, -k);
    points.push({ mois: m, date: dernierJourDuMois(`${m}-01`) });
  }
  points.push({ mois: date.slice(0, 7), date });
  return points;
}

/** The date of a dashboard month: its last day when past, today for the current month. */
export function dateDuMois(mois: string, today: string): string {
  return mois === today.slice(0, 7) ? today : dernierJourDuMois(mois);
}

/** A month "YYYY-MM", not after the current one. `name`: the URL parameter, for the messages. */
export function parseMois(value: string, today: string, name = "mois"): Parsed<string> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value))
    return { ok: false, errors: [`${name} : mois invalide « ${value} » (AAAA-MM attendu)`] };
  if (value > today.slice(0, 7)) return { ok: false, errors: [`${name} : « ${value} » est dans le futur`] };
  return { ok: true, value };
}

/**
 * The first month the dashboards and the exports count: an older one is a typo (1900-01), and counting it would
 * build stored aggregates for a day no figure exists.
 */
export const MOIS_MIN = "2000-01";

/** A month of the dashboards and exports: "YYYY-MM", from MOIS_MIN up to the current month. */
export function parseMoisBorne(value: string, today: string, name = "mois"): Parsed<string> {
  const parsed = parseMois(value, today, name);
  if (parsed.ok && parsed.value < MOIS_MIN) return { ok: false, errors: [`${name} : « ${parsed.value} » est trop ancien (janvier 2000 au plus tôt)`] };
  return parsed;
}

/** A date of the indicators: "YYYY-MM-DD", from the first day of MOIS_MIN up to today. */
export function parseDateBornee(value: string, today: string, name = "date"): Parsed<string> {
  const parsed = parseDate(value, name);
  if (!parsed.ok) return parsed;
  if (parsed.value > today) return { ok: false, errors: [`${name} : « ${value} » est dans le futur (aujourd'hui au plus tard : ${today})`] };
  if (parsed.value < `${MOIS_MIN}-01`) return { ok: false, errors: [`${name} : « ${value} » est trop ancienne (1er janvier 2000 au plus tôt)`] };
  return parsed;
}

/**
 * An address read strictly (the dashboards' files, the exports) refuses a parameter it does not read rather than
 * ignore it: a misspelt filter (`regoin=84`) would give national figures presented as asked. One French message
 * per unknown parameter, naming it: `particuliers` gives the reason of a known mistake (a parameter of another
 * address), else it is "paramètre inconnu" followed by the parameters accepted (`acceptes`, as the messages say them).
 */
export function parametresInconnus(
  params: URLSearchParams,
  lus: ReadonlySet<string>,
  acceptes: readonly string[],
  particuliers: Readonly<Record<string, string>> = {},
): string[] {
  const erreurs: string[] = [];
  for (const k of new Set(params.keys())) {
    if (lus.has(k)) continue;
    const raison = Object.prototype.hasOwnProperty.call(particuliers, k) ? particuliers[k] : null;
    erreurs.push(raison ? `${k} : ${raison}` : `${k.slice(0, 40)} : paramètre inconnu (paramètres acceptés : ${acceptes.join(", ")})`);
  }
  return erreurs;
}

/**
 * Date of the indicators from URL params: `date=AAAA-MM-JJ`, else `mois=AAAA-MM` (its last day, or today for the
 * current month), else today. Both within the dashboards' bounds: from MOIS_MIN up to today. A later date would count
 * the statuts the dates sent so far give, not what will be (a rupture is not known in advance): a typo (2062 for 2026)
 * would give plausible figures.
 */
export function parseDateParams(params: URLSearchParams, today: string): Parsed<string> {
  const date = params.get("date");
  if (date) return parseDateBornee(date, today);
  const mois = params.get("mois");
  if (mois) {
    const parsed = parseMoisBorne(mois, today);
    return parsed.ok ? { ok: true, value: dateDuMois(parsed.value, today) } : parsed;
  }
  return { ok: true, value: today };
}
