/**
 * The XLSX reader on malformed and hostile files (app/shared/xlsx.server.ts): every failure is an XlsxError with a
 * French message (never a RangeError), and a tiny file cannot make it pad millions of rows or cells or inflate
 * gigabytes.
 */
import { describe, expect, it } from "vitest";
import { decodeXml, openXlsx, readXlsx, spreadMerges, writeXlsx, writeZip, XlsxError, XlsxLimitError } from "../../app/shared/xlsx.server";

/** A one-sheet workbook whose sheet XML is `sheetData` (rows and cells written by hand). */
function workbook(sheetData: string, extra: { name: string; data: string | Uint8Array }[] = []): Buffer {
  return writeZip([
    { name: "xl/workbook.xml", data: '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>' },
    { name: "xl/_rels/workbook.xml.rels", data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
    { name: "xl/worksheets/sheet1.xml", data: `<worksheet><sheetData>${sheetData}</sheetData></worksheet>` },
    ...extra,
  ]);
}

/** Offset of the central directory entry of `name` in a ZIP made by writeZip. */
function centralEntry(zip: Buffer, name: string): number {
  return zip.indexOf(Buffer.from(name, "utf8"), zip.readUInt32LE(zip.length - 22 + 16)) - 46;
}

describe("character references", () => {
  it("reads what is not a character as U+FFFD instead of throwing", () => {
    expect(decodeXml("a&#x110000;b")).toBe("a\ufffdb");
    expect(decodeXml("&#99999999999999999999;")).toBe("\ufffd");
    expect(decodeXml("&#xD800;&#0;")).toBe("\ufffd\ufffd");
    expect(decodeXml("&#x1F600;&#233;&amp;")).toBe("😀é&");
    const bytes = workbook('<row r="1"><c r="A1" t="inlineStr"><is><t>Nom&#x110000;</t></is></c></row>');
    expect(readXlsx(bytes)[0].rows).toEqual([["Nom\ufffd"]]);
  });
});

describe("ZIP offsets", () => {
  it("a central directory beyond the archive is an XlsxError", () => {
    const zip = workbook('<row r="1"><c r="A1"><v>1</v></c></row>');
    zip.writeUInt32LE(0xfffffff0, zip.length - 22 + 16);
    expect(() => readXlsx(zip)).toThrow(XlsxError);
  });

  it("a local header beyond the archive is an XlsxError, not ERR_OUT_OF_RANGE", () => {
    const zip = workbook('<row r="1"><c r="A1"><v>1</v></c></row>');
    zip.writeUInt32LE(zip.length + 1000, centralEntry(zip, "xl/workbook.xml") + 42);
    expect(() => readXlsx(zip)).toThrow(XlsxError);
    expect(() => readXlsx(zip)).toThrow(/endommagé/);
  });

  it("data running past the end of the archive is an XlsxError", () => {
    const zip = workbook('<row r="1"><c r="A1"><v>1</v></c></row>');
    zip.writeUInt32LE(0x7ffffff0, centralEntry(zip, "xl/workbook.xml") + 20);
    expect(() => readXlsx(zip)).toThrow(XlsxError);
  });
});

describe("Excel's grid", () => {
  it("refuses a row beyond 1,048,576 at once", () => {
    const started = Date.now();
    expect(() => readXlsx(workbook('<row r="20000000"><c r="A20000000"><v>1</v></c></row>'))).toThrow(XlsxLimitError);
    expect(() => readXlsx(workbook('<row r="1048577"><c><v>1</v></c></row>'))).toThrow(/ligne 1048577 hors de la grille/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("refuses a column beyond XFD", () => {
    expect(() => readXlsx(workbook('<row r="1"><c r="ZZZZZ1"><v>1</v></c></row>'))).toThrow(/hors de la grille.*XFD/);
    expect(() => readXlsx(workbook('<row r="1"><c r="XFE1"><v>1</v></c></row>'))).toThrow(XlsxLimitError);
    expect(readXlsx(workbook('<row r="1"><c r="XFD1"><v>1</v></c></row>'))[0].rows[0]).toHaveLength(16_384);
  });

  it("refuses a row number that is not one", () => {
    expect(() => readXlsx(workbook('<row r="abc"><c><v>1</v></c></row>'))).toThrow(/numéro de ligne « abc » invalide/);
  });

  it("empty rows far below cost nothing and are not returned", () => {
    expect(readXlsx(workbook('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"/><row r="1048575"><c r="B1048575" s="1"/></row>'))[0].rows).toEqual([["1"]]);
  });
});

describe("limits given by the caller", () => {
  it("stops as soon as a sheet has more filled rows than maxRows", () => {
    const rows = Array.from({ length: 50 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`).join("");
    expect(readXlsx(workbook(rows), { maxRows: 50 })[0].rows).toHaveLength(50);
    expect(() => readXlsx(workbook(rows), { maxRows: 49 })).toThrow(expect.objectContaining({ limit: "lignes" }));
  });

  it("stops beyond maxCells, gaps included", () => {
    const wide = Array.from({ length: 20 }, (_, i) => `<row r="${i + 1}"><c r="XFD${i + 1}"><v>1</v></c></row>`).join("");
    expect(() => readXlsx(workbook(wide), { maxCells: 100_000 })).toThrow(expect.objectContaining({ limit: "cellules" }));
    expect(() => readXlsx(workbook('<row r="1000000"><c r="A1000000"><v>1</v></c></row>'), { maxCells: 100_000 })).toThrow(XlsxLimitError);
  });

  it("caps the inflated size of each part: declared or not", () => {
    const big = `<sst>${"<si><t>x</t></si>".repeat(10_000)}</sst>`;
    const zip = workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', [{ name: "xl/sharedStrings.xml", data: big }]);
    expect(readXlsx(zip)[0].rows).toEqual([["x"]]);
    expect(() => readXlsx(zip, { maxPartBytes: 50_000 })).toThrow(expect.objectContaining({ limit: "taille" }));
    // a lying declared size: the inflater stops at the cap
    zip.writeUInt32LE(10, centralEntry(zip, "xl/sharedStrings.xml") + 24);
    expect(() => readXlsx(zip, { maxPartBytes: 50_000 })).toThrow(/trop volumineux une fois décompressé/);
  });

  it("maxCellChars: a cell longer, shared or inline, is refused naming its sheet and cell; a long shared string unused says nothing", () => {
    const sst = (...texts: string[]) => ({ name: "xl/sharedStrings.xml", data: `<sst>${texts.map((x) => `<si><t>${x}</t></si>`).join("")}</sst>` });
    const long = "x".repeat(40_000);
    const zip = workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="12"><c r="C12" t="s"><v>1</v></c></row>', [sst("Nom", long)]);
    expect(readXlsx(zip)[0].rows[11][2]).toBe(long);
    expect(() => readXlsx(zip, { maxCellChars: 32_767 })).toThrow(
      expect.objectContaining({ limit: "cellule", place: { sheet: "S", cell: "C12", length: 40_000, max: 32_767 } }),
    );
    expect(() => readXlsx(zip, { maxCellChars: 32_767 })).toThrow("cellule C12 de la feuille « S » : 40\u202f000 caractères, au plus 32\u202f767");
    // the top of a sheet (choosing the sheet) is bounded too
    expect(() => openXlsx(zip, { maxCellChars: 32_767 })[0].rows(20)).toThrow(expect.objectContaining({ limit: "cellule" }));
    // entities count as the characters they give; a cell without a reference is named by its place
    const amp = "&amp;".repeat(20_000);
    expect(readXlsx(workbook('<row r="1"><c t="s"><v>0</v></c></row>', [sst(amp)]), { maxCellChars: 32_767 })[0].rows[0][0]).toHaveLength(20_000);
    const inline = workbook(`<row r="3"><c/><c t="inlineStr"><is><t>${long}</t></is></c></row>`);
    expect(() => readXlsx(inline, { maxCellChars: 32_767 })).toThrow(expect.objectContaining({ place: expect.objectContaining({ cell: "B3" }) }));
    // unused, or used by a sheet not read: nothing said
    expect(readXlsx(workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', [sst("Nom", long)]), { maxCellChars: 32_767 })[0].rows).toEqual([["Nom"]]);
  });

  it("maxTotalChars: a shared string counts at each cell using it; reading stops at the cell passing the bound", () => {
    const rows = Array.from({ length: 1000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>0</v></c></row>`).join("");
    const zip = workbook(rows, [{ name: "xl/sharedStrings.xml", data: `<sst><si><t>${"w".repeat(30_000)}</t></si></sst>` }]);
    let error: XlsxLimitError | undefined;
    try {
      openXlsx(zip, { maxTotalChars: 100_000 })[0].rows();
    } catch (e) {
      error = e as XlsxLimitError;
    }
    // 4 × 30,000 > 100,000: the 4th cell, not the 1,000th
    expect(error).toBeInstanceOf(XlsxLimitError);
    expect(error).toMatchObject({ limit: "caracteres", place: { sheet: "S", cell: "A4", length: 120_000, max: 100_000 } });
    expect(error?.message).toBe("les cellules du classeur contiennent plus de 100\u202f000 caractères en tout (lecture arrêtée à la cellule A4 de la feuille « S »)");
    expect(readXlsx(zip, { maxTotalChars: 30_000_000 })[0].rows).toHaveLength(1000);
  });

  it("firstSheetWithData reads the sheets until the first one with a value", () => {
    const bytes = writeXlsx([
      { name: "Vide", rows: [["", " "]] },
      { name: "Effectifs", rows: [["Nom"], ["A"]] },
      { name: "Aide", rows: [["x"]] },
    ]);
    expect(readXlsx(bytes, { firstSheetWithData: true }).map((s) => s.name)).toEqual(["Effectifs"]);
    expect(readXlsx(writeXlsx([{ name: "Vide", rows: [] }]), { firstSheetWithData: true })).toEqual([]);
  });
});

describe("dates", () => {
  const styles = (xfs: string, numFmts = "") =>
    ({ name: "xl/styles.xml", data: `<styleSheet>${numFmts}<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs>${xfs}</cellXfs></styleSheet>` });
  const cells = '<row r="1"><c r="A1" s="1"><v>45915</v></c><c r="B1" s="0"><v>45915</v></c><c r="C1" s="2"><v>45915.75</v></c><c r="D1" s="3"><v>0.5</v></c></row>';

  it("gives a cell formatted as a date as the spreadsheet shows it, dd/MM/yyyy; other numbers as written", () => {
    const bytes = workbook(cells, [
      styles('<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="20"/>',
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="[$-40C]dd/mm/yyyy\\ hh:mm;@"/></numFmts>'),
    ]);
    // 45915 = 15/09/2025 (1900 system); the time of a date-time is dropped; a time alone (h:mm) stays a number
    expect(readXlsx(bytes)[0].rows).toEqual([["15/09/2025", "45915", "15/09/2025", "0.5"]]);
  });

  it("counts from 1904 in a workbook of the 1904 date system (old Mac Excel)", () => {
    const bytes = writeZip([
      { name: "xl/workbook.xml", data: '<workbook xmlns:r="r"><workbookPr date1904="1"/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>' },
      { name: "xl/_rels/workbook.xml.rels", data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
      { name: "xl/worksheets/sheet1.xml", data: `<worksheet><sheetData>${cells}</sheetData></worksheet>` },
      styles('<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="0"/><xf numFmtId="0"/>'),
    ]);
    // the same number is 1462 days later in the 1904 system
    expect(readXlsx(bytes)[0].rows).toEqual([["16/09/2029", "45915", "45915.75", "0.5"]]);
  });

  it("before 01/03/1900, the days Excel shows (its fictitious 29/02/1900 included), not one day off", () => {
    const bytes = workbook(
      '<row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="1"><v>59</v></c><c r="C1" s="1"><v>60</v></c><c r="D1" s="1"><v>61</v></c></row>',
      [styles('<xf numFmtId="0"/><xf numFmtId="14"/>')],
    );
    // 29/02/1900 does not exist: read as Excel shows it, for the upload to refuse it as such
    expect(readXlsx(bytes)[0].rows).toEqual([["01/01/1900", "28/02/1900", "29/02/1900", "01/03/1900"]]);
  });

  it("tells date formats from number and time formats", async () => {
    const { isDateFormat } = await import("../../app/shared/excel-dates");
    expect(isDateFormat(14)).toBe(true);
    expect(isDateFormat(22)).toBe(true);
    expect(isDateFormat(0)).toBe(false);
    expect(isDateFormat(20)).toBe(false); // h:mm
    expect(isDateFormat(164, "DD/MM/YYYY")).toBe(true);
    expect(isDateFormat(165, "d mmmm yyyy")).toBe(true);
    expect(isDateFormat(166, '#,##0" jours"')).toBe(false);
    expect(isDateFormat(167, "[Red]0.00")).toBe(false);
    expect(isDateFormat(168, "[h]:mm:ss")).toBe(false);
    expect(isDateFormat(169, "General")).toBe(false);
  });
});

describe("sheets, formulas, other formats", () => {
  const zipOf = (sheets: { name: string; state?: string; xml: string }[]) =>
    writeZip([
      {
        name: "xl/workbook.xml",
        data: `<workbook xmlns:r="r"><sheets>${sheets
          .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ""} r:id="rId${i + 1}"/>`)
          .join("")}</sheets></workbook>`,
      },
      {
        name: "xl/_rels/workbook.xml.rels",
        data: `<Relationships>${sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Target="worksheets/sheet${i + 1}.xml"/>`).join("")}</Relationships>`,
      },
      ...sheets.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: `<worksheet><sheetData>${s.xml}</sheetData></worksheet>` })),
    ]);
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`).join("");

  it("says which sheets are hidden", () => {
    const bytes = zipOf([
      { name: "Visible", xml: rows(1) },
      { name: "Paramètres", state: "hidden", xml: rows(1) },
      { name: "Cachée", state: "veryHidden", xml: rows(1) },
    ]);
    expect(readXlsx(bytes).map((s) => [s.name, s.hidden])).toEqual([
      ["Visible", false],
      ["Paramètres", true],
      ["Cachée", true],
    ]);
  });

  it("openXlsx reads a sheet when asked: its first rows with a value, or all of them within the limits", () => {
    const bytes = zipOf([{ name: "Grande", xml: rows(30) }]);
    const [sheet] = openXlsx(bytes, { maxRows: 20 });
    // the top of a sheet beyond maxRows: read, not refused
    expect(sheet.rows(10)).toHaveLength(10);
    expect(() => sheet.rows()).toThrow(expect.objectContaining({ limit: "lignes" }));
  });

  it("a formula saved without its value is the caller's mark (an empty cell otherwise); with one, its value", () => {
    const bytes = workbook(
      '<row r="1"><c r="A1"><f>B1*2</f></c><c r="B1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="C1"><f t="shared" si="0"/></c><c r="D1"><v>3</v></c></row>',
    );
    expect(readXlsx(bytes)[0].rows).toEqual([["", "ab", "", "3"]]);
    expect(readXlsx(bytes, { formulaWithoutValue: "¤" })[0].rows).toEqual([["¤", "ab", "¤", "3"]]);
  });

  it("an OpenDocument workbook (.ods) is said to be one, with what to do", () => {
    const ods = writeZip([
      { name: "mimetype", data: "application/vnd.oasis.opendocument.spreadsheet" },
      { name: "content.xml", data: "<office:document-content/>" },
      { name: "META-INF/manifest.xml", data: "<manifest:manifest/>" },
    ]);
    expect(() => readXlsx(ods)).toThrow(/classeur OpenDocument \(\.ods, LibreOffice ou OpenOffice\), pas un classeur XLSX : enregistrez-le au format XLSX ou CSV/);
    // another ZIP is still a file without a workbook
    expect(() => readXlsx(writeZip([{ name: "a.txt", data: "a" }]))).toThrow(/xl\/workbook\.xml manquant/);
  });
});

describe("merged cells (QA: a « Code diplôme » merged over the rows of its learners)", () => {
  const sheet = (mergeCells: string) =>
    writeZip([
      { name: "xl/workbook.xml", data: '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>' },
      { name: "xl/_rels/workbook.xml.rels", data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
      {
        name: "xl/worksheets/sheet1.xml",
        data:
          "<worksheet><sheetData>" +
          '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c><c r="B1" t="inlineStr"><is><t>Code</t></is></c></row>' +
          '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2" t="inlineStr"><is><t>50022141</t></is></c></row>' +
          '<row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></c><c r="B3"/></row>' +
          '<row r="4"><c r="A4" t="inlineStr"><is><t>C</t></is></c></row>' +
          `</sheetData>${mergeCells}</worksheet>`,
      },
    ]);

  it("the reader gives the ranges; spreadMerges copies the first value over the range's cells, from the data rows on", () => {
    const [s] = openXlsx(sheet('<mergeCells count="2"><mergeCell ref="B2:B4"/><mergeCell ref="A1:B1"/></mergeCells>'));
    const rows = s.rows();
    expect(rows).toEqual([["Nom", "Code"], ["A", "50022141"], ["B"], ["C"]]);
    expect(s.merges().map((m) => m.ref)).toEqual(["B2:B4", "A1:B1"]);
    const spread = spreadMerges(rows, s.merges(), 1);
    expect(spread.map((m) => m.ref)).toEqual(["B2:B4"]);
    expect(rows).toEqual([["Nom", "Code"], ["A", "50022141"], ["B", "50022141"], ["C", "50022141"]]);
  });

  it("a range beyond the table creates neither rows nor columns; a malformed reference is skipped", () => {
    const [s] = openXlsx(sheet('<mergeCells><mergeCell ref="B2:XFD1048576"/><mergeCell ref="zz"/><mergeCell ref="A2:A2"/></mergeCells>'));
    const rows = s.rows();
    expect(s.merges().map((m) => m.ref)).toEqual(["B2:XFD1048576"]);
    spreadMerges(rows, s.merges(), 1);
    expect(rows).toEqual([["Nom", "Code"], ["A", "50022141"], ["B", "50022141"], ["C", "50022141"]]);
  });
});
