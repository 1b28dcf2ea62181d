/**
 * Searching, sorting and paging the répertoire and the catalogue against a real database (PGlite, or the server of
 * DATABASE_URL): the SQL fold equals the JavaScript one, French typing finds what it means (curly apostrophes,
 * ligatures, RNCP codes), French reading order on every database, the offer sorted by département, and — when the
 * app is built (`npm run -s build`) — pages past the end, empty states, NUL characters in the address and the
 * filters offered to a regional user, over HTTP.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { Browser, emailOf, PASSWORD, seedAccounts, seedReferentiel } from "./auth-fixtures";
import { createUser, searchUsers } from "../../app/auth/accounts.server";
import { containsWords, foldSql, foldText, listOrganismes } from "../../app/referentiel/repertoire.server";
import { importOrganismes } from "../../app/referentiel/import-organismes.server";
import { importFormations } from "../../app/referentiel/import-formations.server";
import { CFD_PATTERN, luhnCompletion, normalizeRncp, RNCP_PATTERN } from "../../app/referentiel/codes";
import { getFormation, listFormations, listOffres } from "../../app/referentiel/catalogue.server";
import { formationsQuerySchema, organismesQuerySchema, parseQuery } from "../../app/referentiel/filtres.server";
import { PUBLIC_VIEWER, type Viewer } from "../../app/auth/policy.server";
import { allNonTransmetteurs } from "../../app/referentiel/non-transmetteurs.server";
import { nonTransmetteursQuerySchema } from "../../app/referentiel/non-transmetteurs-query.server";

let t: TestDatabase;
const admin: Viewer = { userId: 1, organisationType: "ADMINISTRATEUR", scope: { kind: "national" } };

/** Organismes whose names French users type in many ways; `(région, département, académie)`. */
const NOMS: [string, string, string, string][] = [
  ["Université Lyon 3 – CFA", "84", "69", "10"],
  ["École de l'alternance Lyon", "84", "69", "10"],
  ["ecole de l'alternance Lyon", "84", "69", "10"],
  ["Ecole des métiers Villeurbanne", "84", "69", "10"],
  ["Campus de l’alternance Grenoble", "84", "38", "08"],
  ["CFA Vandœuvre-lès-Nancy", "44", "54", "12"],
  ["Couvreurs Compagnons", "84", "69", "10"],
  ["Œuvre des apprentis", "11", "75", "01"],
  ["Maçonnerie Formation", "84", "69", "10"],
  ["Maintenance Industrielle CFA", "84", "69", "10"],
];
/** Formations; the RNCP code RNCP3938 has 4 digits. */
const FORMATIONS: [cfd: string | null, rncp: string | null, intitule: string][] = [
  ["50025501", null, "CAP Réparation des carrosseries"],
  ["50025502", null, "CAP Électricien"],
  ["50025503", null, "CAP Maçon"],
  ["50025504", null, "CAP Maintenance des véhicules"],
  ["50025505", null, "CAP équipier polyvalent du commerce"],
  [null, "RNCP3938", "Titre professionnel de test"],
];

const ids = new Map<string, number>();
const query = <S extends typeof organismesQuerySchema | typeof formationsQuerySchema>(schema: S, params: Record<string, string>) => {
  const parsed = parseQuery(schema, new URLSearchParams(params), { strict: true });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.value;
};

