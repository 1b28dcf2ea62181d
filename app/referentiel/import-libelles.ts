/**
 * The words of the référentiel imports (browser-safe: the admin page shows them, the CLI prints them): the kinds of
 * file the page offers, the size limit of an upload, and a file's unit agreed in gender and number — a CSV or XLSX
 * file has lines ("2 lignes lues", "1 ligne rejetée"), a JSON file elements ("2 éléments lus", "1 élément rejeté").
 */
import { pluriel } from "../ui/format";

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
