/**
 * Territory filters that cannot hold together (a département outside the région asked, or outside the page's
 * territory) are explained in French — left out on the pages, a 400 for /tableau.json, /tableau.csv, the exports and
 * the CLI — instead of an unexplained empty answer; and the files and the CLI give organismes and formations by their
 * public codes, not by database id (docs/decisions/020).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { sessions } from "../helpers/sessions";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemo } from "../../app/demo/seed.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { chargerTableau } from "../../app/tableaux/page.server";
import { tableauCsv, tableauJson } from "../../app/tableaux/ressources.server";
import { lireExport } from "../../app/exports/export.server";
import { parseIndicateursArgs, resultatIndicateurs } from "../../cli/commands/indicateurs";
import type { Resultat, TableauPage } from "../../app/tableaux/types";
import type { Vue } from "../../app/tableaux/vues";

const TODAY = todayIso();
let t: TestDatabase;

const { compte, requete } = sessions(() => t.database);

function page(path: string, vue: Vue, qui = "admin"): Promise<TableauPage> {
  return chargerTableau(requete(path, qui), t.database, vue, { today: TODAY });
}

const chiffres = (r: Resultat) => Object.fromEntries(r.chiffres.map((c) => [c.cle, c.valeur]));

const PARIS_HORS_ARA =
  "departement : le département 75 (Paris) n'est pas dans la région Auvergne-Rhône-Alpes (84) mais dans la région Île-de-France (11) : " +
  "ces deux filtres s'excluent";

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 1500, seed: 7, today: TODAY });
  await compte("admin", { type: "ADMINISTRATEUR" });
  await compte("dreets", { type: "DREETS", regionCode: "84" });
}, 240_000);
afterAll(async () => t?.drop());

describe("territoires incompatibles", () => {
  it("a dashboard explains a département outside the région asked, and counts without it (not an empty page)", async () => {
    const p = await page("/?region=84&departement=75", { kind: "national" });
    expect(p.erreurs).toEqual([PARIS_HORS_ARA]);
    expect(p.panneau.filtres).toEqual({ region: ["84"] });
    expect(p.recherche).toBe("?region=84");
    const region = await page("/?region=84", { kind: "national" });
    expect(p.resultat!.vide).toBe(false);
    expect(chiffres(p.resultat!)).toEqual(chiffres(region.resultat!));
  });

  it("a territory's dashboard explains a filter outside its territory", async () => {
    const p = await page("/regions/84?departement=75", { kind: "region", code: "84" });
    expect(p.erreurs).toEqual([
      "departement : ce tableau de bord est celui de la région Auvergne-Rhône-Alpes (84) : le département 75 (Paris) n'en fait pas partie " +
        "mais appartient à la région Île-de-France (11) ; retirez ce filtre ou ouvrez le tableau de bord du département 75 (Paris)",
    ]);
    expect(chiffres(p.resultat!)).toEqual(chiffres((await page("/regions/84", { kind: "region", code: "84" })).resultat!));
    const aca = await page("/academies/10?departement=38", { kind: "academie", code: "10" });
    expect(aca.erreurs[0]).toMatch(/^departement : ce tableau de bord est celui de l'académie de Lyon \(10\) : le département 38 \(Isère\) n'en fait pas partie mais appartient à l'académie de Grenoble \(08\)/);
    const dep = await page("/departements/69?region=11", { kind: "departement", code: "69" });
    expect(dep.erreurs[0]).toMatch(/^region : ce tableau de bord est celui du département 69 \(Rhône\), qui n'est pas dans la région Île-de-France \(11\)/);
    // a département out of the viewer's scope stays a refusal
    const refus = await page("/regions/84?departement=75", { kind: "region", code: "84" }, "dreets").catch((e: unknown) => e);
    expect((refus as Response).status).toBe(403);
  });

  it("/tableau.json, /tableau.csv and the exports answer a 400 saying why, the CLI refuses", async () => {
    const json = await tableauJson(requete("/tableau.json?vue=national&region=84&departement=75", "admin"), t.database);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ erreur: `Paramètres invalides : ${PARIS_HORS_ARA}.` });
    const academie = await tableauJson(requete("/tableau.json?vue=national&region=11&academie=10", "admin"), t.database);
    expect(academie.status).toBe(400);
    expect(((await academie.json()) as { erreur: string }).erreur).toContain("academie : l'académie de Lyon (10) n'est pas dans la région Île-de-France (11)");
    const csv = await tableauCsv(requete("/tableau.csv?vue=region:84&table=chiffres&departement=75", "admin"), t.database);
    expect(csv.status).toBe(400);
    expect(await csv.text()).toContain("le département 75 (Paris) n'en fait pas partie");
    // the export form names its fields by their labels
    expect(lireExport(new URLSearchParams("repartition=total&region=84&departement=75"), TODAY).erreurs).toEqual([
      PARIS_HORS_ARA.replace(/^departement : /, "Département : "),
    ]);
    expect(() => parseIndicateursArgs(["--region", "84", "--departement", "75"], TODAY)).toThrow(`--${PARIS_HORS_ARA}`);
  });
});

describe("filtres sans effectif", () => {
  it("an empty dashboard says which filter excludes every learner, and why", async () => {
    // an organisme formateur of the Rhône with learners, its formation
    const [o] = await t.database.rows<{ id: number; siret: string; nom: string; formation_id: number; cfd: string }>(sql`
      select o.id, o.siret, coalesce(o.enseigne, o.raison_sociale) as nom, f.id as formation_id, f.cfd
      from effectifs e join organismes o on o.id = e.organisme_formateur_id join formations f on f.id = e.formation_id
      where o.departement_code = '69' and f.cfd is not null
      order by o.id limit 1`);
    // an organisme of another département, neither o nor one of its formateurs
    const [ailleurs] = await t.database.rows<{ siret: string; nom: string }>(sql`
      select siret, coalesce(enseigne, raison_sociale) as nom from organismes x
      where x.id <> ${o.id} and x.departement_code <> '69'
        and not exists (select 1 from organisme_relations r where r.responsable_id = ${o.id} and r.formateur_id = x.id)
        and not exists (select 1 from effectifs e where e.organisme_responsable_id = ${o.id} and e.organisme_formateur_id = x.id)
      order by x.id limit 1`);
    const raisons = async (path: string, vue: Vue = { kind: "national" }) => {
      const p = await page(path, vue);
      expect(p.resultat!.vide, path).toBe(true);
      return p.resultat!.pourquoiVide;
    };

    expect(await raisons(`/regions/11?organisme=${o.siret}`, { kind: "region", code: "11" })).toEqual([
      `organisme : ${o.nom} (SIRET ${o.siret}) n'a aucun organisme formateur dans le territoire choisi ; ses apprenants sont comptés dans le département ` +
        "de leur organisme formateur : Rhône (69). Retirez le filtre de territoire ou celui de l'organisme.",
    ]);
    expect(await raisons("/?organisme=13002526500013")).toEqual([
      "organisme : aucun organisme du référentiel n'a le SIRET « 13002526500013 » ; vérifiez le code, ou cherchez l'organisme par son nom.",
    ]);
    expect(await raisons(`/organismes/${o.id}/tableau-de-bord?organisme=${ailleurs.siret}`, { kind: "organisme", id: o.id })).toEqual([
      `organisme : ${ailleurs.nom} (SIRET ${ailleurs.siret}) n'est ni l'organisme de cette page ni l'un de ses organismes formateurs ; retirez ce filtre.`,
    ]);
    expect(await raisons("/?cfd=99999999")).toEqual([
      "cfd : aucune formation du catalogue n'a le code formation diplôme « 99999999 » ; vérifiez le code, ou cherchez la formation par son intitulé.",
    ]);
    expect(await raisons(`/formations/${o.formation_id}/tableau-de-bord?cfd=99999998`, { kind: "formation", id: o.formation_id })).toEqual([
      `cfd : « 99999998 » exclut ce que montre cette page (cfd ${o.cfd}) ; retirez ce filtre.`,
    ]);
    // a bassin d'emploi of Paris, asked in Auvergne-Rhône-Alpes; an unknown one
    await t.database.rows(sql`insert into bassins_emploi (code, libelle) values ('1199', 'Paris test')`);
    await t.database.rows(sql`update communes set bassin_emploi_code = '1199' where departement_code = '75'`);
    expect(await raisons("/regions/84?bassin=1199", { kind: "region", code: "84" })).toEqual([
      "bassin : le bassin d'emploi Paris test (1199) n'est pas dans le territoire choisi ; il s'étend sur Paris (75).",
    ]);
    // a bassin d'emploi no zone d'emploi has is a bad value, as a réseau nobody belongs to: reported, left out
    const inconnu = await page("/?bassin=1198", { kind: "national" });
    expect(inconnu.erreurs).toEqual(["bassin : aucun bassin d'emploi n'a le code « 1198 » (code à 4 caractères d'une zone d'emploi de l'Insee attendu)"]);
    expect(inconnu.panneau.filtres).toEqual({});
    expect(inconnu.resultat!.vide).toBe(false);
    // filters that hold together, at a date before any learner: nothing to explain
    const avant = await page(`/?organisme=${o.siret}&mois=2000-01`, { kind: "national" });
    expect(avant.resultat!.vide).toBe(true);
    expect(avant.resultat!.pourquoiVide).toEqual([]);
    // a filter's values are alternatives: one that holds is enough
    const uneSurDeux = await page(`/regions/84?organisme=${o.siret}&organisme=13002526500013&mois=2000-01`, { kind: "region", code: "84" });
    expect(uneSurDeux.resultat!.vide).toBe(true);
    expect(uneSurDeux.resultat!.pourquoiVide).toEqual([]);
    expect(await raisons(`/regions/11?organisme=${o.siret}&organisme=13002526500013`, { kind: "region", code: "11" })).toHaveLength(2);
    // a page with learners has no reason either
    expect((await page(`/?organisme=${o.siret}`, { kind: "national" })).resultat!.pourquoiVide).toEqual([]);
  });
});

describe("codes publics", () => {
  it("/tableau.json gives organismes by SIRET and UAI, formations by CFD and RNCP; the only id is the vue= of their dashboard", async () => {
    const organismes = (await (await tableauJson(requete("/tableau.json?vue=national&table=organismes", "admin"), t.database)).json()) as {
      vue: string;
      lignes: Record<string, unknown>[];
    };
    expect(organismes.vue).toBe("national");
    expect(organismes.lignes.length).toBeGreaterThan(1);
    for (const l of organismes.lignes) {
      expect(Object.keys(l)).toEqual(["libelle", "siret", "uai", "vue", "comptes"]);
      expect(l.siret).toMatch(/^[0-9]{14}$/);
      expect(l.vue).toMatch(/^organisme:[0-9]+$/);
    }
    // the vue= of a line opens that organisme's dashboard
    const premier = organismes.lignes[0];
    const sien = (await (await tableauJson(requete(`/tableau.json?vue=${premier.vue}`, "admin"), t.database)).json()) as { vue: string; titre: string };
    expect(sien).toMatchObject({ vue: premier.vue, titre: premier.libelle });

    const formations = (await (await tableauJson(requete("/tableau.json?vue=national&table=formations", "admin"), t.database)).json()) as {
      lignes: Record<string, unknown>[];
    };
    expect(formations.lignes.length).toBeGreaterThan(1);
    for (const l of formations.lignes) expect(Object.keys(l)).toEqual(["libelle", "cfd", "rncp", "vue", "comptes"]);
    expect(formations.lignes.filter((l) => l.vue !== null).every((l) => /^formation:[0-9]+$/.test(l.vue as string) && (l.cfd || l.rncp))).toBe(true);

    // the whole page's JSON: its tables alike
    const tout = (await (await tableauJson(requete("/tableau.json?vue=region:84", "admin"), t.database)).json()) as {
      vue: string;
      organismes: { lignes: Record<string, unknown>[] };
      formations: { lignes: Record<string, unknown>[] };
    };
    expect(tout.vue).toBe("region:84");
    expect(tout.organismes.lignes.every((l) => !("id" in l) && typeof l.siret === "string")).toBe(true);
    expect(tout.formations.lignes.every((l) => !("id" in l))).toBe(true);
  });

  it("the CLI's breakdowns by organisme and by formation give SIRET / UAI and CFD / RNCP as the code, never an id", async () => {
    const ids = new Set(
      (await t.database.rows<{ id: number }>(sql`select id from organismes union select id from formations`)).map((r) => String(r.id)),
    );
    const parOrganisme = (await resultatIndicateurs(t.database, parseIndicateursArgs(["--date", TODAY, "--by", "organisme"], TODAY))) as {
      repartition: { lignes: { code: string | null; siret?: string | null; uai?: string | null }[] };
    };
    const organismes = parOrganisme.repartition.lignes;
    expect(organismes.length).toBeGreaterThan(1);
    for (const l of organismes) {
      expect(l.code).toBe(l.siret);
      expect(l.code).toMatch(/^[0-9]{14}$/);
      expect("uai" in l).toBe(true);
    }
    const parFormation = (await resultatIndicateurs(t.database, parseIndicateursArgs(["--date", TODAY, "--by", "formation"], TODAY))) as {
      repartition: { lignes: { code: string | null; libelle: string; cfd?: string | null; rncp?: string | null }[] };
    };
    const formations = parFormation.repartition.lignes.filter((l) => l.code !== null);
    expect(formations.length).toBeGreaterThan(1);
    for (const l of formations) expect(l.code).toBe(l.cfd ?? l.rncp);
    expect([...organismes, ...formations].filter((l) => ids.has(String(l.code)))).toEqual([]);
    // the other breakdowns keep their codes (territories, niveaux)
    const parRegion = (await resultatIndicateurs(t.database, parseIndicateursArgs(["--date", TODAY, "--by", "region"], TODAY))) as {
      repartition: { lignes: { code: string | null }[] };
    };
    expect(parRegion.repartition.lignes.map((l) => l.code)).toContain("84");
  });
});
