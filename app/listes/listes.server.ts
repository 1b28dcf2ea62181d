/**
 * The named lists of a territory for the territorial services and the national team (domain.md, "Who sees what"):
 * who may open which list is the policy's (canSeeNamedList, canSeeContacts); the rows are those of the CFA space's
 * list (app/cfa/apprenants.server.ts) over another perimeter: the learners whose état at the date is the list's,
 * in the départements of the viewer's territory (the formateur's département, as the dashboards count them), or of
 * the région, académie or département asked inside it (filtresTerritoireHorsPerimetre). Every view and download is
 * written to the audit log, with the territory asked.
 */
import { redirect } from "@remix-run/node";
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import {
  canSeeContacts,
  canSeeNamedList,
  filtresTerritoireHorsPerimetre,
  forbidden,
  lisLesListesDuTerritoire,
  listesDansLEspaceCfa,
  logNamedListAccess,
  namedListsOf,
  notFound,
  requireUser,
  targetsOfFilters,
  type AuthenticatedViewer,
  type Viewer,
} from "../auth/policy.server";
import { filtresPourJournal, parseFiltresApprenants, type FiltresApprenants } from "../cfa/apprenants";
import { compterApprenants, listerApprenants, type PageApprenants, type Perimetre } from "../cfa/apprenants.server";
import type { CibleExport } from "../cfa/export.server";
import { parametresInconnus } from "../indicateurs/filters";
import { resoudreFiltres, territoires, type Territoires } from "../indicateurs/indicateurs.server";
import { parisDay } from "../shared/jours-paris.server";
import { todayIso } from "../statut/annee-scolaire";
import { LISTES, SLUGS_LISTE, isSlugListe, parametresDuTerritoire, type DefinitionListe, type SlugListe, type TerritoireDeListe } from "./listes";
import { lireTerritoireDeListe } from "./territoire";
import { libelleDepartement, nomAcademie } from "../referentiel/labels";

/** The lists the viewer may open, in the order of LISTES. */
export function listesDe(viewer: Viewer): SlugListe[] {
  const lists = namedListsOf(viewer);
  return SLUGS_LISTE.filter((slug) => lists.includes(LISTES[slug].list));
}

/**
 * Who may open the lists of a territory: a signed-in user with a territory (or national) and one list at least.
 * A CFA's named lists are in its space: it is sent there.
 */
export async function requireLecteurDeListes(request: Request, database: Database): Promise<AuthenticatedViewer> {
  const viewer = await requireUser(request, database);
  if (listesDansLEspaceCfa(viewer)) throw redirect("/cfa");
  if (!lisLesListesDuTerritoire(viewer)) {
    throw forbidden("Les listes nominatives des territoires sont réservées aux services de l'État de ce territoire (DREETS, DRAAF, rectorat, DDETS) et à l'équipe nationale.");
  }
  return viewer;
}

export interface ListeResolue {
  viewer: AuthenticatedViewer;
  slug: SlugListe;
  definition: DefinitionListe;
  filtres: FiltresApprenants;
  /** The last day the list may be asked at (today in Paris): no list of who will be in a situation. */
  dateMax: string;
  /** The région, académie, département chosen in the filters (within the viewer's territory), if any. */
  territoire: TerritoireDeListe;
  erreurs: string[];
  /** The message about the date (also in `erreurs`), shown under the "Situation au" field. */
  erreurDate?: string;
  contacts: boolean;
  perimetre: Perimetre;
  /** The choices of the territory filters: those of the viewer's territory (a level with one choice only: none). */
  choix: ChoixTerritoire;
  listes: SlugListe[];
}

type Option = { value: string; label: string };

/** The options of the région, académie and département selects of a list's form. */
export interface ChoixTerritoire {
  regions: Option[];
  academies: Option[];
  departements: Option[];
}

/** The parameters of a list's address (page and export): its filters, its sort and its paging. */
const PARAMETRES_LISTE = ["q", "date", "region", "academie", "departement", "signal", "formation", "annee", "annee_formation", "tri", "ordre", "page", "limit"];

/**
 * Why a parameter of the dashboards or of the CFA space is not a list's: said rather than ignored, since the list
 * would otherwise be presented as narrowed when it is not.
 */
