/**
 * The catalogue des formations: search (CFD, RNCP, intitulé), filters (niveau, territory, open), sort and
 * pagination; and one formation's detail with the organismes that teach it.
 *
 * The catalogue itself is a national nomenclature, the same for everyone, and so is its offer (`offres_formation`:
 * formation × organisme formateur × responsable × lieu, from the catalogue CSV). A territory filter keeps the
 * formations offered there (lieu in the territory, or, without a lieu, organisme formateur in it) or followed by
 * learners of organismes of that territory (from the effectifs transmitted).
 */
import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { canFilterBelowRegion, maskSmallCounts, scopeSql, type MaskedCount, type Viewer } from "../auth/policy.server";
import type { FormationsQuery, OffresQuery } from "./filtres.server";
import { foldedContainsWords, frenchSortKeys, orderBy } from "./repertoire.server";
import { CFD_PATTERN, normalizeRncp, RNCP_PATTERN } from "./codes";
import { pageOf, totalOf, type Page } from "../shared/pagination";
import { todayIso } from "../statut/annee-scolaire";

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

/** A formation closed at `today`: its last day open (the catalogue's date_fermeture) is past. */
const fermeeSql = (today: string) => sql`(f.date_fermeture is not null and f.date_fermeture < ${today}::date)`;

export function formationConditions(f: Partial<FormationsQuery>, today: string = new Date().toISOString().slice(0, 10)): SQL {
  const where: SQL[] = [sql`true`];
  if (f.q) {
    // a code: RNCP (with or without its prefix: « RNCP3938 », « rncp 3938 », « 3938 ») before CFD (8 characters,
    // which « RNCP3938 » also has), else words of the intitulé
    const compact = f.q.replace(/\s/g, "").toUpperCase();
    const rncp = normalizeRncp(compact);
    if (RNCP_PATTERN.test(rncp)) where.push(sql`f.rncp = ${rncp}`);
    else if (CFD_PATTERN.test(compact) && /[0-9]/.test(compact)) where.push(sql`f.cfd = ${compact}`);
    // f.recherche: the fold of coalesce(cfd, '') || ' ' || coalesce(rncp, '') || ' ' || coalesce(intitule_court, '') || ' ' || intitule_long
    else where.push(...foldedContainsWords(sql`f.recherche`, f.q));
  }
  if (f.niveau) where.push(sql`f.niveau = ${f.niveau}`);
  if (f.ouverte !== undefined) {
    where.push(f.ouverte ? sql`not ${fermeeSql(today)}` : fermeeSql(today));
  }
  const territory: SQL[] = [];
  if (f.region) territory.push(sql`o.region_code = ${f.region}`);
  if (f.departement) territory.push(sql`o.departement_code = ${f.departement}`);
  if (f.academie) territory.push(sql`o.academie_code = ${f.academie}`);
  if (f.bassin_emploi) territory.push(sql`o.bassin_emploi_code = ${f.bassin_emploi}`);
  if (territory.length) {
    // organismes and communes share the names of their territory columns (region_code, departement_code…)
    const inTerritory = sql.join(territory, sql` and `);
    where.push(sql`(exists (select 1 from effectifs e join organismes o on o.id = e.organisme_formateur_id
                           where e.formation_id = f.id and ${inTerritory})
                    or exists (select 1 from offres_formation ofr join organismes o on o.id = ofr.organisme_formateur_id
                               where ofr.formation_id = f.id and ofr.code_commune_lieu is null and ${inTerritory})
                    or exists (select 1 from offres_formation ofr join communes o on o.code = ofr.code_commune_lieu
                               where ofr.formation_id = f.id and ${inTerritory}))`);
  }
  return sql.join(where, sql` and `);
}

/** The sort keys of each column of the catalogue (then f.id: stable pages). */
const FORMATION_ORDER: Record<FormationsQuery["tri"], SQL[]> = {
  intitule: frenchSortKeys(sql`f.intitule_long`),
  cfd: [sql`f.cfd`],
  rncp: [sql`f.rncp`],
  niveau: [sql`f.niveau`],
};

export async function listFormations(database: Database, query: FormationsQuery): Promise<Page<FormationListItem>> {
  const where = formationConditions(query);
  const order = orderBy(FORMATION_ORDER[query.tri], query.ordre, [sql`f.id`]);
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
  /** Closed today (fermeeSql). */
  fermee: boolean;
  effectifs: MaskedCount;
  /**
   * Organismes formateurs whose learners follow it, one page of ORGANISMES_PAR_PAGE (`?organismes=N` on its page);
   * null for the public, who sees no figure below the région (one CFA listed with "< 5" effectifs would say that
   * one to four young people follow this formation there).
   */
  organismes: Page<{ id: number; siret: string; uai: string | null; raison_sociale: string; departement_code: string | null; effectifs: number }> | null;
  /** The catalogue's offer of the formation, one page of OFFRES_PAR_PAGE lines (`?offres=N` on its page). */
  offres: Page<OffreFormation>;
}

