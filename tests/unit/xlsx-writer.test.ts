/**
 * The XLSX writers of the files users download (decision 019): a date is a real Excel date (serial number, cell
 * format dd/mm/yyyy, a column wide enough to show it), a code stays a text cell (leading zeros kept), and the
 * reader of the uploads (`readXlsx`) reads the file back as Excel shows it; the same rows in CSV write the date
 * JJ/MM/AAAA.
 */
import { describe, expect, it } from "vitest";
import { xlsxEnFlux } from "../../app/exports/xlsx-flux.server";
import { dateValue, parseCsv, toCsv, type CsvValue } from "../../app/shared/csv";
import { excelSerialToIso, isoToExcelSerial } from "../../app/shared/excel-dates";
import { readXlsx, writeXlsx } from "../../app/shared/xlsx.server";
import { NOM_DE_FEUILLE_MAX, nomDeFeuille, nomsDeFeuilles, xlsxBytes } from "../../app/shared/xlsx-writer";
import { chartXlsx } from "../../app/components/chart-xlsx";
import { convertDateCell } from "../../app/ingestion/mapping";
import { cellulesBrutes, largeursColonnes } from "../helpers/xlsx";

const ENTETE = ["Code postal", "SIRET", "UAI", "Département", "Code diplôme", "RNCP", "Téléphone", "Date de naissance", "Effectif", "Mineur"];
const LIGNE: CsvValue[] = ["01000", "01234567890123", "0010001W", "01", "01023401", "RNCP01234", "0123456789", dateValue("2026-11-15"), 12, true];

async function lire(gen: AsyncGenerator<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of gen) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

async function* lignes(rows: CsvValue[][]): AsyncGenerator<CsvValue[]> {
  for (const r of rows) yield r;
}

const ecrivains: [string, (rows: CsvValue[][]) => Promise<Uint8Array>][] = [
  ["writeXlsx", async (rows) => writeXlsx([{ name: "Apprenants", rows }])],
  ["xlsxEnFlux (streamed)", (rows) => lire(xlsxEnFlux([{ nom: "Apprenants", lignes: lignes(rows) }]))],
  // the charts' downloads, made in the browser: the same workbook, its parts stored rather than deflated
  ["xlsxBytes (stored, the browser's)", async (rows) => xlsxBytes([{ name: "Apprenants", rows }])],
];

describe.each(ecrivains)("%s", (_, ecrire) => {
  it("writes a date as a number with the date format dd/mm/yyyy, in a column wide enough to show it", async () => {
    const bytes = await ecrire([ENTETE, LIGNE]);
    const cellules = cellulesBrutes(bytes);
    expect(cellules.get("H2")).toEqual({ type: "date", valeur: "46341", format: "dd/mm/yyyy" });
    expect(excelSerialToIso(46341)).toBe("2026-11-15");
    expect(largeursColonnes(bytes).get(8)).toBeGreaterThanOrEqual(11);
    expect(largeursColonnes(bytes).has(1)).toBe(false);
    // numbers and booleans keep their type, without the date format
    expect(cellules.get("I2")).toEqual({ type: "nombre", valeur: "12", format: "General" });
    expect(cellules.get("J2")).toMatchObject({ type: "booléen", valeur: "1" });
  });

  it("writes codes as text cells: leading zeros survive", async () => {
    const cellules = cellulesBrutes(await ecrire([ENTETE, LIGNE]));
    for (const [ref, code] of [["A2", "01000"], ["B2", "01234567890123"], ["C2", "0010001W"], ["D2", "01"], ["E2", "01023401"], ["F2", "RNCP01234"], ["G2", "0123456789"]]) {
      expect(cellules.get(ref), ref).toMatchObject({ type: "texte", valeur: code });
    }
    expect(cellules.get("A1")).toMatchObject({ type: "texte", valeur: "Code postal" });
  });

  it("is read back by readXlsx as Excel shows it (dates dd/MM/yyyy, codes as written), which the upload converts", async () => {
    const [feuille] = readXlsx(await ecrire([ENTETE, LIGNE, ["75001", null, null, "2A", null, null, null, dateValue("2006-03-28"), 0, false]]));
    expect(feuille.name).toBe("Apprenants");
    expect(feuille.rows).toEqual([
      ENTETE,
      ["01000", "01234567890123", "0010001W", "01", "01023401", "RNCP01234", "0123456789", "15/11/2026", "12", "TRUE"],
      ["75001", "", "", "2A", "", "", "", "28/03/2006", "0", "FALSE"],
    ]);
    expect(convertDateCell(feuille.rows[2][7], new Date(), { excelSerials: true })).toBe("2006-03-28");
  });

  it("a day Excel cannot show as a date (before 01/03/1900) is written as its text", async () => {
    const bytes = await ecrire([["Date"], [dateValue("1899-12-31")]]);
    expect(cellulesBrutes(bytes).get("A2")).toMatchObject({ type: "texte", valeur: "31/12/1899" });
    expect(readXlsx(bytes)[0].rows[1]).toEqual(["31/12/1899"]);
  });
});

