/**
 * The dashboards in Chromium, on the demo dataset: every page renders without error nor serious/critical axe
 * violation (screenshot of each under test-results/); changing a filter changes the figures and the back button
 * undoes it; a click on a map drills down; every chart's CSV and XLSX are its "Voir les données" table and what it
 * counts (« Filtres »); sorting and paging a table; the page is readable without JavaScript; the server SVG of the
 * charts defines each id once, its hover styles apply, and hydration draws over it. Needs `npm run -s build` and
 * /usr/bin/chromium.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { browserAvailable, browserContext, collectPageErrors, launchBrowser, screenshot, serveApp, seriousAxeViolations } from "../helpers/browser";
import { seedDemo } from "../../app/demo/seed.server";
import { createUser } from "../../app/auth/accounts.server";
import { indicateurs } from "../../app/indicateurs/indicateurs.server";
import { parseCsv } from "../../app/shared/csv";
import { readXlsx } from "../../app/shared/xlsx.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { NATIONAL } from "../../app/auth/policy.server";

process.env.COOKIE_SECURE = "0";

const available = browserAvailable();
const TODAY = todayIso();
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let browser: Browser;
const comptes: Record<string, number> = {};
let organismeId = 0;
let formationId = 0;

async function compte(nom: string, organisation: Record<string, string>) {
  const { user } = await createUser(t.database, { email: `${nom}@navigateur.test`, password: "Mot-de-passe-de-test-42", organisation: organisation as never });
  comptes[nom] = user.id;
}

function contexte(qui?: string, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  return browserContext(browser, app, qui ? { database: t.database, userId: comptes[qui] } : undefined, options);
}

/** The text of a headline card's value ("12 345" → 12345). */
async function chiffre(page: Page, cle: string): Promise<number> {
  const text = await page.locator(`[data-testid="chiffre-${cle}"] [data-role="valeur"]`).textContent();
  return Number((text ?? "").replace(/[\s\u202f\u00a0]/g, ""));
}

/** Waits until the charts are hydrated (ECharts replaced the server SVG in every chart). */
async function hydrate(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => [...document.querySelectorAll(".chart-canvas")].every((el) => el.querySelector("svg") && el.children.length >= 1));
  // the server's SVG is there before React: wait until React has hydrated the charts' buttons (their props are
  // attached), else a click under load lands on inert HTML and is lost
  await page.waitForFunction(() =>
    [...document.querySelectorAll("button[data-action=voir-donnees]")].every((b) => Object.keys(b).some((k) => k.startsWith("__reactProps"))),
  );
}

