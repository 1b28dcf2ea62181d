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
 */
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import {
  canSeeContacts,
  canSeeNamedList,
  forbidden,
  logNamedListAccess,
  notFound,
  requireUser,
  resolveOrganismeTarget,
  type AuthenticatedViewer,
  type OrganismeTarget,
} from "../auth/policy.server";

export const ESPACE_INTERDIT =
  "L'espace CFA de cet organisme est réservé aux utilisateurs de l'organisme, à ceux de son organisme responsable et aux administrateurs nationaux.";
export const ORGANISME_INCONNU = "Cet organisme n'existe pas dans le référentiel.";

export interface EspaceCfa {
  viewer: AuthenticatedViewer;
  target: OrganismeTarget;
  organismeId: number;
  /** The organisme and its formateurs. */
  organismeIds: number[];
  /** Contact fields of the learners may be shown (canSeeContacts). */
  contacts: boolean;
}

/** Parses a route id ("12"), or null. */
export function parseId(value: string | undefined | null): number | null {
  if (!value || !/^[1-9][0-9]{0,8}$/.test(value)) return null;
  return Number(value);
}

/** The organisme and its formateurs (organisme_relations). */
export async function organismesDeLEspace(database: Database, organismeId: number): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(
    sql`select ${organismeId}::int as id union select formateur_id from organisme_relations where responsable_id = ${organismeId} order by 1`,
  );
  return rows.map((r) => Number(r.id));
}

/** SQL condition: the effectif (alias `alias`) belongs to the space. */
export function effectifsDeLEspace(espace: Pick<EspaceCfa, "organismeId" | "organismeIds">, alias = "e"): SQL {
  const a = alias.replace(/[^a-z0-9_]/gi, "");
  const ids = arrayParam(espace.organismeIds);
  return sql`(${sql.raw(a)}.organisme_formateur_id = any(${ids}::int[]) or ${sql.raw(a)}.organisme_responsable_id = ${espace.organismeId})`;
}

/**
 * SQL condition: the archive entry (effectifs_archives, alias `a`) belongs to the space: archived from it, or of an
 * effectif that belonged to it.
 */
export function archivesDeLEspace(espace: Pick<EspaceCfa, "organismeId" | "organismeIds">): SQL {
  return sql`(a.organisme_id = ${espace.organismeId} or ${effectifsDeLEspace(espace, "a")})`;
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
    organismeIds: await organismesDeLEspace(database, organismeId),
    contacts: canSeeContacts(viewer, target),
  };
}

/** Writes a view of the space's learners to the audit log (named list "tous", the organisme first in the filters). */
export function journaliserConsultation(database: Database, espace: EspaceCfa, filtres: Record<string, unknown>, rowCount: number): Promise<void> {
  return logNamedListAccess(database, espace.viewer, {
    list: "tous",
    action: "view",
    filters: { organisme: espace.organismeId, ...filtres },
    rowCount,
  });
}

