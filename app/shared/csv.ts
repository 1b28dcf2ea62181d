/**
 * A robust CSV reader and writer, pure and browser-safe (no I/O): used by the référentiel importers, the CSV
 * uploads of the ingestion and every CSV export.
 *
 * Reading
 * - Encoding: a BOM decides (UTF-8, UTF-16 LE/BE); without one, bytes that are not valid UTF-8 are read as
 *   Windows-1252, the superset of ISO-8859-1 (Latin-1) that French public files (BCN, INSEE) use.
 * - Delimiter: `;`, `,`, `|` or tab, detected on the header line (outside quotes), unless given.
 * - RFC 4180 quotes (`"a;b"`, `"say ""hi"""`, line breaks inside quotes), `\r\n`, `\n` or `\r` line ends, blank
 *   lines skipped; a quote in the middle of an unquoted field is kept as is (lenient, as spreadsheets write).
 * - Line numbers are the physical line (1-based) where a record starts, so messages can name it.
 *
 * Writing: `toCsv` quotes only when needed; `;` and a UTF-8 BOM by default so that Excel (fr) opens it right; dates
 * (DateValue) JJ/MM/AAAA.
 */
import { csvField } from "./csv-field";
import { dateIsoEnFrancais, formatNombre } from "../ui/format";

export type CsvDelimiter = ";" | "," | "|" | "\t";
export type TextEncodingName = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

export const CSV_DELIMITERS: readonly CsvDelimiter[] = [";", ",", "|", "\t"];

/** A file the reader cannot make sense of; `line` (1-based) when known. Message in French. */
export class CsvError extends Error {
  constructor(
    /** The message without its line. */
    readonly detail: string,
    readonly line?: number,
    /** Beyond `CsvLimits`: a cell (its 0-based column) or a record (column null), and the limit passed. */
    readonly tooLong?: { column: number | null; max: number },
  ) {
    super(line ? `Ligne ${line} : ${detail}` : detail);
    this.name = "CsvError";
  }
}

export interface CsvRecord {
  /** Physical line (1-based) where the record starts. */
  line: number;
  fields: string[];
}

/** Decodes a file's bytes: BOM first, then strict UTF-8, else Windows-1252 (Latin-1). */
export function decodeText(bytes: Uint8Array): { text: string; encoding: TextEncodingName } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8" };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), encoding: "utf-16le" };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), encoding: "utf-16be" };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: decodeWindows1252(bytes), encoding: "windows-1252" };
  }
}

// Windows-1252 characters of bytes 0x80–0x9F (Excel's "CSV" in French: ’ œ € …); undefined bytes stay as is.
const CP1252_HIGH = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

/** Windows-1252 (superset of ISO-8859-1) without relying on the runtime's ICU data. */
export function decodeWindows1252(bytes: Uint8Array): string {
  let out = "";
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const part = bytes.subarray(i, i + CHUNK);
    const chars = new Array<string>(part.length);
    for (let k = 0; k < part.length; k++) {
      const b = part[k];
      chars[k] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
    }
    out += chars.join("");
  }
  return out;
}

/** Strips a leading BOM character from already decoded text. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * The delimiter of a CSV text: the candidate that appears most often outside quotes on the first non-blank line
 * (ties: `;`, tab, `|`, `,`). A single-column file gives `fallback`.
 */
