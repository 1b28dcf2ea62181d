/**
 * Validation et normalisation d'un « dossier apprenant » de l'API v3 (POST /api/v3/dossiers-apprenants),
 * champ par champ, avec des messages en français, et description OpenAPI générée depuis le même schéma zod.
 *
 * Principes
 * - Un dossier invalide liste TOUS ses problèmes : chaque champ est validé indépendamment (zod continue après
 *   une erreur) et les règles croisées s'exécutent même quand d'autres champs sont en erreur (`when`), sur les
 *   seules valeurs valides.
 * - Les champs inconnus sont ignorés (les ERPs en envoient beaucoup) : l'objet zod les retire.
 * - Ne lève jamais d'exception, quelle que soit l'entrée (null, tableau, nombre, objets imbriqués…).
 * - Voie rapide (décision 008) : `parseValidDossier`, générée depuis les mêmes champs et normalisations, rend le
 *   dossier normalisé d'un dossier valide sans passer par zod ; au moindre problème, zod reprend et liste tout.
 * - Chaque message n'est écrit qu'une fois, dans `MESSAGES` ; `formatMessage` ajoute le nom du champ devant et la
 *   valeur reçue derrière : `date_de_naissance_apprenant : date attendue au format AAAA-MM-JJ (reçu « 31/02/2005 »)`.
 *
 * Décisions sur les points ambigus (voir aussi le compte rendu)
 * - Champs « nullable » (statut_apprenant, date_metier_mise_a_jour_statut, tel_apprenant, formation_cfd) : null ET
 *   absence acceptés (comme l'API historique, `nullish`) ; ils ne sont donc pas « required » dans le JSON Schema.
 * - Champs obligatoires : absents, null, "" ou blancs → « champ obligatoire » suivi du format attendu (date, code),
 *   ou, pour un texte, « champ obligatoire, vide ici » (sa longueur maximale n'est dite qu'à un texte trop long). Champs facultatifs : absents, null,
 *   "" ou blancs → null dans la sortie. En sortie, TOUTES les clés sont présentes (null quand rien n'a été reçu).
 * - Dates : `AAAA-MM-JJ`, éventuellement suivi d'une heure (`T` ou espace, fuseau facultatif) que l'on ignore :
 *   on garde la date telle qu'écrite, sans conversion de fuseau (« 2024-09-01T22:00:00Z » → « 2024-09-01 »).
 *   Dates inexistantes (2024-02-30) et années hors 1900–2100 refusées.
 * - Contrats : une date de fin ou de rupture sans date de début (du même rang) est une erreur, sur le champ suffixé.
 *   Une rupture ou une fin antérieure au début du contrat est ACCEPTÉE (le moteur de statuts s'en charge).
 *   cause_rupture_contrat / siret_employeur sans date de début : acceptés mais ignorés (pas de contrat sans début).
 *   `contrats` garde l'ordre des rangs 1→4 (pas de tri par date), uniquement les rangs ayant une date de début.
 * - date_fin_formation < date_entree_formation : erreur (égalité acceptée).
 * - date_de_naissance_apprenant ≥ date_entree_formation : erreur (personne n'entre en formation avant de naître).
 * - nir_apprenant : accepté (texte ou nombre), jamais validé ni renvoyé, jamais recopié dans un message d'erreur ;
 *   la sortie ne contient que `nir_fourni`.
 * - Nombres envoyés en texte (« 2 », « 03 ») acceptés pour statut, année/durées de formation, type de CFA,
 *   dernière situation, sexe ; un identifiant, un SIRET, un code postal, un code commune, un CFD, un RNCP ou un
 *   téléphone envoyés en nombre sont convertis en texte (SIRET complété à 14 chiffres, code commune à 5,
 *   téléphone à 9 chiffres précédé de 0 : le zéro initial a été perdu par la conversion en nombre).
 * - Codes postaux : 4 ou 5 chiffres (espaces retirés), complétés à gauche par des zéros.
 * - Textes : espaces de début/fin retirés ; 255 caractères au plus (1000 pour adresses et causes).
 * - INE : 11 chiffres ou lettres (espaces retirés, majuscules). E-mails : contrôle souple `x@y.z`.
 * - derniere_situation : code SIFA à 4 chiffres (la liste exacte n'est pas contrôlée).
 * - dernier_organisme_uai : UAI (clé contrôlée) ou département (01–95, 2A, 2B, avec 0 initial facultatif, ou
 *   970–999).
 */
import { z } from "zod";

import {
  CODE_COMMUNE_PATTERN,
  isSiretLaPoste,
  isValidCfd,
  isValidRncp,
  isValidSiret,
  isValidUai,
  normalizeRncp,
  normalizeSiret,
  normalizeUai,
  REGLE_SIRET_LA_POSTE,
  SIRET_PATTERN,
} from "../referentiel/codes";
import { ANNEE_MAX, ANNEE_MIN, daysInMonth } from "../statut/days";
import { contientNir, looksLikeNir, masquerNir } from "./mapping";

// ---------------------------------------------------------------------------------------------------------------
// Messages (écrits une seule fois)
// ---------------------------------------------------------------------------------------------------------------

const SHORT_TEXT_MAX = 255;
const LONG_TEXT_MAX = 1000;
export const MAX_DOSSIERS_PAR_ENVOI = 2000;

export const MESSAGES = {
  dossierObjet: "chaque dossier doit être un objet JSON",
  erreurInterne: "dossier impossible à lire",
  obligatoire: "champ obligatoire",
  /**
   * A required text missing (absent, null or blank): only that. Its limit (255 characters) is no format to say to
   * someone who left it empty; it is said when a value is too long (`texteTropLong`).
   */
  obligatoireVide: "champ obligatoire, vide ici",
  /** A required field missing: with the format expected (each kind's own, see `Kind.attendu`). */
  obligatoireFormat: (format: string) => `champ obligatoire : ${format}`,
  /**
   * The format of a missing date, literally and by the field's example. The upload says both in the file's terms
   * (upload.server.ts, inFileTerms): "au format JJ/MM/AAAA (ex. 28/03/2006)".
   */
  dateExemple: (exemple: string) => `date attendue au format AAAA-MM-JJ (ex. ${exemple})`,
  texte: "texte attendu",
  texteOuNombre: "texte ou nombre attendu",
  texteTropLong: (max: number) => `texte de ${max} caractères au plus attendu`,
  identifiantNir:
    "identifiant en forme de numéro de sécurité sociale (NIR), qui n'est jamais enregistré : identifiant de l'apprenant " +
    "propre à votre ERP attendu (le NIR, s'il est transmis, va dans nir_apprenant)",
  valeurNir:
    "valeur en forme de numéro de sécurité sociale (NIR), refusée : le NIR n'est jamais enregistré (s'il est transmis, il " +
    "va dans nir_apprenant)",
  date: "date attendue au format AAAA-MM-JJ",
  dateInexistante: "date inexistante : date réelle attendue au format AAAA-MM-JJ",
  dateHorsPlage: `date attendue entre ${ANNEE_MIN} et ${ANNEE_MAX} au format AAAA-MM-JJ`,
  anneeScolaire:
    "année scolaire attendue au format AAAA-AAAA, années consécutives ou identiques (ex. 2024-2025, 2024/2025 ou 2025-2025)",
  anneeScolaireHorsPlage: `année scolaire attendue entre ${ANNEE_MIN} et ${ANNEE_MAX} au format AAAA-AAAA (ex. 2024-2025)`,
  uai: "UAI attendu : 7 chiffres suivis de la lettre clé (ex. 0751234J)",
  siret: "SIRET attendu : 14 chiffres dont le dernier est une clé de contrôle valide (ex. 13002456000018)",
  siretLaPoste: `SIRET attendu : ${REGLE_SIRET_LA_POSTE}`,
  codePostal: "code postal attendu : 5 chiffres (ex. 75001)",
  codeCommune:
    "code commune INSEE attendu : 5 caractères, département (2 chiffres, 2A ou 2B) puis 3 chiffres (ex. 75056, 2A004)",
  cfd: "code CFD attendu : 8 chiffres ou lettres majuscules (ex. 50022141)",
  rncp: "code RNCP attendu : RNCP suivi de 2 à 5 chiffres (ex. RNCP35316 ou 35316)",
  ine: "INE attendu : 11 chiffres ou lettres (ex. 1234567890A)",
  email: "adresse e-mail attendue (ex. prenom.nom@exemple.fr)",
  telephone: "numéro de téléphone attendu : 6 à 15 chiffres, éventuellement précédés de + ou 00 (ex. 0612345678)",
  sexe: "sexe attendu : M ou F (H ou 1 pour M, 2 pour F)",
  booleen: "booléen attendu : true ou false (« oui »/« non » et 1/0 acceptés)",
  entier: (min: number, max: number) => `nombre entier attendu entre ${min} et ${max}`,
  statut: "statut attendu : 0 (abandon), 2 (inscrit), 3 (apprenti) ou null",
  typeCfa: "type de CFA attendu : code de « 01 » à « 10 »",
  derniereSituation: "code de dernière situation SIFA attendu : nombre de 4 chiffres (ex. 1003)",
  dernierOrganismeUai: "UAI (ex. 0751234J) ou numéro de département (ex. 44, 2A, 974) attendu",
  contratSansDebut: (debutField: string) =>
    `date de contrat fournie sans ${debutField} (la date de début de ce contrat est obligatoire dès qu'une date de fin ou de rupture est fournie)`,
  finAvantEntree: (entree: string) =>
    `la date de fin de formation doit être égale ou postérieure à date_entree_formation (${entree})`,
  naissanceApresEntree: (entree: string) =>
    `la date de naissance doit être antérieure à date_entree_formation (${entree}) : vérifiez-la (une inversion jour/mois ou une année mal saisie est fréquente)`,
} as const;

