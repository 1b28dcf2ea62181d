import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { migrate, openDatabase } from "../../db/client.server";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-client-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("embedded database (PGlite)", () => {
  it("creates its folder with missing parents (a fresh clone has no .data/) and keeps data across a restart", async () => {
    const dir = path.join(root, ".data", "pglite");
    const first = await openDatabase({ url: "", pgliteDir: dir });
    expect(first.kind).toBe("pglite");
    await migrate(first);
    await first.rows(sql`insert into regions (code, nom) values ('84', 'Auvergne-Rhône-Alpes')`);
    await first.close();

    const again = await openDatabase({ url: "", pgliteDir: dir });
    await migrate(again);
    const rows = await again.rows<{ nom: string }>(sql`select nom from regions where code = '84'`);
    expect(rows).toEqual([{ nom: "Auvergne-Rhône-Alpes" }]);
    await again.close();
  });
});