const PARAMETRES_D_AILLEURS: Record<string, string> = {
  statut: "chaque liste est celle d'une situation (sans contrat, rupturants, abandons) : choisissez la liste plutôt qu'un statut",
  formateur: "les listes des territoires ne se filtrent pas par organisme formateur (c'est un filtre de l'espace CFA) : choisissez un territoire (région, académie, département)",
};

/** Reads the request of a list (page or export): who, which list, which filters; refuses what the policy refuses. */
export async function resoudreListe(request: Request, database: Database, slug: string | undefined): Promise<ListeResolue> {
  const viewer = await requireLecteurDeListes(request, database);
  if (!isSlugListe(slug)) throw notFound("Cette liste n'existe pas : sans-contrat, rupturants ou abandons.");
  const definition: DefinitionListe = LISTES[slug];
  if (!canSeeNamedList(viewer, definition.list, { kind: "scope" })) {
    throw forbidden(`Votre organisation n'a pas accès à la liste « ${definition.titre} ».`);
  }
  const params = new URL(request.url).searchParams;
  // the list's own filters only, the others reported: its états replace the statut, and only its signals narrow it;
  // a list says who is in a situation, up to today (in Paris, where the day starts first), never who will be
  const dateMax = parisDay();
  const { filtres, erreurs, erreurDate } = parseFiltresApprenants(new URLSearchParams([...params].filter(([k]) => PARAMETRES_LISTE.includes(k))), todayIso(), {
    dateMax,
    libelleDate: "Situation au",
  });
  erreurs.push(...parametresInconnus(params, new Set(PARAMETRES_LISTE), PARAMETRES_LISTE, PARAMETRES_D_AILLEURS).map((e) => `${e}.`));
  if (filtres.signal && !(definition.signaux as readonly string[]).includes(filtres.signal)) {
    erreurs.push("Ce signal ne s'applique pas à cette liste : choisissez-en un dans la liste proposée.");
    delete filtres.signal;
  }
  const t = await territoires(database);
  const duTerritoire = await departementsDuTerritoire(database, viewer);
  // a région, an académie, a département: read as the dashboards read them, then kept inside the viewer's territory
  // (the policy's rule, with its message naming both territories); a value left out is said, never silently dropped
  const lu = lireTerritoireDeListe(params);
  const territoire = lu.territoire;
  erreurs.push(...lu.erreurs);
  for (const hors of filtresTerritoireHorsPerimetre(viewer, territoire)) {
    erreurs.push(`${hors.message}.`);
    delete territoire[hors.param];
  }
  const targets = targetsOfFilters({ regionCode: territoire.region, academieCode: territoire.academie, departementCode: territoire.departement });
  if (!canSeeNamedList(viewer, definition.list, targets)) throw forbidden();
  const departements = filtre(territoire) ? (await resoudreFiltres(database, filtreIndicateurs(territoire), viewer.scope)).departements : duTerritoire;
  const condition = conditionListe(definition, filtres.date, departements);
  return {
    viewer,
    slug,
    definition,
    filtres,
    dateMax,
    territoire,
    erreurs,
    erreurDate,
    contacts: canSeeContacts(viewer, targets),
    perimetre: { condition },
    choix: choixTerritoire(t, duTerritoire, territoire),
    listes: listesDe(viewer),
  };
}

/** Whether the list is narrowed to a part of the viewer's territory. */
function filtre(territoire: TerritoireDeListe): boolean {
  return parametresDuTerritoire(territoire).length > 0;
}

/** The territory filters of a list as the indicators' filters. */
function filtreIndicateurs(territoire: TerritoireDeListe): { region?: string[]; academie?: string[]; departement?: string[] } {
  return Object.fromEntries(parametresDuTerritoire(territoire).map(([p, code]) => [p, [code]]));
}

/**
 * The choices of the form: the régions, académies and départements of the viewer's territory (`duTerritoire`,
 * undefined: every one), those of a level with a single choice left out (a DDETS chooses nothing; a DREETS, an
 * académie or a département of its région). The académies and départements offered are those of the région (and
 * académie) chosen.
 */
