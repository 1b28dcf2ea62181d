/**
 * Minimal XLSX reader and writer on top of node:zlib (an XLSX is a ZIP of XML parts). Enough for the public
 * files we import (INSEE, BCN exports, spreadsheets saved by users) and for exports users open in Excel or
 * LibreOffice.
 *
 * Reading: every worksheet as rows of strings (shared strings, inline strings, numbers, booleans; formulas give
 * their cached value; merged cells are not spread). Empty cells are "" and rows keep their position (row 5 of the
 * sheet is `rows[4]`). Numbers are returned as written in the XML (`1001`, `0.5`), except those whose cell format
 * shows a date: they are returned as the spreadsheet shows them, `dd/MM/yyyy`, in the workbook's date system (1900
 * or 1904, app/shared/excel-dates.ts). Not supported: ZIP64, encrypted workbooks, the binary .xls / .xlsb formats.
 * A malformed or hostile file gives an XlsxError, never another error: offsets are bounds-checked, invalid
 * character references read as U+FFFD, positions beyond Excel's limits (1,048,576 rows, 16,384 columns) are
 * refused, and callers reading untrusted files can cap the inflated size of each part, the number of filled rows
 * and the number of cells (`ReadXlsxOptions`; XlsxLimitError).
 *
 * Writing: one or more sheets of strings/numbers/booleans/null and dates, shared strings, a bold header row, deflated.
 * A date (DateValue of app/shared/csv.ts) is a real Excel date: its serial number with a cell format showing
 * dd/mm/yyyy, in a column wide enough to show it (decision 019); `readXlsx` reads it back as "dd/MM/yyyy". A string
 * is always a text cell, so codes ("01000", "0123456789", "01") keep their leading zeros.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { dateJjMmAaaa, isDateValue, type DateValue } from "./csv";
import { excelSerialToIso, isDateFormat, isoToExcelSerial } from "./excel-dates";

/** A workbook the reader cannot open. Message in French. */
export class XlsxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "XlsxError";
  }
}

/** A workbook beyond one of the limits of `ReadXlsxOptions` (or of Excel's grid). Message in French. */
export class XlsxLimitError extends XlsxError {
  constructor(
    message: string,
    readonly limit: "taille" | "lignes" | "cellules" | "grille",
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
  /** Only the first sheet having a non-blank cell (none: an empty list); the following sheets are not read. */
  firstSheetWithData?: boolean;
}

export interface XlsxSheet {
  name: string;
  rows: string[][];
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

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A ZIP archive of the given files (deflated). */
export function writeZip(files: { name: string; data: Uint8Array | string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  // 1980-01-01 00:00 in DOS format
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const f of files) {
    const raw = typeof f.data === "string" ? Buffer.from(f.data, "utf8") : Buffer.from(f.data);
    const compressed = deflateRawSync(raw);
    const name = Buffer.from(f.name, "utf8");
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
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

export function encodeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
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
  if (!looksLikeZip(bytes)) throw new XlsxError("le fichier n'est pas un classeur XLSX (les fichiers .xls d'Excel 97-2003 ne sont pas pris en charge : enregistrez-le au format .xlsx ou .csv)");
  const zip = readZip(bytes, { maxPartBytes: options.maxPartBytes });
  const read = (name: string) => {
    const get = zip.get(name);
    return get ? get().toString("utf8") : undefined;
  };
  const workbook = read("xl/workbook.xml");
  if (!workbook) throw new XlsxError("le fichier n'est pas un classeur XLSX (xl/workbook.xml manquant)");
  const rels = read("xl/_rels/workbook.xml.rels") ?? "";
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], "Id");
    const target = attr(m[0], "Target");
    if (id && target) targets.set(id, resolvePath("xl/workbook.xml", target));
  }
  const shared: string[] = [];
  const sst = read("xl/sharedStrings.xml");
  if (sst) for (const m of sst.matchAll(/<(?:\w+:)?si>([\s\S]*?)<\/(?:\w+:)?si>|<(?:\w+:)?si\/>/g)) shared.push(textOf(m[1] ?? ""));

