/**
 * The indicator module on hand-made data with known expected counts: every filter, the breakdowns, the dropout
 * buckets at their boundaries, the age band at D, the refresh on write, coverage and freshness. Each count is
 * asked from the aggregates (materialised day) and from statut_periodes (exact) and must be the same.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dumpAgregats } from "./indicateurs-fixtures";
import { contrats, effectifs, formations, organismeRelations, organismes, transmissionOrganismes, transmissions } from "../../db/schema";
import {
  refreshStatutStorage,
  rebuildStatutStorage,
  rebuildInterrompu,
  materialiserJours,
  preparerJours,
} from "../../app/statut/storage.server";
import {
  indicateurs,
  serieMensuelle,
  serieEtEvolution,
  evolution,
  type IndicateursOptions,
} from "../../app/indicateurs/indicateurs.server";
import { couverture } from "../../app/indicateurs/couverture.server";
import { tableauDeBord } from "../../app/indicateurs/tableau-de-bord.server";
import { addDays } from "../../app/statut/days";
import type { IndicateursFilters } from "../../app/indicateurs/filters";
import type { Compteurs } from "../../app/indicateurs/etats";
import { NATIONAL } from "../../app/auth/policy.server";

let t: TestDatabase;
const TODAY = "2025-04-15";
const D = "2025-03-31";
const NOW = new Date("2025-04-15T12:00:00Z");

// SIRETs / UAIs with valid check digits
const S = [
  "12345678000014",
  "12345678000022",
  "12345678000030",
  "98765432000017",
  "98765432000025",
  "55555555000014",
  "55555555000022",
];
const U = ["0691234S", "0692345Z", "0751234J", "0131234W"];

const ids: Record<string, number> = {};

interface Eff {
  key: string;
  org: string;
  resp?: string;
  formation: string;
  sexe: "M" | "F";
  naissance: string;
  rqth?: boolean;
  af?: number;
  annee?: string;
  entree: string;
  fin: string;
  exclusion?: string;
  contrats?: { debut: string; fin?: string; rupture?: string }[];
}

const EFFECTIFS: Eff[] = [
  // apprentis at D
  {
    key: "A",
    org: "O2",
    resp: "O1",
    formation: "F1",
    sexe: "F",
    naissance: "2008-05-10",
    entree: "2024-09-02",
    fin: "2026-06-30",
    contrats: [{ debut: "2024-09-02", fin: "2026-06-30" }],
  },
  {
    key: "B",
    org: "O2",
    resp: "O1",
    formation: "F2",
    sexe: "M",
    naissance: "2003-01-01",
    af: 2,
    entree: "2024-09-02",
    fin: "2026-06-30",
    contrats: [{ debut: "2024-09-02", fin: "2026-06-30" }],
  },
  // inscrit since 2025-03-12: 20 days at D; 18 on D (not a minor), RQTH → à risque
  {
    key: "C",
    org: "O3",
    formation: "F1",
    sexe: "F",
    naissance: "2007-03-31",
    rqth: true,
    entree: "2025-03-12",
    fin: "2026-06-30",
  },
  // rupture on 2025-02-16: day 44 at D; 17 at D (birthday tomorrow) → à risque
  {
    key: "D",
    org: "O3",
    formation: "F2",
    sexe: "M",
    naissance: "2007-04-01",
    entree: "2024-09-02",
    fin: "2026-06-30",
    contrats: [{ debut: "2024-09-02", fin: "2026-06-30", rupture: "2025-02-16" }],
  },
  // rupture on 2025-02-15: day 45 at D
  {
    key: "E",
    org: "O4",
    formation: "F3",
    sexe: "F",
    naissance: "2000-01-01",
    entree: "2024-09-02",
    fin: "2026-06-30",
    contrats: [{ debut: "2024-09-02", fin: "2026-06-30", rupture: "2025-02-15" }],
  },
  // excluded
  {
    key: "F",
    org: "O4",
    formation: "F3",
    sexe: "M",
    naissance: "1998-06-01",
    rqth: true,
    entree: "2024-09-02",
    fin: "2026-06-30",
    exclusion: "2025-01-10",
    contrats: [{ debut: "2024-09-02", fin: "2026-06-30", rupture: "2025-01-05" }],
  },
  // ended on 2025-03-15 with its contract; organisme without département
  {
    key: "G",
    org: "O5",
    formation: "F1",
    sexe: "F",
    naissance: "2004-04-01",
    entree: "2024-09-02",
    fin: "2025-03-15",
    contrats: [{ debut: "2024-09-02", fin: "2025-03-15" }],
  },
  // previous school year: not counted at D
  {
    key: "H",
    org: "O2",
    resp: "O1",
    formation: "F1",
    sexe: "M",
    naissance: "2005-01-01",
    annee: "2023-2024",
    entree: "2023-09-04",
    fin: "2025-06-30",
    contrats: [{ debut: "2023-09-04", fin: "2025-06-30" }],
  },
  // calendar-year école ("2025-2025"): counted
  {
    key: "I",
    org: "O3",
    formation: "F3",
    sexe: "M",
    naissance: "2001-03-31",
    annee: "2025-2025",
    entree: "2025-01-06",
    fin: "2025-09-30",
    contrats: [{ debut: "2025-01-06", fin: "2025-09-30" }],
  },
  // starts after D: not counted
  {
    key: "J",
    org: "O2",
    resp: "O1",
    formation: "F2",
    sexe: "F",
    naissance: "2006-01-01",
    entree: "2025-04-10",
    fin: "2026-06-30",
  },
  // inscrit since 2024-12-31 without contract: day 91 at D → abandon
  {
    key: "K",
    org: "O2",
    resp: "O1",
    formation: "F2",
    sexe: "F",
    naissance: "2006-12-01",
    af: 2,
    entree: "2024-12-31",
    fin: "2026-06-30",
  },
  // previous school year, rupture on 2023-10-01 (day 180 on 2024-03-28)
  {
    key: "L",
    org: "O3",
    formation: "F2",
    sexe: "M",
    naissance: "2000-01-01",
    annee: "2023-2024",
    entree: "2023-09-04",
    fin: "2025-06-30",
    contrats: [{ debut: "2023-09-04", fin: "2025-06-30", rupture: "2023-10-01" }],
  },
];

function c(
  apprentis: number,
  inscrits: number,
  rupturants: number,
  abandons: number,
  fins: number,
): Partial<Compteurs> {
  return {
    apprentis,
    inscritsSansContrat: inscrits,
    rupturants,
    abandons,
    finsDeFormation: fins,
    apprenants: apprentis + inscrits + rupturants,
    total: apprentis + inscrits + rupturants + abandons + fins,
  };
}

/** The counters from the aggregates and from the periods, checked equal. */
async function both(options: IndicateursOptions) {
  const agregats = await indicateurs(t.database, { today: TODAY, ...options });
  const exact = await indicateurs(t.database, { today: TODAY, ...options, exact: true });
  expect(exact.source === "periodes" || exact.source === "vide").toBe(true);
  expect(agregats.compteurs).toEqual(exact.compteurs);
  expect(agregats.repartition).toEqual(exact.repartition);
  return agregats;
}

