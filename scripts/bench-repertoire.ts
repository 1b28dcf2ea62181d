/**
 * Benchmark of the répertoire's search, the anomalies page and the catalogue's search (decision 029): fills a
 * database with a large référentiel when it has none — N organismes « lieu » (France has many more SIRETs than CFAs),
 * 3 000 CFA and 20 000 formations — then runs what the pages' loaders run (`/organismes?q=…`: the page, its count and
 * the filters' choices; `/referentiel/anomalies`; `/formations?q=…`) N times each, one after the other, and prints
 * p50 / p95 / max in ms, next to a baseline measured in the same run (`select count(*) from organismes`).
 *
 *   DATABASE_URL=postgres://…/base npx tsx scripts/bench-repertoire.ts [--lieux 150000] [--n 20]
 *   PGLITE_DIR=/tmp/bench-pglite npx tsx scripts/bench-repertoire.ts        (PGlite: a folder of its own)
 */
import { sql } from "drizzle-orm";
import { getDatabase, unnestArrays, type Database } from "../db/client.server";
import { ensureTerritories } from "../app/referentiel/territoires.server";
import { filtresDuRepertoire, listOrganismes } from "../app/referentiel/repertoire.server";
import { listAnomalies } from "../app/referentiel/anomalies.server";
import { listFormations } from "../app/referentiel/catalogue.server";
import { formationsQuerySchema, organismesQuerySchema } from "../app/referentiel/filtres.server";
import { luhnCompletion, uaiCheckLetter } from "../app/referentiel/codes";
import { pageOrLast } from "../app/shared/pagination";
import type { Viewer } from "../app/auth/policy.server";
import { percentile } from "./mesures";

interface Options {
  lieux: number;
  n: number;
  warmup: number;
}

function options(argv: string[]): Options {
  const o: Options = { lieux: 150_000, n: 20, warmup: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--lieux") o.lieux = Number(argv[++i]);
    else if (a === "--n") o.n = Number(argv[++i]);
    else if (a === "--warmup") o.warmup = Number(argv[++i]);
    else throw new Error(`Argument inconnu : ${a}`);
  }
  if (!Number.isInteger(o.n) || o.n < 1) throw new Error("--n : entier positif attendu");
  return o;
}

/** Inserts rows (arrays of column values) by batches of 10 000, each batch one `insert … select from unnest(…)`. */
async function inserer(database: Database, table: string, columns: string[], types: string[], rows: (string | number | null)[][]) {
  for (let i = 0; i < rows.length; i += 10_000) {
    const batch = rows.slice(i, i + 10_000);
    const arrays = columns.map((_, j) => batch.map((r) => r[j]));
    await database.rows(sql`insert into ${sql.raw(table)} (${sql.raw(columns.join(", "))}) select * from ${unnestArrays(arrays, types)}`);
  }
}

/** 13 digits and their Luhn key: a valid SIRET. */
const avecCle = (debut: string) => debut + luhnCompletion(debut);

/** A deterministic référentiel: `lieux` lieux de formation, 3 000 CFA (some with an anomaly), 20 000 formations. */
async function remplir(database: Database, lieux: number): Promise<void> {
  await ensureTerritories(database);
  // each département with one of its communes (the search reads the commune's name, decision 038)
  const deps = await database.rows<{ code: string; region_code: string; academie_code: string; commune: string | null }>(
    sql`select d.code, d.region_code, d.academie_code, (select min(c.code) from communes c where c.departement_code = d.code and c.type = 'commune-actuelle') as commune
        from departements d order by d.code`,
  );
  const villes = ["Lyon", "Paris", "Nancy", "Vandœuvre-lès-Nancy", "Saint-Étienne", "Besançon", "Orléans", "Évry", "L'Haÿ-les-Roses", "Montréal"];
  const lignes: (string | null)[][] = [];
  const ligne = (siret: string, uai: string | null, nature: string, raison: string, enseigne: string | null, k: number) => {
    const d = deps[k % deps.length];
    lignes.push([siret, uai, nature, raison, enseigne, d.code, d.region_code, d.academie_code, d.commune]);
  };
  for (let i = 0; i < 3000; i++) {
    const siret = avecCle(`7${String(i).padStart(12, "0")}`);
    const seven = String(1_000_000 + i * 7);
    const uai = i % 97 === 0 ? `${seven}A` : `${seven}${uaiCheckLetter(seven)}`; // ~1 % of invalid UAIs
    const nature = i % 50 === 0 ? "inconnue" : i % 3 === 0 ? "responsable" : "responsable_formateur";
    ligne(siret, uai, nature, `CFA ${["des métiers", "de l'Industrie", "Bâtiment", "Œuvre des apprentis", "Chambre de commerce"][i % 5]} ${villes[i % villes.length]} ${i}`, i % 4 === 0 ? `École ${i}` : null, i);
  }
  for (let i = 0; i < lieux; i++) {
    const siret = i % 1000 === 0 ? `9${String(i).padStart(13, "0")}` : avecCle(`8${String(i).padStart(12, "0")}`);
    ligne(siret, null, "lieu", `Lieu de formation n°${i}`, null, i);
  }
  const columns = ["siret", "uai", "nature", "raison_sociale", "enseigne", "departement_code", "region_code", "academie_code", "code_commune"];
  await inserer(database, "organismes", columns, columns.map(() => "text"), lignes);
  const formations: (string | number | null)[][] = [];
  const metiers = ["Électricien", "Maçon", "Cuisinier", "Boulanger", "Pâtissier", "Mécanicien", "Coiffure", "Commerce", "Réparation des carrosseries", "Équipier polyvalent"];
  for (let i = 0; i < 20_000; i++) {
    const cfd = `5${String(i).padStart(7, "0")}`;
    formations.push([cfd, null, 3 + (i % 5), `${["CAP", "BP", "BTS", "Titre pro", "Licence pro"][i % 5]} ${metiers[i % metiers.length]} ${i}`]);
  }
  await inserer(database, "formations", ["cfd", "rncp", "niveau", "intitule_long"], ["text", "text", "smallint", "text"], formations);
  await database.rows(sql`analyze`);
}

