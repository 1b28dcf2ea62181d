/**
 * Dashboard pages' data on the demo dataset: figures equal to the indicator module, masking for the public,
 * scope refusals (page, filter, map click, CSV, JSON) leaking no figure, French errors for bad URL values, the
 * filter panel's searches, the tables' sort and pages, and the streamed exports; the national page as rendered
 * (ids defined once), and what the page's downloads say of their figures (names, « Filtres »).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { refus, sessions } from "../helpers/sessions";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemo } from "../../app/demo/seed.server";
import { indicateurs, serieMensuelle } from "../../app/indicateurs/indicateurs.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { memeJourUnAnAvant } from "../../app/statut/days";
import { chargerTableau } from "../../app/tableaux/page.server";
import { tableauCsv, tableauJson } from "../../app/tableaux/ressources.server";
import { telechargerExport } from "../../app/exports/export.server";
import { parseCsv } from "../../app/shared/csv";
import { readXlsx } from "../../app/shared/xlsx.server";
import { dateIsoEnFrancais } from "../../app/ui/format";
import { colonneBrute, lettreColonne } from "../helpers/xlsx";
import type { Resultat, TableauPage } from "../../app/tableaux/types";
import type { Vue } from "../../app/tableaux/vues";
import type { Compteurs } from "../../app/indicateurs/etats";
import { couverture } from "../../app/indicateurs/couverture.server";
import { lienFormation, lienOrganisme } from "../../app/tableaux/liens";
import { OPTIONS_AGE, OPTIONS_NIVEAU, OPTIONS_SEXE, choixSelect, libelleNiveau } from "../../app/tableaux/options";
import { NATIONAL } from "../../app/auth/policy.server";
import { createElement } from "react";
import { renduServeur } from "../helpers/rendu";
import { TableauDeBord } from "../../app/tableaux/components/TableauDeBord";

const TODAY = todayIso();
const MOIS = TODAY.slice(0, 7);
let t: TestDatabase;
let cfa: { id: number; siret: string; region: string };
let horsRegion: { id: number; siret: string };
let region84: { id: number };

const { compte, requete } = sessions(() => t.database);

function page(path: string, vue: Vue, qui?: string): Promise<TableauPage> {
  return chargerTableau(requete(path, qui), t.database, vue, { today: TODAY });
}

const COMPTES = ["apprenants", "apprentis", "inscritsSansContrat", "rupturants", "abandons", "finsDeFormation"] as const;
const chiffres = (r: Resultat) => Object.fromEntries(r.chiffres.map((c) => [c.cle, c.valeur]));
const attendus = (c: Compteurs) => Object.fromEntries(COMPTES.map((k) => [k, c[k]]));
const masque = (n: number) => (n > 0 && n < 5 ? "< 5" : Math.round(n / 5) * 5);

/** Every count of a result (the keys that hold counts), wherever it is. */
function comptes(value: unknown, out: unknown[] = [], key = ""): unknown[] {
  const COUNT_KEYS = new Set([...COMPTES, "valeur", "numerateur", "denominateur", "organismes", "transmis", "recente", "vieillissante", "ancienne", "jamais", "aRisque", "moins45j", "de45a89j", "de90a180j", "jusqua30j", "jusqua60j", "jusqua90j"]);
  if (Array.isArray(value)) value.forEach((v) => comptes(v, out, key));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) comptes(v, out, k);
  else if (COUNT_KEYS.has(key)) out.push(value);
  return out;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 3000, seed: 11, today: TODAY });
  const [r] = await t.database.rows<{ id: number; siret: string; region_code: string }>(sql`
    select o.id, o.siret, o.region_code from organismes o
    where o.region_code = '84' and o.nature in ('responsable', 'responsable_formateur')
      and exists (select 1 from effectifs e where e.organisme_formateur_id = o.id)
      and (select count(*) from organismes x where x.siret = o.siret) = 1
    order by o.id limit 1`);
  cfa = { id: Number(r.id), siret: r.siret, region: r.region_code };
  region84 = { id: cfa.id };
  const [x] = await t.database.rows<{ id: number; siret: string }>(sql`
    select o.id, o.siret from organismes o where o.region_code = '11' and exists (select 1 from effectifs e where e.organisme_formateur_id = o.id) order by o.id limit 1`);
  horsRegion = { id: Number(x.id), siret: x.siret };
  await compte("admin", { type: "ADMINISTRATEUR" });
  await compte("operateur", { type: "OPERATEUR_PUBLIC_NATIONAL" });
  await compte("dreets", { type: "DREETS", regionCode: "84" });
  await compte("ddets", { type: "DDETS", departementCode: "69" });
  await compte("cfa", { type: "ORGANISME_FORMATION", siret: cfa.siret });
}, 240_000);
afterAll(async () => t?.drop());

