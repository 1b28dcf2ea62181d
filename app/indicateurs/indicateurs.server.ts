/**
 * The indicator module: counters of domain.md at a date, filtered, broken down, as a monthly series, with the
 * dropout counters; coverage and freshness are in couverture.server.ts. Storage and its reasons:
 * docs/decisions/003-stockage-des-statuts.md.
 *
 * Where the figures come from, for each date asked:
 * - a materialised day (a month end up to today, today, tomorrow; built on first use, then maintained on every
 *   write): the smallest aggregate table that has every dimension the filters and the breakdown need
 *   (`indicateurs_agregats_departement`, `_formation`, `_organisme`, `_formation_departement`, `_demographie`);
 * - any other date, or a need no aggregate covers (formation with organisme or learner filters, organisme with
 *   learner filters): the exact count of `statut_periodes` covering the date.
 * Both give the same numbers (tests/db/indicateurs*.test.ts check it).
 *
 * Every function takes the viewer's `scope` (app/auth/policy.server.ts): the part of France the viewer may see,
 * applied as one more filter. It is required, so that no caller gets national figures by forgetting it; the
 * national team and the CLI pass `NATIONAL`.
 */
import { NIVEAU_LABELS } from "../referentiel/labels";
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import type { Scope } from "../auth/policy.server";
import { anneesScolairesComptees, todayIso } from "../statut/annee-scolaire";
import { joursMaterialises, materialiserJours, estJourMaterialisable } from "../statut/storage.server";
import {
  ajouterComptes,
  compteurs,
  comptesVides,
  fusionnerComptes,
  seuilsAge,
  TRANCHES_AGE,
  type Compteurs,
  type ComptesEtats,
} from "./etats";
import { datesDeComparaison, datesSerie, type IndicateursFilters, type Repartition } from "./filters";
import { aRisqueSql } from "./etats-sql.server";
import { SIRET_PATTERN } from "../referentiel/codes";

export type { Compteurs } from "./etats";

// ---------------------------------------------------------------------------------------------- public types

export interface IndicateursOptions {
  /** "YYYY-MM-DD" */
  date: string;
  filters?: IndicateursFilters;
  /** Breakdown of the counters. */
  by?: Repartition;
  /** What the viewer may see (its `scope`, app/auth/policy.server.ts); `NATIONAL` for the national team and the CLI. */
  scope: Scope;
  /** Default: today (UTC). Decides which days are materialised (month ends up to today, and today). */
  today?: string;
  /** Build the aggregates of a materialisable day on first use (default true); false: exact count instead. */
  materialiser?: boolean;
  /** Count from statut_periodes even where aggregates exist (checks, debugging). */
  exact?: boolean;
}

/** Where the figures came from. */
export type Source =
  | "agregats_departement"
  | "agregats_formation"
  | "agregats_formation_departement"
  | "agregats_organisme"
  | "agregats_demographie"
  | "periodes"
  | "vide";

export interface LigneRepartition {
  /** Territory / niveau code, organisme or formation id; null: not known (e.g. organisme without commune). */
  code: string | null;
  libelle: string;
  siret?: string;
  uai?: string | null;
  cfd?: string | null;
  rncp?: string | null;
  compteurs: Compteurs;
}

/**
 * The public, stable code of a breakdown's line, the one the exports and the CLI give (docs/decisions/020): a
 * territory's or niveau's code, an organisme's SIRET, a formation's CFD (its RNCP code when it has none) — never a
 * database id.
 */
export function codePublic(by: Repartition | "total", l: Partial<LigneRepartition>): string | null {
  if (by === "organisme") return l.siret ?? null;
  if (by === "formation") return l.cfd ?? l.rncp ?? null;
  return l.code ?? null;
}

export interface IndicateursResult {
  date: string;
  /** The années scolaires counted at the date. */
  anneesScolaires: string[];
  filters: IndicateursFilters;
  source: Source;
  compteurs: Compteurs;
  /** With `by`: one line per value that has effectifs; the lines sum to `compteurs`. */
  repartition?: { by: Repartition; lignes: LigneRepartition[] };
}

export interface PointSerie {
  /** "YYYY-MM" */
  mois: string;
  /** The day counted: the month's last day, or the date asked for its own month. */
  date: string;
  compteurs: Compteurs;
}

export interface SerieResult {
  date: string;
  filters: IndicateursFilters;
  points: PointSerie[];
}

