/**
 * Benchmark of the dashboard pages: serves the built app against DATABASE_URL (a seeded dataset:
 * `npm run cli -- seed --effectifs 3000000`, which also rebuilds the indicator storage), requests each page N times
 * one after the other and prints the p50 / p95 / max server response time (first byte to last byte of the
 * decompressed body, as a browser gets it), next to a baseline measured in the same run (`/healthz`: one `select 1`
 * through the same server), and the JavaScript each page loads (the `/build/*.js` modules it preloads, gzipped).
 *
 *   DATABASE_URL=postgres://… npx tsx scripts/bench-pages.ts [--n 200] [--warmup 5] [--sans-cache] [--admin]
 *
 * --sans-cache   turn off the dashboards' caches (charts' server-rendered SVG, TABLEAUX_SVG_CACHE=0; indicator
 *                results, TABLEAUX_CACHE_SECONDES=0): every request computes and renders everything, as the first
 *                visit of a page with new filters does.
 * --admin        also measure the pages of a signed-in national administrator (départements maps, tables by
 *                organisme): creates the account bench-admin@bench.test in that database if it is missing.
 */
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { getDatabase } from "../db/client.server";
import { buildIfNeeded } from "./build-if-needed";
import { percentile } from "./mesures";

interface Options {
  n: number;
  warmup: number;
  sansCache: boolean;
  admin: boolean;
}

function options(argv: string[]): Options {
  const o: Options = { n: 200, warmup: 5, sansCache: false, admin: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--n") o.n = Number(argv[++i]);
    else if (a === "--warmup") o.warmup = Number(argv[++i]);
    else if (a === "--sans-cache") o.sansCache = true;
    else if (a === "--admin") o.admin = true;
    else throw new Error(`Argument inconnu : ${a}`);
  }
  if (!Number.isInteger(o.n) || o.n < 1) throw new Error("--n : entier positif attendu");
  return o;
}

async function mesurer(url: string, headers: Record<string, string>, n: number, warmup: number) {
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < warmup; i++) await (await fetch(url, { headers, redirect: "manual" })).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const response = await fetch(url, { headers, redirect: "manual" });
    const body = await response.arrayBuffer();
    times.push(performance.now() - t0);
    status = response.status;
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  return { status, bytes, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] };
}

/** The page's JavaScript: every /build/*.js it preloads or imports, gzipped (level 6, as the server's compression). */
async function javascript(url: string, headers: Record<string, string>): Promise<{ modules: number; gzip: number; brut: number }> {
  const html = await (await fetch(url, { headers })).text();
  const files = new Set<string>();
  for (const m of html.matchAll(/(?:href|src)="(\/build\/[^"]+\.js)"/g)) files.add(m[1]);
  for (const m of html.matchAll(/import\s*(?:\*\s*as\s*\w+\s*from\s*)?"(\/build\/[^"]+\.js)"/g)) files.add(m[1]);
  let gzip = 0;
  let brut = 0;
  for (const f of files) {
    const bytes = fs.readFileSync(path.join("public", f));
    brut += bytes.length;
    gzip += gzipSync(bytes, { level: 6 }).length;
  }
  return { modules: files.size, gzip, brut };
}

async function sessionAdmin(database: Awaited<ReturnType<typeof getDatabase>>): Promise<string> {
  const { findUserByEmail, createUser } = await import("../app/auth/accounts.server");
  const { createSession } = await import("../app/auth/session.server");
  const email = "bench-admin@bench.test";
  const user = (await findUserByEmail(database, email)) ?? (await createUser(database, { email, password: "Banc-d-essai-pages-2026", organisation: { type: "ADMINISTRATEUR" } })).user;
  const setCookie = await createSession(database, user.id, new Request("http://localhost/"));
  return setCookie.split(";")[0];
}

const ko = (n: number) => `${(n / 1024).toFixed(0)} Ko`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main() {
  const o = options(process.argv.slice(2));
  if (!process.env.DATABASE_URL) console.warn("DATABASE_URL absent : base PGlite embarquée (.data/pglite).");
  if (o.sansCache) {
    process.env.TABLEAUX_SVG_CACHE = "0";
    process.env.TABLEAUX_CACHE_SECONDES = "0";
  }
  process.env.NODE_ENV = "production";
  buildIfNeeded();
  const database = await getDatabase();
  const { startServer } = await import("../server");
  const server = await startServer(database, 0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const [{ n: effectifs }] = await database.rows<{ n: number }>((await import("drizzle-orm")).sql`select count(*)::int as n from effectifs`);
  console.log(`Base : ${database.kind}, ${effectifs.toLocaleString("fr-FR")} effectifs ; ${o.n} requêtes par page après ${o.warmup} de chauffe${o.sansCache ? ", sans cache (SVG ni indicateurs)" : ", caches actifs (SVG ; indicateurs, vidés à chaque écriture)"}.`);

  const publiques = [
    { nom: "référence /healthz", url: "/healthz" },
    { nom: "national /", url: "/" },
    { nom: "régional /regions/84", url: "/regions/84" },
    { nom: "filtré /?niveau=4&sexe=F&age=moins_18", url: "/?niveau=4&sexe=F&age=moins_18" },
    { nom: "mois passé /?mois=2026-03&niveau=5", url: "/?mois=2026-03&niveau=5" },
  ];
  const visiteurs: { qui: string; headers: Record<string, string>; pages: typeof publiques }[] = [{ qui: "public", headers: {}, pages: publiques }];
  if (o.admin) {
    const cookie = await sessionAdmin(database);
    visiteurs.push({
      qui: "administrateur national",
      headers: { cookie },
      pages: [
        { nom: "national /", url: "/" },
        { nom: "régional /regions/84", url: "/regions/84" },
        { nom: "départemental /departements/69", url: "/departements/69" },
        { nom: "filtré /?niveau=4&sexe=F", url: "/?niveau=4&sexe=F" },
      ],
    });
  }
  const lignes: string[] = [];
  for (const v of visiteurs) {
    for (const p of v.pages) {
      const r = await mesurer(base + p.url, { "accept-encoding": "gzip", ...v.headers }, o.n, o.warmup);
      const js = p.url === "/healthz" ? null : await javascript(base + p.url, v.headers);
      const ligne = `${v.qui.padEnd(24)} ${p.nom.padEnd(48)} ${String(r.status).padEnd(4)} p50 ${ms(r.p50).padStart(9)}  p95 ${ms(r.p95).padStart(9)}  max ${ms(r.max).padStart(9)}  HTML ${ko(r.bytes).padStart(7)}${js ? `  JS ${ko(js.gzip)} gzip (${js.modules} modules, ${ko(js.brut)})` : ""}`;
      console.log(ligne);
      lignes.push(ligne);
    }
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await database.close();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