describe("national page", () => {
  it("shows the indicator module's figures to a national admin, with the tables by organisme and by formation", async () => {
    const p = await page("/", { kind: "national" }, "admin");
    const r = p.resultat!;
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY });
    expect(chiffres(r)).toEqual(attendus(attendu.compteurs));
    expect(r.masque).toBe(false);
    expect(r.vide).toBe(false);
    const serie = await serieMensuelle(t.database, { scope: NATIONAL, date: TODAY, today: TODAY });
    expect(r.serie.map((s) => s.apprentis)).toEqual(serie.points.map((pt) => pt.compteurs.apprentis));
    expect(r.serie).toHaveLength(24);
    expect(r.chiffres[0].moisPrecedent.valeur).toBe(serie.points[22].compteurs.apprenants);
    // a year before: the same day (decision 018), counted at that day
    const unAnAvant = r.chiffres[0].anneePrecedente;
    expect(unAnAvant.date).toBe(memeJourUnAnAvant(TODAY));
    expect(unAnAvant.valeur).toBe((await indicateurs(t.database, { scope: NATIONAL, date: unAnAvant.date, today: TODAY })).compteurs.apprenants);
    expect(r.cartes.map((c) => c.niveau).sort()).toEqual(["departement", "region"]);
    const parOrganisme = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, by: "organisme" });
    expect(r.organismes!.total).toBe(parOrganisme.repartition!.lignes.length);
    expect(r.organismes!.lignes).toHaveLength(20);
    const valeurs = r.organismes!.lignes.map((l) => l.comptes.apprenants as number);
    expect(valeurs).toEqual([...valeurs].sort((a, b) => b - a));
    expect(r.formations!.total).toBeGreaterThan(10);
    expect(r.couverture.organismes).toBeGreaterThan(0);
    expect(p.info.titre).toBe("L'apprentissage en France");
  });

  it("compares with the same day a year before, not with the end of that month (decision 018)", async () => {
    // the page of the last 5 September (the school year's start): a year before, 5 September, not 30 September
    const annee = Number(TODAY.slice(0, 4)) - (TODAY.slice(5) >= "09-05" ? 0 : 1);
    const jour = `${annee}-09-05`;
    const p = await chargerTableau(requete("/", "admin"), t.database, { kind: "national" }, { today: jour });
    expect(p.date).toBe(jour);
    const r = p.resultat!;
    const avant = `${annee - 1}-09-05`;
    const finDuMois = `${annee - 1}-09-30`;
    expect(r.serie[11].date).toBe(finDuMois);
    const compte = async (date: string) => (await indicateurs(t.database, { scope: NATIONAL, date, today: jour })).compteurs;
    const [aAvant, aFinDuMois, aJour] = [await compte(avant), await compte(finDuMois), await compte(jour)];
    // the fixture: the two days a year before differ (September starts)
    expect(aAvant.apprenants).not.toBe(aFinDuMois.apprenants);
    for (const c of r.chiffres) {
      expect(c.anneePrecedente.date, c.cle).toBe(avant);
      expect(c.anneePrecedente.valeur, c.cle).toBe(aAvant[c.cle]);
      expect(c.anneePrecedente.ecart, c.cle).toBe(aJour[c.cle] - aAvant[c.cle]);
      expect(c.moisPrecedent.date, c.cle).toBe(`${annee}-08-31`);
    }
    // the CSV of the figures gives the same day (JJ/MM/AAAA, as Excel in French reads a date)
    const csv = parseCsv(await (await tableauCsv(requete(`/tableau.csv?vue=national&table=chiffres&mois=${MOIS}`, "admin"), t.database)).text());
    expect(csv.records[0].fields[csv.header.indexOf("Un an avant (date)")]).toBe(dateIsoEnFrancais(memeJourUnAnAvant(TODAY)));
    const finDuMoisPrecedent = new Date(Date.UTC(Number(TODAY.slice(0, 4)), Number(TODAY.slice(5, 7)) - 1, 0)).toISOString().slice(0, 10);
    expect(csv.records[0].fields[csv.header.indexOf("Mois précédent (date)")]).toBe(dateIsoEnFrancais(finDuMoisPrecedent));
  });

  it("sorts and pages the tables from the URL", async () => {
    const p1 = await page("/?tri_o=libelle&ordre_o=asc&page_o=2", { kind: "national" }, "admin");
    const o = p1.resultat!.organismes!;
    expect(o.page).toBe(2);
    expect(o.tri).toBe("libelle");
    const noms = o.lignes.map((l) => l.libelle);
    expect(noms).toEqual([...noms].sort((a, b) => a.localeCompare(b, "fr")));
    const p2 = await page("/?tri_f=rupturants&ordre_f=asc", { kind: "national" }, "admin");
    const r = p2.resultat!.formations!.lignes.map((l) => l.comptes.rupturants as number);
    expect(r).toEqual([...r].sort((a, b) => a - b));
  });

  it("masks small counts for the public and hides what lies below the région", async () => {
    const p = await page("/", { kind: "national" });
    const r = p.resultat!;
    expect(r.masque).toBe(true);
    expect(r.organismes).toBeNull();
    expect(r.cartes.map((c) => c.niveau)).toEqual(["region"]);
    expect(r.couverture.carte!.niveau).toBe("region");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, by: "formation" });
    const petits = attendu.repartition!.lignes.filter((l) => l.compteurs.apprenants > 0 && l.compteurs.apprenants < 5);
    expect(petits.length).toBeGreaterThan(0);
    const tout = await page(`/?tri_f=apprenants&ordre_f=asc&page_f=1`, { kind: "national" });
    expect(tout.resultat!.formations!.lignes.some((l) => l.comptes.apprenants === "< 5")).toBe(true);
    // No count of learners from 1 to 4 anywhere in what the public receives (figures, series, maps, tables, dropout),
    // and every other count rounded to 5: a masked cell cannot be recovered by subtraction from a total. The coverage
    // counts CFAs, not people: exact (decision 007).
    for (const result of [r, tout.resultat!]) {
      const values = comptes({ ...result, couverture: null });
      expect(values.length).toBeGreaterThan(100);
      expect(values.filter((v) => typeof v === "number" && v % 5 !== 0)).toEqual([]);
    }
    for (const l of r.cartes[0].tauxRupture) if (typeof l.numerateur === "string" || typeof l.denominateur === "string") expect(l.taux).toBeNull();
    expect(r.chiffres.find((c) => c.cle === "apprenants")!.valeur).toBe(masque(attendu.compteurs.apprenants));
  });

  it("shows a viewer whose scope is a région the figures of that région on /", async () => {
    const p = await page("/", { kind: "national" }, "dreets");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { region: ["84"] } });
    expect(chiffres(p.resultat!)).toEqual(attendus(attendu.compteurs));
    expect(p.info.perimetre).toBe("Auvergne-Rhône-Alpes");
    expect(p.resultat!.cartes.map((c) => c.niveau)).toEqual(["departement"]);
    expect(p.resultat!.cartes[0].apprenants.every((l) => ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"].includes(l.code))).toBe(true);
  });

  it("shows a CFA user its organisme (and formateurs) on /", async () => {
    const p = await page("/", { kind: "national" }, "cfa");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { organisme: [cfa.siret] } });
    expect(chiffres(p.resultat!)).toEqual(attendus(attendu.compteurs));
    expect(p.panneau.cfa).toBe(true);
  });

  it("offers a CFA user the territories of its organismes as filters, not all of France", async () => {
    const deps = await t.database.rows<{ code: string; region: string }>(sql`
      select distinct o.departement_code as code, o.region_code as region from effectifs e
      join organismes o on o.id = e.organisme_formateur_id
      where e.organisme_formateur_id = ${cfa.id} or e.organisme_responsable_id = ${cfa.id}
         or e.organisme_formateur_id in (select formateur_id from organisme_relations where responsable_id = ${cfa.id})`);
    const p = await page("/", { kind: "national" }, "cfa");
    const options = p.panneau.territoires!.map((o) => o.value);
    expect(options[0]).toBe("");
    expect(options.filter((v) => v.startsWith("departement:")).sort()).toEqual(deps.map((d) => `departement:${d.code}`).sort());
    expect(options.filter((v) => v.startsWith("region:")).sort()).toEqual([...new Set(deps.map((d) => `region:${d.region}`))].sort());
    expect(options.length).toBeLessThan(20);
    // a territory asked in the URL stays selectable (its empty figures are then the CFA's there)
    const ailleurs = await page("/?region=53", { kind: "national" }, "cfa");
    expect(ailleurs.panneau.territoires!.map((o) => o.value)).toContain("region:53");
  });
});

