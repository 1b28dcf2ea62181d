/**
 * Access matrix over HTTP: every route × every organisation type (and the anonymous visitor) × in-scope and
 * out-of-scope targets, against the built app (`npm run -s build` first) and a real database.
 *
 * To cover a new route, add a row to ROUTES:
 *   { file: "organismes.$id_.tableau-de-bord.tsx", path: (r) => `/organismes/${r.X.id}/tableau-de-bord`, kind: "aggregated", target: organisme("X"),
 *     mustNotContain: (r) => [r.X.raisonSociale] }
 * - kind "aggregated" / "named" / "api": allowed exactly when viewerOfAggregates (the persona itself, or the public
 *   outside its scope: signing in never reduces what one sees) / canSeeNamedList(list) says so for the persona
 *   (itself pinned by tests/unit/policy.test.ts); otherwise 403 or 404 (an anonymous visitor may also be sent to
 *   /connexion, except on "api" rows), and the answer must contain none of `mustNotContain`.
 * - the other kinds are fixed rules (public page, signed-in page, admin pages…).
 * The référentiel (auth-fixtures.ts): R responsable in Lyon (84/69/10, réseau RESEAU-A) with its formateur F
 * (84/01/10); X in Paris (11/75/01, réseau RESEAU-B).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import {
  canSeeAggregates,
  canSeeAnomaliesOfOrganisme,
  canSeeNamedList,
  getViewer,
  viewerOfAggregates,
  viewerOfOrganismePage,
  isNationalAdmin,
  isOrganisationAdmin,
  lisLesListesDuTerritoire,
  PUBLIC_VIEWER,
  resolveOrganismeTarget,
  type NamedList,
  type Target,
  type Targets,
  type Viewer,
} from "../../app/auth/policy.server";
import type { Database } from "../../db/client.server";
import { Browser, emailOf, PASSWORD, PERSONAS, requestWith, seedAccounts, seedReferentiel, type Persona, type Referentiel } from "./auth-fixtures";

type Kind =
  /** Anyone, signed in or not. */
  | "public"
  /** Signed-out visitors; a signed-in user is redirected away. */
  | "anonymous"
  /** Any signed-in user; anonymous → /connexion. */
  | "account"
  /** National admins and organisation admins; other users 403; anonymous → /connexion. */
  | "user-admin"
  /** National admins only. */
  | "national-admin"
  /** The national team (exports, issue 5): signed-in viewers who may see national aggregates; anonymous → /connexion. */
  | "national-team"
  /** /cfa: national admins choose a space (200), CFA users are sent to theirs (302), others 403; anonymous → /connexion. */
  | "cfa-choice"
  | "aggregated"
  | "named"
  /**
   * The named lists of a territory (/listes): lisLesListesDuTerritoire and canSeeNamedList(list); CFA users are sent to
   * their space. With a `target` (a territory filter of the address) outside the viewer's scope: a 400 that names it.
   */
  | "territory-list"
  | "api";

type TargetSpec = (ref: Referentiel, database: Database) => Promise<Targets> | Targets;

interface Row {
  /** The route module in app/routes. */
  file: string;
  path: string | ((ref: Referentiel) => string);
  kind: Kind;
  target?: TargetSpec;
  list?: NamedList;
  mustNotContain?: (ref: Referentiel) => string[];
}

/** The target of an organisme of the fixtures, resolved like the routes do. */
const organisme =
  (name: keyof Referentiel): TargetSpec =>
  async (ref, database) =>
    (await resolveOrganismeTarget(database, ref[name].id)) as Target;

/** CFA space (issue 7): an organisme's target, with one learner of R's formateur F (effectif id 900001) to open. */
const EFFECTIF_CFA = 900001;
const organismeAvecApprenant =
  (name: keyof Referentiel): TargetSpec =>
  async (ref, database) => {
    await database.rows(sql`
      insert into effectifs (id, organisme_formateur_id, organisme_responsable_id, annee_scolaire, id_erp_apprenant, nom, prenom,
        date_de_naissance, date_inscription_formation, date_entree_formation, date_fin_formation, source)
      values (${EFFECTIF_CFA}, ${ref.F.id}, ${ref.R.id}, '2025-2026', 'MATRICE-1', 'Matrice', 'Apprenant', '2008-05-01',
        '2025-06-01', '2025-09-01', '2027-06-30', 'API')
      on conflict do nothing`);
    return organisme(name)(ref, database);
  };

