/**
 * `npm run cli -- ingestion:purge`: erases the per-item errors of transmissions older than 30 days, revokes the
 * API keys unused for 12 months, deletes upload records older than 24 hours and the idle rate-limit counters (the
 * server runs the same job hourly, see startIngestionJobs).
 */
import { getDatabase, type Database } from "../../db/client.server";
import { purgeIngestion } from "../../app/ingestion/jobs.server";
import { COMPTES_RETENTION_DAYS } from "../../app/auth/retention.server";
import { noArguments, refusal, runCommand, UsageError, type Usage } from "../usage";

export const USAGE: Usage = {
  synopsis: "npm run cli -- ingestion:purge",
  description:
    "Efface le détail des erreurs des transmissions de plus de 30 jours, révoque les clés d'API inutilisées depuis 12 mois, " +
    "supprime les téléversements de plus de 24 heures, les compteurs de limite de débit inactifs, les liens e-mail utilisés ou expirés et les demandes de compte traitées depuis plus de 90 jours. Le serveur fait la même purge chaque heure.",
  options: [],
  notes: ["Sans argument ni option."],
};

const parse = noArguments("ingestion:purge");

async function purge(database: Database, out: (line: string) => void): Promise<number> {
  const report = await purgeIngestion(database);
  out(
    `${report.transmissionsPurged} transmission(s) : détail des erreurs effacé (plus de 30 jours) ; ` +
      `${report.keysRevoked} clé(s) d'API révoquée(s) (inutilisées depuis 12 mois) ; ` +
      `${report.uploadsDeleted} téléversement(s) expiré(s) supprimé(s) ; ` +
      `${report.rateLimitsDeleted} compteur(s) de limite de débit inactif(s) supprimé(s) ; ` +
      `${report.tokensDeleted} lien(s) e-mail utilisé(s) ou expiré(s) et ${report.signupRequestsDeleted} demande(s) de compte traitée(s) supprimé(s) (plus de ${COMPTES_RETENTION_DAYS} jours).`,
  );
  return 0;
}

/** The command on a given database (tests); returns the exit code. */
export async function runWith(database: Database, argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  try {
    parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(refusal(USAGE, error));
    return 2;
  }
  return purge(database, out);
}

export function run(argv: string[]): Promise<number> {
  return runCommand(USAGE, argv, parse, async () => {
    const database = await getDatabase();
    try {
      return await purge(database, (l) => console.log(l));
    } finally {
      await database.close();
    }
  });
}
