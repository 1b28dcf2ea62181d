/**
 * Anomalies of the référentiel inside the viewer's scope: computed on the organismes of the scope (a few
 * thousand rows) with the pure rules of anomalies.ts; "one UAI on several SIRETs" looks at the whole référentiel.
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import type { Nature } from "../../db/schema";
import { scopeSql, type Viewer } from "../auth/policy.server";
import { ANOMALIE_TYPES, detectAnomalies, type Anomalie, type AnomalieType } from "./anomalies";
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
  anomalies: Anomalie[];
}

async function context(database: Database, uais: string[] | null) {
  const uaiRows = await database.rows<{ uai: string; siret: string }>(sql`
    select distinct uai, siret from organismes
    where uai in (select uai from organismes where uai is not null group by uai having count(distinct siret) > 1)`);
  const siretsByUai = new Map<string, Set<string>>();
  for (const r of uaiRows) {
    if (uais && !uais.includes(r.uai)) continue;
    const set = siretsByUai.get(r.uai) ?? new Set<string>();
    set.add(r.siret);
    siretsByUai.set(r.uai, set);
  }
  const rel = await database.rows<{ id: number }>(sql`select distinct formateur_id as id from organisme_relations`);
  return { siretsByUai, hasResponsable: new Set(rel.map((r) => r.id)) };
}

/** Organismes with at least one anomaly (of `type` when given), by raison sociale, with the counts per type. */
export async function listAnomalies(
  database: Database,
  viewer: Viewer,
  query: AnomaliesQuery,
): Promise<Page<OrganismeAnomalies> & { counts: Record<AnomalieType, number> }> {
  const where: SQL[] = [scopeSql(viewer, "o")];
  if (query.region) where.push(sql`o.region_code = ${query.region}`);
  if (query.departement) where.push(sql`o.departement_code = ${query.departement}`);
  if (query.academie) where.push(sql`o.academie_code = ${query.academie}`);
  const rows = await database.rows<Omit<OrganismeAnomalies, "anomalies">>(sql`
    select o.id, o.siret, o.uai, o.nature, o.raison_sociale, o.departement_code, o.region_code, o.etat_administratif
    from organismes o where ${sql.join(where, sql` and `)}
    order by ${orderBy(frenchSortKeys(sql`o.raison_sociale`), "asc", [sql`o.id`])}`);
  const ctx = await context(database, null);
  const counts = Object.fromEntries(ANOMALIE_TYPES.map((t) => [t, 0])) as Record<AnomalieType, number>;
  const withAnomalies: OrganismeAnomalies[] = [];
  for (const row of rows) {
    const anomalies = detectAnomalies(row, ctx);
    for (const a of anomalies) counts[a.type]++;
    const shown = query.type ? anomalies.filter((a) => a.type === query.type) : anomalies;
    if (shown.length) withAnomalies.push({ ...row, anomalies: shown });
  }
  const start = (query.page - 1) * query.limit;
  return { ...pageOf(withAnomalies.slice(start, start + query.limit), withAnomalies.length, query.page, query.limit), counts };
}

/** The anomalies of one organisme (for its detail page). */
export async function anomaliesOfOrganisme(database: Database, organisme: Omit<OrganismeAnomalies, "anomalies">): Promise<Anomalie[]> {
  return detectAnomalies(organisme, await context(database, organisme.uai ? [organisme.uai] : []));
}