/** Fields whose received value must never be copied into a message. */
const SENSITIVE_FIELDS: ReadonlySet<string> = new Set(["nir_apprenant"]);
const RECU_MAX = 60;

function displayReceived(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (value === null || typeof value === "number" || typeof value === "boolean") text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      // nested too deep for JSON.stringify (an ERP's loop): said in French, not « [object Array] »
      text = Array.isArray(value) ? "un tableau trop imbriqué pour être recopié" : "un objet trop imbriqué pour être recopié";
    }
  }
  return text.length > RECU_MAX ? `${text.slice(0, RECU_MAX)}…` : text;
}

/**
 * `champ : message (reçu « valeur »)`, the only place where messages are assembled. A value shaped like a NIR is not
 * copied, whatever its field: the messages are kept 30 days with the transmission, and the NIR is never stored.
 */
export function formatMessage(path: readonly (string | number)[], message: string, received: unknown): string {
  const field = path.length ? path.join(".") : "dossier";
  if (received === undefined || (path.length && SENSITIVE_FIELDS.has(String(path[0])))) return `${field} : ${message}`;
  if ((typeof received === "string" || typeof received === "number") && contientNir(String(received)))
    return `${field} : ${message}${/\(NIR\)/.test(message) ? "" : " (valeur reçue en forme de NIR, non reproduite)"}`;
  return `${field} : ${message} (reçu « ${displayReceived(received)} »)`;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisations élémentaires (pures, ne lèvent jamais)
// ---------------------------------------------------------------------------------------------------------------

class Invalid {
  constructor(readonly message: string) {}
}
const invalid = (message: string) => new Invalid(message);

type Scalar = string | number | boolean;

/** Trims strings; blank strings and null/undefined become null. */
function blankToNull(value: unknown): Scalar | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") {
    const t = value.trim();
    return t === "" ? null : t;
  }
  return value as Scalar;
}

