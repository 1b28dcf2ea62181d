/**
 * Every page of app/routes hydrates in Chromium without a script error, for the visitors who may open it (a national
 * administrator; the CFA's user for its space; a signed-out visitor for the public pages): the server-rendered page must not
 * turn into the error page once React takes over (a value imported from a `*.server` module is `undefined` in the
 * browser), nor show a button cut down to its icon, nor have an axe-core violation (moderate or worse). A page module added to app/routes without a row here fails the first test. Needs `npm run -s build`
 * and /usr/bin/chromium.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext } from "playwright-core";
import type { TestDatabase } from "../helpers/db";
import { browserAvailable, browserContext, collectPageErrors, demoTestDatabase, launchBrowser, screenshot, seriousAxeViolations, serveApp } from "../helpers/browser";
import { demoCfa } from "../../app/auth/demo-accounts.server";
import { findUserByEmail } from "../../app/auth/accounts.server";
import { todayIso } from "../../app/statut/annee-scolaire";

process.env.COOKIE_SECURE = "0";

const available = browserAvailable();
const TODAY = todayIso();

interface Ids {
  cfa: number;
  effectif: number;
  jour: string;
  organisme: number;
  formation: number;
}

type Visiteur = "admin" | "cfa" | "anonyme";

/** Each page module, the URL that opens it, and who opens it (default: a national administrator). */
const PAGES: Record<string, { path: (ids: Ids) => string; visiteurs?: Visiteur[]; status?: number }> = {
  // an address no page serves: a 404 in the site's layout, which hydrates as any page
  "$.tsx": { path: () => "/cette-page-n-existe-pas", visiteurs: ["admin", "anonyme"], status: 404 },
  "_index.tsx": { path: () => "/", visiteurs: ["admin", "anonyme"] },
  "academies.$code.tsx": { path: () => "/academies/10" },
  "admin.imports.tsx": { path: () => "/admin/imports" },
  "admin.journal.tsx": { path: () => "/admin/journal" },
  "admin.utilisateurs.tsx": { path: () => "/admin/utilisateurs" },
  "api.doc.tsx": { path: () => "/api/doc", visiteurs: ["admin", "anonyme"] },
  "cfa.$organismeId._index.tsx": { path: (i) => `/cfa/${i.cfa}`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.apprenants.$effectifId.tsx": { path: (i) => `/cfa/${i.cfa}/apprenants/${i.effectif}`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.apprenants._index.tsx": { path: (i) => `/cfa/${i.cfa}/apprenants`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.cle-api.tsx": { path: (i) => `/cfa/${i.cfa}/cle-api`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.doublons.tsx": { path: (i) => `/cfa/${i.cfa}/doublons`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.formateurs.tsx": { path: (i) => `/cfa/${i.cfa}/formateurs`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.qualite.tsx": { path: (i) => `/cfa/${i.cfa}/qualite`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.transmissions.$jour.tsx": { path: (i) => `/cfa/${i.cfa}/transmissions/${i.jour}`, visiteurs: ["admin", "cfa"] },
  "cfa.$organismeId.transmissions._index.tsx": { path: (i) => `/cfa/${i.cfa}/transmissions`, visiteurs: ["admin", "cfa"] },
  // the layout of the CFA space: opened with its home page
  "cfa.$organismeId.tsx": { path: (i) => `/cfa/${i.cfa}` },
  "cfa._index.tsx": { path: () => "/cfa" },
  "compte.tsx": { path: () => "/compte", visiteurs: ["admin", "cfa"] },
  "connexion.tsx": { path: () => "/connexion", visiteurs: ["anonyme"] },
  "deconnexion.tsx": { path: () => "/deconnexion" },
  "departements.$code.tsx": { path: () => "/departements/69" },
  "exports.tsx": { path: () => "/exports" },
  "formations.$id.tsx": { path: (i) => `/formations/${i.formation}`, visiteurs: ["admin", "anonyme"] },
  "formations.$id_.tableau-de-bord.tsx": { path: (i) => `/formations/${i.formation}/tableau-de-bord`, visiteurs: ["admin", "anonyme"] },
  "formations._index.tsx": { path: () => "/formations", visiteurs: ["admin", "anonyme"] },
  "inscription.tsx": { path: () => "/inscription", visiteurs: ["anonyme"] },
  "invitation.$token.tsx": { path: () => `/invitation/${"x".repeat(43)}`, visiteurs: ["anonyme"] },
  "accessibilite.tsx": { path: () => "/accessibilite", visiteurs: ["anonyme"] },
  "listes._index.tsx": { path: () => "/listes", visiteurs: ["admin"] },
  "listes.$liste.tsx": { path: () => "/listes/sans-contrat", visiteurs: ["admin"] },
  "mot-de-passe-oublie.tsx": { path: () => "/mot-de-passe-oublie", visiteurs: ["anonyme"] },
  "organismes.$id.tsx": { path: (i) => `/organismes/${i.organisme}`, visiteurs: ["admin", "anonyme"] },
  "organismes.$id_.tableau-de-bord.tsx": { path: (i) => `/organismes/${i.organisme}/tableau-de-bord` },
  "organismes._index.tsx": { path: () => "/organismes", visiteurs: ["admin", "anonyme"] },
  "referentiel.anomalies.tsx": { path: () => "/referentiel/anomalies" },
  "referentiel.non-transmetteurs.tsx": { path: () => "/referentiel/non-transmetteurs" },
  "regions.$code.tsx": { path: () => "/regions/84", visiteurs: ["admin", "anonyme"] },
  "reinitialiser-mot-de-passe.$token.tsx": { path: () => `/reinitialiser-mot-de-passe/${"x".repeat(43)}`, visiteurs: ["anonyme"] },
  "televersement.tsx": { path: (i) => `/televersement?organisme=${i.cfa}`, visiteurs: ["admin", "cfa"] },
};

/** The page modules of app/routes (a module without a default export is a resource route: no page). */
function pageModules(): string[] {
  const dir = path.join(process.cwd(), "app", "routes");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".tsx") && /export default/.test(fs.readFileSync(path.join(dir, f), "utf8")))
    .sort();
}

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let browser: Browser;
const contextes = {} as Record<Visiteur, BrowserContext>;
let ids: Ids;

beforeAll(async () => {
  if (!available) return;
  t = await demoTestDatabase({ seed: 11, today: TODAY });
  const cfa = (await demoCfa(t.database))!;
  const [e] = await t.database.rows<{ id: number }>(sql`select id from effectifs where organisme_responsable_id = ${cfa.id} order by id limit 1`);
  const [j] = await t.database.rows<{ jour: string }>(sql`
    select to_char(received_at at time zone 'Europe/Paris', 'YYYY-MM-DD') as jour from transmissions
    where organisme_id = ${cfa.id} order by received_at desc limit 1`);
  const [f] = await t.database.rows<{ id: number }>(sql`select formation_id as id from effectifs where formation_id is not null limit 1`);
  ids = { cfa: cfa.id, effectif: Number(e.id), jour: j.jour, organisme: cfa.id, formation: Number(f.id) };
  app = await serveApp(t.database);
  browser = await launchBrowser();
  for (const [visiteur, email] of [["admin", "administrateur@demo.test"], ["cfa", "cfa@demo.test"], ["anonyme", null]] as const) {
    const user = email ? await findUserByEmail(t.database, email) : null;
    contextes[visiteur] = await browserContext(browser, app, user ? { database: t.database, userId: user.id } : undefined);
  }
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe.skipIf(!available)("every page hydrates", () => {
  it("lists every page module of app/routes", () => {
    expect(Object.keys(PAGES).sort()).toEqual(pageModules());
  });

  const cas = Object.entries(PAGES).flatMap(([module, { path, visiteurs, status }]) => (visiteurs ?? ["admin"]).map((v) => [module, v, path, status ?? 200] as const));
  it.each(cas)("%s (%s)", async (_, visiteur, url, status) => {
    const page = await contextes[visiteur].newPage();
    const errors = collectPageErrors(page);
    const response = await page.goto(app.baseUrl + url(ids), { waitUntil: "networkidle" });
    expect(response?.status(), url(ids)).toBe(status);
    // React has hydrated the server's HTML (Remix marks it on the window) and nothing threw meanwhile
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
    await page.waitForTimeout(200);
    // a page answered 404 on purpose: the browser logs its status, nothing else may be logged
    const attendue = (e: string) => status !== 200 && e.startsWith(`Failed to load resource: the server responded with a status of ${status}`);
    expect(errors.filter((e) => !attendue(e)), url(ids)).toEqual([]);
    expect(await page.locator("main h1").first().textContent(), url(ids)).not.toMatch(/^Erreur/);
    // a button with an icon and a text shows its whole text (in a group, the DSFR wants fr-btns-group--icon-left
    // on the group, else it cuts such a button down to its icon)
    const rognes = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>(".fr-btn--icon-left, .fr-btn--icon-right")]
        .filter((b) => b.clientWidth > 0 && (b.textContent ?? "").trim() !== "" && b.scrollWidth > b.clientWidth + 1)
        .map((b) => (b.textContent ?? "").trim()),
    );
    expect(rognes, url(ids)).toEqual([]);
    // accessibility (RGAA): no critical, serious or moderate axe-core violation (skip links, heading order, names…)
    const violations = await seriousAxeViolations(page, { moderate: true });
    expect(violations, `${url(ids)} ${JSON.stringify(violations, null, 2)}`).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!available)("content security policy (decision 042)", () => {
  it("runs the page's own scripts, with this answer's nonce, and no script injected into it", async () => {
    const page = await contextes.admin.newPage();
    const errors = collectPageErrors(page);
    const violations: string[] = [];
    await page.exposeFunction("signalerViolation", (v: string) => violations.push(v));
    await page.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { signalerViolation(v: string): void }).signalerViolation(`${e.violatedDirective} ${e.blockedURI}`)),
    );
    const response = await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await page.waitForFunction(() => "__remixRouter" in window && document.readyState === "complete");
    const politique = (await response!.allHeaders())["content-security-policy"];
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]{24})'/.exec(politique)?.[1];
    expect(nonce, politique).toBeDefined();
    expect(politique).toContain("form-action 'self'");
    // each inline script of the page carries it (the browser hides the attribute, not the property)
    const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).map((s) => s.nonce));
    expect(inline.length).toBeGreaterThan(0);
    expect(new Set(inline)).toEqual(new Set([nonce]));
    // a new answer, a new nonce
    const autre = await fetch(`${app.baseUrl}/`);
    expect(autre.headers.get("content-security-policy")).not.toContain(nonce);
    expect(violations).toEqual([]);
    // a script put into the page as a learner's name could be (inline, or from another site) does not run
    const execute = await page.evaluate(async () => {
      const w = window as unknown as { injecte?: boolean };
      const script = document.createElement("script");
      script.textContent = "window.injecte = true";
      document.body.append(script);
      await new Promise((r) => setTimeout(r, 100));
      return w.injecte === true;
    });
    expect(execute).toBe(false);
    await expect.poll(() => violations).toEqual(["script-src-elem inline"]);
    // the client-side router still loads the next page's modules (from the site)
    violations.length = 0;
    await page.evaluate(() => (window as unknown as { __remixRouter: { navigate(to: string): Promise<void> } }).__remixRouter.navigate("/organismes"));
    await page.waitForURL(`${app.baseUrl}/organismes`);
    await page.locator("main h1").waitFor();
    expect(violations).toEqual([]);
    expect(errors.filter((e) => !/Content Security Policy/.test(e))).toEqual([]);
    await page.close();
  });
});