beforeAll(async () => {
  t = await createTestDatabase();
  const ref = await seedReferentiel(t.database);
  await seedAccounts(t.database, ref);
  for (const [i, [nom, region, departement, academie]] of NOMS.entries()) {
    const [row] = await t.database.rows<{ id: number }>(sql`
      insert into organismes (siret, nature, raison_sociale, region_code, departement_code, academie_code)
      values (${`3100000000${String(i).padStart(4, "0")}`}, 'responsable', ${nom}, ${region}, ${departement}, ${academie}) returning id`);
    ids.set(nom, row.id);
  }
  // 60 organismes of nature « inconnue » (an anomaly) in the Rhône, never transmitting: several pages everywhere
  await t.database.rows(sql`
    insert into organismes (siret, nature, raison_sociale, region_code, departement_code, academie_code)
    select '3200000000' || lpad(i::text, 4, '0'), 'inconnue', 'Organisme série ' || lpad(i::text, 2, '0'), '84', '69', '10'
    from generate_series(1, 60) i`);
  for (const [cfd, rncp, intitule] of FORMATIONS) {
    const [row] = await t.database.rows<{ id: number }>(sql`insert into formations (cfd, rncp, niveau, intitule_long) values (${cfd}, ${rncp}, 3, ${intitule}) returning id`);
    ids.set(intitule, row.id);
  }
  await t.database.rows(sql`
    insert into formations (cfd, niveau, intitule_long)
    select '5100' || lpad(i::text, 4, '0'), 4, 'Formation série ' || lpad(i::text, 2, '0') from generate_series(1, 54) i`);
  // the offer: lieux in Paris (75), none (organisme formateur's département: 38), Lyon (69)
  const offre = (formation: string, organisme: string, commune: string | null) =>
    t.database.rows(sql`insert into offres_formation (formation_id, organisme_formateur_id, code_commune_lieu) values (${ids.get(formation)!}, ${ids.get(organisme)!}, ${commune})`);
  await offre("CAP Électricien", "Université Lyon 3 – CFA", "75056");
  await offre("CAP Réparation des carrosseries", "Campus de l’alternance Grenoble", null);
  await offre("CAP Maçon", "École de l'alternance Lyon", "69123");
});
afterAll(async () => t?.drop());

describe("the fold of searches and sorts", () => {
  it("is the same in SQL and in JavaScript, character for character", async () => {
    const textes = [
      "Vandœuvre-lès-Nancy",
      "ŒUVRE Cæcilia Æ",
      "Campus de l’alternance ‘ ʼ '",
      "ÀÂÄÁÃÅ àâäáãå ÉÈÊË éèêë ÍÌÎÏ íìîï ÓÒÔÖÕØ óòôöõø ÚÙÛÜ úùûü Ç ç Ñ ñ Ÿ ÿ",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ abc 0123 -_%\\",
      "E\u0301cole",
      "Ωmega ß İ ǅ – €",
    ];
    for (const texte of textes) {
      const [{ folded }] = await t.database.rows<{ folded: string }>(sql`select ${foldSql(sql`${texte}::text`)} as folded`);
      expect(folded, texte).toBe(foldText(texte));
    }
  });

  it("finds what French typing means in the répertoire: curly apostrophes, ligatures, no false match", async () => {
    const noms = async (q: string) => (await listOrganismes(t.database, PUBLIC_VIEWER, query(organismesQuerySchema, { q, limit: "100" }))).data.map((o) => o.raison_sociale);
    const alternance = ["Campus de l’alternance Grenoble", "École de l'alternance Lyon", "ecole de l'alternance Lyon"];
    expect((await noms("de l'alternance")).sort()).toEqual([...alternance].sort());
    expect((await noms("de l’alternance")).sort()).toEqual([...alternance].sort());
    expect(await noms("vandoeuvre")).toEqual(["CFA Vandœuvre-lès-Nancy"]);
    expect(await noms("VANDŒUVRE")).toEqual(["CFA Vandœuvre-lès-Nancy"]);
    expect(await noms("œuvre")).toEqual(["CFA Vandœuvre-lès-Nancy", "Œuvre des apprentis"]); // not « Couvreurs »
    expect(await noms("oeuvre des")).toEqual(["Œuvre des apprentis"]);
  });

  it("the accounts' search (same fold) still finds names and organisations", async () => {
    expect((await searchUsers(t.database, { q: "DREETS" })).rows.map((r) => r.email)).toEqual(expect.arrayContaining([emailOf("DREETS")]));
    expect((await searchUsers(t.database, { q: "’zzz" })).total).toBe(0);
  });
});

