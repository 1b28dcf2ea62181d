/** School years ("YYYY-YYYY", 1 August → 31 July). Pure. */

/** The school year a date falls in: 2025-09-01 → "2025-2026"; 2026-07-31 → "2025-2026". */
export function anneeScolaireOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  const start = month >= 8 ? year : year - 1;
  return `${start}-${start + 1}`;
}

/** The années scolaires counted at a date: its school year and "Y-Y" for its calendar year (domain.md). */
export function anneesScolairesComptees(isoDate: string): string[] {
  const y = isoDate.slice(0, 4);
  return [anneeScolaireOf(isoDate), `${y}-${y}`];
}

/** Today as "YYYY-MM-DD": days are calendar days in UTC (domain.md). */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
