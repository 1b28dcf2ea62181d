/** French labels of the référentiel, browser-safe. */
export const NATURE_LABELS: Record<string, string> = {
  responsable: "Responsable",
  formateur: "Formateur",
  responsable_formateur: "Responsable et formateur",
  lieu: "Lieu de formation",
  inconnue: "Inconnue",
};

export const FRAICHEUR_LABELS: Record<string, string> = {
  recente: "Moins d'une semaine",
  vieillissante: "D'une semaine à 3 mois",
  ancienne: "Plus de 3 mois",
  jamais: "Jamais transmis",
};

/** DSFR badge class of a freshness. */
export const FRAICHEUR_BADGES: Record<string, string> = {
  recente: "fr-badge--success",
  vieillissante: "fr-badge--warning",
  ancienne: "fr-badge--error",
  jamais: "fr-badge--info",
};

export const NIVEAU_LABELS: Record<number, string> = {
  3: "3 (CAP, BEP)",
  4: "4 (Baccalauréat, BP)",
  5: "5 (BTS, Bac+2)",
  6: "6 (Licence, BUT, Bac+3)",
  7: "7 (Master, ingénieur)",
  8: "8 (Doctorat)",
};

export const ETAT_LABELS: Record<string, string> = { actif: "Actif", ferme: "Fermé" };

/** Why an organisme is listed among the non-transmetteurs. */
export const STATUTS_TRANSMISSION = ["jamais", "arrete"] as const;
export type StatutTransmission = (typeof STATUTS_TRANSMISSION)[number];
export const STATUT_TRANSMISSION_LABELS: Record<StatutTransmission, string> = {
  jamais: "N'a jamais transmis",
  arrete: "A cessé de transmettre",
};

/** "Académie de Lyon", "Académie d'Aix-Marseille": the name of an académie, elided before a vowel. */
export function nomAcademie(nom: string): string {
  return /^[AEIOUYÉÈÊÀÂÎÔ]/i.test(nom) ? `Académie d'${nom}` : `Académie de ${nom}`;
}

/** "69 - Rhône": a département in a list of choices (the same dash everywhere). */
export function libelleDepartement(code: string, nom: string | undefined): string {
  return `${code} - ${nom ?? code}`;
}
