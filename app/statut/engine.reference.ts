/**
 * Deliberately naive, day-by-day implementation of the statut rules (domain.md, rules 1–7): one array cell per
 * day of the timeline, the steps applied literally in order. Slow (proportional to the number of days); used
 * only by the tests and the bench to check `engine.ts`, which makes the same decisions (see its header).
 */

import { fromDay, toDay } from "./days";
import type { DropoutMeasures, ParcoursStep, Statut, StatutInput } from "./engine";

interface DayByDay {
  start: number;
  end: number;
  /** statut of day start + i after rule 6 */
  statuts: Statut[];
  /** rule 4 count of consecutive non-APPRENTI days on day start + i (0 on an APPRENTI day) */
  counts: number[];
  /** raw contract ranges [date_debut, last effective day] */
  contrats: { from: number; to: number }[];
}

function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== "";
}

function computeDayByDay(input: StatutInput): DayByDay | null {
  const contrats = input.contrats
    .filter((c) => present(c.date_debut))
    .map((c) => {
      const from = toDay(c.date_debut as string);
      const rupture = present(c.date_rupture) ? toDay(c.date_rupture) : null;
      return { from, rupture, fin: present(c.date_fin) ? toDay(c.date_fin) : null };
    });

  // 1. Timeline S..E, every day INSCRIT.
  const end = toDay(input.date_fin_formation);
  const start = Math.min(toDay(input.date_entree_formation), ...contrats.map((c) => c.from));
  if (end < start) return null;
  const length = end - start + 1;
  const statuts: Statut[] = new Array<Statut>(length).fill("INSCRIT");

  // 2. APPRENTI from date_debut to the last effective day.
  const withLastDay = contrats.map((c) => ({
    ...c,
    to: c.rupture !== null ? c.rupture - 1 : c.fin !== null ? c.fin : end,
  }));
  for (const c of withLastDay) {
    for (let day = Math.max(c.from, start); day <= Math.min(c.to, end); day++) statuts[day - start] = "APPRENTI";
  }

  // 3. From date_exclusion_formation to E, ABANDON (an exclusion after E marks no day and is ignored).
  let excluded = false;
  if (present(input.date_exclusion_formation)) {
    const exclusion = toDay(input.date_exclusion_formation);
    if (exclusion <= end) {
      excluded = true;
      for (let day = Math.max(exclusion, start); day <= end; day++) statuts[day - start] = "ABANDON";
    }
  }

  // 4. Count consecutive non-APPRENTI days (ABANDON days of rule 3 included); INSCRIT days become RUPTURANT or
  //    ABANDON.
  const counts: number[] = new Array<number>(length).fill(0);
  let count = 0;
  let apprentiBefore = false;
  for (let i = 0; i < length; i++) {
    if (statuts[i] === "APPRENTI") {
      count = 0;
      apprentiBefore = true;
      continue;
    }
    count++;
    counts[i] = count;
    if (statuts[i] !== "INSCRIT") continue;
    if (apprentiBefore) statuts[i] = count <= 180 ? "RUPTURANT" : "ABANDON";
    else statuts[i] = count <= 90 ? "INSCRIT" : "ABANDON";
  }
  const endAfterStep4 = statuts[length - 1];

  // 5. Terminal contract, "ended naturally", 60-day tolerance.
  let terminal: { to: number; rupture: number | null } | null = null;
  for (const c of withLastDay) {
    if (terminal === null || c.to > terminal.to || (c.to === terminal.to && c.rupture !== null)) terminal = c;
  }
  const endedNaturally = !excluded && terminal !== null && terminal.rupture === null;
  if (endedNaturally && terminal !== null && end - terminal.to <= 60) {
    for (let day = Math.max(terminal.to + 1, start); day <= end; day++) {
      const statut = statuts[day - start];
      if (statut === "INSCRIT" || statut === "RUPTURANT") statuts[day - start] = "FIN_DE_FORMATION";
    }
  }

  // 6. Day E.
  if (endAfterStep4 === "APPRENTI" || endAfterStep4 === "INSCRIT" || endedNaturally) {
    statuts[length - 1] = "FIN_DE_FORMATION";
  }

  return { start, end, statuts, counts, contrats: withLastDay };
}

/** Rule 7, day by day: a step on every day whose statut differs from the day before. */
export function computeParcoursReference(input: StatutInput): ParcoursStep[] {
  const result = computeDayByDay(input);
  if (result === null) return [];
  const parcours: ParcoursStep[] = [];
  for (let i = 0; i < result.statuts.length; i++) {
    if (i === 0 || result.statuts[i] !== result.statuts[i - 1]) {
      parcours.push({ date: fromDay(result.start + i), statut: result.statuts[i] });
    }
  }
  return parcours;
}

/** `dropoutAt`, day by day: read the cell of the date (of day E after E). */
export function dropoutAtReference(input: StatutInput, date: string): DropoutMeasures {
  const day = toDay(date);
  const result = computeDayByDay(input);
  const contratEnCours = result !== null && result.contrats.some((c) => c.from <= day && day <= c.to);
  if (result === null || day < result.start) {
    return { statut: null, joursSansContrat: null, debutRupture: null, contratEnCours };
  }
  const at = Math.min(day, result.end);
  const statut = result.statuts[at - result.start];
  if (statut !== "INSCRIT" && statut !== "RUPTURANT") {
    return { statut, joursSansContrat: null, debutRupture: null, contratEnCours };
  }
  const count = result.counts[at - result.start];
  return {
    statut,
    joursSansContrat: count,
    debutRupture: statut === "RUPTURANT" ? fromDay(at - count + 1) : null,
    contratEnCours,
  };
}