export interface EvolutionResult {
  date: string;
  compteurs: Compteurs;
  /** Last day of the previous month. */
  moisPrecedent: { date: string; compteurs: Compteurs };
  /** The same day one year before (29 February: 28 February). */
  anneePrecedente: { date: string; compteurs: Compteurs };
}

// ---------------------------------------------------------------------------------------------- territories

export interface Territoires {
  regions: Map<string, string>;
  academies: Map<string, string>;
  departements: Map<string, { nom: string; region: string; academie: string }>;
}

const territoiresCache = new WeakMap<Database, Territoires>();

/** The database holds no effectif at all (its counters are zeros that say nothing). */
export async function aucunEffectif(database: Database): Promise<boolean> {
  const [{ vide }] = await database.rows<{ vide: boolean }>(sql`select not exists (select 1 from effectifs) as vide`);
  return vide;
}

export async function territoires(database: Database): Promise<Territoires> {
  const cached = territoiresCache.get(database);
  if (cached) return cached;
  const [regions, academies, departements] = await Promise.all([
    database.rows<{ code: string; nom: string }>(sql`select code, nom from regions order by code`),
    database.rows<{ code: string; nom: string }>(sql`select code, nom from academies order by code`),
    database.rows<{ code: string; nom: string; region_code: string; academie_code: string }>(
      sql`select code, nom, region_code, academie_code from departements order by code`,
    ),
  ]);
  const t: Territoires = {
    regions: new Map(regions.map((r) => [r.code, r.nom])),
    academies: new Map(academies.map((r) => [r.code, r.nom])),
    departements: new Map(
      departements.map((d) => [d.code, { nom: d.nom, region: d.region_code, academie: d.academie_code }]),
    ),
  };
  if (departements.length > 0) territoiresCache.set(database, t);
  return t;
}

// ---------------------------------------------------------------------------------------------- resolution

/** (formateur ∈ formateurs) or (responsable ∈ responsables) */
interface ConditionOrganisme {
  formateurs: number[];
  responsables: number[];
  /**
   * Every formateur of a matching effectif: `formateurs` and the formateurs of the effectifs whose responsable is
   * in `responsables` (lets statut_periodes be searched by its formateur index only).
   */
  tousFormateurs: number[];
}

/** Filters and scope turned into id / code lists (what the SQL needs). */
export interface FiltreResolu {
  /** Nothing can match (an empty intersection). */
  vide: boolean;
  departements?: string[];
  organismes: ConditionOrganisme[];
  /** Organismes formateurs with the réseau / nature / bassin asked for. */
  formateurs?: number[];
  formations?: number[];
  niveau?: number[];
  anneeFormation?: number[];
  sexe?: string[];
  rqth?: boolean;
  trancheAge?: number[];
}

