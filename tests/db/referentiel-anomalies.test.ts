/**
 * The anomalies page (decision 029): PostgreSQL selects, counts and pages the organismes that have an anomaly, instead
 * of reading the whole référentiel into JavaScript. It must list, count and word exactly what the rules of
 * anomalies.ts find on every organisme — checked here against those rules applied to every row, as the page did
 * before, on organismes made to sit on each rule's edges (UAI letters and shapes, Luhn keys, La Poste's SIRETs…).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { execRows } from "../../db/client.server";
import { CODES_A_VERIFIER } from "../../db/schema";
import { listAnomalies, anomaliesOfOrganisme, type AnomaliesQuery, type OrganismeAnomalies } from "../../app/referentiel/anomalies.server";
import { ANOMALIE_TYPES, detectAnomalies, type AnomalieType } from "../../app/referentiel/anomalies";
import { luhnCompletion, uaiCheckLetter } from "../../app/referentiel/codes";
import type { Viewer } from "../../app/auth/policy.server";

let t: TestDatabase;
const admin: Viewer = { userId: 1, organisationType: "ADMINISTRATEUR", scope: { kind: "national" } };
const dreets: Viewer = { userId: 2, organisationType: "DREETS", scope: { kind: "region", code: "84" } };
const siret = (debut: string) => debut + luhnCompletion(debut);
const uai = (sept: string) => sept + uaiCheckLetter(sept);
/** 13 digits and a wrong Luhn key. */
const cleFausse = (debut: string) => debut + ((Number(luhnCompletion(debut)) + 1) % 10);
/** A wrong check letter for these 7 digits. */
const mauvaiseLettre = (sept: string) => sept + (uaiCheckLetter(sept) === "A" ? "B" : "A");

/** The whole rule, in JavaScript, on every organisme of the scope: what the page did before. */
async function avant(viewer: Viewer, query: AnomaliesQuery) {
  const { scopeSql } = await import("../../app/auth/policy.server");
  const where = [scopeSql(viewer, "o")];
  if (query.region) where.push(sql`o.region_code = ${query.region}`);
  if (query.departement) where.push(sql`o.departement_code = ${query.departement}`);
  const rows = await t.database.rows<Omit<OrganismeAnomalies, "anomalies">>(sql`
    select o.id, o.siret, o.uai, o.nature, o.raison_sociale, o.departement_code, o.region_code, o.etat_administratif, o.code_postal, o.code_commune
    from organismes o where ${sql.join(where, sql` and `)}
    order by fold_fr(o.raison_sociale) collate "C", o.raison_sociale collate "C", o.id`);
  const paires = await t.database.rows<{ uai: string; siret: string }>(sql`select distinct uai, siret from organismes where uai is not null`);
  const siretsByUai = new Map<string, Set<string>>();
  for (const p of paires) siretsByUai.set(p.uai, (siretsByUai.get(p.uai) ?? new Set()).add(p.siret));
  const rel = await t.database.rows<{ id: number }>(sql`select distinct formateur_id as id from organisme_relations`);
  const communes = await t.database.rows<{ code: string; codes_postaux: string[] }>(sql`select code, codes_postaux from communes`);
  const ctx = { siretsByUai, hasResponsable: new Set(rel.map((r) => r.id)), codesPostauxDesCommunes: new Map(communes.map((c) => [c.code, c.codes_postaux])) };
  const counts = Object.fromEntries(ANOMALIE_TYPES.map((type) => [type, 0])) as Record<AnomalieType, number>;
  const liste: OrganismeAnomalies[] = [];
  for (const row of rows) {
    const anomalies = detectAnomalies(row, ctx);
    for (const a of anomalies) counts[a.type]++;
    const montrees = query.type ? anomalies.filter((a) => a.type === query.type) : anomalies;
    if (montrees.length) liste.push({ ...row, anomalies: montrees });
  }
  const debut = (query.page - 1) * query.limit;
  return { data: liste.slice(debut, debut + query.limit), total: liste.length, counts };
}

