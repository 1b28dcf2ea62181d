/**
 * The RGAA / WCAG 2.1 AA audit's defects, checked in Chromium on the demo dataset: what a keyboard or screen-reader
 * user meets after a form or a link (where the focus goes, what is announced, which field is marked in error and
 * described by its message), French messages from the server instead of the browser's validation bubbles, required
 * fields said, charts readable without colour, in the dark theme and on a 320 px wide screen, the CFA space's
 * breadcrumb, the titles of the upload's steps, the confirmation asked before the API key is replaced, « Erreur : » in
 * the title of a page whose form was refused.
 * Screenshots under test-results/audit-a11y-*.png. Needs `npm run -s build` and /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { TestDatabase } from "../helpers/db";
import fs from "node:fs";
import { RESULTS_DIR, browserAvailable, browserContext, collectPageErrors, demoTestDatabase, launchBrowser, screenshot, serveApp, seriousAxeViolations } from "../helpers/browser";
import { findUserByEmail } from "../../app/auth/accounts.server";
import { createToken } from "../../app/auth/tokens.server";
import { moisDecale } from "../../app/indicateurs/filters";
import { formatMois } from "../../app/ui/format";

process.env.COOKIE_SECURE = "0";

const available = browserAvailable();
const TODAY = new Date().toISOString().slice(0, 10);
const MOIS = TODAY.slice(0, 7);

let t: TestDatabase;
let app: Awaited<ReturnType<typeof serveApp>>;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  t = await demoTestDatabase({ seed: 17, today: TODAY, effectifs: 2000 });
  app = await serveApp(t.database);
  browser = await launchBrowser();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

async function connecte(email: string, viewport?: { width: number; height: number }) {
  const user = await findUserByEmail(t.database, email);
  const context = await browserContext(browser, app, { database: t.database, userId: user!.id }, viewport ? { viewport } : {});
  const page = await context.newPage();
  return { context, page, errors: collectPageErrors(page) };
}

/** The focused element: tag, id, data-testid, or its text. */
function focus(page: Page) {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return "body";
    const testid = e.dataset.testid ? `[${e.dataset.testid}]` : "";
    return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${testid} ${(e.textContent ?? "").trim().slice(0, 60)}`;
  });
}

/** A field's error state: aria-invalid, the text of its description, and whether its DSFR group shows the error. */
function etatDuChamp(page: Page, selecteur: string) {
  return page.locator(selecteur).evaluate((champ) => {
    const ids = (champ.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
    const groupe = champ.closest(".fr-input-group, .fr-select-group, .fr-upload-group, .fr-checkbox-group, .fr-password");
    return {
      invalide: champ.getAttribute("aria-invalid"),
      description: ids.map((id) => document.getElementById(id)?.textContent ?? "").join(" ").trim(),
      groupeEnErreur: groupe ? [...groupe.classList].some((c) => c.endsWith("--error")) : false,
    };
  });
}

/** Waits until React has hydrated the page (a marker on the main element's props). */
async function hydratee(page: Page) {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => [...document.querySelectorAll("button, a")].some((b) => Object.keys(b).some((k) => k.startsWith("__reactProps"))));
}

/** Relative luminance and contrast ratio (WCAG 2.1). */
function contraste(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

describe.skipIf(!available)("accessibility audit (RGAA / WCAG 2.1 AA)", () => {
  it("/exports: errors without reloading the page, focus on their summary, each field marked; the preview focused; the download a file", async () => {
    const { context, page, errors } = await connecte("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/exports`, { waitUntil: "networkidle" });
    await hydratee(page);
    // a value that survives only if the page is not reloaded
    await page.evaluate(() => ((window as unknown as { marque: number }).marque = 1));
    await page.fill("#export-cfd", "XYZ");
    await page.fill("#export-debut", MOIS);
    await page.fill("#export-fin", moisDecale(`${MOIS}-01`, -10));
    await page.locator("button", { hasText: "Prévisualiser" }).focus();
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="erreurs"]').waitFor();
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^div\[erreurs\] L'export ne peut pas être produit/);
    expect(await page.evaluate(() => (window as unknown as { marque?: number }).marque)).toBe(1);
    expect(await page.title()).toBe("Erreur : Exports des indicateurs - Tableau de bord de l'apprentissage");
    const cfd = await etatDuChamp(page, "#export-cfd");
    expect(cfd).toMatchObject({ invalide: "true", groupeEnErreur: true });
    expect(cfd.description).toMatch(/^Code formation diplôme \(CFD\) : /);
    const debut = await etatDuChamp(page, "#export-debut");
    expect(debut).toMatchObject({ invalide: "true", groupeEnErreur: true });
    expect(debut.description).toContain(`Du mois : ${formatMois(MOIS)} est après le mois de fin`);
    // each message of the summary leads to its field
    expect(await page.locator('[data-testid="erreurs"] a[href="#export-cfd"]').count()).toBe(1);
    expect(await page.locator('[data-testid="erreurs"] a[href="#export-debut"]').count()).toBe(1);
    // followed from the keyboard, a link of the summary puts the focus in its field (not back on the summary)
    await page.locator('[data-testid="erreurs"] a[href="#export-debut"]').focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^input#export-debut/);
    await page.waitForTimeout(300);
    expect(await focus(page)).toMatch(/^input#export-debut/);
    await screenshot(page, "audit-a11y-exports-erreurs");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // corrected: the preview is shown and takes the focus, still without reloading
    await page.fill("#export-cfd", "");
    await page.fill("#export-debut", moisDecale(`${MOIS}-01`, -2));
    await page.fill("#export-fin", MOIS);
    await page.locator("button", { hasText: "Prévisualiser" }).click();
    await page.locator('[data-testid="apercu"]').waitFor();
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^h2#titre-apercu Aperçu/);
    expect(await page.evaluate(() => (window as unknown as { marque?: number }).marque)).toBe(1);
    expect(await page.locator('[aria-invalid="true"]').count()).toBe(0);
    expect(await page.title()).toBe("Exports des indicateurs - Tableau de bord de l'apprentissage");
    await screenshot(page, "audit-a11y-exports-apercu");

    // "Télécharger" is still a document request: the browser receives the file
    const [fichier] = await Promise.all([page.waitForEvent("download"), page.locator("form button", { hasText: /^Télécharger$/ }).click()]);
    expect(fichier.suggestedFilename()).toMatch(/\.csv$/);

    // a month in the future: no browser bubble (in English in some browsers), the server's French message
    await page.fill("#export-fin", moisDecale(`${MOIS}-01`, 3));
    await page.locator("button", { hasText: "Prévisualiser" }).click();
    await expect.poll(async () => (await etatDuChamp(page, "#export-fin")).description, { timeout: 5_000 }).toContain("Au mois : ");
    expect((await etatDuChamp(page, "#export-fin")).description).toContain("est dans le futur");
    await page.fill("#export-fin", MOIS);

    // a refused download comes back to the page, loaded anew: its summary takes the focus once hydrated
    await page.fill("#export-cfd", "XYZ");
    await Promise.all([page.waitForURL(/\/exports\?/), page.locator("form button", { hasText: /^Télécharger$/ }).click()]);
    await hydratee(page);
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^div\[erreurs\]/);
    expect((await etatDuChamp(page, "#export-cfd")).invalide).toBe("true");
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await context.close();
  });

  it("/admin/imports: « Importer » without a file puts the focus on the file field, in DSFR's upload error state", async () => {
    const { context, page } = await connecte("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/admin/imports`, { waitUntil: "networkidle" });
    await hydratee(page);
    await page.locator("button", { hasText: "Importer" }).focus();
    await page.keyboard.press("Enter");
    await page.locator("#fichier-erreur").waitFor();
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^input#fichier/);
    expect(await etatDuChamp(page, "#fichier")).toEqual({
      invalide: "true",
      description: "Choisissez un fichier à importer (il ne doit pas être vide).",
      groupeEnErreur: true,
    });
    expect(await page.locator(".fr-upload-group--error #fichier").count()).toBe(1);
    await screenshot(page, "audit-a11y-imports-sans-fichier");
    await context.close();
  });

  it("paginated lists: « Page suivante » sends the focus to the list's table, in view; the next Tab goes through its rows", async () => {
    const { context, page } = await connecte("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/organismes`, { waitUntil: "networkidle" });
    await hydratee(page);
    const suivante = page.locator('nav.fr-pagination a:has-text("Page suivante")').first();
    await suivante.focus();
    await Promise.all([page.waitForURL(/page=2/), page.keyboard.press("Enter")]);
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^table#repertoire-liste Organismes, page 2 sur/);
    const visible = await page.evaluate(() => {
      const r = document.getElementById("repertoire-liste")!.getBoundingClientRect();
      return r.top >= -1 && r.top < window.innerHeight;
    });
    expect(visible).toBe(true);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("table")?.id)).toBe("repertoire-liste");
    await screenshot(page, "audit-a11y-pagination-organismes");

    // a dashboard's table (one among others on its page): the same
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await hydratee(page);
    const table = page.locator('[data-testid="table-formations"]');
    await table.locator('a:has-text("Page suivante")').focus();
    await Promise.all([page.waitForURL(/page_f=2/), page.keyboard.press("Enter")]);
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^table#table-formations-liste Effectifs par formation, page 2 sur/);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await context.close();
  });

  it("charts: a pattern per statut besides its colour, one name for the graphic, texts in the dark theme's colours", async () => {
    const context = await browserContext(browser, app);
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await hydratee(page);
    const serie = page.locator('[data-testid="serie-mensuelle"]');
    // the stacked statuts are filled with distinct patterns too (ECharts decals)
    const motifs = await serie.locator(".chart-canvas svg").evaluate((svg) => new Set([...svg.querySelectorAll("[fill^='url(']")].map((e) => e.getAttribute("fill"))).size);
    expect(motifs).toBeGreaterThanOrEqual(3);
    // the graphic is named and described once, by the visible title and description
    const nom = await serie.evaluate((figure) => {
      const img = figure.querySelector('[role="img"]')!;
      return {
        figure: [figure.getAttribute("aria-labelledby"), figure.getAttribute("aria-describedby")],
        label: img.getAttribute("aria-label"),
        titre: document.getElementById(img.getAttribute("aria-labelledby") ?? "")?.textContent,
      };
    });
    expect(nom).toEqual({ figure: [null, null], label: null, titre: "Apprenants par mois, sur 24 mois" });

    // Paramètres d'affichage → Sombre: the charts are redrawn with light texts on the dark background
    await page.locator('header [aria-controls="fr-theme-modal"]').first().click();
    await page.locator('#fr-theme-modal label:has-text("Sombre")').click();
    await expect.poll(() => page.evaluate(() => document.documentElement.getAttribute("data-fr-theme"))).toBe("dark");
    await page.locator("#fr-theme-modal button.fr-btn--close").click();
    await expect.poll(() => page.evaluate(() => document.getElementById("fr-theme-modal")!.classList.contains("fr-modal--opened"))).toBe(false);
    await page.waitForFunction(() => getComputedStyle(document.getElementById("fr-theme-modal")!).visibility === "hidden");
    const fond = "#161616";
    const couleursDesTextes = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('[data-testid="serie-mensuelle"] .chart-canvas svg text, [data-testid="repartition-niveau"] .chart-canvas svg text, [data-testid^="carte-apprenants"] .chart-canvas svg text')]
          .map((e) => getComputedStyle(e).fill)
          .map((c) => {
            const [r, g, b] = (c.match(/\d+/g) ?? []).map(Number);
            return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
          }),
      );
    await expect.poll(async () => Math.min(...(await couleursDesTextes()).map((c) => contraste(c, fond))), { timeout: 10_000 }).toBeGreaterThanOrEqual(4.5);
    expect((await couleursDesTextes()).length).toBeGreaterThan(20);
    await serie.screenshot({ path: `${RESULTS_DIR}/audit-a11y-sombre-serie-mensuelle.png` });
    await page.locator('[data-testid="carte-apprenants-region"]').screenshot({ path: `${RESULTS_DIR}/audit-a11y-sombre-carte.png` });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("on a 320 px wide screen no text of a chart runs over another (axis labels, legend)", async () => {
    const context = await browserContext(browser, app, undefined, { viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await hydratee(page);
    for (const testid of ["repartition-niveau", "serie-mensuelle", "rupturants-duree", "sans-contrat-duree", "fraicheur"]) {
      const chevauchements = await page.locator(`[data-testid="${testid}"] .chart-canvas svg`).evaluate((svg) => {
        const boites = [...svg.querySelectorAll("text")]
          .filter((e) => (e.textContent ?? "").trim() && getComputedStyle(e).display !== "none" && e.getAttribute("opacity") !== "0")
          .map((e) => ({ texte: e.textContent!.trim(), r: e.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && r.height > 0);
        const paires: string[] = [];
        for (let i = 0; i < boites.length; i++)
          for (let j = i + 1; j < boites.length; j++) {
            const a = boites[i].r;
            const b = boites[j].r;
            const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (dx > 1 && dy > 1) paires.push(`« ${boites[i].texte} » / « ${boites[j].texte} »`);
          }
        return paires;
      });
      expect(chevauchements, testid).toEqual([]);
      await page.locator(`[data-testid="${testid}"]`).screenshot({ path: `${RESULTS_DIR}/audit-a11y-320-${testid}.png` });
    }
    await context.close();
  });

  it("the dashboard's filters: a status message says what the figures now are; another page takes the focus on its title", async () => {
    const { context, page, errors } = await connecte("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/`, { waitUntil: "networkidle" });
    await hydratee(page);
    await page.selectOption("#filtre-niveau", "5");
    await page.locator('[data-testid="filtres"] button[type="submit"]').focus();
    await Promise.all([page.waitForURL(/niveau=5/), page.keyboard.press("Enter")]);
    await expect
      .poll(() => page.locator('[data-testid="annonce-filtres"]').textContent(), { timeout: 5_000 })
      .toBe(`Indicateurs mis à jour : L'apprentissage en France, ${formatMois(MOIS)}, filtres : Niveau : 5 (BTS, Bac+2).`);
    expect(await page.locator('[data-testid="annonce-filtres"]').getAttribute("role")).toBe("status");
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^button Appliquer les filtres/);
    // a territory chosen: its own page, whose title takes the focus
    await page.selectOption("#filtre-territoire", "region:84");
    await page.locator('[data-testid="filtres"] button[type="submit"]').focus();
    await Promise.all([page.waitForURL(/\/regions\/84\?niveau=5$/), page.keyboard.press("Enter")]);
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^h1 Auvergne-Rhône-Alpes/);
    await expect.poll(() => page.locator('[data-testid="annonce-filtres"]').textContent(), { timeout: 5_000 }).toMatch(/^Indicateurs mis à jour : Auvergne-Rhône-Alpes, /);

    // a month in the future: no browser bubble, the server's French message, the field marked
    const futur = moisDecale(`${MOIS}-01`, 2);
    await page.fill("#filtre-mois", futur);
    await Promise.all([page.waitForURL(new RegExp(`mois=${futur}`)), page.locator('[data-testid="filtres"] button[type="submit"]').click()]);
    await page.locator('[data-testid="erreurs"]').waitFor();
    await expect(page.locator('[data-testid="erreurs"]').textContent()).resolves.toContain(`Mois : « ${futur} » est dans le futur`);
    const mois = await etatDuChamp(page, "#filtre-mois");
    expect(mois).toMatchObject({ invalide: "true", groupeEnErreur: true });
    expect(mois.description).toContain("est dans le futur");
    expect(await page.locator('label[for="filtre-mois"]').textContent()).toContain("pas de mois futur");
    // a day (date=): said in the form's terms, not the address's
    await page.goto(`${app.baseUrl}/?date=${TODAY}`, { waitUntil: "networkidle" });
    const message = (await page.locator('[data-testid="erreurs"] li').first().textContent()) ?? "";
    expect(message).toMatch(/^Mois : les tableaux de bord se lisent par mois/);
    expect(message).not.toMatch(/mois=|paramètre/);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await context.close();
  });

  it("a formation search matching several: announced, the field described by their list, which takes the focus (RGAA 7.5)", async () => {
    const { context, page, errors } = await connecte("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/regions/84`, { waitUntil: "networkidle" });
    await hydratee(page);
    await page.fill("#filtre-formation", "BTS");
    await Promise.all([page.waitForURL(/formation=BTS/), page.locator("#filtre-formation").press("Enter")]);
    const titre = await page.locator('[data-testid="choix"] h2').textContent();
    expect(titre).toBe("Plusieurs formations correspondent à « BTS » : choisissez-en une");
    await expect
      .poll(() => page.locator('[data-testid="annonce-filtres"]').textContent(), { timeout: 5_000 })
      .toBe(`Indicateurs mis à jour : Auvergne-Rhône-Alpes, ${formatMois(MOIS)}, sans filtre. ${titre} dans la liste sous les filtres.`);
    expect((await etatDuChamp(page, "#filtre-formation")).description).toContain(titre);
    await expect.poll(() => focus(page), { timeout: 5_000 }).toBe(`h2#choix-recherche-titre ${titre}`.slice(0, `h2#choix-recherche-titre `.length + 60));
    // the next Tab is the first formation offered
    await page.keyboard.press("Tab");
    expect(await focus(page)).toMatch(/^a /);
    // a search that found nothing: said in the status message too, not only « sans filtre »
    await page.fill("#filtre-formation", "zzzz");
    await Promise.all([page.waitForURL(/formation=zzzz/), page.locator("#filtre-formation").press("Enter")]);
    await expect
      .poll(() => page.locator('[data-testid="annonce-filtres"]').textContent(), { timeout: 5_000 })
      .toBe(`Indicateurs mis à jour : Auvergne-Rhône-Alpes, ${formatMois(MOIS)}, sans filtre. Aucune formation du catalogue ne correspond à « zzzz ».`);
    // (a search that found nothing is answered 400, which the browser logs)
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await context.close();
  });

  it("« Situation au » of a named list: the server's French message under the field, the hint says « pas de date future »", async () => {
    const { context, page } = await connecte("ddets@demo.test");
    await page.goto(`${app.baseUrl}/listes/sans-contrat`, { waitUntil: "networkidle" });
    await hydratee(page);
    expect(await page.locator('label[for="date"]').textContent()).toContain("pas de date future");
    const demain = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    await page.fill("#date", demain);
    await Promise.all([page.waitForURL(/date=/), page.locator('form[aria-label^="Rechercher et filtrer"] button[type="submit"]').click()]);
    await page.locator("#date-erreur").waitFor();
    const date = await etatDuChamp(page, "#date");
    expect(date).toMatchObject({ invalide: "true", groupeEnErreur: true });
    expect(date.description).toMatch(/^Situation au : le \d{2}\/\d{2}\/\d{4} est dans le futur/);
    expect(await page.locator('[role="alert"]').textContent()).not.toContain("paramètre");
    await screenshot(page, "audit-a11y-liste-date-future");
    await context.close();
  });

  it("the territory of a named list: the national team chooses a région, an académie, a département in labelled selects", async () => {
    const { context, page, errors } = await connecte("administrateur@demo.test");
    await page.goto(`${app.baseUrl}/listes/sans-contrat`, { waitUntil: "networkidle" });
    await hydratee(page);
    for (const [id, libelle] of [
      ["region", "Région"],
      ["academie", "Académie"],
      ["departement", "Département"],
    ]) {
      expect(await page.locator(`label[for="${id}"]`).textContent()).toBe(libelle);
    }
    await page.selectOption("#region", "11");
    const formulaire = page.locator('form[aria-label^="Rechercher et filtrer"]');
    await Promise.all([page.waitForURL(/region=11/), formulaire.locator('button[type="submit"]').click()]);
    // the départements offered are now those of Île-de-France (and « Tous »)
    await expect.poll(() => page.locator("#departement option").count()).toBe(9);
    expect(await page.locator("#region").inputValue()).toBe("11");
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "audit-a11y-liste-territoire");
    // « Effacer les filtres »: the whole nation again, the selects with it, and the search typed but not sent
    await page.fill("#q", "Dupont");
    await Promise.all([page.waitForURL(/\/listes\/sans-contrat$/), page.locator("a", { hasText: "Effacer les filtres" }).click()]);
    await expect.poll(() => page.locator("#region").inputValue()).toBe("");
    expect(await page.locator("#q").inputValue()).toBe("");
    expect(await page.locator("#departement option").count()).toBeGreaterThan(100);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the upload: each step in the title; no file: the server's message on the file field", async () => {
    const { context, page } = await connecte("cfa@demo.test");
    await page.goto(`${app.baseUrl}/televersement`, { waitUntil: "networkidle" });
    await hydratee(page);
    expect(await page.title()).toBe("Choix du fichier - Téléverser des effectifs - Tableau de bord de l'apprentissage");
    await page.locator("button", { hasText: "Vérifier le fichier" }).click();
    await page.locator("#fichier-erreur").waitFor();
    expect(await etatDuChamp(page, "#fichier")).toMatchObject({ invalide: "true", description: "Choisissez un fichier CSV ou XLSX.", groupeEnErreur: true });
    await expect.poll(() => page.title(), { timeout: 5_000 }).toBe("Erreur : Choix du fichier - Téléverser des effectifs - Tableau de bord de l'apprentissage");
    await page.setInputFiles("#fichier", { name: "effectifs.csv", mimeType: "text/csv", buffer: Buffer.from("Nom;Prénom;Date de naissance\nTitre;Étape;01/02/2006\n") });
    await Promise.all([page.waitForURL(/\/televersement\?id=/), page.locator("button", { hasText: "Vérifier le fichier" }).click()]);
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe("Correspondance des colonnes et aperçu - Téléverser des effectifs - Tableau de bord de l'apprentissage");
    await context.close();
  });

  it("the CFA space: breadcrumb to the page shown; duplicates' motive and the API key's confirmations checked by the server", async () => {
    const { context, page, errors } = await connecte("cfa@demo.test");
    await page.goto(`${app.baseUrl}/cfa`, { waitUntil: "networkidle" });
    const base = new URL(page.url()).pathname.match(/^\/cfa\/\d+/)?.[0] ?? (await page.locator('main a[href^="/cfa/"]').first().getAttribute("href"))!;
    const nom = (await page.locator(".fr-sidemenu__title").first().textContent())?.trim();
    await page.goto(`${app.baseUrl}${base}/transmissions`, { waitUntil: "networkidle" });
    const fil = page.locator("nav.fr-breadcrumb");
    expect((await fil.locator('[aria-current="page"]').textContent())?.trim()).toBe("Transmissions");
    expect(await fil.locator(`a[href="${base}"]`).textContent()).toBe(nom);
    // a day of the transmissions: the section is a link, the day the current page
    const jour = await page.locator('a:has-text("Voir les erreurs"), [data-testid="historique"] a[href*="/transmissions/"]').first().getAttribute("href");
    await page.goto(`${app.baseUrl}${jour}`, { waitUntil: "networkidle" });
    expect((await fil.locator('[aria-current="page"]').textContent())?.trim()).toMatch(/^Transmissions du \d{2}\/\d{2}\/\d{4}$/);
    expect(await fil.locator(`a[href="${base}/transmissions"]`).count()).toBe(1);
    await page.goto(`${app.baseUrl}${base}`, { waitUntil: "networkidle" });
    expect((await fil.locator('[aria-current="page"]').textContent())?.trim()).toBe(nom);

    // duplicates: an empty motive is refused by the server in French, under the field of the form sent
    await page.goto(`${app.baseUrl}${base}/doublons`, { waitUntil: "networkidle" });
    await hydratee(page);
    const groupe = page.locator('[data-testid="groupe-doublons"]').first();
    await groupe.locator('input[name="motif"]').first().fill("");
    await groupe.locator("button", { hasText: "Fusionner dans la fiche conservée" }).click();
    await page.locator('[data-testid="resultat"]').waitFor();
    const motif = await etatDuChamp(page, '[data-testid="groupe-doublons"] >> nth=0 >> input[name="motif"] >> nth=0');
    expect(motif).toMatchObject({ invalide: "true", description: "Indiquez le motif (3 caractères au moins) : il est conservé avec l'archive.", groupeEnErreur: true });
    // refused: its message takes the focus (read by screen readers), even from the button that sent the form
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^div\[resultat\] Indiquez le motif/);
    expect(await page.title()).toBe(`Erreur : Doublons - ${nom} - Espace CFA - Tableau de bord de l'apprentissage`);

    // the API key: replacing it asks for the same confirmation as revoking it, checked by the server
    await page.goto(`${app.baseUrl}${base}/cle-api`, { waitUntil: "networkidle" });
    await hydratee(page);
    const remplacer = page.locator('form:has(input[name="intent"][value="generer"]) button[type="submit"]');
    if ((await remplacer.textContent())?.includes("Générer")) {
      await remplacer.click();
      await page.locator('[data-testid="cle-generee"]').waitFor();
    }
    const active = (await page.locator('[data-testid="cle-active"] code').textContent())?.trim();
    await remplacer.click();
    await page.locator("#confirmer-remplacement-erreur").waitFor();
    expect(await etatDuChamp(page, "#confirmer-remplacement")).toMatchObject({
      invalide: "true",
      description: "Cochez la case de confirmation pour remplacer la clé : la clé actuelle cessera aussitôt de fonctionner.",
      groupeEnErreur: true,
    });
    expect(await page.locator('[data-testid="cle-generee"]').count()).toBe(0);
    expect((await page.locator('[data-testid="cle-active"] code').textContent())?.trim()).toBe(active);
    expect(await page.title()).toBe(`Erreur : Clé d'API et ERP - ${nom} - Espace CFA - Tableau de bord de l'apprentissage`);
    await screenshot(page, "audit-a11y-cle-api-confirmation");
    await page.locator('form:has(input[name="intent"][value="revoquer"]) button[type="submit"]').click();
    await page.locator("#confirmer-erreur").waitFor();
    expect((await etatDuChamp(page, "#confirmer")).invalide).toBe("true");
    await page.locator('label[for="confirmer-remplacement"]').click();
    expect(await page.locator("#confirmer-remplacement").isChecked()).toBe(true);
    await remplacer.click();
    await page.locator('[data-testid="cle-generee"]').waitFor();
    // the new key is shown once the page's data is read again: polled, not read at the first paint
    await expect.poll(async () => (await page.locator('[data-testid="cle-active"] code').textContent())?.trim(), { timeout: 10_000 }).not.toBe(active);
    // the box is unticked again: a second click would otherwise kill the key just shown, before it is copied
    expect(await page.locator("#confirmer-remplacement").isChecked()).toBe(false);
    expect(await page.title()).toBe(`Clé d'API et ERP - ${nom} - Espace CFA - Tableau de bord de l'apprentissage`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("account forms: required fields said, every password error at once, each « Afficher » box named after its field", async () => {
    const anonyme = await browserContext(browser, app);
    const p = await anonyme.newPage();
    for (const [chemin, titre] of [
      ["/connexion", "Connexion"],
      ["/inscription", "Demander un compte"],
    ]) {
      await p.goto(`${app.baseUrl}${chemin}`, { waitUntil: "networkidle" });
      expect(await p.locator("main form").first().textContent(), chemin).toContain("Sauf mention contraire, tous les champs sont obligatoires.");
      // sent empty: refused, the title says it (RGAA 8.6), as a list's says that its address is refused
      await hydratee(p);
      expect(await p.title()).toBe(`${titre} - Tableau de bord de l'apprentissage`);
      await p.locator('main form button[type="submit"]').first().click();
      await p.locator('main [role="alert"]').first().waitFor();
      await expect.poll(() => p.title(), { timeout: 5_000 }).toBe(`Erreur : ${titre} - Tableau de bord de l'apprentissage`);
    }
    // the reset link: a short password and a different confirmation, both said
    const user = await findUserByEmail(t.database, "draaf@demo.test");
    const jeton = await createToken(t.database, { kind: "reinitialisation", email: user!.email, userId: user!.id });
    await p.goto(`${app.baseUrl}/reinitialiser-mot-de-passe/${jeton}`, { waitUntil: "networkidle" });
    await hydratee(p);
    await p.fill('input[name="password"]', "court");
    await p.fill('input[name="confirmation"]', "autre");
    await p.locator("button", { hasText: "Enregistrer le mot de passe" }).click();
    await p.locator("#confirmation-erreur").waitFor();
    expect((await etatDuChamp(p, 'input[name="password"]')).description).toBe("Le mot de passe doit contenir au moins 12 caractères (il en contient 5).");
    expect((await etatDuChamp(p, 'input[name="confirmation"]')).description).toBe("Les deux mots de passe ne sont pas identiques.");
    await anonyme.close();

    const { context, page } = await connecte("dreets@demo.test");
    await page.goto(`${app.baseUrl}/compte`, { waitUntil: "networkidle" });
    await hydratee(page);
    const noms = await page.locator('.fr-password__checkbox input[type="checkbox"]').evaluateAll((cases) => cases.map((c) => c.getAttribute("aria-label")));
    expect(noms).toEqual(["Afficher le mot de passe actuel", "Afficher le nouveau mot de passe", "Afficher la confirmation du nouveau mot de passe"]);
    // the box shows its own field's password (DSFR's script)
    await page.fill('input[name="current"]', "secret");
    await page.locator('label[for="mot-de-passe-current-afficher"]').click();
    await expect.poll(() => page.locator('input[name="current"]').getAttribute("type")).toBe("text");
    await page.fill('input[name="current"]', "");
    await page.locator("button", { hasText: "Changer le mot de passe" }).click();
    await page.locator("#confirmation-erreur").waitFor();
    await expect.poll(() => focus(page), { timeout: 5_000 }).toMatch(/^div\S* Le formulaire contient 3 erreurs/);
    for (const [nom, message] of [
      ["current", "Indiquez votre mot de passe actuel."],
      ["password", "Choisissez un mot de passe."],
      ["confirmation", "Saisissez une seconde fois le mot de passe choisi."],
    ]) {
      expect(await etatDuChamp(page, `input[name="${nom}"]`), nom).toMatchObject({ invalide: "true", description: message, groupeEnErreur: true });
    }
    await expect(page.locator('[role="alert"]').first().textContent()).resolves.toContain("Le formulaire contient 3 erreurs");
    expect(await page.locator("main").textContent()).toContain("Sauf mention contraire, tous les champs sont obligatoires.");
    await expect.poll(() => page.title(), { timeout: 5_000 }).toBe("Erreur : Mon compte - Tableau de bord de l'apprentissage");
    await screenshot(page, "audit-a11y-compte-mots-de-passe");
    expect(await seriousAxeViolations(page)).toEqual([]);
    // another form sent and accepted: the title is the page's again
    await page.locator('form:has(input[name="intent"][value="profil"]) button[type="submit"]').click();
    await expect.poll(() => page.title(), { timeout: 5_000 }).toBe("Mon compte - Tableau de bord de l'apprentissage");
    await context.close();

    // the invitation form says which territory field each type needs
    const admin = await connecte("administrateur@demo.test");
    await admin.page.goto(`${app.baseUrl}/admin/utilisateurs`, { waitUntil: "networkidle" });
    const formulaire = admin.page.locator('form:has(input[name="intent"][value="inviter"])');
    expect(await formulaire.textContent()).toContain("Sauf mention contraire, tous les champs sont obligatoires.");
    expect(await formulaire.locator('select[name="regionCode"]').evaluate((s) => s.closest(".fr-select-group")!.textContent)).toContain(
      "Obligatoire pour le type DREETS, DRAAF, Conseil régional, CARIF-OREF régional",
    );
    expect(await formulaire.locator('select[name="departementCode"]').evaluate((s) => s.closest(".fr-select-group")!.textContent)).toContain("Obligatoire pour le type DDETS");
    await admin.context.close();
  });
});
