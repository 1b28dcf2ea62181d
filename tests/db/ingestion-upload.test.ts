/**
 * The upload (/televersement): CSV and XLSX files made here (`;` separator, BOM, Latin-1, Excel serial dates,
 * dd/MM/yyyy), automatic mapping, preview cell by cell, import through the pipeline (source FICHIER), template,
 * and the whole flow over HTTP (demo mode, CSRF). HTTP parts need `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { postSansFin } from "../helpers/http";
import type { Viewer } from "../../app/auth/policy.server";
import { createUser } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import { openXlsx, readXlsx, writeXlsx, writeZip, type XlsxLimitError } from "../../app/shared/xlsx.server";
import { cellulesBrutes, lettreColonne } from "../helpers/xlsx";
import { MAX_CELL_CHARS, parseCsv } from "../../app/shared/csv";
import {
  UploadError,
  createUpload,
  fieldNames,
  importUpload,
  inFileTerms,
  introCorrespondance,
  loadUpload,
  mappingFrom,
  mappingNotes,
  previewUpload,
  readUploadedFile,
  resultatDeLImport,
  transmissionSummary,
  type UploadAccess,
} from "../../app/ingestion/upload.server";
import { autoMap, convertRow } from "../../app/ingestion/mapping";
import { validateDossier } from "../../app/ingestion/dossier-schema.server";
import { MAX_UPLOAD_CHARS, MAX_UPLOAD_COLUMNS, MAX_UPLOAD_ROWS, MAX_XLSX_PART_BYTES, UPLOAD_FIELDS } from "../../app/ingestion/upload.server";
import { transmissionsDuJour } from "../../app/cfa/transmissions.server";
import { parisDay } from "../../app/shared/jours-paris.server";
import { insertOrganisme, relate, siretOf, uaiOf, type TestOrganisme } from "./ingestion-fixtures";

// Session cookies without the __Host- prefix in the test process and in the served build alike.
process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let cfa: TestOrganisme;
let autre: TestOrganisme;
/** A national administrator's access (the policy lets it upload for every organisme). */
const admin: Viewer = {
  userId: 1,
  organisationType: "ADMINISTRATEUR",
  scope: { kind: "national" },
  user: { id: 1, email: "admin@test.fr", nom: "", prenom: "", role: "admin", organisationId: 1, organisationNom: "Administration" },
};
const access: UploadAccess = { kind: "tous", viewer: admin, userId: 1 };

beforeAll(async () => {
  t = await createTestDatabase({ territories: false });
  cfa = await insertOrganisme(t.database, 11);
  autre = await insertOrganisme(t.database, 12);
});
afterAll(async () => t?.drop());

/** Excel serial of an ISO date (1900 system). */
const serial = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;

const HEADERS = [
  "Nom",
  "Prénom",
  "Date de naissance",
  "Année scolaire",
  "Date d'inscription",
  "Date d'entrée en formation",
  "Date de fin de formation",
  "Code diplôme",
  "Date de début de contrat",
  "Sexe",
];

async function uploadAndPreview(bytes: Uint8Array, fileName: string, organisme = cfa) {
  const file = readUploadedFile(bytes, fileName);
  const id = await createUpload(t.database, access, { organismeId: organisme.id, fileName, erp: "Tableur", file });
  const upload = (await loadUpload(t.database, access, id))!;
  const { mapping } = mappingFrom(new URLSearchParams(), upload.headers);
  const preview = await previewUpload(t.database, upload, mapping, "2024-2025");
  return { file, upload, mapping, preview };
}


/** The session cookie of a new user of this organisation (a CFA uploading over HTTP). */
async function signedIn(email: string, organisation: Record<string, unknown>): Promise<string> {
  const { user } = await createUser(t.database, { email, password: "Mot-de-passe-de-test-42", organisation: organisation as never });
  const setCookie = await createSession(t.database, user.id, new Request("http://localhost/"));
  return setCookie.split(";")[0];
}

describe("reading files", () => {
  it("CSV with `;`, UTF-8 BOM and dd/MM/yyyy dates", async () => {
    const csv =
      "\uFEFF" +
      [
        HEADERS.join(";"),
        "Lenôtre;Gaston;28/03/2006;2024-2025;15/06/2024;02/09/2024;30/06/2026;50022141;02/09/2024;M",
        "Éluard;Paul;31/02/2005;2024-2025;15/06/2024;02/09/2024;30/06/2026;50022141;;F",
        "Curie;Marie;07/11/2005;2024/2025;15/06/2024;02/09/2024;01/09/2024;ABC;;Féminin",
      ].join("\r\n");
    const { file, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "effectifs.csv");
    expect(file).toMatchObject({ format: "CSV", delimiter: ";", encoding: "utf-8" });
    expect(file.headers[0]).toBe("Nom");
    expect(mapping).toEqual([
      "nom_apprenant",
      "prenom_apprenant",
      "date_de_naissance_apprenant",
      "annee_scolaire",
      "date_inscription_formation",
      "date_entree_formation",
      "date_fin_formation",
      "formation_cfd",
      "contrat_date_debut",
      "sexe_apprenant",
    ]);
    expect(preview).toMatchObject({ nbRows: 3, nbValid: 1, nbErrors: 2 });
    // errors first, each in its cell
    const [eluard, curie, lenotre] = preview.rows;
    expect(eluard.ligne).toBe(3);
    expect(eluard.ok).toBe(false);
    // said as the file says it: its column, the cell as typed, the format people write
    expect(eluard.cells[2].errors).toEqual(["Date de naissance : « 31/02/2005 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2005)"]);
    expect(eluard.cells.filter((c) => c.errors.length)).toHaveLength(1);
    expect(curie.ligne).toBe(4);
    // the schema's message in the file's terms: column names, JJ/MM/AAAA
    expect(curie.cells[6].errors[0]).toBe(
      "Date de fin de formation : la date de fin de formation doit être égale ou postérieure à « Date d'entrée en formation » (02/09/2024) (reçu « 01/09/2024 »)",
    );
    expect(curie.cells[7].errors[0]).toMatch(/^Code diplôme : code CFD attendu/);
    expect(curie.cells[3].errors).toEqual([]); // 2024/2025 is accepted
    expect(lenotre).toMatchObject({ ligne: 2, ok: true, id: "lenotre-gaston-2006-03-28" });
    expect(preview.errorsByColumn[2]).toBe(1);
  });

  it("a huge cell is cut in the preview, with its length; the other cells keep their errors in sight", async () => {
    // the longest a cell may be (a spreadsheet's: longer, the file is refused, see "hostile and malformed files")
    const nom = "N".repeat(MAX_CELL_CHARS);
    const csv = [
      HEADERS.join(";"),
      `${nom};Gaston;28/03/2006;2024-2025;15/06/2024;02/09/2024;30/06/2026;50022141;02/09/2024;M`,
      "Éluard;Paul;31/02/2005;2024-2025;15/06/2024;02/09/2024;30/06/2026;50022141;;F",
    ].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "long.csv");
    const long = preview.rows.find((r) => r.ligne === 2)!;
    expect(long.cells[0].value).toBe(`${"N".repeat(80)}… (32\u202f767 caractères)`);
    // the error says the value is too long, itself cut
    expect(long.cells[0].errors[0]).toMatch(/^Nom : /);
    expect(long.cells[0].errors[0].length).toBeLessThan(400);
    expect(preview.rows.find((r) => r.ligne === 3)!.cells[2].errors[0]).toMatch(/31\/02\/2005/);
  });

  it("CSV with `,` in Latin-1, without BOM", async () => {
    const csv = [
      "NOM,PRENOM,DATE DE NAISSANCE,DATE D'INSCRIPTION,DATE D'ENTREE EN FORMATION,DATE DE FIN DE FORMATION,IDENTIFIANT",
      "Bérénice,Hélène,01/02/2006,01/06/2024,02/09/2024,30/06/2025,X-1",
    ].join("\n");
    const bytes = new Uint8Array(Buffer.from(csv, "latin1"));
    const { file, mapping, preview, upload } = await uploadAndPreview(bytes, "latin1.csv");
    expect(file).toMatchObject({ format: "CSV", delimiter: ",", encoding: "windows-1252" });
    expect(upload.rows[0][1]).toBe("Bérénice");
    expect(mapping[6]).toBe("id_erp_apprenant");
    expect(preview.nbValid).toBe(1);
    expect(preview.rows[0].id).toBe("X-1");
  });

  it("XLSX with Excel serial dates, numbers and a second sheet", async () => {
    const bytes = writeXlsx([
      {
        name: "Effectifs",
        rows: [
          [...HEADERS, "Téléphone", "SIRET employeur", "Date de début de contrat 2"],
          ["Lenôtre", "Gaston", serial("2006-03-28"), "2024-2025", serial("2024-06-15"), serial("2024-09-02"), serial("2026-06-30"), "50022141", serial("2024-09-02"), "H", 612345678, 78298832500018, "01/09/2025"],
          ["Sans", "Date", "", "2024-2025", serial("2024-06-15"), serial("2024-09-02"), serial("2026-06-30"), "50022141", "", "", "", "", ""],
        ],
      },
      { name: "Aide", rows: [["rien"]] },
    ]);
    const { file, preview, upload, mapping } = await uploadAndPreview(new Uint8Array(bytes), "effectifs.xlsx");
    expect(file.format).toBe("XLSX");
    expect(mapping.slice(-3)).toEqual(["tel_apprenant", "siret_employeur", "contrat_date_debut_2"]);
    expect(preview).toMatchObject({ nbRows: 2, nbValid: 1, nbErrors: 1 });
    const bad = preview.rows[0];
    expect(bad.ligne).toBe(3);
    // a missing date: its format as the file writes it, literally and by the field's example
    expect(bad.cells[2].errors).toEqual(["Date de naissance : champ obligatoire : date attendue au format JJ/MM/AAAA (ex. 28/03/2006)"]);
    // without a birth date the id cannot be derived: said so, apart from the date's cell (the field's label names it)
    expect(bad.otherErrors.join(" ")).toMatch(
      /Identifiant ERP de l'apprenant : identifiant impossible à former, la date de naissance \(colonne « Date de naissance »\) est vide/,
    );
    expect(bad.otherErrors.join(" ")).not.toMatch(/champ obligatoire/);

    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbItems: 2, nbAccepted: 1, nbRejected: 1 });
    const [e] = await t.database.rows<Record<string, any>>(sql`
      select e.id_erp_apprenant, e.date_de_naissance::text ddn, e.date_entree_formation::text entree, e.telephone, e.sexe, e.source,
             (select json_agg(json_build_object('rang', c.rang, 'debut', c.date_debut, 'siret', c.siret_employeur) order by c.rang)
              from contrats c where c.effectif_id = e.id) contrats
      from effectifs e where e.id_erp_apprenant = 'lenotre-gaston-2006-03-28'`);
    expect(e).toMatchObject({ ddn: "2006-03-28", entree: "2024-09-02", telephone: "0612345678", sexe: "M", source: "FICHIER" });
    expect(e.contrats).toEqual([
      { rang: 1, debut: "2024-09-02", siret: "78298832500018" },
      { rang: 2, debut: "2025-09-01", siret: null },
    ]);
    const [tr] = await t.database.rows<Record<string, any>>(sql`select * from transmissions where id = ${result.transmissionId}`);
    expect(tr).toMatchObject({ source: "FICHIER", erp: "Tableur", file_name: "effectifs.xlsx", nb_accepted: 1, nb_rejected: 1 });
    expect(tr.errors[0]).toMatchObject({ ligne: 3, nom: "Sans", prenom: "Date" });
    expect(tr.errors[0].errors).toContainEqual({
      path: ["date_de_naissance_apprenant"],
      message: "Date de naissance : champ obligatoire : date attendue au format JJ/MM/AAAA (ex. 28/03/2006)",
    });
    const [o] = await t.database.rows<Record<string, any>>(sql`select mode_transmission, erp from organismes where id = ${cfa.id}`);
    expect(o).toEqual({ mode_transmission: "FICHIER", erp: "Tableur" });
    const reloaded = await loadUpload(t.database, access, upload.id);
    expect(reloaded?.importedAt).not.toBeNull();
    await expect(importUpload(t.database, reloaded!, mapping, "2024-2025")).rejects.toThrow(/déjà été importé/);
    // the same file uploaded again: its valid line is accepted and counted unchanged, nothing is rewritten
    const again = await uploadAndPreview(new Uint8Array(bytes), "effectifs.xlsx");
    const second = await importUpload(t.database, again.upload, again.mapping, "2024-2025");
    expect(second).toMatchObject({ nbAccepted: 1, nbRejected: 1, nbInchanges: 1, effectifIds: [] });
    expect(await transmissionSummary(t.database, second.transmissionId)).toMatchObject({ nbAccepted: 1, nbUnchanged: 1, nbRejected: 1 });
  });

  it("XLSX of the 1904 date system with cells formatted as dates: the dates the spreadsheet shows", async () => {
    // what an old Mac Excel saves: dates counted from 1904, shown by the cell format (numFmtId 14)
    const row = (cells: (string | number)[], r: number) =>
      `<row r="${r}">${cells.map((c, i) => (typeof c === "number" ? `<c s="1"><v>${c}</v></c>` : `<c t="inlineStr"><is><t>${c}</t></is></c>`)).join("")}</row>`;
    const s1904 = (iso: string) => serial(iso) - 1462;
    const bytes = writeZip([
      { name: "xl/workbook.xml", data: '<workbook xmlns:r="r"><workbookPr date1904="1"/><sheets><sheet name="Effectifs" sheetId="1" r:id="rId1"/></sheets></workbook>' },
      { name: "xl/_rels/workbook.xml.rels", data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
      { name: "xl/styles.xml", data: '<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>' },
      {
        name: "xl/worksheets/sheet1.xml",
        data: `<worksheet><sheetData>${row(HEADERS, 1)}${row(
          ["Mac", "Intosh", s1904("2006-03-28"), "2024-2025", s1904("2024-06-15"), s1904("2024-09-02"), s1904("2026-06-30"), "50022141", s1904("2024-09-02"), "F"], 2)}</sheetData></worksheet>`,
      },
    ]);
    const { file, preview, upload, mapping } = await uploadAndPreview(new Uint8Array(bytes), "mac.xlsx");
    expect(file.rows[0].slice(1, 4)).toEqual(["Mac", "Intosh", "28/03/2006"]);
    expect(preview).toMatchObject({ nbRows: 1, nbValid: 1, nbErrors: 0 });
    expect(await importUpload(t.database, upload, mapping, "2024-2025")).toMatchObject({ nbAccepted: 1, nbRejected: 0 });
    const [e] = await t.database.rows<Record<string, string>>(sql`
      select date_de_naissance::text ddn, date_entree_formation::text entree, date_fin_formation::text fin
      from effectifs where id_erp_apprenant = 'mac-intosh-2006-03-28'`);
    expect(e).toEqual({ ddn: "2006-03-28", entree: "2024-09-02", fin: "2026-06-30" });
  });

  it("refuses empty, header-only, .xls and unreadable files with a French message", () => {
    expect(() => readUploadedFile(new Uint8Array(), "vide.csv")).toThrow(UploadError);
    expect(() => readUploadedFile(new TextEncoder().encode("Nom;Prénom\n"), "a.csv")).toThrow(/aucune ligne/);
    expect(() => readUploadedFile(new TextEncoder().encode("x"), "a.xls")).toThrow(/\.xls/);
    expect(() => readUploadedFile(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), "a.xlsx")).toThrow(/Fichier illisible/);
  });
});

