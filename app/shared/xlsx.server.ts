/**
 * Minimal XLSX reader and writer on top of node:zlib (an XLSX is a ZIP of XML parts). Enough for the public
 * files we import (INSEE, BCN exports, spreadsheets saved by users) and for exports users open in Excel or
 * LibreOffice.
 *
 * Reading: every worksheet as rows of strings (shared strings, inline strings, numbers, booleans; formulas give
 * their cached value, and those saved without one — files written by programs, never recalculated — the caller's
 * `formulaWithoutValue` mark; merged cells are not spread by the reader: `merges()` gives their ranges, and
 * `spreadMerges` copies a range's first value over its other cells, for a caller that wants it). Empty cells are "" and rows keep their position (row 5
 * of the sheet is `rows[4]`). Each sheet says whether it is hidden; `openXlsx` reads a sheet only when asked, its
 * first rows or all of them, for a caller choosing which sheet to read. Numbers are returned as written in the XML
 * (`1001`, `0.5`), except those whose cell format shows a date: they are returned as the spreadsheet shows them,
 * `dd/MM/yyyy`, in the workbook's date system (1900 or 1904, app/shared/excel-dates.ts; Excel's fictitious
 * 29/02/1900 included). Not supported: ZIP64, encrypted workbooks, the binary .xls / .xlsb formats,
 * OpenDocument (.ods) workbooks (told as such).
 * A malformed or hostile file gives an XlsxError, never another error: offsets are bounds-checked, invalid
 * character references read as U+FFFD, positions beyond Excel's limits (1,048,576 rows, 16,384 columns) are
 * refused, and callers reading untrusted files can cap the inflated size of each part, the number of filled rows,
 * the number of cells, the length of a cell and the characters of all the cells read, a shared string counted at
 * each cell using it (`ReadXlsxOptions`; XlsxLimitError): a long shared string is never kept when too long, and
 * reading stops at the cell where a limit is passed, before the rest of the sheet is read.
 *
 * Writing: app/shared/xlsx-writer.ts (also used in the browser), its parts deflated here. A date is written as a real
 * Excel date, which `readXlsx` reads back as "dd/MM/yyyy".
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { columnLetter } from "./csv";
import { excelSerialAsShown, isDateFormat } from "./excel-dates";
import { formatNombre } from "../ui/format";
import { xlsxBytes, zipBytes, type XlsxCell } from "./xlsx-writer";

export {
  NOM_DE_FEUILLE_MAX,
  XLSX_CONTENT_TYPE,
  XLSX_DATE_FORMAT,
  XLSX_STYLES,
  XLSX_STYLE_BOLD,
  XLSX_STYLE_DATE,
  dateColumnsOf,
  encodeXml,
  nomDeFeuille,
  nomDeFeuilleUnique,
  nomsDeFeuilles,
  xlsxCell,
  xlsxDateCell,
  xlsxDateColumns,
  type XlsxCell,
} from "./xlsx-writer";

/** A workbook the reader cannot open. Message in French. */
export class XlsxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "XlsxError";
  }
}

/** Where a limit on characters was passed: the sheet, the cell ("C12") and, for one cell too long, its length. */
export interface XlsxLimitPlace {
  sheet: string;
  cell: string;
  /** The cell's length (limit "cellule"); the characters read so far, this cell included (limit "caracteres"). */
  length: number;
  /** The limit passed. */
  max: number;
}

/** A workbook beyond one of the limits of `ReadXlsxOptions` (or of Excel's grid). Message in French. */
export class XlsxLimitError extends XlsxError {
  constructor(
    message: string,
    readonly limit: "taille" | "lignes" | "cellules" | "grille" | "cellule" | "caracteres",
    /** For the limits on characters ("cellule", "caracteres"): where reading stopped. */
    readonly place?: XlsxLimitPlace,
  ) {
    super(message);
    this.name = "XlsxLimitError";
  }
}