/** The routes of a CFA's space: a named list of all its learners ("tous"), for R. */
const cfaRoutes = (file: string, suffix: string): Row => ({
  file,
  path: (ref) => `/cfa/${ref.R.id}${suffix}`,
  kind: "named",
  list: "tous",
  target: organismeAvecApprenant("R"),
  mustNotContain: (ref) => [ref.R.raisonSociale, "Matrice"],
});

const ROUTES: Row[] = [
  { file: "_index.tsx", path: "/", kind: "public" },
  { file: "connexion.tsx", path: "/connexion", kind: "anonymous" },
  { file: "inscription.tsx", path: "/inscription", kind: "public" },
  { file: "accessibilite.tsx", path: "/accessibilite", kind: "public" },
  { file: "api.v1.offres.tsx", path: "/api/v1/offres", kind: "public" },
  // An organisme's page is public: every signed-in user sees it too, out of its scope as the public does (the
  // parts of the page it shows are checked below).
  { file: "organismes.$id.tsx", path: (r) => `/organismes/${r.R.id}`, kind: "public" },
  { file: "organismes.$id.tsx", path: (r) => `/organismes/${r.F.id}`, kind: "public" },
  { file: "organismes.$id.tsx", path: (r) => `/organismes/${r.X.id}`, kind: "public" },
  { file: "mot-de-passe-oublie.tsx", path: "/mot-de-passe-oublie", kind: "public" },
  { file: "reinitialiser-mot-de-passe.$token.tsx", path: `/reinitialiser-mot-de-passe/${"x".repeat(43)}`, kind: "public" },
  { file: "invitation.$token.tsx", path: `/invitation/${"x".repeat(43)}`, kind: "public" },
  { file: "compte.tsx", path: "/compte", kind: "account" },
  { file: "deconnexion.tsx", path: "/deconnexion", kind: "account" },
  { file: "admin.utilisateurs.tsx", path: "/admin/utilisateurs", kind: "user-admin", mustNotContain: () => [emailOf("DRAAF")] },
  { file: "admin.journal.tsx", path: "/admin/journal", kind: "national-admin" },
  { file: "cfa._index.tsx", path: "/cfa", kind: "cfa-choice" },
  cfaRoutes("cfa.$organismeId.tsx", ""),
  cfaRoutes("cfa.$organismeId._index.tsx", "/"),
  cfaRoutes("cfa.$organismeId.transmissions._index.tsx", "/transmissions"),
  cfaRoutes("cfa.$organismeId.transmissions.$jour.tsx", "/transmissions/2025-09-01"),
  cfaRoutes("cfa.$organismeId.cle-api.tsx", "/cle-api"),
  cfaRoutes("cfa.$organismeId.apprenants._index.tsx", "/apprenants"),
  cfaRoutes("cfa.$organismeId.apprenants.$effectifId.tsx", `/apprenants/${EFFECTIF_CFA}`),
  cfaRoutes("cfa.$organismeId.doublons.tsx", "/doublons"),
  cfaRoutes("cfa.$organismeId.qualite.tsx", "/qualite"),
  cfaRoutes("cfa.$organismeId.formateurs.tsx", "/formateurs"),
  cfaRoutes("cfa.$organismeId.export[.]csv.tsx", "/export.csv"),
  cfaRoutes("cfa.$organismeId.export[.]xlsx.tsx", "/export.xlsx"),
  { ...cfaRoutes("cfa.$organismeId._index.tsx", ""), path: (ref) => `/cfa/${ref.X.id}`, target: organisme("X"), mustNotContain: (ref) => [ref.X.raisonSociale] },
  // Dashboards (issue 5, app/tableaux): territory pages per canSeeAggregates; formations for everyone, scoped.
  { file: "regions.$code.tsx", path: "/regions/84", kind: "aggregated", target: () => ({ kind: "region", code: "84" }) },
  { file: "regions.$code.tsx", path: "/regions/11", kind: "aggregated", target: () => ({ kind: "region", code: "11" }), mustNotContain: () => ["Île-de-France"] },
  { file: "departements.$code.tsx", path: "/departements/69", kind: "aggregated", target: () => ({ kind: "departement", code: "69" }) },
  { file: "departements.$code.tsx", path: "/departements/75", kind: "aggregated", target: () => ({ kind: "departement", code: "75" }), mustNotContain: () => ["Paris (75)"] },
  { file: "academies.$code.tsx", path: "/academies/10", kind: "aggregated", target: () => ({ kind: "academie", code: "10" }) },
  { file: "academies.$code.tsx", path: "/academies/01", kind: "aggregated", target: () => ({ kind: "academie", code: "01" }), mustNotContain: () => ["Académie de Paris"] },
  { file: "organismes.$id_.tableau-de-bord.tsx", path: (r) => `/organismes/${r.R.id}/tableau-de-bord`, kind: "aggregated", target: organisme("R") },
  { file: "organismes.$id_.tableau-de-bord.tsx", path: (r) => `/organismes/${r.F.id}/tableau-de-bord`, kind: "aggregated", target: organisme("F") },
  {
    file: "organismes.$id_.tableau-de-bord.tsx",
    path: (r) => `/organismes/${r.X.id}/tableau-de-bord`,
    kind: "aggregated",
    target: organisme("X"),
    mustNotContain: (r) => [r.X.raisonSociale],
  },
  { file: "formations.$id_.tableau-de-bord.tsx", path: () => `/formations/${formationTableaux}/tableau-de-bord`, kind: "aggregated", target: () => ({ kind: "scope" }) },
  { file: "tableau[.]json.tsx", path: "/tableau.json?vue=region:11", kind: "api", target: () => ({ kind: "region", code: "11" }), mustNotContain: () => ["apprenants"] },
  { file: "tableau[.]json.tsx", path: (r) => `/tableau.json?vue=organisme:${r.R.id}`, kind: "api", target: organisme("R"), mustNotContain: () => ["apprenants"] },
  { file: "tableau[.]csv.tsx", path: "/tableau.csv?vue=departement:75&table=formations", kind: "api", target: () => ({ kind: "departement", code: "75" }), mustNotContain: () => ["Formation;CFD"] },
  // Named lists of a territory: every signed-in user with a territory and the list; the rows stay in that territory
  // (R's formateur F is in 01, Auvergne-Rhône-Alpes: a DDETS of 69 sees no row; the matrix checks the status)
  { file: "listes._index.tsx", path: "/listes", kind: "territory-list", list: "sans_contrat" },
  { file: "listes.$liste.tsx", path: "/listes/rupturants", kind: "territory-list", list: "rupturants" },
  { file: "listes.$liste.tsx", path: "/listes/abandons?departement=75", kind: "territory-list", list: "abandons", target: () => ({ kind: "departement", code: "75" }) },
  { file: "listes.$liste.tsx", path: "/listes/abandons?region=11", kind: "territory-list", list: "abandons", target: () => ({ kind: "region", code: "11" }) },
  { file: "listes.$liste.tsx", path: "/listes/sans-contrat?academie=10", kind: "territory-list", list: "sans_contrat", target: () => ({ kind: "academie", code: "10" }) },
  { file: "listes.$liste[.]csv.tsx", path: "/listes/rupturants.csv?academie=01", kind: "territory-list", list: "rupturants", target: () => ({ kind: "academie", code: "01" }) },
  { file: "listes.$liste[.]csv.tsx", path: "/listes/sans-contrat.csv", kind: "territory-list", list: "sans_contrat" },
  { file: "listes.$liste[.]xlsx.tsx", path: "/listes/abandons.xlsx", kind: "territory-list", list: "abandons" },
  { file: "exports.tsx", path: "/exports", kind: "national-team" },
  { file: "exports.telechargement.tsx", path: "/exports/telechargement?repartition=region&periode=mois&debut=2025-01&fin=2025-02&format=csv", kind: "national-team" },
];

