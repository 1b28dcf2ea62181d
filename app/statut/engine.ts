/**
 * Statut engine: the statut of a learner at every date, computed from the dates of the formation and of the
 * contracts (docs/domain.md, "Statut of a learner at a date", rules 1–7).
 *
 * Pure module, no I/O, no node-only API: used by the API on every write, by the demo generator (3 million
 * learners) and by browser code. It works on intervals (sorted, merged contract ranges and the gaps between
 * them), never day by day; `engine.reference.ts` is the literal day-by-day version the tests compare it with.
 *
 * Decisions on points the rules leave open (the reference implementation makes the same ones):
 * - Dates: only the first 10 characters are read ("2024-09-01T00:00:00.000Z" is 2024-09-01); an empty string
 *   counts as no date. Input dates are assumed valid (validated upstream, see from-dossier.ts).
 * - A contract without date_debut is ignored entirely (no APPRENTI day, not in S, not a terminal contract).
 * - Rule 2: the rupture wins over date_fin even when it is later than date_fin. A rupture on or before the
 *   contract's start gives no APPRENTI day (the contract still counts in S and for rule 5). APPRENTI days are
 *   bounded by the timeline S..E, but the "last effective day" used by rule 5 is not clamped (a contract whose
 *   date_fin is after E has E − last day < 0 ≤ 60, and no day after its last day).
 * - Rule 3: an exclusion dated before S makes every day ABANDON; an exclusion dated after E is ignored
 *   entirely — no ABANDON day and it does not count as an exclusion for rule 5 ("ended naturally").
 * - Rule 4: ABANDON days of rule 3 are non-APPRENTI days, so they count in the run of consecutive days. It
 *   changes no statut (rule 3 lasts until E, so no INSCRIT day follows it); it matters only to a counter, and
 *   `dropoutAt` reports counters only for INSCRIT and RUPTURANT days.
 * - Rule 5: with no contract there is no terminal contract and the training did not "end naturally" (rule 6
 *   then makes day E FIN_DE_FORMATION only when it is still INSCRIT after rule 4).
 * - Rule 6 looks at day E's statut after rule 4 (hence before rule 5), as written.
 * - E < S (date_fin_formation before every start — bad data rejected upstream): the timeline is empty and the
 *   parcours is [] (no statut at any date).
 */

import { fromDay, toDay } from "./days";

export type Statut = "INSCRIT" | "APPRENTI" | "RUPTURANT" | "ABANDON" | "FIN_DE_FORMATION";

export const STATUTS: readonly Statut[] = ["INSCRIT", "APPRENTI", "RUPTURANT", "ABANDON", "FIN_DE_FORMATION"];

/** Rule 4: an inscrit without any contract so far stays INSCRIT while the run of days without contract is ≤ 90. */
export const MAX_JOURS_INSCRIT_SANS_CONTRAT = 90;
/** Rule 4: after a contract, RUPTURANT while the run of days without contract is ≤ 180 (6 months to find one). */
export const MAX_JOURS_RUPTURANT = 180;
/** Rule 5: tolerance between the terminal contract's last day and the end of the formation. */
export const MAX_JOURS_TOLERANCE_FIN_DE_FORMATION = 60;

export interface ContratDates {
  date_debut: string | null;
  date_fin?: string | null;
  date_rupture?: string | null;
}

export interface StatutInput {
  /** "YYYY-MM-DD" */
  date_entree_formation: string;
  /** "YYYY-MM-DD" */
  date_fin_formation: string;
  date_exclusion_formation?: string | null;
  /** 0..n contracts, any order; a contract with no date_debut is ignored. */
  contrats: ContratDates[];
}

/** A change: `date` is the first day of `statut`. */
export interface ParcoursStep {
  date: string;
  statut: Statut;
}

/** Inclusive day range; the last one has fin = null (the statut after E is the statut of day E). */
export interface Periode {
  statut: Statut;
  debut: string;
  fin: string | null;
}

