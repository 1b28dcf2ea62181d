/**
 * Derived statut storage (docs/decisions/003-stockage-des-statuts.md):
 *
 * - `effectifs.parcours`: the engine's parcours, recomputed from the stored dates and contracts;
 * - `statut_periodes`: état periods (app/indicateurs/etats.ts) with the filter dimensions copied in;
 * - `indicateurs_agregats_*` (four grains): counts per état at the materialised days of `indicateurs_jours` (month
 *   ends, today, tomorrow, and the same two days one year before), kept exact on every write by set-based deltas (old periods −1, new periods +1).
 *
 * Entry points:
 * - `refreshStatutStorage(tx, ids, nouveaux?)`: after any write of effectifs / contrats (API, upload, edit, delete),
 *   inside the writer's transaction, for a batch of effectif ids. Few round trips whatever the batch size; effectifs
 *   whose periods did not change (the nightly resend of unchanged data) cost one read, effectifs the writer has just
 *   inserted and describes (`nouveaux`) none (decision 008).
 * - `rebuildStatutStorage(database)`: full rebuild after a bulk load (demo seed), streamed by id chunks + COPY.
 * - `materialiserJours(database, jours)`: builds the aggregates of days not yet materialised (the indicator module
 *   calls it for a month end or for today the first time they are asked for); `preparerJours(database)` builds
 *   today and tomorrow, and the same days one year before, in advance (server start, then hourly).
 *
 * Concurrency: a refresh takes ROW EXCLUSIVE on statut_periodes before reading the list of materialised days;
 * building a day takes SHARE on it (waits for in-flight writers, blocks new ones while it runs), so a day is built
 * either before a writer reads the list (the writer then maintains it) or after the writer committed (the build
 * sees its rows). Callers must have written (hence locked) the effectif rows they refresh in the same
 * transaction, so that two refreshes of one effectif never run concurrently.
 */
import { sql, type SQL } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import { LOCK_TIMEOUT_ECRITURES_MS, arrayParam, execRows, unnestArrays, type Database, type Executor } from "../../db/client.server";
import { statutPeriodes } from "../../db/schema";
import { niveauFromCfd } from "../referentiel/codes";
import { coupureRqth, etatsPeriodes, type EtatPeriode } from "../indicateurs/etats";
import { aRisqueSql } from "../indicateurs/etats-sql.server";
import { addDays, memeJourUnAnAvant } from "./days";
import { computeParcours, type ContratDates, type ParcoursStep } from "./engine";
import { todayIso } from "./annee-scolaire";
import { signalerModification } from "../indicateurs/modifications.server";


function parseJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

// ---------------------------------------------------------------------------------------------- period rows

/** The dimensions of an effectif copied into its periods (sentinels for unknown values). */
export interface DimensionsEffectif {
  organismeFormateurId: number;
  organismeResponsableId: number;
  formationId: number | null;
  /** "" when unknown */
  departementCode: string;
  /** 0 when unknown */
  niveau: number;
  /** -1 when unknown */
  anneeFormation: number;
  /** "M", "F" or "" */
  sexe: string;
  rqth: boolean;
  /** The RQTH's recognition date, when given: periods are cut there (RQTH at D, `coupureRqth`). */
  dateRqth: string | null;
  dateDeNaissance: string;
}

/**
 * One stored period as an array, in the order of `json_build_array` in `ANCIENNES_PERIODES` (so that old and new
 * periods compare as JSON).
 */
type LignePeriode = [
  etat: number,
  debut: string,
  fin: string,
  debutSansContrat: string | null,
  organismeFormateurId: number,
  organismeResponsableId: number,
  formationId: number | null,
  departementCode: string,
  niveau: number,
  anneeFormation: number,
  sexe: string,
  rqth: boolean,
  dateDeNaissance: string,
];

/** The stored rows of an effectif's état periods: one per period, two for the period its RQTH date falls in. */
function lignes(periodes: EtatPeriode[], d: DimensionsEffectif): LignePeriode[] {
  return periodes.flatMap((p) =>
    coupureRqth(p.debut, p.fin, d.rqth, d.dateRqth).map((partie): LignePeriode => [
      p.etat,
      partie.debut,
      partie.fin,
      p.debutSansContrat,
      d.organismeFormateurId,
      d.organismeResponsableId,
      d.formationId,
      d.departementCode,
      d.niveau,
      d.anneeFormation,
      d.sexe,
      partie.rqth,
      d.dateDeNaissance,
    ]),
  );
}

