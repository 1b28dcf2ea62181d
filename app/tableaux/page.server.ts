/**
 * The data of a dashboard page (national, région, département, académie, organisme, formation): the URL parsed,
 * every access asked to the policy module, the figures from the indicator module, masked for the public.
 *
 * Access (app/auth/policy.server.ts):
 * - a territory page asks `canSeeAggregates(viewer, territory)`; an organisme page `requireOrganismeTarget`;
 *   the national and formation pages are open to everyone, the figures restricted to the viewer's scope;
 * - every territory filter value must be visible to the viewer: for the public and the territorial scopes
 *   (national, région, académie, département) the territory itself; for a réseau or an organisme scope, its
 *   intersection with the scope (the indicator queries apply the scope anyway);
 * - the public may not filter by organisme, réseau or bassin (figures below the région); a signed-in viewer may
 *   filter by an organisme it may see, a tête de réseau by its own réseau only;
 * - maps and tables below the région (départements, organismes) are for signed-in viewers; the public sees
 *   régions, niveaux and formations, with small counts masked (`maskSmallCounts`) and the rates built on them
 *   withheld; the coverage and freshness count CFAs, not people: exact for everyone (decision 007);
 * - a signed-in viewer asking for a territory outside its scope that the public sees (another région) gets the
 *   public's page, with a notice (`viewerOfAggregates`: signing in never reduces what one sees);
 * - a signed-in viewer whose scope is not national asks the public figures of all France by `perimetre=france` (the
 *   panel's « France entière (chiffres publics) »): the national or formation page is loaded as the public's, with
 *   a notice and a link back to its perimeter (decision 037).
 * A refusal is a 403 thrown before any figure is computed.
 */
import { data, redirect } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import { organismesDeLEspace } from "../cfa/acces.server";
import { enCache } from "./cache.server";
import {
  canFilterBelowRegion,
  scopeDuTableauDeLOrganisme,
  canFilterOnRqth,
  canSeeAggregates,
  forbidden,
  getViewer,
  lisLesListesDuTerritoire,
  maskSmallCounts,
  maskThreshold,
  notFound,
  PUBLIC_VIEWER,
  resolveOrganismeTarget,
  viewerOfAggregates,
  viewerOfPublicFigures,
  type Scope,
  type Target,
  type Targets,
  type Viewer,
} from "../auth/policy.server";
import { listesDe } from "../listes/listes.server";
import { LISTES } from "../listes/listes";
import { couverture, type ChiffresCouverture, type LigneCouverture } from "../indicateurs/couverture.server";
import { LIBELLES_TRANCHE_AGE, compteurs, comptesVides, type Compteurs } from "../indicateurs/etats";
import {
  ACADEMIE_CODES,
  DEPARTEMENT_PATTERN,
  FILTER_PARAMS,
  LIBELLES_SEXE,
  REGIONS,
  dateDuMois,
  datesDeComparaison,
  datesSerie,
  filtersToSearchParams,
  filtresExclusParLaPage,
  parseFiltersLenient,
  parseMoisBorne,
  type IndicateursFilters,
  type IncoherenceTerritoriale,
  type TerritoireDePage,
  type ValeursConnues,
} from "../indicateurs/filters";
import { departementsDuPerimetre, indicateurs, raisonsSansEffectif, serieEtEvolution, territoires, type EvolutionResult, type LigneRepartition, type PointSerie } from "../indicateurs/indicateurs.server";
import { formationConditions } from "../referentiel/catalogue.server";
import { isValidCfd, isValidRncp, isValidSiret, isValidUai, normalizeRncp, normalizeSiret, normalizeUai, SIRET_PATTERN } from "../referentiel/codes";
import { NATURE_LABELS, libelleDepartement, nomAcademie } from "../referentiel/labels";
import { organismeConditions, reseauxConnus } from "../referentiel/repertoire.server";
import { todayIso } from "../statut/annee-scolaire";
import { libelleNiveau } from "./options";
import { fichiersDeLaPage, type PerimetreFichiers } from "./fichiers";
import type {
  CartesTerritoriales,
  Choix,
  ChiffreCle,
  Comptes,
  CouvertureData,
  Etiquette,
  InfoVue,
  LigneCarte,
  LigneFormation,
  LigneNiveau,
  LigneOrganisme,
  LigneTaux,
  ModeLiens,
  NiveauCarte,
  Nombre,
  OptionTerritoire,
  Panneau,
  Resultat,
  TableTriee,
  TableauPage,
} from "./types";
import {
  CHEMIN_NIVEAU,
  COLONNES_COMPTES,
  LIGNES_PAR_PAGE,
  PARAMETRES_TABLES,
  PARAMETRES_TERRITOIRE,
  PERIMETRE,
  PERIMETRE_FRANCE,
  TRIS_TABLE,
  avecParametres,
  chaineRequete,
  cheminVue,
  perimetresDemandes,
  rechercheTransmise,
  type NiveauTerritoire,
  type TriTable,
  type Vue,
} from "./vues";

type Territoires = Awaited<ReturnType<typeof territoires>>;

export interface ChargementOptions {
  /** "YYYY-MM-DD"; default: today (UTC). */
  today?: string;
  /** The present instant (freshness); default: now. */
  now?: Date;
  /** Every line of the tables by organisme and by formation (CSV / JSON), not one page. */
  complet?: boolean;
  /** No figures when the URL holds a bad value (the CSV and JSON answer 400); the pages show the others' figures. */
  strict?: boolean;
}

// ------------------------------------------------------------------------------------------------ the vue

interface ContexteVue {
  vue: Vue;
  info: InfoVue;
  /** Filters the page itself implies (its territory, its formation's code). */
  filtresVue: IndicateursFilters;
  /** The restriction passed to the indicator module as `scope`. */
  scope: Scope;
  /** On an organisme page: the viewer's own territorial / réseau scope, as filters (the scope is the organisme). */
  filtresScope: IndicateursFilters;
  liens: ModeLiens;
  /** The public sees régions; signed-in viewers départements. */
  public: boolean;
}

const NOM_NIVEAU: Record<NiveauTerritoire, string> = { region: "Région", departement: "Département", academie: "Académie" };

function nomTerritoire(t: Territoires, niveau: NiveauTerritoire, code: string): string | undefined {
  return niveau === "region" ? t.regions.get(code) : niveau === "academie" ? t.academies.get(code) : t.departements.get(code)?.nom;
}

function libelleTerritoire(t: Territoires, niveau: NiveauTerritoire, code: string): string {
  const nom = nomTerritoire(t, niveau, code) ?? code;
  return niveau === "departement" ? `${nom} (${code})` : niveau === "academie" ? nomAcademie(nom) : nom;
}

/** A viewer whose scope is a réseau or an organisme: territories are filters of their own dashboard. */
function scopeNonTerritorial(viewer: Viewer): boolean {
  return viewer.scope.kind === "reseau" || viewer.scope.kind === "organisme";
}

function libellePerimetre(viewer: Viewer, t: Territoires): string | null {
  const s = viewer.scope;
  switch (s.kind) {
    case "national":
      return null;
    case "region":
    case "departement":
    case "academie":
      return libelleTerritoire(t, s.kind, s.code);
    case "reseau":
      return `Réseau ${s.nom}`;
    case "organisme":
      return viewer.user?.organisationNom ?? "Votre organisme";
  }
}

/**
 * The scope of an organisme's dashboard: the organisme as named (it, its formateurs, the learners it is responsable
 * of), bounded by the viewer's scope for a CFA user — the same part its CFA space shows (policy perimetreDeLEspace,
 * decision 017); territorial and réseau viewers are bounded by their filters (scopeEnFiltres).
 */
async function scopeDuTableauOrganisme(database: Database, viewer: Viewer, organismeId: number): Promise<Scope> {
  return scopeDuTableauDeLOrganisme(viewer, organismeId, await organismesDeLEspace(database, organismeId));
}

/** The viewer's scope as filters (territory, réseau); {} for national and organisme scopes. */
function scopeEnFiltres(viewer: Viewer): IndicateursFilters {
  const s = viewer.scope;
  switch (s.kind) {
    case "region":
      return { region: [s.code] };
    case "departement":
      return { departement: [s.code] };
    case "academie":
      return { academie: [s.code] };
    case "reseau":
      return { reseau: [s.nom] };
    default:
      return {};
  }
}

function parseId(value: string | undefined): number | null {
  return value && /^[0-9]{1,9}$/.test(value) ? Number(value) : null;
}

