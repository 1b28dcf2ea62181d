/**
 * Benchmark of the indicator module on PostgreSQL:
 *   DATABASE_URL=postgres://… npx tsx scripts/bench-indicateurs.ts [--effectifs 3000000] [--runs 30] [--today AAAA-MM-JJ]
 *     [--rebuild]
 *
 * The database must hold a dataset; when its effectifs table is empty the script loads the demo dataset itself
 * (seedDemo, then rebuildStatutStorage), when only the statut storage is empty (or with --rebuild) it rebuilds it.
 * Then, in the same run: one `select count(*) from effectifs` sequential scan (the yardstick, timed 5 times),
 * and p50 / p95 over `--runs` runs with varied parameters of: a national query, a regional query with three
 * filters, a breakdown by département, a 24-month series — plus, for information, queries answered from the
 * periods table (CFD filter, breakdown by formation, a date that is not materialised) and the cost of the refresh
 * on write (2,000 effectifs whose contracts changed, rolled back).
 */
import { sql } from "drizzle-orm";
import { migrate, openDatabase, type Database } from "../db/client.server";
import { ensureTerritories } from "../app/referentiel/territoires.server";
import { seedDemo } from "../app/demo/seed.server";
import { materialiserJours, rebuildStatutStorage, refreshStatutStorage } from "../app/statut/storage.server";
import { indicateurs, serieMensuelle } from "../app/indicateurs/indicateurs.server";
import { datesSerie, REGIONS, type IndicateursFilters } from "../app/indicateurs/filters";
import { addDays } from "../app/statut/days";
import { todayIso } from "../app/statut/annee-scolaire";
import { percentile } from "./mesures";
import { NATIONAL } from "../app/auth/policy.server";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const EFFECTIFS = Number(arg("effectifs", "3000000"));
const RUNS = Number(arg("runs", "30"));
const TODAY = arg("today", todayIso());

function log(message: string) {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

interface Mesure {
  nom: string;
  p50: number;
  p95: number;
  max: number;
  runs: number;
  sources?: string;
}

async function mesurer(nom: string, runs: number, run: (i: number) => Promise<string | void>): Promise<Mesure> {
  await run(0); // warm-up (plans, caches)
  const times: number[] = [];
  const sources = new Set<string>();
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const source = await run(i + 1);
    times.push(performance.now() - started);
    if (source) sources.add(source);
  }
  times.sort((a, b) => a - b);
  const m = {
    nom,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    max: times[times.length - 1],
    runs,
    sources: [...sources].join(","),
  };
  log(`${nom}: p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms`);
  return m;
}