const ANCIENNES_PERIODES = sql`(
  select json_agg(json_build_array(p.etat, p.debut, p.fin, p.debut_sans_contrat, p.organisme_formateur_id,
                                   p.organisme_responsable_id, p.formation_id, p.departement_code, p.niveau,
                                   p.annee_formation, p.sexe, p.rqth, p.date_de_naissance) order by p.debut)
  from statut_periodes p where p.effectif_id = ids.id)`;

/** Columns of statut_periodes in CSV / recordset order. */
const COLONNES = [
  "effectif_id",
  "etat",
  "debut",
  "fin",
  "debut_sans_contrat",
  "organisme_formateur_id",
  "organisme_responsable_id",
  "formation_id",
  "departement_code",
  "niveau",
  "annee_formation",
  "sexe",
  "rqth",
  "date_de_naissance",
];

/** PostgreSQL types of COLONNES. */
const TYPES = [
  "int",
  "smallint",
  "date",
  "date",
  "date",
  "int",
  "int",
  "int",
  "varchar",
  "smallint",
  "smallint",
  "varchar",
  "boolean",
  "date",
];

interface LigneSource {
  id: number;
  annee_scolaire: string;
  date_fin_formation: string;
  organisme_formateur_id: number;
  organisme_responsable_id: number;
  formation_id: number | null;
  departement_code: string | null;
  niveau: number | null;
  formation_cfd: string | null;
  annee_formation: number | null;
  sexe: string | null;
  rqth: boolean | null;
  date_rqth: string | null;
  date_de_naissance: string;
}

function dimensions(r: LigneSource): DimensionsEffectif {
  return {
    organismeFormateurId: r.organisme_formateur_id,
    organismeResponsableId: r.organisme_responsable_id,
    formationId: r.formation_id,
    departementCode: r.departement_code ?? "",
    niveau: r.niveau ?? (r.formation_cfd ? niveauFromCfd(r.formation_cfd) : null) ?? 0,
    anneeFormation: r.annee_formation ?? -1,
    sexe: r.sexe === "M" || r.sexe === "F" ? r.sexe : "",
    rqth: r.rqth === true,
    dateRqth: r.date_rqth,
    dateDeNaissance: r.date_de_naissance,
  };
}

/** Columns of an effectif needed for its periods (alias e; joins f = formation, o = organisme formateur). */
const SOURCE_COLONNES = sql`e.id, e.annee_scolaire, e.date_fin_formation::text as date_fin_formation,
  e.organisme_formateur_id, e.organisme_responsable_id, e.formation_id, o.departement_code, f.niveau,
  e.formation_cfd, e.annee_formation, e.sexe, e.rqth, e.date_rqth::text as date_rqth, e.date_de_naissance::text as date_de_naissance`;

const CONTRATS_JSON = sql`coalesce((select json_agg(json_build_object('date_debut', c.date_debut, 'date_fin', c.date_fin,
  'date_rupture', c.date_rupture) order by c.rang) from contrats c where c.effectif_id = e.id), '[]'::json)`;

function memeParcours(a: ParcoursStep[] | null, b: ParcoursStep[]): boolean {
  if (!a || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].date !== b[i].date || a[i].statut !== b[i].statut) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------- aggregates

const TRANCHE_AGE = (jour: SQL, naissance: SQL) => sql`(case
  when ${naissance} > (${jour} - interval '18 years')::date then 0
  when ${naissance} > (${jour} - interval '21 years')::date then 1
  when ${naissance} > (${jour} - interval '26 years')::date then 2
  else 3 end)::smallint`;

/**
 * Adds the contributions of a relation `contrib(jour, <statut_periodes columns>, signe)` to the four aggregate
 * tables: one statement, the CTEs before it are given in `prefix` (`with …,`). Rows are upserted in key order
 * (concurrent writers lock the same rows in the same order: no deadlock).
 */