async function resoudreVue(database: Database, acces: Acces, vue: Vue, t: Territoires): Promise<ContexteVue> {
  const { viewer } = acces;
  const isPublic = viewer.userId === null;
  const accueil = { libelle: "Accueil", href: "/" };
  const modeParDefaut: ModeLiens = scopeNonTerritorial(viewer) ? "filtre" : "page";
  switch (vue.kind) {
    case "national": {
      const perimetre = libellePerimetre(viewer, t);
      return {
        vue,
        info: {
          vue,
          chemin: "/",
          surtitre: perimetre ? "Tableau de bord de votre périmètre" : "Tableau de bord national",
          titre: perimetre ? `L'apprentissage dans votre périmètre` : "L'apprentissage en France",
          sousTitre: perimetre,
          filAriane: [],
          perimetre,
          filtre: {},
        },
        filtresVue: {},
        scope: viewer.scope,
        filtresScope: {},
        liens: modeParDefaut,
        public: isPublic,
      };
    }
    case "region":
    case "departement":
    case "academie": {
      const niveau = vue.kind;
      const code = niveau === "departement" ? vue.code.toUpperCase() : vue.code;
      const existe =
        niveau === "region"
          ? (REGIONS as readonly string[]).includes(code)
          : niveau === "academie"
            ? ACADEMIE_CODES.includes(code)
            : DEPARTEMENT_PATTERN.test(code) && t.departements.has(code);
      if (!existe || !nomTerritoire(t, niveau, code)) throw territoireInconnu(niveau);
      autoriser(acces, { kind: niveau, code }, MESSAGE_PUBLIC_TERRITOIRE);
      const filAriane = [accueil];
      if (niveau !== "region") {
        const region = niveau === "departement" ? t.departements.get(code)!.region : regionDeAcademie(t, code);
        if (region && canSeeAggregates(viewer, { kind: "region", code: region })) {
          filAriane.push({ libelle: t.regions.get(region) ?? region, href: `/regions/${region}` });
        }
      }
      if (niveau === "departement") {
        const academie = t.departements.get(code)!.academie;
        if (academie && canSeeAggregates(viewer, { kind: "academie", code: academie })) {
          filAriane.push({ libelle: nomAcademie(t.academies.get(academie) ?? academie), href: `/academies/${academie}` });
        }
      }
      const normalise: Vue = { kind: niveau, code };
      return {
        vue: normalise,
        info: {
          vue: normalise,
          chemin: cheminVue(normalise),
          surtitre: NOM_NIVEAU[niveau],
          titre: libelleTerritoire(t, niveau, code),
          sousTitre: null,
          filAriane,
          perimetre: null,
          filtre: { [FILTER_PARAMS[niveau]]: code },
        },
        filtresVue: { [niveau]: [code] },
        scope: viewer.scope,
        filtresScope: {},
        liens: "page",
        public: isPublic,
      };
    }
    case "organisme": {
      const target = await resolveOrganismeTarget(database, vue.id);
      if (!target) throw notFound("Cet organisme n'existe pas dans le référentiel.");
      autoriser(acces, target, "Ces données sont réservées aux utilisateurs connectés : connectez-vous pour y accéder.");
      const [o] = await database.rows<{ raison_sociale: string; enseigne: string | null; nature: string; commune: string | null; siret_unique: boolean; uai_unique: boolean }>(sql`
        select o.raison_sociale, o.enseigne, o.nature, c.nom as commune,
          (select count(*) from organismes x where x.siret = o.siret) = 1 as siret_unique,
          (select count(*) from organismes x where x.uai = o.uai) = 1 as uai_unique
        from organismes o left join communes c on c.code = o.code_commune where o.id = ${vue.id}`);
      const details = [
        `SIRET ${target.siret}`,
        target.uai ? `UAI ${target.uai}` : null,
        NATURE_LABELS[o.nature] ?? null,
        o.commune ? `${o.commune}${target.departementCode ? ` (${target.departementCode})` : ""}` : null,
      ].filter(Boolean);
      return {
        vue,
        info: {
          vue,
          chemin: cheminVue(vue),
          surtitre: "Organisme de formation",
          titre: o.enseigne ?? o.raison_sociale,
          sousTitre: [o.enseigne ? o.raison_sociale : null, details.join(" · ")].filter(Boolean).join(" — "),
          filAriane: [accueil, { libelle: "Répertoire des organismes", href: "/organismes" }, { libelle: o.enseigne ?? o.raison_sociale, href: `/organismes/${vue.id}` }],
          perimetre: null,
          // The organisme as the `organisme=` filter of another page: its SIRET, unless other rows of the référentiel
          // carry it and its UAI is its own (a SIRET may carry several UAIs).
          filtre: { [FILTER_PARAMS.organisme]: !o.siret_unique && target.uai && o.uai_unique ? target.uai : target.siret },
        },
        filtresVue: {},
        scope: await scopeDuTableauOrganisme(database, viewer, vue.id),
        filtresScope: scopeEnFiltres(viewer),
        liens: "filtre",
        public: isPublic,
      };
    }
    case "formation": {
      const [f] = await database.rows<{ cfd: string | null; rncp: string | null; niveau: number | null; intitule: string }>(sql`
        select cfd, rncp, niveau, coalesce(intitule_long, intitule_court) as intitule from formations where id = ${vue.id}`);
      if (!f || (!f.cfd && !f.rncp)) throw notFound("Cette formation n'existe pas dans le catalogue.");
      const details = [f.cfd ? `CFD ${f.cfd}` : null, f.rncp ? `${f.rncp}` : null, f.niveau ? `niveau ${f.niveau}` : null].filter(Boolean);
      return {
        vue,
        info: {
          vue,
          chemin: cheminVue(vue),
          surtitre: "Formation",
          titre: f.intitule,
          sousTitre: details.join(" · "),
          filAriane: [accueil, { libelle: "Catalogue des formations", href: "/formations" }, { libelle: f.cfd ?? f.rncp ?? "Formation", href: `/formations/${vue.id}` }],
          perimetre: libellePerimetre(viewer, t),
          filtre: f.cfd ? { [FILTER_PARAMS.cfd]: f.cfd } : { [FILTER_PARAMS.rncp]: f.rncp! },
        },
        filtresVue: f.cfd ? { cfd: [f.cfd] } : { rncp: [f.rncp!] },
        scope: viewer.scope,
        filtresScope: {},
        liens: "filtre",
        public: isPublic,
      };
    }
  }
}

function territoireInconnu(niveau: NiveauTerritoire): Response {
  return notFound(niveau === "region" ? "Cette région n'existe pas." : niveau === "academie" ? "Cette académie n'existe pas." : "Ce département n'existe pas.");
}

function regionDeAcademie(t: Territoires, academie: string): string | undefined {
  for (const d of t.departements.values()) if (d.academie === academie) return d.region;
  return undefined;
}

// ------------------------------------------------------------------------------------------------ access

const TERRITOIRES_FILTRES: [keyof IndicateursFilters, NiveauTerritoire][] = [
  ["region", "region"],
  ["departement", "departement"],
  ["academie", "academie"],
];

/** The filters the public's figures do not hold (below the région, or health data): left when all France is chosen. */
const PARAMETRES_NON_PUBLICS = [FILTER_PARAMS.bassinEmploi, FILTER_PARAMS.organisme, FILTER_PARAMS.reseau, FILTER_PARAMS.rqth] as const;

const MESSAGE_PUBLIC_TERRITOIRE =
  "Les chiffres des départements et des académies sont réservés aux utilisateurs connectés : connectez-vous pour y accéder.";

/**
 * A territory as a filter: the territory itself for the public and territorial scopes; its intersection with the
 * scope for a réseau or an organisme (the queries apply the scope).
 */
function territoireVisible(viewer: Viewer, target: Target): boolean {
  return canSeeAggregates(viewer, ciblesDuTerritoire(viewer, target));
}

/** What the policy is asked about a territory filter: its intersection with the scope for a réseau or an organisme. */
function ciblesDuTerritoire(viewer: Viewer, target: Target): Targets {
  return scopeNonTerritorial(viewer) ? [target, { kind: "scope" }] : target;
}

/**
 * Thrown when the page asks for figures outside the signed-in viewer's scope that the public may see: the page is
 * loaded again as the public (policy `viewerOfAggregates`: signing in never reduces what one sees).
 */
class VuePublique {}

/**
 * Who is asking: `viewer`, whom the page is shown as; `signe`, the visitor (the same viewer, or the signed-in user
 * shown the public page outside its scope).
 */
interface Acces {
  viewer: Viewer;
  signe: Viewer;
  /** The public figures of all France, asked by the signed-in viewer (`perimetre=france`, decision 037). */
  france?: boolean;
}

/** Why a filter is refused on the public figures of all France that a signed-in viewer asked for (decision 037). */
const MESSAGE_FRANCE_FILTRE =
  "Les chiffres publics de toute la France (perimetre=france) sont ceux de tout visiteur : ils ne se détaillent ni par département, " +
  "académie, organisme, réseau ou bassin d'emploi, ni selon la RQTH. Retirez ce filtre, ou revenez aux chiffres de votre périmètre.";

/**
 * The 403 of a page: for a visitor not signed in, `messagePublic` (connectez-vous…); for a user, the policy's (or,
 * shown the public figures of all France at its request, what they do not hold).
 */
