/**
 * `npm run cli -- seed [--effectifs N] [--seed S] [--today AAAA-MM-JJ] [--reset]`
 *
 * Loads the demo dataset (app/demo): organismes in every département, formations, three school years of
 * effectifs with their contracts. Defaults: 50,000 effectifs, seed 1, today = current UTC date.
 * A database that already holds data is refused unless --reset (which empties the data tables and what hangs on
 * them — API keys, sign-up requests — not the accounts nor the territories; refused with NODE_ENV=production unless
 * DEMO=1). Progress on stderr, summary on stdout. Bad arguments → exit code 2.
 */
import { getDatabase } from "../../db/client.server";
import { ensureTerritories } from "../../app/referentiel/territoires.server";
import { isIsoDate } from "../../app/statut/days";
import { todayIso } from "../../app/statut/annee-scolaire";
import { seedDemo, type SeedProgress } from "../../app/demo/seed.server";
import { runCommand, UsageError, type Usage } from "../usage";

export const USAGE: Usage = {
  synopsis: "npm run cli -- seed [--effectifs N] [--seed S] [--today AAAA-MM-JJ] [--reset]",
  description:
    "Charge le jeu de démonstration : organismes dans chaque département, formations, trois années scolaires d'effectifs " +
    "et leurs contrats. Une base qui contient déjà des données est refusée sans --reset.",
  options: [
    ["--effectifs N", "nombre d'effectifs à générer, de 0 à 20 000 000 (facultatif, défaut : 50 000)"],
    ["--seed S", "graine du générateur, entier de 0 à 4 294 967 295 : même graine, même jeu (facultatif, défaut : 1)"],
    ["--today AAAA-MM-JJ", "date du jour du jeu (facultatif, défaut : aujourd'hui, UTC)"],
    [
      "--reset",
      "vide d'abord toutes les données : organismes, formations, effectifs, transmissions, et ce qui s'y rattache " +
        "(clés d'API des organismes, demandes de compte) ; les comptes et les territoires restent (facultatif ; refusé en production)",
    ],
  ],
  notes: ["Progression sur la sortie d'erreur, bilan sur la sortie standard. Codes de sortie : 0 fait, 1 échec, 2 arguments invalides."],
};

interface SeedArgs {
  effectifs: number;
  seed: number;
  today: string;
  reset: boolean;
}

export function parseSeedArgs(argv: string[]): SeedArgs {
  const args: SeedArgs = { effectifs: 50_000, seed: 1, today: todayIso(), reset: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--reset") {
      args.reset = true;
      continue;
    }
    const match = /^--(effectifs|seed|today)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`Argument inconnu : ${arg}.`);
    const name = match[1];
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === "" || (match[2] === undefined && value.startsWith("--"))) {
      throw new UsageError(`--${name} : valeur manquante (${name === "today" ? "date AAAA-MM-JJ attendue" : "nombre entier attendu"}).`);
    }
    if (name === "effectifs") {
      const cleaned = value.replace(/[_\s]/g, "");
      if (!/^\d+$/.test(cleaned) || Number(cleaned) > 20_000_000) {
        throw new UsageError(`--effectifs : nombre entier entre 0 et 20 000 000 attendu, reçu « ${value} ».`);
      }
      args.effectifs = Number(cleaned);
    } else if (name === "seed") {
      if (!/^\d+$/.test(value) || Number(value) > 4_294_967_295) {
        throw new UsageError(`--seed : entier positif attendu (0 à 4 294 967 295), reçu « ${value} ».`);
      }
      args.seed = Number(value);
    } else {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isIsoDate(value)) {
        throw new UsageError(`--today : date AAAA-MM-JJ attendue, reçu « ${value} ».`);
      }
      args.today = value;
    }
  }
  return args;
}

const format = (n: number) => n.toLocaleString("fr-FR");

function progressPrinter(): (p: SeedProgress) => void {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let lastDecile = -1;
  let lastDraw = 0;
  return (p) => {
    const elapsed = (performance.now() - started) / 1000;
    const ratio = p.total === 0 ? 1 : p.effectifs / p.total;
    const pct = Math.floor(ratio * 100);
    const label =
      p.phase === "referentiel"
        ? "organismes et formations"
        : p.phase === "finalisation"
          ? "finalisation (séquences, statistiques)"
          : p.phase === "statuts"
            ? "calcul des statuts et des agrégats d'indicateurs"
            : `${format(p.effectifs)} / ${format(p.total)} effectifs`;
    if (tty) {
      const now = performance.now();
      if (p.phase === "effectifs" && now - lastDraw < 100 && p.effectifs < p.total) return;
      lastDraw = now;
      const width = 30;
      const filled = Math.round(ratio * width);
      const bar = "█".repeat(filled) + "░".repeat(width - filled);
      process.stderr.write(`\r${bar} ${String(pct).padStart(3)} % · ${label} · ${elapsed.toFixed(0)} s\x1b[K`);
      if (p.phase === "finalisation" || p.phase === "statuts") process.stderr.write("\n");
    } else {
      const decile = Math.floor(pct / 10);
      if (p.phase === "effectifs" && decile === lastDecile) return;
      if (p.phase === "effectifs") lastDecile = decile;
      process.stderr.write(`${String(pct).padStart(3)} % · ${label} · ${elapsed.toFixed(1)} s\n`);
    }
  };
}

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, argv, parseSeedArgs, seed);
}

async function seed(args: SeedArgs): Promise<number> {
  // a demo dataset replaces the référentiel: never on a production database, whose organismes, keys and requests are real
  if (args.reset && process.env.NODE_ENV === "production" && process.env.DEMO !== "1") {
    console.error(
      "--reset est refusé en production (NODE_ENV=production) : il efface les organismes, les effectifs, les transmissions, " +
        "les clés d'API et les demandes de compte. Sur une base de démonstration, relancez avec DEMO=1.",
    );
    return 2;
  }
  const database = await getDatabase();
  try {
    await ensureTerritories(database);
    console.error(
      `Jeu de démonstration : ${format(args.effectifs)} effectifs, graine ${args.seed}, aujourd'hui ${args.today} (${database.kind})` +
        (args.reset ? " ; --reset : organismes, formations, effectifs, transmissions, clés d'API et demandes de compte effacés d'abord" : ""),
    );
    const result = await seedDemo(database, { ...args, onProgress: progressPrinter() });
    const rows = result.organismes + result.relations + result.formations + result.effectifs + result.contrats + result.statutsErp;
    const seconds = result.seconds;
    console.log(
      [
        `Organismes : ${format(result.organismes)} (relations : ${format(result.relations)})`,
        `Formations : ${format(result.formations)}`,
        `Effectifs : ${format(result.effectifs)}`,
        `Contrats : ${format(result.contrats)}`,
        `Statuts ERP : ${format(result.statutsErp)}`,
        `Durée : ${seconds.toFixed(1)} s — ${format(Math.round(rows / Math.max(seconds, 0.001)))} lignes/s, ` +
          `${format(Math.round(result.effectifs / Math.max(seconds, 0.001)))} effectifs/s`,
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    if (process.stderr.isTTY) process.stderr.write("\n"); // below the progress bar
    console.error(error instanceof Error ? error.message : error);
    return 1;
  } finally {
    await database.close();
  }
}
