/**
 * Anomaly rules of the référentiel des organismes (issue 8), pure (unit-tested): they use the same checks as the
 * importers (codes.ts).
 */
import { cleSiretFausse, codePostalContredit, departementsDuCodePostal, isValidSiret, isValidUai, SIRET_PATTERN } from "./codes";
import { DEPARTEMENTS } from "./decoupage";

export const ANOMALIE_TYPES = [
  "uai_invalide",
  "siret_invalide",
  "siret_ferme",
  "nature_inconnue",
  "uai_plusieurs_sirets",
  "formateur_sans_responsable",
  "territoire_inconnu",
  "code_postal_incoherent",
] as const;
export type AnomalieType = (typeof ANOMALIE_TYPES)[number];

export const ANOMALIE_LABELS: Record<AnomalieType, string> = {
  uai_invalide: "UAI invalide",
  siret_invalide: "SIRET invalide",
  siret_ferme: "SIRET fermé",
  nature_inconnue: "Nature inconnue",
  uai_plusieurs_sirets: "UAI porté par plusieurs SIRET",
  formateur_sans_responsable: "Formateur sans responsable",
  territoire_inconnu: "Sans département",
  code_postal_incoherent: "Code postal d'un autre département",
};

/** The départements a postal code may designate (the 101 that have an académie). */
export const CODES_DEPARTEMENTS: ReadonlySet<string> = new Set(Object.keys(DEPARTEMENTS));

export interface OrganismeAnomalieInput {
  id: number;
  siret: string;
  uai: string | null;
  nature: string;
  etat_administratif: string;
  /** null: no commune of the référentiel des communes (absent or unknown); undefined: not looked at. */
  departement_code?: string | null;
  /** Compared with the département (undefined: not looked at). */
  code_postal?: string | null;
  code_commune?: string | null;
}

export interface Anomalie {
  type: AnomalieType;
  message: string;
}

/**
 * The anomalies of each organisme. `sirretsByUai` gives, for every UAI, the distinct SIRETs that carry it in the
 * whole référentiel; `hasResponsable` the formateurs that have at least one responsable.
 */
export function detectAnomalies(
  organisme: OrganismeAnomalieInput,
  context: {
    siretsByUai: Map<string, Set<string>>;
    hasResponsable: Set<number>;
    /** The postal codes of the organismes' communes (a commune absent: not in the référentiel des communes). */
    codesPostauxDesCommunes?: Map<string, string[]>;
  },
): Anomalie[] {
  const out: Anomalie[] = [];
  if (organisme.uai !== null && !isValidUai(organisme.uai)) {
    out.push({
      type: "uai_invalide",
      message: /^[0-9]{7}[A-Za-z]$/.test(organisme.uai)
        ? `UAI ${organisme.uai} : la lettre de contrôle est fausse`
        : `UAI ${organisme.uai} : 7 chiffres suivis d'une lettre attendus`,
    });
  }
  if (!isValidSiret(organisme.siret)) {
    out.push({
      type: "siret_invalide",
      message: `SIRET ${organisme.siret} : ${SIRET_PATTERN.test(organisme.siret) ? cleSiretFausse(organisme.siret, "la clé de contrôle est fausse") : "14 chiffres attendus"}`,
    });
  }
  if (organisme.etat_administratif === "ferme") out.push({ type: "siret_ferme", message: `SIRET ${organisme.siret} fermé : remplacer par le SIRET de l'établissement successeur` });
  if (organisme.nature === "inconnue") out.push({ type: "nature_inconnue", message: "Nature inconnue : ni responsable, ni formateur, ni lieu de formation" });
  if (organisme.uai) {
    const sirets = context.siretsByUai.get(organisme.uai);
    if (sirets && sirets.size > 1) {
      const others = [...sirets].filter((s) => s !== organisme.siret).sort();
      out.push({ type: "uai_plusieurs_sirets", message: `UAI ${organisme.uai} également porté par ${others.length === 1 ? "le SIRET" : "les SIRET"} ${others.join(", ")}` });
    }
  }
  if (organisme.nature === "formateur" && !context.hasResponsable.has(organisme.id)) {
    out.push({ type: "formateur_sans_responsable", message: "Organisme formateur rattaché à aucun organisme responsable" });
  }
  if (organisme.departement_code === null) {
    // its learners count nationally, and in no région, académie or département: no territorial service sees them
    out.push({
      type: "territoire_inconnu",
      message: "Commune absente ou inconnue : ses apprenants ne comptent que dans les chiffres nationaux, dans aucune région ni aucun département",
    });
  }
  const cp = organisme.code_postal;
  const commune = organisme.code_commune ? context.codesPostauxDesCommunes?.get(organisme.code_commune) : undefined;
  if (codePostalContredit(cp, organisme.departement_code, commune, CODES_DEPARTEMENTS)) {
    // its learners count in the commune's département: the postal code says another one, one of them is wrong
    out.push({
      type: "code_postal_incoherent",
      message: `Code postal ${cp} (département ${departementsDuCodePostal(cp!, CODES_DEPARTEMENTS)!.join(" ou ")}) et commune ${organisme.code_commune ?? "inconnue"} (département ${organisme.departement_code}) : l'un des deux est faux ; l'organisme compte dans le département ${organisme.departement_code}`,
    });
  }
  return out;
}