/** Excel's grid: rows 1 to 1,048,576, columns A to XFD (16,384). */
export const XLSX_MAX_ROWS = 1_048_576;
export const XLSX_MAX_COLUMNS = 16_384;

export interface ReadXlsxOptions {
  /** Largest inflated size, in bytes, of one part of the archive (a sheet, the shared strings…): zip bombs. */
  maxPartBytes?: number;
  /** Reading stops (XlsxLimitError "lignes") as soon as a sheet has more rows with a value than this. */
  maxRows?: number;
  /** Reading stops (XlsxLimitError "cellules") beyond this many cells and rows, empty ones included, in all. */
  maxCells?: number;
  /**
   * Reading stops (XlsxLimitError "cellule", naming the sheet and the cell) at a cell longer than this many
   * characters: a shared string, an inline string or a number alike. A longer shared string is not kept (only its
   * length), and says nothing until a cell of a sheet read uses it.
   */
  maxCellChars?: number;
  /**
   * Reading stops (XlsxLimitError "caracteres") as soon as the cells read hold more characters than this in all,
   * a shared string counted at each cell using it (what copying the rows, or writing them out, would cost).
   */
  maxTotalChars?: number;
  /** Only the first sheet having a non-blank cell (none: an empty list); the following sheets are not read. */
  firstSheetWithData?: boolean;
  /**
   * The value given to a formula cell saved without its calculated value (default ""): a caller may tell such a
   * cell from an empty one, to say that the file must be saved by a spreadsheet first.
   */
  formulaWithoutValue?: string;
}

export interface XlsxSheet {
  name: string;
  /** Hidden in the spreadsheet (`state="hidden"` or `"veryHidden"`). */
  hidden: boolean;
  rows: string[][];
}

/** A sheet of `openXlsx`, read when asked. */
export interface XlsxSheetReader {
  name: string;
  hidden: boolean;
  /**
   * The sheet's rows (as `readXlsx` gives them); with `firstRows`, only until that many rows with a value were read
   * (the top of the sheet: its title and header rows), without counting against the options' limits of rows.
   */
  rows(firstRows?: number): string[][];
  /** The sheet's merged ranges (`<mergeCells>`), 0-based and inclusive, in the order of the sheet. */
  merges(): MergedRange[];
}