async function preparer(database: Database): Promise<void> {
  const [{ n }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from effectifs`);
  if (n === 0) {
    log(`base vide : chargement de ${EFFECTIFS.toLocaleString("fr-FR")} effectifs de démonstration (today ${TODAY})`);
    await ensureTerritories(database);
    let last = 0;
    const seeded = await seedDemo(database, {
      effectifs: EFFECTIFS,
      seed: 1,
      today: TODAY,
      onProgress: (p) => {
        if (p.effectifs - last >= 250_000 || p.phase !== "effectifs") {
          last = p.effectifs;
          log(`seed ${p.phase} ${p.effectifs}/${p.total}`);
        }
      },
    });
    log(`seed : ${seeded.effectifs} effectifs, ${seeded.contrats} contrats en ${seeded.seconds.toFixed(0)} s`);
  }
  const [{ p }] = await database.rows<{ p: number }>(
    sql`select count(*)::int as p from (select 1 from statut_periodes limit 1) x`,
  );
  if (p === 0 || process.argv.includes("--rebuild")) {
    log("reconstruction du stockage des statuts");
    let lastLog = 0;
    const r = await rebuildStatutStorage(database, {
      today: TODAY,
      onProgress: (pr) => {
        if (Date.now() - lastLog > 15_000 || pr.phase !== "periodes") {
          lastLog = Date.now();
          log(`rebuild ${pr.phase} ${pr.fait}/${pr.total}`);
        }
      },
    });
    log(
      `rebuild : ${r.effectifs} effectifs, ${r.periodes} périodes, ${r.jours} jours en ${(r.ms / 1000).toFixed(0)} s`,
    );
  }
}

async function main() {
  if (!process.env.DATABASE_URL) {
    console.error("DATABASE_URL doit désigner une base PostgreSQL (le banc ne tourne pas sur PGlite).");
    process.exit(2);
  }
  const database = await openDatabase({ max: 4 });
  await migrate(database);
  await preparer(database);

  const sizes = await database.rows<Record<string, string>>(sql`
    select (select count(*) from effectifs)::text as effectifs,
      (select count(*) from statut_periodes)::text as periodes,
      (select count(*) from indicateurs_jours)::text as jours,
      pg_size_pretty(pg_total_relation_size('effectifs')) as taille_effectifs,
      pg_size_pretty(pg_total_relation_size('statut_periodes')) as taille_periodes,
      pg_size_pretty(pg_total_relation_size('indicateurs_agregats_departement') + pg_total_relation_size('indicateurs_agregats_demographie')
        + pg_total_relation_size('indicateurs_agregats_organisme') + pg_total_relation_size('indicateurs_agregats_formation'))
        as taille_agregats,
      (select count(*) from indicateurs_agregats_departement)::text as lignes_departement,
      (select count(*) from indicateurs_agregats_demographie)::text as lignes_demographie,
      (select count(*) from indicateurs_agregats_organisme)::text as lignes_organisme,
      (select count(*) from indicateurs_agregats_formation)::text as lignes_formation`);
  log(`données : ${JSON.stringify(sizes[0])}`);

  // Materialise the days the dashboards ask for (a no-op when the rebuild did it): the first query of a new day
  // pays this once.
  const serie = datesSerie(TODAY).map((p) => p.date);
  let started = performance.now();
  const built = await materialiserJours(database, serie, { today: TODAY });
  const materialisation = performance.now() - started;
  log(`jours matérialisés à la demande : ${built.join(", ") || "aucun"} (${materialisation.toFixed(0)} ms)`);
  const days = [...serie.slice(-13)];

  // What building one day costs (what preparerJours does once a day, ahead of time): the day after tomorrow,
  // built then forgotten.
  const apresDemain = addDays(TODAY, 2);
  started = performance.now();
  await materialiserJours(database, [apresDemain], { today: addDays(TODAY, 1) });
  const construction = performance.now() - started;
  for (const table of [
    "indicateurs_agregats_departement",
    "indicateurs_agregats_demographie",
    "indicateurs_agregats_organisme",
    "indicateurs_jours",
  ]) {
    await database.rows(sql`delete from ${sql.raw(table)} where jour = ${apresDemain}::date`);
  }
  log(`construction d'un jour : ${construction.toFixed(0)} ms`);

  // The yardstick: a sequential scan of effectifs.
  const scans: number[] = [];
  let plan = "";
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_indexonlyscan = off`);
    await tx.execute(sql`set local enable_indexscan = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    const explain = (await tx.execute(sql`explain select count(*) from effectifs`)) as unknown as {
      "QUERY PLAN": string;
    }[];
    plan = Array.from(explain)
      .map((r) => r["QUERY PLAN"].trim())
      .filter((l) => /Scan/.test(l))
      .join(" / ");
    for (let i = 0; i < 6; i++) {
      started = performance.now();
      await tx.execute(sql`select count(*) from effectifs`);
      if (i > 0) scans.push(performance.now() - started);
    }
  });
  scans.sort((a, b) => a - b);
  const scan = percentile(scans, 50);
  log(`count(*) effectifs (${plan}) : médiane ${scan.toFixed(0)} ms sur ${scans.length}`);

  const metro = REGIONS.filter((r) => Number(r) >= 11);
  const niveaux = [3, 4, 5, 6, 7];
  const mesures: Mesure[] = [];
  mesures.push(
    await mesurer(
      "nationale",
      RUNS,
      async (i) => (await indicateurs(database, { scope: NATIONAL, date: days[i % days.length], today: TODAY })).source,
    ),
  );
  mesures.push(
    await mesurer("régionale, 3 filtres (région, niveau, sexe)", RUNS, async (i) => {
      const filters: IndicateursFilters = {
        region: [metro[i % metro.length]],
        niveau: [niveaux[i % niveaux.length]],
        sexe: [i % 2 ? "F" : "M"],
      };
      return (await indicateurs(database, { scope: NATIONAL, date: days[(i * 7) % days.length], today: TODAY, filters })).source;
    }),
  );
  mesures.push(
    await mesurer(
      "répartition par département",
      RUNS,
      async (i) =>
        (
          await indicateurs(database, { scope: NATIONAL, date: days[i % days.length], today: TODAY, by: "departement" })
        ).source,
    ),
  );
  mesures.push(
    await mesurer("série 24 mois", RUNS, async (i) => {
      const filters: IndicateursFilters = i % 3 === 0 ? {} : { region: [metro[i % metro.length]] };
      await serieMensuelle(database, { scope: NATIONAL, date: TODAY, today: TODAY, filters });
      return "agregats";
    }),
  );
  // For information: what the aggregates do not cover.
  const cfds = (
    await database.rows<{ cfd: string }>(sql`
    select f.cfd from formations f where f.cfd is not null order by f.id limit 50`)
  ).map((r) => r.cfd);
  const info: Mesure[] = [];
  info.push(
    await mesurer("(info) série 24 mois, région + niveau + sexe", 10, async (i) => {
      await serieMensuelle(database, { scope: NATIONAL,
        date: TODAY,
        today: TODAY,
        filters: { region: [metro[i % metro.length]], niveau: [niveaux[i % 5]], sexe: ["F"] },
      });
    }),
  );
  info.push(
    await mesurer(
      "(info) filtre CFD, national",
      10,
      async (i) =>
        (
          await indicateurs(database, { scope: NATIONAL,
            date: days[i % days.length],
            today: TODAY,
            filters: { cfd: [cfds[i % cfds.length]] },
          })
        ).source,
    ),
  );
  info.push(
    await mesurer(
      "(info) répartition par formation, une région (périodes)",
      10,
      async (i) =>
        (
          await indicateurs(database, { scope: NATIONAL,
            date: days[i % days.length],
            today: TODAY,
            by: "formation",
            filters: { region: [metro[i % metro.length]] },
          })
        ).source,
    ),
  );
  info.push(
    await mesurer(
      "(info) répartition par formation, nationale",
      10,
      async (i) => (await indicateurs(database, { scope: NATIONAL, date: days[i % days.length], today: TODAY, by: "formation" })).source,
    ),
  );
  info.push(
    await mesurer(
      "(info) répartition par organisme, nationale",
      10,
      async (i) => (await indicateurs(database, { scope: NATIONAL, date: days[i % days.length], today: TODAY, by: "organisme" })).source,
    ),
  );
  info.push(
    await mesurer(
      "(info) date non matérialisée, nationale (périodes)",
      5,
      async (i) =>
        (
          await indicateurs(database, { scope: NATIONAL,
            date: `${TODAY.slice(0, 7)}-0${1 + (i % 5)}` < TODAY ? `${TODAY.slice(0, 7)}-0${1 + (i % 5)}` : days[0],
            today: TODAY,
            materialiser: false,
          })
        ).source,
    ),
  );

  // The refresh on write, in a transaction rolled back: 2,000 effectifs of the current school year, either those
  // of the biggest CFAs (an API batch comes from one CFA) or scattered over every CFA (worst case), unchanged
  // (the nightly resend) or whose first contract gets a rupture.
  const lots = {
    "un CFA": (
      await database.rows<{ id: number }>(sql`
      with annee as (select max(annee_scolaire) as a from effectifs),
      gros as (
        select organisme_formateur_id, count(*) as n from effectifs where annee_scolaire = (select a from annee)
        group by 1 order by 2 desc limit 10
      )
      select e.id from effectifs e join gros g using (organisme_formateur_id)
      join contrats c on c.effectif_id = e.id and c.rang = 1
      where e.annee_scolaire = (select a from annee)
      order by g.n desc, e.organisme_formateur_id, e.id
      limit 2000`)
    ).map((r) => Number(r.id)),
    dispersés: (
      await database.rows<{ id: number }>(sql`
      select e.id from effectifs e join contrats c on c.effectif_id = e.id and c.rang = 1
      where e.annee_scolaire = (select max(annee_scolaire) from effectifs) and e.id % 7 = 3 order by e.id limit 2000`)
    ).map((r) => Number(r.id)),
  };
  const refresh: Record<string, number> = {};
  for (const [lot, ids] of Object.entries(lots)) {
    for (const change of [false, true]) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        await database.db
          .transaction(async (tx) => {
            if (change) {
              await tx.execute(sql`update contrats set date_rupture = date_debut + ${30 + i}::int
                where rang = 1 and effectif_id = any(${`{${ids.join(",")}}`}::int[])`);
            }
            const t0 = performance.now();
            await refreshStatutStorage(tx, ids);
            times.push(performance.now() - t0);
            throw new Rollback();
          })
          .catch((e) => {
            if (!(e instanceof Rollback)) throw e;
          });
      }
      times.sort((a, b) => a - b);
      const key = `${ids.length} effectifs ${lot}, ${change ? "contrats modifiés" : "inchangés"}`;
      refresh[key] = percentile(times, 50);
      log(`refresh de ${key} : médiane ${refresh[key].toFixed(0)} ms`);
    }
  }

  const rows = [...mesures, ...info].map((m) => ({
    requête: m.nom,
    runs: m.runs,
    "p50 ms": Number(m.p50.toFixed(1)),
    "p95 ms": Number(m.p95.toFixed(1)),
    "max ms": Number(m.max.toFixed(1)),
    source: m.sources,
  }));
  console.log(`\nDonnées : ${JSON.stringify(sizes[0])}`);
  console.log(`count(*) séquentiel sur effectifs (${plan}) : ${scan.toFixed(1)} ms (médiane de ${scans.length})`);
  console.table(rows);
  const ok = mesures.every((m) => m.p95 < 150 && m.p95 < scan);
  console.log(
    `Objectif (chaque requête plus rapide que le count(*), p95 < 150 ms) : ${ok ? "atteint" : "NON atteint"}.` +
      ` Matérialisation à la demande : ${materialisation.toFixed(
        0,
      )} ms ; construction d'un jour : ${construction.toFixed(0)} ms.`,
  );
  console.log("Refresh à l'écriture (médiane de 5, transaction annulée) :");
  for (const [key, ms] of Object.entries(refresh)) {
    console.log(
      `  ${key} : ${ms.toFixed(0)} ms (${Math.round((2000 / ms) * 1000).toLocaleString("fr-FR")} effectifs/s)`,
    );
  }
  await database.close();
}

class Rollback extends Error {}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