describe("mapping and scope in the preview", () => {
  it("an adjusted mapping is applied; unknown organismes and out-of-scope rows are shown on their cells", async () => {
    const csv = [
      "Nom;Prénom;Né le;Début;Fin;Inscrit;Code;UAI;SIRET;UAI responsable;SIRET responsable",
      `A;B;01/01/2006;02/09/2024;30/06/2025;01/06/2024;X1;${cfa.uai};${cfa.siret};${cfa.uai};${cfa.siret}`,
      `C;D;01/01/2006;02/09/2024;30/06/2025;01/06/2024;X2;${cfa.uai};${siretOf(4242)};${cfa.uai};${cfa.siret}`,
      `E;F;01/01/2006;02/09/2024;30/06/2025;01/06/2024;X3;${autre.uai};${autre.siret};${autre.uai};${autre.siret}`,
    ].join("\n");
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv), "scope.csv");
    expect(mapping[3]).toBeNull(); // "Début": ambiguous, not mapped
    const params = new URLSearchParams();
    const adjusted = [...mapping];
    adjusted[3] = "date_entree_formation";
    adjusted[4] = "date_fin_formation";
    adjusted[5] = "date_inscription_formation";
    adjusted[6] = "id_erp_apprenant";
    adjusted.forEach((f, i) => params.set(`col_${i}`, f ?? ""));
    const { mapping: fromForm, automatic } = mappingFrom(params, upload.headers);
    expect(automatic).toBe(false);
    expect(fromForm).toEqual(adjusted);
    const preview = await previewUpload(t.database, upload, fromForm, "2024-2025");
    expect(preview).toMatchObject({ nbRows: 3, nbValid: 1, nbErrors: 2 });
    const unknown = preview.rows.find((r) => r.ligne === 3)!;
    expect(unknown.cells[7].errors[0]).toMatch(/^UAI \/ SIRET : établissement formateur inconnu du référentiel/);
    // said once, on the UAI; the SIRET's cell is marked and points to it
    expect(unknown.cells[8].errors).toEqual(["Voir l'erreur de la colonne « UAI »."]);
    const outOfScope = preview.rows.find((r) => r.ligne === 4)!;
    // the scope's paragraph once per row, on the formateur's UAI; the three other établissement cells point to it
    expect(outOfScope.cells[7].errors).toEqual([expect.stringMatching(/^dossier : hors du périmètre de CFA de test n° 11 .*ni l'établissement formateur .* Un organisme ne peut transmettre/)]);
    for (const col of [8, 9, 10]) expect(outOfScope.cells[col].errors).toEqual(["Voir l'erreur de la colonne « UAI »."]);
    const all = [...outOfScope.cells.flatMap((c) => c.errors), ...outOfScope.otherErrors];
    expect(all.filter((e) => /hors du périmètre/.test(e))).toHaveLength(1);
    expect(outOfScope.otherErrors).toEqual([]);
    expect(preview.errorsByColumn.slice(7, 11)).toEqual([2, 2, 1, 1]);
  });

  it("without establishment columns, the organisme chosen on the page is formateur and responsable", async () => {
    const csv = ["Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation", "A;B;01/01/2006;01/06/2024;02/09/2024;30/06/2025"].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "min.csv", autre);
    expect(preview.nbValid).toBe(1);
  });
});

describe("« UAI CFA » next to « UAI site »: the CFA is the responsable, the site the formateur", () => {
  it("maps the pair of columns so, imports the site's learners with the CFA as responsable", async () => {
    const site = await insertOrganisme(t.database, 13, "formateur");
    await relate(t.database, site, cfa);
    const csv = [
      "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation;UAI CFA;SIRET CFA;UAI site;SIRET site",
      `Site;Léa;01/01/2006;01/06/2024;02/09/2024;30/06/2025;${cfa.uai};${cfa.siret};${site.uai};${site.siret}`,
    ].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "sites.csv");
    expect(mapping.slice(6)).toEqual([
      "etablissement_responsable_uai",
      "etablissement_responsable_siret",
      "etablissement_formateur_uai",
      "etablissement_formateur_siret",
    ]);
    expect(preview).toMatchObject({ nbRows: 1, nbValid: 1 });
    expect(mappingNotes(upload, mapping, "2024-2025").notes.join(" ")).not.toMatch(/n'est associée à aucun champ/);
    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result.nbAccepted).toBe(1);
    const [e] = await t.database.rows<{ organisme_formateur_id: number; organisme_responsable_id: number }>(
      sql`select organisme_formateur_id, organisme_responsable_id from effectifs where id_erp_apprenant like 'site-%'`,
    );
    expect(e).toEqual({ organisme_formateur_id: site.id, organisme_responsable_id: cfa.id });
  });

  it("a UAI or SIRET column left out of the mapping is told on the mapping step", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance;UAI CFA;SIRET CFA;UAI site;SIRET site;Code établissement;Remarque",
      `A;B;01/01/2006;${cfa.uai};${cfa.siret};${cfa.uai};${cfa.siret};${autre.uai};rien`,
    ].join("\n");
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv), "oubli.csv");
    // « Code établissement » holds UAIs (by its values), « Remarque » nothing of the kind
    let notes = mappingNotes(upload, mapping, "2024-2025").notes;
    expect(notes.filter((n) => /n'est associée à aucun champ/.test(n))).toEqual([
      "La colonne « Code établissement » n'est associée à aucun champ : ses UAI seront ignorés à l'import. Si elle désigne " +
        "l'établissement formateur (le site où l'apprenant est formé), l'établissement responsable (le CFA qui signe le contrat) ou le " +
        "lieu de formation, associez-la au champ correspondant ci-dessous.",
    ]);
    // the site's columns left out by hand: both said, by their name
    const adjusted = mapping.map((f, i) => (i === 5 || i === 6 ? null : f));
    notes = mappingNotes(upload, adjusted, "2024-2025").notes;
    expect(notes.filter((n) => /n'est associée à aucun champ/.test(n)).map((n) => n.slice(0, n.indexOf(" seront")))).toEqual([
      "La colonne « UAI site » n'est associée à aucun champ : ses UAI",
      "La colonne « SIRET site » n'est associée à aucun champ : ses SIRET",
      "La colonne « Code établissement » n'est associée à aucun champ : ses UAI",
    ]);
  });
});

describe("messages in the file's terms", () => {
  it("field codes become the file's column names (or the field's label), ISO dates JJ/MM/AAAA, quoted values stay as typed", () => {
    const names = fieldNames(["Entrée", "Fin", "Identifiant"], ["date_entree_formation", "date_fin_formation", "id_erp_apprenant"]);
    expect(inFileTerms("date_fin_formation : la date de fin de formation doit être égale ou postérieure à date_entree_formation (2026-09-02)", names)).toBe(
      "Fin : la date de fin de formation doit être égale ou postérieure à « Entrée » (02/09/2026)",
    );
    expect(inFileTerms("etablissement_formateur_uai / etablissement_formateur_siret : établissement formateur inconnu", names)).toBe(
      "UAI du formateur / SIRET du formateur : établissement formateur inconnu",
    );
    expect(inFileTerms("id_erp_apprenant : l'apprenant « dupont-jean-2006-03-28 » est déjà enregistré pour 2024-2025 (reçu « 2024-01-01 »)", names)).toBe(
      "Identifiant : l'apprenant « dupont-jean-2006-03-28 » est déjà enregistré pour 2024-2025 (reçu « 2024-01-01 »)",
    );
    expect(inFileTerms("dossier : hors du périmètre de X", names)).toBe("dossier : hors du périmètre de X");
    expect(inFileTerms("date_fin_formation : x (reçu « 2024-09-01 »)", names)).toBe("Fin : x (reçu « 01/09/2024 »)");
    // the conversion's messages are already in the file's terms
    const converted = "Fin : « 31/02/2007 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2007)";
    expect(inFileTerms(converted, names)).toBe(converted);
  });

  it("the import stores the messages as the preview showed them", async () => {
    const csv = [
      "Nom;Prénom;Né le;Date d'inscription;Entrée;Date de fin de formation;Début contrat",
      "Termes;Date;31/02/2007;01/06/2024;02/09/2024;30/06/2025;",
      "Termes;Fin;01/02/2007;01/06/2024;02/09/2024;01/09/2024;",
    ].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "termes.csv");
    mapping[4] = "date_entree_formation";
    const adjusted = await previewUpload(t.database, upload, mapping, "2024-2025");
    expect(adjusted.nbErrors).toBe(2);
    expect(preview.rows.find((r) => r.ligne === 2)!.cells[2].errors).toEqual([
      "Né le : « 31/02/2007 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2007)",
    ]);
    const fin = adjusted.rows.find((r) => r.ligne === 3)!.cells[5].errors;
    expect(fin).toEqual([
      "Date de fin de formation : la date de fin de formation doit être égale ou postérieure à « Entrée » (02/09/2024) (reçu « 01/09/2024 »)",
    ]);
    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    const summary = await transmissionSummary(t.database, result.transmissionId);
    expect(summary!.errors.map((e) => [e.ligne, e.messages])).toEqual([
      [2, ["Né le : « 31/02/2007 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2007)"]],
      [3, fin],
    ]);
  });
});

describe("the NIR is never stored", () => {
  const NIR_A = "1060375112042";
  const NIR_B = "2990575000123";
  const csv = [
    "Nom;Prénom;NIR;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation;N° sécu",
    `Nirun;Avec;${NIR_A};01/02/2006;01/06/2024;02/09/2024;30/06/2025;`,
    `Nirdeux;Sans;;01/02/2006;01/06/2024;02/09/2024;30/06/2025;`,
    `Nirtrois;Autre;;01/02/2006;01/06/2024;02/09/2024;30/06/2025;${NIR_B}`,
    `;;${NIR_A};;;;;`,
  ].join("\n");

  it("its columns are dropped on reading; the page says it was read only to note that one was given", async () => {
    const file = readUploadedFile(new TextEncoder().encode(csv), "nir.csv");
    expect(file.headers).toEqual(["Nom", "Prénom", "Date de naissance", "Date d'inscription", "Date d'entrée en formation", "Date de fin de formation"]);
    expect(file.nirColumns).toEqual(["NIR", "N° sécu"]);
    expect(JSON.stringify(file)).not.toMatch(new RegExp(`${NIR_A}|${NIR_B}`));
    // a row holding nothing but a NIR is no row
    expect(file.rows.map((r) => r[1])).toEqual(["Nirun", "Nirdeux", "Nirtrois"]);

    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "nir.csv");
    const [stored] = await t.database.rows<{ row: string }>(sql`select row_to_json(t)::text as row from televersements t where id = ${upload.id}`);
    expect(stored.row).toContain("Nirun");
    expect(stored.row).not.toContain(NIR_A);
    expect(stored.row).not.toContain(NIR_B);
    expect(JSON.stringify(preview)).not.toMatch(new RegExp(`${NIR_A}|${NIR_B}`));
    expect(preview.nbValid).toBe(3);
    // the page names the dropped columns: their names are kept with the upload, never their values
    expect(upload.nirColumns).toEqual(["NIR", "N° sécu"]);
    const [colonnes] = await t.database.rows<{ nir_columns: unknown }>(sql`select nir_columns from televersements where id = ${upload.id}`);
    expect(colonnes.nir_columns).toEqual(["NIR", "N° sécu"]);
    const notes = mappingNotes(upload, mapping, "2024-2025").notes.join(" ");
    expect(notes).toMatch(
      /Les colonnes « NIR » et « N° sécu » ont été reconnues comme celles du NIR \(numéro de sécurité sociale\) : elles ont seulement été lues pour noter qu'un NIR était fourni \(2 lignes\)\. Le NIR n'est pas conservé : ces colonnes n'apparaissent pas ci-dessous/,
    );
    // an upload made before the names were kept (migration 0016: []) says it without them, as before
    expect(mappingNotes({ ...upload, nirColumns: [] }, mapping, "2024-2025").notes.join(" ")).toMatch(
      /Colonne du NIR \(numéro de sécurité sociale\) : elle a seulement été lue pour noter qu'un NIR était fourni \(2 lignes\)\. Le NIR n'est pas conservé/,
    );

    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbAccepted: 3, nbRejected: 0 });
    const effectifs = await t.database.rows<{ nom: string; nir_fourni: boolean }>(
      sql`select nom, nir_fourni from effectifs where nom like 'Nir%' order by nom`,
    );
    expect(effectifs).toEqual([
      { nom: "Nirdeux", nir_fourni: false },
      { nom: "Nirtrois", nir_fourni: true },
      { nom: "Nirun", nir_fourni: true },
    ]);
    const [all] = await t.database.rows<{ text: string }>(sql`select string_agg(row_to_json(t)::text, ' ') as text from televersements t`);
    expect(all.text).not.toMatch(new RegExp(`${NIR_A}|${NIR_B}`));
  });

  it("an XLSX NIR column (numbers) is dropped as well", async () => {
    const bytes = writeXlsx([{ name: "Effectifs", rows: [["Nom", "Numéro de sécurité sociale"], ["A", 1060375112042]] }]);
    const file = readUploadedFile(new Uint8Array(bytes), "nir.xlsx");
    expect(file.headers).toEqual(["Nom"]);
    expect(file.rows).toEqual([["2+nir", "A"]]);
  });
});