/**
 * Decision 029: the searches read a column `recherche` that PostgreSQL folds when a row is written. They must find
 * exactly what they found when they folded the searched fields of every row at every search.
 */
describe("the stored fold of the searched fields (recherche)", () => {
  const AVANT_ORGANISMES = sql`o.raison_sociale || ' ' || coalesce(o.enseigne, '') || ' ' || o.siret || ' ' || coalesce(o.uai, '')`;
  const AVANT_FORMATIONS = sql`coalesce(f.cfd, '') || ' ' || coalesce(f.rncp, '') || ' ' || coalesce(f.intitule_court, '') || ' ' || f.intitule_long`;
  /** The search of the répertoire as it was: every word in the fold of the fields, computed at the search. */
  const avant = async (table: "organismes o" | "formations f", expr: SQL, q: string) =>
    (await t.database.rows<{ id: number }>(sql`select id from ${sql.raw(table)} where ${sql.join([sql`true`, ...containsWords(expr, q)], sql` and `)} order by id`)).map((r) => r.id);
  const RECHERCHES = [
    "École",
    "ecole",
    "ÉCOLE DE L’ALTERNANCE",
    "de l'alternance lyon",
    "l‘alternance",
    "Vandœuvre",
    "VANDOEUVRE-LÈS",
    "œuvre",
    "oeuvre des",
    "Maçon",
    "macon",
    "E\u0301cole",
    "cfa lyon",
    "lyon cfa 3",
    "série 0",
    "0001",
    "31000000",
    "3100000000000",
    "0691",
    "069 lyon",
    "%",
    "_",
    "\\",
    "'",
    "zzz",
    "  ",
  ];

  /** Every organisme's (formation's) stored fold, against the fold JavaScript computes of its fields. */
  const verifierLaColonne = async () => {
    const organismes = await t.database.rows<{ raison_sociale: string; enseigne: string | null; siret: string; uai: string | null; recherche: string }>(
      sql`select raison_sociale, enseigne, siret, uai, recherche from organismes`,
    );
    for (const o of organismes) expect(o.recherche, o.raison_sociale).toBe(foldText(`${o.raison_sociale} ${o.enseigne ?? ""} ${o.siret} ${o.uai ?? ""}`));
    const formations = await t.database.rows<{ cfd: string | null; rncp: string | null; intitule_court: string | null; intitule_long: string; recherche: string }>(
      sql`select cfd, rncp, intitule_court, intitule_long, recherche from formations`,
    );
    for (const f of formations) {
      expect(f.recherche, f.intitule_long).toBe(foldText(`${f.cfd ?? ""} ${f.rncp ?? ""} ${f.intitule_court ?? ""} ${f.intitule_long}`));
    }
    return organismes.length;
  };

  it("finds an organisme by the name of its commune or its postal code, each word anywhere (decision 038)", async () => {
    const noms = async (q: string) => (await listOrganismes(t.database, PUBLIC_VIEWER, query(organismesQuerySchema, { q, limit: "100" }))).data.map((o) => o.raison_sociale);
    const [commune] = await t.database.rows<{ nom: string }>(sql`select nom from communes where code = '69266'`);
    expect(commune.nom).toBe("Villeurbanne");
    await t.database.rows(sql`update organismes set code_commune = '69266', code_postal = '69100' where id = ${ids.get("Couvreurs Compagnons")!}`);
    try {
      expect(await noms("villeurbanne")).toEqual(["Couvreurs Compagnons", "Ecole des métiers Villeurbanne"]);
      expect(await noms("VILLEURBANNE couvreurs")).toEqual(["Couvreurs Compagnons"]);
      expect(await noms("compagnons villeur")).toEqual(["Couvreurs Compagnons"]);
      expect(await noms("69100")).toEqual(["Couvreurs Compagnons"]);
      expect(await noms("compagnons lyon")).toEqual([]);
    } finally {
      await t.database.rows(sql`update organismes set code_commune = null, code_postal = null where id = ${ids.get("Couvreurs Compagnons")!}`);
    }
  });

  it("the répertoire finds the same organismes as when it folded every row at the search (accents, case, several words, digits, apostrophes, LIKE's characters)", async () => {
    const tous = async (q: string) => {
      const page = await listOrganismes(t.database, admin, query(organismesQuerySchema, { q, limit: "100" }));
      expect(page.pagination.total, q).toBe(page.data.length);
      return page.data.map((o) => o.id).sort((a, b) => a - b);
    };
    for (const q of RECHERCHES) {
      const compact = q.replace(/[\s.\-]/g, "");
      // an empty search is no search (the whole répertoire); a SIRET or a UAI is looked for as a code, as before
      if (!q.trim() || /^[0-9]{9,14}$/.test(compact) || /^[0-9]{7}[a-zA-Z]$/.test(compact)) continue;
      expect(await tous(q), q).toEqual(await avant("organismes o", AVANT_ORGANISMES, q));
    }
    expect(await tous("ÉCOLE DE L’ALTERNANCE")).toHaveLength(2);
    expect(await tous("lyon cfa 3")).toEqual([ids.get("Université Lyon 3 – CFA")]);
  });

  it("the catalogue finds the same formations as before", async () => {
    // the searches that are words for the catalogue (not a CFD nor an RNCP code, looked for as codes, as before)
    const mots = (q: string) => {
      const compact = q.replace(/\s/g, "").toUpperCase();
      return q.trim() !== "" && !RNCP_PATTERN.test(normalizeRncp(compact)) && !(CFD_PATTERN.test(compact) && /[0-9]/.test(compact));
    };
    for (const q of [...RECHERCHES, "cap electricien", "CAP ÉQUIPIER", "série 05", "5002550"].filter(mots)) {
      const page = await listFormations(t.database, query(formationsQuerySchema, { q, limit: "100" }));
      expect(page.data.map((f) => f.id).sort((a, b) => a - b), q).toEqual(await avant("formations f", AVANT_FORMATIONS, q));
    }
  });

  it("counts a search's results whether its page is full, partly full or past the end", async () => {
    const total = async (params: Record<string, string>) => (await listOrganismes(t.database, admin, query(organismesQuerySchema, params))).pagination.total;
    const series = (await avant("organismes o", AVANT_ORGANISMES, "série")).length;
    expect(series).toBe(60);
    expect(await total({ q: "série", limit: "20" })).toBe(60); // full pages
    expect(await total({ q: "série", limit: "25", page: "3" })).toBe(60); // the last one, partly full
    expect(await total({ q: "série", limit: "20", page: "9" })).toBe(60); // past the end
    expect(await total({ q: "série", limit: "60" })).toBe(60); // exactly full
    expect(await total({ q: "zzz" })).toBe(0);
  });

  it("stays the fold of the fields after every write: insert, update of each field, import", async () => {
    expect(await verifierLaColonne()).toBeGreaterThan(70);
    const id = ids.get("Maçonnerie Formation")!;
    await t.database.rows(sql`update organismes set raison_sociale = 'Maçonnerie Formation', enseigne = 'L’Œuvre du Bâtiment', uai = '0691234A' where id = ${id}`);
    const noms = async (q: string) => (await listOrganismes(t.database, admin, query(organismesQuerySchema, { q }))).data.map((o) => o.id);
    expect(await noms("l'oeuvre du batiment")).toEqual([id]);
    await t.database.rows(sql`update organismes set enseigne = null, uai = null where id = ${id}`);
    expect(await noms("l'oeuvre du batiment")).toEqual([]);
    expect(await noms("maconnerie")).toEqual([id]);
    // an import creates an organisme, a second one renames it (the rows an import writes: its columns only)
    const siret = (debut: string) => debut + luhnCompletion(debut);
    const nouveau = siret("3300000000001");
    const importer = async (ligne: string) => {
      const resume = await importOrganismes(t.database, Buffer.from(["siret;raison_sociale;enseigne", ligne].join("\n")));
      expect(resume.rejected).toEqual([]);
    };
    try {
      await importer(`${nouveau};Société d’Études Æronautiques;CFA Ça Marche`);
      expect(await noms("aeronautiques etudes ca marche")).toHaveLength(1);
      await importer(`${nouveau};Société d’Études — Île-de-France;`);
      expect(await noms("aeronautiques")).toEqual([]);
      expect(await noms("etudes ILE-DE-FRANCE")).toHaveLength(1);
      expect(await noms(`${nouveau.slice(-6)} études`)).toHaveLength(1); // digits of its SIRET, read as a word
      await importFormations(t.database, Buffer.from(["cfd;rncp;niveau;intitule", "50025599;;3;CAP Pâtissier Œnologue"].join("\n")));
      expect((await listFormations(t.database, query(formationsQuerySchema, { q: "patissier oenologue" }))).data.map((f) => f.cfd)).toEqual(["50025599"]);
      await verifierLaColonne();
    } finally {
      // the référentiel as the other tests of this file know it
      await t.database.rows(sql`delete from organismes where siret = ${nouveau}`);
      await t.database.rows(sql`delete from formations where cfd = '50025599'`);
    }
  });
});