async function compteursAt(filters: IndicateursFilters, date = D) {
  return (await both({ scope: NATIONAL, date, filters })).compteurs;
}

async function insertEffectif(e: Eff): Promise<number> {
  const [row] = await t.database.db
    .insert(effectifs)
    .values({
      organismeFormateurId: ids[e.org],
      organismeResponsableId: ids[e.resp ?? e.org],
      formationId: ids[e.formation],
      anneeScolaire: e.annee ?? "2024-2025",
      idErpApprenant: e.key,
      nom: `Nom ${e.key}`,
      prenom: `Prénom ${e.key}`,
      dateDeNaissance: e.naissance,
      sexe: e.sexe,
      rqth: e.rqth ?? false,
      anneeFormation: e.af ?? 1,
      dateInscriptionFormation: e.entree,
      dateEntreeFormation: e.entree,
      dateFinFormation: e.fin,
      dateExclusionFormation: e.exclusion ?? null,
      source: "API",
    })
    .returning({ id: effectifs.id });
  (e.contrats ?? []).length &&
    (await t.database.db.insert(contrats).values(
      (e.contrats ?? []).map((k, i) => ({
        effectifId: row.id,
        rang: i + 1,
        dateDebut: k.debut,
        dateFin: k.fin ?? null,
        dateRupture: k.rupture ?? null,
      })),
    ));
  return row.id;
}

async function refresh(effectifIds: number[]) {
  return t.database.db.transaction((tx) => refreshStatutStorage(tx, effectifIds));
}

