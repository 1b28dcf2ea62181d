/**
 * `npm run cli -- organisme:api-key --siret <SIRET> [--uai <UAI>] [--revoke]`
 *
 * Issues the API key of an organisme (printed once on stdout, never stored in clear; it replaces the previous
 * key), or revokes it with --revoke. --uai is needed when several organismes share the SIRET. Arguments are checked
 * before the database is opened.
 */
import { normalizeSiret, normalizeUai, SIRET_PATTERN, UAI_PATTERN } from "../../app/referentiel/codes";
import { getDatabase, type Database } from "../../db/client.server";
import { ApiKeyError, findOrganismeForKey, issueApiKey, revokeApiKey } from "../../app/ingestion/api-keys.server";
import { refusal, runCommand, UsageError, type Usage } from "../usage";

export const USAGE: Usage = {
  synopsis: "npm run cli -- organisme:api-key --siret SIRET [--uai UAI] [--revoke]",
  description:
    "Émet la clé d'API d'un organisme (affichée une seule fois, elle remplace la précédente) ou la révoque. " +
    "Le CFA peut aussi l'émettre lui-même dans son espace, page « Clé d'API et ERP ».",
  options: [
    ["--siret SIRET", "SIRET de l'organisme, 14 chiffres (obligatoire)"],
    ["--uai UAI", "UAI de l'organisme, obligatoire seulement si plusieurs organismes ont ce SIRET (facultatif)"],
    ["--revoke", "révoque la clé active au lieu d'en émettre une (facultatif)"],
  ],
  notes: ["Codes de sortie : 0 fait, 1 organisme introuvable ou ambigu, 2 arguments invalides."],
};

export interface ApiKeyArgs {
  siret: string;
  uai?: string;
  revoke: boolean;
}

export function parseApiKeyArgs(argv: string[]): ApiKeyArgs {
  let siret: string | undefined;
  let uai: string | undefined;
  let revoke = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === "--siret" || name === "--uai") {
      const value = inline ?? argv[++i];
      if (!value || (inline === undefined && value.startsWith("--"))) {
        throw new UsageError(`${name} : valeur manquante (${name === "--siret" ? "SIRET à 14 chiffres" : "UAI"} attendu).`);
      }
      if (name === "--siret") siret = value;
      else uai = value;
    } else if (arg === "--revoke") revoke = true;
    else throw new UsageError(`Argument inconnu : ${arg}.`);
  }
  if (!siret) throw new UsageError("--siret est obligatoire.");
  if (!SIRET_PATTERN.test(normalizeSiret(siret))) throw new UsageError(`--siret : un SIRET a 14 chiffres, reçu « ${siret} ».`);
  if (uai !== undefined && !UAI_PATTERN.test(normalizeUai(uai))) throw new UsageError(`--uai : un UAI a 7 chiffres suivis d'une lettre, reçu « ${uai} ».`);
  return { siret, uai, revoke };
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = { out: (l) => console.log(l), err: (l) => console.error(l) };

async function execute(database: Database, { siret, uai, revoke }: ApiKeyArgs, output: Output): Promise<number> {
  try {
    const organisme = await findOrganismeForKey(database, siret, uai);
    const label = `${organisme.raison_sociale} (SIRET ${organisme.siret}${organisme.uai ? `, UAI ${organisme.uai}` : ""})`;
    if (revoke) {
      const n = await revokeApiKey(database, organisme.id);
      output.out(n ? `Clé d'API de ${label} révoquée.` : `${label} n'avait pas de clé d'API active.`);
      return 0;
    }
    const { key } = await issueApiKey(database, organisme.id);
    output.err(`Nouvelle clé d'API de ${label} (la précédente, s'il y en avait une, est révoquée). Elle ne sera plus affichée :`);
    output.out(key);
    return 0;
  } catch (error) {
    if (error instanceof ApiKeyError) {
      output.err(error.message);
      return 1;
    }
    throw error;
  }
}

/** The command on a given database (tests); returns the exit code. */
export async function runWith(database: Database, argv: string[], output: Output = consoleOutput): Promise<number> {
  let args: ApiKeyArgs;
  try {
    args = parseApiKeyArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.err(refusal(USAGE, error));
    return 2;
  }
  return execute(database, args, output);
}

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, argv, parseApiKeyArgs, async (args) => {
    const database = await getDatabase();
    try {
      return await execute(database, args, consoleOutput);
    } finally {
      await database.close();
    }
  });
}
