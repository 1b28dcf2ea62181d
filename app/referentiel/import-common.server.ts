/**
 * What every référentiel importer shares: the summary it returns, progress reporting, reading a file's bytes
 * as a table (CSV in any delimiter/encoding, or XLSX), and the French wording of line/column messages.
 *
 * Rules of every import (issue 8): a rejected line never blocks the valid ones; a file that cannot be read at all
 * changes nothing (it throws ImportFileError before any write); writes happen in one transaction (prepared by
 * chunks beforehand, so that the other users are not kept waiting: import-tranches.server.ts, decision 021);
 * importing the same file twice creates and updates nothing the second time.
 */
import {
  CsvError,
  MAX_CELL_CHARS,
  MAX_LINE_CHARS,
  csvDelimiter,
  csvHeader,
  decodeText,
  detectDelimiter,
  iterateCsv,
  normalizeHeader,
  type CsvDelimiter,
  type TextEncodingName,
} from "../shared/csv";
import { XlsxError, XlsxLimitError, looksLikeZip, readXlsx } from "../shared/xlsx.server";
import { ANNEE_MAX, ANNEE_MIN } from "../statut/days";
import { formatNombre } from "../ui/format";
import type { ImportKind, LineUnit } from "./import-libelles";
import { pauses } from "./import-tranches.server";

export type { ImportKind, LineUnit };

export interface LineIssue {
  /** Line of the file (1-based, header = line 1) or, for JSON, the element index (1-based). */
  line: number;
  /** Column name as written in the file. */
  column?: string;
  message: string;
}

export interface ImportSummary {
  kind: ImportKind;
  /** Format recognised, in French ("liste publique des organismes de formation (LPOF)", …). */
  format: string;
  fileName?: string;
  encoding?: TextEncodingName;
  delimiter?: CsvDelimiter;
  /** Data lines read (header excluded). */
  lines: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Lines left out on purpose (e.g. LPOF organismes without apprenticeship), not errors. */
  skipped: number;
  /** The first rejections (at most MAX_ISSUES_KEPT, then `omitted.rejected` counts the others): add with `rejeter`. */
  rejected: LineIssue[];
  /** The first warnings (at most MAX_ISSUES_KEPT, then `omitted.warnings` counts the others): add with `signaler`. */
  warnings: LineIssue[];
  /** Distinct lines (elements) rejected in the whole file, detailed or not. */
  rejectedLines: number;
  /**
   * Rejections and warnings counted but not detailed, beyond the first MAX_ISSUES_KEPT of each (decision 028); a
   * warning is counted when it is said, before its line may be rejected.
   */
  omitted: { rejected: number; warnings: number };
  /** Extra counters (relations created, communes updated…), French labels. */
  details: Record<string, number>;
  durationMs: number;
  /** "élément" for JSON files (line = index of the element, 1-based), "ligne" otherwise. */
  lineUnit?: LineUnit;
}

export interface ImportProgress {
  phase: "lecture" | "validation" | "écriture" | "terminé";
  done: number;
  total: number;
}

export interface ImportOptions {
  fileName?: string;
  onProgress?: (progress: ImportProgress) => void;
}

/** A file that cannot be imported at all: nothing was changed. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportFileError";
  }
}

/**
 * A file with a header (or an empty JSON array) and no data: refused like an empty file, nothing written — an import
 * "terminé" of 0 lines would read as a success. Called once the columns are known to be right (a wrong header is
 * said first). `unit`: what the file holds ("ligne", "élément").
 */
export function exigerDesDonnees(n: number, unit: LineUnit = "ligne"): void {
  if (n > 0) return;
  throw new ImportFileError(
    unit === "élément"
      ? "Rien à importer : le fichier ne contient aucun élément (tableau JSON vide)."
      : "Rien à importer : le fichier ne contient aucune ligne de données (seulement l'en-tête).",
  );
}

export function emptySummary(kind: ImportKind, format: string, fileName?: string): ImportSummary {
  return {
    kind,
    format,
    fileName,
    lines: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    rejected: [],
    warnings: [],
    rejectedLines: 0,
    omitted: { rejected: 0, warnings: 0 },
    details: {},
    durationMs: 0,
  };
}