describe("the NIR is never stored, whatever its column's name", () => {
  const NIR = "2060375112042 17";
  const NIR_13 = "1990675112042";
  const transmitted = async (fileName: string) =>
    (await t.database.rows<{ n: number }>(sql`select count(*)::int n from transmissions where file_name = ${fileName}`))[0].n;

  it("a column named « Numéro de sécurité sociale (NIR) », « NIR (13 chiffres + clé) », « N° INSEE », « Numéro INSEE » is dropped; « Code INSEE » is kept", async () => {
    for (const header of ["Numéro de sécurité sociale (NIR)", "NIR (13 chiffres + clé)", "N° INSEE", "Numéro INSEE"]) {
      const csv = [
        `Nom;Prénom;Date de naissance;${header};Code INSEE;Date d'inscription;Date d'entrée en formation;Date de fin de formation`,
        `Secu;Un;01/02/2006;${NIR};75112;01/06/2024;02/09/2024;30/06/2025`,
        `Secu;Deux;01/02/2006;;75112;01/06/2024;02/09/2024;30/06/2025`,
      ].join("\n");
      const { file, upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "nir-nom.csv");
      expect(file.nirColumns, header).toEqual([header]);
      expect(file.headers).not.toContain(header);
      expect(file.headers).toContain("Code INSEE");
      expect(mapping[file.headers.indexOf("Code INSEE")]).toBe("code_commune_insee_apprenant");
      const [stored] = await t.database.rows<{ row: string }>(sql`select row_to_json(t)::text as row from televersements t where id = ${upload.id}`);
      expect(stored.row).not.toMatch(/2060375112042|112042 17/);
      expect(JSON.stringify(preview)).not.toMatch(/2060375112042|112042 17/);
      expect(upload.rows.map((r) => r[0])).toEqual(["2+nir", "3"]);
      expect(upload.nirColumns).toEqual([header]);
      expect(mappingNotes(upload, mapping, "2024-2025").notes.join(" ")).toContain(
        `La colonne « ${header} » a été reconnue comme celle du NIR (numéro de sécurité sociale) : elle a seulement été lue pour noter ` +
          "qu'un NIR était fourni (1 ligne). Le NIR n'est pas conservé : cette colonne n'apparaît pas ci-dessous",
      );
    }
  });

  it("a column of NIRs under any name (even one of a field) is dropped by its values; SIRET, phone, postal code, date columns are not", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance;Matricule;Assuré;SIRET employeur;Téléphone;Code postal;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
      `Valeur;Un;01/02/2006;${NIR};${NIR_13};${siretOf(21)};06 12 34 56 78;75011;01/06/2024;02/09/2024;30/06/2025`,
      `Valeur;Deux;02/02/2006;2 06 03 2A 004 123;;${siretOf(22)};0612345678;2000;01/06/2024;02/09/2024;30/06/2025`,
      `Valeur;Trois;03/02/2006;;;${siretOf(23)};+33 6 12 34 56 78;97411;01/06/2024;02/09/2024;30/06/2025`,
    ].join("\n");
    const { file, upload, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "nir-valeurs.csv");
    expect(file.nirColumns).toEqual(["Matricule", "Assuré"]);
    expect(file.headers).toEqual([
      "Nom",
      "Prénom",
      "Date de naissance",
      "SIRET employeur",
      "Téléphone",
      "Code postal",
      "Date d'inscription",
      "Date d'entrée en formation",
      "Date de fin de formation",
    ]);
    expect(upload.rows.map((r) => r[0])).toEqual(["2+nir", "3+nir", "4"]);
    expect(mappingNotes(upload, mappingFrom(new URLSearchParams(), upload.headers).mapping, "2024-2025").notes.join(" ")).toContain(
      "Les colonnes « Matricule » et « Assuré » ont été reconnues comme celles du NIR (numéro de sécurité sociale) : elles ont seulement été lues " +
        "pour noter qu'un NIR était fourni (2 lignes).",
    );
    const [stored] = await t.database.rows<{ row: string }>(sql`select row_to_json(t)::text as row from televersements t where id = ${upload.id}`);
    expect(stored.row).not.toMatch(/2060375112042|1990675112042|2A 004 123/);
    expect(JSON.stringify(preview)).not.toMatch(/2060375112042|1990675112042|2A 004 123/);
    // "Matricule" was the id column: without it, ids are derived from the names
    expect(preview.rows.map((r) => r.id).sort()).toEqual(["valeur-deux-2006-02-02", "valeur-trois-2006-02-03", "valeur-un-2006-02-01"]);
  });

  it("SIRETs written as decimals by a program's export (« 78298832500018.0 ») are SIRETs: kept, no NIR said (QA)", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance;SIRET employeur;Date d'inscription;Date d'entrée en formation;Date de fin de formation;Date de début de contrat",
      `Decimal;Un;01/02/2006;78298832500018.0;01/06/2024;02/09/2024;30/06/2025;02/09/2024`,
      `Decimal;Deux;02/02/2006;${siretOf(32)};01/06/2024;02/09/2024;30/06/2025;02/09/2024`,
    ].join("\n");
    const { file, upload, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "sirets-decimaux.csv");
    expect(file.nirColumns).toEqual([]);
    expect(upload.rows.map((r) => r[0])).toEqual(["2", "3"]);
    const siret = upload.headers.indexOf("SIRET employeur");
    expect(preview.rows.map((r) => r.cells[siret].errors)).toEqual([[], []]);
    expect(preview.rows.map((r) => r.cells[siret].value).sort()).toEqual(["78298832500018.0", siretOf(32)].sort());
    expect(preview).toMatchObject({ nbRows: 2, nbValid: 2 });
  });

  it("a column is named by its header, never by a value: without a header row, by its rank; an empty NIR column is named too", async () => {
    const sansEntete = [
      `Sansentete;Un;01/02/2006;${NIR_13};01/06/2024;02/09/2024;30/06/2025`,
      `Sansentete;Deux;02/02/2006;${NIR};01/06/2024;02/09/2024;30/06/2025`,
    ].join("\n");
    const a = await uploadAndPreview(new TextEncoder().encode(sansEntete), "nir-sans-entete.csv");
    expect(a.file.nirColumns).toEqual(["Colonne 4"]);
    const [stored] = await t.database.rows<{ row: string }>(sql`select row_to_json(t)::text as row from televersements t where id = ${a.upload.id}`);
    expect(stored.row).not.toMatch(/1990675112042|2060375112042|112042 17/);
    expect(mappingNotes(a.upload, a.mapping, "2024-2025").notes.join(" ")).toContain("La colonne « Colonne 4 » a été reconnue comme celle du NIR");

    const vide = [
      "Nom;Prénom;Date de naissance;NIR;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
      "Nirvide;Un;01/02/2006;;01/06/2024;02/09/2024;30/06/2025",
    ].join("\n");
    const b = await uploadAndPreview(new TextEncoder().encode(vide), "nir-vide.csv");
    expect(b.upload.nirColumns).toEqual(["NIR"]);
    expect(mappingNotes(b.upload, b.mapping, "2024-2025").notes.join(" ")).toContain(
      "La colonne « NIR » a été reconnue comme celle du NIR (numéro de sécurité sociale) : elle a seulement été lue pour noter qu'un NIR " +
        "était fourni (aucune ligne n'en donne).",
    );
  });

  it("over HTTP, the preview neither shows nor keeps it, and says the column was not kept", async () => {
    const app = await serveApp(t.database);
    try {
      const cookie = await signedIn("cfa-nir@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      const html = await (await fetch(`${app.baseUrl}/televersement`, { headers: { Cookie: cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1];
      const form = new FormData();
      form.set("csrf", csrf);
      form.set("intent", "televerser");
      form.set("organisme", String(cfa.id));
      form.set(
        "fichier",
        new File(
          [
            "Nom;Prénom;Date de naissance;Numéro de sécurité sociale (NIR);Date d'inscription;Date d'entrée en formation;Date de fin de formation\n" +
              `Httpnir;Un;01/02/2006;${NIR};01/06/2024;02/09/2024;30/06/2025\n`,
          ],
          "nir-http.csv",
          { type: "text/csv" },
        ),
      );
      const res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: form, headers: { Cookie: cookie }, redirect: "manual" });
      const location = res.headers.get("location")!;
      const page = await (await fetch(`${app.baseUrl}${location}`, { headers: { Cookie: cookie } })).text();
      expect(page).toContain("Httpnir");
      expect(page).not.toMatch(/2060375112042|112042 17/);
      // the column is named in the note, not offered in the mapping
      expect(page).not.toMatch(/<label for="col_\d+">Numéro de sécurité sociale \(NIR\)</);
      expect(page).toContain("La colonne « Numéro de sécurité sociale (NIR) » a été reconnue comme celle du NIR");
      expect(page).toContain("Le NIR n&#x27;est pas conservé");
    } finally {
      await app.close();
    }
  });

  it("the import keeps only that a NIR was given", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance;N° INSEE;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
      `Nirfourni;Oui;01/02/2006;${NIR};01/06/2024;02/09/2024;30/06/2025`,
      `Nirfourni;Non;01/02/2006;;01/06/2024;02/09/2024;30/06/2025`,
    ].join("\n");
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv), "nir-import.csv");
    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbAccepted: 2, nbRejected: 0 });
    expect(await transmitted("nir-import.csv")).toBe(1);
    const rows = await t.database.rows<{ prenom: string; nir_fourni: boolean }>(
      sql`select prenom, nir_fourni from effectifs where nom = 'Nirfourni' order by prenom`,
    );
    expect(rows).toEqual([
      { prenom: "Non", nir_fourni: false },
      { prenom: "Oui", nir_fourni: true },
    ]);
  });
});

describe("one learner on two rows of a file", () => {
  const HEAD = "Nom;Prénom;Date de naissance;Code diplôme;Courriel;Date d'inscription;Date d'entrée en formation;Date de fin de formation";

  it("without an id column: the later row is an error naming the earlier one, not imported, counted as rejected", async () => {
    const csv = [
      HEAD,
      "Garnier;Hugo;12/05/2005;50022141;hugo.cap@test.fr;01/06/2024;02/09/2024;30/06/2025",
      "Autre;Élève;13/05/2005;50022141;;01/06/2024;02/09/2024;30/06/2025",
      "Garnier;Hugo;12/05/2005;40025214;hugo.bp@test.fr;01/06/2024;02/09/2024;30/06/2026",
    ].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "doublon.csv");
    expect(preview).toMatchObject({ nbRows: 3, nbValid: 2, nbErrors: 1 });
    const doublon = preview.rows.find((r) => r.ligne === 4)!;
    expect(doublon.ok).toBe(false);
    const message =
      "Identifiant ERP de l'apprenant : même apprenant que la ligne 2 (même nom, même prénom, même date de naissance) : sans colonne " +
      "d'identifiant, les deux lignes forment le même identifiant et un seul dossier serait enregistré, cette ligne n'est donc pas importée. " +
      "Si l'apprenant suit deux formations, ajoutez une colonne « Identifiant de l'apprenant » qui donne à chacune de ses lignes un " +
      "identifiant différent ; sinon, regroupez les deux lignes en une seule";
    expect(doublon.cells[0].errors).toEqual([message]);
    expect(doublon.otherErrors).toEqual([]);
    // the refused row keeps its id: the learner is named in the preview and in the stored errors
    expect(doublon.id).toBe("garnier-hugo-2005-05-12");
    expect(preview.rows.find((r) => r.ligne === 2)).toMatchObject({ ok: true, id: "garnier-hugo-2005-05-12" });

    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbItems: 3, nbAccepted: 2, nbRejected: 1 });
    const stored = await t.database.rows<{ id_erp_apprenant: string; email: string | null }>(
      sql`select id_erp_apprenant, email from effectifs where nom = 'Garnier'`,
    );
    expect(stored).toEqual([{ id_erp_apprenant: "garnier-hugo-2005-05-12", email: "hugo.cap@test.fr" }]);
    const summary = await transmissionSummary(t.database, result.transmissionId);
    expect(summary).toMatchObject({ nbAccepted: 2, nbRejected: 1 });
    expect(summary!.errors).toEqual([
      expect.objectContaining({ ligne: 4, id_erp_apprenant: "garnier-hugo-2005-05-12", nom: "Garnier", prenom: "Hugo", messages: [message] }),
    ]);
    const [tr] = await t.database.rows<{ errors: unknown[]; received_at: Date | string }>(
      sql`select errors, received_at from transmissions where id = ${result.transmissionId}`,
    );
    expect(tr.errors).toEqual([
      {
        index: 2,
        ligne: 4,
        id_erp_apprenant: "garnier-hugo-2005-05-12",
        nom: "Garnier",
        prenom: "Hugo",
        errors: [{ path: ["id_erp_apprenant"], message }],
      },
    ]);
    // the CFA space's page of that day names the refused row by its id and its line
    const jour = await transmissionsDuJour(t.database, cfa.id, parisDay(new Date(tr.received_at)));
    expect(jour.refuses.filter((r) => r.transmissionId === result.transmissionId)).toEqual([
      expect.objectContaining({ ligne: 4, idErpApprenant: "garnier-hugo-2005-05-12", nom: "Garnier", prenom: "Hugo" }),
    ]);
  });

  it("with an id column, the same id twice in one année scolaire; an identical row says so; another year is another effectif", async () => {
    const csv = [
      `Identifiant;Année scolaire;${HEAD}`,
      "G-1;2024-2025;Garnier;Léa;12/05/2005;50022141;;01/06/2024;02/09/2024;30/06/2025",
      "G-1;2024-2025;Garnier;Léa;12/05/2005;40025214;;01/06/2024;02/09/2024;30/06/2026",
      "G-1;2025-2026;Garnier;Léa;12/05/2005;40025214;;01/06/2025;02/09/2025;30/06/2026",
      "G-2;2024-2025;Garnier;Tom;12/05/2005;50022141;;01/06/2024;02/09/2024;30/06/2025",
      "G-2;2024/2025;Garnier;Tom;12/05/2005;50022141;;01/06/2024;02/09/2024;30/06/2025",
      "G-2;2024-2025;Garnier;Tom;12/05/2005;50022141;;01/06/2024;02/09/2024;30/06/2025",
    ].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "doublon-id.csv");
    expect(preview).toMatchObject({ nbRows: 6, nbValid: 3, nbErrors: 3 });
    expect(preview.rows.find((r) => r.ligne === 3)!.cells[0].errors).toEqual([
      "Identifiant : même identifiant « G-1 » que la ligne 2 et la même année scolaire : un seul dossier par identifiant et par année " +
        "scolaire, cette ligne n'est donc pas importée. Si l'apprenant suit deux formations, donnez à chacune de ses lignes un " +
        "identifiant différent (colonne « Identifiant ») ; sinon, regroupez les deux lignes en une seule",
    ]);
    // "2024/2025" is the année "2024-2025"
    expect(preview.rows.find((r) => r.ligne === 6)!.cells[0].errors).toEqual([expect.stringMatching(/^Identifiant : même identifiant « G-2 » que la ligne 5 /)]);
    expect(preview.rows.find((r) => r.ligne === 7)!.cells[0].errors).toEqual([
      "Identifiant : ligne identique à la ligne 5 : elle n'est pas importée, supprimez-la du fichier",
    ]);
    expect(preview.rows.find((r) => r.ligne === 4)!.ok).toBe(true);
    // each refused row keeps its own id
    expect([3, 6, 7].map((ligne) => preview.rows.find((r) => r.ligne === ligne)!.id)).toEqual(["G-1", "G-2", "G-2"]);
  });
});

describe("an upload is imported once", () => {
  const csv = (nom: string) =>
    [
      "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
      `${nom};Un;01/02/2006;01/06/2024;02/09/2024;30/06/2025`,
      `${nom};Deux;01/02/2006;01/06/2024;02/09/2024;30/06/2025`,
    ].join("\n");
  const transmissions = async (fileName: string) =>
    (await t.database.rows<{ n: number }>(sql`select count(*)::int n from transmissions where file_name = ${fileName}`))[0].n;

  it("three simultaneous imports record one transmission; the others are told it was imported", async () => {
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv("Simultane")), "simultane.csv");
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => importUpload(t.database, upload, mapping, "2024-2025")));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(refused.map((o) => [o.reason instanceof UploadError, (o.reason as Error).message])).toEqual([
      [true, "Ce fichier a déjà été importé."],
      [true, "Ce fichier a déjà été importé."],
    ]);
    expect(await transmissions("simultane.csv")).toBe(1);
    const reloaded = (await loadUpload(t.database, access, upload.id))!;
    expect(reloaded.importedAt).not.toBeNull();
    expect(reloaded.transmissionId).toBe((outcomes.find((o) => o.status === "fulfilled") as PromiseFulfilledResult<{ transmissionId: number }>).value.transmissionId);
  });

  // PGlite (one connection) serialises the three requests; on a PostgreSQL server (DATABASE_URL) they do race
  it("over HTTP, three simultaneous POSTs « importer »: one import, the others get the French answer", async () => {
    const { upload } = await uploadAndPreview(new TextEncoder().encode(csv("Httpsimultane")), "http-simultane.csv");
    const app = await serveApp(t.database);
    try {
      const cookie = await signedIn("cfa-simultane@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      const page = await (await fetch(`${app.baseUrl}/televersement?id=${upload.id}`, { headers: { Cookie: cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
      const body = new URLSearchParams({ csrf, intent: "importer", id: upload.id, annee_scolaire: "2024-2025" });
      for (const [, name, value] of page.matchAll(/<input type="hidden" name="(col_\d+)" value="([^"]*)"/g)) body.set(name, value);
      const responses = await Promise.all(
        [1, 2, 3].map(() => fetch(`${app.baseUrl}/televersement`, { method: "POST", body, headers: { Cookie: cookie }, redirect: "manual" })),
      );
      const texts = await Promise.all(responses.map((r) => r.text()));
      expect(responses.filter((r) => [302, 303].includes(r.status))).toHaveLength(1);
      expect(texts.filter((x) => x.includes("Ce fichier a déjà été importé."))).toHaveLength(2);
      expect(await transmissions("http-simultane.csv")).toBe(1);
    } finally {
      await app.close();
    }
  });

  it("an import that fails gives the claim back: the file can be imported again", async () => {
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv("Echec")), "echec.csv");
    await t.database.rows(sql`alter table transmissions rename to transmissions_hors_service`);
    try {
      await expect(importUpload(t.database, upload, mapping, "2024-2025")).rejects.toThrow();
    } finally {
      await t.database.rows(sql`alter table transmissions_hors_service rename to transmissions`);
    }
    const after = (await loadUpload(t.database, access, upload.id))!;
    expect(after.importedAt).toBeNull();
    expect(await transmissions("echec.csv")).toBe(0);
    const result = await importUpload(t.database, after, mapping, "2024-2025");
    expect(result).toMatchObject({ nbAccepted: 2, nbRejected: 0 });
    expect(await transmissions("echec.csv")).toBe(1);
  });
});