beforeAll(async () => {
  t = await createTestDatabase();
  const orgs = [
    {
      key: "O1",
      siret: S[0],
      uai: U[0],
      nature: "responsable" as const,
      departementCode: "69",
      regionCode: "84",
      academieCode: "10",
      bassinEmploiCode: "8405",
      reseaux: ["CCI"],
    },
    {
      key: "O2",
      siret: S[1],
      uai: U[1],
      nature: "formateur" as const,
      departementCode: "69",
      regionCode: "84",
      academieCode: "10",
      bassinEmploiCode: "8405",
      reseaux: ["CCI"],
    },
    {
      key: "O3",
      siret: S[2],
      uai: U[2],
      nature: "responsable_formateur" as const,
      departementCode: "75",
      regionCode: "11",
      academieCode: "01",
      bassinEmploiCode: "1109",
      reseaux: [],
    },
    {
      key: "O4",
      siret: S[3],
      uai: U[3],
      nature: "formateur" as const,
      departementCode: "13",
      regionCode: "93",
      academieCode: "02",
      bassinEmploiCode: "9312",
      reseaux: ["MFR"],
    },
    {
      key: "O5",
      siret: S[4],
      uai: null,
      nature: "formateur" as const,
      departementCode: null,
      regionCode: null,
      academieCode: null,
      bassinEmploiCode: null,
      reseaux: [],
    },
    {
      key: "O6",
      siret: S[5],
      uai: null,
      nature: "lieu" as const,
      departementCode: "69",
      regionCode: "84",
      academieCode: "10",
      bassinEmploiCode: "8405",
      reseaux: [],
    },
    {
      key: "O7",
      siret: S[6],
      uai: null,
      nature: "formateur" as const,
      departementCode: "69",
      regionCode: "84",
      academieCode: "10",
      bassinEmploiCode: "8405",
      reseaux: [],
      etatAdministratif: "ferme" as const,
    },
  ];
  for (const { key, ...o } of orgs) {
    const [row] = await t.database.db
      .insert(organismes)
      .values({ ...o, raisonSociale: `Organisme ${key}` })
      .returning({ id: organismes.id });
    ids[key] = row.id;
  }
  await t.database.db.insert(organismeRelations).values({ formateurId: ids.O2, responsableId: ids.O1 });
  const fs = [
    { key: "F1", cfd: "50022141", rncp: "RNCP12345", niveau: 3, intituleLong: "CAP Cuisine" },
    { key: "F2", cfd: "32033422", rncp: "RNCP35185", niveau: 5, intituleLong: "BTS Comptabilité" },
    { key: "F3", cfd: "40025214", rncp: "RNCP34000", niveau: 4, intituleLong: "Bac pro Commerce" },
  ];
  for (const { key, ...f } of fs) {
    const [row] = await t.database.db.insert(formations).values(f).returning({ id: formations.id });
    ids[key] = row.id;
  }
  for (const e of EFFECTIFS) ids[e.key] = await insertEffectif(e);
  const r = await refresh(EFFECTIFS.map((e) => ids[e.key]));
  expect(r.periodesModifiees).toBe(EFFECTIFS.length);

  // Coverage: transmissions
  const ts = (iso: string) => new Date(iso);
  const tr = [
    ["O1", "2024-09-01T08:00:00Z", "2025-04-10T08:00:00Z"],
    ["O2", "2024-09-01T08:00:00Z", "2025-03-01T08:00:00Z"],
    ["O3", "2024-01-01T08:00:00Z", "2024-12-01T08:00:00Z"],
    ["O5", "2025-04-01T08:00:00Z", "2025-04-14T08:00:00Z"],
  ] as const;
  for (const [key, first, last] of tr) {
    await t.database.db.execute(
      sql`update organismes set first_transmission_at = ${ts(
        first,
      ).toISOString()}::timestamptz, last_transmission_at = ${ts(last).toISOString()}::timestamptz where id = ${
        ids[key]
      }`,
    );
  }
  const [o1] = await t.database.db
    .insert(transmissions)
    .values({ organismeId: ids.O1, source: "API", receivedAt: ts("2025-03-28T08:00:00Z"), nbItems: 1, nbAccepted: 1, nbRejected: 0 })
    .returning({ id: transmissions.id });
  await t.database.db.insert(transmissionOrganismes).values({ organismeId: ids.O1, transmissionId: o1.id, receivedAt: ts("2025-03-28T08:00:00Z") });
});

afterAll(async () => t?.drop());

