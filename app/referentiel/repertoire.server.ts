/**
 * The répertoire des organismes: search, filters, sort and pagination (always inside the viewer's scope), and the
 * detail of one organisme (territory names, responsables / formateurs, same SIRET / same UAI, data quality).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import type { Nature } from "../../db/schema";
import { offreLeDepartement, scopeSql, type Scope, type Viewer } from "../auth/policy.server";
import type { Fraicheur, OrganismesQuery } from "./filtres.server";
import { pageOf, type Page } from "../shared/pagination";
import { daysInMonth } from "../statut/days";

export interface OrganismeListItem {
  id: number;
  siret: string;
  uai: string | null;
  nature: Nature;
  raison_sociale: string;
  enseigne: string | null;
  code_postal: string | null;
  commune: string | null;
  departement_code: string | null;
  region_code: string | null;
  region: string | null;
  academie_code: string | null;
  bassin_emploi_code: string | null;
  reseaux: string[];
  qualiopi: boolean;
  etat_administratif: "actif" | "ferme";
  first_transmission_at: string | null;
  last_transmission_at: string | null;
  fraicheur: Fraicheur;
}

const WEEK_MS = 7 * 86_400_000;

/** Freshness of a CFA's data (domain.md): < 1 week fresh, 1 week–3 months ageing, > 3 months stale, never. */
export function fraicheurOf(lastTransmissionAt: string | Date | null, now: Date = new Date()): Fraicheur {
  if (!lastTransmissionAt) return "jamais";
  const t = new Date(lastTransmissionAt).getTime();
  if (now.getTime() - t < WEEK_MS) return "recente";
  return t >= threeMonthsBefore(now).getTime() ? "vieillissante" : "ancienne";
}

/**
 * The same instant three calendar months earlier, on the last day of that month when it is shorter (31 May →
 * 28 or 29 February, as PostgreSQL's `- interval '3 months'`): `setUTCMonth` alone would overflow into March, and
 * a transmission could turn "ancienne" one day and "vieillissante" the next.
 */
export function threeMonthsBefore(now: Date): Date {
  const d = new Date(now);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 3);
  d.setUTCDate(Math.min(day, daysInMonth(d.getUTCFullYear(), d.getUTCMonth() + 1)));
  return d;
}

/**
 * How searches and sorts read a text: case, accents and ligatures ignored (« Œ » and « œ » read « oe », « Æ » and
 * « æ » « ae »), a curly apostrophe (’ ‘ ʼ, from a phone or a word processor) read as a straight one. Only the
 * characters of this table are folded, by the same table in SQL (`foldSql`) and in JavaScript (`foldText`), so that
 * a folded search word and a folded column always agree, whatever the database's locale (PostgreSQL's lower()
 * follows LC_CTYPE, JavaScript's toLowerCase() all of Unicode). The text is first composed (NFC): an accent typed as
 * a combining mark is the accented letter of the table.
 */
const FOLD_TABLE: [from: string, to: string][] = [
  ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"],
  ["àâäáãåÀÂÄÁÃÅ", "aaaaaaaaaaaa"],
  ["éèêëÉÈÊË", "eeeeeeee"],
  ["íìîïÍÌÎÏ", "iiiiiiii"],
  ["óòôöõøÓÒÔÖÕØ", "oooooooooooo"],
  ["úùûüÚÙÛÜ", "uuuuuuuu"],
  ["çÇñÑÿŸ", "ccnnyy"],
  ["ŒÆ", "œæ"],
  ["’‘ʼ", "'''"],
];
const FOLD_FROM = FOLD_TABLE.map(([from]) => from).join("");
const FOLD_TO = FOLD_TABLE.map(([, to]) => to).join("");
/** Ligatures, after the table: one character becomes two, which translate() cannot do. */
const FOLD_LIGATURES: [string, string][] = [
  ["œ", "oe"],
  ["æ", "ae"],
];
const FOLD_MAP = new Map([...FOLD_FROM].map((c, i) => [c, [...FOLD_TO][i]]));
const sqlLiteral = (s: string) => sql.raw(`'${s.replace(/'/g, "''")}'`);