function upsertAgregats(prefix: SQL, contrib: SQL, suffix: SQL = sql`select 1 as ok`): SQL {
  return sql`${prefix}
  contrib as (${contrib}),
  c as (
    select jour, etat, departement_code, niveau, annee_formation, sexe, rqth, organisme_formateur_id,
           organisme_responsable_id, formation_id, ${TRANCHE_AGE(
             sql`jour`,
             sql`date_de_naissance`,
           )} as tranche_age, signe
    from contrib
  ),
  r as (select c.*, ${aRisqueSql(sql`etat`, sql`tranche_age = 0`, sql`rqth`)} as risque from c),
  up_departement as (
    insert into indicateurs_agregats_departement as a (jour, departement_code, etat, risque, n)
    select jour, departement_code, etat, risque, sum(signe)::int from r
    group by 1, 2, 3, 4 having sum(signe) <> 0 order by 1, 2, 3, 4
    on conflict (jour, departement_code, etat, risque) do update set n = a.n + excluded.n
    returning 1
  ),
  up_demographie as (
    insert into indicateurs_agregats_demographie as a
      (jour, departement_code, niveau, annee_formation, sexe, rqth, tranche_age, etat, n)
    select jour, departement_code, niveau, annee_formation, sexe, rqth, tranche_age, etat, sum(signe)::int from r
    group by 1, 2, 3, 4, 5, 6, 7, 8 having sum(signe) <> 0 order by 1, 2, 3, 4, 5, 6, 7, 8
    on conflict (jour, departement_code, niveau, annee_formation, sexe, rqth, tranche_age, etat)
      do update set n = a.n + excluded.n
    returning 1
  ),
  up_formation as (
    insert into indicateurs_agregats_formation as a (jour, formation_id, niveau, etat, risque, n)
    select jour, coalesce(formation_id, 0), niveau, etat, risque, sum(signe)::int from r
    group by 1, 2, 3, 4, 5 having sum(signe) <> 0 order by 1, 2, 3, 4, 5
    on conflict (jour, formation_id, niveau, etat, risque) do update set n = a.n + excluded.n
    returning 1
  ),
  up_formation_departement as (
    insert into indicateurs_agregats_formation_departement as a (jour, departement_code, formation_id, niveau, etat, risque, n)
    select jour, departement_code, coalesce(formation_id, 0), niveau, etat, risque, sum(signe)::int from r
    group by 1, 2, 3, 4, 5, 6 having sum(signe) <> 0 order by 1, 2, 3, 4, 5, 6
    on conflict (jour, departement_code, formation_id, niveau, etat, risque) do update set n = a.n + excluded.n
    returning 1
  ),
  up_organisme as (
    insert into indicateurs_agregats_organisme as a
      (jour, organisme_formateur_id, organisme_responsable_id, departement_code, etat, risque, n)
    select jour, organisme_formateur_id, organisme_responsable_id, departement_code, etat, risque, sum(signe)::int from r
    group by 1, 2, 3, 4, 5, 6 having sum(signe) <> 0 order by 1, 2, 3, 4, 5, 6
    on conflict (jour, organisme_formateur_id, organisme_responsable_id, departement_code, etat, risque)
      do update set n = a.n + excluded.n
    returning 1
  )
  ${suffix}`;
}

// ---------------------------------------------------------------------------------------------- refresh

export interface RefreshResult {
  /** Effectifs asked for. */
  effectifs: number;
  /** Effectifs whose stored parcours changed. */
  parcoursModifies: number;
  /** Effectifs whose periods (hence aggregates) changed, including deleted effectifs. */
  periodesModifiees: number;
}

interface LigneRefresh extends LigneSource {
  /** null when the effectif no longer exists */
  existe: boolean;
  demande: number;
  date_entree_formation: string;
  date_exclusion_formation: string | null;
  parcours: unknown;
  contrats: unknown;
  anciennes: unknown;
}

/**
 * An effectif inserted by the caller's transaction, described by the caller: what the refresh would read back
 * (its row, formation niveau and organisme département, its contracts and stored parcours). It has no period yet.
 */
export interface EffectifNouveau extends LigneSource {
  date_entree_formation: string;
  date_exclusion_formation: string | null;
  /** The parcours written with the row, computed by the engine from these same dates and contracts (not recomputed). */
  parcours: ParcoursStep[];
  contrats: ContratDates[];
}

/**
 * Recomputes the parcours, the periods and the aggregates of these effectifs inside the caller's transaction
 * (call it after writing effectifs or contrats, or after deleting effectifs: the periods of an id that no longer
 * exists are removed and subtracted). Must run in a transaction (LOCK TABLE).
 *
 * `nouveaux`: effectifs the caller has just inserted, given as they were written: they are not read back (the
 * ingestion of new learners then costs no read).
 */
