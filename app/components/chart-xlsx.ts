/**
 * A chart's table as an XLSX, made in the browser (app/components/Chart.tsx loads this module on the first click of
 * « Télécharger (XLSX) », with the writer it needs).
 */
import { jourJjMmAaaa } from "~/shared/csv";
import { xlsxBytes, type XlsxCell } from "~/shared/xlsx-writer";
import { lignesDeTelechargement, type ChartCell, type ChartData } from "./chart-donnees";

export { XLSX_CONTENT_TYPE } from "~/shared/xlsx-writer";

/**
 * The table's rows for a workbook: the header, then the cells (link texts, raw numbers, "< 5" as is), a day
 * "JJ/MM/AAAA" as a real date (decision 019). Codes stay text ("01").
 */
export function chartRows(data: ChartData): XlsxCell[][] {
  const cell = (v: ChartCell): XlsxCell => {
    if (v !== null && typeof v === "object") return v.text;
    return (typeof v === "string" && jourJjMmAaaa(v)) || v;
  };
  const [entete, ...lignes] = lignesDeTelechargement(data);
  return [entete.map((c) => (c !== null && typeof c === "object" ? c.text : c)), ...lignes.map((r) => r.map(cell))];
}

/**
 * The workbook of a chart's table, its parts stored (no zlib in the browser): the table, in a sheet of the chart's
 * short name (`data.feuille`, else its title shortened at a word: xlsx-writer.ts `nomDeFeuille`), then — when the
 * chart says what its figures count — a « Paramètres » sheet, one line each, as the national exports write it.
 */
export function chartXlsx(title: string, data: ChartData): Uint8Array<ArrayBuffer> {
  const feuilles = [{ name: data.feuille ?? title, rows: chartRows(data) }];
  if (data.parametres) {
    feuilles.push({ name: "Paramètres", rows: [["Paramètre", "Valeur"], ["Graphique", title], ...data.parametres.map((p) => [p.nom, p.valeur])] });
  }
  return xlsxBytes(feuilles);
}
