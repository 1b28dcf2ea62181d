/**
 * Référentiel imports from /admin/imports over HTTP (built app, `npm run -s build` first): the file is imported in
 * the background, its progress then its summary are recorded in `imports_referentiel` (any server process answers
 * the polling; the log survives restarts); an import whose process stopped reads as interrupted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { postSansFin, texte } from "../helpers/http";
import { Browser, emailOf, PASSWORD, seedAccounts, seedReferentiel } from "./auth-fixtures";
import { INTERRUPTED_MESSAGE, recentImportJobs, waitForImport } from "../../app/referentiel/import-jobs.server";
import { writeXlsx } from "../../app/shared/xlsx.server";
import { luhnCompletion } from "../../app/referentiel/codes";
import { csrfCookieName, requireValidForm } from "../../app/auth/csrf.server";

process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let admin: Browser;
let ref: Awaited<ReturnType<typeof seedReferentiel>>;

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  await seedAccounts(t.database, ref);
  app = await serveApp(t.database);
  admin = new Browser(app.baseUrl);
  expect((await admin.login(emailOf("ADMINISTRATEUR"), PASSWORD)).status).toBe(302);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function postImport(fileName: string, content: string | Uint8Array, fields: Record<string, string>): Promise<Response> {
  const form = new FormData();
  form.set("csrf", await admin.csrf("/admin/imports"));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const type = typeof content === "string" ? "text/csv" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  form.set("fichier", new File([typeof content === "string" ? content : new Uint8Array(content)], fileName, { type }));
  return fetch(`${app.baseUrl}/admin/imports`, { method: "POST", body: form, headers: { cookie: admin.cookieHeader() }, redirect: "manual" });
}

describe("référentiel imports from the admin page", () => {
  it("runs in the background and records who imported what, the progress and the summary", async () => {
    const csv = ["cfd;rncp;niveau;intitule", "50099901;;3;Boulangerie", "40099902;;4;Pâtisserie", "ABC;;4;Code faux"].join("\n");
    const res = await postImport("catalogue-test.csv", csv, { type: "formations", format: "catalogue" });
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    const id = /\?import=([0-9a-f-]{36})$/.exec(location)![1];
    const job = await waitForImport(t.database, id, 30_000);
    expect(job).toMatchObject({
      kind: "formations",
      fileName: "catalogue-test.csv",
      startedBy: emailOf("ADMINISTRATEUR"),
      error: null,
      rejectedLines: 1,
      progress: { phase: "terminé" },
    });
    expect(job!.finishedAt).not.toBeNull();
    expect(job!.summary).toMatchObject({ created: 2 });
    expect(await t.database.rows(sql`select 1 from formations where cfd in ('50099901', '40099902')`)).toHaveLength(2);

    const page = await (await admin.get(location)).text();
    expect(page).toContain("Import terminé");
    expect(page).toContain("catalogue-test.csv");
    expect((await recentImportJobs(t.database)).map((j) => j.id)).toContain(id);

    // a file that cannot be read: the error is recorded, nothing changed
    const bad = await postImport("vide.csv", "pas;un;catalogue\n1;2;3", { type: "formations", format: "catalogue" });
    const badId = /\?import=(.+)$/.exec(bad.headers.get("location")!)![1];
    const failed = await waitForImport(t.database, badId, 30_000);
    expect(failed!.error).toMatch(/Aucune donnée n'a été modifiée/);
    expect(await (await admin.get(`/admin/imports?import=${badId}`)).text()).toContain("pas été importé");
  });

  it("a catalogue giving the whole offer of its organismes formateurs (the box ticked) removes what it no longer cites", async () => {
    const header = "cfd;intitule;uai_formateur;siret_formateur;code_commune_lieu";
    const importe = async (lines: string[], fields: Record<string, string>) => {
      const res = await postImport("offre.csv", [header, ...lines].join("\n"), fields);
      expect(res.status).toBe(302);
      return (await waitForImport(t.database, /\?import=(.+)$/.exec(res.headers.get("location")!)![1], 30_000))!;
    };
    const offres = async () =>
      (await t.database.rows<{ lieu: string }>(sql`select code_commune_lieu as lieu from offres_formation where organisme_formateur_id = ${ref.F.id} order by 1`)).map((r) => r.lieu);
    await importe([`50099903;Charcuterie;${ref.F.uai};${ref.F.siret};69091`, `50099903;Charcuterie;${ref.F.uai};${ref.F.siret};69266`], { type: "formations" });
    expect(await offres()).toEqual(["69091", "69266"]);
    const job = await importe([`50099903;Charcuterie;${ref.F.uai};${ref.F.siret};69266`], { type: "formations", offreComplete: "oui" });
    expect(job.summary!.details["offres de formation retirées (plus citées pour leur organisme formateur)"]).toBe(1);
    expect(await offres()).toEqual(["69266"]);

    // the box means nothing for the organismes: said on the field, nothing imported
    const refus = await postImport("organismes.csv", "siret;raison_sociale\n", { type: "organismes", offreComplete: "oui" });
    expect(refus.status).toBe(400);
    expect(await refus.text()).toContain('id="offreComplete-erreur" class="fr-error-text">L&#x27;offre complète ne concerne que les fichiers de formations (catalogue).');
  });

  it("an XLSX file of organismes is labelled as XLSX, not as the documented CSV", async () => {
    const siret = "1300000200001" + luhnCompletion("1300000200001");
    const xlsx = writeXlsx([{ name: "Organismes", rows: [["siret", "raison_sociale"], [siret, "CFA Classeur"]] }]);
    for (const fields of [{ type: "organismes" }, { type: "organismes", format: "csv" }] as Record<string, string>[]) {
      const res = await postImport("organismes.xlsx", xlsx, fields);
      expect(res.status).toBe(302);
      const location = res.headers.get("location")!;
      const job = await waitForImport(t.database, /\?import=(.+)$/.exec(location)![1], 30_000);
      expect(job!.summary!.format).toBe("organismes (XLSX documenté, feuille « Organismes »)");
      const page = await (await admin.get(location)).text();
      expect(page).toContain("organismes (XLSX documenté, feuille « Organismes »)");
      expect(page).not.toContain("organismes (CSV documenté)");
    }
  });

  it("an import whose process stopped reads as interrupted; an unknown id is said so, without error", async () => {
    await t.database.db.execute(sql`
      insert into imports_referentiel (id, kind, file_name, size, started_by, started_at, heartbeat_at, progress)
      values ('00000000-0000-4000-8000-000000000001', 'organismes', 'lpof.csv', 1000, 'x@test.fr', now() - interval '10 minutes',
              now() - interval '5 minutes', '{"phase":"écriture","done":500,"total":1000}'::jsonb)`);
    const page = await (await admin.get("/admin/imports?import=00000000-0000-4000-8000-000000000001")).text();
    expect(page).toContain("L&#x27;import a été interrompu");
    expect(INTERRUPTED_MESSAGE).toMatch(/^L'import a été interrompu/);
    expect(page).not.toContain('data-testid="import-en-cours"');
    const unknown = await admin.get("/admin/imports?import=pas-un-identifiant");
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toContain("Aucun import ne porte cet identifiant");
  });
});


describe("a file too large is refused before it is read", () => {
  it("a Content-Length over 200 Mo: a French 413 on the page, answered before the body is sent", async () => {
    const csrf = await admin.csrf("/admin/imports");
    const boundary = "----limite";
    const debut = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n${csrf}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\norganismes\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="enorme.csv"\r\nContent-Type: text/csv\r\n\r\nsiret;raison_sociale\n`,
    );
    // no answer while the body is not all sent would mean the server waits for the 210 Mo (it must not)
    const answer = await postSansFin(
      new URL("/admin/imports", app.baseUrl),
      { cookie: admin.cookieHeader(), "content-type": `multipart/form-data; boundary=${boundary}` },
      debut,
      210 * 1024 * 1024,
    );
    expect(answer.status).toBe(413);
    expect(texte(answer.body)).toContain("Le fichier dépasse 200 Mo");
    expect(texte(answer.body)).toContain("Imports du référentiel");
    expect(answer.sent).toBeLessThan(1024 * 1024);
  }, 60_000);

  it("without a Content-Length, the file is cut while it streams, at the limit (nothing read beyond)", async () => {
    const boundary = "----flux";
    let pulled = 0;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="fichier"; filename="sans-fin.csv"\r\nContent-Type: text/csv\r\n\r\n`));
      },
      pull(controller) {
        // an endless file
        const chunk = new Uint8Array(16 * 1024).fill(120);
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(`${app.baseUrl}/admin/imports`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: "half",
    } as RequestInit);
    const thrown = await requireValidForm(request, t.database, { maxFileBytes: 100 * 1024 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(413);
    expect(await (thrown as Response).text()).toContain("Le fichier dépasse 100 Ko");
    // read up to the form's limit: the file's and 1 Mo for the other fields (and a few chunks in flight), not beyond
    expect(pulled).toBeLessThan(100 * 1024 + 1024 * 1024 + 256 * 1024);
  });

  it("a file's name may hold « ; » or « = »; a file over its limit inside the envelope is a 413, a long text field a 400", async () => {
    const jeton = "J".repeat(43);
    const lire = async (champs: [string, string | File][], maxFileBytes = 100 * 1024) => {
      const form = new FormData();
      form.set("csrf", jeton);
      for (const [nom, valeur] of champs) form.set(nom, valeur);
      const request = new Request(`${app.baseUrl}/admin/imports`, { method: "POST", body: form, headers: { cookie: `${csrfCookieName()}=${jeton}` } });
      return requireValidForm(request, t.database, { maxFileBytes }).then(
        (f) => f,
        (e: unknown) => e as Response,
      );
    };
    for (const nom of ["effectifs; version 2.csv", "effectifs=décembre.csv", 'a"b.csv']) {
      const lu = await lire([["fichier", new File(["cfd;intitule\n"], nom, { type: "text/csv" })]]);
      expect(lu, nom).toBeInstanceOf(FormData);
      expect(((lu as FormData).get("fichier") as File).name, nom).toBe(nom);
    }
    const gros = await lire([["fichier", new File([new Uint8Array(150 * 1024).fill(120)], "gros.csv")]]);
    expect((gros as Response).status).toBe(413);
    expect(await (gros as Response).text()).toContain("Le fichier dépasse 100 Ko");
    const long = await lire([["motif", "m".repeat(65 * 1024)]]);
    expect((long as Response).status).toBe(400);
    expect(await (long as Response).text()).toBe("Le formulaire envoyé est illisible : le champ « motif » dépasse 64 Ko.");
  });

  it("a form without a file is read up to 1 Mo: an endless anonymous POST is cut there, answered 413", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = new TextEncoder().encode(`email=${"a".repeat(16 * 1024)}&`);
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(`${app.baseUrl}/connexion`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      duplex: "half",
    } as RequestInit);
    const thrown = await requireValidForm(request, t.database).then(
      () => null,
      (e: unknown) => e,
    );
    expect((thrown as Response).status).toBe(413);
    expect(await (thrown as Response).text()).toBe("Le formulaire envoyé est trop volumineux : 1 Mo au plus.");
    expect(pulled).toBeLessThan(1024 * 1024 + 256 * 1024);
  });

  it("a form without the security token is still refused (403), nothing imported", async () => {
    const form = new FormData();
    form.set("csrf", "x".repeat(43));
    form.set("type", "formations");
    form.set("fichier", new File(["cfd;intitule\n50099977;Sans jeton\n"], "jeton.csv", { type: "text/csv" }));
    const res = await fetch(`${app.baseUrl}/admin/imports`, { method: "POST", body: form, headers: { cookie: admin.cookieHeader() }, redirect: "manual" });
    expect(res.status).toBe(403);
    expect(await t.database.rows(sql`select 1 from formations where cfd = '50099977'`)).toEqual([]);
  });
});

describe("the report speaks French for every unit", () => {
  it("a JSON file: « éléments lus », « élément rejeté », « cet élément n'a pas été importé »", async () => {
    const siret = "1300000200002".slice(0, 13);
    const valide = siret + luhnCompletion(siret);
    const json = JSON.stringify([{ siret: valide, raison_sociale: "CFA JSON" }, { siret: 1, raison_sociale: "Nombre" }]);
    const res = await postImport("organismes.json", json, { type: "organismes" });
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    await waitForImport(t.database, /\?import=(.+)$/.exec(location)![1], 30_000);
    const page = texte(await (await admin.get(location)).text());
    expect(page).toContain("2 éléments lus");
    expect(page).toContain("1 élément rejeté");
    expect(page).toContain("cet élément n'a pas été importé");
    expect(page).toContain("« 1 »");
    expect(page).not.toMatch(/éléments lues|élément\(s\) rejetée|éléments n'ont pas été importées|00000000000001/);

    const csv = await postImport("une-ligne.csv", "cfd;intitule\n50099978;Une ligne\n", { type: "formations" });
    const csvLocation = csv.headers.get("location")!;
    await waitForImport(t.database, /\?import=(.+)$/.exec(csvLocation)![1], 30_000);
    const csvPage = texte(await (await admin.get(csvLocation)).text());
    expect(csvPage).toContain("1 ligne lue");
    expect(csvPage).toContain("0 ligne rejetée");
  });
});
