/**
 * The UI audit of the dashboards and exports in Chromium, on the demo dataset: a bad URL value leaves the valid
 * filters selected, as tags and in the figures; a search that found nothing keeps its text and says why under the
 * field; French months and dates in the 24-month table and the exports' preview; the minus sign in the changes;
 * the régions of /exports in French order. Needs `npm run -s build` and /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { browserAvailable, browserContext, collectPageErrors, launchBrowser, screenshot, serveApp, seriousAxeViolations } from "../helpers/browser";
import { seedDemo } from "../../app/demo/seed.server";
import { createUser } from "../../app/auth/accounts.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { libelleNiveau } from "../../app/tableaux/options";
import { formatDate, formatMois } from "../../app/ui/format";

process.env.COOKIE_SECURE = "0";

const available = browserAvailable();
const TODAY = todayIso();
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let browser: Browser;
let admin = 0;

function contexte(connecte = false): Promise<BrowserContext> {
  return browserContext(browser, app, connecte ? { database: t.database, userId: admin } : undefined);
}

beforeAll(async () => {
  if (!available) return;
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 1500, seed: 29, today: TODAY });
  const { user } = await createUser(t.database, { email: "admin@audit-navigateur.test", password: "Mot-de-passe-de-test-42", organisation: { type: "ADMINISTRATEUR" } as never });
  admin = user.id;
  app = await serveApp(t.database);
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe.skipIf(!available)("UI audit of the dashboards in Chromium", () => {
  it("keeps the valid filters when one value of the address is bad, and shows their figures", async () => {
    const context = await contexte();
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const response = await page.goto(`${app.baseUrl}/?niveau=3&sexe=F&mois=2026-13`, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(400);
    // said with the field's label (the address's parameter is « mois »), the field marked in error
    await expect(page.locator('[data-testid="erreurs"]').textContent()).resolves.toContain("Mois : mois invalide « 2026-13 »");
    expect(await page.locator("#filtre-mois").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#filtre-niveau").inputValue()).toBe("3");
    expect(await page.locator("#filtre-sexe").inputValue()).toBe("F");
    expect(await page.locator("#filtre-mois").inputValue()).toBe(TODAY.slice(0, 7));
    const tags = await page.locator('[data-testid="filtres-actifs"] a').allTextContents();
    expect(tags.map((s) => s.trim())).toEqual([`Niveau : ${libelleNiveau(3)}`, "Sexe : Femmes"]);
    await expect(page.locator('[data-testid="chiffre-apprenants"] [data-role="valeur"]').textContent()).resolves.toMatch(/[0-9]/);
    // Changes are written with the minus sign U+2212, never a hyphen.
    expect(await page.locator('[data-testid="chiffres-cles"]').textContent()).not.toMatch(/-[0-9]/);
    await screenshot(page, "audit-filtres-valides-gardes");
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await context.close();
  });

  it("keeps the text of a formation search that found nothing, with the reason under the field", async () => {
    const context = await contexte(true);
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/?formation=zzzz&niveau=4`, { waitUntil: "networkidle" });
    expect(await page.locator("#filtre-formation").inputValue()).toBe("zzzz");
    expect(await page.locator("#filtre-formation").getAttribute("aria-invalid")).toBe("true");
    await expect(page.locator('[data-testid="filtre-formation-erreur"]').textContent()).resolves.toBe("Aucune formation du catalogue ne correspond à « zzzz ».");
    expect(await page.locator("#filtre-cfa").inputValue()).toBe("");
    expect(await page.locator("#filtre-niveau").inputValue()).toBe("4");
    await expect(page.locator('[data-testid="chiffres-cles"]').count()).resolves.toBe(1);
    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await screenshot(page, "audit-recherche-formation-introuvable");
    await context.close();
  });

  it("writes the 24-month table with month names and dd/MM/yyyy dates", async () => {
    const context = await contexte(false);
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/?mois=2025-01`, { waitUntil: "networkidle" });
    const figure = page.locator('[data-testid="serie-mensuelle"]');
    const bouton = figure.locator("button[data-action=voir-donnees]");
    // wait until React has hydrated the button (else the click lands on inert HTML)
    await page.waitForFunction(() => Object.keys(document.querySelector('[data-testid="serie-mensuelle"] button[data-action=voir-donnees]') ?? {}).some((k) => k.startsWith("__reactProps")));
    await bouton.click();
    const derniere = figure.locator("table[data-role=donnees] tbody tr").last();
    expect((await derniere.locator("th, td").allTextContents()).slice(0, 2)).toEqual([formatMois("2025-01"), formatDate("2025-01-31")]);
    await context.close();
  });

  it("previews an export in French and lists the régions in French order", async () => {
    const context = await contexte(true);
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/exports?apercu=1&repartition=region&periode=date&date=${TODAY}`, { waitUntil: "networkidle" });
    const premiere = (await page.locator('[data-testid="apercu"] tbody tr').first().locator("td").allTextContents()).map((s) => s.trim());
    expect(premiere.slice(0, 3)).toEqual([formatMois(TODAY.slice(0, 7)), formatDate(TODAY), "Région"]);
    const regions = (await page.locator("#export-region option").allTextContents()).slice(1);
    expect(regions).toEqual([...regions].sort((a, b) => a.localeCompare(b, "fr")));
    expect(regions[regions.length - 1]).not.toBe("Île-de-France");
    await context.close();
  });
});
