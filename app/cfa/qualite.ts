/**
 * Data quality of a CFA's effectifs (issue 7, item 6): the fields the figures depend on that are missing or
 * doubtful, how to fix each in the ERP, and a score. Pure rules, browser-safe (no I/O).
 *
 * Checked, per effectif (the fields that matter for the indicators and the follow-up of learners):
 * - sexe (breakdowns by sex);
 * - commune de résidence: missing, or a code that is not a commune INSEE code (often the postal code);
 * - contract dates: a contract without end date, ending (or broken) before it starts, starting after the end of
 *   the formation; a learner the ERP calls "apprenti" (statut 3) with no contract transmitted;
 * - formation: neither CFD nor RNCP code, or codes unknown to the catalogue (the effectif counts in no formation);
 * - birth date: under AGE_MINIMUM_ENTREE years old at the entry in formation (a mistyped year, most often);
 * - année scolaire: the formation's dates [entrée, fin] do not meet the année scolaire sent, so that the effectif
 *   is counted in none of the years it is trained in (domain.md: an effectif counts in its année scolaire).
 * The score is the share of effectifs without any anomaly (100 % when the CFA has no effectif).
 */

import { ageAt, fenetreComptage } from "../indicateurs/etats";

export const ANOMALIES_QUALITE = [
  "sexe_manquant",
  "commune_manquante",
  "commune_inconnue",
  "contrat_sans_date_fin",
  "contrat_dates_incoherentes",
  "contrat_apres_formation",
  "contrat_manquant",
  "formation_sans_code",
  "formation_inconnue",
  "age_improbable",
  "annee_scolaire_hors_formation",
] as const;

/** Below this age at the entry in formation, the birth date is doubtful (apprenticeship starts at 15, 14 at most). */
export const AGE_MINIMUM_ENTREE = 14;

export type AnomalieQualite = (typeof ANOMALIES_QUALITE)[number];

export interface RegleQualite {
  /** Short label (lists, filters). */
  libelle: string;
  /** The field(s) concerned, as the ERP feed names them. */
  champs: readonly string[];
  /** How to fix it in the ERP. */
  correction: string;
}

