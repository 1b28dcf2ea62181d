/**
 * Who may open a CFA's space, and which organismes and effectifs the space covers. Every loader and action of the
 * /cfa/:organismeId routes starts with `requireEspaceCfa`.
 *
 * Rule (through the policy module): the space of organisme X is a named list of all its learners, so it opens to
 * the viewers who may see the named list "tous" for X — the users of X's organisation (ORGANISME_FORMATION: X
 * itself, or its responsable) and the national administrators. Anyone else gets a 403 (no figure, no name in the
 * answer); an unknown id a 404; a signed-out visitor is sent to /connexion.
 *
 * The space of X covers X and its formateurs (organisme_relations): its effectifs are those whose organisme
 * formateur is one of them, or whose organisme responsable is X — the same rule as the indicator module's
 * organisme scope, so that the home page's counters and the learners' list agree.
 *
 * It never reaches beyond the viewer's own scope (policy `perimetreDeLEspace`, docs/decisions/017): a responsable's
 * user opening its formateur F's space sees F's learners, not those of F's own formateurs nor those F is the
 * responsable of; only X's own users and the national administrators see all of X's space.
 */
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import {
  canSeeContacts,
  canSeeNamedList,
  canTransmitFor,
  forbidden,
  notFound,
  perimetreDeLEspace,
  requireUser,
  resolveOrganismeTarget,
  responsablesDeLEspace,
  voitLesRefusesNominatifs,
  voitToutLEspace,
  type PartDeLEspace,
  type AuthenticatedViewer,
  type OrganismeTarget,
  type Scope,
  type Viewer,
} from "../auth/policy.server";

export const ESPACE_INTERDIT =
  "L'espace CFA de cet organisme est réservé aux utilisateurs de l'organisme, à ceux de son organisme responsable et aux administrateurs nationaux.";
export const ORGANISME_INCONNU = "Cet organisme n'existe pas dans le référentiel.";

export interface EspaceCfa {
  viewer: AuthenticatedViewer;
  target: OrganismeTarget;
  organismeId: number;
  /** The organisme and its formateurs, those of them in the viewer's scope: the effectifs they train. */
  organismeIds: number[];
  /**
   * [organismeId] when the effectifs the organisme is responsable of belong to the space for this viewer (its own
   * users, national administrators), else []. Absent (a space built by hand for the organisme itself): [organismeId].
   */
  responsableIds?: number[];
  /** Contact fields of the learners may be shown (canSeeContacts). */
  contacts: boolean;
}

/** Parses a route id ("12"), or null. */
export function parseId(value: string | undefined | null): number | null {
  if (!value || !/^[1-9][0-9]{0,8}$/.test(value)) return null;
  return Number(value);
}

type Perimetre = PartDeLEspace;

/** The organisme and its formateurs (organisme_relations), all of them. */
async function formateursDeLOrganisme(database: Database, organismeId: number): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(
    sql`select ${organismeId}::int as id union select formateur_id from organisme_relations where responsable_id = ${organismeId} order by 1`,
  );
  return rows.map((r) => Number(r.id));
}

/**
 * The organisme and its formateurs (organisme_relations). With a viewer, only those in the viewer's scope
 * (policy `perimetreDeLEspace`): what the viewer's space of this organisme covers.
 */
export async function organismesDeLEspace(database: Database, organismeId: number, viewer?: Viewer): Promise<number[]> {
  const tous = await formateursDeLOrganisme(database, organismeId);
  return viewer ? perimetreDeLEspace(viewer, organismeId, tous).organismeIds : tous;
}

/** What the viewer's space of this organisme covers: its `organismeIds` and `responsableIds` (see EspaceCfa). */
export async function perimetreDeLEspaceCfa(
  database: Database,
  viewer: Viewer,
  organismeId: number,
): Promise<Required<Pick<EspaceCfa, "organismeIds" | "responsableIds">>> {
  return perimetreDeLEspace(viewer, organismeId, await formateursDeLOrganisme(database, organismeId));
}

/**
 * Whether the rejected dossiers of the organisme's transmissions are shown by name to this part of its space (policy
 * `voitLesRefusesNominatifs`, which needs all the organisme's formateurs).
 */
export async function refusesNominatifs(database: Database, espace: Perimetre): Promise<boolean> {
  // the whole space needs no lookup of the formateurs
  return voitToutLEspace(espace) || voitLesRefusesNominatifs(espace, await formateursDeLOrganisme(database, espace.organismeId));
}

/** SQL condition: the effectif (alias `alias`) belongs to the space. */
export function effectifsDeLEspace(espace: Perimetre, alias = "e"): SQL {
  const a = alias.replace(/[^a-z0-9_]/gi, "");
  const ids = arrayParam(espace.organismeIds);
  const responsables = arrayParam(responsablesDeLEspace(espace));
  return sql`(${sql.raw(a)}.organisme_formateur_id = any(${ids}::int[]) or ${sql.raw(a)}.organisme_responsable_id = any(${responsables}::int[]))`;
}

/**
 * SQL condition: the archive entry (effectifs_archives, alias `a`) belongs to the space: of an effectif that belonged
 * to it, or archived from it when the viewer sees the whole space (a narrowed space shows only the archives of the
 * effectifs it covers: an entry archived from it by the organisme's own users may be of a learner outside the viewer's
 * scope).
 */
export function archivesDeLEspace(espace: Perimetre): SQL {
  return voitToutLEspace(espace) ? sql`(a.organisme_id = ${espace.organismeId} or ${effectifsDeLEspace(espace, "a")})` : effectifsDeLEspace(espace, "a");
}

/**
 * The space as an indicator scope (app/indicateurs): counts exactly the effectifs of `effectifsDeLEspace`, so that
 * the space's counters stay in the viewer's scope and agree with its learners' list.
 */
export function scopeDeLEspace(espace: Perimetre): Scope {
  return { kind: "organisme", organismeIds: [...espace.organismeIds], responsables: responsablesDeLEspace(espace) };
}

export const ECRITURE_INTERDITE =
  "Vous pouvez consulter cet espace, mais pas le modifier : seuls les utilisateurs de l'organisme, ceux de son organisme responsable et l'équipe nationale transmettent et corrigent ses effectifs.";

/**
 * For the actions that change the space (its API key, its duplicates): `requireEspaceCfa`, and the viewer transmits
 * and corrects the organisme's effectifs (policy `canTransmitFor`), which reading the space does not imply.
 */
export async function requireEspaceCfaEnEcriture(request: Request, database: Database, param: string | undefined): Promise<EspaceCfa> {
  const espace = await requireEspaceCfa(request, database, param);
  if (!canTransmitFor(espace.viewer, espace.organismeId)) throw forbidden(ECRITURE_INTERDITE);
  return espace;
}

/** For every loader / action of the space: the viewer and the organisme, or a thrown redirect / 403 / 404. */
export async function requireEspaceCfa(request: Request, database: Database, param: string | undefined): Promise<EspaceCfa> {
  const viewer = await requireUser(request, database);
  const organismeId = parseId(param);
  if (organismeId === null) throw notFound(ORGANISME_INCONNU);
  const target = await resolveOrganismeTarget(database, organismeId);
  if (!target) throw notFound(ORGANISME_INCONNU);
  if (!canSeeNamedList(viewer, "tous", target)) throw forbidden(ESPACE_INTERDIT);
  return {
    viewer,
    target,
    organismeId,
    ...(await perimetreDeLEspaceCfa(database, viewer, organismeId)),
    contacts: canSeeContacts(viewer, target),
  };
}