/** The time that may follow a date (ignored): `T` or a space, hh:mm[:ss[.fraction]], optional time zone. */
const HEURE_SOURCE = "(?:[Tt ](?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:[.,]\\d{1,9})?)?(?:[Zz]|[+-](?:[01]\\d|2[0-3])(?::?[0-5]\\d)?)?)?";
const DATE_PATTERN = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})${HEURE_SOURCE}$`);

/** The number written by `length` digits of `s` from `start`, or -1. */
function digitsAt(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function normalizeDate(value: unknown): string | Invalid {
  if (typeof value !== "string") return invalid(MESSAGES.date);
  // The usual case, a valid "AAAA-MM-JJ" within the accepted years, without regex nor Date; anything else below.
  if (value.length === 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45) {
    const y = digitsAt(value, 0, 4);
    const mo = digitsAt(value, 5, 2);
    const d = digitsAt(value, 8, 2);
    if (y >= ANNEE_MIN && y <= ANNEE_MAX && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)) return value;
  }
  const m = DATE_PATTERN.exec(value.trim());
  if (!m) return invalid(MESSAGES.date);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || d < 1 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return invalid(MESSAGES.dateInexistante);
  }
  if (y < ANNEE_MIN || y > ANNEE_MAX) return invalid(MESSAGES.dateHorsPlage);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function toText(value: Scalar): string {
  return typeof value === "string" ? value.trim() : String(value);
}

function parseInteger(value: Scalar): number | null {
  if (typeof value === "number") return Number.isInteger(value) ? value : null;
  if (typeof value === "string" && /^[+-]?\d{1,6}$/.test(value.trim())) return Number(value.trim());
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Kinds of fields: accepted JSON types + normalisation
// ---------------------------------------------------------------------------------------------------------------

type Accepts = "string" | "string|number" | "string|number|boolean";

/**
 * The raw values a kind accepts, as the published JSON Schema says them (`jsonSchemaOf`), next to the normalisation
 * that decides: `text`, the body of the pattern a string matches once trimmed (null: any text); `numbers`, JSON
 * Schemas of the numbers accepted; `booleans`. Only what a pattern cannot say is left to the API alone: the check
 * letter of a UAI, the key of a SIRET, calendar days (2024-02-30), consecutive years of an année scolaire, the
 * national trunk "(0)" of a phone number (tests/unit/dossier-schema.test.ts compares both on a pool of values).
 */
interface Accepted {
  text: string | null;
  numbers?: Record<string, unknown>[];
  booleans?: boolean;
}

interface Kind<O> {
  accepts: Accepts;
  /** Message when the JSON type is wrong. */
  typeMessage: string;
  normalize: (value: Scalar) => O | Invalid;
  json: Accepted;
  /**
   * The format expected, said when a required field is missing (default: `typeMessage`); `exemple`: the field's. Null:
   * nothing to say but that the field is required (texts: `MESSAGES.obligatoireVide`).
   */
  attendu?: ((exemple: unknown) => string) | null;
}

const kind = <O>(
  accepts: Accepts,
  typeMessage: string,
  normalize: (value: Scalar) => O | Invalid,
  json: Accepted,
  attendu?: ((exemple: unknown) => string) | null,
): Kind<O> => ({ accepts, typeMessage, normalize, json, attendu });

// --- pieces of the JSON Schema patterns (ECMA-262 regular expressions, as JSON Schema reads them)

/** Separators of a SIRET or a phone number that the API drops. */
const SEPARATEURS_SIRET = "[\\s.\\-]";

/**
 * A pattern matching exactly the decimal writings (no leading zero) of the integers min..max (0 ≤ min ≤ max);
 * `sep` is allowed between digits (annee_scolaire: the API drops every space).
 */
export function integerRangePattern(min: number, max: number, sep = ""): string {
  const join = (atoms: string[]) => atoms.join(sep);
  const any = (n: number) => Array.from({ length: n }, () => "\\d");
  /** Atom lists matching lo..hi, two digit strings of the same length. */
  const sameLength = (lo: string, hi: string): string[][] => {
    if (lo.length === 0) return [[]];
    if (lo === hi) return [[...lo]];
    const rest = lo.length - 1;
    if (lo[0] === hi[0]) return sameLength(lo.slice(1), hi.slice(1)).map((a) => [lo[0], ...a]);
    const digits = (a: number, b: number) => (a === b ? String(a) : `[${a}-${b}]`);
    if (lo.slice(1) === "0".repeat(rest) && hi.slice(1) === "9".repeat(rest)) return [[digits(+lo[0], +hi[0]), ...any(rest)]];
    const out = sameLength(lo.slice(1), "9".repeat(rest)).map((a) => [lo[0], ...a]);
    if (+lo[0] + 1 <= +hi[0] - 1) out.push([digits(+lo[0] + 1, +hi[0] - 1), ...any(rest)]);
    out.push(...sameLength("0".repeat(rest), hi.slice(1)).map((a) => [hi[0], ...a]));
    return out;
  };
  const alternatives: string[] = [];
  for (let length = String(min).length; length <= String(max).length; length++) {
    const lo = Math.max(min, length === 1 ? 0 : 10 ** (length - 1));
    const hi = Math.min(max, 10 ** length - 1);
    if (lo <= hi) alternatives.push(...sameLength(String(lo), String(hi)).map(join));
  }
  return alternatives.join("|");
}

/**
 * What `parseInteger` reads as one of these integers, written as text: an optional +, leading zeros, 6 digits at most
 * ("-0" when 0 is one of them).
 */
function integerTextPattern(alternatives: string, withZero: boolean): string {
  return `\\+?(?=\\d{1,6}\\s*$)0*(?:${alternatives})${withZero ? "|-0{1,6}" : ""}`;
}

/** Letters in either case: `oui` → `[Oo][Uu][Ii]`. */
function caseless(word: string): string {
  return [...word].map((c) => (c.toUpperCase() !== c.toLowerCase() ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c.replace(/[.+*?^$()[\]{}|\\]/g, "\\$&"))).join("");
}

const integers = (minimum: number, maximum: number) => ({ type: "integer", minimum, maximum });
const ANNEE_SOURCE = integerRangePattern(ANNEE_MIN, ANNEE_MAX);
const UAI_SOURCE = "\\d{7}[A-HJ-NPR-Za-hj-npr-z]"; // the check letters ("abcdefghjklmnprstuvwxyz", case-insensitive)

/** A trimmed text of 1 to `max` characters. */
const textePattern = (max: number) => `\\S(?:[\\s\\S]{0,${max - 2}}\\S)?`;

/** A value read as text, of `max` characters at most. */
const texteBorne = (max: number) => (v: Scalar) => {
  const s = toText(v);
  return s.length > max ? invalid(MESSAGES.texteTropLong(max)) : s;
};

/**
 * A free text (names, addresses, causes, libellés), of `max` characters at most: a NIR written inside it is masked
 * (`masquerNir`), the rest kept; a value that is only a NIR is refused (`sansNir`).
 */
const texteLibre = (max: number) => {
  const borne = texteBorne(max);
  return (v: Scalar) => {
    const s = borne(v);
    return typeof s === "string" ? masquerNir(s) : s;
  };
};

const texte = (max = SHORT_TEXT_MAX) => kind("string", MESSAGES.texte, texteLibre(max), { text: textePattern(max) }, null);

/** Text that ERPs sometimes send as a number (identifiers, custom codes). */
const texteOuNombre = (max = SHORT_TEXT_MAX) =>
  kind("string|number", MESSAGES.texteOuNombre, texteBorne(max), { text: textePattern(max), numbers: [{ type: "number" }] }, null);

/** Kinds that say themselves what a NIR-shaped value is: `required` and `optional` do not wrap them in `sansNir`. */
const NIR_TRAITE = new WeakSet<Kind<unknown>>();

/**
 * The kind, refusing also a value it would accept but that is shaped like a NIR (`looksLikeNir`, the upload's rule
 * for a cell), whatever the field but nir_apprenant: ERPs and spreadsheets put the NIR in an id or a phone column,
 * and it would then be stored, shown in the CFA space and exported (decision 025). A value the kind refuses keeps the
 * kind's message (a SIRET short of a digit is told as a SIRET), and is not echoed (`formatMessage`). Cheap on the fast
 * path: a NIR has 13 to 25 characters with its separators, and most values are shorter (dates, codes) or fail the
 * pattern at once. A value that merely holds a NIR-shaped run of digits is accepted (an ERP id "APP-" and a 13-digit
 * timestamp would be refused with it): it is only never echoed (`formatMessage`), nor kept with a refused dossier.
 */
function sansNir<O>(k: Kind<O>, message: string = MESSAGES.valeurNir): Kind<O> {
  const out: Kind<O> = {
    ...k,
    normalize: (v) => {
      const out = k.normalize(v);
      if (out instanceof Invalid || typeof v === "boolean") return out;
      const s = typeof v === "string" ? v : String(v);
      return s.length >= 13 && s.length <= 25 && looksLikeNir(s) ? invalid(message) : out;
    },
  };
  NIR_TRAITE.add(out as Kind<unknown>);
  return out;
}

/**
 * The learner's id in the ERP: a text or a number, but not a NIR, which some ERPs use as the learner's id: refused
 * with its own message, like the upload drops such a column (`looksLikeNirColumn`).
 */
const identifiantErp = sansNir(texteOuNombre(), MESSAGES.identifiantNir);

const date = kind(
  "string",
  MESSAGES.date,
  (v) => normalizeDate(v),
  { text: `(?:${ANNEE_SOURCE})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])${HEURE_SOURCE}` },
  (exemple) => MESSAGES.dateExemple(typeof exemple === "string" ? exemple : "2024-09-02"),
);

const anneeScolaire = kind("string", MESSAGES.anneeScolaire, (v) => {
  const s = toText(v).replace(/\s+/g, "").replace("/", "-");
  const m = /^(\d{4})-(\d{4})$/.exec(s);
  if (!m) return invalid(MESSAGES.anneeScolaire);
  const [y1, y2] = [Number(m[1]), Number(m[2])];
  if (y2 !== y1 && y2 !== y1 + 1) return invalid(MESSAGES.anneeScolaire);
  return y1 < ANNEE_MIN || y2 > ANNEE_MAX ? invalid(MESSAGES.anneeScolaireHorsPlage) : s;
}, (() => {
  // every space is dropped, even between digits
  const annee = `(?:${integerRangePattern(ANNEE_MIN, ANNEE_MAX, "\\s*")})`;
  return { text: `${annee}\\s*[-/]\\s*${annee}` };
})());

const uai = kind("string", MESSAGES.uai, (v) => {
  const s = normalizeUai(toText(v));
  return isValidUai(s) ? s : invalid(MESSAGES.uai);
}, { text: UAI_SOURCE });

const siret = kind("string|number", MESSAGES.siret, (v) => {
  const s = typeof v === "number" ? String(v).padStart(14, "0") : normalizeSiret(toText(v));
  return isValidSiret(s) ? s : invalid(SIRET_PATTERN.test(s) && isSiretLaPoste(s) ? MESSAGES.siretLaPoste : MESSAGES.siret);
}, { text: `${SEPARATEURS_SIRET}*(?:\\d${SEPARATEURS_SIRET}*){14}`, numbers: [integers(0, 99_999_999_999_999)] });

const codePostal = kind("string|number", MESSAGES.codePostal, (v) => {
  const s = toText(v).replace(/\s+/g, "");
  return /^\d{4,5}$/.test(s) ? s.padStart(5, "0") : invalid(MESSAGES.codePostal);
}, { text: "\\d(?:\\s*\\d){3,4}", numbers: [integers(1000, 99_999)] });

const codeCommune = kind("string|number", MESSAGES.codeCommune, (v) => {
  let s = toText(v).toUpperCase();
  if (/^\d{4}$/.test(s)) s = `0${s}`;
  return CODE_COMMUNE_PATTERN.test(s) ? s : invalid(MESSAGES.codeCommune);
}, { text: "\\d{4,5}|2[ABab]\\d{3}", numbers: [integers(1000, 99_999)] });

const cfd = kind("string|number", MESSAGES.cfd, (v) => {
  const s = toText(v).toUpperCase();
  return isValidCfd(s) ? s : invalid(MESSAGES.cfd);
}, { text: "[0-9A-Za-z]{8}", numbers: [integers(10_000_000, 99_999_999)] });

const rncp = kind("string|number", MESSAGES.rncp, (v) => {
  const s = normalizeRncp(toText(v));
  return isValidRncp(s) ? s : invalid(MESSAGES.rncp);
}, {
  // spaces are dropped anywhere, the prefix is optional and case-insensitive
  text: `(?:${[..."RNCP"].map(caseless).join("\\s*")}\\s*)?\\d(?:\\s*\\d){1,4}`,
  numbers: [integers(10, 99_999)],
});

const ine = kind("string", MESSAGES.ine, (v) => {
  const s = toText(v).replace(/\s+/g, "").toUpperCase();
  return /^[0-9A-Z]{11}$/.test(s) ? s : invalid(MESSAGES.ine);
}, { text: "[0-9A-Za-z](?:\\s*[0-9A-Za-z]){10}" });

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
const email = kind("string", MESSAGES.email, (v) => {
  const s = toText(v);
  return s.length <= 320 && EMAIL_PATTERN.test(s) ? s : invalid(MESSAGES.email);
}, { text: `(?=\\S{1,320}\\s*$)${EMAIL_PATTERN.source.slice(1, -1)}` });

const telephone = kind("string|number", MESSAGES.telephone, (v) => {
  // "+33 (0)6…": the national trunk 0 in parentheses is not dialled after the country code
  // one written form per number: "00" is "+", and 9 digits are a French number that lost its 0 (a number, or a
  // spreadsheet's cell)
  let s = toText(v).replace(/[\s.\-/]/g, "").replace(/^(\+|00)(\d{1,3})\(0\)/, "$1$2").replace(/[()]/g, "");
  if (/^00\d{6,15}$/.test(s)) s = `+${s.slice(2)}`;
  else if (/^[1-9]\d{8}$/.test(s)) s = `0${s}`;
  return /^(?:\+|00)?\d{6,15}$/.test(s) ? s : invalid(MESSAGES.telephone);
}, (() => {
  // separators and parentheses anywhere, then + or 00 or nothing, then 6 to 15 digits; "+33 (0)6…": one more digit
  const sep = "[\\s.\\-/()]*";
  const chiffres = (n: string) => `(?:\\d${sep}){${n}}`;
  return {
    text: `${sep}(?:\\+${sep}|0${sep}0${sep})?${chiffres("6,15")}|${sep}(?:\\+|0${sep}0)${sep}${chiffres("1,3")}\\(${sep}0${sep}\\)${sep}${chiffres("3,14")}`,
    numbers: [integers(100_000, 999_999_999_999_999)],
  };
})());

const SEXES: Record<string, "M" | "F"> = { M: "M", H: "M", "1": "M", F: "F", "2": "F" };
const sexe = kind("string|number", MESSAGES.sexe, (v) => SEXES[toText(v).toUpperCase()] ?? invalid(MESSAGES.sexe), {
  text: Object.keys(SEXES).map(caseless).join("|"),
  numbers: [{ enum: Object.keys(SEXES).filter((k) => /^\d+$/.test(k)).map(Number) }],
});

const BOOLEENS: Record<string, boolean> = { true: true, false: false, oui: true, non: false, "1": true, "0": false };
const booleen = kind(
  "string|number|boolean",
  MESSAGES.booleen,
  (v) => (typeof v === "boolean" ? v : (BOOLEENS[toText(v).toLowerCase()] ?? invalid(MESSAGES.booleen))),
  {
    text: Object.keys(BOOLEENS).map(caseless).join("|"),
    numbers: [{ enum: Object.keys(BOOLEENS).filter((k) => /^\d+$/.test(k)).map(Number) }],
    booleans: true,
  },
);

const entier = (min: number, max: number) =>
  kind("string|number", MESSAGES.entier(min, max), (v) => {
    const n = parseInteger(v);
    return n !== null && n >= min && n <= max ? n : invalid(MESSAGES.entier(min, max));
  }, { text: integerTextPattern(integerRangePattern(min, max), min <= 0 && max >= 0), numbers: [integers(min, max)] });

const STATUTS = [0, 2, 3] as const;
type StatutApprenant = (typeof STATUTS)[number];
const statut = kind("string|number", MESSAGES.statut, (v) => {
  const n = parseInteger(v);
  return STATUTS.includes(n as StatutApprenant) ? (n as StatutApprenant) : invalid(MESSAGES.statut);
}, { text: integerTextPattern(STATUTS.join("|"), STATUTS.includes(0 as StatutApprenant)), numbers: [{ enum: [...STATUTS] }] });

export const TYPES_CFA = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"] as const;
export type TypeCfa = (typeof TYPES_CFA)[number];
const typeCfa = kind("string|number", MESSAGES.typeCfa, (v) => {
  const s = toText(v).padStart(2, "0");
  return TYPES_CFA.includes(s as TypeCfa) ? (s as TypeCfa) : invalid(MESSAGES.typeCfa);
}, {
  // "01" or "1" (a number is written without its leading 0)
  text: TYPES_CFA.flatMap((t) => (t.startsWith("0") ? [t, t.slice(1)] : [t])).join("|"),
  numbers: [{ enum: TYPES_CFA.map(Number) }],
});

const derniereSituation = kind("string|number", MESSAGES.derniereSituation, (v) => {
  const n = parseInteger(v);
  return n !== null && n >= 1000 && n <= 9999 ? n : invalid(MESSAGES.derniereSituation);
}, { text: integerTextPattern(integerRangePattern(1000, 9999), false), numbers: [integers(1000, 9999)] });

const DEPARTEMENT_SOURCE = "0?(?:0[1-9]|1\\d|2[1-9ABab]|[3-8]\\d|9[0-5])|9[7-9]\\d";
const DEPARTEMENT_PATTERN = new RegExp(`^(?:${DEPARTEMENT_SOURCE})$`);
const dernierOrganismeUai = kind("string|number", MESSAGES.dernierOrganismeUai, (v) => {
  const s = typeof v === "number" ? String(v).padStart(2, "0") : normalizeUai(toText(v));
  return isValidUai(s) || DEPARTEMENT_PATTERN.test(s) ? s : invalid(MESSAGES.dernierOrganismeUai);
}, { text: `${UAI_SOURCE}|${DEPARTEMENT_SOURCE}`, numbers: [integers(1, 95), integers(970, 999)] });

/** Never validated nor kept: only whether one was given. */
const nir = kind("string|number", MESSAGES.texteOuNombre, () => true as boolean, { text: null, numbers: [{ type: "number" }] });
NIR_TRAITE.add(nir as Kind<unknown>);

// ---------------------------------------------------------------------------------------------------------------
// Field builders
// ---------------------------------------------------------------------------------------------------------------

type FieldMeta = {
  /** Short French label (column header of the CSV/XLSX template). */
  title: string;
  /** French description shown in the OpenAPI document. */
  description: string;
  examples?: unknown[];
  [key: string]: unknown;
};

/** `obligatoire`: the message of a required field missing (null: the field is optional). */
function baseSchema(k: Kind<unknown>, obligatoire: string | null): z.ZodType<Scalar> {
  const error = (issue: { input?: unknown }) =>
    obligatoire !== null && (issue.input === undefined || issue.input === null) ? obligatoire : k.typeMessage;
  switch (k.accepts) {
    case "string":
      return z.string({ error });
    case "string|number":
      return z.union([z.string(), z.number()], { error });
    case "string|number|boolean":
      return z.union([z.string(), z.number(), z.boolean()], { error });
  }
}

function addIssue(ctx: z.core.$RefinementCtx<unknown>, input: unknown, message: string): never {
  ctx.addIssue({ code: "custom", message, input });
  return z.NEVER;
}

/**
 * The kind and requiredness of each field schema built below: `parseValidDossier` runs the same normalisations
 * without zod (the fast path of valid items).
 */
const FIELD_RULES = new WeakMap<z.ZodType, { kind: Kind<unknown>; required: boolean }>();

function registered<S extends z.ZodType>(schema: S, k: Kind<unknown>, isRequired: boolean): S {
  FIELD_RULES.set(schema, { kind: k, required: isRequired });
  return schema;
}

/** Required field: absent, null or blank is an error. */
function required<O>(kindDuChamp: Kind<O>, meta: FieldMeta) {
  const k = NIR_TRAITE.has(kindDuChamp as Kind<unknown>) ? kindDuChamp : sansNir(kindDuChamp);
  // "champ obligatoire : <the format expected>", the kind's own (with the field's example for a date); a text's:
  // "champ obligatoire, vide ici"
  const obligatoire =
    k.attendu === null ? MESSAGES.obligatoireVide : MESSAGES.obligatoireFormat(k.attendu ? k.attendu(meta.examples?.[0]) : k.typeMessage);
  const schema = baseSchema(k as Kind<unknown>, obligatoire)
    .meta(meta)
    .transform((raw, ctx): O => {
      const value = blankToNull(raw);
      if (value === null) return addIssue(ctx, raw, obligatoire);
      const out = k.normalize(value);
      return out instanceof Invalid ? addIssue(ctx, raw, out.message) : out;
    });
  return registered(schema, k as Kind<unknown>, true);
}

/** Optional (or nullable) field: absent, null or blank gives null. */
function optional<O>(kindDuChamp: Kind<O>, meta: FieldMeta) {
  const k = NIR_TRAITE.has(kindDuChamp as Kind<unknown>) ? kindDuChamp : sansNir(kindDuChamp);
  const schema = baseSchema(k as Kind<unknown>, null)
    .nullable()
    .optional()
    .meta(meta)
    .transform((raw, ctx): O | null => {
      const value = blankToNull(raw);
      if (value === null) return null;
      const out = k.normalize(value);
      return out instanceof Invalid ? addIssue(ctx, raw, out.message) : out;
    });
  return registered(schema, k as Kind<unknown>, false);
}

const RANGS = ["", "_2", "_3", "_4"] as const;
type Rang = (typeof RANGS)[number];
const RANG_LIBELLE: Record<Rang, string> = { "": "1er contrat", _2: "2e contrat", _3: "3e contrat", _4: "4e contrat" };

function contratFields(rang: Rang) {
  const n = RANG_LIBELLE[rang];
  const r = rang ? ` (${n})` : "";
  return {
    debut: optional(date, {
      title: `Date de début du contrat${r}`,
      description: `Date de début du contrat d'apprentissage (${n}), au format AAAA-MM-JJ.`,
      examples: ["2024-09-02"],
    }),
    fin: optional(date, {
      title: `Date de fin du contrat${r}`,
      description: `Date de fin prévue du contrat d'apprentissage (${n}), au format AAAA-MM-JJ. Exige la date de début du même contrat.`,
      examples: ["2026-08-31"],
    }),
    rupture: optional(date, {
      title: `Date de rupture du contrat${r}`,
      description: `Date de rupture du contrat d'apprentissage (${n}), au format AAAA-MM-JJ. Exige la date de début du même contrat.`,
      examples: ["2025-01-15"],
    }),
    cause: optional(texte(LONG_TEXT_MAX), {
      title: `Cause de rupture du contrat${r}`,
      description: `Cause de la rupture du contrat (${n}).`,
      examples: ["démission", "résiliation", "obtention du diplôme"],
    }),
    siret: optional(siret, {
      title: `SIRET de l'employeur${r}`,
      description: `SIRET de l'employeur (${n}) : 14 chiffres ; espaces, points et tirets retirés.`,
      examples: ["78298832500018"],
    }),
  };
}
const c1 = contratFields("");
const c2 = contratFields("_2");
const c3 = contratFields("_3");
const c4 = contratFields("_4");