export async function refreshStatutStorage(
  tx: Executor,
  effectifIds: number[],
  nouveaux: readonly EffectifNouveau[] = [],
): Promise<RefreshResult> {
  const dejaConnus = new Set(nouveaux.map((n) => n.id));
  const ids = [...new Set(effectifIds.map(Number))].filter((id) => Number.isInteger(id) && !dejaConnus.has(id)).sort((a, b) => a - b);
  const result: RefreshResult = { effectifs: ids.length + dejaConnus.size, parcoursModifies: 0, periodesModifiees: 0 };
  if (result.effectifs === 0) return result;

  await tx.execute(sql`lock table statut_periodes in row exclusive mode`);
  const rows = ids.length
    ? await execRows<LigneRefresh>(
        tx,
        // lateral: one index lookup per id whatever the table statistics (a hash join would scan effectifs)
        sql`select ids.id as demande, (e.id is not null) as existe, ${SOURCE_COLONNES},
              e.date_entree_formation::text as date_entree_formation,
              e.date_exclusion_formation::text as date_exclusion_formation,
              e.parcours, ${CONTRATS_JSON} as contrats, ${ANCIENNES_PERIODES} as anciennes
            from unnest(${arrayParam(ids)}::int[]) as ids(id)
            left join lateral (select * from effectifs x where x.id = ids.id) e on true
            left join lateral (select x.niveau from formations x where x.id = e.formation_id) f on true
            left join lateral (select x.departement_code from organismes x where x.id = e.organisme_formateur_id) o on true`,
      )
    : [];

  const parcoursUpdates: { id: number; parcours: ParcoursStep[] }[] = [];
  const changed: number[] = [];
  /** New period rows, column by column (sent as typed arrays: much cheaper to parse than JSON). */
  const colonnes: unknown[][] = COLONNES.map(() => []);
  /** Stored rows to delete: (effectif_id, debut) identifies a period (they never overlap). */
  const supprimees = { ids: [] as number[], debuts: [] as string[] };
  const ajouter = (id: number, l: LignePeriode) => {
    colonnes[0].push(id);
    for (let i = 0; i < l.length; i++) colonnes[i + 1].push(l[i]);
  };
  for (const r of rows) {
    const anciennes = parseJson<LignePeriode[] | null>(r.anciennes);
    if (!r.existe) {
      if (anciennes && anciennes.length > 0) changed.push(r.demande);
      continue;
    }
    const parcours = computeParcours({
      date_entree_formation: r.date_entree_formation,
      date_fin_formation: r.date_fin_formation,
      date_exclusion_formation: r.date_exclusion_formation,
      contrats: parseJson<ContratDates[]>(r.contrats),
    });
    if (!memeParcours(parseJson<ParcoursStep[] | null>(r.parcours), parcours))
      parcoursUpdates.push({ id: r.id, parcours });
    const lignesEffectif = lignes(etatsPeriodes(parcours, r.date_fin_formation, r.annee_scolaire), dimensions(r));
    if (!anciennes || anciennes.length === 0) {
      // no stored period (a new effectif): every row is new
      if (lignesEffectif.length === 0) continue;
      changed.push(r.id);
      for (const l of lignesEffectif) ajouter(r.id, l);
      continue;
    }
    if (JSON.stringify(lignesEffectif) === JSON.stringify(anciennes)) continue;
    changed.push(r.id);
    // Only the rows that differ: a new rupture usually leaves the first periods as they were.
    const old = new Set((anciennes ?? []).map((l) => JSON.stringify(l)));
    const kept = new Set<string>();
    for (const l of lignesEffectif) {
      const key = JSON.stringify(l);
      if (old.has(key)) kept.add(key);
      else ajouter(r.id, l);
    }
    for (const l of anciennes ?? []) {
      if (kept.has(JSON.stringify(l))) continue;
      supprimees.ids.push(r.id);
      supprimees.debuts.push(l[1]);
    }
  }
  for (const n of nouveaux) {
    // a new effectif: its parcours was computed by the engine from this very row, and it has no stored period
    const lignesEffectif = lignes(etatsPeriodes(n.parcours, n.date_fin_formation, n.annee_scolaire), dimensions(n));
    if (lignesEffectif.length === 0) continue;
    changed.push(n.id);
    for (const l of lignesEffectif) ajouter(n.id, l);
  }
  for (const r of rows) {
    if (r.existe) continue;
    for (const l of parseJson<LignePeriode[] | null>(r.anciennes) ?? []) {
      supprimees.ids.push(r.demande);
      supprimees.debuts.push(l[1]);
    }
  }

  if (parcoursUpdates.length > 0) {
    await tx.execute(sql`
      update effectifs e set parcours = x.parcours
      from json_to_recordset(${JSON.stringify(parcoursUpdates)}::json) as x(id int, parcours jsonb)
      where e.id = x.id`);
  }
  result.parcoursModifies = parcoursUpdates.length;
  result.periodesModifiees = changed.length;
  if (changed.length === 0) return result;
  await signalerModification(tx);

  await tx.execute(
    upsertAgregats(
      sql`with del as (
            delete from statut_periodes p
            using ${unnestArrays([supprimees.ids, supprimees.debuts], ["int", "date"])} as x(id, debut)
            where p.effectif_id = x.id and p.debut = x.debut
            returning p.*
          ),
          ins as (
            insert into statut_periodes (${sql.raw(COLONNES.join(", "))})
            select * from ${unnestArrays(colonnes, TYPES)}
            returning *
          ),`,
      sql`select j.jour, p.*, -1 as signe from del p join indicateurs_jours j on j.jour between p.debut and p.fin
          union all
          select j.jour, p.*, 1 as signe from ins p join indicateurs_jours j on j.jour between p.debut and p.fin`,
    ),
  );
  return result;
}

