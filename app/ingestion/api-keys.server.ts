/**
 * API keys of the organismes (one active key per organisme). A key is `tdba_` + 43 base64url characters
 * (32 random bytes); only its SHA-256 is stored, with its first characters for display. Issuing a key revokes the
 * previous one; keys unused for 12 months are revoked by the ingestion job.
 */
import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { execRows } from "../../db/client.server";
import { normalizeSiret, problemeSiret } from "../referentiel/codes";
import { parisDay } from "../shared/jours-paris.server";
import { formatDate } from "../ui/format";

export const API_KEY_PREFIX = "tdba_";
const API_KEY_PATTERN = /^tdba_[A-Za-z0-9_-]{43}$/;
const DISPLAY_PREFIX_LENGTH = 12;
/** Keys not used for this long are revoked. */
export const UNUSED_KEY_MONTHS = 12;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString("base64url");
}

export interface ApiKeyOrganisme {
  id: number;
  siret: string;
  uai: string | null;
  raison_sociale: string;
}

export class ApiKeyError extends Error {}

/** The organisme of a SIRET (and UAI when several organismes share the SIRET). */
export async function findOrganismeForKey(database: Database, siret: string, uai?: string | null): Promise<ApiKeyOrganisme> {
  const normalizedSiret = normalizeSiret(siret);
  const rows = await database.rows<ApiKeyOrganisme>(
    sql`select id, siret, uai, raison_sociale from organismes where siret = ${normalizedSiret} order by uai nulls first, id`,
  );
  if (rows.length === 0) {
    // a mistyped SIRET says so, rather than « unknown »
    const probleme = problemeSiret(normalizedSiret);
    throw new ApiKeyError(probleme ? `SIRET ${normalizedSiret} invalide : ${probleme}.` : `Aucun organisme avec le SIRET ${normalizedSiret} dans le référentiel.`);
  }
  if (uai) {
    const wanted = uai.trim().toUpperCase();
    const match = rows.find((r) => (r.uai ?? "") === wanted);
    if (!match) {
      throw new ApiKeyError(
        `Aucun organisme avec le SIRET ${normalizedSiret} et l'UAI ${wanted} ; UAI connus pour ce SIRET : ${rows.map((r) => r.uai ?? "(aucun)").join(", ")}.`,
      );
    }
    return match;
  }
  if (rows.length > 1) {
    throw new ApiKeyError(
      `Plusieurs organismes ont le SIRET ${normalizedSiret} (UAI ${rows.map((r) => r.uai ?? "(aucun)").join(", ")}) : précisez --uai.`,
    );
  }
  return rows[0];
}

/** Issues a new key for the organisme, revoking its previous one. Returns the key (to show once). */
export async function issueApiKey(database: Database, organismeId: number, now = new Date()): Promise<{ key: string; prefix: string }> {
  const key = generateApiKey();
  const prefix = key.slice(0, DISPLAY_PREFIX_LENGTH);
  const at = now.toISOString();
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`update organisme_api_keys set revoked_at = ${at}::timestamptz, revoked_reason = 'remplacee'
                         where organisme_id = ${organismeId} and revoked_at is null`);
    await tx.execute(sql`insert into organisme_api_keys (organisme_id, key_hash, prefix, created_at)
                         values (${organismeId}, ${hashApiKey(key)}, ${prefix}, ${at}::timestamptz)`);
  });
  return { key, prefix };
}

/** Revokes the organisme's active key; returns how many keys were revoked (0 or 1). */
export async function revokeApiKey(database: Database, organismeId: number, now = new Date()): Promise<number> {
  const rows = await database.rows<{ id: number }>(
    sql`update organisme_api_keys set revoked_at = ${now.toISOString()}::timestamptz, revoked_reason = 'revoquee'
        where organisme_id = ${organismeId} and revoked_at is null returning id`,
  );
  return rows.length;
}

/** Revokes the keys not used (nor issued) for 12 months. Returns how many. */
export async function revokeUnusedApiKeys(database: Database, now = new Date()): Promise<number> {
  const rows = await database.rows<{ id: number }>(
    sql`update organisme_api_keys set revoked_at = ${now.toISOString()}::timestamptz, revoked_reason = 'inutilisee'
        where revoked_at is null
          and coalesce(last_used_at, created_at) < ${now.toISOString()}::timestamptz - make_interval(months => ${UNUSED_KEY_MONTHS})
        returning id`,
  );
  return rows.length;
}

