/**
 * The "état" of a learner at a date: its statut (domain.md, rules 1–7) refined by the dropout duration bucket,
 * and the periods over which that état is constant. Pure module (no I/O): shared by the storage
 * (app/statut/storage.server.ts), the indicator queries and the tests.
 *
 * Why états rather than statuts: every dropout counter of domain.md is a function of the statut and of the number
 * of consecutive days without contract at the date. Cutting each INSCRIT / RUPTURANT period where that number
 * crosses a bucket boundary makes the whole indicator state of a learner piecewise constant in time, so
 * "counters at D" is "count the periods covering D", for the stored periods and for the pre-aggregated snapshots
 * alike.
 *
 * Decisions:
 * - Days without contract (`jours`) are the engine's `dropoutAt(...).joursSansContrat`: 1 on the first day of
 *   the run, frozen at its value of day E after the end of the formation.
 * - Rupturants: < 45 days (1–44), 45–89 days, 90–180 days. Inscrits sans contrat: 1–30, 31–60, 61–90 days; the
 *   domain's "≤ 30 / ≤ 60 / ≤ 90" counters are cumulative sums of these buckets.
 * - Counting window: an effectif of année scolaire "Y-(Y+1)" is counted from Y-08-01 to (Y+1)-07-31; one of
 *   "Y-Y" from Y-01-01 to Y-12-31 (domain.md, "Counters at D"). Periods are clipped to that window, so "covering
 *   D" alone implies "of an année scolaire counted at D". Any other année scolaire is never counted.
 * - Age at D: full years, a birthday counts from its day (born 29 February: 1 March in non-leap years, like
 *   PostgreSQL's age()). Bands: < 18, 18–20, 21–25, 26+.
 * - À risque: INSCRIT or RUPTURANT at D (so no contract covers D) and (under 18 at D or RQTH at D).
 * - RQTH at D: the learner is declared RQTH and its recognition date, when given, is on or before D (a period that
 *   straddles that date is cut in two: `coupureRqth`).
 */

import { fromDay, toDay } from "../statut/days";
import type { ParcoursStep, Statut } from "../statut/engine";

// ---------------------------------------------------------------------------------------------- états

export const ETAT = {
  APPRENTI: 1,
  INSCRIT_1_30: 2,
  INSCRIT_31_60: 3,
  INSCRIT_61_90: 4,
  RUPTURANT_1_44: 5,
  RUPTURANT_45_89: 6,
  RUPTURANT_90_180: 7,
  ABANDON: 8,
  FIN_DE_FORMATION: 9,
} as const;

export type Etat = (typeof ETAT)[keyof typeof ETAT];

/** États of a learner without contract at the date (INSCRIT or RUPTURANT): the ones "à risque" may apply to. */
export const ETAT_SANS_CONTRAT_MIN = ETAT.INSCRIT_1_30;
export const ETAT_SANS_CONTRAT_MAX = ETAT.RUPTURANT_90_180;
/** The états of the INSCRIT statut (sans contrat) and of the RUPTURANT statut, shortest run first. */
export const ETATS_INSCRIT = [ETAT.INSCRIT_1_30, ETAT.INSCRIT_31_60, ETAT.INSCRIT_61_90] as const;
export const ETATS_RUPTURANT = [ETAT.RUPTURANT_1_44, ETAT.RUPTURANT_45_89, ETAT.RUPTURANT_90_180] as const;

/** Whether a learner in this état has no contract at the date (INSCRIT or RUPTURANT). */
export function estSansContrat(etat: number | null): boolean {
  return etat !== null && etat >= ETAT_SANS_CONTRAT_MIN && etat <= ETAT_SANS_CONTRAT_MAX;
}

export function statutOfEtat(etat: Etat): Statut {
  if (etat === ETAT.APPRENTI) return "APPRENTI";
  if (etat <= ETAT.INSCRIT_61_90) return "INSCRIT";
  if (etat <= ETAT.RUPTURANT_90_180) return "RUPTURANT";
  if (etat === ETAT.ABANDON) return "ABANDON";
  return "FIN_DE_FORMATION";
}

/** Buckets [first day, last day, état] of the run of days without contract. */
const BUCKETS: Partial<Record<Statut, readonly (readonly [number, number, Etat])[]>> = {
  INSCRIT: [
    [1, 30, ETAT.INSCRIT_1_30],
    [31, 60, ETAT.INSCRIT_31_60],
    [61, 90, ETAT.INSCRIT_61_90],
  ],
  RUPTURANT: [
    [1, 44, ETAT.RUPTURANT_1_44],
    [45, 89, ETAT.RUPTURANT_45_89],
    [90, 180, ETAT.RUPTURANT_90_180],
  ],
};

