/**
 * The « Organismes formateurs » page of a responsable's CFA space (built app: `npm run -s build` first): each
 * formateur's count of dossiers is that of the années scolaires the home's counters count today (domain.md,
 * "Counters at D": the date's school year and "Y-Y" of its calendar year), its column header says which, and the
 * number leads to the list of exactly those dossiers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { texte } from "../helpers/http";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { anneeScolaireOf, todayIso } from "../../app/statut/annee-scolaire";
import { addDays } from "../../app/statut/days";
import { Browser, emailOf, PASSWORD, pourDossier, seedAccounts, seedReferentiel, type Referentiel } from "./auth-fixtures";
import { dossier } from "./ingestion-fixtures";

process.env.COOKIE_SECURE = "0";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let ref: Referentiel;
const T = todayIso();
const courante = anneeScolaireOf(T);
const debutCourante = Number(courante.slice(0, 4));
const passee = `${debutCourante - 1}-${debutCourante}`;
const civile = `${T.slice(0, 4)}-${T.slice(0, 4)}`;

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  await seedAccounts(t.database, ref);
  const R = pourDossier(ref.R);
  const F = pourDossier(ref.F);
  const formation = (id: string, annee: string, entree: string) =>
    dossier(F, R, {
      id_erp_apprenant: id,
      nom_apprenant: id,
      annee_scolaire: annee,
      date_inscription_formation: addDays(entree, -10),
      date_entree_formation: entree,
      date_fin_formation: addDays(entree, 300),
      contrat_date_debut: entree,
      contrat_date_fin: addDays(entree, 300),
    });
  await ingestDossiers(
    t.database,
    [
      // at the formateur F: one dossier of this school year, one of "Y-Y" (a formation within the calendar year), one of last year
      formation("COURANT", courante, addDays(T, -30)),
      formation("CIVILE", civile, addDays(T, -20)),
      formation("PASSE", passee, addDays(T, -400)),
    ],
    { organismeId: R.id, source: "API" },
  );
  app = await serveApp(t.database);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

const html = (s: string) => s.replace(/&amp;/g, "&");

describe("a responsable's formateurs page", () => {
  it("counts the dossiers of the années scolaires counted today, says which, and links to exactly them", async () => {
    const b = new Browser(app.baseUrl);
    expect((await b.login(emailOf("ORGANISME_FORMATION"), PASSWORD)).status).toBe(302);
    const r = await b.get(`/cfa/${ref.R.id}/formateurs`);
    expect(r.status).toBe(200);
    const page = await r.text();
    const table = page.slice(page.indexOf('data-testid="formateurs"'));
    const entetes = [...table.slice(0, table.indexOf("</thead>")).matchAll(/<th scope="col"[^>]*>([\s\S]*?)<\/th>/g)].map((m) => texte(m[1]).trim());
    const colonne = entetes.findIndex((e) => e.startsWith("Dossiers d'apprenants"));
    const ligne = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]).find((l) => l.includes(ref.F.raisonSociale))!;
    const cellule = [...ligne.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)][colonne][1];
    // this school year's dossier and the "Y-Y" one, not last year's
    expect(texte(cellule).trim()).toBe("2");
    // the header names both années counted (the home's counters, "annee=comptees" of the list)
    expect(entetes[colonne]).toBe(`Dossiers d'apprenants ${courante} et ${civile}`);
    const href = html(/<a [^>]*href="([^"]+)"/.exec(cellule)?.[1] ?? "");
    expect(href).toBe(`/cfa/${ref.R.id}/apprenants?formateur=${ref.F.id}&annee=comptees`);
    const liste = await (await b.get(href)).text();
    expect(/data-testid="nombre-apprenants"><strong>([0-9  ]+) dossiers? d&#x27;apprenants?<\/strong>/.exec(liste)?.[1]).toBe("2");
    expect(liste).toContain("COURANT");
    expect(liste).toContain("CIVILE");
    expect(liste).not.toContain("PASSE");
  });
});