describe("streamed XLSX across sheets", () => {
  it("every part of a sheet past the row limit has its dates typed and its date column widened", async () => {
    const rows: CsvValue[][] = [["Mois", "Date"], ...Array.from({ length: 5 }, (_, i) => [`2026-0${i + 1}`, dateValue(`2026-0${i + 1}-28`)])];
    const bytes = await lire(xlsxEnFlux([{ nom: "Total", lignes: lignes(rows) }], { lignesMax: 3 }));
    const sheets = readXlsx(bytes);
    expect(sheets.map((s) => s.name)).toEqual(["Total", "Total (2)", "Total (3)"]);
    expect(sheets.flatMap((s) => s.rows.slice(1))).toEqual(Array.from({ length: 5 }, (_, i) => [`2026-0${i + 1}`, `28/0${i + 1}/2026`]));
    for (const n of [1, 2, 3]) {
      expect(cellulesBrutes(bytes, n).get("B2")).toMatchObject({ type: "date", format: "dd/mm/yyyy" });
      expect(cellulesBrutes(bytes, n).get("A2")).toMatchObject({ type: "texte" });
      expect(largeursColonnes(bytes, n).get(2)).toBeGreaterThanOrEqual(11);
    }
  });

  it("a sheet with only its header, or nothing, is still a workbook readXlsx opens", async () => {
    const bytes = await lire(xlsxEnFlux([{ nom: "Vide", lignes: lignes([["Date"]]) }, { nom: "Rien", lignes: lignes([]) }]));
    expect(readXlsx(bytes).map((s) => s.rows)).toEqual([[["Date"]], []]);
  });
});

