import { describe, it, expect } from "vitest";
import { addDays, diffDays, fromDay, isIsoDate, toDay } from "../../app/statut/days";
import {
  computeParcours,
  dropoutAt,
  parcoursToPeriodes,
  statutAt,
  STATUTS,
  type ContratDates,
  type ParcoursStep,
  type Statut,
  type StatutInput,
} from "../../app/statut/engine";
import { computeParcoursReference, dropoutAtReference } from "../../app/statut/engine.reference";
import { DossierInvalideError, statutInputFromDossier } from "../../app/statut/from-dossier";

/** parcours(["2024-09-01", "INSCRIT"], …) */
function parcours(...steps: [string, Statut][]): ParcoursStep[] {
  return steps.map(([date, statut]) => ({ date, statut }));
}

function input(
  date_entree_formation: string,
  date_fin_formation: string,
  contrats: ContratDates[] = [],
  date_exclusion_formation: string | null = null,
): StatutInput {
  return { date_entree_formation, date_fin_formation, contrats, date_exclusion_formation };
}

/** Both implementations must give the expected parcours. */
function expectParcours(value: StatutInput, expected: ParcoursStep[]): void {
  expect(computeParcours(value)).toEqual(expected);
  expect(computeParcoursReference(value)).toEqual(expected);
}

describe("days", () => {
  it("converts like Date.UTC over several centuries", () => {
    const mismatches: string[] = [];
    for (let n = toDay("1899-12-25"); n < toDay("2101-01-10"); n += 1) {
      const iso = new Date(n * 86_400_000).toISOString().slice(0, 10);
      if (fromDay(n) !== iso || toDay(iso) !== n) mismatches.push(iso);
    }
    expect(mismatches).toEqual([]);
    expect(fromDay(toDay("0001-01-01"))).toBe("0001-01-01");
    expect(fromDay(toDay("9999-12-31"))).toBe("9999-12-31");
    expect(toDay("1970-01-01")).toBe(0);
    expect(toDay("2024-03-01T23:59:59.999Z")).toBe(Date.UTC(2024, 2, 1) / 86_400_000);
  });

  it("adds and subtracts calendar days", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2023-02-28", 1)).toBe("2023-03-01");
    expect(addDays("2025-01-01", -1)).toBe("2024-12-31");
    expect(diffDays("2024-09-01", "2024-11-30")).toBe(90);
    expect(diffDays("2024-11-30", "2024-09-01")).toBe(-90);
  });

  it("validates ISO dates", () => {
    expect(isIsoDate("2024-02-29")).toBe(true);
    expect(isIsoDate("2024-02-29T10:00:00Z")).toBe(true);
    expect(isIsoDate("2023-02-29")).toBe(false);
    expect(isIsoDate("2024-13-01")).toBe(false);
    expect(isIsoDate("2024-1-01")).toBe(false);
    expect(isIsoDate("01/09/2024")).toBe(false);
  });
});