function refus(acces: Acces, messagePublic?: string): Response {
  if (acces.france) return forbidden(MESSAGE_FRANCE_FILTRE);
  return forbidden(acces.signe.userId === null ? messagePublic : undefined);
}

/**
 * Asks the policy whom figures of `targets` are shown as (`viewerOfAggregates`): the page's viewer goes on; a
 * signed-in viewer outside its scope gets the public page when the public may see them (VuePublique); else a 403.
 */
function autoriser(acces: Acces, targets: Targets, messagePublic?: string): void {
  const vu = viewerOfAggregates(acces.viewer, targets);
  if (vu === acces.viewer) return;
  if (vu !== null) throw new VuePublique();
  throw refus(acces, messagePublic);
}

/**
 * Throws a 403 when a filter asks for figures the viewer may not see (before anything is computed), or VuePublique
 * when a territory filter is outside the signed-in viewer's scope but public (`/?region=11` for a DREETS of 84).
 * The territories left out (`ecartes`, decision 020) are not counted: each must only be one the visitor or the
 * public may see, else the answer stays a 403.
 */
async function verifierFiltres(database: Database, acces: Acces, filters: IndicateursFilters, ecartes: IncoherenceTerritoriale[] = []): Promise<void> {
  const { viewer } = acces;
  for (const [key, niveau] of TERRITOIRES_FILTRES) {
    for (const code of (filters[key] as string[] | undefined) ?? []) autoriser(acces, ciblesDuTerritoire(viewer, { kind: niveau, code }), MESSAGE_PUBLIC_TERRITOIRE);
  }
  for (const e of ecartes) {
    const target: Target = { kind: e.param, code: e.code };
    if (viewerOfAggregates(acces.signe, ciblesDuTerritoire(acces.signe, target)) === null) throw refus(acces, MESSAGE_PUBLIC_TERRITOIRE);
  }
  if (!canFilterBelowRegion(viewer) && (filters.organisme?.length || filters.reseau?.length || filters.bassinEmploi?.length)) {
    throw refus(
      acces,
      "Les chiffres par organisme, par réseau et par bassin d'emploi sont réservés aux utilisateurs connectés : connectez-vous pour y accéder.",
    );
  }
  if (!canFilterOnRqth(viewer) && filters.rqth !== undefined) {
    if (acces.france) throw refus(acces);
    throw forbidden(
      acces.signe.userId === null
        ? "Les chiffres selon la RQTH (reconnaissance de la qualité de travailleur handicapé, une donnée de santé) sont réservés aux utilisateurs connectés : connectez-vous pour y accéder."
        : "Hors du périmètre de votre organisation, seuls les chiffres publics sont montrés, et les chiffres selon la RQTH (une donnée de santé) n'en font pas partie : retirez ce filtre.",
    );
  }
  if (viewer.scope.kind === "reseau") {
    for (const nom of filters.reseau ?? []) if (!canSeeAggregates(viewer, { kind: "reseau", nom })) throw forbidden();
  }
  if (filters.organisme?.length) {
    const sirets = filters.organisme.filter((o) => SIRET_PATTERN.test(o));
    const uais = filters.organisme.filter((o) => !SIRET_PATTERN.test(o));
    const rows = await database.rows<{ id: number }>(sql`
      select id from organismes where siret = any(${arrayParam(sirets)}::text[]) or uai = any(${arrayParam(uais)}::text[])`);
    for (const r of rows) {
      const target = await resolveOrganismeTarget(database, Number(r.id));
      if (!target || !canSeeAggregates(viewer, target)) throw forbidden();
    }
  }
}

// ------------------------------------------------------------------------------------------------ URL

/** Filters of one page: the vue's, the user's and the scope's, intersected; null when nothing can match. */
export function combinerFiltres(...parts: IndicateursFilters[]): IndicateursFilters | null {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part) as [keyof IndicateursFilters, unknown][]) {
      if (value === undefined) continue;
      const current = out[key];
      if (current === undefined) {
        out[key] = Array.isArray(value) ? [...value] : value;
      } else if (Array.isArray(value)) {
        const inter = (current as unknown[]).filter((v) => (value as unknown[]).includes(v));
        if (inter.length === 0) return null;
        out[key] = inter;
      } else if (current !== value) {
        return null;
      }
    }
  }
  return out as IndicateursFilters;
}

interface Parametres {
  mois: string;
  date: string;
  /** The valid filters of the URL (a bad value is reported in `erreurs` and ignored, the others applied). */
  filters: IndicateursFilters;
  /** The territories of the URL left out for not holding with the others or with the page (reported in `erreurs`). */
  ecartes: IncoherenceTerritoriale[];
  erreurs: string[];
  /** The URL's query without its bad values nor the panel's searches: the links of the page start from it. */
  recherche: URLSearchParams;
  tri: { o: TriOrdre; f: TriOrdre };
}

interface TriOrdre {
  tri: TriTable;
  ordre: "asc" | "desc";
  page: number;
}

function lireTri(params: URLSearchParams, suffixe: "o" | "f"): TriOrdre {
  const tri = params.get(`tri_${suffixe}`);
  const ordre = params.get(`ordre_${suffixe}`);
  const page = params.get(`page_${suffixe}`);
  const t: TriTable = tri && (TRIS_TABLE as readonly string[]).includes(tri) ? (tri as TriTable) : "apprenants";
  return {
    tri: t,
    ordre: ordre === "asc" || ordre === "desc" ? ordre : t === "libelle" ? "asc" : "desc",
    page: page && /^[0-9]{1,6}$/.test(page) && Number(page) >= 1 ? Number(page) : 1,
  };
}

/**
 * Why `date=` is refused: a dashboard date is a month (a past month counts at its last day, the current month at
 * today), asked by `mois=AAAA-MM`; a day would be silently moved to its month's last day. The example is the month
 * of the date sent when it is one, else the current month.
 */
export function messageDateRefusee(valeur: string, today: string): string {
  const exemple = /^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/.test(valeur) && valeur.slice(0, 7) <= today.slice(0, 7) ? valeur.slice(0, 7) : today.slice(0, 7);
  return (
    `date : les tableaux de bord se lisent par mois, pas à un jour : utilisez mois=AAAA-MM (par exemple mois=${exemple}) ; ` +
    "un mois passé est compté à son dernier jour, le mois en cours à aujourd'hui"
  );
}

/**
 * The month and the filters of the URL. A bad value is reported (French, naming the parameter) and ignored: the
 * month falls back to the current one, a filter keeps its valid values, the other filters apply. `date=` (the
 * indicators' and the CLI's day) is reported too: the dashboards count by month (`mois=`). So is a territory that
 * cannot hold with another, or with the page's own territory (`page`): a département outside the région asked.
 * `perimetre=france` (the public figures of all France, decision 037) is read where `franceAdmise` (the national and
 * formation pages); elsewhere, or with another value, it is reported.
 */
export function lireParametres(
  params: URLSearchParams,
  today: string,
  page?: TerritoireDePage,
  connus?: ValeursConnues,
  franceAdmise = false,
): Parametres {
  const erreurs: string[] = [];
  const invalides = new Set<string>();
  const perimetres = perimetresDemandes(params);
  // « mien », the default (the viewer's perimeter), as the répertoire says it; « france », the public figures
  const autre = perimetres.find((v) => v !== PERIMETRE_FRANCE && v !== "mien");
  if (autre !== undefined) {
    erreurs.push(
      `perimetre : valeur inconnue « ${autre.trim().slice(0, 40)} » (valeurs : mien, les chiffres de votre périmètre, par défaut ; france, les chiffres publics de toute la France)`,
    );
    invalides.add(PERIMETRE);
  } else if (perimetres.includes(PERIMETRE_FRANCE) && !franceAdmise) {
    erreurs.push("perimetre : les chiffres publics de toute la France (perimetre=france) se demandent sur le tableau de bord national ou sur celui d'une formation");
    invalides.add(PERIMETRE);
  }
  const moisCourant = today.slice(0, 7);
  let mois = moisCourant;
  if (params.has("date")) {
    erreurs.push(messageDateRefusee((params.get("date") ?? "").trim().slice(0, 40), today));
    invalides.add("date");
  }
  const moisParam = params.get("mois");
  // one month at a time: a second one would be dropped without a word
  if (params.getAll("mois").slice(1).some((m) => m.trim() !== "" && m !== moisParam)) {
    erreurs.push(`mois : un seul mois à la fois ; le tableau de bord est celui du premier indiqué (${(moisParam ?? "").trim().slice(0, 20)})`);
    // the links of the page keep the first one only
    params = new URLSearchParams(params);
    params.set("mois", moisParam ?? "");
  }
  if (moisParam !== null && moisParam !== "") {
    const parsed = parseMoisBorne(moisParam, today);
    if (!parsed.ok) {
      erreurs.push(...parsed.errors);
      invalides.add("mois");
    } else mois = parsed.value;
  }
  const parsed = parseFiltersLenient(params, page, connus);
  erreurs.push(...parsed.errors);
  for (const k of parsed.invalidParams) invalides.add(k);
  return {
    mois,
    date: dateDuMois(mois, today),
    filters: parsed.filters,
    ecartes: parsed.ecartes ?? [],
    erreurs,
    recherche: sansValeursInvalides(params, invalides, parsed.filters),
    tri: { o: lireTri(params, "o"), f: lireTri(params, "f") },
  };
}