/** The état of a statut with `jours` consecutive days without contract (ignored for other statuts). */
export function etatOf(statut: Statut, jours: number | null): Etat {
  const buckets = BUCKETS[statut];
  if (!buckets)
    return statut === "APPRENTI" ? ETAT.APPRENTI : statut === "ABANDON" ? ETAT.ABANDON : ETAT.FIN_DE_FORMATION;
  const j = jours ?? 1;
  for (const [, hi, etat] of buckets) if (j <= hi) return etat;
  return buckets[buckets.length - 1][2];
}

// ---------------------------------------------------------------------------------------------- window

/** The dates at which an effectif of this année scolaire is counted, or null when it never is. */
export function fenetreComptage(anneeScolaire: string): { debut: string; fin: string } | null {
  const match = /^(\d{4})-(\d{4})$/.exec(anneeScolaire);
  if (!match) return null;
  const y1 = Number(match[1]);
  const y2 = Number(match[2]);
  if (y2 === y1 + 1) return { debut: `${match[1]}-08-01`, fin: `${match[2]}-07-31` };
  if (y2 === y1) return { debut: `${match[1]}-01-01`, fin: `${match[1]}-12-31` };
  return null;
}

// ---------------------------------------------------------------------------------------------- periods

/** An inclusive day range over which the état is constant. */
export interface EtatPeriode {
  etat: Etat;
  debut: string;
  fin: string;
  /** INSCRIT / RUPTURANT: first day of the run of days without contract (the rupture for a rupturant). */
  debutSansContrat: string | null;
}

/**
 * The état periods of an effectif: its parcours (engine), cut at the dropout bucket boundaries and clipped to
 * the counting window of its année scolaire. In date order, non-overlapping; the état at D is the period
 * covering D (none: the effectif is not counted at D).
 *
 * The run of days without contract of an INSCRIT or RUPTURANT period starts on the period's first day: an
 * INSCRIT period only occurs before any APPRENTI day (it starts on S), a RUPTURANT one on the day after an
 * APPRENTI day (rule 4). The tests check this against the engine's `dropoutAt` on random learners.
 */
export function etatsPeriodes(
  parcours: ParcoursStep[],
  dateFinFormation: string,
  anneeScolaire: string,
): EtatPeriode[] {
  const fenetre = fenetreComptage(anneeScolaire);
  if (fenetre === null || parcours.length === 0) return [];
  const winStart = toDay(fenetre.debut);
  const winEnd = toDay(fenetre.fin);
  const end = toDay(dateFinFormation);
  const out: EtatPeriode[] = [];
  const push = (etat: Etat, a: number, b: number, sansContrat: string | null) => {
    const from = a > winStart ? a : winStart;
    const to = b < winEnd ? b : winEnd;
    if (from <= to) out.push({ etat, debut: fromDay(from), fin: fromDay(to), debutSansContrat: sansContrat });
  };
  for (let i = 0; i < parcours.length; i++) {
    const debut = toDay(parcours[i].date);
    const fin = i + 1 < parcours.length ? toDay(parcours[i + 1].date) - 1 : Number.POSITIVE_INFINITY;
    if (debut > winEnd) break;
    if (fin < winStart) continue;
    const statut = parcours[i].statut;
    const buckets = BUCKETS[statut];
    if (!buckets) {
      push(etatOf(statut, null), debut, fin, null);
      continue;
    }
    // Days without contract at day d: min(d, E) − s + 1, frozen after E; clamp to the buckets' range.
    const s = debut;
    const lastHi = buckets[buckets.length - 1][1];
    let jEnd = end - s + 1;
    if (jEnd < 1) jEnd = 1;
    if (jEnd > lastHi) jEnd = lastHi;
    const sIso = fromDay(s);
    for (const [lo, hi, etat] of buckets) {
      if (lo > jEnd) break;
      const a = Math.max(debut, s + lo - 1);
      const b = hi >= jEnd ? fin : Math.min(fin, s + hi - 1);
      if (a <= b) push(etat, a, b, sIso);
    }
  }
  return out;
}

/** The period covering a date, or null. */
export function periodeAt(periodes: EtatPeriode[], date: string): EtatPeriode | null {
  for (const p of periodes) if (p.debut <= date && date <= p.fin) return p;
  return null;
}

// ---------------------------------------------------------------------------------------------- age

export const TRANCHES_AGE = ["moins_18", "18_20", "21_25", "26_plus"] as const;
export type TrancheAge = (typeof TRANCHES_AGE)[number];
/** 0: < 18, 1: 18–20, 2: 21–25, 3: 26+ */
export type TrancheAgeCode = 0 | 1 | 2 | 3;

export const LIBELLES_TRANCHE_AGE: Record<TrancheAge, string> = {
  moins_18: "Moins de 18 ans",
  "18_20": "18 à 20 ans",
  "21_25": "21 à 25 ans",
  "26_plus": "26 ans et plus",
};

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `date` minus `years` calendar years; 29 February becomes 28 February in a non-leap year (as PostgreSQL does). */
export function minusYears(date: string, years: number): string {
  const year = Number(date.slice(0, 4)) - years;
  let md = date.slice(5, 10);
  if (md === "02-29" && !isLeap(year)) md = "02-28";
  return `${String(year).padStart(4, "0")}-${md}`;
}