/**
 * Refresh of every effectif of these organismes (formateur or responsable) or formations: to call after a change
 * of the référentiel that moves them (an organisme's commune / département, a formation's niveau). In the
 * caller's transaction, by chunks.
 */
export async function refreshStatutStorageWhere(
  tx: Executor,
  where: { organismeIds?: number[]; formationIds?: number[] },
): Promise<RefreshResult> {
  const conditions: SQL[] = [];
  if (where.organismeIds?.length) {
    const ids = arrayParam(where.organismeIds);
    conditions.push(sql`organisme_formateur_id = any(${ids}::int[]) or organisme_responsable_id = any(${ids}::int[])`);
  }
  if (where.formationIds?.length) conditions.push(sql`formation_id = any(${arrayParam(where.formationIds)}::int[])`);
  if (conditions.length === 0) return { effectifs: 0, parcoursModifies: 0, periodesModifiees: 0 };
  const rows = await execRows<{ id: number }>(
    tx,
    sql`select id from effectifs where ${sql.join(conditions, sql` or `)}
        union select effectif_id from statut_periodes where ${sql.join(conditions, sql` or `)}
        order by 1`,
  );
  return refreshStatutStorageParLots(
    tx,
    rows.map((x) => Number(x.id)),
  );
}

/** `refreshStatutStorage` of any number of effectifs, by chunks of 5 000, in the caller's transaction. */
export async function refreshStatutStorageParLots(tx: Executor, effectifIds: number[]): Promise<RefreshResult> {
  const total: RefreshResult = { effectifs: 0, parcoursModifies: 0, periodesModifiees: 0 };
  for (let i = 0; i < effectifIds.length; i += 5000) {
    const r = await refreshStatutStorage(tx, effectifIds.slice(i, i + 5000));
    total.effectifs += r.effectifs;
    total.parcoursModifies += r.parcoursModifies;
    total.periodesModifiees += r.periodesModifiees;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------- materialised days

/** Last day of the month of a date. */
export function finDeMois(date: string): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${date.slice(0, 7)}-${String(last).padStart(2, "0")}`;
}

export function estFinDeMois(date: string): boolean {
  return finDeMois(date) === date;
}

/**
 * Days the aggregates are kept for: month ends up to today, today, and tomorrow (built in advance by
 * `preparerJours`, so that the first query of a day finds it ready), and the same two days one year before (the
 * dashboards compare today with them: docs/decisions/018).
 */
export function estJourMaterialisable(jour: string, today: string): boolean {
  const demain = addDays(today, 1);
  if (jour === memeJourUnAnAvant(today) || jour === memeJourUnAnAvant(demain)) return true;
  return jour <= demain && (jour >= today || estFinDeMois(jour));
}

/** The days `preparerJours` builds ahead: today, tomorrow, and the same days one year before. */
function joursDuJour(today: string): string[] {
  const demain = addDays(today, 1);
  return [today, demain, memeJourUnAnAvant(today), memeJourUnAnAvant(demain)];
}

/** Non-month-end days are dropped once older than this (yesterday's "today"). */
const JOURS_CONSERVES = 3;

export interface MaterialisationOptions {
  /** Default: today (UTC). */
  today?: string;
}

/** The materialised days among these. */
export async function joursMaterialises(executor: Executor, jours: string[]): Promise<Set<string>> {
  if (jours.length === 0) return new Set();
  const rows = await execRows<{ jour: string }>(
    executor,
    sql`select jour::text as jour from indicateurs_jours where jour = any(${arrayParam(jours)}::date[])`,
  );
  return new Set(rows.map((r) => r.jour));
}

async function construireJour(tx: Executor, jour: string): Promise<void> {
  await tx.execute(sql`delete from indicateurs_agregats_departement where jour = ${jour}::date`);
  await tx.execute(sql`delete from indicateurs_agregats_demographie where jour = ${jour}::date`);
  await tx.execute(sql`delete from indicateurs_agregats_organisme where jour = ${jour}::date`);
  await tx.execute(sql`delete from indicateurs_agregats_formation where jour = ${jour}::date`);
  await tx.execute(sql`delete from indicateurs_agregats_formation_departement where jour = ${jour}::date`);
  await tx.execute(
    upsertAgregats(
      sql`with`,
      sql`select ${jour}::date as jour, p.*, 1 as signe from statut_periodes p
          where p.debut <= ${jour}::date and p.fin >= ${jour}::date`,
    ),
  );
  await tx.execute(sql`insert into indicateurs_jours (jour) values (${jour}::date) on conflict (jour) do nothing`);
}

/**
 * Builds the aggregates of the given days that are materialisable (month end ≤ today, or today) and not built
 * yet; drops the non-month-end days older than a few days. Returns the days built.
 */
export async function materialiserJours(
  database: Database,
  jours: string[],
  options: MaterialisationOptions = {},
): Promise<string[]> {
  const today = options.today ?? todayIso();
  const wanted = [...new Set(jours)].filter((j) => estJourMaterialisable(j, today)).sort();
  if (wanted.length === 0) return [];
  const existing = await joursMaterialises(database.db, wanted);
  if (wanted.every((j) => existing.has(j))) return [];
  return database.db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local lock_timeout = ${LOCK_TIMEOUT_ECRITURES_MS}`));
    await tx.execute(sql`lock table indicateurs_jours in share row exclusive mode`);
    await tx.execute(sql`lock table statut_periodes in share mode`);
    const present = await joursMaterialises(tx, wanted);
    const built: string[] = [];
    for (const jour of wanted) {
      if (present.has(jour)) continue;
      await construireJour(tx, jour);
      built.push(jour);
    }
    await oublierVieuxJours(tx, today);
    return built;
  });
}

