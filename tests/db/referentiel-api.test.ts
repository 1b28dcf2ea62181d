/**
 * Read API (pagination, filters, 400s), répertoire / catalogue / anomalies / non-transmetteurs queries with
 * viewers of several scopes, linking effectifs to the catalogue, and — when the app is built
 * (`npm run -s build`) — the pages and API over HTTP.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { importOrganismes } from "../../app/referentiel/import-organismes.server";
import { importFormations } from "../../app/referentiel/import-formations.server";
import { listOrganismes, qualiteFormations } from "../../app/referentiel/repertoire.server";
import { listFormations } from "../../app/referentiel/catalogue.server";
import { listAnomalies } from "../../app/referentiel/anomalies.server";
import { listNonTransmetteurs } from "../../app/referentiel/non-transmetteurs.server";
import { linkEffectifsToFormations } from "../../app/referentiel/link-formations.server";
import { formationsQuerySchema, offresQuerySchema, organismesQuerySchema, parseQuery } from "../../app/referentiel/filtres.server";
import { referentielOpenApiFragment } from "../../app/referentiel/openapi.server";
import { PUBLIC_VIEWER, viewerOfRepertoire, type Viewer } from "../../app/auth/policy.server";
import { luhnCompletion, uaiCheckLetter } from "../../app/referentiel/codes";
import { createUser } from "../../app/auth/accounts.server";
import { Browser, PASSWORD } from "./auth-fixtures";

let t: TestDatabase;
const siret = (p13: string) => p13 + luhnCompletion(p13);
const uai = (d7: string) => d7 + uaiCheckLetter(d7);
const NOW = new Date("2025-03-15T12:00:00Z");

const admin: Viewer = { userId: 1, organisationType: "ADMINISTRATEUR", scope: { kind: "national" } };
const dreetsAra: Viewer = { userId: 2, organisationType: "DREETS", scope: { kind: "region", code: "84" } };

// 45 organismes in Auvergne-Rhône-Alpes (69), 15 in Île-de-France (75)
const rows: string[] = ["siret;uai;nature;raison_sociale;code_commune_insee;reseaux;qualiopi;etat_administratif"];
for (let i = 0; i < 60; i++) {
  const lyon = i < 45;
  const nature = i % 3 === 0 ? "responsable" : i % 3 === 1 ? "formateur" : "inconnue";
  rows.push(
    [
      siret(`21${String(i).padStart(11, "0")}`),
      uai(`${lyon ? "069" : "075"}${String(i).padStart(4, "0")}`),
      nature,
      `${lyon ? "CFA Lyon" : "CFA Paris"} ${String(i).padStart(2, "0")}${i === 7 ? " Électricité" : ""}`,
      lyon ? "69123" : "75056",
      i % 2 ? "CCI" : "",
      i % 4 === 0 ? "oui" : "non",
      i === 59 ? "fermé" : "actif",
    ].join(";"),
  );
}

beforeAll(async () => {
  t = await createTestDatabase();
  await importOrganismes(t.database, Buffer.from(rows.join("\n")));
  await importFormations(
    t.database,
    Buffer.from(
      [
        "cfd;rncp;niveau;intitule",
        "50022137;RNCP37861;3;Cuisine",
        "40025214;;4;Maintenance des véhicules option A voitures particulières",
        "32031211;;5;Technico-commercial",
        ";RNCP34566;6;Licence professionnelle métiers du numérique",
      ].join("\n"),
    ),
  );
  // transmissions: #0 recent, #1 two months ago, #2 a year ago; the others never
  const stamp = (i: number, iso: string) =>
    t.database.rows(sql`update organismes set first_transmission_at = ${iso}::timestamptz, last_transmission_at = ${iso}::timestamptz where raison_sociale like ${`% ${String(i).padStart(2, "0")}%`}`);
  await stamp(0, "2025-03-14T00:00:00Z");
  await stamp(1, "2025-01-15T00:00:00Z");
  await stamp(2, "2024-03-01T00:00:00Z");
});
afterAll(async () => t?.drop());

const q = (params: Record<string, string>) => {
  const parsed = parseQuery(organismesQuerySchema, new URLSearchParams(params), { strict: true });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.value;
};

describe("répertoire queries", () => {
  it("paginates and sorts", async () => {
    const page1 = await listOrganismes(t.database, PUBLIC_VIEWER, q({ limit: "20" }), NOW);
    expect(page1.pagination).toEqual({ page: 1, limit: 20, total: 60, pages: 3 });
    expect(page1.data[0].raison_sociale).toBe("CFA Lyon 00");
    const page3 = await listOrganismes(t.database, PUBLIC_VIEWER, q({ limit: "20", page: "3", tri: "siret", ordre: "desc" }), NOW);
    expect(page3.data).toHaveLength(20);
    expect(page3.data.at(-1)!.siret.startsWith("2100000000000")).toBe(true);
  });

  it("searches by name (accents ignored), SIRET and UAI; filters by territory, nature, réseau, Qualiopi, transmission, freshness", async () => {
    const count = async (params: Record<string, string>, viewer: Viewer = PUBLIC_VIEWER) => (await listOrganismes(t.database, viewer, q(params), NOW)).pagination.total;
    expect(await count({ q: "electricite" })).toBe(1);
    expect(await count({ q: "cfa paris" })).toBe(15);
    expect(await count({ q: siret("2100000000003") })).toBe(1);
    expect(await count({ q: uai("0690004").toLowerCase() })).toBe(1);
    expect(await count({ region: "84" })).toBe(45);
    expect(await count({ departement: "75" })).toBe(15);
    expect(await count({ academie: "10" })).toBe(45);
    expect(await count({ nature: "formateur" })).toBe(20);
    expect(await count({ reseau: "CCI" })).toBe(30);
    expect(await count({ qualiopi: "oui" })).toBe(15);
    expect(await count({ transmet: "oui" })).toBe(3);
    expect(await count({ transmet: "non" })).toBe(57);
    expect(await count({ fraicheur: "recente" })).toBe(1);
    expect(await count({ fraicheur: "vieillissante" })).toBe(1);
    expect(await count({ fraicheur: "ancienne" })).toBe(1);
    expect(await count({ fraicheur: "jamais" })).toBe(57);
    expect(await count({ etat: "ferme" })).toBe(1);
    // a regional viewer lists what the public lists (decision 004), and its région only when it asks (perimetre)
    const repertoireDe = (viewer: Viewer, params: Record<string, string>) => count(params, viewerOfRepertoire(viewer, q(params).perimetre));
    expect(await repertoireDe(dreetsAra, {})).toBe(await count({}));
    expect(await repertoireDe(dreetsAra, { region: "11" })).toBe(await count({ region: "11" }));
    expect(await repertoireDe(dreetsAra, { region: "11" })).toBeGreaterThan(0);
    expect(await repertoireDe(dreetsAra, { perimetre: "mien" })).toBe(45);
    expect(await repertoireDe(dreetsAra, { perimetre: "mien", region: "11" })).toBe(0);
  });

  it("rejects bad parameters with French messages naming them", () => {
    const bad = parseQuery(organismesQuerySchema, new URLSearchParams({ region: "999", limit: "5000", nature: "cfa", regoin: "84" }), { strict: true });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors).toEqual([
      expect.stringMatching(/^paramètre inconnu « regoin »/),
      "paramètre « region » : code région inconnu (codes : 01, 02, 03, 04, 06, 11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94) (reçu « 999 »)",
      expect.stringMatching(/^paramètre « nature » : nature inconnue/),
      "paramètre « limit » : 500 au maximum (reçu « 5000 »)",
    ]);
  });

  it("normalises the codes of the offer's filters (RNCP prefix, spaces in a SIRET, case of a CFD or UAI)", () => {
    const parsed = parseQuery(offresQuerySchema, new URLSearchParams({ rncp: "37861", siret: "192 496 693 00016", cfd: "4002521a", uai: "0693191u" }), { strict: true });
    expect(parsed).toEqual({
      ok: true,
      value: { rncp: "RNCP37861", siret: "19249669300016", cfd: "4002521A", uai: "0693191U", tri: "formation", ordre: "asc", page: 1, limit: 50 },
    });
    const bad = parseQuery(offresQuerySchema, new URLSearchParams({ formation: "abc", organisme: "0" }), { strict: true });
    expect(bad).toEqual({
      ok: false,
      errors: [
        "paramètre « formation » : identifiant de formation attendu (nombre entier) (reçu « abc »)",
        "paramètre « organisme » : identifiant d'organisme attendu (nombre entier) (reçu « 0 »)",
      ],
    });
  });
});

describe("catalogue queries", () => {
  it("searches by CFD, RNCP (with or without prefix) and words of the intitulé; filters by niveau", async () => {
    const count = async (params: Record<string, string>) => {
      const parsed = parseQuery(formationsQuerySchema, new URLSearchParams(params));
      if (!parsed.ok) throw new Error(parsed.errors.join());
      return (await listFormations(t.database, parsed.value)).pagination.total;
    };
    expect(await count({})).toBe(4);
    expect(await count({ q: "50022137" })).toBe(1);
    expect(await count({ q: "RNCP34566" })).toBe(1);
    expect(await count({ q: "34566" })).toBe(1);
    expect(await count({ q: "vehicules voitures" })).toBe(1);
    expect(await count({ niveau: "3" })).toBe(1);
    expect(await count({ region: "84" })).toBe(0);
  });
});

describe("anomalies and non-transmitting CFAs", () => {
  it("lists anomalies with counts, restricted to the territory of a regional viewer", async () => {
    const all = await listAnomalies(t.database, admin, { page: 1, limit: 100 });
    expect(all.counts.nature_inconnue).toBe(20);
    expect(all.counts.formateur_sans_responsable).toBe(20);
    expect(all.counts.siret_ferme).toBe(1);
    const ara = await listAnomalies(t.database, dreetsAra, { page: 1, limit: 10, type: "formateur_sans_responsable" });
    expect(ara.pagination.total).toBe(15);
    expect(ara.data.every((o) => o.region_code === "84" && o.anomalies.every((a) => a.type === "formateur_sans_responsable"))).toBe(true);
  });

  it("lists organismes that never transmitted or stopped, per territory", async () => {
    const ara = await listNonTransmetteurs(t.database, dreetsAra, { page: 1, limit: 10 }, NOW);
    // 45 in ARA: #0 transmitted recently, #1 two months ago (not stopped at 90 days), #2 a year ago (stopped)
    expect(ara.counts).toEqual({ jamais: 42, arrete: 1 });
    expect(ara.pagination.total).toBe(43);
    const stopped = await listNonTransmetteurs(t.database, admin, { page: 1, limit: 10, statut: "arrete", joursArret: 30 }, NOW);
    expect(stopped.data.map((o) => o.raison_sociale)).toEqual(["CFA Lyon 01", "CFA Lyon 02"]);
    // closed organismes are not expected to transmit
    const paris = await listNonTransmetteurs(t.database, admin, { page: 1, limit: 50, departement: "75" }, NOW);
    expect(paris.counts.jamais).toBe(14);
  });
});

describe("linkEffectifsToFormations", () => {
  it("links by CFD, else RNCP, and reports unknown codes in the CFA's data quality", async () => {
    const [org] = await t.database.rows<{ id: number }>(sql`select id from organismes order by id limit 1`);
    const insert = (id: string, cfd: string | null, rncp: string | null) =>
      t.database.rows(sql`
        insert into effectifs (organisme_formateur_id, organisme_responsable_id, annee_scolaire, id_erp_apprenant, nom, prenom, date_de_naissance,
                               formation_cfd, formation_rncp, date_inscription_formation, date_entree_formation, date_fin_formation, source)
        values (${org.id}, ${org.id}, '2024-2025', ${id}, 'Nom', 'Prénom', '2006-01-01', ${cfd}, ${rncp}, '2024-09-01', '2024-09-01', '2026-06-30', 'DEMO')`);
    await insert("a", "50022137", null);
    await insert("b", null, "RNCP34566");
    await insert("c", "99999999", "RNCP37861");
    await insert("d", "88888888", null);
    await insert("e", null, null);
    const result = await linkEffectifsToFormations(t.database);
    expect(result).toEqual({ parCfd: 1, parRncp: 2, codesInconnus: 1 });
    expect(await linkEffectifsToFormations(t.database)).toEqual({ parCfd: 0, parRncp: 0, codesInconnus: 1 });
    const qualite = await qualiteFormations(t.database, org.id);
    expect(qualite).toEqual({ effectifs: 5, rattaches: 3, sansCode: 1, codesInconnus: [{ cfd: "88888888", rncp: null, libelle: null, effectifs: 1 }] });

    // a learner of one of its formateurs is also the responsable's: counted for both
    const [formateur] = await t.database.rows<{ id: number }>(sql`select id from organismes where id <> ${org.id} order by id limit 1`);
    await t.database.rows(sql`
      insert into effectifs (organisme_formateur_id, organisme_responsable_id, annee_scolaire, id_erp_apprenant, nom, prenom, date_de_naissance,
                             formation_cfd, date_inscription_formation, date_entree_formation, date_fin_formation, source)
      values (${formateur.id}, ${org.id}, '2024-2025', 'f', 'Nom', 'Prénom', '2006-01-01', '77777777', '2024-09-01', '2024-09-01', '2026-06-30', 'DEMO')`);
    expect(await qualiteFormations(t.database, org.id)).toMatchObject({ effectifs: 6, codesInconnus: [{ cfd: "77777777" }, { cfd: "88888888" }] });
    expect(await qualiteFormations(t.database, formateur.id)).toMatchObject({ effectifs: 1, codesInconnus: [{ cfd: "77777777" }] });
  });
});

describe("OpenAPI fragment", () => {
  it("describes the three endpoints with their parameters and schemas", () => {
    const doc = referentielOpenApiFragment();
    expect(Object.keys(doc.paths)).toEqual(["/api/v1/organismes", "/api/v1/formations", "/api/v1/offres"]);
    expect(doc.paths["/api/v1/offres"].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["formation", "cfd", "rncp", "niveau", "organisme", "siret", "uai", "region", "departement", "tri", "page", "limit"]),
    );
    expect(doc.components.schemas.Offre.properties.organisme_formateur).toBeDefined();
    const names = doc.paths["/api/v1/organismes"].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(["q", "region", "departement", "nature", "reseau", "qualiopi", "transmet", "fraicheur", "page", "limit"]));
    expect(doc.components.schemas.Organisme.properties.siret.type).toBe("string");
    expect(doc.components.schemas.Formation.properties.niveau).toBeDefined();
  });
});

const built = fs.existsSync(path.resolve("build/index.js"));

describe.skipIf(!built)("over HTTP (built app)", () => {
  let app: { baseUrl: string; close(): Promise<void> };
  beforeAll(async () => {
    app = await serveApp(t.database);
  });
  afterAll(async () => app?.close());

  it("GET /api/v1/organismes: paginated JSON, filters, CORS, 400 in French", async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/organismes?region=84&limit=10&page=2`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const body = await res.json();
    expect(body.pagination).toEqual({ page: 2, limit: 10, total: 45, pages: 5 });
    expect(body.data).toHaveLength(10);
    expect(body.data[0]).toMatchObject({ region: "84", departement: "69", transmet: false, fraicheur: "jamais" });
    const bad = await fetch(`${app.baseUrl}/api/v1/organismes?page=0&foo=1`);
    expect(bad.status).toBe(400);
    const err = await bad.json();
    expect(err.erreur).toMatch(/^Paramètres invalides : paramètre inconnu « foo »/);
    expect(err.details).toContain("paramètre « page » : 1 au minimum (reçu « 0 »)");
  });

  it("an unknown territory code (région 99, département 20, académie 05) is refused: 400 naming the parameter and the codes, never an empty list", async () => {
    await createUser(t.database, {
      email: "territoires@test.fr",
      password: PASSWORD,
      prenom: "Test",
      nom: "Territoires",
      role: "admin",
      organisation: { type: "ADMINISTRATEUR" },
    });
    const national = new Browser(app.baseUrl);
    expect((await national.login("territoires@test.fr", PASSWORD)).status).toBe(302);
    const regions = "code région inconnu (codes : 01, 02, 03, 04, 06, 11, 24, 27, 28, 32, 44, 52, 53, 75, 76, 84, 93, 94) (reçu « 99 »)";
    const departements = "code département inconnu (codes : 01 à 95, 2A, 2B, 971 à 974, 976) (reçu « 20 »)";
    // the pages name their field (« Région »), the API its parameter (below)
    const cas: [string, string][] = [
      ["/organismes?region=99", `Région : ${regions}`],
      ["/organismes?departement=20", `Département : ${departements}`],
      ["/organismes?academie=05", "Académie : code académie inconnu (codes : 01, 02,"],
      ["/formations?region=99", `Région : ${regions}`],
      ["/referentiel/non-transmetteurs?region=99", `Région : ${regions}`],
      ["/referentiel/non-transmetteurs?departement=20", `Département : ${departements}`],
      ["/referentiel/anomalies?region=99", `Région : ${regions}`],
      ["/referentiel/anomalies?departement=20", `Département : ${departements}`],
    ];
    for (const [chemin, message] of cas) {
      const reponse = await national.get(chemin);
      expect(reponse.status, chemin).toBe(400);
      const html = await reponse.text();
      expect(html, chemin).toContain("Certains filtres sont invalides");
      expect(html, chemin).toContain(message);
      expect(html, chemin).not.toContain("Tous les organismes de ce périmètre transmettent leurs effectifs");
    }
    for (const chemin of ["/api/v1/organismes?departement=20", "/api/v1/organismes?region=99", "/api/v1/formations?region=99", "/api/v1/offres?academie=05"]) {
      const reponse = await fetch(`${app.baseUrl}${chemin}`);
      expect(reponse.status, chemin).toBe(400);
      expect((await reponse.json()).details, chemin).toEqual([expect.stringMatching(/^paramètre « (region|departement|academie) » : code (région|département|académie) inconnu \(codes : /)]);
    }
    expect((await national.get("/referentiel/non-transmetteurs.csv?region=99")).status).toBe(400);
    // the valid codes still apply, a lower-case Corsican département too
    expect((await fetch(`${app.baseUrl}/api/v1/organismes?departement=69`)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/api/v1/organismes?departement=2a`)).status).toBe(200);
    expect((await national.get("/referentiel/non-transmetteurs?region=84")).status).toBe(200);
  });

  it("a territory outside the viewer's scope is refused on the non-transmetteurs page (403, said in French) and its exports, never answered « all transmit »", async () => {
    for (const [email, organisation] of [
      ["ddets-69@test.fr", { type: "DDETS", departementCode: "69" }],
      ["dreets-84@test.fr", { type: "DREETS", regionCode: "84" }],
      ["national-nt@test.fr", { type: "ADMINISTRATEUR" }],
    ] as const) {
      await createUser(t.database, { email, password: PASSWORD, prenom: "Test", nom: "Périmètre", role: "member", organisation });
    }
    const connecte = async (email: string) => {
      const b = new Browser(app.baseUrl);
      expect((await b.login(email, PASSWORD)).status).toBe(302);
      return b;
    };
    const [ddets, dreets, national] = await Promise.all(["ddets-69@test.fr", "dreets-84@test.fr", "national-nt@test.fr"].map(connecte));
    const total = (html: string) => Number(/<strong>(\d+)<\/strong> (<!-- -->)?organismes?/.exec(html)?.[1] ?? NaN);
    const perimetre = await (await ddets.get("/referentiel/non-transmetteurs")).text();
    expect(total(perimetre)).toBeGreaterThan(0);
    // the page names its field (« Région »), its files the parameter (below)
    const cas: [Browser, string, string][] = [
      [ddets, "region=11", "Région : la région 11 (Île-de-France) est hors du périmètre de votre organisation, qui est le département 69 (Rhône)"],
      [ddets, "departement=75", "Département : le département 75 (Paris) est hors du périmètre de votre organisation, qui est le département 69 (Rhône)"],
      [ddets, "academie=01&statut=jamais", "Académie : l&#x27;académie 01 (Paris) est hors du périmètre"],
      [dreets, "departement=75", "Département : le département 75 (Paris) est hors du périmètre de votre organisation, qui est la région 84 (Auvergne-Rhône-Alpes)"],
    ];
    for (const [b, query, message] of cas) {
      const reponse = await b.get(`/referentiel/non-transmetteurs?${query}`);
      expect(reponse.status, query).toBe(403);
      const html = await reponse.text();
      expect(html, query).toContain("Certains filtres sont invalides");
      expect(html, query).toContain(message);
      expect(html, query).not.toContain("Tous les organismes de ce périmètre transmettent leurs effectifs");
      expect(html, query).not.toContain("CFA Paris");
      for (const format of ["csv", "xlsx"]) {
        const fichier = await b.get(`/referentiel/non-transmetteurs.${format}?${query}`);
        expect(fichier.status, `${query} ${format}`).toBe(403);
        expect(await fichier.text(), `${query} ${format}`).toMatch(/^Export impossible : paramètre « (region|departement|academie) » : .+ est hors du périmètre de votre organisation/);
      }
    }
    // the page shows the whole scope instead, as without the filter
    expect(total(await (await ddets.get("/referentiel/non-transmetteurs?departement=75")).text())).toBe(total(perimetre));
    // inside the scope, and for the nation, the filter applies
    expect((await ddets.get("/referentiel/non-transmetteurs?departement=69")).status).toBe(200);
    expect((await dreets.get("/referentiel/non-transmetteurs.csv?departement=69")).status).toBe(200);
    const paris = await national.get("/referentiel/non-transmetteurs?departement=75");
    expect(paris.status).toBe(200);
    expect(await paris.text()).toContain("CFA Paris");

    // the référentiel's anomalies (filtered by région and département), the same way
    for (const [b, query, message] of cas.filter(([, q]) => !q.startsWith("academie"))) {
      const reponse = await b.get(`/referentiel/anomalies?${query}`);
      expect(reponse.status, `anomalies ${query}`).toBe(403);
      const html = await reponse.text();
      expect(html, query).toContain(message);
      expect(html, query).not.toContain("CFA Paris");
    }
    expect((await ddets.get("/referentiel/anomalies?departement=69")).status).toBe(200);
    expect((await national.get("/referentiel/anomalies?departement=75")).status).toBe(200);
  });

  it("a signed-in user lists the whole répertoire, as the public does, and its scope when it asks (perimetre=mien)", async () => {
    await createUser(t.database, {
      email: "ddets-69-repertoire@test.fr",
      password: PASSWORD,
      prenom: "Test",
      nom: "Répertoire",
      role: "member",
      organisation: { type: "DDETS", departementCode: "69" },
    });
    const ddets = new Browser(app.baseUrl);
    expect((await ddets.login("ddets-69-repertoire@test.fr", PASSWORD)).status).toBe(302);
    const total = (html: string) => Number(/<strong>(\d+)<\/strong> (<!-- -->)?organismes?/.exec(html)?.[1] ?? NaN);
    const publique = await (await fetch(`${app.baseUrl}/organismes?departement=75`)).text();
    expect(total(publique)).toBeGreaterThan(0);
    const page = await ddets.get("/organismes?departement=75");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(total(html)).toBe(total(publique));
    expect(html).toContain("CFA Paris");
    expect(html).toContain("Le périmètre de mon organisation");
    // the public is not offered a scope it has not
    expect(publique).not.toContain("Le périmètre de mon organisation");
    const perimetre = await (await ddets.get("/organismes?departement=75&perimetre=mien")).text();
    expect(total(perimetre)).toBe(0);
    expect(perimetre).toContain("la liste est restreinte au périmètre de votre organisation");
    expect(total(await (await ddets.get("/organismes?perimetre=mien")).text())).toBe(total(await (await fetch(`${app.baseUrl}/organismes?departement=69`)).text()));
    // the API the same way
    const api = async (b: Browser | null, query: string) =>
      (await (b ? await b.get(`/api/v1/organismes?${query}`) : await fetch(`${app.baseUrl}/api/v1/organismes?${query}`)).json()).pagination.total;
    expect(await api(ddets, "departement=75")).toBe(await api(null, "departement=75"));
    expect(await api(ddets, "departement=75&perimetre=mien")).toBe(0);
    expect((await ddets.get("/organismes?perimetre=peut-etre")).status).toBe(400);
  });

  it("GET /api/v1/formations", async () => {
    const res = await fetch(`${app.baseUrl}/api/v1/formations?niveau=3`);
    const body = await res.json();
    expect(body.data).toEqual([
      expect.objectContaining({ cfd: "50022137", rncp: "RNCP37861", niveau: 3, intitule: "Cuisine" }),
    ]);
    expect((await fetch(`${app.baseUrl}/api/v1/formations?niveau=9`)).status).toBe(400);
    // a browser showing this JSON asks for /favicon.ico: the DSFR's icon, not a 404
    const icon = await fetch(`${app.baseUrl}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toMatch(/icon/);
    // an address Express cannot decode: a French answer (JSON under /api/), not Express's English page
    const mauvaise = await fetch(`${app.baseUrl}/organismes/%ZZ`);
    expect(mauvaise.status).toBe(400);
    const html = await mauvaise.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain("Adresse invalide : elle contient des caractères mal encodés");
    const api = await fetch(`${app.baseUrl}/api/v1/%ZZ`);
    expect(api.status).toBe(400);
    expect(await api.json()).toEqual({ erreur: expect.stringMatching(/^Adresse invalide/) });
    // every answer (page, API, static file, Express's own refusal) forbids framing and sniffing, and keeps its
    // address from other sites; the token pages keep theirs from every site (their own policy, not doubled)
    for (const chemin of ["/", "/organismes", "/api/v1/organismes", "/dsfr/dsfr.min.css", "/organismes/%ZZ", "/healthz", "/inconnue"]) {
      const reponse = await fetch(`${app.baseUrl}${chemin}`, { redirect: "manual" });
      expect(reponse.headers.get("x-frame-options"), chemin).toBe("DENY");
      expect(reponse.headers.get("content-security-policy"), chemin).toContain("frame-ancestors 'none'");
      // scripts: the site's own and the inline ones carrying this answer's nonce (decision 042)
      expect(reponse.headers.get("content-security-policy"), chemin).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{22}=='/);
      expect(reponse.headers.get("x-content-type-options"), chemin).toBe("nosniff");
      expect(reponse.headers.get("referrer-policy"), chemin).toBe("same-origin");
      expect(reponse.headers.get("strict-transport-security"), chemin).toBeNull(); // not over plain HTTP
    }
    // the footer's accessibility status links to the statement (RGAA)
    const accueil = await (await fetch(`${app.baseUrl}/`)).text();
    expect(accueil).toMatch(/<a[^>]*href="\/accessibilite"[^>]*>Accessibilité : non conforme<\/a>/);
    const declaration = await fetch(`${app.baseUrl}/accessibilite`);
    expect(declaration.status).toBe(200);
    const texteDeclaration = await declaration.text();
    expect(texteDeclaration).toContain("Déclaration d&#x27;accessibilité");
    expect(texteDeclaration).toContain("Défenseur des droits");
    const jeton = await fetch(`${app.baseUrl}/reinitialiser-mot-de-passe/inconnu`, { redirect: "manual" });
    expect(jeton.headers.get("referrer-policy")).toBe("no-referrer");
    expect(jeton.headers.get("x-frame-options")).toBe("DENY");
    // TRACE (the Fetch API cannot represent it): a 405 saying the methods answered, nothing in the error log
    const erreurs = vi.spyOn(console, "error");
    try {
      const trace = await new Promise<{ status: number; allow: string | undefined; corps: string }>((resolve, reject) => {
        const requete = http.request(`${app.baseUrl}/`, { method: "TRACE" }, (reponse) => {
          let corps = "";
          reponse.setEncoding("utf8").on("data", (c: string) => (corps += c)).on("end", () => resolve({ status: reponse.statusCode ?? 0, allow: reponse.headers.allow, corps }));
        });
        requete.on("error", reject).end();
      });
      expect(trace).toEqual({ status: 405, allow: "GET, HEAD, POST", corps: "Méthode HTTP non prise en charge : TRACE." });
      expect(erreurs).not.toHaveBeenCalled();
    } finally {
      erreurs.mockRestore();
    }
    // a NUL character in any parameter, of any page or API route: refused in French, never a 500
    for (const chemin of ["/?formation=%00", "/regions/84?reseau=a%00b", "/tableau.json?reseau=%00", "/admin/journal?email=%00", "/cfa?q=%00", "/listes/rupturants?q=%00"]) {
      const reponse = await fetch(`${app.baseUrl}${chemin}`, { redirect: "manual" });
      expect(reponse.status, chemin).toBe(400);
      expect(await reponse.text(), chemin).toContain("caractère nul (%00)");
    }
    const nul = await fetch(`${app.baseUrl}/api/v1/organismes?q=%00`);
    expect(nul.status).toBe(400);
    expect(await nul.json()).toEqual({ erreur: expect.stringMatching(/caractère nul/) });
  });

  it("serves the répertoire, the catalogue and the detail pages; protected pages ask to log in", async () => {
    const list = await fetch(`${app.baseUrl}/organismes?q=electricite`);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("CFA Lyon 07 Électricité");
    expect(html).toMatch(/<strong>1<\/strong> (<!-- -->)?organisme</);
    const id = /href="\/organismes\/(\d+)"/.exec(html)![1];
    const detail = await fetch(`${app.baseUrl}/organismes/${id}`);
    expect(detail.status).toBe(200);
    // the public is not offered a dashboard it would be refused: it is told to sign in
    const detailHtml = await detail.text();
    expect(detailHtml).not.toContain(`href="/organismes/${id}/tableau-de-bord"`);
    expect(detailHtml).toContain(`href="/connexion?redirectTo=${encodeURIComponent(`/organismes/${id}/tableau-de-bord`)}"`);
    expect((await fetch(`${app.baseUrl}/organismes/999999`)).status).toBe(404);
    const formations = await (await fetch(`${app.baseUrl}/formations?q=cuisine`)).text();
    expect(formations).toContain("Cuisine");
    // a formation's page leads to its dashboard (public figures), and says when it is closed
    const cuisine = /href="\/formations\/(\d+)"/.exec(formations)![1];
    const fiche = async () => (await fetch(`${app.baseUrl}/formations/${cuisine}`)).text();
    expect(await fiche()).toContain(`href="/formations/${cuisine}/tableau-de-bord"`);
    expect(await fiche()).not.toContain("Fermée");
    await t.database.rows(sql`update formations set date_fermeture = '2025-08-31' where id = ${Number(cuisine)}`);
    try {
      expect(await fiche()).toMatch(/Fermée \(dernier jour : (<!-- -->)?31\/08\/2025(<!-- -->)?\)/);
    } finally {
      await t.database.rows(sql`update formations set date_fermeture = null where id = ${Number(cuisine)}`);
    }
    const empty = await (await fetch(`${app.baseUrl}/organismes?q=zzzz`)).text();
    expect(empty).toContain("Aucun organisme ne correspond à ces critères");
    const invalid = await (await fetch(`${app.baseUrl}/organismes?region=999`)).text();
    expect(invalid).toContain("Certains filtres sont invalides");
    for (const p of ["/referentiel/anomalies", "/referentiel/non-transmetteurs", "/referentiel/non-transmetteurs.csv", "/admin/imports"]) {
      const res = await fetch(`${app.baseUrl}${p}`, { redirect: "manual" });
      expect([302, 303], p).toContain(res.status);
      expect(res.headers.get("location"), p).toMatch(/^\/connexion\?redirectTo=/);
    }
  });

  it("next to a CSV download that has an XLSX twin, the pages say to prefer the XLSX in Excel (codes and dates kept)", async () => {
    await createUser(t.database, { email: "conseil-xlsx@test.fr", password: PASSWORD, prenom: "Test", nom: "Conseil", role: "admin", organisation: { type: "ADMINISTRATEUR" } });
    const national = new Browser(app.baseUrl);
    expect((await national.login("conseil-xlsx@test.fr", PASSWORD)).status).toBe(302);
    for (const chemin of ["/referentiel/non-transmetteurs", "/exports"]) {
      const html = await (await national.get(chemin)).text();
      expect(html, chemin).toContain("Pour Excel, préférez le format XLSX : les codes y gardent leurs zéros initiaux (« 01000 ») et les dates se trient comme des dates.");
    }
  });

  it("shows the catalogue's offer on the formation and organisme pages, and the catalogue filtered by territory finds it", async () => {
    const org = (i: number) => [uai(`${i < 45 ? "069" : "075"}${String(i).padStart(4, "0")}`), siret(`21${String(i).padStart(11, "0")}`)];
    const summary = await importFormations(
      t.database,
      Buffer.from(
        [
          "cfd;intitule;uai_formateur;siret_formateur;uai_responsable;siret_responsable;code_commune_lieu",
          `40025214;Maintenance des véhicules option A voitures particulières;${org(1).join(";")};${org(0).join(";")};69266`,
          `40025214;Maintenance des véhicules option A voitures particulières;${org(46).join(";")};;;`,
        ].join("\n"),
      ),
    );
    expect(summary.details["offres de formation créées"]).toBe(2);
    const [{ id: formationId }] = await t.database.rows<{ id: number }>(sql`select id from formations where cfd = '40025214'`);
    const page = await fetch(`${app.baseUrl}/formations/${formationId}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Offre au catalogue");
    const offre = html.slice(html.indexOf('data-testid="offres-formation"'));
    expect(offre).toContain("CFA Lyon 01");
    expect(offre).toContain("CFA Lyon 00");
    expect(offre).toContain("Villeurbanne (69266)");
    expect(offre).toContain("CFA Paris 46");
    expect(offre).toContain("Non précisé");
    const [{ id: lyon01 }] = await t.database.rows<{ id: number }>(sql`select id from organismes where raison_sociale = 'CFA Lyon 01'`);
    expect(offre).toContain(`href="/organismes/${lyon01}"`);

    const organisme = await (await fetch(`${app.baseUrl}/organismes/${lyon01}`)).text();
    expect(organisme).toContain("Formations au catalogue");
    expect(organisme).toContain(`href="/formations/${formationId}"`);
    expect(organisme).not.toContain("offres-organisme-ferme");
    // a closed organisme's offers are still shown, with a notice, and the page says it is closed
    await t.database.rows(sql`update organismes set etat_administratif = 'ferme' where id = ${Number(lyon01)}`);
    try {
      const ferme = await (await fetch(`${app.baseUrl}/organismes/${lyon01}`)).text();
      expect(ferme).toContain(`href="/formations/${formationId}"`);
      expect(ferme).toContain("Cet organisme est fermé : le catalogue lui attribue encore ces formations");
      expect(ferme).toContain('<p class="fr-badge fr-badge--error fr-mb-2w">Fermé</p>');
    } finally {
      await t.database.rows(sql`update organismes set etat_administratif = 'actif' where id = ${Number(lyon01)}`);
    }
    const [{ id: lyon02 }] = await t.database.rows<{ id: number }>(sql`select id from organismes where raison_sociale = 'CFA Lyon 02'`);
    expect(await (await fetch(`${app.baseUrl}/organismes/${lyon02}`)).text()).toContain("Le catalogue des formations ne cite pas cet organisme.");
    const [{ id: sansOffre }] = await t.database.rows<{ id: number }>(sql`select id from formations where cfd = '32031211'`);
    expect(await (await fetch(`${app.baseUrl}/formations/${sansOffre}`)).text()).toContain("Le catalogue ne cite aucun organisme pour cette formation.");

    // the same offer through the API: by CFD, organisme (as responsable), territory (lieu, else formateur), pages
    const offres = async (query: string) => {
      const res = await fetch(`${app.baseUrl}/api/v1/offres?${query}`);
      expect(res.status, query).toBe(200);
      return (await res.json()) as { data: { organisme_formateur: { raison_sociale: string }; organisme_responsable: { siret: string } | null; lieu: unknown; departement: string }[]; pagination: { total: number } };
    };
    const parCfd = await offres("cfd=40025214&tri=organisme");
    expect(parCfd.pagination.total).toBe(2);
    expect(parCfd.data[0]).toEqual({
      formation: { id: formationId, cfd: "40025214", rncp: null, niveau: 4, intitule: "Maintenance des véhicules option A voitures particulières" },
      organisme_formateur: { id: lyon01, siret: org(1)[1], uai: org(1)[0], raison_sociale: "CFA Lyon 01" },
      organisme_responsable: expect.objectContaining({ siret: org(0)[1], raison_sociale: "CFA Lyon 00" }),
      lieu: { code_commune: "69266", commune: "Villeurbanne" },
      departement: "69",
      mise_a_jour: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(parCfd.data[1]).toMatchObject({ organisme_formateur: { raison_sociale: "CFA Paris 46" }, organisme_responsable: null, lieu: null, departement: "75" });
    expect((await offres("cfd=40025214&tri=organisme&ordre=desc")).data[0].organisme_formateur.raison_sociale).toBe("CFA Paris 46");
    expect((await offres(`siret=${org(0)[1].slice(0, 7)}%20${org(0)[1].slice(7)}`)).data.map((o) => o.organisme_formateur.raison_sociale)).toEqual(["CFA Lyon 01"]);
    expect((await offres(`uai=${org(46)[0].toLowerCase()}`)).data.map((o) => o.organisme_formateur.raison_sociale)).toEqual(["CFA Paris 46"]);
    expect((await offres(`formation=${formationId}&region=11`)).data.map((o) => o.organisme_formateur.raison_sociale)).toEqual(["CFA Paris 46"]);
    expect((await offres(`formation=${formationId}&departement=69`)).data.map((o) => o.organisme_formateur.raison_sociale)).toEqual(["CFA Lyon 01"]);
    expect((await offres("cfd=40025214&region=53")).pagination.total).toBe(0);
    const apresLaFin = await offres("cfd=40025214&limit=1&page=3");
    expect(apresLaFin.data).toEqual([]);
    expect(apresLaFin.pagination).toEqual({ page: 3, limit: 1, total: 2, pages: 2 });
    const bad = await fetch(`${app.baseUrl}/api/v1/offres?cfd=123&siret=abc&tri=prix`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).details).toEqual([
      "paramètre « cfd » : code formation diplôme de 8 caractères attendu (par exemple 40025214) (reçu « 123 »)",
      "paramètre « siret » : 14 chiffres attendus (reçu « abc »)",
      "paramètre « tri » : formation, organisme, departement attendu (reçu « prix »)",
    ]);

    // no learner follows it: the territory filter finds it through its offer (Île-de-France: CFA Paris 46, no lieu)
    expect(await (await fetch(`${app.baseUrl}/formations?region=11`)).text()).toContain("Maintenance des véhicules");
    expect(await (await fetch(`${app.baseUrl}/formations?region=84`)).text()).toContain("Maintenance des véhicules");
    expect(await (await fetch(`${app.baseUrl}/formations?region=53`)).text()).not.toContain("Maintenance des véhicules");
  });

  it("pages a formation's offer by 50 lines (?offres=N), the organisme's page too", async () => {
    const org = (i: number) => [uai(`${i < 45 ? "069" : "075"}${String(i).padStart(4, "0")}`), siret(`21${String(i).padStart(11, "0")}`)];
    const lignes = Array.from({ length: 55 }, (_, i) => `32031211;Technico-commercial;${org(i).join(";")};;;`);
    await importFormations(t.database, Buffer.from(["cfd;intitule;uai_formateur;siret_formateur;uai_responsable;siret_responsable;code_commune_lieu", ...lignes].join("\n")));
    const [{ id: formationId }] = await t.database.rows<{ id: number }>(sql`select id from formations where cfd = '32031211'`);
    const offre = async (path: string) => {
      const res = await fetch(`${app.baseUrl}${path}`);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      const table = html.slice(html.indexOf('data-testid="offres-formation"'));
      return { html: table, lignes: (table.slice(0, table.indexOf("</tbody>")).match(/<tr>|<tr /g) ?? []).length - 1 };
    };
    const premiere = await offre(`/formations/${formationId}`);
    expect(premiere.lignes).toBe(50);
    expect(premiere.html).toContain("Offres 1 à 50 sur 55.");
    expect(premiere.html).toContain('aria-label="Pages de l&#x27;offre"');
    // the page's link scrolls to the offer's table (the focus goes there once the page is shown)
    expect(premiere.html).toContain(`href="/formations/${formationId}?offres=2#offres-table"`);
    const seconde = await offre(`/formations/${formationId}?offres=2`);
    expect(seconde.lignes).toBe(5);
    expect(seconde.html).toContain("Offres 51 à 55 sur 55.");
    expect((await offre(`/formations/${formationId}?offres=9`)).html).toContain("Aucune offre sur cette page : 55 offres en tout.");
    expect((await offre(`/formations/${formationId}?offres=abc`)).lignes).toBe(50);
    const [{ id: lyon03 }] = await t.database.rows<{ id: number }>(sql`select id from organismes where raison_sociale = 'CFA Lyon 03'`);
    const organisme = await offre(`/organismes/${lyon03}?offres=2`);
    expect(organisme.html).toContain("Aucune offre sur cette page : 1 offre en tout.");

    // the organismes whose learners follow it (one effectif in each of 55 organismes): paged by 50 too
    await t.database.rows(sql`
      insert into effectifs (organisme_formateur_id, organisme_responsable_id, formation_id, annee_scolaire, id_erp_apprenant, nom, prenom,
                             date_de_naissance, formation_cfd, date_inscription_formation, date_entree_formation, date_fin_formation, source)
      select o.id, o.id, ${formationId}, '2024-2025', 'PAGE-' || o.id, 'Nom', 'Prénom', '2006-01-01', '32031211', '2024-09-01', '2024-09-01', '2026-06-30', 'DEMO'
      from organismes o where o.raison_sociale ~ '^CFA (Lyon|Paris) ([0-4][0-9]|5[0-4])'`);
    // a signed-in national admin (the public sees no organisme named after the effectifs)
    await createUser(t.database, {
      email: "national@test.fr",
      password: PASSWORD,
      prenom: "Test",
      nom: "National",
      role: "admin",
      organisation: { type: "ADMINISTRATEUR" },
    });
    const national = new Browser(app.baseUrl);
    expect((await national.login("national@test.fr", PASSWORD)).status).toBe(302);
    const publique = await (await fetch(`${app.baseUrl}/formations/${formationId}`)).text();
    expect(publique).not.toContain('data-testid="organismes-formation"');
    expect(publique).toContain("réservée aux utilisateurs connectés");
    const dispensent = async (path: string) => {
      const html = await (await national.get(path)).text();
      const table = html.slice(html.indexOf('data-testid="organismes-formation"'));
      return { html: table, lignes: (table.slice(0, table.indexOf("</tbody>")).match(/<tr>|<tr /g) ?? []).length - 1 };
    };
    const page1 = await dispensent(`/formations/${formationId}`);
    expect(page1.html).toContain("Organismes 1 à 50 sur 55.");
    expect(page1.lignes).toBe(50);
    expect(page1.html).toContain(`href="/formations/${formationId}?organismes=2#organismes-formation-liste"`);
    const page2 = await dispensent(`/formations/${formationId}?organismes=2&offres=2`);
    expect(page2.html).toContain("Organismes 51 à 55 sur 55.");
    expect(page2.lignes).toBe(5);
    expect((await dispensent(`/formations/${formationId}?organismes=7`)).html).toContain("Aucun organisme sur cette page : 55 organismes en tout.");
  });
});
