/** French formats of the dashboards (counts that may be masked, changes, months). Browser-safe. */
import { formatNombre } from "~/ui/format";
import type { Nombre } from "./types";

/** 12 345 (narrow no-break spaces), or the masked text ("< 5") as is. */
export function nombre(n: Nombre | null | undefined): string {
  return typeof n === "string" ? n : formatNombre(n);
}

/** A chart value: the number, or null (a gap) when masked. */
export function valeurGraphique(n: Nombre): number | null {
  return typeof n === "number" ? n : null;
}

const signe = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0, signDisplay: "exceptZero" });
const signePct = new Intl.NumberFormat("fr-FR", { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" });

/** A signed number as French typography writes it: the minus sign U+2212 ("−10"), not the hyphen Intl gives. */
function avecSigneMoins(texte: string): string {
  return texte.replace(/-/g, "\u2212");
}

/** "+1 234 (+10,2 %)", "−10 (−0,7 %)" (minus sign U+2212), "0", or null when unknown. */
export function variation(ecart: number | null, ratio: number | null): string | null {
  if (ecart === null) return null;
  return avecSigneMoins(ratio === null ? signe.format(ecart) : `${signe.format(ecart)} (${signePct.format(ratio)})`);
}

/** A percentage value for tables and CSV: 12.5 (one decimal), or null. */
export function pourcentageCellule(ratio: number | null): number | null {
  return ratio === null ? null : Math.round(ratio * 1000) / 10;
}

const MOIS_COURTS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];

/** "2025-09" → "sept. 2025". */
export function moisCourt(yyyyMm: string): string {
  return `${MOIS_COURTS[Number(yyyyMm.slice(5, 7)) - 1]} ${yyyyMm.slice(0, 4)}`;
}
