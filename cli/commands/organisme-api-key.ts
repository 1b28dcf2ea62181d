/**
 * `npm run cli -- organisme:api-key --siret <SIRET> [--uai <UAI>] [--revoke]`
 *
 * Issues the API key of an organisme (printed once on stdout, never stored in clear; it replaces the previous
 * key), or revokes it with --revoke. --uai is needed when several organismes share the SIRET.
 */
import { normalizeSiret, SIRET_PATTERN } from "../../app/referentiel/codes";
import { getDatabase, type Database } from "../../db/client.server";
import { ApiKeyError, findOrganismeForKey, issueApiKey, revokeApiKey } from "../../app/ingestion/api-keys.server";

const USAGE = "Usage : npm run cli -- organisme:api-key --siret <SIRET> [--uai <UAI>] [--revoke]";

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: Output = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** The command on a given database (tests); returns the exit code. */
export async function runWith(database: Database, argv: string[], output: Output = consoleOutput): Promise<number> {
  let siret: string | undefined;
  let uai: string | undefined;
  let revoke = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name === "--siret") siret = inline ?? argv[++i];
    else if (name === "--uai") uai = inline ?? argv[++i];
    else if (name === "--revoke") revoke = true;
    else {
      output.err(`Argument inconnu : ${arg}. ${USAGE}`);
      return 2;
    }
  }
  if (!siret) {
    output.err(`--siret est obligatoire. ${USAGE}`);
    return 2;
  }
  if (!SIRET_PATTERN.test(normalizeSiret(siret))) {
    output.err(`--siret : un SIRET a 14 chiffres, reçu « ${siret} ». ${USAGE}`);
    return 2;
  }
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

export async function run(argv: string[]): Promise<number> {
  const database = await getDatabase();
  try {
    return await runWith(database, argv);
  } finally {
    await database.close();
  }
}
