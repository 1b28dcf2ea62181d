/** Labels and columns of the indicator exports (browser-safe: the page shows them). */
import { REPARTITIONS } from "../indicateurs/filters";

export const REPARTITIONS_EXPORT = ["total", ...REPARTITIONS] as const;
export type RepartitionExport = (typeof REPARTITIONS_EXPORT)[number];

export const LIBELLES_REPARTITION: Record<RepartitionExport, string> = {
  total: "Total (sans répartition)",
  region: "Par région",
  departement: "Par département",
  academie: "Par académie",
  organisme: "Par organisme",
  formation: "Par formation",
  niveau: "Par niveau",
};

/** At most this many months in one export (five school years). */
export const MOIS_MAX = 60;

export const COLONNES_EXPORT = [
  "Mois",
  "Date",
  "Répartition",
  "Code",
  "Libellé",
  "SIRET",
  "UAI",
  "CFD",
  "RNCP",
  "Apprenants",
  "Apprentis",
  "Inscrits sans contrat",
  "Rupturants",
  "Abandons",
  "Fins de formation",
  "Rupturants depuis moins de 45 jours",
  "Rupturants depuis 45 à 89 jours",
  "Rupturants depuis 90 à 180 jours",
  "Sans contrat depuis 30 jours ou moins",
  "Sans contrat depuis 60 jours ou moins",
  "Sans contrat depuis 90 jours ou moins",
  "À risque",
  "Effectifs comptés",
];
