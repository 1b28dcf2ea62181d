/**
 * The home counters of a CFA's space and the lists they lead to count the same learners (built app: `npm run -s
 * build` first): a past school year's dossier whose last statut stays « Rupturant » after its end of training is
 * not counted today (domain.md, "Counters at D": the date's school year and "Y-Y" of its calendar year), so the
 * list behind the counter must leave it out too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { anneeScolaireOf, todayIso } from "../../app/statut/annee-scolaire";
import { addDays } from "../../app/statut/days";
import { Browser, emailOf, PASSWORD, pourDossier, seedAccounts, seedReferentiel, type Persona, type Referentiel } from "./auth-fixtures";
import { dossier } from "./ingestion-fixtures";

process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let ref: Referentiel;
const T = todayIso();
const courante = anneeScolaireOf(T);
const debutCourante = Number(courante.slice(0, 4));
const passee = `${debutCourante - 2}-${debutCourante - 1}`;
const civile = `${T.slice(0, 4)}-${T.slice(0, 4)}`;

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  await seedAccounts(t.database, ref);
  const R = pourDossier(ref.R);
  const contrat = (debut: string, fin: string, rupture: string) => ({ contrat_date_debut: debut, contrat_date_fin: fin, contrat_date_rupture: rupture });
  await ingestDossiers(
    t.database,
    [
      // this school year: a minor whose contract was broken 10 days ago (rupturant, à risque)
      dossier(R, R, {
        id_erp_apprenant: "COURANT",
        nom_apprenant: "Courant",
        annee_scolaire: courante,
        date_de_naissance_apprenant: addDays(T, -16 * 365),
        date_inscription_formation: addDays(T, -70),
        date_entree_formation: addDays(T, -60),
        date_fin_formation: addDays(T, 300),
        ...contrat(addDays(T, -60), addDays(T, 300), addDays(T, -10)),
      }),
      // "Y-Y" of today's calendar year: counted too, rupturant for 5 days
      dossier(R, R, {
        id_erp_apprenant: "CIVILE",
        nom_apprenant: "Civile",
        annee_scolaire: civile,
        date_de_naissance_apprenant: "1990-05-01",
        date_inscription_formation: addDays(T, -110),
        date_entree_formation: addDays(T, -100),
        date_fin_formation: addDays(T, 200),
        ...contrat(addDays(T, -100), addDays(T, 200), addDays(T, -5)),
      }),
      // two school years ago: broken a month before the end of training, still « Rupturant » since (rule 7), not counted
      dossier(R, R, {
        id_erp_apprenant: "PASSE",
        nom_apprenant: "Passé",
        annee_scolaire: passee,
        date_de_naissance_apprenant: "2009-01-01",
        date_inscription_formation: `${debutCourante - 2}-06-15`,
        date_entree_formation: `${debutCourante - 2}-09-01`,
        date_fin_formation: `${debutCourante - 1}-06-30`,
        ...contrat(`${debutCourante - 2}-09-01`, `${debutCourante - 1}-08-31`, `${debutCourante - 1}-05-31`),
      }),
    ],
    { organismeId: R.id, source: "API" },
  );
  app = await serveApp(t.database);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function as(who: Persona): Promise<Browser> {
  const b = new Browser(app.baseUrl);
  expect((await b.login(emailOf(who), PASSWORD)).status).toBe(302);
  return b;
}

const html = (s: string) => s.replace(/&amp;/g, "&");

/** The figure of the home's tile labelled `libelle` (linked or not). */
function chiffre(page: string, libelle: string): number {
  const m = new RegExp(`fr-tile__title[^>]*>(?:<a [^>]*>)?([0-9  ]+)(?:<span[^>]*>[^<]*</span></a>)?</p><p class="fr-tile__desc"[^>]*>${libelle}</p>`).exec(page);
  if (!m) throw new Error(`chiffre « ${libelle} » introuvable`);
  return Number(m[1].replace(/\D/g, ""));
}

/** How many dossiers the list at `href` holds. */
async function nombreDansLaListe(b: Browser, href: string): Promise<{ n: number; page: string }> {
  const r = await b.get(href);
  expect(r.status, href).toBe(200);
  const page = await r.text();
  const m = /data-testid="nombre-apprenants"><strong>([0-9  ]+) dossiers? d&#x27;apprenants?<\/strong>/.exec(page);
  if (!m) throw new Error(`nombre de dossiers introuvable sur ${href}`);
  return { n: Number(m[1].replace(/\D/g, "")), page };
}

describe("a CFA's home counters and the lists behind them", () => {
  it("« Voir les rupturants » lists exactly the rupturants counted, not a past year's dossier still « Rupturant »", async () => {
    for (const who of ["ADMINISTRATEUR", "ORGANISME_FORMATION"] as const) {
      const b = await as(who);
      const home = await (await b.get(`/cfa/${ref.R.id}`)).text();
      expect(chiffre(home, "Rupturants"), who).toBe(2);
      const lien = /<a class="fr-btn fr-btn--secondary"[^>]* href="([^"]+)"[^>]*>Voir les rupturants<\/a>/.exec(home)?.[1];
      expect(lien, who).toBeDefined();
      const { n, page } = await nombreDansLaListe(b, html(lien!));
      expect(n, who).toBe(2);
      expect(page).toContain("Courant");
      expect(page).toContain("Civile");
      expect(page).not.toContain("Passé");
      // the school-year select shows the choice the link made
      expect(page).toMatch(/<option value="comptees" selected="">Comptées au \d{2}\/\d{2}\/\d{4} : \d{4}-\d{4} et (\d{4})-\1 \(année civile \1\)</);
      // every year, as before: the past year's dossier is still a rupturant at its last statut
      expect((await nombreDansLaListe(b, `/cfa/${ref.R.id}/apprenants?statut=RUPTURANT`)).n).toBe(3);
    }
  });

  it("« Voir les apprenants à risque » and every linked tile lead to as many dossiers as they show", async () => {
    const b = await as("ADMINISTRATEUR");
    const home = await (await b.get(`/cfa/${ref.R.id}`)).text();
    const risque = /<a class="fr-btn fr-btn--secondary"[^>]* href="([^"]+)"[^>]*>Voir les apprenants à risque<\/a>/.exec(home)![1];
    expect(chiffre(home, "À risque")).toBe(1);
    expect((await nombreDansLaListe(b, html(risque))).n).toBe(1);
    const tuiles = [...home.matchAll(/fr-tile__title[^>]*><a [^>]*href="([^"]+)"[^>]*>([0-9  ]+)<span class="fr-sr-only"> ([^<]+)<\/span><\/a>/g)];
    expect(tuiles.map((m) => m[3])).toEqual(["Apprentis", "Inscrits sans contrat", "Rupturants", "Abandons", "Fins de formation", "À risque", "Doublons probables"]);
    for (const [, href, valeur, libelle] of tuiles) {
      if (libelle === "Doublons probables") continue;
      expect((await nombreDansLaListe(b, html(href))).n, libelle).toBe(Number(valeur.replace(/\D/g, "")));
    }
  });
});