/** What a dashboard reads from its address (the panel's searches are resolved into filters before). */
const PARAMETRES_DE_LA_PAGE = new Set<string>(["mois", PERIMETRE, ...Object.values(FILTER_PARAMS), ...PARAMETRES_TABLES]);

/**
 * The query the page's links carry on (tables' sorts and pages, downloads, other views): the parameters it reads,
 * each holding a bad value replaced by its valid values. Anything else (the panel's searches, `date`, a tracking
 * tag such as utm_source or xtor added to a link) is not carried on: the CSV and JSON downloads refuse it.
 */
function sansValeursInvalides(params: URLSearchParams, invalides: Set<string>, filters: IndicateursFilters): URLSearchParams {
  const valides = filtersToSearchParams(filters);
  const out = new URLSearchParams();
  const remplaces = new Set<string>();
  for (const [k, v] of params) {
    if (!PARAMETRES_DE_LA_PAGE.has(k)) continue;
    if (k === PERIMETRE) {
      if (!invalides.has(k) && v !== "" && !out.has(k)) out.append(k, v);
      continue;
    }
    if (!invalides.has(k)) out.append(k, v);
    else if (!remplaces.has(k)) {
      remplaces.add(k);
      const valeur = valides.get(k);
      if (valeur) out.append(k, valeur);
    }
  }
  return out;
}

/** What the filter panel's searches gave when they did not all resolve. */
interface Recherches {
  erreurs: string[];
  choix: Choix | null;
  /** The text typed in each search field that did not resolve (kept in the field), and why (French). */
  saisies: Panneau["recherches"];
  /** The URL's parameters with the searches that resolved applied (null: no search in the URL). */
  params: URLSearchParams | null;
}

/**
 * The filter panel's searches, turned into canonical URLs: `territoire` (a page change, or a territory filter),
 * `cfa` (→ organisme=SIRET), `formation` (→ cfd / rncp). Throws the redirect when every search resolved (or the
 * page changes: a search that failed is then kept in the URL, and tried again there); else returns the errors,
 * or the choices when a search is ambiguous, and the parameters with the searches that resolved applied.
 */
async function traiterRecherches(
  database: Database,
  acces: Acces,
  ctx: ContexteVue,
  url: URL,
  today: string,
): Promise<Recherches> {
  const { viewer } = acces;
  const params = new URLSearchParams(url.search);
  const has = (k: string) => params.has(k);
  const saisies: Panneau["recherches"] = { cfa: { valeur: "", erreur: null }, formation: { valeur: "", erreur: null } };
  if (!has("territoire") && !has("cfa") && !has("formation")) return { erreurs: [], choix: null, saisies, params: null };
  let chemin = ctx.info.chemin;
  const erreurs: string[] = [];
  let choix: Choix | null = null;
  /** A search that did not resolve: its text stays in the field (and in the URL), with the reason when it failed. */
  const nonResolue = (champ: "cfa" | "formation", q: string, erreur: string | null) => {
    saisies[champ] = { valeur: q, erreur };
    params.set(champ, q);
    if (erreur) erreurs.push(`${champ} : ${erreur.charAt(0).toLowerCase()}${erreur.slice(1).replace(/\.$/, "")}`);
  };
  for (const k of PARAMETRES_TABLES) params.delete(k);

  // « France entière (chiffres publics) » (decision 037): the public figures of all France, without the filters they do not hold
  let franceChoisie = false;
  if (has("territoire")) {
    const value = (params.get("territoire") ?? "").trim();
    params.delete("territoire");
    // one territory, or several (the panel's option keeping the territories of an address that holds several)
    const items = value === "" ? [] : value.split(",").map((v) => v.trim());
    const matches = items.map((v) => /^(region|departement|academie):([0-9AB]{2,3})$/i.exec(v));
    if (value === PERIMETRE_FRANCE) {
      if (ctx.vue.kind !== "organisme") {
        franceChoisie = true;
        for (const k of [...PARAMETRES_TERRITOIRE, ...PARAMETRES_NON_PUBLICS]) params.delete(k);
        params.set(PERIMETRE, PERIMETRE_FRANCE);
        // a territory's page: the national one
        if (ctx.vue.kind !== "national" && ctx.vue.kind !== "formation") chemin = "/";
      }
    } else if (matches.some((m) => m === null)) {
      erreurs.push(`territoire : territoire inconnu « ${value} » (région, académie ou département attendu)`);
    } else if (ctx.vue.kind !== "organisme") {
      const choisis = matches.map((m) => ({ niveau: m![1].toLowerCase() as NiveauTerritoire, code: m![2].toUpperCase() }));
      for (const k of PARAMETRES_TERRITOIRE) params.delete(k);
      const v = ctx.vue;
      const parPage = choisis.length <= 1 && ctx.liens === "page" && (v.kind === "national" || v.kind === "region" || v.kind === "departement" || v.kind === "academie");
      for (const { niveau, code } of choisis) {
        // Refused here rather than after the redirect: the answer is the same as the page's or the filter's.
        autoriser(acces, parPage ? { kind: niveau, code } : ciblesDuTerritoire(viewer, { kind: niveau, code }), MESSAGE_PUBLIC_TERRITOIRE);
      }
      // « Tout mon périmètre » (no territory) and another page leave the public figures of all France
      if (choisis.length === 0 || parPage) params.delete(PERIMETRE);
      if (parPage) chemin = choisis.length ? `/${CHEMIN_NIVEAU[choisis[0].niveau]}/${choisis[0].code}` : "/";
      else {
        // several territories are filters of this page, as the address had them (the page's own territory is implied)
        for (const { niveau, code } of choisis) if (!(v.kind === niveau && v.code === code)) params.append(niveau, code);
      }
    }
  }

  if (has("cfa")) {
    const q = (params.get("cfa") ?? "").trim();
    params.delete("cfa");
    if (q !== "" && !franceChoisie) {
      if (!canFilterBelowRegion(viewer)) {
        throw refus(acces, "La recherche par organisme est réservée aux utilisateurs connectés : connectez-vous pour y accéder.");
      }
      const siret = normalizeSiret(q);
      const uai = normalizeUai(q);
      if (isValidSiret(siret)) params.set(FILTER_PARAMS.organisme, siret);
      else if (isValidUai(uai)) params.set(FILTER_PARAMS.organisme, uai);
      else if (q.length > 200) nonResolue("cfa", q, "Recherche trop longue (200 caractères au plus).");
      else {
        const found = await database.rows<{ id: number; siret: string; uai: string | null; raison_sociale: string; enseigne: string | null; departement_code: string | null }>(sql`
          select o.id, o.siret, o.uai, o.raison_sociale, o.enseigne, o.departement_code from organismes o
          where ${organismeConditions(viewer, { q })}
          order by (o.nature <> 'lieu') desc, lower(o.raison_sociale), o.id limit 11`);
        if (found.length === 0) nonResolue("cfa", q, `Aucun organisme de votre périmètre ne correspond à « ${q} ».`);
        else if (found.length === 1) params.set(FILTER_PARAMS.organisme, found[0].siret);
        else {
          saisies.cfa = { valeur: q, erreur: null, choix: true };
          choix = {
            titre: `Plusieurs organismes correspondent à « ${q} » : choisissez-en un`,
            options: found.slice(0, 10).map((o) => {
              const p = new URLSearchParams(params);
              p.set(FILTER_PARAMS.organisme, o.siret);
              return {
                libelle: o.enseigne ?? o.raison_sociale,
                detail: [`SIRET ${o.siret}`, o.uai ? `UAI ${o.uai}` : null, o.departement_code ? `département ${o.departement_code}` : null].filter(Boolean).join(" · "),
                href: chemin + chaineRequete(p),
              };
            }),
          };
        }
      }
    }
  }

  if (has("formation")) {
    const q = (params.get("formation") ?? "").trim();
    params.delete("formation");
    if (q !== "" && ctx.vue.kind !== "formation") {
      const compact = q.replace(/\s/g, "").toUpperCase();
      if (isValidCfd(compact) && /[0-9]/.test(compact)) {
        params.delete(FILTER_PARAMS.rncp);
        params.set(FILTER_PARAMS.cfd, compact);
      } else if (/^(RNCP)?[0-9]{2,5}$/.test(compact) && isValidRncp(compact)) {
        params.delete(FILTER_PARAMS.cfd);
        params.set(FILTER_PARAMS.rncp, normalizeRncp(compact));
      } else if (q.length > 200) nonResolue("formation", q, "Recherche trop longue (200 caractères au plus).");
      else {
        const found = await database.rows<{ id: number; cfd: string | null; rncp: string | null; niveau: number | null; intitule: string }>(sql`
          select f.id, f.cfd, f.rncp, f.niveau, f.intitule_long as intitule from formations f
          where ${formationConditions({ q })} and (f.cfd is not null or f.rncp is not null)
          order by lower(f.intitule_long), f.id limit 11`);
        const cible = (f: { cfd: string | null; rncp: string | null }, p: URLSearchParams) => {
          p.delete(FILTER_PARAMS.cfd);
          p.delete(FILTER_PARAMS.rncp);
          if (f.cfd) p.set(FILTER_PARAMS.cfd, f.cfd);
          else p.set(FILTER_PARAMS.rncp, f.rncp!);
        };
        if (found.length === 0) nonResolue("formation", q, `Aucune formation du catalogue ne correspond à « ${q} ».`);
        else if (found.length === 1) cible(found[0], params);
        else {
          saisies.formation = { valeur: q, erreur: null, choix: true };
          // One choice at a time: the organisme's choices (already listed) keep this search in their URLs.
          choix ??= {
            titre: `Plusieurs formations correspondent à « ${q} » : choisissez-en une`,
            options: found.slice(0, 10).map((f) => {
              const p = new URLSearchParams(params);
              cible(f, p);
              return {
                libelle: f.intitule,
                detail: [f.cfd ? `CFD ${f.cfd}` : null, f.rncp, f.niveau ? `niveau ${f.niveau}` : null].filter(Boolean).join(" · "),
                href: chemin + chaineRequete(p),
              };
            }),
          };
        }
      }
    }
  }

  // The current month is the default: not written in the URL (a link keeps showing the latest figures).
  if (params.get("mois") === today.slice(0, 7)) params.delete("mois");
  if (!choix && (erreurs.length === 0 || chemin !== ctx.info.chemin)) throw redirect(chemin + chaineRequete(params));
  return { erreurs, choix, saisies, params };
}

