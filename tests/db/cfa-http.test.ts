/**
 * The CFA space over HTTP (built app, `npm run -s build` first): who may open which space, nothing leaked to the
 * others, named lists and exports logged, merge / delete archived and logged, API key shown once.
 * Référentiel of tests/db/auth-fixtures.ts: R responsable with its formateur F; X elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { Browser, emailOf, PASSWORD, pourDossier, seedAccounts, seedReferentiel, type Persona, type Referentiel } from "./auth-fixtures";
import { dossier } from "./ingestion-fixtures";
import { ensureDemoTransmissions } from "../../app/cfa/demo-transmissions.server";
import { parisDay } from "../../app/shared/jours-paris.server";
import { recordRefusedRequest } from "../../app/ingestion/transmissions.server";
import { purgeIngestion } from "../../app/ingestion/jobs.server";
import { parseCsv } from "../../app/shared/csv";
import { readXlsx } from "../../app/shared/xlsx.server";
import { colonneBrute, lettreColonne } from "../helpers/xlsx";

/** A row without its trailing empty cells (the XLSX reader does not keep them). */
function sansVidesFinaux(r: string[]): string[] {
  const out = [...r];
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let ref: Referentiel;
const browsers = new Map<Persona | "anonyme", Browser>();
const ids: Record<string, number> = {};


async function as(who: Persona | "anonyme"): Promise<Browser> {
  let b = browsers.get(who);
  if (!b) {
    b = new Browser(app.baseUrl);
    if (who !== "anonyme") {
      const r = await b.login(emailOf(who), PASSWORD);
      expect(r.status).toBe(302);
    }
    browsers.set(who, b);
  }
  return b;
}

async function logCount(): Promise<number> {
  const [r] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from named_list_access_log`);
  return r.n;
}

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  await seedAccounts(t.database, ref);
  const R = pourDossier(ref.R);
  const F = pourDossier(ref.F);
  const X = pourDossier(ref.X);
  // R transmits its formateur F's learners (one rejected), X its own
  await ingestDossiers(
    t.database,
    [
      dossier(F, R, { id_erp_apprenant: "F-1", nom_apprenant: "Martin", prenom_apprenant: "Léa", date_de_naissance_apprenant: "2008-01-15", formation_cfd: "50022141" }),
      dossier(F, R, { id_erp_apprenant: "F-2", nom_apprenant: "MARTIN", prenom_apprenant: "Lea", date_de_naissance_apprenant: "2008-01-15", formation_cfd: "50022141", contrat_date_debut: undefined, contrat_date_fin: undefined }),
      dossier(F, R, { id_erp_apprenant: "F-3", nom_apprenant: "Bernard", prenom_apprenant: "Hugo", date_de_naissance_apprenant: "2008-02-30" }),
    ],
    { organismeId: R.id, source: "API", erp: "Ypareo" },
  );
  await ingestDossiers(t.database, [dossier(X, X, { id_erp_apprenant: "X-1", nom_apprenant: "Secretdehors", prenom_apprenant: "Zoé" })], {
    organismeId: X.id,
    source: "API",
  });
  const rows = await t.database.rows<{ id: number; id_erp_apprenant: string }>(sql`select id, id_erp_apprenant from effectifs`);
  for (const r of rows) ids[r.id_erp_apprenant] = r.id;
  app = await serveApp(t.database);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("who may open a space", () => {
  it("a responsable's user: /cfa leads to its space, which covers its formateur", async () => {
    const b = await as("ORGANISME_FORMATION");
    const home = await b.get("/cfa");
    expect(home.status).toBe(302);
    expect(home.headers.get("location")).toBe(`/cfa/${ref.R.id}`);
    const r = await b.get(`/cfa/${ref.R.id}`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain(ref.R.raisonSociale);
    expect(html).toContain("Organismes formateurs (1)");
    expect((await b.get(`/cfa/${ref.F.id}`)).status).toBe(200);
    const formateurs = await (await b.get(`/cfa/${ref.R.id}/formateurs`)).text();
    expect(formateurs).toContain(ref.F.raisonSociale);
  });

  const pages = (id: number) => [
    `/cfa/${id}`,
    `/cfa/${id}/transmissions`,
    `/cfa/${id}/transmissions/${parisDay()}`,
    `/cfa/${id}/cle-api`,
    `/cfa/${id}/apprenants`,
    `/cfa/${id}/apprenants?q=Secretdehors`,
    `/cfa/${id}/doublons`,
    `/cfa/${id}/qualite`,
    `/cfa/${id}/formateurs`,
    `/cfa/${id}/export.csv`,
    `/cfa/${id}/export.xlsx`,
  ];

  it("another CFA's space: 403 everywhere, nothing leaked", async () => {
    const b = await as("ORGANISME_FORMATION");
    for (const path of [...pages(ref.X.id), `/cfa/${ref.X.id}/apprenants/${ids["X-1"]}`]) {
      const r = await b.get(path);
      expect(r.status, path).toBe(403);
      const body = await r.text();
      expect(body, path).not.toContain(ref.X.raisonSociale);
      expect(body, path).not.toContain("Secretdehors");
    }
  });

  it("another CFA's learner through one's own space: 404", async () => {
    const b = await as("ORGANISME_FORMATION");
    const r = await b.get(`/cfa/${ref.R.id}/apprenants/${ids["X-1"]}`);
    expect(r.status).toBe(404);
    expect(await r.text()).not.toContain("Secretdehors");
    const list = await (await b.get(`/cfa/${ref.R.id}/apprenants?q=Secretdehors`)).text();
    expect(list).toContain("0 dossier d&#x27;apprenant");
    expect(list).not.toContain("Zoé");
  });

  it("a formateur's user sees its own space, not its responsable's", async () => {
    const b = await as("CFA_FORMATEUR");
    expect((await b.get("/cfa")).headers.get("location")).toBe(`/cfa/${ref.F.id}`);
    expect((await b.get(`/cfa/${ref.F.id}/apprenants`)).status).toBe(200);
    for (const path of pages(ref.R.id)) expect((await b.get(path)).status, path).toBe(403);
  });

  it("territorial users and the public never open a space", async () => {
    for (const who of ["DREETS", "ACADEMIE", "TETE_DE_RESEAU", "OPERATEUR_PUBLIC_NATIONAL"] as const) {
      const b = await as(who);
      expect((await b.get("/cfa")).status, who).toBe(403);
      for (const path of pages(ref.R.id)) {
        const r = await b.get(path);
        expect(r.status, `${who} ${path}`).toBe(403);
        expect(await r.text()).not.toContain("Martin");
      }
    }
    const anonyme = await as("anonyme");
    const r = await anonyme.get(`/cfa/${ref.R.id}/apprenants`);
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toMatch(/^\/connexion\?redirectTo=/);
  });

  it("unknown organisme or malformed ids: 404", async () => {
    const b = await as("ADMINISTRATEUR");
    expect((await b.get("/cfa/999999")).status).toBe(404);
    expect((await b.get("/cfa/abc")).status).toBe(404);
    expect((await b.get(`/cfa/${ref.R.id}/transmissions/2025-02-30`)).status).toBe(404);
    expect((await b.get(`/cfa/${ref.R.id}/transmissions/0000-01-01`)).status).toBe(404);
    expect((await b.get(`/cfa/${ref.R.id}/transmissions/0001-01-01`)).status).toBe(200);
    expect((await b.get(`/cfa/${ref.R.id}/apprenants/0`)).status).toBe(404);
  });

  it("a national admin opens any space and searches them from /cfa", async () => {
    const b = await as("ADMINISTRATEUR");
    expect((await b.get(`/cfa/${ref.X.id}`)).status).toBe(200);
    const search = await (await b.get(`/cfa?q=${ref.X.siret}`)).text();
    expect(search).toContain(ref.X.raisonSociale);
  });
});

describe("named lists, transmissions and exports", () => {
  it("the list and a learner's page are logged views", async () => {
    const b = await as("ORGANISME_FORMATION");
    const before = await logCount();
    const list = await (await b.get(`/cfa/${ref.R.id}/apprenants?q=martin`)).text();
    expect(list).toContain("Martin");
    const fiche = await b.get(`/cfa/${ref.R.id}/apprenants/${ids["F-1"]}`);
    expect(fiche.status).toBe(200);
    expect(await fiche.text()).toContain("Parcours de l");
    expect(await logCount()).toBe(before + 2);
    const [last] = await t.database.rows<{ list: string; action: string; row_count: number; user_email: string }>(
      sql`select list, action, row_count, user_email from named_list_access_log order by id desc limit 1`,
    );
    expect(last).toEqual({ list: "tous", action: "view", row_count: 1, user_email: emailOf("ORGANISME_FORMATION") });
  });

  it("a request that would run a named page without receiving it (HEAD, ?_data=) is refused and logs nothing", async () => {
    const b = await as("ORGANISME_FORMATION");
    const before = await logCount();
    for (const path of [`/cfa/${ref.R.id}/apprenants`, `/cfa/${ref.R.id}/apprenants/${ids["F-1"]}`, `/cfa/${ref.R.id}/export.csv`]) {
      const head = await b.request(path, { method: "HEAD" });
      expect(head.status).toBe(405);
      expect(head.headers.get("allow")).toBe("GET, POST");
    }
    const data = await b.get(`/cfa/${ref.R.id}/apprenants?_data=routes%2Fcfa.%24organismeId.apprenants._index`);
    expect(data.status).toBe(400);
    expect(await data.text()).toContain("le paramètre « _data » n'est pas pris en charge");
    // nor by an encoded path, nor with the parameter past the first 1,000 (Express's parser stops there, Remix does not)
    expect((await b.request(`/%63fa/${ref.R.id}/apprenants`, { method: "HEAD" })).status).toBe(405);
    const apres1000 = Array.from({ length: 1000 }, (_, i) => `p${i}=1`).join("&");
    expect((await b.get(`/cfa/${ref.R.id}/apprenants?${apres1000}&_data=routes%2Fcfa.%24organismeId.apprenants._index`)).status).toBe(400);
    expect(await logCount()).toBe(before);
    // the app's own data requests still read (and log) the list
    const donnees = await b.get(`/cfa/${ref.R.id}/apprenants.data`);
    expect(donnees.status).toBe(200);
    expect(await donnees.text()).toContain("Martin");
    expect(await logCount()).toBe(before + 1);
  });

  it("a rejected dossier is explained on its day", async () => {
    const b = await as("ORGANISME_FORMATION");
    const history = await (await b.get(`/cfa/${ref.R.id}/transmissions`)).text();
    expect(history).toContain("Voir les erreurs");
    expect(history).toContain("dont inchangés");
    const day = await (await b.get(`/cfa/${ref.R.id}/transmissions/${parisDay()}`)).text();
    expect(day).toContain("Bernard");
    expect(day).toContain("n&#x27;existe pas dans le calendrier");
    expect(day).toContain("dont inchangés");
    expect(day).toContain("<td>API<!-- --> (Ypareo)</td>");
    // one statement of the problem (field, value), one short fix: neither the raw message nor its field codes
    const start = day.indexOf('data-testid="dossiers-refuses"');
    const table = day.slice(start, day.indexOf("</table>", start));
    expect(table).toMatch(/<th scope="col">Apprenant<\/th><th scope="col">Problème<\/th><th scope="col">Comment corriger<\/th><\/tr>/);
    expect(table).toContain("<strong>Date de naissance</strong> : <!-- -->« 2008-02-30 » n&#x27;existe pas dans le calendrier</td>");
    expect(table.match(/<td/g)).toHaveLength(3);
    // which send, and where the dossier stands now (decision 033): not accepted since
    expect(table).toMatch(/dossier n° \d+ de l&#x27;envoi<!-- --> de \d{2}:\d{2}<\/span>/);
    expect(table).toContain('data-testid="suivi-refus">À corriger</span>');
    expect(table).not.toContain("date_de_naissance_apprenant");
    expect(table).not.toContain("date inexistante : date réelle attendue");
  });

  it("the recurring errors are those of the period chosen, within the 30 days their detail is kept", async () => {
    const b = await as("ORGANISME_FORMATION");
    const year = await (await b.get(`/cfa/${ref.R.id}/transmissions?jours=365`)).text();
    // the history covers 12 months, the recurring errors only the 30 days whose detail is kept: the title says so
    expect(year).toMatch(/<h2 id="titre-recurrentes" class="fr-h4">Erreurs récurrentes <!-- -->des 30 derniers jours<\/h2>/);
    expect(year).toContain("Le détail des dossiers refusés n&#x27;est conservé que <!-- -->30<!-- --> jours");
    const month = await (await b.get(`/cfa/${ref.R.id}/transmissions?jours=90`)).text();
    expect(month).toMatch(/Erreurs récurrentes <!-- -->des 30 derniers jours/);
    const def = await (await b.get(`/cfa/${ref.R.id}/transmissions`)).text();
    expect(def).toMatch(/Erreurs récurrentes <!-- -->des 30 derniers jours/);
    expect(def).not.toContain("retention-erreurs");
  });

  it("each number is named for what it counts", async () => {
    const b = await as("ORGANISME_FORMATION");
    const home = await (await b.get(`/cfa/${ref.R.id}`)).text();
    expect(home).toContain("Apprenants aujourd&#x27;hui");
    const list = await (await b.get(`/cfa/${ref.R.id}/apprenants`)).text();
    expect(list).toContain("<strong>2 dossiers d&#x27;apprenants</strong> (toutes années scolaires)");
    // the statut filter is the learner's at the date, the signals those of the counters (the années counted at the date)
    expect(list).toMatch(/for="statut">Statut<span class="fr-hint-text">Le statut de l&#x27;apprenant à la date, quelle que soit son année scolaire<\/span>/);
    expect(list).toMatch(/for="signal">Signal de décrochage<span class="fr-hint-text">Parmi les apprenants comptés à la date/);
    const annee = await (await b.get(`/cfa/${ref.R.id}/apprenants?annee=2024-2025`)).text();
    expect(annee).toContain("dossiers d&#x27;apprenants</strong> (année scolaire 2024-2025)");
    // a value the page cannot take: said in its banner, the list without it, and a 400 as its exports answer
    const inconnu = await b.get(`/cfa/${ref.R.id}/apprenants?statut=INCONNU`);
    expect(inconnu.status).toBe(400);
    const texte = await inconnu.text();
    expect(texte).toContain("Statut inconnu : choisissez-en un dans la liste.");
    expect(texte).toContain("<strong>2 dossiers d&#x27;apprenants</strong>");
    const formateurs = await (await b.get(`/cfa/${ref.R.id}/formateurs`)).text();
    // the années the home's counters count: the school year and "Y-Y" of the calendar year
    expect(formateurs).toMatch(/<th scope="col">Dossiers d&#x27;apprenants <!-- -->\d{4}-\d{4} et \d{4}-\d{4}<\/th>/);
    expect(formateurs).not.toContain("Apprenants cette année");
    const qualite = await (await b.get(`/cfa/${ref.R.id}/qualite`)).text();
    expect(qualite).toContain("des dossiers d&#x27;apprenants sans anomalie");
    // the fields in plain words, with the feed's name for the ERP's technician
    expect(qualite).toMatch(/Sexe<!-- --> : <code>sexe_apprenant<\/code>/);
    expect(qualite).toMatch(/Commune de résidence \(code INSEE\)<!-- --> : <code>code_commune_insee_apprenant<\/code>/);
    expect(qualite).toMatch(/Année scolaire <!-- -->2024-2025<!-- --> : <!-- -->2 dossiers d&#x27;apprenants/);
  });

  it("the export is a logged download, with contacts for a CFA", async () => {
    const b = await as("ORGANISME_FORMATION");
    const before = await logCount();
    const r = await b.get(`/cfa/${ref.R.id}/export.csv?q=martin`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toMatch(/attachment; filename="apprenants-organisme-\d+-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split("\r\n");
    expect(lines).toHaveLength(3);
    expect(lines[0].split(";")).toContain("E-mail");
    // dates JJ/MM/AAAA, as Excel in French reads a date
    const parsed = parseCsv(bytes);
    const colonne = (nom: string) => parsed.header.indexOf(nom);
    for (const r of parsed.records) {
      expect(r.fields[colonne("Date de naissance")]).toBe("15/01/2008");
      for (const nom of ["Date d'entrée en formation", "Date de fin de formation", "Date de référence"]) expect(r.fields[colonne(nom)], nom).toMatch(/^\d{2}\/\d{2}\/\d{4}$/);
    }
    expect(await logCount()).toBe(before + 1);
    const [last] = await t.database.rows<{ action: string; row_count: number; filters: unknown }>(
      sql`select action, row_count, filters from named_list_access_log order by id desc limit 1`,
    );
    expect(last.action).toBe("download");
    expect(last.row_count).toBe(2);
    const xlsx = await b.get(`/cfa/${ref.R.id}/export.xlsx?q=martin`);
    expect(xlsx.headers.get("content-type")).toMatch(/spreadsheetml/);
    // in Excel: real dates (read back as the CSV writes them), codes as texts
    const classeur = new Uint8Array(await xlsx.arrayBuffer());
    const [feuille] = readXlsx(classeur);
    expect(feuille.rows.slice(1)).toEqual(parsed.records.map((r) => sansVidesFinaux(r.fields)));
    const lettre = (nom: string) => lettreColonne(feuille.rows[0].indexOf(nom));
    expect(colonneBrute(classeur, lettre("Date de naissance"))).toEqual([
      { type: "date", valeur: "39462", format: "dd/mm/yyyy" },
      { type: "date", valeur: "39462", format: "dd/mm/yyyy" },
    ]);
    for (const nom of ["Date d'entrée en formation", "Date de fin de formation", "Date de référence"]) {
      expect(colonneBrute(classeur, lettre(nom)).map((c) => c.type), nom).toEqual(["date", "date"]);
    }
    expect(colonneBrute(classeur, lettre("Code CFD"))).toEqual([
      { type: "texte", valeur: "50022141", format: "General" },
      { type: "texte", valeur: "50022141", format: "General" },
    ]);
    // the list's page says which file to open in Excel
    const page = await (await b.get(`/cfa/${ref.R.id}/apprenants?q=martin`)).text();
    expect(page).toContain("Pour Excel, préférez le format XLSX");
  });
});

describe("actions", () => {
  it("merges the duplicates: archived with who and why, logged", async () => {
    const b = await as("ORGANISME_FORMATION");
    const page = await (await b.get(`/cfa/${ref.R.id}/doublons`)).text();
    expect(page).toContain("Fusionner dans la fiche conservée");
    const csrf = page.match(/name="csrf" value="([A-Za-z0-9_-]{43})"/)![1];
    // a foreign learner cannot be slipped into the form
    const refused = await b.post(`/cfa/${ref.R.id}/doublons?index`, {
      csrf,
      intent: "supprimer",
      effectif: String(ids["X-1"]),
      motif: "Tentative",
    });
    expect(await refused.text()).toContain("n'existe pas ou a déjà été supprimé");
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${ids["X-1"]}`)).toHaveLength(1);
    // nothing filled: both fields are named at once, each under itself, and nothing is deleted
    const vide = await (await b.post(`/cfa/${ref.R.id}/doublons?index`, { csrf, intent: "supprimer", formulaire: "motif-suppression-0", effectif: "", motif: "" })).text();
    expect(vide).toContain("2 champs à corriger : Choisissez la fiche à supprimer. Indiquez le motif");
    expect(vide).toMatch(/id="supprimer-0"[^>]*aria-invalid="true"[^>]*aria-describedby="supprimer-0-erreur"/);
    expect(vide).toContain('id="supprimer-0-erreur" class="fr-error-text">Choisissez la fiche à supprimer.<');
    expect(vide).toMatch(/id="motif-suppression-0-erreur" class="fr-error-text">Indiquez le motif/);
    expect(await t.database.rows(sql`select 1 from effectifs_archives`)).toHaveLength(0);
    // no CSRF token: refused
    const noCsrf = await b.post(`/cfa/${ref.R.id}/doublons`, { intent: "supprimer", effectif: String(ids["F-2"]), motif: "x y z" });
    expect(noCsrf.status).toBe(403);

    const r = await b.post(`/cfa/${ref.R.id}/doublons`, {
      csrf,
      intent: "fusionner",
      conserve: String(ids["F-1"]),
      groupe: `${ids["F-1"]},${ids["F-2"]}`,
      motif: "Même apprenant",
    });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("1 doublon fusionné");
    const [archive] = await t.database.rows<{ operation: string; effectif_id: number; effectif_conserve_id: number; motif: string; user_email: string }>(
      sql`select operation, effectif_id, effectif_conserve_id, motif, user_email from effectifs_archives`,
    );
    expect(archive).toEqual({
      operation: "fusion",
      effectif_id: ids["F-2"],
      effectif_conserve_id: ids["F-1"],
      motif: "Même apprenant",
      user_email: emailOf("ORGANISME_FORMATION"),
    });
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${ids["F-2"]}`)).toHaveLength(0);
    const after = await (await b.get(`/cfa/${ref.R.id}/doublons`)).text();
    expect(after).toContain("Aucun doublon détecté");
    expect(after).toContain("Même apprenant");
  });

  it("restores a deleted learner from the log, once; a merge is not undone", async () => {
    const b = await as("ORGANISME_FORMATION");
    const csrf = await b.csrf(`/cfa/${ref.R.id}/cle-api`);
    const d = await b.post(`/cfa/${ref.R.id}/doublons`, { csrf, intent: "supprimer", effectif: String(ids["F-1"]), motif: "Erreur de manipulation" });
    expect(await d.text()).toContain("a été supprimé et archivé");
    const [archive] = await t.database.rows<{ id: number }>(
      sql`select id from effectifs_archives where operation = 'suppression' and effectif_id = ${ids["F-1"]}`,
    );
    expect(await (await b.get(`/cfa/${ref.R.id}/doublons`)).text()).toContain("Rétablir la fiche");
    // an old link to the deleted learner says what happened, and where to undo it; a merged one where it went
    const parti = await b.get(`/cfa/${ref.R.id}/apprenants/${ids["F-1"]}`);
    expect(parti.status).toBe(404);
    expect(await parti.text()).toMatch(/a été supprimé le \d{2}\/\d{2}\/\d{4} par .*Erreur de manipulation.*rétablir sa fiche depuis la page Doublons/);
    const fusionne = await b.get(`/cfa/${ref.R.id}/apprenants/${ids["F-2"]}`);
    expect(fusionne.status).toBe(404);
    expect(await fusionne.text()).toContain(`dans la fiche n° ${ids["F-1"]}`);
    const sansMotif = await b.post(`/cfa/${ref.R.id}/doublons`, { csrf, intent: "retablir", archive: String(archive.id), motif: "" });
    expect(await sansMotif.text()).toMatch(/motif/i);
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${ids["F-1"]}`)).toHaveLength(0);

    const r = await b.post(`/cfa/${ref.R.id}/doublons`, { csrf, intent: "retablir", archive: String(archive.id), motif: "Supprimé par erreur" });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain("a été rétabli avec ses contrats");
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${ids["F-1"]}`)).toHaveLength(1);
    const page = await (await b.get(`/cfa/${ref.R.id}/doublons`)).text();
    expect(page).toContain("Rétablie le");
    expect(page).toContain("Supprimé par erreur");

    const encore = await b.post(`/cfa/${ref.R.id}/doublons`, { csrf, intent: "retablir", archive: String(archive.id), motif: "Encore une fois" });
    expect(await encore.text()).toContain("déjà été rétabli");
    const [fusion] = await t.database.rows<{ id: number }>(sql`select id from effectifs_archives where operation = 'fusion'`);
    const annulerFusion = await b.post(`/cfa/${ref.R.id}/doublons`, { csrf, intent: "retablir", archive: String(fusion.id), motif: "Annuler" });
    expect(await annulerFusion.text()).toContain("Une fusion ne peut pas être annulée");
    expect(await t.database.rows(sql`select 1 from effectifs where id = ${ids["F-2"]}`)).toHaveLength(0);

    const autre = await as("CFA_FORMATEUR");
    const csrfAutre = await autre.csrf(`/cfa/${ref.F.id}/cle-api`);
    const refuse = await autre.post(`/cfa/${ref.R.id}/doublons`, { csrf: csrfAutre, intent: "retablir", archive: String(archive.id), motif: "Tentative" });
    expect(refuse.status).toBe(403);
  });

  it("a user of another organisation cannot act on the space", async () => {
    const b = await as("CFA_FORMATEUR");
    const csrf = await b.csrf(`/cfa/${ref.F.id}/cle-api`);
    const r = await b.post(`/cfa/${ref.R.id}/doublons`, { csrf, intent: "supprimer", effectif: String(ids["F-1"]), motif: "Tentative" });
    expect(r.status).toBe(403);
    const k = await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "generer" });
    expect(k.status).toBe(403);
    expect(await t.database.rows(sql`select 1 from organisme_api_keys where organisme_id = ${ref.R.id}`)).toHaveLength(0);
  });

  it("generates a key shown once, records the ERP, revokes", async () => {
    const b = await as("ORGANISME_FORMATION");
    const csrf = await b.csrf(`/cfa/${ref.R.id}/cle-api`);
    const gen = await (await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "generer" })).text();
    const key = gen.match(/tdba_[A-Za-z0-9_-]{43}/)?.[0];
    expect(key).toBeDefined();
    const again = await (await b.get(`/cfa/${ref.R.id}/cle-api`)).text();
    expect(again).not.toContain(key!);
    expect(again).toContain(key!.slice(0, 12));
    const test = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: { Authorization: `Bearer ${key}` } });
    expect(test.status).toBe(200);
    await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "erp", erp: "Gesti" });
    const [o] = await t.database.rows<{ erp: string }>(sql`select erp from organismes where id = ${ref.R.id}`);
    expect(o.erp).toBe("Gesti");
    expect(await (await b.get(`/cfa/${ref.R.id}/cle-api`)).text()).toContain("Connecter Gesti");
    const notConfirmed = await (await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "revoquer" })).text();
    expect(notConfirmed).toContain("Cochez la case de confirmation");
    await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "revoquer", confirmer: "oui" });
    const revoked = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: { Authorization: `Bearer ${key}` } });
    expect(revoked.status).toBe(403);
  });

  it("replaces the key in use only once confirmed, as it revokes it: the current key keeps working until then", async () => {
    const b = await as("ORGANISME_FORMATION");
    const csrf = await b.csrf(`/cfa/${ref.R.id}/cle-api`);
    const cle = (html: string) => html.match(/tdba_[A-Za-z0-9_-]{43}/)?.[0];
    const premiere = cle(await (await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "generer" })).text());
    expect(premiere).toBeDefined();
    const refus = await (await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "generer" })).text();
    expect(refus).toContain("Cochez la case de confirmation pour remplacer la clé : la clé actuelle cessera aussitôt de fonctionner.");
    expect(cle(refus)).toBeUndefined();
    const test = (key: string) => fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: { Authorization: `Bearer ${key}` } }).then((r) => r.status);
    expect(await test(premiere!)).toBe(200);
    const seconde = cle(await (await b.post(`/cfa/${ref.R.id}/cle-api`, { csrf, intent: "generer", confirmer: "oui" })).text());
    expect(seconde).toBeDefined();
    expect(await test(premiere!)).toBe(403);
    expect(await test(seconde!)).toBe(200);
  });
});

describe("demo data", () => {
  it("never invents transmissions on a database without the demo dataset", async () => {
    const [before] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from transmissions`);
    expect(await ensureDemoTransmissions(t.database, new Date().toISOString().slice(0, 10))).toEqual({
      organismes: 0,
      transmissions: 0,
      avecErreurs: 0,
      doublons: 0,
    });
    const [after] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from transmissions`);
    expect(after.n).toBe(before.n);
  });
});

describe("a request refused as a whole", () => {
  it("is shown in the transmissions, with the API's answer and what to do, not as a rejected dossier", async () => {
    const message = "Trop de dossiers dans un seul envoi : 2\u202f001 reçus, 2\u202f000 au plus. Découpez l'envoi en plusieurs requêtes.";
    await recordRefusedRequest(t.database, { organismeId: ref.R.id, source: "API", erp: "Ypareo", statutHttp: 400, message });
    const b = await as("ORGANISME_FORMATION");
    const history = await (await b.get(`/cfa/${ref.R.id}/transmissions`)).text();
    expect(history).toContain('data-testid="alerte-envois-refuses"');
    expect(history).toContain("1 envoi de votre ERP refusé en entier au cours des 30 derniers jours");
    expect(history).toContain("1 envoi refusé en entier");
    const day = await (await b.get(`/cfa/${ref.R.id}/transmissions/${parisDay()}`)).text();
    const start = day.indexOf('data-testid="envois-refuses"');
    expect(start).toBeGreaterThan(0);
    const section = day.slice(start, day.indexOf("</section>", start));
    expect(section).toContain("Trop de dossiers dans un seul envoi : 2\u202f001 reçus, 2\u202f000 au plus.");
    expect(section).toContain("Aucun dossier de cet envoi n&#x27;a été enregistré.");
    expect(section).toContain("(Ypareo)");
    expect(day).toContain("Envoi refusé en entier");
    // not a rejected dossier: the rejected dossiers of the day are the same as before
    const table = day.slice(day.indexOf('data-testid="dossiers-refuses"'));
    expect(table).not.toContain("Apprenant sans nom");
  });

  it("is still shown with its reason once the per-item errors are purged (30 days)", async () => {
    const quand = new Date(Date.now() - 40 * 86_400_000);
    const message = "JSON invalide : fin du texte inattendue (ligne 1, colonne 2).";
    await recordRefusedRequest(t.database, { organismeId: ref.R.id, source: "API", erp: "Gesti", statutHttp: 400, message, now: quand });
    await purgeIngestion(t.database);
    const b = await as("ORGANISME_FORMATION");
    const day = await (await b.get(`/cfa/${ref.R.id}/transmissions/${parisDay(quand)}`)).text();
    const start = day.indexOf('data-testid="envois-refuses"');
    expect(start).toBeGreaterThan(0);
    const section = day.slice(start, day.indexOf("</section>", start));
    expect(section).toContain("JSON invalide : fin du texte inattendue (ligne 1, colonne 2).");
    expect(section).toContain("Aucun dossier de cet envoi n&#x27;a été enregistré.");
    expect(section).toContain("(Gesti)");
  });
});

describe("a day of many rejected dossiers (a whole nightly batch refused)", () => {
  // 120 dossiers refused, 3 days ago: each without birth date; one in 3 also without first name, one in 4 without
  // année scolaire. The page shows them 50 at a time; the day's counts and recurring errors cover all 120.
  const N = 120;
  let jour: string;
  let url: string;
  const id = (i: number) => `LOT-${String(i).padStart(3, "0")}`;
  /** The ERP ids of the rejected dossiers listed by a page, in order. */
  const listes = (html: string): string[] => {
    const start = html.indexOf('data-testid="dossiers-refuses"');
    if (start < 0) return [];
    return [...html.slice(start, html.indexOf("</table>", start)).matchAll(/Identifiant ERP (LOT-\d{3})/g)].map((m) => m[1]);
  };
  const compte = (html: string) => /data-testid="compte-refuses">(.*?)<\/p>/.exec(html)?.[1].replace(/<!-- -->/g, "");

  beforeAll(async () => {
    const R = pourDossier(ref.R);
    const F = pourDossier(ref.F);
    const items = Array.from({ length: N }, (_, i) =>
      dossier(F, R, {
        id_erp_apprenant: id(i),
        nom_apprenant: `Lot${i}`,
        date_de_naissance_apprenant: undefined,
        ...(i % 3 === 0 ? { prenom_apprenant: undefined } : {}),
        ...(i % 4 === 0 ? { annee_scolaire: undefined } : {}),
      }),
    );
    const { transmissionId } = await ingestDossiers(t.database, items, { organismeId: ref.R.id, source: "API", erp: "Ypareo" });
    const quand = new Date(Date.now() - 3 * 86_400_000);
    await t.database.rows(sql`update transmissions set received_at = ${quand.toISOString()}::timestamptz where id = ${transmissionId}`);
    await t.database.rows(sql`update transmission_organismes set received_at = ${quand.toISOString()}::timestamptz where transmission_id = ${transmissionId}`);
    jour = parisDay(quand);
    url = `/cfa/${ref.R.id}/transmissions/${jour}`;
  });

  it("shows them 50 per page, the page in the URL; past the last page, the last one", async () => {
    const b = await as("ORGANISME_FORMATION");
    const before = await logCount();
    const page1 = await (await b.get(url)).text();
    expect(page1).toContain(`<h2 id="titre-refuses" class="fr-h4">${N} dossiers refusés</h2>`);
    expect(compte(page1)).toBe("Page 1 sur 3 : dossiers 1 à 50 sur 120.");
    expect(listes(page1)).toEqual(Array.from({ length: 50 }, (_, i) => id(i)));
    // the DSFR pagination, each page's link sending the focus to the table (decision 015)
    expect(page1).toContain('aria-label="Pages des dossiers refusés"');
    expect(page1).toContain(`href="${url}?page=2#dossiers-refuses-liste"`);
    expect(page1).toContain('<table tabindex="0" id="dossiers-refuses-liste">');
    // the dossiers of the other pages are not sent, neither in the HTML nor in the loader's data
    expect(page1).not.toContain(id(50));
    expect(page1.length).toBeLessThan(120_000);
    // one named view logged, of the 50 dossiers shown
    expect(await logCount()).toBe(before + 1);
    const [last] = await t.database.rows<{ row_count: number }>(sql`select row_count from named_list_access_log order by id desc limit 1`);
    expect(last.row_count).toBe(50);

    const page2 = await (await b.get(`${url}?page=2`)).text();
    expect(compte(page2)).toBe("Page 2 sur 3 : dossiers 51 à 100 sur 120.");
    expect(listes(page2)).toEqual(Array.from({ length: 50 }, (_, i) => id(50 + i)));
    const page3 = await (await b.get(`${url}?page=3`)).text();
    expect(compte(page3)).toBe("Page 3 sur 3 : dossiers 101 à 120 sur 120.");
    expect(listes(page3)).toEqual(Array.from({ length: 20 }, (_, i) => id(100 + i)));
    // out of range: the last page; not a number: the first
    const loin = await b.get(`${url}?page=99`);
    expect(loin.status).toBe(200);
    expect(listes(await loin.text())).toEqual(listes(page3));
    for (const p of ["0", "-2", "abc", "1e9"]) {
      const r = await b.get(`${url}?page=${p}`);
      expect(r.status, p).toBe(200);
      const html = await r.text();
      expect(listes(html)[0], p).toBe(p === "1e9" ? id(100) : id(0));
    }
  });

  it("the day's counts and recurring errors cover all the dossiers, each field sent to where it is fixed", async () => {
    const b = await as("ORGANISME_FORMATION");
    for (const q of ["", "?page=3"]) {
      const html = await (await b.get(`${url}${q}`)).text();
      const start = html.indexOf('data-testid="erreurs-du-jour"');
      expect(start).toBeGreaterThan(0);
      const table = html.slice(start, html.indexOf("</table>", start)).replace(/<!-- -->/g, "");
      const ligne = /<tr data-categorie="champ_obligatoire">(.*?)<\/tr>/.exec(table)?.[1] ?? "";
      expect(ligne).toContain(`<td>${N} dossiers</td>`);
      expect(ligne).toContain("<strong>Date de naissance, prénom de l&#x27;apprenant</strong> : renseignez ces champs dans la fiche de l&#x27;apprenant");
      expect(ligne).toContain("<strong>Année scolaire</strong> : renseignez ce champ dans l&#x27;inscription de l&#x27;apprenant à sa formation");
      expect(ligne).not.toContain("établissement");
    }
  });

  it("filters them by field in error, or by name or ERP id; nothing found is said", async () => {
    const b = await as("ORGANISME_FORMATION");
    const page = await (await b.get(url)).text();
    // the fields offered, with their dossiers: the filter finds as many (the field of an error, in SQL and in TypeScript)
    const options = [...page.matchAll(/<option value="([a-z_]+)">([^<]*?) \((\d+) dossiers?\)<\/option>/g)].map((m) => [m[1], Number(m[3])] as const);
    expect(Object.fromEntries(options)).toEqual({ date_de_naissance_apprenant: N, prenom_apprenant: 40, annee_scolaire: 30 });
    for (const [champ, n] of options) {
      const html = await (await b.get(`${url}?champ=${champ}`)).text();
      expect(compte(html), champ).toMatch(new RegExp(`^<strong>${n} dossiers refusés correspondent</strong> aux filtres\\. `));
    }
    const prenoms = await (await b.get(`${url}?champ=prenom_apprenant&page=1`)).text();
    expect(listes(prenoms).slice(0, 3)).toEqual([id(0), id(3), id(6)]);
    const un = await (await b.get(`${url}?q=${id(117)}`)).text();
    expect(listes(un)).toEqual([id(117)]);
    expect(compte(un)).toBe("<strong>1 dossier refusé correspond</strong> aux filtres. ");
    const parNom = await (await b.get(`${url}?q=lot11`)).text();
    expect(listes(parNom)).toEqual([id(11), ...Array.from({ length: 10 }, (_, i) => id(110 + i))]);
    const aucun = await (await b.get(`${url}?q=${encodeURIComponent("personne_%")}`)).text();
    expect(aucun).toContain('data-testid="aucun-dossier-filtre"');
    expect(listes(aucun)).toEqual([]);
    expect(aucun).toContain(`<h2 id="titre-refuses" class="fr-h4">${N} dossiers refusés</h2>`);
  });

  it("a day of many transmissions is paged too, with the day's totals", async () => {
    // at noon (UTC) of a day five days ago: the hour before stays that day in Paris, whatever the hour of the run
    const jour5 = parisDay(new Date(Date.now() - 5 * 86_400_000));
    const quand = new Date(`${jour5}T12:00:00Z`);
    await t.database.rows(sql`
      insert into transmissions (organisme_id, source, erp, received_at, nb_items, nb_accepted, nb_rejected, nb_unchanged)
      select ${ref.R.id}, 'API', 'Ypareo', ${quand.toISOString()}::timestamptz - make_interval(mins => g), 10, 10, 0, 9
      from generate_series(1, 60) g`);
    const b = await as("ORGANISME_FORMATION");
    const html = (await (await b.get(`/cfa/${ref.R.id}/transmissions/${jour5}`)).text()).replace(/<!-- -->/g, "");
    const corps = (h: string) => {
      const start = h.indexOf("<tbody>", h.indexOf('id="transmissions-liste"'));
      return h.slice(start, h.indexOf("</tbody>", start));
    };
    expect(corps(html).match(/<tr>/g)).toHaveLength(50);
    expect(html).toContain("<caption>Transmissions reçues (60), page 1 sur 2</caption>");
    expect(html).toMatch(/<tr data-testid="totaux-du-jour"><th scope="row" colSpan="2">Total du jour<\/th><td>600<\/td><td>600<\/td><td>540<\/td><td>0<\/td><\/tr>/i);
    expect(html).toContain("page_transmissions=2#transmissions-liste");
    const page2 = (await (await b.get(`/cfa/${ref.R.id}/transmissions/${jour5}?page_transmissions=2`)).text()).replace(/<!-- -->/g, "");
    expect(corps(page2).match(/<tr>/g)).toHaveLength(10);
  });
});
