/**
 * The catalogue des formations: search (CFD, RNCP, intitulé), filters (niveau, territory, open), sort and
 * pagination; and one formation's detail with the organismes that teach it.
 *
 * The catalogue itself is a national nomenclature, the same for everyone. A territory filter keeps the formations
 * followed by learners of organismes of that territory (from the effectifs transmitted).
 * TODO(lead): with a `formation_organismes` table (the offer of the catalogue CSV: formation × formateur ×
 * responsable × lieu), the territory filter could use the offer too (see the report of issue 8).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { maskSmallCounts, scopeSql, type MaskedCount, type Viewer } from "../auth/policy.server";
import type { FormationsQuery } from "./filtres.server";
import { foldSql, foldText, pageOf, type Page } from "./repertoire.server";

export interface FormationListItem {
  id: number;
  cfd: string | null;
  rncp: string | null;
  niveau: number | null;
  intitule_court: string | null;
  intitule_long: string;
  duree_annees: number | null;
  duree_mois: number | null;
  date_ouverture: string | null;
  date_fermeture: string | null;
}


function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function formationConditions(f: Partial<FormationsQuery>, today: string = new Date().toISOString().slice(0, 10)): SQL {
  const where: SQL[] = [sql`true`];
  if (f.q) {
    const compact = f.q.replace(/\s/g, "").toUpperCase();
    if (/^[0-9A-Z]{8}$/.test(compact) && /[0-9]/.test(compact)) where.push(sql`f.cfd = ${compact}`);
    else if (/^(RNCP)?[0-9]{2,5}$/.test(compact)) where.push(sql`f.rncp = ${compact.startsWith("RNCP") ? compact : `RNCP${compact}`}`);
    else {
      for (const w of foldText(f.q).split(/\s+/).filter(Boolean).slice(0, 8)) {
        where.push(
          sql`${foldSql(sql`coalesce(f.cfd, '') || ' ' || coalesce(f.rncp, '') || ' ' || coalesce(f.intitule_court, '') || ' ' || f.intitule_long`)} like ${"%" + escapeLike(w) + "%"}`,
        );
      }
    }
  }
  if (f.niveau) where.push(sql`f.niveau = ${f.niveau}`);
  if (f.ouverte !== undefined) {
    where.push(
      f.ouverte
        ? sql`(f.date_fermeture is null or f.date_fermeture >= ${today}::date)`
        : sql`(f.date_fermeture is not null and f.date_fermeture < ${today}::date)`,
    );
  }
  const territory: SQL[] = [];
  if (f.region) territory.push(sql`o.region_code = ${f.region}`);
  if (f.departement) territory.push(sql`o.departement_code = ${f.departement}`);
  if (f.academie) territory.push(sql`o.academie_code = ${f.academie}`);
  if (f.bassin_emploi) territory.push(sql`o.bassin_emploi_code = ${f.bassin_emploi}`);
  if (territory.length) {
    where.push(sql`exists (select 1 from effectifs e join organismes o on o.id = e.organisme_formateur_id
                          where e.formation_id = f.id and ${sql.join(territory, sql` and `)})`);
  }
  return sql.join(where, sql` and `);
}

const FORMATION_ORDER: Record<FormationsQuery["tri"], string> = {
  intitule: "lower(f.intitule_long)",
  cfd: "f.cfd",
  rncp: "f.rncp",
  niveau: "f.niveau",
};

export async function listFormations(database: Database, query: FormationsQuery): Promise<Page<FormationListItem>> {
  const where = formationConditions(query);
  const order = sql.raw(`${FORMATION_ORDER[query.tri]} ${query.ordre === "desc" ? "desc" : "asc"} nulls last, f.id asc`);
  const [{ total }] = await database.rows<{ total: number }>(sql`select count(*)::int as total from formations f where ${where}`);
  const rows = await database.rows<FormationListItem>(sql`
    select f.id, f.cfd, f.rncp, f.niveau, f.intitule_court, f.intitule_long, f.duree_annees, f.duree_mois,
           f.date_ouverture::text as date_ouverture, f.date_fermeture::text as date_fermeture
    from formations f
    where ${where}
    order by ${order}
    limit ${query.limit} offset ${(query.page - 1) * query.limit}`);
  return pageOf(rows, total, query.page, query.limit);
}

export interface FormationDetail extends FormationListItem {
  effectifs: MaskedCount;
  organismes: { id: number; siret: string; uai: string | null; raison_sociale: string; departement_code: string | null; effectifs: MaskedCount | null }[];
}

/**
 * One formation; its organismes are those of the viewer's scope whose learners follow it (effectif counts only for
 * signed-in viewers; the national count is masked for the public when small).
 */
export async function getFormation(database: Database, viewer: Viewer, id: number): Promise<FormationDetail | null> {
  const [row] = await database.rows<FormationListItem>(sql`
    select f.id, f.cfd, f.rncp, f.niveau, f.intitule_court, f.intitule_long, f.duree_annees, f.duree_mois,
           f.date_ouverture::text as date_ouverture, f.date_fermeture::text as date_fermeture
    from formations f where f.id = ${id}`);
  if (!row) return null;
  const [{ n }] = await database.rows<{ n: number }>(sql`
    select count(*)::int as n from effectifs e join organismes o on o.id = e.organisme_formateur_id
    where e.formation_id = ${id} and ${scopeSql(viewer, "o")}`);
  const organismes = await database.rows<{ id: number; siret: string; uai: string | null; raison_sociale: string; departement_code: string | null; effectifs: number }>(sql`
    select o.id, o.siret, o.uai, o.raison_sociale, o.departement_code, count(*)::int as effectifs
    from effectifs e join organismes o on o.id = e.organisme_formateur_id
    where e.formation_id = ${id} and ${scopeSql(viewer, "o")}
    group by o.id order by lower(o.raison_sociale), o.id limit 500`);
  const signedIn = viewer.userId !== null;
  return {
    ...row,
    effectifs: maskSmallCounts(viewer, n),
    organismes: organismes.map((o) => ({ ...o, effectifs: signedIn ? o.effectifs : null })),
  };
}
