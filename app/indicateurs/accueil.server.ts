/**
 * Figures of the home page: effectifs of the current school year, organismes and formations by région.
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import type { Viewer } from "../auth/policy.server";
import { anneesScolairesComptees } from "../statut/annee-scolaire";

export interface ChiffresRegion {
  code: string;
  nom: string;
  effectifs: number;
  organismes: number;
  formations: number;
}

export async function chiffresParRegion(database: Database, _viewer: Viewer, date: string): Promise<ChiffresRegion[]> {
  const annees = anneesScolairesComptees(date);
  return database.rows<ChiffresRegion>(sql`
    with e as (
      select o.region_code, count(*)::int as effectifs, count(distinct e.formation_id)::int as formations
      from effectifs e join organismes o on o.id = e.organisme_formateur_id
      where e.annee_scolaire in (${annees[0]}, ${annees[1]})
      group by o.region_code
    ), o as (
      select region_code, count(*)::int as organismes from organismes where etat_administratif = 'actif' group by region_code
    )
    select r.code, r.nom, coalesce(e.effectifs, 0) as effectifs, coalesce(o.organismes, 0) as organismes,
           coalesce(e.formations, 0) as formations
    from regions r left join e on e.region_code = r.code left join o on o.region_code = r.code
    order by r.code`);
}
