/**
 * Anomalies of the référentiel inside the viewer's scope, by the pure rules of anomalies.ts: PostgreSQL selects the
 * organismes that have one (the référentiel holds many more SIRETs than anomalies), anomalies.ts writes the
 * messages; "one UAI on several SIRETs" looks at the whole référentiel.
 */
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, type Database } from "../../db/client.server";
import { CODES_A_VERIFIER, type Nature } from "../../db/schema";
import { scopeSql, type Viewer } from "../auth/policy.server";
import { ANOMALIE_TYPES, CODES_DEPARTEMENTS, detectAnomalies, type Anomalie, type AnomalieType } from "./anomalies";
import { pageOf, type Page } from "../shared/pagination";
import { frenchSortKeys, orderBy } from "./repertoire.server";

export interface AnomaliesQuery {
  type?: AnomalieType;
  region?: string;
  departement?: string;
  academie?: string;
  page: number;
  limit: number;
}

export interface OrganismeAnomalies {
  id: number;
  siret: string;
  uai: string | null;
  nature: Nature;
  raison_sociale: string;
  departement_code: string | null;
  region_code: string | null;
  etat_administratif: "actif" | "ferme";
  code_postal: string | null;
  code_commune: string | null;
  anomalies: Anomalie[];
}

/**
 * The anomalies PostgreSQL tells exactly as `detectAnomalies` does (anomalies.ts), on `organismes o`. The
 * « UAI on several SIRETs » looks at the whole référentiel, whatever the viewer's scope.
 */
const EXACTES: Record<Exclude<AnomalieType, CodeVerifie>, SQL> = {
  siret_ferme: sql`o.etat_administratif = 'ferme'`,
  nature_inconnue: sql`o.nature = 'inconnue'`,
  uai_plusieurs_sirets: sql`(o.uai <> '' and o.uai in (select uai from organismes where uai is not null group by uai having count(distinct siret) > 1))`,
  formateur_sans_responsable: sql`(o.nature = 'formateur' and not exists (select 1 from organisme_relations r where r.formateur_id = o.id))`,
  territoire_inconnu: sql`o.departement_code is null`,
  // codePostalContredit (codes.ts): the département its first digits designate (20: 2A or 2B, 97x), unless the
  // commune lists that postal code
  code_postal_incoherent: sql`(o.code_postal ~ '^[0-9]{5}$' and o.departement_code is not null
    and case when left(o.code_postal, 2) = '20' then o.departement_code not in ('2A', '2B')
      else (case when left(o.code_postal, 2) = '97' then left(o.code_postal, 3) else left(o.code_postal, 2) end)
        in (${sql.raw([...CODES_DEPARTEMENTS].map((d) => `'${d}'`).join(", "))})
        and (case when left(o.code_postal, 2) = '97' then left(o.code_postal, 3) else left(o.code_postal, 2) end) <> o.departement_code end
    and not exists (select 1 from communes c where c.code = o.code_commune and o.code_postal = any(c.codes_postaux)))`,
};

/** The anomalies of a code's check (its letter, its Luhn key): decided by the JavaScript of codes.ts. */
type CodeVerifie = "uai_invalide" | "siret_invalide";
const CODES_VERIFIES: CodeVerifie[] = ["uai_invalide", "siret_invalide"];

/**
 * The organismes whose UAI or SIRET may fail its check, never fewer than `detectAnomalies` finds, which decides: the
 * predicate of a partial index (CODES_A_VERIFIER, db/schema.ts), written here by the same text so that the planner
 * reads that index (bare column names: the query reads `organismes o` alone).
 */
const SUSPECTS = sql`(${sql.raw(CODES_A_VERIFIER)})`;

/** What `detectAnomalies` needs to know of the other organismes, for some organismes only (a page, one organisme). */
async function context(database: Database, organismes: { id: number; uai: string | null; code_commune?: string | null }[]) {
  const uais = [...new Set(organismes.flatMap((o) => (o.uai ? [o.uai] : [])))];
  const ids = organismes.map((o) => o.id);
  const codesCommunes = [...new Set(organismes.flatMap((o) => (o.code_commune ? [o.code_commune] : [])))];
  const [uaiRows, rel, communes] = await Promise.all([
    uais.length
      ? database.rows<{ uai: string; siret: string }>(sql`select distinct uai, siret from organismes where uai = any(${arrayParam(uais)}::text[])`)
      : Promise.resolve([]),
    ids.length
      ? database.rows<{ id: number }>(sql`select distinct formateur_id as id from organisme_relations where formateur_id = any(${arrayParam(ids)}::int[])`)
      : Promise.resolve([]),
    codesCommunes.length
      ? database.rows<{ code: string; codes_postaux: string[] }>(sql`select code, codes_postaux from communes where code = any(${arrayParam(codesCommunes)}::text[])`)
      : Promise.resolve([]),
  ]);
  const siretsByUai = new Map<string, Set<string>>();
  for (const r of uaiRows) {
    const set = siretsByUai.get(r.uai) ?? new Set<string>();
    set.add(r.siret);
    siretsByUai.set(r.uai, set);
  }
  return { siretsByUai, hasResponsable: new Set(rel.map((r) => r.id)), codesPostauxDesCommunes: new Map(communes.map((c) => [c.code, c.codes_postaux])) };
}

