/**
 * What a workbook's cells are, as Excel sees them (the reader `readXlsx` gives only their text): a text, a number, a
 * date (a number whose cell format shows a date) or a boolean, with the format code of the cell. Also the widths
 * of the sheet's columns. For the tests of the files users download (decision 019).
 */
import { isDateFormat } from "../../app/shared/excel-dates";
import { decodeXml, readZip } from "../../app/shared/xlsx.server";

export interface CelluleBrute {
  type: "texte" | "nombre" | "date" | "booléen";
  /** The stored value: the text, or the number as written (a date's serial). */
  valeur: string;
  /** The number format's code ("General" when none). */
  format: string;
}

const BUILTIN: Record<number, string> = { 0: "General", 14: "m/d/yyyy" };

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

function part(bytes: Uint8Array, name: string): string {
  const get = readZip(bytes).get(name);
  if (!get) throw new Error(`${name} absent du classeur`);
  return get().toString("utf8");
}

/** The number format code of each cell format (`s`), in order. */
function formats(bytes: Uint8Array): { code: string; id: number }[] {
  const styles = part(bytes, "xl/styles.xml");
  const codes = new Map<number, string>();
  for (const m of styles.matchAll(/<numFmt\b[^>]*>/g)) codes.set(Number(attr(m[0], "numFmtId")), decodeXml(attr(m[0], "formatCode") ?? ""));
  const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)?.[1] ?? "";
  return [...xfs.matchAll(/<xf\b[^>]*>/g)].map((m) => {
    const id = Number(attr(m[0], "numFmtId") ?? "0");
    return { id, code: codes.get(id) ?? BUILTIN[id] ?? `#${id}` };
  });
}

/** The cells of a sheet (1-based, as in the archive), by reference ("C2"). */
export function cellulesBrutes(bytes: Uint8Array, feuille = 1): Map<string, CelluleBrute> {
  const xml = part(bytes, `xl/worksheets/sheet${feuille}.xml`);
  const styles = formats(bytes);
  const sst = readZip(bytes).get("xl/sharedStrings.xml");
  const shared = sst ? [...sst().toString("utf8").matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => decodeXml(m[1].replace(/<[^>]+>/g, ""))) : [];
  const out = new Map<string, CelluleBrute>();
  for (const m of xml.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const ref = attr(m[1], "r")!;
    const t = attr(m[1], "t");
    const style = styles[Number(attr(m[1], "s") ?? "0")] ?? { id: 0, code: "General" };
    const inner = m[2] ?? "";
    const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1] ?? "";
    if (t === "s") out.set(ref, { type: "texte", valeur: shared[Number(v)], format: style.code });
    else if (t === "inlineStr") out.set(ref, { type: "texte", valeur: decodeXml(inner.replace(/<[^>]+>/g, "")), format: style.code });
    else if (t === "b") out.set(ref, { type: "booléen", valeur: v, format: style.code });
    else out.set(ref, { type: isDateFormat(style.id, style.code) ? "date" : "nombre", valeur: v, format: style.code });
  }
  return out;
}

/** The cells of a sheet's column (its letter), from the second row (under the header), in order. */
export function colonneBrute(bytes: Uint8Array, lettre: string, feuille = 1): CelluleBrute[] {
  return [...cellulesBrutes(bytes, feuille)].filter(([ref]) => new RegExp(`^${lettre}([0-9]+)$`).test(ref) && ref !== `${lettre}1`).map(([, c]) => c);
}

/** The widths set on a sheet's columns: 1-based column number → width. */
export function largeursColonnes(bytes: Uint8Array, feuille = 1): Map<number, number> {
  const xml = part(bytes, `xl/worksheets/sheet${feuille}.xml`);
  const out = new Map<number, number>();
  for (const m of xml.matchAll(/<col\b[^>]*>/g)) {
    for (let c = Number(attr(m[0], "min")); c <= Number(attr(m[0], "max")); c++) out.set(c, Number(attr(m[0], "width")));
  }
  return out;
}

/** A column's letter of a 0-based index of a header (A…Z, AA…). */
export function lettreColonne(index: number): string {
  let s = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
