/**
 * `npm run cli -- ingestion:purge`: erases the per-item errors of transmissions older than 30 days, revokes the
 * API keys unused for 12 months and deletes upload records older than 24 hours (the server runs the same job
 * hourly, see startIngestionJobs).
 */
import { getDatabase, type Database } from "../../db/client.server";
import { purgeIngestion } from "../../app/ingestion/jobs.server";

export async function runWith(database: Database, argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  if (argv.length) {
    console.error(`Argument inconnu : ${argv[0]}. Usage : npm run cli -- ingestion:purge`);
    return 2;
  }
  const report = await purgeIngestion(database);
  out(
    `${report.transmissionsPurged} transmission(s) : détail des erreurs effacé (plus de 30 jours) ; ` +
      `${report.keysRevoked} clé(s) d'API révoquée(s) (inutilisées depuis 12 mois) ; ` +
      `${report.uploadsDeleted} téléversement(s) expiré(s) supprimé(s) ; ` +
      `${report.rateLimitsDeleted} compteur(s) de limite de débit inactif(s) supprimé(s).`,
  );
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const database = await getDatabase();
  try {
    return await runWith(database, argv);
  } finally {
    await database.close();
  }
}
