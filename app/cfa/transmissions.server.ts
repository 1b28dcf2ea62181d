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
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import { ERRORS_RETENTION_DAYS } from "../ingestion/jobs.server";
import { refusOf as refusStocke } from "../ingestion/transmissions.server";
import { debutJourParis, finJourParis, parisDay } from "../shared/jours-paris.server";
import { escapeLike, foldSql, foldText } from "../referentiel/repertoire.server";
import { champsEnErreur, conseilDossiersRefuses, expliquerErreur, expliquerRefusEnvoi, resumeErreurs, type CategorieErreur, type LigneResume } from "./erreurs";
import { isIsoDate } from "../statut/days";

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

/**
 * Where a refused dossier stands now (decision 033): `a_corriger`, the latest dossier of this learner sent by the
 * organisme is this refused one (or it has no id to follow); `refuse_depuis`, refused again by a later transmission
 * (to fix, shown there); `corrige`, accepted since.
 */
export type SuiviRefus = "a_corriger" | "refuse_depuis" | "corrige";

export interface DossierRefuse {
  transmissionId: number;
  /** The transmission's time (several a day: « dossier n° 2 de l'envoi de 10:56 »). */
  receivedAt: string;
  suivi: SuiviRefus;
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

/** Rejected dossiers shown per page of a day (the day's summary and counts cover them all). */
export const REFUSES_PAR_PAGE = 50;
/** Transmissions shown per page of a day (an ERP may post every few minutes). */
export const TRANSMISSIONS_PAR_PAGE = 50;
/** Requests refused as a whole shown with their reason (the most recent): the others are counted, and in the table. */
export const ENVOIS_REFUSES_MONTRES = 10;

/** The totals of a day, over all its transmissions (`inchanges`: null when none of them counted them). */
export type TotauxDuJour = Pick<JourTransmissions, "transmissions" | "recus" | "acceptes" | "inchanges" | "refuses" | "envoisRefuses">;

/** A page of a list: `page` from 1 to `pages` (1 when empty), `total` the rows of all pages. */
export interface Pagination {
  page: number;
  pages: number;
  total: number;
  parPage: number;
}

/** The filters of a day's rejected dossiers: a field in error (v3 name), a search (name, first name, ERP id). */
export interface FiltresRefuses {
  champ?: string;
  q?: string;
}

export interface JourDetail {
  jour: string;
  totaux: TotauxDuJour;
  /** A page of the day's transmissions, newest first (`pageTransmissions`). */
  transmissions: TransmissionDuJour[];
  pageTransmissions: Pagination;
  /** The most recent requests refused as a whole (ENVOIS_REFUSES_MONTRES at most; `totaux.envoisRefuses` of all). */
  envoisRefuses: TransmissionDuJour[];
  /** Some transmission's rejected dossiers were purged (older than the retention): only their numbers are left. */
  detailPurge: boolean;
  /** A page of the rejected dossiers kept in detail, filtered (`filtres`), in the order of the transmissions. */
  refuses: DossierRefuse[];
  /** The page of `refuses`; `total`: the dossiers the filters keep. */
  pageRefuses: Pagination;
  filtres: FiltresRefuses;
  /** The rejected dossiers kept in detail this day, whatever the filters. */
  dossiersRefuses: number;
  /**
   * Rejected dossiers not listed by name: the viewer sees the space narrowed to its scope (decision 017), and a
   * rejected dossier, not stored, may be of a learner outside it. 0 when they are listed.
   */
  refusesNonNommes: number;
  /** The day's errors by category, over all its rejected dossiers (not the page's). */
  resume: LigneResume[];
  /** The fields in error this day, for the filter (over all its rejected dossiers). */
  champs: { champ: string; libelle: string; dossiers: number }[];
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

function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

/** The rejected dossiers of a transmission's stored errors. */
function parseErrors(value: unknown): StoredItem[] {
  const raw = parseJson(value);
  return Array.isArray(raw) ? (raw as StoredItem[]) : [];
}

/** A stored item's errors, as the explanations read them. */
function erreursDe(errors: unknown): { path: (string | number)[]; message: string }[] {
  const raw = parseJson(errors);
  return Array.isArray(raw) ? (raw as NonNullable<StoredItem["errors"]>).map((e) => ({ path: e?.path ?? [], message: e?.message ?? "" })) : [];
}

/** The refusal of a whole request, when the transmission is one, with what to do. */
function refusOf(row: { refus_statut_http: number | null; refus_message: string | null }): TransmissionDuJour["refus"] {
  const refus = refusStocke(row);
  return refus && { ...refus, explication: expliquerRefusEnvoi(refus.statutHttp, refus.message) };
}

function dossierRefuse(transmissionId: number, receivedAt: string, suivi: SuiviRefus, source: "API" | "FICHIER", item: StoredItem): DossierRefuse {
  return {
    transmissionId,
    receivedAt,
    suivi,
    numero: (item.index ?? 0) + 1,
    ligne: item.ligne ?? null,
    idErpApprenant: item.id_erp_apprenant ?? null,
    nom: item.nom ?? null,
    prenom: item.prenom ?? null,
    erreurs: erreursDe(item.errors).map((e) => expliquerErreur(e, undefined, source)),
  };
}

/** A Paris day "YYYY-MM-DD" that exists, or null: the year 0000, which `Date` takes, PostgreSQL has not. */
export function parseJour(value: string | undefined): string | null {
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) && isIsoDate(value) && !value.startsWith("0000") ? value : null;
}

/** A jsonb value as an array (an empty one when it is not), for jsonb_array_elements. */
const tableau = (expr: string) => `case when jsonb_typeof(${expr}) = 'array' then ${expr} else '[]'::jsonb end`;

/**
 * `champDeErreur` (app/cfa/erreurs.ts) in SQL, for a stored error `e` (`{path, message}`): the first text of its path,
 * else the field its message starts with, else "dossier". The filter by field reads it; the list of fields offered
 * is made by `champDeErreur` (tests/db/cfa-http.test.ts checks they agree).
 */
const champSql = (e: string) =>
  sql.raw(`coalesce(
    nullif((select p.v #>> '{}' from jsonb_array_elements(${tableau(`${e}->'path'`)}) with ordinality as p(v, i)
            where jsonb_typeof(p.v) = 'string' order by p.i limit 1), ''),
    nullif(substring(${e}->>'message' from '^([a-z0-9_]+)(?:\\s*/\\s*[a-z0-9_]+)?\\s*:'), 'dossier'),
    'dossier')`);

/**
 * `SuiviRefus` of a refused item `d.item` of transmission `t` (decision 033): the organisme's latest refusal of this
 * id (dossiers_refuses) is this transmission's, a later one's, or there is none left (accepted since).
 */
const SUIVI_SQL = sql`(case
  when coalesce(d.item->>'id_erp_apprenant', '') = '' then 'a_corriger'
  else coalesce((select case when r.transmission_id <> t.id and r.received_at >= t.received_at then 'refuse_depuis' else 'a_corriger' end
                 from dossiers_refuses r where r.organisme_id = t.organisme_id and r.id_erp_apprenant = d.item->>'id_erp_apprenant'), 'corrige')
  end)`;

/** The page to show: `page` within 1…pages (past the end, the last one, as every paged list of the app). */
function paginer(page: number, total: number, parPage: number): Pagination {
  const pages = Math.max(1, Math.ceil(total / parPage));
  return { page: Math.min(Math.max(1, Math.floor(page) || 1), pages), pages, total, parPage };
}

/**
 * The transmissions of one Paris day: their totals, a page of them, the requests refused as a whole, a page of the
 * rejected items explained (by name when `nominatif`, filtered by `filtres`), and the summary of the day's errors
 * over all its rejected items. Only the pages are read in full: a day of thousands of rejected dossiers (an ERP
 * whose whole nightly batch is refused) stays a light page.
 */
export async function transmissionsDuJour(
  database: Database,
  organismeId: number,
  jour: string,
  options: { nominatif?: boolean; page?: number; pageTransmissions?: number; filtres?: FiltresRefuses; parPage?: number } = {},
): Promise<JourDetail> {
  const nominatif = options.nominatif ?? true;
  const parPage = options.parPage ?? REFUSES_PAR_PAGE;
  const filtres: FiltresRefuses = nominatif ? { champ: options.filtres?.champ || undefined, q: options.filtres?.q?.trim() || undefined } : {};
  const duJour = (t = "transmissions") =>
    sql`${sql.raw(t)}.organisme_id = ${organismeId} and ${sql.raw(t)}.received_at >= ${debutJourParis(jour)} and ${sql.raw(t)}.received_at < ${finJourParis(jour)}`;

  const [totaux] = await database.rows<{
    transmissions: number;
    recus: number | null;
    acceptes: number | null;
    inchanges: number | null;
    refuses: number | null;
    envois_refuses: number;
    purge: boolean | null;
    sources: string[] | string | null;
  }>(sql`
    select count(*)::int as transmissions, sum(nb_items)::int as recus, sum(nb_accepted)::int as acceptes,
           sum(nb_unchanged)::int as inchanges, sum(nb_rejected)::int as refuses,
           (count(*) filter (where refus_message is not null))::int as envois_refuses,
           bool_or(errors is null and nb_rejected > 0) as purge,
           array_agg(distinct source) filter (where jsonb_typeof(errors) = 'array' and jsonb_array_length(errors) > 0) as sources
    from transmissions where ${duJour()}`);
  const pageTransmissions = paginer(options.pageTransmissions ?? 1, totaux.transmissions, TRANSMISSIONS_PAR_PAGE);

  type Ligne = {
    id: number;
    received_at: unknown;
    source: "API" | "FICHIER";
    erp: string | null;
    file_name: string | null;
    nb_items: number;
    nb_accepted: number;
    nb_unchanged: number | null;
    nb_rejected: number;
    purge: boolean;
    refus_statut_http: number | null;
    refus_message: string | null;
  };
  const colonnes = sql`id, received_at, source, erp, file_name, nb_items, nb_accepted, nb_unchanged, nb_rejected,
    (errors is null and nb_rejected > 0) as purge, refus_statut_http, refus_message`;
  const transmission = (r: Ligne): TransmissionDuJour => ({
    id: r.id,
    receivedAt: iso(r.received_at)!,
    source: r.source,
    erp: r.erp,
    fileName: r.file_name,
    nbItems: r.nb_items,
    nbAccepted: r.nb_accepted,
    nbUnchanged: r.nb_unchanged,
    nbRejected: r.nb_rejected,
    detailPurge: r.purge,
    refus: refusOf(r),
  });

  // all the day's rejected items, their errors only (no name): the summary and the fields in error cover them all
  const erreursDuJour = sql`
    from transmissions t cross join lateral jsonb_array_elements(${sql.raw(tableau("t.errors"))}) with ordinality as d(item, n)
    where ${duJour("t")}`;
  const conditions = [sql`true`];
  if (filtres.champ) {
    conditions.push(sql`exists (select 1 from jsonb_array_elements(${sql.raw(tableau("d.item->'errors'"))}) as e(v) where ${champSql("e.v")} = ${filtres.champ})`);
  }
  if (filtres.q) {
    const folded = `%${escapeLike(foldText(filtres.q).replace(/\s+/g, " "))}%`;
    const raw = `%${escapeLike(filtres.q)}%`;
    const nom = sql`coalesce(d.item->>'nom', '')`;
    const prenom = sql`coalesce(d.item->>'prenom', '')`;
    conditions.push(sql`(${foldSql(sql`${nom} || ' ' || ${prenom}`)} like ${folded} or ${foldSql(sql`${prenom} || ' ' || ${nom}`)} like ${folded}
      or coalesce(d.item->>'id_erp_apprenant', '') ilike ${raw})`);
  }
  const filtre = sql.join(conditions, sql` and `);

  const filtrant = nominatif && Boolean(filtres.champ || filtres.q);
  const [lignes, envoisRefuses, erreurs, filtresTotal] = await Promise.all([
    database.rows<Ligne>(sql`
      select ${colonnes} from transmissions where ${duJour()}
      order by received_at desc, id desc
      limit ${TRANSMISSIONS_PAR_PAGE} offset ${(pageTransmissions.page - 1) * TRANSMISSIONS_PAR_PAGE}`),
    totaux.envois_refuses
      ? database.rows<Ligne>(sql`
          select ${colonnes} from transmissions where ${duJour()} and refus_message is not null
          order by received_at desc, id desc limit ${ENVOIS_REFUSES_MONTRES}`)
      : Promise.resolve([]),
    database.rows<{ source: "API" | "FICHIER"; errors: unknown }>(sql`select t.source, d.item->'errors' as errors ${erreursDuJour}`),
    filtrant ? database.rows<{ n: number }>(sql`select count(*)::int as n ${erreursDuJour} and ${filtre}`).then(([r]) => r.n) : Promise.resolve(null),
  ]);
  const items = erreurs.map((r) => ({ source: r.source, errors: erreursDe(r.errors) }));
  const pageRefuses = paginer(options.page ?? 1, nominatif ? (filtresTotal ?? items.length) : 0, parPage);
  const refuses = nominatif && pageRefuses.total
    ? (
        await database.rows<{ transmission_id: number; received_at: unknown; suivi: SuiviRefus; source: "API" | "FICHIER"; item: unknown }>(sql`
          select t.id as transmission_id, t.received_at, t.source, d.item, ${SUIVI_SQL} as suivi ${erreursDuJour} and ${filtre}
          order by t.received_at desc, t.id desc, d.n
          limit ${parPage} offset ${(pageRefuses.page - 1) * parPage}`)
      ).map((r) => dossierRefuse(r.transmission_id, iso(r.received_at)!, r.suivi, r.source, parseJson(r.item) as StoredItem))
    : [];
  const sources = totaux.sources === null ? [] : Array.isArray(totaux.sources) ? totaux.sources : totaux.sources.replace(/^\{|\}$/g, "").split(",").filter(Boolean);
  return {
    jour,
    totaux: {
      transmissions: totaux.transmissions,
      recus: totaux.recus ?? 0,
      acceptes: totaux.acceptes ?? 0,
      inchanges: totaux.inchanges,
      refuses: totaux.refuses ?? 0,
      envoisRefuses: totaux.envois_refuses,
    },
    transmissions: lignes.map(transmission),
    pageTransmissions,
    envoisRefuses: envoisRefuses.map(transmission),
    detailPurge: totaux.purge ?? false,
    refuses,
    pageRefuses,
    filtres,
    dossiersRefuses: items.length,
    refusesNonNommes: nominatif ? 0 : items.length,
    resume: resumeErreurs(items),
    champs: nominatif ? champsEnErreur(items) : [],
    conseilRefuses: conseilDossiersRefuses(sources as ("API" | "FICHIER")[]),
    retentionJours: ERRORS_RETENTION_DAYS,
  };
}

/** Summary of the recurring errors of the organisme's transmissions over the last `jours` days (at most 30: kept). */
export async function erreursRecurrentes(database: Database, organismeId: number, options: { jours?: number; now?: Date } = {}): Promise<LigneResume[]> {
  const now = options.now ?? new Date();
  const jours = Math.min(options.jours ?? ERRORS_RETENTION_DAYS, ERRORS_RETENTION_DAYS);
  const rows = await database.rows<{ source: "API" | "FICHIER"; errors: unknown }>(sql`
    select source, errors from transmissions
    where organisme_id = ${organismeId} and errors is not null
      and received_at >= ${now.toISOString()}::timestamptz - make_interval(days => ${jours})
    order by received_at desc
    limit 500`);
  return resumeErreurs(rows.flatMap((r) => parseErrors(r.errors).map((i) => ({ source: r.source, errors: erreursDe(i.errors) }))));
}

/**
 * Refused dossiers still to fix over the last `jours` days (alerts of the home page, decision 033): the learners
 * whose latest dossier sent by these organismes was refused then and not accepted since, and the refused dossiers
 * without an id to follow. `avec_refus`: the transmissions that hold them.
 */
export async function refusesRecents(database: Database, organismeIds: number[], options: { jours?: number; now?: Date } = {}) {
  const now = options.now ?? new Date();
  const depuis = sql`${now.toISOString()}::timestamptz - make_interval(days => ${options.jours ?? 7})`;
  const [row] = await database.rows<{ refuses: number; avec_refus: number }>(sql`
    select count(*)::int as refuses, count(distinct transmission_id)::int as avec_refus
    from ${refusesACorrigerSql(sql`${arrayParam(organismeIds)}::int[]`, depuis)} as a`);
  return row ?? { refuses: 0, avec_refus: 0 };
}

/**
 * SQL: the refused dossiers still to fix of the organismes `ids` (an int[] expression) received since `depuis`, one
 * row each (`transmission_id`, `organisme_id`): the learners of dossiers_refuses, and the refused dossiers without an
 * id to follow (decision 033).
 */
export function refusesACorrigerSql(ids: SQL, depuis: SQL): SQL {
  return sql`(
    select transmission_id, organisme_id from dossiers_refuses where organisme_id = any(${ids}) and received_at >= ${depuis}
    union all
    select t.id, t.organisme_id from transmissions t cross join lateral jsonb_array_elements(${sql.raw(tableau("t.errors"))}) as d(item)
    where t.organisme_id = any(${ids}) and t.received_at >= ${depuis} and t.nb_rejected > 0
      and coalesce(d.item->>'id_erp_apprenant', '') = '')`;
}
