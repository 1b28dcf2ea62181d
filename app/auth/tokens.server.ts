/**
 * Single-use e-mailed tokens (password reset: 1 hour; invitation: 7 days). The link carries a random 256-bit
 * token; the table keeps its SHA-256. Consuming is one atomic UPDATE … WHERE used_at IS NULL AND not expired.
 */
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Database, Db } from "../../db/client.server";
import { authTokens, type TokenKind, type UserRole } from "../../db/schema";
import { randomToken, sha256 } from "./session.server";

export const TOKEN_TTL_SECONDS: Record<TokenKind, number> = {
  reinitialisation: 3600,
  invitation: 7 * 24 * 3600,
};

export type AuthToken = typeof authTokens.$inferSelect;

export interface NewToken {
  kind: TokenKind;
  email: string;
  userId?: number | null;
  organisationId?: number | null;
  role?: UserRole | null;
  nom?: string | null;
  prenom?: string | null;
  createdByUserId?: number | null;
}

/** Stores a new token and returns it in clear (only ever sent by e-mail). */
export async function createToken(database: Database, token: NewToken, now = new Date()): Promise<string> {
  const clear = randomToken();
  await database.db.insert(authTokens).values({
    ...token,
    email: token.email.toLowerCase(),
    tokenHash: sha256(clear),
    expiresAt: new Date(now.getTime() + TOKEN_TTL_SECONDS[token.kind] * 1000),
  });
  return clear;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A link's token: valid, or why not (an expired, used or replaced token is given too, to say more about it).
 * "replaced": revoked by a newer request of the same kind (revokeTokens), not used.
 */
export type TokenState = { status: "valid"; token: AuthToken } | { status: "expired" | "used" | "replaced"; token: AuthToken } | { status: "unknown" };

/** What a link's token is, without consuming it. */
export async function inspectToken(database: Database, kind: TokenKind, clear: string): Promise<TokenState> {
  if (!TOKEN_PATTERN.test(clear)) return { status: "unknown" };
  const [token] = await database.db
    .select()
    .from(authTokens)
    .where(and(eq(authTokens.tokenHash, sha256(clear)), eq(authTokens.kind, kind)))
    .limit(1);
  if (!token) return { status: "unknown" };
  // a revoked token expired at its revocation (revokeTokens); a consumed one was used before it expired
  if (token.usedAt) return { status: token.usedAt.getTime() >= token.expiresAt.getTime() ? "replaced" : "used", token };
  if (token.expiresAt.getTime() <= Date.now()) return { status: "expired", token };
  return { status: "valid", token };
}

/** Marks the token used and returns it, or null when it is unknown, expired or already used (atomic). */
export async function consumeToken(database: Db, kind: TokenKind, clear: string): Promise<AuthToken | null> {
  if (!TOKEN_PATTERN.test(clear)) return null;
  const [token] = await database
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(authTokens.tokenHash, sha256(clear)), eq(authTokens.kind, kind), isNull(authTokens.usedAt), gt(authTokens.expiresAt, new Date())))
    .returning();
  return token ?? null;
}

/**
 * Invalidates the unused tokens of a kind for an e-mail (a new reset link replaces the previous one). A revoked token
 * is marked used and expired at the same instant: its link then says it was replaced (inspectToken), not used.
 */
export async function revokeTokens(database: Database, kind: TokenKind, email: string): Promise<void> {
  const now = new Date();
  await database.db
    .update(authTokens)
    .set({ usedAt: now, expiresAt: now })
    .where(and(eq(authTokens.kind, kind), eq(authTokens.email, email.toLowerCase()), isNull(authTokens.usedAt)));
}

/**
 * Closes the pending invitations of an address (marked used: their links stop working), into one organisation or
 * all: called when its account is created, by an invitation (in its transaction) or otherwise (CLI, demo), and when
 * a new invitation into the same organisation replaces them. Returns how many were pending.
 */
export async function closeInvitations(database: Db, email: string, organisationId?: number): Promise<number> {
  const closed = await database
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(authTokens.kind, "invitation"),
        eq(authTokens.email, email.trim().toLowerCase()),
        organisationId === undefined ? undefined : eq(authTokens.organisationId, organisationId),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
      ),
    )
    .returning({ id: authTokens.id });
  return closed.length;
}

/**
 * Closes the pending invitations an account sent (it is disabled: they were sent on its authority). Returns how
 * many were pending.
 */
export async function closeInvitationsSentBy(database: Db, userId: number): Promise<number> {
  const closed = await database
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(authTokens.kind, "invitation"), eq(authTokens.createdByUserId, userId), isNull(authTokens.usedAt), gt(authTokens.expiresAt, new Date())))
    .returning({ id: authTokens.id });
  return closed.length;
}

export const TOKEN_STATE_MESSAGES: Record<Exclude<TokenState["status"], "valid">, string> = {
  expired: "Ce lien a expiré.",
  used: "Ce lien a déjà été utilisé : il n'est valable qu'une fois.",
  replaced: "Ce lien a été remplacé par une demande plus récente : utilisez le lien du dernier e-mail reçu.",
  unknown: "Ce lien n'est pas valide. Vérifiez qu'il a été copié en entier.",
};
