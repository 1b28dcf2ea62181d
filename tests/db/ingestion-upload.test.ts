/**
 * The upload (/televersement): CSV and XLSX files made here (`;` separator, BOM, Latin-1, Excel serial dates,
 * dd/MM/yyyy), automatic mapping, preview cell by cell, import through the pipeline (source FICHIER), template,
 * and the whole flow over HTTP (demo mode, CSRF). HTTP parts need `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import type { Viewer } from "../../app/auth/policy.server";
import { createUser } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import { readXlsx, writeXlsx } from "../../app/shared/xlsx.server";
import { parseCsv } from "../../app/shared/csv";
import {
  UploadError,
  createUpload,
  importUpload,
  loadUpload,
  mappingFrom,
  previewUpload,
  readUploadedFile,
  transmissionSummary,
  type UploadAccess,
} from "../../app/ingestion/upload.server";
import { autoMap } from "../../app/ingestion/mapping";
import { UPLOAD_FIELDS } from "../../app/ingestion/upload.server";
import { insertOrganisme, siretOf, type TestOrganisme } from "./ingestion-fixtures";

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
    expect(eluard.cells[2].errors[0]).toMatch(/date_de_naissance_apprenant : date inexistante/);
    expect(eluard.cells.filter((c) => c.errors.length)).toHaveLength(1);
    expect(curie.ligne).toBe(4);
    expect(curie.cells[6].errors[0]).toMatch(/date_fin_formation : .*postérieure à date_entree_formation/);
    expect(curie.cells[7].errors[0]).toMatch(/code CFD attendu/);
    expect(curie.cells[3].errors).toEqual([]); // 2024/2025 is accepted
    expect(lenotre).toMatchObject({ ligne: 2, ok: true, id: "lenotre-gaston-2006-03-28" });
    expect(preview.errorsByColumn[2]).toBe(1);
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
    expect(bad.cells[2].errors[0]).toMatch(/date_de_naissance_apprenant : champ obligatoire/);
    // without a birth date the id cannot be derived: the error has no column
    expect(bad.otherErrors.join(" ")).toMatch(/id_erp_apprenant : champ obligatoire/);

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
    expect(unknown.cells[7].errors[0]).toMatch(/établissement formateur inconnu du référentiel/);
    expect(unknown.cells[8].errors[0]).toBe(unknown.cells[7].errors[0]);
    const outOfScope = preview.rows.find((r) => r.ligne === 4)!;
    expect(outOfScope.cells[9].errors[0]).toMatch(/hors du périmètre/);
    expect(outOfScope.otherErrors).toEqual([]);
  });

  it("without establishment columns, the organisme chosen on the page is formateur and responsable", async () => {
    const csv = ["Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation", "A;B;01/01/2006;01/06/2024;02/09/2024;30/06/2025"].join("\n");
    const { preview } = await uploadAndPreview(new TextEncoder().encode(csv), "min.csv", autre);
    expect(preview.nbValid).toBe(1);
  });
});

describe("template", () => {
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
});

describe("the page over HTTP", () => {
  async function signedIn(email: string, organisation: Record<string, unknown>): Promise<string> {
    const { user } = await createUser(t.database, { email, password: "Mot-de-passe-de-test-42", organisation: organisation as never });
    const setCookie = await createSession(t.database, user.id, new Request("http://localhost/"));
    return setCookie.split(";")[0];
  }

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
      // another organisme than its own: refused
      res = await fetch(`${app.baseUrl}/televersement`, { method: "POST", body: uploadForm(`${autre.siret} ${autre.uai}`), headers: { Cookie: cookie } });
      expect(await res.text()).toContain("parmi ceux de votre organisation");

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
      expect(preview).toContain("contrat_date_debut : date inexistante");
      expect(preview).toMatch(/cellule-erreur/);
      // nothing stored before the import
      const count = async () => (await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs where nom = 'Http'`))[0].n;
      expect(await count()).toBe(0);

      // an adjusted mapping (GET): the date column ignored → every row misses its contract date, none in error for it
      const adjusted = new URLSearchParams({ id });
      for (let i = 0; i < 8; i++) adjusted.set(`col_${i}`, "");
      res = await fetch(`${app.baseUrl}/televersement?${adjusted}`, { headers: { Cookie: cookie } });
      expect(await res.text()).toContain("Champs obligatoires sans colonne");

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
      expect(result).toMatch(/1 ligne enregistrée, 1 ligne refusée/);
      expect(await count()).toBe(1);

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
