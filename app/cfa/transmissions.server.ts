/**
 * Transmissions of a CFA (issue 7, item 2): the day-by-day history (received / accepted / rejected), the rejected
 * items of one day with the French explanation of each error, and the summary of recurring errors.
 *
 * Days are Paris calendar days (what CFA staff read on their clock). Per-item errors are kept 30 days by the
 * ingestion job (`errors` set to null afterwards): older days show their counts only.
 *
 * A request refused as a whole (body unreadable, too many dossiers, too large: see app/ingestion/transmissions.server)
 * is a transmission of no dossier whose stored reason (kept for good, not purged with the errors) says why: counted
 * apart (`envoisRefuses`), shown with its reason and what to do, never as a rejected dossier.
 */
import { sql } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import { ERRORS_RETENTION_DAYS } from "../ingestion/jobs.server";
import { refusOf as refusStocke } from "../ingestion/transmissions.server";
import { debutJourParis, finJourParis, parisDay } from "../shared/jours-paris.server";
import { conseilDossiersRefuses, expliquerErreur, expliquerRefusEnvoi, resumeErreurs, type CategorieErreur, type LigneResume } from "./erreurs";

/** The Paris day of a timestamptz column, as text. */
const JOUR_PARIS = (column: string) => sql.raw(`to_char(${column} at time zone 'Europe/Paris', 'YYYY-MM-DD')`);

export interface JourTransmissions {
  /** "YYYY-MM-DD", Paris day */
  jour: string;
  transmissions: number;
  recus: number;
  acceptes: number;
  /** Accepted dossiers identical to what was stored (nothing written); null for transmissions before it was counted. */
  inchanges: number | null;
  refuses: number;
  /** Requests refused as a whole (no dossier read). */
  envoisRefuses: number;
  /** "API", "FICHIER" */
  sources: string[];
  erps: string[];
  /** Per-item errors are still kept for this day, or a request was refused as a whole (its reason is kept). */
  detailDisponible: boolean;
}

export interface Historique {
  jours: JourTransmissions[];
  /** First and last day of the window. */
  debut: string;
  fin: string;
  total: { transmissions: number; recus: number; acceptes: number; refuses: number; envoisRefuses: number };
  /** Latest transmission ever (even before the window). */
  derniere: string | null;
  /** Any transmission ever. */
  aucune: boolean;
}

function minusDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

function iso(value: unknown): string | null {
  return value === null || value === undefined ? null : new Date(value as string).toISOString();
}

/** The transmissions of the organisme over the last `jours` days, by Paris day, newest first. */
export async function historiqueTransmissions(
  database: Database,
  organismeId: number,
  options: { jours?: number; now?: Date } = {},
): Promise<Historique> {
  const now = options.now ?? new Date();
  const fin = parisDay(now);
  const debut = minusDays(fin, (options.jours ?? 30) - 1);
  const rows = await database.rows<{
    jour: string;
    transmissions: number;
    recus: number;
    acceptes: number;
    inchanges: number | null;
    refuses: number;
    envois_refuses: number;
    sources: string[] | string;
    erps: string[] | string | null;
    detail: boolean;
  }>(sql`
    select ${JOUR_PARIS("received_at")} as jour, count(*)::int as transmissions, sum(nb_items)::int as recus,
           sum(nb_accepted)::int as acceptes, sum(nb_unchanged)::int as inchanges, sum(nb_rejected)::int as refuses,
           (count(*) filter (where refus_message is not null))::int as envois_refuses,
           array_agg(distinct source order by source) as sources,
           array_remove(array_agg(distinct erp order by erp), null) as erps,
           bool_or(errors is not null or refus_message is not null) as detail
    from transmissions
    where organisme_id = ${organismeId}
      and received_at >= ${debutJourParis(debut)}
    group by 1 order by 1 desc`);
  const [last] = await database.rows<{ derniere: unknown; n: number }>(
    sql`select max(received_at) as derniere, count(*)::int as n from transmissions where organisme_id = ${organismeId}`,
  );
  const arr = (v: string[] | string | null): string[] =>
    v === null ? [] : Array.isArray(v) ? v : v.replace(/^\{|\}$/g, "").split(",").filter(Boolean).map((s) => s.replace(/^"|"$/g, ""));
  const jours = rows.map((r) => ({
    jour: r.jour,
    transmissions: r.transmissions,
    recus: r.recus,
    acceptes: r.acceptes,
    inchanges: r.inchanges,
    refuses: r.refuses,
    envoisRefuses: r.envois_refuses,
    sources: arr(r.sources),
    erps: arr(r.erps),
    detailDisponible: r.detail,
  }));
  const total = jours.reduce(
    (t, j) => ({
      transmissions: t.transmissions + j.transmissions,
      recus: t.recus + j.recus,
      acceptes: t.acceptes + j.acceptes,
      refuses: t.refuses + j.refuses,
      envoisRefuses: t.envoisRefuses + j.envoisRefuses,
    }),
    { transmissions: 0, recus: 0, acceptes: 0, refuses: 0, envoisRefuses: 0 },
  );
  return { jours, debut, fin, total, derniere: iso(last?.derniere), aucune: (last?.n ?? 0) === 0 };
}

