/**
 * An XLSX workbook written as a stream: rows are deflated as they come, so a national export never sits in
 * memory. A ZIP with data descriptors (sizes and CRC after each entry), inline strings (no shared strings table
 * to accumulate), the sheets first and the workbook parts at the end (when the sheet list is known: a sheet past
 * Excel's 1,048,576 rows continues in a new one). Dates (DateValue) are real Excel dates, as in `writeXlsx`; a
 * column whose first row after the header holds a date is made wide enough to show it (the sheet's columns are
 * written before its rows). Read back by app/shared/xlsx.server.ts `readXlsx`.
 */
import { once } from "node:events";
import { createDeflateRaw, crc32 } from "node:zlib";
import { columnLetter } from "../shared/csv";
import {
  NOM_DE_FEUILLE_MAX,
  XLSX_STYLES,
  XLSX_STYLE_BOLD,
  dateColumnsOf,
  encodeXml,
  nomDeFeuille,
  nomDeFeuilleUnique,
  xlsxCell,
  xlsxDateColumns,
  type XlsxCell,
} from "../shared/xlsx.server";

export interface FeuilleFlux {
  nom: string;
  /** The first row is the header (bold, frozen). */
  lignes: AsyncIterable<XlsxCell[]>;
}

/** Excel's limit, header included. */
export const LIGNES_MAX_PAR_FEUILLE = 1_048_576;
const LOT = 64 * 1024;

interface Entree {
  nom: Buffer;
  crc: number;
  compresse: number;
  taille: number;
  offset: number;
}

const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01

/** A cell as `writeXlsx` writes it (`xlsxCell`), its text an inline string. */
function cellule(value: XlsxCell, ref: string, gras: boolean): string {
  const style = gras ? ` s="${XLSX_STYLE_BOLD}"` : "";
  return xlsxCell(value, ref, style, (s) => {
    const space = /^\s|\s$/.test(s) ? ' xml:space="preserve"' : "";
    return `<c r="${ref}"${style} t="inlineStr"><is><t${space}>${encodeXml(s)}</t></is></c>`;
  });
}

function ligneXml(row: XlsxCell[], index: number, gras: boolean): string {
  let cells = "";
  for (let c = 0; c < row.length; c++) cells += cellule(row[c], `${columnLetter(c)}${index + 1}`, gras);
  return `<row r="${index + 1}">${cells}</row>`;
}

