/**
 * Memory of a référentiel import (decision 028): peak RSS and duration of `importOrganismes` on generated files, each
 * run in a child process of its own against a fresh PostgreSQL database (DATABASE_URL, a server: PGlite's own memory
 * would blur the figures).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx scripts/bench-import-memoire.ts [--dir /tmp/x] [cas…]
 *
 * Cases: `cellule` (182 Mo : one line whose raison sociale is 190 million « a »), `rejets` (87 Mo : 1 million lines,
 * all rejected for their SIRET), `valides` (9 Mo : 150 000 valid lines, created), `limite` (31 Mo : 500 000 valid
 * lines, the most an import reads). Files are generated once in --dir.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { luhnCompletion } from "../app/referentiel/codes";

const CASES = {
  cellule: "organismes-cellule-182mo.csv",
  rejets: "organismes-1m-rejets.csv",
  valides: "organismes-150k-valides.csv",
  limite: "organismes-500k-valides.csv",
} as const;
type Case = keyof typeof CASES;

async function write(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  let buffer = "";
  for (const line of lines) {
    buffer += line;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once("drain", () => r()));
      buffer = "";
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

function* cellule(): Generator<string> {
  yield "siret;raison_sociale\n90000001000141;";
  const chunk = "a".repeat(1_000_000);
  for (let k = 0; k < 190; k++) yield chunk;
  yield "\n";
}

function* rejets(): Generator<string> {
  yield "siret;uai;raison_sociale;adresse;code_postal;commune\n";
  for (let k = 0; k < 1_000_000; k++) {
    const partial = `9${String(k).padStart(12, "0")}`;
    const wrong = (Number(luhnCompletion(partial)) + 1) % 10; // a SIRET whose check digit is wrong
    yield `${partial}${wrong};;Organisme de formation numéro ${k};${k % 200} rue de la République;75001;Paris\n`;
  }
}

function* valides(count = 150_000): Generator<string> {
  yield "siret;raison_sociale;adresse;code_postal;commune\n";
  for (let k = 0; k < count; k++) {
    const partial = `8${String(k).padStart(12, "0")}`;
    yield `${partial}${luhnCompletion(partial)};Organisme ${k};${k % 200} rue Garibaldi;69003;Lyon\n`;
  }
}

async function one(file: string): Promise<void> {
  const { openDatabase } = await import("../db/client.server");
  const { importOrganismes } = await import("../app/referentiel/import-organismes.server");
  const database = await openDatabase({ url: process.env.DATABASE_URL, max: 4 });
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const before = process.memoryUsage().rss;
  const started = Date.now();
  let result: string;
  try {
    const bytes = new Uint8Array(readFileSync(file));
    const s = await importOrganismes(database, bytes, { fileName: path.basename(file) });
    result = `${s.lines} lignes, ${s.created} créés, ${s.rejected.length} rejets gardés, ${s.warnings.length} avertissements`;
  } catch (error) {
    result = `refusé : ${String((error as Error).message).slice(0, 300)}`;
  }
  const ms = Date.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(timer);
  await database.close();
  console.log(JSON.stringify({ before, peak, ms, result }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--one") return one(args[1]);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL (un serveur PostgreSQL) est nécessaire.");
  const dirAt = args.indexOf("--dir");
  const dir = dirAt >= 0 ? args.splice(dirAt, 2)[1] : "/tmp/bench-import-memoire";
  const cases = (args.length ? args : Object.keys(CASES)) as Case[];
  mkdirSync(dir, { recursive: true });
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const { migrate, openDatabase } = await import("../db/client.server");
  const { ensureTerritories } = await import("../app/referentiel/territoires.server");
  for (const c of cases) {
    const file = path.join(dir, CASES[c]);
    if (!existsSync(file)) await write(file, { cellule, rejets, valides, limite: () => valides(500_000) }[c]());
    const name = `bench_import_memoire_${process.pid}`;
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const database = await openDatabase({ url: u.toString(), max: 2 });
    await migrate(database);
    await ensureTerritories(database);
    await database.close();
    const output = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", process.argv[1], "--one", file], {
        env: { ...process.env, DATABASE_URL: u.toString() },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("close", (code) => resolve(code === 0 ? out : `{"crash":${JSON.stringify(`code ${code} : ${err.split("\n").filter((l) => /heap|memory|Error/i.test(l)).slice(0, 2).join(" ")}`)}}`));
    });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    const mo = (n: number) => `${(n / 1024 / 1024).toFixed(0)} Mo`;
    const line = output.trim().split("\n").pop() ?? "{}";
    const r = JSON.parse(line) as { before?: number; peak?: number; ms?: number; result?: string; crash?: string };
    const size = mo(statSync(file).size);
    console.log(
      r.crash
        ? `${c} (${size}) : ${r.crash}`
        : `${c} (${size}) : RSS ${mo(r.before!)} → pic ${mo(r.peak!)}, ${(r.ms! / 1000).toFixed(1)} s — ${r.result}`,
    );
  }
  await admin.end();
}

await main();
