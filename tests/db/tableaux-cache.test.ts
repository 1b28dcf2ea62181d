/**
 * The dashboards' cache against a real database: the "figures changed" notification is delivered at commit only
 * (never for a rolled-back write), and what an ERP posts is on the national page within a second.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dossier, insertOrganisme, type TestOrganisme } from "./ingestion-fixtures";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { signalerModification } from "../../app/indicateurs/modifications.server";
import { importBassins } from "../../app/referentiel/import-bassins.server";
import { todayIso } from "../../app/statut/annee-scolaire";
import { enCache } from "../../app/tableaux/cache.server";
import { chargerTableau } from "../../app/tableaux/page.server";

let t: TestDatabase;
let cfa: TestOrganisme;
const TODAY = todayIso();

beforeAll(async () => {
  t = await createTestDatabase();
  cfa = await insertOrganisme(t.database, 1);
}, 120_000);

afterAll(async () => {
  await t?.drop();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** n apprentis in training today, ids from `debut`. */
function apprentis(debut: number, n: number) {
  const year = Number(TODAY.slice(0, 4)) - (TODAY.slice(5) < "09-01" ? 1 : 0);
  return Array.from({ length: n }, (_, i) =>
    dossier(cfa, cfa, {
      id_erp_apprenant: `CACHE-${debut + i}`,
      annee_scolaire: `${year}-${year + 1}`,
      date_inscription_formation: `${year}-06-15`,
      date_entree_formation: `${year}-09-01`,
      date_fin_formation: `${year + 2}-06-30`,
      date_metier_mise_a_jour_statut: `${year}-09-01`,
      contrat_date_debut: `${year}-09-01`,
      contrat_date_fin: `${year + 2}-08-31`,
    }),
  );
}

async function apprenantsNational(): Promise<unknown> {
  const p = await chargerTableau(new Request("http://localhost/"), t.database, { kind: "national" }, { today: TODAY });
  return p.resultat!.chiffres.find((c) => c.cle === "apprenants")?.valeur;
}

describe("dashboards' cache", () => {
  it("empties on a committed write's notification, not on a rolled-back one", async () => {
    let n = 0;
    expect(await enCache(t.database, ["essai"], async () => ++n)).toBe(1);
    await t.database.db
      .transaction(async (tx) => {
        await signalerModification(tx as never);
        throw new Error("annulée");
      })
      .catch(() => {});
    await pause(300);
    expect(await enCache(t.database, ["essai"], async () => ++n)).toBe(1);

    await signalerModification(t.database.db);
    const started = Date.now();
    let value = 1;
    while (value === 1 && Date.now() - started < 1000) {
      await pause(10);
      value = await enCache(t.database, ["essai"], async () => ++n);
    }
    expect(value).toBe(2);
  });

  it("shows what an ERP posted on the national page within a second", async () => {
    await ingestDossiers(t.database, apprentis(0, 10), { organismeId: cfa.id, source: "API" });
    expect(await apprenantsNational()).toBe(10);
    expect(await apprenantsNational()).toBe(10); // served from the cache

    await ingestDossiers(t.database, apprentis(10, 10), { organismeId: cfa.id, source: "API" });
    const posted = Date.now();
    let value = await apprenantsNational();
    while (value !== 20 && Date.now() - posted < 1000) {
      await pause(10);
      value = await apprenantsNational();
    }
    expect(value).toBe(20);
  });

  it("empties on a bassins import: the figures filtered by bassin follow the organismes' new bassin", async () => {
    let n = 0;
    const calcul = () => enCache(t.database, ["bassins"], async () => ++n);
    expect(await calcul()).toBe(1);
    expect(await calcul()).toBe(1);
    await importBassins(t.database, new TextEncoder().encode("CODGEO;ZE2020;LIBZE2020\n69266;8405;Villeurbanne\n"));
    const imported = Date.now();
    let value = await calcul();
    while (value === 1 && Date.now() - imported < 1000) {
      await pause(10);
      value = await calcul();
    }
    expect(value).toBe(2);
  });
});