function intersect<T>(a: T[] | undefined, b: T[]): T[] {
  if (a === undefined) return [...new Set(b)];
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

async function ids(database: Database, query: SQL): Promise<number[]> {
  const rows = await database.rows<{ id: number }>(query);
  return rows.map((r) => Number(r.id));
}

/**
 * The effectifs of organismes. Named organismes (a filter, an organisme's dashboard: `responsables` absent) include
 * their formateurs: the effectifs trained by them or by the formateurs related to them, or whose responsable is one
 * of them. A viewer's scope (`responsables` given, app/auth/policy.server.ts) is complete, already with its
 * formateurs: it is not widened (its formateurs' own formateurs, the effectifs a formateur is responsable of, are
 * outside it): the effectifs trained by `organismeIds`, or whose responsable is one of `responsables`.
 */
async function conditionOrganisme(database: Database, organismeIds: number[], responsables?: number[]): Promise<ConditionOrganisme> {
  const resp = [...new Set(responsables ?? organismeIds)];
  if (organismeIds.length === 0 && resp.length === 0) return { formateurs: [], responsables: [], tousFormateurs: [] };
  const relies =
    responsables === undefined
      ? await ids(database, sql`select formateur_id as id from organisme_relations where responsable_id = any(${arrayParam(organismeIds)}::int[])`)
      : [];
  const viaEffectifs = resp.length
    ? await ids(
        database,
        sql`select distinct organisme_formateur_id as id from effectifs where organisme_responsable_id = any(${arrayParam(resp)}::int[])`,
      )
    : [];
  const direct = [...new Set([...organismeIds, ...relies])];
  return { formateurs: direct, responsables: resp, tousFormateurs: [...new Set([...direct, ...viaEffectifs])] };
}

/**
 * The départements a réseau's or a CFA's figures can be in: those of the organismes formateurs of its effectifs (the
 * territory of an effectif is its formateur's, domain.md). `null` for a territorial or national scope (every
 * territory of the scope). The territory filter of a CFA's dashboards offers these, not all of France.
 */
export async function departementsDuPerimetre(database: Database, scope: Scope): Promise<Set<string> | null> {
  let organismes: SQL;
  if (scope.kind === "organisme") {
    const { tousFormateurs } = await conditionOrganisme(database, scope.organismeIds, scope.responsables);
    organismes = sql`id = any(${arrayParam(tousFormateurs)}::int[])`;
  } else if (scope.kind === "reseau") organismes = sql`${scope.nom} = any(reseaux)`;
  else return null;
  return new Set(await departementsDesOrganismes(database, organismes));
}

/** The départements of the organismes `where` selects (their own: an effectif is counted in its formateur's). */
async function departementsDesOrganismes(database: Database, where: SQL): Promise<string[]> {
  const rows = await database.rows<{ code: string }>(sql`select distinct departement_code as code from organismes where ${where} and departement_code is not null`);
  return rows.map((r) => r.code);
}

export async function resoudreFiltres(
  database: Database,
  filters: IndicateursFilters,
  scope: Scope,
): Promise<FiltreResolu> {
  const r: FiltreResolu = { vide: false, organismes: [] };
  const t = await territoires(database);
  const allDeps = [...t.departements.keys()];
  if (filters.region?.length)
    r.departements = intersect(
      r.departements,
      allDeps.filter((d) => filters.region!.includes(t.departements.get(d)!.region)),
    );
  if (filters.academie?.length)
    r.departements = intersect(
      r.departements,
      allDeps.filter((d) => filters.academie!.includes(t.departements.get(d)!.academie)),
    );
  if (filters.departement?.length) r.departements = intersect(r.departements, filters.departement);
  if (scope.kind === "region")
    r.departements = intersect(
      r.departements,
      allDeps.filter((d) => t.departements.get(d)!.region === scope.code),
    );
  if (scope.kind === "academie")
    r.departements = intersect(
      r.departements,
      allDeps.filter((d) => t.departements.get(d)!.academie === scope.code),
    );
  if (scope.kind === "departement") r.departements = intersect(r.departements, [scope.code]);

  if (filters.organisme?.length) {
    const sirets = filters.organisme.filter((o) => SIRET_PATTERN.test(o));
    const uais = filters.organisme.filter((o) => !SIRET_PATTERN.test(o));
    const found = await ids(
      database,
      sql`select id from organismes where siret = any(${arrayParam(sirets)}::text[]) or uai = any(${arrayParam(
        uais,
      )}::text[])`,
    );
    r.organismes.push(await conditionOrganisme(database, found));
  }
  if (scope.kind === "organisme") {
    r.organismes.push(await conditionOrganisme(database, scope.organismeIds, scope.responsables));
  }

  const attributs: SQL[] = [];
  if (filters.reseau?.length) attributs.push(sql`reseaux && ${arrayParam(filters.reseau)}::text[]`);
  if (scope.kind === "reseau") attributs.push(sql`${scope.nom} = any(reseaux)`);
  if (filters.nature?.length) attributs.push(sql`nature = any(${arrayParam(filters.nature)}::text[])`);
  if (filters.bassinEmploi?.length)
    attributs.push(sql`bassin_emploi_code = any(${arrayParam(filters.bassinEmploi)}::text[])`);
  if (attributs.length > 0)
    r.formateurs = await ids(database, sql`select id from organismes where ${sql.join(attributs, sql` and `)}`);

  const formations: SQL[] = [];
  if (filters.cfd?.length) formations.push(sql`cfd = any(${arrayParam(filters.cfd)}::text[])`);
  if (filters.rncp?.length) formations.push(sql`rncp = any(${arrayParam(filters.rncp)}::text[])`);
  if (formations.length > 0)
    r.formations = await ids(database, sql`select id from formations where ${sql.join(formations, sql` and `)}`);

  if (filters.niveau?.length) r.niveau = filters.niveau;
  if (filters.anneeFormation?.length) r.anneeFormation = filters.anneeFormation;
  if (filters.sexe?.length) r.sexe = filters.sexe;
  if (filters.rqth !== undefined) r.rqth = filters.rqth;
  if (filters.trancheAge?.length) r.trancheAge = filters.trancheAge.map((a) => TRANCHES_AGE.indexOf(a));

  r.vide =
    r.departements?.length === 0 ||
    r.organismes.some((o) => o.formateurs.length === 0 && o.responsables.length === 0) ||
    r.formateurs?.length === 0 ||
    r.formations?.length === 0;
  return r;
}

/** At most `max` items named, then « et N autres ». */
function enumerer(items: string[], max = 5): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} et ${items.length - max} autres`;
}

/**
 * Why filters that hold together (`incoherencesTerritoriales` has left out the territories that do not) still match
 * no effectif: an organisme, a bassin d'emploi or a formation code the référentiel does not know; an organisme that has
 * no organisme formateur in the territory asked (an effectif is counted in its formateur's département, domain.md),
 * or none in the organisme of the page; a bassin d'emploi outside the territory asked. The dashboards' empty state
 * says it rather than showing zeros without a word. French, one sentence per filter value, naming its parameter, for
 * a filter all of whose values are excluded (they are alternatives); [] when none of these applies (nobody at the date).
 */
export async function raisonsSansEffectif(database: Database, filters: IndicateursFilters, scope: Scope): Promise<string[]> {
  const out: string[] = [];
  const t = await territoires(database);
  const { departements } = await resoudreFiltres(database, { region: filters.region, academie: filters.academie, departement: filters.departement }, scope);
  const nomsDepartements = (codes: string[]) => enumerer([...codes].sort().map((c) => `${t.departements.get(c)?.nom ?? c} (${c})`));
  const dansLeTerritoire = (codes: string[]) => departements === undefined || codes.some((c) => departements.includes(c));

  // a filter's values are alternatives: one outside the territory empties the page only when all of them are
  const seulementSiToutes = (valeurs: string[] | undefined, exclues: string[]): boolean => {
    const toutes = exclues.length > 0 && exclues.length === valeurs?.length;
    if (toutes) out.push(...exclues);
    return toutes;
  };

  const duPerimetre = scope.kind === "organisme" ? (await conditionOrganisme(database, scope.organismeIds, scope.responsables)).tousFormateurs : null;
  const organismesExclus: string[] = [];
  for (const code of filters.organisme ?? []) {
    const nature = SIRET_PATTERN.test(code) ? "SIRET" : "UAI";
    const trouves = await database.rows<{ id: number; nom: string }>(
      sql`select id, coalesce(enseigne, raison_sociale) as nom from organismes where ${nature === "SIRET" ? sql`siret` : sql`uai`} = ${code} order by id`,
    );
    if (trouves.length === 0) {
      organismesExclus.push(`organisme : aucun organisme du référentiel n'a le ${nature} « ${code} » ; vérifiez le code, ou cherchez l'organisme par son nom.`);
      continue;
    }
    const designation = `${trouves[0].nom} (${nature} ${code})`;
    const { tousFormateurs } = await conditionOrganisme(database, trouves.map((o) => Number(o.id)));
    if (duPerimetre && !tousFormateurs.some((id) => duPerimetre.includes(id))) {
      organismesExclus.push(`organisme : ${designation} n'est ni l'organisme de cette page ni l'un de ses organismes formateurs ; retirez ce filtre.`);
      continue;
    }
    const deps = await departementsDesOrganismes(database, sql`id = any(${arrayParam(tousFormateurs)}::int[])`);
    if (!dansLeTerritoire(deps)) {
      organismesExclus.push(
        `organisme : ${designation} n'a aucun organisme formateur dans le territoire choisi ; ses apprenants sont comptés dans le département de leur organisme formateur` +
          `${deps.length ? ` : ${nomsDepartements(deps)}` : ", qui n'est pas renseigné"}. Retirez le filtre de territoire ou celui de l'organisme.`,
      );
    }
  }

  seulementSiToutes(filters.organisme, organismesExclus);

  const bassinsExclus: string[] = [];
  for (const code of filters.bassinEmploi ?? []) {
    const [bassin] = await database.rows<{ libelle: string }>(sql`select libelle from bassins_emploi where code = ${code}`);
    if (!bassin) {
      bassinsExclus.push(`bassin : aucun bassin d'emploi n'a le code « ${code} » ; vérifiez le code (zone d'emploi de l'Insee, 4 caractères).`);
      continue;
    }
    const communes = await database.rows<{ code: string }>(
      sql`select distinct departement_code as code from communes where bassin_emploi_code = ${code} and departement_code is not null`,
    );
    const deps = communes.map((r) => r.code);
    if (deps.length > 0 && !dansLeTerritoire(deps)) {
      bassinsExclus.push(`bassin : le bassin d'emploi ${bassin.libelle} (${code}) n'est pas dans le territoire choisi ; il s'étend sur ${nomsDepartements(deps)}.`);
    } else if ((await departementsDesOrganismes(database, sql`bassin_emploi_code = ${code}`)).length === 0) {
      bassinsExclus.push(`bassin : aucun organisme formateur du référentiel n'est situé dans le bassin d'emploi ${bassin.libelle} (${code}).`);
    }
  }
  seulementSiToutes(filters.bassinEmploi, bassinsExclus);

  const codesFormation: ["cfd" | "rncp", string[]][] = [
    ["cfd", filters.cfd ?? []],
    ["rncp", filters.rncp ?? []],
  ];
  let codeFormationInconnu = false;
  for (const [colonne, codes] of codesFormation) {
    if (codes.length === 0) continue;
    const connus = new Set(
      (await database.rows<{ code: string }>(sql`select distinct ${sql.raw(colonne)} as code from formations where ${sql.raw(colonne)} = any(${arrayParam(codes)}::text[])`)).map(
        (r) => r.code,
      ),
    );
    codeFormationInconnu ||= seulementSiToutes(
      codes,
      codes
        .filter((c) => !connus.has(c))
        .map((code) => `${colonne} : aucune formation du catalogue n'a le code ${colonne === "cfd" ? "formation diplôme" : "RNCP"} « ${code} » ; vérifiez le code, ou cherchez la formation par son intitulé.`),
    );
  }
  if (filters.cfd?.length && filters.rncp?.length && !codeFormationInconnu) {
    const [ensemble] = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from formations where cfd = any(${arrayParam(filters.cfd)}::text[]) and rncp = any(${arrayParam(filters.rncp)}::text[])`,
    );
    if (ensemble.n === 0) out.push(`rncp : aucune formation du catalogue n'a à la fois le code formation diplôme (cfd) et le code RNCP demandés ; retirez l'un des deux filtres.`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- sources

type Besoin = "territoire" | "organisme" | "demographie" | "niveau" | "formation";

function besoins(f: FiltreResolu, by: Repartition | undefined): Set<Besoin> {
  const b = new Set<Besoin>();
  if (f.departements !== undefined || by === "region" || by === "departement" || by === "academie") b.add("territoire");
  if (f.organismes.length > 0 || f.formateurs !== undefined || by === "organisme") b.add("organisme");
  if (f.anneeFormation !== undefined || f.sexe !== undefined || f.rqth !== undefined || f.trancheAge !== undefined) {
    b.add("demographie");
  }
  if (f.niveau !== undefined || by === "niveau") b.add("niveau");
  if (f.formations !== undefined || by === "formation") b.add("formation");
  return b;
}

/** Aggregate tables, smallest first, with the needs each can answer. */
const CAPACITES: [Source, Besoin[]][] = [
  ["agregats_departement", ["territoire"]],
  ["agregats_formation", ["formation", "niveau"]],
  ["agregats_organisme", ["territoire", "organisme"]],
  ["agregats_formation_departement", ["territoire", "formation", "niveau"]],
  ["agregats_demographie", ["territoire", "demographie", "niveau"]],
];

/** The smallest aggregate table able to answer, or "periodes". */
function sourceAgregee(b: Set<Besoin>): Source {
  for (const [source, capacites] of CAPACITES) if ([...b].every((x) => capacites.includes(x))) return source;
  return "periodes";
}

const TABLES: Record<Exclude<Source, "vide">, string> = {
  agregats_departement: "indicateurs_agregats_departement",
  agregats_formation: "indicateurs_agregats_formation",
  agregats_formation_departement: "indicateurs_agregats_formation_departement",
  agregats_demographie: "indicateurs_agregats_demographie",
  agregats_organisme: "indicateurs_agregats_organisme",
  periodes: "statut_periodes",
};

/** Age band of the row at `date` (statut_periodes only; the aggregates store it). */
function trancheSql(date: string): SQL {
  const s = seuilsAge(date);
  return sql`(case when x.date_de_naissance > ${s.ans18}::date then 0
    when x.date_de_naissance > ${s.ans21}::date then 1
    when x.date_de_naissance > ${s.ans26}::date then 2 else 3 end)`;
}

function risqueSql(source: Source, date: string | null): SQL {
  if (
    source === "agregats_departement" ||
    source === "agregats_organisme" ||
    source === "agregats_formation" ||
    source === "agregats_formation_departement"
  ) {
    return sql`x.risque`;
  }
  if (source === "agregats_demographie") return aRisqueSql(sql`x.etat`, sql`x.tranche_age = 0`, sql`x.rqth`);
  return aRisqueSql(sql`x.etat`, sql`x.date_de_naissance > ${seuilsAge(date!).ans18}::date`, sql`x.rqth`);
}

function cleSql(by: Repartition | undefined): SQL {
  switch (by) {
    case undefined:
      return sql`null::text`;
    case "region":
      return sql`d.region_code::text`;
    case "academie":
      return sql`d.academie_code::text`;
    case "departement":
      return sql`nullif(x.departement_code, '')::text`;
    case "organisme":
      return sql`x.organisme_formateur_id::text`;
    case "formation":
      return sql`nullif(x.formation_id, 0)::text`;
    case "niveau":
      return sql`nullif(x.niveau, 0)::text`;
  }
}

function conditions(f: FiltreResolu, source: Source, date: string | null): SQL[] {
  const c: SQL[] = [];
  if (f.departements) c.push(sql`x.departement_code = any(${arrayParam(f.departements)}::text[])`);
  for (const o of f.organismes) {
    if (source === "periodes") c.push(sql`x.organisme_formateur_id = any(${arrayParam(o.tousFormateurs)}::int[])`);
    c.push(sql`(x.organisme_formateur_id = any(${arrayParam(o.formateurs)}::int[])
      or x.organisme_responsable_id = any(${arrayParam(o.responsables)}::int[]))`);
  }
  if (f.formateurs) c.push(sql`x.organisme_formateur_id = any(${arrayParam(f.formateurs)}::int[])`);
  if (f.formations) c.push(sql`x.formation_id = any(${arrayParam(f.formations)}::int[])`);
  if (f.niveau) c.push(sql`x.niveau = any(${arrayParam(f.niveau)}::int[])`);
  if (f.anneeFormation) c.push(sql`x.annee_formation = any(${arrayParam(f.anneeFormation)}::int[])`);
  if (f.sexe) c.push(sql`x.sexe = any(${arrayParam(f.sexe)}::text[])`);
  if (f.rqth !== undefined) c.push(f.rqth ? sql`x.rqth` : sql`not x.rqth`);
  if (f.trancheAge) {
    c.push(
      source === "periodes"
        ? sql`${trancheSql(date!)} = any(${arrayParam(f.trancheAge)}::int[])`
        : sql`x.tranche_age = any(${arrayParam(f.trancheAge)}::int[])`,
    );
  }
  return c;
}

interface LigneComptage {
  jour: string;
  k: string | null;
  etat: number;
  risque: boolean;
  n: number;
}

/** Counts by date, then by breakdown key (null without breakdown). */
export type Comptages = Map<string, { source: Source; groupes: Map<string | null, ComptesEtats> }>;

function where(parts: SQL[]): SQL {
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `);
}

