/**
 * An organisme's mode of transmission and ERP (decision 022) and how the CFA space shows them; the day of an
 * uploaded file with a repeated line (categorised, fixed in the file). Référentiel of tests/db/auth-fixtures.ts: R
 * responsable with its formateur F; X elsewhere. HTTP parts need `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { createUpload, importUpload, loadUpload, mappingFrom, readUploadedFile, type UploadAccess } from "../../app/ingestion/upload.server";
import { derniereTransmission, pageCleApi } from "../../app/cfa/espace.server";
import { transmissionsDuJour } from "../../app/cfa/transmissions.server";
import { parisDay } from "../../app/shared/jours-paris.server";
import type { Viewer } from "../../app/auth/policy.server";
import { Browser, emailOf, PASSWORD, pourDossier, seedAccounts, seedReferentiel, type Persona, type Referentiel } from "./auth-fixtures";
import { dossier } from "./ingestion-fixtures";

process.env.COOKIE_SECURE = "0";

const DAY = 86_400_000;
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let ref: Referentiel;
let adminId: number;


beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  adminId = (await seedAccounts(t.database, ref)).ADMINISTRATEUR.id;
  app = await serveApp(t.database);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function etat(id: number) {
  const [r] = await t.database.rows<{ mode: string | null; erp: string | null; last: unknown }>(
    sql`select mode_transmission as mode, erp, last_transmission_at as last from organismes where id = ${id}`,
  );
  return { ...r, last: r.last === null ? null : new Date(r.last as string).toISOString() };
}

async function page(persona: Persona, path: string): Promise<string> {
  const b = new Browser(app.baseUrl);
  expect((await b.login(emailOf(persona), PASSWORD)).status).toBe(302);
  const res = await b.get(path);
  expect(res.status).toBe(200);
  // React's text separators and entities, out of the way
  return (await res.text()).replace(/<!-- -->/g, "").replace(/&#x27;/g, "'").replace(/&quot;/g, '"');
}

describe("mode de transmission et ERP d'un organisme (décision 022)", () => {
  it("a file uploaded once keeps the mode API and the ERP of an organisme whose ERP transmitted in the last 30 days", async () => {
    const R = pourDossier(ref.R);
    const F = pourDossier(ref.F);
    const now = Date.now();
    await ingestDossiers(t.database, [dossier(R, R, { id_erp_apprenant: "R-1" }), dossier(F, R, { id_erp_apprenant: "F-1" })], {
      organismeId: R.id,
      source: "API",
      erp: "SC Form",
      now: new Date(now - 2 * DAY),
    });
    expect(await etat(R.id)).toMatchObject({ mode: "API", erp: "SC Form" });
    // the formateur's learners came through its responsable's API
    expect(await etat(F.id)).toMatchObject({ mode: "API", erp: "SC Form" });

    const upload = await ingestDossiers(t.database, [dossier(R, R, { id_erp_apprenant: "R-2" })], {
      organismeId: R.id,
      source: "FICHIER",
      erp: "Ypareo",
      fileName: "effectifs.csv",
      now: new Date(now - DAY),
    });
    // the organisme's usual channel is unchanged, its last transmission is the file's; the file's software is the transmission's
    expect(await etat(R.id)).toEqual({ mode: "API", erp: "SC Form", last: new Date(now - DAY).toISOString() });
    const [tr] = await t.database.rows<{ source: string; erp: string | null }>(sql`select source, erp from transmissions where id = ${upload.transmissionId}`);
    expect(tr).toEqual({ source: "FICHIER", erp: "Ypareo" });
    expect((await pageCleApi(t.database, R.id)).erp).toBe("SC Form");

    // the space says the usual channel, and what came last
    expect(await derniereTransmission(t.database, R.id)).toMatchObject({ source: "FICHIER", erp: "Ypareo", fileName: "effectifs.csv", expediteur: null });
    expect(await derniereTransmission(t.database, F.id)).toMatchObject({ source: "API", erp: "SC Form", expediteur: "CFA Responsable Lyon" });
    const html = await page("ORGANISME_FORMATION", `/cfa/${R.id}`);
    expect(html).toContain("Mode de transmission : API (ERP connecté)");
    expect(html).toContain("ERP : SC Form");
    expect(html).toMatch(/Dernière transmission : \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2} \(téléversement de fichier « effectifs\.csv », logiciel Ypareo\)/);
    expect(html).toContain("un fichier téléversé ne les change pas tant que votre ERP a transmis par l'API au cours des 30 derniers jours");
    // the formateur's space: its data came from its responsable
    const htmlF = await page("CFA_FORMATEUR", `/cfa/${F.id}`);
    expect(htmlF).toContain("ERP : SC Form");
    expect(htmlF).toMatch(/Dernière transmission : [^<]* \(API, ERP SC Form, envoyée par CFA Responsable Lyon, votre responsable\)/);
    // its transmissions page says the same, instead of « aucune transmission reçue »
    const transmissionsF = await page("CFA_FORMATEUR", `/cfa/${F.id}/transmissions`);
    expect(transmissionsF).toMatch(
      /data-testid="transmis-par-le-responsable"><p>Vos effectifs sont transmis par CFA Responsable Lyon, votre responsable : dernière transmission le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}\./,
    );
    expect(transmissionsF).toContain("Votre organisme n'a rien transmis lui-même : voici comment connecter votre ERP");
    expect(transmissionsF).not.toContain("Aucune transmission reçue");
    // the responsable's own page has no such notice
    expect(await page("ORGANISME_FORMATION", `/cfa/${R.id}/transmissions`)).not.toContain("transmis-par-le-responsable");
  });

  it("without an API transmission in the last 30 days (or ever), an upload sets the mode FICHIER and its software", async () => {
    const R = pourDossier(ref.R);
    const X = pourDossier(ref.X);
    await ingestDossiers(t.database, [dossier(X, X, { id_erp_apprenant: "X-1" })], { organismeId: X.id, source: "FICHIER", erp: "Gesti", fileName: "x.csv" });
    expect(await etat(X.id)).toMatchObject({ mode: "FICHIER", erp: "Gesti" });
    // R's ERP last sent 2 days ago: 40 days later, its uploads are its channel
    await ingestDossiers(t.database, [dossier(R, R, { id_erp_apprenant: "R-3" })], {
      organismeId: R.id,
      source: "FICHIER",
      erp: "Ypareo",
      now: new Date(Date.now() + 40 * DAY),
    });
    expect(await etat(R.id)).toMatchObject({ mode: "FICHIER", erp: "Ypareo" });
    // an upload without software keeps the known one
    await ingestDossiers(t.database, [dossier(R, R, { id_erp_apprenant: "R-4" })], { organismeId: R.id, source: "FICHIER", now: new Date(Date.now() + 41 * DAY) });
    expect(await etat(R.id)).toMatchObject({ mode: "FICHIER", erp: "Ypareo" });
    // the ERP sends again: API and its ERP
    await ingestDossiers(t.database, [dossier(R, R, { id_erp_apprenant: "R-3" })], {
      organismeId: R.id,
      source: "API",
      erp: "SC Form",
      now: new Date(Date.now() + 42 * DAY),
    });
    expect(await etat(R.id)).toMatchObject({ mode: "API", erp: "SC Form" });
  });
});

describe("the day of an uploaded file", () => {
  it("a repeated line is « Apprenant en double dans le fichier », and the advice is to correct the file and upload it again", async () => {
    const R = pourDossier(ref.R);
    const admin: Viewer = {
      userId: adminId,
      organisationType: "ADMINISTRATEUR",
      scope: { kind: "national" },
      user: { id: adminId, email: emailOf("ADMINISTRATEUR"), nom: "", prenom: "", role: "admin", organisationId: 1, organisationNom: "Administration" },
    };
    const access: UploadAccess = { kind: "tous", viewer: admin, userId: adminId };
    const csv = [
      "Identifiant;Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation;Code diplôme",
      "D-1;Double;Léa;01/01/2006;01/06/2024;02/09/2024;30/06/2025;50022141",
      "D-1;Double;Léa;01/01/2006;01/06/2024;02/09/2024;30/06/2025;40025214",
    ].join("\n");
    const file = readUploadedFile(new TextEncoder().encode(csv), "doublons.csv");
    const id = await createUpload(t.database, access, { organismeId: R.id, fileName: "doublons.csv", erp: "Ypareo", file });
    const upload = (await loadUpload(t.database, access, id))!;
    const result = await importUpload(t.database, upload, mappingFrom(new URLSearchParams(), upload.headers).mapping, "2024-2025");
    expect(result).toMatchObject({ nbAccepted: 1, nbRejected: 1 });

    const jour = await transmissionsDuJour(t.database, R.id, parisDay());
    expect(jour.refuses.flatMap((d) => d.erreurs.map((e) => e.categorie))).toEqual(["doublon"]);
    expect(jour.resume.map((r) => r.libelle)).toEqual(["Apprenant en double dans le fichier"]);
    const html = await page("ORGANISME_FORMATION", `/cfa/${R.id}/transmissions/${parisDay()}`);
    expect(html).toContain('data-categorie="doublon"');
    expect(html).toContain("Corrigez chaque ligne refusée dans votre fichier, puis téléversez-le à nouveau");
    expect(html).not.toContain("Corrigez chaque dossier dans votre ERP");
    expect(html).toMatch(/même identifiant « D-1 » que la ligne 2[^<]*: cette ligne n'a pas été importée/);
    expect(html).toContain("puis téléversez le fichier à nouveau.");
  });
});
