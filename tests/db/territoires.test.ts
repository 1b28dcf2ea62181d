import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { readTerritoryData } from "../../app/referentiel/territoires.server";
import { ACADEMIES } from "../../app/referentiel/academies";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

describe("territories", () => {
  it("has the 18 régions, 101 départements and 30 académies of France", async () => {
    const [row] = await t.database.rows<{ r: number; d: number; a: number }>(
      sql`select (select count(*) from regions)::int r, (select count(*) from departements)::int d, (select count(*) from academies)::int a`,
    );
    expect(row).toEqual({ r: 18, d: 101, a: ACADEMIES.length });
  });

  it("resolves every commune of the package to its département, région and académie", async () => {
    const data = readTerritoryData();
    const [row] = await t.database.rows<{ n: number; unresolved: number }>(sql`
      select count(*)::int n,
             count(*) filter (where d.code is null or r.code is null or a.code is null
                              or d.region_code <> c.region_code or d.academie_code <> c.academie_code)::int unresolved
      from communes c
      left join departements d on d.code = c.departement_code
      left join regions r on r.code = c.region_code
      left join academies a on a.code = c.academie_code`);
    expect(row.n).toBe(data.communes.length);
    expect(row.n).toBeGreaterThan(34_000);
    expect(row.unresolved).toBe(0);
  });

  it("places DROM and Corse communes correctly", async () => {
    const rows = await t.database.rows<{ code: string; departement_code: string; region_code: string; academie_code: string }>(
      sql`select code, departement_code, region_code, academie_code from communes where code in ('97611', '97411', '2A004', '75056', '69123') order by code`,
    );
    expect(rows).toEqual([
      { code: "2A004", departement_code: "2A", region_code: "94", academie_code: "27" },
      { code: "69123", departement_code: "69", region_code: "84", academie_code: "10" },
      { code: "75056", departement_code: "75", region_code: "11", academie_code: "01" },
      { code: "97411", departement_code: "974", region_code: "04", academie_code: "28" },
      { code: "97611", departement_code: "976", region_code: "06", academie_code: "43" },
    ]);
  });

  it("every académie covers départements that exist", () => {
    const deps = new Set(readTerritoryData().departements.map((d) => d.code));
    for (const a of ACADEMIES) for (const d of a.departements) expect(deps.has(d), `${a.nom} ${d}`).toBe(true);
    expect(deps.size).toBe(ACADEMIES.flatMap((a) => a.departements).length);
  });
});
