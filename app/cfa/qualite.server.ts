/**
 * Data quality of a CFA's effectifs (issue 7, item 6): the rules of qualite.ts applied to the effectifs of the
 * space for one année scolaire (default: the current one), the score, the count per anomaly, the list of what to
 * fix (paginated), and the codes unknown to the catalogue (codesInconnus of the référentiel).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { anneeScolaireOf } from "../statut/annee-scolaire";
import { codesInconnus, type CodeInconnu } from "../referentiel/repertoire.server";
import { effectifsDeLEspace, type EspaceCfa } from "./acces.server";
import {
  ANOMALIES_QUALITE,
  anomaliesEffectif,
  niveauQualite,
  scoreQualite,
  type AnomalieQualite,
  type AnomalieTrouvee,
  type ContratQualite,
  type NiveauQualite,
} from "./qualite";

type Espace = Pick<EspaceCfa, "organismeId" | "organismeIds">;

export interface EffectifAcorriger {
  id: number;
  nom: string;
  prenom: string;
  idErpApprenant: string;
  organismeFormateur: string;
  formation: string | null;
  anomalies: AnomalieTrouvee[];
}

export interface QualiteCfa {
  anneeScolaire: string;
  /** Années scolaires that have effectifs in the space (for the selector), newest first. */
  annees: string[];
  total: number;
  avecAnomalie: number;
  score: number;
  niveau: NiveauQualite;
  parAnomalie: { type: AnomalieQualite; effectifs: number }[];
  /** One page of the effectifs to fix (filtered by `anomalie` when given). */
  aCorriger: EffectifAcorriger[];
  /** Effectifs to fix matching the filter (all pages). */
  totalACorriger: number;
  page: number;
  pages: number;
  codesInconnus: CodeInconnu[];
}

export interface QualiteOptions {
  anneeScolaire?: string;
  anomalie?: AnomalieQualite;
  page?: number;
  parPage?: number;
  today?: string;
}

/** Quality of the space's effectifs of one année scolaire. */
export async function qualiteCfa(database: Database, espace: Espace, options: QualiteOptions = {}): Promise<QualiteCfa> {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const anneesRows = await database.rows<{ annee_scolaire: string }>(
    sql`select distinct e.annee_scolaire from effectifs e where ${effectifsDeLEspace(espace)} order by 1 desc`,
  );
  const annees = anneesRows.map((r) => r.annee_scolaire);
  const courante = anneeScolaireOf(today);
  const anneeScolaire =
    options.anneeScolaire && annees.includes(options.anneeScolaire)
      ? options.anneeScolaire
      : annees.includes(courante)
        ? courante
        : (annees[0] ?? courante);
  const rows = await database.rows<{
    id: number;
    nom: string;
    prenom: string;
    id_erp_apprenant: string;
    organisme_formateur: string;
    formation: string | null;
    sexe: string | null;
    code_commune_insee: string | null;
    code_postal: string | null;
    commune_connue: boolean | null;
    formation_cfd: string | null;
    formation_rncp: string | null;
    formation_id: number | null;
    date_de_naissance: string;
    date_entree_formation: string;
    date_fin_formation: string;
    annee_scolaire: string;
    statut_apprenant: number | null;
    contrats: unknown;
  }>(sql`
    select e.id, e.nom, e.prenom, e.id_erp_apprenant, coalesce(o.enseigne, o.raison_sociale) as organisme_formateur,
           coalesce(f.intitule_court, f.intitule_long, e.libelle_court_formation) as formation,
           e.sexe, e.code_commune_insee, e.code_postal,
           case when e.code_commune_insee is null then null else exists (select 1 from communes c where c.code = e.code_commune_insee) end as commune_connue,
           e.formation_cfd, e.formation_rncp, e.formation_id, e.date_de_naissance::text as date_de_naissance,
           e.date_entree_formation::text as date_entree_formation, e.date_fin_formation::text as date_fin_formation, e.annee_scolaire, e.statut_apprenant,
           coalesce((select json_agg(json_build_object('dateDebut', c.date_debut, 'dateFin', c.date_fin, 'dateRupture', c.date_rupture) order by c.rang)
                     from contrats c where c.effectif_id = e.id), '[]'::json) as contrats
    from effectifs e
    join organismes o on o.id = e.organisme_formateur_id
    left join formations f on f.id = e.formation_id
    where ${effectifsDeLEspace(espace)} and e.annee_scolaire = ${anneeScolaire}
    order by lower(e.nom), lower(e.prenom), e.id`);
  // Without the territories loaded (empty communes table), no code is "unknown".
  const [{ n: communes }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from (select 1 from communes limit 1) x`);
  const parType = new Map<AnomalieQualite, number>(ANOMALIES_QUALITE.map((a) => [a, 0]));
  const aCorriger: EffectifAcorriger[] = [];
  let avecAnomalie = 0;
  for (const r of rows) {
    const contrats = (typeof r.contrats === "string" ? JSON.parse(r.contrats) : r.contrats) as ContratQualite[];
    const anomalies = anomaliesEffectif({
      sexe: r.sexe,
      codeCommuneInsee: r.code_commune_insee,
      codePostal: r.code_postal,
      communeConnue: communes > 0 ? r.commune_connue : null,
      formationCfd: r.formation_cfd,
      formationRncp: r.formation_rncp,
      formationId: r.formation_id,
      dateDeNaissance: r.date_de_naissance,
      dateEntreeFormation: r.date_entree_formation,
      dateFinFormation: r.date_fin_formation,
      anneeScolaire: r.annee_scolaire,
      statutApprenant: r.statut_apprenant,
      contrats,
    });
    if (anomalies.length === 0) continue;
    avecAnomalie++;
    for (const a of anomalies) parType.set(a.type, (parType.get(a.type) ?? 0) + 1);
    if (options.anomalie && !anomalies.some((a) => a.type === options.anomalie)) continue;
    aCorriger.push({
      id: r.id,
      nom: r.nom,
      prenom: r.prenom,
      idErpApprenant: r.id_erp_apprenant,
      organismeFormateur: r.organisme_formateur,
      formation: r.formation,
      anomalies,
    });
  }
  const parPage = options.parPage ?? 25;
  const pages = Math.max(1, Math.ceil(aCorriger.length / parPage));
  const page = Math.min(Math.max(1, options.page ?? 1), pages);
  const inconnus = await codesInconnus(database, sql`${effectifsDeLEspace(espace)} and e.annee_scolaire = ${anneeScolaire}`);
  const score = scoreQualite(rows.length, avecAnomalie);
  return {
    anneeScolaire,
    annees,
    total: rows.length,
    avecAnomalie,
    score,
    niveau: niveauQualite(score),
    parAnomalie: ANOMALIES_QUALITE.map((type) => ({ type, effectifs: parType.get(type) ?? 0 })),
    aCorriger: aCorriger.slice((page - 1) * parPage, page * parPage),
    totalACorriger: aCorriger.length,
    page,
    pages,
    codesInconnus: inconnus,
  };
}
