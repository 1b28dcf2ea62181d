/**
 * A chart's data as its table shows it and its downloads write it (Chart.tsx: CSV; chart-xlsx.ts: XLSX, loaded on
 * the first click). Pure, browser-safe.
 */
import { avecColonneFiltres } from "~/ui/format";

/** A table cell: a value, a masked count, or a link (its text goes to the CSV). */
export type ChartCell = string | number | null | { text: string; href: string };

export interface ChartData {
  columns: string[];
  rows: ChartCell[][];
  fileName: string;
  /**
   * What the figures count, said by the downloads (a dashboard's scope, day and filters: app/tableaux/fichiers.ts):
   * a last column « Filtres » on every row of the CSV and of the XLSX, and the XLSX's « Paramètres » sheet, as the
   * national exports write them. The page's table shows the figures only (the page says its filters).
   */
  parametres?: { nom: string; valeur: string }[];
  /** The XLSX sheet's name, short and whole (31 characters at most); default: the title shortened at a word. */
  feuille?: string;
}

/**
 * The rows of a chart's downloads: the table's header and cells, and its « Filtres » column when the chart says what
 * its figures count (`parametres`).
 */
export function lignesDeTelechargement(data: ChartData): ChartCell[][] {
  const lignes = [data.columns, ...data.rows];
  return data.parametres ? avecColonneFiltres<ChartCell>(lignes, data.parametres) : lignes;
}