const dateMeta = (title: string, description: string, example: string): FieldMeta => ({
  title,
  description: `${description}, au format AAAA-MM-JJ (une heure peut suivre, elle est ignorée).`,
  examples: [example],
});

// ---------------------------------------------------------------------------------------------------------------
// The v3 item schema
// ---------------------------------------------------------------------------------------------------------------

const dossierV3Shape = {
  // Obligatoires
  nom_apprenant: required(texte(), { title: "Nom", description: "Nom de famille de l'apprenant.", examples: ["Lenôtre"] }),
  prenom_apprenant: required(texte(), { title: "Prénom", description: "Prénom de l'apprenant.", examples: ["Gaston"] }),
  date_de_naissance_apprenant: required(date, dateMeta("Date de naissance", "Date de naissance de l'apprenant", "2006-03-28")),
  annee_scolaire: required(anneeScolaire, {
    title: "Année scolaire",
    description:
      "Année scolaire (du 1er août au 31 juillet) au format AAAA-AAAA, années consécutives ou identiques ; « 2024/2025 » est accepté et converti en « 2024-2025 ».",
    examples: ["2024-2025"],
  }),
  id_erp_apprenant: required(identifiantErp, {
    title: "Identifiant ERP de l'apprenant",
    description:
      "Identifiant de l'apprenant dans l'ERP du CFA (stable d'un envoi à l'autre) ; un identifiant en forme de NIR est refusé, " +
      "le NIR n'étant jamais enregistré.",
    examples: ["APP-2024-00042"],
  }),
  date_inscription_formation: required(
    date,
    dateMeta("Date d'inscription", "Date d'inscription de l'apprenant dans la formation", "2024-06-15"),
  ),
  date_entree_formation: required(date, dateMeta("Date d'entrée en formation", "Date d'entrée en formation", "2024-09-02")),
  date_fin_formation: required(
    date,
    dateMeta("Date de fin de formation", "Date de fin prévue de la formation, égale ou postérieure à la date d'entrée", "2026-06-30"),
  ),
  etablissement_responsable_uai: required(uai, {
    title: "UAI du responsable",
    description: "UAI de l'établissement responsable : 7 chiffres et la lettre clé (espaces retirés, majuscules).",
    examples: ["0751234J"],
  }),
  etablissement_responsable_siret: required(siret, {
    title: "SIRET du responsable",
    description: "SIRET de l'établissement responsable : 14 chiffres ; espaces, points et tirets retirés.",
    examples: ["13002456000018"],
  }),
  etablissement_formateur_uai: required(uai, {
    title: "UAI du formateur",
    description: "UAI de l'établissement formateur : 7 chiffres et la lettre clé.",
    examples: ["0931234L"],
  }),
  etablissement_formateur_siret: required(siret, {
    title: "SIRET du formateur",
    description: "SIRET de l'établissement formateur : 14 chiffres.",
    examples: ["44123456789013"],
  }),

  // Nullables
  statut_apprenant: optional(statut, {
    title: "Statut déclaré",
    description: "Statut de l'apprenant selon l'ERP : 0 abandon, 2 inscrit, 3 apprenti (peut être null).",
    examples: [3],
  }),
  date_metier_mise_a_jour_statut: optional(
    date,
    dateMeta("Date de mise à jour du statut", "Date de dernière mise à jour du statut dans l'ERP (peut être null)", "2024-09-02"),
  ),
  tel_apprenant: optional(telephone, {
    title: "Téléphone",
    description:
      "Téléphone de l'apprenant (peut être null) ; espaces, points, tirets et parenthèses retirés, « 00 » international écrit « + », " +
      "un numéro de 9 chiffres (zéro initial perdu par un tableur) complété par 0.",
    examples: ["0612345678", "+33612345678"],
  }),
  formation_cfd: optional(cfd, {
    title: "Code CFD",
    description: "Code formation diplôme (CFD) : 8 chiffres ou lettres (peut être null).",
    examples: ["50022141"],
  }),

  // Facultatifs : apprenant
  ine_apprenant: optional(ine, {
    title: "INE",
    description: "Identifiant national élève de l'apprenant (11 chiffres ou lettres).",
    examples: ["1234567890A"],
  }),
  email_contact: optional(email, {
    title: "E-mail",
    description: "Adresse e-mail de l'apprenant.",
    examples: ["gaston.lenotre@exemple.fr"],
  }),
  adresse_apprenant: optional(texte(LONG_TEXT_MAX), {
    title: "Adresse",
    description: "Adresse postale de l'apprenant.",
    examples: ["12 rue des Lilas"],
  }),
  code_postal_apprenant: optional(codePostal, {
    title: "Code postal",
    description: "Code postal de résidence de l'apprenant (5 chiffres ; complété à gauche par des zéros).",
    examples: ["75012"],
  }),
  code_postal_de_naissance_apprenant: optional(codePostal, {
    title: "Code postal de naissance",
    description: "Code postal de la commune de naissance (5 chiffres ; complété à gauche par des zéros).",
    examples: ["01000"],
  }),
  code_commune_insee_apprenant: optional(codeCommune, {
    title: "Code commune INSEE",
    description: "Code INSEE de la commune de résidence (ex. 75112, 2A004).",
    examples: ["75112"],
  }),
  code_commune_insee_de_naissance_apprenant: optional(codeCommune, {
    title: "Code commune INSEE de naissance",
    description: "Code INSEE de la commune de naissance.",
    examples: ["2A004"],
  }),
  sexe_apprenant: optional(sexe, {
    title: "Sexe",
    description: "Sexe de l'apprenant : M ou F (H ou 1 sont lus M, 2 est lu F).",
    examples: ["F"],
  }),
  rqth_apprenant: optional(booleen, {
    title: "RQTH",
    description: "Reconnaissance de la qualité de travailleur handicapé (true/false, « oui »/« non », 1/0).",
    examples: [false],
  }),
  date_rqth_apprenant: optional(date, dateMeta("Date de la RQTH", "Date de la reconnaissance RQTH", "2020-05-10")),
  responsable_apprenant_mail1: optional(email, {
    title: "E-mail du responsable légal 1",
    description: "Adresse e-mail du premier responsable légal.",
    examples: ["parent1@exemple.fr"],
  }),
  responsable_apprenant_mail2: optional(email, {
    title: "E-mail du responsable légal 2",
    description: "Adresse e-mail du second responsable légal.",
    examples: ["parent2@exemple.fr"],
  }),
  custom_statut_apprenant: optional(texteOuNombre(), {
    title: "Statut propre à l'ERP",
    description: "Statut de l'apprenant dans la nomenclature propre à l'ERP (conservé tel quel).",
    examples: ["Apprenti"],
  }),

  // Facultatifs : formation
  libelle_court_formation: optional(texte(), {
    title: "Libellé de la formation",
    description: "Libellé court de la formation.",
    examples: ["CAP PATISSIER"],
  }),
  annee_formation: optional(entier(0, 5), {
    title: "Année de formation",
    description: "Année de la formation suivie (0 à 5 ; 1 pour la 1re année).",
    examples: [1],
  }),
  formation_rncp: optional(rncp, {
    title: "Code RNCP",
    description: "Code RNCP de la formation ; le préfixe RNCP est ajouté s'il manque.",
    examples: ["RNCP35316", "35316"],
  }),
  obtention_diplome_formation: optional(booleen, {
    title: "Diplôme obtenu",
    description: "L'apprenant a obtenu le diplôme (true/false, « oui »/« non », 1/0).",
    examples: [true],
  }),
  date_obtention_diplome_formation: optional(
    date,
    dateMeta("Date d'obtention du diplôme", "Date d'obtention du diplôme", "2026-07-04"),
  ),
  date_exclusion_formation: optional(
    date,
    dateMeta("Date d'exclusion", "Date d'exclusion (ou d'abandon) de la formation", "2025-02-01"),
  ),
  cause_exclusion_formation: optional(texte(LONG_TEXT_MAX), {
    title: "Cause de l'exclusion",
    description: "Cause de l'exclusion de la formation.",
    examples: ["absences répétées et injustifiées"],
  }),
  nom_referent_handicap_formation: optional(texte(), {
    title: "Nom du référent handicap",
    description: "Nom du référent handicap de la formation.",
    examples: ["Martin"],
  }),
  prenom_referent_handicap_formation: optional(texte(), {
    title: "Prénom du référent handicap",
    description: "Prénom du référent handicap de la formation.",
    examples: ["Claire"],
  }),
  email_referent_handicap_formation: optional(email, {
    title: "E-mail du référent handicap",
    description: "Adresse e-mail du référent handicap de la formation.",
    examples: ["referent.handicap@exemple.fr"],
  }),
  formation_presentielle: optional(booleen, {
    title: "Formation en présentiel",
    description: "La formation se déroule en présentiel (true) ou entièrement à distance (false).",
    examples: [true],
  }),
  duree_theorique_formation: optional(entier(1, 4), {
    title: "Durée théorique (années)",
    description: "Durée théorique de la formation en années (1 à 4).",
    examples: [2],
  }),
  duree_theorique_formation_mois: optional(entier(1, 48), {
    title: "Durée théorique (mois)",
    description: "Durée théorique de la formation en mois (1 à 48).",
    examples: [24],
  }),

  // Facultatifs : contrats (jusqu'à 4)
  contrat_date_debut: c1.debut,
  contrat_date_fin: c1.fin,
  contrat_date_rupture: c1.rupture,
  cause_rupture_contrat: c1.cause,
  siret_employeur: c1.siret,
  contrat_date_debut_2: c2.debut,
  contrat_date_fin_2: c2.fin,
  contrat_date_rupture_2: c2.rupture,
  cause_rupture_contrat_2: c2.cause,
  siret_employeur_2: c2.siret,
  contrat_date_debut_3: c3.debut,
  contrat_date_fin_3: c3.fin,
  contrat_date_rupture_3: c3.rupture,
  cause_rupture_contrat_3: c3.cause,
  siret_employeur_3: c3.siret,
  contrat_date_debut_4: c4.debut,
  contrat_date_fin_4: c4.fin,
  contrat_date_rupture_4: c4.rupture,
  cause_rupture_contrat_4: c4.cause,
  siret_employeur_4: c4.siret,

  // Facultatifs : lieu de formation
  etablissement_lieu_de_formation_uai: optional(uai, {
    title: "UAI du lieu de formation",
    description: "UAI du lieu de formation : 7 chiffres et la lettre clé.",
    examples: ["0330012J"],
  }),
  etablissement_lieu_de_formation_siret: optional(siret, {
    title: "SIRET du lieu de formation",
    description: "SIRET du lieu de formation : 14 chiffres.",
    examples: ["13002456000018"],
  }),
  etablissement_lieu_de_formation_adresse: optional(texte(LONG_TEXT_MAX), {
    title: "Adresse du lieu de formation",
    description: "Adresse postale du lieu de formation.",
    examples: ["3 avenue de la Gare"],
  }),
  etablissement_lieu_de_formation_code_postal: optional(codePostal, {
    title: "Code postal du lieu de formation",
    description: "Code postal du lieu de formation (5 chiffres ; complété à gauche par des zéros).",
    examples: ["33000"],
  }),

  // Facultatifs : champs SIFA
  derniere_situation: optional(derniereSituation, {
    title: "Dernière situation",
    description: "Situation de l'apprenant l'année précédente (code SIFA à 4 chiffres).",
    examples: [1003],
  }),
  dernier_organisme_uai: optional(dernierOrganismeUai, {
    title: "Dernier organisme fréquenté",
    description:
      "UAI de l'établissement fréquenté l'année précédente ou, à défaut, numéro de son département (ex. 44, 2A, 974).",
    examples: ["0751234J", "44"],
  }),
  type_cfa: optional(typeCfa, {
    title: "Type de CFA",
    description: "Type de CFA au sens de SIFA : code de « 01 » à « 10 » (1 est lu « 01 »).",
    examples: ["01"],
  }),
  nir_apprenant: optional(nir, {
    title: "NIR",
    description:
      "Numéro de sécurité sociale de l'apprenant : accepté mais jamais conservé ni renvoyé (seule sa présence est retenue).",
    examples: ["1060375112042"],
  }),
};