async function compterAgregats(
  database: Database,
  source: Source,
  jours: string[],
  f: FiltreResolu,
  by: Repartition | undefined,
) {
  const joinDep =
    by === "region" || by === "academie" ? sql`left join departements d on d.code = x.departement_code` : sql``;
  return database.rows<LigneComptage>(sql`
    select x.jour::text as jour, ${cleSql(by)} as k, x.etat, ${risqueSql(source, null)} as risque, sum(x.n)::int as n
    from ${sql.raw(TABLES[source as Exclude<Source, "vide">])} x ${joinDep}
    where ${where([sql`x.jour = any(${arrayParam(jours)}::date[])`, ...conditions(f, source, null)])}
    group by 1, 2, 3, 4`);
}

async function compterPeriodes(database: Database, date: string, f: FiltreResolu, by: Repartition | undefined) {
  const joinDep =
    by === "region" || by === "academie" ? sql`left join departements d on d.code = x.departement_code` : sql``;
  return database.rows<LigneComptage>(sql`
    select ${date}::text as jour, ${cleSql(by)} as k, x.etat, ${risqueSql(
    "periodes",
    date,
  )} as risque, count(*)::int as n
    from statut_periodes x ${joinDep}
    where ${where([
      // a period lies in one counting window (≤ 366 days): the bound on fin makes the (…, fin) indexes selective
      sql`x.debut <= ${date}::date and x.fin >= ${date}::date and x.fin <= ${date}::date + 365`,
      ...conditions(f, "periodes", date),
    ])}
    group by 1, 2, 3, 4`);
}

