/**
 * The transmissions (API requests and file uploads): recording a request refused as a whole, and reading them for
 * the CFA space — the list of an organisme's transmissions with their counts, and the detail of one with its
 * per-item errors (kept 30 days, then purged: `errorsPurged`). Callers check with the policy module that the viewer
 * may see these organismes.
 *
 * A request refused as a whole (authenticated, but its body unreadable, not an array of dossiers, with too many of
 * them, or too large) is a transmission too: no item, and its reason — the HTTP status answered and the answer's
 * message — in columns of its own (`refus_statut_http`, `refus_message`), kept for good: the per-item errors' purge
 * does not erase it, and the CFA keeps seeing that its ERP's send was refused and why.
 */
import { sql } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import { storableText } from "./sql.server";

/** The reason of a request refused as a whole, as stored on its transmission. */
export interface RefusEnvoi {
  /** The HTTP status answered (400, 413). */
  statutHttp: number;
  /** The answer's message. */
  message: string;
}

/** The refusal of a transmission's row (`refus_statut_http`, `refus_message`), or null when it is not one. */
export function refusOf(row: { refus_statut_http: number | null; refus_message: string | null }): RefusEnvoi | null {
  return row.refus_message === null ? null : { statutHttp: row.refus_statut_http ?? 400, message: row.refus_message };
}

/**
 * Records a request of this organisme refused as a whole: a transmission of no item, whose reason is the answer's
 * status and message. Not a transmission of data: the organismes' transmission times (coverage, freshness) are not
 * touched.
 */
export async function recordRefusedRequest(
  database: Database,
  refus: { organismeId: number; source: "API" | "FICHIER"; erp: string | null; statutHttp: number; message: string; now?: Date },
): Promise<number> {
  const [row] = await database.rows<{ id: number }>(sql`
    insert into transmissions (organisme_id, source, erp, received_at, nb_items, nb_accepted, nb_rejected, nb_unchanged,
                               refus_statut_http, refus_message)
    values (${refus.organismeId}, ${refus.source}, ${refus.erp}, ${(refus.now ?? new Date()).toISOString()}::timestamptz,
            0, 0, 0, 0, ${refus.statutHttp}, ${storableText(refus.message)})
    returning id`);
  return row.id;
}

export interface TransmissionRow {
  id: number;
  organismeId: number;
  source: "API" | "FICHIER";
  erp: string | null;
  fileName: string | null;
  receivedAt: string;
  nbItems: number;
  nbAccepted: number;
  nbRejected: number;
  /** Per-item errors were recorded and are still kept. */
  hasErrors: boolean;
  /** The request was refused as a whole: why (null otherwise). Kept after the per-item errors' purge. */
  refus: RefusEnvoi | null;
}

/** The latest transmissions of these organismes, newest first. */
export async function listTransmissions(database: Database, organismeIds: number[], limit = 50): Promise<TransmissionRow[]> {
  if (organismeIds.length === 0) return [];
  const rows = await database.rows<{
    id: number;
    organisme_id: number;
    source: "API" | "FICHIER";
    erp: string | null;
    file_name: string | null;
    received_at: string;
    nb_items: number;
    nb_accepted: number;
    nb_rejected: number;
    has_errors: boolean;
    refus_statut_http: number | null;
    refus_message: string | null;
  }>(sql`
    select id, organisme_id, source, erp, file_name, received_at::text, nb_items, nb_accepted, nb_rejected,
           (errors is not null and jsonb_array_length(errors) > 0) as has_errors, refus_statut_http, refus_message
    from transmissions
    where organisme_id = any(${arrayParam(organismeIds)}::int[])
    order by received_at desc, id desc
    limit ${limit}`);
  return rows.map((r) => ({
    id: r.id,
    organismeId: r.organisme_id,
    source: r.source,
    erp: r.erp,
    fileName: r.file_name,
    receivedAt: r.received_at,
    nbItems: r.nb_items,
    nbAccepted: r.nb_accepted,
    nbRejected: r.nb_rejected,
    hasErrors: r.has_errors,
    refus: refusOf(r),
  }));
}

export interface TransmissionError {
  /** Position in the request (0-based). */
  index: number;
  /** Line of the uploaded file (uploads only). */
  ligne: number | null;
  id_erp_apprenant: string | null;
  nom: string | null;
  prenom: string | null;
  errors: { path: (string | number)[]; message: string }[];
}

export interface TransmissionDetail extends TransmissionRow {
  errors: TransmissionError[];
  /** Older than 30 days with rejected items: the detail of the errors has been erased. */
  errorsPurged: boolean;
}

export async function transmissionDetail(database: Database, id: number): Promise<TransmissionDetail | null> {
  const [r] = await database.rows<{
    id: number;
    organisme_id: number;
    source: "API" | "FICHIER";
    erp: string | null;
    file_name: string | null;
    received_at: string;
    nb_items: number;
    nb_accepted: number;
    nb_rejected: number;
    errors: unknown;
    refus_statut_http: number | null;
    refus_message: string | null;
  }>(sql`select id, organisme_id, source, erp, file_name, received_at::text, nb_items, nb_accepted, nb_rejected, errors,
                refus_statut_http, refus_message
         from transmissions where id = ${id}`);
  if (!r) return null;
  const raw = (typeof r.errors === "string" ? JSON.parse(r.errors) : r.errors) as Partial<TransmissionError>[] | null;
  const errors = (raw ?? []).map((e) => ({
    index: e.index ?? 0,
    ligne: e.ligne ?? null,
    id_erp_apprenant: e.id_erp_apprenant ?? null,
    nom: e.nom ?? null,
    prenom: e.prenom ?? null,
    errors: e.errors ?? [],
  }));
  return {
    id: r.id,
    organismeId: r.organisme_id,
    source: r.source,
    erp: r.erp,
    fileName: r.file_name,
    receivedAt: r.received_at,
    nbItems: r.nb_items,
    nbAccepted: r.nb_accepted,
    nbRejected: r.nb_rejected,
    hasErrors: errors.length > 0,
    refus: refusOf(r),
    errors,
    errorsPurged: raw === null && r.nb_rejected > 0,
  };
}