describe("territory, organisme and formation pages", () => {
  it("names académies and départements the same way in the title, the breadcrumb and the territory filter", async () => {
    const p = await page("/", { kind: "national" }, "admin");
    const libelles = p.panneau.territoires!.map((o) => o.label);
    expect(libelles).toContain("Académie d'Aix-Marseille");
    expect(libelles).toContain("Académie d'Orléans-Tours");
    expect(libelles).toContain("Académie de Lyon");
    expect(libelles.filter((l) => /^Académie de [AEIOUÉ]/.test(l))).toEqual([]);
    expect(libelles).toContain("69 - Rhône");
    const aix = await page("/academies/02", { kind: "academie", code: "02" }, "admin");
    expect(aix.info.titre).toBe("Académie d'Aix-Marseille");
  });

  it("shows a région to the public (masked) and to its DREETS", async () => {
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { region: ["84"] } });
    const publique = await page("/regions/84", { kind: "region", code: "84" });
    expect(chiffres(publique.resultat!)).toEqual(Object.fromEntries(Object.entries(attendus(attendu.compteurs)).map(([k, v]) => [k, masque(v as number)])));
    expect(publique.resultat!.cartes[0]).toMatchObject({ niveau: "region", contexte: "national" });
    const dreets = await page("/regions/84", { kind: "region", code: "84" }, "dreets");
    expect(chiffres(dreets.resultat!)).toEqual(attendus(attendu.compteurs));
    expect(dreets.info.titre).toBe("Auvergne-Rhône-Alpes");
  });

  it("links the dropout figures to the named lists the viewer may open, at the page's date and on its territory", async () => {
    expect((await page("/regions/84", { kind: "region", code: "84" }, "dreets")).listes).toEqual([
      { titre: "Inscrits sans contrat", href: `/listes/sans-contrat?date=${TODAY}&region=84` },
      { titre: "Rupturants", href: `/listes/rupturants?date=${TODAY}&region=84` },
      { titre: "Abandons", href: `/listes/abandons?date=${TODAY}&region=84` },
    ]);
    const filtre = await page("/regions/84?departement=69&mois=2025-01", { kind: "region", code: "84" }, "dreets");
    expect(filtre.listes.map((l) => l.href)).toContain("/listes/rupturants?date=2025-01-31&departement=69");
    expect((await page("/", { kind: "national" }, "admin")).listes[0]).toEqual({ titre: "Inscrits sans contrat", href: `/listes/sans-contrat?date=${TODAY}` });
    // no list for the public, a national operator without named lists, a CFA (its lists are in its space), nor
    // the public page shown to a viewer outside its scope
    expect((await page("/regions/84", { kind: "region", code: "84" })).listes).toEqual([]);
    expect((await page("/", { kind: "national" }, "operateur")).listes).toEqual([]);
    expect((await page("/", { kind: "national" }, "cfa")).listes).toEqual([]);
    expect((await page("/regions/11", { kind: "region", code: "11" }, "dreets")).listes).toEqual([]);
  });

  it("shows a département and an académie inside the scope, with their breadcrumb", async () => {
    const dep = await page("/departements/69", { kind: "departement", code: "69" }, "dreets");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { departement: ["69"] } });
    expect(chiffres(dep.resultat!)).toEqual(attendus(attendu.compteurs));
    expect(dep.info.filAriane.map((l) => l.href)).toEqual(["/", "/regions/84", "/academies/10"]);
    const aca = await page("/academies/10", { kind: "academie", code: "10" }, "ddets").catch((e) => e);
    expect(aca).toBeInstanceOf(Response);
    const ddets = await page("/departements/69", { kind: "departement", code: "69" }, "ddets");
    expect(ddets.info.filAriane.map((l) => l.href)).toEqual(["/"]);
  });

  it("refuses what lies outside the scope and the public does not see either, by page, filter, CSV and JSON, with no figure in the answer", async () => {
    const messages = [
      await refus(page("/departements/75", { kind: "departement", code: "75" }, "dreets")),
      await refus(page("/regions/84?departement=75", { kind: "region", code: "84" }, "dreets")),
      await refus(page(`/?organisme=${horsRegion.siret}`, { kind: "national" }, "dreets")),
      await refus(page(`/organismes/${horsRegion.id}/tableau-de-bord`, { kind: "organisme", id: horsRegion.id }, "dreets")),
      // another région's public page, asked with what the public may not ask either: refused, as a user (no « connectez-vous »)
      await refus(page("/regions/11?departement=75", { kind: "region", code: "11" }, "dreets")),
      await refus(page(`/regions/11?organisme=${horsRegion.siret}`, { kind: "region", code: "11" }, "dreets")),
      await refus(page(`/organismes/${region84.id}/tableau-de-bord?region=11`, { kind: "organisme", id: region84.id }, "dreets")),
    ];
    for (const m of messages) expect(m).toMatch(/hors du périmètre/);
    const json = await tableauJson(requete("/tableau.json?vue=departement:75", "dreets"), t.database);
    expect(json.status).toBe(403);
    expect(await json.json()).toEqual({ erreur: expect.stringMatching(/hors du périmètre/) });
    const csv = await tableauCsv(requete("/tableau.csv?vue=departement:75&table=formations", "dreets"), t.database);
    expect(csv.status).toBe(403);
    expect(await csv.text()).not.toMatch(/[0-9]{2}/);
  });

  it("shows a signed-in user another région as the public sees it, saying why: signing in never reduces what one sees", async () => {
    const [r] = await t.database.rows<{ reseau: string }>(sql`
      select unnest(reseaux) as reseau from organismes where region_code = '84' group by 1 order by count(*) desc limit 1`);
    await compte("reseau", { type: "TETE_DE_RESEAU", reseau: r.reseau });
    const [f] = await t.database.rows<{ id: number }>(sql`select formation_id as id from effectifs group by 1 order by count(*) desc limit 1`);
    const cas: [string, Vue, string][] = [
      ["/regions/11", { kind: "region", code: "11" }, "dreets"],
      ["/regions/11?niveau=4&mois=2025-03", { kind: "region", code: "11" }, "dreets"],
      ["/?region=11", { kind: "national" }, "dreets"],
      ["/regions/84", { kind: "region", code: "84" }, "reseau"],
      ["/regions/84", { kind: "region", code: "84" }, "cfa"],
      [`/formations/${f.id}/tableau-de-bord?region=11`, { kind: "formation", id: Number(f.id) }, "dreets"],
    ];
    for (const [path, vue, qui] of cas) {
      const anonyme = await page(path, vue);
      const connecte = await page(path, vue, qui);
      expect(anonyme.horsPerimetre, path).toBeNull();
      expect(connecte.horsPerimetre, `${path} (${qui})`).toMatch(/^Le territoire demandé est hors du périmètre de votre organisation \(.+\) : vous voyez les chiffres publics/);
      // exactly the public's page: masked figures, no table by organisme, no département, the public's filter panel
      expect(connecte.resultat, path).toEqual(anonyme.resultat);
      expect(connecte.resultat!.masque).toBe(true);
      expect(connecte.resultat!.organismes).toBeNull();
      // the public's filter panel, but its first choice: « France entière » would be the viewer's own page at "/",
      // named « Tout mon périmètre », then the public figures of all France (decision 037)
      const { territoires, ...reste } = connecte.panneau;
      const { territoires: publics, ...resteAnonyme } = anonyme.panneau;
      expect(reste).toEqual(resteAnonyme);
      expect(territoires!.slice(0, 2).map((o) => [o.value, o.label])).toEqual([
        ["", "Tout mon périmètre"],
        ["france", "France entière (chiffres publics)"],
      ]);
      expect(publics![0]).toMatchObject({ value: "", label: "France entière" });
      expect(territoires!.slice(2)).toEqual(publics!.slice(1));
      expect(connecte.info).toEqual(anonyme.info);
    }
    expect((await page("/regions/11", { kind: "region", code: "11" }, "dreets")).horsPerimetre).toContain("(Auvergne-Rhône-Alpes)");
    // the table by organisme of that public page: refused for the reason that applies (signed in, outside the perimeter)
    for (const format of ["csv", "json"] as const) {
      const fn = format === "csv" ? tableauCsv : tableauJson;
      const horsPerimetre = await fn(requete(`/tableau.${format}?vue=region:11&table=organismes`, "dreets"), t.database);
      expect(horsPerimetre.status).toBe(403);
      const texte = await horsPerimetre.text();
      expect(texte, format).toContain("hors du périmètre de votre organisation (Auvergne-Rhône-Alpes)");
      expect(texte, format).not.toContain("réservés aux utilisateurs connectés");
      const anonyme = await fn(requete(`/tableau.${format}?vue=region:11&table=organismes`), t.database);
      expect(await anonyme.text(), format).toContain("réservés aux utilisateurs connectés");
    }
    expect((await page("/regions/84", { kind: "region", code: "84" }, "reseau")).horsPerimetre).toContain(`(Réseau ${r.reseau})`);
    // inside the scope: the viewer itself, exact figures, no notice
    const dreets = await page("/regions/84", { kind: "region", code: "84" }, "dreets");
    expect(dreets.horsPerimetre).toBeNull();
    expect(dreets.resultat!.masque).toBe(false);
    const reseau = await page("/?region=84", { kind: "national" }, "reseau");
    expect(reseau.horsPerimetre).toBeNull();
    expect(reseau.resultat!.masque).toBe(false);
    // the map click and the panel's territory lead to that public page
    const choix = (await page("/?territoire=region:11&niveau=4", { kind: "national" }, "dreets").catch((e) => e)) as Response;
    expect(choix.status).toBe(302);
    expect(choix.headers.get("location")).toBe("/regions/11?niveau=4");
    // the files alike: the public's figures (the JSON says why)
    for (const query of ["vue=region:11", "vue=national&region=11"]) {
      const json = await tableauJson(requete(`/tableau.json?${query}`, "dreets"), t.database);
      expect(json.status).toBe(200);
      const body = (await json.json()) as Record<string, unknown>;
      const publique = (await (await tableauJson(requete(`/tableau.json?${query}`), t.database)).json()) as Record<string, unknown>;
      expect(body.horsPerimetre).toMatch(/hors du périmètre/);
      expect({ ...body, horsPerimetre: null }).toEqual(publique);
    }
    const csv = await tableauCsv(requete("/tableau.csv?vue=region:11&table=formations", "dreets"), t.database);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toBe(await (await tableauCsv(requete("/tableau.csv?vue=region:11&table=formations"), t.database)).text());
  });

  it("keeps the public to national and regional figures", async () => {
    expect(await refus(page("/departements/69", { kind: "departement", code: "69" }))).toMatch(/connectez-vous/);
    expect(await refus(page("/?departement=69", { kind: "national" }))).toMatch(/connectez-vous/);
    expect(await refus(page(`/?organisme=${cfa.siret}`, { kind: "national" }))).toMatch(/connectez-vous/);
    await refus(page("/?reseau=X", { kind: "national" }));
    await refus(page("/?cfa=lyon", { kind: "national" }));
    await refus(page(`/organismes/${cfa.id}/tableau-de-bord`, { kind: "organisme", id: cfa.id }));
    const csv = await tableauCsv(requete("/tableau.csv?vue=national&table=organismes"), t.database);
    expect(csv.status).toBe(403);
  });

  it("keeps the RQTH (health data) filter to signed-in viewers: its field and its figures", async () => {
    for (const rqth of ["oui", "non"]) {
      expect(await refus(page(`/regions/84?rqth=${rqth}&sexe=M`, { kind: "region", code: "84" }))).toMatch(/RQTH.*donnée de santé.*connectez-vous/);
      const json = await tableauJson(requete(`/tableau.json?vue=region:84&rqth=${rqth}`), t.database);
      expect(json.status).toBe(403);
    }
    expect((await page("/regions/84", { kind: "region", code: "84" })).panneau.rqth).toBe(false);
    // a signed-in viewer shown another région as the public sees it (decision 004) is the public there
    expect(await refus(page("/regions/11?rqth=oui", { kind: "region", code: "11" }, "dreets"))).toMatch(/RQTH/);
    const connecte = await page("/regions/84?rqth=oui", { kind: "region", code: "84" }, "dreets");
    expect(connecte.panneau.rqth).toBe(true);
    expect(connecte.panneau.etiquettes.map((e) => e.libelle)).toContain("RQTH : oui");
  });

  it("shows an organisme to its CFA and to the services of its région, not to others", async () => {
    const p = await page(`/organismes/${cfa.id}/tableau-de-bord`, { kind: "organisme", id: cfa.id }, "cfa");
    const attendu = await indicateurs(t.database, { date: TODAY, today: TODAY, scope: { kind: "organisme", organismeIds: [cfa.id] } });
    expect(chiffres(p.resultat!)).toEqual(attendus(attendu.compteurs));
    expect(p.info.surtitre).toBe("Organisme de formation");
    expect(p.panneau.territoires).toBeNull();
    await page(`/organismes/${region84.id}/tableau-de-bord`, { kind: "organisme", id: region84.id }, "dreets");
    await refus(page(`/organismes/${horsRegion.id}/tableau-de-bord`, { kind: "organisme", id: horsRegion.id }, "cfa"));
    await refus(page(`/organismes/999999/tableau-de-bord`, { kind: "organisme", id: 999999 }, "admin"), 404);
  });

  it("shows a formation nationally (masked for the public) and within a région", async () => {
    const [f] = await t.database.rows<{ id: number; cfd: string }>(sql`
      select f.id, f.cfd from formations f join effectifs e on e.formation_id = f.id where f.cfd is not null group by f.id order by count(*) desc limit 1`);
    const p = await page(`/formations/${f.id}/tableau-de-bord`, { kind: "formation", id: Number(f.id) });
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { cfd: [f.cfd] } });
    expect(p.resultat!.chiffres[0].valeur).toBe(masque(attendu.compteurs.apprenants));
    expect(p.resultat!.formations).toBeNull();
    const r84 = await page(`/formations/${f.id}/tableau-de-bord?region=84`, { kind: "formation", id: Number(f.id) }, "dreets");
    const attendu84 = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { cfd: [f.cfd], region: ["84"] } });
    expect(chiffres(r84.resultat!)).toEqual(attendus(attendu84.compteurs));
    expect(r84.liens).toBe("filtre");
  });
});

