/**
 * The public figures of all France asked by a signed-in viewer whose scope is not national (`perimetre=france`,
 * decision 037): on the national and formation dashboards, a DREETS or a CFA gets exactly what an anonymous visitor
 * gets (figures, panel's filters, files), with a notice and a link back to its perimeter; without the parameter
 * nothing changes but an offer (the link, the territory select's option, a formation's empty state); a bad value is
 * a 400; the downloads follow; no named list, no table by organisme, no RQTH. Loader and resource routes on the demo
 * dataset, then the built app over HTTP (`npm run -s build` first).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { refus, sessions } from "../helpers/sessions";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { texte } from "../helpers/http";
import { seedDemo } from "../../app/demo/seed.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { arrayParam } from "../../db/client.server";
import { getViewer } from "../../app/auth/policy.server";
import { chargerTableau, loaderTableau } from "../../app/tableaux/page.server";
import { tableauCsv, tableauJson } from "../../app/tableaux/ressources.server";
import { lienFormation, lienTerritoire } from "../../app/tableaux/liens";
import type { TableauPage } from "../../app/tableaux/types";
import type { Vue } from "../../app/tableaux/vues";

process.env.COOKIE_SECURE = "0";

const TODAY = todayIso();
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
/** A formation followed in France that no learner of the CFA's perimeter follows. */
let formation: number;
let cfaSiret: string;

const { compte, requete } = sessions(() => t.database);

function page(path: string, vue: Vue, qui?: string): Promise<TableauPage> {
  return chargerTableau(requete(path, qui), t.database, vue, { today: TODAY });
}