export type DossierV3Field = keyof typeof dossierV3Shape;

// ---------------------------------------------------------------------------------------------------------------
// Cross-field rules
// ---------------------------------------------------------------------------------------------------------------

const isPresent = (value: unknown) => value !== undefined && value !== null;
const validDate = (value: unknown): string | null => {
  const d = normalizeDate(value);
  return d instanceof Invalid ? null : d;
};

/**
 * The rules between fields, on the values that passed their own field (a failed field's value is never a valid
 * date, so re-checking with `normalizeDate`, idempotent on normalised dates, tells them apart).
 */
function crossFieldIssues(v: Record<string, unknown>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const { debut, fin, rupture } of CONTRAT_RANG_FIELDS) {
    if (isPresent(v[debut])) continue; // given (valid or already reported)
    for (const field of [fin, rupture]) {
      if (isPresent(v[field])) issues.push({ path: field, message: MESSAGES.contratSansDebut(debut) });
    }
  }
  const entree = validDate(v.date_entree_formation);
  const fin = validDate(v.date_fin_formation);
  if (entree && fin && fin < entree) issues.push({ path: "date_fin_formation", message: MESSAGES.finAvantEntree(entree) });
  const naissance = validDate(v.date_de_naissance_apprenant);
  if (entree && naissance && naissance >= entree)
    issues.push({ path: "date_de_naissance_apprenant", message: MESSAGES.naissanceApresEntree(entree) });
  return issues;
}