// ------------------------------------------------------------------------------------------------ panel

function optionsTerritoires(viewer: Viewer, t: Territoires, perimetre: Set<string> | null, courant: string): OptionTerritoire[] {
  const courants = courant === "" ? [] : courant.split(",");
  // a réseau or a CFA: the territories of its organismes (and the ones asked, to keep them visible), not all of France
  const deps = [...(perimetre ?? [])].map((d) => t.departements.get(d)).filter((d) => d !== undefined);
  const dansPerimetre = (target: Target) => {
    if (perimetre === null || courants.includes(`${target.kind}:${"code" in target ? target.code : ""}`)) return true;
    if (target.kind === "departement") return perimetre.has(target.code);
    if (target.kind === "region") return deps.some((d) => d.region === target.code);
    if (target.kind === "academie") return deps.some((d) => d.academie === target.code);
    return true;
  };
  const visible = (target: Target) => territoireVisible(viewer, target) && dansPerimetre(target);
  const options: OptionTerritoire[] = [{ value: "", label: viewer.scope.kind === "national" ? "France entière" : "Tout mon périmètre", groupe: "France" }];
  if (courants.length > 1) {
    // the territories of the address, when there are several: the select keeps them (one value each would drop them)
    const libelle = (item: string) => {
      const [niveau, code] = item.split(":") as [NiveauTerritoire, string];
      return niveau === "departement" ? libelleDepartement(code, t.departements.get(code)?.nom ?? code) : libelleTerritoire(t, niveau, code);
    };
    options.push({ value: courant, label: courants.map(libelle).join(", "), groupe: "Plusieurs" });
  }
  const regions = [...t.regions].filter(([code]) => visible({ kind: "region", code })).sort((a, b) => a[1].localeCompare(b[1], "fr"));
  for (const [code, nom] of regions) options.push({ value: `region:${code}`, label: nom, groupe: "Régions" });
  const academies = [...t.academies].filter(([code]) => visible({ kind: "academie", code })).sort((a, b) => a[1].localeCompare(b[1], "fr"));
  for (const [code, nom] of academies) options.push({ value: `academie:${code}`, label: nomAcademie(nom), groupe: "Académies" });
  for (const [code, d] of t.departements) {
    if (visible({ kind: "departement", code })) options.push({ value: `departement:${code}`, label: libelleDepartement(code, d.nom), groupe: "Départements" });
  }
  return options;
}

/**
 * The territory select's value: the territories the page counts, at the narrowest level among the page's own and the
 * filters' (the wider ones hold them: decision 020 leaves out those that do not); several are one value
 * ("departement:01,departement:69"), which the next submission keeps as filters of the page.
 */
function territoireCourant(ctx: ContexteVue, filters: IndicateursFilters): string {
  const v = ctx.vue;
  for (const niveau of ["departement", "academie", "region"] as const) {
    const codes = [...(v.kind === niveau ? [v.code] : []), ...(filters[niveau] ?? [])].filter((c, i, all) => all.indexOf(c) === i);
    if (codes.length) return codes.map((c) => `${niveau}:${c}`).join(",");
  }
  return "";
}

function etiquettes(ctx: ContexteVue, libelles: LibelleFiltre[], search: string): Etiquette[] {
  const sans = (param: string) => {
    const p = new URLSearchParams(search);
    p.delete(param);
    for (const k of PARAMETRES_TABLES) p.delete(k);
    return ctx.info.chemin + chaineRequete(p);
  };
  return libelles.map((f) => ({ libelle: `${f.nom} : ${f.valeur}`, href: sans(f.param) }));
}

/** The scope of the figures as the downloads name it (fichiers.ts); null for all France. */
function perimetreDesFichiers(viewer: Viewer, t: Territoires): PerimetreFichiers | null {
  const s = viewer.scope;
  const libelle = libellePerimetre(viewer, t);
  if (s.kind === "national" || libelle === null) return null;
  return { kind: s.kind, code: s.kind === "reseau" ? s.nom : s.kind === "organisme" ? "" : s.code, libelle };
}

/** A filter as the pages name it: its URL parameter, its French name, its values' labels. */
export interface LibelleFiltre {
  param: string;
  nom: string;
  valeur: string;
}

/**
 * The filters in French, as the dashboards' active-filter tags show them (and the exports' parameters): the
 * territories by name, the organismes and formations by name and code, the niveaux, ages and sexes by label.
 */
export async function libellesFiltres(database: Database, filters: IndicateursFilters, t?: Territoires): Promise<LibelleFiltre[]> {
  const ter = t ?? (await territoires(database));
  const out: LibelleFiltre[] = [];
  const noms = async (table: "organismes" | "formations", values: string[], col: "siret_uai" | "cfd" | "rncp") => {
    const rows =
      table === "organismes"
        ? await database.rows<{ k: string; nom: string }>(sql`
            select distinct on (k) k, nom from (
              select siret as k, coalesce(enseigne, raison_sociale) as nom, id from organismes where siret = any(${arrayParam(values)}::text[])
              union all
              select uai as k, coalesce(enseigne, raison_sociale) as nom, id from organismes where uai = any(${arrayParam(values)}::text[])
            ) x order by k, id`)
        : await database.rows<{ k: string; nom: string }>(sql`
            select distinct on (k) ${sql.raw(col)} as k, intitule_long as nom from formations
            where ${sql.raw(col)} = any(${arrayParam(values)}::text[]) order by k, id`);
    const byKey = new Map(rows.map((r) => [r.k, r.nom]));
    return values.map((v) => (byKey.has(v) ? `${byKey.get(v)} (${v})` : v)).join(", ");
  };
  const add = (param: string, nom: string, valeur: string) => out.push({ param, nom, valeur });
  if (filters.region) add("region", "Région", filters.region.map((c) => ter.regions.get(c) ?? c).join(", "));
  if (filters.academie) add("academie", "Académie", filters.academie.map((c) => ter.academies.get(c) ?? c).join(", "));
  if (filters.departement) add("departement", "Département", filters.departement.map((c) => `${ter.departements.get(c)?.nom ?? c} (${c})`).join(", "));
  if (filters.bassinEmploi) add("bassin", "Bassin d'emploi", filters.bassinEmploi.join(", "));
  if (filters.organisme) add("organisme", "Organisme", await noms("organismes", filters.organisme, "siret_uai"));
  if (filters.reseau) add("reseau", "Réseau", filters.reseau.join(", "));
  if (filters.nature) add("nature", "Nature", filters.nature.map((n) => (NATURE_LABELS[n] ?? n).toLowerCase()).join(", "));
  if (filters.niveau) add("niveau", "Niveau", filters.niveau.map(libelleNiveau).join(", "));
  if (filters.cfd) add("cfd", "Formation", await noms("formations", filters.cfd, "cfd"));
  if (filters.rncp) add("rncp", "Certification", await noms("formations", filters.rncp, "rncp"));
  if (filters.anneeFormation) add("annee_formation", "Année de formation", filters.anneeFormation.join(", "));
  if (filters.trancheAge) add("age", "Âge", filters.trancheAge.map((a) => LIBELLES_TRANCHE_AGE[a].toLowerCase()).join(", "));
  if (filters.sexe) add("sexe", "Sexe", filters.sexe.map((s) => LIBELLES_SEXE[s]).join(", "));
  if (filters.rqth !== undefined) add("rqth", "RQTH", filters.rqth ? "oui" : "non");
  return out;
}