/** A line of the catalogue's offer, as the formation and organisme pages list it. */
export interface OffreFormation {
  formation: { id: number; cfd: string | null; rncp: string | null; intitule_long: string; niveau: number | null };
  formateur: { id: number; raison_sociale: string; siret: string; uai: string | null };
  responsable: { id: number; raison_sociale: string; siret: string; uai: string | null } | null;
  /** The lieu's commune (its name when the territories know the code), null when the catalogue line gave none. */
  lieu: { code: string; nom: string | null; departement_code: string | null } | null;
  /** The lieu's département, else the organisme formateur's. */
  departement_code: string | null;
  updated_at: string;
}

/** Lines of offer a formation's or an organisme's page shows at once (the API pages by its own `limit`). */
export const OFFRES_PAR_PAGE = 50;
/** Organismes a formation's page lists at once. */
const ORGANISMES_PAR_PAGE = 50;

/** Which offers: the catalogue's filters (API), or one formation's / one organisme's (their pages). */
export type OffresFilter = Partial<Omit<OffresQuery, "tri" | "ordre" | "page" | "limit">>;

/**
 * The offers matching a filter. An organisme (id, SIRET or UAI) matches as formateur or responsable; a territory
 * matches the lieu's commune, or, without a known lieu, the organisme formateur's (as the catalogue's filter).
 */
export function offreConditions(f: OffresFilter): SQL {
  const where: SQL[] = [sql`true`];
  if (f.formation) where.push(sql`ofr.formation_id = ${f.formation}`);
  if (f.cfd) where.push(sql`f.cfd = ${f.cfd}`);
  if (f.rncp) where.push(sql`f.rncp = ${f.rncp}`);
  if (f.niveau) where.push(sql`f.niveau = ${f.niveau}`);
  if (f.organisme) where.push(sql`(ofr.organisme_formateur_id = ${f.organisme} or ofr.organisme_responsable_id = ${f.organisme})`);
  if (f.siret) where.push(sql`(fo.siret = ${f.siret} or re.siret = ${f.siret})`);
  if (f.uai) where.push(sql`(fo.uai = ${f.uai} or re.uai = ${f.uai})`);
  if (f.region) where.push(sql`coalesce(c.region_code, fo.region_code) = ${f.region}`);
  if (f.departement) where.push(sql`coalesce(c.departement_code, fo.departement_code) = ${f.departement}`);
  if (f.academie) where.push(sql`coalesce(c.academie_code, fo.academie_code) = ${f.academie}`);
  if (f.bassin_emploi) where.push(sql`coalesce(c.bassin_emploi_code, fo.bassin_emploi_code) = ${f.bassin_emploi}`);
  return sql.join(where, sql` and `);
}

/** An offer with its formation, organismes formateur (fo) and responsable (re), and lieu's commune (c). */
const OFFRES_FROM = sql`offres_formation ofr
  join formations f on f.id = ofr.formation_id
  join organismes fo on fo.id = ofr.organisme_formateur_id
  left join organismes re on re.id = ofr.organisme_responsable_id
  left join communes c on c.code = ofr.code_commune_lieu`;

/**
 * The sort keys of the offer, all in the chosen direction, as SQL terms (an expression may hold commas: one term is
 * never cut). Then the lieu and ofr.id: stable pages.
 */
const PAR_FORMATION = [...frenchSortKeys(sql`f.intitule_long`), sql`f.id`];
const PAR_ORGANISME = [...frenchSortKeys(sql`fo.raison_sociale`), sql`fo.id`];
const OFFRE_ORDER: Record<OffresQuery["tri"], SQL[]> = {
  formation: [...PAR_FORMATION, ...PAR_ORGANISME],
  organisme: [...PAR_ORGANISME, ...PAR_FORMATION],
  departement: [sql`coalesce(c.departement_code, fo.departement_code)`, ...PAR_FORMATION, ...PAR_ORGANISME],
};

/**
 * The catalogue's offer matching `filter`, sorted for reading (by formation, by organisme formateur or by
 * département; `ordre` reverses it), `limit` lines from `offset`, and how many match in all.
 */