beforeAll(async () => {
  t = await createTestDatabase();
  const ligne = (s: string, u: string | null, nature: string, nom: string, dep: string | null, etat = "actif") => {
    const region = dep === null ? null : dep === "75" ? "11" : "84";
    const academie = dep === null ? null : dep === "75" ? "01" : "10";
    return sql`(${s}, ${u}, ${nature}, ${nom}, ${dep}, ${region}, ${academie}, ${etat})`;
  };
  const lignes = [
    ligne(siret("7000000000001"), uai("0690001"), "responsable", "CFA sans anomalie", "69"),
    ligne(siret("7000000000002"), mauvaiseLettre("0690002"), "responsable", "CFA lettre UAI fausse", "69"),
    ligne(siret("7000000000003"), uai("0690003").toLowerCase(), "responsable", "CFA UAI en minuscules", "69"),
    ligne(siret("7000000000004"), "069004", "responsable", "CFA UAI trop court", "69"),
    ligne(siret("7000000000005"), "ABCDEFGH", "responsable", "CFA UAI en lettres", "69"),
    ligne(siret("7000000000006"), "", "responsable", "CFA UAI vide", "69"),
    ligne(cleFausse("7000000000007"), null, "responsable", "CFA clé SIRET fausse", "69"),
    ligne("7000000000008", null, "responsable", "CFA SIRET de 13 chiffres", "69"),
    ligne("7000000000009A", null, "responsable", "CFA SIRET avec une lettre", "69"),
    // La Poste's SIRETs (SIREN 356000000) are valid when their digits add up to a multiple of 5, whatever Luhn says
    ligne("35600000000010", null, "lieu", "La Poste somme multiple de 5", "69"),
    ligne("35600000000011", null, "lieu", "La Poste somme non multiple de 5", "69"),
    ligne(siret("7000000000010"), null, "inconnue", "Organisme de nature inconnue", "69"),
    ligne(siret("7000000000011"), null, "responsable", "CFA fermé", "69", "ferme"),
    ligne(siret("7000000000012"), uai("0690012"), "responsable", "CFA UAI partagé A", "69"),
    ligne(siret("7000000000013"), uai("0690012"), "responsable", "CFA UAI partagé B", "75"),
    ligne(siret("7000000000014"), null, "formateur", "Formateur sans responsable", "69"),
    ligne(siret("7000000000015"), null, "formateur", "Formateur avec responsable", "69"),
    ligne(siret("7000000000016"), null, "responsable", "CFA sans commune", null),
    ligne("1234", "12", "inconnue", "École cumulant tout", null, "ferme"),
    ligne(siret("7000000000017"), mauvaiseLettre("7500017"), "responsable", "Paris lettre UAI fausse", "75"),
  ];
  await t.database.rows(sql`
    insert into organismes (siret, uai, nature, raison_sociale, departement_code, region_code, academie_code, etat_administratif)
    values ${sql.join(lignes, sql`, `)}`);
  // postal codes: of another département than the commune's (Marseille's for a Lyon arrondissement, a CEDEX of the
  // Bouches-du-Rhône), or not (the commune's own, a CEDEX of its département, Corsica, Monaco, Claret's 05110)
  const avecCp = (s: string, nom: string, cp: string, commune: string | null, dep: string) =>
    sql`(${s}, 'lieu', ${nom}, ${cp}, ${commune}, ${dep}, '84', '10')`;
  await t.database.rows(sql`
    insert into organismes (siret, nature, raison_sociale, code_postal, code_commune, departement_code, region_code, academie_code)
    values ${sql.join(
      [
        avecCp(siret("7000000000020"), "CP de Marseille à Lyon", "13001", "69383", "69"),
        avecCp(siret("7000000000021"), "CP CEDEX d'un autre département", "13441", null, "69"),
        avecCp(siret("7000000000022"), "CP de sa commune", "69003", "69383", "69"),
        avecCp(siret("7000000000023"), "CP CEDEX de son département", "69441", "69383", "69"),
        avecCp(siret("7000000000024"), "CP de Corse", "20090", "2A004", "2A"),
        avecCp(siret("7000000000025"), "CP de Monaco", "98000", null, "06"),
        avecCp(siret("7000000000026"), "CP voisin listé par la commune", "05110", "04058", "04"),
      ],
      sql`, `,
    )}`);
  // many organismes without anomaly: the pages of the list are not those of the référentiel
  await t.database.rows(sql`
    insert into organismes (siret, nature, raison_sociale, departement_code, region_code, academie_code)
    select '8' || lpad(i::text, 13, '0'), 'lieu', 'Lieu ' || lpad(i::text, 3, '0'), '69', '84', '10' from generate_series(1, 300) i`);
  await t.database.rows(sql`
    insert into organisme_relations (formateur_id, responsable_id)
    select f.id, r.id from organismes f, organismes r
    where f.raison_sociale = 'Formateur avec responsable' and r.raison_sociale = 'CFA sans anomalie'`);
});
afterAll(async () => t?.drop());