/** A merged range of cells (« A2:A4 »), 0-based and inclusive. */
export interface MergedRange {
  ref: string;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

// ----------------------------------------------------------------------------------------------------- ZIP

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Whether bytes start like a ZIP file (hence possibly an XLSX). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

const formatOctets = (n: number) => `${Math.round(n / 1024 / 1024)} Mo`;

/**
 * The files of a ZIP archive, by name (lazy: each is inflated on first read). Every offset is checked against the
 * archive's length; `maxPartBytes` caps the inflated size of each file (XlsxLimitError "taille").
 */
export function readZip(input: Uint8Array, options: { maxPartBytes?: number } = {}): Map<string, () => Buffer> {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // End of central directory: last occurrence of PK\x05\x06 within the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new XlsxError("le fichier n'est pas un classeur XLSX lisible (archive ZIP introuvable ou tronquée)");
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new XlsxError("classeur XLSX au format ZIP64 non pris en charge");
  if (cdOffset > eocd) throw new XlsxError("classeur XLSX endommagé (répertoire ZIP hors de l'archive)");
  const maxPartBytes = options.maxPartBytes;
  const tooBig = (name: string) =>
    new XlsxLimitError(`classeur XLSX trop volumineux une fois décompressé (${name} dépasse ${formatOctets(maxPartBytes ?? 0)})`, "taille");
  const entries = new Map<string, () => Buffer>();
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new XlsxError("classeur XLSX endommagé (répertoire ZIP invalide)");
    const flags = buf.readUInt16LE(p + 8);
    const entry: ZipEntry = {
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      name: "",
      localHeaderOffset: buf.readUInt32LE(p + 42),
    };
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entry.name = buf.toString(flags & 0x800 ? "utf8" : "latin1", p + 46, p + 46 + nameLen);
    if (flags & 0x1) throw new XlsxError("classeur XLSX chiffré (protégé par mot de passe) : enregistrez-le sans mot de passe");
    p += 46 + nameLen + extraLen + commentLen;
    entries.set(entry.name, () => {
      const lh = entry.localHeaderOffset;
      const damaged = () => new XlsxError(`classeur XLSX endommagé (${entry.name})`);
      if (lh + 30 > buf.length || buf.readUInt32LE(lh) !== 0x04034b50) throw damaged();
      const start = lh + 30 + buf.readUInt16LE(lh + 26) + buf.readUInt16LE(lh + 28);
      if (start + entry.compressedSize > buf.length) throw damaged();
      const data = buf.subarray(start, start + entry.compressedSize);
      if (entry.method === 0) {
        if (maxPartBytes !== undefined && data.length > maxPartBytes) throw tooBig(entry.name);
        return Buffer.from(data);
      }
      if (entry.method === 8) {
        if (maxPartBytes !== undefined && entry.size > maxPartBytes) throw tooBig(entry.name);
        try {
          // the declared size may lie: the inflater itself stops at the cap
          return maxPartBytes === undefined ? inflateRawSync(data) : inflateRawSync(data, { maxOutputLength: maxPartBytes });
        } catch (error) {
          if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw tooBig(entry.name);
          throw new XlsxError(`classeur XLSX endommagé (${entry.name} illisible)`);
        }
      }
      throw new XlsxError(`méthode de compression ZIP ${entry.method} non prise en charge`);
    });
  }
  return entries;
}

/** A ZIP archive of the given files (deflated). */
export function writeZip(files: { name: string; data: Uint8Array | string }[]): Buffer {
  return Buffer.from(zipBytes(files, deflateRawSync));
}

// ----------------------------------------------------------------------------------------------------- XML

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The character of a numeric reference; U+FFFD for what is not a character (0, surrogates, beyond U+10FFFF). */
function charOf(code: number): string {
  if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
  return String.fromCodePoint(code);
}

export function decodeXml(s: string): string {
  return s
    .replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
      e[0] === "#" ? charOf(e[1] === "x" ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10)) : ENTITIES[e],
    )
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? decodeXml(m[2] ?? m[3] ?? "") : undefined;
}

/** Concatenated text of the <t> elements of a fragment (shared string or inline string, rich text runs too). */
function textOf(fragment: string): string {
  let out = "";
  const re = /<(?:\w+:)?t(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?t>|<(?:\w+:)?t(?:\s[^>]*)?\/>/g;
  // phonetic runs (<rPh>) are not part of the value
  const cleaned = fragment.replace(/<(?:\w+:)?rPh[\s\S]*?<\/(?:\w+:)?rPh>/g, "");
  for (let m = re.exec(cleaned); m; m = re.exec(cleaned)) out += decodeXml(m[1] ?? "");
  return out;
}

/** 0-based column index of a cell reference ("B7" → 1). */
export function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
  }
  return n - 1;
}