  const budget: SheetBudget = {
    maxRows: options.maxRows,
    maxCells: options.maxCells,
    cells: 0,
    dateStyles: dateStyles(read("xl/styles.xml")),
    date1904: /<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*"(?:1|true)"/.test(workbook),
  };
  const sheets: XlsxSheet[] = [];
  let index = 0;
  for (const m of workbook.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    index++;
    const name = attr(m[0], "name") ?? `Feuille${index}`;
    const rid = attr(m[0], "r:id") ?? [...m[0].matchAll(/\s(\w+):id\s*=\s*"([^"]*)"/g)][0]?.[2];
    const path = (rid && targets.get(rid)) ?? `xl/worksheets/sheet${index}.xml`;
    const xml = read(path);
    if (xml === undefined) continue; // chart sheets and the like
    const sheet = { name, rows: parseSheet(xml, shared, budget) };
    if (options.firstSheetWithData) {
      if (sheet.rows.some((r) => r.some((c) => c.trim() !== ""))) return [sheet];
      continue;
    }
    sheets.push(sheet);
  }
  if (options.firstSheetWithData) return [];
  if (sheets.length === 0) throw new XlsxError("le classeur XLSX ne contient aucune feuille");
  return sheets;
}

interface SheetBudget {
  maxRows?: number;
  maxCells?: number;
  /** Cells and rows created so far (empty ones filling gaps included). */
  cells: number;
  /** Indexes of the cell formats (`s` attribute) that show a date. */
  dateStyles: Set<number>;
  /** The workbook counts its dates from 1904 (old Mac Excel) instead of 1900. */
  date1904: boolean;
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

/** A number shown as a date: "dd/MM/yyyy", or the number itself when it is no day Excel can show. */
function dateCell(value: string, date1904: boolean): string {
  const iso = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(value) ? excelSerialToIso(Number(value), date1904) : null;
  return iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : value;
}

const ROW_NUMBER = /^[0-9]{1,8}$/;

function parseSheet(xml: string, shared: string[], budget: SheetBudget): string[][] {
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
      if (type === "s") value = v !== undefined ? (shared[Number(v)] ?? "") : "";
      else if (type === "inlineStr") value = textOf(inner);
      else if (type === "b") value = v === "1" ? "TRUE" : v === "0" ? "FALSE" : "";
      else value = v !== undefined ? decodeXml(v) : "";
      if ((type === undefined || type === "n") && value !== "" && budget.dateStyles.size && budget.dateStyles.has(Number(attr(cm[1], "s") ?? "-1"))) {
        value = dateCell(value, budget.date1904);
      }
      if (value === "") continue; // empty cells only matter as gaps before a value
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

// ----------------------------------------------------------------------------------------------------- write

export type XlsxCell = string | number | boolean | null | undefined | DateValue;

/** Cell formats (the `s` of a cell, an index in `cellXfs`) of the app's workbooks. */
export const XLSX_STYLE_BOLD = 1;
export const XLSX_STYLE_DATE = 2;
/** The number format of dates: a custom format (ids from 164), the same in every language of Excel. */
export const XLSX_DATE_FORMAT = "dd/mm/yyyy";

/** styles.xml of the app's workbooks: plain, bold (headers), date (dd/mm/yyyy). */
export const XLSX_STYLES =
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
  `<numFmts count="1"><numFmt numFmtId="164" formatCode="${XLSX_DATE_FORMAT}"/></numFmts>` +
  `<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
  `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
  `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
  `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
  `<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
  `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
  `<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
  `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
  `</styleSheet>`;

/**
 * A date cell: its serial number with the date format; a day Excel cannot show (before 01/03/1900) is written as the
 * text "dd/MM/yyyy" by `text`, the writer's own way of writing a string.
 */
export function xlsxDateCell(value: DateValue, ref: string, text: (s: string) => string): string {
  const serial = isoToExcelSerial(value.date);
  return serial === null ? text(dateJjMmAaaa(value)) : `<c r="${ref}" s="${XLSX_STYLE_DATE}"><v>${serial}</v></c>`;
}

/**
 * A cell of the app's workbooks at `ref` ("" for an empty value): a number, a boolean, a date (`xlsxDateCell`), else a
 * text written by `text`, the writer's own way of writing a string (shared or inline). `style` is the cell's
 * ` s="…"` attribute, or "".
 */
export function xlsxCell(value: XlsxCell, ref: string, style: string, text: (s: string) => string): string {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value === "number" && Number.isFinite(value)) return `<c r="${ref}"${style}><v>${value}</v></c>`;
  if (typeof value === "boolean") return `<c r="${ref}"${style} t="b"><v>${value ? 1 : 0}</v></c>`;
  if (isDateValue(value)) return xlsxDateCell(value, ref, text);
  return text(String(value));
}

/** Width (in characters) of a date column: a number wider than its column shows "########". */
const DATE_COLUMN_WIDTH = 12;

/** The `<cols>` of a sheet whose columns (0-based) hold dates ("" for none): wide enough to show dd/mm/yyyy. */
export function xlsxDateColumns(columns: Iterable<number>): string {
  const sorted = [...new Set(columns)].sort((a, b) => a - b);
  if (sorted.length === 0) return "";
  return `<cols>${sorted.map((c) => `<col min="${c + 1}" max="${c + 1}" width="${DATE_COLUMN_WIDTH}" customWidth="1"/>`).join("")}</cols>`;
}

/** The 0-based indexes of a row's date cells. */
export function dateColumnsOf(row: readonly XlsxCell[]): number[] {
  const out: number[] = [];
  row.forEach((v, i) => {
    if (isDateValue(v)) out.push(i);
  });
  return out;
}

function cellRef(col: number, row: number): string {
  let s = "";
  let n = col + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return `${s}${row + 1}`;
}

/**
 * An XLSX workbook of the given sheets. The first row of each sheet is written bold when `header` is true
 * (default). Strings go to the shared strings table, as Excel writes them; dates are real dates (`xlsxDateCell`).
 */
export function writeXlsx(sheets: { name: string; rows: XlsxCell[][] }[], options: { header?: boolean } = {}): Buffer {
  const boldHeader = options.header !== false;
  const sharedIndex = new Map<string, number>();
  const sharedList: string[] = [];
  let sharedCount = 0;
  const sheetXml = sheets.map((sheet) => {
    const dateColumns = new Set<number>();
    const rowsXml = sheet.rows.map((row, r) => {
      const cells = row
        .map((value, c) => {
          const ref = cellRef(c, r);
          const style = boldHeader && r === 0 ? ` s="${XLSX_STYLE_BOLD}"` : "";
          const text = (s: string) => {
            let idx = sharedIndex.get(s);
            if (idx === undefined) {
              idx = sharedList.length;
              sharedList.push(s);
              sharedIndex.set(s, idx);
            }
            sharedCount++;
            return `<c r="${ref}"${style} t="s"><v>${idx}</v></c>`;
          };
          if (isDateValue(value)) dateColumns.add(c);
          return xlsxCell(value, ref, style, text);
        })
        .join("");
      return `<row r="${r + 1}">${cells}</row>`;
    });
    return (
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
      `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
      (boldHeader && sheet.rows.length > 1 ? `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` : "") +
      xlsxDateColumns(dateColumns) +
      `<sheetData>${rowsXml.join("")}</sheetData></worksheet>`
    );
  });
  const safeName = (name: string, i: number) => encodeXml((name.replace(/[[\]:*?/\\]/g, " ").slice(0, 31) || `Feuille${i + 1}`));
  const files = [
    {
      name: "[Content_Types].xml",
      data:
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("") +
        `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` +
        `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
    },
    {
      name: "_rels/.rels",
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: "xl/workbook.xml",
      data:
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` +
        sheets.map((s, i) => `<sheet name="${safeName(s.name, i)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
        `</sheets></workbook>`,
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data:
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("") +
        `<Relationship Id="rId${sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>` +
        `<Relationship Id="rId${sheets.length + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
    },
    { name: "xl/styles.xml", data: XLSX_STYLES },
    ...sheetXml.map((data, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data })),
    {
      name: "xl/sharedStrings.xml",
      data:
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${sharedCount}" uniqueCount="${sharedList.length}">` +
        sharedList.map((s) => `<si><t${/^\s|\s$/.test(s) ? ' xml:space="preserve"' : ""}>${encodeXml(s)}</t></si>`).join("") +
        `</sst>`,
    },
  ];
  return writeZip(files);
}

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
