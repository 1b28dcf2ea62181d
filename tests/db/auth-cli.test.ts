/**
 * `npm run cli -- user:create …` and `user:list` in a child process, on a real database (the test database on
 * the PostgreSQL server, or a fresh PGlite directory): accounts of each kind of scope, French errors, and the
 * password never printed.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

const exec = promisify(execFile);
const SECRET = "Cli-mot-de-passe-secret-9";

let t: TestDatabase | undefined;
let env: NodeJS.ProcessEnv;
let pgliteDir: string | undefined;

beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    t = await createTestDatabase();
    env = { ...process.env, DATABASE_URL: t.url };
  } else {
    pgliteDir = fs.mkdtempSync(path.join(os.tmpdir(), "tdb-cli-"));
    env = { ...process.env, PGLITE_DIR: pgliteDir };
    delete env.DATABASE_URL;
  }
});
afterAll(async () => {
  await t?.drop();
  if (pgliteDir) fs.rmSync(pgliteDir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliAvecEntree("", ...args);
}

/** The CLI with `input` on its standard input. */
async function cliAvecEntree(input: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const run = exec(path.resolve("node_modules/.bin/tsx"), ["cli/index.ts", ...args], { env, timeout: 120_000 });
    run.child.stdin?.end(input);
    const { stdout, stderr } = await run;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("CLI user:create / user:list", () => {
  it("creates a DREETS admin for région 84 and a national administrator, never printing the password", async () => {
    const dreets = await cli("user:create", "--email", "Agent@DREETS.fr", "--password", SECRET, "--organisation-type", "DREETS", "--region", "84", "--admin");
    expect(dreets).toMatchObject({ code: 0 });
    expect(dreets.stdout).toContain(
      "Compte créé : agent@dreets.fr — DREETS Auvergne-Rhône-Alpes (DREETS, Région Auvergne-Rhône-Alpes (84)), administrateur de l'organisation.",
    );
    const admin = await cli("user:create", "--email", "admin@mission.fr", "--password", SECRET, "--organisation-type", "administrateur");
    expect(admin.code).toBe(0);
    const ddets = await cli("user:create", "--email", "ddets@test.fr", "--password", SECRET, "--organisation-type", "DDETS", "--departement", "2B");
    expect(ddets.stdout).toContain("DDETS Haute-Corse (2B)");
    for (const run of [dreets, admin, ddets]) expect(run.stdout + run.stderr).not.toContain(SECRET);
  }, 180_000);

  it("reads the password from the standard input with --password-stdin (its first line), never printing it", async () => {
    const refus = await cliAvecEntree(`court\n${SECRET}\n`, "user:create", "--email", "stdin@dreets.fr", "--password-stdin", "--organisation-type", "DREETS", "--region", "84");
    expect(refus.code).toBe(1);
    expect(refus.stderr).toMatch(/au moins 12 caractères/);
    const cree = await cliAvecEntree(`${SECRET}\r\n`, "user:create", "--email", "stdin@dreets.fr", "--password-stdin", "--organisation-type", "DREETS", "--region", "84");
    expect(cree).toMatchObject({ code: 0 });
    expect(cree.stdout).toContain("Compte créé : stdin@dreets.fr");
    expect(cree.stdout + cree.stderr).not.toContain(SECRET);
    const deux = await cliAvecEntree(SECRET, "user:create", "--email", "x@dreets.fr", "--password", SECRET, "--password-stdin", "--organisation-type", "DREETS", "--region", "84");
    expect(deux.code).toBe(2);
    expect(deux.stderr).toMatch(/^--password et --password-stdin s'excluent/);
  }, 180_000);

  it("refuses bad input with a precise French message and a non-zero exit code", async () => {
    const cases: [string[], number, RegExp][] = [
      [["--email", "x@test.fr", "--password", SECRET], 2, /Option manquante : --organisation-type/],
      [["--email", "x@test.fr", "--password", SECRET, "--organisation-type", "DREETS"], 1, /doit indiquer sa région/],
      [["--email", "x@test.fr", "--password", SECRET, "--organisation-type", "DREETS", "--region", "99"], 1, /Code région inconnu : « 99 »/],
      [["--email", "x@test.fr", "--password", "court", "--organisation-type", "DREETS", "--region", "84"], 1, /au moins 12 caractères/],
      [["--email", "agent@dreets.fr", "--password", SECRET, "--organisation-type", "DREETS", "--region", "84"], 1, /Un compte existe déjà pour l'adresse agent@dreets\.fr/],
      [["--email", "x@test.fr", "--password", SECRET, "--organisation-type", "ORGANISME_FORMATION", "--siret", "123"], 1, /SIRET invalide/],
      [["--email", "x@test.fr", "--password", SECRET, "--organisation-type", "TETE_DE_RESEAU", "--reseau", "Réseau inexistant"], 1, /Réseau inconnu : « Réseau inexistant » : aucun organisme du référentiel/],
      [["--email", "x@test.fr", "--password", SECRET, "--organisation-type", "DREETS", "--region", "84", "--couleur", "bleu"], 2, /^Option inconnue : --couleur\.\nUsage : /],
      [["--email", "x@test.fr", "--password"], 2, /^Valeur manquante ou invalide pour --password\.\nUsage : /],
    ];
    for (const [args, code, message] of cases) {
      const run = await cli("user:create", ...args);
      expect(run.code, args.join(" ")).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    }
  }, 300_000);

  it("lists the accounts with type, scope and role", async () => {
    const list = await cli("user:list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/agent@dreets\.fr\s+DREETS\s+DREETS Auvergne-Rhône-Alpes\s+Région Auvergne-Rhône-Alpes \(84\)\s+admin\s+actif/);
    // the three above and the one whose password came from the standard input
    expect(list.stdout).toMatch(/stdin@dreets\.fr\s+DREETS\s+DREETS Auvergne-Rhône-Alpes\s+Région Auvergne-Rhône-Alpes \(84\)\s+member\s+actif/);
    expect(list.stdout).toContain("4 comptes.");
    const json = JSON.parse((await cli("user:list", "--json", "--organisation-type", "ddets")).stdout);
    expect(json).toEqual([expect.objectContaining({ email: "ddets@test.fr", type: "DDETS", perimetre: "Département Haute-Corse (2B)", role: "member" })]);
  }, 120_000);
});

describe("a database that cannot be reached", () => {
  it("is said in one French line, without stack nor address, exit code 1", async () => {
    const sans = async (url: string) => {
      try {
        await exec(path.resolve("node_modules/.bin/tsx"), ["cli/index.ts", "user:list"], { env: { ...env, DATABASE_URL: url }, timeout: 120_000 });
        throw new Error("la commande aurait dû échouer");
      } catch (error) {
        const e = error as { code?: number; stderr?: string };
        expect(e.code).toBe(1);
        return (e.stderr ?? "").trim();
      }
    };
    expect(await sans("pas-une-url")).toMatch(/^Commande impossible : DATABASE_URL n'est pas une adresse PostgreSQL : attendu postgres:\/\/[^\n]*$/);
    const refuse = await sans("postgres://utilisateur:secret-42@127.0.0.1:1/base");
    expect(refuse).toMatch(/^Commande impossible : le serveur PostgreSQL de DATABASE_URL ne répond pas ou refuse la connexion \(aucun serveur PostgreSQL ne répond/);
    expect(refuse).not.toContain("secret-42");
    expect(refuse.split("\n")).toHaveLength(1);
    if (process.env.DATABASE_URL) {
      const absente = new URL(process.env.DATABASE_URL);
      absente.pathname = "/base_qui_n_existe_pas";
      expect(await sans(absente.href)).toContain("(la base de données nommée dans DATABASE_URL n'existe pas)");
    }
  });
});

describe("seed --reset in production", () => {
  it("is refused before opening the database (it would erase organismes, keys and requests), exit code 2", async () => {
    try {
      await exec(path.resolve("node_modules/.bin/tsx"), ["cli/index.ts", "seed", "--reset", "--effectifs", "10"], {
        env: { ...env, NODE_ENV: "production", DEMO: "" },
        timeout: 120_000,
      });
      throw new Error("la commande aurait dû échouer");
    } catch (error) {
      const e = error as { code?: number; stderr?: string };
      expect(e.code).toBe(2);
      expect(e.stderr).toContain("--reset est refusé en production (NODE_ENV=production) : il efface les organismes, les effectifs, les transmissions, les clés d'API");
    }
  });
});