/**
 * Counts at several dates: the materialised ones (built first when materialisable) from one aggregate query, the
 * others from statut_periodes one date at a time.
 */
export async function compter(
  database: Database,
  dates: string[],
  f: FiltreResolu,
  by: Repartition | undefined,
  options: { today?: string; materialiser?: boolean; exact?: boolean } = {},
): Promise<Comptages> {
  const result: Comptages = new Map();
  const uniques = [...new Set(dates)].sort();
  for (const d of uniques) result.set(d, { source: "vide", groupes: new Map() });
  if (f.vide || uniques.length === 0) return result;

  const today = options.today ?? todayIso();
  const cible = options.exact ? "periodes" : sourceAgregee(besoins(f, by));
  let agregees: string[] = [];
  if (cible !== "periodes") {
    if (options.materialiser !== false) {
      const materialisables = uniques.filter((d) => estJourMaterialisable(d, today));
      if (materialisables.length > 0) await materialiserJours(database, materialisables, { today });
    }
    const presents = await joursMaterialises(database.db, uniques);
    agregees = uniques.filter((d) => presents.has(d));
  }
  const add = (lignes: LigneComptage[], source: Source) => {
    for (const l of lignes) {
      const entry = result.get(l.jour)!;
      entry.source = source;
      let comptes = entry.groupes.get(l.k);
      if (!comptes) entry.groupes.set(l.k, (comptes = comptesVides()));
      ajouterComptes(comptes, Number(l.etat), l.risque === true, Number(l.n));
    }
  };
  if (agregees.length > 0) {
    add(await compterAgregats(database, cible, agregees, f, by), cible);
    for (const d of agregees) result.get(d)!.source = cible;
  }
  for (const d of uniques) {
    if (agregees.includes(d)) continue;
    add(await compterPeriodes(database, d, f, by), "periodes");
    result.get(d)!.source = "periodes";
  }
  return result;
}

