/**
 * The named lists of a territory (/listes) over HTTP, against the built app (`npm run -s build` first) and the demo
 * dataset: the same young people as the dashboards' counters of the territory, the filters, the contacts by
 * organisation type, the audit log of every view and download, the exports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { demoTestDatabase, serveApp } from "../helpers/browser";
import type { TestDatabase } from "../helpers/db";
import { DEMO_PASSWORD } from "../../app/auth/demo-accounts.server";
import { indicateurs } from "../../app/indicateurs/indicateurs.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { Browser } from "./auth-fixtures";
import { parseCsv } from "../../app/shared/csv";
import { isoToExcelSerial } from "../../app/shared/excel-dates";
import { readXlsx } from "../../app/shared/xlsx.server";
import { colonneBrute, lettreColonne } from "../helpers/xlsx";
import { NATIONAL } from "../../app/auth/policy.server";

const TODAY = todayIso();

/** The day `n` days after an ISO day. */
function addDays(iso: string, n: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
const browsers: Record<string, Browser> = {};

beforeAll(async () => {
  t = await demoTestDatabase({ seed: 7, today: TODAY, effectifs: 4000 });
  app = await serveApp(t.database);
  for (const who of ["dreets", "academie", "ddets", "administrateur", "cfa", "operateur-national"]) {
    const browser = new Browser(app.baseUrl);
    const response = await browser.login(`${who}@demo.test`, DEMO_PASSWORD);
    if (response.status !== 302) throw new Error(`connexion de ${who} impossible (${response.status})`);
    browsers[who] = browser;
  }
}, 240_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** The total the page says, and its rows (one per learner, by the name cell). */
async function liste(who: string, path: string) {
  const response = await browsers[who].get(path);
  const html = await response.text();
  const total = Number(/data-testid="nombre-jeunes"><strong>(\d+)/.exec(html.replace(/<!-- -->/g, ""))?.[1] ?? NaN);
  return { status: response.status, html, total };
}

async function journal(email: string) {
  return t.database.rows<{ list: string; action: string; row_count: number; filters: Record<string, unknown> }>(
    sql`select list, action, row_count, filters from named_list_access_log where user_email = ${email} order by id`,
  );
}

describe("named lists of a territory", () => {
  it("hold the young people the territory's counters count, for each list", async () => {
    const compteurs = (await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { region: ["84"] } })).compteurs;
    const sansContrat = await liste("dreets", "/listes/sans-contrat");
    const rupturants = await liste("dreets", "/listes/rupturants");
    const abandons = await liste("dreets", "/listes/abandons");
    expect([sansContrat.status, rupturants.status, abandons.status]).toEqual([200, 200, 200]);
    expect(sansContrat.total).toBe(compteurs.inscritsSansContrat);
    expect(rupturants.total).toBe(compteurs.rupturants);
    expect(abandons.total).toBe(compteurs.abandons);
    expect(sansContrat.total).toBeGreaterThan(0);
    // a département narrows it to that département's counters
    const rhone = (await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { departement: ["69"] } })).compteurs;
    expect((await liste("dreets", "/listes/sans-contrat?departement=69")).total).toBe(rhone.inscritsSansContrat);
    expect((await liste("ddets", "/listes/sans-contrat")).total).toBe(rhone.inscritsSansContrat);
    // a signal narrows it to its duration
    expect((await liste("dreets", "/listes/rupturants?signal=rupturant_moins_45j")).total).toBe(compteurs.rupturantsParDuree.moins45j);
    // the landing page gives the same numbers
    const accueil = await (await browsers.dreets.get("/listes")).text();
    expect(accueil.replace(/<!-- -->/g, "")).toContain(`data-testid="nombre-sans-contrat">${sansContrat.total.toLocaleString("fr-FR").replace(/\s/g, "\u202f")}<`);
  });

  it("show contacts to DREETS only, and every view and download goes to the audit log", async () => {
    const dreets = await liste("dreets", "/listes/sans-contrat?limit=100");
    const academie = await liste("academie", "/listes/sans-contrat?limit=100");
    expect(dreets.html).toContain("<th scope=\"col\">Contact</th>");
    expect(academie.html).not.toContain("<th scope=\"col\">Contact</th>");
    // the first of the list (by name) who has an e-mail
    const [ligne] = await t.database.rows<{ email: string }>(sql`
      select e.email from effectifs e join statut_periodes p on p.effectif_id = e.id
      where ${TODAY}::date between p.debut and p.fin and p.etat in (2, 3, 4) and e.email is not null
        and p.departement_code in (select code from departements where region_code = '84')
      order by fold_fr(e.nom) collate "C", fold_fr(e.prenom) collate "C", e.nom collate "C", e.prenom collate "C", e.id limit 1`);
    expect(dreets.html).toContain(ligne.email);
    expect(academie.html).not.toContain(ligne.email);
    const vues = (await journal("academie@demo.test")).filter((j) => j.list === "sans_contrat");
    expect(vues.at(-1)).toMatchObject({ action: "view", row_count: Math.min(academie.total, 100), filters: { date: TODAY, page: 1 } });

    const csv = await browsers.dreets.get("/listes/rupturants.csv?departement=69");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="rupturants-departement-69-${TODAY}.csv"`);
    const lignes = (await csv.text()).trim().split("\r\n");
    expect(lignes[0]).toContain("E-mail");
    const rhone = (await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { departement: ["69"] } })).compteurs;
    expect(lignes.length - 1).toBe(rhone.rupturants);
    expect((await journal("dreets@demo.test")).at(-1)).toMatchObject({
      list: "rupturants",
      action: "download",
      row_count: rhone.rupturants,
      filters: { departement: "69", format: "csv" },
    });
    const xlsx = await browsers.academie.get("/listes/abandons.xlsx");
    expect(xlsx.headers.get("content-type")).toMatch(/spreadsheetml/);
    // dates: JJ/MM/AAAA in the CSV, real dates in the XLSX (read back the same); codes as texts
    const reference = `${TODAY.slice(8, 10)}/${TODAY.slice(5, 7)}/${TODAY.slice(0, 4)}`;
    const csvAbandons = parseCsv(new Uint8Array(await (await browsers.academie.get("/listes/abandons.csv")).arrayBuffer()));
    expect(csvAbandons.records.length).toBeGreaterThan(0);
    const colonne = csvAbandons.header.indexOf("Date de référence");
    for (const r of csvAbandons.records) {
      expect(r.fields[colonne]).toBe(reference);
      expect(r.fields[csvAbandons.header.indexOf("Date de naissance")]).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    }
    const classeur = new Uint8Array(await xlsx.arrayBuffer());
    const [feuille] = readXlsx(classeur);
    expect(feuille.rows[0]).toEqual(csvAbandons.header);
    expect(feuille.rows.slice(1).map((r) => r[colonne])).toEqual(csvAbandons.records.map((r) => r.fields[colonne]));
    const lettre = (nom: string) => lettreColonne(feuille.rows[0].indexOf(nom));
    for (const nom of ["Date de naissance", "Date d'entrée en formation", "Date de fin de formation", "Date de référence"]) {
      const cellules = colonneBrute(classeur, lettre(nom));
      expect(cellules.length, nom).toBe(csvAbandons.records.length);
      expect(cellules.every((c) => c.type === "date" && c.format === "dd/mm/yyyy"), nom).toBe(true);
    }
    expect(colonneBrute(classeur, lettre("Date de référence"))[0].valeur).toBe(String(isoToExcelSerial(TODAY)));
    expect(colonneBrute(classeur, lettre("Identifiant ERP")).every((c) => c.type === "texte")).toBe(true);
    expect((await liste("academie", "/listes/abandons")).html).toContain("Pour Excel, préférez le format XLSX");
  });

  it("refuse what is outside the territory or the list, with a French message, the page as a 400 like its exports", async () => {
    const paris = await liste("dreets", "/listes/sans-contrat?departement=75&signal=abandon");
    expect(paris.status).toBe(400);
    expect(paris.html).toContain(
      "paramètre « departement » : le département 75 (Paris) est hors du périmètre de votre organisation, qui est la région 84 (Auvergne-Rhône-Alpes)",
    );
    expect(paris.html).toContain("Ce signal ne s&#x27;applique pas à cette liste");
    expect(paris.total).toBe((await liste("dreets", "/listes/sans-contrat")).total);
    expect((await browsers.dreets.get("/listes/inconnue")).status).toBe(404);
    // a région or an académie outside the territory: the same message, naming both territories
    const region = await liste("dreets", "/listes/sans-contrat?region=11&statut=abandon&regoin=84");
    expect(region.status).toBe(400);
    expect(region.html).toContain(
      "paramètre « region » : la région 11 (Île-de-France) est hors du périmètre de votre organisation, qui est la région 84 (Auvergne-Rhône-Alpes) ; choisissez un territoire de ce périmètre, ou aucun pour le voir en entier.",
    );
    // a parameter the lists do not read is said, not ignored: the list would be taken as narrowed
    expect(region.html).toContain("statut : chaque liste est celle d&#x27;une situation");
    expect(region.html).toContain("regoin : paramètre inconnu (paramètres acceptés : q, date, region, academie, departement, signal");
    expect(region.html).not.toContain("Statut inconnu");
    expect(region.total).toBe(paris.total);
    // an export is not made with other filters than those asked: refused, said why, and not logged
    const avant = (await journal("ddets@demo.test")).length;
    const isere = await browsers.ddets.get("/listes/rupturants.csv?departement=38");
    expect(isere.status).toBe(400);
    expect(await isere.text()).toMatch(
      /^Export impossible : paramètre « departement » : le département 38 \(Isère\) est hors du périmètre de votre organisation, qui est le département 69 \(Rhône\)/,
    );
    expect((await browsers.ddets.get("/listes/rupturants.xlsx?date=31/02/2026")).status).toBe(400);
    // the académie holding the DDETS's département is wider than its territory: refused too
    const academie = await browsers.ddets.get("/listes/rupturants.csv?academie=10");
    expect(academie.status).toBe(400);
    expect(await academie.text()).toMatch(/^Export impossible : paramètre « academie » : l'académie 10 \(Lyon\) est hors du périmètre de votre organisation/);
    for (const format of ["csv", "xlsx"]) {
      const ailleurs = await browsers.ddets.get(`/listes/rupturants.${format}?region=11`);
      expect(ailleurs.status, format).toBe(400);
      expect(await ailleurs.text(), format).toContain("la région 11 (Île-de-France) est hors du périmètre de votre organisation");
    }
    expect((await journal("ddets@demo.test")).length).toBe(avant);
    // the page of the same address: the same status, the French banner, the page's layout (title, form, list)
    const pageIsere = await liste("ddets", "/listes/rupturants?departement=38");
    expect(pageIsere.status).toBe(400);
    expect(pageIsere.html).toContain("<h1>Jeunes à accompagner</h1>");
    expect(pageIsere.html).toContain("le département 38 (Isère) est hors du périmètre de votre organisation");
    expect(pageIsere.html).toContain('aria-label="Rechercher et filtrer la liste Rupturants"');
    expect(pageIsere.total).toBe((await liste("ddets", "/listes/rupturants")).total);
    // a département repeated: refused, not narrowed to the first without a word
    const deux = await browsers.dreets.get("/listes/sans-contrat.csv?departement=69&departement=38");
    expect(deux.status).toBe(400);
    expect(await deux.text()).toMatch(/^Export impossible : Un seul département à la fois/);
    // the national team without named lists, and a CFA (its lists are in its space)
    expect((await browsers["operateur-national"].get("/listes/sans-contrat")).status).toBe(403);
    const cfa = await browsers.cfa.get("/listes");
    expect(cfa.status).toBe(302);
    expect(cfa.headers.get("location")).toBe("/cfa");
    const anonyme = await new Browser(app.baseUrl).get("/listes/sans-contrat");
    expect(anonyme.status).toBe(302);
    expect(anonyme.headers.get("location")).toMatch(/^\/connexion\?redirectTo=/);
    // the national admin sees every list of the nation
    const compteurs = (await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY })).compteurs;
    expect((await liste("administrateur", "/listes/abandons")).total).toBe(compteurs.abandons);
  });

  it("let the national team narrow a list by région, académie or département, on the page and the exports, each logged with it", async () => {
    const compteurs = async (filters: Record<string, string[]>) =>
      (await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters })).compteurs;
    const idf = await compteurs({ region: ["11"] });
    const paris = await compteurs({ academie: ["01"] });
    const lyon = await compteurs({ academie: ["10"] });
    const rhone = await compteurs({ departement: ["69"] });
    expect(idf.inscritsSansContrat).toBeGreaterThan(0);

    const region = await liste("administrateur", "/listes/sans-contrat?region=11");
    expect(region.status).toBe(200);
    expect(region.html).not.toContain("Certains filtres sont invalides");
    expect(region.total).toBe(idf.inscritsSansContrat);
    expect((await liste("administrateur", "/listes/rupturants?region=11")).total).toBe(idf.rupturants);
    expect((await liste("administrateur", "/listes/abandons?academie=01")).total).toBe(paris.abandons);
    expect((await liste("administrateur", "/listes/sans-contrat?region=84&academie=10&departement=69")).total).toBe(rhone.inscritsSansContrat);
    expect((await journal("administrateur@demo.test")).at(-1)).toMatchObject({
      list: "sans_contrat",
      action: "view",
      filters: { region: "84", academie: "10", departement: "69", date: TODAY, page: 1 },
    });
    expect((await liste("administrateur", "/listes/sans-contrat?region=11&limit=10")).html).toBeTruthy();
    expect((await journal("administrateur@demo.test")).at(-1)).toMatchObject({ list: "sans_contrat", action: "view", filters: { region: "11", date: TODAY } });

    // the form offers them, labelled, with the chosen ones selected; the lists' tags keep them
    expect(region.html).toMatch(/<label class="fr-label" for="region">Région<\/label><select class="fr-select" id="region" name="region">/);
    expect(region.html).toMatch(/<option value="11" selected="">Île-de-France<\/option>/);
    expect(region.html).toMatch(/<label class="fr-label" for="academie">Académie<\/label>/);
    // the académies and départements offered are those of the région chosen
    expect(region.html).toContain('<option value="01">Académie de Paris</option>');
    expect(region.html).not.toContain('<option value="10">Académie de Lyon</option>');
    expect(region.html).toContain('<option value="75">75 - Paris</option>');
    expect(region.html).not.toContain('<option value="69">');
    expect(region.html).toContain('href="/listes/rupturants?region=11"');

    // the exports: the rows of the territory, its name in the file's, the filter in the audit log
    const csv = await browsers.administrateur.get("/listes/rupturants.csv?region=11");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="rupturants-region-11-${TODAY}.csv"`);
    expect((await csv.text()).trim().split("\r\n").length - 1).toBe(idf.rupturants);
    expect((await journal("administrateur@demo.test")).at(-1)).toMatchObject({
      list: "rupturants",
      action: "download",
      row_count: idf.rupturants,
      filters: { region: "11", format: "csv" },
    });
    const xlsx = await browsers.administrateur.get("/listes/sans-contrat.xlsx?academie=10");
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-disposition")).toBe(`attachment; filename="sans-contrat-academie-10-${TODAY}.xlsx"`);
    const [feuille] = readXlsx(new Uint8Array(await xlsx.arrayBuffer()));
    expect(feuille.rows.length - 1).toBe(lyon.inscritsSansContrat);
    expect((await journal("administrateur@demo.test")).at(-1)).toMatchObject({
      list: "sans_contrat",
      action: "download",
      row_count: lyon.inscritsSansContrat,
      filters: { academie: "10", format: "xlsx" },
    });

    // territories that exclude each other, an unknown code: said, the page a 400, the export refused
    const exclus = await liste("administrateur", "/listes/sans-contrat?region=84&departement=75");
    expect(exclus.status).toBe(400);
    expect(exclus.html).toContain("departement : le département 75 (Paris) n&#x27;est pas dans la région Auvergne-Rhône-Alpes (84) mais dans la région Île-de-France (11) : ces deux filtres s&#x27;excluent.");
    expect(exclus.total).toBe((await compteurs({ region: ["84"] })).inscritsSansContrat);
    const avant = (await journal("administrateur@demo.test")).length;
    const inconnue = await browsers.administrateur.get("/listes/sans-contrat.csv?region=99");
    expect(inconnue.status).toBe(400);
    expect(await inconnue.text()).toMatch(/^Export impossible : region : code région inconnu « 99 »/);
    expect((await journal("administrateur@demo.test")).length).toBe(avant);
  });

  it("let a territorial service narrow its list to a région or académie inside its territory, nothing wider", async () => {
    const compteurs = async (filters: Record<string, string[]>) =>
      (await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters })).compteurs;
    const aura = await compteurs({ region: ["84"] });
    const grenoble = await compteurs({ academie: ["08"] });
    // a DREETS: its région (the whole list), one of its académies; the form offers its académies, not the régions
    const entiere = await liste("dreets", "/listes/sans-contrat?region=84");
    expect(entiere.status).toBe(200);
    expect(entiere.total).toBe(aura.inscritsSansContrat);
    const academie = await liste("dreets", "/listes/sans-contrat?academie=08");
    expect(academie.status).toBe(200);
    expect(academie.total).toBe(grenoble.inscritsSansContrat);
    expect(academie.html).not.toContain('id="region"');
    expect(academie.html).toMatch(/<option value="08" selected="">Académie de Grenoble<\/option>/);
    expect(academie.html).not.toContain('<option value="01">Académie de Paris</option>');
    expect(academie.html).toContain('<option value="38">38 - Isère</option>');
    expect(academie.html).not.toContain('<option value="69">');
    const csv = await browsers.dreets.get("/listes/sans-contrat.csv?academie=08");
    expect(csv.status).toBe(200);
    expect((await csv.text()).trim().split("\r\n").length - 1).toBe(grenoble.inscritsSansContrat);
    expect((await journal("dreets@demo.test")).at(-1)).toMatchObject({ list: "sans_contrat", action: "download", filters: { academie: "08", format: "csv" } });
    // a rectorat: its académie, not the région holding it; a DDETS: nothing to choose
    expect((await liste("academie", "/listes/abandons?academie=10")).status).toBe(200);
    const region = await liste("academie", "/listes/abandons?region=84");
    expect(region.status).toBe(400);
    expect(region.html).toContain("la région 84 (Auvergne-Rhône-Alpes) est hors du périmètre de votre organisation, qui est l&#x27;académie 10 (Lyon)");
    expect(region.html).not.toContain('id="academie"');
    expect(region.html).toContain('id="departement"');
    const ddets = await liste("ddets", "/listes/abandons");
    expect(ddets.html).not.toMatch(/id="(region|academie|departement)"/);
  });

  it("refuse a date after today, on the page and on the exports (not logged), and read jj/mm/aaaa as the message says", async () => {
    const apresDemain = addDays(TODAY, 2);
    const enFrancais = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
    const aujourdhui = await liste("ddets", "/listes/abandons");
    expect(aujourdhui.total).toBeGreaterThan(0);
    for (const date of [apresDemain, enFrancais(apresDemain), "2099-06-30"]) {
      const futur = await liste("ddets", `/listes/abandons?date=${encodeURIComponent(date)}`);
      // named by the field's label, never by the address's parameter
      expect(futur.html, date).toMatch(/Situation au : le \d{2}\/\d{2}\/\d{4} est dans le futur/);
      expect(futur.html, date).toContain("choisissez une date passée ou aujourd&#x27;hui");
      // the list shown is today's, never one « au » the future date
      expect(futur.total, date).toBe(aujourdhui.total);
      expect(futur.html.replace(/<!-- -->/g, ""), date).toContain(`</strong> au ${enFrancais(TODAY)}`);
    }
    const avant = (await journal("ddets@demo.test")).length;
    for (const format of ["csv", "xlsx"]) {
      const reponse = await browsers.ddets.get(`/listes/abandons.${format}?date=${addDays(TODAY, 400)}`);
      expect(reponse.status, format).toBe(400);
      expect(await reponse.text(), format).toMatch(/^Export impossible : Situation au : le \d{2}\/\d{2}\/\d{4} est dans le futur/);
    }
    expect((await journal("ddets@demo.test")).length).toBe(avant);
    // today is a date like any past one, written either way
    for (const date of [TODAY, enFrancais(TODAY)]) {
      const page = await liste("ddets", `/listes/abandons?date=${encodeURIComponent(date)}`);
      expect(page.html, date).not.toContain("Certains filtres sont invalides");
      expect(page.total, date).toBe(aujourdhui.total);
      const csv = await browsers.ddets.get(`/listes/abandons.csv?date=${encodeURIComponent(date)}`);
      expect(csv.status, date).toBe(200);
      expect((await csv.text()).trim().split("\r\n").length - 1, date).toBe(aujourdhui.total);
    }
    const hier = addDays(TODAY, -1);
    expect((await liste("ddets", `/listes/abandons?date=${encodeURIComponent(enFrancais(hier))}`)).html.replace(/<!-- -->/g, "")).toContain(`</strong> au ${enFrancais(hier)}`);
    // not a day of the calendar: said with the formats accepted, the export refused
    const fevrier = await liste("ddets", "/listes/abandons?date=30/02/2026");
    expect(fevrier.html).toContain(
      "Situation au : « 30/02/2026 » n&#x27;est pas une date valide : saisissez un jour du calendrier au format jj/mm/aaaa (par exemple 31/03/2025) ou aaaa-mm-jj (2025-03-31).",
    );
    expect((await browsers.ddets.get("/listes/abandons.csv?date=30/02/2026")).status).toBe(400);
  });

  it("sort names as a French reader does (accents and case ignored, then the exact name), on the page and in the exports", async () => {
    // eight young people of the national « sans contrat » list, renamed; one search finds them all (the whole nation:
    // a single région of the 4,000 demo learners may have fewer than eight on some days)
    const lignes = await t.database.rows<{ id: number; nom: string; prenom: string }>(sql`
      select e.id, e.nom, e.prenom from effectifs e join statut_periodes p on p.effectif_id = e.id
      where ${TODAY}::date between p.debut and p.fin and p.etat in (2, 3, 4)
      order by e.id limit 8`);
    expect(lignes).toHaveLength(8);
    const noms: [string, string][] = [
      ["Roger", "Triaccent"],
      ["Guillot", "Triaccent"],
      ["Rémy", "Triaccent"],
      ["Louis", "Triaccent"],
      ["Lévêque", "Triaccent"],
      ["Guérin", "Triaccent"],
      ["LEVEQUE", "Triaccent"],
      ["Leveque", "Triaccent"],
    ];
    const attendu = ["Guérin", "Guillot", "LEVEQUE", "Leveque", "Lévêque", "Louis", "Rémy", "Roger"];
    try {
      for (const [i, [nom, prenom]] of noms.entries()) {
        await t.database.db.execute(sql`update effectifs set nom = ${nom}, prenom = ${prenom} where id = ${lignes[i].id}`);
      }
      const ordre = (html: string) => [...html.matchAll(/<td>([^<]+?)(?:<!-- -->)? (?:<!-- -->)?Triaccent<\/td>/g)].map((m) => m[1]);
      const asc = await liste("administrateur", "/listes/sans-contrat?q=triaccent&tri=nom&ordre=asc");
      expect(asc.total).toBe(8);
      expect(ordre(asc.html)).toEqual(attendu);
      expect(ordre((await liste("administrateur", "/listes/sans-contrat?q=triaccent&tri=nom&ordre=desc")).html)).toEqual([...attendu].reverse());
      // the default order is the name's
      expect(ordre((await liste("administrateur", "/listes/sans-contrat?q=triaccent")).html)).toEqual(attendu);
      const csv = parseCsv(new Uint8Array(await (await browsers.administrateur.get("/listes/sans-contrat.csv?q=triaccent&tri=nom&ordre=asc")).arrayBuffer()));
      expect(csv.records.map((r) => r.fields[csv.header.indexOf("Nom")])).toEqual(attendu);
      const [feuille] = readXlsx(new Uint8Array(await (await browsers.administrateur.get("/listes/sans-contrat.xlsx?q=triaccent&tri=nom&ordre=desc")).arrayBuffer()));
      expect(feuille.rows.slice(1).map((r) => r[feuille.rows[0].indexOf("Nom")])).toEqual([...attendu].reverse());
    } finally {
      for (const l of lignes) await t.database.db.execute(sql`update effectifs set nom = ${l.nom}, prenom = ${l.prenom} where id = ${l.id}`);
    }
  });

  it("write a name that a spreadsheet would run as a formula as text in the CSV", async () => {
    // a name as an ERP may send it (the API accepts any text): opened in Excel, it must not become a live link
    const [premier] = await t.database.rows<{ id: number; nom: string }>(sql`
      select e.id, e.nom from effectifs e join statut_periodes p on p.effectif_id = e.id
      where ${TODAY}::date between p.debut and p.fin and p.etat in (2, 3, 4) and p.departement_code = '69'
      order by e.id limit 1`);
    await t.database.db.execute(sql`update effectifs set nom = ${'=HYPERLINK("http://exemple.invalid/","Lima")'} where id = ${premier.id}`);
    try {
      const csv = await (await browsers.ddets.get("/listes/rupturants.csv?limit=10000")).text();
      const sans = await (await browsers.ddets.get("/listes/sans-contrat.csv")).text();
      const abandons = await (await browsers.ddets.get("/listes/abandons.csv")).text();
      const tout = csv + sans + abandons;
      expect(tout).toContain(`"'=HYPERLINK(""http://exemple.invalid/"",""Lima"")"`);
      expect(tout).not.toMatch(/(^|;)"?=HYPERLINK/m);
    } finally {
      await t.database.db.execute(sql`update effectifs set nom = ${premier.nom} where id = ${premier.id}`);
    }
  });
});
