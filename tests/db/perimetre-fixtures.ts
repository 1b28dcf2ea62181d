/**
 * Fixtures of the CFA space's perimeter tests (docs/decisions/017): the référentiel of auth-fixtures.ts (responsable
 * R with its formateur F; X elsewhere), with one more level, G, a formateur of F (R → F → G: the référentiel allows
 * a responsable_formateur to have its own formateurs), and learners of the current school year:
 *
 *   R-1          formateur R, responsable R      (R's key)
 *   F-1, F-2     formateur F, responsable R      (R's key)
 *   FX-1         formateur F, responsable X      (X's key: F also teaches for another responsable, which the
 *                                                 référentiel does not link to F; F's own key may not file a learner
 *                                                 under X, decision 024)
 *   G-1…G-3      formateur G, responsable F      (F's key): F's learners as a responsable, not R's
 *   RG-1         formateur G, responsable R      (R's key; only with `avecResponsableR`): R's learner
 *   X-1          formateur X, responsable X      (X's key)
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { anneeScolaireOf, todayIso } from "../../app/statut/annee-scolaire";
import { seedAccounts, seedReferentiel, siretOf, uaiOf, type Organisme, type Persona, type Referentiel } from "./auth-fixtures";
import { dossier } from "./ingestion-fixtures";

export interface Chaine {
  ref: Referentiel;
  G: Organisme;
  accounts: Record<Persona, { id: number; email: string }>;
  /** Effectif id by id_erp_apprenant. */
  ids: Record<string, number>;
}

/** The learners of G through its responsable F: what R's users must never see. */
export const SECRET_G = "Secretgamma";

export async function seedChaine(database: Database, options: { avecResponsableR?: boolean } = {}): Promise<Chaine> {
  const ref = await seedReferentiel(database);
  const accounts = await seedAccounts(database, ref);
  const siret = siretOf(4);
  const uai = uaiOf(4);
  const [row] = await database.rows<{ id: number }>(sql`
    insert into organismes (siret, uai, nature, raison_sociale, region_code, departement_code, academie_code, reseaux)
    values (${siret}, ${uai}, 'formateur', 'Antenne Gamma de F', '84', '01', '10', '{}'::text[]) returning id`);
  const G: Organisme = { id: Number(row.id), siret, uai, raisonSociale: "Antenne Gamma de F" };
  await database.rows(sql`insert into organisme_relations (formateur_id, responsable_id) values (${G.id}, ${ref.F.id})`);

  const annee = anneeScolaireOf(todayIso());
  const y = Number(annee.slice(0, 4));
  const dates = {
    annee_scolaire: annee,
    date_metier_mise_a_jour_statut: `${y}-08-01`,
    date_inscription_formation: `${y}-07-01`,
    date_entree_formation: `${y}-08-01`,
    date_fin_formation: `${y + 2}-06-30`,
    contrat_date_debut: `${y}-08-01`,
    contrat_date_fin: `${y + 2}-07-31`,
  };
  const o = (x: Organisme) => ({ id: x.id, siret: x.siret, uai: x.uai, raison_sociale: x.raisonSociale });
  const [R, F, X, Gt] = [o(ref.R), o(ref.F), o(ref.X), o(G)];
  const d = (formateur: typeof R, responsable: typeof R, id: string, nom: string, extra: Record<string, unknown> = {}) =>
    dossier(formateur, responsable, { ...dates, id_erp_apprenant: id, nom_apprenant: nom, prenom_apprenant: id, ...extra });

  const parR = [d(R, R, "R-1", "Rhodanien"), d(F, R, "F-1", "Ferrand"), d(F, R, "F-2", "Ferrand")];
  if (options.avecResponsableR) parR.push(d(Gt, R, "RG-1", "Gammaduresponsable"));
  const ok = async (items: unknown[], organismeId: number) => {
    const r = await ingestDossiers(database, items, { organismeId, source: "API" });
    if (r.nbRejected) throw new Error(`dossiers refusés : ${JSON.stringify(r)}`);
  };
  await ok(parR, R.id);
  await ok(
    [
      ...[1, 2, 3].map((n) => d(Gt, F, `G-${n}`, SECRET_G, { email_contact: `gamma${n}@exemple.fr`, tel_apprenant: `060000000${n}` })),
    ],
    F.id,
  );
  await ok([d(X, X, "X-1", "Secretdehors"), d(F, X, "FX-1", "Partagedehors")], X.id);

  const ids: Record<string, number> = {};
  for (const r of await database.rows<{ id: number; id_erp_apprenant: string }>(sql`select id, id_erp_apprenant from effectifs`)) {
    ids[r.id_erp_apprenant] = Number(r.id);
  }
  return { ref, G, accounts, ids };
}
