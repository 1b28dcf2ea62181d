/**
 * Retention of the account data that has served its purpose, purged by the hourly job (app/ingestion/jobs.server.ts,
 * `ingestion:purge`): e-mailed links (reset, invitation) used, replaced or expired, and sign-up requests decided
 * (validated, refused), once `COMPTES_RETENTION_DAYS` have passed. Pending requests and valid links are kept.
 */
import { and, isNotNull, lt, ne, or } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { authTokens, signupRequests } from "../../db/schema";

/** How long a used or expired link, and a decided sign-up request, are kept (the README's purge line says it too). */
export const COMPTES_RETENTION_DAYS = 90;

export interface PurgeComptes {
  jetonsSupprimes: number;
  demandesSupprimees: number;
}

export async function purgeComptes(database: Database, now = new Date()): Promise<PurgeComptes> {
  const limite = new Date(now.getTime() - COMPTES_RETENTION_DAYS * 24 * 3600 * 1000);
  const jetons = await database.db
    .delete(authTokens)
    // used (or replaced) before the limit, or expired before it: either way unusable for that long
    .where(or(and(isNotNull(authTokens.usedAt), lt(authTokens.usedAt, limite)), lt(authTokens.expiresAt, limite)))
    .returning({ id: authTokens.id });
  const demandes = await database.db
    .delete(signupRequests)
    .where(and(ne(signupRequests.status, "en_attente"), lt(signupRequests.decidedAt, limite)))
    .returning({ id: signupRequests.id });
  return { jetonsSupprimes: jetons.length, demandesSupprimees: demandes.length };
}
