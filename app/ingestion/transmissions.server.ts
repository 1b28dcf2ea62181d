/**
 * Reading the transmissions (API requests and file uploads) for the CFA space: the list of an organisme's
 * transmissions with their counts, and the detail of one with its per-item errors (kept 30 days, then purged:
 * `errorsPurged`). Callers check with the policy module that the viewer may see these organismes.
 */
import { sql } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";

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
  }>(sql`
    select id, organisme_id, source, erp, file_name, received_at::text, nb_items, nb_accepted, nb_rejected,
           (errors is not null and jsonb_array_length(errors) > 0) as has_errors
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
  }>(sql`select id, organisme_id, source, erp, file_name, received_at::text, nb_items, nb_accepted, nb_rejected, errors
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
    errors,
    errorsPurged: raw === null && r.nb_rejected > 0,
  };
}