describe("compteurs à une date", () => {
  it("counts each effectif of the school year (and of Y-Y) in its statut at D", async () => {
    const r = await both({ scope: NATIONAL, date: D });
    expect(r.source).toBe("agregats_departement");
    expect(r.anneesScolaires).toEqual(["2024-2025", "2025-2025"]);
    expect(r.compteurs).toEqual({
      ...c(3, 1, 2, 2, 1),
      rupturantsParDuree: { moins45j: 1, de45a89j: 1, de90a180j: 0 },
      inscritsSansContratParDuree: { jusqua30j: 1, jusqua60j: 1, jusqua90j: 1 },
      aRisque: 2,
    });
  });

  it("gives the same figures from the aggregates and from the periods at a date that is not materialised", async () => {
    const r = await indicateurs(t.database, { scope: NATIONAL, date: "2025-03-15", today: TODAY });
    expect(r.source).toBe("periodes");
    // 2025-03-15: C inscrit for 4 days, K for 75 days; D rupturant for 28 days, E for 29; G ends that day
    expect(r.compteurs).toMatchObject(c(3, 2, 2, 1, 1));
  });

  it("applies every filter", async () => {
    const cases: [IndicateursFilters, Partial<Compteurs>][] = [
      [{ region: ["84"] }, c(2, 0, 0, 1, 0)],
      [{ region: ["11"] }, c(1, 1, 1, 0, 0)],
      [{ region: ["84", "11"] }, c(3, 1, 1, 1, 0)],
      [{ academie: ["02"] }, c(0, 0, 1, 1, 0)],
      [{ departement: ["75"] }, c(1, 1, 1, 0, 0)],
      [{ region: ["84"], departement: ["75"] }, c(0, 0, 0, 0, 0)],
      [{ bassinEmploi: ["8405"] }, c(2, 0, 0, 1, 0)],
      [{ organisme: [S[0]] }, c(2, 0, 0, 1, 0)], // the responsable includes its formateur O2
      [{ organisme: [U[1]] }, c(2, 0, 0, 1, 0)],
      [{ organisme: [U[2]] }, c(1, 1, 1, 0, 0)],
      [{ organisme: [S[3], S[4]] }, c(0, 0, 1, 1, 1)],
      [{ organisme: ["11111111111111"] }, c(0, 0, 0, 0, 0)],
      [{ reseau: ["CCI"] }, c(2, 0, 0, 1, 0)],
      [{ nature: ["responsable_formateur"] }, c(1, 1, 1, 0, 0)],
      [{ nature: ["formateur"] }, c(2, 0, 1, 2, 1)],
      [{ cfd: ["50022141"] }, c(1, 1, 0, 0, 1)],
      [{ rncp: ["RNCP35185"] }, c(1, 0, 1, 1, 0)],
      [{ niveau: [4] }, c(1, 0, 1, 1, 0)],
      [{ niveau: [3, 5] }, c(2, 1, 1, 1, 1)],
      [{ anneeFormation: [2] }, c(1, 0, 0, 1, 0)],
      [{ trancheAge: ["moins_18"] }, c(1, 0, 1, 0, 0)],
      [{ trancheAge: ["18_20"] }, c(0, 1, 0, 1, 1)],
      [{ trancheAge: ["21_25"] }, c(2, 0, 1, 0, 0)],
      [{ trancheAge: ["26_plus"] }, c(0, 0, 0, 1, 0)],
      [{ sexe: ["F"] }, c(1, 1, 1, 1, 1)],
      [{ sexe: ["M"] }, c(2, 0, 1, 1, 0)],
      [{ rqth: true }, c(0, 1, 0, 1, 0)],
      [{ rqth: false }, c(3, 0, 2, 1, 1)],
      [{ region: ["84"], sexe: ["F"], niveau: [3] }, c(1, 0, 0, 0, 0)],
      [{ reseau: ["CCI"], sexe: ["M"] }, c(1, 0, 0, 0, 0)],
      [{ organisme: [S[2]], trancheAge: ["moins_18"] }, c(0, 0, 1, 0, 0)],
    ];
    for (const [filters, expected] of cases) {
      const got = await compteursAt(filters);
      expect({
        filters,
        got: { ...got, rupturantsParDuree: undefined, inscritsSansContratParDuree: undefined, aRisque: undefined },
      }).toEqual({
        filters,
        got: { ...expected, rupturantsParDuree: undefined, inscritsSansContratParDuree: undefined, aRisque: undefined },
      });
    }
  });

  it("restricts to the viewer's scope", async () => {
    expect((await both({ date: D, scope: { kind: "region", code: "84" } })).compteurs.total).toBe(3);
    expect((await both({ date: D, scope: { kind: "academie", code: "01" } })).compteurs.total).toBe(3);
    expect((await both({ date: D, scope: { kind: "departement", code: "13" } })).compteurs.total).toBe(2);
    expect((await both({ date: D, scope: { kind: "reseau", nom: "MFR" } })).compteurs.total).toBe(2);
    expect((await both({ date: D, scope: { kind: "organisme", organismeIds: [ids.O1] } })).compteurs.total).toBe(3);
    expect(
      (await both({ date: D, scope: { kind: "region", code: "84" }, filters: { region: ["11"] } })).compteurs.total,
    ).toBe(0);
  });

  it("breaks down by territory, organisme, formation and niveau; the lines sum to the total", async () => {
    const lines = async (by: IndicateursOptions["by"]) =>
      (await both({ scope: NATIONAL, date: D, by })).repartition!.lignes.map((l) => [
        l.code === null ? null : l.code,
        l.libelle,
        l.compteurs.total,
      ]);
    expect(await lines("departement")).toEqual([
      ["13", "Bouches-du-Rhône", 2],
      ["69", "Rhône", 3],
      ["75", "Paris", 3],
      [null, "Non renseigné", 1],
    ]);
    expect(await lines("region")).toEqual([
      ["11", "Île-de-France", 3],
      ["84", "Auvergne-Rhône-Alpes", 3],
      ["93", "Provence-Alpes-Côte d'Azur", 2],
      [null, "Non renseigné", 1],
    ]);
    expect(await lines("academie")).toEqual([
      ["01", "Paris", 3],
      ["02", "Aix-Marseille", 2],
      ["10", "Lyon", 3],
      [null, "Non renseigné", 1],
    ]);
    expect(await lines("niveau")).toEqual([
      ["3", "3 (CAP, BEP)", 3],
      ["4", "4 (Baccalauréat, BP)", 3],
      ["5", "5 (BTS, Bac+2)", 3],
    ]);
    expect((await lines("organisme")).map((l) => l[2])).toEqual([3, 3, 2, 1]);
    expect((await lines("organisme")).map((l) => l[1])).toEqual([
      "Organisme O2",
      "Organisme O3",
      "Organisme O4",
      "Organisme O5",
    ]);
    expect(await lines("formation")).toEqual([
      [String(ids.F1), "CAP Cuisine", 3],
      [String(ids.F2), "BTS Comptabilité", 3],
      [String(ids.F3), "Bac pro Commerce", 3],
    ]);
    const r = await both({ scope: NATIONAL, date: D, by: "organisme", filters: { sexe: ["F"] } });
    expect(r.source).toBe("periodes");
    expect(r.repartition!.lignes.reduce((s, l) => s + l.compteurs.total, 0)).toBe(r.compteurs.total);
  });
});

