/** French formats: numbers with narrow no-break spaces, dates dd/MM/yyyy. Pure, browser-safe. */
const integerFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
const percentFormat = new Intl.NumberFormat("fr-FR", { style: "percent", maximumFractionDigits: 1 });

export function formatNombre(n: number | null | undefined): string {
  return n == null ? "–" : integerFormat.format(n);
}

/** Longest cell value shown as it is in a preview; a longer one is cut (`apercuValeur`). */
export const APERCU_MAX_CARACTERES = 80;

/**
 * A file's cell (or column name) as a preview shows it: cut after APERCU_MAX_CARACTERES characters, with its length,
 * so that one huge cell does not push the other columns, and their errors, out of sight.
 */
export function apercuValeur(value: string): string {
  const caracteres = [...value];
  if (caracteres.length <= APERCU_MAX_CARACTERES) return value;
  return `${caracteres.slice(0, APERCU_MAX_CARACTERES).join("")}… (${formatNombre(caracteres.length)} caractères)`;
}

/** A list in French: « a », « a et b », « a, b et c ». */
export function listeEnFrancais(items: readonly string[]): string {
  return new Intl.ListFormat("fr", { type: "conjunction" }).format(items);
}

/** "1 dossier", "12 dossiers" (the count formatted). */
export function pluriel(n: number, singulier: string, plurielForme = `${singulier}s`): string {
  return `${formatNombre(n)} ${n > 1 ? plurielForme : singulier}`;
}

const decimalFormats = new Map<number, Intl.NumberFormat>();

/** A number with `chiffres` decimals, in French: formatDecimal(1.25) → "1,3", formatDecimal(12345.6) → "12 345,6". */
export function formatDecimal(n: number, chiffres = 1): string {
  let format = decimalFormats.get(chiffres);
  if (!format) decimalFormats.set(chiffres, (format = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: chiffres, maximumFractionDigits: chiffres })));
  return format.format(n);
}

export function formatPourcentage(ratio: number | null | undefined): string {
  return ratio == null || !Number.isFinite(ratio) ? "–" : percentFormat.format(ratio);
}

const JOUR_PARIS = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" });
/** An instant with its offset ("2026-12-06T23:30:00.000Z", "2026-12-06 23:30:00+00"), as loaders and SQL give them. */
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * "2025-09-01" → "01/09/2025". An instant (a transmission, an update) is shown on its day in Paris, as the times
 * of the CFA space are (`formatDateHeure`): the same transmission is never dated the 6th on one page and the 7th on
 * another. A date without a time (a learner's dates, "days are calendar days") is shown as written.
 */
export function formatDate(iso: string | Date | null | undefined): string {
  if (!iso) return "–";
  if (iso instanceof Date || INSTANT.test(iso)) {
    const instant = iso instanceof Date ? iso : new Date(iso.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00"));
    if (!Number.isNaN(instant.getTime())) return JOUR_PARIS.format(instant);
  }
  const [y, m, d] = iso.toString().slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** "2006-03-28" → "28/03/2006"; any other text unchanged (a value that may or may not be a date). */
export function dateIsoEnFrancais(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

/** "date de naissance" → "Date de naissance". */
export function majuscule(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];

/** "de" elided before a vowel: de("octobre 2026") → "d'octobre 2026" (not before h, often aspirated: "de Hauts-de-France"). */
export function de(mot: string): string {
  return /^[aeiouyâàéèêîïôûüAEIOUYÂÀÉÈÊÎÏÔÛÜ]/.test(mot) ? `d'${mot}` : `de ${mot}`;
}

/** "2025-09" → "septembre 2025". */
export function formatMois(yyyyMm: string): string {
  const [y, m] = yyyyMm.split("-");
  return `${MOIS[Number(m) - 1]} ${y}`;
}

/**
 * Said next to a CSV download that has an XLSX twin (decision 019): Excel turns a CSV's codes into numbers ("01000"
 * → 1000) and only the XLSX keeps them as text and its dates as dates.
 */
export const CONSEIL_XLSX = "Pour Excel, préférez le format XLSX : les codes y gardent leurs zéros initiaux (« 01000 ») et les dates se trient comme des dates.";

/**
 * Named values on one line, as the files' « Filtres » column writes them (the exports, the dashboards' downloads):
 * "Région : Auvergne-Rhône-Alpes · Niveau : 3 (CAP, BEP)", or "aucun".
 */
export function texteFiltres(filtres: readonly { nom: string; valeur: string }[]): string {
  return filtres.length ? filtres.map((f) => `${f.nom} : ${f.valeur}`).join(" · ") : "aucun";
}

/** A table with its « Filtres » column (`texteFiltres`) on every row: the header's, then the same text on each line. */
export function avecColonneFiltres<T>(lignes: readonly (readonly T[])[], filtres: readonly { nom: string; valeur: string }[]): (T | string)[][] {
  const texte = texteFiltres(filtres);
  return lignes.map((r, i) => [...r, i === 0 ? "Filtres" : texte]);
}
