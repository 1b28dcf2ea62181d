/**
 * Static territory maps the policy needs to compare a scope and a target without a query: département → région,
 * académie → région, académie → départements (app/referentiel/decoupage) and département → académie
 * (app/referentiel/academies).
 *
 * Only the 101 départements that have an académie are known: the collectivités d'outre-mer (975, 977…, each its own
 * région in @etalab/decoupage-administratif) have no région here, and are in no scope either (an organisation's
 * région is one of the regions table, which holds the 18 régions of the 101 départements).
 */
export {
  departementsDeLAcademie as departementsOfAcademie,
  regionDeLAcademie as regionOfAcademie,
  regionDuDepartement as regionOfDepartement,
} from "../referentiel/decoupage";
import { ACADEMIE_BY_DEPARTEMENT } from "../referentiel/academies";

export function academieOfDepartement(code: string): string | undefined {
  return ACADEMIE_BY_DEPARTEMENT[code];
}
