/**
 * The UI audit of the dashboards and exports on the demo dataset: a bad URL value is reported and ignored while
 * the valid filters stay applied (figures, panel, tags); a search that finds nothing keeps its text and says so;
 * one label per training level in the figures and the export files; French order of the exports' lists.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemo } from "../../app/demo/seed.server";
import { createUser } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import { indicateurs } from "../../app/indicateurs/indicateurs.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { chargerTableau } from "../../app/tableaux/page.server";
import { tableauCsv } from "../../app/tableaux/ressources.server";
import { OPTIONS_NIVEAU, libelleNiveau } from "../../app/tableaux/options";
import { telechargerExport } from "../../app/exports/export.server";
import { chargerPageExports, type PageExports } from "../../app/exports/page.server";
import { parseCsv } from "../../app/shared/csv";
import type { TableauPage } from "../../app/tableaux/types";
import type { Vue } from "../../app/tableaux/vues";
import { NATIONAL } from "../../app/auth/policy.server";

const TODAY = todayIso();
const MOIS = TODAY.slice(0, 7);
let t: TestDatabase;
const cookies: Record<string, string> = {};

function requete(path: string, qui?: string): Request {
  return new Request(`http://localhost${path}`, { headers: qui ? { cookie: cookies[qui] } : {} });
}

function page(path: string, vue: Vue = { kind: "national" }, qui?: string): Promise<TableauPage> {
  return chargerTableau(requete(path, qui), t.database, vue, { today: TODAY });
}

const masque = (n: number) => (n > 0 && n < 5 ? "< 5" : Math.round(n / 5) * 5);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 1500, seed: 23, today: TODAY });
  for (const [nom, organisation] of [
    ["admin", { type: "ADMINISTRATEUR" }],
    ["operateur", { type: "OPERATEUR_PUBLIC_NATIONAL" }],
  ] as const) {
    const { user } = await createUser(t.database, { email: `${nom}@audit.test`, password: "Mot-de-passe-de-test-42", organisation: organisation as never });
    cookies[nom] = (await createSession(t.database, user.id, new Request("http://localhost/"))).split(";")[0];
  }
}, 240_000);
afterAll(async () => t?.drop());

describe("a bad value in the address", () => {
  it("is reported and ignored: the valid filters stay in the panel, as tags, and in the figures", async () => {
    const p = await page("/?niveau=3&sexe=F&mois=2026-13");
    expect(p.erreurs).toEqual(["mois : mois invalide « 2026-13 » (AAAA-MM attendu)"]);
    expect(p.mois).toBe(MOIS);
    expect(p.panneau.filtres).toEqual({ niveau: [3], sexe: ["F"] });
    expect(p.panneau.etiquettes.map((e) => [e.libelle, e.href])).toEqual([
      [`Niveau : ${libelleNiveau(3)}`, "/?sexe=F"],
      ["Sexe : Femmes", "/?niveau=3"],
    ]);
    expect(p.recherche).toBe("?niveau=3&sexe=F");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { niveau: [3], sexe: ["F"] } });
    expect(attendu.compteurs.apprenants).toBeGreaterThan(0);
    expect(p.resultat!.chiffres.find((c) => c.cle === "apprenants")!.valeur).toBe(masque(attendu.compteurs.apprenants));
  });

  it("keeps the valid values of a filter and the hidden filters, never the bad ones", async () => {
    const p = await page("/?niveau=4,12&annee_formation=1,9&mois=2025-02", { kind: "national" }, "admin");
    expect(p.erreurs).toHaveLength(2);
    expect(p.panneau.filtres).toEqual({ niveau: [4], anneeFormation: [1] });
    expect(p.panneau.conserves).toEqual([["annee_formation", "1"]]);
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: "2025-02-28", today: TODAY, filters: { niveau: [4], anneeFormation: [1] } });
    expect(p.resultat!.chiffres.find((c) => c.cle === "apprenants")!.valeur).toBe(attendu.compteurs.apprenants);
  });

  it("is still a 400 without figures for the CSV and JSON downloads", async () => {
    const csv = await tableauCsv(requete("/tableau.csv?vue=national&table=serie&niveau=3&mois=2026-13"), t.database);
    expect(csv.status).toBe(400);
    expect(await csv.text()).toMatch(/^Paramètres invalides : mois : mois invalide/);
  });
});

describe("the filter panel's searches", () => {
  it("keeps the text of a formation search that found nothing, says so in French, and shows the figures", async () => {
    const p = await page("/?formation=zzzz-introuvable&niveau=4", { kind: "national" }, "admin");
    expect(p.panneau.recherches.formation).toEqual({ valeur: "zzzz-introuvable", erreur: "Aucune formation du catalogue ne correspond à « zzzz-introuvable »." });
    expect(p.erreurs).toEqual(["formation : aucune formation du catalogue ne correspond à « zzzz-introuvable »"]);
    expect(p.panneau.filtres).toEqual({ niveau: [4] });
    expect(p.recherche).toBe("?niveau=4");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { niveau: [4] } });
    expect(p.resultat!.chiffres.find((c) => c.cle === "apprenants")!.valeur).toBe(attendu.compteurs.apprenants);
  });

  it("applies the searches that resolved next to one that failed, and follows a page change", async () => {
    const p = await page("/?cfa=zzzz-introuvable&formation=50022141", { kind: "national" }, "admin");
    expect(p.panneau.recherches.cfa).toEqual({ valeur: "zzzz-introuvable", erreur: "Aucun organisme de votre périmètre ne correspond à « zzzz-introuvable »." });
    expect(p.panneau.recherches.formation).toEqual({ valeur: "", erreur: null });
    expect(p.panneau.filtres).toEqual({ cfd: ["50022141"] });
    expect(p.resultat).not.toBeNull();
    const redirection = (await page("/?territoire=region:84&formation=zzzz-introuvable", { kind: "national" }, "admin").catch((e) => e)) as Response;
    expect(redirection.status).toBe(302);
    expect(redirection.headers.get("location")).toBe("/regions/84?formation=zzzz-introuvable");
    const region = await page("/regions/84?formation=zzzz-introuvable", { kind: "region", code: "84" }, "admin");
    expect(region.panneau.recherches.formation.valeur).toBe("zzzz-introuvable");
    expect(region.resultat).not.toBeNull();
  });
});

describe("one label per training level", () => {
  it("labels the figures by niveau as the filter does, in the page and in the exports", async () => {
    const labels = new Set(OPTIONS_NIVEAU.map((o) => o.label));
    const p = await page("/", { kind: "national" }, "admin");
    const niveaux = p.resultat!.niveaux.filter((l) => l.code !== null);
    expect(niveaux.length).toBeGreaterThan(2);
    for (const l of niveaux) expect(l.libelle).toBe(libelleNiveau(l.code!));
    for (const l of niveaux) expect(labels.has(l.libelle)).toBe(true);

    const response = await telechargerExport(requete(`/exports/telechargement?repartition=niveau&periode=date&date=${TODAY}&format=csv`, "operateur"), t.database);
    const csv = parseCsv(await response.text());
    const lignes = csv.records.filter((r) => r.fields[3] !== "");
    expect(lignes.length).toBe(niveaux.length);
    for (const r of lignes) expect(r.fields[4]).toBe(libelleNiveau(r.fields[3]));
    // the month as the filters write it, the day as French users read it (decision 019)
    expect(lignes[0].fields.slice(0, 3)).toEqual([MOIS, TODAY.split("-").reverse().join("/"), "Niveau"]);
  });
});

describe("exports page", () => {
  it("lists régions and académies in French order", async () => {
    const response = (await chargerPageExports(requete("/exports", "admin"), t.database)) as unknown as { data: PageExports };
    const regions = response.data.territoires.regions.map((r) => r.nom);
    expect(regions).toEqual([...regions].sort((a, b) => a.localeCompare(b, "fr")));
    expect(regions.indexOf("Île-de-France")).toBe(regions.indexOf("Hauts-de-France") + 1);
    const academies = response.data.territoires.academies.map((a) => a.nom);
    expect(academies).toEqual([...academies].sort((a, b) => a.localeCompare(b, "fr")));
  });
});