/** Runs even when other fields failed (`when`), so that every problem is listed at once. */
function checkCrossFields(value: unknown, ctx: z.core.$RefinementCtx<unknown>): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const { path, message } of crossFieldIssues(value as Record<string, unknown>)) {
    ctx.addIssue({ code: "custom", path: [path], message });
  }
}

/** The raw v3 item (what ERPs send), with per-field normalisations and the cross-field rules. */
export const dossierV3InputSchema = z
  .object(dossierV3Shape)
  // `when`: run even when some fields failed, so that every problem is listed at once.
  .superRefine(checkCrossFields, { when: () => true })
  .meta({
    title: "Dossier apprenant (v3)",
    description:
      "Un apprenant dans une formation d'un organisme pour une année scolaire. Les champs inconnus sont ignorés. " +
      "Les textes sont débarrassés de leurs espaces de début et de fin ; une chaîne vide équivaut à un champ absent.",
  });

// ---------------------------------------------------------------------------------------------------------------
// Normalised output
// ---------------------------------------------------------------------------------------------------------------

type Prettify<T> = { [K in keyof T]: T[K] } & {};
type DossierV3Flat = z.output<typeof dossierV3InputSchema>;
type ContratField =
  | `contrat_date_debut${Rang}`
  | `contrat_date_fin${Rang}`
  | `contrat_date_rupture${Rang}`
  | `cause_rupture_contrat${Rang}`
  | `siret_employeur${Rang}`;

export type ContratV3 = {
  date_debut: string;
  date_fin: string | null;
  date_rupture: string | null;
  cause_rupture: string | null;
  siret_employeur: string | null;
};

/**
 * A valid, normalised dossier: the v3 snake_case names, every optional field present (null when not sent),
 * contracts gathered in rank order (only those with a start date), `nir_fourni` instead of the NIR.
 */
export type DossierV3 = Prettify<
  Omit<DossierV3Flat, ContratField | "nir_apprenant"> & { contrats: ContratV3[]; nir_fourni: boolean }
>;

export type ValidationError = { path: (string | number)[]; message: string };

/** The field names of each contract rank. */
const CONTRAT_RANG_FIELDS = RANGS.map((r) => ({
  debut: `contrat_date_debut${r}`,
  fin: `contrat_date_fin${r}`,
  rupture: `contrat_date_rupture${r}`,
  cause: `cause_rupture_contrat${r}`,
  siret: `siret_employeur${r}`,
}));
const CONTRAT_FIELDS: ReadonlySet<string> = new Set(CONTRAT_RANG_FIELDS.flatMap((f) => Object.values(f)));
/** The fields copied as they are into a DossierV3. */
const OUTPUT_FIELDS: readonly string[] = Object.keys(dossierV3Shape).filter((k) => k !== "nir_apprenant" && !CONTRAT_FIELDS.has(k));

/*
 * `toDossierV3` and `parseValidDossier` are generated once, at load, from the shape (`new Function`): their object
 * literals list every key, so V8 keeps them with fast properties, where an object filled key by key in a loop
 * turns into a dictionary (slower to build, and to read everywhere in the pipeline after). Generated from the
 * same field list as the zod schema, and checked against it (tests/unit/dossier-schema.test.ts).
 */
const js = (key: string) => JSON.stringify(key);

/**
 * Flat normalised fields → DossierV3: contracts gathered in rank order (only those with a start date), every
 * other field copied (null when absent), `nir_fourni` instead of the NIR.
 */
const toDossierV3 = new Function(
  "f",
  [
    "const contrats = [];",
    ...CONTRAT_RANG_FIELDS.map(
      (c) =>
        `if (f[${js(c.debut)}]) contrats.push({ date_debut: f[${js(c.debut)}], date_fin: f[${js(c.fin)}] ?? null, ` +
        `date_rupture: f[${js(c.rupture)}] ?? null, cause_rupture: f[${js(c.cause)}] ?? null, siret_employeur: f[${js(c.siret)}] ?? null });`,
    ),
    "return {",
    ...OUTPUT_FIELDS.map((k) => `  ${js(k)}: f[${js(k)}] ?? null,`),
    "  contrats,",
    `  nir_fourni: f["nir_apprenant"] === true,`,
    "};",
  ].join("\n"),
) as (flat: DossierV3Flat) => DossierV3;