describe("computeParcours — rule 1 (timeline) and no contract", () => {
  it("lists the statuts", () => {
    expect(STATUTS).toEqual(["INSCRIT", "APPRENTI", "RUPTURANT", "ABANDON", "FIN_DE_FORMATION"]);
  });

  it("no contract, short formation: INSCRIT then FIN_DE_FORMATION on E (rule 6)", () => {
    expectParcours(input("2024-09-01", "2024-10-15"), parcours(["2024-09-01", "INSCRIT"], ["2024-10-15", "FIN_DE_FORMATION"]));
  });

  it("a one-day formation is FIN_DE_FORMATION on its only day", () => {
    expectParcours(input("2024-09-01", "2024-09-01"), parcours(["2024-09-01", "FIN_DE_FORMATION"]));
  });

  it("E before S gives an empty parcours", () => {
    expectParcours(input("2024-09-01", "2024-08-31"), []);
    expectParcours(input("2024-09-01", "2024-08-31", [{ date_debut: "2024-09-10", date_fin: "2025-01-01" }]), []);
  });

  it("a contract starting before the formation entry moves S to its start", () => {
    expectParcours(
      input("2024-09-15", "2025-06-30", [{ date_debut: "2024-09-01", date_fin: "2025-06-30" }]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-06-30", "FIN_DE_FORMATION"]),
    );
  });

  it("a contract ending before E but starting before the entry date still moves S", () => {
    expectParcours(
      input("2024-09-01", "2024-12-31", [{ date_debut: "2024-08-01", date_rupture: "2024-08-01" }]),
      // S = 2024-08-01, no APPRENTI day: day 91 is 2024-10-30
      parcours(["2024-08-01", "INSCRIT"], ["2024-10-30", "ABANDON"]),
    );
  });

  it("accepts dates with a time part", () => {
    expectParcours(
      input("2024-09-01T00:00:00.000Z", "2025-06-30T00:00:00.000Z", [
        { date_debut: "2024-10-01T00:00:00.000Z", date_fin: "2025-06-30T12:00:00.000Z", date_rupture: null },
      ]),
      parcours(["2024-09-01", "INSCRIT"], ["2024-10-01", "APPRENTI"], ["2025-06-30", "FIN_DE_FORMATION"]),
    );
  });
});

describe("rule 4 — 90 days without any contract", () => {
  // entry 2024-09-01: day 90 is 2024-11-29, day 91 is 2024-11-30
  it("day 90 is INSCRIT, day 91 is ABANDON", () => {
    expect(addDays("2024-09-01", 89)).toBe("2024-11-29");
    expectParcours(input("2024-09-01", "2025-06-30"), parcours(["2024-09-01", "INSCRIT"], ["2024-11-30", "ABANDON"]));
  });

  it("E on day 90: still INSCRIT after rule 4, so FIN_DE_FORMATION (rule 6)", () => {
    expectParcours(input("2024-09-01", "2024-11-29"), parcours(["2024-09-01", "INSCRIT"], ["2024-11-29", "FIN_DE_FORMATION"]));
  });

  it("E on day 91: ABANDON after rule 4, no contract so not ended naturally: stays ABANDON", () => {
    expectParcours(input("2024-09-01", "2024-11-30"), parcours(["2024-09-01", "INSCRIT"], ["2024-11-30", "ABANDON"]));
  });

  it("a contract on day 91 avoids ABANDON; one on day 92 comes after one ABANDON day", () => {
    expectParcours(
      input("2024-09-01", "2025-08-31", [{ date_debut: "2024-11-30", date_fin: "2025-08-31" }]),
      parcours(["2024-09-01", "INSCRIT"], ["2024-11-30", "APPRENTI"], ["2025-08-31", "FIN_DE_FORMATION"]),
    );
    expectParcours(
      input("2024-09-01", "2025-08-31", [{ date_debut: "2024-12-01", date_fin: "2025-08-31" }]),
      parcours(
        ["2024-09-01", "INSCRIT"],
        ["2024-11-30", "ABANDON"],
        ["2024-12-01", "APPRENTI"],
        ["2025-08-31", "FIN_DE_FORMATION"],
      ),
    );
  });
});

describe("rule 4 — 180 days after a rupture", () => {
  // rupture on 2025-01-01: last APPRENTI day 2024-12-31, day 180 of the run is 2025-06-29, day 181 2025-06-30
  const contrat = { date_debut: "2024-09-01", date_fin: "2026-08-31", date_rupture: "2025-01-01" };

  it("day 180 is RUPTURANT, day 181 is ABANDON", () => {
    expect(addDays("2025-01-01", 179)).toBe("2025-06-29");
    expectParcours(
      input("2024-09-01", "2025-12-31", [contrat]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-01-01", "RUPTURANT"], ["2025-06-30", "ABANDON"]),
    );
  });

  it("E on day 180 stays RUPTURANT (rupture: not ended naturally, not INSCRIT)", () => {
    expectParcours(
      input("2024-09-01", "2025-06-29", [contrat]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-01-01", "RUPTURANT"]),
    );
  });

  it("a new contract after a rupture", () => {
    expectParcours(
      input("2024-09-01", "2025-08-31", [contrat, { date_debut: "2025-03-01", date_fin: "2025-08-31" }]),
      parcours(
        ["2024-09-01", "APPRENTI"],
        ["2025-01-01", "RUPTURANT"],
        ["2025-03-01", "APPRENTI"],
        ["2025-08-31", "FIN_DE_FORMATION"],
      ),
    );
  });

  it("a new contract after more than 180 days: RUPTURANT, ABANDON, then APPRENTI again", () => {
    expectParcours(
      input("2024-09-01", "2026-06-30", [{ date_debut: "2025-09-01", date_fin: "2026-06-30" }, contrat]),
      parcours(
        ["2024-09-01", "APPRENTI"],
        ["2025-01-01", "RUPTURANT"],
        ["2025-06-30", "ABANDON"],
        ["2025-09-01", "APPRENTI"],
        ["2026-06-30", "FIN_DE_FORMATION"],
      ),
    );
  });

  it("a contract that ended naturally long before E: RUPTURANT, ABANDON, FIN_DE_FORMATION on E (rule 6)", () => {
    expectParcours(
      input("2024-09-01", "2025-12-31", [{ date_debut: "2024-09-01", date_fin: "2024-12-31" }]),
      parcours(
        ["2024-09-01", "APPRENTI"],
        ["2025-01-01", "RUPTURANT"],
        ["2025-06-30", "ABANDON"],
        ["2025-12-31", "FIN_DE_FORMATION"],
      ),
    );
  });
});

describe("rule 2 — contracts", () => {
  it("a contract without date_fin lasts until E", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-09-01" }]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-06-30", "FIN_DE_FORMATION"]),
    );
  });

  it("a contract ending after E is APPRENTI until E, then FIN_DE_FORMATION on E", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-09-01", date_fin: "2025-08-31" }]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-06-30", "FIN_DE_FORMATION"]),
    );
  });

  it("a contract without date_debut is ignored", () => {
    expectParcours(
      input("2024-09-01", "2024-10-15", [{ date_debut: null, date_fin: "2024-10-01" }]),
      parcours(["2024-09-01", "INSCRIT"], ["2024-10-15", "FIN_DE_FORMATION"]),
    );
  });

  it("a rupture dated before its contract's start gives no APPRENTI day", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-10-01", date_fin: "2025-06-30", date_rupture: "2024-09-15" }]),
      parcours(["2024-09-01", "INSCRIT"], ["2024-11-30", "ABANDON"]),
    );
  });

  it("a rupture on the start day gives no APPRENTI day; the day after gives one", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-10-01", date_rupture: "2024-10-01" }]),
      parcours(["2024-09-01", "INSCRIT"], ["2024-11-30", "ABANDON"]),
    );
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-10-01", date_rupture: "2024-10-02" }]),
      // run after the rupture starts 2024-10-02: day 181 is 2025-03-31
      parcours(
        ["2024-09-01", "INSCRIT"],
        ["2024-10-01", "APPRENTI"],
        ["2024-10-02", "RUPTURANT"],
        ["2025-03-31", "ABANDON"],
      ),
    );
  });

  it("overlapping contracts form one APPRENTI period", () => {
    expectParcours(
      input("2024-09-01", "2025-08-31", [
        { date_debut: "2025-02-01", date_fin: "2025-08-31" },
        { date_debut: "2024-09-01", date_fin: "2025-03-31" },
      ]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-08-31", "FIN_DE_FORMATION"]),
    );
  });

  it("a contract ruptured inside another one changes nothing", () => {
    expectParcours(
      input("2024-09-01", "2025-08-31", [
        { date_debut: "2024-09-01", date_fin: "2025-08-31" },
        { date_debut: "2024-11-01", date_fin: "2025-06-30", date_rupture: "2025-01-15" },
      ]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-08-31", "FIN_DE_FORMATION"]),
    );
  });

  it("back-to-back contracts (next starts the day after) give no change", () => {
    expectParcours(
      input("2024-09-01", "2025-08-31", [
        { date_debut: "2024-09-01", date_fin: "2024-12-31" },
        { date_debut: "2025-01-01", date_fin: "2025-08-31" },
      ]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-08-31", "FIN_DE_FORMATION"]),
    );
  });
});

describe("rule 3 — exclusion", () => {
  it("an exclusion overrides a contract and stays ABANDON on E", () => {
    expectParcours(
      input("2024-09-01", "2025-08-31", [{ date_debut: "2024-09-01", date_fin: "2025-08-31" }], "2025-03-15"),
      parcours(["2024-09-01", "APPRENTI"], ["2025-03-15", "ABANDON"]),
    );
  });

  it("an exclusion inside a gap after a rupture", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-09-01", date_rupture: "2025-01-01" }], "2025-02-01"),
      parcours(["2024-09-01", "APPRENTI"], ["2025-01-01", "RUPTURANT"], ["2025-02-01", "ABANDON"]),
    );
  });

  it("an exclusion inside the first gap", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-11-01", date_fin: "2025-06-30" }], "2024-10-15"),
      parcours(["2024-09-01", "INSCRIT"], ["2024-10-15", "ABANDON"]),
    );
  });

  it("an exclusion on E", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-09-01", date_fin: "2025-06-30" }], "2025-06-30"),
      parcours(["2024-09-01", "APPRENTI"], ["2025-06-30", "ABANDON"]),
    );
  });

  it("an exclusion before S makes every day ABANDON", () => {
    expectParcours(
      input("2024-09-01", "2025-06-30", [{ date_debut: "2024-09-01", date_fin: "2025-06-30" }], "2024-06-01"),
      parcours(["2024-09-01", "ABANDON"]),
    );
  });

  it("an exclusion after E is ignored (also for 'ended naturally')", () => {
    expectParcours(
      input("2024-09-01", "2025-08-29", [{ date_debut: "2024-09-01", date_fin: "2025-06-30" }], "2025-09-15"),
      parcours(["2024-09-01", "APPRENTI"], ["2025-07-01", "FIN_DE_FORMATION"]),
    );
  });
});