/**
 * `foldText` in SQL (no unaccent extension needed): the body of the database function `fold_fr(text)` (migration
 * 0014, immutable), which the sort indexes of the répertoire and the catalogue are built on. A change of the table
 * above needs a migration that replaces the function and rebuilds those indexes: the test comparing `foldSql` with
 * `foldText` on the database says so.
 */
export function foldSqlCorps(expr: SQL): SQL {
  let folded = sql`translate(normalize(${expr}, NFC), ${sqlLiteral(FOLD_FROM)}, ${sqlLiteral(FOLD_TO)})`;
  for (const [ligature, letters] of FOLD_LIGATURES) folded = sql`replace(${folded}, ${sqlLiteral(ligature)}, ${sqlLiteral(letters)})`;
  return folded;
}

/** `foldText` in SQL: the database function `fold_fr` (its body is `foldSqlCorps`). */
export function foldSql(expr: SQL): SQL {
  return sql`fold_fr(${expr})`;
}

/** A text as searches and sorts read it (see FOLD_TABLE): « Vandœuvre-lès-Nancy » → « vandoeuvre-les-nancy ». */
export function foldText(s: string): string {
  let folded = "";
  for (const c of s.normalize("NFC")) folded += FOLD_MAP.get(c) ?? c;
  for (const [ligature, letters] of FOLD_LIGATURES) folded = folded.replaceAll(ligature, letters);
  return folded;
}

/**
 * The sort keys of a text in French reading order, the same on PGlite and on any PostgreSQL server (no ICU
 * collation needed): the folded text (« École » among the E, « Maçon » before « Maintenance »), then the text itself
 * to order what only case or accents tell apart, both byte-wise (collation "C") so that no locale changes the order.
 * Follow them with a unique key for stable pages.
 */
export function frenchSortKeys(expr: SQL): SQL[] {
  return [sql`${foldSql(expr)} collate "C"`, sql`${expr} collate "C"`];
}

/** An ORDER BY list: each key in `ordre` (nulls last), then the unique `tiebreakers` ascending (stable pages). */
export function orderBy(keys: SQL[], ordre: "asc" | "desc" | undefined, tiebreakers: SQL[] = []): SQL {
  const direction = sql.raw(ordre === "desc" ? "desc" : "asc");
  return sql.join([...keys.map((k) => sql`${k} ${direction} nulls last`), ...tiebreakers.map((k) => sql`${k} asc`)], sql`, `);
}

/**
 * One condition per word of a search (at most 8): the folded `expr` contains the folded word (case and accents
 * ignored), as the répertoire, the catalogue and the accounts page search.
 */
export function containsWords(expr: SQL, q: string): SQL[] {
  return foldedContainsWords(foldSql(expr), q);
}

/**
 * `containsWords` on a text already folded: a column `recherche` of the répertoire or the catalogue, which holds the
 * fold of their searched fields, computed when the row is written (decision 029), not on every row at every search.
 */
export function foldedContainsWords(folded: SQL, q: string): SQL[] {
  return motsDeLaRecherche(q).map((w) => sql`${folded} like ${"%" + escapeLike(w) + "%"}`);
}

/** The words of a search, folded (case, accents): at most 8. */
function motsDeLaRecherche(q: string): string[] {
  return foldText(q).split(/\s+/).filter(Boolean).slice(0, 8);
}

/** One folded word of the répertoire's search, on `organismes o`: its searched fields, its commune's name, its postal code. */
function motDansOrganisme(w: string): SQL {
  const like = "%" + escapeLike(w) + "%";
  return sql.join(
    [
      sql`o.recherche like ${like}`,
      sql`o.code_commune in (select c.code from communes c where c.recherche like ${like})`,
      ...(/^[0-9]{5}$/.test(w) ? [sql`o.code_postal = ${w}`] : []),
    ],
    sql` or `,
  );
}

