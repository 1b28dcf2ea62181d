/**
 * From a v3 "dossier apprenant" (the object an ERP sends, or the same fields read back) to the statut engine's
 * input. Reused by the `statut` CLI and the ingestion pipeline. Pure, no I/O.
 *
 * Dates may be "YYYY-MM-DD" strings with an optional time part (only the first 10 characters are kept) or Date
 * objects (their UTC day). null, undefined and "" mean "no date". Throws a `DossierInvalideError` (French
 * message naming the field) when:
 * - date_entree_formation or date_fin_formation is missing or not a date;
 * - any other date read here is not a date;
 * - date_fin_formation is before date_entree_formation;
 * - a contract has a date_fin or a date_rupture but no date_debut.
 * (the last two are errors of the v3 feed: domain.md, "Normalisations ERPs rely on").
 */

import { isIsoDate } from "./days";
import type { ContratDates, StatutInput } from "./engine";

/** Suffixes of the up to 4 contracts of a v3 dossier. */
export const CONTRAT_SUFFIXES = ["", "_2", "_3", "_4"] as const;

export class DossierInvalideError extends Error {
  constructor(
    /** the v3 field at fault */
    readonly champ: string,
    message: string,
  ) {
    super(message);
    this.name = "DossierInvalideError";
  }
}

/** A date field → "YYYY-MM-DD", or null when absent. */
function readDate(d: Record<string, unknown>, champ: string): string | null {
  const value = d[champ];
  if (value === null || value === undefined || value === "") return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DossierInvalideError(champ, `${champ} : date invalide`);
    return value.toISOString().slice(0, 10);
  }
  if (typeof value !== "string" || !isIsoDate(value.trim())) {
    throw new DossierInvalideError(
      champ,
      `${champ} : date invalide (${JSON.stringify(value)}), attendu AAAA-MM-JJ`,
    );
  }
  return value.trim().slice(0, 10);
}

function readRequiredDate(d: Record<string, unknown>, champ: string): string {
  const date = readDate(d, champ);
  if (date === null) throw new DossierInvalideError(champ, `${champ} : champ obligatoire manquant`);
  return date;
}

export function statutInputFromDossier(d: Record<string, unknown>): StatutInput {
  const date_entree_formation = readRequiredDate(d, "date_entree_formation");
  const date_fin_formation = readRequiredDate(d, "date_fin_formation");
  if (date_fin_formation < date_entree_formation) {
    throw new DossierInvalideError(
      "date_fin_formation",
      `date_fin_formation (${date_fin_formation}) est antérieure à date_entree_formation (${date_entree_formation})`,
    );
  }
  const date_exclusion_formation = readDate(d, "date_exclusion_formation");

  const contrats: ContratDates[] = [];
  for (const suffix of CONTRAT_SUFFIXES) {
    const date_debut = readDate(d, `contrat_date_debut${suffix}`);
    const date_fin = readDate(d, `contrat_date_fin${suffix}`);
    const date_rupture = readDate(d, `contrat_date_rupture${suffix}`);
    if (date_debut === null) {
      if (date_fin !== null || date_rupture !== null) {
        const champ = `contrat_date_debut${suffix}`;
        const autre = date_fin !== null ? `contrat_date_fin${suffix}` : `contrat_date_rupture${suffix}`;
        throw new DossierInvalideError(champ, `${champ} : champ manquant alors que ${autre} est renseigné`);
      }
      continue;
    }
    contrats.push({ date_debut, date_fin, date_rupture });
  }
  return { date_entree_formation, date_fin_formation, date_exclusion_formation, contrats };
}