function choixTerritoire(t: Territoires, duTerritoire: string[] | undefined, territoire: TerritoireDeListe): ChoixTerritoire {
  const codes = duTerritoire ?? [...t.departements.keys()];
  const parNom = (a: Option, b: Option) => a.label.localeCompare(b.label, "fr");
  const regions = [...new Set(codes.map((d) => t.departements.get(d)?.region).filter((r): r is string => Boolean(r)))]
    .map((code) => ({ value: code, label: t.regions.get(code) ?? code }))
    .sort(parNom);
  const academiesDe = (deps: string[]) => [...new Set(deps.map((d) => t.departements.get(d)?.academie).filter((a): a is string => Boolean(a)))];
  const academies = academiesDe(codes.filter((d) => !territoire.region || t.departements.get(d)?.region === territoire.region))
    .map((code) => ({ value: code, label: nomAcademie(t.academies.get(code) ?? code) }))
    .sort(parNom);
  const departements = codes
    .filter((d) => {
      const dep = t.departements.get(d);
      return (!territoire.region || dep?.region === territoire.region) && (!territoire.academie || dep?.academie === territoire.academie);
    })
    .map((code) => ({ value: code, label: libelleDepartement(code, t.departements.get(code)?.nom) }));
  return {
    regions: regions.length > 1 ? regions : [],
    academies: academiesDe(codes).length > 1 ? academies : [],
    departements: codes.length > 1 ? departements : [],
  };
}

/** The départements of the viewer's territory (undefined: national, every one). */
async function departementsDuTerritoire(database: Database, viewer: AuthenticatedViewer): Promise<string[] | undefined> {
  return (await resoudreFiltres(database, {}, viewer.scope)).departements;
}

/** The learners of a list at a date: their état then is the list's, in these départements (undefined: all). */
function conditionListe(definition: DefinitionListe, date: string, departements: string[] | undefined): SQL {
  return sql`e.id in (
    select sp.effectif_id from statut_periodes sp
    where ${date}::date between sp.debut and sp.fin and sp.etat = any(${arrayParam(definition.etats)}::int[])
    ${departements ? sql`and sp.departement_code = any(${arrayParam(departements)}::text[])` : sql``})`;
}

/** How many young people each list the viewer may open holds today in its territory (not named: no audit entry). */
export async function resumeListes(database: Database, viewer: AuthenticatedViewer): Promise<{ slug: SlugListe; nombre: number }[]> {
  const departements = await departementsDuTerritoire(database, viewer);
  const { filtres } = parseFiltresApprenants(new URLSearchParams(), todayIso());
  return Promise.all(
    listesDe(viewer).map(async (slug) => ({
      slug,
      nombre: await compterApprenants(database, { condition: conditionListe(LISTES[slug], filtres.date, departements) }, filtres),
    })),
  );
}

/** What the audit log says of a list's view or download. */
function journal(l: ListeResolue): Record<string, unknown> {
  return Object.fromEntries(parametresDuTerritoire(l.territoire));
}

/** « departement-69 », « academie-10 », « region-84 » (the narrowest asked), else « territoire »: in the file's name. */
function nomDuTerritoire(territoire: TerritoireDeListe): string {
  const [niveau, code] = parametresDuTerritoire(territoire).at(-1) ?? [];
  return niveau ? `${niveau}-${code}` : "territoire";
}

/** One page of the list, written to the audit log. */
export async function pageListe(database: Database, l: ListeResolue): Promise<PageApprenants> {
  const page = await listerApprenants(database, l.perimetre, l.filtres, l.contacts);
  await logNamedListAccess(database, l.viewer, {
    list: l.definition.list,
    action: "view",
    filters: { ...journal(l), ...filtresPourJournal(l.filtres), page: page.page },
    rowCount: page.lignes.length,
  });
  return page;
}

/** The export of a list (every row), logged by exporterApprenants. */
export function cibleListe(l: ListeResolue): CibleExport {
  return {
    perimetre: l.perimetre,
    contacts: l.contacts,
    list: l.definition.list,
    journal: journal(l),
    fichier: `${l.slug}-${nomDuTerritoire(l.territoire)}-${l.filtres.date}`,
    erreurs: l.erreurs,
  };
}