/** A text for LIKE, its wildcards (% _) and backslashes escaped. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The WHERE conditions of the répertoire's filters on `organismes o`, inside the viewer's scope. */
export function organismeConditions(viewer: Viewer, f: Partial<OrganismesQuery>, now: Date = new Date()): SQL {
  const where: SQL[] = [scopeSql(viewer, "o")];
  if (f.q) {
    const compact = f.q.replace(/[\s.\-]/g, "");
    if (/^[0-9]{9,14}$/.test(compact)) where.push(sql`o.siret like ${escapeLike(compact) + "%"}`);
    else if (/^[0-9]{7}[a-zA-Z]$/.test(compact)) where.push(sql`o.uai = ${compact.toUpperCase()}`);
    // each word in o.recherche (the fold of raison_sociale || ' ' || coalesce(enseigne, '') || ' ' || siret || ' ' ||
    // coalesce(uai, '')), in the folded name of its commune, or its postal code (decision 038): « cfa btp bordeaux »
    else where.push(...motsDeLaRecherche(f.q).map((w) => sql`(${motDansOrganisme(w)})`));
  }
  if (f.region) where.push(sql`o.region_code = ${f.region}`);
  if (f.departement) where.push(sql`o.departement_code = ${f.departement}`);
  if (f.academie) where.push(sql`o.academie_code = ${f.academie}`);
  if (f.bassin_emploi) where.push(sql`o.bassin_emploi_code = ${f.bassin_emploi}`);
  if (f.nature) where.push(sql`o.nature = ${f.nature}`);
  if (f.reseau) where.push(sql`${f.reseau} = any(o.reseaux)`);
  if (f.qualiopi !== undefined) where.push(sql`o.qualiopi = ${f.qualiopi}`);
  if (f.etat) where.push(sql`o.etat_administratif = ${f.etat}`);
  if (f.transmet !== undefined) where.push(f.transmet ? sql`o.first_transmission_at is not null` : sql`o.first_transmission_at is null`);
  if (f.fraicheur) {
    const week = new Date(now.getTime() - WEEK_MS).toISOString();
    const months = threeMonthsBefore(now).toISOString();
    if (f.fraicheur === "jamais") where.push(sql`o.last_transmission_at is null`);
    else if (f.fraicheur === "recente") where.push(sql`o.last_transmission_at > ${week}::timestamptz`);
    else if (f.fraicheur === "vieillissante") where.push(sql`o.last_transmission_at <= ${week}::timestamptz and o.last_transmission_at >= ${months}::timestamptz`);
    else where.push(sql`o.last_transmission_at < ${months}::timestamptz`);
  }
  return sql.join(where, sql` and `);
}

/** The sort keys of each column of the répertoire (then o.id: stable pages). */
const ORGANISME_ORDER: Record<OrganismesQuery["tri"], SQL[]> = {
  raison_sociale: frenchSortKeys(sql`o.raison_sociale`),
  siret: [sql`o.siret`],
  uai: [sql`o.uai`],
  departement: [sql`o.departement_code`],
  derniere_transmission: [sql`o.last_transmission_at`],
};

/** One page of the répertoire. */
export async function listOrganismes(database: Database, viewer: Viewer, query: OrganismesQuery, now: Date = new Date()): Promise<Page<OrganismeListItem>> {
  const where = organismeConditions(viewer, query, now);
  const order = orderBy(ORGANISME_ORDER[query.tri], query.ordre, [sql`o.id`]);
  const offset = (query.page - 1) * query.limit;
  const rows = await database.rows<Omit<OrganismeListItem, "fraicheur">>(sql`
    select o.id, o.siret, o.uai, o.nature, o.raison_sociale, o.enseigne, o.code_postal, c.nom as commune,
           o.departement_code, o.region_code, r.nom as region, o.academie_code, o.bassin_emploi_code, o.reseaux, o.qualiopi,
           o.etat_administratif, o.first_transmission_at, o.last_transmission_at
    from organismes o
    left join communes c on c.code = o.code_commune
    left join regions r on r.code = o.region_code
    where ${where}
    order by ${order}
    limit ${query.limit} offset ${offset}`);
  // A page that is not full is the last one (or the first of an empty list): its rows give the count. Only a full page,
  // or one past the end, counts the rows in a second query, so that a search that finds a few organismes (a name, a
  // SIRET) reads the table once (decision 029).
  const last = rows.length < query.limit && (rows.length > 0 || offset === 0);
  const total = last
    ? offset + rows.length
    : (await database.rows<{ total: number }>(sql`select count(*)::int as total from organismes o where ${where}`))[0].total;
  return pageOf(
    rows.map((r) => ({ ...normalizeTimestamps(r), fraicheur: fraicheurOf(r.last_transmission_at, now) })),
    total,
    query.page,
    query.limit,
  );
}