describe("the catalogue's search", () => {
  const intitules = async (q: string) => (await listFormations(t.database, query(formationsQuerySchema, { q }))).data.map((f) => f.intitule_long);

  it("finds an RNCP code of 4 digits written with its prefix (it is not read as a CFD)", async () => {
    for (const q of ["RNCP3938", "rncp3938", "rncp 3938", "3938"]) expect(await intitules(q), q).toEqual(["Titre professionnel de test"]);
    expect(await intitules("50025502")).toEqual(["CAP Électricien"]);
  });

  it("finds words whatever their accents", async () => {
    expect(await intitules("electricien")).toEqual(["CAP Électricien"]);
    expect(await intitules("ÉQUIPIER")).toEqual(["CAP équipier polyvalent du commerce"]);
  });
});

describe("French reading order, the same on every database", () => {
  it("sorts the répertoire by raison sociale with « É » among the E, « ç » among the c; pages are stable", async () => {
    const page = await listOrganismes(t.database, admin, query(organismesQuerySchema, { limit: "100" }));
    const noms = page.data.map((o) => o.raison_sociale).filter((n) => !n.startsWith("Organisme série"));
    expect(noms).toEqual([
      "Campus de l’alternance Grenoble",
      "CFA Hors Périmètre Paris",
      "CFA Responsable Lyon",
      "CFA Vandœuvre-lès-Nancy",
      "Couvreurs Compagnons",
      "ecole de l'alternance Lyon",
      "École de l'alternance Lyon",
      "Ecole des métiers Villeurbanne",
      "Maçonnerie Formation",
      "Maintenance Industrielle CFA",
      "Œuvre des apprentis",
      "Site formateur Ain",
      "Université Lyon 3 – CFA",
    ]);
    // spelled out: the É and the Œ are not after the U, the ç before the i
    expect(noms.indexOf("École de l'alternance Lyon")).toBeLessThan(noms.indexOf("Université Lyon 3 – CFA"));
    expect(noms.indexOf("Œuvre des apprentis")).toBeLessThan(noms.indexOf("Université Lyon 3 – CFA"));
    expect(noms.indexOf("Maçonnerie Formation")).toBeLessThan(noms.indexOf("Maintenance Industrielle CFA"));
    const desc = await listOrganismes(t.database, admin, query(organismesQuerySchema, { limit: "100", ordre: "desc" }));
    expect(desc.data.map((o) => o.raison_sociale).filter((n) => !n.startsWith("Organisme série"))).toEqual([...noms].reverse());
    // every organisme exactly once across pages of 7
    const seen: number[] = [];
    for (let p = 1; p <= 11; p++) seen.push(...(await listOrganismes(t.database, admin, query(organismesQuerySchema, { limit: "7", page: String(p) }))).data.map((o) => o.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(page.pagination.total);
  });

  it("sorts the non-transmitting organismes by département then name, the same way", async () => {
    const { page: _page, ...q } = nonTransmetteursQuerySchema.parse({});
    const noms = new Set(NOMS.map(([nom]) => nom));
    const rhone = (await allNonTransmetteurs(t.database, admin, q))
      .filter((o) => o.departement_code === "69" && noms.has(o.raison_sociale))
      .map((o) => o.raison_sociale);
    expect(rhone).toEqual([
      "Couvreurs Compagnons",
      "ecole de l'alternance Lyon",
      "École de l'alternance Lyon",
      "Ecole des métiers Villeurbanne",
      "Maçonnerie Formation",
      "Maintenance Industrielle CFA",
      "Université Lyon 3 – CFA",
    ]);
  });

  it("sorts the catalogue by intitulé: « CAP Électricien » before « CAP Réparation… », « CAP Maçon » before « CAP Maintenance… »", async () => {
    const page = await listFormations(t.database, query(formationsQuerySchema, { q: "CAP", limit: "100" }));
    expect(page.data.map((f) => f.intitule_long)).toEqual([
      "CAP Électricien",
      "CAP équipier polyvalent du commerce",
      "CAP Maçon",
      "CAP Maintenance des véhicules",
      "CAP Réparation des carrosseries",
    ]);
  });

  it("sorts the offer by formation, by organisme, and by département (ascending and descending)", async () => {
    const formations = async (tri: "formation" | "organisme" | "departement", ordre: "asc" | "desc") =>
      (await listOffres(t.database, {}, { tri, ordre })).offres.map((o) => `${o.departement_code} ${o.formation.intitule_long} / ${o.formateur.raison_sociale}`);
    expect(await formations("formation", "asc")).toEqual([
      "75 CAP Électricien / Université Lyon 3 – CFA",
      "69 CAP Maçon / École de l'alternance Lyon",
      "38 CAP Réparation des carrosseries / Campus de l’alternance Grenoble",
    ]);
    expect(await formations("organisme", "asc")).toEqual([
      "38 CAP Réparation des carrosseries / Campus de l’alternance Grenoble",
      "69 CAP Maçon / École de l'alternance Lyon",
      "75 CAP Électricien / Université Lyon 3 – CFA",
    ]);
    expect(await formations("departement", "asc")).toEqual([
      "38 CAP Réparation des carrosseries / Campus de l’alternance Grenoble",
      "69 CAP Maçon / École de l'alternance Lyon",
      "75 CAP Électricien / Université Lyon 3 – CFA",
    ]);
    expect(await formations("departement", "desc")).toEqual([
      "75 CAP Électricien / Université Lyon 3 – CFA",
      "69 CAP Maçon / École de l'alternance Lyon",
      "38 CAP Réparation des carrosseries / Campus de l’alternance Grenoble",
    ]);
  });

  it("lists a formation's organismes in the same order", async () => {
    const formation = ids.get("CAP Maçon")!;
    for (const nom of ["Université Lyon 3 – CFA", "École de l'alternance Lyon", "Maçonnerie Formation"]) {
      await t.database.rows(sql`
        insert into effectifs (organisme_formateur_id, organisme_responsable_id, formation_id, annee_scolaire, id_erp_apprenant, nom, prenom,
                               date_de_naissance, date_inscription_formation, date_entree_formation, date_fin_formation, source)
        values (${ids.get(nom)!}, ${ids.get(nom)!}, ${formation}, '2025-2026', ${`TRI-${nom}`}, 'Nom', 'Prénom', '2008-01-01', '2025-09-01', '2025-09-01', '2027-06-30', 'DEMO')`);
    }
    const detail = await getFormation(t.database, admin, formation);
    expect(detail!.organismes!.data.map((o) => o.raison_sociale)).toEqual(["École de l'alternance Lyon", "Maçonnerie Formation", "Université Lyon 3 – CFA"]);
    // the public: the masked national count, and no organisme named after the effectifs transmitted
    const publique = await getFormation(t.database, PUBLIC_VIEWER, formation);
    expect(publique!.organismes).toBeNull();
    expect(publique!.effectifs).toBe("< 5");
  });
});

const built = fs.existsSync(path.resolve("build/index.js"));
/** The HTML of a page, React's text separators removed and its apostrophes unescaped. */
const texte = async (response: Response) => (await response.text()).replace(/<!-- -->/g, "").replace(/&#x27;/g, "'");

describe.skipIf(!built)("over HTTP (built app)", () => {
  let app: { baseUrl: string; close(): Promise<void> };
  const browsers: Record<"anonyme" | "ADMINISTRATEUR" | "DREETS", Browser> = {} as never;
  beforeAll(async () => {
    app = await serveApp(t.database);
    browsers.anonyme = new Browser(app.baseUrl);
    for (const persona of ["ADMINISTRATEUR", "DREETS"] as const) {
      browsers[persona] = new Browser(app.baseUrl);
      expect((await browsers[persona].login(emailOf(persona), PASSWORD)).status).toBe(302);
    }
  });
  afterAll(async () => app?.close());

  it("GET /api/v1/offres sorted by département answers in both directions", async () => {
    for (const ordre of ["asc", "desc"]) {
      const res = await fetch(`${app.baseUrl}/api/v1/offres?tri=departement&ordre=${ordre}`);
      expect(res.status, ordre).toBe(200);
      const body = (await res.json()) as { data: { departement: string }[] };
      expect(body.data.map((o) => o.departement)).toEqual(ordre === "asc" ? ["38", "69", "75"] : ["75", "69", "38"]);
    }
  });

  it("a page past the end shows the last page, whose rows match the count", async () => {
    const formations = await texte(await browsers.anonyme.get("/formations?page=4"));
    expect(formations).toMatch(/<strong>60<\/strong> formations/);
    expect(formations).toContain("Formations, page 3 sur 3");
    expect(formations).not.toContain("Le catalogue est vide");
    expect(formations).not.toContain("npm run");
    const organismes = await texte(await browsers.anonyme.get("/organismes?page=99"));
    expect(organismes).toMatch(/<strong>73<\/strong> organismes/);
    expect(organismes).toContain("Organismes, page 4 sur 4");
    expect(organismes).not.toContain("Le répertoire est vide");
    expect(organismes).not.toContain("npm run");
    const anomalies = await texte(await browsers.DREETS.get("/referentiel/anomalies?page=99"));
    expect(anomalies).not.toContain("Aucune anomalie");
    expect(anomalies).toContain('data-testid="anomalies"');
    expect(anomalies).toMatch(/aria-current="page" title="Page 2"/);
    const nonTransmetteurs = await texte(await browsers.DREETS.get("/referentiel/non-transmetteurs?page=99"));
    expect(nonTransmetteurs).not.toContain("Aucun organisme");
    expect(nonTransmetteurs).toContain('data-testid="non-transmetteurs"');
    expect(nonTransmetteurs).toMatch(/aria-current="page" title="Page 2"/);
  });

  it("says in the page's title the search, the filters, an error and the page (RGAA 8.6)", async () => {
    const titre = async (chemin: string) => /<title>([^<]*)<\/title>/.exec(await texte(await browsers.anonyme.get(chemin)))?.[1].replace(/&#x27;|&#39;/g, "'");
    const SITE = " - Tableau de bord de l'apprentissage";
    expect(await titre("/organismes")).toBe(`Répertoire des organismes - page 1 sur 4${SITE}`);
    expect(await titre("/organismes?q=lyon")).toBe(`Recherche « lyon » - Répertoire des organismes${SITE}`);
    expect(await titre("/organismes?page=2")).toBe(`Répertoire des organismes - page 2 sur 4${SITE}`);
    expect(await titre("/organismes?nature=inconnue&page=2")).toBe(`Résultats filtrés - Répertoire des organismes - page 2 sur 3${SITE}`);
    expect(await titre("/organismes?region=99")).toMatch(/^Erreur : Résultats filtrés - Répertoire des organismes/);
    expect(await titre("/formations?q=cap")).toBe(`Recherche « cap » - Catalogue des formations${SITE}`);
    // the referential's other lists say a refused filter too
    const titreDreets = async (chemin: string) => /<title>([^<]*)<\/title>/.exec(await texte(await browsers.DREETS.get(chemin)))?.[1].replace(/&#x27;|&#39;/g, "'");
    expect(await titreDreets("/referentiel/anomalies")).toBe(`Anomalies du référentiel${SITE}`);
    expect(await titreDreets("/referentiel/anomalies?type=inconnu")).toBe(`Erreur : Anomalies du référentiel${SITE}`);
    expect(await titreDreets("/referentiel/non-transmetteurs")).toBe(`Organismes qui ne transmettent pas${SITE}`);
    expect(await titreDreets("/referentiel/non-transmetteurs?jours=3")).toBe(`Erreur : Organismes qui ne transmettent pas${SITE}`);
  });

  it("offers a regional user every territory in the répertoire's filters, and those of its scope only once it asks for its scope", async () => {
    const options = (html: string, id: string) => {
      const select = html.match(new RegExp(`<select[^>]*id="${id}"[^>]*>([\\s\\S]*?)</select>`));
      return select ? [...select[1].matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]).filter(Boolean) : null;
    };
    const anonyme = await texte(await browsers.anonyme.get("/organismes"));
    expect(options(anonyme, "region")).toHaveLength(18);
    expect(options(anonyme, "departement")!.length).toBeGreaterThan(100);
    expect(options(anonyme, "perimetre")).toBeNull();
    // signing in never reduces what one sees (decision 004)
    const dreets = await texte(await browsers.DREETS.get("/organismes"));
    expect(options(dreets, "region")).toEqual(options(anonyme, "region"));
    expect(options(dreets, "departement")).toEqual(options(anonyme, "departement"));
    expect(options(dreets, "perimetre")).toEqual(["mien"]);
    const perimetre = await texte(await browsers.DREETS.get("/organismes?perimetre=mien"));
    expect(options(perimetre, "region")).toBeNull(); // a single région: nothing to choose
    expect(options(perimetre, "departement")).toEqual(["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]);
  });
});

describe.skipIf(!built)("empty référentiel over HTTP", () => {
  let vide: TestDatabase;
  let app: { baseUrl: string; close(): Promise<void> };
  beforeAll(async () => {
    vide = await createTestDatabase();
    await createUser(vide.database, { email: "admin@vide.test", password: PASSWORD, prenom: "Admin", nom: "Vide", role: "admin", organisation: { type: "ADMINISTRATEUR" } });
    app = await serveApp(vide.database);
  });
  afterAll(async () => {
    await app?.close();
    await vide?.drop();
  });

  it("says the catalogue and the répertoire are empty, without a command line for the public; administrators get the import page", async () => {
    const anonyme = new Browser(app.baseUrl);
    const formations = await texte(await anonyme.get("/formations"));
    expect(formations).toContain("Le catalogue est vide");
    expect(formations).toContain("Le catalogue des formations n'a pas encore été chargé");
    expect(formations).not.toContain("npm run");
    expect(formations).not.toContain('href="/admin/imports"');
    const organismes = await texte(await anonyme.get("/organismes?page=3"));
    expect(organismes).toContain("Le répertoire est vide");
    expect(organismes).not.toContain("npm run");
    const administrateur = new Browser(app.baseUrl);
    expect((await administrateur.login("admin@vide.test", PASSWORD)).status).toBe(302);
    for (const page of ["/formations", "/organismes"]) {
      const html = await texte(await administrateur.get(page));
      expect(html, page).toContain('href="/admin/imports"');
      expect(html, page).not.toContain("npm run");
    }
  });
});
