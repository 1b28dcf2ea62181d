/**
 * A table locked longer than lock_timeout (an operator's `lock table`, a long migration elsewhere): the requests that
 * need it fail after the timeout instead of holding their connection until the lock goes, and are answered as an
 * unavailable base — a French 503 page, or the API's 503 JSON, with Retry-After (db/client.server.ts, decision 027).
 * PostgreSQL server only (DATABASE_URL): PGlite is one process, no other session can hold a lock.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { serveApp } from "../helpers/browser";
import { openDatabase } from "../../db/client.server";
import { Browser } from "./auth-fixtures";
import { generateApiKey } from "../../app/ingestion/api-keys.server";

process.env.COOKIE_SECURE = "0";

const serveur = Boolean(process.env.DATABASE_URL);
let t: TestDatabase;
let app: { baseUrl: string; close(): Promise<void> };

beforeAll(async () => {
  if (!serveur) return;
  t = await createTestDatabase({ lockTimeoutMs: 300 });
  app = await serveApp(t.database);
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** Runs `f` while another session holds `tables` in access exclusive mode. */
async function pendantUnVerrou<T>(tables: string, f: () => Promise<T>): Promise<T> {
  const autre = postgres(t.url!, { max: 1, onnotice: () => {} });
  try {
    let resultat!: T;
    await autre.begin(async (tx) => {
      await tx.unsafe(`lock table ${tables} in access exclusive mode`);
      resultat = await f();
    });
    return resultat;
  } finally {
    await autre.end();
  }
}

describe.skipIf(!serveur)("a table locked by another session", () => {
  it("the sessions of the pool have a lock timeout: 20 s by default", async () => {
    const [{ lock_timeout }] = await t.database.rows<{ lock_timeout: string }>(sql`show lock_timeout`);
    expect(lock_timeout).toBe("300ms");
    const parDefaut = await openDatabase({ url: t.url });
    try {
      const [r] = await parDefaut.rows<{ lock_timeout: string; idle_in_transaction_session_timeout: string }>(
        sql`select current_setting('lock_timeout') as lock_timeout, current_setting('idle_in_transaction_session_timeout') as idle_in_transaction_session_timeout`,
      );
      expect(r).toEqual({ lock_timeout: "20s", idle_in_transaction_session_timeout: "1min" });
    } finally {
      await parDefaut.close();
    }
  });

  it("a page answers a French 503 with Retry-After, then works again once the lock is gone", async () => {
    const b = new Browser(app.baseUrl);
    const csrf = await b.csrf("/connexion");
    const refus = await pendantUnVerrou("users", () => b.post("/connexion", { csrf, email: "personne@exemple.fr", password: "x".repeat(12) }));
    expect(refus.status).toBe(503);
    expect(refus.headers.get("retry-after")).toBe("60");
    const html = await refus.text();
    expect(html).toContain("<h1>Service momentanément indisponible</h1>");
    expect(html).toContain("La base de données ne répond pas. Réessayez dans une minute");
    // the lock gone: the same form is answered (a wrong password, not an outage)
    const apres = await b.post("/connexion", { csrf: await b.csrf("/connexion"), email: "personne@exemple.fr", password: "x".repeat(12) });
    expect(apres.status).not.toBe(503);
    expect(apres.status).toBeLessThan(500);
  });

  it("a client-side navigation or form (`.data`): the browser is told to load the page as a document, which says the outage", async () => {
    const b = new Browser(app.baseUrl);
    const csrf = await b.csrf("/connexion");
    const refus = await pendantUnVerrou("users", () =>
      b.post("/connexion.data", { csrf, email: "personne@exemple.fr", password: "x".repeat(12) }),
    );
    // single fetch's redirect: a turbo-stream of { redirect, reload: true }, followed by the browser as a document load
    expect(refus.status).toBe(202);
    const corps = await refus.text();
    expect(corps).toMatch(/"redirect","\/connexion"/);
    expect(corps).toMatch(/"reload",true/);
    expect(corps).not.toContain("Unexpected Server Error");
    // the lock gone, the same form over `.data` is answered as usual (no redirect)
    const apres = await b.post("/connexion.data", { csrf: await b.csrf("/connexion"), email: "personne@exemple.fr", password: "x".repeat(12) });
    expect(apres.status).toBeLessThan(500);
    expect(await apres.text()).not.toMatch(/"reload",true/);
  });

  it("the API answers its 503 JSON: nothing recorded, send again later", async () => {
    const refus = await pendantUnVerrou("organisme_api_keys", () =>
      fetch(`${app.baseUrl}/api/v3/dossiers-apprenants/test`, { headers: { authorization: `Bearer ${generateApiKey()}` } }),
    );
    expect(refus.status).toBe(503);
    expect(refus.headers.get("retry-after")).toBe("60");
    expect(await refus.json()).toEqual({ error: "service_unavailable", message: expect.stringMatching(/^Service momentanément indisponible/) });
  });
});