/**
 * How many rejections, and how many warnings, a summary details (decision 028): a file of a million rejected lines
 * keeps its first thousand messages and counts the others, instead of holding a million of them. The admin page
 * shows the first 500 rejections and 200 warnings, the CLI the first 20 (all the kept ones with --json).
 */
export const MAX_ISSUES_KEPT = 1000;

/** A set of line numbers, one bit each (a file's lines are numbered from 1, up to millions). */
class LineSet {
  private bits = new Uint8Array(1024);
  size = 0;
  add(line: number): void {
    const at = line >>> 3;
    if (at >= this.bits.length) {
      const grown = new Uint8Array(Math.max(at + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (line & 7);
    if (!(this.bits[at] & mask)) {
      this.bits[at] |= mask;
      this.size++;
    }
  }
  has(line: number): boolean {
    const at = line >>> 3;
    return at < this.bits.length && (this.bits[at] & (1 << (line & 7))) !== 0;
  }
}

/** The rejected lines of each summary being built (not part of the summary: it is stored and sent as JSON). */
const rejectedLinesOf = new WeakMap<ImportSummary, LineSet>();

/** Rejects a line (or several issues of lines): detailed among the first MAX_ISSUES_KEPT, else counted. */
export function rejeter(summary: ImportSummary, issues: LineIssue | readonly LineIssue[]): void {
  let lines = rejectedLinesOf.get(summary);
  if (!lines) rejectedLinesOf.set(summary, (lines = new LineSet()));
  for (const issue of Array.isArray(issues) ? (issues as readonly LineIssue[]) : [issues as LineIssue]) {
    lines.add(issue.line);
    if (summary.rejected.length < MAX_ISSUES_KEPT) summary.rejected.push(issue);
    else summary.omitted.rejected++;
  }
  summary.rejectedLines = lines.size;
}

/** Warns about a line (or several): detailed among the first MAX_ISSUES_KEPT, else counted. */
export function signaler(summary: ImportSummary, issues: LineIssue | readonly LineIssue[]): void {
  for (const issue of Array.isArray(issues) ? (issues as readonly LineIssue[]) : [issues as LineIssue]) {
    if (summary.warnings.length < MAX_ISSUES_KEPT) summary.warnings.push(issue);
    else summary.omitted.warnings++;
  }
}

/** The warnings of a table (extra cells), with those it counted without keeping them. */
export function signalerTable(summary: ImportSummary, table: Pick<Table, "issues" | "issuesOmitted">): void {
  signaler(summary, table.issues);
  summary.omitted.warnings += table.issuesOmitted;
}

/** Whether a line was rejected (`rejeter`), its message kept or not. */
export function estRejetee(summary: ImportSummary, line: number): boolean {
  return rejectedLinesOf.get(summary)?.has(line) ?? false;
}

/**
 * What an imported line's warning adds about its import (`warning + IMPORTE_SIGNALE`): said of an imported line
 * only, it is taken off when the line is rejected (see `warningsOfRejectedLines`).
 */
export const IMPORTE_SIGNALE = " (importé, signalé dans les anomalies)";

/** Before a rejected line's warning, listed with its rejection. */
export const A_VERIFIER_AUSSI = "à vérifier aussi : ";

/**
 * The warnings of what was imported only: a warning about a line that ends up rejected (at validation or at
 * writing) is moved to the rejections, after that line's own, as "à vérifier aussi : …" — the user fixes the
 * line in one go, and no warning reads as if a rejected line had been imported. Warnings on the whole file
 * (line 0, or about the header) stay. Both lists end in file order.
 */
export function warningsOfRejectedLines(summary: ImportSummary): void {
  // in file order, whatever the step that found them (validation, then writing); a line's own in the order said
  summary.rejected = parLigne(summary.rejected);
  summary.warnings = parLigne(summary.warnings);
  const detailed = new Set(summary.rejected.map((r) => r.line));
  const moved = new Map<number, LineIssue[]>();
  summary.warnings = summary.warnings.filter((w) => {
    if (!w.line || !estRejetee(summary, w.line)) return true;
    // a line rejected beyond the detailed rejections: its warning is counted with them
    if (!detailed.has(w.line)) {
      summary.omitted.rejected++;
      return false;
    }
    const message = A_VERIFIER_AUSSI + (w.message.endsWith(IMPORTE_SIGNALE) ? w.message.slice(0, -IMPORTE_SIGNALE.length) : w.message);
    const list = moved.get(w.line) ?? [];
    list.push({ ...w, message });
    moved.set(w.line, list);
    return false;
  });
  if (!moved.size) return;
  const rejected: LineIssue[] = [];
  summary.rejected.forEach((r, k) => {
    rejected.push(r);
    const next = summary.rejected[k + 1];
    // after the last rejection of this line (a line's rejections are consecutive)
    if (!next || next.line !== r.line) {
      rejected.push(...(moved.get(r.line) ?? []));
      moved.delete(r.line);
    }
  });
  summary.rejected = rejected;
}

/** Issues sorted by line (the whole file's, line 0, first), a stable sort: a line's issues keep their order. */
function parLigne(issues: LineIssue[]): LineIssue[] {
  return issues
    .map((issue, k) => ({ issue, k }))
    .sort((a, b) => a.issue.line - b.issue.line || a.k - b.k)
    .map(({ issue }) => issue);
}

/** "ligne 12, colonne « uai »" */
export function where(line: number, column?: string, unit: "ligne" | "élément" = "ligne"): string {
  return column ? `${unit} ${line}, colonne « ${column} »` : `${unit} ${line}`;
}

export function formatIssue(issue: LineIssue, unit: "ligne" | "élément" = "ligne"): string {
  const w = where(issue.line, issue.column, unit);
  return `${w[0].toUpperCase()}${w.slice(1)} : ${issue.message}`;
}

/**
 * The most data lines (JSON: elements) an import reads (decision 028). The longest files of the référentiel (the
 * public list of training organisations, the catalogue, the communes) hold tens of thousands; each line kept costs
 * the import about 2 kB until its end, so this bounds an import's memory to about 1 GB, whatever the file's size.
 */
export const MAX_IMPORT_LINES = 500_000;

/** The refusal of a file longer than MAX_IMPORT_LINES, `at` the first line (element) beyond. */
export function tropDeLignes(at: number, unit: LineUnit = "ligne"): ImportFileError {
  const what = unit === "élément" ? "éléments" : "lignes de données";
  return new ImportFileError(
    `Fichier trop long : plus de ${formatNombre(MAX_IMPORT_LINES)} ${what}, le maximum d'un import (${unit} ${at} et suivantes). ` +
      "Découpez-le en plusieurs fichiers, importés l'un après l'autre.",
  );
}

/** A table read from a file: header cells and data rows, each with its line number. */
export interface Table {
  header: string[];
  rows: { line: number; cells: string[] }[];
  encoding?: TextEncodingName;
  delimiter?: CsvDelimiter;
  sheet?: string;
  /** Rows with more filled cells than the header has columns (their extra cells are ignored): warnings. */
  issues: LineIssue[];
  /** Such rows beyond the first MAX_ISSUES_KEPT: counted, not detailed. */
  issuesOmitted: number;
}

/**
 * A warning for each row holding a value beyond the header's last column (an empty trailing cell, as a trailing
 * delimiter gives, says nothing): the extra cells are ignored, and most often a value holding the delimiter was
 * not quoted, shifting the line's values.
 */
function extraCells(header: string[], rows: Table["rows"], delimiter?: CsvDelimiter): Pick<Table, "issues" | "issuesOmitted"> {
  let columns = header.length;
  while (columns > 0 && header[columns - 1] === "") columns--;
  const issues: LineIssue[] = [];
  let issuesOmitted = 0;
  for (const { line, cells } of rows) {
    let filled = cells.length;
    while (filled > columns && (cells[filled - 1] ?? "").trim() === "") filled--;
    if (filled <= columns) continue;
    if (issues.length >= MAX_ISSUES_KEPT) {
      issuesOmitted++;
      continue;
    }
    const extra = filled - columns;
    const why = delimiter
      ? ` (une valeur qui contient le séparateur « ${delimiter === "\t" ? "tabulation" : delimiter} » doit être entre guillemets)`
      : "";
    issues.push({
      line,
      message: `${filled} cellules pour ${columns} colonnes : ${extra > 1 ? `les ${extra} cellules en trop sont ignorées` : "la cellule en trop est ignorée"}${why}`,
    });
  }
  return { issues, issuesOmitted };
}

/**
 * Reads CSV or XLSX bytes as a table. INSEE files have title rows above the header: for XLSX, the header row is the
 * first row (of the first sheet that has one) containing a cell whose normalised name is in `headerHints`; for CSV,
 * the first line does unless it is a title row (one non-empty cell at most) and a line below, after title rows
 * only, holds such a cell (see csvHeaderStart). Line numbers stay those of the file. A CSV is parsed by slices,
 * giving the event loop a turn in between (decision 021); a workbook is read at once (readXlsx).
 */
export async function readTable(bytes: Uint8Array, headerHints: string[] = []): Promise<Table> {
  const hints = new Set(headerHints.map(normalizeHeader));
  if (looksLikeZip(bytes)) {
    let sheets;
    try {
      // one cell at most as long as Excel's, as in a CSV (decision 028): a long shared string is not copied out
      sheets = readXlsx(bytes, { maxCellChars: MAX_CELL_CHARS });
    } catch (error) {
      if (error instanceof XlsxLimitError && error.limit === "cellule" && error.place) {
        const { sheet, cell, length, max } = error.place;
        throw new ImportFileError(
          `Cellule ${cell} de la feuille « ${sheet} » : ${formatNombre(length)} caractères, au plus ${formatNombre(max)} attendus (limite d'Excel). Raccourcissez ou videz cette cellule.`,
        );
      }
      if (error instanceof XlsxError) throw new ImportFileError(`Fichier illisible : ${error.message}.`);
      throw error;
    }
    for (const sheet of sheets) {
      const headerIndex = hints.size
        ? sheet.rows.findIndex((r) => r.some((c) => hints.has(normalizeHeader(c))))
        : sheet.rows.findIndex((r) => r.some((c) => c.trim() !== ""));
      if (headerIndex < 0) continue;
      const header = sheet.rows[headerIndex].map((h) => h.trim());
      const rows = sheet.rows
        .slice(headerIndex + 1)
        .map((cells, k) => ({ line: headerIndex + 2 + k, cells }))
        .filter((r) => r.cells.some((c) => c.trim() !== ""));
      if (rows.length > MAX_IMPORT_LINES) throw tropDeLignes(rows[MAX_IMPORT_LINES].line);
      return { header, rows, sheet: sheet.name, ...extraCells(header, rows) };
    }
    throw new ImportFileError(
      hints.size
        ? `Fichier illisible : aucune feuille du classeur n'a de ligne d'en-tête contenant ${[...headerHints].map((h) => `« ${h} »`).join(" ou ")}.`
        : "Fichier illisible : le classeur est vide.",
    );
  }
  let before = 0;
  try {
    const { text, encoding } = decodeText(bytes);
    const start = hints.size ? csvHeaderStart(text, hints) : null;
    before = start?.linesBefore ?? 0;
    // the rows are the parser's records (no copy), their line numbers those of the file; a cell or a line too long
    // stops the reading at once (decision 028)
    const body = start ? text.slice(start.offset) : text;
    const delimiter = csvDelimiter(body);
    const pause = pauses();
    let header: string[] | undefined;
    const rows: Table["rows"] = [];
    for (const record of iterateCsv(body, delimiter, { maxCell: MAX_CELL_CHARS, maxRecord: MAX_LINE_CHARS })) {
      if (!header) header = csvHeader(record);
      else if (rows.length === MAX_IMPORT_LINES) throw tropDeLignes(record.line + before);
      else rows.push({ line: record.line + before, cells: record.fields });
      await pause();
    }
    header ??= csvHeader(undefined);
    return { header, rows, encoding, delimiter, ...extraCells(header, rows, delimiter) };
  } catch (error) {
    if (error instanceof CsvError) {
      const message = error.line ? `Ligne ${error.line + before} : ${error.detail}` : error.detail;
      throw new ImportFileError(`Fichier illisible : ${message}.`);
    }
    throw error;
  }
}

/** How many lines of a CSV may be title rows before its header. */
const MAX_TITLE_LINES = 50;

/**
 * Where a CSV's header starts when title rows come before it (as in INSEE's files: "Zones d'emploi 2020", a source,
 * blank lines): null when the first line is the header (it holds a hinted name, or several cells: not a title).
 * A title row is a line with at most one non-empty cell; the header is the first line below title rows only that
 * holds a cell whose normalised name is in `hints`. Nothing found: null (the first line is read as the header, and
 * the importer says which columns are missing).
 */
function csvHeaderStart(text: string, hints: Set<string>): { offset: number; linesBefore: number } | null {
  const lineEnd = /\r\n|\n|\r/g;
  let offset = 0;
  for (let line = 0; line < MAX_TITLE_LINES && offset < text.length; line++) {
    lineEnd.lastIndex = offset;
    const match = lineEnd.exec(text);
    const end = match ? match.index : text.length;
    // a line longer than a CSV line may be is left to the reader, which refuses it (decision 028)
    if (end - offset > MAX_LINE_CHARS) return null;
    const content = text.slice(offset, end);
    if (content.trim() !== "") {
      const cells = content.split(detectDelimiter(content)).map((c) => c.trim().replace(/^"(.*)"$/, "$1").trim());
      if (cells.some((c) => hints.has(normalizeHeader(c)))) return line === 0 ? null : { offset, linesBefore: line };
      if (cells.filter((c) => c !== "").length > 1) return null;
    }
    if (!match) return null;
    offset = end + match[0].length;
  }
  return null;
}

/**
 * Maps canonical field names to column indexes using aliases (compared after normalizeHeader). Columns that match
 * nothing are returned in `unknown`.
 */
export function mapColumns<K extends string>(
  header: string[],
  aliases: Record<K, string[]>,
): { index: Partial<Record<K, number>>; names: Partial<Record<K, string>>; unknown: string[] } {
  const lookup = new Map<string, K>();
  for (const [key, list] of Object.entries(aliases) as [K, string[]][]) {
    lookup.set(normalizeHeader(key), key);
    for (const a of list) lookup.set(normalizeHeader(a), key);
  }
  const index: Partial<Record<K, number>> = {};
  const names: Partial<Record<K, string>> = {};
  const unknown: string[] = [];
  header.forEach((h, i) => {
    if (h === "") return;
    const key = lookup.get(normalizeHeader(h));
    if (key && index[key] === undefined) {
      index[key] = i;
      names[key] = h;
    } else if (!key) unknown.push(h);
  });
  return { index, names, unknown };
}

/** "oui"/"non", "true"/"false", "1"/"0", "o"/"n", "x" → boolean; "" → null; anything else → undefined. */
export function parseBoolean(value: string): boolean | null | undefined {
  const v = value.trim().toLowerCase();
  if (v === "") return null;
  if (["oui", "o", "true", "vrai", "1", "x", "yes", "y"].includes(v)) return true;
  if (["non", "n", "false", "faux", "0", "no"].includes(v)) return false;
  return undefined;
}

/** "DD/MM/YYYY" (or "YYYY-MM-DD") → "YYYY-MM-DD"; "" → null; invalid → undefined. */
export function parseFrenchDate(value: string): string | null | undefined {
  const v = value.trim();
  if (v === "") return null;
  let y: number, m: number, d: number;
  let match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  if (match) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(v))) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return undefined;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d || y < ANNEE_MIN || y > ANNEE_MAX) return undefined;
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Calls onProgress at most every `every` items, and always at the end. */
export function progressReporter(options: ImportOptions, phase: ImportProgress["phase"], total: number, every = 500) {
  return (done: number) => {
    if (!options.onProgress) return;
    if (done === total || done % every === 0) options.onProgress({ phase, done, total });
  };
}

export function normalizeText(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const v = value.replace(/\s+/g, " ").trim();
  return v === "" ? null : v;
}

/** Lowercase without accents nor punctuation, for comparing names ("Saint-Étienne" ≈ "ST ETIENNE" is not handled). */
export function simplifyName(value: string): string {
  return value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}