/** The whole pipeline: raw item → DossierV3. */
export const dossierV3Schema = dossierV3InputSchema.transform(toDossierV3);

// ---------------------------------------------------------------------------------------------------------------
// validateDossier
// ---------------------------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function receivedAt(item: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  if (path.length === 0) return item;
  const key = path[0];
  return typeof key === "string" && Object.prototype.hasOwnProperty.call(item, key) ? item[key] : undefined;
}

/** The dossier's id when it is readable, for the per-item answer. */
function idErpOf(item: unknown): string | null {
  if (!isPlainObject(item)) return null;
  const value = blankToNull(item.id_erp_apprenant);
  if (typeof value !== "string" && typeof value !== "number") return null;
  // a NIR-shaped id is not repeated in the answer either: the per-item answers are kept 30 days with the transmission
  const out = identifiantErp.normalize(value);
  return out instanceof Invalid ? null : out;
}

/** Every field of the shape with its kind, in the shape's order (what zod would run, without zod). */
const COMPILED_FIELDS = Object.entries(dossierV3Shape).map(([key, schema]) => {
  const rule = FIELD_RULES.get(schema as z.ZodType);
  if (!rule) throw new Error(`champ ${key} sans règle`);
  return { key, accepts: rule.kind.accepts, normalize: rule.kind.normalize, required: rule.required };
});

function acceptedType(accepts: Accepts, value: unknown): value is Scalar {
  switch (typeof value) {
    case "string":
      return true;
    case "number":
      return accepts !== "string" && Number.isFinite(value);
    case "boolean":
      return accepts === "string|number|boolean";
    default:
      return false;
  }
}

/**
 * The fast path of `validateDossier`: the same field kinds, normalisations and cross-field rules as the zod schema,
 * generated as one straight function (see `toDossierV3`). Returns the normalised dossier when the item is valid,
 * and null as soon as anything is wrong (never a different answer: zod then runs and says everything that is
 * wrong). A nightly batch is almost all valid items, and zod costs about ten times more per item.
 */
export const parseValidDossier = new Function(
  "fields",
  "acceptedType",
  "blankToNull",
  "Invalid",
  "crossFieldIssues",
  "toDossierV3",
  [
    "return function parseValidDossier(item) {",
    "  let raw, value;",
    ...COMPILED_FIELDS.flatMap((field, i) => {
      const absent = field.required ? "return null;" : "";
      return [
        `  let v${i} = null;`,
        `  raw = item[${js(field.key)}];`,
        `  if (raw === undefined || raw === null) { ${absent} } else {`,
        `    if (!acceptedType(fields[${i}].accepts, raw)) return null;`,
        "    value = blankToNull(raw);",
        `    if (value === null) { ${absent} } else {`,
        `      v${i} = fields[${i}].normalize(value);`,
        `      if (v${i} instanceof Invalid) return null;`,
        "    }",
        "  }",
      ];
    }),
    `  const flat = { ${COMPILED_FIELDS.map((field, i) => `${js(field.key)}: v${i}`).join(", ")} };`,
    "  if (crossFieldIssues(flat).length > 0) return null;",
    "  return toDossierV3(flat);",
    "};",
  ].join("\n"),
)(COMPILED_FIELDS, acceptedType, blankToNull, Invalid, crossFieldIssues, toDossierV3) as (
  item: Record<string, unknown>,
) => DossierV3 | null;

export function validateDossier(
  item: unknown,
): { ok: true; dossier: DossierV3 } | { ok: false; id_erp_apprenant: string | null; errors: ValidationError[] } {
  try {
    if (!isPlainObject(item)) {
      return { ok: false, id_erp_apprenant: null, errors: [{ path: [], message: formatMessage([], MESSAGES.dossierObjet, item) }] };
    }
    const fast = parseValidDossier(item);
    if (fast) return { ok: true, dossier: fast };
    return validateWithSchema(item);
  } catch {
    // Defensive: nothing above is expected to throw, but an answer is always due.
    return { ok: false, id_erp_apprenant: idErpOf(item), errors: [{ path: [], message: formatMessage([], MESSAGES.erreurInterne, undefined) }] };
  }
}

/** The zod path: the reference answer, with every error of the item. */
export function validateWithSchema(
  item: Record<string, unknown>,
): { ok: true; dossier: DossierV3 } | { ok: false; id_erp_apprenant: string | null; errors: ValidationError[] } {
  const result = dossierV3Schema.safeParse(item);
  if (result.success) return { ok: true, dossier: result.data };
  const errors = result.error.issues.map((issue): ValidationError => {
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    return { path, message: formatMessage(path, issue.message, receivedAt(item, issue.path)) };
  });
  return { ok: false, id_erp_apprenant: idErpOf(item), errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Field list (CSV/XLSX mapping, upload template) and OpenAPI document, both generated from the schema
// ---------------------------------------------------------------------------------------------------------------

type JsonSchemaObject = { properties: Record<string, { title?: string; description?: string }>; required?: string[] };

/**
 * The JSON Schema of a field's raw value, from its kind's `json`: the JSON types accepted and, for each, the pattern
 * (strings, trimmed by the API: spaces around are allowed), enum or bounds (numbers). An optional field also takes
 * null and a blank string (read as absent); a required one takes neither.
 */
function acceptedJsonSchema(k: Kind<unknown>, isRequired: boolean): Record<string, unknown> {
  const { text, numbers = [], booleans = false } = k.json;
  const string =
    text === null
      ? isRequired
        ? { type: "string", pattern: "\\S" }
        : { type: "string" }
      : { type: "string", pattern: isRequired ? `^\\s*(?:${text})\\s*$` : `^\\s*(?:${text})?\\s*$` };
  const alternatives: Record<string, unknown>[] = [
    string,
    ...numbers.map((n) => (n.type || !n.enum ? n : { type: "number", ...n })),
    ...(booleans ? [{ type: "boolean" }] : []),
    ...(isRequired ? [] : [{ type: "null" }]),
  ];
  return alternatives.length === 1 ? alternatives[0] : { anyOf: alternatives };
}

/**
 * JSON Schema (draft 2020-12) of the raw item, generated from dossierV3InputSchema: zod gives the object, the
 * required fields, titles, descriptions and examples; each field's value schema is its kind's (`acceptedJsonSchema`),
 * so that a validator reading the OpenAPI refuses what the API refuses (but for the checks no pattern can do).
 */
export function dossierV3ItemJsonSchema(): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(dossierV3InputSchema, { io: "input" }) as Record<string, unknown>;
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  for (const [field, fieldSchema] of Object.entries(dossierV3Shape)) {
    const rule = FIELD_RULES.get(fieldSchema as z.ZodType)!;
    const { type: _type, anyOf: _anyOf, ...annotations } = properties[field];
    properties[field] = { ...annotations, ...acceptedJsonSchema(rule.kind, rule.required) };
  }
  return schema;
}

export type DossierV3FieldInfo = { field: DossierV3Field; label: string; required: boolean; description: string };

export const DOSSIER_V3_FIELDS: readonly DossierV3FieldInfo[] = (() => {
  const schema = dossierV3ItemJsonSchema() as unknown as JsonSchemaObject;
  const requiredFields = new Set(schema.required ?? []);
  return Object.keys(dossierV3Shape).map((field) => ({
    field: field as DossierV3Field,
    label: schema.properties[field]?.title ?? field,
    required: requiredFields.has(field),
    description: schema.properties[field]?.description ?? "",
  }));
})();

const validationErrorSchema = z
  .object({
    path: z.array(z.union([z.string(), z.number()])).meta({ description: "Chemin du champ en erreur (ex. [\"date_fin_formation\"])." }),
    message: z.string().meta({
      description: "Message en français : champ, format attendu et valeur reçue.",
      examples: ["date_de_naissance_apprenant : date attendue au format AAAA-MM-JJ (reçu « 31/02/2005 »)"],
    }),
  })
  .meta({ title: "Erreur de validation" });

/** Per-item answer of POST /api/v3/dossiers-apprenants (same order as the items sent). */
export const resultatDossierSchema = z
  .object({
    id_erp_apprenant: z.string().nullable().meta({ description: "Identifiant ERP du dossier, null s'il est illisible." }),
    status: z.enum(["ok", "error"]).meta({ description: "« ok » : dossier accepté ; « error » : dossier refusé." }),
    validation_errors: z.array(validationErrorSchema).meta({ description: "Tous les problèmes du dossier (vide si « ok »)." }),
  })
  .meta({ title: "Résultat d'un dossier" });

/** Body of the 200 answer (proposal for the route: totals + one result per item, in the order sent). */
export const reponseEnvoiSchema = z
  .object({
    status: z.literal("OK"),
    nb_dossiers: z.int().min(0).max(MAX_DOSSIERS_PAR_ENVOI).meta({ description: "Nombre de dossiers reçus." }),
    nb_ok: z.int().min(0).max(MAX_DOSSIERS_PAR_ENVOI).meta({ description: "Nombre de dossiers acceptés." }),
    nb_erreurs: z.int().min(0).max(MAX_DOSSIERS_PAR_ENVOI).meta({ description: "Nombre de dossiers refusés." }),
    nb_inchanges: z.int().min(0).max(MAX_DOSSIERS_PAR_ENVOI).meta({
      description:
        "Parmi les dossiers acceptés, ceux identiques au dernier envoi du même apprenant : rien n'a été modifié pour eux.",
    }),
    nb_nouveaux: z.int().min(0).max(MAX_DOSSIERS_PAR_ENVOI).meta({
      description:
        "Parmi les dossiers acceptés, les apprenants qui n'étaient pas encore enregistrés (nouvel identifiant pour cet établissement " +
        "formateur et cette année scolaire) ; les autres acceptés, ni nouveaux ni inchangés, ont été mis à jour.",
    }),
    data: z.array(resultatDossierSchema).meta({ description: "Un résultat par dossier, dans l'ordre d'envoi." }),
  })
  .meta({ title: "Réponse à un envoi" });

const erreurSchema = z
  .object({
    error: z.string().meta({ description: "Code de l'erreur.", examples: ["unauthorized"] }),
    message: z.string().meta({ description: "Explication en français.", examples: ["Clé d'API absente ou invalide."] }),
  })
  .meta({ title: "Erreur" });

const testReponseSchema = z
  .object({
    status: z.literal("OK"),
    message: z.string().meta({ examples: ["Clé d'API valide."] }),
    organisme: z
      .object({
        siret: z.string().nullable(),
        uai: z.string().nullable(),
        raison_sociale: z.string().nullable(),
      })
      .meta({ description: "Organisme auquel la clé est rattachée." }),
  })
  .meta({ title: "Réponse au test de la clé" });

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output" = "output"): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
  return json;
}