export interface DropoutMeasures {
  /** Statut at the date; null before the first day of the timeline (or when the timeline is empty). */
  statut: Statut | null;
  /** INSCRIT or RUPTURANT: consecutive days without contract counted by rule 4, up to and including the date. */
  joursSansContrat: number | null;
  /** RUPTURANT: first day of the run of days without contract (the day after the last APPRENTI day). */
  debutRupture: string | null;
  /** A contract covers the date: date_debut ≤ date ≤ its last effective day (rule 2, not bounded by S..E). */
  contratEnCours: boolean;
}

/** The timeline of one learner, in day numbers, with what rules 1, 2, 3 and 5 need. */
interface Timeline {
  /** Rule 1: S and E. */
  start: number;
  end: number;
  /** Rule 3: first ABANDON day when the exclusion is on or before E (may be before S), else null. */
  exclusion: number | null;
  /** Rule 2 (after rule 3): merged, sorted APPRENTI ranges inside S..min(E, exclusion − 1). */
  apprentiFrom: number[];
  apprentiTo: number[];
  /** Rule 5. */
  endedNaturally: boolean;
  terminalLastDay: number;
  /** Raw contract ranges [date_debut, last effective day] (for `contratEnCours`). */
  contratFrom: number[];
  contratTo: number[];
}

function hasDate(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== "";
}

/** Rules 1, 2, 3 and the terminal contract of rule 5. Null when the timeline is empty (E < S). */
function buildTimeline(input: StatutInput): Timeline | null {
  const end = toDay(input.date_fin_formation);
  let start = toDay(input.date_entree_formation);

  const contratFrom: number[] = [];
  const contratTo: number[] = [];
  let hasTerminal = false;
  let terminalLastDay = 0;
  let terminalRupture = false;
  const contrats = input.contrats;
  for (let i = 0; i < contrats.length; i++) {
    const contrat = contrats[i];
    if (!hasDate(contrat.date_debut)) continue;
    const debut = toDay(contrat.date_debut);
    if (debut < start) start = debut;
    const rupture = hasDate(contrat.date_rupture);
    // Rule 2: last effective day.
    const lastDay = rupture
      ? toDay(contrat.date_rupture as string) - 1
      : hasDate(contrat.date_fin)
        ? toDay(contrat.date_fin)
        : end;
    contratFrom.push(debut);
    contratTo.push(lastDay);
    // Rule 5: latest last effective day; on a tie, a contract with a rupture wins.
    if (!hasTerminal || lastDay > terminalLastDay || (lastDay === terminalLastDay && rupture)) {
      hasTerminal = true;
      terminalLastDay = lastDay;
      terminalRupture = rupture;
    }
  }
  if (end < start) return null;

  // Rule 3: an exclusion after E is ignored.
  let exclusion: number | null = null;
  if (hasDate(input.date_exclusion_formation)) {
    const day = toDay(input.date_exclusion_formation);
    if (day <= end) exclusion = day;
  }
  const lastApprentiDay = exclusion === null ? end : Math.min(end, exclusion - 1);

  // Rule 2 bounded by the timeline and by rule 3; insertion sort (a handful of contracts), then merge
  // overlapping or touching ranges (no change of statut between them).
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < contratFrom.length; i++) {
    const a = contratFrom[i]; // ≥ start by definition of S
    const b = contratTo[i] < lastApprentiDay ? contratTo[i] : lastApprentiDay;
    if (a > b) continue;
    let j = from.length;
    from.push(a);
    to.push(b);
    while (j > 0 && from[j - 1] > a) {
      from[j] = from[j - 1];
      to[j] = to[j - 1];
      j--;
    }
    from[j] = a;
    to[j] = b;
  }
  const apprentiFrom: number[] = [];
  const apprentiTo: number[] = [];
  for (let i = 0; i < from.length; i++) {
    const last = apprentiTo.length - 1;
    if (last >= 0 && from[i] <= apprentiTo[last] + 1) {
      if (to[i] > apprentiTo[last]) apprentiTo[last] = to[i];
    } else {
      apprentiFrom.push(from[i]);
      apprentiTo.push(to[i]);
    }
  }

  return {
    start,
    end,
    exclusion,
    apprentiFrom,
    apprentiTo,
    endedNaturally: hasTerminal && !terminalRupture && exclusion === null,
    terminalLastDay,
    contratFrom,
    contratTo,
  };
}

