/**
 * The `indicateurs` command warns (on stderr) when the database it reads holds no effectif: all-zero counters read
 * from an empty embedded database, because DATABASE_URL was not set, are not to be taken for figures.
 * PGlite by default, the PostgreSQL server when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemo } from "../../app/demo/seed.server";
import { avertissementBaseVide } from "../../cli/commands/indicateurs";

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
}, 120_000);
afterAll(async () => t?.drop());

describe("indicateurs command on an empty database", () => {
  it("says which database is empty, and nothing once it holds effectifs", async () => {
    const message = await avertissementBaseVide(t.database);
    expect(message).toMatch(/^Attention : .* ne contient aucun effectif ; tous les compteurs sont à zéro\.$/);
    expect(message).toContain(t.database.kind === "pglite" ? "PGlite" : "DATABASE_URL");
    await seedDemo(t.database, { effectifs: 50, seed: 3, today: new Date().toISOString().slice(0, 10) });
    expect(await avertissementBaseVide(t.database)).toBeNull();
  }, 120_000);
});
