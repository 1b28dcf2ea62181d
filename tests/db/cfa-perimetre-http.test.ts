/**
 * The CFA space and the dashboards stay inside the viewer's scope, over HTTP (built app, `npm run -s build` first;
 * docs/decisions/017). Chain of the référentiel R → F → G (tests/db/perimetre-fixtures.ts): R's user opens F's
 * space (F is its formateur) but never sees there the learners of G, F's own formateur, that F is the responsable
 * of; F's own user does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { Browser, emailOf, PASSWORD, type Persona } from "./auth-fixtures";
import { SECRET_G, seedChaine, type Chaine } from "./perimetre-fixtures";

process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let c: Chaine;
const browsers = new Map<Persona, Browser>();

async function as(who: Persona): Promise<Browser> {
  let b = browsers.get(who);
  if (!b) {
    b = new Browser(app.baseUrl);
    expect((await b.login(emailOf(who), PASSWORD)).status).toBe(302);
    browsers.set(who, b);
  }
  return b;
}

/** The CSV's lines after its header (BOM and CRLF of the exports). */
async function lignesCsv(r: Response): Promise<string[]> {
  expect(r.status).toBe(200);
  return (await r.text()).replace(/^\uFEFF/, "").trim().split("\r\n").slice(1);
}

beforeAll(async () => {
  t = await createTestDatabase();
  c = await seedChaine(t.database);
  app = await serveApp(t.database);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("a responsable's user in its formateur's space", () => {
  it("the formateur's own formateur stays closed", async () => {
    const b = await as("ORGANISME_FORMATION");
    for (const path of [`/cfa/${c.G.id}`, `/cfa/${c.G.id}/apprenants`, `/cfa/${c.G.id}/export.csv`]) {
      expect((await b.get(path)).status, path).toBe(403);
    }
  });

  it("the export, the list and a learner's page give the formateur's learners only", async () => {
    const b = await as("ORGANISME_FORMATION");
    const { F } = c.ref;
    const csv = await lignesCsv(await b.get(`/cfa/${F.id}/export.csv`));
    expect(csv).toHaveLength(3); // F-1, F-2, FX-1
    const texte = csv.join("\n");
    expect(texte).not.toContain(SECRET_G);
    expect(texte).not.toContain("gamma1@exemple.fr");
    expect(texte).not.toContain("0600000001");
    const [log] = await t.database.rows<{ row_count: number }>(sql`select row_count from named_list_access_log order by id desc limit 1`);
    expect(log.row_count).toBe(3);

    const liste = await b.get(`/cfa/${F.id}/apprenants?limit=100`);
    expect(liste.status).toBe(200);
    const html = await liste.text();
    expect(html).toContain("Ferrand");
    expect(html).not.toContain(SECRET_G);
    expect(html).not.toContain(c.G.raisonSociale);
    const fiche = await b.get(`/cfa/${F.id}/apprenants/${c.ids["G-1"]}`);
    expect(fiche.status).toBe(404);
    expect(await fiche.text()).not.toContain(SECRET_G);
    expect((await b.get(`/cfa/${F.id}/apprenants/${c.ids["F-1"]}`)).status).toBe(200);
  });

  it("the formateurs page of the formateur's space does not list the formateur's own formateur", async () => {
    const { F } = c.ref;
    // G transmitted lately: its freshness and last transmission would show if it were listed
    await t.database.rows(sql`update organismes set last_transmission_at = now() - interval '2 days' where id = ${c.G.id}`);
    const r = await (await as("ORGANISME_FORMATION")).get(`/cfa/${F.id}/formateurs`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain("Aucun organisme formateur dans votre périmètre");
    expect(html).not.toContain(c.G.raisonSociale);
    expect(html).not.toContain(c.G.siret);
    expect(html).not.toContain(`href="/cfa/${c.G.id}"`);
    const sien = await (await (await as("CFA_FORMATEUR")).get(`/cfa/${F.id}/formateurs`)).text();
    expect(sien).toContain(c.G.raisonSociale);
    expect(sien).toContain(c.G.siret);
  });

  it("its dashboards do not list the formateur's own formateur", async () => {
    const b = await as("ORGANISME_FORMATION");
    const csv = await lignesCsv(await b.get("/tableau.csv?vue=national&table=organismes"));
    const organismes = csv.map((l) => l.split(";")[1]).sort();
    expect(organismes).toEqual([c.ref.R.siret, c.ref.F.siret].sort());
    expect(csv.join("\n")).not.toContain(c.G.siret);
  });
});

describe("the formateur's own user", () => {
  it("sees its formateur's learners, with their contacts", async () => {
    const b = await as("CFA_FORMATEUR");
    const { F } = c.ref;
    const csv = await lignesCsv(await b.get(`/cfa/${F.id}/export.csv`));
    expect(csv).toHaveLength(6); // F-1, F-2, FX-1, G-1…G-3
    expect(csv.join("\n")).toContain("gamma1@exemple.fr");
    expect((await b.get(`/cfa/${c.G.id}/apprenants`)).status).toBe(200);
    expect((await b.get(`/cfa/${F.id}/apprenants/${c.ids["G-1"]}`)).status).toBe(200);
    const tableau = await lignesCsv(await b.get("/tableau.csv?vue=national&table=organismes"));
    expect(tableau.map((l) => l.split(";")[1]).sort()).toEqual([F.siret, c.G.siret].sort());
  });
});

describe("the rejected dossiers of the formateur's transmissions", () => {
  it("are named to the formateur's own user only (a rejected dossier may be of a learner outside the viewer's scope)", async () => {
    const { F } = c.ref;
    const jour = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" });
    const erreurs = [{ index: 0, id_erp_apprenant: "G-REFUSE", nom: "Refusé", prenom: "Gaspard", errors: [{ path: ["date_de_naissance_apprenant"], message: "champ obligatoire" }] }];
    await t.database.rows(sql`
      insert into transmissions (organisme_id, source, received_at, nb_items, nb_accepted, nb_rejected, nb_unchanged, errors)
      values (${F.id}, 'API', now(), 1, 0, 1, 0, ${JSON.stringify(erreurs)}::jsonb)`);
    const [{ n: avant }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from named_list_access_log`);
    const duResponsable = await (await (await as("ORGANISME_FORMATION")).get(`/cfa/${F.id}/transmissions/${jour}`)).text();
    expect(duResponsable).not.toContain("Gaspard");
    expect(duResponsable).not.toContain("G-REFUSE");
    expect(duResponsable).toContain('data-testid="refuses-non-nommes"');
    const [{ n: apres }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from named_list_access_log`);
    expect(apres).toBe(avant); // nothing named, nothing logged
    const duFormateur = await (await (await as("CFA_FORMATEUR")).get(`/cfa/${F.id}/transmissions/${jour}`)).text();
    expect(duFormateur).toContain("Gaspard");
    expect(duFormateur).toContain('data-testid="dossiers-refuses"');
  });

  it("are named to the responsable's user when every formateur of the formateur is in its scope (no G), and logged", async () => {
    const { F } = c.ref;
    const jour = new Date().toLocaleDateString("sv-SE", { timeZone: "Europe/Paris" });
    await t.database.rows(sql`delete from organisme_relations where formateur_id = ${c.G.id} and responsable_id = ${F.id}`);
    try {
      const [{ n: avant }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from named_list_access_log`);
      const duResponsable = await (await (await as("ORGANISME_FORMATION")).get(`/cfa/${F.id}/transmissions/${jour}`)).text();
      expect(duResponsable).toContain("Gaspard");
      expect(duResponsable).toContain('data-testid="dossiers-refuses"');
      expect(duResponsable).not.toContain('data-testid="refuses-non-nommes"');
      const [{ n: apres }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from named_list_access_log`);
      expect(apres).toBe(avant + 1);
    } finally {
      await t.database.rows(sql`insert into organisme_relations (formateur_id, responsable_id) values (${c.G.id}, ${F.id})`);
    }
  });
});
