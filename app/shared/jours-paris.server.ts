/**
 * Days as people here count them: a day "AAAA-MM-JJ" in Paris time (the times the pages show), as SQL bounds of a
 * timestamptz column, summer and winter time included. A day runs from `debutJourParis(jour)` (included) to
 * `finJourParis(jour)` (excluded).
 */
import { sql, type SQL } from "drizzle-orm";

/** The first instant of the Paris day. */
export function debutJourParis(jour: string): SQL {
  return sql`(${jour}::date::timestamp at time zone 'Europe/Paris')`;
}

/** The first instant of the Paris day after `jour`. */
export function finJourParis(jour: string): SQL {
  return sql`((${jour}::date + 1)::timestamp at time zone 'Europe/Paris')`;
}

const JOUR_PARIS = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" });

/** The day (AAAA-MM-JJ) in Paris of an instant: the day a transmission is listed under, the last day of a named list. */
export function parisDay(now: Date = new Date()): string {
  return JOUR_PARIS.format(now);
}