/** A formation of the catalogue for the formation dashboard's row (issue 5), created in beforeAll. */
let formationTableaux = 0;

/**
 * Route modules not in the matrix yet (the lead adds their rows as they land). A route in app/routes that is in
 * neither list fails the coverage test below.
 */
const NOT_YET_IN_MATRIX = new Set([
  "admin.imports.tsx",
  "api.$.tsx", // an unknown API address: the same 404 for everyone (tests/db/methodes.test.ts)
  "$.tsx", // an unknown page's address: the same 404 for everyone, in the site's layout (tests/browser/clavier.test.ts)
  "api.doc.tsx",
  "api.openapi[.]json.tsx",
  "api.v1.formations.tsx",
  "api.v1.organismes.tsx",
  "api.v3.dossiers-apprenants.test",
  "api.v3.dossiers-apprenants.tsx",
  "formations.$id.tsx",
  "formations._index.tsx",
  "organismes._index.tsx",
  "referentiel.anomalies.tsx",
  "referentiel.non-transmetteurs.tsx",
  "referentiel.non-transmetteurs[.csv].tsx",
  "referentiel.non-transmetteurs[.xlsx].tsx",
  "televersement.modele[.]csv.tsx",
  "televersement.modele[.]xlsx.tsx",
  "televersement.tsx",
]);