export async function listOffres(
  database: Database,
  filter: OffresFilter,
  options: { tri?: OffresQuery["tri"]; ordre?: "asc" | "desc"; limit?: number; offset?: number } = {},
): Promise<{ offres: OffreFormation[]; total: number }> {
  const order = orderBy(OFFRE_ORDER[options.tri ?? (filter.formation ? "organisme" : "formation")], options.ordre, [
    sql`ofr.code_commune_lieu`,
    sql`ofr.id`,
  ]);
  const rows = await database.rows<{
    formation_id: number; cfd: string | null; rncp: string | null; intitule_long: string; niveau: number | null;
    formateur_id: number; formateur_raison_sociale: string; formateur_siret: string; formateur_uai: string | null; formateur_departement: string | null;
    responsable_id: number | null; responsable_raison_sociale: string | null; responsable_siret: string | null; responsable_uai: string | null;
    code_commune_lieu: string | null; commune_nom: string | null; commune_departement: string | null;
    updated_at: string; total: number;
  }>(sql`
    select f.id as formation_id, f.cfd, f.rncp, f.intitule_long, f.niveau,
           fo.id as formateur_id, fo.raison_sociale as formateur_raison_sociale, fo.siret as formateur_siret,
           fo.uai as formateur_uai, fo.departement_code as formateur_departement,
           re.id as responsable_id, re.raison_sociale as responsable_raison_sociale, re.siret as responsable_siret, re.uai as responsable_uai,
           ofr.code_commune_lieu, c.nom as commune_nom, c.departement_code as commune_departement,
           to_char(ofr.updated_at at time zone 'UTC', 'YYYY-MM-DD') as updated_at, count(*) over ()::int as total
    from ${OFFRES_FROM}
    where ${offreConditions(filter)}
    order by ${order}
    limit ${options.limit ?? OFFRES_PAR_PAGE} offset ${options.offset ?? 0}`);
  const total = await totalOf(rows, options.offset ?? 0, async () => {
    const [{ n }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from ${OFFRES_FROM} where ${offreConditions(filter)}`);
    return n;
  });
  return {
    total,
    offres: rows.map((r) => ({
      formation: { id: r.formation_id, cfd: r.cfd, rncp: r.rncp, intitule_long: r.intitule_long, niveau: r.niveau },
      formateur: { id: r.formateur_id, raison_sociale: r.formateur_raison_sociale, siret: r.formateur_siret, uai: r.formateur_uai },
      responsable:
        r.responsable_id === null
          ? null
          : { id: r.responsable_id, raison_sociale: r.responsable_raison_sociale!, siret: r.responsable_siret!, uai: r.responsable_uai },
      lieu: r.code_commune_lieu === null ? null : { code: r.code_commune_lieu, nom: r.commune_nom, departement_code: r.commune_departement },
      departement_code: r.commune_departement ?? r.formateur_departement,
      updated_at: r.updated_at,
    })),
  };
}

/**
 * One page of the catalogue's offer: GET /api/v1/offres, or (`limit` left to OFFRES_PAR_PAGE, default order) the offer
 * of a formation's or an organisme's page.
 */
export async function pageOffres(
  database: Database,
  query: OffresFilter & { page: number; limit?: number; tri?: OffresQuery["tri"]; ordre?: OffresQuery["ordre"] },
): Promise<Page<OffreFormation>> {
  const { tri, ordre, page, limit = OFFRES_PAR_PAGE, ...filter } = query;
  const { offres, total } = await listOffres(database, filter, { tri, ordre, limit, offset: (page - 1) * limit });
  return pageOf(offres, total, page, limit);
}

/**
 * One formation; its organismes are those of the viewer's scope whose learners follow it (effectif counts only for
 * signed-in viewers; the national count is masked for the public when small).
 */
export async function getFormation(
  database: Database,
  viewer: Viewer,
  id: number,
  pages: { offres?: number; organismes?: number } = {},
): Promise<FormationDetail | null> {
  const [row] = await database.rows<FormationListItem & { fermee: boolean }>(sql`
    select f.id, f.cfd, f.rncp, f.niveau, f.intitule_court, f.intitule_long, f.duree_annees, f.duree_mois,
           f.date_ouverture::text as date_ouverture, f.date_fermeture::text as date_fermeture, ${fermeeSql(todayIso())} as fermee
    from formations f where f.id = ${id}`);
  if (!row) return null;
  // the formation's effectifs in the viewer's scope, by their organisme formateur
  const suivie = sql`from effectifs e join organismes o on o.id = e.organisme_formateur_id where e.formation_id = ${id} and ${scopeSql(viewer, "o")}`;
  const [{ n, nbOrganismes }] = await database.rows<{ n: number; nbOrganismes: number }>(
    sql`select count(*)::int as n, count(distinct o.id)::int as "nbOrganismes" ${suivie}`,
  );
  const page = pages.organismes ?? 1;
  const organismes = canFilterBelowRegion(viewer)
    ? pageOf(
        await database.rows<{ id: number; siret: string; uai: string | null; raison_sociale: string; departement_code: string | null; effectifs: number }>(sql`
          select o.id, o.siret, o.uai, o.raison_sociale, o.departement_code, count(*)::int as effectifs ${suivie}
          group by o.id order by ${orderBy(frenchSortKeys(sql`o.raison_sociale`), "asc", [sql`o.id`])}
          limit ${ORGANISMES_PAR_PAGE} offset ${(page - 1) * ORGANISMES_PAR_PAGE}`),
        nbOrganismes,
        page,
        ORGANISMES_PAR_PAGE,
      )
    : null;
  const offres = await pageOffres(database, { formation: id, page: pages.offres ?? 1 });
  return { ...row, effectifs: maskSmallCounts(viewer, n), organismes, offres };
}