describe("ruptures, sans contrat et âge aux bornes", () => {
  it("puts a rupturant in < 45, 45–89, 90–180 days, then abandon", async () => {
    // D: rupture on 2025-02-16 (day 1) up to day 90; L: rupture on 2023-10-01 (its school year ends before
    // D's day 180)
    const at = async (jours: number) => {
      const date = addDays(jours <= 90 ? "2025-02-16" : "2023-10-01", jours - 1);
      const r = await both({ scope: NATIONAL, date, filters: { organisme: [S[2]], niveau: [5] }, today: date });
      return r.compteurs;
    };
    expect((await at(44)).rupturantsParDuree).toEqual({ moins45j: 1, de45a89j: 0, de90a180j: 0 });
    expect((await at(45)).rupturantsParDuree).toEqual({ moins45j: 0, de45a89j: 1, de90a180j: 0 });
    expect((await at(89)).rupturantsParDuree).toEqual({ moins45j: 0, de45a89j: 1, de90a180j: 0 });
    expect((await at(90)).rupturantsParDuree).toEqual({ moins45j: 0, de45a89j: 0, de90a180j: 1 });
    expect((await at(91)).rupturantsParDuree).toEqual({ moins45j: 0, de45a89j: 0, de90a180j: 1 });
    expect((await at(180)).rupturantsParDuree).toEqual({ moins45j: 0, de45a89j: 0, de90a180j: 1 });
    const after = await at(181);
    expect([after.rupturants, after.abandons]).toEqual([0, 1]);
  });

  it("counts an inscrit sans contrat ≤ 30, ≤ 60, ≤ 90 days, then abandon", async () => {
    // K: inscrit from 2024-12-31 (day 1)
    const at = async (jours: number) => {
      const date = addDays("2024-12-31", jours - 1);
      return (await both({ scope: NATIONAL, date, filters: { departement: ["69"], anneeFormation: [2], sexe: ["F"] }, today: date }))
        .compteurs;
    };
    expect((await at(30)).inscritsSansContratParDuree).toEqual({ jusqua30j: 1, jusqua60j: 1, jusqua90j: 1 });
    expect((await at(31)).inscritsSansContratParDuree).toEqual({ jusqua30j: 0, jusqua60j: 1, jusqua90j: 1 });
    expect((await at(60)).inscritsSansContratParDuree).toEqual({ jusqua30j: 0, jusqua60j: 1, jusqua90j: 1 });
    expect((await at(61)).inscritsSansContratParDuree).toEqual({ jusqua30j: 0, jusqua60j: 0, jusqua90j: 1 });
    expect((await at(90)).inscritsSansContratParDuree).toEqual({ jusqua30j: 0, jusqua60j: 0, jusqua90j: 1 });
    expect((await at(91)).abandons).toBe(1);
  });

  it("computes the age band and à risque at D: 18 on the birthday", async () => {
    // C is 18 on D (RQTH: still à risque), D is 17 until 2025-04-01.
    expect((await compteursAt({ trancheAge: ["moins_18"], departement: ["75"] })).total).toBe(1);
    expect((await compteursAt({ trancheAge: ["18_20"], departement: ["75"] })).total).toBe(1);
    expect((await compteursAt({ trancheAge: ["moins_18"], departement: ["75"] }, "2025-03-30")).total).toBe(2);
    expect((await compteursAt({ departement: ["75"] })).aRisque).toBe(2);
    expect((await compteursAt({ departement: ["75"] }, "2025-04-01")).aRisque).toBe(1); // D is 18
    expect((await compteursAt({ trancheAge: ["moins_18"] }, "2025-04-01")).total).toBe(1);
  });
});

