import { describe, expect, it } from "vitest";
import { addDays, fromDay, toDay } from "../../app/statut/days";
import {
  computeParcours,
  dropoutAt,
  statutAt,
  type ContratDates,
  type ParcoursStep,
  type Statut,
  type StatutInput,
} from "../../app/statut/engine";
import {
  ageAt,
  compteurs,
  comptesVides,
  coupureRqth,
  rqthALaDate,
  ajouterComptes,
  estARisque,
  ETAT,
  etatOf,
  etatsPeriodes,
  fenetreComptage,
  minusYears,
  periodeAt,
  seuilsAge,
  statutOfEtat,
  trancheAgeAt,
  type EtatPeriode,
} from "../../app/indicateurs/etats";

function p(...steps: [string, Statut][]): ParcoursStep[] {
  return steps.map(([date, statut]) => ({ date, statut }));
}

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

describe("fenêtre de comptage", () => {
  it("runs from 1 August to 31 July for a school year, over the calendar year for Y-Y", () => {
    expect(fenetreComptage("2024-2025")).toEqual({ debut: "2024-08-01", fin: "2025-07-31" });
    expect(fenetreComptage("2025-2025")).toEqual({ debut: "2025-01-01", fin: "2025-12-31" });
    expect(fenetreComptage("2024-2026")).toBeNull();
    expect(fenetreComptage("2024/2025")).toBeNull();
  });
});