/**
 * Builds today's and tomorrow's aggregates when missing (a few seconds on 3 million effectifs, once a day): to
 * call at server start and then periodically (e.g. hourly), so that no dashboard query ever waits for a build.
 */
export async function preparerJours(database: Database, options: MaterialisationOptions = {}): Promise<string[]> {
  const today = options.today ?? todayIso();
  return materialiserJours(database, joursDuJour(today), { today });
}

async function oublierVieuxJours(tx: Executor, today: string): Promise<void> {
  const limite = addDays(today, -JOURS_CONSERVES);
  // the same recent days one year before are kept with them
  const unAnAvant = { debut: memeJourUnAnAvant(limite), fin: memeJourUnAnAvant(addDays(today, 1)) };
  const vieux = await execRows<{ jour: string }>(
    tx,
    sql`select jour::text as jour from indicateurs_jours
        where jour < ${limite}::date and jour <> (date_trunc('month', jour) + interval '1 month - 1 day')::date
          and jour not between ${unAnAvant.debut}::date and ${unAnAvant.fin}::date`,
  );
  if (vieux.length === 0) return;
  const list = arrayParam(vieux.map((v) => v.jour));
  await tx.execute(sql`delete from indicateurs_agregats_departement where jour = any(${list}::date[])`);
  await tx.execute(sql`delete from indicateurs_agregats_demographie where jour = any(${list}::date[])`);
  await tx.execute(sql`delete from indicateurs_agregats_organisme where jour = any(${list}::date[])`);
  await tx.execute(sql`delete from indicateurs_agregats_formation where jour = any(${list}::date[])`);
  await tx.execute(sql`delete from indicateurs_agregats_formation_departement where jour = any(${list}::date[])`);
  await tx.execute(sql`delete from indicateurs_jours where jour = any(${list}::date[])`);
}