describe("toujours à jour", () => {
  it("counts the RQTH from its recognition date: C recognised after D is not RQTH at D, and is at TODAY", async () => {
    await materialiserJours(t.database, [D, TODAY], { today: TODAY });
    const avant = { d: await compteursAt({ departement: ["75"] }), rqth: await compteursAt({ rqth: true, departement: ["75"] }) };
    expect(avant.d.aRisque).toBe(2);
    expect(avant.rqth.total).toBe(1);
    const datesRqth = async (date: string | null) =>
      t.database.db.transaction(async (tx) => {
        await tx.execute(sql`update effectifs set date_rqth = ${date}::date where id = ${ids.C}`);
        return refreshStatutStorage(tx, [ids.C]);
      });
    // recognised on 2025-04-05, while inscrit sans contrat: its période is cut there
    expect(await datesRqth("2025-04-05")).toEqual({ effectifs: 1, parcoursModifies: 0, periodesModifiees: 1 });
    expect((await compteursAt({ departement: ["75"] })).aRisque).toBe(1);
    expect((await compteursAt({ rqth: true, departement: ["75"] })).total).toBe(0);
    expect((await compteursAt({ rqth: false, departement: ["75"] })).total).toBe(avant.d.total);
    expect((await compteursAt({ departement: ["75"] }, "2025-04-04")).aRisque).toBe(0); // D is 18 by then
    expect((await compteursAt({ rqth: true, departement: ["75"] }, "2025-04-05")).total).toBe(1);
    expect((await compteursAt({ departement: ["75"] }, TODAY)).aRisque).toBe(1);
    // recognised before D again: as at first
    expect(await datesRqth("2025-03-01")).toEqual({ effectifs: 1, parcoursModifies: 0, periodesModifiees: 1 });
    expect(await compteursAt({ departement: ["75"] })).toEqual(avant.d);
    expect(await datesRqth(null)).toEqual({ effectifs: 1, parcoursModifies: 0, periodesModifiees: 0 });
  });

  it("changes the counters at once when an effectif's contracts change", async () => {
    await materialiserJours(t.database, [D, TODAY], { today: TODAY });
    const before = await both({ scope: NATIONAL, date: D });
    const beforeToday = await both({ scope: NATIONAL, date: TODAY });
    // A's contract is broken on 2025-03-21: rupturant for 11 days at D (and a minor: à risque).
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`update contrats set date_rupture = '2025-03-21' where effectif_id = ${ids.A}`);
      const r = await refreshStatutStorage(tx, [ids.A]);
      expect(r).toEqual({ effectifs: 1, parcoursModifies: 1, periodesModifiees: 1 });
    });
    const after = await both({ scope: NATIONAL, date: D });
    expect(after.source).toBe("agregats_departement");
    expect(after.compteurs.apprentis).toBe(before.compteurs.apprentis - 1);
    expect(after.compteurs.rupturants).toBe(before.compteurs.rupturants + 1);
    expect(after.compteurs.rupturantsParDuree.moins45j).toBe(before.compteurs.rupturantsParDuree.moins45j + 1);
    expect(after.compteurs.aRisque).toBe(before.compteurs.aRisque + 1);
    const afterToday = await both({ scope: NATIONAL, date: TODAY });
    expect(afterToday.compteurs.rupturants).toBe(beforeToday.compteurs.rupturants + 1);
    // A refresh of unchanged data changes nothing.
    expect(await refresh([ids.A, ids.B])).toEqual({ effectifs: 2, parcoursModifies: 0, periodesModifiees: 0 });
  });

  it("removes a deleted effectif from the counters", async () => {
    const before = await both({ scope: NATIONAL, date: D });
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`delete from contrats where effectif_id = ${ids.B}`);
      await tx.execute(sql`delete from effectifs where id = ${ids.B}`);
      expect(await refreshStatutStorage(tx, [ids.B])).toEqual({
        effectifs: 1,
        parcoursModifies: 0,
        periodesModifiees: 1,
      });
    });
    const after = await both({ scope: NATIONAL, date: D });
    expect(after.compteurs.total).toBe(before.compteurs.total - 1);
    expect(after.compteurs.apprentis).toBe(before.compteurs.apprentis - 1);
  });

  it("moves an effectif when its organisme changes", async () => {
    const before = await both({ scope: NATIONAL, date: D, by: "departement" });
    await t.database.db.transaction(async (tx) => {
      await tx.execute(
        sql`update effectifs set organisme_formateur_id = ${ids.O4}, organisme_responsable_id = ${ids.O4} where id = ${ids.C}`,
      );
      await refreshStatutStorage(tx, [ids.C]);
    });
    const after = await both({ scope: NATIONAL, date: D, by: "departement" });
    const total = (r: typeof before, code: string) =>
      r.repartition!.lignes.find((l) => l.code === code)?.compteurs.total ?? 0;
    expect(total(after, "75")).toBe(total(before, "75") - 1);
    expect(total(after, "13")).toBe(total(before, "13") + 1);
  });

  it("keeps aggregates equal to a full rebuild after incremental writes", async () => {
    await materialiserJours(t.database, ["2025-01-31", "2025-02-28"], { today: TODAY });
    const dump = () => dumpAgregats(t.database);
    const periodes = async () => t.database.rows(sql`select * from statut_periodes order by effectif_id, debut`);
    const incremental = await dump();
    const incrementalPeriodes = await periodes();
    const jours = await t.database.rows<{ jour: string }>(sql`select jour::text from indicateurs_jours order by 1`);
    await rebuildStatutStorage(t.database, { today: TODAY, recomputeParcours: true });
    expect(await periodes()).toEqual(incrementalPeriodes);
    // the rebuild materialises every month end up to today: compare the days that existed before
    const rebuilt = (await dump()).filter((r) => jours.some((j) => j.jour === (r as { jour: string }).jour));
    expect(rebuilt).toEqual(incremental);
  });

  it("tells a rebuild cut short while it loaded the periods (an index of statut_periodes missing), which a rebuild repairs", async () => {
    expect(await rebuildInterrompu(t.database)).toBe(false);
    const periodes = await t.database.rows(sql`select * from statut_periodes order by effectif_id, debut`);
    // what a killed rebuild leaves: secondary indexes dropped, part of the periods written
    await t.database.rows(sql`drop index statut_periodes_formation_idx`);
    await t.database.rows(sql`delete from statut_periodes where effectif_id in (select id from effectifs order by id limit 3)`);
    expect(await rebuildInterrompu(t.database)).toBe(true);
    await rebuildStatutStorage(t.database, { today: TODAY });
    expect(await rebuildInterrompu(t.database)).toBe(false);
    expect(await t.database.rows(sql`select * from statut_periodes order by effectif_id, debut`)).toEqual(periodes);
  });
});

