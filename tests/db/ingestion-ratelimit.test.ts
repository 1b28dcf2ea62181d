/**
 * Rate limits of the API over HTTP (own file: the limits are process-wide and configured from the environment
 * before the first request). Needs `npm run -s build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { insertOrganisme, keyFor, post } from "./ingestion-fixtures";

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

describe("rate limits", () => {
  it("per key: beyond the burst, 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    let message = "";
    for (let i = 0; i < 5; i++) {
      const res = await post(app.baseUrl, key, [], { headers: { "X-Forwarded-For": "10.0.0.1" } });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        message = res.body.message;
      }
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(message).toMatch(/Trop de requêtes pour cette clé/);
  });

  // (that other IPs are not affected is tested on FailureLimiter: how the IP is read depends on the server's context)
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
