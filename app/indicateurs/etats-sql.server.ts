/**
 * The état rules of app/indicateurs/etats.ts as SQL, for the queries and the storage that count or list learners:
 * one definition of "sans contrat" (INSCRIT or RUPTURANT) and of "à risque" for every reader.
 */
import { sql, type SQL } from "drizzle-orm";
import { ETAT_SANS_CONTRAT_MAX, ETAT_SANS_CONTRAT_MIN } from "./etats";

/** `etat` is one of a learner without contract at the date (as `estSansContrat`). */
export function etatSansContratSql(etat: SQL): SQL {
  return sql`${etat} between ${sql.raw(String(ETAT_SANS_CONTRAT_MIN))} and ${sql.raw(String(ETAT_SANS_CONTRAT_MAX))}`;
}

/** "À risque" (as `estARisque`): without contract, and a minor or RQTH at the date (`mineur`, `rqth`: SQL booleans). */
export function aRisqueSql(etat: SQL, mineur: SQL, rqth: SQL): SQL {
  return sql`(${etatSansContratSql(etat)} and (${mineur} or ${rqth}))`;
}