// ---------------------------------------------------------------------------------------------- one day

export interface ErreurDetaillee {
  champ: string;
  libelleChamp: string;
  categorie: CategorieErreur;
  /** The problem, after the field's name (value received, what is wrong): see expliquerErreur. */
  constat: string;
  /** How to fix it, without saying the problem again. */
  explication: string;
}

export interface DossierRefuse {
  transmissionId: number;
  /** Position in the request (1-based, as people count). */
  numero: number;
  /** Line of the uploaded file. */
  ligne: number | null;
  idErpApprenant: string | null;
  nom: string | null;
  prenom: string | null;
  erreurs: ErreurDetaillee[];
}

export interface TransmissionDuJour {
  id: number;
  receivedAt: string;
  source: "API" | "FICHIER";
  erp: string | null;
  fileName: string | null;
  nbItems: number;
  nbAccepted: number;
  /** Accepted items identical to what was stored (not written); null for transmissions received before it was counted. */
  nbUnchanged: number | null;
  nbRejected: number;
  /** Rejected items whose detail has been purged (older than 30 days). */
  detailPurge: boolean;
  /** The request was refused as a whole, no dossier read: the answer's message and what to do (kept for good). */
  refus: { statutHttp: number; message: string; explication: string } | null;
}

export interface JourDetail {
  jour: string;
  transmissions: TransmissionDuJour[];
  refuses: DossierRefuse[];
  /**
   * Rejected dossiers not listed by name: the viewer sees the space narrowed to its scope (decision 017), and a
   * rejected dossier, not stored, may be of a learner outside it. 0 when they are listed.
   */
  refusesNonNommes: number;
  resume: LigneResume[];
  /** What to do about the rejected dossiers, by where they came from (ERP or uploaded file). */
  conseilRefuses: string;
  retentionJours: number;
}

interface StoredItem {
  index?: number;
  ligne?: number | null;
  id_erp_apprenant?: string | null;
  nom?: string | null;
  prenom?: string | null;
  errors?: { path?: (string | number)[]; message?: string }[];
}

/** The rejected dossiers of a transmission's stored errors. */
function parseErrors(value: unknown): StoredItem[] {
  const raw = typeof value === "string" ? JSON.parse(value) : value;
  return Array.isArray(raw) ? (raw as StoredItem[]) : [];
}

/** The refusal of a whole request, when the transmission is one, with what to do. */
function refusOf(row: { refus_statut_http: number | null; refus_message: string | null }): TransmissionDuJour["refus"] {
  const refus = refusStocke(row);
  return refus && { ...refus, explication: expliquerRefusEnvoi(refus.statutHttp, refus.message) };
}

function dossierRefuse(transmissionId: number, source: "API" | "FICHIER", item: StoredItem): DossierRefuse {
  return {
    transmissionId,
    numero: (item.index ?? 0) + 1,
    ligne: item.ligne ?? null,
    idErpApprenant: item.id_erp_apprenant ?? null,
    nom: item.nom ?? null,
    prenom: item.prenom ?? null,
    erreurs: (item.errors ?? []).map((e) => expliquerErreur({ path: e.path ?? [], message: e.message ?? "" }, undefined, source)),
  };
}

