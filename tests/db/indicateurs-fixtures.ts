/**
 * Helpers of the indicator tests (tests/db/indicateurs*.test.ts).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";

/** Every non-zero aggregate row of every aggregate table, in a stable order (to compare with a full rebuild). */
export function dumpAgregats(database: Database) {
  return database.rows(sql`
    select 'dep' t, jour::text, departement_code k, etat::text e, risque::text r, n from indicateurs_agregats_departement where n <> 0
    union all select 'org', jour::text, organisme_formateur_id || '/' || organisme_responsable_id || '/' || departement_code, etat::text, risque::text, n
      from indicateurs_agregats_organisme where n <> 0
    union all select 'demo', jour::text, concat_ws('/', departement_code, niveau, annee_formation, sexe, rqth, tranche_age), etat::text, '', n
      from indicateurs_agregats_demographie where n <> 0
    union all select 'formation', jour::text, formation_id || '/' || niveau, etat::text, risque::text, n
      from indicateurs_agregats_formation where n <> 0
    union all select 'formation-dep', jour::text, departement_code || '/' || formation_id || '/' || niveau, etat::text, risque::text, n
      from indicateurs_agregats_formation_departement where n <> 0
    order by 1, 2, 3, 4, 5`);
}
