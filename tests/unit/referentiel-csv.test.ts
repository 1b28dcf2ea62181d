import { describe, expect, it } from "vitest";
import { CsvError, decodeText, detectDelimiter, iterateCsv, normalizeHeader, parseCsv, toCsv } from "../../app/shared/csv";
import { readXlsx, writeXlsx, writeZip, XlsxError } from "../../app/shared/xlsx.server";
import { excelSerialToIso } from "../../app/shared/excel-dates";
import { parseBoolean, parseFrenchDate, readTable } from "../../app/referentiel/import-common.server";

describe("decodeText", () => {
  it("reads UTF-8 (with or without BOM), UTF-16 and falls back to Windows-1252 for Latin-1 bytes", () => {
    expect(decodeText(Buffer.from("\uFEFFété", "utf8"))).toEqual({ text: "été", encoding: "utf-8" });
    expect(decodeText(Buffer.from("été", "utf8"))).toEqual({ text: "été", encoding: "utf-8" });
    expect(decodeText(Buffer.from([0xe9, 0x74, 0xe9, 0x20, 0x80, 0x92, 0x9c]))).toEqual({ text: "été €’œ", encoding: "windows-1252" });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("çà", "utf16le")]))).toEqual({ text: "çà", encoding: "utf-16le" });
  });
});

describe("detectDelimiter", () => {
  it("detects ; , | and tab on the header line, ignoring quoted ones", () => {
    expect(detectDelimiter("a;b;c\n1;2;3")).toBe(";");
    expect(detectDelimiter("a,b,c")).toBe(",");
    expect(detectDelimiter("FORMATION_DIPLOME|LIBELLE_COURT")).toBe("|");
    expect(detectDelimiter("a\tb")).toBe("\t");
    expect(detectDelimiter('"a;b;c",d,e')).toBe(",");
    expect(detectDelimiter("\n\nsiret;uai")).toBe(";");
    expect(detectDelimiter("seule")).toBe(";");
  });
});

describe("parseCsv", () => {
  it("handles quotes, doubled quotes, line breaks in quotes, CRLF, blank lines and the line numbers", () => {
    const text = 'nom;adresse;note\r\n"Dupont; fils";"1 rue ""A""\r\nbât. B";x\r\n\r\nMartin;;\r\n';
    const parsed = parseCsv(text);
    expect(parsed.delimiter).toBe(";");
    expect(parsed.header).toEqual(["nom", "adresse", "note"]);
    expect(parsed.records).toEqual([
      { line: 2, fields: ["Dupont; fils", '1 rue "A"\nbât. B', "x"] },
      { line: 5, fields: ["Martin", "", ""] },
    ]);
  });

  it("reads Latin-1 bytes and strips the BOM of the header", () => {
    const parsed = parseCsv(Buffer.from("\uFEFFintitulé|niveau\nÉLECTRICITÉ|3\n", "utf8"));
    expect(parsed.header).toEqual(["intitulé", "niveau"]);
    const latin = parseCsv(Buffer.from("intitulé|niveau\nÉLECTRICITÉ|3\n", "latin1"));
    expect(latin.encoding).toBe("windows-1252");
    expect(latin.records[0].fields).toEqual(["ÉLECTRICITÉ", "3"]);
  });

  it("keeps a stray quote inside an unquoted field and a trailing delimiter as an empty field", () => {
    expect([...iterateCsv('a;b"c;\n', ";")]).toEqual([{ line: 1, fields: ["a", 'b"c', ""] }]);
  });

  it("fails with the line of an unclosed quote, and on empty or binary files", () => {
    expect(() => parseCsv('a;b\n1;"2\n3;4\n')).toThrow(new CsvError("guillemet ouvert jamais refermé (le fichier est-il tronqué ?)", 2));
    expect(() => parseCsv("")).toThrow(/vide/);
    expect(() => parseCsv(Buffer.from([0x50, 0x4b, 0x00, 0x01]))).toThrow(/octets nuls/);
  });

  it("reads quoted cells (doubled quotes, line breaks, text after the closing quote) as before, cells sliced from the text", () => {
    const text = 'a;b;c\r\n"x ""y""";"l1\r\nl2\rl3";"q"r\n"";z;\n';
    expect([...iterateCsv(text, ";")]).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ['x "y"', "l1\nl2\nl3", "qr"] },
      { line: 5, fields: ["", "z", ""] },
    ]);
  });

  it("with limits, stops at the first cell or line too long, naming the line and the column (decision 028)", () => {
    const long = "a".repeat(101);
    const limits = { maxCell: 100, maxRecord: 1000 };
    expect([...iterateCsv(`siret;nom\n1;${"a".repeat(100)}\n`, ";", limits)]).toHaveLength(2);
    expect(() => [...iterateCsv(`siret;nom\n1;b\n2;${long}\n3;c\n`, ";", limits)]).toThrow(
      /^Ligne 3 : la cellule de la colonne « nom » dépasse 100 caractères, le maximum d'une cellule de tableur/,
    );
    // a quoted cell, and a quote never closed that would swallow the rest of the file
    expect(() => [...iterateCsv(`siret;nom\n1;"${long}"\n`, ";", limits)]).toThrow(/^Ligne 2 : la cellule de la colonne « nom » dépasse 100/);
    expect(() => [...iterateCsv(`siret;nom\n1;"b\n${"2;c\n".repeat(50)}`, ";", limits)]).toThrow(/^Ligne 2 : .*guillemet ouvert et jamais refermé/);
    // a column beyond the header's is named by its letter; a line of many short cells is too long as a line
    expect(() => [...iterateCsv(`siret\n1;2;${long}\n`, ";", limits)]).toThrow(/^Ligne 2 : la cellule de la colonne C dépasse/);
    expect(() => [...iterateCsv(`siret\n${"1;".repeat(600)}\n`, ";", limits)]).toThrow(/^Ligne 2 : ligne de plus de 1\u202f000 caractères/);
    // without limits (uploads, exports read back), a long cell is read
    expect([...iterateCsv(`siret;nom\n1;${long}\n`, ";")][1].fields[1]).toBe(long);
  });

  it("writes CSV that reads back the same", () => {
    const rows = [["a", 'b"c', "d;e", "f\ng", null, 3]];
    const text = toCsv(rows);
    expect(text.startsWith("\uFEFF")).toBe(true);
    expect(parseCsv(text, { header: false }).records[0].fields).toEqual(["a", 'b"c', "d;e", "f\ng", "", "3"]);
  });

  it("writes a text a spreadsheet would run as a formula after an apostrophe; numbers stay numbers", () => {
    const text = toCsv([['=HYPERLINK("http://x","Lima")', "+33 6", "-x", "@SUM(A1)", "\tcmd", "-12", "-3,5", "+7", -4, "Jean-Marc", "a=b"]], { bom: false });
    expect(text).toBe(`"'=HYPERLINK(""http://x"",""Lima"")";'+33 6;'-x;'@SUM(A1);'\tcmd;-12;-3,5;+7;-4;Jean-Marc;a=b\r\n`);
  });

  it("normalises headers", () => {
    expect(normalizeHeader("Raison sociale")).toBe("raison_sociale");
    expect(normalizeHeader(" Code commune (INSEE) ")).toBe("code_commune_insee");
    expect(normalizeHeader("adressePhysiqueOrganismeFormation.codePostal")).toBe("adressephysiqueorganismeformation_codepostal");
  });
});