/**
 * Builds the parcours in day numbers (`days[i]` is the first day of `statuts[i]`) from the ranges of rule 4,
 * given in day order, applying rule 5 on the fly. A class rather than closures: this runs millions of times
 * and per-call closures cost (tsx/esbuild also wraps each one in a `__name` call).
 */
class StepsBuilder {
  readonly days: number[] = [];
  readonly statuts: Statut[] = [];
  /** Day E's statut after rule 4 (rule 6): the statut of the last range given, which ends on E. */
  statutOfEndAfterRule4: Statut = "INSCRIT";

  constructor(
    /** Rule 5 applies: the INSCRIT or RUPTURANT days after `terminalLastDay` become FIN_DE_FORMATION. */
    private readonly finAfterTerminal: boolean,
    private readonly terminalLastDay: number,
  ) {}

  /** Records a change unless the statut is the current one. */
  change(day: number, statut: Statut): void {
    const last = this.statuts.length - 1;
    if (last < 0 || this.statuts[last] !== statut) {
      this.days.push(day);
      this.statuts.push(statut);
    }
  }

  /** A range [from, to] of one statut after rule 4; applies rule 5 to it. */
  range(from: number, to: number, statut: Statut): void {
    this.statutOfEndAfterRule4 = statut;
    if (this.finAfterTerminal && to > this.terminalLastDay && (statut === "INSCRIT" || statut === "RUPTURANT")) {
      if (from <= this.terminalLastDay) {
        this.change(from, statut);
        this.change(this.terminalLastDay + 1, "FIN_DE_FORMATION");
      } else {
        this.change(from, "FIN_DE_FORMATION");
      }
    } else {
      this.change(from, statut);
    }
  }

  /** Rule 4 on a run of consecutive non-APPRENTI days [from, to] (day `from` has count 1). */
  gap(from: number, to: number, afterApprenti: boolean): void {
    const max = afterApprenti ? MAX_JOURS_RUPTURANT : MAX_JOURS_INSCRIT_SANS_CONTRAT;
    const statut: Statut = afterApprenti ? "RUPTURANT" : "INSCRIT";
    if (to - from + 1 <= max) {
      this.range(from, to, statut);
    } else {
      this.range(from, from + max - 1, statut);
      this.range(from + max, to, "ABANDON");
    }
  }

  /** Rule 6: day E becomes FIN_DE_FORMATION. */
  finishOn(end: number): void {
    const last = this.days.length - 1;
    if (this.days[last] === end) {
      this.statuts[last] = "FIN_DE_FORMATION";
      if (last > 0 && this.statuts[last - 1] === "FIN_DE_FORMATION") {
        this.days.pop();
        this.statuts.pop();
      }
    } else {
      this.change(end, "FIN_DE_FORMATION");
    }
  }
}

/** Rules 4, 5 and 6 on the intervals of a timeline. */
function computeSteps(t: Timeline): StepsBuilder {
  const { start, end } = t;
  const steps = new StepsBuilder(
    t.endedNaturally && end - t.terminalLastDay <= MAX_JOURS_TOLERANCE_FIN_DE_FORMATION,
    t.terminalLastDay,
  );

  // Rules 1–4: walk the APPRENTI ranges and the gaps between them, then the exclusion.
  const lastApprentiDay = t.exclusion === null ? end : Math.min(end, t.exclusion - 1);
  let cursor = start;
  let afterApprenti = false;
  for (let i = 0; i < t.apprentiFrom.length; i++) {
    const from = t.apprentiFrom[i];
    if (from > cursor) steps.gap(cursor, from - 1, afterApprenti);
    steps.range(from, t.apprentiTo[i], "APPRENTI");
    afterApprenti = true;
    cursor = t.apprentiTo[i] + 1;
  }
  if (cursor <= lastApprentiDay) steps.gap(cursor, lastApprentiDay, afterApprenti);
  if (t.exclusion !== null) steps.range(t.exclusion > start ? t.exclusion : start, end, "ABANDON");

  // Rule 6: day E, from its statut after rule 4.
  const endStatut = steps.statutOfEndAfterRule4;
  if (endStatut === "APPRENTI" || endStatut === "INSCRIT" || t.endedNaturally) steps.finishOn(end);
  return steps;
}

