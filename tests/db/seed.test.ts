/**
 * The demo dataset loaded with COPY (app/demo/seed.server.ts): identifiers, territories, relations, statuts,
 * determinism, and the guard against loading over existing data. PGlite by default, the PostgreSQL server when
 * DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { isValidSiret, isValidUai } from "../../app/referentiel/codes";
import { createDemoWorld, type EffectifBundle } from "../../app/demo/generator";
import { isDatabaseEmpty, loadDemoTerritories, seedDemo, type SeedProgress, type SeedResult } from "../../app/demo/seed.server";
import { STATUTS, statutAt, type ParcoursStep, type Statut } from "../../app/statut/engine";

const TODAY = "2026-11-23";
const SEED = 7;
const N = 3_000;

let t: TestDatabase;
let result: SeedResult;
const progress: SeedProgress[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  expect(await isDatabaseEmpty(t.database)).toBe(true);
  result = await seedDemo(t.database, { effectifs: N, seed: SEED, today: TODAY, onProgress: (p) => progress.push(p) });
}, 180_000);
afterAll(async () => t?.drop());

function take<T>(iterator: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const next = iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe("seedDemo", () => {
  it("loads the requested number of effectifs with their contracts and ERP statuts", async () => {
    const [row] = await t.database.rows<{ o: number; r: number; f: number; e: number; c: number; s: number }>(sql`
      select (select count(*) from organismes)::int o, (select count(*) from organisme_relations)::int r,
             (select count(*) from formations)::int f, (select count(*) from effectifs)::int e,
             (select count(*) from contrats)::int c, (select count(*) from effectif_statuts_erp)::int s`);
    expect(row).toEqual({
      o: result.organismes,
      r: result.relations,
      f: result.formations,
      e: N,
      c: result.contrats,
      s: result.statutsErp,
    });
    expect(result.organismes).toBeGreaterThanOrEqual(120);
    expect(result.formations).toBeGreaterThanOrEqual(50);
    expect(result.contrats).toBeGreaterThan(N * 0.8);
    expect(result.statutsErp).toBeGreaterThanOrEqual(N);
    expect(result.statutsErp).toBeLessThanOrEqual(2 * N);
    expect(progress.map((p) => p.phase)).toContain("finalisation");
    expect(progress.at(-1)?.phase).toBe("statuts");
    // The statut storage the dashboards read is rebuilt by the seed.
    const [periodes] = await t.database.rows<{ n: number }>(sql`select count(distinct effectif_id)::int as n from statut_periodes`);
    expect(periodes.n).toBeGreaterThan(0);
    expect(progress.filter((p) => p.phase === "effectifs").at(-1)?.effectifs).toBe(N);
    expect(await isDatabaseEmpty(t.database)).toBe(false);
  });

  it("gives every organisme a valid SIRET (never La Poste's SIREN) and a valid UAI when it has one", async () => {
    const rows = await t.database.rows<{ siret: string; uai: string | null; nature: string }>(
      sql`select siret, uai, nature from organismes`,
    );
    const badSirets = rows.filter((r) => !isValidSiret(r.siret) || r.siret.startsWith("356000000"));
    const badUais = rows.filter((r) => r.uai !== null && !isValidUai(r.uai));
    expect(badSirets).toEqual([]);
    expect(badUais).toEqual([]);
    // Every CFA (all but the lieux) has a UAI.
    expect(rows.filter((r) => r.nature !== "lieu" && r.uai === null)).toEqual([]);
    const employers = await t.database.rows<{ siret: string }>(sql`select distinct siret_employeur as siret from contrats`);
    expect(employers.filter((r) => !isValidSiret(r.siret))).toEqual([]);
  });

  it("has organismes in every région, every département and the five DROM", async () => {
    const missing = await t.database.rows<{ code: string }>(sql`
      select r.code from regions r where not exists (select 1 from organismes o where o.region_code = r.code) order by 1`);
    expect(missing).toEqual([]);
    const missingDepartements = await t.database.rows<{ code: string }>(sql`
      select d.code from departements d where not exists (select 1 from organismes o where o.departement_code = d.code)`);
    expect(missingDepartements).toEqual([]);
    const drom = await t.database.rows<{ code: string }>(
      sql`select distinct departement_code as code from organismes where departement_code in ('971','972','973','974','976') order by 1`,
    );
    expect(drom.map((d) => d.code)).toEqual(["971", "972", "973", "974", "976"]);
    // Île-de-France is bigger than Corse.
    const [sizes] = await t.database.rows<{ idf: number; corse: number }>(sql`
      select count(*) filter (where region_code = '11')::int idf, count(*) filter (where region_code = '94')::int corse from organismes`);
    expect(sizes.idf).toBeGreaterThan(sizes.corse);
  });

  it("resolves every organisme's code commune to its département, région and académie", async () => {
    const [row] = await t.database.rows<{ n: number; ok: number }>(sql`
      select count(*)::int n,
             count(*) filter (where c.departement_code = o.departement_code and c.region_code = o.region_code
                              and c.academie_code = o.academie_code and o.code_postal = any(c.codes_postaux))::int ok
      from organismes o left join communes c on c.code = o.code_commune`);
    expect(row.ok).toBe(row.n);
    const [learners] = await t.database.rows<{ unresolved: number }>(sql`
      select count(*)::int unresolved from effectifs e
      where e.code_commune_insee is not null and not exists (select 1 from communes c where c.code = e.code_commune_insee)`);
    expect(learners.unresolved).toBe(0);
  });

  it("links formateurs to responsables and every effectif to a coherent pair", async () => {
    const [rel] = await t.database.rows<{ formateurs: number; orphans: number; wrong: number }>(sql`
      select (select count(*) from organismes where nature = 'formateur')::int formateurs,
             (select count(*) from organismes o where nature = 'formateur'
                and not exists (select 1 from organisme_relations r where r.formateur_id = o.id))::int orphans,
             (select count(*) from organisme_relations r join organismes resp on resp.id = r.responsable_id
                where resp.nature not in ('responsable', 'responsable_formateur'))::int wrong`);
    expect(rel.orphans).toBe(0);
    expect(rel.wrong).toBe(0);
    expect(result.relations).toBeGreaterThanOrEqual(rel.formateurs);
    const [eff] = await t.database.rows<{ bad: number; lieux: number }>(sql`
      select count(*) filter (where not (e.organisme_responsable_id = e.organisme_formateur_id
               or exists (select 1 from organisme_relations r
                          where r.formateur_id = e.organisme_formateur_id and r.responsable_id = e.organisme_responsable_id)))::int bad,
             count(*) filter (where e.organisme_lieu_id is not null)::int lieux
      from effectifs e`);
    expect(eff.bad).toBe(0);
    expect(eff.lieux).toBeGreaterThan(0);
    const [natures] = await t.database.rows<{ bad: number }>(sql`
      select count(*)::int bad from effectifs e join organismes f on f.id = e.organisme_formateur_id
      where f.nature not in ('formateur', 'responsable_formateur') or f.first_transmission_at is null`);
    expect(natures.bad).toBe(0);
  });

  it("keeps (formateur, année scolaire, id_erp_apprenant) unique, with the identity index rebuilt", async () => {
    const [dup] = await t.database.rows<{ n: number }>(sql`
      select count(*)::int n from (select 1 from effectifs group by organisme_formateur_id, annee_scolaire, id_erp_apprenant having count(*) > 1) d`);
    expect(dup.n).toBe(0);
    const indexes = await t.database.rows<{ indexname: string }>(
      sql`select indexname from pg_indexes where tablename in ('effectifs', 'contrats', 'effectif_statuts_erp') order by 1`,
    );
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining(["effectifs_identity_key", "effectifs_responsable_idx", "effectifs_formation_idx", "contrats_effectif_rang_key", "effectif_statuts_erp_effectif_idx"]),
    );
    const fks = await t.database.rows<{ conname: string }>(
      sql`select conname from pg_constraint where contype = 'f' and conrelid = 'contrats'::regclass`,
    );
    expect(fks.length).toBe(1);
  });

  it("spreads effectifs over the last three school years, one per school year for multi-year formations", async () => {
    const years = await t.database.rows<{ annee: string; n: number }>(
      sql`select annee_scolaire annee, count(*)::int n from effectifs group by 1 order by 1`,
    );
    const byYear = Object.fromEntries(years.map((y) => [y.annee, y.n]));
    for (const annee of ["2024-2025", "2025-2026", "2026-2027"]) expect(byYear[annee]).toBeGreaterThan(N * 0.2);
    for (const y of years) expect(y.annee).toMatch(/^(2024|2025|2026)-(2024|2025|2026|2027)$/);
    const [multi] = await t.database.rows<{ n: number; bad: number }>(sql`
      select count(*)::int n, count(*) filter (where a.date_entree_formation <> b.date_entree_formation
                                                or b.annee_formation <> a.annee_formation + 1)::int bad
      from effectifs a join effectifs b on b.organisme_formateur_id = a.organisme_formateur_id
        and b.id_erp_apprenant = a.id_erp_apprenant
        and left(b.annee_scolaire, 4)::int = left(a.annee_scolaire, 4)::int + 1`);
    expect(multi.n).toBeGreaterThan(N * 0.1);
    expect(multi.bad).toBe(0);
  });

  it("gives learners ages 15–30 at today", async () => {
    const [row] = await t.database.rows<{ min: number; max: number; young: number; n: number }>(sql`
      select min(extract(year from age(${TODAY}::date, date_de_naissance)))::int min,
             max(extract(year from age(${TODAY}::date, date_de_naissance)))::int max,
             count(*) filter (where extract(year from age(date_entree_formation, date_de_naissance)) between 15 and 22)::int young,
             count(*)::int n
      from effectifs`);
    expect(row.min).toBeGreaterThanOrEqual(15);
    expect(row.max).toBeLessThanOrEqual(30);
    expect(row.young / row.n).toBeGreaterThan(0.6);
  });

  it("stores a parcours where every statut appears at today, apprentis being the majority of the current school year", async () => {
    const rows = await t.database.rows<{ annee: string; parcours: ParcoursStep[] | string; statut_apprenant: number }>(
      sql`select annee_scolaire annee, parcours, statut_apprenant from effectifs`,
    );
    const all = new Map<Statut, number>();
    const current = new Map<Statut, number>();
    let currentTotal = 0;
    let erpCoherent = 0;
    let erpApprentis = 0;
    for (const row of rows) {
      const parcours = (typeof row.parcours === "string" ? JSON.parse(row.parcours) : row.parcours) as ParcoursStep[];
      expect(parcours.length).toBeGreaterThan(0);
      const statut = statutAt(parcours, TODAY);
      if (statut) all.set(statut, (all.get(statut) ?? 0) + 1);
      if (statut && (row.annee === "2026-2027" || row.annee === "2026-2026")) {
        current.set(statut, (current.get(statut) ?? 0) + 1);
        currentTotal++;
        if (statut === "APPRENTI") {
          erpApprentis++;
          if (row.statut_apprenant === 3) erpCoherent++;
        }
      }
    }
    for (const statut of STATUTS) expect(all.get(statut) ?? 0, statut).toBeGreaterThan(0);
    const share = (s: Statut) => (current.get(s) ?? 0) / currentTotal;
    expect(currentTotal).toBeGreaterThan(N * 0.2);
    expect(share("APPRENTI")).toBeGreaterThan(0.6);
    expect(share("INSCRIT")).toBeGreaterThan(0.01);
    expect(share("INSCRIT")).toBeLessThan(0.25);
    expect(share("RUPTURANT")).toBeLessThan(0.1);
    expect(share("ABANDON")).toBeLessThan(0.1);
    expect(erpCoherent).toBe(erpApprentis);
  });

  it("moves the serial sequences past the explicit ids", async () => {
    const [row] = await t.database.rows<{ next: number; max: number }>(sql`
      select nextval(pg_get_serial_sequence('effectifs', 'id'))::int next, (select max(id) from effectifs)::int max`);
    expect(row.next).toBeGreaterThan(row.max);
    const [c] = await t.database.rows<{ next: number; max: number }>(sql`
      select nextval(pg_get_serial_sequence('contrats', 'id'))::int next, (select max(id) from contrats)::int max`);
    expect(c.next).toBeGreaterThan(c.max);
  });

  it("stores exactly what the generator produces, and the generator is deterministic", async () => {
    const territories = loadDemoTerritories();
    const a = createDemoWorld({ effectifs: N, seed: SEED, today: TODAY }, territories);
    const b = createDemoWorld({ effectifs: N, seed: SEED, today: TODAY }, territories);
    const c = createDemoWorld({ effectifs: N, seed: SEED + 1, today: TODAY }, territories);
    const first = take<EffectifBundle>(a.effectifs(), 500);
    expect(first).toHaveLength(500);
    expect(take<EffectifBundle>(b.effectifs(), 500)).toEqual(first);
    expect(b.organismes).toEqual(a.organismes);
    expect(b.formations).toEqual(a.formations);
    expect(take<EffectifBundle>(c.effectifs(), 500)).not.toEqual(first);
    expect(c.organismes.map((o) => o.siret)).not.toEqual(a.organismes.map((o) => o.siret));

    const stored = await t.database.rows<{ id: number; id_erp_apprenant: string; nom: string; prenom: string; date_fin_formation: string }>(
      sql`select id, id_erp_apprenant, nom, prenom, date_fin_formation::text from effectifs where id <= 500 order by id`,
    );
    expect(stored).toEqual(
      first.map(({ effectif: e }) => ({
        id: e.id,
        id_erp_apprenant: e.idErpApprenant,
        nom: e.nom,
        prenom: e.prenom,
        date_fin_formation: e.dateFinFormation,
      })),
    );
    // Text with quotes and arrays survive the CSV encoding.
    const withQuote = a.organismes.find((o) => o.raisonSociale.includes("'") && o.reseaux && o.reseaux.length > 0);
    if (withQuote) {
      const [org] = await t.database.rows<{ raison_sociale: string; reseaux: string[] }>(
        sql`select raison_sociale, reseaux from organismes where id = ${withQuote.id}`,
      );
      expect(org).toEqual({ raison_sociale: withQuote.raisonSociale, reseaux: withQuote.reseaux });
    }
  });

  it("refuses to load over existing data, and reloads with reset", async () => {
    await expect(seedDemo(t.database, { effectifs: 100, seed: 1, today: TODAY })).rejects.toThrow(/--reset/);
    const [before] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs`);
    expect(before.n).toBe(N);
    const again = await seedDemo(t.database, { effectifs: 400, seed: 2, today: TODAY, reset: true });
    expect(again.effectifs).toBe(400);
    const [after] = await t.database.rows<{ e: number; communes: number; min: number }>(
      sql`select (select count(*) from effectifs)::int e, (select count(*) from communes)::int communes, (select min(id) from organismes)::int min`,
    );
    expect(after.e).toBe(400);
    expect(after.communes).toBeGreaterThan(34_000);
    expect(after.min).toBe(1);
  }, 120_000);

  it("loads in one transaction: a failure midway leaves the previous data, indexes and keys untouched", async () => {
    const indexesBefore = await t.database.rows(sql`select indexname, indexdef from pg_indexes where schemaname = current_schema() order by 1`);
    const keysBefore = await t.database.rows(sql`select conname from pg_constraint where contype = 'f' order by 1`);
    await expect(
      seedDemo(t.database, {
        effectifs: 5_000,
        seed: 3,
        today: TODAY,
        reset: true,
        chunkSize: 1_000,
        onProgress: (p) => {
          if (p.phase === "effectifs" && p.effectifs >= 2_000) throw new Error("panne simulée");
        },
      }),
    ).rejects.toThrow("panne simulée");
    const [after] = await t.database.rows<{ e: number; o: number }>(
      sql`select (select count(*) from effectifs)::int e, (select count(*) from organismes)::int o`,
    );
    expect(after.e).toBe(400);
    expect(after.o).toBeGreaterThan(0);
    expect(await t.database.rows(sql`select indexname, indexdef from pg_indexes where schemaname = current_schema() order by 1`)).toEqual(indexesBefore);
    expect(await t.database.rows(sql`select conname from pg_constraint where contype = 'f' order by 1`)).toEqual(keysBefore);
  }, 120_000);
});