type Who = "anonyme" | Persona;
const WHO: Who[] = ["anonyme", ...PERSONAS];
type Outcome = "ok" | "denied" | "login" | "away" | "invalid";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let ref: Referentiel;
const browsers = new Map<Who, Browser>();
const viewers = new Map<Who, Viewer>();

beforeAll(async () => {
  t = await createTestDatabase();
  ref = await seedReferentiel(t.database);
  await seedAccounts(t.database, ref);
  const [formation] = await t.database.rows<{ id: number }>(
    sql`insert into formations (cfd, rncp, niveau, intitule_long) values ('50022141', 'RNCP35185', 3, 'CAP Formation de test') returning id`,
  );
  formationTableaux = formation.id;
  app = await serveApp(t.database);
  browsers.set("anonyme", new Browser(app.baseUrl));
  viewers.set("anonyme", PUBLIC_VIEWER);
  for (const persona of PERSONAS) {
    const browser = new Browser(app.baseUrl);
    const response = await browser.login(emailOf(persona), PASSWORD);
    if (response.status !== 302) throw new Error(`connexion de ${persona} impossible (${response.status})`);
    browsers.set(persona, browser);
    viewers.set(persona, await getViewer(requestWith([browser.cookieHeader()]), t.database));
  }
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

async function expected(row: Row, who: Who): Promise<Outcome> {
  const viewer = viewers.get(who)!;
  const signedIn = viewer.userId !== null;
  switch (row.kind) {
    case "public":
      return "ok";
    case "anonymous":
      return signedIn ? "away" : "ok";
    case "account":
      return signedIn ? "ok" : "login";
    case "user-admin":
      return !signedIn ? "login" : isNationalAdmin(viewer) || isOrganisationAdmin(viewer) ? "ok" : "denied";
    case "national-admin":
      return !signedIn ? "login" : isNationalAdmin(viewer) ? "ok" : "denied";
    case "national-team":
      return !signedIn ? "login" : canSeeAggregates(viewer, { kind: "national" }) ? "ok" : "denied";
    case "cfa-choice":
      return !signedIn ? "login" : isNationalAdmin(viewer) ? "ok" : viewer.organisationType === "ORGANISME_FORMATION" ? "away" : "denied";
    case "aggregated":
    case "api": {
      // the persona's own figures in its scope; outside it, the public's where the public sees them (another région)
      const target = await row.target!(ref, t.database);
      return viewerOfAggregates(viewer, target) !== null ? "ok" : "denied";
    }
    case "territory-list":
      if (!signedIn) return "login";
      if (viewer.organisationType === "ORGANISME_FORMATION") return "away";
      if (!lisLesListesDuTerritoire(viewer) || !canSeeNamedList(viewer, row.list!, { kind: "scope" })) return "denied";
      return !row.target || canSeeNamedList(viewer, row.list!, await row.target(ref, t.database)) ? "ok" : "invalid";
    case "named": {
      const target = await row.target!(ref, t.database);
      return canSeeNamedList(viewer, row.list!, target) ? "ok" : "denied";
    }
  }
}

const CASES = ROUTES.flatMap((row) => WHO.map((who) => [typeof row.path === "string" ? row.path : row.file, who, row] as const));

describe("access matrix", () => {
  it.each(CASES)("%s as %s", async (_label, who, row) => {
    const url = typeof row.path === "string" ? row.path : row.path(ref);
    const outcome = await expected(row, who);
    const response = await browsers.get(who)!.get(url);
    const body = await response.text();
    const location = response.headers.get("location") ?? "";
    switch (outcome) {
      case "ok":
        expect(response.status, `${url} devrait répondre 200`).toBe(200);
        break;
      case "away":
        expect(response.status).toBe(302);
        expect(location.startsWith("/connexion")).toBe(false);
        break;
      case "login":
        expect(response.status).toBe(302);
        expect(location).toMatch(/^\/connexion/);
        break;
      case "invalid":
        expect(response.status, `${url} devrait être refusé comme invalide (400)`).toBe(400);
        expect(body).toContain("est hors du périmètre de votre organisation");
        break;
      case "denied": {
        const anonymousLogin = who === "anonyme" && row.kind !== "api" && response.status === 302 && location.startsWith("/connexion");
        if (!anonymousLogin) expect([403, 404], `${url} devrait être refusé`).toContain(response.status);
        break;
      }
    }
    // A refusal leaks nothing.
    if (outcome !== "ok") {
      for (const secret of row.mustNotContain?.(ref) ?? []) expect(body.includes(secret), `« ${secret} » ne doit pas apparaître`).toBe(false);
    }
  });

  it("every route module is in the matrix (or explicitly pending)", () => {
    const files = fs.readdirSync(path.resolve("app/routes")).filter((f) => !f.startsWith("."));
    const covered = new Set(ROUTES.map((r) => r.file));
    expect(files.filter((f) => !covered.has(f) && !NOT_YET_IN_MATRIX.has(f))).toEqual([]);
  });
});

describe("parts of a page", () => {
  const PAGES = WHO.flatMap((who) => (["R", "F", "X"] as const).map((name) => [who, name] as const));
  it.each(PAGES)(
    "an organisme's page as %s, organisme %s: anomalies for the référentiel's readers and CFAs in scope, data quality and dashboard in scope, the public's view out of scope",
    async (who, name) => {
      const target = (await resolveOrganismeTarget(t.database, ref[name].id))!;
      const viewer = viewers.get(who)!;
      const response = await browsers.get(who)!.get(`/organismes/${ref[name].id}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain(ref[name].raisonSociale);
      const vue = viewerOfOrganismePage(viewer, target);
      // the section's heading (the navigation links to the référentiel's anomalies page under the same words)
      const anomalies = />Anomalies du référentiel<\/h2>/;
      expect(anomalies.test(html), "anomalies").toBe(canSeeAnomaliesOfOrganisme(vue));
      expect(html.includes('data-testid="qualite-formations"'), "qualité").toBe(canSeeAggregates(vue, target));
      expect(html.includes(`href="/organismes/${ref[name].id}/tableau-de-bord"`), "tableau de bord").toBe(canSeeAggregates(viewer, target));
      // out of scope, a signed-in user sees what the public sees, and no less
      if (vue === PUBLIC_VIEWER) {
        expect(anomalies.test(html)).toBe(false);
        expect(html.includes('data-testid="qualite-formations"')).toBe(false);
      }
    },
  );
});