describe("ids derived from names in other scripts", () => {
  it("two learners born the same day, with names in Chinese characters, are two effectifs", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
      "李;伟;01/02/2005;01/06/2024;02/09/2024;30/06/2025",
      "王;芳;01/02/2005;01/06/2024;02/09/2024;30/06/2025",
      "Øyvind;Strauß;01/02/2005;01/06/2024;02/09/2024;30/06/2025",
      "—;Jean;01/02/2005;01/06/2024;02/09/2024;30/06/2025",
    ].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "unicode.csv");
    expect(preview).toMatchObject({ nbRows: 4, nbValid: 3, nbErrors: 1 });
    const bad = preview.rows.find((r) => r.ligne === 5)!;
    expect(bad.cells[0].errors).toEqual([
      expect.stringMatching(/^Identifiant ERP de l'apprenant : identifiant impossible à former, le nom \(colonne « Nom »\) ne contient ni lettre ni chiffre/),
    ]);
    expect(bad.otherErrors).toEqual([]); // the schema's "champ obligatoire" gives way to the explanation
    expect(preview.rows.filter((r) => r.ok).map((r) => r.id).sort()).toEqual(["oyvind-strauss-2005-02-01", "李-伟-2005-02-01", "王-芳-2005-02-01"]);

    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbAccepted: 3, nbRejected: 1 });
    const ids = await t.database.rows<{ id_erp_apprenant: string }>(
      sql`select id_erp_apprenant from effectifs where date_de_naissance = '2005-02-01' and organisme_formateur_id = ${cfa.id} order by 1`,
    );
    expect(ids.map((r) => r.id_erp_apprenant)).toEqual(["oyvind-strauss-2005-02-01", "李-伟-2005-02-01", "王-芳-2005-02-01"]);
    const summary = await transmissionSummary(t.database, result.transmissionId);
    expect(summary!.errors).toEqual([
      expect.objectContaining({ ligne: 5, messages: [expect.stringMatching(/identifiant impossible à former, le nom \(colonne « Nom »\)/)] }),
    ]);
  });
});

describe("hostile and malformed files: a French message, never a 500", () => {
  const sheetXlsx = (sheetData: string, extra: { name: string; data: string }[] = []) =>
    new Uint8Array(
      writeZip([
        { name: "xl/workbook.xml", data: '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>' },
        { name: "xl/_rels/workbook.xml.rels", data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
        { name: "xl/worksheets/sheet1.xml", data: `<worksheet><sheetData>${sheetData}</sheetData></worksheet>` },
        ...extra,
      ]),
    );
  const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c></row>';
  const readError = (bytes: Uint8Array, name = "f.xlsx") => {
    try {
      readUploadedFile(bytes, name);
    } catch (error) {
      return error;
    }
    return null;
  };

  it("a PDF, an image or an Excel 97-2003 workbook under a .csv or .xlsx name: said what it is, before any reading (QA)", () => {
    const cas: [number[], string, RegExp][] = [
      [[0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a], "effectifs.csv", /^Ce fichier est un document PDF, pas un tableau : déposez un fichier \.csv ou un classeur \.xlsx/],
      [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0], "effectifs.xlsx", /^Ce fichier est une image, pas un tableau/],
      [[0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "effectifs.csv", /^Ce fichier est une image, pas un tableau/],
      [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0], "effectifs.xlsx", /^Les fichiers \.xls \(Excel 97-2003\) ne sont pas pris en charge/],
    ];
    for (const [octets, nom, message] of cas) {
      const error = readError(new Uint8Array([...octets, ...new TextEncoder().encode("Nom;Prénom\nA;B\n")]), nom);
      expect(error, nom).toBeInstanceOf(UploadError);
      expect((error as Error).message, nom).toMatch(message);
    }
    // a table whose first cell starts like one of them is still read (« %PDF » is no header people write, « GIF8 » neither)
    expect(readUploadedFile(new TextEncoder().encode("Nom;Prénom\nGIF;B\n"), "f.csv").rows).toEqual([["2", "GIF", "B"]]);
  });

  it("a character reference beyond Unicode reads as U+FFFD", () => {
    const file = readUploadedFile(sheetXlsx(`${header}<row r="2"><c r="A2" t="inlineStr"><is><t>A&#x110000;</t></is></c></row>`), "f.xlsx");
    expect(file.rows).toEqual([["2", "A\ufffd"]]);
  });

  it("ZIP offsets beyond the file", () => {
    const zip = sheetXlsx(`${header}<row r="2"><c r="A2"><v>1</v></c></row>`);
    const buf = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
    const cd = buf.readUInt32LE(buf.length - 22 + 16);
    buf.writeUInt32LE(buf.length + 10, cd + 42); // the first file's local header
    const error = readError(zip);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as Error).message).toMatch(/^Fichier illisible : classeur XLSX endommagé/);
  });

  it("whatever the readers throw becomes an UploadError saying what was expected", () => {
    const bytes = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
    Object.defineProperty(bytes, "buffer", {
      get() {
        throw new TypeError("boom");
      },
    });
    const error = readError(bytes);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as Error).message).toMatch(/^Fichier illisible : ce n'est pas un classeur Excel \.xlsx valide.*Attendu : un classeur \.xlsx ou un fichier \.csv/);
  });

  it("rows and columns beyond Excel's grid are refused at once", () => {
    const started = Date.now();
    const far = readError(sheetXlsx(`${header}<row r="20000000"><c r="A20000000"><v>1</v></c></row>`));
    expect(far).toBeInstanceOf(UploadError);
    expect((far as Error).message).toMatch(/^Fichier illisible : ligne 20000000 hors de la grille/);
    const wide = readError(sheetXlsx(`<row r="1"><c r="ZZZZZ1" t="inlineStr"><is><t>Nom</t></is></c></row>`));
    expect((wide as Error).message).toMatch(/^Fichier illisible : cellule ZZZZZ1 hors de la grille/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reading stops as soon as the row cap is passed; too many columns are refused", () => {
    const rows = Array.from({ length: MAX_UPLOAD_ROWS + 150 }, (_, i) => `<row r="${i + 2}"><c r="A${i + 2}"><v>${i}</v></c></row>`).join("");
    expect((readError(sheetXlsx(header + rows)) as Error).message).toBe(
      `Le fichier contient plus de 10\u202f000 lignes : 10\u202f000 au plus par fichier. Découpez-le en plusieurs fichiers.`,
    );
    const csv = `${Array.from({ length: MAX_UPLOAD_COLUMNS + 1 }, (_, i) => `c${i}`).join(";")}\n1`;
    expect((readError(new TextEncoder().encode(csv), "f.csv") as Error).message).toMatch(/^Le fichier a 501 colonnes : 500 au plus/);
    // a thousand rows each reaching column XFD: the cells budget stops it
    const wide = Array.from({ length: 1000 }, (_, i) => `<row r="${i + 2}"><c r="XFD${i + 2}"><v>1</v></c></row>`).join("");
    expect((readError(sheetXlsx(header + wide)) as Error).message).toMatch(/^Fichier trop volumineux : le classeur contient plus de \d+ cellules/);
  });

  describe("cells as long as a spreadsheet's at most, and characters in all (decision 028)", () => {
    const sheetNamed = (name: string, sheetData: string, sst: string[]) =>
      new Uint8Array(
        writeZip([
          { name: "xl/workbook.xml", data: `<workbook xmlns:r="r"><sheets><sheet name="${name}" sheetId="1" r:id="rId1"/></sheets></workbook>` },
          { name: "xl/_rels/workbook.xml.rels", data: '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>' },
          { name: "xl/worksheets/sheet1.xml", data: `<worksheet><sheetData>${sheetData}</sheetData></worksheet>` },
          { name: "xl/sharedStrings.xml", data: `<sst>${sst.map((t) => `<si><t>${t}</t></si>`).join("")}</sst>` },
        ]),
      );
    const headerRow = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>';
    const televersements = async () => Number((await t.database.rows<{ n: number }>(sql`select count(*)::int as n from televersements`))[0].n);
    /** What the page does: read, then store; the error if refused. */
    const upload = async (bytes: Uint8Array, fileName: string) => {
      try {
        const file = readUploadedFile(bytes, fileName);
        await createUpload(t.database, access, { organismeId: cfa.id, fileName, file });
        return null;
      } catch (error) {
        return error;
      }
    };

    it("an XLSX shared string of 40,000 characters: refused, the cell and its sheet named, nothing stored", async () => {
      const before = await televersements();
      const bytes = sheetNamed(
        "Apprenants",
        `${headerRow}<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c></row>` +
          '<row r="12"><c r="A12" t="s"><v>3</v></c><c r="C12" t="s"><v>5</v></c></row>',
        ["Nom", "Prénom", "Date de naissance", "Dupont", "Jean", "x".repeat(40_000)],
      );
      const error = await upload(bytes, "long.xlsx");
      expect(error).toBeInstanceOf(UploadError);
      expect((error as Error).message).toBe(
        "Cellule C12 de la feuille « Apprenants » : 40\u202f000 caractères, au plus 32\u202f767 attendus (limite d'Excel). " +
          "Raccourcissez ou videz cette cellule, puis déposez à nouveau le fichier.",
      );
      expect(await televersements()).toBe(before);
      // an inline string too
      const inline = sheetNamed("Apprenants", `${headerRow}<row r="2"><c r="B2" t="inlineStr"><is><t>${"y".repeat(MAX_CELL_CHARS + 1)}</t></is></c></row>`, [
        "Nom",
        "Prénom",
        "Date de naissance",
      ]);
      expect(((await upload(inline, "inline.xlsx")) as Error).message).toMatch(/^Cellule B2 de la feuille « Apprenants » : 32\u202f768 caractères, au plus 32\u202f767/);
      // as long as a spreadsheet's cell may be: read
      const juste = readUploadedFile(sheetNamed("Apprenants", `${headerRow}<row r="2"><c r="A2" t="s"><v>3</v></c></row>`, ["Nom", "Prénom", "Date", "z".repeat(MAX_CELL_CHARS)]), "juste.xlsx");
      expect(juste.rows[0][1]).toHaveLength(MAX_CELL_CHARS);
    });

    it("an XLSX shared string of 30,000 characters in thousands of cells: refused by the characters in all, nothing stored", async () => {
      const before = await televersements();
      const cellules = 5000;
      const rows = Array.from({ length: cellules }, (_, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>3</v></c></row>`).join("");
      const bytes = sheetNamed("Apprenants", headerRow + rows, ["Nom", "Prénom", "Date de naissance", "w".repeat(30_000)]);
      expect(bytes.byteLength).toBeLessThan(100_000);
      const error = await upload(bytes, "repete.xlsx");
      expect(error).toBeInstanceOf(UploadError);
      expect((error as Error).message).toBe(
        "Fichier trop volumineux : les cellules du classeur contiennent plus de 10\u202f485\u202f760 caractères en tout, au plus 10\u202f485\u202f760 attendus " +
          "(autant qu'un fichier CSV de 10 Mo ; une même valeur compte à chaque cellule qui la contient). Découpez-le en plusieurs fichiers.",
      );
      expect(await televersements()).toBe(before);
      // the reader stops at the cell passing the bound, the following ones never read (see tests/unit/xlsx-reader.test.ts)
      let stop: XlsxLimitError | undefined;
      try {
        openXlsx(bytes, { maxCellChars: MAX_CELL_CHARS, maxTotalChars: MAX_UPLOAD_CHARS })[0].rows();
      } catch (e) {
        stop = e as XlsxLimitError;
      }
      const header = "Nom".length + "Prénom".length + "Date de naissance".length;
      expect(stop?.place?.cell).toBe(`A${2 + Math.floor((MAX_UPLOAD_CHARS - header) / 30_000)}`);
      expect(Math.floor((MAX_UPLOAD_CHARS - header) / 30_000)).toBeLessThan(cellules);
    });

    it("a CSV cell of 40,000 characters: refused, its line and column named, nothing stored", async () => {
      const before = await televersements();
      const csv = `Nom;Prénom;Commentaire\nDupont;Jean;court\nMartin;Paul;${"c".repeat(40_000)}\n`;
      const error = await upload(new TextEncoder().encode(csv), "long.csv");
      expect(error).toBeInstanceOf(UploadError);
      expect((error as Error).message).toBe(
        "Ligne 3, colonne C : la cellule dépasse 32\u202f767 caractères, au plus 32\u202f767 attendus (limite d'Excel). " +
          "Un guillemet ouvert et jamais refermé peut aussi lire toute la suite du fichier comme une seule cellule.",
      );
      // a quote left open swallows the rest of the file: said at its line
      const ouvert = `Nom;Prénom\nDupont;"Jean\n${"Martin;Paul\n".repeat(4000)}`;
      expect(((await upload(new TextEncoder().encode(ouvert), "ouvert.csv")) as Error).message).toMatch(/^Ligne 2, colonne B : la cellule dépasse 32\u202f767 caractères/);
      expect(await televersements()).toBe(before);
    });

    it("a normal file is still read and stored", async () => {
      const before = await televersements();
      const bytes = sheetNamed(
        "Apprenants",
        `${headerRow}<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="inlineStr"><is><t>28/03/2006</t></is></c></row>`,
        ["Nom", "Prénom", "Date de naissance", "Dupont", "Jean"],
      );
      expect(await upload(bytes, "normal.xlsx")).toBeNull();
      expect(await televersements()).toBe(before + 1);
      const csv = `Nom;Prénom;Date de naissance\nDupont;Jean;28/03/2006\n`;
      expect(await upload(new TextEncoder().encode(csv), "normal.csv")).toBeNull();
      expect(await televersements()).toBe(before + 2);
    });
  });

  it("a part inflating beyond the cap (zip bomb) is refused", () => {
    const bomb = `<sst>${" ".repeat(MAX_XLSX_PART_BYTES + 1024)}</sst>`;
    const error = readError(sheetXlsx(header, [{ name: "xl/sharedStrings.xml", data: bomb }]));
    expect((error as Error).message).toMatch(/^Fichier trop volumineux : classeur XLSX trop volumineux une fois décompressé \(xl\/sharedStrings\.xml dépasse 50 Mo\)/);
  });
});

describe("date columns: no Excel serial out of a CSV", () => {
  it("a year in a CSV date column is refused by the schema, not read as 1905-07-16", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
      "Serial;Annee;2006;01/06/2024;02/09/2024;30/06/2025",
      "Serial;Nombre;38804;01/06/2024;02/09/2024;30/06/2025",
    ].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "annee.csv");
    expect(preview).toMatchObject({ nbRows: 2, nbValid: 0, nbErrors: 2 });
    expect(preview.rows[0].cells[2].errors).toEqual(["Date de naissance : « 2006 » n'est pas une date lisible : date attendue au format JJ/MM/AAAA (ex. 02/09/2024)"]);
    expect(preview.rows[1].cells[2].errors[0]).toMatch(/^Date de naissance : « 38804 » n'est pas une date lisible/);
  });

  it("an XLSX numeric cell is still read as a date from 1910 on, a year is not", async () => {
    const bytes = writeXlsx([
      {
        name: "Effectifs",
        rows: [
          ["Nom", "Prénom", "Date de naissance", "Date d'inscription", "Date d'entrée en formation", "Date de fin de formation"],
          ["Serialx", "Date", serial("2006-03-28"), serial("2024-06-01"), serial("2024-09-02"), serial("2025-06-30")],
          ["Serialx", "Annee", 2006, serial("2024-06-01"), serial("2024-09-02"), serial("2025-06-30")],
        ],
      },
    ]);
    const { preview } = await uploadAndPreview(new Uint8Array(bytes), "serials.xlsx");
    expect(preview).toMatchObject({ nbRows: 2, nbValid: 1, nbErrors: 1 });
    expect(preview.rows[0].cells[2].errors[0]).toMatch(/^Date de naissance : « 2006 » n'est pas une date lisible/);
    expect(preview.rows[1].id).toBe("serialx-date-2006-03-28");
  });
});