export const REGLES_QUALITE: Record<AnomalieQualite, RegleQualite> = {
  sexe_manquant: {
    libelle: "Sexe non renseigné",
    champs: ["sexe_apprenant"],
    correction: "Renseignez le sexe (M ou F) dans la fiche de l'apprenant de votre ERP ; il sera transmis à la prochaine synchronisation.",
  },
  commune_manquante: {
    libelle: "Commune de résidence non renseignée",
    champs: ["code_commune_insee_apprenant"],
    correction:
      "Renseignez l'adresse de l'apprenant avec sa commune dans votre ERP : c'est le code commune INSEE (5 caractères, ex. 69123 pour Lyon) qui est attendu, pas seulement le code postal.",
  },
  commune_inconnue: {
    libelle: "Code commune INSEE inconnu",
    champs: ["code_commune_insee_apprenant"],
    correction:
      "Le code transmis n'est pas un code commune INSEE (c'est souvent le code postal qui est envoyé à sa place) : corrigez la commune de résidence dans la fiche de l'apprenant de votre ERP.",
  },
  contrat_sans_date_fin: {
    libelle: "Contrat sans date de fin",
    champs: ["contrat_date_fin"],
    correction: "Saisissez la date de fin prévue du contrat d'apprentissage (celle du CERFA) dans la fiche contrat de l'apprenant.",
  },
  contrat_dates_incoherentes: {
    libelle: "Dates de contrat incohérentes",
    champs: ["contrat_date_debut", "contrat_date_fin", "contrat_date_rupture"],
    correction:
      "La date de fin ou de rupture du contrat est antérieure à sa date de début : vérifiez les dates saisies dans la fiche contrat (une inversion jour/mois est fréquente).",
  },
  contrat_apres_formation: {
    libelle: "Contrat commençant après la fin de la formation",
    champs: ["contrat_date_debut", "date_fin_formation"],
    correction:
      "Le contrat commence après la date de fin de formation : vérifiez la date de début du contrat et la date de fin de formation (la formation a-t-elle été prolongée ?).",
  },
  contrat_manquant: {
    libelle: "Apprenti sans contrat transmis",
    champs: ["contrat_date_debut", "statut_apprenant"],
    correction:
      "Votre ERP déclare cet apprenant en contrat (statut 3) mais aucun contrat n'a été transmis : saisissez le contrat (employeur, date de début, date de fin) dans la fiche de l'apprenant, ou corrigez son statut.",
  },
  formation_sans_code: {
    libelle: "Formation sans code CFD ni RNCP",
    champs: ["formation_cfd", "formation_rncp"],
    correction:
      "Renseignez le code diplôme (CFD, 8 caractères) ou le code RNCP de la formation dans le paramétrage des formations de votre ERP : sans code, l'apprenant n'est compté dans aucune formation.",
  },
  formation_inconnue: {
    libelle: "Code CFD ou RNCP inconnu du catalogue",
    champs: ["formation_cfd", "formation_rncp"],
    correction:
      "Le code transmis n'existe pas dans le catalogue des formations (code erroné, ancien code ou formation fermée) : vérifiez-le dans le paramétrage des formations de votre ERP, ou demandez l'ajout de la formation au catalogue.",
  },
  age_improbable: {
    libelle: "Date de naissance improbable",
    champs: ["date_de_naissance_apprenant", "date_entree_formation"],
    correction: `L'apprenant aurait moins de ${AGE_MINIMUM_ENTREE} ans à son entrée en formation : vérifiez l'année de naissance saisie dans sa fiche de votre ERP.`,
  },
  annee_scolaire_hors_formation: {
    libelle: "Année scolaire hors des dates de formation",
    champs: ["annee_scolaire", "date_entree_formation", "date_fin_formation"],
    correction:
      "L'année scolaire transmise ne recouvre pas les dates de formation : l'apprenant n'est compté dans aucune des années où il est en formation. Corrigez l'année scolaire (ou les dates) de l'inscription dans votre ERP.",
  },
};

export interface ContratQualite {
  dateDebut: string;
  dateFin: string | null;
  dateRupture: string | null;
}

export interface EffectifQualite {
  sexe: string | null;
  codeCommuneInsee: string | null;
  codePostal: string | null;
  /** Whether code_commune_insee is in the communes table (null when not known / not checked). */
  communeConnue: boolean | null;
  formationCfd: string | null;
  formationRncp: string | null;
  formationId: number | null;
  dateDeNaissance: string;
  dateEntreeFormation: string;
  dateFinFormation: string;
  /** "2024-2025" (1 August → 31 July) or "2025-2025" (a calendar year). */
  anneeScolaire: string;
  /** The ERP's statut (0, 2, 3). */
  statutApprenant: number | null;
  contrats: ContratQualite[];
}

export interface AnomalieTrouvee {
  type: AnomalieQualite;
  /** Detail of this effectif (the value received, the contract concerned…). */
  detail?: string;
}