async function mesurer(fn: () => Promise<unknown>, n: number, warmup: number) {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times) };
}

async function main() {
  const o = options(process.argv.slice(2));
  const database = await getDatabase();
  const [{ n }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from organismes`);
  if (n === 0) {
    const t0 = performance.now();
    await remplir(database, o.lieux);
    console.log(`Référentiel créé en ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const [{ organismes, formations }] = await database.rows<{ organismes: number; formations: number }>(
    sql`select (select count(*)::int from organismes) as organismes, (select count(*)::int from formations) as formations`,
  );
  console.log(`Base : ${database.kind}, ${organismes} organismes, ${formations} formations ; ${o.n} mesures par ligne (ms)\n`);

  const admin: Viewer = { userId: 1, organisationType: "ADMINISTRATEUR", scope: { kind: "national" } };
  const dreets: Viewer = { userId: 2, organisationType: "DREETS", scope: { kind: "region", code: "84" } };
  /** What /organismes's loader runs: the page (or the last one), its count, the filters' choices. */
  const repertoire = (viewer: Viewer, params: Record<string, string>) => async () => {
    const query = organismesQuerySchema.parse(params);
    const [page] = await Promise.all([
      pageOrLast(query.page, (p) => listOrganismes(database, viewer, { ...query, page: p })),
      filtresDuRepertoire(database, viewer),
    ]);
    return page.pagination.total;
  };
  const catalogue = (params: Record<string, string>) => async () => (await listFormations(database, formationsQuerySchema.parse(params))).pagination.total;
  const anomalies = (viewer: Viewer) => async () => (await pageOrLast(1, (page) => listAnomalies(database, viewer, { page, limit: 50 }))).pagination.total;

  const cas: [string, () => Promise<unknown>][] = [
    ["référence : select count(*) from organismes", async () => database.rows(sql`select count(*) from organismes`)],
    ["/organismes (sans recherche)", repertoire(admin, {})],
    ["/organismes?q=Lieu de formation n°149999", repertoire(admin, { q: "Lieu de formation n°149999" })],
    ["/organismes?q=149999", repertoire(admin, { q: "149999" })],
    ["/organismes?q=zzzzzz", repertoire(admin, { q: "zzzzzz" })],
    ["/organismes?q=CFA", repertoire(admin, { q: "CFA" })],
    ["/organismes?q=cfa lyon (DREETS 84)", repertoire(dreets, { q: "cfa lyon" })],
    ["/organismes?q=vandoeuvre les", repertoire(admin, { q: "vandoeuvre les" })],
    ["/organismes?q=saint (noms de communes)", repertoire(admin, { q: "saint" })],
    ["/organismes?q=cfa abergement (commune)", repertoire(admin, { q: "cfa abergement" })],
    ["/organismes?q=lieu&page=500", repertoire(admin, { q: "lieu", page: "500" })],
    ["/referentiel/anomalies (national)", anomalies(admin)],
    ["/referentiel/anomalies (DREETS 84)", anomalies(dreets)],
    ["/formations?q=cap electricien", catalogue({ q: "cap electricien" })],
    ["/formations?q=zzzzzz", catalogue({ q: "zzzzzz" })],
  ];
  const largeur = Math.max(...cas.map(([nom]) => nom.length));
  console.log(`${"".padEnd(largeur)}  ${"résultats".padStart(9)}  ${"p50".padStart(7)}  ${"p95".padStart(7)}  ${"max".padStart(7)}`);
  for (const [nom, fn] of cas) {
    const resultat = await fn();
    const total = typeof resultat === "number" ? String(resultat) : "";
    const m = await mesurer(fn, o.n, o.warmup);
    console.log(`${nom.padEnd(largeur)}  ${total.padStart(9)}  ${m.p50.toFixed(1).padStart(7)}  ${m.p95.toFixed(1).padStart(7)}  ${m.max.toFixed(1).padStart(7)}`);
  }
  await database.close();
}

main().catch((error) => {
  console.error(error instanceof Error ? `${error.message.slice(0, 500)}\n${String(error.cause ?? "").slice(0, 500)}` : error);
  process.exit(1);
});
