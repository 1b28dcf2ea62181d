/**
 * Login sessions stored in the database. The cookie holds a random 256-bit token; the table holds its SHA-256,
 * so reading the table gives no usable session. Cookie: HttpOnly, SameSite=Lax, Path=/, Secure (and the
 * `__Host-` prefix) in production. A session ends after 12 hours, or after 2 hours without a request.
 * A new session id is issued at every login (no session fixation).
 */
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { organisations, sessions, users } from "../../db/schema";
import { runtimeNodeEnv } from "./env.server";

export const SESSION_MAX_AGE_SECONDS = 12 * 3600;
export const SESSION_IDLE_SECONDS = 2 * 3600;

/** Secure cookies when NODE_ENV=production at run time (HTTPS expected); COOKIE_SECURE=1/0 forces it. */
export function secureCookies(): boolean {
  if (process.env.COOKIE_SECURE === "1") return true;
  if (process.env.COOKIE_SECURE === "0") return false;
  return runtimeNodeEnv() === "production";
}

export function sessionCookieName(): string {
  return secureCookies() ? "__Host-tdb_session" : "tdb_session";
}

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function serializeCookie(name: string, value: string, maxAgeSeconds: number): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`];
  if (maxAgeSeconds === 0) parts.push("Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  if (secureCookies()) parts.push("Secure");
  return parts.join("; ");
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SessionRecord {
  sessionId: string;
  csrfToken: string;
  user: {
    id: number;
    email: string;
    nom: string;
    prenom: string;
    role: "admin" | "member";
    organisationId: number;
  };
  organisation: typeof organisations.$inferSelect;
}

/** The live session of a request (valid cookie, not expired, not idle, account enabled), or null. */
export async function findSession(database: Database, request: Request): Promise<SessionRecord | null> {
  const token = readCookie(request, sessionCookieName());
  if (!token || !TOKEN_PATTERN.test(token)) return null;
  const id = sha256(token);
  const now = new Date();
  const [row] = await database.db
    .select({ session: sessions, user: users, organisation: organisations })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(organisations, eq(organisations.id, users.organisationId))
    .where(
      and(
        eq(sessions.id, id),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_SECONDS * 1000)),
        isNull(users.disabledAt),
      ),
    )
    .limit(1);
  if (!row) return null;
  if (now.getTime() - row.session.lastSeenAt.getTime() > 60_000) {
    await database.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id));
  }
  const { user, organisation } = row;
  return {
    sessionId: id,
    csrfToken: row.session.csrfToken,
    user: { id: user.id, email: user.email, nom: user.nom, prenom: user.prenom, role: user.role, organisationId: user.organisationId },
    organisation,
  };
}

/**
 * Opens a new session for the user and returns its Set-Cookie header. Any session the request carried is
 * deleted first: the id never survives a login.
 */
export async function createSession(database: Database, userId: number, request: Request): Promise<string> {
  const previous = readCookie(request, sessionCookieName());
  if (previous && TOKEN_PATTERN.test(previous)) await database.db.delete(sessions).where(eq(sessions.id, sha256(previous)));
  const token = randomToken();
  await database.db.insert(sessions).values({
    id: sha256(token),
    userId,
    csrfToken: randomToken(),
    userAgent: request.headers.get("user-agent")?.slice(0, 300) ?? null,
    expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
  });
  await database.db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, userId));
  // Housekeeping: expired sessions go.
  await database.db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
  return serializeCookie(sessionCookieName(), token, SESSION_MAX_AGE_SECONDS);
}

/** Ends the request's session; returns the Set-Cookie header that clears the cookie. */
export async function destroySession(database: Database, request: Request): Promise<string> {
  const token = readCookie(request, sessionCookieName());
  if (token && TOKEN_PATTERN.test(token)) await database.db.delete(sessions).where(eq(sessions.id, sha256(token)));
  return serializeCookie(sessionCookieName(), "", 0);
}

/** Ends every session of a user (password changed or reset, account disabled), except `keepSessionId`. */
export async function destroyUserSessions(database: Database, userId: number, keepSessionId?: string): Promise<number> {
  const deleted = await database.db
    .delete(sessions)
    .where(keepSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId)) : eq(sessions.userId, userId))
    .returning({ id: sessions.id });
  return deleted.length;
}

export async function countActiveSessions(database: Database, userId: number): Promise<number> {
  const [row] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        gt(sessions.expiresAt, new Date()),
        gt(sessions.lastSeenAt, new Date(Date.now() - SESSION_IDLE_SECONDS * 1000)),
      ),
    );
  return row?.n ?? 0;
}