/**
 * Organismes with at least one anomaly (of `type` when given), by raison sociale, with the counts per type. PostgreSQL
 * selects, counts and pages them (decision 029: the référentiel holds far more organismes than anomalies): the
 * anomalies it tells exactly (EXACTES), and those of the codes' checks that JavaScript confirmed among the suspects;
 * `detectAnomalies` then writes the messages of the page's organismes.
 */
export async function listAnomalies(
  database: Database,
  viewer: Viewer,
  query: AnomaliesQuery,
): Promise<Page<OrganismeAnomalies> & { counts: Record<AnomalieType, number> }> {
  const where: SQL[] = [scopeSql(viewer, "o")];
  if (query.region) where.push(sql`o.region_code = ${query.region}`);
  if (query.departement) where.push(sql`o.departement_code = ${query.departement}`);
  if (query.academie) where.push(sql`o.academie_code = ${query.academie}`);
  const dansLePerimetre = sql.join(where, sql` and `);

  // the codes' checks, in JavaScript, on the organismes whose codes are not plainly valid
  const suspects = await database.rows<{ id: number; siret: string; uai: string | null; nature: string; etat_administratif: string }>(sql`
    select o.id, o.siret, o.uai, o.nature, o.etat_administratif from organismes o where ${dansLePerimetre} and ${SUSPECTS}`);
  const verifies: Record<CodeVerifie, number[]> = { uai_invalide: [], siret_invalide: [] };
  const sansContexte = { siretsByUai: new Map<string, Set<string>>(), hasResponsable: new Set<number>() };
  for (const o of suspects) {
    for (const a of detectAnomalies(o, sansContexte)) if (a.type === "uai_invalide" || a.type === "siret_invalide") verifies[a.type].push(o.id);
  }
  const condition = (type: AnomalieType): SQL =>
    type === "uai_invalide" || type === "siret_invalide" ? sql`o.id = any(${arrayParam(verifies[type])}::int[])` : EXACTES[type];
  const selection = query.type ? condition(query.type) : sql`(${sql.join(ANOMALIE_TYPES.map(condition), sql` or `)})`;

  const [compte] = await database.rows<Record<string, number>>(sql`
    select ${sql.join(
      [...ANOMALIE_TYPES.filter((t) => !CODES_VERIFIES.includes(t as CodeVerifie)), "total"].map((t) =>
        sql`count(*) filter (where ${t === "total" ? selection : condition(t as AnomalieType)})::int as ${sql.identifier(t)}`,
      ),
      sql`, `,
    )}
    from organismes o where ${dansLePerimetre}`);
  const counts = Object.fromEntries(
    ANOMALIE_TYPES.map((t) => [t, t === "uai_invalide" || t === "siret_invalide" ? verifies[t].length : compte[t]]),
  ) as Record<AnomalieType, number>;

  const rows = await database.rows<Omit<OrganismeAnomalies, "anomalies">>(sql`
    select o.id, o.siret, o.uai, o.nature, o.raison_sociale, o.departement_code, o.region_code, o.etat_administratif, o.code_postal, o.code_commune
    from organismes o where ${dansLePerimetre} and ${selection}
    order by ${orderBy(frenchSortKeys(sql`o.raison_sociale`), "asc", [sql`o.id`])}
    limit ${query.limit} offset ${(query.page - 1) * query.limit}`);
  const ctx = await context(database, rows);
  const data = rows.map((row) => {
    const anomalies = detectAnomalies(row, ctx);
    return { ...row, anomalies: query.type ? anomalies.filter((a) => a.type === query.type) : anomalies };
  });
  return { ...pageOf(data, compte.total, query.page, query.limit), counts };
}

/** The anomalies of one organisme (for its detail page). */
export async function anomaliesOfOrganisme(database: Database, organisme: Omit<OrganismeAnomalies, "anomalies">): Promise<Anomalie[]> {
  return detectAnomalies(organisme, await context(database, [organisme]));
}