const EXEMPLE_DOSSIER = {
  nom_apprenant: "Lenôtre",
  prenom_apprenant: "Gaston",
  date_de_naissance_apprenant: "2006-03-28",
  annee_scolaire: "2024-2025",
  id_erp_apprenant: "APP-2024-00042",
  statut_apprenant: 3,
  date_metier_mise_a_jour_statut: "2024-09-02",
  tel_apprenant: null,
  formation_cfd: "50022141",
  date_inscription_formation: "2024-06-15",
  date_entree_formation: "2024-09-02",
  date_fin_formation: "2026-06-30",
  etablissement_responsable_uai: "0751234J",
  etablissement_responsable_siret: "13002456000018",
  etablissement_formateur_uai: "0931234L",
  etablissement_formateur_siret: "44123456789013",
  contrat_date_debut: "2024-09-02",
  contrat_date_fin: "2026-08-31",
  siret_employeur: "78298832500018",
};

const errorResponse = (description: string, example: { error: string; message: string }) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Erreur" }, example } },
});

/** Full OpenAPI 3.1 document of the v3 feed, the item schema generated from dossierV3InputSchema. */
export function dossiersOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Tableau de bord de l'apprentissage — API de transmission des effectifs (v3)",
      version: "3.0.0",
      description:
        "API par laquelle l'ERP d'un CFA transmet ses dossiers apprenants (effectifs), chaque nuit ou à chaque " +
        "modification. Chaque dossier est validé indépendamment : un dossier invalide n'empêche pas l'enregistrement " +
        "des autres, et la réponse liste pour chaque dossier tous ses problèmes, en français. " +
        "Une clé d'API par organisme, transmise dans l'en-tête `Authorization: Bearer <clé>`. " +
        `Au plus ${MAX_DOSSIERS_PAR_ENVOI} dossiers par envoi. Le NIR éventuellement transmis n'est jamais conservé.`,
    },
    servers: [{ url: "/", description: "Ce serveur" }],
    security: [{ bearerAuth: [] }],
    tags: [{ name: "Dossiers apprenants", description: "Transmission des effectifs par les ERPs" }],
    paths: {
      "/api/v3/dossiers-apprenants": {
        post: {
          tags: ["Dossiers apprenants"],
          operationId: "envoyerDossiersApprenants",
          summary: "Transmettre des dossiers apprenants",
          description:
            "Reçoit un tableau JSON de dossiers apprenants. Chaque dossier est identifié par (organisme formateur, " +
            "année scolaire, id_erp_apprenant) ; un nouvel envoi met à jour le dossier (une valeur vide n'efface pas " +
            "une valeur déjà connue ; la liste des contrats envoyée remplace la liste connue). Les champs inconnus sont ignorés.",
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "array",
                  minItems: 1,
                  maxItems: MAX_DOSSIERS_PAR_ENVOI,
                  items: { $ref: "#/components/schemas/DossierApprenantV3" },
                },
                example: [EXEMPLE_DOSSIER],
              },
            },
          },
          responses: {
            "200": {
              description:
                "Envoi traité : un résultat par dossier, dans l'ordre d'envoi (« ok » ou « error » avec toutes les erreurs).",
              content: {
                "application/json": {
                  schema: { $ref: "#/components/schemas/ReponseEnvoi" },
                  example: {
                    status: "OK",
                    nb_dossiers: 2,
                    nb_ok: 1,
                    nb_erreurs: 1,
                    nb_inchanges: 0,
                    nb_nouveaux: 1,
                    data: [
                      { id_erp_apprenant: "APP-2024-00042", status: "ok", validation_errors: [] },
                      {
                        id_erp_apprenant: "APP-2024-00043",
                        status: "error",
                        validation_errors: [
                          {
                            path: ["date_de_naissance_apprenant"],
                            message: "date_de_naissance_apprenant : date attendue au format AAAA-MM-JJ (reçu « 31/02/2005 »)",
                          },
                        ],
                      },
                    ],
                  },
                },
              },
            },
            "400": errorResponse(`Corps illisible : JSON invalide, autre chose qu'un tableau de dossiers, ou plus de ${MAX_DOSSIERS_PAR_ENVOI} dossiers.`, {
              error: "bad_request",
              message: "Le corps de la requête doit être un tableau JSON de dossiers apprenants.",
            }),
            "401": errorResponse("Clé d'API absente, invalide ou expirée.", {
              error: "unauthorized",
              message: "Clé d'API absente ou invalide.",
            }),
            "403": errorResponse("Clé valide mais l'organisme n'est pas autorisé à transmettre (clé révoquée, organisme désactivé).", {
              error: "forbidden",
              message: "Cet organisme n'est pas autorisé à transmettre des effectifs.",
            }),
            "413": errorResponse("Corps de requête trop lourd (plus de 10 Mo).", {
              error: "payload_too_large",
              message: "Le corps de la requête dépasse 10 Mo : envoyez les dossiers en plusieurs fois.",
            }),
            "429": {
              ...errorResponse("Trop d'envois en peu de temps : réessayer après le délai indiqué.", {
                error: "too_many_requests",
                message: "Trop de requêtes, réessayez plus tard.",
              }),
              headers: {
                "Retry-After": { description: "Délai en secondes avant de réessayer.", schema: { type: "integer" } },
              },
            },
          },
        },
      },
      "/api/v3/dossiers-apprenants/test": {
        get: {
          tags: ["Dossiers apprenants"],
          operationId: "testerCleApi",
          summary: "Tester la clé d'API",
          description: "Vérifie que la clé d'API est valide et indique l'organisme auquel elle est rattachée, sans rien enregistrer.",
          responses: {
            "200": {
              description: "Clé valide.",
              content: { "application/json": { schema: { $ref: "#/components/schemas/ReponseTest" } } },
            },
            "401": errorResponse("Clé d'API absente, invalide ou expirée.", {
              error: "unauthorized",
              message: "Clé d'API absente ou invalide.",
            }),
            "403": errorResponse("Clé révoquée ou organisme désactivé.", {
              error: "forbidden",
              message: "Cet organisme n'est pas autorisé à transmettre des effectifs.",
            }),
            "429": errorResponse("Trop de requêtes.", { error: "too_many_requests", message: "Trop de requêtes, réessayez plus tard." }),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "Clé d'API de l'organisme, transmise dans l'en-tête Authorization: Bearer <clé>.",
        },
      },
      schemas: {
        DossierApprenantV3: { ...dossierV3ItemJsonSchema(), examples: [EXEMPLE_DOSSIER] },
        ResultatDossier: jsonSchemaOf(resultatDossierSchema),
        ReponseEnvoi: jsonSchemaOf(reponseEnvoiSchema),
        ReponseTest: jsonSchemaOf(testReponseSchema),
        Erreur: jsonSchemaOf(erreurSchema),
      },
    },
  };
}