function total(groupes: Map<string | null, ComptesEtats>): ComptesEtats {
  const sum = comptesVides();
  for (const c of groupes.values()) fusionnerComptes(sum, c);
  return sum;
}

// ---------------------------------------------------------------------------------------------- labels

const NON_RENSEIGNE = "Non renseigné";

async function lignesRepartition(
  database: Database,
  by: Repartition,
  groupes: Map<string | null, ComptesEtats>,
): Promise<LigneRepartition[]> {
  const codes = [...groupes.keys()];
  const known = codes.filter((c): c is string => c !== null);
  const lignes: LigneRepartition[] = [];
  if (by === "region" || by === "departement" || by === "academie") {
    const t = await territoires(database);
    for (const code of codes) {
      const nom =
        code === null
          ? NON_RENSEIGNE
          : by === "region"
          ? t.regions.get(code)
          : by === "academie"
          ? t.academies.get(code)
          : t.departements.get(code)?.nom;
      lignes.push({ code, libelle: nom ?? code ?? NON_RENSEIGNE, compteurs: compteurs(groupes.get(code)!) });
    }
  } else if (by === "niveau") {
    for (const code of codes) {
      lignes.push({
        code,
        libelle: code === null ? NON_RENSEIGNE : NIVEAU_LABELS[Number(code)] ?? `Niveau ${code}`,
        compteurs: compteurs(groupes.get(code)!),
      });
    }
  } else if (by === "organisme") {
    const rows = known.length
      ? await database.rows<{ id: number; siret: string; uai: string | null; libelle: string }>(sql`
          select id, siret, uai, coalesce(enseigne, raison_sociale) as libelle from organismes
          where id = any(${arrayParam(known.map(Number))}::int[])`)
      : [];
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    for (const code of codes) {
      const o = code === null ? undefined : byId.get(code);
      lignes.push({
        code,
        libelle: o?.libelle ?? NON_RENSEIGNE,
        siret: o?.siret,
        uai: o?.uai ?? null,
        compteurs: compteurs(groupes.get(code)!),
      });
    }
  } else {
    const rows = known.length
      ? await database.rows<{ id: number; cfd: string | null; rncp: string | null; libelle: string }>(sql`
          select id, cfd, rncp, coalesce(intitule_long, intitule_court) as libelle from formations
          where id = any(${arrayParam(known.map(Number))}::int[])`)
      : [];
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    for (const code of codes) {
      const f = code === null ? undefined : byId.get(code);
      lignes.push({
        code,
        libelle: f?.libelle ?? NON_RENSEIGNE,
        cfd: f?.cfd ?? null,
        rncp: f?.rncp ?? null,
        compteurs: compteurs(groupes.get(code)!),
      });
    }
  }
  if (by === "organisme" || by === "formation") {
    lignes.sort((a, b) => b.compteurs.total - a.compteurs.total || (a.code ?? "").localeCompare(b.code ?? ""));
  } else {
    lignes.sort((a, b) => (a.code === null ? 1 : b.code === null ? -1 : a.code.localeCompare(b.code)));
  }
  return lignes;
}

