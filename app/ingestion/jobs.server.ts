/**
 * Scheduled housekeeping of the ingestion, run by the server (`startIngestionJobs`) and by the CLI
 * (`ingestion:purge`):
 * - per-item errors of transmissions older than 30 days are erased (the counts stay, and so does the reason of a
 *   request refused as a whole, in its own columns);
 * - API keys unused for 12 months are revoked;
 * - upload records older than 24 hours are deleted;
 * - rate-limit rows idle for a day are deleted;
 * - e-mailed links used or expired, and sign-up requests decided, more than 90 days ago are deleted
 *   (app/auth/retention.server.ts);
 * - and, by the server's job only, the organismes' marking skipped after a committed batch is made good
 *   (`reparerMarquages`, decision 032).
 */
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { revokeUnusedApiKeys } from "./api-keys.server";
import { apiLimits, purgeApiLimits } from "./rate-limit.server";
import { reparerMarquages } from "./pipeline.server";
import { journaliserErreur } from "../shared/erreurs-base.server";
import { purgeComptes } from "../auth/retention.server";

export const ERRORS_RETENTION_DAYS = 30;
export const UPLOAD_RETENTION_HOURS = 24;

export interface PurgeReport {
  transmissionsPurged: number;
  keysRevoked: number;
  uploadsDeleted: number;
  rateLimitsDeleted: number;
  /** Used or expired e-mailed links (reset, invitation) deleted after COMPTES_RETENTION_DAYS. */
  tokensDeleted: number;
  /** Decided sign-up requests deleted after COMPTES_RETENTION_DAYS. */
  signupRequestsDeleted: number;
}

export async function purgeIngestion(database: Database, now = new Date()): Promise<PurgeReport> {
  const at = now.toISOString();
  const purged = await database.rows<{ id: number }>(
    sql`update transmissions set errors = null
        where errors is not null and received_at < ${at}::timestamptz - make_interval(days => ${ERRORS_RETENTION_DAYS})
        returning id`,
  );
  // the refusals still to fix go with their detail (decision 033)
  await database.rows(sql`delete from dossiers_refuses where received_at < ${at}::timestamptz - make_interval(days => ${ERRORS_RETENTION_DAYS})`);
  const keysRevoked = await revokeUnusedApiKeys(database, now);
  const uploads = await database.rows<{ id: string }>(
    sql`delete from televersements where created_at < ${at}::timestamptz - make_interval(hours => ${UPLOAD_RETENTION_HOURS})
        returning id`,
  );
  const rateLimitsDeleted = await purgeApiLimits(database.db, apiLimits(), now);
  const comptes = await purgeComptes(database, now);
  return {
    transmissionsPurged: purged.length,
    keysRevoked,
    uploadsDeleted: uploads.length,
    rateLimitsDeleted,
    tokensDeleted: comptes.jetonsSupprimes,
    signupRequestsDeleted: comptes.demandesSupprimees,
  };
}

/**
 * Runs the purge a minute after start, then every `intervalMs` (default: hourly). Returns a stop function.
 * Failures are logged, never thrown (the next run tries again).
 */
export function startIngestionJobs(database: Database, options: { intervalMs?: number; firstRunMs?: number } = {}): () => void {
  const intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const report = await purgeIngestion(database);
      if (Object.values(report).some((n) => n > 0)) {
        console.log(
          `[ingestion] purge : ${report.transmissionsPurged} transmission(s) sans détail d'erreurs, ` +
            `${report.keysRevoked} clé(s) révoquée(s), ${report.uploadsDeleted} téléversement(s) supprimé(s), ` +
            `${report.rateLimitsDeleted} compteur(s) de limite de débit supprimé(s), ` +
            `${report.tokensDeleted} lien(s) e-mail périmé(s) et ${report.signupRequestsDeleted} demande(s) de compte traitée(s) supprimé(s)`,
        );
      }
    } catch (error) {
      journaliserErreur("[ingestion] purge en échec", error);
    }
    try {
      const marquees = await reparerMarquages(database);
      if (marquees) console.log(`[ingestion] réparation : ${marquees} transmission(s) reportée(s) sur leurs organismes`);
    } catch (error) {
      journaliserErreur("[ingestion] réparation du marquage des organismes en échec", error);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, options.firstRunMs ?? 60_000);
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
