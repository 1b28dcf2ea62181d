/**
 * France's territories from @etalab/decoupage-administratif (régions, départements, communes) plus the
 * académie table: every commune of the 101 départements resolves to its département, région and académie.
 */
import { createRequire } from "node:module";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { academies, communes, departements, regions } from "../../db/schema";
import { ACADEMIES, ACADEMIE_BY_DEPARTEMENT } from "./academies";

const require = createRequire(import.meta.url);

interface RawRegion { code: string; nom: string }
interface RawDepartement { code: string; nom: string; region: string }
interface RawCommune { code: string; nom: string; type: string; departement?: string; region?: string; codesPostaux?: string[] }

export interface TerritoryData {
  regions: { code: string; nom: string }[];
  departements: { code: string; nom: string; regionCode: string; academieCode: string }[];
  communes: { code: string; nom: string; departementCode: string; regionCode: string; academieCode: string; codesPostaux: string[]; type: string }[];
}

const COMMUNE_TYPE_ORDER = ["commune-actuelle", "arrondissement-municipal", "commune-deleguee", "commune-associee"];

/** Reads the package's JSON files; keeps the 101 départements that have an académie (metropole + 5 DROM). */
export function readTerritoryData(): TerritoryData {
  const rawDepartements: RawDepartement[] = require("@etalab/decoupage-administratif/data/departements.json");
  const rawRegions: RawRegion[] = require("@etalab/decoupage-administratif/data/regions.json");
  const rawCommunes: RawCommune[] = require("@etalab/decoupage-administratif/data/communes.json");

  const deps = rawDepartements
    .filter((d) => ACADEMIE_BY_DEPARTEMENT[d.code])
    .map((d) => ({ code: d.code, nom: d.nom, regionCode: d.region, academieCode: ACADEMIE_BY_DEPARTEMENT[d.code] }));
  const depByCode = new Map(deps.map((d) => [d.code, d]));
  const regionCodes = new Set(deps.map((d) => d.regionCode));

  // A code may appear as a current commune and as a former (déléguée/associée) one: the current one wins.
  const sorted = [...rawCommunes].sort((a, b) => COMMUNE_TYPE_ORDER.indexOf(a.type) - COMMUNE_TYPE_ORDER.indexOf(b.type));
  const seen = new Set<string>();
  const coms: TerritoryData["communes"] = [];
  for (const c of sorted) {
    const dep = c.departement ? depByCode.get(c.departement) : undefined;
    if (!dep || seen.has(c.code) || !COMMUNE_TYPE_ORDER.includes(c.type)) continue;
    seen.add(c.code);
    coms.push({
      code: c.code,
      nom: c.nom,
      departementCode: dep.code,
      regionCode: dep.regionCode,
      academieCode: dep.academieCode,
      codesPostaux: c.codesPostaux ?? [],
      type: c.type,
    });
  }
  return {
    regions: rawRegions.filter((r) => regionCodes.has(r.code)).map((r) => ({ code: r.code, nom: r.nom })),
    departements: deps,
    communes: coms,
  };
}

/** Fills the territory tables when they are empty (idempotent). */
export async function ensureTerritories(database: Database): Promise<{ loaded: boolean; communes: number }> {
  const [{ n }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from communes`);
  if (n > 0) return { loaded: false, communes: n };
  const data = readTerritoryData();
  await database.db.transaction(async (tx) => {
    await tx.insert(regions).values(data.regions).onConflictDoNothing();
    await tx.insert(academies).values(ACADEMIES.map(({ code, nom }) => ({ code, nom }))).onConflictDoNothing();
    await tx.insert(departements).values(data.departements).onConflictDoNothing();
    for (let i = 0; i < data.communes.length; i += 2000) {
      await tx.insert(communes).values(data.communes.slice(i, i + 2000)).onConflictDoNothing();
    }
  });
  return { loaded: true, communes: data.communes.length };
}