// ---------------------------------------------------------------------------------------------- rebuild

export interface RebuildProgress {
  phase: "periodes" | "index" | "agregats" | "termine";
  /** periodes: effectifs read so far; agregats: days built so far. */
  fait: number;
  /** periodes: effectifs in the table; agregats: days to build. */
  total: number;
}

export interface RebuildOptions {
  onProgress?: (progress: RebuildProgress) => void;
  /** Default: today (UTC). The month ends up to it and it are materialised. */
  today?: string;
  /**
   * Recompute every parcours from the dates and contracts (engine) and store the ones that differ. Default false:
   * the stored parcours are trusted (the seed and every write compute them with the same engine).
   */
  recomputeParcours?: boolean;
  /** Effectifs per chunk (default 50,000). */
  chunkSize?: number;
}

export interface RebuildResult {
  effectifs: number;
  periodes: number;
  parcoursModifies: number;
  jours: number;
  ms: number;
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string")
    return value === "" ? '""' : /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  if (typeof value === "boolean") return value ? "t" : "f";
  return String(value);
}

interface LigneRebuild extends LigneSource {
  date_entree_formation?: string;
  date_exclusion_formation?: string | null;
  parcours: unknown;
  contrats?: unknown;
}

/**
 * Whether a rebuild was cut short while it loaded the periods (process killed): statut_periodes then misses
 * secondary indexes the schema declares (the rebuild drops them first and recreates them once every period is
 * written), and its periods are partial. `npm start` resumes the rebuild (the days, built after, are rebuilt on
 * demand when missing).
 */
export async function rebuildInterrompu(database: Database): Promise<boolean> {
  const presents = await database.rows<{ name: string }>(sql`
    select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'statut_periodes'`);
  const noms = new Set(presents.map((r) => r.name));
  return INDEX_PERIODES.some((index) => !noms.has(index.name));
}

/**
 * The secondary indexes of statut_periodes as the schema declares them (drizzle generates the migrations from the
 * same declarations): what a rebuild drops and recreates, even after a rebuild killed before it recreated them.
 */
const INDEX_PERIODES = getTableConfig(statutPeriodes).indexes.map(({ config }) => {
  const colonnes = config.columns.map((c) => {
    if (!("name" in c) || typeof c.name !== "string") throw new Error(`index ${config.name} : seules des colonnes sont prévues`);
    return `"${c.name}"`;
  });
  if (!config.name || config.where) throw new Error("index de statut_periodes : nom obligatoire, pas de condition prévue");
  return {
    name: config.name,
    create: `create ${config.unique ? "unique " : ""}index if not exists "${config.name}" on statut_periodes using ${config.method ?? "btree"} (${colonnes.join(", ")})`,
  };
});

/**
 * Recomputes statut_periodes and every aggregate from the effectifs table: streamed by chunks of ids (never more
 * than one chunk in memory), periods loaded with COPY (secondary indexes dropped during the load and recreated),
 * then the month ends and today materialised one day at a time. Meant for bulk loads (after the demo seed), with
 * no concurrent writer: it is not one transaction.
 */