function resolvePath(base: string, target: string): string {
  if (target.startsWith("/")) return target.slice(1);
  const parts = base.split("/").slice(0, -1);
  for (const seg of target.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

// ----------------------------------------------------------------------------------------------------- read

/** Every worksheet of an XLSX workbook, in workbook order. Throws XlsxError on a file it cannot read. */
export function readXlsx(bytes: Uint8Array, options: ReadXlsxOptions = {}): XlsxSheet[] {
  const sheets: XlsxSheet[] = [];
  for (const sheet of openXlsx(bytes, options)) {
    const read = { name: sheet.name, hidden: sheet.hidden, rows: sheet.rows() };
    if (options.firstSheetWithData) {
      if (read.rows.some((r) => r.some((c) => c.trim() !== ""))) return [read];
      continue;
    }
    sheets.push(read);
  }
  if (options.firstSheetWithData) return [];
  if (sheets.length === 0) throw new XlsxError("le classeur XLSX ne contient aucune feuille");
  return sheets;
}

/** The ODF type of an OpenDocument file (its `mimetype` part), if the archive is one. */
function openDocumentType(zip: Map<string, () => Buffer>): string | null {
  const mimetype = zip.get("mimetype");
  if (!mimetype) return zip.has("content.xml") && zip.has("META-INF/manifest.xml") ? "application/vnd.oasis.opendocument" : null;
  try {
    const type = mimetype().toString("latin1", 0, 100).trim();
    return type.startsWith("application/vnd.oasis.opendocument") ? type : null;
  } catch {
    return null;
  }
}

/**
 * The worksheets of an XLSX workbook, in workbook order, each read when asked (chart sheets and the like are left
 * out). The limits of `options` hold across the sheets read in full. Throws XlsxError on a file it cannot open.
 */
export function openXlsx(bytes: Uint8Array, options: ReadXlsxOptions = {}): XlsxSheetReader[] {
  if (!looksLikeZip(bytes)) throw new XlsxError("le fichier n'est pas un classeur XLSX (les fichiers .xls d'Excel 97-2003 ne sont pas pris en charge : enregistrez-le au format .xlsx ou .csv)");
  const zip = readZip(bytes, { maxPartBytes: options.maxPartBytes });
  const read = (name: string) => {
    const get = zip.get(name);
    return get ? get().toString("utf8") : undefined;
  };
  const workbook = read("xl/workbook.xml");
  if (!workbook) {
    // a LibreOffice (.ods) workbook is a ZIP too: said as such, with what to do, rather than a missing part
    const odf = openDocumentType(zip);
    if (odf) {
      const classeur = odf.includes("spreadsheet") || odf === "application/vnd.oasis.opendocument";
      const quoi = classeur ? "un classeur OpenDocument (.ods, LibreOffice ou OpenOffice)" : "un document OpenDocument (LibreOffice ou OpenOffice)";
      throw new XlsxError(
        `le fichier est ${quoi}, pas un classeur XLSX : enregistrez-le au format XLSX ou CSV ` +
          "(Fichier > Enregistrer sous, type « Excel 2007-365 (.xlsx) » ou « Texte CSV (.csv) »)",
      );
    }
    throw new XlsxError("le fichier n'est pas un classeur XLSX (xl/workbook.xml manquant)");
  }
  const rels = read("xl/_rels/workbook.xml.rels") ?? "";
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], "Id");
    const target = attr(m[0], "Target");
    if (id && target) targets.set(id, resolvePath("xl/workbook.xml", target));
  }
  const shared: string[] = [];
  /** Lengths of the shared strings longer than `maxCellChars`, by index (kept as "" in `shared`). */
  const tooLong = new Map<number, number>();
  const maxCellChars = options.maxCellChars ?? Infinity;
  const sst = read("xl/sharedStrings.xml");
  if (sst) {
    for (const m of sst.matchAll(/<(?:\w+:)?si>([\s\S]*?)<\/(?:\w+:)?si>|<(?:\w+:)?si\/>/g)) {
      const text = textOf(m[1] ?? "");
      if (text.length > maxCellChars) {
        tooLong.set(shared.length, text.length);
        shared.push("");
      } else shared.push(text);
    }
  }

  const budget: SheetBudget = {
    maxRows: options.maxRows,
    maxCells: options.maxCells,
    cells: 0,
    maxCellChars,
    maxTotalChars: options.maxTotalChars ?? Infinity,
    chars: 0,
    tooLong,
    dateStyles: dateStyles(read("xl/styles.xml")),
    date1904: /<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*"(?:1|true)"/.test(workbook),
    formulaWithoutValue: options.formulaWithoutValue ?? "",
  };
  const sheets: XlsxSheetReader[] = [];
  let index = 0;
  for (const m of workbook.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    index++;
    const name = attr(m[0], "name") ?? `Feuille${index}`;
    const rid = attr(m[0], "r:id") ?? [...m[0].matchAll(/\s(\w+):id\s*=\s*"([^"]*)"/g)][0]?.[2];
    const path = (rid && targets.get(rid)) ?? `xl/worksheets/sheet${index}.xml`;
    if (!zip.has(path)) continue; // chart sheets and the like
    const state = attr(m[0], "state");
    let ranges: MergedRange[] | undefined;
    sheets.push({
      name,
      hidden: state === "hidden" || state === "veryHidden",
      rows: (firstRows?: number) => {
        const xml = read(path) ?? "";
        // the top of a sheet: its own budget, a few rows (at most Excel's width each), whatever was read before
        return firstRows === undefined
          ? parseSheet(name, xml, shared, budget)
          : parseSheet(name, xml, shared, { ...budget, maxRows: undefined, cells: 0, chars: 0 }, firstRows);
      },
      merges: () => (ranges ??= parseMerges(read(path) ?? "")),
    });
  }
  return sheets;
}

