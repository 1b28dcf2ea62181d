/**
 * Référentiel imports from /admin/imports over HTTP (built app, `npm run -s build` first): the file is imported in
 * the background, its progress then its summary are recorded in `imports_referentiel` (any server process answers
 * the polling; the log survives restarts); an import whose process stopped reads as interrupted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { Browser, emailOf, PASSWORD, seedAccounts, seedReferentiel } from "./auth-fixtures";
import { INTERRUPTED_MESSAGE, recentImportJobs, waitForImport } from "../../app/referentiel/import-jobs.server";

process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let admin: Browser;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedAccounts(t.database, await seedReferentiel(t.database));
  app = await serveApp(t.database);
  admin = new Browser(app.baseUrl);
  expect((await admin.login(emailOf("ADMINISTRATEUR"), PASSWORD)).status).toBe(302);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function postImport(fileName: string, content: string, fields: Record<string, string>): Promise<Response> {
  const form = new FormData();
  form.set("csrf", await admin.csrf("/admin/imports"));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("fichier", new File([content], fileName, { type: "text/csv" }));
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
