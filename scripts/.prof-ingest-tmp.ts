import { openDatabase, migrate } from "../db/client.server";
import { sql } from "drizzle-orm";
import { luhnCompletion, uaiCheckLetter } from "../app/referentiel/codes";
import { ingestDossiers } from "../app/ingestion/pipeline.server";
async function main() {
const db = await openDatabase({ url: "postgres://postgres@127.0.0.1:5432/ingest_prof", max: 5 }); await migrate(db);
const base = "2000000000001"; const siret = base + luhnCompletion(base); const uai = "0000001" + uaiCheckLetter("0000001");
const [o] = await db.rows<{id:number}>(sql`select id from organismes where siret = ${siret}`);
const mk = (i: number, run: string) => ({ nom_apprenant: "Martin", prenom_apprenant: "Léa", date_de_naissance_apprenant: "2005-01-02", annee_scolaire: "2024-2025", id_erp_apprenant: `${run}-${i}`, statut_apprenant: 3, date_metier_mise_a_jour_statut: "2024-09-02", tel_apprenant: "0612345678", formation_cfd: "50022141", date_inscription_formation: "2024-06-15", date_entree_formation: "2024-09-02", date_fin_formation: "2026-06-30", etablissement_responsable_uai: uai, etablissement_responsable_siret: siret, etablissement_formateur_uai: uai, etablissement_formateur_siret: siret, email_contact: "a@b.fr", code_postal_apprenant: "69001", sexe_apprenant: "F", contrat_date_debut: "2024-09-02", contrat_date_fin: "2026-08-31", siret_employeur: "78298832500018" });
const run = process.argv[2] ?? String(Date.now());
for (let r = 0; r < 6; r++) {
  const items = Array.from({ length: 2000 }, (_, i) => mk(i, `${run}${r % 3}`));
  const steps: Record<string, string> = {};
  const t = performance.now();
  await ingestDossiers(db, items, { organismeId: o.id, source: "API", trace: (s, ms) => (steps[s] = ms.toFixed(0)) });
  console.log(r < 3 ? "insert" : "update", (performance.now() - t).toFixed(0), JSON.stringify(steps));
}
await db.close();
}
main();
