/**
 * The upload page in Chromium: a signed-in CFA uploads a CSV, sees each row's errors cell by cell, adjusts the
 * mapping, imports, sees the result. Screenshots in test-results/. Needs `npm run -s build` and /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Browser } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { browserAvailable, browserContext, collectPageErrors, launchBrowser, screenshot, serveApp } from "../helpers/browser";
import { createUser } from "../../app/auth/accounts.server";
import { insertOrganisme, type TestOrganisme } from "../db/ingestion-fixtures";

process.env.COOKIE_SECURE = "0";

const available = browserAvailable();
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let browser: Browser;
let cfa: TestOrganisme;
let userId: number;

beforeAll(async () => {
  if (!available) return;
  t = await createTestDatabase({ territories: false });
  app = await serveApp(t.database);
  browser = await launchBrowser();
  cfa = await insertOrganisme(t.database, 51);
  const { user } = await createUser(t.database, {
    email: "cfa-navigateur@test.fr",
    password: "Mot-de-passe-de-test-42",
    organisation: { type: "ORGANISME_FORMATION", siret: cfa.siret, uai: cfa.uai },
  });
  userId = user.id;
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe.skipIf(!available)("téléversement in the browser", () => {
  it("upload → preview with errors per cell → adjusted mapping → import → result", async () => {
    const context = await browserContext(browser, app, { database: t.database, userId }, { viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/televersement`);
    await expect(page.locator("main h1").first().textContent()).resolves.toBe("Téléverser des effectifs");

    const csv =
      "\uFEFFNom;Prénom;Date de naissance;Année scolaire;Date d'inscription;Date d'entrée en formation;Date de fin de formation;Date de début de contrat;Remarque\n" +
      "Navigateur;Valide;01/02/2006;2024-2025;01/06/2024;02/09/2024;30/06/2026;02/09/2024;rien\n" +
      "Navigateur;Erreur;31/02/2006;2024-2025;01/06/2024;02/09/2024;30/06/2026;32/09/2024;rien\n";
    await page.setInputFiles("#fichier", { name: "effectifs.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.fill("#erp", "Tableur");
    await Promise.all([page.waitForURL(/\/televersement\?id=/), page.click("button[type=submit]")]);

    await page.waitForSelector("td.cellule-erreur");
    expect(await page.locator('tr[data-etat="erreur"]').count()).toBe(1);
    expect(await page.locator('tr[data-etat="ok"]').count()).toBe(1);
    const errorCells = page.locator('tr[data-ligne="3"] td.cellule-erreur');
    expect(await errorCells.count()).toBe(2);
    await expect(errorCells.first().textContent()).resolves.toMatch(/Date de naissance : « 31\/02\/2006 » n'existe pas : date attendue au format JJ\/MM\/AAAA \(ex\. 28\/02\/2006\)/);
    expect(await page.locator("#col_8").inputValue()).toBe(""); // "Remarque": not recognised
    await screenshot(page, "televersement-apercu");

    // ignore the contract column: the second row keeps only its birth date error
    await page.selectOption("#col_7", "");
    await Promise.all([page.waitForURL(/col_7=&/), page.click("text=Mettre à jour l'aperçu")]);
    // The old preview stays on screen until the new one renders: poll (fails after 10 s).
    await expect.poll(() => page.locator('tr[data-ligne="3"] td.cellule-erreur').count(), { timeout: 10_000 }).toBe(1);
    // the new preview takes the focus: a screen reader reads its heading, the next Tab goes through it
    await expect.poll(() => page.evaluate(() => document.activeElement?.id), { timeout: 5_000 }).toBe("apercu");

    // while the import runs (its answer held back here): what is happening, in a status region, with a progress bar
    expect((await page.locator('[data-testid="travail-en-cours"]').textContent())?.trim()).toBe("");
    expect(await page.locator('[data-testid="travail-en-cours"]').getAttribute("role")).toBe("status");
    let liberer = () => {};
    const retenue = new Promise<void>((r) => (liberer = r));
    await page.route(/\/televersement/, async (route) => (route.request().method() === "POST" ? retenue.then(() => route.continue()) : route.continue()));
    await page.click("text=Importer 1 ligne valide");
    await expect
      .poll(() => page.locator('[data-testid="travail-en-cours"]').textContent(), { timeout: 5_000 })
      .toBe("Import de 1 ligne en cours : un fichier de plusieurs milliers de lignes peut demander jusqu'à une minute. Gardez cette page ouverte, le résultat s'affichera ici.");
    expect(await page.locator('[data-testid="travail-en-cours"] progress').count()).toBe(1);
    await screenshot(page, "televersement-import-en-cours");
    liberer();
    await page.waitForSelector("text=Import terminé");
    await page.unroute(/\/televersement/);
    await expect(page.locator(".fr-alert").first().textContent()).resolves.toMatch(/1 ligne enregistrée : 1 nouvel apprenant, 0 mis à jour, 0 inchangé ; 1 ligne refusée/);
    await screenshot(page, "televersement-resultat");
    const rows = await t.database.rows<{ prenom: string; n: number }>(
      sql`select e.prenom, (select count(*)::int from contrats c where c.effectif_id = e.id) n from effectifs e where e.nom = 'Navigateur'`,
    );
    expect(rows).toEqual([{ prenom: "Valide", n: 0 }]);
    await context.close();
  });

  it("a file over 10 Mo: the page says so under the file field (the rest of the body read and dropped, not a reset)", async () => {
    const context = await browserContext(browser, app, { database: t.database, userId });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const televersements = async () => (await t.database.rows<{ n: number }>(sql`select count(*)::int as n from televersements`))[0].n;
    const avant = await televersements();
    await page.goto(`${app.baseUrl}/televersement`, { waitUntil: "networkidle" });
    await page.waitForFunction(() => "__remixRouter" in window);
    const ligne = "Navigateur;Trop gros;01/02/2006;2024-2025;01/06/2024;02/09/2024;30/06/2026;02/09/2024;" + "x".repeat(900) + "\n";
    const csv = "Nom;Prénom;Date de naissance;Année scolaire;Date d'inscription;Date d'entrée en formation;Date de fin de formation;Date de début de contrat;Remarque\n" + ligne.repeat(12_500);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(11 * 1024 * 1024);
    await page.setInputFiles("#fichier", { name: "trop-gros.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.locator("button", { hasText: "Vérifier le fichier" }).click();
    await page.locator("#fichier-erreur").waitFor({ timeout: 30_000 });
    expect(await page.locator("#fichier-erreur").textContent()).toContain("Le fichier dépasse 10 Mo, la taille maximale acceptée : découpez-le en plusieurs fichiers.");
    expect(page.url()).toBe(`${app.baseUrl}/televersement`);
    await screenshot(page, "televersement-trop-gros");
    expect(errors.filter((e) => !/status of 413/.test(e))).toEqual([]);
    expect(await televersements()).toBe(avant);
    await context.close();
  });

  it("the selects show the mapping applied: a field chosen twice is set aside and said; Back shows the earlier mapping", async () => {
    const context = await browserContext(browser, app, { database: t.database, userId }, { viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/televersement`);
    const csv =
      "Nom;Prénom;Date de naissance;Date d'inscription;Date d'entrée en formation;Date de fin de formation;Nom d'usage\n" +
      "Doublon;Select;01/02/2006;01/06/2024;02/09/2024;30/06/2026;Usage\n";
    await page.setInputFiles("#fichier", { name: "doublon.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await Promise.all([page.waitForURL(/\/televersement\?id=/), page.click("button[type=submit]")]);
    await page.waitForSelector("#col_6");
    expect(await page.locator("#col_2").inputValue()).toBe("date_de_naissance_apprenant");
    expect(await page.locator("#col_6").inputValue()).toBe("");
    // the automatic mapping says why « Nom d'usage » is left out
    await expect(page.locator(".fr-callout").textContent()).resolves.toContain("Les colonnes « Nom » et « Nom d'usage » correspondent toutes au champ « Nom »");

    await page.selectOption("#col_2", "");
    await page.selectOption("#col_6", "nom_apprenant");
    await Promise.all([page.waitForURL(/col_6=nom_apprenant/), page.click("text=Mettre à jour l'aperçu")]);
    await expect.poll(() => page.locator(".fr-callout").textContent(), { timeout: 10_000 }).toContain("étaient associées au même champ « Nom »");
    // the server kept « Nom » on the first column: the select says so, like the import's hidden field
    expect(await page.locator("#col_6").inputValue()).toBe("");
    expect(await page.locator('input[type=hidden][name="col_6"]').inputValue()).toBe("");
    expect(await page.locator("#col_2").inputValue()).toBe("");
    await screenshot(page, "televersement-doublon");

    // Back: the automatic mapping again, in the selects as in the preview and the import
    await page.goBack();
    await expect.poll(() => page.locator("#col_2").inputValue(), { timeout: 10_000 }).toBe("date_de_naissance_apprenant");
    expect(await page.locator('input[type=hidden][name="col_2"]').inputValue()).toBe("date_de_naissance_apprenant");
    expect(await page.locator("#col_6").inputValue()).toBe("");
    await context.close();
  });
});
