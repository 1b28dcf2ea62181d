/**
 * The CFA space in Chromium, signed in as the demo CFA account through /connexion, on the demo dataset with its
 * demo transmissions: every page renders without console error nor serious axe-core violation, with a screenshot
 * under test-results/cfa-*.png; a rejected transmission is followed to its explanation; a learner is searched and
 * opened (timeline); sorting works from the keyboard; duplicates are merged. Needs `npm run -s build` and Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { TestDatabase } from "../helpers/db";
import { browserAvailable, browserContext, collectPageErrors, demoTestDatabase, launchBrowser, screenshot, serveApp, seriousAxeViolations } from "../helpers/browser";
import { DEMO_PASSWORD } from "../../app/auth/demo-accounts.server";

process.env.COOKIE_SECURE = "0";

const TODAY = new Date().toISOString().slice(0, 10);
const available = browserAvailable();

let t: TestDatabase;
let app: Awaited<ReturnType<typeof serveApp>>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let base: string;

async function check(name: string) {
  await screenshot(page, `cfa-${name}`);
  const violations = await seriousAxeViolations(page);
  expect(violations, `${name} : ${JSON.stringify(violations, null, 2)}`).toEqual([]);
  expect(errors, name).toEqual([]);
}

async function open(path: string, heading: RegExp) {
  const response = await page.goto(app.baseUrl + path, { waitUntil: "networkidle" });
  expect(response?.status(), path).toBe(200);
  await expect(page.locator("main h1").first().textContent()).resolves.toMatch(heading);
}

beforeAll(async () => {
  if (!available) return;
  t = await demoTestDatabase({ seed: 7, today: TODAY });
  app = await serveApp(t.database);
  browser = await launchBrowser();
  context = await browserContext(browser, app);
  page = await context.newPage();
  errors = collectPageErrors(page);
}, 240_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe.skipIf(!available)("CFA space in the browser", () => {
  it("signs in through /connexion and lands on the CFA's home", async () => {
    await page.goto(`${app.baseUrl}/connexion?redirectTo=%2Fcfa`, { waitUntil: "networkidle" });
    await page.fill('input[name="email"]', "cfa@demo.test");
    await page.fill('input[name="password"]', DEMO_PASSWORD);
    await Promise.all([page.waitForURL(/\/cfa\/\d+$/), page.click('button[type="submit"]')]);
    base = new URL(page.url()).pathname;
    await page.waitForLoadState("networkidle");
    await page.waitForSelector('[data-testid="chiffre-apprenants"]', { timeout: 15_000 }).catch(async () => {
      throw new Error(`accueil non affiché : ${await page.locator("main").innerText()} ${errors.join(" | ")}`);
    });
    expect(await page.locator('[data-testid="alerte"]').count()).toBeGreaterThan(0);
    await expect(page.locator(".fr-sidemenu").textContent()).resolves.toContain("Téléverser un fichier");
    await check("accueil");
  });

  it("follows a rejected transmission to the explanation of its errors", async () => {
    await open(`${base}/transmissions`, /Transmissions/);
    expect(await page.locator('[data-testid="historique"] tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('[data-testid="erreurs-recurrentes"] tbody tr').count()).toBeGreaterThan(0);
    await check("transmissions");
    // another period: the tag pressed keeps the focus, a status message (there, empty, before) says what is now shown
    const annonce = page.locator('[data-testid="annonce-periode"]');
    expect([await annonce.getAttribute("role"), await annonce.textContent()]).toEqual(["status", ""]);
    const tag = page.locator("button.fr-tag", { hasText: "90 derniers jours" });
    await Promise.all([page.waitForURL(/jours=90/), tag.click()]);
    await expect.poll(() => tag.getAttribute("aria-pressed"), { timeout: 10_000 }).toBe("true");
    const [transmissions, recus, acceptes, refuses] = await page.locator('[data-testid="compteurs-periode"] .fr-h4').allTextContents();
    await expect
      .poll(() => annonce.textContent(), { timeout: 5_000 })
      .toMatch(new RegExp(`^Transmissions des 90 derniers jours : ${transmissions} transmissions?, ${recus} dossiers? reçus?, ${acceptes} acceptés?, ${refuses} refusés?\\.$`));
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("90 derniers jours");
    await Promise.all([page.waitForURL(/\/transmissions\/\d{4}-\d{2}-\d{2}$/), page.locator("text=Voir les erreurs").first().click()]);
    await page.waitForLoadState("networkidle");
    // The URL changes before the day's page has rendered: wait for its heading (fails after 10 s).
    await page.locator("main h1", { hasText: /Transmissions du/ }).first().waitFor({ timeout: 10_000 });
    await expect(page.locator("main h1").first().textContent()).resolves.toMatch(/Transmissions du \d{2}\/\d{2}\/\d{4}/);
    const explications = page.locator('[data-testid="explication"]');
    expect(await explications.count()).toBeGreaterThan(0);
    await expect(explications.first().textContent()).resolves.toMatch(/(Vérifiez|corrigez|saisissez|renseignez|Corrigez|Saisissez|Renseignez|Écrivez|Si la date|Retirez|Envoyez|C'est)/);
    // one line of problem and one of fix per error: no field code, no copy of the problem in the fix
    const problemes = await page.locator('[data-testid="probleme"]').allTextContents();
    expect(problemes.length).toBe(await explications.count());
    for (const p of problemes) expect(p).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
    await check("transmissions-jour");
  });

  it("shows the API key page, generates a key shown once", async () => {
    await open(`${base}/cle-api`, /Clé d'API/);
    await check("cle-api");
    // the request's example: named by its visible caption (aria-label is not allowed on a <pre>), no tab stop (it
    // wraps, never scrolls)
    const exemple = page.getByRole("figure", { name: "Exemple de requête (curl) :" });
    expect(await exemple.count()).toBe(1);
    expect(
      await exemple.locator("pre").evaluate((pre) => ({ label: pre.getAttribute("aria-label"), tabindex: pre.getAttribute("tabindex"), defile: pre.scrollWidth > pre.clientWidth })),
    ).toEqual({ label: null, tabindex: null, defile: false });
    // the demo CFA has a key in use: replacing it is confirmed first, as revoking it is
    await page.click('label[for="confirmer-remplacement"]');
    await Promise.all([page.waitForSelector('[data-testid="cle-generee"]'), page.click('form:has(input[name="intent"][value="generer"]) button[type="submit"]')]);
    await expect(page.locator('[data-testid="cle-generee"]').inputValue()).resolves.toMatch(/^tdba_/);
    await check("cle-api-generee");

    // « Copier la clé »: a status message says the key is copied (the button keeps its text, and the focus)
    const cle = await page.locator('[data-testid="cle-generee"]').inputValue();
    const message = page.locator('[data-testid="copie-cle"]');
    const copier = page.locator("button", { hasText: "Copier la clé" });
    expect(await message.getAttribute("role")).toBe("status");
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.baseUrl });
    await copier.click();
    await expect.poll(() => message.textContent(), { timeout: 5_000 }).toBe("Clé copiée dans le presse-papiers.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(cle);
    expect(await copier.textContent()).toBe("Copier la clé");
    // no clipboard (a page served in plain HTTP, not on localhost), or the copy refused: the key is selected in its
    // field, which takes the focus and is described by the message telling to copy it by hand
    for (const presse of ["absent", "refus"]) {
      await page.reload({ waitUntil: "networkidle" });
      await page.click('label[for="confirmer-remplacement"]');
      await Promise.all([page.waitForSelector('[data-testid="cle-generee"]'), page.click('form:has(input[name="intent"][value="generer"]) button[type="submit"]')]);
      await page.evaluate((presse) => {
        const refus = { writeText: () => Promise.reject(new DOMException("Refusé", "NotAllowedError")) };
        Object.defineProperty(navigator, "clipboard", { value: presse === "absent" ? undefined : refus, configurable: true });
      }, presse);
      await copier.click();
      await expect.poll(() => message.textContent(), { timeout: 5_000 }).toMatch(/^La copie automatique n'est pas possible .*copiez-la avec Ctrl\+C/);
      const champ = await page.locator('[data-testid="cle-generee"]').evaluate((input: HTMLInputElement) => ({
        focus: document.activeElement === input,
        selection: input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0) === input.value,
        description: document.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent,
      }));
      expect(champ, presse).toEqual({ focus: true, selection: true, description: await message.textContent() });
    }
    await check("cle-api-copie-manuelle");
  });

  it("searches a learner, sorts from the keyboard, opens the learner's timeline", async () => {
    await open(`${base}/apprenants`, /Apprenants/);
    await check("apprenants");
    const organismeId = Number(base.split("/").pop());
    const [cible] = await t.database.rows<{ id: number; nom: string; prenom: string }>(sql`
      select e.id, e.nom, e.prenom from effectifs e
      where (e.organisme_responsable_id = ${organismeId}
             or e.organisme_formateur_id in (select formateur_id from organisme_relations where responsable_id = ${organismeId}))
        and exists (select 1 from contrats c where c.effectif_id = e.id)
      order by e.id limit 1`);
    await page.fill("#q", `${cible.nom} ${cible.prenom}`);
    await Promise.all([page.waitForURL(/q=/), page.click('form[aria-label="Rechercher et filtrer les apprenants"] button[type="submit"]')]);
    await page.waitForLoadState("networkidle");
    // The URL changes before React has rendered the new rows: poll the first row (fails after 10 s).
    const rows = page.locator('[data-testid="liste-apprenants"] tbody tr');
    await expect.poll(() => rows.first().textContent(), { timeout: 10_000 }).toContain(cible.nom);
    expect(await rows.count()).toBeGreaterThanOrEqual(1);
    await check("apprenants-recherche");

    // sort by birth date with the keyboard only
    await page.goto(`${app.baseUrl}${base}/apprenants`, { waitUntil: "networkidle" });
    const header = page.locator('th:has-text("Naissance")');
    await expect(header.getAttribute("aria-sort")).resolves.toBe("none");
    await header.locator("a").focus();
    await Promise.all([page.waitForURL(/tri=naissance/), page.keyboard.press("Enter")]);
    await page.waitForSelector('th[aria-sort="ascending"]:has-text("Naissance")');
    await expect(page.locator('th:has-text("Nom")').getAttribute("aria-sort")).resolves.toBe("none");

    await page.goto(`${app.baseUrl}${base}/apprenants/${cible.id}`, { waitUntil: "networkidle" });
    await expect(page.locator("main h1").first().textContent()).resolves.toContain(cible.nom);
    const chart = page.locator('[data-testid="parcours"] [role="img"] svg');
    expect(await chart.count()).toBe(1);
    await expect(page.locator('[data-testid="parcours"] ol li').count()).resolves.toBeGreaterThan(0);
    await check("apprenant");
  });

  it("the duplicates page fits a 375 px wide screen: each table scrolls within its container", async () => {
    const narrow = await context.newPage();
    const narrowErrors = collectPageErrors(narrow);
    await narrow.setViewportSize({ width: 375, height: 812 });
    await narrow.goto(`${app.baseUrl}${base}/doublons`, { waitUntil: "networkidle" });
    await narrow.locator('[data-testid="groupe-doublons"] table').first().waitFor();
    const sizes = await narrow.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: document.documentElement.clientWidth,
      tables: [...document.querySelectorAll<HTMLElement>('[data-testid="groupe-doublons"] .fr-table > table')].map((t) => ({
        right: Math.round(t.getBoundingClientRect().right),
        scroll: t.scrollWidth,
        client: t.clientWidth,
      })),
    }));
    await screenshot(narrow, "cfa-doublons-375");
    expect(sizes.viewport).toBe(375);
    expect(sizes.page, JSON.stringify(sizes)).toBeLessThanOrEqual(sizes.viewport);
    expect(sizes.tables.length).toBeGreaterThan(0);
    for (const t of sizes.tables) {
      expect(t.right).toBeLessThanOrEqual(sizes.viewport);
      expect(t.scroll).toBeGreaterThan(t.client); // wider than the screen: it scrolls inside
    }
    expect(narrowErrors).toEqual([]);
    await narrow.close();
  });

  it("merges the demo duplicates", async () => {
    await open(`${base}/doublons`, /Doublons/);
    const groupes = page.locator('[data-testid="groupe-doublons"]');
    const before = await groupes.count();
    expect(before).toBeGreaterThanOrEqual(3);
    await check("doublons");
    // each group's legend, summary and buttons say its learner (hidden from the eye): the page's list of buttons tells
    // the groups apart
    const nommes = await groupes.evaluateAll((gs) =>
      gs.map((g) => {
        const nom = g.querySelector("h2")!.textContent!.split(" — ")[0];
        const textes = [...g.querySelectorAll("legend, summary, button")].map((e) => e.textContent!.replace(/\s+/g, " ").trim());
        const caches = [...g.querySelectorAll("legend, summary, button")].map((e) => e.querySelector(".fr-sr-only")?.textContent);
        return { nom, textes, caches };
      }),
    );
    for (const { nom, textes, caches } of nommes) {
      expect(caches).toEqual(caches.map(() => ` : ${nom}`));
      expect(textes.filter((t) => /^(Fusionner dans la fiche conservée|Supprimer et archiver|Supprimer une fiche sans fusionner)/.test(t))).toEqual([
        `Fusionner dans la fiche conservée : ${nom}`,
        `Supprimer une fiche sans fusionner : ${nom}`,
        `Supprimer et archiver : ${nom}`,
      ]);
    }
    const boutons = await page.getByRole("button", { name: /^Fusionner dans la fiche conservée/ }).allTextContents();
    expect(new Set(boutons).size).toBe(before);
    await Promise.all([page.waitForSelector('[data-testid="resultat"]'), groupes.first().locator("text=Fusionner dans la fiche conservée").click()]);
    await expect(page.locator('[data-testid="resultat"]').textContent()).resolves.toMatch(/doublon fusionné/);
    // The list is revalidated after the action: wait for it (fails after 10 s if the group never goes away).
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="groupe-doublons"]').length === n,
      before - 1,
      { timeout: 10_000 },
    );
    expect(await page.locator('[data-testid="groupe-doublons"]').count()).toBe(before - 1);
    expect(await page.locator('[data-testid="archives"] tbody tr').count()).toBe(1);
    await check("doublons-fusion");

    // delete a fiche of the next group, then restore it from the log
    const groupe = groupes.first();
    await groupe.locator("summary", { hasText: "Supprimer une fiche sans fusionner" }).click();
    await groupe.locator("select[name=effectif]").selectOption({ index: 1 });
    await groupe.locator("input[name=motif]").last().fill("Supprimée pour essai");
    await groupe.locator("button", { hasText: "Supprimer et archiver" }).click();
    await expect.poll(() => page.locator('[data-testid="resultat"]').textContent(), { timeout: 10_000 }).toMatch(/a été supprimé et archivé/);
    await expect.poll(() => page.locator('[data-testid="archives"] tbody tr').count(), { timeout: 10_000 }).toBe(2);
    const retablir = page.locator('[data-testid="retablissement"] details').first();
    await retablir.locator("summary").focus();
    await page.keyboard.press("Enter");
    await retablir.locator("input[name=motif]").fill("Supprimée par erreur");
    await retablir.locator("button", { hasText: "Rétablir la fiche" }).click();
    await expect.poll(() => page.locator('[data-testid="resultat"]').textContent(), { timeout: 10_000 }).toMatch(/a été rétabli avec ses contrats/);
    await expect.poll(() => page.locator('[data-testid="retablissement"]').first().textContent(), { timeout: 10_000 }).toMatch(/Rétablie le .*Supprimée par erreur/);
    await check("doublons-retablissement");
  });

  it("shows the data quality, the formateurs, and exports the list", async () => {
    await open(`${base}/qualite`, /Qualité des données/);
    await expect(page.locator('[data-testid="score-qualite"]').count()).resolves.toBe(1);
    await check("qualite");
    await open(`${base}/formateurs`, /Organismes formateurs/);
    expect(await page.locator('[data-testid="formateurs"] tbody tr').count()).toBeGreaterThan(0);
    await check("formateurs");
    const csv = await context.request.get(`${app.baseUrl}${base}/export.csv`);
    expect(csv.status()).toBe(200);
    const body = await csv.body();
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [log] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from named_list_access_log where action = 'download'`);
    expect(log.n).toBe(1);
  });

  it("a national admin picks a space; a CFA that never transmitted is told how to connect its ERP", async () => {
    const admin = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
    const p = await admin.newPage();
    const adminErrors = collectPageErrors(p);
    await p.goto(`${app.baseUrl}/connexion?redirectTo=%2Fcfa`, { waitUntil: "networkidle" });
    await p.fill('input[name="email"]', "administrateur@demo.test");
    await p.fill('input[name="password"]', DEMO_PASSWORD);
    await Promise.all([p.waitForURL(/\/cfa$/), p.click('button[type="submit"]')]);
    const [jamais] = await t.database.rows<{ id: number; siret: string; raison_sociale: string }>(sql`
      select id, siret, raison_sociale from organismes
      where last_transmission_at is null and nature in ('responsable_formateur', 'formateur') order by id limit 1`);
    await p.fill("#q", jamais.siret);
    await Promise.all([p.waitForURL(/q=/), p.click('form[role="search"] button[type="submit"]')]);
    await p.waitForLoadState("networkidle");
    await p.click(`main table a[href="/cfa/${jamais.id}"]`);
    await p.waitForURL(new RegExp(`/cfa/${jamais.id}$`));
    await p.waitForLoadState("networkidle");
    await expect(p.locator('[data-testid="alerte"]').first().textContent()).resolves.toContain("Aucune transmission reçue");
    await p.goto(`${app.baseUrl}/cfa/${jamais.id}/transmissions`, { waitUntil: "networkidle" });
    await expect(p.locator('[data-testid="aucune-transmission"] h2').textContent()).resolves.toBe(
      "Aucune transmission reçue : voici comment connecter votre ERP",
    );
    await screenshot(p, "cfa-transmissions-vide");
    expect(await seriousAxeViolations(p)).toEqual([]);
    expect(adminErrors).toEqual([]);
    await admin.close();
  });
});