interface SheetBudget {
  maxRows?: number;
  maxCells?: number;
  /** Cells and rows created so far (empty ones filling gaps included). */
  cells: number;
  maxCellChars: number;
  maxTotalChars: number;
  /** Characters of the cells read so far (a shared string at each of its cells). */
  chars: number;
  /** Lengths of the shared strings longer than `maxCellChars`, by index. */
  tooLong: Map<number, number>;
  /** Indexes of the cell formats (`s` attribute) that show a date. */
  dateStyles: Set<number>;
  /** The workbook counts its dates from 1904 (old Mac Excel) instead of 1900. */
  date1904: boolean;
  /** The value of a formula cell without a cached value. */
  formulaWithoutValue: string;
}

/** The cell formats (`cellXfs`, in order: a cell's `s` is an index) whose number format shows a date. */
function dateStyles(styles: string | undefined): Set<number> {
  const dates = new Set<number>();
  if (!styles) return dates;
  const codes = new Map<number, string>();
  for (const m of styles.matchAll(/<(?:\w+:)?numFmt\b[^>]*>/g)) {
    const id = Number(attr(m[0], "numFmtId"));
    const code = attr(m[0], "formatCode");
    if (Number.isInteger(id) && code !== undefined) codes.set(id, code);
  }
  const xfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(styles)?.[1] ?? "";
  let index = 0;
  for (const m of xfs.matchAll(/<(?:\w+:)?xf\b[^>]*>/g)) {
    const id = Number(attr(m[0], "numFmtId") ?? "0");
    if (Number.isInteger(id) && isDateFormat(id, codes.get(id))) dates.add(index);
    index++;
  }
  return dates;
}

/**
 * A number shown as a date: "dd/MM/yyyy" as the spreadsheet shows it (Excel's fictitious 29/02/1900 included, for a
 * reader to refuse), or the number itself when it is no day Excel can show.
 */
function dateCell(value: string, date1904: boolean): string {
  const shown = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(value) ? excelSerialAsShown(Number(value), date1904) : null;
  return shown ?? value;
}

const ROW_NUMBER = /^[0-9]{1,8}$/;

