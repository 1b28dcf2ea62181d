/**
 * Throttling of failed logins (and of reset / sign-up requests), stored in the database so that it holds across
 * processes and restarts. Per e-mail: 5 failures in 15 minutes lock that e-mail for the rest of the window
 * (failures before a success do not count). When the server knows the client's IP, those 5 are counted from that IP
 * only: anyone who knows an agent's address could otherwise keep the agent locked out from everywhere; failures from
 * every IP lock the e-mail at 20 (a guessing spread over many machines). Per client IP: 50 failures.
 */
import { and, count, desc, eq, gt, lt, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { loginAttempts, type AttemptKind } from "../../db/schema";

export interface ThrottleRule {
  windowSeconds: number;
  /** Failures for one identifier, from the client's IP when known (from anywhere when not). */
  maxPerIdentifier: number;
  /** Failures for one identifier from every IP (only counted when the client's IP is known). */
  maxPerIdentifierAllIps: number;
  maxPerIp: number;
}

export const THROTTLE_RULES: Record<AttemptKind, ThrottleRule> = {
  connexion: { windowSeconds: 15 * 60, maxPerIdentifier: 5, maxPerIdentifierAllIps: 20, maxPerIp: 50 },
  // e-mails sent to the address: as few from everywhere as from one machine (locking them out locks out nobody)
  reinitialisation: { windowSeconds: 60 * 60, maxPerIdentifier: 3, maxPerIdentifierAllIps: 3, maxPerIp: 30 },
  inscription: { windowSeconds: 60 * 60, maxPerIdentifier: 3, maxPerIdentifierAllIps: 3, maxPerIp: 20 },
};

export interface ThrottleState {
  allowed: boolean;
  /** When not allowed: seconds until the oldest counted failure leaves the window. */
  retryAfterSeconds: number;
  /** When not allowed: the limit reached, that of the identifier (an e-mail address) or that of the client's IP. */
  limite?: "identifiant" | "ip";
}

/** The client IP: only from X-Forwarded-For when TRUST_PROXY=1, else what the server passed in its context. */
export function clientIp(request: Request, context?: unknown): string | null {
  const fromContext = (context as { clientIp?: unknown } | undefined)?.clientIp;
  if (typeof fromContext === "string" && fromContext) return fromContext;
  if (process.env.TRUST_PROXY === "1") {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  return null;
}

export async function checkThrottle(
  database: Database,
  kind: AttemptKind,
  identifier: string,
  ip: string | null,
  now = new Date(),
  /** Attempts already recorded as failures while being checked (`reserveAttempt`): not counted against the limit. */
  pending = 0,
): Promise<ThrottleState> {
  const rule = THROTTLE_RULES[kind];
  const since = new Date(now.getTime() - rule.windowSeconds * 1000);
  const id = identifier.trim().toLowerCase();
  // For logins, only the failures after the last success count.
  const [lastSuccess] = await database.db
    .select({ at: loginAttempts.createdAt })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.kind, kind), eq(loginAttempts.identifier, id), eq(loginAttempts.success, true), gt(loginAttempts.createdAt, since)))
    .orderBy(desc(loginAttempts.createdAt))
    .limit(1);
  const from = kind === "connexion" && lastSuccess ? lastSuccess.at : since;
  const counted = kind === "connexion" ? eq(loginAttempts.success, false) : sql`true`;
  // the latest failures for the identifier (from this IP, when known), then from every IP: the first limit reached locks
  const limites: [number, SQL][] = ip
    ? [
        [rule.maxPerIdentifier, eq(loginAttempts.ip, ip)],
        [rule.maxPerIdentifierAllIps, sql`true`],
      ]
    : [[rule.maxPerIdentifier, sql`true`]];
  for (const [max, origine] of limites) {
    const failures = await database.db
      .select({ at: loginAttempts.createdAt })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.kind, kind), eq(loginAttempts.identifier, id), origine, counted, gt(loginAttempts.createdAt, from)))
      .orderBy(desc(loginAttempts.createdAt))
      .limit(max + pending);
    if (failures.length >= max + pending) {
      const oldest = failures[failures.length - 1].at;
      return { allowed: false, limite: "identifiant", retryAfterSeconds: Math.max(1, Math.ceil((oldest.getTime() + rule.windowSeconds * 1000 - now.getTime()) / 1000)) };
    }
  }
  if (ip) {
    const [row] = await database.db
      .select({ n: count() })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.kind, kind), eq(loginAttempts.ip, ip), counted, gt(loginAttempts.createdAt, since)));
    if (row.n >= rule.maxPerIp + pending) return { allowed: false, limite: "ip", retryAfterSeconds: rule.windowSeconds };
  }
  return { allowed: true, retryAfterSeconds: 0 };
}

export async function recordAttempt(
  database: Database,
  kind: AttemptKind,
  identifier: string,
  ip: string | null,
  success: boolean,
): Promise<void> {
  await database.db.insert(loginAttempts).values({ kind, identifier: identifier.trim().toLowerCase().slice(0, 320), ip, success });
  if (Math.random() < 0.05) {
    await database.db.delete(loginAttempts).where(lt(loginAttempts.createdAt, new Date(Date.now() - 24 * 3600 * 1000)));
  }
}

/**
 * Records a login attempt as failed BEFORE checking the throttle (which counts it as pending), so that simultaneous
 * attempts cannot all pass a check made before any of them was recorded: each sees the others. Refused, the attempt
 * is forgotten (it did not check a password); allowed, `attemptSucceeded` marks it when the password was right.
 */
export async function reserveAttempt(
  database: Database,
  kind: AttemptKind,
  identifier: string,
  ip: string | null,
): Promise<ThrottleState & { attemptId: number }> {
  const [row] = await database.db
    .insert(loginAttempts)
    .values({ kind, identifier: identifier.trim().toLowerCase().slice(0, 320), ip, success: false })
    .returning({ id: loginAttempts.id });
  const state = await checkThrottle(database, kind, identifier, ip, new Date(), 1);
  if (!state.allowed) await database.db.delete(loginAttempts).where(eq(loginAttempts.id, row.id));
  return { ...state, attemptId: row.id };
}

export async function attemptSucceeded(database: Database, attemptId: number): Promise<void> {
  await database.db.update(loginAttempts).set({ success: true }).where(eq(loginAttempts.id, attemptId));
}

/** "15 minutes", "1 minute", "45 secondes". */
export function formatDelay(seconds: number): string {
  if (seconds < 60) return `${seconds} seconde${seconds > 1 ? "s" : ""}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes > 1 ? "s" : ""}`;
}
