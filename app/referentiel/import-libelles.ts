/**
 * The words of the référentiel imports (browser-safe: the admin page shows them, the CLI prints them): the kinds of
 * file the page offers, the size limit of an upload, and a file's unit agreed in gender and number — a CSV or XLSX
 * file has lines ("2 lignes lues", "1 ligne rejetée"), a JSON file elements ("2 éléments lus", "1 élément rejeté");
 * the summary of an import and its line in the list of recent imports, counts in French ("20 000", "1,3 s").
 */
import { formatDecimal, formatNombre, pluriel } from "../ui/format";

export type ImportKind = "organismes" | "formations" | "bassins";

/** "élément" for JSON files (the element's index, 1-based), "ligne" otherwise. */
export type LineUnit = "ligne" | "élément";

/** The largest file the admin page accepts (the CLI reads any size). */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

export const IMPORT_KINDS: { value: ImportKind; label: string; hint: string; formats: { value: string; label: string }[] }[] = [
  {
    value: "organismes",
    label: "Organismes",
    hint: "CSV ou JSON documentés (docs/formats), ou liste publique des organismes de formation (CSV data.gouv.fr).",
    formats: [
      { value: "csv", label: "CSV documenté" },
      { value: "json", label: "JSON documenté" },
      { value: "lpof", label: "Liste publique des organismes de formation" },
    ],
  },
  {
    value: "formations",
    label: "Formations",
    hint: "Table BCN N_FORMATION_DIPLOME (CSV « ; » ou « | », ISO-8859-1) ou catalogue CSV (cfd, rncp, niveau, intitulé, organismes).",
    formats: [
      { value: "bcn", label: "BCN N_FORMATION_DIPLOME" },
      { value: "catalogue", label: "Catalogue CSV" },
    ],
  },
  { value: "bassins", label: "Bassins d'emploi", hint: "Table INSEE des zones d'emploi 2020 (XLSX ou CSV : CODGEO, ZE2020, LIBZE2020).", formats: [] },
];

/** A past participle agreed with `n` units: "lue", "lus", "rejetée", "rejetés"… */
function accord(participe: string, unit: LineUnit, n: number): string {
  return `${participe}${unit === "ligne" ? "e" : ""}${n > 1 ? "s" : ""}`;
}

/** "2 éléments lus", "1 ligne rejetée", "0 ligne rejetée" (French: the singular up to 1). */
export function unitesAccordees(n: number, unit: LineUnit, participe: "lu" | "rejeté" | "importé"): string {
  return `${pluriel(n, unit)} ${accord(participe, unit, n)}`;
}

/** "cette ligne n'a pas été importée", "ces éléments n'ont pas été importés". */
export function nonImportees(n: number, unit: LineUnit): string {
  const demonstratif = n > 1 ? "ces" : unit === "ligne" ? "cette" : "cet";
  return `${demonstratif} ${n > 1 ? `${unit}s` : unit} ${n > 1 ? "n'ont" : "n'a"} pas été ${accord("importé", unit, n)}`;
}

/** The label of an import's kind, as the form names it ("Bassins d'emploi"); an unknown kind as it is. */
export function libelleImport(kind: string): string {
  return IMPORT_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

/** "1,3 s", "0,4 s", "1 234,5 s": a duration in seconds, one decimal, in French. */
export function dureeImport(ms: number): string {
  return `${formatDecimal(ms / 1000)} s`;
}

/** The counts of a finished import (the summary's, ImportSummary). */
export interface ComptesImport {
  lines: number;
  durationMs: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  lineUnit?: LineUnit;
}

/** "20 000 lignes lues en 5,5 s — 0 créé, 20 000 mis à jour, 0 inchangé, 0 ligne rejetée." (`rejetees`: lines rejected). */
export function resumeImport(s: ComptesImport, rejetees: number): string {
  const unit = s.lineUnit ?? "ligne";
  return (
    `${unitesAccordees(s.lines, unit, "lu")} en ${dureeImport(s.durationMs)} — ${pluriel(s.created, "créé")}, ${formatNombre(s.updated)} mis à jour, ` +
    `${pluriel(s.unchanged, "inchangé")}${s.skipped ? `, ${pluriel(s.skipped, "ignoré")}` : ""}, ${unitesAccordees(rejetees, unit, "rejeté")}.`
  );
}

/** The result of a finished import in the list of recent imports: "0 créé, 20 000 mis à jour, 1 rejet". */
export function resultatImport(j: { created: number | null; updated: number | null; rejected: number | null }): string {
  return `${pluriel(j.created ?? 0, "créé")}, ${formatNombre(j.updated ?? 0)} mis à jour, ${pluriel(j.rejected ?? 0, "rejet")}`;
}
