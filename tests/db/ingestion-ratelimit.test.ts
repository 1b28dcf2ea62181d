/**
 * Rate limits of the API: the bucket and failure-window statements on the database (shared by every process), and
 * over HTTP (own file: the limits are configured from the environment before the first request). Needs
 * `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { insertOrganisme, keyFor, post } from "./ingestion-fixtures";
import { sql } from "drizzle-orm";
import { authFailuresBlocked, purgeApiLimits, recordAuthFailure, takeApiToken, type ApiLimits } from "../../app/ingestion/rate-limit.server";

process.env.TRUST_PROXY = "1"; // the client IP is read from X-Forwarded-For
process.env.API_RATE_PER_SECOND = "1";
process.env.API_RATE_BURST = "3";
process.env.API_AUTH_FAILURES_MAX = "4";
process.env.API_AUTH_FAILURES_WINDOW_SECONDS = "600";

let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };
let key: string;

beforeAll(async () => {
  t = await createTestDatabase({ territories: false });
  app = await serveApp(t.database);
  key = await keyFor(t.database, await insertOrganisme(t.database, 31));
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe("rate limits in the database", () => {
  const limits: ApiLimits = { ratePerSecond: 2, burst: 3, maxFailures: 3, windowSeconds: 60 };
  const t0 = new Date("2026-03-02T10:00:00Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it("a key's bucket lets a burst through, then answers with the seconds to wait; other keys are not affected", async () => {
    const db = t.database.db;
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push((await takeApiToken(db, 9001, limits, t0)).ok);
    expect(taken).toEqual([true, true, true]);
    expect(await takeApiToken(db, 9001, limits, t0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect((await takeApiToken(db, 9002, limits, t0)).ok).toBe(true);
    // the state is in the table, where every server process reads it
    const [row] = await t.database.rows<{ valeur: number }>(sql`select valeur from api_limites where cle = 'cle:9001'`);
    expect(Number(row.valeur)).toBeCloseTo(0, 6);
    expect((await takeApiToken(db, 9001, limits, at(500))).ok).toBe(true); // 0.5 s × 2/s = 1 token
    expect((await takeApiToken(db, 9001, limits, at(500))).ok).toBe(false);
    expect(await takeApiToken(db, 9001, { ...limits, ratePerSecond: 0.25 }, at(500))).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it("an IP is blocked after the maximum of failures until its window ends", async () => {
    const db = t.database.db;
    for (let i = 0; i < 3; i++) {
      expect((await authFailuresBlocked(db, "198.51.100.1", limits, t0)).ok).toBe(true);
      await recordAuthFailure(db, "198.51.100.1", limits, t0);
    }
    expect(await authFailuresBlocked(db, "198.51.100.1", limits, at(1000))).toEqual({ ok: false, retryAfterSeconds: 59 });
    expect((await authFailuresBlocked(db, "198.51.100.2", limits, t0)).ok).toBe(true);
    expect((await authFailuresBlocked(db, "198.51.100.1", limits, at(60_000))).ok).toBe(true);
    // a failure after the window starts a new one
    await recordAuthFailure(db, "198.51.100.1", limits, at(61_000));
    const [row] = await t.database.rows<{ valeur: number; depuis: unknown }>(sql`select valeur, depuis from api_limites where cle = 'ip:198.51.100.1'`);
    expect([Number(row.valeur), new Date(row.depuis as string).toISOString()]).toEqual([1, at(61_000).toISOString()]);
  });

  it("rows idle for a day are purged", async () => {
    const avant = await t.database.rows(sql`select cle from api_limites where depuis < ${at(86_400_000 + 30_000).toISOString()}::timestamptz - interval '1 day'`);
    expect(avant.length).toBeGreaterThan(0);
    expect(await purgeApiLimits(t.database.db, limits, at(86_400_000 + 30_000))).toBe(avant.length);
    expect(await t.database.rows(sql`select cle from api_limites where cle like 'ip:198.51.100.%' or cle like 'cle:900%'`)).toEqual([
      { cle: "ip:198.51.100.1" },
    ]);
  });
});

describe("rate limits over HTTP", () => {
  it("per key: beyond the burst, 429 with Retry-After", async () => {
    let retryAfter: string | null = null;
    let message = "";
    // sent together: one after the other on a loaded machine, each may take longer than the bucket's refill (1/s)
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(app.baseUrl, key, [], { headers: { "X-Forwarded-For": "10.0.0.1" } })));
    const statuses = responses.map((res) => res.status);
    for (const res of responses) {
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        message = res.body.message;
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(message).toMatch(/Trop de requêtes pour cette clé/);
  });

  // (that other IPs are not affected is tested on the statements above: how the IP is read depends on the server's context)
  it("per IP: after too many failed authentications, 429 with Retry-After; valid keys still pass", async () => {
    const ip = { "X-Forwarded-For": "192.0.2.7" };
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await post(app.baseUrl, `tdba_${"Z".repeat(43)}`, [], { headers: ip });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(500);
    expect(last!.body.message).toMatch(/Trop d'échecs d'authentification/);
    const test = await fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: ip });
    expect(test.status).toBe(429);
    await new Promise((r) => setTimeout(r, 1100)); // let the key's bucket refill
    const valid = await post(app.baseUrl, key, [], { headers: ip });
    expect(valid.status).toBe(200);
  });
});
