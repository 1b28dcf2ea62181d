/** Labels and columns of the indicator exports (browser-safe: the page shows them). */
import { REPARTITIONS } from "../indicateurs/filters";
import { dateJjMmAaaa, type CsvValue } from "../shared/csv";
import { dateIsoEnFrancais, formatMois, formatNombre } from "../ui/format";

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
  /** The export's filters in French on every row ("Région : Auvergne-Rhône-Alpes · Niveau : 3 (CAP, BEP)", or "aucun"). */
  "Filtres",
];

/** The format of the columns that need it, said in the files' header (decision 019). */
const FORMATS_COLONNES: Partial<Record<string, string>> = { Mois: "AAAA-MM", Date: "JJ/MM/AAAA" };

/** The files' header: the columns, with their format when it is not obvious ("Mois (AAAA-MM)", "Date (JJ/MM/AAAA)"). */
export const ENTETE_EXPORT = COLONNES_EXPORT.map((c) => (FORMATS_COLONNES[c] ? `${c} (${FORMATS_COLONNES[c]})` : c));

/**
 * A row of the export as the page's preview shows it, in French: "novembre 2026", "15/11/2026", "1 234" (the files
 * keep "2026-11" — the format of the debut= and fin= filters —, write the date 15/11/2026 in a CSV and as a real date
 * in an XLSX, and plain numbers, for reuse).
 */
export function celluleApercu(valeur: CsvValue, colonne: number): string {
  if (valeur === null || valeur === undefined || valeur === "") return "";
  if (typeof valeur === "number") return formatNombre(valeur);
  if (typeof valeur === "object") return dateJjMmAaaa(valeur);
  const s = String(valeur);
  switch (COLONNES_EXPORT[colonne]) {
    case "Mois":
      return /^\d{4}-\d{2}$/.test(s) ? formatMois(s) : s;
    case "Date":
      return dateIsoEnFrancais(s);
    default:
      return s;
  }
}