// ---------------------------------------------------------------------------------------------- API

/** Counters at a date, optionally broken down. */
export async function indicateurs(database: Database, options: IndicateursOptions): Promise<IndicateursResult> {
  const filters = options.filters ?? {};
  const resolu = await resoudreFiltres(database, filters, options.scope);
  const comptages = await compter(database, [options.date], resolu, options.by, options);
  const { source, groupes } = comptages.get(options.date)!;
  const result: IndicateursResult = {
    date: options.date,
    anneesScolaires: anneesScolairesComptees(options.date),
    filters,
    source,
    compteurs: compteurs(total(groupes)),
  };
  if (options.by)
    result.repartition = { by: options.by, lignes: await lignesRepartition(database, options.by, groupes) };
  return result;
}

/**
 * Counts at the dates of a monthly series ending at `options.date` and at `autres` dates, in one `compter` call:
 * the series' points and the counters at any of these dates.
 */
async function compterSerie(
  database: Database,
  options: Omit<IndicateursOptions, "by"> & { mois?: number },
  autres: string[],
): Promise<{ filters: IndicateursFilters; points: PointSerie[]; at: (date: string) => Compteurs }> {
  const filters = options.filters ?? {};
  const resolu = await resoudreFiltres(database, filters, options.scope);
  const dates = datesSerie(options.date, options.mois ?? 24);
  const comptages = await compter(database, [...dates.map((p) => p.date), ...autres], resolu, undefined, options);
  const at = (d: string) => compteurs(total(comptages.get(d)!.groupes));
  return { filters, points: dates.map((p) => ({ ...p, compteurs: at(p.date) })), at };
}

