/**
 * Every public page renders in Chromium from a seeded database: its title, no console error, no serious or
 * critical axe-core violation, and a screenshot under test-results/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { browserAvailable, collectPageErrors, launchBrowser, screenshot, serveApp, seriousAxeViolations } from "../helpers/browser";
import { seedDemo } from "../../app/demo/seed.server";

const TODAY = new Date().toISOString().slice(0, 10);

describe.skipIf(!browserAvailable())("public pages in Chromium", () => {
  let t: TestDatabase;
  let app: Awaited<ReturnType<typeof serveApp>>;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemo(t.database, { effectifs: 3000, seed: 7, today: TODAY });
    app = await serveApp(t.database);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.drop();
  });

  const pages = [
    { path: "/", name: "accueil", heading: /apprentissage/i },
    { path: "/organismes", name: "repertoire-organismes", heading: /Répertoire des organismes/ },
    { path: "/formations", name: "catalogue-formations", heading: /formations/i },
  ];

  it.each(pages)("$path renders with no error and no serious accessibility violation", async ({ path, name, heading }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = collectPageErrors(page);
    const response = await page.goto(app.baseUrl + path, { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await expect(page.locator("h1").last().textContent()).resolves.toMatch(heading);
    await screenshot(page, `page-${name}`);
    const violations = await seriousAxeViolations(page);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
