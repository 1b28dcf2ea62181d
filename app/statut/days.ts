/**
 * Calendar-day arithmetic in UTC for the statut engine.
 *
 * A day is an integer: the number of days since 1970-01-01 (= Date.UTC(y, m - 1, d) / 86_400_000).
 * Conversions use Howard Hinnant's civil-date algorithms (pure integer arithmetic, no Date object), which is
 * several times faster than going through `Date` and gives the same result for every year 0000–9999.
 * Pure module, no I/O, no node-only API: safe in browser code.
 */

/** The years a date of a dossier may have (the v3 schema, the upload's date cells): others are typing mistakes. */
export const ANNEE_MIN = 1900;
export const ANNEE_MAX = 2100;

/** Only the first 10 characters of an ISO date are read: "2024-09-01T00:00:00.000Z" is day 2024-09-01. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})/;

/** Days since 1970-01-01 of a proleptic Gregorian (year, month 1–12, day 1–31). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * "YYYY-MM-DD" (anything after the 10th character is ignored) → day number.
 * Does not validate: use `isIsoDate` first on untrusted input.
 */
export function toDay(iso: string): number {
  const year =
    (iso.charCodeAt(0) - 48) * 1000 +
    (iso.charCodeAt(1) - 48) * 100 +
    (iso.charCodeAt(2) - 48) * 10 +
    (iso.charCodeAt(3) - 48);
  const month = (iso.charCodeAt(5) - 48) * 10 + (iso.charCodeAt(6) - 48);
  const day = (iso.charCodeAt(8) - 48) * 10 + (iso.charCodeAt(9) - 48);
  return daysFromCivil(year, month, day);
}

function pad2(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

function pad4(n: number): string {
  return n >= 1000 ? "" + n : n >= 100 ? "0" + n : n >= 10 ? "00" + n : "000" + n;
}

/** Day number → "YYYY-MM-DD". */
export function fromDay(n: number): string {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return pad4(year) + "-" + pad2(month) + "-" + pad2(day);
}

/** The date `days` calendar days after `iso` (before when negative), as "YYYY-MM-DD". */
export function addDays(iso: string, days: number): string {
  return fromDay(toDay(iso) + days);
}

/** Number of calendar days from `from` to `to` (`to` − `from`; 0 on the same day, negative when `to` is earlier). */
export function diffDays(from: string, to: string): number {
  return toDay(to) - toDay(from);
}

/** True when the string starts with an existing calendar date "YYYY-MM-DD" (a time part may follow). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  return fromDay(toDay(value)) === value.slice(0, 10);
}

/** Days in a month (1–12) of a year of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The same day one year before `iso` ("YYYY-MM-DD"); 29 February gives 28 February. */
export function memeJourUnAnAvant(iso: string): string {
  const year = Number(iso.slice(0, 4)) - 1;
  const month = Number(iso.slice(5, 7));
  return pad4(year) + "-" + pad2(month) + "-" + pad2(Math.min(Number(iso.slice(8, 10)), daysInMonth(year, month)));
}