function jour(iso: string): string {
  const [y, m, d] = iso.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** The anomalies of one effectif, in the order of ANOMALIES_QUALITE. */
export function anomaliesEffectif(e: EffectifQualite): AnomalieTrouvee[] {
  const found: AnomalieTrouvee[] = [];
  if (e.sexe !== "M" && e.sexe !== "F") found.push({ type: "sexe_manquant" });
  if (!e.codeCommuneInsee) found.push({ type: "commune_manquante" });
  else if (e.communeConnue === false) {
    found.push({
      type: "commune_inconnue",
      detail:
        e.codePostal && e.codePostal === e.codeCommuneInsee
          ? `code reçu ${e.codeCommuneInsee}, identique au code postal`
          : `code reçu ${e.codeCommuneInsee}`,
    });
  }
  const sansFin = e.contrats.findIndex((c) => !c.dateFin);
  if (sansFin >= 0) found.push({ type: "contrat_sans_date_fin", detail: `contrat n° ${sansFin + 1} commencé le ${jour(e.contrats[sansFin].dateDebut)}` });
  const incoherent = e.contrats.findIndex(
    (c) => (c.dateFin && c.dateFin.slice(0, 10) < c.dateDebut.slice(0, 10)) || (c.dateRupture && c.dateRupture.slice(0, 10) < c.dateDebut.slice(0, 10)),
  );
  if (incoherent >= 0) {
    const c = e.contrats[incoherent];
    const fin = c.dateRupture && c.dateRupture < c.dateDebut ? `rupture le ${jour(c.dateRupture)}` : `fin le ${jour(c.dateFin!)}`;
    found.push({ type: "contrat_dates_incoherentes", detail: `contrat n° ${incoherent + 1} : début le ${jour(c.dateDebut)}, ${fin}` });
  }
  const apres = e.contrats.findIndex((c) => c.dateDebut.slice(0, 10) > e.dateFinFormation.slice(0, 10));
  if (apres >= 0) {
    found.push({
      type: "contrat_apres_formation",
      detail: `contrat n° ${apres + 1} commencé le ${jour(e.contrats[apres].dateDebut)}, formation terminée le ${jour(e.dateFinFormation)}`,
    });
  }
  if (e.statutApprenant === 3 && e.contrats.length === 0) found.push({ type: "contrat_manquant" });
  if (!e.formationCfd && !e.formationRncp) found.push({ type: "formation_sans_code" });
  else if (e.formationId === null) {
    found.push({ type: "formation_inconnue", detail: [e.formationCfd && `CFD ${e.formationCfd}`, e.formationRncp].filter(Boolean).join(", ") });
  }
  if (ageAt(e.dateDeNaissance.slice(0, 10), e.dateEntreeFormation.slice(0, 10)) < AGE_MINIMUM_ENTREE) {
    found.push({ type: "age_improbable", detail: `né(e) le ${jour(e.dateDeNaissance)}, entré(e) en formation le ${jour(e.dateEntreeFormation)}` });
  }
  // the days an effectif of this année scolaire is counted (domain.md)
  const annee = fenetreComptage(e.anneeScolaire);
  if (annee && (e.dateEntreeFormation.slice(0, 10) > annee.fin || e.dateFinFormation.slice(0, 10) < annee.debut)) {
    found.push({
      type: "annee_scolaire_hors_formation",
      detail: `année scolaire ${e.anneeScolaire}, formation du ${jour(e.dateEntreeFormation)} au ${jour(e.dateFinFormation)}`,
    });
  }
  return found;
}


/** Share (0..1) of effectifs without anomaly; 1 when there is no effectif. */
export function scoreQualite(total: number, avecAnomalie: number): number {
  if (total <= 0) return 1;
  return Math.max(0, Math.min(1, (total - avecAnomalie) / total));
}

export type NiveauQualite = "tres_bonne" | "bonne" | "a_ameliorer" | "insuffisante";

export function niveauQualite(score: number): NiveauQualite {
  if (score >= 0.95) return "tres_bonne";
  if (score >= 0.85) return "bonne";
  if (score >= 0.7) return "a_ameliorer";
  return "insuffisante";
}

export const NIVEAUX_QUALITE: Record<NiveauQualite, { libelle: string; badge: string }> = {
  tres_bonne: { libelle: "Très bonne", badge: "fr-badge--success" },
  bonne: { libelle: "Bonne", badge: "fr-badge--info" },
  a_ameliorer: { libelle: "À améliorer", badge: "fr-badge--warning" },
  insuffisante: { libelle: "Insuffisante", badge: "fr-badge--error" },
};
