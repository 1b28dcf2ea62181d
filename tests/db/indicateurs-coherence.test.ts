/**
 * Consistency of the indicators on generated data (the demo generator): a learner is in exactly one counter at
 * D, the counters agree with the statut engine applied to each learner, breakdowns sum to the total, a series
 * point equals the counters at its date, the aggregates equal the exact count for random filters, and the
 * aggregates maintained write after write equal a full rebuild.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemo } from "../../app/demo/seed.server";
import { rebuildStatutStorage, refreshStatutStorage } from "../../app/statut/storage.server";
import { indicateurs, serieMensuelle, type IndicateursOptions } from "../../app/indicateurs/indicateurs.server";
import { anneesScolairesComptees } from "../../app/statut/annee-scolaire";
import { dropoutAt, statutAt, type ContratDates, type ParcoursStep, type Statut } from "../../app/statut/engine";
import { ageAt, etatOf } from "../../app/indicateurs/etats";
import { REPARTITIONS, TRANCHES_AGE, type IndicateursFilters } from "../../app/indicateurs/filters";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { dumpAgregats } from "./indicateurs-fixtures";
import { NATIONAL } from "../../app/auth/policy.server";

const TODAY = "2025-11-20";
const EFFECTIFS = 25_000;
let t: TestDatabase;

interface Row {
  id: number;
  annee_scolaire: string;
  parcours: ParcoursStep[] | string;
  date_entree_formation: string;
  date_fin_formation: string;
  date_exclusion_formation: string | null;
  date_de_naissance: string;
  rqth: boolean | null;
  date_rqth: string | null;
  departement_code: string | null;
  contrats: ContratDates[] | string;
}

const parse = <T>(v: T | string): T => (typeof v === "string" ? JSON.parse(v) : v);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

async function both(options: IndicateursOptions) {
  const agregats = await indicateurs(t.database, { today: TODAY, ...options });
  const exact = await indicateurs(t.database, { today: TODAY, ...options, exact: true });
  expect({ options, compteurs: agregats.compteurs, repartition: agregats.repartition }).toEqual({
    options,
    compteurs: exact.compteurs,
    repartition: exact.repartition,
  });
  return agregats;
}


beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: EFFECTIFS, seed: 42, today: TODAY });
  await rebuildStatutStorage(t.database, { today: TODAY });
});

afterAll(async () => t?.drop());

describe("cohérence sur données générées", () => {
  it("never has two periods of one effectif covering the same day", async () => {
    const overlaps = await t.database.rows(sql`
      select a.effectif_id from statut_periodes a join statut_periodes b
        on b.effectif_id = a.effectif_id and (a.debut, a.etat) < (b.debut, b.etat) and a.debut <= b.fin and b.debut <= a.fin
      limit 5`);
    expect(overlaps).toEqual([]);
    const [{ n }] = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from statut_periodes`);
    expect(n).toBeGreaterThan(EFFECTIFS);
  });

  it("puts every learner in exactly one counter, as the statut engine says", async () => {
    const rows = await t.database.rows<Row>(sql`
      select e.id, e.annee_scolaire, e.parcours, e.date_entree_formation::text as date_entree_formation,
        e.date_fin_formation::text as date_fin_formation, e.date_exclusion_formation::text as date_exclusion_formation,
        e.date_de_naissance::text as date_de_naissance, e.rqth, e.date_rqth::text as date_rqth, o.departement_code,
        coalesce((select json_agg(json_build_object('date_debut', c.date_debut, 'date_fin', c.date_fin, 'date_rupture', c.date_rupture))
                  from contrats c where c.effectif_id = e.id), '[]'::json) as contrats
      from effectifs e join organismes o on o.id = e.organisme_formateur_id`);
    expect(rows.length).toBe(EFFECTIFS);
    for (const date of [TODAY, "2025-10-31", "2025-06-30", "2025-03-15", "2024-12-31", "2024-08-01"]) {
      const annees = anneesScolairesComptees(date);
      const byStatut: Record<Statut, number> = {
        INSCRIT: 0,
        APPRENTI: 0,
        RUPTURANT: 0,
        ABANDON: 0,
        FIN_DE_FORMATION: 0,
      };
      const etats = new Array(10).fill(0);
      const byDep = new Map<string | null, number>();
      let counted = 0;
      let aRisque = 0;
      for (const r of rows) {
        if (!annees.includes(r.annee_scolaire)) continue;
        const statut = statutAt(parse(r.parcours), date);
        if (statut === null) continue;
        counted++;
        byStatut[statut]++;
        const d = dropoutAt({ ...r, contrats: parse(r.contrats) }, date);
        etats[etatOf(statut, d.joursSansContrat)]++;
        // RQTH at the date: declared, and recognised on or before it
        const rqth = r.rqth === true && (r.date_rqth === null || r.date_rqth <= date);
        if ((statut === "INSCRIT" || statut === "RUPTURANT") && (ageAt(r.date_de_naissance, date) < 18 || rqth))
          aRisque++;
        byDep.set(r.departement_code, (byDep.get(r.departement_code) ?? 0) + 1);
      }
      const r = await both({ scope: NATIONAL, date, by: "departement" });
      const c = r.compteurs;
      expect({ date, counted: c.total }).toEqual({ date, counted });
      expect(c.apprentis + c.inscritsSansContrat + c.rupturants + c.abandons + c.finsDeFormation).toBe(counted);
      expect({ date, c }).toEqual({
        date,
        c: {
          apprenants: byStatut.APPRENTI + byStatut.INSCRIT + byStatut.RUPTURANT,
          apprentis: byStatut.APPRENTI,
          inscritsSansContrat: byStatut.INSCRIT,
          rupturants: byStatut.RUPTURANT,
          abandons: byStatut.ABANDON,
          finsDeFormation: byStatut.FIN_DE_FORMATION,
          total: counted,
          rupturantsParDuree: { moins45j: etats[5], de45a89j: etats[6], de90a180j: etats[7] },
          inscritsSansContratParDuree: {
            jusqua30j: etats[2],
            jusqua60j: etats[2] + etats[3],
            jusqua90j: etats[2] + etats[3] + etats[4],
          },
          aRisque,
        },
      });
      const lignes = new Map(r.repartition!.lignes.map((l) => [l.code, l.compteurs.total]));
      expect(lignes).toEqual(new Map([...byDep].filter(([, n]) => n > 0)));
    }
  });

  it("has breakdowns that sum to the total, for every breakdown", async () => {
    for (const date of [TODAY, "2025-01-31", "2025-02-14"]) {
      const total = (await both({ scope: NATIONAL, date })).compteurs;
      for (const by of REPARTITIONS) {
        const r = await both({ scope: NATIONAL, date, by });
        expect(r.compteurs).toEqual(total);
        const sum = { total: 0, apprentis: 0, rupturants: 0, aRisque: 0, moins45j: 0 };
        for (const l of r.repartition!.lignes) {
          sum.total += l.compteurs.total;
          sum.apprentis += l.compteurs.apprentis;
          sum.rupturants += l.compteurs.rupturants;
          sum.aRisque += l.compteurs.aRisque;
          sum.moins45j += l.compteurs.rupturantsParDuree.moins45j;
        }
        expect({ by, date, sum }).toEqual({
          by,
          date,
          sum: {
            total: total.total,
            apprentis: total.apprentis,
            rupturants: total.rupturants,
            aRisque: total.aRisque,
            moins45j: total.rupturantsParDuree.moins45j,
          },
        });
      }
    }
  });

  it("makes each series point equal to the counters at its date", async () => {
    for (const filters of [{}, { region: ["84"] }, { niveau: [3], sexe: ["F" as const] }]) {
      const s = await serieMensuelle(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters });
      expect(s.points).toHaveLength(24);
      for (const p of [s.points[0], s.points[11], s.points[22], s.points[23]]) {
        expect(p.compteurs).toEqual((await both({ scope: NATIONAL, date: p.date, filters })).compteurs);
      }
    }
  });

  it("gives the same figures from the aggregates and from the periods for random filters", async () => {
    const random = mulberry32(3);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const orgs = await t.database.rows<{
      siret: string;
      uai: string | null;
      region_code: string;
      departement_code: string;
      reseaux: string[];
    }>(
      sql`select siret, uai, region_code, departement_code, reseaux from organismes where nature <> 'lieu' and departement_code is not null`,
    );
    const cfds = (await t.database.rows<{ cfd: string }>(sql`select cfd from formations where cfd is not null`)).map(
      (r) => r.cfd,
    );
    const reseaux = [...new Set(orgs.flatMap((o) => o.reseaux))];
    const dates = [TODAY, "2025-09-30", "2025-04-30", "2024-11-30", "2025-05-17"];
    for (let i = 0; i < 40; i++) {
      const filters: IndicateursFilters = {};
      const o = pick(orgs);
      if (random() < 0.4) filters.region = [o.region_code];
      else if (random() < 0.3) filters.departement = [o.departement_code];
      if (random() < 0.3) filters.niveau = [pick([3, 4, 5, 6, 7])];
      if (random() < 0.3) filters.sexe = [pick(["M", "F"] as const)];
      if (random() < 0.2) filters.trancheAge = [pick([...TRANCHES_AGE])];
      if (random() < 0.2) filters.anneeFormation = [pick([1, 2, 3])];
      if (random() < 0.1) filters.rqth = random() < 0.5;
      if (random() < 0.15) filters.organisme = [random() < 0.5 || !o.uai ? o.siret : o.uai];
      if (random() < 0.15 && reseaux.length) filters.reseau = [pick(reseaux)];
      if (random() < 0.1) filters.nature = [pick(["formateur", "responsable_formateur"] as const)];
      if (random() < 0.1) filters.cfd = [pick(cfds)];
      const by = random() < 0.5 ? pick([...REPARTITIONS]) : undefined;
      await both({ scope: NATIONAL, date: pick(dates), filters, by });
    }
  });

  it("keeps the aggregates maintained write after write equal to a full rebuild", async () => {
    const random = mulberry32(11);
    const candidates = await t.database.rows<{ id: number; contrat: number | null; debut: string | null }>(sql`
      select e.id, c.id as contrat, c.date_debut::text as debut from effectifs e
      left join contrats c on c.effectif_id = e.id and c.rang = 1
      where e.annee_scolaire in ('2025-2026', '2024-2025') order by e.id`);
    for (let batch = 0; batch < 5; batch++) {
      const chosen = Array.from({ length: 200 }, () => candidates[Math.floor(random() * candidates.length)]);
      await t.database.db.transaction(async (tx) => {
        for (const c of chosen) {
          const u = random();
          if (c.contrat !== null && u < 0.4) {
            await tx.execute(
              sql`update contrats set date_rupture = (date_debut + ${Math.floor(random() * 300) + 1}::int) where id = ${
                c.contrat
              }`,
            );
          } else if (c.contrat !== null && u < 0.6) {
            await tx.execute(sql`delete from contrats where id = ${c.contrat}`);
          } else if (u < 0.8) {
            await tx.execute(
              sql`update effectifs set date_exclusion_formation = date_entree_formation + ${Math.floor(
                random() * 200,
              )}::int where id = ${c.id}`,
            );
          } else if (u < 0.9) {
            await tx.execute(
              sql`update effectifs set sexe = case when sexe = 'F' then 'M' else 'F' end, date_de_naissance = date_de_naissance - 700 where id = ${c.id}`,
            );
          } else {
            await tx.execute(sql`delete from contrats where effectif_id = ${c.id}`);
            await tx.execute(sql`delete from effectif_statuts_erp where effectif_id = ${c.id}`);
            await tx.execute(sql`delete from effectifs where id = ${c.id}`);
          }
        }
        await refreshStatutStorage(
          tx,
          chosen.map((c) => c.id),
        );
      });
    }
    const incremental = await dumpAgregats(t.database);
    const jours = new Set(
      (await t.database.rows<{ jour: string }>(sql`select jour::text from indicateurs_jours`)).map((r) => r.jour),
    );
    await rebuildStatutStorage(t.database, { today: TODAY, recomputeParcours: true });
    const rebuilt = (await dumpAgregats(t.database)).filter((r) => jours.has((r as { jour: string }).jour));
    expect(rebuilt.length).toBe(incremental.length);
    expect(rebuilt).toEqual(incremental);
  });

  it("stores the periods and aggregates of learners new to the pipeline as a full rebuild does (no read back)", async () => {
    const random = mulberry32(23);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const orgs = await t.database.rows<{ id: number; siret: string; uai: string }>(
      sql`select id, siret, uai from organismes where uai is not null and nature = 'responsable_formateur' order by id limit 20`,
    );
    const cfds = (await t.database.rows<{ cfd: string }>(sql`select cfd from formations where cfd is not null order by cfd limit 50`)).map((r) => r.cfd);
    const day = (from: string, days: number) => new Date(Date.parse(from) + days * 86_400_000).toISOString().slice(0, 10);
    const periodes = async () =>
      t.database.rows(sql`select effectif_id, etat, debut::text, fin::text, debut_sans_contrat::text, organisme_formateur_id,
        organisme_responsable_id, formation_id, departement_code, niveau, annee_formation, sexe, rqth, date_de_naissance::text
        from statut_periodes order by effectif_id, debut`);
    let accepted = 0;
    const envois: { organismeId: number; items: Record<string, string | number | boolean | null>[] }[] = [];
    for (const org of orgs.slice(0, 6)) {
      const items = Array.from({ length: 60 }, (_, i) => {
        const annee = pick([2024, 2025]);
        const entree = day(`${annee}-09-01`, Math.floor(random() * 60));
        const contrat = random() < 0.8 ? day(entree, Math.floor(random() * 120) - 30) : null;
        return {
          nom_apprenant: "Nouveau",
          prenom_apprenant: `Apprenant ${i}`,
          date_de_naissance_apprenant: day("2003-01-01", Math.floor(random() * 3000)),
          annee_scolaire: `${annee}-${annee + 1}`,
          id_erp_apprenant: `pipeline-${org.id}-${i}`,
          date_inscription_formation: entree,
          date_entree_formation: entree,
          date_fin_formation: day(entree, 300 + Math.floor(random() * 500)),
          etablissement_responsable_uai: org.uai,
          etablissement_responsable_siret: org.siret,
          etablissement_formateur_uai: org.uai,
          etablissement_formateur_siret: org.siret,
          formation_cfd: random() < 0.8 ? pick(cfds) : random() < 0.5 ? "99999999" : null,
          annee_formation: random() < 0.8 ? pick([1, 2, 3]) : null,
          sexe_apprenant: pick(["M", "F", null]),
          rqth_apprenant: pick([true, false, null]),
          // a recognition before the entry, or during the formation (its périodes are cut there)
          date_rqth_apprenant: random() < 0.5 ? day(entree, Math.floor(random() * 400) - 100) : null,
          date_exclusion_formation: random() < 0.1 ? day(entree, Math.floor(random() * 200)) : null,
          contrat_date_debut: contrat,
          contrat_date_fin: contrat ? day(contrat, 700) : null,
          contrat_date_rupture: contrat && random() < 0.3 ? day(contrat, Math.floor(random() * 300)) : null,
          contrat_date_debut_2: contrat && random() < 0.2 ? day(contrat, 320) : null,
        };
      });
      const result = await ingestDossiers(t.database, items, { organismeId: org.id, source: "API" });
      accepted += result.nbAccepted;
      envois.push({ organismeId: org.id, items });
    }
    expect(accepted).toBeGreaterThan(300);
    // a later transmission moves the RQTH dates of some learners: their stored périodes are cut again
    for (const envoi of envois.slice(0, 2)) {
      const items = envoi.items.map((item) =>
        item.rqth_apprenant ? { ...item, date_rqth_apprenant: random() < 0.5 ? day(String(item.date_entree_formation), 150) : null } : item,
      );
      await ingestDossiers(t.database, items, { organismeId: envoi.organismeId, source: "API" });
    }
    const incremental = { periodes: await periodes(), agregats: await dumpAgregats(t.database) };
    const jours = new Set((await t.database.rows<{ jour: string }>(sql`select jour::text from indicateurs_jours`)).map((r) => r.jour));
    await rebuildStatutStorage(t.database, { today: TODAY, recomputeParcours: true });
    const rebuilt = {
      periodes: await periodes(),
      agregats: (await dumpAgregats(t.database)).filter((r) => jours.has((r as { jour: string }).jour)),
    };
    expect(rebuilt.periodes.length).toBe(incremental.periodes.length);
    expect(rebuilt).toEqual(incremental);
  });

  it("migration 0015 cuts the périodes stored before the RQTH at the date as the storage now writes them", async () => {
    type P = { effectif_id: number; debut: string; fin: string; rqth: boolean; etat: number; debut_sans_contrat: string | null; date_rqth: string | null };
    const lire = () =>
      t.database.rows<P>(sql`select p.effectif_id, p.debut::text, p.fin::text, p.rqth, p.etat, p.debut_sans_contrat::text,
          e.date_rqth::text as date_rqth
        from statut_periodes p join effectifs e on e.id = p.effectif_id where e.rqth order by p.effectif_id, p.debut`);
    const attendues = await lire();
    const coupees = attendues.filter((p) => p.rqth && p.debut === p.date_rqth);
    expect(coupees.length).toBeGreaterThan(5);
    const jours = (await t.database.rows<{ jour: string }>(sql`select jour::text from indicateurs_jours order by 1`)).map((r) => r.jour);
    const agregats = await dumpAgregats(t.database);

    // the périodes as they were stored before: a learner declared RQTH was RQTH over every période, none cut
    await t.database.db.transaction(async (tx) => {
      for (const b of coupees) {
        const a = attendues.find((p) => p.effectif_id === b.effectif_id && p.fin < b.debut && !p.rqth && p.etat === b.etat && p.debut_sans_contrat === b.debut_sans_contrat);
        if (!a || a.fin !== new Date(Date.parse(b.debut) - 86_400_000).toISOString().slice(0, 10)) continue;
        await tx.execute(sql`delete from statut_periodes where effectif_id = ${b.effectif_id} and debut = ${b.debut}::date`);
        await tx.execute(sql`update statut_periodes set fin = ${b.fin}::date where effectif_id = ${a.effectif_id} and debut = ${a.debut}::date`);
      }
      await tx.execute(sql`update statut_periodes p set rqth = true from effectifs e where e.id = p.effectif_id and e.rqth`);
    });
    expect(await lire()).not.toEqual(attendues);

    const { readFileSync } = await import("node:fs");
    const migration = readFileSync(new URL("../../db/migrations/0015_rqth_a_la_date.sql", import.meta.url), "utf8");
    for (const instruction of migration.split("--> statement-breakpoint")) await t.database.rows(sql.raw(instruction));

    expect(await lire()).toEqual(attendues);
    // the aggregates were emptied, and the days rebuilt on demand give the same figures
    expect(await t.database.rows(sql`select jour from indicateurs_jours`)).toEqual([]);
    const { materialiserJours } = await import("../../app/statut/storage.server");
    await materialiserJours(t.database, jours, { today: TODAY });
    const refaits = (await dumpAgregats(t.database)).filter((r) => jours.includes((r as { jour: string }).jour));
    expect(refaits).toEqual(agregats.filter((r) => jours.includes((r as { jour: string }).jour)));
    // and a refresh of every learner finds nothing to change
    const ids = (await t.database.rows<{ id: number }>(sql`select id from effectifs where rqth`)).map((r) => r.id);
    expect((await t.database.db.transaction((tx) => refreshStatutStorage(tx, ids))).periodesModifiees).toBe(0);
  });
});