const NATIONAL: Vue = { kind: "national" };
const vueFormation = (): Vue => ({ kind: "formation", id: formation });
const cheminFormation = () => `/formations/${formation}/tableau-de-bord`;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 3000, seed: 11, today: TODAY });
  const [r] = await t.database.rows<{ siret: string }>(sql`
    select o.siret from organismes o
    where o.region_code = '84' and o.nature in ('responsable', 'responsable_formateur')
      and exists (select 1 from effectifs e where e.organisme_formateur_id = o.id)
      and (select count(*) from organismes x where x.siret = o.siret) = 1
    order by o.id limit 1`);
  cfaSiret = r.siret;
  await compte("admin", { type: "ADMINISTRATEUR" });
  await compte("dreets", { type: "DREETS", regionCode: "84" });
  await compte("cfa", { type: "ORGANISME_FORMATION", siret: cfaSiret });
  const scope = (await getViewer(requete("/", "cfa"), t.database)).scope;
  if (scope.kind !== "organisme") throw new Error("périmètre d'organisme attendu");
  const [f] = await t.database.rows<{ id: number }>(sql`
    select formation_id as id from effectifs where formation_id is not null group by 1
    having bool_and(not (organisme_formateur_id = any(${arrayParam(scope.organismeIds)}::int[])
      or coalesce(organisme_responsable_id = any(${arrayParam(scope.responsables ?? [])}::int[]), false)))
    order by count(*) desc limit 1`);
  formation = Number(f.id);
  app = await serveApp(t.database);
}, 240_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("perimetre=france: the public's page for a signed-in viewer whose scope is not national", () => {
  it("gives a DREETS and a CFA exactly the anonymous visitor's figures, panel and files, with a notice and a way back", async () => {
    const cas: [string, string, Vue][] = [
      ["/", "?perimetre=france", NATIONAL],
      ["/", "?perimetre=france&niveau=4&mois=2025-03", NATIONAL],
      [cheminFormation(), "?perimetre=france", vueFormation()],
      [cheminFormation(), "?perimetre=france&region=11&sexe=F", vueFormation()],
    ];
    for (const [chemin, query, vue] of cas) {
      const anonymeQuery = query.replace(/perimetre=france&?/, "").replace(/\?$/, "");
      const anonyme = await page(chemin + anonymeQuery, vue);
      for (const qui of ["dreets", "cfa"]) {
        const label = `${chemin}${query} (${qui})`;
        const connecte = await page(chemin + query, vue, qui);
        expect(connecte.erreurs, label).toEqual([]);
        expect(connecte.resultat, label).toEqual(anonyme.resultat);
        expect(connecte.resultat!.masque, label).toBe(true);
        expect(connecte.resultat!.organismes, label).toBeNull();
        expect(connecte.info, label).toEqual(anonyme.info);
        expect(connecte.fichiers, label).toEqual(anonyme.fichiers);
        expect(connecte.listes, label).toEqual([]);
        expect(connecte.panneau.rqth, label).toBe(false);
        expect(connecte.panneau.cfa, label).toBe(false);
        expect(connecte.panneau.reseaux, label).toBeNull();
        expect(connecte.panneau.filtres, label).toEqual(anonyme.panneau.filtres);
        expect(connecte.horsPerimetre, label).toMatch(/^Vous voyez les chiffres publics, ceux de tout visiteur : arrondis, sans détail par organisme/);
        expect(connecte.franceEntiere, label).toBeNull();
        // back to the viewer's own figures: the page without perimetre nor territory, the other filters kept
        const retour = new URL(connecte.votrePerimetre!, "http://x");
        expect(retour.pathname, label).toBe(chemin);
        expect(retour.searchParams.has("perimetre") || retour.searchParams.has("region"), label).toBe(false);
        // the select: « Tout mon périmètre », the public figures (chosen), then the public's régions
        const options = connecte.panneau.territoires!;
        expect(options.slice(0, 2), label).toEqual([
          { value: "", label: "Tout mon périmètre", groupe: "France" },
          { value: "france", label: "France entière (chiffres publics)", groupe: "France" },
        ]);
        expect(options.slice(2), label).toEqual(anonyme.panneau.territoires!.slice(1));
        expect(connecte.panneau.territoire, label).toBe(anonyme.panneau.territoire || "france");
        expect(connecte.panneau.conserves, label).toContainEqual(["perimetre", "france"]);
        // « Effacer les filtres » clears the filters, not the choice of the public figures
        expect(connecte.panneau.reinitialiser, label).toBe(`${chemin}?perimetre=france`);
        expect(anonyme.panneau.reinitialiser, label).toBe(chemin);
        // the page's links keep it (pagination, month, downloads): it is in the page's query
        expect(new URLSearchParams(connecte.recherche).get("perimetre"), label).toBe("france");
      }
    }
    expect((await page("/?perimetre=france", NATIONAL, "dreets")).horsPerimetre).toContain("(Auvergne-Rhône-Alpes)");
  });

  it("changes nothing without the parameter, but offers the public figures of all France", async () => {
    const dreets = await page("/", NATIONAL, "dreets");
    expect(dreets.horsPerimetre).toBeNull();
    expect(dreets.resultat!.masque).toBe(false);
    expect(dreets.info.titre).toBe("L'apprentissage dans votre périmètre");
    expect(dreets.listes.length).toBeGreaterThan(0);
    expect(dreets.franceEntiere).toBe("/?perimetre=france");
    expect(dreets.votrePerimetre).toBeNull();
    expect(dreets.panneau.territoires!.slice(0, 2).map((o) => [o.value, o.label])).toEqual([
      ["", "Tout mon périmètre"],
      ["france", "France entière (chiffres publics)"],
    ]);
    // the filters the public's figures do not hold are left out of the offer
    const cfa = await page(`${cheminFormation()}?niveau=3&rqth=oui&organisme=${cfaSiret}&tri_f=libelle`, vueFormation(), "cfa");
    expect(cfa.franceEntiere).toBe(`${cheminFormation()}?niveau=3&perimetre=france`);
    // the public and a national scope already see all France: no offer, and the parameter changes nothing
    for (const qui of [undefined, "admin"]) {
      const sans = await page("/", NATIONAL, qui);
      const avec = await page("/?perimetre=france", NATIONAL, qui);
      expect(sans.franceEntiere).toBeNull();
      expect(sans.panneau.territoires!.map((o) => o.value)).not.toContain("france");
      expect(avec.resultat).toEqual(sans.resultat);
      expect(avec.horsPerimetre).toBeNull();
      expect(avec.erreurs).toEqual([]);
    }
  });

  it("says of a formation that no learner of the viewer's perimeter follows it, and links to its public figures", async () => {
    const cfa = await page(cheminFormation(), vueFormation(), "cfa");
    expect(cfa.resultat!.vide).toBe(true);
    expect(cfa.franceEntiere).toBe(`${cheminFormation()}?perimetre=france`);
    const publique = await page(cheminFormation(), vueFormation());
    expect(publique.resultat!.vide).toBe(false);
  });

  it("reports a bad value or a page without public figures of all France (400, French), and ignores it", async () => {
    for (const [path, vue] of [
      ["/?perimetre=monde&niveau=4", NATIONAL],
      ["/regions/84?perimetre=france", { kind: "region", code: "84" }],
      ["/?perimetre=france&perimetre=region", NATIONAL],
    ] as [string, Vue][]) {
      const p = await page(path, vue, "dreets");
      expect(p.erreurs, path).toEqual([expect.stringMatching(/^perimetre : /)]);
      expect(p.horsPerimetre, path).toBeNull();
      expect(new URLSearchParams(p.recherche).has("perimetre"), path).toBe(false);
      const r = (await loaderTableau(requete(path, "dreets"), t.database, vue)) as unknown as { init: { status: number } | null };
      expect(r.init?.status, path).toBe(400);
    }
    const json = await tableauJson(requete("/tableau.json?vue=national&perimetre=tout", "cfa"), t.database);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ erreur: expect.stringContaining("perimetre : valeur inconnue « tout »") });
    const csv = await tableauCsv(requete("/tableau.csv?vue=region:84&perimetre=france&table=chiffres", "dreets"), t.database);
    expect(csv.status).toBe(400);
    expect(await csv.text()).toContain("tableau de bord national ou sur celui d'une formation");
  });

  it("refuses, in the public figures, the filters the public does not have (403), naming why", async () => {
    for (const query of [`organisme=${cfaSiret}`, "rqth=oui", "departement=69", "reseau=X"]) {
      const message = await refus(page(`/?perimetre=france&${query}`, NATIONAL, "cfa"));
      expect(message, query).toContain("Les chiffres publics de toute la France (perimetre=france) sont ceux de tout visiteur");
      expect(message, query).not.toMatch(/[0-9]{3}/);
    }
  });

  it("turns the panel's choice into the address, leaving the filters the public figures do not hold", async () => {
    const redirection = async (path: string, vue: Vue, qui: string) => {
      const thrown = (await page(path, vue, qui).catch((e: unknown) => e)) as Response;
      expect(thrown.status, path).toBe(302);
      return thrown.headers.get("location");
    };
    expect(await redirection(`/?territoire=france&niveau=4&rqth=oui&cfa=`, NATIONAL, "dreets")).toBe("/?niveau=4&perimetre=france");
    expect(await redirection(`${cheminFormation()}?territoire=france&organisme=${cfaSiret}&sexe=F`, vueFormation(), "cfa")).toBe(`${cheminFormation()}?sexe=F&perimetre=france`);
    // a territory's page leads to the national one
    expect(await redirection("/regions/84?territoire=france", { kind: "region", code: "84" }, "dreets")).toBe("/?perimetre=france");
    // in the public figures: « Tout mon périmètre » goes back, a région is a filter of a formation and a page from /
    expect(await redirection(`${cheminFormation()}?perimetre=france&territoire=&niveau=4`, vueFormation(), "cfa")).toBe(`${cheminFormation()}?niveau=4`);
    expect(await redirection(`${cheminFormation()}?perimetre=france&territoire=region:11`, vueFormation(), "cfa")).toBe(`${cheminFormation()}?perimetre=france&region=11`);
    expect(await redirection("/?perimetre=france&territoire=region:11", NATIONAL, "cfa")).toBe("/regions/11");
  });

  it("keeps it in the links to a formation, not to a région's page", async () => {
    const p = await page("/?perimetre=france&niveau=4", NATIONAL, "cfa");
    expect(lienFormation(p, formation)).toBe(`/formations/${formation}/tableau-de-bord?perimetre=france&niveau=4`);
    expect(lienTerritoire(p, "region", "11")).toBe("/regions/11?niveau=4");
    const f = await page(`${cheminFormation()}?perimetre=france`, vueFormation(), "cfa");
    expect(lienTerritoire(f, "region", "11")).toBe(`${cheminFormation()}?perimetre=france&region=11`);
  });

  it("gives the same files as the anonymous visitor's: JSON (saying why), CSV; no table by organisme", async () => {
    for (const vue of ["national", `formation:${formation}`]) {
      for (const qui of ["dreets", "cfa"]) {
        const json = await tableauJson(requete(`/tableau.json?vue=${vue}&perimetre=france&niveau=4`, qui), t.database);
        expect(json.status).toBe(200);
        const body = (await json.json()) as Record<string, unknown>;
        const publique = (await (await tableauJson(requete(`/tableau.json?vue=${vue}&niveau=4`), t.database)).json()) as Record<string, unknown>;
        expect(body.chiffresPublicsDemandes).toMatch(/^Vous voyez les chiffres publics, ceux de tout visiteur/);
        expect(body.horsPerimetre).toBeNull();
        expect({ ...body, chiffresPublicsDemandes: null }).toEqual(publique);
        for (const table of ["chiffres", "serie", ...(vue === "national" ? ["formations"] : [])]) {
          const csv = await tableauCsv(requete(`/tableau.csv?vue=${vue}&perimetre=france&table=${table}`, qui), t.database);
          expect(csv.status, `${vue} ${table}`).toBe(200);
          const anonyme = await tableauCsv(requete(`/tableau.csv?vue=${vue}&table=${table}`), t.database);
          expect(await csv.text()).toBe(await anonyme.text());
          expect(csv.headers.get("content-disposition")).toBe(anonyme.headers.get("content-disposition"));
        }
        for (const fn of [tableauCsv, tableauJson]) {
          const r = await fn(requete(`/tableau.${fn === tableauCsv ? "csv" : "json"}?vue=${vue}&perimetre=france&table=organismes`, qui), t.database);
          expect(r.status).toBe(403);
          expect(await r.text()).toContain("Les chiffres par organisme ne sont pas disponibles ici");
        }
      }
    }
  });
});

