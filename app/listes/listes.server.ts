/**
 * The named lists of a territory for the territorial services and the national team (domain.md, "Who sees what"):
 * who may open which list is the policy's (canSeeNamedList, canSeeContacts); the rows are those of the CFA space's
 * list (app/cfa/apprenants.server.ts) over another perimeter: the learners whose état at the date is the list's,
 * in the départements of the viewer's territory (the formateur's département, as the dashboards count them).
 * Every view and download is written to the audit log.
 */
import { redirect } from "@remix-run/node";
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import {
  canSeeContacts,
  canSeeNamedList,
  forbidden,
  lisLesListesDuTerritoire,
  logNamedListAccess,
  namedListsOf,
  notFound,
  requireUser,
  type AuthenticatedViewer,
  type Target,
} from "../auth/policy.server";
import { filtresPourJournal, parseFiltresApprenants, type FiltresApprenants } from "../cfa/apprenants";
import { compterApprenants, listerApprenants, type PageApprenants, type Perimetre } from "../cfa/apprenants.server";
import type { CibleExport } from "../cfa/export.server";
import { DEPARTEMENT_PATTERN, parametresInconnus } from "../indicateurs/filters";
import { resoudreFiltres, territoires } from "../indicateurs/indicateurs.server";
import { parisDay } from "../shared/jours-paris.server";
import { todayIso } from "../statut/annee-scolaire";
import { LISTES, SLUGS_LISTE, isSlugListe, type DefinitionListe, type SlugListe } from "./listes";
import { libelleDepartement } from "../referentiel/labels";

/** The lists the viewer may open, in the order of LISTES. */
export function listesDe(viewer: AuthenticatedViewer): SlugListe[] {
  const lists = namedListsOf(viewer);
  return SLUGS_LISTE.filter((slug) => lists.includes(LISTES[slug].list));
}

/**
 * Who may open the lists of a territory: a signed-in user with a territory (or national) and one list at least.
 * A CFA's named lists are in its space: it is sent there.
 */
export async function requireLecteurDeListes(request: Request, database: Database): Promise<AuthenticatedViewer> {
  const viewer = await requireUser(request, database);
  if (viewer.organisationType === "ORGANISME_FORMATION") throw redirect("/cfa");
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
  /** The département chosen in the filters (within the territory), if any. */
  departement: string | null;
  erreurs: string[];
  /** The message about the date (also in `erreurs`), shown under the "Situation au" field. */
  erreurDate?: string;
  contacts: boolean;
  perimetre: Perimetre;
  /** The départements of the viewer's territory, for the filter (empty: national, too many to list). */
  departements: { value: string; label: string }[];
  listes: SlugListe[];
}

/** The parameters of a list's address (page and export): its filters, its sort and its paging. */
const PARAMETRES_LISTE = ["q", "date", "departement", "signal", "formation", "annee", "annee_formation", "tri", "ordre", "page", "limit"];

/**
 * Why a parameter of the dashboards or of the CFA space is not a list's: said rather than ignored, since the list
 * would otherwise be presented as narrowed when it is not.
 */
const PARAMETRES_D_AILLEURS: Record<string, string> = {
  region: "les listes couvrent le territoire de votre organisation ; pour en voir une partie, choisissez un département (paramètre departement)",
  academie: "les listes couvrent le territoire de votre organisation ; pour en voir une partie, choisissez un département (paramètre departement)",
  statut: "chaque liste est celle d'une situation (sans contrat, rupturants, abandons) : choisissez la liste plutôt qu'un statut",
  formateur: "les listes des territoires ne se filtrent pas par organisme formateur (c'est un filtre de l'espace CFA) : choisissez un département",
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
  let departement: string | null = params.get("departement")?.trim() || null;
  if (params.getAll("departement").filter((d) => d.trim()).length > 1) {
    // one département at a time: the others would be dropped without a word
    erreurs.push("Un seul département à la fois : la liste est celle du premier indiqué. Pour tous vos départements, choisissez « Tous ».");
  }
  if (departement && (!DEPARTEMENT_PATTERN.test(departement) || (duTerritoire && !duTerritoire.includes(departement)))) {
    erreurs.push(`Le département « ${departement.slice(0, 5)} » n'est pas dans votre territoire : choisissez-en un dans la liste.`);
    departement = null;
  }
  const target: Target = departement ? { kind: "departement", code: departement } : { kind: "scope" };
  if (!canSeeNamedList(viewer, definition.list, target)) throw forbidden();
  const condition = conditionListe(definition, filtres.date, departement ? [departement] : duTerritoire);
  return {
    viewer,
    slug,
    definition,
    filtres,
    dateMax,
    departement,
    erreurs,
    erreurDate,
    contacts: canSeeContacts(viewer, target),
    perimetre: { condition },
    departements: (duTerritoire ?? []).map((code) => ({ value: code, label: libelleDepartement(code, t.departements.get(code)?.nom) })),
    listes: listesDe(viewer),
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
  return l.departement ? { departement: l.departement } : {};
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
    fichier: `${l.slug}-${l.departement ? `departement-${l.departement}` : "territoire"}-${l.filtres.date}`,
    erreurs: l.erreurs,
  };
}