describe("the anomalies page", () => {
  it("lists, counts and words the anomalies as the rules of anomalies.ts applied to every organisme", async () => {
    const [{ lieux_valides }] = await t.database.rows<{ lieux_valides: number }>(sql`select count(*)::int as lieux_valides from organismes where siret like '8%'`);
    expect(lieux_valides).toBe(300);
    const requetes: [Viewer, Omit<AnomaliesQuery, "page" | "limit">][] = [
      [admin, {}],
      [admin, { departement: "75" }],
      [dreets, {}],
      ...ANOMALIE_TYPES.map((type): [Viewer, Omit<AnomaliesQuery, "page" | "limit">] => [admin, { type }]),
      [dreets, { type: "uai_invalide" }],
      [dreets, { type: "uai_plusieurs_sirets" }],
    ];
    for (const [viewer, filtre] of requetes) {
      for (const [page, limit] of [[1, 50], [1, 4], [2, 4], [4, 4]]) {
        const query = { ...filtre, page, limit };
        const attendu = await avant(viewer, query);
        const obtenu = await listAnomalies(t.database, viewer, query);
        const libelle = `${viewer.organisationType} ${JSON.stringify(query)}`;
        expect(obtenu.counts, libelle).toEqual(attendu.counts);
        expect(obtenu.pagination.total, libelle).toBe(attendu.total);
        expect(obtenu.data, libelle).toEqual(attendu.data);
      }
    }
  });

  it("finds each rule's edges: UAI letters and shapes, Luhn keys, La Poste's SIRETs, shared UAIs", async () => {
    const types = async (nom: string) => {
      const [row] = await t.database.rows<Omit<OrganismeAnomalies, "anomalies">>(sql`
        select id, siret, uai, nature, raison_sociale, departement_code, region_code, etat_administratif, code_postal, code_commune from organismes where raison_sociale = ${nom}`);
      const page = await listAnomalies(t.database, admin, { page: 1, limit: 100 });
      const listees = page.data.find((o) => o.id === row.id)?.anomalies.map((a) => a.type) ?? [];
      // the organisme's own page says the same
      expect((await anomaliesOfOrganisme(t.database, row)).map((a) => a.type), nom).toEqual(listees);
      return listees;
    };
    expect(await types("CFA sans anomalie")).toEqual([]);
    expect(await types("CFA lettre UAI fausse")).toEqual(["uai_invalide"]);
    expect(await types("CFA UAI en minuscules")).toEqual([]); // read in upper case, as the importers do
    expect(await types("CFA UAI trop court")).toEqual(["uai_invalide"]);
    expect(await types("CFA UAI en lettres")).toEqual(["uai_invalide"]);
    expect(await types("CFA UAI vide")).toEqual(["uai_invalide"]);
    expect(await types("CFA clé SIRET fausse")).toEqual(["siret_invalide"]);
    expect(await types("CFA SIRET de 13 chiffres")).toEqual(["siret_invalide"]);
    expect(await types("CFA SIRET avec une lettre")).toEqual(["siret_invalide"]);
    expect(await types("La Poste somme multiple de 5")).toEqual([]);
    expect(await types("La Poste somme non multiple de 5")).toEqual(["siret_invalide"]);
    expect(await types("CFA UAI partagé A")).toEqual(["uai_plusieurs_sirets"]);
    expect(await types("Formateur sans responsable")).toEqual(["formateur_sans_responsable"]);
    expect(await types("Formateur avec responsable")).toEqual([]);
    expect(await types("CFA sans commune")).toEqual(["territoire_inconnu"]);
    expect(await types("CP de Marseille à Lyon")).toEqual(["code_postal_incoherent"]);
    expect(await types("CP CEDEX d'un autre département")).toEqual(["code_postal_incoherent"]);
    for (const nom of ["CP de sa commune", "CP CEDEX de son département", "CP de Corse", "CP de Monaco", "CP voisin listé par la commune"]) expect(await types(nom), nom).toEqual([]);
    expect(await types("École cumulant tout")).toEqual(["uai_invalide", "siret_invalide", "siret_ferme", "nature_inconnue", "territoire_inconnu"]);
  });

  it("reads the organismes whose codes are to be checked in their partial index (same text in the query and the index)", async () => {
    const plan = await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return execRows<{ "QUERY PLAN": string }>(tx, sql`explain select o.id from organismes o where true and (${sql.raw(CODES_A_VERIFIER)})`);
    });
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("organismes_codes_a_verifier_idx");
  });
});