describe("over HTTP (built app)", () => {
  const get = (path: string, qui?: string) =>
    fetch(`${app.baseUrl}${path}`, { headers: qui ? { cookie: requete("/", qui).headers.get("cookie")! } : {}, redirect: "manual" });
  /** The key figures of a rendered page, by their card. */
  const chiffresCles = (html: string) =>
    Object.fromEntries([...html.matchAll(/data-testid="chiffre-([a-zA-Z]+)"[\s\S]*?data-role="valeur">([^<]*)</g)].map((m) => [m[1], m[2]]));

  it("shows a CFA and a DREETS the anonymous visitor's figures on / and on a formation, with the notice and no named list", async () => {
    for (const chemin of ["/", cheminFormation()]) {
      const anonyme = await (await get(chemin)).text();
      expect(Object.keys(chiffresCles(anonyme))).toHaveLength(6);
      for (const qui of ["cfa", "dreets"]) {
        const r = await get(`${chemin}?perimetre=france`, qui);
        expect(r.status, `${chemin} (${qui})`).toBe(200);
        const html = await r.text();
        expect(chiffresCles(html), `${chemin} (${qui})`).toEqual(chiffresCles(anonyme));
        const mots = texte(html);
        expect(mots).toContain("Vous voyez les chiffres publics, ceux de tout visiteur");
        expect(mots).toContain("Revenir aux chiffres de votre périmètre");
        expect(html).not.toContain('href="/listes/');
        expect(html).not.toContain('id="table-organismes"');
        expect(html).not.toContain('name="rqth"');
        expect(html).toContain('<option value="france" selected="">France entière (chiffres publics)</option>');
        // the downloads of the page carry it
        expect(html).toMatch(/href="\/tableau\.json\?[^"]*perimetre=france/);
      }
    }
  });

  it("offers the option and, on a formation outside the CFA's perimeter, says so instead of « première transmission »", async () => {
    const accueil = await (await get("/", "dreets")).text();
    expect(accueil).toContain('<option value="france">France entière (chiffres publics)</option>');
    expect(accueil).toContain('href="/?perimetre=france"');
    expect(await (await get("/")).text()).not.toContain('value="france"');
    const html = await (await get(cheminFormation(), "cfa")).text();
    const mots = texte(html);
    expect(mots).toContain("Aucun effectif de votre périmètre dans cette formation");
    expect(mots).toMatch(/Aucun apprenant de votre périmètre \(.+\) ne suit cette formation au/);
    expect(mots).not.toContain("première transmission");
    expect(html).toContain(`href="${cheminFormation()}?perimetre=france"`);
    // the national page of a scoped viewer: its perimeter is named in the empty state; the public's is not scoped
    const vide = texte(await (await get("/?mois=2000-01", "cfa")).text());
    expect(vide).toContain("Aucun effectif de votre périmètre pour ce mois et ces filtres");
    expect(vide).toMatch(/Aucun apprenant n'est compté au 31\/01\/2000 dans votre périmètre : .+ \(SIRET \d{14}\) \..* dès la première transmission d'un CFA de votre périmètre \./);
    const publique = texte(await (await get("/?mois=2000-01")).text());
    expect(publique).toContain("Aucun effectif pour ce mois et ces filtres");
    expect(publique).toMatch(/Aucun apprenant n'est compté au 31\/01\/2000 \. .* dès la première transmission d'un CFA \./);
    // asked, the public figures of all France are not the viewer's perimeter: « Effacer les filtres » keeps them
    const france = await (await get("/?perimetre=france&mois=2000-01", "cfa")).text();
    expect(texte(france)).toContain("Aucun effectif pour ce mois et ces filtres");
    expect(france).toContain('href="/?perimetre=france">réinitialisez les filtres</a>');
  });

  it("answers a bad value with a 400 in French, and gives the files of the public", async () => {
    const r = await get("/?perimetre=europe", "cfa");
    expect(r.status).toBe(400);
    expect(texte(await r.text())).toContain("valeur inconnue « europe » (valeurs : mien, les chiffres de votre périmètre, par défaut ; france");
    // « mien », as the répertoire says it: the default, the viewer's own figures
    const mien = await get("/?perimetre=mien", "cfa");
    expect(mien.status).toBe(200);
    expect(texte(await mien.text())).not.toContain("Vous voyez les chiffres publics");
    const csv = await get(`/tableau.csv?vue=formation:${formation}&perimetre=france&table=chiffres`, "cfa");
    expect(csv.status).toBe(200);
    expect(await csv.text()).toBe(await (await get(`/tableau.csv?vue=formation:${formation}&table=chiffres`)).text());
  });
});