describe("sheet names: short and whole words (Excel: 31 characters at most)", () => {
  it("shortens a long name to its first clause, else to its first words, never mid-word nor on a small word", () => {
    // QA: Excel cut the chart's title to « Apprenants par mois, sur 24 moi »
    expect(nomDeFeuille("Apprenants par mois, sur 24 mois")).toBe("Apprenants par mois");
    expect(nomDeFeuille("Taux de couverture par département")).toBe("Taux de couverture");
    expect(nomDeFeuille("Inscrits sans contrat selon le nombre de jours sans contrat")).toBe("Inscrits sans contrat");
    expect(nomDeFeuille("Dossiers acceptés et refusés par jour")).toBe("Dossiers acceptés et refusés");
    expect(nomDeFeuille("Apprenants (nombre au dernier jour de chaque mois)")).toBe("Apprenants");
    // a name that fits is kept, its forbidden characters [ ] : * ? / \ as spaces, no apostrophe at its ends
    expect(nomDeFeuille("Taux de rupture par département")).toBe("Taux de rupture par département");
    expect(nomDeFeuille("Effectifs : 2024/2025 [brouillon]?")).toBe("Effectifs 2024 2025 brouillon");
    expect(nomDeFeuille("'Aide'")).toBe("Aide");
    // a single word longer than the limit: cut, and said so
    expect(nomDeFeuille("Anticonstitutionnellementissimement")).toBe("Anticonstitutionnellementissim…");
    for (const nom of ["Apprenants par mois, sur 24 mois", "Anticonstitutionnellementissimement", "a ".repeat(40)]) {
      expect(nomDeFeuille(nom).length, nom).toBeLessThanOrEqual(NOM_DE_FEUILLE_MAX);
    }
  });

  it("makes a workbook's names unique (case-insensitive), within the limit", () => {
    expect(nomsDeFeuilles(["Total", "total", "Total", "", ""])).toEqual(["Total", "total (2)", "Total (3)", "Feuille4", "Feuille5"]);
    const longs = nomsDeFeuilles(["Rupturants selon le temps écoulé", "Rupturants selon le temps écoulé"]);
    expect(longs).toEqual(["Rupturants selon le temps", "Rupturants selon le temps (2)"]);
  });

  it("names every workbook's sheets so: the writer, the stream, the charts' downloads", async () => {
    const rows = [["a"], ["1"]];
    const long = "Apprenants par mois, sur 24 mois";
    expect(readXlsx(writeXlsx([{ name: long, rows }])).map((s) => s.name)).toEqual(["Apprenants par mois"]);
    const flux = readXlsx(await lire(xlsxEnFlux([{ nom: "Inscrits sans contrat selon le nombre de jours", lignes: lignes([["n"], [1], [2], [3]]) }], { lignesMax: 2 })));
    expect(flux.map((s) => s.name)).toEqual(["Inscrits sans contrat", "Inscrits sans contrat (2)", "Inscrits sans contrat (3)"]);
    // a chart: its short name when it has one, else its title shortened at a word
    const data = { fileName: "x", columns: ["Mois", "Apprentis"], rows: [["mars 2026", 12]] };
    expect(readXlsx(chartXlsx(long, data)).map((s) => s.name)).toEqual(["Apprenants par mois"]);
    expect(readXlsx(chartXlsx(long, { ...data, feuille: "Série mensuelle" })).map((s) => s.name)).toEqual(["Série mensuelle"]);
  });
});

describe("dates in CSV", () => {
  it("toCsv writes a date JJ/MM/AAAA (what Excel in French reads as a date) and a code as it is", () => {
    const csv = toCsv([ENTETE, LIGNE]);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(parseCsv(csv).records[0].fields).toEqual(["01000", "01234567890123", "0010001W", "01", "01023401", "RNCP01234", "0123456789", "15/11/2026", "12", "true"]);
  });

  it("dateValue: the day of an ISO date or instant (UTC), null for nothing, any other text kept", () => {
    expect(dateValue("2026-11-15")).toEqual({ date: "2026-11-15" });
    expect(dateValue("2021-09-16T08:00:00.000Z")).toEqual({ date: "2021-09-16" });
    expect(dateValue(new Date("2026-01-10T10:00:00Z"))).toEqual({ date: "2026-01-10" });
    expect(dateValue(null)).toBeNull();
    expect(dateValue("")).toBeNull();
    expect(dateValue("bientôt")).toBe("bientôt");
  });

  it("isoToExcelSerial is excelSerialToIso's inverse on Excel's days", () => {
    expect(isoToExcelSerial("1970-01-01")).toBe(25569);
    expect(isoToExcelSerial("1900-03-01")).toBe(61);
    expect(isoToExcelSerial("1900-02-28")).toBeNull();
    expect(isoToExcelSerial("2026-02-30")).toBeNull();
    expect(isoToExcelSerial("2026-11")).toBeNull();
    for (const iso of ["1900-03-01", "2000-02-29", "2024-09-02", "9999-12-31"]) expect(excelSerialToIso(isoToExcelSerial(iso)!)).toBe(iso);
  });
});
