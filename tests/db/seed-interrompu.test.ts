/**
 * A demo load abandoned by its signal (Ctrl-C during `npm start`) while a chunk is being copied: the COPY in flight
 * ends, the transaction is rolled back, the signal's reason is what the load rejects with (not a lost connection),
 * and the database is left empty for the next start. PGlite by default, the PostgreSQL server when DATABASE_URL is set.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { isDatabaseEmpty, seedDemo } from "../../app/demo/seed.server";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
}, 60_000);
afterAll(async () => t?.drop());

it("aborted once the first chunk is copied: rejects with the signal's reason, nothing is kept, the database still answers", async () => {
  const controller = new AbortController();
  const reason = new Error("préparation interrompue");
  const phases: string[] = [];
  const load = seedDemo(t.database, {
    effectifs: 12_000,
    chunkSize: 2_000,
    seed: 3,
    today: "2026-11-23",
    signal: controller.signal,
    onProgress: (p) => {
      phases.push(p.phase);
      // the next chunk's COPY is about to start, or started, when the signal comes
      if (p.phase === "effectifs" && !controller.signal.aborted) controller.abort(reason);
    },
  });
  await expect(load).rejects.toBe(reason);
  expect(phases).toContain("effectifs");
  expect(phases).not.toContain("finalisation");
  expect(await isDatabaseEmpty(t.database)).toBe(true);
  const [row] = await t.database.rows<{ n: number }>(sql`select count(*)::int n from effectifs`);
  expect(row.n).toBe(0);
}, 120_000);