export function detectDelimiter(text: string, fallback: CsvDelimiter = ";"): CsvDelimiter {
  const body = stripBom(text);
  const counts = new Map<CsvDelimiter, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  let seenContent = false;
  // the header line: a longer one is refused by the reader (MAX_LINE_CHARS), never scanned to its end here
  const end = Math.min(body.length, MAX_LINE_CHARS + 1);
  for (let i = 0; i < end; i++) {
    const c = body[i];
    if (c === '"') {
      inQuotes = !inQuotes;
      seenContent = true;
      continue;
    }
    if (inQuotes) continue;
    if (c === "\n" || c === "\r") {
      if (seenContent) break;
      continue;
    }
    if (c !== " ") seenContent = true;
    if (counts.has(c as CsvDelimiter)) counts.set(c as CsvDelimiter, counts.get(c as CsvDelimiter)! + 1);
  }
  let best: CsvDelimiter = fallback;
  let bestCount = 0;
  for (const d of [";", "\t", "|", ","] as CsvDelimiter[]) {
    const n = counts.get(d)!;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/**
 * The longest cell and line a référentiel file, or a file of effectifs uploaded by a CFA, may hold (decision 028). A spreadsheet cell holds at most 32 767
 * characters (Excel, LibreOffice), and the longest values of the référentiel files (raison sociale, adresse, libellé
 * long of the BCN, descriptions of the catalogue) hold a few hundred to a few thousand: beyond, the file is not what
 * it claims to be (a binary file, a quote left open that swallows the rest of the file), and reading on would only
 * fill the server's memory.
 */
export const MAX_CELL_CHARS = 32_767;
export const MAX_LINE_CHARS = 1_000_000;

export interface CsvLimits {
  /** Longest cell (characters, quotes excluded); longer: CsvError naming the line and the column. */
  maxCell?: number;
  /** Longest record (characters, line breaks inside quotes included); longer: CsvError naming the line. */
  maxRecord?: number;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Iterates the records of a CSV text (header included, as the first record). Blank lines are skipped.
 * Throws CsvError on a quote left open at the end of the file, and, with `limits`, as soon as a cell or a record
 * is longer than allowed (the rest is not read). Cells are slices of the text, never built character by character.
 */
export function* iterateCsv(text: string, delimiter: CsvDelimiter, limits: CsvLimits = {}): Generator<CsvRecord> {
  const s = stripBom(text);
  const n = s.length;
  const delim = delimiter.charCodeAt(0);
  const maxCell = limits.maxCell ?? Infinity;
  const maxRecord = limits.maxRecord ?? Infinity;
  let header: string[] | undefined;
  let i = 0;
  let line = 1;
  const tooLong = (startLine: number, column: number, recordStart: number): CsvError => {
    if (i - recordStart > maxRecord) {
      return new CsvError(
        `ligne de plus de ${formatNombre(maxRecord)} caractères : le fichier n'est pas un CSV du référentiel ` +
          "(un guillemet ouvert et jamais refermé peut aussi lire toute la suite du fichier comme une seule ligne)",
        startLine,
        { column: null, max: maxRecord },
      );
    }
    const name = header?.[column]?.trim() ? `« ${header[column].trim()} »` : columnLetter(column);
    return new CsvError(
      `la cellule de la colonne ${name} dépasse ${formatNombre(maxCell)} caractères, le maximum d'une cellule de tableur : ` +
        "aucune valeur du référentiel n'est si longue (un guillemet ouvert et jamais refermé peut aussi lire toute la suite du fichier comme une seule cellule)",
      startLine,
      { column, max: maxCell },
    );
  };
  while (i < n) {
    const startLine = line;
    const recordStart = i;
    const fields: string[] = [];
    let quotedRecord = false;
    let endOfRecord = false;
    while (!endOfRecord) {
      // one field
      let field: string;
      if (i < n && s.charCodeAt(i) === QUOTE) {
        quotedRecord = true;
        const quoteLine = line;
        const fieldStart = i;
        i++;
        let parts: string[] | null = null;
        let from = i;
        let closed = false;
        while (i < n) {
          if (i - fieldStart > maxCell + 1 || i - recordStart > maxRecord) throw tooLong(startLine, fields.length, recordStart);
          const c = s.charCodeAt(i);
          if (c === QUOTE) {
            if (s.charCodeAt(i + 1) === QUOTE) {
              (parts ??= []).push(s.slice(from, i + 1));
              i += 2;
              from = i;
              continue;
            }
            closed = true;
            break;
          }
          if (c === CR) {
            // \r\n or \r inside quotes is one line break, kept as \n
            (parts ??= []).push(s.slice(from, i), "\n");
            i += s.charCodeAt(i + 1) === LF ? 2 : 1;
            from = i;
            line++;
            continue;
          }
          if (c === LF) line++;
          i++;
        }
        if (!closed) throw new CsvError("guillemet ouvert jamais refermé (le fichier est-il tronqué ?)", quoteLine);
        const inside = s.slice(from, i);
        field = parts ? parts.join("") + inside : inside;
        i++;
        // characters after the closing quote and before the delimiter are kept (lenient)
        const after = i;
        while (i < n) {
          const c = s.charCodeAt(i);
          if (c === delim || c === LF || c === CR) break;
          i++;
        }
        if (i > after) field += s.slice(after, i);
        if (field.length > maxCell || i - recordStart > maxRecord) throw tooLong(startLine, fields.length, recordStart);
      } else {
        const from = i;
        const stop = Math.min(n, from + maxCell + 1, recordStart + maxRecord + 1);
        while (i < stop) {
          const c = s.charCodeAt(i);
          if (c === delim || c === LF || c === CR) break;
          i++;
        }
        if (i - from > maxCell || i - recordStart > maxRecord) throw tooLong(startLine, fields.length, recordStart);
        field = s.slice(from, i);
      }
      fields.push(field);
      if (i >= n) {
        endOfRecord = true;
      } else if (s.charCodeAt(i) === delim) {
        i++;
        if (i >= n) {
          fields.push("");
          endOfRecord = true;
        }
      } else {
        // line break
        i += s.charCodeAt(i) === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        endOfRecord = true;
      }
    }
    const blank = !quotedRecord && fields.length === 1 && fields[0].trim() === "";
    if (blank) continue;
    header ??= fields;
    yield { line: startLine, fields };
  }
}

export interface ParsedCsv {
  delimiter: CsvDelimiter;
  /** Header cells, trimmed. */
  header: string[];
  /** Records after the header. */
  records: CsvRecord[];
  encoding?: TextEncodingName;
}

export interface ParseCsvOptions {
  delimiter?: CsvDelimiter;
  /** Whether the first record is a header (default true). */
  header?: boolean;
  /** Longest cell and record: beyond, CsvError (`tooLong`) and the rest is not read. */
  limits?: CsvLimits;
}

/** Parses a whole CSV (text or bytes, see decodeText). Throws CsvError when it is empty or malformed. */
export function parseCsv(input: string | Uint8Array, options: ParseCsvOptions = {}): ParsedCsv {
  let text: string;
  let encoding: TextEncodingName | undefined;
  if (typeof input === "string") text = input;
  else ({ text, encoding } = decodeText(input));
  const delimiter = csvDelimiter(text, options.delimiter);
  const records = [...iterateCsv(text, delimiter, options.limits)];
  if (options.header === false) return { delimiter, header: [], records, encoding };
  return { delimiter, header: csvHeader(records.shift()), records, encoding };
}

/**
 * parseCsv of a text (with a header), awaiting `pause` after each record: a long file is parsed by slices, `pause`
 * giving the event loop a turn now and then (the importers', decision 021).
 */
export async function parseCsvBySlices(text: string, pause: () => Promise<void>, limits?: CsvLimits): Promise<ParsedCsv> {
  const delimiter = csvDelimiter(text);
  let first: CsvRecord | undefined;
  const records: CsvRecord[] = [];
  for (const record of iterateCsv(text, delimiter, limits)) {
    if (!first) first = record;
    else records.push(record);
    await pause();
  }
  return { delimiter, header: csvHeader(first), records };
}

/**
 * Whether a text decoded as UTF-8 or Latin-1 is UTF-16 without a BOM (what some tools write for "Unicode text"):
 * every other character is a null, mostly (the high byte of ASCII letters, digits and separators).
 */
function looksLikeUtf16(text: string): boolean {
  const sample = text.slice(0, 2000);
  if (sample.length < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) === 0) i % 2 ? odd++ : even++;
  const half = sample.length / 2;
  return Math.max(even, odd) >= half * 0.6 && Math.min(even, odd) <= half * 0.1;
}

/** The delimiter of a CSV text (the one given, else detected), once it is known to be text. */
export function csvDelimiter(text: string, delimiter?: CsvDelimiter): CsvDelimiter {
  if (text.includes("\u0000")) {
    if (looksLikeUtf16(text)) {
      throw new CsvError(
        "le fichier semble encodé en UTF-16 (« texte Unicode »), sans l'indiquer en tête de fichier : enregistrez-le au format " +
          "« CSV UTF-8 (délimité par des virgules) » (Excel : Fichier > Enregistrer sous, puis ce type de fichier) ou au format .xlsx",
      );
    }
    throw new CsvError("le fichier n'est pas un fichier texte (CSV) : il contient des octets nuls");
  }
  return delimiter ?? detectDelimiter(text);
}

/** The header's cells, trimmed, from the first record (none: the file is empty). */
export function csvHeader(first: CsvRecord | undefined): string[] {
  if (!first) throw new CsvError("le fichier est vide");
  return first.fields.map((h) => h.trim());
}

/** Spreadsheet column letter of a 0-based index: 0 → A, 27 → AB. */
export function columnLetter(index: number): string {
  let s = "";
  let n = index + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/**
 * Normalises a header cell for matching: lowercase, accents removed, spaces/dashes/dots → "_".
 * "Raison sociale" → "raison_sociale"; "Code commune (INSEE)" → "code_commune_insee".
 */
export function normalizeHeader(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/**
 * A day in a file users download (decision 019): written JJ/MM/AAAA in a CSV (what Excel in French reads as a date),
 * as a real date (serial number shown dd/mm/yyyy) in an XLSX. `date` is "AAAA-MM-JJ".
 */
export interface DateValue {
  readonly date: string;
}

export function isDateValue(value: unknown): value is DateValue {
  return typeof value === "object" && value !== null && typeof (value as DateValue).date === "string";
}

/**
 * The day of "AAAA-MM-JJ" (a time part is dropped: the day as written, like formatDate) or of a Date (its UTC day),
 * as a file's date cell; null for nothing, and a text that is not a day is kept as it is (never lost).
 */
export function dateValue(value: string | Date | null | undefined): DateValue | string | null {
  if (value === null || value === undefined || value === "") return null;
  const s = typeof value === "string" ? value : Number.isNaN(value.getTime()) ? "" : value.toISOString();
  return /^\d{4}-\d{2}-\d{2}(?:$|[T ])/.test(s) ? { date: s.slice(0, 10) } : typeof value === "string" ? value : null;
}

/** "2026-11-15" → "15/11/2026". */
export function dateJjMmAaaa(d: DateValue): string {
  return dateIsoEnFrancais(d.date);
}

/** "15/11/2026" → the day, `dateJjMmAaaa`'s inverse; null for any other text. */
export function jourJjMmAaaa(text: string): DateValue | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  return m ? { date: `${m[3]}-${m[2]}-${m[1]}` } : null;
}

export type CsvValue = string | number | boolean | null | undefined | DateValue;

/**
 * Writes rows as CSV text: quotes fields holding the delimiter, quotes or line breaks, and writes a text that a
 * spreadsheet would run as a formula after an apostrophe (`csvField`); a date (DateValue) is written JJ/MM/AAAA.
 */
export function toCsv(rows: CsvValue[][], options: { delimiter?: CsvDelimiter; bom?: boolean } = {}): string {
  const delimiter = options.delimiter ?? ";";
  const escape = (v: CsvValue) =>
    v === null || v === undefined ? "" : typeof v === "string" ? csvField(v, delimiter) : typeof v === "object" ? dateJjMmAaaa(v) : String(v);
  const body = rows.map((r) => r.map(escape).join(delimiter)).join("\r\n") + (rows.length ? "\r\n" : "");
  return (options.bom === false ? "" : "\uFEFF") + body;
}