describe("URL and filter panel", () => {
  it("explains a bad value in French and ignores it (never a 500)", async () => {
    const p = await page("/?niveau=9&mois=2026-13&sexe=X", { kind: "national" });
    expect(p.panneau.filtres).toEqual({});
    expect(p.mois).toBe(MOIS);
    expect(p.resultat).not.toBeNull();
    expect(p.erreurs).toEqual([
      "mois : mois invalide « 2026-13 » (AAAA-MM attendu)",
      "niveau : niveau invalide « 9 » (3 à 8 attendu)",
      "sexe : « M » ou « F » attendu, reçu « X »",
    ]);
    const futur = await page("/?mois=2999-01", { kind: "national" });
    expect(futur.erreurs).toEqual(["mois : « 2999-01 » est dans le futur"]);
    await refus(page("/regions/99", { kind: "region", code: "99" }), 404);
  });

  it("explains a filter that contradicts the page and leaves it out: the page's figures, not national ones nor an unexplained empty page", async () => {
    const p = await page("/regions/84?departement=75", { kind: "region", code: "84" }, "admin");
    expect(p.erreurs).toEqual([expect.stringMatching(/^departement : ce tableau de bord est celui de la région Auvergne-Rhône-Alpes \(84\) : le département 75 \(Paris\) n'en fait pas partie/)]);
    const region = await page("/regions/84", { kind: "region", code: "84" }, "admin");
    expect(chiffres(p.resultat!)).toEqual(chiffres(region.resultat!));
    expect(p.resultat!.couverture.organismes).toBe(region.resultat!.couverture.organismes);
  });

  it("applies the filters and shows them as removable tags", async () => {
    const p = await page("/?niveau=4&sexe=F&age=moins_18&rqth=non", { kind: "national" }, "admin");
    const attendu = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { niveau: [4], sexe: ["F"], trancheAge: ["moins_18"], rqth: false } });
    expect(chiffres(p.resultat!)).toEqual(attendus(attendu.compteurs));
    expect(p.panneau.etiquettes.map((e) => e.libelle)).toEqual(["Niveau : 4 (Baccalauréat, BP)", "Âge : moins de 18 ans", "Sexe : Femmes", "RQTH : non"]);
    expect(p.panneau.etiquettes[0].href).toBe("/?sexe=F&age=moins_18&rqth=non");
    const mois = await page(`/?mois=${MOIS}`, { kind: "national" }, "admin");
    expect(mois.date).toBe(TODAY);
    const passe = await page("/?mois=2025-02", { kind: "national" }, "admin");
    expect(passe.date).toBe("2025-02-28");
  });

  it("turns the panel's territory choice into the territory's page, or a filter", async () => {
    const r = await page("/?territoire=region:84&niveau=4&cfa=&formation=&page_o=3", { kind: "national" }, "dreets").catch((e) => e);
    expect(r).toBeInstanceOf(Response);
    expect((r as Response).status).toBe(302);
    expect((r as Response).headers.get("location")).toBe("/regions/84?niveau=4");
    const france = (await page("/regions/84?territoire=&niveau=4", { kind: "region", code: "84" }, "admin").catch((e) => e)) as Response;
    expect(france.headers.get("location")).toBe("/?niveau=4");
    const [f] = await t.database.rows<{ id: number }>(sql`select id from formations where cfd is not null order by id limit 1`);
    const filtre = (await page(`/formations/${f.id}/tableau-de-bord?territoire=departement:69`, { kind: "formation", id: Number(f.id) }, "admin").catch((e) => e)) as Response;
    expect(filtre.headers.get("location")).toBe(`/formations/${f.id}/tableau-de-bord?departement=69`);
  });

  it("resolves the CFA and formation searches", async () => {
    const parSiret = (await page(`/?cfa=${cfa.siret}`, { kind: "national" }, "admin").catch((e) => e)) as Response;
    expect(parSiret.headers.get("location")).toBe(`/?organisme=${cfa.siret}`);
    const aucun = await page("/?cfa=zzzzzz-introuvable", { kind: "national" }, "admin");
    expect(aucun.erreurs).toEqual(["cfa : aucun organisme de votre périmètre ne correspond à « zzzzzz-introuvable »"]);
    const plusieurs = await page("/?formation=CAP", { kind: "national" }, "admin");
    expect(plusieurs.choix!.options.length).toBeGreaterThan(1);
    expect(plusieurs.choix!.options[0].href).toMatch(/^\/\?(cfd|rncp)=/);
    const cfd = (await page("/?formation=50022141", { kind: "national" }).catch((e) => e)) as Response;
    expect(cfd.headers.get("location")).toBe("/?cfd=50022141");
  });
});

describe("CSV, JSON and exports", () => {
  it("gives a whole table as CSV, and the page as JSON, masked alike for the public", async () => {
    const csv = await tableauCsv(requete("/tableau.csv?vue=national&table=formations"), t.database);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    const parsed = parseCsv(text);
    const p = await page("/", { kind: "national" });
    expect(parsed.records).toHaveLength(p.resultat!.formations!.total);
    expect(parsed.header).toEqual(["Formation", "CFD", "RNCP", "Apprenants", "Apprentis", "Inscrits sans contrat", "Rupturants", "Abandons", "Fins de formation", "Filtres"]);
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="national-${MOIS}-formations.csv"`);
    expect(parsed.records.some((r) => r.fields.includes("< 5"))).toBe(true);
    expect(parsed.records.flatMap((r) => r.fields.slice(3, -1)).filter((v) => v !== "< 5" && Number(v.replace(/\s/g, "")) % 5 !== 0)).toEqual([]);
    const json = await tableauJson(requete("/tableau.json?vue=region:84"), t.database);
    const body = (await json.json()) as Resultat & { titre: string };
    expect(body.titre).toBe("Auvergne-Rhône-Alpes");
    expect(comptes({ ...body, couverture: null }).filter((v) => typeof v === "number" && v % 5 !== 0)).toEqual([]);
    expect(body.couverture).toEqual((await page("/regions/84", { kind: "region", code: "84" })).resultat!.couverture);
    const organismes = await tableauJson(requete("/tableau.json?vue=national&table=organismes", "admin"), t.database);
    const lignes = ((await organismes.json()) as { lignes: unknown[] }).lignes;
    expect(lignes.length).toBe((await page("/", { kind: "national" }, "admin")).resultat!.organismes!.total);
  });

  it("streams an export as CSV and as XLSX for the national team only", async () => {
    const mois = [...Array(3)].map((_, i) => {
      const d = new Date(`${TODAY.slice(0, 7)}-01T00:00:00Z`);
      d.setUTCMonth(d.getUTCMonth() - 2 + i);
      return d.toISOString().slice(0, 7);
    });
    const query = `repartition=total&repartition=region&periode=mois&debut=${mois[0]}&fin=${mois[2]}&niveau=4`;
    const response = await telechargerExport(requete(`/exports/telechargement?${query}&format=csv`, "operateur"), t.database);
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="indicateurs-apprentissage-.*\.csv"/);
    const csv = parseCsv(await response.text());
    expect(csv.header.slice(0, 5)).toEqual(["Mois (AAAA-MM)", "Date (JJ/MM/AAAA)", "Répartition", "Code", "Libellé"]);
    const totals = csv.records.filter((r) => r.fields[2] === "Total");
    expect(totals.map((r) => r.fields[0])).toEqual(mois);
    // a past month is counted at its last day, the current one today: JJ/MM/AAAA
    const finDeMois = (m: string) => new Date(Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)), 0)).toISOString().slice(0, 10);
    expect(totals.map((r) => r.fields[1])).toEqual([finDeMois(mois[0]), finDeMois(mois[1]), TODAY].map(dateIsoEnFrancais));
    const dernier = await indicateurs(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { niveau: [4] }, by: "region" });
    const regions = csv.records.filter((r) => r.fields[2] === "Région" && r.fields[0] === mois[2]);
    expect(regions.map((r) => [r.fields[3], Number(r.fields[9])])).toEqual(dernier.repartition!.lignes.map((l) => [l.code ?? "", l.compteurs.apprenants]));
    expect(Number(totals[2].fields[9])).toBe(dernier.compteurs.apprenants);

    const xlsx = await telechargerExport(requete(`/exports/telechargement?${query}&format=xlsx`, "admin"), t.database);
    const bytes = new Uint8Array(await xlsx.arrayBuffer());
    const sheets = readXlsx(bytes);
    expect(sheets.map((s) => s.name)).toEqual(["Paramètres", "Total", "Par région"]);
    expect(sheets[2].rows.length - 1).toBe(regions.length + csv.records.filter((r) => r.fields[2] === "Région" && r.fields[0] !== mois[2]).length);
    // in Excel: real dates (read back as the CSV writes them), months and codes as texts ("01" keeps its zero)
    expect(sheets[1].rows.slice(1).map((r) => r.slice(0, 2))).toEqual(totals.map((r) => r.fields.slice(0, 2)));
    for (const feuille of [2, 3]) {
      expect(colonneBrute(bytes, "B", feuille).every((c) => c.type === "date" && c.format === "dd/mm/yyyy")).toBe(true);
      expect(colonneBrute(bytes, "A", feuille).every((c) => c.type === "texte")).toBe(true);
    }
    expect(colonneBrute(bytes, "B", 3)).toHaveLength(sheets[2].rows.length - 1);
    const codes = colonneBrute(bytes, lettreColonne(sheets[2].rows[0].indexOf("Code")), 3);
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c) => c.type === "texte" && /^[0-9]{2}$/.test(c.valeur))).toBe(true);

    await refus(telechargerExport(requete(`/exports/telechargement?${query}&format=csv`, "dreets"), t.database));
    const anonyme = await telechargerExport(requete(`/exports/telechargement?${query}&format=csv`), t.database).catch((e) => e);
    expect((anonyme as Response).headers.get("location")).toMatch(/^\/connexion/);
    const invalide = await telechargerExport(requete(`/exports/telechargement?repartition=pays`, "admin"), t.database).catch((e) => e);
    expect((invalide as Response).headers.get("location")).toBe("/exports?apercu=1&repartition=pays");
  });

  it("an export's rows name their breakdown with a capital and give public codes (SIRET, CFD or RNCP), never a database id", async () => {
    const query = `repartition=total&repartition=region&repartition=departement&repartition=academie&repartition=organisme&repartition=formation&repartition=niveau&periode=date&date=${TODAY}&format=csv`;
    const csv = parseCsv(await (await telechargerExport(requete(`/exports/telechargement?${query}`, "admin"), t.database)).text());
    expect(csv.header.slice(0, 9)).toEqual(["Mois (AAAA-MM)", "Date (JJ/MM/AAAA)", "Répartition", "Code", "Libellé", "SIRET", "UAI", "CFD", "RNCP"]);
    expect(new Set(csv.records.map((r) => r.fields[1]))).toEqual(new Set([dateIsoEnFrancais(TODAY)]));
    expect([...new Set(csv.records.map((r) => r.fields[2]))]).toEqual(["Total", "Région", "Département", "Académie", "Organisme", "Formation", "Niveau"]);
    const organismes = csv.records.filter((r) => r.fields[2] === "Organisme" && r.fields[4] !== "Non renseigné");
    const formations = csv.records.filter((r) => r.fields[2] === "Formation" && r.fields[4] !== "Non renseigné");
    expect(organismes.length).toBeGreaterThan(1);
    expect(formations.length).toBeGreaterThan(1);
    // the code of an organisme is its SIRET; of a formation, its CFD (else its RNCP code)
    for (const r of organismes) expect(r.fields[3]).toBe(r.fields[5]);
    for (const r of organismes) expect(r.fields[3]).toMatch(/^[0-9]{14}$/);
    for (const r of formations) expect(r.fields[3]).toBe(r.fields[7] || r.fields[8]);
    for (const r of formations) expect(r.fields[3]).toMatch(/^([0-9A-Z]{8}|RNCP[0-9]{2,5})$/);
    const ids = new Set(
      (await t.database.rows<{ id: number }>(sql`select id from organismes union select id from formations`)).map((r) => String(r.id)),
    );
    expect([...organismes, ...formations].filter((r) => ids.has(r.fields[3]))).toEqual([]);
  });
});

/** The vue of a dashboard's path ("/organismes/12/tableau-de-bord?…"). */
function vueDuChemin(href: string): Vue {
  const chemin = href.split("?")[0];
  const m = /^\/(organismes|formations)\/([0-9]+)\/tableau-de-bord$/.exec(chemin);
  if (m) return { kind: m[1] === "organismes" ? "organisme" : "formation", id: Number(m[2]) };
  const t = /^\/(regions|departements|academies)\/([0-9AB]+)$/.exec(chemin);
  if (t) return { kind: t[1] === "regions" ? "region" : t[1] === "departements" ? "departement" : "academie", code: t[2] };
  return { kind: "national" };
}

/** What the filter panel's form sends (its hidden inputs and fields as the loader filled them), with `changes`. */
function soumettre(p: TableauPage, changes: Record<string, string> = {}): string {
  const f = p.panneau.filtres;
  const form = new URLSearchParams();
  for (const [k, v] of p.panneau.conserves) form.append(k, v);
  form.append("mois", p.panneau.mois);
  if (p.panneau.territoires) form.append("territoire", p.panneau.territoire);
  if (p.panneau.reseaux) form.append("reseau", choixSelect(p.panneau.reseaux.map((r) => ({ value: r, label: r })), f.reseau).value);
  form.append("niveau", choixSelect(OPTIONS_NIVEAU, f.niveau).value);
  if (p.panneau.formation) form.append("formation", "");
  if (p.panneau.cfa) form.append("cfa", "");
  form.append("age", choixSelect(OPTIONS_AGE, f.trancheAge).value);
  form.append("sexe", choixSelect(OPTIONS_SEXE, f.sexe).value);
  form.append("rqth", f.rqth === undefined ? "" : f.rqth ? "oui" : "non");
  for (const [k, v] of Object.entries(changes)) form.set(k, v);
  return `${p.info.chemin}?${form.toString()}`;
}

/** The page a submission leads to (the loader redirects the panel's searches to a canonical address). */
async function apresRedirection(path: string, qui?: string): Promise<{ location: string; page: TableauPage }> {
  const r = await page(path, vueDuChemin(path), qui).catch((e: unknown) => e);
  expect(r, path).toBeInstanceOf(Response);
  expect((r as Response).status).toBe(302);
  const location = (r as Response).headers.get("location")!;
  return { location, page: await page(location, vueDuChemin(location), qui) };
}

describe("links between an organisme's and a formation's dashboards (QA)", () => {
  const apprenants = (p: TableauPage) => p.resultat!.chiffres.find((c) => c.cle === "apprenants")!.valeur;

  it("an organisme's formation rows open the formation's dashboard on the same learners (organisme and filters carried)", async () => {
    // an organisme of the région with formateurs, as in the report (its dashboard counts them too)
    const [o] = await t.database.rows<{ id: number }>(sql`
      select r.responsable_id as id from organisme_relations r join organismes o on o.id = r.responsable_id
      where o.region_code = '84' and exists (select 1 from effectifs e where e.organisme_formateur_id = r.formateur_id)
      group by 1 order by count(*) desc, 1 limit 1`);
    const vue: Vue = { kind: "organisme", id: Number(o.id) };
    const moisPasse = (await page("/", { kind: "national" })).resultat!.serie[20].mois;
    let compares = 0;
    for (const [qui, recherche] of [
      ["dreets", ""],
      ["dreets", `?sexe=F&mois=${moisPasse}`],
      ["admin", "?niveau=5&niveau=6"],
      ["cfa", ""],
    ] as const) {
      if (qui === "cfa" && o.id !== cfa.id) continue;
      const p = await page(`/organismes/${o.id}/tableau-de-bord${recherche}`, vue, qui);
      for (const l of p.resultat!.formations!.lignes.filter((x) => x.id !== null).slice(0, 4)) {
        const href = lienFormation(p, l.id!);
        expect(new URLSearchParams(href.split("?")[1]).get("organisme"), href).toMatch(/^[0-9]{14}$|^[0-9]{7}[A-Z]$/);
        const cible = await page(href, vueDuChemin(href), qui);
        expect(cible.erreurs, href).toEqual([]);
        expect(apprenants(cible), `${qui} ${href}`).toBe(l.comptes.apprenants);
        compares++;
      }
    }
    expect(compares).toBeGreaterThan(4);
  });

  it("a formation's organisme rows open the organisme's dashboard on that formation and those filters", async () => {
    const [f] = await t.database.rows<{ id: number }>(sql`
      select e.formation_id as id from effectifs e join organismes o on o.id = e.organisme_formateur_id join formations f on f.id = e.formation_id
      where o.region_code = '84' and f.cfd is not null group by 1 order by count(distinct o.id) desc limit 1`);
    const vue: Vue = { kind: "formation", id: Number(f.id) };
    let compares = 0;
    for (const [qui, recherche] of [
      ["dreets", "?region=84"],
      ["admin", "?region=84&sexe=F"],
      ["admin", "?departement=69"],
    ] as const) {
      const p = await page(`/formations/${f.id}/tableau-de-bord${recherche}`, vue, qui);
      for (const l of p.resultat!.organismes!.lignes.filter((x) => x.id !== null).slice(0, 5)) {
        const href = lienOrganisme(p, l.id!);
        const cible = await page(href, vueDuChemin(href), qui);
        expect(cible.erreurs, href).toEqual([]);
        // the row counts the organisme as formateur: the page reached gives it the same line, and in all its
        // formateurs (the organisme's dashboard counts them), never fewer
        const ligne = cible.resultat!.organismes!.lignes.find((x) => x.id === l.id);
        expect(ligne?.comptes.apprenants, `${qui} ${href}`).toBe(l.comptes.apprenants);
        const [{ formateurs }] = await t.database.rows<{ formateurs: number }>(sql`
          select count(*)::int as formateurs from effectifs e where e.organisme_responsable_id = ${l.id} and e.organisme_formateur_id <> ${l.id}`);
        const relies = await t.database.rows(sql`select 1 from organisme_relations where responsable_id = ${l.id}`);
        if (formateurs === 0 && relies.length === 0) expect(apprenants(cible), `${qui} ${href}`).toBe(l.comptes.apprenants);
        else expect(apprenants(cible) as number).toBeGreaterThanOrEqual(l.comptes.apprenants as number);
        compares++;
      }
    }
    expect(compares).toBeGreaterThan(4);
  });
});

describe("unknown réseau or bassin, and multi-valued filters in the panel (QA)", () => {
  it("reports a réseau or a bassin d'emploi the référentiel does not know, and counts without it", async () => {
    const region = await page("/regions/84", { kind: "region", code: "84" }, "dreets");
    const reseau = await page("/regions/84?reseau=zzz", { kind: "region", code: "84" }, "dreets");
    expect(reseau.erreurs).toEqual([
      `reseau : aucun organisme de votre périmètre n'appartient au réseau « zzz » (réseaux attendus : ${region.panneau.reseaux!.join(", ")})`,
    ]);
    expect(reseau.panneau.filtres).toEqual({});
    expect(chiffres(reseau.resultat!)).toEqual(chiffres(region.resultat!));
    const bassin = await page("/regions/84?bassin=zzzz&niveau=4", { kind: "region", code: "84" }, "dreets");
    expect(bassin.erreurs).toEqual(["bassin : aucun bassin d'emploi n'a le code « zzzz » (code à 4 caractères d'une zone d'emploi de l'Insee attendu)"]);
    expect(bassin.panneau.filtres).toEqual({ niveau: [4] });
    expect(bassin.recherche).toBe("?niveau=4");
    expect(bassin.resultat!.vide).toBe(false);
    // a known réseau of the scope is applied, as before; the files refuse the unknown one (400)
    const connu = region.panneau.reseaux![0];
    const filtre = await page(`/regions/84?reseau=${encodeURIComponent(connu)}`, { kind: "region", code: "84" }, "dreets");
    expect(filtre.erreurs).toEqual([]);
    expect(filtre.panneau.filtres).toEqual({ reseau: [connu] });
    const json = await tableauJson(requete("/tableau.json?vue=region:84&reseau=zzz", "dreets"), t.database);
    expect(json.status).toBe(400);
    expect(((await json.json()) as { erreur: string }).erreur).toContain("reseau : aucun organisme de votre périmètre n'appartient au réseau « zzz »");
    // a CSV without its table says the parameter is missing, not « table inconnue «  » »
    const sansTable = await tableauCsv(requete("/tableau.csv?vue=region:84&mois=2026-01", "dreets"), t.database);
    expect(sansTable.status).toBe(400);
    expect(await sansTable.text()).toContain("table : paramètre manquant, la table à télécharger (valeurs : organismes, formations, chiffres, serie)");
    // the public may not filter by réseau or bassin at all: still a 403
    await refus(page("/regions/84?reseau=zzz", { kind: "region", code: "84" }));
    await refus(page("/regions/84?bassin=zzzz", { kind: "region", code: "84" }));
  });

  it("keeps several values of a select through the next submission of the form", async () => {
    const p = await page("/regions/84?niveau=3&niveau=4", { kind: "region", code: "84" }, "dreets");
    expect(p.panneau.conserves).toEqual([]);
    expect(choixSelect(OPTIONS_NIVEAU, p.panneau.filtres.niveau).value).toBe("3,4");
    const apres = await apresRedirection(soumettre(p, { sexe: "F" }), "dreets");
    expect(apres.location).toBe("/regions/84?niveau=3%2C4&sexe=F");
    expect(apres.page.panneau.filtres).toEqual({ niveau: [3, 4], sexe: ["F"] });
    // choosing one level in the select replaces them
    expect((await apresRedirection(soumettre(p, { niveau: "5" }), "dreets")).page.panneau.filtres).toEqual({ niveau: [5] });
  });

  it("keeps several territories through the next submission of the form", async () => {
    const national = await page("/?region=84&region=11&niveau=4", { kind: "national" }, "admin");
    expect(national.panneau.territoire).toBe("region:84,region:11");
    expect(national.panneau.territoires!.find((o) => o.value === "region:84,region:11")).toEqual({
      value: "region:84,region:11",
      label: "Auvergne-Rhône-Alpes, Île-de-France",
      groupe: "Plusieurs",
    });
    const apres = await apresRedirection(soumettre(national, { sexe: "M" }), "admin");
    expect(apres.location).toBe("/?niveau=4&sexe=M&region=84&region=11");
    expect(apres.page.panneau.filtres).toEqual({ region: ["84", "11"], niveau: [4], sexe: ["M"] });
    const region = await page("/regions/84?departement=01&departement=69", { kind: "region", code: "84" }, "dreets");
    expect(region.panneau.territoire).toBe("departement:01,departement:69");
    const suite = await apresRedirection(soumettre(region), "dreets");
    expect(suite.location).toBe("/regions/84?departement=01&departement=69");
    expect(chiffres(suite.page.resultat!)).toEqual(chiffres(region.resultat!));
    // one territory still opens its page
    expect((await apresRedirection(soumettre(national, { territoire: "region:11" }), "admin")).location).toBe("/regions/11?niveau=4");
  });
});