describe("dates in the preview: the day the import stores (QA)", () => {
  /** An XLSX whose date cells are plain numbers (no date format): 39214 is 12/05/2007 for Excel and for the import. */
  const classeur = () =>
    new Uint8Array(
      writeXlsx([
        {
          name: "Effectifs",
          rows: [
            ["Nom", "Prénom", "Date de naissance", "Date d'inscription", "Date d'entrée en formation", "Date de fin de formation", "Date de début de contrat"],
            ["Apercudate", "Serie", 39214, "01/06/2024", "2/9/2024", "20250630", serial("2024-09-02")],
          ],
        },
      ]),
    );

  it("shows an Excel serial number as its date JJ/MM/AAAA, with the cell as typed, as the import stores it", async () => {
    const { preview, upload, mapping } = await uploadAndPreview(classeur(), "dates-nombres.xlsx");
    expect(preview).toMatchObject({ nbRows: 1, nbValid: 1 });
    const cells = preview.rows[0].cells;
    expect(cells[2]).toEqual({ value: "12/05/2007", asTyped: "39214", errors: [] });
    // a day typed JJ/MM/AAAA reads as stored, one digit included; AAAAMMJJ is shown with its conversion
    expect(cells[3]).toEqual({ value: "01/06/2024", errors: [] });
    expect(cells[4]).toEqual({ value: "02/09/2024", errors: [] });
    expect(cells[5]).toEqual({ value: "30/06/2025", asTyped: "20250630", errors: [] });
    expect(cells[6]).toEqual({ value: "02/09/2024", asTyped: String(serial("2024-09-02")), errors: [] });
    // the names are not dates
    expect(cells[0]).toEqual({ value: "Apercudate", errors: [] });
    await importUpload(t.database, upload, mapping, "2024-2025");
    const [e] = await t.database.rows<{ ddn: string; fin: string }>(sql`
      select date_de_naissance::text ddn, date_fin_formation::text fin from effectifs where id_erp_apprenant = 'apercudate-serie-2007-05-12'`);
    expect(e).toEqual({ ddn: "2007-05-12", fin: "2025-06-30" });
  });

  it("a date in error is shown as typed, its error quoting it; a column not mapped to a date is shown as it is", async () => {
    const csv = ["Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation;Remarque", "Apercu;Faux;31/02/2007;01/06/2024;02/09/2024;30/06/2025;39214"].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "dates-erreur.csv");
    const cells = preview.rows[0].cells;
    expect(cells[2].value).toBe("31/02/2007");
    expect(cells[2].asTyped).toBeUndefined();
    expect(cells[2].errors[0]).toMatch(/« 31\/02\/2007 » n'existe pas/);
    expect(cells[6]).toEqual({ value: "39214", errors: [] });
  });

  it("over HTTP, the preview shows 12/05/2007 and says the file held 39214", async () => {
    const app = await serveApp(t.database);
    try {
      const cookie = await signedIn("cfa-dates@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      const html = await (await fetch(`${app.baseUrl}/televersement`, { headers: { Cookie: cookie } })).text();
      const form = new FormData();
      form.set("csrf", /name="csrf" value="([^"]+)"/.exec(html)![1]);
      form.set("intent", "televerser");
      form.set("organisme", String(cfa.id));
      form.set("fichier", new File([classeur()], "dates-nombres.xlsx", { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }));
      const res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: form, headers: { Cookie: cookie }, redirect: "manual" });
      const page = await (await fetch(`${app.baseUrl}${res.headers.get("location")}`, { headers: { Cookie: cookie } })).text();
      const cellule = /<td[^>]*data-colonne="2"[^>]*>([\s\S]*?)<\/td>/.exec(page)?.[1] ?? "";
      // the day stored, then the cell as typed (React's text separators removed)
      expect(cellule.replace(/<!-- -->/g, "")).toMatch(/^12\/05\/2007<span[^>]*data-role="saisie"[^>]*>« 39214 » dans le fichier<\/span>$/);
      expect(page).toContain("Les dates sont affichées comme elles seront enregistrées (JJ/MM/AAAA).");
    } finally {
      await app.close();
    }
  });
});

describe("the organisme's UAI and SIRET only as a pair, as the page says", () => {
  const base = "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation";
  const cells = "A;B;01/01/2006;01/06/2024;02/09/2024;30/06/2025";

  it("a UAI column without a SIRET column: the SIRET is the only organisme's of that UAI in the référentiel, as the page says (QA)", async () => {
    const csv = [`${base};UAI`, `${cells};${cfa.uai}`, `${cells.replace("A;B", "C;D")};${cfa.uai.toLowerCase()}`].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "uai.csv");
    const notes = mappingNotes(upload, mapping, "2024-2025");
    expect(notes.missingRequired).toEqual([]);
    expect(notes.notes.join(" ")).toMatch(/Pas de colonne pour l'établissement responsable/);
    expect(notes.notes).toContain(
      "Pas de colonne pour le SIRET de l'établissement formateur : pour chaque ligne, c'est celui de l'organisme du référentiel qui a l'UAI de " +
        "la ligne ; une ligne dont l'UAI n'est celui d'aucun organisme, ou de plusieurs, est refusée.",
    );
    expect(preview).toMatchObject({ nbRows: 2, nbValid: 2, nbErrors: 0 });
    await importUpload(t.database, upload, mapping, "2024-2025");
    const stored = await t.database.rows<{ f: number }>(sql`select organisme_formateur_id f from effectifs where nom in ('A', 'C') and prenom in ('B', 'D')`);
    expect(stored).toEqual([{ f: cfa.id }, { f: cfa.id }]);
  });

  it("a UAI of several organismes, or of none: the row is refused, naming the organismes found", async () => {
    const partage = await insertOrganisme(t.database, 41);
    const second = await t.database.rows<{ siret: string }>(
      sql`insert into organismes (siret, uai, nature, raison_sociale) values (${siretOf(42)}, ${partage.uai}, 'formateur', 'Site annexe') returning siret`,
    );
    const csv = [`${base};UAI`, `${cells};${partage.uai}`, `${cells.replace("A;B", "E;F")};${uaiOf(9998)}`].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "uai-partage.csv");
    expect(preview).toMatchObject({ nbRows: 2, nbValid: 0 });
    const [plusieurs, aucun] = preview.rows.map((r) => r.cells[6].errors.join(" "));
    expect(plusieurs).toBe(
      `UAI : SIRET du formateur absent, et l'UAI « ${partage.uai} » est celui de 2 organismes du référentiel ` +
        `(${partage.raison_sociale} : SIRET ${partage.siret} ; Site annexe : SIRET ${second[0].siret}) : donnez le SIRET dans une colonne « SIRET du formateur »`,
    );
    expect(aucun).toMatch(new RegExp(`^UAI : SIRET du formateur absent, et aucun organisme du référentiel des organismes n'a l'UAI « ${uaiOf(9998)} »`));
  });

  it("a SIRET responsable column without its UAI: likewise", async () => {
    const csv = [`${base};SIRET responsable`, `${cells};${cfa.siret}`].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "siret.csv");
    expect(mappingNotes(upload, mapping, "2024-2025").missingRequired.map((f) => f.field)).toEqual(["etablissement_responsable_uai"]);
    expect(preview.nbValid).toBe(0);
    expect(preview.rows[0].otherErrors.join(" ")).toMatch(/UAI du responsable : champ obligatoire/);
  });

  it("both columns missing: the organisme is the établissement, as the page says", async () => {
    const csv = [base, cells].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "rien.csv");
    const notes = mappingNotes(upload, mapping, "2024-2025");
    expect(notes.missingRequired).toEqual([]);
    expect(notes.notes.filter((n) => n.startsWith("Pas de colonne pour l'établissement"))).toHaveLength(2);
    expect(preview.nbValid).toBe(1);
  });
});

describe("a formateur's file without a responsable column", () => {
  const csv = [
    "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation",
    "Relie;Formateur;01/01/2006;01/06/2024;02/09/2024;30/06/2025",
  ].join("\n");

  it("the responsable is the formateur's only responsable in the référentiel, and the page says so", async () => {
    const formateur = await insertOrganisme(t.database, 31, "formateur");
    const responsable = await insertOrganisme(t.database, 32, "responsable");
    await relate(t.database, formateur, responsable);
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "formateur.csv", formateur);
    expect(upload.responsable).toEqual(responsable);
    const notes = mappingNotes(upload, mapping, "2024-2025").notes.filter((n) => n.startsWith("Pas de colonne pour l'établissement"));
    expect(notes).toEqual([
      `Pas de colonne pour l'établissement formateur : c'est ${formateur.raison_sociale} (UAI ${formateur.uai}, SIRET ${formateur.siret}).`,
      `Pas de colonne pour l'établissement responsable : c'est ${responsable.raison_sociale} (UAI ${responsable.uai}, SIRET ${responsable.siret}), ` +
        `le responsable de ${formateur.raison_sociale} au référentiel des organismes.`,
    ]);
    expect(preview.nbValid).toBe(1);
    await importUpload(t.database, upload, mapping, "2024-2025");
    const [e] = await t.database.rows<{ f: number; r: number }>(
      sql`select organisme_formateur_id f, organisme_responsable_id r from effectifs where nom = 'Relie'`,
    );
    expect(e).toEqual({ f: formateur.id, r: responsable.id });
  });

  it("with several responsables (or none), the organisme stands for the responsable, as before", async () => {
    const formateur = await insertOrganisme(t.database, 33, "formateur");
    await relate(t.database, formateur, await insertOrganisme(t.database, 34, "responsable"));
    await relate(t.database, formateur, await insertOrganisme(t.database, 35, "responsable"));
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv), "deux.csv", formateur);
    expect(upload.responsable).toBeNull();
    expect(mappingNotes(upload, mapping, "2024-2025").notes).toContain(
      `Pas de colonne pour l'établissement responsable : c'est ${formateur.raison_sociale} (UAI ${formateur.uai}, SIRET ${formateur.siret}).`,
    );
  });
});

describe("what the page says above the mapping", () => {
  it("no column recognised: it says so and asks to associate them; else how many were", async () => {
    const csv = ["Colonne A;Colonne B;Truc", "1;2;3"].join("\n");
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv), "inconnu.csv");
    expect(mapping).toEqual([null, null, null]);
    const intro = introCorrespondance(mapping, true);
    expect(intro.reconnues).toBe(0);
    expect(intro.texte).toMatch(/^Aucune colonne du fichier n'a été reconnue : associez chacune au champ qu'elle contient/);
    expect(intro.texte).not.toMatch(/automatiquement/);
    expect(introCorrespondance(mappingFrom(new URLSearchParams("col_0=&col_1=&col_2="), upload.headers).mapping, false).texte).toMatch(
      /^Aucune colonne n'est associée à un champ/,
    );
    expect(introCorrespondance(["nom_apprenant", null, "prenom_apprenant"], true).texte).toMatch(
      /^2 colonnes ont été associées automatiquement aux champs attendus, sur 3\./,
    );
  });
});

describe("template", () => {
  it("its example row is written as people write it: dates JJ/MM/AAAA, a sexe that fits the prénom; it converts without error", async () => {
    const { templateCsv } = await import("../../app/ingestion/template.server");
    const csv = parseCsv(templateCsv());
    const [row] = csv.records.map((r) => r.fields);
    const cell = (label: string) => row[csv.header.indexOf(label)];
    expect(cell("Prénom")).toBe("Gaston");
    expect(cell("Sexe")).toBe("M");
    expect(cell("Date de naissance")).toBe("28/03/2006");
    expect(cell("Date d'entrée en formation")).toBe("02/09/2024");
    const mapping = autoMap(csv.header, UPLOAD_FIELDS);
    const dates = mapping.flatMap((f, i) => (f && /date/.test(f) && row[i] ? [row[i]] : []));
    expect(dates.length).toBeGreaterThan(4);
    for (const d of dates) expect(d).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    const { item, errors } = convertRow(row, mapping, {}, { headers: csv.header });
    expect(errors).toEqual([]);
    expect(validateDossier(item)).toMatchObject({ ok: true });
  });

  it("the CSV and XLSX templates map back to every field and their example row is valid", async () => {
    const { templateCsv, templateXlsx } = await import("../../app/ingestion/template.server");
    const csv = parseCsv(templateCsv());
    expect(csv.delimiter).toBe(";");
    expect(autoMap(csv.header, UPLOAD_FIELDS).every((f) => f !== null)).toBe(true);
    expect(new Set(autoMap(csv.header, UPLOAD_FIELDS)).size).toBe(UPLOAD_FIELDS.length);
    const sheets = readXlsx(new Uint8Array(templateXlsx()));
    expect(sheets.map((s) => s.name)).toEqual(["Effectifs", "Aide"]);
    expect(sheets[0].rows[0]).toEqual(csv.header);
    expect(sheets[1].rows.length).toBe(UPLOAD_FIELDS.length + 1);
  });

  it("the XLSX template's example dates are real dates, read back JJ/MM/AAAA like the CSV's, and the row converts without error", async () => {
    const { templateCsv, templateXlsx } = await import("../../app/ingestion/template.server");
    const csv = parseCsv(templateCsv());
    const bytes = new Uint8Array(templateXlsx());
    const [effectifs] = readXlsx(bytes);
    const row = effectifs.rows[1];
    expect(row).toEqual(csv.records[0].fields.slice(0, row.length));
    const colonne = (label: string) => lettreColonne(effectifs.rows[0].indexOf(label));
    const cellules = cellulesBrutes(bytes);
    expect(cellules.get(`${colonne("Date de naissance")}2`)).toEqual({ type: "date", valeur: "38804", format: "dd/mm/yyyy" });
    expect(cellules.get(`${colonne("Date d'entrée en formation")}2`)).toMatchObject({ type: "date", format: "dd/mm/yyyy" });
    // codes stay texts (a SIRET never becomes 1,3E+13)
    const siret = UPLOAD_FIELDS.find((f) => f.field === "etablissement_formateur_siret")!.label;
    expect(cellules.get(`${colonne(siret)}2`)).toMatchObject({ type: "texte", valeur: row[effectifs.rows[0].indexOf(siret)] });
    const mapping = autoMap(effectifs.rows[0], UPLOAD_FIELDS);
    const { item, errors } = convertRow(row, mapping, {}, { excelSerials: true, headers: effectifs.rows[0] });
    expect(errors).toEqual([]);
    expect(item).toMatchObject({ date_de_naissance_apprenant: "2006-03-28" });
    expect(validateDossier(item)).toMatchObject({ ok: true });
  });
});