/** The rows of a sheet; with `firstRows`, only until that many rows with a value were read. */
function parseSheet(sheetName: string, xml: string, shared: string[], budget: SheetBudget, firstRows?: number): string[][] {
  const rows: string[][] = [];
  const data = /<(?:\w+:)?sheetData\b[^>]*>([\s\S]*?)<\/(?:\w+:)?sheetData>/.exec(xml)?.[1] ?? "";
  const spend = (n: number) => {
    budget.cells += n;
    if (budget.maxCells !== undefined && budget.cells > budget.maxCells) {
      throw new XlsxLimitError(`le classeur contient plus de ${budget.maxCells} cellules (vides comprises)`, "cellules");
    }
  };
  let nextRow = 0;
  let filledRows = 0;
  for (const rm of data.matchAll(/<(?:\w+:)?row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?row>)/g)) {
    if (firstRows !== undefined && filledRows >= firstRows) break;
    const r = attr(rm[1], "r")?.trim() || undefined;
    if (r !== undefined && !ROW_NUMBER.test(r)) throw new XlsxError(`classeur XLSX endommagé (numéro de ligne « ${r.slice(0, 20)} » invalide)`);
    const rowIndex = r !== undefined ? Number(r) - 1 : nextRow;
    if (rowIndex < 0 || rowIndex >= XLSX_MAX_ROWS) {
      throw new XlsxLimitError(`ligne ${rowIndex + 1} hors de la grille d'un classeur Excel (lignes 1 à ${XLSX_MAX_ROWS})`, "grille");
    }
    nextRow = rowIndex + 1;
    const cells: string[] = [];
    let nextCol = 0;
    for (const cm of (rm[2] ?? "").matchAll(/<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g)) {
      const ref = attr(cm[1], "r");
      const refCol = ref ? columnIndex(ref) : -1;
      const col = refCol >= 0 ? refCol : nextCol;
      if (col >= XLSX_MAX_COLUMNS) {
        throw new XlsxLimitError(`cellule ${(ref ?? "").slice(0, 20)} hors de la grille d'un classeur Excel (colonnes A à XFD, ${XLSX_MAX_COLUMNS} au plus)`, "grille");
      }
      nextCol = col + 1;
      const type = attr(cm[1], "t");
      const inner = cm[2] ?? "";
      const v = /<(?:\w+:)?v>([\s\S]*?)<\/(?:\w+:)?v>/.exec(inner)?.[1];
      let value = "";
      const cellRef = () => `${columnLetter(col)}${rowIndex + 1}`;
      const longShared = type === "s" && v !== undefined ? budget.tooLong.get(Number(v)) : undefined;
      if (longShared !== undefined) throw cellTooLong(sheetName, cellRef(), longShared, budget.maxCellChars);
      if (type === "s") value = v !== undefined ? (shared[Number(v)] ?? "") : "";
      else if (type === "inlineStr") value = textOf(inner);
      else if (type === "b") value = v === "1" ? "TRUE" : v === "0" ? "FALSE" : "";
      else value = v !== undefined ? decodeXml(v) : "";
      // a formula never calculated (a file written by a program, not saved by a spreadsheet): no value to read
      if (v === undefined && type !== "inlineStr" && /<(?:\w+:)?f\b/.test(inner)) value = budget.formulaWithoutValue;
      if ((type === undefined || type === "n") && value !== "" && budget.dateStyles.size && budget.dateStyles.has(Number(attr(cm[1], "s") ?? "-1"))) {
        value = dateCell(value, budget.date1904);
      }
      if (value === "") continue; // empty cells only matter as gaps before a value
      if (value.length > budget.maxCellChars) throw cellTooLong(sheetName, cellRef(), value.length, budget.maxCellChars);
      budget.chars += value.length;
      if (budget.chars > budget.maxTotalChars) {
        const place = { sheet: sheetName, cell: cellRef(), length: budget.chars, max: budget.maxTotalChars };
        throw new XlsxLimitError(
          `les cellules du classeur contiennent plus de ${formatNombre(place.max)} caractères en tout (lecture arrêtée à la cellule ${place.cell} de la feuille « ${sheetName} »)`,
          "caracteres",
          place,
        );
      }
      if (col >= cells.length) spend(col + 1 - cells.length);
      while (cells.length < col) cells.push("");
      cells[col] = value;
    }
    // trailing empty cells were never added; a row without a value only matters as a gap before a later one
    if (cells.length === 0) continue;
    filledRows++;
    if (budget.maxRows !== undefined && filledRows > budget.maxRows) {
      throw new XlsxLimitError(`une feuille du classeur contient plus de ${budget.maxRows} lignes remplies`, "lignes");
    }
    if (rowIndex >= rows.length) spend(rowIndex + 1 - rows.length);
    while (rows.length < rowIndex) rows.push([]);
    rows[rowIndex] = cells;
  }
  return rows;
}