/** The start of a sheet, up to its rows: frozen header, then the date columns' widths (`dates`, 0-based). */
function debutFeuille(dates: number[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
    `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
    xlsxDateColumns(dates) +
    `<sheetData>`
  );
}
const FIN_FEUILLE = `</sheetData></worksheet>`;

/** The workbook's bytes, produced as the rows are read. */
export async function* xlsxEnFlux(feuilles: FeuilleFlux[], options: { lignesMax?: number } = {}): AsyncGenerator<Uint8Array> {
  const lignesMax = options.lignesMax ?? LIGNES_MAX_PAR_FEUILLE;
  const entrees: Entree[] = [];
  let offset = 0;

  /** One ZIP entry, deflated on the fly, followed by its data descriptor. */
  async function* entree(nom: string, contenu: AsyncIterable<string> | Iterable<string>): AsyncGenerator<Uint8Array> {
    const nomBuf = Buffer.from(nom, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6); // data descriptor + UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt16LE(nomBuf.length, 26);
    const debut = offset;
    yield local;
    yield nomBuf;
    offset += local.length + nomBuf.length;

    const deflate = createDeflateRaw({ level: 6 });
    const sorties: Buffer[] = [];
    deflate.on("data", (b: Buffer) => sorties.push(b));
    const fin = once(deflate, "end");
    let crc = 0;
    let taille = 0;
    let compresse = 0;
    let lot: string[] = [];
    let lotTaille = 0;
    const ecrire = async (texte: string) => {
      const buf = Buffer.from(texte, "utf8");
      crc = crc32(buf, crc);
      taille += buf.length;
      if (!deflate.write(buf)) await once(deflate, "drain");
    };
    for await (const part of contenu) {
      lot.push(part);
      lotTaille += part.length;
      if (lotTaille >= LOT) {
        await ecrire(lot.join(""));
        lot = [];
        lotTaille = 0;
        while (sorties.length) {
          const b = sorties.shift()!;
          compresse += b.length;
          yield b;
        }
      }
    }
    if (lot.length) await ecrire(lot.join(""));
    deflate.end();
    await fin;
    for (const b of sorties) {
      compresse += b.length;
      yield b;
    }
    if (taille > 0xfffffffe || offset + compresse > 0xfffffffe) throw new Error("Export trop volumineux pour un classeur XLSX (4 Go) : choisissez le format CSV.");
    const descripteur = Buffer.alloc(16);
    descripteur.writeUInt32LE(0x08074b50, 0);
    descripteur.writeUInt32LE(crc >>> 0, 4);
    descripteur.writeUInt32LE(compresse, 8);
    descripteur.writeUInt32LE(taille, 12);
    yield descripteur;
    offset += compresse + descripteur.length;
    entrees.push({ nom: nomBuf, crc: crc >>> 0, compresse, taille, offset: debut });
  }

  // Sheets, each split past Excel's row limit.
  const noms: string[] = [];
  const pris = new Set<string>();
  for (const [i, feuille] of feuilles.entries()) {
    const iterator = feuille.lignes[Symbol.asyncIterator]();
    let entete: XlsxCell[] | null = null;
    let partie = 1;
    let reste: XlsxCell[] | null = null;
    let epuise = false;
    while (!epuise) {
      // a sheet's continuation is "Par formation (2)": its name shortened, if need be, to leave room for the number
      const suite = partie === 1 ? "" : ` (${partie})`;
      const nom = nomDeFeuilleUnique(`${nomDeFeuille(feuille.nom, NOM_DE_FEUILLE_MAX - suite.length)}${suite}`, pris, i + 1);
      noms.push(nom);
      const index = noms.length;
      async function* xml(): AsyncGenerator<string> {
        // the header and the first row are read before the sheet's start: its columns (date widths) come first
        const suivante = async (): Promise<XlsxCell[] | null> => {
          const next = await iterator.next();
          if (next.done) epuise = true;
          return next.done ? null : next.value;
        };
        if (entete === null) entete = await suivante();
        let premiere = reste;
        reste = null;
        if (premiere === null && !epuise) premiere = await suivante();
        yield debutFeuille(premiere ? dateColumnsOf(premiere) : []);
        let r = 0;
        if (entete) yield ligneXml(entete, r++, true);
        if (premiere) yield ligneXml(premiere, r++, false);
        while (!epuise) {
          const next = await suivante();
          if (next === null) break;
          if (r >= lignesMax) {
            reste = next;
            break;
          }
          yield ligneXml(next, r++, false);
        }
        yield FIN_FEUILLE;
      }
      yield* entree(`xl/worksheets/sheet${index}.xml`, xml());
      partie++;
    }
  }

  yield* entree("xl/styles.xml", [XLSX_STYLES]);
  yield* entree("xl/workbook.xml", [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` +
      noms.map((n, i) => `<sheet name="${encodeXml(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
      `</sheets></workbook>`,
  ]);
  yield* entree("xl/_rels/workbook.xml.rels", [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      noms.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("") +
      `<Relationship Id="rId${noms.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
  ]);
  yield* entree("_rels/.rels", [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  ]);
  yield* entree("[Content_Types].xml", [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      noms.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("") +
      `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`,
  ]);

  // Central directory.
  const centraux: Buffer[] = [];
  for (const e of entrees) {
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x0808, 8);
    c.writeUInt16LE(8, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(DOS_DATE, 14);
    c.writeUInt32LE(e.crc, 16);
    c.writeUInt32LE(e.compresse, 20);
    c.writeUInt32LE(e.taille, 24);
    c.writeUInt16LE(e.nom.length, 28);
    c.writeUInt32LE(e.offset, 42);
    centraux.push(c, e.nom);
  }
  const cd = Buffer.concat(centraux);
  const fin = Buffer.alloc(22);
  fin.writeUInt32LE(0x06054b50, 0);
  fin.writeUInt16LE(entrees.length, 8);
  fin.writeUInt16LE(entrees.length, 10);
  fin.writeUInt32LE(cd.length, 12);
  fin.writeUInt32LE(offset, 16);
  yield cd;
  yield fin;
}