/** Timestamps as ISO strings whatever the driver returns. */
export function normalizeTimestamps<T extends { first_transmission_at: unknown; last_transmission_at: unknown }>(r: T): T {
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return { ...r, first_transmission_at: iso(r.first_transmission_at), last_transmission_at: iso(r.last_transmission_at) };
}

/** The réseaux present in the viewer's scope (for the filter). */
export async function reseauxConnus(database: Database, viewer: Viewer): Promise<string[]> {
  const rows = await database.rows<{ reseau: string }>(
    sql`select distinct unnest(o.reseaux) as reseau from organismes o where ${scopeSql(viewer, "o")} order by 1`,
  );
  return rows.map((r) => r.reseau);
}

/**
 * The choices of the répertoire's filters for a viewer: the réseaux and the territories of its scope only (a DREETS is
 * offered its région and its départements, not others that would list nothing).
 */
export async function filtresDuRepertoire(
  database: Database,
  viewer: Viewer,
): Promise<{ reseaux: string[]; territoires: Awaited<ReturnType<typeof territoiresOptions>> }> {
  const [reseaux, territoires] = await Promise.all([reseauxConnus(database, viewer), territoiresOptions(database, viewer.scope)]);
  return { reseaux, territoires };
}

export interface TerritoireOption {
  code: string;
  nom: string;
}

/**
 * The territories offered by the filters, sorted as French readers expect ("Île-de-France" among the I), and only
 * those of the viewer's scope when given (a région's services are not offered the départements of another).
 */
export async function territoiresOptions(
  database: Database,
  scope?: Scope,
): Promise<{ regions: TerritoireOption[]; departements: (TerritoireOption & { region_code: string })[]; academies: TerritoireOption[] }> {
  const [regions, departements, academies] = await Promise.all([
    database.rows<TerritoireOption>(sql`select code, nom from regions`),
    database.rows<TerritoireOption & { region_code: string; academie_code: string }>(sql`select code, nom, region_code, academie_code from departements order by code`),
    database.rows<TerritoireOption>(sql`select code, nom from academies`),
  ]);
  const parNom = (a: TerritoireOption, b: TerritoireOption) => a.nom.localeCompare(b.nom, "fr");
  const deps = scope ? departements.filter((d) => offreLeDepartement(scope, d.code)) : departements;
  const regionsDuPerimetre = new Set(deps.map((d) => d.region_code));
  const academiesDuPerimetre = new Set(deps.map((d) => d.academie_code));
  return {
    regions: regions.filter((r) => regionsDuPerimetre.has(r.code)).sort(parNom),
    departements: deps.map(({ code, nom, region_code }) => ({ code, nom, region_code })),
    academies: academies.filter((a) => academiesDuPerimetre.has(a.code)).sort(parNom),
  };
}

export interface OrganismeLien {
  id: number;
  siret: string;
  uai: string | null;
  nature: Nature;
  raison_sociale: string;
  departement_code: string | null;
}

export interface OrganismeDetail extends OrganismeListItem {
  adresse: string | null;
  code_commune: string | null;
  departement: string | null;
  academie: string | null;
  bassin_emploi: string | null;
  erp: string | null;
  mode_transmission: string | null;
  created_at: string;
  updated_at: string;
  responsables: OrganismeLien[];
  formateurs: OrganismeLien[];
  memeSiret: OrganismeLien[];
  memeUai: OrganismeLien[];
}