/** A cell longer than `maxCellChars`. */
function cellTooLong(sheet: string, cell: string, length: number, max: number): XlsxLimitError {
  return new XlsxLimitError(
    `cellule ${cell} de la feuille « ${sheet} » : ${formatNombre(length)} caractères, au plus ${formatNombre(max)}`,
    "cellule",
    { sheet, cell, length, max },
  );
}

/** The merged ranges of a sheet's XML (`<mergeCell ref="A2:A4"/>`); a malformed or single-cell reference is skipped. */
function parseMerges(xml: string): MergedRange[] {
  const ranges: MergedRange[] = [];
  const block = /<(?:\w+:)?mergeCells\b[^>]*>([\s\S]*?)<\/(?:\w+:)?mergeCells>/.exec(xml)?.[1] ?? "";
  for (const m of block.matchAll(/<(?:\w+:)?mergeCell\b[^>]*>/g)) {
    const ref = attr(m[0], "ref")?.trim().toUpperCase() ?? "";
    const parts = /^\$?([A-Z]{1,3})\$?([0-9]{1,7}):\$?([A-Z]{1,3})\$?([0-9]{1,7})$/.exec(ref);
    if (!parts) continue;
    const [c1, r1, c2, r2] = [columnIndex(parts[1]), Number(parts[2]) - 1, columnIndex(parts[3]), Number(parts[4]) - 1];
    const range = { ref, top: Math.min(r1, r2), left: Math.min(c1, c2), bottom: Math.max(r1, r2), right: Math.max(c1, c2) };
    if (range.top < 0 || range.left < 0 || (range.top === range.bottom && range.left === range.right)) continue;
    ranges.push(range);
  }
  return ranges;
}

/**
 * Copies the first (top-left) value of each merged range over its other cells, as the spreadsheet shows the range,
 * in the rows from `fromRow` on (0-based: the data under a header row) that have a value of their own, and within the
 * width of the rows read: a range reaching beyond the table (A1:XFD1048576) never creates rows nor columns. Changes
 * `rows` in place; gives the ranges that filled at least one cell.
 */
export function spreadMerges(rows: string[][], ranges: readonly MergedRange[], fromRow = 0): MergedRange[] {
  const width = rows.reduce((max, r) => Math.max(max, r.length), 0);
  const filled = rows.map((r) => r.some((c) => c.trim() !== ""));
  const spread: MergedRange[] = [];
  for (const range of ranges) {
    if (range.top < fromRow || range.top >= rows.length) continue;
    const value = rows[range.top][range.left] ?? "";
    if (value.trim() === "") continue;
    let any = false;
    for (let r = range.top; r <= Math.min(range.bottom, rows.length - 1); r++) {
      if (!filled[r]) continue;
      const row = rows[r];
      for (let c = range.left; c <= Math.min(range.right, width - 1); c++) {
        if (r === range.top && c === range.left) continue;
        if ((row[c] ?? "") !== "") continue;
        while (row.length < c) row.push("");
        row[c] = value;
        any = true;
      }
    }
    if (any) spread.push(range);
  }
  return spread;
}

// ----------------------------------------------------------------------------------------------------- write

/** An XLSX workbook of the given sheets, its parts deflated (`xlsxBytes`). */
export function writeXlsx(sheets: { name: string; rows: XlsxCell[][] }[], options: { header?: boolean } = {}): Buffer {
  return Buffer.from(xlsxBytes(sheets, { ...options, deflate: deflateRawSync }));
}