export async function rebuildStatutStorage(database: Database, options: RebuildOptions = {}): Promise<RebuildResult> {
  const started = Date.now();
  const today = options.today ?? todayIso();
  const chunk = options.chunkSize ?? 50_000;
  const progress = options.onProgress ?? (() => {});
  const result: RebuildResult = { effectifs: 0, periodes: 0, parcoursModifies: 0, jours: 0, ms: 0 };

  // Secondary indexes off during the load (from the schema: a rebuild killed before it recreated them is repaired).
  // Dropped before anything is emptied: a process killed from here on leaves an index missing, which is how the next
  // start knows the rebuild must be redone (rebuildInterrompu); emptied first, a kill between the two left empty
  // periods with every index in place, and dashboards at 0 for good.
  const indexes = INDEX_PERIODES;
  for (const index of indexes) await database.rows(sql.raw(`drop index if exists "${index.name}"`));
  await database.rows(sql`truncate statut_periodes, indicateurs_jours, indicateurs_agregats_departement,
    indicateurs_agregats_demographie, indicateurs_agregats_organisme, indicateurs_agregats_formation,
    indicateurs_agregats_formation_departement`);
  const [{ n: total }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from effectifs`);

  progress({ phase: "periodes", fait: 0, total });
  try {
    let last = 0;
    for (;;) {
      const rows = await database.rows<LigneRebuild>(sql`
      select ${SOURCE_COLONNES}, e.parcours
        ${
          options.recomputeParcours
            ? sql`, e.date_entree_formation::text as date_entree_formation,
          e.date_exclusion_formation::text as date_exclusion_formation, ${CONTRATS_JSON} as contrats`
            : sql``
        }
      from effectifs e
      left join formations f on f.id = e.formation_id
      left join organismes o on o.id = e.organisme_formateur_id
      where e.id > ${last}
      order by e.id
      limit ${chunk}`);
      if (rows.length === 0) break;
      last = rows[rows.length - 1].id;
      const csv: string[] = [];
      const updates: { id: number; parcours: ParcoursStep[] }[] = [];
      for (const r of rows) {
        const stored = parseJson<ParcoursStep[] | null>(r.parcours) ?? [];
        let parcours = stored;
        if (options.recomputeParcours) {
          parcours = computeParcours({
            date_entree_formation: r.date_entree_formation!,
            date_fin_formation: r.date_fin_formation,
            date_exclusion_formation: r.date_exclusion_formation,
            contrats: parseJson<ContratDates[]>(r.contrats),
          });
          if (!memeParcours(stored, parcours)) updates.push({ id: r.id, parcours });
        }
        for (const l of lignes(etatsPeriodes(parcours, r.date_fin_formation, r.annee_scolaire), dimensions(r))) {
          csv.push(`${r.id},${l.map(csvValue).join(",")}\n`);
        }
      }
      if (csv.length > 0) await database.copyCsv("statut_periodes", COLONNES, csv.join(""));
      if (updates.length > 0) {
        await database.rows(sql`
        update effectifs e set parcours = x.parcours
        from json_to_recordset(${JSON.stringify(updates)}::json) as x(id int, parcours jsonb)
        where e.id = x.id`);
      }
      result.effectifs += rows.length;
      result.periodes += csv.length;
      result.parcoursModifies += updates.length;
      progress({ phase: "periodes", fait: result.effectifs, total });
    }
  } finally {
    progress({ phase: "index", fait: 0, total: indexes.length });
    for (const index of indexes) await database.rows(sql.raw(index.create));
  }
  await database.rows(sql`analyze statut_periodes`);

  // Month ends from the first period to today, then today, tomorrow and the same days one year before.
  const [{ premier }] = await database.rows<{ premier: string | null }>(
    sql`select min(debut)::text as premier from statut_periodes`,
  );
  const jours: string[] = [];
  if (premier) {
    for (let mois = premier.slice(0, 7); ; ) {
      const jour = finDeMois(`${mois}-01`);
      if (jour >= today) break;
      jours.push(jour);
      const y = Number(mois.slice(0, 4));
      const m = Number(mois.slice(5, 7));
      mois = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
    }
  }
  for (const jour of joursDuJour(today)) if (!jours.includes(jour)) jours.push(jour);
  progress({ phase: "agregats", fait: 0, total: jours.length });
  for (const jour of jours) {
    await database.db.transaction(async (tx) => {
      if (database.kind === "postgres") await tx.execute(sql`set local work_mem = '256MB'`);
      await construireJour(tx, jour);
    });
    result.jours++;
    progress({ phase: "agregats", fait: result.jours, total: jours.length });
  }
  await database.rows(sql`analyze indicateurs_jours`);
  await database.rows(sql`analyze indicateurs_agregats_departement`);
  await database.rows(sql`analyze indicateurs_agregats_demographie`);
  await database.rows(sql`analyze indicateurs_agregats_organisme`);
  await database.rows(sql`analyze indicateurs_agregats_formation`);
  await database.rows(sql`analyze indicateurs_agregats_formation_departement`);
  await signalerModification(database.db);
  result.ms = Date.now() - started;
  progress({ phase: "termine", fait: result.jours, total: jours.length });
  return result;
}