/** A Paris day "YYYY-MM-DD" that exists, or null. */
export function parseJour(value: string | undefined): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value ? value : null;
}

/**
 * The transmissions of one Paris day, their rejected items explained (by name when `nominatif`), and the summary of
 * that day's errors.
 */
export async function transmissionsDuJour(
  database: Database,
  organismeId: number,
  jour: string,
  options: { nominatif?: boolean } = {},
): Promise<JourDetail> {
  const nominatif = options.nominatif ?? true;
  const rows = await database.rows<{
    id: number;
    received_at: unknown;
    source: "API" | "FICHIER";
    erp: string | null;
    file_name: string | null;
    nb_items: number;
    nb_accepted: number;
    nb_unchanged: number | null;
    nb_rejected: number;
    errors: unknown;
    refus_statut_http: number | null;
    refus_message: string | null;
  }>(sql`
    select id, received_at, source, erp, file_name, nb_items, nb_accepted, nb_unchanged, nb_rejected, errors,
           refus_statut_http, refus_message
    from transmissions
    where organisme_id = ${organismeId}
      and received_at >= ${debutJourParis(jour)}
      and received_at < ${finJourParis(jour)}
    order by received_at desc, id desc`);
  const refuses: DossierRefuse[] = [];
  const items: StoredItem[] = [];
  const sources = new Set<"API" | "FICHIER">();
  const transmissions = rows.map((r) => {
    const stored = parseErrors(r.errors);
    if (stored.length) sources.add(r.source);
    for (const item of stored) {
      refuses.push(dossierRefuse(r.id, r.source, item));
      items.push(item);
    }
    return {
      id: r.id,
      receivedAt: iso(r.received_at)!,
      source: r.source,
      erp: r.erp,
      fileName: r.file_name,
      nbItems: r.nb_items,
      nbAccepted: r.nb_accepted,
      nbUnchanged: r.nb_unchanged,
      nbRejected: r.nb_rejected,
      detailPurge: r.errors === null && r.nb_rejected > 0,
      refus: refusOf(r),
    };
  });
  return {
    jour,
    transmissions,
    refuses: nominatif ? refuses : [],
    refusesNonNommes: nominatif ? 0 : refuses.length,
    resume: resumeErreurs(items.map((i) => ({ errors: (i.errors ?? []).map((e) => ({ path: e.path ?? [], message: e.message ?? "" })) }))),
    conseilRefuses: conseilDossiersRefuses([...sources]),
    retentionJours: ERRORS_RETENTION_DAYS,
  };
}

/** Summary of the recurring errors of the organisme's transmissions over the last `jours` days (at most 30: kept). */
export async function erreursRecurrentes(database: Database, organismeId: number, options: { jours?: number; now?: Date } = {}): Promise<LigneResume[]> {
  const now = options.now ?? new Date();
  const jours = Math.min(options.jours ?? ERRORS_RETENTION_DAYS, ERRORS_RETENTION_DAYS);
  const rows = await database.rows<{ errors: unknown }>(sql`
    select errors from transmissions
    where organisme_id = ${organismeId} and errors is not null
      and received_at >= ${now.toISOString()}::timestamptz - make_interval(days => ${jours})
    order by received_at desc
    limit 500`);
  const items = rows.flatMap((r) => parseErrors(r.errors));
  return resumeErreurs(items.map((i) => ({ errors: (i.errors ?? []).map((e) => ({ path: e.path ?? [], message: e.message ?? "" })) })));
}

/** Rejected items over the last `jours` days (alerts of the home page). */
export async function refusesRecents(database: Database, organismeIds: number[], options: { jours?: number; now?: Date } = {}) {
  const now = options.now ?? new Date();
  const [row] = await database.rows<{ refuses: number; transmissions: number; avec_refus: number }>(sql`
    select coalesce(sum(nb_rejected), 0)::int as refuses, count(*)::int as transmissions,
           count(*) filter (where nb_rejected > 0)::int as avec_refus
    from transmissions
    where organisme_id = any(${arrayParam(organismeIds)}::int[])
      and received_at >= ${now.toISOString()}::timestamptz - make_interval(days => ${options.jours ?? 7})`);
  return row ?? { refuses: 0, transmissions: 0, avec_refus: 0 };
}
