/**
 * Keyboard and screen-reader use in Chromium (RGAA: focus, error messages tied to their field, titles, skip links,
 * scrollable tables): after a form sent or a link followed inside the app, the focus is never left on the page's body;
 * a password error is the field's description; the dashboard's filters give the focus back to the button that applied
 * them; a list's page followed sends the focus to the list's table; an error page's <title> says the error; on a
 * narrow screen the "Menu" skip link goes to the menu's button; a table wider than the screen can be scrolled from the
 * keyboard; the "Paramètres d'affichage" dialog gives the focus back to the button that opened it. Screenshots under test-results/clavier-*.png.
 * Needs `npm run -s build` and /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { TestDatabase } from "../helpers/db";
import { browserAvailable, browserContext, collectPageErrors, demoTestDatabase, launchBrowser, screenshot, serveApp } from "../helpers/browser";
import { findUserByEmail } from "../../app/auth/accounts.server";

process.env.COOKIE_SECURE = "0";

const available = browserAvailable();
const TODAY = new Date().toISOString().slice(0, 10);

let t: TestDatabase;
let app: Awaited<ReturnType<typeof serveApp>>;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  t = await demoTestDatabase({ seed: 11, today: TODAY, effectifs: 1500 });
  app = await serveApp(t.database);
  browser = await launchBrowser();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

/** A description of the focused element: tag, id, text or name. */
function focused(page: Page) {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return "body";
    return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${e.dataset.focus ? `[${e.dataset.focus}]` : ""} ${(e.getAttribute("aria-label") ?? e.textContent ?? "").trim().slice(0, 60)}`;
  });
}

async function signedIn(email: string, viewport?: { width: number; height: number }) {
  const user = await findUserByEmail(t.database, email);
  const context = await browserContext(browser, app, { database: t.database, userId: user!.id }, viewport ? { viewport } : {});
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page) };
}

describe.skipIf(!available)("keyboard and screen readers", () => {
  it("a sign-in refused: the focus goes to the error, and the password's error is its description", async () => {
    const context = await browserContext(browser, app);
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/connexion`, { waitUntil: "networkidle" });
    await page.fill('input[name="email"]', "cfa@demo.test");
    // an empty password, sent as a browser without the `required` check would send it
    await page.evaluate(() => document.querySelector('input[name="password"]')!.removeAttribute("required"));
    await page.press('input[name="password"]', "Enter");
    await page.waitForSelector('[role="alert"], .fr-alert', { timeout: 10_000 });
    await page.waitForLoadState("networkidle");
    expect(await focused(page)).not.toBe("body");
    // the password field, when it is in error, is described by its message
    const description = await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('input[name="password"]')!;
      const ids = (input.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
      return { invalid: input.getAttribute("aria-invalid"), texte: ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" ") };
    });
    expect(description.invalid).toBe("true");
    expect(description.texte.trim()).not.toBe("");
    await screenshot(page, "clavier-connexion-erreur");
    await context.close();
  });

  it("the dashboard's filters applied from the keyboard give the focus back to the button", async () => {
    const { context, page, errors } = await signedIn("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await page.selectOption("#filtre-sexe", "F").catch(() => undefined);
    await page.focus('[data-testid="filtres"] button[type="submit"]');
    await Promise.all([page.waitForURL(/[?&]/), page.keyboard.press("Enter")]);
    await page.waitForLoadState("networkidle");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toMatch(/^button\[appliquer\] Appliquer les filtres/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a page opened from the header's menu by keyboard: menu closed, focus on its title", async () => {
    const { context, page } = await signedIn("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    const bouton = page.locator("#fr-header-main-navigation button", { hasText: "Référentiel" });
    await bouton.focus();
    await page.keyboard.press("Enter");
    const lien = page.locator("#fr-header-main-navigation a", { hasText: /^Organismes$/ }).first();
    await lien.waitFor({ state: "visible" });
    await lien.focus();
    await Promise.all([page.waitForURL(/\/organismes/), page.keyboard.press("Enter")]);
    await page.waitForLoadState("networkidle");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toMatch(/^h1/);
    await expect.poll(() => bouton.getAttribute("aria-expanded"), { timeout: 5_000 }).toBe("false");
    await screenshot(page, "clavier-menu-referentiel");
    await context.close();
  });

  it("a page number followed from the keyboard: the focus is on the list's table, which says its page", async () => {
    const { context, page } = await signedIn("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/organismes`, { waitUntil: "networkidle" });
    const deux = page.locator('nav.fr-pagination a[title="Page 2"]').first();
    await deux.focus();
    await Promise.all([page.waitForURL(/page=2/), page.keyboard.press("Enter")]);
    await page.waitForLoadState("networkidle");
    await expect.poll(() => focused(page), { timeout: 5_000 }).toMatch(/^table#repertoire-liste Organismes, page 2 sur/);
    // the current page is still marked in the pagination
    expect(await page.locator('nav.fr-pagination a[aria-current="page"]').first().textContent()).toBe("2");
    await context.close();
  });

  it("each button of the accounts page names whom it acts on", async () => {
    const { context, page } = await signedIn("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/admin/utilisateurs`, { waitUntil: "networkidle" });
    const noms = await page.locator("main table button").evaluateAll((boutons) => boutons.map((b) => (b.textContent ?? "").replace(/\s+/g, " ").trim()));
    expect(noms.length).toBeGreaterThan(1);
    expect(new Set(noms).size).toBe(noms.length);
    await context.close();
  });

  it("an error page's title says the error", async () => {
    const context = await browserContext(browser, app);
    const page = await context.newPage();
    const inconnue = await page.goto(`${app.baseUrl}/cette-page-n-existe-pas`);
    expect(inconnue?.status()).toBe(404);
    expect(await page.title()).toBe("Page non trouvée - Tableau de bord de l'apprentissage");
    await context.close();
    // an error shown by a section's boundary (the CFA space of an organisme out of reach): the title is the page's h1
    const cfa = await signedIn("cfa@demo.test");
    const reponse = await cfa.page.goto(`${app.baseUrl}/cfa/999999999`);
    expect([403, 404]).toContain(reponse?.status());
    const h1 = (await cfa.page.locator("main h1").first().textContent())?.trim();
    expect(["Accès refusé", "Page non trouvée"]).toContain(h1);
    expect(await cfa.page.title()).toBe(`${h1} - Tableau de bord de l'apprentissage`);
    // an address no page serves keeps the signed-in user's header: its menu and « Se déconnecter »
    const ailleurs = await cfa.page.goto(`${app.baseUrl}/cette-page-n-existe-pas`);
    expect(ailleurs?.status()).toBe(404);
    expect(await cfa.page.title()).toBe("Page non trouvée - Tableau de bord de l'apprentissage");
    await expect(cfa.page.locator("header").getByText("Se déconnecter").first().count()).resolves.toBe(1);
    await expect(cfa.page.locator("header nav").getByText("Espace CFA").count()).resolves.toBeGreaterThan(0);
    await cfa.context.close();
  });

  it("the 'Paramètres d'affichage' dialog closed from the keyboard gives the focus back to the button that opened it", async () => {
    const context = await browserContext(browser, app);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.baseUrl}/accessibilite`, { waitUntil: "networkidle" });
    /** Where the focus is: on a button opening the dialog (in the header or the footer), in the dialog, or elsewhere. */
    const ou = () =>
      page.evaluate(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return "body";
        if (e.closest("#fr-theme-modal")) return "dialogue";
        if (e.getAttribute("aria-controls") === "fr-theme-modal") return e.closest("footer") ? "bouton du pied de page" : e.closest("header") ? "bouton de l'en-tête" : "bouton";
        return e.tagName.toLowerCase();
      });
    const ouvert = () => page.evaluate(() => document.getElementById("fr-theme-modal")!.classList.contains("fr-modal--opened"));
    // Tab from the top of the page to the header's button, Enter, Escape
    for (let i = 0; i < 30 && (await ou()) !== "bouton de l'en-tête"; i++) await page.keyboard.press("Tab");
    expect(await ou()).toBe("bouton de l'en-tête");
    await page.keyboard.press("Enter");
    await expect.poll(ouvert, { timeout: 5_000 }).toBe(true);
    await expect.poll(ou, { timeout: 5_000 }).toBe("dialogue");
    await screenshot(page, "clavier-parametres-affichage");
    await page.keyboard.press("Escape");
    await expect.poll(ouvert, { timeout: 5_000 }).toBe(false);
    await expect.poll(ou, { timeout: 5_000 }).toBe("bouton de l'en-tête");
    // the next Tab goes on from there, not from the top of the page
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("header") != null)).toBe(true);
    // the footer's button, the dialog closed with its "Fermer" button
    await page.locator('footer [aria-controls="fr-theme-modal"]').focus();
    await page.keyboard.press("Enter");
    await expect.poll(ouvert, { timeout: 5_000 }).toBe(true);
    await page.locator("#fr-theme-modal button.fr-btn--close").focus();
    await page.keyboard.press("Enter");
    await expect.poll(ouvert, { timeout: 5_000 }).toBe(false);
    await expect.poll(ou, { timeout: 5_000 }).toBe("bouton du pied de page");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("on a narrow screen the 'Paramètres d'affichage' dialog opened from the menu gives the focus back to the menu's button", async () => {
    const context = await browserContext(browser, app, undefined, { viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/accessibilite`, { waitUntil: "networkidle" });
    await page.locator("#fr-header-menu-button").focus();
    await page.keyboard.press("Enter");
    const bouton = page.locator('#header-menu-modal-fr-header [aria-controls="fr-theme-modal"]');
    await bouton.waitFor({ state: "visible" });
    await bouton.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.getElementById("fr-theme-modal")!.classList.contains("fr-modal--opened")), { timeout: 5_000 }).toBe(true);
    await page.keyboard.press("Escape");
    // the menu closed when the dialog opened: its button, not the page's body
    await expect.poll(() => focused(page), { timeout: 5_000 }).toMatch(/^button#fr-header-menu-button/);
    await context.close();
  });

  it("on a narrow screen the 'Menu' skip link goes to the menu's button; wide tables scroll from the keyboard", async () => {
    const { context, page } = await signedIn("administrateur@demo.test", { width: 375, height: 800 });
    await page.goto(`${app.baseUrl}/api/doc`, { waitUntil: "networkidle" });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toMatch(/^a Menu/);
    await page.keyboard.press("Enter");
    expect(await focused(page)).toMatch(/^button#fr-header-menu-button/);
    // every table wider than its box can take the focus (and is named by its caption)
    const inaccessibles = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("main table, main pre")]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.tabIndex < 0)
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(inaccessibles).toEqual([]);
    await screenshot(page, "clavier-api-doc-375");
    await context.close();
  });
});