describe("the template filled in as a CFA does: établissement and id cells left empty (QA)", () => {
  /** The template's header, the example row replaced by learners: the 4 établissement cells empty, one id empty. */
  async function rempli(lignes: Record<string, string>[]) {
    const { templateCsv } = await import("../../app/ingestion/template.server");
    const csv = parseCsv(templateCsv());
    const exemple = csv.records[0].fields;
    const rows = lignes.map((l) =>
      csv.header.map((h, i) => (h in l ? l[h] : /UAI|SIRET du (formateur|responsable)|Identifiant ERP/.test(h) ? "" : (exemple[i] ?? ""))),
    );
    return "\uFEFF" + [csv.header, ...rows].map((r) => r.join(";")).join("\r\n");
  }

  it("every row is accepted: the organisme chosen for the établissements, the id formed when empty; the page says so", async () => {
    const uaiLabel = UPLOAD_FIELDS.find((f) => f.field === "etablissement_formateur_uai")!.label;
    const idLabel = UPLOAD_FIELDS.find((f) => f.field === "id_erp_apprenant")!.label;
    const csv = await rempli([
      { Nom: "Modele", Prénom: "Anne", [idLabel]: "M-1" },
      { Nom: "Modele", Prénom: "Bruno" },
    ]);
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "modele-rempli.csv");
    expect(mapping).toContain("etablissement_formateur_uai");
    expect(preview.rows.flatMap((r) => [...r.otherErrors, ...r.cells.flatMap((c) => c.errors)])).toEqual([]);
    expect(preview).toMatchObject({ nbRows: 2, nbValid: 2 });
    expect(preview.rows.map((r) => r.id)).toEqual(["M-1", expect.stringMatching(/^modele-bruno-/)]);
    const notes = mappingNotes(upload, mapping, "2024-2025").notes.join("\n");
    expect(notes).toContain(`Une ligne a la cellule « ${idLabel} » vide : l'identifiant de cet apprenant est formé de son nom, son prénom et sa date de naissance`);
    expect(notes).toContain(`2 lignes ont ni UAI ni SIRET de l'établissement formateur : pour elles, c'est ${cfa.raison_sociale} (UAI ${cfa.uai}, SIRET ${cfa.siret})`);
    expect(notes).toMatch(/2 lignes ont ni UAI ni SIRET de l'établissement responsable/);
    expect(uaiLabel).toBeTruthy();
    await importUpload(t.database, upload, mapping, "2024-2025");
    const stored = await t.database.rows<{ id_erp_apprenant: string; f: number }>(
      sql`select id_erp_apprenant, organisme_formateur_id f from effectifs where nom = 'Modele' order by prenom`,
    );
    expect(stored).toEqual([
      { id_erp_apprenant: "M-1", f: cfa.id },
      { id_erp_apprenant: expect.stringMatching(/^modele-bruno-/), f: cfa.id },
    ]);
  });

  it("the help sheet says which required columns a file may leave empty", async () => {
    const { templateXlsx } = await import("../../app/ingestion/template.server");
    const aide = readXlsx(new Uint8Array(templateXlsx()))[1].rows;
    const ligne = (field: string) => aide.find((r) => r[1] === field)!;
    expect(ligne("etablissement_formateur_uai")[2]).toBe("oui (peut rester vide dans un fichier déposé)");
    expect(ligne("etablissement_formateur_uai")[3]).toMatch(/^Peut rester vide dans un fichier déposé, avec le SIRET du formateur : l'organisme choisi/);
    expect(ligne("id_erp_apprenant")[3]).toMatch(/^Peut rester vide dans un fichier déposé : l'identifiant est alors formé du nom, du prénom et de la date de naissance/);
    expect(ligne("nom_apprenant")[2]).toBe("oui");
  });

  it("an unknown établissement of a file: check the file, not the ERP", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation;UAI formateur;SIRET formateur",
      `Inconnu;Eve;01/01/2006;01/06/2024;02/09/2024;30/06/2025;${cfa.uai};${siretOf(9999)}`,
    ].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "inconnu-ref.csv");
    const message = preview.rows[0].cells[6].errors[0];
    expect(message).toMatch(/établissement formateur inconnu du référentiel/);
    expect(message).toContain("Vérifiez l'UAI et le SIRET saisis dans votre fichier");
    expect(message).not.toMatch(/ERP/);
  });
});

describe("the page over HTTP", () => {
  it("sends visitors to the login page and other organisations away", async () => {
    const app = await serveApp(t.database);
    try {
      let res = await fetch(`${app.baseUrl}/televersement`, { redirect: "manual" });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/connexion\?redirectTo=%2Ftelevers/);
      const cookie = await signedIn("ddets-upload@test.fr", { type: "OPERATEUR_PUBLIC_NATIONAL" });
      res = await fetch(`${app.baseUrl}/televersement`, { headers: { Cookie: cookie } });
      expect(res.status).toBe(403);
    } finally {
      await app.close();
    }
  });

  it("?organisme= preselects an organisme the viewer may upload for, and only such one", async () => {
    const app = await serveApp(t.database);
    try {
      const admin = await signedIn("admin-upload@test.fr", { type: "ADMINISTRATEUR" });
      let html = await (await fetch(`${app.baseUrl}/televersement?organisme=${autre.id}`, { headers: { Cookie: admin } })).text();
      expect(html).toContain("Pour Excel, préférez le format XLSX");
      expect(html).toMatch(new RegExp(`id="organisme" name="organisme" required="" autoComplete="off" value="${autre.siret} ${autre.uai}"`));
      html = await (await fetch(`${app.baseUrl}/televersement?organisme=abc`, { headers: { Cookie: admin } })).text();
      expect(html).toMatch(/id="organisme" name="organisme" required="" autoComplete="off"\/>/);
      // a CFA: its own organisme is selected; another one's id is ignored
      const cookie = await signedIn("cfa-upload-lien@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      html = await (await fetch(`${app.baseUrl}/televersement?organisme=${cfa.id}`, { headers: { Cookie: cookie } })).text();
      expect(html).toContain(`<option value="${cfa.id}" selected="">`);
      html = await (await fetch(`${app.baseUrl}/televersement?organisme=${autre.id}`, { headers: { Cookie: cookie } })).text();
      expect(html).not.toContain(String(autre.siret));
      expect(html).toContain(`<option value="${cfa.id}" selected="">`);
    } finally {
      await app.close();
    }
  });

  it("a file announced over 10 Mo: the page says so on the file field, answered before the body is sent", async () => {
    const app = await serveApp(t.database);
    try {
      const cookie = await signedIn("cfa-trop-gros@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      const html = await (await fetch(`${app.baseUrl}/televersement`, { headers: { Cookie: cookie } })).text();
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1];
      const boundary = "----limite";
      const debut = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="intent"\r\n\r\nteleverser\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="enorme.csv"\r\nContent-Type: text/csv\r\n\r\nNom;Prénom\n`,
      );
      // no answer while the body is not all sent would mean the server waits for the 50 Mo (it must not)
      const answer = await postSansFin(
        new URL("/televersement", app.baseUrl),
        { cookie, "content-type": `multipart/form-data; boundary=${boundary}` },
        debut,
        50 * 1024 * 1024,
      );
      expect(answer.body).toMatch(/<p class="fr-error-text" id="fichier-erreur">Le fichier dépasse 10 Mo, la taille maximale acceptée/);
      expect(answer.status).toBe(200);
      expect(answer.sent).toBeLessThan(1024 * 1024);
    } finally {
      await app.close();
    }
  }, 60_000);

  it("a CFA uploads, previews and imports a CSV for its organisme only; the templates download", async () => {
    const app = await serveApp(t.database);
    try {
      const cookie = await signedIn("cfa-upload@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      let res = await fetch(`${app.baseUrl}/televersement`, { headers: { Cookie: cookie } });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("Téléverser des effectifs");
      expect(html).toContain(`<option value="${cfa.id}"`);
      expect(html).not.toContain(`<option value="${autre.id}"`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
      expect(csrf).toBeTruthy();

      const csv =
        "\uFEFFNom;Prénom;Date de naissance;Année scolaire;Date d'inscription;Date d'entrée en formation;Date de fin de formation;Date de début de contrat\n" +
        "Http;Test;01/02/2006;2024-2025;01/06/2024;02/09/2024;30/06/2026;02/09/2024\n" +
        "Http;Erreur;01/02/2006;2024-2025;01/06/2024;02/09/2024;30/06/2026;32/09/2024\n";
      const uploadForm = (organisme: string) => {
        const form = new FormData();
        form.set("csrf", csrf!);
        form.set("intent", "televerser");
        form.set("organisme", organisme);
        form.set("erp", "Excel");
        form.set("fichier", new File([csv], "http.csv", { type: "text/csv" }));
        return form;
      };
      // an empty file, or no file chosen
      const emptyForm = uploadForm(String(cfa.id));
      emptyForm.set("fichier", new File([], "vide.csv", { type: "text/csv" }));
      res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: emptyForm, headers: { Cookie: cookie } });
      let text = await res.text();
      expect(text).toContain("Le fichier « vide.csv » est vide");
      expect(text).not.toContain("Choisissez un fichier CSV ou XLSX.");
      emptyForm.set("fichier", new File([], "", { type: "application/octet-stream" }));
      res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: emptyForm, headers: { Cookie: cookie } });
      text = await res.text();
      expect(text).toContain("Choisissez un fichier CSV ou XLSX.");
      // the refusal is tied to the file field (marked invalid, its message read with it), not to the organisme
      const champ = (html: string, id: string) => new RegExp(`<(?:input|select)[^>]*id="${id}"[^>]*>`).exec(html)?.[0] ?? "";
      expect(champ(text, "fichier")).toMatch(/aria-invalid="true"/);
      expect(champ(text, "fichier")).toMatch(/aria-describedby="fichier-erreur"/);
      expect(text).toMatch(/<p class="fr-error-text" id="fichier-erreur">Choisissez un fichier CSV ou XLSX.<\/p>/);
      expect(text).toContain("fr-upload-group--error");
      expect(champ(text, "organisme")).not.toMatch(/aria-invalid/);
      // another organisme than its own: refused, and the organisme field says so
      res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: uploadForm(`${autre.siret} ${autre.uai}`), headers: { Cookie: cookie } });
      text = await res.text();
      expect(text).toContain("parmi ceux de votre organisation");
      expect(champ(text, "organisme")).toMatch(/aria-invalid="true"/);
      expect(text).toMatch(/<p class="fr-error-text" id="organisme-erreur">Aucun organisme de SIRET/);
      expect(champ(text, "fichier")).not.toMatch(/aria-invalid/);
      // an unreadable file: the file field
      const illisible = uploadForm(String(cfa.id));
      illisible.set("fichier", new File([new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])], "ancien.xls"));
      res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: illisible, headers: { Cookie: cookie } });
      text = await res.text();
      expect(text).toContain("Excel 97-2003");
      expect(champ(text, "fichier")).toMatch(/aria-invalid="true"/);

      res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: uploadForm(String(cfa.id)), headers: { Cookie: cookie }, redirect: "manual" });
      expect([302, 303]).toContain(res.status);
      const location = res.headers.get("location")!;
      expect(location).toMatch(/^\/televersement\?id=/);
      const id = new URL(location, app.baseUrl).searchParams.get("id")!;

      res = await fetch(`${app.baseUrl}${location}`, { headers: { Cookie: cookie } });
      const preview = await res.text();
      expect(res.status).toBe(200);
      expect(preview).toContain("Correspondance des colonnes");
      expect(preview).toMatch(/data-ligne="3" data-etat="erreur"/);
      expect(preview).toMatch(/data-ligne="2" data-etat="ok"/);
      expect(preview).toContain("Date de début de contrat : « 32/09/2024 » n&#x27;existe pas : date attendue au format JJ/MM/AAAA (ex. 30/09/2024)");
      expect(preview).toMatch(/cellule-erreur/);
      // nothing stored before the import
      const count = async () => (await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs where nom = 'Http'`))[0].n;
      expect(await count()).toBe(0);

      // an adjusted mapping (GET): the date column ignored → every row misses its contract date, none in error for it
      const adjusted = new URLSearchParams({ id });
      for (let i = 0; i < 8; i++) adjusted.set(`col_${i}`, "");
      res = await fetch(`${app.baseUrl}/televersement?${adjusted}`, { headers: { Cookie: cookie } });
      const sansColonne = await res.text();
      expect(sansColonne).toContain("Champs obligatoires sans colonne");
      expect(sansColonne).toContain("Aucune colonne n&#x27;est associée à un champ");
      expect(sansColonne).not.toContain("associées automatiquement");

      // without the CSRF token: refused
      res = await fetch(`${app.baseUrl}/televersement`, {
        method: "POST",
        body: new URLSearchParams({ intent: "importer", id }),
        headers: { Cookie: cookie },
      });
      expect(await res.text()).toMatch(/expiré ou ne provient pas de ce site/);
      expect(await count()).toBe(0);

      const mappingInputs = [...preview.matchAll(/<input type="hidden" name="(col_\d+)" value="([^"]*)"/g)];
      expect(mappingInputs.length).toBe(8);
      const body = new URLSearchParams({ csrf: csrf!, intent: "importer", id, annee_scolaire: "2024-2025" });
      for (const [, name, value] of mappingInputs) body.set(name, value);
      res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body, headers: { Cookie: cookie }, redirect: "manual" });
      expect([302, 303]).toContain(res.status);
      res = await fetch(`${app.baseUrl}/televersement?id=${id}`, { headers: { Cookie: cookie } });
      const result = await res.text();
      expect(result).toContain("Import terminé");
      expect(result).toMatch(/1 ligne enregistrée : 1 nouvel apprenant, 0 mis à jour, 0 inchangé ; 1 ligne refusée/);
      expect(await count()).toBe(1);
      // the preview (2 learners) and the refused row were named lists: both views are in the audit log
      const journal = await t.database.rows<{ row_count: number; filters: Record<string, unknown> }>(
        sql`select l.row_count, l.filters from named_list_access_log l join users u on u.id = l.user_id
            where u.email = 'cfa-upload@test.fr' and l.filters->>'televersement' = ${id} order by l.id`,
      );
      expect(journal.map((j) => [j.filters.page, j.row_count])).toContainEqual(["televersement-apercu", 2]);
      expect(journal.at(-1)).toEqual({ row_count: 1, filters: { organisme: cfa.id, page: "televersement-resultat", televersement: id } });

      // another CFA cannot open this upload
      const other = await signedIn("autre-upload@test.fr", { type: "ORGANISME_FORMATION", siret: autre.siret, uai: autre.uai });
      res = await fetch(`${app.baseUrl}/televersement?id=${id}`, { headers: { Cookie: other } });
      expect(res.status).toBe(404);

      res = await fetch(`${app.baseUrl}/televersement/modele.csv`);
      expect(res.headers.get("content-type")).toMatch(/text\/csv/);
      const template = Buffer.from(await res.arrayBuffer());
      expect([...template.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(template.subarray(3).toString("utf8").startsWith("Nom;Prénom;")).toBe(true);
      res = await fetch(`${app.baseUrl}/televersement/modele.xlsx`);
      expect(res.headers.get("content-type")).toMatch(/spreadsheetml/);
      expect(readXlsx(new Uint8Array(await res.arrayBuffer()))[0].rows[0][0]).toBe("Nom");
    } finally {
      await app.close();
    }
  });
});

/**
 * A workbook written by hand, as spreadsheets save them: sheets hidden or not, a merged title, formulas, date cells
 * (format 14). Cells: a text (inline string), a number, `{ date: serial }`, `{ formule: "…" }` (saved without value).
 */