describe("séries et évolutions", () => {
  it("gives 24 points, the last one equal to the counters at the date", async () => {
    const s = await serieMensuelle(t.database, { scope: NATIONAL, date: TODAY, today: TODAY });
    expect(s.points).toHaveLength(24);
    expect(s.points[23].date).toBe(TODAY);
    expect(s.points[22].date).toBe("2025-03-31");
    const at = await both({ scope: NATIONAL, date: TODAY });
    expect(s.points[23].compteurs).toEqual(at.compteurs);
    expect(s.points[22].compteurs).toEqual((await both({ scope: NATIONAL, date: D })).compteurs);
    const filtered = await serieMensuelle(t.database, { scope: NATIONAL, date: TODAY, today: TODAY, filters: { cfd: ["32033422"] } });
    expect(filtered.points[22].compteurs).toEqual((await both({ scope: NATIONAL, date: D, filters: { cfd: ["32033422"] } })).compteurs);
  });

  it("compares with the end of the previous month and the same day a year before", async () => {
    const e = await evolution(t.database, { scope: NATIONAL, date: TODAY, today: TODAY });
    expect(e.moisPrecedent.date).toBe("2025-03-31");
    expect(e.anneePrecedente.date).toBe("2024-04-15");
    expect(e.moisPrecedent.compteurs).toEqual((await both({ scope: NATIONAL, date: D })).compteurs);
    // 2024-04-15: H (apprenti) and L (abandon) of 2023-2024
    expect(e.anneePrecedente.compteurs).toMatchObject(c(1, 0, 0, 1, 0));
  });

  it("a year before is the same day, not the end of its month (decision 018)", async () => {
    // 2024-03-20: L is a rupturant (day 172 of 180); at the month's end (2024-03-31) it is an abandon
    const e = await evolution(t.database, { scope: NATIONAL, date: "2025-03-20", today: TODAY });
    expect(e.moisPrecedent.date).toBe("2025-02-28");
    expect(e.anneePrecedente.date).toBe("2024-03-20");
    expect(e.anneePrecedente.compteurs).toMatchObject(c(1, 0, 1, 0, 0));
    expect(e.anneePrecedente.compteurs).toEqual((await both({ scope: NATIONAL, date: "2024-03-20" })).compteurs);
    expect((await both({ scope: NATIONAL, date: "2024-03-31" })).compteurs).toMatchObject(c(1, 0, 0, 1, 0));
    // the series and the evolution from one count give the same figures as each alone
    const ensemble = await serieEtEvolution(t.database, { scope: NATIONAL, date: "2025-03-20", today: TODAY });
    expect(ensemble.evolution).toEqual(e);
    expect(ensemble.serie).toEqual(await serieMensuelle(t.database, { scope: NATIONAL, date: "2025-03-20", today: TODAY }));
    // 29 February: 28 February of the year before
    expect((await evolution(t.database, { scope: NATIONAL, date: "2024-02-29", today: TODAY })).anneePrecedente.date).toBe("2023-02-28");
  });
});

describe("tableau de bord d'un mois", () => {
  it("gathers the counters, evolution, series, maps, tables and coverage of a month", async () => {
    const tdb = await tableauDeBord(t.database, { scope: NATIONAL, mois: "2025-03", today: TODAY, filters: { region: ["84", "11"] } });
    expect(tdb.date).toBe(D);
    const at = (await both({ scope: NATIONAL, date: D, filters: { region: ["84", "11"] } })).compteurs;
    expect(tdb.evolution.compteurs).toEqual(at);
    expect(tdb.serie[23]).toEqual({ mois: "2025-03", date: D, compteurs: at });
    for (const lignes of [tdb.parDepartement, tdb.parRegion, tdb.parNiveau, tdb.parOrganisme, tdb.parFormation]) {
      expect(lignes.reduce((n, l) => n + l.compteurs.total, 0)).toBe(at.total);
    }
    expect(tdb.parRegion.map((l) => l.code)).toEqual(["11", "84"]);
    expect(tdb.couverture.organismes).toBe(3);
    expect((await tableauDeBord(t.database, { scope: NATIONAL, mois: "2025-04", today: TODAY })).date).toBe(TODAY);
  });
});

describe("couverture et fraîcheur", () => {
  it("counts the CFAs that transmitted and the freshness of their data at D", async () => {
    const now = await couverture(t.database, { scope: NATIONAL, date: TODAY, now: NOW, by: "region" });
    expect(now).toMatchObject({
      organismes: 5,
      transmis: 4,
      tauxCouverture: 0.8,
      fraicheur: { recente: 2, vieillissante: 1, ancienne: 1, jamais: 1 },
    });
    expect(now.repartition!.lignes.map((l) => [l.code, l.organismes, l.transmis])).toEqual([
      ["11", 1, 1],
      ["84", 2, 2],
      ["93", 1, 0],
      [null, 1, 1],
    ]);
    // End of 2025-03-31: O5 had not transmitted yet; O1's last transmission before then was on 2025-03-28.
    const past = await couverture(t.database, { scope: NATIONAL, date: D, now: NOW });
    expect(past).toMatchObject({
      organismes: 5,
      transmis: 3,
      tauxCouverture: 0.6,
      fraicheur: { recente: 1, vieillissante: 1, ancienne: 1, jamais: 2 },
    });
    expect((await couverture(t.database, { scope: NATIONAL, date: TODAY, now: NOW, filters: { organisme: [S[0]] } })).organismes).toBe(
      2,
    );
    expect((await couverture(t.database, { scope: NATIONAL, date: TODAY, now: NOW, filters: { reseau: ["MFR"] } })).transmis).toBe(0);
    // filters on learners or formations do not apply to organismes: a CFD absent from the catalogue does not empty it
    for (const filters of [{ cfd: ["32099999"] }, { cfd: ["32033422"], rncp: ["RNCP99999"] }, { niveau: [7], sexe: ["F" as const] }]) {
      expect(await couverture(t.database, { scope: NATIONAL, date: TODAY, now: NOW, filters })).toEqual(await couverture(t.database, { scope: NATIONAL, date: TODAY, now: NOW }));
    }
    expect(
      (await couverture(t.database, { scope: NATIONAL, date: TODAY, now: NOW, filters: { departement: ["69"] } })).tauxCouverture,
    ).toBe(1);
    expect(
      (await couverture(t.database, { date: TODAY, now: NOW, scope: { kind: "region", code: "93" } })).tauxCouverture,
    ).toBe(0);
  });
});