const PARAMETRES_FILTRES = new Set<string>(Object.values(FILTER_PARAMS));

/**
 * Hidden inputs of the panel: the filters of the URL that have no field (organisme, cfd, rncp, nature, bassin,
 * année de formation; the territory on an organisme page; the réseau without its select). A filter with a select
 * keeps all its values in it, however many (FilterPanel's `choixSelect`, the territory's combined option): a hidden
 * input beside it would add the values to the one chosen next, instead of being replaced by it.
 */
function conserves(params: URLSearchParams, ctx: ContexteVue, selectReseau: boolean): [string, string][] {
  const avecChamp = new Set(["niveau", "age", "sexe", "rqth"]);
  if (ctx.vue.kind !== "organisme") for (const k of PARAMETRES_TERRITOIRE) avecChamp.add(k);
  if (selectReseau) avecChamp.add("reseau");
  const out: [string, string][] = [];
  for (const [k, v] of params) {
    if (PARAMETRES_FILTRES.has(k) && !avecChamp.has(k)) out.push([k, v]);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ figures

function compteursVides(): Compteurs {
  return compteurs(comptesVides());
}

/** The series and the comparisons of a page whose filters match nothing. */
function serieEtEvolutionVides(date: string): { points: PointSerie[]; evolution: EvolutionResult } {
  const dates = datesDeComparaison(date);
  return {
    points: datesSerie(date).map((d) => ({ ...d, compteurs: compteursVides() })),
    evolution: {
      date,
      compteurs: compteursVides(),
      moisPrecedent: { date: dates.moisPrecedent, compteurs: compteursVides() },
      anneePrecedente: { date: dates.anneePrecedente, compteurs: compteursVides() },
    },
  };
}

/** A masked count's sort key: "< 5" sorts between 0 and 5, all masked values equal. */
function cleTri(n: Nombre): number {
  return typeof n === "number" ? n : Number(n.slice(2)) / 2;
}

function taux(m: (n: number) => Nombre, numerateur: number, denominateur: number): Pick<LigneTaux, "taux" | "numerateur" | "denominateur"> {
  const num = m(numerateur);
  const den = m(denominateur);
  return {
    taux: typeof num === "number" && typeof den === "number" && den > 0 ? num / den : null,
    numerateur: num,
    denominateur: den,
  };
}

const collator = new Intl.Collator("fr");

function trier<L extends { libelle: string; comptes: Comptes }>(lignes: L[], t: TriOrdre, complet = false): TableTriee<L> {
  const sens = t.ordre === "asc" ? 1 : -1;
  const sorted = [...lignes].sort((a, b) => {
    const d = t.tri === "libelle" ? collator.compare(a.libelle, b.libelle) : cleTri(a.comptes[t.tri]) - cleTri(b.comptes[t.tri]);
    return d * sens || collator.compare(a.libelle, b.libelle);
  });
  if (complet) return { lignes: sorted, total: sorted.length, page: 1, pages: 1, tri: t.tri, ordre: t.ordre };
  const pages = Math.max(1, Math.ceil(sorted.length / LIGNES_PAR_PAGE));
  const page = Math.min(t.page, pages);
  return {
    lignes: sorted.slice((page - 1) * LIGNES_PAR_PAGE, page * LIGNES_PAR_PAGE),
    total: sorted.length,
    page,
    pages,
    tri: t.tri,
    ordre: t.ordre,
  };
}

function lignesCartes(
  niveau: NiveauCarte,
  contexte: "page" | "national",
  lignes: LigneRepartition[],
  m: (n: number) => Nombre,
): CartesTerritoriales {
  const connues = lignes.filter((l): l is LigneRepartition & { code: string } => l.code !== null);
  return {
    niveau,
    contexte,
    apprenants: connues.map((l): LigneCarte => ({ code: l.code, nom: l.libelle, valeur: m(l.compteurs.apprenants) })),
    tauxRupture: connues.map((l) => ({
      code: l.code,
      nom: l.libelle,
      ...taux(m, l.compteurs.rupturants, l.compteurs.apprentis + l.compteurs.rupturants),
    })),
  };
}

function comptesDe(c: Compteurs, m: (n: number) => Nombre): Comptes {
  return Object.fromEntries(COLONNES_COMPTES.map((k) => [k, m(c[k])])) as Comptes;
}

/**
 * Coverage and freshness: counts of organismes (CFAs, legal entities of the public référentiel), not of people: exact
 * for every viewer, the public included (decision 007 masks and rounds the counts of learners only).
 */
function couvertureData(
  total: ChiffresCouverture & { date: string },
  carte: { niveau: NiveauCarte; contexte: "page" | "national"; lignes: LigneCouverture[] } | null,
): CouvertureData {
  const m = (n: number): Nombre => n;
  const t = taux(m, total.transmis, total.organismes);
  return {
    organismes: t.denominateur,
    transmis: t.numerateur,
    taux: t.taux,
    fraicheur: {
      recente: m(total.fraicheur.recente),
      vieillissante: m(total.fraicheur.vieillissante),
      ancienne: m(total.fraicheur.ancienne),
      jamais: m(total.fraicheur.jamais),
    },
    date: total.date,
    carte: carte
      ? {
          niveau: carte.niveau,
          contexte: carte.contexte,
          lignes: carte.lignes
            .filter((l): l is LigneCouverture & { code: string } => l.code !== null)
            .map((l) => ({ code: l.code, nom: l.libelle, ...taux(m, l.transmis, l.organismes) })),
        }
      : null,
  };
}

/** Filters without any territory (the public's national context of a regional page). */
function sansTerritoire(f: IndicateursFilters): IndicateursFilters {
  const { region: _r, departement: _d, academie: _a, bassinEmploi: _b, ...rest } = f;
  return rest;
}

interface Calcul {
  ctx: ContexteVue;
  viewer: Viewer;
  date: string;
  today: string;
  now?: Date;
  /** The page's filters (vue ∩ user ∩ scope); null: nothing can match. */
  filters: IndicateursFilters | null;
  tri: { o: TriOrdre; f: TriOrdre };
  complet?: boolean;
}

async function calculer(database: Database, c: Calcul): Promise<Resultat> {
  const { ctx, viewer, date, today } = c;
  const m = (n: number) => maskSmallCounts(viewer, n) as Nombre;
  const seuil = maskThreshold(viewer);
  const isPublic = ctx.public;
  const scope = ctx.scope;
  const filters = c.filters ?? {};
  const vide = c.filters === null;
  const base = { date, filters, scope, today };

  // the series and the comparisons (end of the previous month, same day a year before) from one count
  const { points, evolution } = vide
    ? serieEtEvolutionVides(date)
    : await enCache(database, ["serie-evolution", base], async () => {
        const r = await serieEtEvolution(database, base);
        return { points: r.serie.points, evolution: r.evolution };
      });
  const actuel = evolution.compteurs;

  const nationalScope = viewer.scope.kind === "national";
  const contexteNational = isPublic && (ctx.vue.kind === "region" || Boolean(filters.region));
  const filtresContexte = sansTerritoire(filters);
  const by = (b: "departement" | "region" | "niveau" | "organisme" | "formation", f: IndicateursFilters = filters) =>
    vide
      ? Promise.resolve([] as LigneRepartition[])
      : enCache(database, ["by", b, { ...base, filters: f }], () => indicateurs(database, { ...base, filters: f, by: b }).then((r) => r.repartition!.lignes));
  const couv = (options: Parameters<typeof couverture>[1]) =>
    vide
      ? Promise.resolve<Awaited<ReturnType<typeof couverture>>>({
          date,
          reference: new Date().toISOString(),
          organismes: 0,
          transmis: 0,
          tauxCouverture: null,
          fraicheur: { recente: 0, vieillissante: 0, ancienne: 0, jamais: 0 },
          repartition: options.by ? { by: options.by, lignes: [] } : undefined,
        })
      : enCache(database, ["couverture", { ...options, now: undefined }], () => couverture(database, options));

  const [parNiveau, parDepartement, parRegion, parOrganisme, parFormation, couvPage, couvCarte] = await Promise.all([
    by("niveau"),
    isPublic ? null : by("departement"),
    isPublic ? by("region", contexteNational ? filtresContexte : filters) : nationalScope && (ctx.vue.kind === "national" || ctx.vue.kind === "formation") ? by("region") : null,
    isPublic ? null : by("organisme"),
    ctx.vue.kind === "formation" ? null : by("formation"),
    couv({
      date,
      filters,
      scope,
      now: c.now,
      // The public's map is by région: one query gives the page's total and the map, unless the map is the national context.
      by: isPublic ? (contexteNational ? undefined : "region") : ctx.vue.kind === "organisme" ? undefined : "departement",
    }),
    isPublic && contexteNational ? couv({ date, filters: filtresContexte, scope, now: c.now, by: "region" }) : null,
  ]);

  const cartes: CartesTerritoriales[] = [];
  if (parDepartement) cartes.push(lignesCartes("departement", "page", parDepartement, m));
  if (parRegion) cartes.push(lignesCartes("region", contexteNational ? "national" : "page", parRegion, m));

  const comparaison = (cle: keyof Compteurs & string, avec: EvolutionResult["moisPrecedent"]): ChiffreCle["moisPrecedent"] => {
    const valeur = m(actuel[cle] as number);
    const comparee = m(avec.compteurs[cle] as number);
    const ecart = typeof valeur === "number" && typeof comparee === "number" ? valeur - comparee : null;
    return {
      date: avec.date,
      valeur: comparee,
      ecart,
      ratio: ecart !== null && typeof comparee === "number" && comparee > 0 ? ecart / comparee : null,
    };
  };

  const organismes = parOrganisme
    ? trier(
        parOrganisme.map(
          (l): LigneOrganisme => ({
            id: l.code === null ? null : Number(l.code),
            libelle: l.libelle,
            siret: l.siret ?? null,
            uai: l.uai ?? null,
            comptes: comptesDe(l.compteurs, m),
          }),
        ),
        c.tri.o,
        c.complet,
      )
    : null;
  const formations = parFormation
    ? trier(
        parFormation.map(
          (l): LigneFormation => ({
            id: l.code === null ? null : Number(l.code),
            libelle: l.code === null ? "Formation absente du catalogue ou non renseignée" : l.libelle,
            cfd: l.cfd ?? null,
            rncp: l.rncp ?? null,
            comptes: comptesDe(l.compteurs, m),
          }),
        ),
        c.tri.f,
        c.complet,
      )
    : null;

  const couvCarteData: { niveau: NiveauCarte; contexte: "page" | "national"; lignes: LigneCouverture[] } | null = couvCarte
    ? { niveau: "region", contexte: "national", lignes: couvCarte.repartition?.lignes ?? [] }
    : couvPage.repartition
      ? { niveau: couvPage.repartition.by === "region" ? "region" : "departement", contexte: "page", lignes: couvPage.repartition.lignes }
      : null;

  return {
    masque: seuil > 0,
    seuil,
    vide: actuel.total === 0,
    pourquoiVide: [],
    chiffres: COLONNES_COMPTES.map((cle) => ({
      cle,
      valeur: m(actuel[cle]),
      moisPrecedent: comparaison(cle, evolution.moisPrecedent),
      anneePrecedente: comparaison(cle, evolution.anneePrecedente),
    })),
    serie: points.map((p) => ({
      mois: p.mois,
      date: p.date,
      apprentis: m(p.compteurs.apprentis),
      inscritsSansContrat: m(p.compteurs.inscritsSansContrat),
      rupturants: m(p.compteurs.rupturants),
    })),
    cartes,
    niveaux: parNiveau.map(
      (l): LigneNiveau => ({
        code: l.code,
        // the indicator module has labels of its own: the dashboards show the filters' (one label per level)
        libelle: l.code === null ? l.libelle : libelleNiveau(l.code),
        apprentis: m(l.compteurs.apprentis),
        inscritsSansContrat: m(l.compteurs.inscritsSansContrat),
        rupturants: m(l.compteurs.rupturants),
      }),
    ),
    organismes,
    formations,
    decrochage: {
      rupturants: m(actuel.rupturants),
      rupturantsParDuree: {
        moins45j: m(actuel.rupturantsParDuree.moins45j),
        de45a89j: m(actuel.rupturantsParDuree.de45a89j),
        de90a180j: m(actuel.rupturantsParDuree.de90a180j),
      },
      inscritsSansContrat: m(actuel.inscritsSansContrat),
      sansContratParDuree: {
        jusqua30j: m(actuel.inscritsSansContratParDuree.jusqua30j),
        jusqua60j: m(actuel.inscritsSansContratParDuree.jusqua60j),
        jusqua90j: m(actuel.inscritsSansContratParDuree.jusqua90j),
      },
      aRisque: m(actuel.aRisque),
      tauxRupture: taux(m, actuel.rupturants, actuel.apprentis + actuel.rupturants).taux,
    },
    couverture: couvertureData(couvPage, couvCarteData),
  };
}

// ------------------------------------------------------------------------------------------------ entry

/**
 * Everything a dashboard page shows. Throws a redirect (filter panel searches), a 404 (unknown page) or a 403
 * (outside the viewer's rights); a bad URL value gives `erreurs` (French, naming the parameter) and is ignored:
 * the valid filters stay in the panel and the figures are computed with them (none with `strict`).
 */
export async function chargerTableau(request: Request, database: Database, vue: Vue, options: ChargementOptions = {}): Promise<TableauPage> {
  const signe = await getViewer(request, database);
  // The public figures of all France asked (`perimetre=france`, decision 037): the public's page, saying so.
  if (franceAdmise(vue) && demandeLaFrance(new URL(request.url).searchParams)) {
    const vu = viewerOfPublicFigures(signe);
    if (vu !== signe) return chargerPour(request, database, vue, options, { viewer: vu, signe, france: true });
  }
  try {
    return await chargerPour(request, database, vue, options, { viewer: signe, signe });
  } catch (thrown) {
    if (!(thrown instanceof VuePublique)) throw thrown;
    // Outside the signed-in viewer's scope, figures the public may see: the public's page, saying why (policy
    // viewerOfAggregates). The public is never asked to go on as someone else: this is the last pass.
    return chargerPour(request, database, vue, options, { viewer: PUBLIC_VIEWER, signe });
  }
}

/**
 * The named lists behind the dropout figures (sans contrat, rupturants, abandons at the page's date, on its territory)
 * for a viewer who may open them (policy lisLesListesDuTerritoire, namedListsOf); none on an organisme's or a
 * formation's page, nor for a territory of several codes (a list covers one).
 */
function liensListes(viewer: Viewer, ctx: ContexteVue, territoire: string, date: string): TableauPage["listes"] {
  if (!lisLesListesDuTerritoire(viewer)) return [];
  if (ctx.vue.kind === "organisme" || ctx.vue.kind === "formation" || territoire.includes(",")) return [];
  const [niveau, code] = territoire ? territoire.split(":") : [];
  const recherche = `?date=${date}${niveau ? `&${niveau}=${encodeURIComponent(code)}` : ""}`;
  return listesDe(viewer).map((slug) => ({ titre: LISTES[slug].titre, href: `/listes/${slug}${recherche}` }));
}

/** The bassin d'emploi codes of the référentiel among `codes`. */
async function bassinsConnus(database: Database, codes: string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await database.rows<{ code: string }>(sql`select code from bassins_emploi where code = any(${arrayParam(codes)}::text[])`);
  return new Set(rows.map((r) => r.code));
}

/** The pages where the public figures of all France may be asked (`perimetre=france`): those the public sees all France of. */
function franceAdmise(vue: Vue): boolean {
  return vue.kind === "national" || vue.kind === "formation";
}

/** `perimetre=france`, and no other value (which lireParametres reports). */
function demandeLaFrance(params: URLSearchParams): boolean {
  // « mien » with it: contradictory, the viewer's own figures (the safe reading)
  const valeurs = perimetresDemandes(params);
  return valeurs.length > 0 && valeurs.every((v) => v === PERIMETRE_FRANCE);
}

const OPTION_FRANCE: OptionTerritoire = { value: PERIMETRE_FRANCE, label: "France entière (chiffres publics)", groupe: "France" };

/**
 * The territory select with the public figures of all France (decision 037), for a signed-in viewer whose scope is
 * not national: offered after « Tout mon périmètre »; once chosen, the public's options (its régions) follow them,
 * « Tout mon périmètre » going back to the viewer's own figures.
 */
function avecLaFrance(options: OptionTerritoire[] | null, acces: Acces): OptionTerritoire[] | null {
  if (options === null) return null;
  if (viewerOfPublicFigures(acces.signe) === acces.signe) return options;
  // shown the public's page (asked, or a territory outside its scope): « France entière » of the public's select would
  // be the viewer's own page at "/"; its perimeter and the public figures of all France are named as such
  if (acces.france || acces.viewer !== acces.signe) {
    return [{ value: "", label: "Tout mon périmètre", groupe: "France" }, OPTION_FRANCE, ...options.filter((o) => o.groupe !== "France")];
  }
  return [...options.filter((o) => o.groupe === "France"), OPTION_FRANCE, ...options.filter((o) => o.groupe !== "France")];
}

/** The notice of a signed-in viewer shown the public figures of all France, at its request (decision 037). */
function messageFrance(signe: Viewer, t: Territoires): string {
  const perimetre = libellePerimetre(signe, t);
  return (
    "Vous voyez les chiffres publics, ceux de tout visiteur : arrondis, sans détail par organisme ni liste nominative" +
    `${perimetre ? ` ; votre organisation voit les chiffres exacts de son périmètre (${perimetre})` : ""}.`
  );
}

/** The notice of a signed-in viewer shown the public page of a territory outside its scope. */
function messageHorsPerimetre(signe: Viewer, t: Territoires): string {
  const perimetre = libellePerimetre(signe, t);
  return (
    `Le territoire demandé est hors du périmètre de votre organisation${perimetre ? ` (${perimetre})` : ""} : vous voyez les chiffres publics, ` +
    "ceux de tout visiteur, arrondis et sans détail par organisme."
  );
}

async function chargerPour(request: Request, database: Database, vue: Vue, options: ChargementOptions, acces: Acces): Promise<TableauPage> {
  const { viewer } = acces;
  const url = new URL(request.url);
  const today = options.today ?? todayIso();
  const t = await territoires(database);
  const ctx = await resoudreVue(database, acces, vue, t);
  const recherches = await traiterRecherches(database, acces, ctx, url, today);
  const v = ctx.vue;
  const territoireDeLaPage = v.kind === "region" || v.kind === "departement" || v.kind === "academie" ? { niveau: v.kind, code: v.code } : undefined;
  const params = recherches.params ?? url.searchParams;
  const admise = franceAdmise(ctx.vue);
  let p = lireParametres(params, today, territoireDeLaPage, undefined, admise);
  // the territories left out are asked too: one the visitor may not see stays a refusal, whatever else the URL holds
  await verifierFiltres(database, acces, p.filters, p.ecartes);

  // The réseaux of the viewer's scope: the Réseau select's options, and what a réseau asked is checked against.
  let reseauxDuPerimetre: Promise<string[]> | null = null;
  const reseauxConnusDuViewer = () =>
    (reseauxDuPerimetre ??=
      viewer.scope.kind === "reseau"
        ? Promise.resolve([viewer.scope.nom])
        : reseauxConnus(database, viewer).then((r) => [...r].sort((a, b) => a.localeCompare(b, "fr"))));
  // A réseau or a bassin d'emploi the référentiel does not know is a bad value, reported and left out (as a CFA
  // search that finds nothing); asked only of signed-in viewers, the only ones these filters are open to.
  if (viewer.userId !== null && (p.filters.reseau || p.filters.bassinEmploi)) {
    const [reseaux, bassins] = await Promise.all([reseauxConnusDuViewer(), bassinsConnus(database, p.filters.bassinEmploi ?? [])]);
    p = lireParametres(params, today, territoireDeLaPage, { reseaux, bassins }, admise);
  }
  const erreurs = [...recherches.erreurs, ...p.erreurs];

  const search = chaineRequete(p.recherche);
  const [reseaux, libelles, perimetre] = await Promise.all([
    viewer.userId === null || viewer.scope.kind === "organisme" ? Promise.resolve(null) : reseauxConnusDuViewer(),
    libellesFiltres(database, p.filters, t),
    ctx.vue.kind === "organisme" ? Promise.resolve(null) : departementsDuPerimetre(database, viewer.scope),
  ]);
  const tags = etiquettes(ctx, libelles, search);
  const territoire = territoireCourant(ctx, p.filters);
  const panneau: Panneau = {
    mois: p.mois,
    moisMax: today.slice(0, 7),
    territoires: ctx.vue.kind === "organisme" ? null : avecLaFrance(optionsTerritoires(viewer, t, perimetre, territoire), acces),
    territoire: acces.france && territoire === "" ? OPTION_FRANCE.value : territoire,
    reseaux,
    cfa: canFilterBelowRegion(viewer) && ctx.vue.kind !== "organisme",
    rqth: canFilterOnRqth(viewer),
    formation: ctx.vue.kind !== "formation",
    recherches: recherches.saisies,
    filtres: p.filters,
    // the public figures of all France stay asked when a territory of theirs is chosen (the select has their régions)
    conserves: [...conserves(p.recherche, ctx, reseaux !== null), ...(acces.france ? [[PERIMETRE, PERIMETRE_FRANCE] as [string, string]] : [])],
    etiquettes: tags,
    // the public figures of all France, asked, stay asked when the filters are cleared (decision 037)
    reinitialiser: acces.france ? ctx.info.chemin + avecParametres("", { [PERIMETRE]: PERIMETRE_FRANCE }) : ctx.info.chemin,
  };

  const page: TableauPage = {
    info: ctx.info,
    panneau,
    mois: p.mois,
    date: p.date,
    aujourdhui: today,
    recherche: search,
    liens: ctx.liens,
    horsPerimetre: acces.france ? messageFrance(acces.signe, t) : viewer === acces.signe ? null : messageHorsPerimetre(acces.signe, t),
    // this page's public figures of all France (decision 037), without the filters they do not hold
    franceEntiere:
      admise && viewer === acces.signe && viewerOfPublicFigures(viewer) !== viewer
        ? ctx.info.chemin +
          avecParametres(rechercheTransmise(p.recherche.toString(), [...PARAMETRES_TERRITOIRE, ...PARAMETRES_NON_PUBLICS]), { [PERIMETRE]: PERIMETRE_FRANCE })
        : null,
    votrePerimetre: acces.france ? ctx.info.chemin + rechercheTransmise(p.recherche.toString(), [PERIMETRE, ...PARAMETRES_TERRITOIRE]) : null,
    listes: liensListes(viewer, ctx, territoire, p.date),
    erreurs,
    choix: recherches.choix,
    resultat: null,
    fichiers: fichiersDeLaPage({
      vue: ctx.vue,
      titre: ctx.info.titre,
      filtre: ctx.info.filtre,
      perimetre: perimetreDesFichiers(viewer, t),
      filtres: p.filters,
      libellesFiltres: libelles,
      mois: p.mois,
      date: p.date,
    }),
  };
  // A bad value is reported and ignored (the other filters apply); an ambiguous search waits for the choice.
  if (recherches.choix || (options.strict && erreurs.length > 0)) return page;

  const filters = combinerFiltres(ctx.filtresVue, ctx.filtresScope, p.filters);
  page.resultat = await calculer(database, { ctx, viewer, date: p.date, today, now: options.now, filters, tri: p.tri, complet: options.complet });
  if (page.resultat.vide) {
    page.resultat.pourquoiVide =
      filters === null
        ? filtresExclusParLaPage(combinerFiltres(ctx.filtresVue, ctx.filtresScope) ?? {}, p.filters)
        : await raisonsSansEffectif(database, filters, ctx.scope);
  }
  return page;
}

/** The loader of a dashboard route: the page's data, with status 400 when the URL holds a bad value. */
export async function loaderTableau(request: Request, database: Database, vue: Vue) {
  const page = await chargerTableau(request, database, vue);
  return data(page, { status: page.erreurs.length > 0 ? 400 : 200, headers: { "Cache-Control": "private, no-store" } });
}

/** Route params → vue (404 on a malformed id). */
export function vueOrganisme(id: string | undefined): Vue {
  const n = parseId(id);
  if (n === null) throw notFound("Cet organisme n'existe pas dans le référentiel.");
  return { kind: "organisme", id: n };
}

export function vueFormation(id: string | undefined): Vue {
  const n = parseId(id);
  if (n === null) throw notFound("Cette formation n'existe pas dans le catalogue.");
  return { kind: "formation", id: n };
}

export function vueTerritoire(niveau: NiveauTerritoire, code: string | undefined): Vue {
  if (!code || !/^[0-9A-Za-z]{2,3}$/.test(code)) throw territoireInconnu(niveau);
  return { kind: niveau, code };
}

/** `vue=` of the resource routes ("national", "region:84", "organisme:12"…). */
export function vueDeParametre(value: string | null): Vue {
  if (!value || value === "national") return { kind: "national" };
  const match = /^(region|departement|academie|organisme|formation):([0-9A-Za-z]{1,9})$/.exec(value);
  if (!match) throw notFound(`vue : page de tableau de bord inconnue « ${value} » (national, region:84, departement:69, academie:10, organisme:<id>, formation:<id>)`);
  const [, kind, code] = match;
  if (kind === "organisme") return vueOrganisme(code);
  if (kind === "formation") return vueFormation(code);
  return vueTerritoire(kind as NiveauTerritoire, code);
}