describe.skipIf(!available)("référentiel import from the admin page, in the browser", () => {
  it("sends the file with its CSRF token, follows the progress, shows the summary", async () => {
    const page = await contextes.admin.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.baseUrl}/admin/imports`, { waitUntil: "networkidle" });
    await page.waitForFunction(() => "__remixRouter" in window);
    await page.click('label[for="type-formations"]');
    await page.selectOption("#format", "catalogue");
    const csv = ["cfd;rncp;niveau;intitule", ...Array.from({ length: 300 }, (_, i) => `${88000000 + i};;4;Formation importée ${i}`), "ABC;;4;Code faux"];
    await page.setInputFiles("#fichier", { name: "catalogue-navigateur.csv", mimeType: "text/csv", buffer: Buffer.from(csv.join("\n")) });
    await Promise.all([page.waitForURL(/\/admin\/imports\?import=/), page.click('form[enctype="multipart/form-data"] button[type="submit"]')]);
    await page.locator('[data-testid="import-resume"]').waitFor({ timeout: 30_000 });
    const resume = await page.locator('[data-testid="import-resume"]').textContent();
    expect(resume).toContain("catalogue-navigateur.csv");
    expect(resume).toMatch(/300 créés, 0 mis à jour, 0 inchangé,/);
    expect(resume).toMatch(/1 ligne rejetée/);
    await screenshot(page, "admin-import-resume");
    expect(errors).toEqual([]);
    await page.close();
  });
});
