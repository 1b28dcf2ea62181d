/**
 * The XLSX writer of the app, without Node: the server's workbooks (app/shared/xlsx.server.ts deflates their parts
 * with node:zlib) and the charts' downloads made in the browser (stored parts). One or more sheets of
 * strings/numbers/booleans/null and dates, shared strings, a bold header row. A date (DateValue of
 * app/shared/csv.ts) is a real Excel date: its serial number with a cell format showing dd/mm/yyyy, in a column wide
 * enough to show it (decision 019). A string is always a text cell, so codes ("01000", "0123456789", "01") keep
 * their leading zeros.
 */
import { columnLetter, dateJjMmAaaa, isDateValue, type DateValue } from "./csv";
import { isoToExcelSerial } from "./excel-dates";

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export function encodeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
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

/** Raw DEFLATE of a ZIP part (node:zlib's `deflateRawSync` on the server). */
export type Deflate = (raw: Uint8Array) => Uint8Array;

/** A ZIP archive of the given files: deflated by `deflate`, else stored uncompressed. */
export function zipBytes(files: { name: string; data: Uint8Array | string }[], deflate?: Deflate): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  // 1980-01-01 00:00 in DOS format
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  const method = deflate ? 8 : 0;
  for (const f of files) {
    const raw = typeof f.data === "string" ? encoder.encode(f.data) : f.data;
    const stored = deflate ? deflate(raw) : raw;
    const name = encoder.encode(f.name);
    const crc = crc32(raw);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 0x800, true);
    local.setUint16(8, method, true);
    local.setUint16(10, dosTime, true);
    local.setUint16(12, dosDate, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, stored.length, true);
    local.setUint32(22, raw.length, true);
    local.setUint16(26, name.length, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(8, 0x800, true);
    central.setUint16(10, method, true);
    central.setUint16(12, dosTime, true);
    central.setUint16(14, dosDate, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, stored.length, true);
    central.setUint32(24, raw.length, true);
    central.setUint16(28, name.length, true);
    central.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, stored);
    centrals.push(new Uint8Array(central.buffer), name);
    offset += 30 + name.length + stored.length;
  }
  const cdLength = centrals.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, cdLength, true);
  end.setUint32(16, offset, true);
  return concat([...parts, ...centrals, new Uint8Array(end.buffer)]);
}

function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
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

// ------------------------------------------------------------------------------------------------ sheet names

/** Excel's limit on a sheet's name, in characters. */
export const NOM_DE_FEUILLE_MAX = 31;

/** Words a shortened name does not end on ("Taux de couverture par" → "Taux de couverture"). */
const MOTS_DE_LIAISON = new Set(
  "à a au aux avec d de des du en et l la le les ou par pour selon sans sous sur un une depuis entre".split(" "),
);

/**
 * A sheet name Excel accepts, of whole words: its forbidden characters ([ ] : * ? / \) are spaces, it neither starts
 * nor ends with an apostrophe, and past NOM_DE_FEUILLE_MAX characters it is shortened — to its first clause when
 * that fits ("Apprenants par mois, sur 24 mois" → "Apprenants par mois"), else to its first words that fit, not
 * ending on a small word ("Taux de couverture par département" → "Taux de couverture"); a single word longer than
 * that is cut, with "…". Never cut mid-word as Excel would ("…, sur 24 moi"). `max` leaves room for a suffix.
 */
export function nomDeFeuille(nom: string, max = NOM_DE_FEUILLE_MAX): string {
  const propre = nom
    .replace(/[[\]:*?/\\]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^'+|'+$/g, "")
    .trim();
  if (propre.length <= max) return propre;
  const finit = (s: string) => s.replace(/[\s,;.(–—-]+$/, "");
  // the first clause (before a comma, a semicolon, a bracket or a dash) that fits
  const clauses = [...propre.matchAll(/[,;]\s|\s[(–—-]/g)].map((m) => finit(propre.slice(0, m.index))).filter((c) => c && c.length <= max);
  if (clauses.length) return clauses[clauses.length - 1];
  // else the words that fit, without a small word last
  const mots = propre.split(" ");
  const pris: string[] = [];
  for (const mot of mots) {
    if ([...pris, mot].join(" ").length > max) break;
    pris.push(mot);
  }
  while (pris.length > 1 && MOTS_DE_LIAISON.has(finit(pris[pris.length - 1]).toLowerCase())) pris.pop();
  const debut = finit(pris.join(" "));
  return debut || `${propre.slice(0, max - 1)}…`;
}

/**
 * A sheet's name (`nomDeFeuille`), unique among the names `pris` as Excel wants them (case-insensitive), and added
 * to them: a name already taken gets " (2)", " (3)"…, its words shortened to leave room; an empty one is
 * "Feuille<rang>" (`rang`: 1-based).
 */
export function nomDeFeuilleUnique(nom: string, pris: Set<string>, rang: number): string {
  const base = nomDeFeuille(nom) || `Feuille${rang}`;
  let choisi = base;
  for (let n = 2; pris.has(choisi.toLowerCase()); n++) {
    const suffixe = ` (${n})`;
    choisi = `${nomDeFeuille(base, NOM_DE_FEUILLE_MAX - suffixe.length)}${suffixe}`;
  }
  pris.add(choisi.toLowerCase());
  return choisi;
}

/** The sheets' names of a workbook (`nomDeFeuilleUnique`, in order). */
export function nomsDeFeuilles(noms: readonly string[]): string[] {
  const pris = new Set<string>();
  return noms.map((nom, i) => nomDeFeuilleUnique(nom, pris, i + 1));
}

function cellRef(col: number, row: number): string {
  return `${columnLetter(col)}${row + 1}`;
}

/**
 * An XLSX workbook of the given sheets. The first row of each sheet is written bold when `header` is true
 * (default). Strings go to the shared strings table, as Excel writes them; dates are real dates (`xlsxDateCell`).
 * Its parts are deflated by `deflate` (the server's node:zlib), else stored (the browser).
 */
export function xlsxBytes(sheets: { name: string; rows: XlsxCell[][] }[], options: { header?: boolean; deflate?: Deflate } = {}): Uint8Array<ArrayBuffer> {
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
  const noms = nomsDeFeuilles(sheets.map((s) => s.name));
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
        sheets.map((_, i) => `<sheet name="${encodeXml(noms[i])}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
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
  return zipBytes(files, options.deflate);
}

