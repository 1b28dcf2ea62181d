/**
 * The CFA space's named pages (app/cfa/consultations.server.ts): each reading that shows learners leaves exactly one
 * entry in the audit log, with the viewer, the list "tous", the organisme and the number of learners shown; a reading
 * that shows nobody leaves none. PGlite by default, the PostgreSQL server when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedDemo } from "../../app/demo/seed.server";
import { ensureDemoAccounts } from "../../app/auth/demo-accounts.server";
import { findUserByEmail } from "../../app/auth/accounts.server";
import { createSession } from "../../app/auth/session.server";
import { getViewer, type AuthenticatedViewer } from "../../app/auth/policy.server";
import { ensureDemoTransmissions } from "../../app/cfa/demo-transmissions.server";
import { organismesDeLEspace, type EspaceCfa } from "../../app/cfa/acces.server";
import { parseFiltresApprenants } from "../../app/cfa/apprenants";
import { historiqueTransmissions } from "../../app/cfa/transmissions.server";
import { supprimerEffectif } from "../../app/cfa/doublons.server";
import {
  consulterApprenants,
  consulterDoublons,
  consulterFiche,
  consulterJourDeTransmissions,
  consulterQualite,
} from "../../app/cfa/consultations.server";

const TODAY = new Date().toISOString().slice(0, 10);

let t: TestDatabase;
let viewer: AuthenticatedViewer;
let espace: EspaceCfa;

type Entree = { list: string; action: string; row_count: number; user_email: string; filters: Record<string, unknown> };

/** The entries written while `f` runs. */
async function journalPendant(f: () => Promise<unknown>): Promise<Entree[]> {
  const [{ max }] = await t.database.rows<{ max: number }>(sql`select coalesce(max(id), 0)::int as max from named_list_access_log`);
  await f();
  const rows = await t.database.rows<Entree & { filters: unknown }>(sql`
    select list, action, row_count, user_email, filters from named_list_access_log where id > ${max} order by id`);
  return rows.map((r) => ({ ...r, filters: (typeof r.filters === "string" ? JSON.parse(r.filters) : r.filters) as Record<string, unknown> }));
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.database, { effectifs: 2000, seed: 11, today: TODAY });
  await ensureDemoAccounts(t.database);
  await ensureDemoTransmissions(t.database, TODAY);
  const user = await findUserByEmail(t.database, "cfa@demo.test");
  const cookie = await createSession(t.database, user!.id, new Request("http://localhost/"));
  viewer = (await getViewer(new Request("http://localhost/", { headers: { cookie: cookie.split(";")[0] } }), t.database)) as AuthenticatedViewer;
  const [own] = await t.database.rows<{ id: number }>(sql`
    select o.id from organismes o join organisations g on g.siret = o.siret where g.id = ${viewer.user.organisationId} limit 1`);
  espace = { viewer, target: null as never, organismeId: own.id, organismeIds: await organismesDeLEspace(t.database, own.id), contacts: true };
}, 240_000);
afterAll(async () => t?.drop());

const attendu = (rowCount: number, filtres: Record<string, unknown>) => ({
  list: "tous",
  action: "view",
  row_count: rowCount,
  user_email: "cfa@demo.test",
  filters: expect.objectContaining({ organisme: espace.organismeId, ...filtres }),
});

describe("named pages of the CFA space", () => {
  it("the learners' list: one entry with its filters and page, the rows shown counted", async () => {
    const filtres = parseFiltresApprenants(new URLSearchParams("statut=APPRENTI&limit=25"), TODAY).filtres;
    let lignes = 0;
    const journal = await journalPendant(async () => {
      const { page, options } = await consulterApprenants(t.database, espace, filtres);
      lignes = page.lignes.length;
      expect(options.annees.length).toBeGreaterThan(0);
    });
    expect(lignes).toBeGreaterThan(0);
    expect(journal).toEqual([attendu(lignes, { statut: "APPRENTI", page: 1 })]);
  });

  it("a learner's record: logged; another CFA's learner: nothing shown, nothing logged; a deleted one: its archive logged", async () => {
    const [mine, autre] = await t.database.rows<{ id: number }>(sql`
      (select id from effectifs where organisme_formateur_id = any(${`{${espace.organismeIds.join(",")}}`}::int[]) order by id limit 1)
      union all
      (select id from effectifs where not (organisme_formateur_id = any(${`{${espace.organismeIds.join(",")}}`}::int[])
         or organisme_responsable_id = ${espace.organismeId}) order by id limit 1)`);
    expect(await journalPendant(async () => expect((await consulterFiche(t.database, espace, mine.id, TODAY)).fiche).not.toBeNull())).toEqual([
      attendu(1, { effectif: mine.id }),
    ]);
    expect(await journalPendant(async () => expect(await consulterFiche(t.database, espace, autre.id, TODAY)).toEqual({ fiche: null, motif: null }))).toEqual([]);
    await supprimerEffectif(t.database, viewer, espace, mine.id, "Essai de journal");
    const journal = await journalPendant(async () => {
      const r = await consulterFiche(t.database, espace, mine.id, TODAY);
      expect(r.fiche).toBeNull();
      expect(r.motif).toMatch(/supprimé/);
    });
    expect(journal).toEqual([attendu(1, { effectif: mine.id, archive: true })]);
  });

  it("a day of transmissions with rejected items: logged with the day and the page; a day without: not logged", async () => {
    const h = await historiqueTransmissions(t.database, espace.organismeId, { jours: 30 });
    const avecRefus = h.jours.find((j) => j.refuses > 0 && j.detailDisponible);
    expect(avecRefus).toBeDefined();
    let refuses = 0;
    const journal = await journalPendant(async () => {
      refuses = (await consulterJourDeTransmissions(t.database, espace, avecRefus!.jour, {})).refuses.length;
    });
    expect(refuses).toBeGreaterThan(0);
    expect(journal).toEqual([attendu(refuses, { page: "transmissions", jour: avecRefus!.jour, numeroPage: 1 })]);
    expect(await journalPendant(() => consulterJourDeTransmissions(t.database, espace, "2001-01-01", {}))).toEqual([]);
  });

  it("the data quality and the duplicates: logged with the learners they list", async () => {
    let aCorriger = 0;
    const qualite = await journalPendant(async () => {
      aCorriger = (await consulterQualite(t.database, espace, { today: TODAY })).aCorriger.length;
    });
    expect(aCorriger).toBeGreaterThan(0);
    expect(qualite).toEqual([attendu(aCorriger, { page: "qualite", anomalie: null })]);
    let lignes = 0;
    const doublons = await journalPendant(async () => {
      const { groupes, journal } = await consulterDoublons(t.database, espace, 1, TODAY);
      lignes = groupes.reduce((n, g) => n + g.effectifs.length, 0) + journal.archives.length;
    });
    expect(lignes).toBeGreaterThan(0);
    expect(doublons).toEqual([attendu(lignes, { page: "doublons", pageArchives: 1 })]);
  });
});
