/**
 * Identifier checks shared by the référentiel, the ingestion pipeline and the demo generator.
 * Pure functions, no I/O: safe to import from browser code too.
 */

const UAI_LETTERS = "abcdefghjklmnprstuvwxyz";
const LA_POSTE_SIREN = "356000000";

/** The check letter of a UAI whose first 7 characters are digits. */
export function uaiCheckLetter(firstSeven: string): string {
  return UAI_LETTERS[Number.parseInt(firstSeven, 10) % 23].toUpperCase();
}

/** A UAI's shape: 7 digits and a letter (isValidUai also checks the letter). */
export const UAI_PATTERN = /^[0-9]{7}[A-Z]$/;
/** A SIRET's shape once normalised: 14 digits (isValidSiret also checks the Luhn key). */
export const SIRET_PATTERN = /^[0-9]{14}$/;

/** Trim + uppercase, as ERPs rely on. */
export function normalizeUai(value: string): string {
  return value.trim().toUpperCase();
}

/** 7 digits + the check letter (case-insensitive). */
export function isValidUai(value: string): boolean {
  const uai = normalizeUai(value);
  if (!UAI_PATTERN.test(uai)) return false;
  return uaiCheckLetter(uai.slice(0, 7)) === uai[7];
}

/**
 * What is wrong with a UAI, in the words the forms and filters use: "lettre de contrôle incorrecte" when it has
 * 7 digits and a letter that is not their check letter, "7 chiffres suivis d'une lettre de contrôle attendus"
 * otherwise; null for a valid UAI.
 */
export function problemeUai(value: string): string | null {
  const uai = normalizeUai(value);
  if (!UAI_PATTERN.test(uai)) return "7 chiffres suivis d'une lettre de contrôle attendus";
  return uaiCheckLetter(uai.slice(0, 7)) === uai[7] ? null : "lettre de contrôle incorrecte";
}

/** SIRET without spaces, dots or dashes. */
export function normalizeSiret(value: string): string {
  return value.replace(/[\s.\-]/g, "");
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** 14 digits passing Luhn; La Poste's SIRETs (SIREN 356000000) pass when their digit sum is a multiple of 5. */
export function isValidSiret(value: string): boolean {
  const siret = normalizeSiret(value);
  if (!SIRET_PATTERN.test(siret)) return false;
  if (siret.startsWith(LA_POSTE_SIREN)) {
    const sum = [...siret].reduce((acc, c) => acc + (c.charCodeAt(0) - 48), 0);
    return sum % 5 === 0;
  }
  return luhnValid(siret);
}

/**
 * La Poste's rule, as every message about a SIRET of La Poste that fails it says it (imports, anomalies, forms,
 * filters, API v3): Luhn does not apply to them, a message naming the Luhn key would send the user the wrong way.
 */
export const REGLE_SIRET_LA_POSTE = "la somme des chiffres d'un SIRET de La Poste (SIREN 356000000) doit être un multiple de 5";

/** Whether 14 digits are a SIRET of La Poste (SIREN 356000000), checked by its own rule. */
export function isSiretLaPoste(value: string): boolean {
  return normalizeSiret(value).startsWith(LA_POSTE_SIREN);
}

/**
 * Why 14 digits fail the SIRET check: La Poste's rule for its SIREN, the Luhn key otherwise (`luhn`: the words of
 * the caller, « la clé de contrôle (Luhn) est fausse » by default).
 */
export function cleSiretFausse(value: string, luhn = "la clé de contrôle (Luhn) est fausse"): string {
  return isSiretLaPoste(value) ? REGLE_SIRET_LA_POSTE : luhn;
}

/**
 * What is wrong with a SIRET, in the words the forms and filters use: "clé de contrôle incorrecte" for 14 digits
 * that fail the check (La Poste's rule for its SIRETs), "14 chiffres attendus" otherwise; null for a valid SIRET.
 */
export function problemeSiret(value: string): string | null {
  const siret = normalizeSiret(value);
  if (!SIRET_PATTERN.test(siret)) return "14 chiffres attendus";
  return isValidSiret(siret) ? null : cleSiretFausse(siret, "clé de contrôle incorrecte");
}

/** Appends the digit that makes `partial + digit` pass Luhn. */
export function luhnCompletion(partial: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(partial + d)) return String(d);
  throw new Error("unreachable");
}

export const CFD_PATTERN = /^[0-9A-Z]{8}$/;
export const RNCP_PATTERN = /^RNCP[0-9]{2,5}$/;

export function isValidCfd(value: string): boolean {
  return CFD_PATTERN.test(value.trim().toUpperCase());
}

/** Adds the RNCP prefix when an ERP omitted it. */
export function normalizeRncp(value: string): string {
  const v = value.trim().toUpperCase().replace(/\s/g, "");
  return /^[0-9]{2,5}$/.test(v) ? `RNCP${v}` : v;
}

export function isValidRncp(value: string): boolean {
  return RNCP_PATTERN.test(normalizeRncp(value));
}

/** European level from the CFD's first digit (old level): 5→3, 4→4, 3→5, 2→6, 1→7. */
export function niveauFromCfd(cfd: string): number | null {
  const map: Record<string, number> = { "5": 3, "4": 4, "3": 5, "2": 6, "1": 7 };
  return map[cfd[0]] ?? null;
}

/** A "3" in the CFD's third position means a diploma of the Ministry of Agriculture. */
export function isAgricultureCfd(cfd: string): boolean {
  return cfd[2] === "3";
}

export const CODE_COMMUNE_PATTERN = /^([0-9]{2}|2A|2B)[0-9]{3}$/;

/**
 * The départements a postal code designates by its first digits: 20xxx → 2A or 2B (Corsica's postal codes do not
 * tell which), 97x → that DROM, else its first two digits; null when they designate no département (`departements`:
 * the known codes): Monaco (98000) and the overseas collectivities (975, 977, 978, 98x), 00xxx.
 */
export function departementsDuCodePostal(codePostal: string, departements: { has(code: string): boolean }): string[] | null {
  if (!/^[0-9]{5}$/.test(codePostal)) return null;
  if (codePostal.startsWith("20")) return ["2A", "2B"];
  const code = codePostal.startsWith("97") ? codePostal.slice(0, 3) : codePostal.slice(0, 2);
  return departements.has(code) ? [code] : null;
}

/**
 * Whether a postal code clearly contradicts the département of a commune: the commune does not list it among its
 * postal codes (`codesPostauxCommune`, when the commune is known: some communes have one of a neighbouring
 * département, 04058 Claret has 05110), and its first digits designate another département. A postal code that
 * designates none (Monaco, overseas collectivities) contradicts nothing; a CEDEX code is read by its first digits.
 */
export function codePostalContredit(
  codePostal: string | null | undefined,
  departement: string | null | undefined,
  codesPostauxCommune: readonly string[] | undefined,
  departements: { has(code: string): boolean },
): boolean {
  if (!codePostal || !departement || codesPostauxCommune?.includes(codePostal)) return false;
  const designes = departementsDuCodePostal(codePostal, departements);
  return designes !== null && !designes.includes(departement);
}