type CelluleClasseur = string | number | { date: number } | { formule: string };
function classeur(feuilles: { nom: string; masquee?: boolean; lignes: CelluleClasseur[][]; fusion?: string | string[] }[]): Uint8Array<ArrayBuffer> {
  const fusions = (f: { fusion?: string | string[] }) => (f.fusion === undefined ? [] : Array.isArray(f.fusion) ? f.fusion : [f.fusion]);
  const cellule = (c: CelluleClasseur, ref: string) =>
    typeof c === "number"
      ? `<c r="${ref}"><v>${c}</v></c>`
      : typeof c === "string"
        ? c === ""
          ? ""
          : `<c r="${ref}" t="inlineStr"><is><t>${c.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</t></is></c>`
        : "date" in c
          ? `<c r="${ref}" s="1"><v>${c.date}</v></c>`
          : `<c r="${ref}"><f>${c.formule}</f></c>`;
  return new Uint8Array(
    writeZip([
      {
        name: "xl/workbook.xml",
        data: `<workbook xmlns:r="r"><sheets>${feuilles
          .map((f, i) => `<sheet name="${f.nom}" sheetId="${i + 1}"${f.masquee ? ' state="hidden"' : ""} r:id="rId${i + 1}"/>`)
          .join("")}</sheets></workbook>`,
      },
      {
        name: "xl/_rels/workbook.xml.rels",
        data: `<Relationships>${feuilles.map((_, i) => `<Relationship Id="rId${i + 1}" Target="worksheets/sheet${i + 1}.xml"/>`).join("")}</Relationships>`,
      },
      { name: "xl/styles.xml", data: '<styleSheet><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>' },
      ...feuilles.map((f, i) => ({
        name: `xl/worksheets/sheet${i + 1}.xml`,
        data:
          `<worksheet><sheetData>${f.lignes
            .map((l, r) => `<row r="${r + 1}">${l.map((c, k) => cellule(c, `${lettreColonne(k)}${r + 1}`)).join("")}</row>`)
            .join("")}</sheetData>` +
          (fusions(f).length ? `<mergeCells count="${fusions(f).length}">${fusions(f).map((ref) => `<mergeCell ref="${ref}"/>`).join("")}</mergeCells>` : "") +
          "</worksheet>",
      })),
    ]),
  );
}

/** Columns of a complete row of the template: every required field. */
const COMPLET = ["Nom", "Prénom", "Date de naissance", "Date d'inscription", "Date d'entrée en formation", "Date de fin de formation"];
const complet = (nom: string, prenom: string) => [nom, prenom, "01/02/2006", "01/06/2024", "02/09/2024", "30/06/2026"];

describe("which sheet of a workbook is read, and the page says so", () => {
  it("the visible sheet whose header row is recognised, not a « Lisez-moi » nor a hidden « Paramètres » before it", async () => {
    const bytes = classeur([
      { nom: "Lisez-moi", lignes: [["Remplissez la feuille Effectifs, une ligne par apprenant."]] },
      { nom: "Paramètres", masquee: true, lignes: [["Statut"], ["0"], ["2"], ["3"]] },
      { nom: "Effectifs", lignes: [COMPLET, complet("Feuille", "Lue")] },
    ]);
    const { file, upload, mapping, preview } = await uploadAndPreview(bytes, "classeur.xlsx");
    expect(file.headers).toEqual(COMPLET);
    expect(file.lecture.feuille).toEqual({
      nom: "Effectifs",
      masquee: false,
      ignorees: [
        { nom: "Lisez-moi", masquee: false },
        { nom: "Paramètres", masquee: true },
      ],
    });
    expect(preview).toMatchObject({ nbRows: 1, nbValid: 1 });
    expect(mappingNotes(upload, mapping, "2024-2025").notes[0]).toBe(
      "Feuille lue : « Effectifs » ; feuilles ignorées : « Lisez-moi », « Paramètres » (masquée). Si les effectifs sont dans une autre " +
        "feuille, enregistrez-la seule dans un classeur (ou au format CSV) et déposez ce fichier.",
    );
  });

  it("over HTTP, the page says which sheet was read and which were ignored", async () => {
    const app = await serveApp(t.database);
    try {
      const cookie = await signedIn("cfa-feuilles@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      const html = await (await fetch(`${app.baseUrl}/televersement`, { headers: { Cookie: cookie } })).text();
      const form = new FormData();
      form.set("csrf", /name="csrf" value="([^"]+)"/.exec(html)![1]);
      form.set("intent", "televerser");
      form.set("organisme", String(cfa.id));
      const bytes = classeur([
        { nom: "Lisez-moi", lignes: [["Remplissez la feuille Effectifs."]] },
        { nom: "Paramètres", masquee: true, lignes: [["Sexe"], ["H"], ["F"]] },
        { nom: "Effectifs", lignes: [["Export des apprenants au 07/12/2026"], [], COMPLET, complet("Feuille", "Http")] },
      ]);
      form.set("fichier", new File([bytes], "feuilles.xlsx"));
      const res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: form, headers: { Cookie: cookie }, redirect: "manual" });
      const page = await (await fetch(`${app.baseUrl}${res.headers.get("location")}`, { headers: { Cookie: cookie } })).text();
      expect(page).toContain("<li>Feuille lue : « Effectifs » ; feuilles ignorées : « Lisez-moi », « Paramètres » (masquée).");
      expect(page).toContain("<li>Les noms des colonnes sont lus sur la ligne 3 du fichier : les 2 lignes au-dessus sont ignorées (titre, lignes vides…).</li>");
      expect(page).toMatch(/data-ligne="4" data-etat="ok"/);
    } finally {
      await app.close();
    }
  });

  it("a hidden sheet is read only when no visible sheet has a value, and the page says it is hidden", async () => {
    const bytes = classeur([
      { nom: "Vide", lignes: [] },
      { nom: "Données", masquee: true, lignes: [COMPLET, complet("Feuille", "Masquée")] },
    ]);
    const { file, upload, mapping } = await uploadAndPreview(bytes, "masquee.xlsx");
    expect(file.rows.map((r) => r[2])).toEqual(["Masquée"]);
    expect(mappingNotes(upload, mapping, "2024-2025").notes[0]).toMatch(
      /^Feuille lue : « Données » \(masquée\), masquée dans le classeur : aucune feuille visible ne contient de valeur\./,
    );
    // a workbook of one sheet: nothing to say
    const seule = await uploadAndPreview(classeur([{ nom: "Effectifs", lignes: [COMPLET, complet("Feuille", "Seule")] }]), "seule.xlsx");
    expect(seule.file.lecture).toEqual({ ligneEntete: 1, colonnesSansNom: [] });
    expect(mappingNotes(seule.upload, seule.mapping, "2024-2025").notes.join(" ")).not.toMatch(/Feuille lue/);
  });
});

describe("the header row: under a title, or none at all", () => {
  it("a file without a header row keeps its first learner: columns « Colonne N », mapped by hand, every row counted", async () => {
    const csv = ["Sansnom;Un;01/02/2006;01/06/2024;02/09/2024;30/06/2026", "Sansnom;Deux;02/02/2006;01/06/2024;02/09/2024;30/06/2026", "Sansnom;Trois;03/02/2006;01/06/2024;02/09/2024;30/06/2026"].join("\n");
    const { file, upload, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "sans-entete.csv");
    expect(file.headers).toEqual(["Colonne 1", "Colonne 2", "Colonne 3", "Colonne 4", "Colonne 5", "Colonne 6"]);
    expect(file.rows.map((r) => [r[0], r[2]])).toEqual([
      ["1", "Un"],
      ["2", "Deux"],
      ["3", "Trois"],
    ]);
    expect(file.lecture.ligneEntete).toBeNull();
    expect(preview.nbRows).toBe(3);
    const params = new URLSearchParams();
    ["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant", "date_inscription_formation", "date_entree_formation", "date_fin_formation"].forEach((f, i) =>
      params.set(`col_${i}`, f),
    );
    const { mapping } = mappingFrom(params, upload.headers);
    expect(mappingNotes(upload, mapping, "2024-2025").notes[0]).toMatch(
      /^La première ligne du fichier contient déjà des valeurs d'apprenant \(dates, UAI, SIRET…\), pas les noms des colonnes : elle est lue comme un apprenant, et les colonnes sont nommées « Colonne 1 », « Colonne 2 »…/,
    );
    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbItems: 3, nbAccepted: 3, nbRejected: 0 });
  });

  it("a title and a blank line above the header are skipped, and said", async () => {
    const csv = ["Export des apprenants au 07/12/2026", "", [...COMPLET, "Code diplôme"].join(";"), [...complet("Titre", "Csv"), "50022141"].join(";")].join("\r\n");
    const { file, upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "titre.csv");
    expect(file).toMatchObject({ delimiter: ";", headers: [...COMPLET, "Code diplôme"] });
    expect(file.rows).toEqual([["4", ...complet("Titre", "Csv"), "50022141"]]);
    expect(mapping.every(Boolean)).toBe(true);
    expect(preview).toMatchObject({ nbRows: 1, nbValid: 1 });
    expect(mappingNotes(upload, mapping, "2024-2025").notes).toContain(
      "Les noms des colonnes sont lus sur la ligne 3 du fichier : les 2 lignes au-dessus sont ignorées (titre, lignes vides…).",
    );
    // the title line has no separator: the delimiter is the header's, « , » here
    const virgules = ["Export des apprenants", COMPLET.join(","), complet("Titre", "Virgule").join(",")].join("\n");
    const v = readUploadedFile(new TextEncoder().encode(virgules), "virgules.csv");
    expect(v).toMatchObject({ delimiter: ",", headers: COMPLET });
  });

  it("an XLSX title merged over A1:R1: every column of the header row is kept, and a value past the last name too", async () => {
    const noms = [...COMPLET, "Code diplôme", "Sexe", "Téléphone", "Courriel", "Code postal", "Adresse", "INE", "RQTH", "Code RNCP", "Statut", "Date de début de contrat", "Date de fin de contrat", "SIRET employeur"];
    expect(noms).toHaveLength(19); // past R, the title's width
    const ligne = [...complet("Fusion", "Titre"), "50022141", "F", "0612345678", "a@b.fr", "75011", "1 rue A", "", "", "", "3", "02/09/2024", "30/06/2026", siretOf(31), "à voir"];
    const bytes = classeur([{ nom: "Apprenants", fusion: "A1:R1", lignes: [["Export des apprenants au 07/12/2026"], [], noms, ligne] }]);
    const { file, upload, mapping } = await uploadAndPreview(bytes, "fusion.xlsx");
    expect(file.headers).toEqual([...noms, "Colonne 20"]);
    expect(file.rows[0].slice(-2)).toEqual([siretOf(31), "à voir"]);
    expect(mapping.slice(0, 19).every(Boolean)).toBe(true);
    expect(mapping[19]).toBeNull();
    expect(file.lecture).toEqual({ ligneEntete: 3, colonnesSansNom: [20] });
    const notes = mappingNotes(upload, mapping, "2024-2025").notes;
    expect(notes).toContain("Les noms des colonnes sont lus sur la ligne 3 du fichier : les 2 lignes au-dessus sont ignorées (titre, lignes vides…).");
    expect(notes).toContain(
      "La colonne 20 a des valeurs mais pas de nom sur la ligne des noms de colonnes : elle est appelée « Colonne 20 », son rang dans le fichier. " +
        "Associez-la au champ qu'elle contient, sinon ses valeurs sont ignorées à l'import.",
    );
  });
});

describe("a field named by two columns: the mapping applied, and said", () => {
  const csv = [[...COMPLET, "Nom d'usage"].join(";"), [...complet("Naissance", "Usage"), "Dupuis"].join(";")].join("\n");

  it("automatic: the first column is kept, the page says which and why", async () => {
    const { upload } = await uploadAndPreview(new TextEncoder().encode(csv), "doublon.csv");
    const { mapping, automatic, doublons } = mappingFrom(new URLSearchParams(), upload.headers);
    expect(mapping[6]).toBeNull();
    expect(mappingNotes(upload, mapping, "2024-2025", { doublons, automatic }).notes).toContain(
      "Les colonnes « Nom » et « Nom d'usage » correspondent toutes au champ « Nom » : un champ ne reçoit qu'une colonne, la première, « Nom », " +
        "est retenue ; « Nom d'usage » est ignorée. Pour retenir l'autre, choisissez « — ignorer cette colonne — » pour « Nom » et associez le " +
        "champ à celle-ci, puis mettez à jour l'aperçu.",
    );
  });

  it("over HTTP, a mapping sent with a field twice: the selects and the import's fields show the mapping applied, with the note", async () => {
    const app = await serveApp(t.database);
    try {
      const { user } = await createUser(t.database, {
        email: "cfa-doublon@test.fr",
        password: "Mot-de-passe-de-test-42",
        organisation: { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai } as never,
      });
      const cookie = (await createSession(t.database, user.id, new Request("http://localhost/"))).split(";")[0];
      const { upload } = await uploadAndPreview(new TextEncoder().encode(csv), "doublon-http.csv");
      await t.database.rows(sql`update televersements set user_id = ${user.id} where id = ${upload.id}`);
      const params = new URLSearchParams({ id: upload.id });
      ["nom_apprenant", "prenom_apprenant", "", "date_inscription_formation", "date_entree_formation", "date_fin_formation", "nom_apprenant"].forEach((f, i) =>
        params.set(`col_${i}`, f),
      );
      const html = await (await fetch(`${app.baseUrl}/televersement?${params}`, { headers: { Cookie: cookie } })).text();
      const select = (i: number) => new RegExp(`<select[^>]*id="col_${i}"[^>]*>([\\s\\S]*?)</select>`).exec(html)![1];
      const selected = (i: number) => /<option value="([^"]*)" selected="">/.exec(select(i))?.[1];
      expect(selected(0)).toBe("nom_apprenant");
      expect(selected(2)).toBe("");
      expect(selected(6)).toBe("");
      expect(html).toContain('<input type="hidden" name="col_6" value=""/>');
      // each option's text in one piece: no <!-- --> between its parts, repeated in every column's select
      expect(select(0)).toContain('<option value="nom_apprenant" selected="">Nom * (nom_apprenant)</option>');
      expect(select(0)).not.toContain("<!-- -->");
      expect(html).toContain(
        "Les colonnes « Nom » et « Nom d&#x27;usage » étaient associées au même champ « Nom » : un champ ne reçoit qu&#x27;une colonne, la première, « Nom », est retenue",
      );
    } finally {
      await app.close();
    }
  });
});

