/**
 * Two processes migrating one empty PostgreSQL database at the same time (two replicas deployed together, a server
 * and `npm run cli -- migrate`): the migrations' advisory lock makes them migrate one after the other, both succeed.
 * PostgreSQL server only (DATABASE_URL): PGlite is one process.
 */
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { migrate, openDatabase } from "../../db/client.server";

describe.skipIf(!process.env.DATABASE_URL)("concurrent migrations", () => {
  it("two processes on an empty database both end migrated, without « already exists »", async () => {
    const serverUrl = process.env.DATABASE_URL!;
    const name = `t_migr_${process.pid}_${Date.now().toString(36)}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => openDatabase({ url: u.toString(), max: 2 })));
    try {
      const resultats = await Promise.allSettled([migrate(a), migrate(b), migrate(c)]);
      expect(resultats.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok", "ok"]);
      const [{ n }] = await a.rows<{ n: number }>(
        (await import("drizzle-orm")).sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      );
      const journal = (await import("../../db/migrations/meta/_journal.json", { with: { type: "json" } })).default as { entries: unknown[] };
      expect(n).toBe(journal.entries.length);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);
});