describe("couverture et fraîcheur d'un formateur", () => {
  it("at a past date, counts the transmissions its responsable made for its learners", async () => {
    // O2 sends on 2025-03-30 learners whose formateur is O3 (whose own last transmission was on 2024-12-01)
    const [sent] = await t.database.db
      .insert(transmissions)
      .values({ organismeId: ids.O2, source: "API", receivedAt: new Date("2025-03-30T08:00:00Z"), nbItems: 1, nbAccepted: 1, nbRejected: 0 })
      .returning({ id: transmissions.id });
    await t.database.db.insert(transmissionOrganismes).values([
      { organismeId: ids.O2, transmissionId: sent.id, receivedAt: new Date("2025-03-30T08:00:00Z") },
      { organismeId: ids.O3, transmissionId: sent.id, receivedAt: new Date("2025-03-30T08:00:00Z") },
    ]);
    try {
      const past = await couverture(t.database, { scope: NATIONAL, date: D, now: NOW });
      expect(past).toMatchObject({ transmis: 3, fraicheur: { recente: 3, vieillissante: 0, ancienne: 0, jamais: 2 } });
    } finally {
      await t.database.db.delete(transmissions).where(eq(transmissions.id, sent.id));
    }
    expect((await couverture(t.database, { scope: NATIONAL, date: D, now: NOW })).fraicheur).toMatchObject({ recente: 1, vieillissante: 1, ancienne: 1 });
  });
});

describe("jours matérialisés", () => {
  it("builds today on first use and forgets old non-month-end days", async () => {
    const jours = async () =>
      (await t.database.rows<{ jour: string }>(sql`select jour::text from indicateurs_jours order by 1`)).map(
        (r) => r.jour,
      );
    await indicateurs(t.database, { scope: NATIONAL, date: "2025-04-20", today: "2025-04-20" });
    expect(await jours()).toContain("2025-04-20");
    await indicateurs(t.database, { scope: NATIONAL, date: "2025-04-25", today: "2025-04-25" });
    const after = await jours();
    expect(after).toContain("2025-04-25");
    expect(after).not.toContain("2025-04-20");
    expect(after).toContain("2025-03-31");
    // tomorrow, and today and tomorrow one year before (the dashboards' comparison), are built in advance
    expect(await preparerJours(t.database, { today: "2025-04-25" })).toEqual(["2024-04-25", "2024-04-26", "2025-04-26"]);
    const unAnAvant = await indicateurs(t.database, { scope: NATIONAL, date: "2024-04-25", today: "2025-04-25" });
    expect(unAnAvant.source).toBe("agregats_departement");
    expect(unAnAvant.compteurs).toEqual(
      (await indicateurs(t.database, { scope: NATIONAL, date: "2024-04-25", today: "2025-04-25", exact: true })).compteurs,
    );
    // kept while recent, forgotten with the other non-month-end days
    await preparerJours(t.database, { today: "2025-04-27" });
    expect(await jours()).toEqual(expect.arrayContaining(["2024-04-25", "2024-04-26", "2024-04-27", "2024-04-28"]));
    await preparerJours(t.database, { today: "2025-05-10" });
    expect(await jours()).not.toContain("2024-04-25");
    expect(await jours()).toContain("2024-05-10");
    await t.database.db.transaction(async (tx) => {
      await tx.execute(sql`update contrats set date_rupture = '2025-04-26' where effectif_id = ${ids.E}`);
      await tx.execute(sql`update contrats set date_rupture = null where effectif_id = ${ids.E}`);
      await tx.execute(
        sql`update effectifs set date_entree_formation = '2025-04-26', date_inscription_formation = '2025-04-26' where id = ${ids.J}`,
      );
      await refreshStatutStorage(tx, [ids.E, ids.J]);
    });
    const demain = await indicateurs(t.database, { scope: NATIONAL, date: "2025-04-26", today: "2025-04-25" });
    expect(demain.source).toBe("agregats_departement");
    expect(demain.compteurs).toEqual(
      (await indicateurs(t.database, { scope: NATIONAL, date: "2025-04-26", today: "2025-04-25", exact: true })).compteurs,
    );
    // a date after tomorrow or in the middle of a past month is never materialised
    expect((await indicateurs(t.database, { scope: NATIONAL, date: "2025-04-10", today: "2025-04-25" })).source).toBe("periodes");
    expect((await indicateurs(t.database, { scope: NATIONAL, date: "2025-05-31", today: "2025-04-25" })).source).toBe("periodes");
  });
});