/** Rule 7: the list of changes (first day, statut), in date order, no two consecutive with the same statut. */
export function computeParcours(input: StatutInput): ParcoursStep[] {
  const timeline = buildTimeline(input);
  if (timeline === null) return [];
  const { days, statuts } = computeSteps(timeline);
  const parcours: ParcoursStep[] = new Array(days.length);
  for (let i = 0; i < days.length; i++) parcours[i] = { date: fromDay(days[i]), statut: statuts[i] };
  return parcours;
}

/** Rule 7: the statut at a date is the last change on or before it; null before the first change. */
export function statutAt(parcours: ParcoursStep[], date: string): Statut | null {
  const day = date.length > 10 ? date.slice(0, 10) : date;
  let statut: Statut | null = null;
  for (let i = 0; i < parcours.length; i++) {
    if (parcours[i].date > day) break;
    statut = parcours[i].statut;
  }
  return statut;
}

/** Inclusive day ranges of the parcours; the last one never ends (fin = null). */
export function parcoursToPeriodes(parcours: ParcoursStep[]): Periode[] {
  const periodes: Periode[] = [];
  for (let i = 0; i < parcours.length; i++) {
    const next = parcours[i + 1];
    periodes.push({
      statut: parcours[i].statut,
      debut: parcours[i].date,
      fin: next === undefined ? null : fromDay(toDay(next.date) - 1),
    });
  }
  return periodes;
}

/**
 * Dropout measures at a date D: the statut at D and, when it is INSCRIT or RUPTURANT, the number of
 * consecutive non-APPRENTI days counted by rule 4 up to and including D (1 on the first such day); for
 * RUPTURANT also the date of the rupture (first day of that run). null values otherwise.
 * After E the measures are those of day E (the timeline, hence the rule 4 count, stops at E).
 */
export function dropoutAt(input: StatutInput, date: string): DropoutMeasures {
  const timeline = buildTimeline(input);
  const day = toDay(date);
  let contratEnCours = false;
  if (timeline !== null) {
    for (let i = 0; i < timeline.contratFrom.length; i++) {
      if (timeline.contratFrom[i] <= day && day <= timeline.contratTo[i]) {
        contratEnCours = true;
        break;
      }
    }
  }
  if (timeline === null || day < timeline.start) {
    return { statut: null, joursSansContrat: null, debutRupture: null, contratEnCours };
  }
  const at = day < timeline.end ? day : timeline.end;
  const { days, statuts } = computeSteps(timeline);
  let statut = statuts[0];
  for (let i = 1; i < days.length && days[i] <= at; i++) statut = statuts[i];
  if (statut !== "INSCRIT" && statut !== "RUPTURANT") {
    return { statut, joursSansContrat: null, debutRupture: null, contratEnCours };
  }
  // The run started the day after the last APPRENTI range ending before `at`, or on S.
  let runStart = timeline.start;
  for (let i = 0; i < timeline.apprentiTo.length && timeline.apprentiTo[i] < at; i++) {
    runStart = timeline.apprentiTo[i] + 1;
  }
  return {
    statut,
    joursSansContrat: at - runStart + 1,
    debutRupture: statut === "RUPTURANT" ? fromDay(runStart) : null,
    contratEnCours,
  };
}