describe("a NIR-shaped value outside a NIR column is never shown nor kept", () => {
  const NIR = "2 07 05 69 123 456 78";
  const NIR_CHIFFRES = /2070569123456|123 456 78/;
  const csv = [
    ["Identifiant", ...COMPLET].join(";"),
    ["A-001", ...complet("Masque", "Nir")].join(";"),
    [NIR, ...complet("Masque", "Deux")].join(";"),
    ["A-003", ...complet("Masque", "Trois")].join(";"),
  ].join("\n");

  it("masked on reading: not stored, shown « valeur en forme de NIR, masquée », an error of its cell", async () => {
    const { file, upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "nir-cellule.csv");
    expect(file.nirColumns).toEqual([]);
    expect(mapping[0]).toBe("id_erp_apprenant");
    expect(JSON.stringify(file)).not.toMatch(NIR_CHIFFRES);
    const [stored] = await t.database.rows<{ row: string }>(sql`select row_to_json(t)::text as row from televersements t where id = ${upload.id}`);
    expect(stored.row).toContain("A-003");
    expect(stored.row).not.toMatch(NIR_CHIFFRES);
    expect(JSON.stringify(preview)).not.toMatch(NIR_CHIFFRES);
    const ligne = preview.rows.find((r) => r.ligne === 3)!;
    expect(ligne.ok).toBe(false);
    expect(ligne.cells[0].value).toBe("valeur en forme de NIR, masquée");
    expect(ligne.cells[0].errors[0]).toMatch(/^Identifiant : valeur en forme de NIR \(numéro de sécurité sociale\), masquée et non conservée/);
    expect(preview).toMatchObject({ nbValid: 2, nbErrors: 1 });
    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbAccepted: 2, nbRejected: 1 });
    const [tr] = await t.database.rows<{ errors: string }>(sql`select errors::text from transmissions where id = ${result.transmissionId}`);
    expect(tr.errors).not.toMatch(NIR_CHIFFRES);
  });

  it("over HTTP, neither the example of the first row, nor the preview, nor the page's data carry it", async () => {
    const app = await serveApp(t.database);
    try {
      const cookie = await signedIn("cfa-nir-cellule@test.fr", { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai });
      const html = await (await fetch(`${app.baseUrl}/televersement`, { headers: { Cookie: cookie } })).text();
      const form = new FormData();
      form.set("csrf", /name="csrf" value="([^"]+)"/.exec(html)![1]);
      form.set("intent", "televerser");
      form.set("organisme", String(cfa.id));
      // the NIR on the first row: the example of the mapping's table (one id in three: the column stays the ids')
      const [entete, a1, nir, a3] = csv.split("\n");
      const premier = [entete, nir, a1, a3].join("\n");
      form.set("fichier", new File([premier], "nir-cellule-http.csv", { type: "text/csv" }));
      const res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: form, headers: { Cookie: cookie }, redirect: "manual" });
      const page = await (await fetch(`${app.baseUrl}${res.headers.get("location")}`, { headers: { Cookie: cookie } })).text();
      expect(page).toContain("Masque");
      expect(page).not.toMatch(NIR_CHIFFRES);
      expect(page).toMatch(/<td class="fr-text--sm">valeur en forme de NIR, masquée<\/td>/);
    } finally {
      await app.close();
    }
  });

  it("inside a text (a remark, an address), masked in it and the rest kept; an id's run of digits is left", async () => {
    const lignes = [
      ["Identifiant", ...COMPLET, "Remarque", "Adresse"].join(";"),
      ["A-101", ...complet("Remarque", "Un"), `sécu ${NIR} à vérifier`, "3 rue X"].join(";"),
      ["APP-2070569123456", ...complet("Remarque", "Deux"), "", `4 rue Y, NIR ${NIR}`].join(";"),
    ].join("\n");
    const { upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(lignes), "nir-texte.csv");
    const [stored] = await t.database.rows<{ row: string }>(sql`select row_to_json(t)::text as row from televersements t where id = ${upload.id}`);
    expect(stored.row).toContain("sécu [NIR masqué] à vérifier");
    expect(stored.row).toContain("4 rue Y, NIR [NIR masqué]");
    // the learner's id is an id: its 13-digit run is not masked (it may be a timestamp; masking would change the learner)
    expect(stored.row).toContain("APP-2070569123456");
    expect(stored.row).not.toMatch(/123 456 78/);
    expect(mapping[COMPLET.length + 2]).toBe("adresse_apprenant");
    expect(preview).toMatchObject({ nbValid: 2, nbErrors: 0 });
    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    expect(result).toMatchObject({ nbAccepted: 2, nbRejected: 0 });
    const adresses = await t.database.rows<{ adresse: string }>(sql`select adresse from effectifs where nom = 'Remarque' order by adresse`);
    expect(adresses.map((a) => a.adresse)).toEqual(["3 rue X", "4 rue Y, NIR [NIR masqué]"]);
  });
});

describe("a SIRET that lost its leading zero", () => {
  it("is no NIR in a column named SIRET: the column is kept, the zero given back, no « NIR fourni »", async () => {
    const csv = [
      [...COMPLET, "SIRET employeur", "Date de début de contrat"].join(";"),
      [...complet("Siret", "Zero"), "1234567800010", "02/09/2024"].join(";"),
      [...complet("Siret", "Deux"), "1234567800028", "02/09/2024"].join(";"),
    ].join("\n");
    const { file, upload, mapping, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "siret-zero.csv");
    expect(file.nirColumns).toEqual([]);
    expect(file.headers).toContain("SIRET employeur");
    expect(upload.rows.map((r) => r[0])).toEqual(["2", "3"]);
    expect(preview).toMatchObject({ nbValid: 2, nbErrors: 0 });
    await importUpload(t.database, upload, mapping, "2024-2025");
    const rows = await t.database.rows<{ prenom: string; nir_fourni: boolean; siret: string }>(sql`
      select e.prenom, e.nir_fourni, c.siret_employeur siret from effectifs e join contrats c on c.effectif_id = e.id
      where e.nom = 'Siret' order by e.prenom`);
    expect(rows).toEqual([
      { prenom: "Deux", nir_fourni: false, siret: "01234567800028" },
      { prenom: "Zero", nir_fourni: false, siret: "01234567800010" },
    ]);
  });
});

describe("Excel's 1900 leap-year bug in date cells", () => {
  it("serial 59 is 28/02/1900 as Excel shows it; serial 60, its fictitious 29/02/1900, is refused as such", async () => {
    const bytes = classeur([
      {
        nom: "Effectifs",
        lignes: [
          ["Nom", "Prénom", "Date de naissance", "Date de rupture"],
          ["Bissextile", "Un", { date: 60 }, { date: 59 }],
        ],
      },
    ]);
    const { file, preview } = await uploadAndPreview(bytes, "1900.xlsx");
    expect(file.rows[0].slice(3)).toEqual(["29/02/1900", "28/02/1900"]);
    expect(preview.rows[0].cells[2].errors[0]).toBe("Date de naissance : « 29/02/1900 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/1900)");
  });
});

describe("messages of the reading", () => {
  it("a formula saved without its value: said, with what to do", async () => {
    const bytes = classeur([{ nom: "Effectifs", lignes: [COMPLET, [...complet("Formule", "Sans").slice(0, 5), { formule: "E2+730" }]] }]);
    const { preview } = await uploadAndPreview(bytes, "formule.xlsx");
    const cell = preview.rows[0].cells[5];
    expect(cell.value).toBe("formule sans valeur calculée");
    expect(cell.errors).toEqual([
      "Date de fin de formation : formule sans valeur calculée : enregistrez le fichier dans Excel (ou LibreOffice) avant de le déposer, pour que le résultat de la formule y soit écrit",
    ]);
  });

  it("an OpenDocument file, a UTF-16 file without BOM: what they are and how to save them", () => {
    const ods = new Uint8Array(
      writeZip([
        { name: "mimetype", data: "application/vnd.oasis.opendocument.spreadsheet" },
        { name: "content.xml", data: "<office:document-content/>" },
      ]),
    );
    expect(() => readUploadedFile(ods, "effectifs.ods")).toThrow(
      /^Fichier illisible : le fichier est un classeur OpenDocument \(\.ods, LibreOffice ou OpenOffice\), pas un classeur XLSX : enregistrez-le au format XLSX ou CSV/,
    );
    const utf16 = new Uint8Array(Buffer.from([COMPLET.join(";"), complet("Unicode", "Sans BOM").join(";")].join("\r\n"), "utf16le"));
    expect(() => readUploadedFile(utf16, "unicode.csv")).toThrow(
      /^Fichier illisible : le fichier semble encodé en UTF-16 \(« texte Unicode »\), sans l'indiquer en tête de fichier : enregistrez-le au format « CSV UTF-8 \(délimité par des virgules\) »/,
    );
  });

  it("headers with a format hint are recognised; two columns of the same name give one note", async () => {
    const csv = [
      "Nom;Prénom;Date de naissance (JJ/MM/AAAA);Sexe (H/F);Statut (0/2/3);Tél. portable;UAI site;UAI site",
      "Indication;Format;01/02/2006;H;3;612345678;0751234J;0751234J",
    ].join("\n");
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(csv), "indications.csv");
    expect(mapping.slice(0, 6)).toEqual(["nom_apprenant", "prenom_apprenant", "date_de_naissance_apprenant", "sexe_apprenant", "statut_apprenant", "tel_apprenant"]);
    const { doublons, automatic } = mappingFrom(new URLSearchParams(), upload.headers);
    const notes = mappingNotes(upload, mapping, "2024-2025", { doublons, automatic }).notes;
    expect(notes.filter((n) => n.includes("UAI site"))).toEqual([
      expect.stringMatching(/^Les colonnes « UAI site » \(colonne 7\) et « UAI site » \(colonne 8\) correspondent toutes au champ « UAI du formateur »/),
    ]);
    // with no automatic choice to explain, two columns of the same name left out: their note once
    const ignorees = mappingNotes(upload, [...mapping.slice(0, 6), null, null], "2024-2025").notes;
    expect(ignorees.filter((n) => n.startsWith("La colonne « UAI site » n'est associée à aucun champ"))).toHaveLength(1);
  });
});

describe("merged cells of a workbook: the first value in every cell of the range, and the page says so (QA)", () => {
  it("a « Code diplôme » merged over rows 2–4 gives its code to the three learners; a merged required column is read likewise", async () => {
    const noms = [...COMPLET, "Code diplôme"];
    const bytes = classeur([
      {
        nom: "Apprenants",
        // G2:G4 the code of the three learners, D2:D4 their date d'inscription (required), A1:A1 nothing to spread
        fusion: ["G2:G4", "D2:D4"],
        lignes: [noms, [...complet("Fusion", "Un"), "50022141"], [...complet("Fusion", "Deux"), ""].map((c, i) => (i === 3 ? "" : c)), [...complet("Fusion", "Trois"), ""].map((c, i) => (i === 3 ? "" : c))],
      },
    ]);
    const { file, upload, mapping, preview } = await uploadAndPreview(bytes, "fusion-code.xlsx");
    expect(file.rows.map((r) => [r[4], r[7]])).toEqual([
      ["01/06/2024", "50022141"],
      ["01/06/2024", "50022141"],
      ["01/06/2024", "50022141"],
    ]);
    expect(file.lecture.cellulesFusionnees).toEqual({ plages: 2, exemples: ["G2:G4", "D2:D4"] });
    expect(preview).toMatchObject({ nbRows: 3, nbValid: 3 });
    expect(mappingNotes(upload, mapping, "2024-2025").notes).toContain(
      "Cellules fusionnées lues : la valeur de la première cellule est reprise dans les autres (2 plages : G2:G4, D2:D4). Vérifiez-le dans l'aperçu.",
    );
  });

  it("a title merged above the header row is not spread, and says nothing", async () => {
    const bytes = classeur([{ nom: "Apprenants", fusion: "A1:F1", lignes: [["Export des apprenants"], COMPLET, complet("Titre", "Fusion")] }]);
    const { file, upload, mapping } = await uploadAndPreview(bytes, "titre.xlsx");
    expect(file.lecture.cellulesFusionnees).toBeUndefined();
    expect(mappingNotes(upload, mapping, "2024-2025").notes.join(" ")).not.toMatch(/fusionnées/);
  });
});

describe("the import's result: learners created, updated, unchanged (QA)", () => {
  const entete = "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation";
  const ligne = (nom: string, prenom: string, fin = "30/06/2026") => `${nom};${prenom};01/02/2006;01/06/2024;02/09/2024;${fin}`;
  const importer = async (lignes: string[], nom: string) => {
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode([entete, ...lignes].join("\n")), nom, autre);
    const result = await importUpload(t.database, upload, mapping, "2024-2025");
    return { result, summary: (await transmissionSummary(t.database, result.transmissionId))! };
  };

  it("a second file: a name's typo fixed is a new learner, a date changed an update, the rest unchanged, as the result says", async () => {
    const first = await importer([ligne("Compte", "Alice"), ligne("Compte", "Bob"), ligne("Compte", "Chloe")], "compte-1.csv");
    expect(first.result).toMatchObject({ nbAccepted: 3, nbCrees: 3, nbInchanges: 0 });
    expect(resultatDeLImport(first.summary)).toBe("3 lignes enregistrées : 3 nouveaux apprenants, 0 mis à jour, 0 inchangé ; 0 ligne refusée sur 3 lignes.");
    const second = await importer([ligne("Compte", "Alice"), ligne("Compte", "Bob", "31/07/2026"), ligne("Comte", "Chloe")], "compte-2.csv");
    expect(second.summary).toMatchObject({ nbAccepted: 3, nbCreated: 1, nbUnchanged: 1 });
    expect(resultatDeLImport(second.summary)).toBe("3 lignes enregistrées : 1 nouvel apprenant, 1 mis à jour, 1 inchangé ; 0 ligne refusée sur 3 lignes.");
    // a third file, before importing: the typo would create another learner, the preview warns; an update does not
    const csv = [entete, ligne("Compt", "Chloé"), ligne("Compte", "Bob", "30/06/2026"), ligne("Neuve", "Zoé")].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "compte-3.csv", autre);
    expect(preview.nbAvertissements).toBe(1);
    expect(preview.rows[0]).toMatchObject({
      ligne: 2,
      ok: true,
      avertissements: [
        "Ressemble à l'apprenant Chloe Compte, né(e) le 01/02/2006, déjà transmis : vérifiez le nom ou la date de naissance, sinon un second apprenant sera créé.",
      ],
    });
    expect(preview.rows.slice(1).flatMap((r) => r.avertissements)).toEqual([]);
    // a transmission from before the count: only the unchanged, as before
    expect(resultatDeLImport({ ...second.summary, nbCreated: null })).toBe("3 lignes enregistrées (dont 1 inchangée depuis l'envoi précédent) ; 0 ligne refusée sur 3 lignes.");
  });

  it("learners sent with their ids, then in a file without: the preview says each would be counted twice, with the id to give (QA)", async () => {
    const avecIds = [`Identifiant;${entete}`, `ENC-001;${ligne("Lefèvre", "Hélène")}`, `ENC-002;${ligne("Lefèvre", "Paul")}`].join("\n");
    const { upload, mapping } = await uploadAndPreview(new TextEncoder().encode(avecIds), "avec-ids.csv", autre);
    expect(await importUpload(t.database, upload, mapping, "2024-2025")).toMatchObject({ nbAccepted: 2, nbCrees: 2 });
    const sansIds = [entete, ligne("LEFEVRE", "Hélène"), ligne("Lefèvre", "Zoé")].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(sansIds), "sans-ids.csv", autre);
    expect(preview.nbAvertissements).toBe(1);
    expect(preview.rows.find((r) => r.ligne === 2)!.avertissements).toEqual([
      "Même nom, même prénom et même date de naissance que l'apprenant Hélène Lefèvre, déjà transmis sous l'identifiant « ENC-001 » : " +
        "indiquez cet identifiant dans une colonne « Identifiant de l'apprenant », sinon un second apprenant sera créé.",
    ]);
    expect(preview.rows.find((r) => r.ligne === 3)!.avertissements).toEqual([]);
  });
});

describe("a CSV line with a cell too many: an unquoted value holding the separator (QA)", () => {
  it("the line is refused, saying how many cells for how many columns and to quote the value", async () => {
    const csv = [
      "Nom,Prénom,Date de naissance,Date d'inscription,Date d'entrée en formation,Date de fin de formation",
      "Virgule,Anne,01/02/2006,01/06/2024,02/09/2024,30/06/2026",
      "Dupont, Jean,Luc,01/02/2006,01/06/2024,02/09/2024,30/06/2026",
      '"Dupont, Jean",Marc,01/02/2006,01/06/2024,02/09/2024,30/06/2026',
    ].join("\n");
    const { file, preview } = await uploadAndPreview(new TextEncoder().encode(csv), "virgule.csv");
    expect(file.delimiter).toBe(",");
    expect(preview).toMatchObject({ nbRows: 3, nbValid: 2, nbErrors: 1 });
    expect(preview.rows[0].ligne).toBe(3);
    expect(preview.rows[0].otherErrors[0]).toBe(
      'Cette ligne a 7 cellules pour 6 colonnes : une valeur contenant « , » doit être entre guillemets (ex. "Dupont, Jean"), ' +
        "sinon les valeurs suivantes sont décalées d'une colonne. Corrigez la ligne dans le fichier.",
    );
  });
});