describe("XLSX", () => {
  it("writes and reads back sheets (shared strings, numbers, booleans, gaps, XML escapes)", () => {
    const bytes = writeXlsx([
      { name: "Données", rows: [["CODGEO", "LIBGEO"], ["01001", "L'Abergement & <Clémenciat>"], [1001, true, null, "fin"]] },
      { name: "Autre", rows: [["x"]] },
    ]);
    const sheets = readXlsx(bytes);
    expect(sheets.map((s) => s.name)).toEqual(["Données", "Autre"]);
    expect(sheets[0].rows).toEqual([["CODGEO", "LIBGEO"], ["01001", "L'Abergement & <Clémenciat>"], ["1001", "TRUE", "", "fin"]]);
  });

  it("refuses a cell longer than Excel's, naming it, without copying it out (decision 028)", async () => {
    const bytes = writeXlsx([{ name: "Organismes", rows: [["siret", "raison_sociale"], ["12345678901234", "x".repeat(40_000)]] }]);
    await expect(readTable(bytes, ["siret"])).rejects.toThrow(
      /^Cellule B2 de la feuille « Organismes » : 40\s000 caractères, au plus 32\s767 attendus \(limite d'Excel\)\. Raccourcissez ou videz cette cellule\.$/,
    );
    const juste = await readTable(writeXlsx([{ name: "Organismes", rows: [["siret"], ["y".repeat(32_767)]] }]), ["siret"]);
    expect(juste.rows[0].cells[0]).toHaveLength(32_767);
  });

  it("reads inline strings and sparse cells as spreadsheets write them", async () => {
    const sheet = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
      <row r="2"><c r="B2" t="inlineStr"><is><t>CODGEO</t></is></c><c r="D2" t="inlineStr"><is><r><t>ZE</t></r><r><t>2020</t></r></is></c></row>
      <row r="3"><c r="B3"><v>75056</v></c><c r="D3" t="str"><f>A1</f><v>1109</v></c></row></sheetData></worksheet>`;
    const bytes = writeZip([
      { name: "xl/workbook.xml", data: '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>' },
      { name: "xl/_rels/workbook.xml.rels", data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
      { name: "xl/worksheets/sheet1.xml", data: sheet },
    ]);
    expect(readXlsx(bytes)[0].rows).toEqual([[], ["", "CODGEO", "", "ZE2020"], ["", "75056", "", "1109"]]);
    const table = await readTable(bytes, ["CODGEO"]);
    expect(table.header).toEqual(["", "CODGEO", "", "ZE2020"]);
    expect(table.rows).toEqual([{ line: 3, cells: ["", "75056", "", "1109"] }]);
  });

  it("refuses what is not an XLSX with a French message", () => {
    expect(() => readXlsx(Buffer.from("a;b"))).toThrow(XlsxError);
    expect(() => readXlsx(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toThrow(/archive ZIP introuvable ou tronquée/);
  });

  it("converts Excel date serials", () => {
    expect(excelSerialToIso(45292)).toBe("2024-01-01");
    expect(excelSerialToIso(Number.NaN)).toBeNull();
  });
});

describe("import helpers", () => {
  it("parses booleans and French dates", () => {
    expect([parseBoolean("Oui"), parseBoolean("false"), parseBoolean(""), parseBoolean("peut-être")]).toEqual([true, false, null, undefined]);
    expect([parseFrenchDate("01/09/2016"), parseFrenchDate("1/9/2016"), parseFrenchDate("2016-09-01"), parseFrenchDate(""), parseFrenchDate("31/02/2020"), parseFrenchDate("2020")]).toEqual([
      "2016-09-01",
      "2016-09-01",
      "2016-09-01",
      null,
      undefined,
      undefined,
    ]);
  });
});
