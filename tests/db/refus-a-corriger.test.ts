/**
 * The follow-up of refused dossiers (decision 033): a refused learner stays « à corriger » until a later transmission
 * of the same organisme accepts its id — written, or identical to what was stored — and the CFA space counts the
 * learners still to fix, not every refusal received again; a day's refused dossiers say where each stands now.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { ingestDossiers } from "../../app/ingestion/pipeline.server";
import { purgeIngestion } from "../../app/ingestion/jobs.server";
import { refusesRecents, transmissionsDuJour } from "../../app/cfa/transmissions.server";
import { parisDay } from "../../app/shared/jours-paris.server";
import { dossier, insertOrganisme, type TestOrganisme } from "./ingestion-fixtures";

let t: TestDatabase;
let cfa: TestOrganisme;
let autre: TestOrganisme;

beforeAll(async () => {
  t = await createTestDatabase({ territories: false });
  cfa = await insertOrganisme(t.database, 41);
  autre = await insertOrganisme(t.database, 42);
});
afterAll(async () => t?.drop());

const JOUR = "2025-03-10";
const at = (heure: string) => new Date(`${JOUR}T${heure}:00Z`);
const valide = (id: string, overrides: Record<string, unknown> = {}) => dossier(cfa, cfa, { id_erp_apprenant: id, ...overrides });
const invalide = (id: string) => valide(id, { date_fin_formation: "30/06/2026" });
const envoyer = (items: unknown[], heure: string, organisme = cfa) =>
  ingestDossiers(t.database, items, { organismeId: organisme.id, source: "API", now: at(heure) });
const ouverts = async () =>
  (
    await t.database.rows<{ id: string; transmission_id: number }>(
      sql`select id_erp_apprenant as id, transmission_id from dossiers_refuses where organisme_id = ${cfa.id} order by 1`,
    )
  ).map((r) => [r.id, r.transmission_id]);
const recents = () => refusesRecents(t.database, [cfa.id], { now: new Date(`${JOUR}T23:00:00Z`) });
const suivis = async () =>
  (await transmissionsDuJour(t.database, cfa.id, parisDay(at("12:00")))).refuses.map((r) => [r.transmissionId, r.idErpApprenant, r.suivi]);

describe("refused dossiers still to fix", () => {
  it("a refusal is to fix until the same organisme's id is accepted, written or identical to what was stored", async () => {
    const premier = await envoyer([valide("A"), invalide("B"), invalide("C"), valide("D")], "06:00");
    expect(premier).toMatchObject({ nbAccepted: 2, nbRejected: 2 });
    expect(await ouverts()).toEqual([["B", premier.transmissionId], ["C", premier.transmissionId]]);
    expect(await recents()).toEqual({ refuses: 2, avec_refus: 1 });

    // B fixed (a new learner written), C refused again
    const deuxieme = await envoyer([valide("A"), valide("B"), invalide("C"), valide("D")], "07:00");
    expect(deuxieme).toMatchObject({ nbAccepted: 3, nbRejected: 1, nbInchanges: 2 });
    expect(await ouverts()).toEqual([["C", deuxieme.transmissionId]]);
    // two refusals of C received, one learner to fix
    expect(await recents()).toEqual({ refuses: 1, avec_refus: 1 });
    expect(await suivis()).toEqual([
      [deuxieme.transmissionId, "C", "a_corriger"],
      [premier.transmissionId, "B", "corrige"],
      [premier.transmissionId, "C", "refuse_depuis"],
    ]);

    // D refused, then sent again as stored before: identical, nothing written, and yet fixed
    const troisieme = await envoyer([invalide("D")], "08:00");
    expect(await ouverts()).toEqual([["C", deuxieme.transmissionId], ["D", troisieme.transmissionId]]);
    const quatrieme = await envoyer([valide("D"), valide("C")], "09:00");
    expect(quatrieme).toMatchObject({ nbAccepted: 2, nbRejected: 0, nbInchanges: 1 });
    expect(await ouverts()).toEqual([]);
    expect(await recents()).toEqual({ refuses: 0, avec_refus: 0 });
    expect((await suivis()).every(([, , suivi]) => suivi === "corrige")).toBe(true);
  });

  it("a refused dossier without an id is counted to fix (nothing to follow it by); another organisme's acceptance fixes nothing", async () => {
    const sansId = valide("X");
    delete sansId.id_erp_apprenant;
    const envoi = await envoyer([sansId, invalide("E")], "10:00");
    expect(envoi).toMatchObject({ nbRejected: 2 });
    expect(await recents()).toEqual({ refuses: 2, avec_refus: 1 });
    // the same id accepted from another organisme (its own learner E) does not fix this CFA's refusal
    await envoyer([dossier(autre, autre, { id_erp_apprenant: "E" })], "10:30", autre);
    expect(await ouverts()).toEqual([["E", envoi.transmissionId]]);
    const jour = (await suivis()).filter(([id]) => id === envoi.transmissionId);
    expect(jour).toEqual([
      [envoi.transmissionId, null, "a_corriger"],
      [envoi.transmissionId, "E", "a_corriger"],
    ]);
  });

  it("an id refused for one année scolaire and accepted for another in the same batch stays to fix", async () => {
    const envoi = await envoyer([valide("F", { annee_scolaire: "2025-2026", date_fin_formation: "30/06/2026" }), valide("F")], "11:00");
    expect(envoi).toMatchObject({ nbAccepted: 1, nbRejected: 1 });
    expect((await ouverts()).find(([id]) => id === "F")).toEqual(["F", envoi.transmissionId]);
  });

  it("the purge removes the refusals to fix with the errors' detail, after 30 days", async () => {
    const avant = (await ouverts()).length;
    expect(avant).toBeGreaterThan(0);
    await purgeIngestion(t.database, new Date("2025-04-08T00:00:00Z")); // 29 days later
    expect(await ouverts()).toHaveLength(avant);
    await purgeIngestion(t.database, new Date("2025-04-10T00:00:00Z"));
    expect(await ouverts()).toEqual([]);
  });
});
