/**
 * Every CLI command answers `--help` (usage and every option on stdout, exit 0) and refuses a bad argument (French
 * message and usage line on stderr, exit 2) without opening the database: PGLITE_DIR names a directory that does
 * not exist, DATABASE_URL is unset, and the directory (whose parent openPglite would create) must still not exist.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const exec = promisify(execFile);

/** Every command of cli/index.ts and the options its help must list. */
const OPTIONS: Record<string, string[]> = {
  migrate: [],
  seed: ["--effectifs", "--seed", "--today", "--reset"],
  statut: ["--now"],
  "import:organismes": ["FICHIER", "--format", "--json", "--strict"],
  "import:formations": ["FICHIER", "--format", "--offre-complete", "--json", "--strict"],
  "import:bassins": ["FICHIER", "--json", "--strict"],
  "organisme:api-key": ["--siret", "--uai", "--revoke"],
  "ingestion:purge": [],
  indicateurs: [
    "--date", "--mois", "--region", "--departement", "--academie", "--bassin", "--organisme", "--reseau", "--nature", "--cfd",
    "--rncp", "--niveau", "--annee-formation", "--age", "--sexe", "--rqth", "--by", "--serie", "--couverture", "--exact",
  ],
  "user:create": [
    "--email", "--password", "--organisation-type", "--region", "--departement", "--academie", "--reseau", "--siret", "--uai",
    "--admin", "--nom", "--prenom",
  ],
  "user:list": ["--organisation-type", "--json"],
};

/** Bad arguments beyond an unknown option: [command and arguments, what the message must say]. */
const BAD: [string[], RegExp][] = [
  [["organisme:api-key"], /^--siret est obligatoire\./],
  [["organisme:api-key", "--siret", "123"], /^--siret : un SIRET a 14 chiffres, reçu « 123 »/],
  [["organisme:api-key", "--siret", "13000593700011", "--uai", "12"], /^--uai : un UAI a 7 chiffres suivis d'une lettre, reçu « 12 »/],
  [["organisme:api-key", "--siret"], /^--siret : valeur manquante/],
  [["ingestion:purge", "x"], /^ingestion:purge ne prend ni argument ni option \(reçu « x »\)/],
  [["migrate", "x"], /^migrate ne prend ni argument ni option/],
  [["seed", "--effectifs", "beaucoup"], /^--effectifs : nombre entier entre 0 et 20 000 000 attendu, reçu « beaucoup »/],
  [["seed", "--today"], /^--today : valeur manquante \(date AAAA-MM-JJ attendue\)/],
  [["statut", "--now", "2025-02-30"], /^--now : date AAAA-MM-JJ attendue, reçu « 2025-02-30 »/],
  [["indicateurs", "--date", "2025-13-01"], /^--date : date invalide/],
  [["indicateurs", "--by", "pays"], /^--by/],
  [["import:organismes"], /^FICHIER manquant/],
  [["import:organismes", "a.csv", "--format", "xml"], /^--format : valeur inconnue « xml » \(attendu : csv, json, lpof\)/],
  [["import:bassins", "a.csv", "b.csv"], /^Un seul fichier à la fois/],
  [["user:create", "--email", "x@test.fr"], /^Options manquantes : --password, --organisation-type/],
  [["user:create", "--email", "x@test.fr", "--password", "p", "--organisation-type", "MAIRIE"], /^--organisation-type : type inconnu « MAIRIE »/],
  [["user:list", "--organisation-type", "MAIRIE"], /^--organisation-type : type inconnu « MAIRIE »/],
];

const base = fs.mkdtempSync(path.join(os.tmpdir(), "cli-aide-"));
const absent = path.join(base, "absent");
const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: path.join(absent, "pglite") };
delete env.DATABASE_URL;

afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(path.resolve("node_modules/.bin/tsx"), ["cli/index.ts", ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The command ran without opening the database. */
function databaseNotOpened() {
  expect(fs.existsSync(absent), `${absent} créé : la base a été ouverte`).toBe(false);
}

describe("npm run cli -- --help", () => {
  it("lists every command with its description, exit 0; no command or an unknown one: exit 2", async () => {
    const [help, none, unknown] = await Promise.all([cli("--help"), cli(), cli("inconnue")]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage : npm run cli -- <commande> \[options\]/);
    const listed = help.stdout
      .split("\n")
      .filter((line) => /^ {2}\S/.test(line))
      .map((line) => line.trim().split(/\s{2,}/));
    expect(listed.map(([name]) => name)).toEqual(Object.keys(OPTIONS));
    for (const [name, description] of listed) expect(description, name).toMatch(/^\p{Ll}.{8,}/u);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Commande manquante\.\nUsage/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Commande inconnue : inconnue\.\nUsage/);
    expect((await cli("-h")).code).toBe(0);
    databaseNotOpened();
  }, 120_000);
});

describe.each(Object.entries(OPTIONS))("npm run cli -- %s", (command, options) => {
  it("--help and -h: the usage and every option on stdout, exit 0, database not opened", async () => {
    const [help, h, late] = await Promise.all([cli(command, "--help"), cli(command, "-h"), cli(command, "--nope", "--help")]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toMatch(new RegExp(`^Usage : npm run (-s )?cli -- ${command}\\b`));
    expect(help.stdout).toContain("\nOptions :\n");
    for (const option of [...options, "--help"]) expect(help.stdout, option).toMatch(new RegExp(`\\n {2}(-h, )?${option}\\b.* {2}\\S`));
    expect(h).toEqual(help);
    expect(late).toEqual(help);
    databaseNotOpened();
  }, 120_000);

  it("an unknown option: a French message naming it and the usage line on stderr, exit 2, database not opened", async () => {
    const run = await cli(command, "--nope");
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^(Argument inconnu : --nope\.|Option inconnue : --nope\.|\S+ ne prend ni argument ni option \(reçu « --nope »\)\.)\nUsage : /);
    databaseNotOpened();
  }, 60_000);
});

describe("bad arguments are refused before the database is opened", () => {
  it.each(BAD)("%j", async (args, message) => {
    const run = await cli(...args);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(new RegExp(`\\nUsage : npm run (-s )?cli -- ${args[0]}\\b`));
    databaseNotOpened();
  }, 60_000);
});
