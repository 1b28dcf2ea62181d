/**
 * Where the table of an uploaded file starts (decision 026): which sheet of a workbook holds the effectifs, which row
 * holds the columns' names, and whether there is such a row at all. Pure and browser-safe: the caller says which
 * cells are known column names (`reconnue`: the mapping's aliases, the NIR's names).
 *
 * - The header row is, among the first LIGNES_EXAMINEES rows with a value, the one with the most known names (on a
 *   tie, the first): a title (« Export des apprenants au 07/12/2026 »), blank lines or a row of groups above it are
 *   skipped. A row counts only if it has more known names than values shaped like a learner's (dates, UAI, SIRET…):
 *   a learner whose formation is called « Formation » is no header.
 * - No row with a known name: the first row with a value is the header as before (names the mapping does not
 *   know, associated by hand), unless it looks like a learner's row (`ressembleAUneDonnee`): then the file has no
 *   header row, and that first row is a learner, not lost.
 * - The sheet: the visible sheet whose header row has the most known names (on a tie, the first), not the first
 *   sheet with a value, which is often a « Lisez-moi » or a hidden « Paramètres ». Hidden sheets are read only when
 *   no visible sheet has a value.
 */
import { isValidSiret, isValidUai } from "../referentiel/codes";
import { looksLikeNir } from "./mapping";

/** Rows with a value examined for the header row (at the top of the file or of each sheet). */
export const LIGNES_EXAMINEES = 10;

const DATE = /^(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})|\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Whether a cell is a learner's value rather than a column's name: a date, a UAI, a SIRET, a NIR, an e-mail address,
 * a year span (2024-2025) or a number (a name is not a number; « 2024 » as a column name is rare enough).
 */
export function ressembleAUneDonnee(cell: string): boolean {
  const v = cell.trim();
  if (v === "") return false;
  const compact = v.replace(/[\s.]/g, "");
  return (
    DATE.test(v) ||
    EMAIL.test(v) ||
    /^\d{4}\s*[-/]\s*\d{4}$/.test(v) ||
    /^[+-]?\d+(?:[.,]\d+)?$/.test(compact) ||
    isValidUai(v) ||
    isValidSiret(compact) ||
    looksLikeNir(v)
  );
}

const aUneValeur = (row: readonly string[] | undefined) => !!row && row.some((c) => c.trim() !== "");

export interface Entete {
  /** Index of the header row in the rows given; null: the file has no header row (its first row is a learner's). */
  index: number | null;
  /** Known names on that row. */
  reconnues: number;
  /** Index of the first row with a value (-1: none). */
  premiere: number;
}

/** The header row of a table (see the module's comment). `rows`: as read, rows without a value included. */
export function choisirEntete(rows: readonly (readonly string[])[], reconnue: (cell: string) => boolean): Entete {
  let premiere = -1;
  let meilleure = -1;
  let reconnues = 0;
  let examinees = 0;
  for (let i = 0; i < rows.length && examinees < LIGNES_EXAMINEES; i++) {
    if (!aUneValeur(rows[i])) continue;
    examinees++;
    if (premiere < 0) premiere = i;
    const cells = rows[i].filter((c) => c.trim() !== "");
    const noms = cells.filter((c) => reconnue(c)).length;
    const donnees = cells.filter(ressembleAUneDonnee).length;
    if (noms > donnees && noms > reconnues) {
      meilleure = i;
      reconnues = noms;
    }
  }
  if (meilleure >= 0) return { index: meilleure, reconnues, premiere };
  if (premiere < 0) return { index: null, reconnues: 0, premiere };
  // no known name: the first row is the header, unless it holds a learner's values
  return { index: rows[premiere].some(ressembleAUneDonnee) ? null : premiere, reconnues: 0, premiere };
}

export interface FeuilleCandidate {
  nom: string;
  masquee: boolean;
  /** The top rows of the sheet (LIGNES_EXAMINEES rows with a value at least, when it has them). */
  lignes: readonly (readonly string[])[];
}

export interface ChoixDeFeuille {
  /** Index of the sheet to read; null: no sheet has a value. */
  index: number | null;
  /** The other sheets with a value, ignored. */
  ignorees: { nom: string; masquee: boolean }[];
}

/** The sheet holding the effectifs (see the module's comment). */
export function choisirFeuille(feuilles: readonly FeuilleCandidate[], reconnue: (cell: string) => boolean): ChoixDeFeuille {
  const avecValeur = feuilles.map((f, i) => ({ f, i })).filter(({ f }) => f.lignes.some(aUneValeur));
  const visibles = avecValeur.filter(({ f }) => !f.masquee);
  const candidates = visibles.length ? visibles : avecValeur;
  let index: number | null = null;
  let meilleur = -1;
  for (const { f, i } of candidates) {
    const { reconnues } = choisirEntete(f.lignes, reconnue);
    if (reconnues > meilleur) {
      meilleur = reconnues;
      index = i;
    }
  }
  return { index, ignorees: avecValeur.filter(({ i }) => i !== index).map(({ f }) => ({ nom: f.nom, masquee: f.masquee })) };
}