/** One organisme with its links, or null. The caller checks the viewer may see it. */
export async function getOrganisme(database: Database, id: number, now: Date = new Date()): Promise<OrganismeDetail | null> {
  const [row] = await database.rows<Omit<OrganismeDetail, "fraicheur" | "responsables" | "formateurs" | "memeSiret" | "memeUai">>(sql`
    select o.id, o.siret, o.uai, o.nature, o.raison_sociale, o.enseigne, o.adresse, o.code_postal, o.code_commune, c.nom as commune,
           o.departement_code, d.nom as departement, o.region_code, r.nom as region, o.academie_code, a.nom as academie,
           o.bassin_emploi_code, b.libelle as bassin_emploi, o.reseaux, o.qualiopi, o.etat_administratif, o.erp, o.mode_transmission,
           o.first_transmission_at, o.last_transmission_at, o.created_at, o.updated_at
    from organismes o
    left join communes c on c.code = o.code_commune
    left join departements d on d.code = o.departement_code
    left join regions r on r.code = o.region_code
    left join academies a on a.code = o.academie_code
    left join bassins_emploi b on b.code = o.bassin_emploi_code
    where o.id = ${id}`);
  if (!row) return null;
  const lien = (where: SQL) =>
    database.rows<OrganismeLien>(sql`
      select o.id, o.siret, o.uai, o.nature, o.raison_sociale, o.departement_code from organismes o where ${where}
      order by ${orderBy(frenchSortKeys(sql`o.raison_sociale`), "asc", [sql`o.id`])} limit 200`);
  const [responsables, formateurs, memeSiret, memeUai] = await Promise.all([
    lien(sql`o.id in (select responsable_id from organisme_relations where formateur_id = ${id})`),
    lien(sql`o.id in (select formateur_id from organisme_relations where responsable_id = ${id})`),
    lien(sql`o.siret = ${row.siret} and o.id <> ${id}`),
    row.uai ? lien(sql`o.uai = ${row.uai} and o.id <> ${id}`) : Promise.resolve([]),
  ]);
  const iso = (v: unknown) => new Date(v as string).toISOString();
  return {
    ...normalizeTimestamps(row),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    fraicheur: fraicheurOf(row.last_transmission_at, now),
    responsables,
    formateurs,
    memeSiret,
    memeUai,
  };
}

export interface QualiteFormations {
  effectifs: number;
  rattaches: number;
  sansCode: number;
  codesInconnus: CodeInconnu[];
}

/** A formation code (CFD and / or RNCP) that effectifs carry and the catalogue does not know. */
export interface CodeInconnu {
  cfd: string | null;
  rncp: string | null;
  /** The label the CFA transmitted with it. */
  libelle: string | null;
  effectifs: number;
}

/** The formation codes unknown to the catalogue among the effectifs `e` that `where` selects, most frequent first. */
export function codesInconnus(database: Database, where: SQL): Promise<CodeInconnu[]> {
  return database.rows<CodeInconnu>(sql`
    select e.formation_cfd as cfd, e.formation_rncp as rncp, max(e.libelle_court_formation) as libelle, count(*)::int as effectifs
    from effectifs e
    where (${where}) and e.formation_id is null and (e.formation_cfd is not null or e.formation_rncp is not null)
    group by e.formation_cfd, e.formation_rncp
    order by count(*) desc, e.formation_cfd nulls last, e.formation_rncp
    limit 100`);
}

/**
 * Data quality of a CFA's formations: effectifs whose CFD / RNCP is not in the catalogue (issue 8, item 6). The
 * CFA's effectifs are those it trains or is responsible for (a responsable's learners are its formateurs' ones).
 */
export async function qualiteFormations(database: Database, organismeId: number): Promise<QualiteFormations> {
  const siens = sql`(e.organisme_formateur_id = ${organismeId} or e.organisme_responsable_id = ${organismeId})`;
  const [counts] = await database.rows<{ effectifs: number; rattaches: number; sans_code: number }>(sql`
    select count(*)::int as effectifs,
           count(*) filter (where formation_id is not null)::int as rattaches,
           count(*) filter (where formation_id is null and formation_cfd is null and formation_rncp is null)::int as sans_code
    from effectifs e where ${siens}`);
  const inconnus = await codesInconnus(database, siens);
  return { effectifs: counts.effectifs, rattaches: counts.rattaches, sansCode: counts.sans_code, codesInconnus: inconnus };
}