/** Monthly series of the counters over the `mois` (default 24) months ending at `date`. */
export async function serieMensuelle(
  database: Database,
  options: Omit<IndicateursOptions, "by"> & { mois?: number },
): Promise<SerieResult> {
  const { filters, points } = await compterSerie(database, options, []);
  return { date: options.date, filters, points };
}

/**
 * Counters at a date, at the end of the previous month and on the same day one year before (29 February: 28
 * February; docs/decisions/018).
 */
export async function evolution(database: Database, options: Omit<IndicateursOptions, "by">): Promise<EvolutionResult> {
  const resolu = await resoudreFiltres(database, options.filters ?? {}, options.scope);
  const { moisPrecedent, anneePrecedente } = datesDeComparaison(options.date);
  const comptages = await compter(database, [options.date, moisPrecedent, anneePrecedente], resolu, undefined, options);
  const at = (d: string) => compteurs(total(comptages.get(d)!.groupes));
  return evolutionDe(options.date, at);
}

/**
 * `serieMensuelle` and `evolution` at its date from one count: the series already holds the date and the end of
 * the previous month, the same day a year before is one more date of the same `compter` call.
 */
export async function serieEtEvolution(
  database: Database,
  options: Omit<IndicateursOptions, "by"> & { mois?: number },
): Promise<{ serie: SerieResult; evolution: EvolutionResult }> {
  const { moisPrecedent, anneePrecedente } = datesDeComparaison(options.date);
  const { filters, points, at } = await compterSerie(database, options, [moisPrecedent, anneePrecedente]);
  return { serie: { date: options.date, filters, points }, evolution: evolutionDe(options.date, at) };
}

function evolutionDe(date: string, at: (date: string) => Compteurs): EvolutionResult {
  const { moisPrecedent, anneePrecedente } = datesDeComparaison(date);
  return {
    date,
    compteurs: at(date),
    moisPrecedent: { date: moisPrecedent, compteurs: at(moisPrecedent) },
    anneePrecedente: { date: anneePrecedente, compteurs: at(anneePrecedente) },
  };
}