beforeAll(async () => {
  if (!available) return;
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 3000, seed: 5, today: TODAY });
  await compte("admin", { type: "ADMINISTRATEUR" });
  await compte("dreets", { type: "DREETS", regionCode: "84" });
  const [o] = await t.database.rows<{ id: number }>(sql`
    select o.id from organismes o join effectifs e on e.organisme_formateur_id = o.id where o.region_code = '84' group by o.id order by count(*) desc limit 1`);
  organismeId = Number(o.id);
  const [f] = await t.database.rows<{ id: number }>(sql`
    select f.id from formations f join effectifs e on e.formation_id = f.id where f.cfd is not null group by f.id order by count(*) desc limit 1`);
  formationId = Number(f.id);
  app = await serveApp(t.database);
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe.skipIf(!available)("dashboards in Chromium", () => {
  const pages = [
    { nom: "national-public", chemin: "/", h1: "L'apprentissage en France" },
    { nom: "region-public", chemin: "/regions/84", h1: "Auvergne-Rhône-Alpes" },
    { nom: "national-administrateur", chemin: "/", h1: "L'apprentissage en France", qui: "admin" },
    { nom: "national-dreets", chemin: "/", h1: "L'apprentissage dans votre périmètre", qui: "dreets" },
    { nom: "departement", chemin: "/departements/69", h1: "Rhône (69)", qui: "dreets" },
    { nom: "academie", chemin: "/academies/10", h1: "Académie de Lyon", qui: "dreets" },
    { nom: "organisme", chemin: () => `/organismes/${organismeId}/tableau-de-bord`, h1: /.+/, qui: "dreets" },
    { nom: "formation", chemin: () => `/formations/${formationId}/tableau-de-bord`, h1: /.+/ },
    { nom: "exports", chemin: "/exports?apercu=1&repartition=region&periode=mois", h1: "Exports des indicateurs", qui: "admin" },
  ];

  it.each(pages)("$nom renders with no error and no serious accessibility violation", async ({ nom, chemin, h1, qui }) => {
    const context = await contexte(qui);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const response = await page.goto(app.baseUrl + (typeof chemin === "function" ? chemin() : chemin), { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    const titre = await page.locator("main h1").first().textContent();
    if (typeof h1 === "string") expect(titre).toBe(h1);
    else expect(titre).toMatch(h1);
    if (nom !== "exports") await hydrate(page);
    await screenshot(page, `tableau-${nom}`);
    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("changes the figures when a filter changes, and the back button restores them", async () => {
    const context = await contexte("admin");
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    const avant = await chiffre(page, "apprenants");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { niveau: [3] } });
    expect(avant).toBeGreaterThan(attendu.compteurs.apprenants);
    await page.selectOption("#filtre-niveau", "3");
    await Promise.all([page.waitForURL(/niveau=3/), page.click('[data-testid="filtres"] button[type=submit]')]);
    await expect.poll(() => chiffre(page, "apprenants")).toBe(attendu.compteurs.apprenants);
    expect(await page.locator('[data-testid="filtres-actifs"]').textContent()).toContain("Niveau : 3");
    await screenshot(page, "tableau-national-filtre-niveau-3");
    await page.goBack();
    await page.waitForURL(`${app.baseUrl}/`);
    await expect.poll(() => chiffre(page, "apprenants")).toBe(avant);
    // The territory select goes to the territory's page, the other filters kept.
    await page.selectOption("#filtre-niveau", "3");
    await page.selectOption("#filtre-territoire", "region:84");
    await Promise.all([page.waitForURL(/\/regions\/84\?niveau=3$/), page.click('[data-testid="filtres"] button[type=submit]')]);
    const region = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { niveau: [3], region: ["84"] } });
    await expect.poll(() => chiffre(page, "apprenants")).toBe(region.compteurs.apprenants);
    await expect.poll(() => page.locator("main h1").first().textContent()).toBe("Auvergne-Rhône-Alpes");
    // Reset.
    await Promise.all([page.waitForURL(/\/regions\/84$/), page.click("text=Réinitialiser les filtres")]);
    await context.close();
  });

  it("drills down when a territory of a map is clicked", async () => {
    const context = await contexte("admin");
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.baseUrl}/?niveau=5`, { waitUntil: "networkidle" });
    await hydrate(page);
    // A point inside the biggest territory of the régions map (hit-tested in the page).
    await page.locator('[data-testid="carte-apprenants-region"] .chart-canvas').scrollIntoViewIfNeeded();
    const point = await page.evaluate(() => {
      const svg = document.querySelector('[data-testid="carte-apprenants-region"] .chart-canvas svg')!;
      const paths = [...svg.querySelectorAll("path")].filter((p) => !["none", "#929292"].includes(p.getAttribute("fill") ?? "none"));
      const grand = paths
        .map((p) => ({ p, r: p.getBoundingClientRect() }))
        .filter(({ r }) => r.width < 400)
        .sort((a, b) => b.r.width * b.r.height - a.r.width * a.r.height)[0];
      for (let fy = 0.5; fy < 1; fy += 0.05) {
        for (let fx = 0.5; fx < 1; fx += 0.05) {
          for (const [x, y] of [
            [grand.r.left + grand.r.width * fx, grand.r.top + grand.r.height * fy],
            [grand.r.left + grand.r.width * (1 - fx), grand.r.top + grand.r.height * (1 - fy)],
          ]) {
            if (document.elementFromPoint(x, y) === grand.p) return { x, y };
          }
        }
      }
      return null;
    });
    expect(point).not.toBeNull();
    await page.mouse.move(point!.x, point!.y);
    await Promise.all([page.waitForURL(/\/regions\/[0-9]{2}\?niveau=5$/), page.mouse.click(point!.x, point!.y)]);
    const code = new URL(page.url()).pathname.split("/")[2];
    const [region] = await t.database.rows<{ nom: string }>(sql`select nom from regions where code = ${code}`);
    await expect.poll(() => page.locator("main h1").first().textContent()).toBe(region.nom);
    await hydrate(page);
    // …and from the région, a département of its map.
    await page.locator('[data-testid="carte-apprenants-departement"] .chart-canvas').scrollIntoViewIfNeeded();
    const dep = await page.evaluate(() => {
      const svg = document.querySelector('[data-testid="carte-apprenants-departement"] .chart-canvas svg')!;
      const paths = [...svg.querySelectorAll("path")].filter((p) => /^rgb/.test(p.getAttribute("fill") ?? "") || /^#(?!eeeeee|929292)/.test(p.getAttribute("fill") ?? ""));
      for (const p of paths) {
        const r = p.getBoundingClientRect();
        if (r.width < 4) continue;
        for (let f = 0.3; f < 0.8; f += 0.05) {
          const x = r.left + r.width * f;
          const y = r.top + r.height * f;
          if (document.elementFromPoint(x, y) === p && p.getAttribute("fill") !== "#eeeeee") return { x, y };
        }
      }
      return null;
    });
    expect(dep).not.toBeNull();
    await page.mouse.move(dep!.x, dep!.y);
    await Promise.all([page.waitForURL(/\/departements\/[0-9AB]{2,3}\?niveau=5$/), page.mouse.click(dep!.x, dep!.y)]);
    await screenshot(page, "tableau-departement-apres-clic-carte");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("gives every chart a CSV equal to its table", async () => {
    const context = await contexte();
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await hydrate(page);
    const figures = page.locator("figure:has(button[data-action=voir-donnees])");
    const n = await figures.count();
    expect(n).toBeGreaterThanOrEqual(7);
    for (let i = 0; i < n; i++) {
      const figure = figures.nth(i);
      await figure.locator("button[data-action=voir-donnees]").click();
      const table = await figure.locator("table[data-role=donnees]").evaluate((tbl) =>
        [...tbl.querySelectorAll("tr")].map((tr) => [...tr.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())),
      );
      const csv = await figure.locator("a[data-action=csv]").evaluate(async (a) => (await fetch((a as HTMLAnchorElement).href)).text());
      expect(await figure.locator("a[data-action=csv]").getAttribute("download"), `figure ${i}`).toMatch(/^national-\d{4}-\d{2}-.+\.csv$/);
      const rows = [parseCsv(csv).header, ...parseCsv(csv).records.map((r) => r.fields)];
      const normalise = (s: string) => s.replace(/[\s\u202f\u00a0]/g, "").replace(/^(-?[0-9]+),([0-9])$/, "$1.$2");
      // the table's cells, then what the figures count (« Filtres »: the scope and the day, as the exports write it)
      expect(table.map((r) => r.map(normalise)), `figure ${i}`).toEqual(rows.map((r) => r.slice(0, -1).map(normalise)));
      expect(rows.map((r) => r.at(-1)), `figure ${i}`).toEqual(["Filtres", ...rows.slice(1).map(() => expect.stringMatching(/^Périmètre : France entière · Date : \d{2}\/\d{2}\/\d{4}$/))]);
      expect(table.length).toBeGreaterThan(1);
      // the XLSX made in the browser holds the same cells (its codes as text, its days as dates read back JJ/MM/AAAA),
      // in a sheet named short and whole, and a « Paramètres » sheet
      const [telechargement] = await Promise.all([page.waitForEvent("download"), figure.locator("button[data-action=xlsx]").click()]);
      expect(telechargement.suggestedFilename()).toMatch(/^national-.+\.xlsx$/);
      const [feuille, parametres] = readXlsx(fs.readFileSync((await telechargement.path())!));
      expect(feuille.name.length).toBeLessThanOrEqual(31);
      expect(parametres.name).toBe("Paramètres");
      const sansFin = (r: string[]) => r.slice(0, r.findLastIndex((c) => c !== "") + 1);
      expect(feuille.rows.map((r) => sansFin(r).map(normalise)), `figure ${i} (XLSX)`).toEqual(rows.map((r) => sansFin(r).map(normalise)));
    }
    await context.close();
  });

  it("sorts a table by a column (aria-sort) and pages it, keyboard included", async () => {
    const context = await contexte("admin");
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    const table = page.locator('[data-testid="table-formations"]');
    await expect(table.locator('th[aria-sort="descending"]').textContent()).resolves.toContain("Apprenants");
    await table.getByRole("link", { name: "Formation", exact: true }).focus();
    await Promise.all([page.waitForURL(/tri_f=libelle&ordre_f=asc/), page.keyboard.press("Enter")]);
    await table.locator('th[aria-sort="ascending"]').waitFor();
    await expect(table.locator('th[aria-sort="ascending"]').textContent()).resolves.toContain("Formation");
    const noms = await table.locator("tbody th").allTextContents();
    expect(noms).toEqual([...noms].sort((a, b) => a.localeCompare(b, "fr")));
    await Promise.all([page.waitForURL(/page_f=2/), table.locator("a", { hasText: "Page suivante" }).click()]);
    await table.locator('.fr-pagination__link[aria-current="page"]', { hasText: "2" }).waitFor();
    const page2 = await table.locator("tbody th").allTextContents();
    expect(page2[0].localeCompare(noms[noms.length - 1], "fr")).toBeGreaterThanOrEqual(0);
    await context.close();
  });

  it("defines each id once, in the server's SVG and once hydrated; the server SVG's hover styles apply (RGAA 8.2, QA)", async () => {
    const doublons = (page: Page) =>
      page.evaluate(() => {
        const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
        return ids.filter((id, i) => ids.indexOf(id) !== i);
      });
    // without JavaScript: the server's SVG, the two maps of the QA report drawn from the same shapes
    const sans = await contexte("admin", { javaScriptEnabled: false });
    let page = await sans.newPage();
    await page.goto(`${app.baseUrl}/`);
    await page.locator('[data-testid="carte-couverture-departement"] .chart-canvas svg').waitFor();
    expect(await doublons(page)).toEqual([]);
    // a territory of the coverage map, hovered, takes the hover colour of its own SVG's style (#fcc63a)
    const carte = page.locator('[data-testid="carte-couverture-departement"] .chart-canvas');
    await carte.scrollIntoViewIfNeeded();
    const point = await carte.evaluate((el) => {
      const svg = el.querySelector("svg")!;
      const regle = [...svg.querySelectorAll("style")].map((s) => s.textContent ?? "").join("").match(/\.([\w-]+):hover \{[^}]*fill:#fcc63a/);
      const paths = regle ? [...svg.querySelectorAll(`path.${regle[1]}`)] : [];
      for (const p of paths) {
        const r = p.getBoundingClientRect();
        if (r.width < 8) continue;
        const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
        if (document.elementFromPoint(x, y) === p) return { x, y, classe: regle![1] };
      }
      return null;
    });
    expect(point).not.toBeNull();
    expect(point!.classe).toMatch(/^graphique-/);
    await page.mouse.move(point!.x, point!.y);
    const survol = await page.evaluate(({ x, y }) => getComputedStyle(document.elementFromPoint(x, y)!).fill, point!);
    expect(survol).toBe("rgb(252, 198, 58)");
    await sans.close();
    // hydrated: ECharts draws its own SVG over the server's, and the ids stay unique
    const avec = await contexte("admin");
    page = await avec.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await hydrate(page);
    expect(await page.locator(".chart-canvas svg").count()).toBeGreaterThanOrEqual(8);
    expect(await page.locator('.chart-canvas [id^="graphique-"]').count()).toBe(0);
    expect(await doublons(page)).toEqual([]);
    expect(errors).toEqual([]);
    await avec.close();
  });

  it("is readable without JavaScript: server-rendered charts and their tables", async () => {
    const context = await contexte(undefined, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/regions/84?niveau=4`);
    expect(await page.locator(".chart-canvas svg").count()).toBeGreaterThanOrEqual(7);
    expect(await page.locator("table[data-role=donnees]").count()).toBeGreaterThanOrEqual(7);
    await expect(page.locator('[data-testid="chiffre-apprenants"]').textContent()).resolves.toMatch(/Apprenants/);
    await screenshot(page, "tableau-region-sans-javascript");
    await context.close();
  });

  it("explains a bad URL value in French, shows another région as the public sees it, and refuses a département outside the scope", async () => {
    const context = await contexte("dreets");
    const page = await context.newPage();
    const mauvais = await page.goto(`${app.baseUrl}/?niveau=12`);
    expect(mauvais?.status()).toBe(400);
    await expect(page.locator('[data-testid="erreurs"]').textContent()).resolves.toContain("Niveau de formation : niveau invalide « 12 » (3 à 8 attendu)");
    // signing in never reduces what one sees: another région is the public's page, saying why
    const publique = await page.goto(`${app.baseUrl}/regions/11`);
    expect(publique?.status()).toBe(200);
    await expect(page.locator('[data-testid="hors-perimetre"]').textContent()).resolves.toMatch(/hors du périmètre de votre organisation \(Auvergne-Rhône-Alpes\)/);
    await screenshot(page, "tableau-autre-region-vue-publique");
    const refus = await page.goto(`${app.baseUrl}/departements/75`);
    expect(refus?.status()).toBe(403);
    await expect(page.locator('[data-testid="message-erreur"]').textContent()).resolves.toMatch(/hors du périmètre/);
    await screenshot(page, "tableau-refus-hors-perimetre");
    await context.close();
  });

  it("says which filter empties a dashboard: an organisme with no site in the région asked", async () => {
    const [o] = await t.database.rows<{ siret: string }>(sql`select siret from organismes where id = ${organismeId}`);
    const context = await contexte("admin");
    const page = await context.newPage();
    const vide = await page.goto(`${app.baseUrl}/regions/11?organisme=${o.siret}`);
    expect(vide?.status()).toBe(200);
    await hydrate(page);
    const raisons = page.locator('[data-testid="vide"] [data-testid="pourquoi-vide"] li');
    await expect(raisons.count()).resolves.toBe(1);
    await expect(raisons.first().textContent()).resolves.toMatch(new RegExp(`^organisme : .+ \\(SIRET ${o.siret}\\) n'a aucun organisme formateur dans le territoire choisi`));
    await expect(raisons.first().isVisible()).resolves.toBe(true);
    await screenshot(page, "tableau-vide-explique");
    await context.close();
  });
});