export type AuthResult =
  | { ok: true; keyId: number; organisme: ApiKeyOrganisme }
  | { ok: false; status: 401 | 403; error: "unauthorized" | "forbidden"; message: string };

const HELP =
  "La clé d'API de votre organisme se génère dans son espace du tableau de bord de l'apprentissage, page « Clé d'API » " +
  "(/cfa, puis votre organisme) ; générer une clé remplace la précédente.";

const REVOCATION_REASONS: Record<string, string> = {
  remplacee: "remplacée par une nouvelle clé",
  revoquee: "révoquée à la demande",
  inutilisee: `inutilisée depuis ${UNUSED_KEY_MONTHS} mois`,
};

/** The day of an instant in Paris, dd/MM/yyyy. */
function frenchDate(value: string | Date): string {
  return formatDate(parisDay(typeof value === "string" ? new Date(value) : value));
}

/** Reads `Authorization: Bearer <key>` and finds the key. Updates `last_used_at` (at most once a minute). */
export async function authenticateApiKey(database: Database, authorization: string | null): Promise<AuthResult> {
  if (!authorization || authorization.trim() === "") {
    return {
      ok: false,
      status: 401,
      error: "unauthorized",
      message: `Clé d'API manquante : ajoutez l'en-tête « Authorization: Bearer <clé> » à la requête. ${HELP}`,
    };
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!m) {
    return {
      ok: false,
      status: 401,
      error: "unauthorized",
      message: "En-tête Authorization mal formé : attendu « Authorization: Bearer <clé> » (le mot Bearer, une espace, puis la clé).",
    };
  }
  const key = m[1];
  if (!API_KEY_PATTERN.test(key)) {
    return {
      ok: false,
      status: 401,
      error: "unauthorized",
      message: `Clé d'API mal formée : une clé commence par « ${API_KEY_PREFIX} » suivi de 43 caractères ; vérifiez qu'elle a été copiée en entier. ${HELP}`,
    };
  }
  const [row] = await database.rows<{
    id: number;
    revoked_at: string | Date | null;
    revoked_reason: string | null;
    organisme_id: number;
    siret: string;
    uai: string | null;
    raison_sociale: string;
    used_recently: boolean;
  }>(
    sql`select k.id, k.revoked_at, k.revoked_reason, o.id as organisme_id, o.siret, o.uai, o.raison_sociale,
               coalesce(k.last_used_at > now() - interval '1 minute', false) as used_recently
        from organisme_api_keys k join organismes o on o.id = k.organisme_id
        where k.key_hash = ${hashApiKey(key)}`,
  );
  if (!row) {
    return {
      ok: false,
      status: 401,
      error: "unauthorized",
      message: `Clé d'API inconnue : elle ne correspond à aucune clé émise ; vérifiez qu'elle a été copiée en entier. ${HELP}`,
    };
  }
  if (row.revoked_at) {
    const reason = REVOCATION_REASONS[row.revoked_reason ?? ""] ?? "révoquée";
    return {
      ok: false,
      status: 403,
      error: "forbidden",
      message: `Clé d'API révoquée le ${frenchDate(row.revoked_at)} (${reason}) : elle ne permet plus de transmettre. Utilisez la clé la plus récente de votre organisme ou demandez-en une nouvelle. ${HELP}`,
    };
  }
  if (!row.used_recently) {
    await database.db.execute(sql`update organisme_api_keys set last_used_at = now() where id = ${row.id}`);
  }
  return {
    ok: true,
    keyId: row.id,
    organisme: { id: row.organisme_id, siret: row.siret, uai: row.uai, raison_sociale: row.raison_sociale },
  };
}

/** Keys of an organisme, newest first (for display: prefix and dates only). */
export async function listApiKeys(database: Database, organismeId: number) {
  return execRows<{ prefix: string; created_at: string; last_used_at: string | null; revoked_at: string | null; revoked_reason: string | null }>(
    database.db,
    sql`select prefix, created_at::text, last_used_at::text, revoked_at::text, revoked_reason
        from organisme_api_keys where organisme_id = ${organismeId} order by created_at desc, id desc`,
  );
}