describe("coverage shown exactly to the public (QA, decision 007)", () => {
  it("gives the public the exact counts of CFAs and the rate built on them, and keeps masking learners", async () => {
    const now = new Date();
    // a région whose counts of CFAs are not all multiples of 5: rounding would change them
    let vu = 0;
    for (const code of ["84", "11", "93", "75", "76", "53", "52", "44", "32", "28", "27", "24"]) {
      const attendu = await couverture(t.database, { scope: NATIONAL, date: TODAY, filters: { region: [code] }, now });
      const chiffresCfa = [attendu.organismes, attendu.transmis, ...Object.values(attendu.fraicheur)];
      if (chiffresCfa.every((n) => n % 5 === 0)) continue;
      const p = await chargerTableau(requete(`/regions/${code}`), t.database, { kind: "region", code }, { today: TODAY, now });
      const c = p.resultat!.couverture;
      expect(p.resultat!.masque).toBe(true);
      expect([c.organismes, c.transmis]).toEqual([attendu.organismes, attendu.transmis]);
      expect(c.taux).toBe(attendu.tauxCouverture);
      expect(c.fraicheur).toEqual(attendu.fraicheur);
      // the learners stay masked and rounded
      expect(comptes({ ...p.resultat!, couverture: null }).filter((v) => typeof v === "number" && v % 5 !== 0)).toEqual([]);
      vu++;
    }
    expect(vu).toBeGreaterThan(0);
  });
});

