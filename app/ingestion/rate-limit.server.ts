/**
 * Rate limits of the API, kept in PostgreSQL (table `api_limites`) so that every server process and every restart
 * shares them (decision 010). Each check is one statement on a primary key.
 *
 * - Per API key: a token bucket, `API_RATE_PER_SECOND` requests per second sustained (default 20, i.e. 40,000
 *   dossiers/s in batches of 2,000) with a burst of `API_RATE_BURST` (default 40).
 * - Per IP, failed authentications: after `API_AUTH_FAILURES_MAX` failures (default 20) within
 *   `API_AUTH_FAILURES_WINDOW_SECONDS` (default 600), further failures from that IP are answered 429 until the
 *   window has passed. A valid key is never blocked by its IP's failures (the IP may be a shared proxy).
 */
import { sql } from "drizzle-orm";
import { execRows, type Executor } from "../../db/client.server";

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface ApiLimits {
  ratePerSecond: number;
  burst: number;
  maxFailures: number;
  windowSeconds: number;
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

let configured: ApiLimits | undefined;

/** The limits configured from the environment (read on first use). */
export function apiLimits(): ApiLimits {
  configured ??= {
    ratePerSecond: envNumber("API_RATE_PER_SECOND", 20),
    burst: envNumber("API_RATE_BURST", 40),
    maxFailures: envNumber("API_AUTH_FAILURES_MAX", 20),
    windowSeconds: envNumber("API_AUTH_FAILURES_WINDOW_SECONDS", 600),
  };
  return configured;
}

/** Takes one token of the key's bucket (refilled for the time elapsed), or says how long to wait for one. */
export async function takeApiToken(executor: Executor, keyId: number, limits: ApiLimits, now = new Date()): Promise<RateDecision> {
  const cle = `cle:${keyId}`;
  const at = sql`${now.toISOString()}::timestamptz`;
  const refilled = sql`least(${limits.burst}::float8,
    l.valeur + greatest(0, extract(epoch from (${at} - l.depuis))::float8) * ${limits.ratePerSecond}::float8)`;
  const taken = await execRows<{ valeur: number }>(
    executor,
    sql`insert into api_limites as l (cle, valeur, depuis) values (${cle}, ${limits.burst - 1}::float8, ${at})
        on conflict (cle) do update set valeur = ${refilled} - 1, depuis = greatest(l.depuis, ${at})
        where ${refilled} >= 1
        returning valeur`,
  );
  if (taken.length) return { ok: true };
  const [left] = await execRows<{ tokens: number }>(executor, sql`select ${refilled} as tokens from api_limites l where l.cle = ${cle}`);
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - Number(left?.tokens ?? 0)) / limits.ratePerSecond)) };
}

/** Whether the IP has used up its failed authentications in the current window: the seconds until it ends. */
export async function authFailuresBlocked(executor: Executor, ip: string, limits: ApiLimits, now = new Date()): Promise<RateDecision> {
  const [w] = await execRows<{ valeur: number; reste: number }>(
    executor,
    sql`select valeur, extract(epoch from (depuis + make_interval(secs => ${limits.windowSeconds}) - ${now.toISOString()}::timestamptz))::float8 as reste
        from api_limites where cle = ${`ip:${ip}`}`,
  );
  if (!w || Number(w.reste) <= 0 || Number(w.valeur) < limits.maxFailures) return { ok: true };
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(Number(w.reste))) };
}

/** Counts a failed authentication of the IP (a new window when the previous one has ended). */
export async function recordAuthFailure(executor: Executor, ip: string, limits: ApiLimits, now = new Date()): Promise<void> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const ended = sql`l.depuis + make_interval(secs => ${limits.windowSeconds}) <= ${at}`;
  await executor.execute(
    sql`insert into api_limites as l (cle, valeur, depuis) values (${`ip:${ip}`}, 1, ${at})
        on conflict (cle) do update set
          valeur = case when ${ended} then 1 else l.valeur + 1 end,
          depuis = case when ${ended} then ${at} else l.depuis end`,
  );
}

/** Deletes the rows idle for a day and more (a full bucket, an ended window): returns how many. */
export async function purgeApiLimits(executor: Executor, limits: ApiLimits, now = new Date()): Promise<number> {
  const rows = await execRows<{ cle: string }>(
    executor,
    sql`delete from api_limites
        where depuis < ${now.toISOString()}::timestamptz - make_interval(secs => ${Math.max(86_400, limits.windowSeconds)})
        returning cle`,
  );
  return rows.length;
}
