/**
 * `npm run -s cli -- statut [--now AAAA-MM-JJ] < dossiers.json`
 *
 * Reads a JSON array of v3 dossiers apprenants on stdin and writes on stdout, for each one, its computed
 * parcours and its statut at --now (default: today, UTC):
 *   [{"id_erp_apprenant": …, "en_cours": "APPRENTI", "parcours": [{"date": "2024-09-02", "statut": "INSCRIT"}, …]}]
 * en_cours is "INSCRIT" when no change is on or before --now.
 * Bad input → a French message on stderr (naming the item index, 0-based, and the field), exit code 1, nothing on
 * stdout. Bad arguments → a French message and the usage line on stderr, exit code 2 (stdin is not read).
 */

import { isIsoDate } from "../../app/statut/days";
import { todayIso } from "../../app/statut/annee-scolaire";
import { computeParcours, statutAt, type ParcoursStep, type Statut } from "../../app/statut/engine";
import { DossierInvalideError, statutInputFromDossier } from "../../app/statut/from-dossier";
import { describeJsonError } from "../../app/shared/json";
import { runCommand, UsageError, write, type Usage } from "../usage";

export const USAGE: Usage = {
  synopsis: "npm run -s cli -- statut [--now AAAA-MM-JJ] < dossiers.json",
  description:
    "Lit sur l'entrée standard un tableau JSON de dossiers apprenants (format v3 de l'API) et écrit sur la sortie standard, " +
    "pour chacun, son parcours et son statut à la date --now. N'utilise pas la base de données.",
  options: [["--now AAAA-MM-JJ", "date du statut en cours (facultatif, défaut : aujourd'hui, UTC)"]],
  notes: [
    "Codes de sortie : 0 fait, 1 entrée invalide (le message nomme l'élément, compté à partir de 0, et le champ), 2 arguments invalides.",
  ],
};

interface StatutOutput {
  id_erp_apprenant: unknown;
  en_cours: Statut;
  parcours: ParcoursStep[];
}

class CliError extends Error {}

export function parseStatutArgs(argv: string[]): { now: string } {
  let now: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let value: string | undefined;
    if (arg === "--now") {
      value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError("--now : valeur manquante (date AAAA-MM-JJ attendue).");
    } else if (arg.startsWith("--now=")) {
      value = arg.slice("--now=".length);
    } else {
      throw new UsageError(`Argument inconnu : ${arg}.`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isIsoDate(value)) {
      throw new UsageError(`--now : date AAAA-MM-JJ attendue, reçu « ${value} ».`);
    }
    now = value;
  }
  return { now: now ?? todayIso() };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Computes the output for every dossier; throws a CliError naming the item index and the field. */
export function computeStatuts(dossiers: unknown, now: string): StatutOutput[] {
  if (!Array.isArray(dossiers)) throw new CliError("L'entrée doit être un tableau JSON de dossiers apprenants.");
  return dossiers.map((dossier: unknown, index) => {
    if (typeof dossier !== "object" || dossier === null || Array.isArray(dossier)) {
      throw new CliError(`Élément ${index} : un objet dossier apprenant est attendu.`);
    }
    const record = dossier as Record<string, unknown>;
    let parcours: ParcoursStep[];
    try {
      parcours = computeParcours(statutInputFromDossier(record));
    } catch (error) {
      if (error instanceof DossierInvalideError) {
        const id = record.id_erp_apprenant === undefined ? "" : ` (id_erp_apprenant ${JSON.stringify(record.id_erp_apprenant)})`;
        throw new CliError(`Élément ${index}${id} : ${error.message}`);
      }
      throw error;
    }
    return {
      id_erp_apprenant: record.id_erp_apprenant ?? null,
      en_cours: statutAt(parcours, now) ?? "INSCRIT",
      parcours,
    };
  });
}

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, argv, parseStatutArgs, async ({ now }) => {
    let output: string;
    try {
      const text = await readStdin();
      let dossiers: unknown;
      try {
        dossiers = JSON.parse(text);
      } catch (error) {
        throw new CliError(`Entrée JSON invalide : ${describeJsonError(text, error)}.`);
      }
      output = JSON.stringify(computeStatuts(dossiers, now)) + "\n";
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      await write(process.stderr, error.message + "\n");
      return 1;
    }
    await write(process.stdout, output);
    return 0;
  });
}