describe("rule 5 — terminal contract and 60-day tolerance", () => {
  const contrat = { date_debut: "2024-09-01", date_fin: "2025-06-30" };

  it("E = last day + 60: FIN_DE_FORMATION the day after the contract", () => {
    expect(addDays("2025-06-30", 60)).toBe("2025-08-29");
    expectParcours(
      input("2024-09-01", "2025-08-29", [contrat]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-07-01", "FIN_DE_FORMATION"]),
    );
  });

  it("E = last day + 61: RUPTURANT, then FIN_DE_FORMATION on E only (rule 6)", () => {
    expectParcours(
      input("2024-09-01", "2025-08-30", [contrat]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-07-01", "RUPTURANT"], ["2025-08-30", "FIN_DE_FORMATION"]),
    );
  });

  it("a tie on the last day: the contract with a rupture is terminal, so no tolerance", () => {
    const ruptured = { date_debut: "2024-10-01", date_fin: "2025-08-31", date_rupture: "2025-07-01" };
    const expected = parcours(["2024-09-01", "APPRENTI"], ["2025-07-01", "RUPTURANT"]);
    expectParcours(input("2024-09-01", "2025-07-31", [contrat, ruptured]), expected);
    expectParcours(input("2024-09-01", "2025-07-31", [ruptured, contrat]), expected);
  });

  it("a tie between two contracts without rupture ended naturally", () => {
    expectParcours(
      input("2024-09-01", "2025-07-31", [contrat, { date_debut: "2024-10-01", date_fin: "2025-06-30" }]),
      parcours(["2024-09-01", "APPRENTI"], ["2025-07-01", "FIN_DE_FORMATION"]),
    );
  });

  it("the latest contract wins even when an earlier one had a rupture", () => {
    expectParcours(
      input("2024-09-01", "2025-07-31", [
        { date_debut: "2024-09-01", date_rupture: "2024-11-01" },
        { date_debut: "2024-12-01", date_fin: "2025-06-30" },
      ]),
      parcours(
        ["2024-09-01", "APPRENTI"],
        ["2024-11-01", "RUPTURANT"],
        ["2024-12-01", "APPRENTI"],
        ["2025-07-01", "FIN_DE_FORMATION"],
      ),
    );
  });

  it("no tolerance after an exclusion", () => {
    expectParcours(
      input("2024-09-01", "2025-07-31", [contrat], "2025-07-15"),
      parcours(["2024-09-01", "APPRENTI"], ["2025-07-01", "RUPTURANT"], ["2025-07-15", "ABANDON"]),
    );
  });
});

describe("statutAt and parcoursToPeriodes", () => {
  const value = parcours(
    ["2024-09-01", "APPRENTI"],
    ["2025-01-01", "RUPTURANT"],
    ["2025-03-01", "APPRENTI"],
    ["2025-08-31", "FIN_DE_FORMATION"],
  );

  it("statutAt: null before the first change, the new statut on a change day, the last one after E", () => {
    expect(statutAt(value, "2024-08-31")).toBeNull();
    expect(statutAt(value, "2024-09-01")).toBe("APPRENTI");
    expect(statutAt(value, "2024-12-31")).toBe("APPRENTI");
    expect(statutAt(value, "2025-01-01")).toBe("RUPTURANT");
    expect(statutAt(value, "2025-02-28")).toBe("RUPTURANT");
    expect(statutAt(value, "2025-03-01T08:00:00.000Z")).toBe("APPRENTI");
    expect(statutAt(value, "2025-08-30")).toBe("APPRENTI");
    expect(statutAt(value, "2025-08-31")).toBe("FIN_DE_FORMATION");
    expect(statutAt(value, "2030-01-01")).toBe("FIN_DE_FORMATION");
    expect(statutAt([], "2025-01-01")).toBeNull();
  });

  it("parcoursToPeriodes: inclusive ranges, the last one open", () => {
    expect(parcoursToPeriodes(value)).toEqual([
      { statut: "APPRENTI", debut: "2024-09-01", fin: "2024-12-31" },
      { statut: "RUPTURANT", debut: "2025-01-01", fin: "2025-02-28" },
      { statut: "APPRENTI", debut: "2025-03-01", fin: "2025-08-30" },
      { statut: "FIN_DE_FORMATION", debut: "2025-08-31", fin: null },
    ]);
    expect(parcoursToPeriodes([])).toEqual([]);
  });
});

describe("dropoutAt", () => {
  const both = (value: StatutInput, date: string) => {
    const measures = dropoutAt(value, date);
    expect(dropoutAtReference(value, date)).toEqual(measures);
    return measures;
  };

  it("counts the days of an inscrit without contract", () => {
    const value = input("2024-09-01", "2025-06-30");
    expect(both(value, "2024-08-31")).toEqual({ statut: null, joursSansContrat: null, debutRupture: null, contratEnCours: false });
    expect(both(value, "2024-09-01")).toEqual({ statut: "INSCRIT", joursSansContrat: 1, debutRupture: null, contratEnCours: false });
    expect(both(value, "2024-11-29")).toEqual({ statut: "INSCRIT", joursSansContrat: 90, debutRupture: null, contratEnCours: false });
    expect(both(value, "2024-11-30")).toEqual({ statut: "ABANDON", joursSansContrat: null, debutRupture: null, contratEnCours: false });
  });

  it("counts the days of a rupturant and gives the rupture date", () => {
    const value = input("2024-09-01", "2025-12-31", [
      { date_debut: "2024-09-01", date_rupture: "2025-01-01" },
      { date_debut: "2025-09-01", date_fin: "2025-12-31" },
    ]);
    expect(both(value, "2024-12-31")).toEqual({ statut: "APPRENTI", joursSansContrat: null, debutRupture: null, contratEnCours: true });
    expect(both(value, "2025-01-01")).toEqual({
      statut: "RUPTURANT",
      joursSansContrat: 1,
      debutRupture: "2025-01-01",
      contratEnCours: false,
    });
    expect(both(value, "2025-06-29")).toEqual({
      statut: "RUPTURANT",
      joursSansContrat: 180,
      debutRupture: "2025-01-01",
      contratEnCours: false,
    });
    expect(both(value, "2025-06-30").statut).toBe("ABANDON");
    expect(both(value, "2025-09-01")).toEqual({ statut: "APPRENTI", joursSansContrat: null, debutRupture: null, contratEnCours: true });
  });

  it("after E, the measures of day E", () => {
    const value = input("2024-09-01", "2025-03-01", [{ date_debut: "2024-09-01", date_rupture: "2025-01-01" }]);
    expect(both(value, "2025-03-01").joursSansContrat).toBe(60);
    expect(both(value, "2026-03-01")).toEqual({
      statut: "RUPTURANT",
      joursSansContrat: 60,
      debutRupture: "2025-01-01",
      contratEnCours: false,
    });
  });

  it("contratEnCours is about the contract dates, even when an exclusion makes the day ABANDON", () => {
    const value = input("2024-09-01", "2025-06-30", [{ date_debut: "2024-09-01", date_fin: "2025-08-31" }], "2025-01-15");
    expect(both(value, "2025-02-01")).toEqual({ statut: "ABANDON", joursSansContrat: null, debutRupture: null, contratEnCours: true });
    expect(both(value, "2025-07-01").contratEnCours).toBe(true);
  });

  it("empty timeline", () => {
    expect(both(input("2024-09-01", "2024-08-01"), "2024-09-01")).toEqual({
      statut: null,
      joursSansContrat: null,
      debutRupture: null,
      contratEnCours: false,
    });
  });
});

describe("statutInputFromDossier", () => {
  it("maps the v3 fields, drops the time parts and skips empty contracts", () => {
    expect(
      statutInputFromDossier({
        date_entree_formation: "2024-09-01T00:00:00.000Z",
        date_fin_formation: "2025-06-30",
        date_exclusion_formation: "",
        contrat_date_debut: "2024-09-15",
        contrat_date_fin: "2025-06-30",
        contrat_date_rupture: null,
        contrat_date_debut_3: new Date("2025-01-01T00:00:00.000Z"),
        contrat_date_rupture_3: "2025-02-01T00:00:00.000Z",
      }),
    ).toEqual({
      date_entree_formation: "2024-09-01",
      date_fin_formation: "2025-06-30",
      date_exclusion_formation: null,
      contrats: [
        { date_debut: "2024-09-15", date_fin: "2025-06-30", date_rupture: null },
        { date_debut: "2025-01-01", date_fin: null, date_rupture: "2025-02-01" },
      ],
    });
  });

  it("rejects missing or invalid dates, naming the field", () => {
    const base = { date_entree_formation: "2024-09-01", date_fin_formation: "2025-06-30" };
    const champ = (d: Record<string, unknown>) => {
      try {
        statutInputFromDossier(d);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(DossierInvalideError);
        return (error as DossierInvalideError).champ;
      }
    };
    expect(champ(base)).toBeNull();
    expect(champ({ date_fin_formation: "2025-06-30" })).toBe("date_entree_formation");
    expect(champ({ ...base, date_fin_formation: "30/06/2025" })).toBe("date_fin_formation");
    expect(champ({ ...base, date_fin_formation: "2024-08-31" })).toBe("date_fin_formation");
    expect(champ({ ...base, contrat_date_debut_2: "2024-02-30" })).toBe("contrat_date_debut_2");
    expect(champ({ ...base, contrat_date_rupture_4: "2025-01-01" })).toBe("contrat_date_debut_4");
    expect(champ({ ...base, date_exclusion_formation: 20250101 })).toBe("date_exclusion_formation");
  });
});

/** Tiny seeded PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("property: interval implementation = day-by-day reference", () => {
  const random = mulberry32(20240901);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const chance = (p: number) => random() < p;
  const date = (day: number) => (chance(0.1) ? fromDay(day) + "T00:00:00.000Z" : fromDay(day));

  function randomInput(): StatutInput {
    const entree = toDay("2022-01-01") + int(0, 900);
    const duration = int(0, 3 * 365);
    let fin = chance(0.03) ? entree - int(1, 30) : entree + duration;
    const contrats: ContratDates[] = [];
    let previousEnd = entree + int(-60, 120);
    for (let n = int(0, 4), i = 0; i < n; i++) {
      // contracts often follow each other with gaps near the 90/180-day limits, sometimes start outside the
      // formation
      const debut = chance(0.5)
        ? previousEnd + (chance(0.5) ? int(85, 95) : int(175, 185)) * (chance(0.2) ? -1 : 1)
        : entree + int(-120, duration + 60);
      const contrat: ContratDates = { date_debut: chance(0.05) ? null : date(debut) };
      let last = fin;
      if (chance(0.8)) {
        const contratFin = debut + int(-10, 800);
        contrat.date_fin = date(contratFin);
        last = contratFin;
      }
      if (chance(0.35)) {
        const rupture = debut + int(-20, 400);
        contrat.date_rupture = date(rupture);
        last = rupture - 1;
      }
      // a tie with the previous contract's last day (rule 5)
      if (i > 0 && chance(0.15)) {
        if (chance(0.5)) {
          contrat.date_rupture = date(previousEnd + 1);
        } else {
          contrat.date_rupture = null;
          contrat.date_fin = date(previousEnd);
        }
        last = previousEnd;
      }
      previousEnd = last;
      contrats.push(contrat);
    }
    // aim E at the 60-day tolerance
    if (chance(0.2) && fin >= entree) fin = previousEnd + int(55, 65);
    const exclusion = chance(0.15) ? date(entree + int(-60, duration + 60)) : chance(0.05) ? "" : null;
    return {
      date_entree_formation: date(entree),
      date_fin_formation: date(fin),
      date_exclusion_formation: exclusion,
      contrats,
    };
  }

  it("gives the same parcours and dropout measures on 6,000 random learners", () => {
    const seen = new Set<Statut>();
    let checked = 0;
    for (let i = 0; i < 6000; i++) {
      const value = randomInput();
      const expected = computeParcoursReference(value);
      const actual = computeParcours(value);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        expect({ input: value, parcours: actual }).toEqual({ input: value, parcours: expected });
      }
      // no two consecutive steps with the same statut, dates strictly increasing
      for (let k = 1; k < actual.length; k++) {
        expect(actual[k].statut).not.toBe(actual[k - 1].statut);
        expect(actual[k].date > actual[k - 1].date).toBe(true);
      }
      actual.forEach((step) => seen.add(step.statut));
      const entree = toDay(value.date_entree_formation);
      for (let k = 0; k < 4; k++) {
        const at = fromDay(entree + int(-200, 4 * 365));
        const measures = dropoutAt(value, at);
        const reference = dropoutAtReference(value, at);
        if (JSON.stringify(measures) !== JSON.stringify(reference)) {
          expect({ input: value, at, measures }).toEqual({ input: value, at, measures: reference });
        }
        expect(measures.statut).toBe(statutAt(actual, at));
        checked++;
      }
    }
    expect(checked).toBe(24_000);
    expect([...seen].sort()).toEqual([...STATUTS].sort());
  });
});