describe("états", () => {
  it("maps statuts and days without contract to états", () => {
    expect(etatOf("APPRENTI", null)).toBe(ETAT.APPRENTI);
    expect(etatOf("INSCRIT", 30)).toBe(ETAT.INSCRIT_1_30);
    expect(etatOf("INSCRIT", 31)).toBe(ETAT.INSCRIT_31_60);
    expect(etatOf("INSCRIT", 60)).toBe(ETAT.INSCRIT_31_60);
    expect(etatOf("INSCRIT", 61)).toBe(ETAT.INSCRIT_61_90);
    expect(etatOf("RUPTURANT", 44)).toBe(ETAT.RUPTURANT_1_44);
    expect(etatOf("RUPTURANT", 45)).toBe(ETAT.RUPTURANT_45_89);
    expect(etatOf("RUPTURANT", 89)).toBe(ETAT.RUPTURANT_45_89);
    expect(etatOf("RUPTURANT", 90)).toBe(ETAT.RUPTURANT_90_180);
    expect(etatOf("RUPTURANT", 180)).toBe(ETAT.RUPTURANT_90_180);
    for (const e of [1, 2, 3, 4, 5, 6, 7, 8, 9] as const)
      expect(etatOf(statutOfEtat(e), e === 3 ? 40 : e === 4 ? 70 : e === 6 ? 50 : e === 7 ? 100 : 1)).toBe(e);
  });

  it("cuts a rupture at 45 and 90 days and an inscription at 31 and 61 days", () => {
    const periodes = etatsPeriodes(
      p(
        ["2024-09-01", "INSCRIT"],
        ["2024-11-01", "APPRENTI"],
        ["2025-01-10", "RUPTURANT"],
        ["2025-05-01", "APPRENTI"],
        ["2025-06-30", "FIN_DE_FORMATION"],
      ),
      "2025-06-30",
      "2024-2025",
    );
    expect(periodes).toEqual<EtatPeriode[]>([
      { etat: ETAT.INSCRIT_1_30, debut: "2024-09-01", fin: "2024-09-30", debutSansContrat: "2024-09-01" },
      { etat: ETAT.INSCRIT_31_60, debut: "2024-10-01", fin: "2024-10-30", debutSansContrat: "2024-09-01" },
      { etat: ETAT.INSCRIT_61_90, debut: "2024-10-31", fin: "2024-10-31", debutSansContrat: "2024-09-01" },
      { etat: ETAT.APPRENTI, debut: "2024-11-01", fin: "2025-01-09", debutSansContrat: null },
      // day 1 = 2025-01-10, day 44 = 2025-02-22, day 45 = 2025-02-23, day 89 = 2025-04-08, day 90 = 2025-04-09
      { etat: ETAT.RUPTURANT_1_44, debut: "2025-01-10", fin: "2025-02-22", debutSansContrat: "2025-01-10" },
      { etat: ETAT.RUPTURANT_45_89, debut: "2025-02-23", fin: "2025-04-08", debutSansContrat: "2025-01-10" },
      { etat: ETAT.RUPTURANT_90_180, debut: "2025-04-09", fin: "2025-04-30", debutSansContrat: "2025-01-10" },
      { etat: ETAT.APPRENTI, debut: "2025-05-01", fin: "2025-06-29", debutSansContrat: null },
      { etat: ETAT.FIN_DE_FORMATION, debut: "2025-06-30", fin: "2025-07-31", debutSansContrat: null },
    ]);
  });

  it("freezes the days without contract at the end of the formation and clips to the window", () => {
    // Rupturant from 2025-06-20, formation ends 2025-06-30 (day 11): stays "< 45 days" until the window ends.
    const periodes = etatsPeriodes(
      p(["2024-06-01", "APPRENTI"], ["2025-06-20", "RUPTURANT"]),
      "2025-06-30",
      "2024-2025",
    );
    expect(periodes).toEqual<EtatPeriode[]>([
      { etat: ETAT.APPRENTI, debut: "2024-08-01", fin: "2025-06-19", debutSansContrat: null },
      { etat: ETAT.RUPTURANT_1_44, debut: "2025-06-20", fin: "2025-07-31", debutSansContrat: "2025-06-20" },
    ]);
    // Same learner sent for the next school year: nothing before 2025-08-01, frozen état after.
    expect(
      etatsPeriodes(p(["2024-06-01", "APPRENTI"], ["2025-06-20", "RUPTURANT"]), "2025-06-30", "2025-2026"),
    ).toEqual([{ etat: ETAT.RUPTURANT_1_44, debut: "2025-08-01", fin: "2026-07-31", debutSansContrat: "2025-06-20" }]);
    expect(etatsPeriodes(p(["2025-09-01", "APPRENTI"]), "2026-06-30", "2023-2024")).toEqual([]);
    expect(etatsPeriodes([], "2026-06-30", "2025-2026")).toEqual([]);
  });

  it("agrees with the engine's statutAt and dropoutAt on random learners and dates", () => {
    const random = mulberry32(7);
    const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
    const mismatches: string[] = [];
    for (let n = 0; n < 3000; n++) {
      const entree = toDay("2023-08-15") + int(0, 500);
      const fin = entree + int(120, 3 * 365);
      const contrats: ContratDates[] = [];
      let debut = entree + int(-40, 120);
      for (let k = int(0, 3), i = 0; i < k && debut < fin; i++) {
        const cfin = Math.min(fin + int(-20, 40), debut + int(30, 700));
        const rupture = random() < 0.4 ? debut + int(-2, Math.max(1, cfin - debut)) : null;
        contrats.push({
          date_debut: fromDay(debut),
          date_fin: fromDay(cfin),
          date_rupture: rupture === null ? null : fromDay(rupture),
        });
        debut = (rupture ?? cfin) + int(1, 200);
      }
      const input: StatutInput = {
        date_entree_formation: fromDay(entree),
        date_fin_formation: fromDay(fin),
        date_exclusion_formation: random() < 0.1 ? fromDay(entree + int(-30, 500)) : null,
        contrats,
      };
      const parcours = computeParcours(input);
      const y = int(2022, 2026);
      const annee = random() < 0.85 ? `${y}-${y + 1}` : `${y}-${y}`;
      const fenetre = fenetreComptage(annee)!;
      const periodes = etatsPeriodes(parcours, input.date_fin_formation, annee);
      for (let i = 1; i < periodes.length; i++) {
        if (periodes[i].debut <= periodes[i - 1].fin) mismatches.push(`${JSON.stringify(input)} overlapping periods`);
      }
      for (let k = 0; k < 12; k++) {
        const date = fromDay(entree + int(-60, fin - entree + 400));
        const got = periodeAt(periodes, date);
        const statut = statutAt(parcours, date);
        const inWindow = fenetre.debut <= date && date <= fenetre.fin;
        let expected: number | null = null;
        if (statut !== null && inWindow) {
          const d = dropoutAt(input, date);
          expected = etatOf(statut, d.joursSansContrat);
          if (d.statut !== statut)
            mismatches.push(`${JSON.stringify(input)} ${date} statutAt ${statut} dropoutAt ${d.statut}`);
        }
        if ((got?.etat ?? null) !== expected) {
          mismatches.push(`${JSON.stringify(input)} ${annee} ${date}: ${got?.etat ?? null} ≠ ${expected}`);
        }
        if (got && got.debutSansContrat !== null) {
          const d = dropoutAt(input, date);
          const jours = Math.min(toDay(date), fin) - toDay(got.debutSansContrat) + 1;
          if (jours !== d.joursSansContrat)
            mismatches.push(`${JSON.stringify(input)} ${date}: jours ${jours} ≠ ${d.joursSansContrat}`);
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

describe("âge à une date", () => {
  it("counts a birthday from its day", () => {
    expect(ageAt("2007-03-10", "2025-03-09")).toBe(17);
    expect(ageAt("2007-03-10", "2025-03-10")).toBe(18);
    expect(trancheAgeAt("2007-03-10", "2025-03-09")).toBe(0);
    expect(trancheAgeAt("2007-03-10", "2025-03-10")).toBe(1);
    expect(trancheAgeAt("2004-03-10", "2025-03-10")).toBe(2);
    expect(trancheAgeAt("2004-03-11", "2025-03-10")).toBe(1);
    expect(trancheAgeAt("1999-03-10", "2025-03-10")).toBe(3);
    expect(trancheAgeAt("1999-03-11", "2025-03-10")).toBe(2);
  });

  it("makes a 29 February birthday count from 1 March in other years", () => {
    expect(ageAt("2008-02-29", "2026-02-28")).toBe(17);
    expect(ageAt("2008-02-29", "2026-03-01")).toBe(18);
    expect(ageAt("2008-02-29", "2028-02-29")).toBe(20);
    expect(minusYears("2024-02-29", 18)).toBe("2006-02-28");
    expect(minusYears("2024-02-29", 20)).toBe("2004-02-29");
  });

  it("thresholds of birth dates agree with the age on every day of several years", () => {
    const mismatches: string[] = [];
    for (let d = toDay("2023-12-20"); d <= toDay("2028-03-10"); d += 1) {
      const date = fromDay(d);
      const s = seuilsAge(date);
      for (const naissance of [
        "2006-02-28",
        "2006-03-01",
        "2008-02-29",
        "2004-02-29",
        "2002-12-31",
        addDays(minusYears(date, 18), 1),
        minusYears(date, 18),
        minusYears(date, 21),
        addDays(minusYears(date, 26), 1),
      ]) {
        const age = ageAt(naissance, date);
        const tranche = naissance > s.ans18 ? 0 : naissance > s.ans21 ? 1 : naissance > s.ans26 ? 2 : 3;
        if (tranche !== trancheAgeAt(naissance, date) || age >= 18 !== naissance <= s.ans18)
          mismatches.push(`${naissance} ${date}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe("compteurs", () => {
  it("sums the états into the counters of domain.md", () => {
    const c = comptesVides();
    [1, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 9].forEach((etat, i) => ajouterComptes(c, etat, i % 2 === 0, 1));
    expect(compteurs(c)).toEqual({
      apprenants: 9,
      apprentis: 2,
      inscritsSansContrat: 3,
      rupturants: 4,
      abandons: 1,
      finsDeFormation: 2,
      total: 12,
      rupturantsParDuree: { moins45j: 1, de45a89j: 2, de90a180j: 1 },
      inscritsSansContratParDuree: { jusqua30j: 1, jusqua60j: 2, jusqua90j: 3 },
      aRisque: 6,
    });
  });

  it("is à risque only without contract and minor or RQTH", () => {
    expect(estARisque(ETAT.RUPTURANT_1_44, 0, false)).toBe(true);
    expect(estARisque(ETAT.INSCRIT_61_90, 2, true)).toBe(true);
    expect(estARisque(ETAT.INSCRIT_1_30, 1, false)).toBe(false);
    expect(estARisque(ETAT.APPRENTI, 0, true)).toBe(false);
    expect(estARisque(ETAT.ABANDON, 0, true)).toBe(false);
  });
});

describe("RQTH à la date", () => {
  it("counts a learner as RQTH from its recognition date on (always, when the date is not given)", () => {
    expect(rqthALaDate(true, null, "2025-01-10")).toBe(true);
    expect(rqthALaDate(true, "2025-01-10", "2025-01-09")).toBe(false);
    expect(rqthALaDate(true, "2025-01-10", "2025-01-10")).toBe(true);
    expect(rqthALaDate(false, "2025-01-10", "2025-02-01")).toBe(false);
    expect(rqthALaDate(null, null, "2025-02-01")).toBe(false);
  });

  it("cuts a période at the recognition date, and only then", () => {
    // recognised before the période, or no date: one part, RQTH
    expect(coupureRqth("2025-01-01", "2025-03-31", true, "2024-06-01")).toEqual([{ debut: "2025-01-01", fin: "2025-03-31", rqth: true }]);
    expect(coupureRqth("2025-01-01", "2025-03-31", true, "2025-01-01")).toEqual([{ debut: "2025-01-01", fin: "2025-03-31", rqth: true }]);
    expect(coupureRqth("2025-01-01", "2025-03-31", true, null)).toEqual([{ debut: "2025-01-01", fin: "2025-03-31", rqth: true }]);
    // recognised after it: one part, not RQTH
    expect(coupureRqth("2025-01-01", "2025-03-31", true, "2025-04-01")).toEqual([{ debut: "2025-01-01", fin: "2025-03-31", rqth: false }]);
    // recognised during it: two parts that cover it exactly, the second RQTH
    expect(coupureRqth("2025-01-01", "2025-03-31", true, "2025-03-01")).toEqual([
      { debut: "2025-01-01", fin: "2025-02-28", rqth: false },
      { debut: "2025-03-01", fin: "2025-03-31", rqth: true },
    ]);
    expect(coupureRqth("2025-01-01", "2025-03-31", true, "2025-03-31")).toEqual([
      { debut: "2025-01-01", fin: "2025-03-30", rqth: false },
      { debut: "2025-03-31", fin: "2025-03-31", rqth: true },
    ]);
    // not declared RQTH: a date alone changes nothing
    expect(coupureRqth("2025-01-01", "2025-03-31", false, "2025-03-01")).toEqual([{ debut: "2025-01-01", fin: "2025-03-31", rqth: false }]);
    expect(coupureRqth("2025-01-01", "2025-03-31", null, "2025-03-01")).toEqual([{ debut: "2025-01-01", fin: "2025-03-31", rqth: false }]);
  });

  it("agrees with rqthALaDate on every day of the période", () => {
    const random = mulberry32(16);
    for (let i = 0; i < 200; i++) {
      const debut = fromDay(toDay("2024-09-01") + Math.floor(random() * 300));
      const fin = addDays(debut, Math.floor(random() * 120));
      const dateRqth = random() < 0.2 ? null : addDays(debut, Math.floor(random() * 200) - 40);
      const rqth = random() < 0.8;
      const parties = coupureRqth(debut, fin, rqth, dateRqth);
      expect(parties[0].debut).toBe(debut);
      expect(parties.at(-1)!.fin).toBe(fin);
      for (let d = debut; d <= fin; d = addDays(d, 1)) {
        const couvrantes = parties.filter((x) => x.debut <= d && d <= x.fin);
        expect(couvrantes.length).toBe(1);
        expect(couvrantes[0].rqth).toBe(rqthALaDate(rqth, dateRqth, d));
      }
    }
  });
});