/** A dashboard page as the server renders it (the component of every dashboard route, with its loader's data). */
function html(p: TableauPage): string {
  return renduServeur(createElement(TableauDeBord, { page: JSON.parse(JSON.stringify(p)) }), p.info.chemin + p.recherche);
}

describe("the national page as rendered (QA, RGAA 8.2)", () => {
  it("defines every id once, the maps' and charts' SVG included", async () => {
    const p = await page("/", { kind: "national" }, "admin");
    const rendu = html(p);
    // the maps of the QA report, both drawn from the same shapes
    expect(rendu).toContain('data-testid="carte-rupture-departement"');
    expect(rendu).toContain('data-testid="carte-couverture-departement"');
    expect((rendu.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(8);
    const ids = [...rendu.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const classes = [...rendu.matchAll(/\.([A-Za-z][\w-]*):hover/g)].map((m) => m[1]);
    expect(classes.length).toBeGreaterThan(0);
    expect(classes.filter((c, i) => classes.indexOf(c) !== i)).toEqual([]);
    expect(rendu).not.toMatch(/\bzr\d+-(?:cls-|[cgps]\d)/);
  });
});

describe("a dashboard's downloads say what they count (QA)", () => {
  const date = (iso: string) => dateIsoEnFrancais(iso);

  it("a DREETS's / names its région and its filters, in the file names and in the files", async () => {
    const query = `mois=${MOIS}&niveau=5`;
    const p = await page(`/?${query}`, { kind: "national" }, "dreets");
    const filtres = `Périmètre : Auvergne-Rhône-Alpes · Date : ${date(p.date)} · Niveau : ${libelleNiveau("5")}`;
    expect(p.fichiers.nom).toBe(`region-84-niveau-5-${MOIS}`);

    for (const table of ["organismes", "chiffres", "serie"]) {
      const reponse = await tableauCsv(requete(`/tableau.csv?${query}&vue=national&table=${table}`, "dreets"), t.database);
      expect(reponse.status).toBe(200);
      expect(reponse.headers.get("content-disposition")).toBe(`attachment; filename="region-84-niveau-5-${MOIS}-${table}.csv"`);
      const csv = parseCsv(await reponse.text());
      expect(csv.header.at(-1)).toBe("Filtres");
      expect(csv.records.length).toBeGreaterThan(0);
      expect(new Set(csv.records.map((r) => r.fields.at(-1)))).toEqual(new Set([filtres]));
    }

    // the charts' downloads: named after the région, their CSV (a data: link) with the same « Filtres »
    const rendu = html(p);
    expect(rendu).not.toMatch(/download="national-/);
    const serie = new RegExp(`href="data:text/csv;charset=utf-8,([^"]+)" download="region-84-niveau-5-${MOIS}-serie-24-mois\\.csv"`).exec(rendu);
    expect(serie, "lien CSV de la série").not.toBeNull();
    const csvSerie = parseCsv(decodeURIComponent(serie![1].replace(/&amp;/g, "&")));
    expect(csvSerie.header).toEqual(["Mois", "Date", "Apprentis", "Inscrits sans contrat", "Rupturants", "Filtres"]);
    expect(new Set(csvSerie.records.map((r) => r.fields.at(-1)))).toEqual(new Set([filtres]));
    // the page's table alternative stays the figures alone
    expect(rendu).not.toMatch(/<th[^>]*scope="col"[^>]*>Filtres<\/th>/);
  });

  it("names the national figures « national », with their scope « France entière »", async () => {
    const reponse = await tableauCsv(requete(`/tableau.csv?vue=national&table=chiffres`, "admin"), t.database);
    expect(reponse.headers.get("content-disposition")).toBe(`attachment; filename="national-${MOIS}-chiffres.csv"`);
    const csv = parseCsv(await reponse.text());
    expect(new Set(csv.records.map((r) => r.fields.at(-1)))).toEqual(new Set([`Périmètre : France entière · Date : ${date(TODAY)}`]));
    const region = await tableauCsv(requete(`/tableau.csv?vue=region:84&table=chiffres&sexe=F`), t.database);
    expect(region.headers.get("content-disposition")).toBe(`attachment; filename="region-84-sexe-F-${MOIS}-chiffres.csv"`);
    expect(parseCsv(await region.text()).records[0].fields.at(-1)).toBe(`Région : Auvergne-Rhône-Alpes · Date : ${date(TODAY)} · Sexe : Femmes`);
  });
});
