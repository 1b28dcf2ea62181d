/**
 * The pages opened from an e-mail's single-use link, in Chromium: a forgotten password is reset, an invitation is
 * accepted, by filling their forms as a person does. A browser sends the Origin header of a form by the page's
 * referrer policy ("no-referrer" sends "Origin: null", which the CSRF check refuses): the forms must go through.
 * Needs `npm run -s build` and Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { browserAvailable, browserContext, collectPageErrors, launchBrowser, screenshot, serveApp } from "../helpers/browser";
import { attendreMail } from "../helpers/mails";
import { emailOf, seedAccounts, seedReferentiel } from "../db/auth-fixtures";

process.env.COOKIE_SECURE = "0";

const available = browserAvailable();
const NOUVEAU = "Un-mot-de-passe-tout-neuf-2026";

let t: TestDatabase;
let app: Awaited<ReturnType<typeof serveApp>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

beforeAll(async () => {
  if (!available) return;
  t = await createTestDatabase();
  await seedAccounts(t.database, await seedReferentiel(t.database));
  app = await serveApp(t.database);
  browser = await launchBrowser();
  context = await browserContext(browser, app);
  page = await context.newPage();
  errors = collectPageErrors(page);
}, 120_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
  await t?.drop();
});

/** The path of the last link of this kind e-mailed to `email` (some e-mails go out in the background: waited for). */
async function lien(email: string, chemin: string): Promise<string> {
  const motif = new RegExp(`(/${chemin}/[A-Za-z0-9_-]{43})`);
  return (await attendreMail(email, motif)).text.match(motif)![1];
}

describe.skipIf(!available)("links sent by e-mail, in the browser", () => {
  it("a forgotten password is reset from the e-mailed link", async () => {
    const email = emailOf("DDETS");
    await page.goto(`${app.baseUrl}/mot-de-passe-oublie`, { waitUntil: "networkidle" });
    await page.fill('input[name="email"]', email);
    await page.click('main form[method="post"] button[type="submit"]');
    await page.locator("main", { hasText: "Si un compte existe pour cette adresse" }).waitFor();
    await page.goto(app.baseUrl + (await lien(email, "reinitialiser-mot-de-passe")), { waitUntil: "networkidle" });
    await page.fill('input[name="password"]', NOUVEAU);
    await page.fill('input[name="confirmation"]', NOUVEAU);
    await Promise.all([page.waitForURL(/\/connexion\?reinitialise/), page.click('main form[method="post"] button[type="submit"]')]);
    await screenshot(page, "jetons-mot-de-passe-reinitialise");
    expect(errors).toEqual([]);
  });

  it("an invitation is accepted from the e-mailed link", async () => {
    const admin = await browser.newContext({ locale: "fr-FR" });
    const adminPage = await admin.newPage();
    await adminPage.goto(`${app.baseUrl}/connexion`, { waitUntil: "networkidle" });
    await adminPage.fill('input[name="email"]', emailOf("DREETS_ADMIN"));
    await adminPage.fill('input[name="password"]', "Mot-de-passe-de-test-42");
    await Promise.all([adminPage.waitForURL((u) => !u.pathname.startsWith("/connexion")), adminPage.click('main form[method="post"] button[type="submit"]')]);
    await adminPage.goto(`${app.baseUrl}/admin/utilisateurs`, { waitUntil: "networkidle" });
    const invitation = adminPage.locator("form", { has: adminPage.locator('input[name="intent"][value="inviter"]') });
    await invitation.locator('input[name="email"]').fill("nouvelle.collegue@dreets.fr");
    await invitation.locator('button[type="submit"]').click();
    await adminPage.locator("main", { hasText: "Invitation envoyée à nouvelle.collegue@dreets.fr" }).waitFor();
    await admin.close();

    await page.goto(app.baseUrl + (await lien("nouvelle.collegue@dreets.fr", "invitation")), { waitUntil: "networkidle" });
    await page.fill('input[name="prenom"]', "Camille");
    await page.fill('input[name="nom"]', "Collègue");
    await page.fill('input[name="password"]', NOUVEAU);
    await page.fill('input[name="confirmation"]', NOUVEAU);
    await Promise.all([page.waitForURL(/\/compte\?bienvenue/), page.click('main form[method="post"] button[type="submit"]')]);
    await page.locator("main", { hasText: "Votre compte est créé" }).waitFor();
    await screenshot(page, "jetons-invitation-acceptee");
    expect(errors).toEqual([]);
  });
});
