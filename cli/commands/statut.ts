/**
 * `npm run -s cli -- statut [--now AAAA-MM-JJ] < dossiers.json`
 *
 * Reads a JSON array of v3 dossiers apprenants on stdin and writes on stdout, for each one, its computed
 * parcours and its statut at --now (default: today, UTC):
 *   [{"id_erp_apprenant": …, "en_cours": "APPRENTI", "parcours": [{"date": "2024-09-02", "statut": "INSCRIT"}, …]}]
 * en_cours is "INSCRIT" when no change is on or before --now.
 * Bad input → a French message on stderr (naming the item index, 0-based, and the field), exit code 1, nothing on
 * stdout.
 */

import { isIsoDate } from "../../app/statut/days";
import { todayIso } from "../../app/statut/annee-scolaire";
import { computeParcours, statutAt, type ParcoursStep, type Statut } from "../../app/statut/engine";
import { DossierInvalideError, statutInputFromDossier } from "../../app/statut/from-dossier";
import { describeJsonError } from "../../app/shared/json";

const USAGE = "Usage : npm run -s cli -- statut [--now AAAA-MM-JJ] < dossiers.json";

interface StatutOutput {
  id_erp_apprenant: unknown;
  en_cours: Statut;
  parcours: ParcoursStep[];
}

class CliError extends Error {}

function parseArgs(argv: string[]): { now: string } {
  let now: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let value: string | undefined;
    if (arg === "--now") {
      value = argv[++i];
      if (value === undefined) throw new CliError(`--now : valeur manquante (AAAA-MM-JJ attendu). ${USAGE}`);
    } else if (arg.startsWith("--now=")) {
      value = arg.slice("--now=".length);
    } else {
      throw new CliError(`Argument inconnu : ${arg}. ${USAGE}`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isIsoDate(value)) {
      throw new CliError(`--now : date invalide (${JSON.stringify(value)}), attendu AAAA-MM-JJ`);
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

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}

export async function run(argv: string[]): Promise<number> {
  let output: string;
  try {
    const { now } = parseArgs(argv);
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
  // Wait until the output is flushed: the CLI entry calls process.exit right after.
  await write(process.stdout, output);
  return 0;
}