/** Full years of age at `date`. */
export function ageAt(naissance: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(naissance.slice(0, 4));
  return date.slice(5, 10) < naissance.slice(5, 10) ? years - 1 : years;
}

/**
 * Latest birth dates of each age threshold at `date`: born on or before `ans18` ⇔ 18 or older at `date`.
 * (Equivalent to `ageAt` ≥ 18, including for 29 February births.)
 */
export function seuilsAge(date: string): { ans18: string; ans21: string; ans26: string } {
  return { ans18: minusYears(date, 18), ans21: minusYears(date, 21), ans26: minusYears(date, 26) };
}

export function trancheAgeAt(naissance: string, date: string): TrancheAgeCode {
  const age = ageAt(naissance, date);
  return age < 18 ? 0 : age <= 20 ? 1 : age <= 25 ? 2 : 3;
}

// ---------------------------------------------------------------------------------------------- counters

/** The counters of domain.md at a date, for one set of effectifs. */
export interface Compteurs {
  /** apprentis + inscrits sans contrat + rupturants */
  apprenants: number;
  apprentis: number;
  inscritsSansContrat: number;
  rupturants: number;
  abandons: number;
  finsDeFormation: number;
  /** Every effectif counted at the date (each is in exactly one of the five statut counters). */
  total: number;
  /** Rupturants by days since the rupture (1 on the day of the rupture). */
  rupturantsParDuree: { moins45j: number; de45a89j: number; de90a180j: number };
  /** Inscrits sans contrat by days since the start of the formation (cumulative, as in domain.md). */
  inscritsSansContratParDuree: { jusqua30j: number; jusqua60j: number; jusqua90j: number };
  /** Inscrits sans contrat or rupturants, minor at the date or RQTH. */
  aRisque: number;
}

/** Raw counts by état (index 1..9) and of "à risque"; what the queries accumulate. */
export interface ComptesEtats {
  parEtat: number[];
  aRisque: number;
}

export function comptesVides(): ComptesEtats {
  return { parEtat: new Array(10).fill(0), aRisque: 0 };
}

export function ajouterComptes(into: ComptesEtats, etat: number, risque: boolean, n: number): void {
  into.parEtat[etat] += n;
  if (risque) into.aRisque += n;
}

export function fusionnerComptes(into: ComptesEtats, other: ComptesEtats): void {
  for (let i = 0; i < into.parEtat.length; i++) into.parEtat[i] += other.parEtat[i];
  into.aRisque += other.aRisque;
}

export function compteurs(comptes: ComptesEtats): Compteurs {
  const e = comptes.parEtat;
  const apprentis = e[1];
  const inscrits = e[2] + e[3] + e[4];
  const rupturants = e[5] + e[6] + e[7];
  return {
    apprenants: apprentis + inscrits + rupturants,
    apprentis,
    inscritsSansContrat: inscrits,
    rupturants,
    abandons: e[8],
    finsDeFormation: e[9],
    total: apprentis + inscrits + rupturants + e[8] + e[9],
    rupturantsParDuree: { moins45j: e[5], de45a89j: e[6], de90a180j: e[7] },
    inscritsSansContratParDuree: { jusqua30j: e[2], jusqua60j: e[2] + e[3], jusqua90j: inscrits },
    aRisque: comptes.aRisque,
  };
}

/** Whether the learner is a recognised disabled worker (RQTH) at the date: declared so, recognised by then. */
export function rqthALaDate(rqth: boolean | null, dateRqth: string | null, date: string): boolean {
  return rqth === true && (dateRqth === null || dateRqth <= date);
}

/**
 * The days [debut, fin] of a period split by the RQTH: the parts before and from the recognition date, each with
 * whether the learner is RQTH over it (one part when the date is outside the period, or not given).
 */
export function coupureRqth(
  debut: string,
  fin: string,
  rqth: boolean | null,
  dateRqth: string | null,
): { debut: string; fin: string; rqth: boolean }[] {
  if (rqth !== true || dateRqth === null || dateRqth <= debut) return [{ debut, fin, rqth: rqth === true }];
  if (dateRqth > fin) return [{ debut, fin, rqth: false }];
  return [
    { debut, fin: fromDay(toDay(dateRqth) - 1), rqth: false },
    { debut: dateRqth, fin, rqth: true },
  ];
}

/** Whether a learner in this état with this age band / RQTH (at the date) is "à risque". */
export function estARisque(etat: number, tranche: TrancheAgeCode, rqth: boolean): boolean {
  return estSansContrat(etat) && (tranche === 0 || rqth);
}
