/**
 * Upload mapping: which v3 field each column of a CSV/XLSX file holds, and a file row → v3 item. Pure, no I/O,
 * browser-safe (the field list comes from dossier-schema.server.ts through the caller).
 *
 * - Headers are matched on their technical name (`date_de_naissance_apprenant`), their French label ("Date de
 *   naissance") or the words people write ("Nom", "Prénom", "Code diplôme", "Date de début de contrat"…),
 *   insensitive to case, accents, punctuation and small words (de, du, la…), and to a trailing format hint in
 *   brackets ("Date de naissance (JJ/MM/AAAA)", "Sexe (H/F)"; not "Téléphone (responsable légal)", which says whose).
 *   Contract columns may carry a rank ("Date de début de contrat 2", "Date de début du 2e contrat"). « UAI CFA » / « SIRET CFA » are the formateur's,
 *   but the responsable's next to columns naming the formateur (« UAI site »…): see CFA_SEUL. The columns left out
 *   that hold UAIs or SIRETs are told (`colonnesCodesIgnorees`), for the page to say so.
 * - Cells are converted to what the v3 schema reads: dates `JJ/MM/AAAA`, `JJ-MM-AAAA`, `JJ/MM/AA`, `AAAAMMJJ` and
 *   Excel serial numbers (XLSX files only, from 1910 on: `2024` is a year, not 1905-07-16) → `AAAA-MM-JJ`;
 *   "Masculin"/"Homme"/"M." → M; "VRAI"/"FAUX" → true/false; a 9-digit phone number, or a 13-digit SIRET, that lost
 *   its leading 0 in a spreadsheet gets it back (the SIRET when it is then a valid one). Everything else is left to the schema, but for a date it would refuse (unreadable,
 *   non-existent, out of its years): that error is said here with the column's name and the cell as typed
 *   (`Date de naissance : « 31/02/2007 » n'existe pas : date attendue au format JJ/MM/AAAA (ex. 28/02/2007)`), and
 *   replaces the schema's on the same field (RowError).
 * - Without an id (no id column, or its cell empty on this row), the learner id is derived from the normalised nom +
 *   prénom + date de naissance (letters and digits of every script); a row whose nom or prénom has none, or that
 *   lacks one of the three, gets an error saying which instead of a shared id or a « champ obligatoire » on a column
 *   the file may not have.
 * - The organisme's UAI and SIRET stand for an établissement only as a pair, per row: when the row has neither its
 *   UAI nor its SIRET (no column, or both cells empty), as a file without these columns; never half a pair.
 * - The NIR never reaches here: the upload drops its column on reading and only says, per row, whether one was
 *   given (`RowOptions.nirFourni`). Its column is told by its name (`isNirHeader`) or by its values
 *   (`looksLikeNirColumn`). A NIR-shaped value in another column is replaced on reading by a mark
 *   (`CELLULE_NIR_MASQUEE`), shown as such and an error of its field here; so is a formula saved without its value
 *   (`CELLULE_FORMULE_SANS_VALEUR`).
 * - Two rows of one file with the same identity key (établissement formateur, année scolaire, learner id: the
 *   pipeline's key of an effectif) would be one effectif: the later ones are errors (`duplicateIdentityErrors`).
 */

import { ANNEE_MAX, ANNEE_MIN, daysInMonth } from "../statut/days";
import { excelSerialToIso } from "../shared/excel-dates";
import { isValidSiret, isValidUai } from "../referentiel/codes";
import { listeEnFrancais } from "../ui/format";

export interface MappableField {
  field: string;
  label: string;
  required: boolean;
}

const STOPWORDS = new Set(["de", "du", "des", "la", "le", "les", "l", "d", "en", "a", "au", "aux", "et", "n", "no", "un", "une"]);

/** Lower case, accents removed (NFD, then the combining marks dropped): how headers and cells are compared. */
function sansAccents(value: string): string {
  return value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/** Lowercase, no accents, punctuation → spaces, small words removed, "1er"/"2e"/"2eme"/"2nd" → the digit. */
export function normalizeHeader(value: string): string {
  return sansAccents(value)
    // « * » too: a required column so marked, as the page marks its required fields (« Prénom * »)
    .replace(/[_'’`\-./()[\]:;,#°"*]+/g, " ")
    .replace(/\b(\d)\s*(?:er|ere|e|eme|nd|nde)\b/g, "$1")
    .split(/\s+/)
    .filter((w) => w !== "" && !STOPWORDS.has(w))
    .join(" ");
}

/** Words people write for each field (the technical name and the schema's label are added automatically). */
const SYNONYMS: Record<string, string[]> = {
  nom_apprenant: ["nom", "nom de famille", "nom de naissance", "nom d'usage", "nom de l'apprenant", "nom élève", "nom stagiaire", "nom apprenti"],
  prenom_apprenant: ["prénom", "prénom 1", "prénom de l'apprenant", "premier prénom", "prénom élève", "prénom stagiaire", "prénom apprenti"],
  date_de_naissance_apprenant: ["date de naissance", "né le", "née le", "né(e) le", "naissance", "ddn", "date naissance", "date de naiss", "date naiss"],
  // « Année » alone: the année scolaire (AAAA-AAAA, part of the learner's key), not the année de formation (1, 2…),
  // which files name so (« Année de formation », « Année du cycle »): decision 040
  annee_scolaire: ["année scolaire", "annee scolaire", "année de formation scolaire", "campagne", "année"],
  id_erp_apprenant: [
    "identifiant",
    "id",
    "id apprenant",
    "identifiant apprenant",
    "identifiant de l'apprenant",
    "numéro apprenant",
    "n° apprenant",
    "numéro d'apprenant",
    "code apprenant",
    "matricule",
    "identifiant erp",
    "id erp",
  ],
  date_inscription_formation: ["date d'inscription", "inscrit le", "date inscription formation"],
  date_entree_formation: [
    "date d'entrée",
    "date d'entrée en formation",
    "entrée en formation",
    "date de début de formation",
    "début de formation",
    "date début formation",
  ],
  date_fin_formation: ["date de fin de formation", "fin de formation", "date de fin prévue", "date fin prévue formation"],
  etablissement_responsable_uai: ["uai responsable", "uai de l'établissement responsable", "uai cfa responsable", "uai organisme responsable"],
  etablissement_responsable_siret: ["siret responsable", "siret de l'établissement responsable", "siret cfa responsable", "siret organisme responsable"],
  etablissement_formateur_uai: [
    "uai",
    "code uai",
    "uai formateur",
    "uai de l'établissement formateur",
    "uai cfa",
    "uai du cfa",
    "uai organisme formateur",
    "uai cfa formateur",
    "uai site",
    "uai du site",
    "uai site de formation",
    "uai du site de formation",
    "uai site formateur",
    // a file of one établissement: the learners' (formateur)
    "uai établissement",
    "uai de l'établissement",
    "code uai établissement",
  ],
  etablissement_formateur_siret: [
    "siret",
    "siret formateur",
    "siret de l'établissement formateur",
    "siret cfa",
    "siret du cfa",
    "siret organisme formateur",
    "siret cfa formateur",
    "siret site",
    "siret du site",
    "siret site de formation",
    "siret du site de formation",
    "siret site formateur",
    "siret établissement",
    "siret de l'établissement",
  ],
  statut_apprenant: ["statut", "statut apprenant", "statut de l'apprenant", "code statut"],
  date_metier_mise_a_jour_statut: ["date de mise à jour du statut", "date statut", "date du statut"],
  tel_apprenant: [
    "téléphone",
    "tel",
    "tél",
    "portable",
    "téléphone portable",
    "tél portable",
    "tel portable",
    "téléphone mobile",
    "tél mobile",
    "mobile",
    "numéro de téléphone",
    "n° de téléphone",
    "numéro de portable",
    "n° portable",
    "téléphone apprenant",
    "téléphone de l'apprenant",
    "portable apprenant",
  ],
  formation_cfd: ["code diplôme", "cfd", "code formation diplôme", "code formation", "code éducation nationale", "code en", "code diplôme cfd"],
  ine_apprenant: ["ine", "numéro ine", "identifiant national élève", "identifiant national étudiant"],
  email_contact: [
    "email",
    "e-mail",
    "mail",
    "courriel",
    "adresse email",
    "adresse mail",
    "adresse e-mail",
    "adresse électronique",
    "email apprenant",
    "e-mail apprenant",
    "mail apprenant",
    "courriel apprenant",
    "email de l'apprenant",
  ],
  adresse_apprenant: ["adresse", "adresse postale", "adresse de l'apprenant"],
  code_postal_apprenant: ["code postal", "cp"],
  code_postal_de_naissance_apprenant: ["code postal de naissance", "cp naissance"],
  code_commune_insee_apprenant: ["code commune", "code insee", "code commune insee", "commune insee"],
  code_commune_insee_de_naissance_apprenant: ["code commune de naissance", "code insee de naissance", "commune de naissance insee"],
  sexe_apprenant: ["sexe", "genre", "civilité", "sexe apprenant"],
  rqth_apprenant: ["rqth", "handicap", "travailleur handicapé", "reconnaissance travailleur handicapé"],
  date_rqth_apprenant: ["date rqth", "date de reconnaissance rqth"],
  responsable_apprenant_mail1: ["email responsable légal", "email représentant légal", "mail responsable 1", "email parent 1", "email responsable 1"],
  responsable_apprenant_mail2: ["mail responsable 2", "email parent 2", "email responsable 2"],
  libelle_court_formation: ["formation", "libellé formation", "intitulé formation", "intitulé de la formation", "diplôme préparé", "intitulé"],
  annee_formation: ["année de formation", "année formation", "année d'études", "année du cycle"],
  formation_rncp: ["rncp", "code rncp", "fiche rncp", "numéro rncp"],
  obtention_diplome_formation: ["diplôme obtenu", "obtention du diplôme", "obtention diplôme"],
  date_obtention_diplome_formation: ["date d'obtention du diplôme", "date obtention diplôme"],
  // not "date de sortie": in many files it is the normal end of training too, and read as an exclusion it would
  // turn every learner of the file into an abandon; such a column is mapped by hand when it is one
  date_exclusion_formation: ["date d'exclusion", "date d'abandon", "date d'exclusion de formation"],
  cause_exclusion_formation: ["motif d'exclusion", "motif de sortie", "cause exclusion", "cause de sortie", "motif d'abandon"],
  formation_presentielle: ["présentiel", "formation présentielle"],
  duree_theorique_formation: ["durée théorique", "durée formation", "durée en années"],
  duree_theorique_formation_mois: ["durée en mois", "durée théorique en mois", "durée formation mois"],
  contrat_date_debut: [
    "date de début de contrat",
    "date de début du contrat",
    "date début contrat",
    "début contrat",
    "début du contrat",
    "date de début du contrat d'apprentissage",
    "date d'embauche",
  ],
  contrat_date_fin: ["date de fin de contrat", "date de fin du contrat", "date fin contrat", "fin contrat", "fin du contrat"],
  contrat_date_rupture: ["date de rupture", "date de rupture du contrat", "date de rupture de contrat", "date rupture contrat", "rupture", "rupture contrat"],
  cause_rupture_contrat: ["cause de rupture", "motif de rupture", "motif rupture", "motif de rupture du contrat", "cause rupture"],
  siret_employeur: ["siret employeur", "siret de l'employeur", "siret entreprise", "siret de l'entreprise", "employeur siret"],
  etablissement_lieu_de_formation_uai: ["uai lieu de formation", "uai lieu", "uai du lieu"],
  etablissement_lieu_de_formation_siret: ["siret lieu de formation", "siret lieu", "siret du lieu"],
  etablissement_lieu_de_formation_adresse: ["adresse lieu de formation", "adresse du lieu"],
  etablissement_lieu_de_formation_code_postal: ["code postal lieu de formation", "cp lieu de formation"],
  derniere_situation: ["dernière situation", "situation avant", "situation n-1"],
  dernier_organisme_uai: ["dernier organisme", "uai dernier organisme", "établissement précédent"],
  type_cfa: ["type cfa", "type de cfa"],
  nir_apprenant: [
    "nir",
    "nir apprenant",
    "numéro de sécurité sociale",
    "n° sécurité sociale",
    "sécurité sociale",
    "numéro sécu",
    "n° sécu",
    "num sécu",
    "numéro ss",
    "num ss",
    "n° ss",
    "numéro d'inscription au répertoire",
  ],
};

const CONTRAT_BASES = ["contrat_date_debut", "contrat_date_fin", "contrat_date_rupture", "cause_rupture_contrat", "siret_employeur"];
const RANG_SUFFIXES = ["_2", "_3", "_4"];

/** Ranked variants of a contract alias: "date début contrat" → "date début contrat 2", "date début 2 contrat"… */
function rankedVariants(alias: string, rang: number): string[] {
  const n = normalizeHeader(alias);
  const variants = [`${n} ${rang}`, `${n} contrat ${rang}`, `${n} ${rang} contrat`];
  if (n.includes("contrat")) {
    variants.push(n.replace("contrat", `contrat ${rang}`), n.replace("contrat", `${rang} contrat`));
  }
  if (n.includes("employeur")) variants.push(n.replace("employeur", `employeur ${rang}`));
  return variants;
}

/** Normalised alias → field, in priority order: technical names, labels, synonyms, ranked synonyms. */
export function buildAliasIndex(fields: readonly MappableField[]): Map<string, string> {
  const index = new Map<string, string>();
  const add = (alias: string, field: string) => {
    const key = normalizeHeader(alias);
    if (key && !index.has(key)) index.set(key, field);
    const compact = key.replace(/ /g, "");
    if (compact && !index.has(`~${compact}`)) index.set(`~${compact}`, field);
  };
  const known = new Set(fields.map((f) => f.field));
  for (const f of fields) add(f.field, f.field);
  for (const f of fields) add(f.label, f.field);
  for (const f of fields) for (const s of SYNONYMS[f.field] ?? []) add(s, f.field);
  for (const base of CONTRAT_BASES) {
    const aliases = [base, ...(SYNONYMS[base] ?? [])];
    for (const a of aliases) for (const v of rankedVariants(a, 1)) add(v, base);
    RANG_SUFFIXES.forEach((suffix, i) => {
      if (!known.has(base + suffix)) return;
      for (const a of aliases) for (const v of rankedVariants(a, i + 2)) add(v, base + suffix);
    });
  }
  return index;
}

/**
 * Words of a format hint (accents removed): what a template writes in brackets after a column's name to say how to
 * fill it ("(JJ/MM/AAAA)", "(H/F)", "(0/2/3)", "(oui/non)", "(14 chiffres)", "(obligatoire)"). A word that is not one
 * of these nor a number (« (responsable légal) », « (mère) », « (employeur) ») says something else: it is kept.
 */
const MOTS_D_INDICATION = new Set(
  "jj mm aa aaaa aaaammjj jjmmaaaa h f m o n x ex exemple format oui non vrai faux obligatoire facultatif optionnel chiffres chiffre caracteres lettres ou et sinon vide".split(" "),
);

/** The header without its trailing format hint in brackets, or null when it has none. */
function sansIndicationDeFormat(header: string): string | null {
  const m = /^(.*\S)\s*[([]([^()[\]]*)[)\]]\s*\*?\s*$/.exec(header);
  if (!m) return null;
  const mots = sansAccents(m[2]).split(/[^a-z0-9]+/).filter(Boolean);
  return mots.every((mot) => /\d/.test(mot) || MOTS_D_INDICATION.has(mot)) ? m[1] : null;
}

/** The field of one header, or null. A trailing format hint in brackets is ignored when the whole name is unknown. */
export function matchHeader(header: string, index: Map<string, string>): string | null {
  const key = normalizeHeader(header);
  if (!key) return null;
  const field = index.get(key) ?? index.get(`~${key.replace(/ /g, "")}`) ?? null;
  if (field) return field;
  const court = sansIndicationDeFormat(header);
  return court ? matchHeader(court, index) : null;
}

/**
 * « UAI CFA », « SIRET du CFA »: the CFA alone, without saying which établissement. In CFA files, next to a column
 * naming the formateur (« UAI site », « SIRET site de formation », « UAI formateur »), « CFA » is the responsable,
 * the CFA that signs the contracts; otherwise it is the formateur (the learners' CFA), as it always was — next to a
 * « lieu de formation » column too, which has fields of its own (the lieu is neither formateur nor responsable).
 */
const CFA_SEUL = /^(?:code |numero |n )?(uai|siret) cfa$|^cfa (uai|siret)$/;

/** « uai » or « siret » when the header is the CFA's alone (CFA_SEUL), else null. */
function codeDuCfaSeul(header: string): "uai" | "siret" | null {
  const m = CFA_SEUL.exec(normalizeHeader(header));
  return m ? ((m[1] ?? m[2]) as "uai" | "siret") : null;
}

const FORMATEUR_FIELDS = new Set(["etablissement_formateur_uai", "etablissement_formateur_siret"]);

/**
 * Field of each column (null: ignored). A field is given to its first matching column only. The CFA's columns alone
 * (« UAI CFA », « SIRET CFA ») are the responsable's when another column names the formateur (« UAI site »…), and no
 * column names the responsable already: see CFA_SEUL.
 */
export function autoMap(headers: readonly string[], fields: readonly MappableField[]): (string | null)[] {
  return sanitizeMapping(autoMatch(headers, fields), fields);
}

/**
 * The field each column's name gives (null: none), before a field is given to its first column only (`autoMap`):
 * two columns may name the same field (« Nom », « Nom d'usage »); see `champsEnDouble`.
 */
export function autoMatch(headers: readonly string[], fields: readonly MappableField[]): (string | null)[] {
  const index = buildAliasIndex(fields);
  const known = new Set(fields.map((f) => f.field));
  const matched = headers.map((h) => matchHeader(h, index));
  const cfaSeul = headers.map(codeDuCfaSeul);
  // a column that names the formateur in so many words: « UAI site », « SIRET site de formation », « UAI formateur »
  const formateurAilleurs = matched.some(
    (f, i) => f !== null && FORMATEUR_FIELDS.has(f) && cfaSeul[i] === null && /\b(?:site|formateur)\b/.test(normalizeHeader(headers[i])),
  );
  if (formateurAilleurs) {
    cfaSeul.forEach((code, i) => {
      const responsable = `etablissement_responsable_${code}`;
      if (code && known.has(responsable) && !matched.includes(responsable)) matched[i] = responsable;
    });
  }
  return matched;
}

/**
 * The columns left out of the mapping that hold an établissement's UAI or SIRET, by their name (the word UAI or
 * SIRET) or by their values (most of them valid UAIs, or 14-digit numbers): by column index, « UAI » or « SIRET ».
 * Their values would be silently dropped; the page says so, so that they are associated by hand when they should be.
 */
export function colonnesCodesIgnorees(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  mapping: readonly (string | null)[],
): Map<number, "UAI" | "SIRET"> {
  const ignorees = new Map<number, "UAI" | "SIRET">();
  headers.forEach((header, col) => {
    if (mapping[col]) return;
    const mots = plainHeader(header).split(" ");
    if (mots.includes("uai")) return void ignorees.set(col, "UAI");
    if (mots.includes("siret")) return void ignorees.set(col, "SIRET");
    const valeurs = rows.slice(0, 200).map((r) => (r[col] ?? "").trim()).filter((v) => v !== "");
    if (valeurs.length === 0) return;
    const part = (test: (v: string) => boolean) => valeurs.filter(test).length / valeurs.length;
    if (part(isValidUai) >= 0.5) ignorees.set(col, "UAI");
    else if (part(isValidSiret) >= 0.5) ignorees.set(col, "SIRET");
  });
  return ignorees;
}

/** A field wanted for several columns: the first keeps it (`gardee`), the others are ignored (`ecartees`). */
export interface ChampEnDouble {
  field: string;
  gardee: number;
  ecartees: number[];
}

/** The known fields wanted for several columns (a mapping sent by the page, or `autoMatch`), in column order. */
export function champsEnDouble(mapping: readonly (string | null | undefined)[], fields: readonly MappableField[]): ChampEnDouble[] {
  const known = new Set(fields.map((f) => f.field));
  const byField = new Map<string, number[]>();
  mapping.forEach((f, col) => {
    if (f && known.has(f)) byField.set(f, [...(byField.get(f) ?? []), col]);
  });
  return [...byField]
    .filter(([, cols]) => cols.length > 1)
    .map(([field, [gardee, ...ecartees]]) => ({ field, gardee, ecartees }))
    .sort((a, b) => a.gardee - b.gardee);
}

/**
 * Keeps known fields, each on its first column only: the page shows the mapping so applied, and says which columns
 * were left out for a field already taken (`champsEnDouble`).
 */
export function sanitizeMapping(mapping: readonly (string | null | undefined)[], fields: readonly MappableField[]): (string | null)[] {
  const known = new Set(fields.map((f) => f.field));
  const used = new Set<string>();
  return mapping.map((f) => {
    if (!f || !known.has(f) || used.has(f)) return null;
    used.add(f);
    return f;
  });
}

// ------------------------------------------------------------------------------------------------ cells

export function isDateField(field: string): boolean {
  return /(^|_)date(_|$)/.test(field);
}

const pad2 = (n: number | string) => String(n).padStart(2, "0");

/**
 * Smallest number read as an Excel date serial: 1910-01-01. Below, a number is rather a year (`2024`) or a
 * mistake, left to the schema to refuse.
 */
export const EXCEL_SERIAL_MIN = 3654;

export interface CellOptions {
  /**
   * Whether a number may be an Excel date serial (XLSX files; not CSV). Default true. The reader already gives the
   * cells formatted as dates as dd/MM/yyyy: this is for numbers typed in a cell without a date format.
   */
  excelSerials?: boolean;
}

/** A date as people and spreadsheets write it → "YYYY-MM-DD" when recognised, else the value unchanged. */
export function convertDateCell(value: string, today = new Date(), options: CellOptions = {}): string {
  const v = value.trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(v);
  if (m) return `${m[3]}-${pad2(m[2])}-${pad2(m[1])}`;
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2})$/.exec(v);
  if (m) {
    const yy = Number(m[3]);
    const pivot = (today.getUTCFullYear() % 100) + 10;
    return `${yy <= pivot ? 2000 + yy : 1900 + yy}-${pad2(m[2])}-${pad2(m[1])}`;
  }
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  if (options.excelSerials !== false && /^\d{1,7}(?:\.\d+)?$/.test(v) && Number(v) >= EXCEL_SERIAL_MIN) {
    return excelSerialToIso(Number(v)) ?? v;
  }
  return v;
}

/** How the page asks for dates: as people write them. */
export const FORMAT_DATE_FICHIER = "JJ/MM/AAAA";

const dateFr = (year: number, month: number, day: number) => `${pad2(day)}/${pad2(month)}/${year}`;

/** A real date close to a non-existent one: the month's last day (31/02 → 28/02), day and month swapped (05/13 → 13/05). */
function dateProche(year: number, month: number, day: number): string {
  if (month > 12 && day >= 1 && day <= 12 && month <= daysInMonth(year, day)) return dateFr(year, day, month);
  const m = Math.min(Math.max(month, 1), 12);
  return dateFr(year, m, Math.min(Math.max(day, 1), daysInMonth(year, m)));
}

/**
 * The error of a date cell in the file's terms (its column, the value as typed, the format people write), or null
 * when the converted value is a real date within the schema's years (or an ISO date followed by a time, left to the
 * schema). `converted` is what `convertDateCell` made of `raw`.
 */
export function dateCellError(column: string, raw: string, converted: string): string | null {
  const typed = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(converted);
  if (!m) return `${column} : « ${typed} » n'est pas une date lisible : date attendue au format ${FORMAT_DATE_FICHIER} (ex. 02/09/2024)`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return `${column} : « ${typed} » n'existe pas : date attendue au format ${FORMAT_DATE_FICHIER} (ex. ${dateProche(year, month, day)})`;
  }
  if (year < ANNEE_MIN || year > ANNEE_MAX) {
    return `${column} : l'année de « ${typed} » est invraisemblable : année attendue entre ${ANNEE_MIN} et ${ANNEE_MAX}, date au format ${FORMAT_DATE_FICHIER}`;
  }
  return null;
}

/**
 * A date cell as the upload's preview shows it: the day the import stores, JJ/MM/AAAA (`jour`), and the cell as
 * typed (`saisie`) when it does not read as that day at a glance — an Excel serial number typed in a cell without a
 * date format (39214 → 12/05/2007), AAAAMMJJ, a two-digit year (12/05/07 → 12/05/2007) —, null for a day written
 * JJ/MM/AAAA (one digit or other separators allowed) or AAAA-MM-JJ. Null when the cell stores no day: empty, or an
 * error of `dateCellError` (the preview shows it as typed, the error quoting it). `options`: as the import reads the
 * file (`excelSerials` for an XLSX).
 */
export function dateDeLApercu(raw: string, options: CellOptions = {}, today = new Date()): { jour: string; saisie: string | null } | null {
  const typed = raw.trim();
  if (typed === "") return null;
  const converted = convertDateCell(typed, today, options);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$/.exec(converted);
  if (!m || dateCellError("", typed, converted) !== null) return null;
  const lisible = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?:[ T]|$)/.test(typed) || /^\d{4}-\d{2}-\d{2}(?:[ T]|$)/.test(typed);
  return { jour: `${m[3]}/${m[2]}/${m[1]}`, saisie: lisible ? null : typed };
}

const SEXES: Record<string, string> = {
  masculin: "M",
  homme: "M",
  garcon: "M",
  "m.": "M",
  mr: "M",
  monsieur: "M",
  feminin: "F",
  femme: "F",
  fille: "F",
  mme: "F",
  madame: "F",
  mlle: "F",
  mademoiselle: "F",
};
const BOOLEANS: Record<string, string> = { vrai: "true", faux: "false", o: "oui", n: "non", y: "oui", yes: "oui", no: "non" };
const BOOLEAN_FIELDS = new Set(["rqth_apprenant", "obtention_diplome_formation", "formation_presentielle"]);

/** Whether a field holds a SIRET (an établissement's, a lieu's, an employer's of any contract). */
export function isSiretField(field: string): boolean {
  return /(^|_)siret(_|$)/.test(field);
}

/**
 * A SIRET that lost its leading zero in a spreadsheet (a number cell: 01234567800010 → 1234567800010): its 14
 * digits when the value is 13 digits (spaces, dots allowed) whose left-padded form is a valid SIRET, else null.
 * Such a value may also have the shape of a NIR (13 digits): in a SIRET column, it is the SIRET.
 */
export function siretSansZero(value: string): string | null {
  const digits = value.trim().replace(/\.0+$/, "").replace(/[\s.\-\u00a0\u202f]+/g, "");
  if (!/^\d{13}$/.test(digits)) return null;
  return isValidSiret(`0${digits}`) ? `0${digits}` : null;
}

/** One cell → the value handed to the v3 schema (null: empty). */
export function convertCell(field: string, raw: string, options: CellOptions = {}): string | null {
  const value = raw.trim();
  if (value === "") return null;
  if (isDateField(field)) return convertDateCell(value, new Date(), options);
  const plain = sansAccents(value);
  if (field === "sexe_apprenant") return SEXES[plain] ?? value;
  if (BOOLEAN_FIELDS.has(field)) return BOOLEANS[plain] ?? value;
  if (field === "tel_apprenant" && /^[1-9]\d{8}$/.test(value)) return `0${value}`;
  if (isSiretField(field)) {
    const siret = siretSansZero(value);
    if (siret) return siret;
  }
  // integers written "2.0" by some spreadsheets
  if (/^-?\d+\.0+$/.test(value)) return value.replace(/\.0+$/, "");
  return value;
}

// ------------------------------------------------------------------------------------------------ marked cells

/**
 * The mark that replaces, on reading, a cell whose value looks like a NIR outside the NIR's columns (an id column
 * with one NIR among its ids…): the value is neither kept, nor shown, nor sent to the page. A private-use
 * character, that no file carries in practice (and one that did would only hide its own cell).
 */
export const CELLULE_NIR_MASQUEE = "\ue000nir";
/** The mark of a formula cell saved without its calculated value (files written by a program, never recalculated). */
export const CELLULE_FORMULE_SANS_VALEUR = "\ue000formule";

/** What the page shows for a marked cell, or null for any other value. */
export function celluleMarquee(raw: string): string | null {
  if (raw === CELLULE_NIR_MASQUEE) return "valeur en forme de NIR, masquée";
  if (raw === CELLULE_FORMULE_SANS_VALEUR) return "formule sans valeur calculée";
  return null;
}

/** The error of a marked cell mapped to `field`, in the file's terms (`column`: the column's name). */
function erreurCelluleMarquee(raw: string, field: string, column: string): string | null {
  if (raw === CELLULE_NIR_MASQUEE) {
    const attendu =
      field === "id_erp_apprenant"
        ? "l'identifiant de l'apprenant dans votre logiciel, pas son NIR"
        : isSiretField(field)
        ? "un SIRET (14 chiffres)"
        : "la valeur attendue";
    return (
      `${column} : valeur en forme de NIR (numéro de sécurité sociale), masquée et non conservée : mettez dans cette cellule ${attendu}. ` +
      "Le NIR n'est conservé dans aucun champ ; une colonne « NIR » est seulement lue pour noter qu'il est fourni"
    );
  }
  if (raw === CELLULE_FORMULE_SANS_VALEUR) {
    return (
      `${column} : formule sans valeur calculée : enregistrez le fichier dans Excel (ou LibreOffice) avant de le déposer, ` +
      "pour que le résultat de la formule y soit écrit"
    );
  }
  return null;
}

/** Letters the accent removal (NFD) leaves whole, spelt as French keyboards would. */
const LETTERS_SPELT: Record<string, string> = { œ: "oe", æ: "ae", ß: "ss", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i", ħ: "h", ŧ: "t" };

/**
 * A nom or prénom as it enters a derived id: without accents, lower case, œ æ ß ø… spelt out, only the letters and
 * digits of every script (`Lenôtre` → `lenotre`, `Jean-Gaston` → `jeangaston`, `李` → `李`, `Øyvind` → `oyvind`).
 * Plain Latin names give what they always gave (ids already stored do not change).
 */
export function idNamePart(value: string): string {
  return sansAccents(value)
    .replace(/[œæßøłđðþıħŧ]/g, (c) => LETTERS_SPELT[c])
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/**
 * Normalised nom + prénom + date de naissance, the learner id of a file without an id column; null when the nom or
 * the prénom has no letter nor digit (such rows would all share one id).
 */
export function deriveIdErp(nom: string, prenom: string, dateDeNaissance: string): string | null {
  const n = idNamePart(nom);
  const p = idNamePart(prenom);
  return n && p ? `${n}-${p}-${dateDeNaissance}` : null;
}

export interface RowDefaults {
  /** The année scolaire: used when its column is not mapped. The établissements: for a row without their UAI nor SIRET. */
  annee_scolaire?: string | null;
  etablissement_formateur_uai?: string | null;
  etablissement_formateur_siret?: string | null;
  etablissement_responsable_uai?: string | null;
  etablissement_responsable_siret?: string | null;
}

export const ETABLISSEMENT_ROLES = ["formateur", "responsable"] as const;
export type EtablissementRole = (typeof ETABLISSEMENT_ROLES)[number];

/**
 * Whether the default UAI and SIRET of this établissement are used for every row: only as a pair, when neither column
 * is mapped and both values are known (a row with both cells empty gets them too: see `convertRow`). A UAI column without a SIRET column (or the reverse) gets no default: the missing
 * field is an error, as the page says, rather than a pair made of the file's UAI and the organisme's SIRET.
 */
export function etablissementDefaulted(role: EtablissementRole, mapping: readonly (string | null)[], defaults: RowDefaults): boolean {
  const uai = `etablissement_${role}_uai` as const;
  const siret = `etablissement_${role}_siret` as const;
  return !mapping.includes(uai) && !mapping.includes(siret) && !!defaults[uai] && !!defaults[siret];
}

/** The value handed to the schema for a row whose (dropped) NIR column had a value: only "a NIR was given". */
export const NIR_FOURNI = "fourni";

export interface RowOptions extends CellOptions {
  /** The row's NIR column had a value (the NIR itself is never kept): the dossier gets `nir_fourni`. */
  nirFourni?: boolean;
  /** The file's column names, for the messages. */
  headers?: readonly string[];
}

/** An error found while converting a row (the schema checks the rest); `fields` locate it on the page. */
export interface RowError {
  path: string[];
  fields: string[];
  message: string;
}

/**
 * A file row → a raw v3 item (unmapped fields absent), with the defaults of unmapped columns (the établissements' of
 * a row without their UAI nor SIRET), its id derived when it has none, and its errors.
 */
export function convertRow(
  row: readonly string[],
  mapping: readonly (string | null)[],
  defaults: RowDefaults = {},
  options: RowOptions = {},
): { item: Record<string, unknown>; errors: RowError[] } {
  const item: Record<string, unknown> = {};
  const errors: RowError[] = [];
  const columnName = (col: number) => options.headers?.[col]?.trim() || `Colonne ${col + 1}`;
  mapping.forEach((field, col) => {
    if (!field) return;
    // a masked NIR, a formula without value: no value for the schema, the error says why
    const marquee = erreurCelluleMarquee(row[col] ?? "", field, columnName(col));
    if (marquee) return void errors.push({ path: [field], fields: [field], message: marquee });
    const value = convertCell(field, row[col] ?? "", options);
    if (value === null) return;
    item[field] = value;
    // a date the schema would refuse: said with the cell as typed, in the format people write
    const dateError = isDateField(field) ? dateCellError(columnName(col), row[col], value) : null;
    if (dateError) errors.push({ path: [field], fields: [field], message: dateError });
  });
  const mapped = new Set(mapping.filter((f): f is string => !!f));
  if (defaults.annee_scolaire && !mapped.has("annee_scolaire")) item.annee_scolaire = defaults.annee_scolaire;
  const enErreur = (field: string) => errors.some((e) => e.path[0] === field);
  for (const role of ETABLISSEMENT_ROLES) {
    // per row: neither the UAI nor the SIRET of this établissement (no column, or both cells empty) → the organisme's
    const uai = `etablissement_${role}_uai` as const;
    const siret = `etablissement_${role}_siret` as const;
    if (item[uai] !== undefined || item[siret] !== undefined || enErreur(uai) || enErreur(siret)) continue;
    if (!defaults[uai] || !defaults[siret]) continue;
    item[uai] = defaults[uai];
    item[siret] = defaults[siret];
  }
  if (options.nirFourni) item.nir_apprenant = NIR_FOURNI;
  // no id (no column, or its cell empty): derived from nom + prénom + date de naissance, or an error saying what is missing
  if (item.id_erp_apprenant === undefined && !enErreur("id_erp_apprenant")) {
    const derived = deriveIdOfItem(item, mapping, options.headers);
    if (typeof derived === "string") item.id_erp_apprenant = derived;
    else errors.push(derived);
  }
  return { item, errors };
}

/**
 * The id of a row without one (no id column, or an empty cell of it): `deriveIdErp` of its nom, prénom and date de
 * naissance, or the error saying which of them is missing or unusable (naming their columns), on the id.
 */
function deriveIdOfItem(item: Record<string, unknown>, mapping: readonly (string | null)[], headers: readonly string[] = []): string | RowError {
  const nom = item.nom_apprenant;
  const prenom = item.prenom_apprenant;
  const ddn = item.date_de_naissance_apprenant;
  // a non-existent day (31/02) still forms an id, as it always did: the row is refused for its date anyway
  const dateOk = typeof ddn === "string" && /^\d{4}-\d{2}-\d{2}/.test(ddn);
  if (typeof nom === "string" && typeof prenom === "string" && dateOk) {
    const id = deriveIdErp(nom, prenom, ddn.slice(0, 10));
    if (id) return id;
  }
  const column = (field: string) => {
    const col = mapping.indexOf(field);
    if (col < 0) return null;
    const header = headers[col]?.trim();
    return header ? `colonne « ${header} »` : `champ ${field}`;
  };
  const sansLettre: string[] = [];
  const manquants: string[] = [];
  const fields: string[] = [];
  for (const [field, nomDuChamp] of [
    ["nom_apprenant", "le nom"],
    ["prenom_apprenant", "le prénom"],
  ] as const) {
    const value = item[field];
    const where = column(field);
    const dit = where ? `${nomDuChamp} (${where})` : nomDuChamp;
    if (typeof value !== "string") {
      manquants.push(where ? `${dit} est vide` : `${nomDuChamp} manque (aucune colonne ne le donne)`);
      fields.push(field);
    } else if (idNamePart(value) === "") {
      sansLettre.push(dit);
      fields.push(field);
    }
  }
  if (!dateOk) {
    const where = column("date_de_naissance_apprenant");
    // the date's cell has its own error (empty: required; unreadable: as typed): only named here, the id's error said
    // apart from that cell (no field)
    manquants.push(
      ddn === undefined
        ? where
          ? `la date de naissance (${where}) est vide`
          : "la date de naissance manque (aucune colonne ne la donne)"
        : `la date de naissance${where ? ` (${where})` : ""} n'est pas une date valide`,
    );
  }
  const parts = [...manquants];
  if (sansLettre.length) parts.unshift(`${sansLettre.join(" et ")} ne ${sansLettre.length > 1 ? "contiennent" : "contient"} ni lettre ni chiffre`);
  const idColumn = mapping.indexOf("id_erp_apprenant");
  const idHeader = idColumn < 0 ? null : headers[idColumn]?.trim() || `Colonne ${idColumn + 1}`;
  const pourquoi =
    idColumn < 0
      ? "sans colonne d'identifiant, l'identifiant est formé du nom, du prénom et de la date de naissance"
      : `la cellule « ${idHeader} » est vide : l'identifiant est alors formé du nom, du prénom et de la date de naissance`;
  const quoiFaire = idColumn < 0 ? "corrigez la ligne ou ajoutez une colonne d'identifiant" : "complétez la ligne ou saisissez l'identifiant de l'apprenant";
  return {
    path: ["id_erp_apprenant"],
    fields,
    message: `id_erp_apprenant : identifiant impossible à former, ${listeEnFrancais(parts)} (${pourquoi}) : ${quoiFaire}`,
  };
}

/** A file row → a raw v3 item (see `convertRow`; without an id, the schema refuses it). */
export function rowToItem(
  row: readonly string[],
  mapping: readonly (string | null)[],
  defaults: RowDefaults = {},
  options: RowOptions = {},
): Record<string, unknown> {
  return convertRow(row, mapping, defaults, options).item;
}

// ------------------------------------------------------------------------------------------------ the NIR

/** Accents removed, lower case, punctuation → spaces (`N° INSEE` → `n insee`, `nir_apprenant` → `nir apprenant`). */
function plainHeader(header: string): string {
  return sansAccents(header)
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/**
 * Whether a column's name says it holds the NIR (numéro d'inscription au répertoire, "numéro de sécurité sociale"),
 * tolerantly: the word "nir" anywhere ("NIR (13 chiffres + clé)", "Numéro de sécurité sociale (NIR)"), "sécurité
 * sociale", "sécu", "n° SS", "NSS", "n°/numéro INSEE" (the NIR's common name). Not "code INSEE" nor "code commune
 * INSEE": a commune's code, a field of its own.
 */
export function isNirHeader(header: string): boolean {
  const h = plainHeader(header);
  if (!h) return false;
  if (/\bnir\b/.test(h) || /\bsecu(?:rite)?\s+soc(?:iale?)?\b/.test(h) || /\bsecu\b/.test(h) || /\bnss\b/.test(h)) return true;
  if (/\b(?:n|no|num|numero|nr)\s*ss\b/.test(h)) return true;
  if (/\b(?:code|commune|cog)\b/.test(h)) return false;
  return /\b(?:n|no|num|numero|nr|matricule)\s*insee\b/.test(h) || /^insee\s*(?:n|no|num|numero)$/.test(h);
}

/**
 * Whether a cell holds a NIR: 13 characters, optionally followed by the 2-digit key, spaces (or dots, dashes)
 * allowed between groups — sexe 1/2 (7/8: provisional numbers), year, month (01–12, or 20 and above for the
 * numbers of people whose month is unknown), département (01–99, 2A/2B), commune (not 000), order number (not
 * 000). A SIRET (14 digits), a phone number (10 digits, or +33…), a postal code, a date, an INE (letter last) are
 * not. The key is not checked: a mistyped one is still a NIR, not to be kept.
 */
export function looksLikeNir(value: string): boolean {
  // most cells (names, dates, codes) are shorter than a NIR's 13 characters: told at once, every cell of a file is asked
  if (value.length < 13) return false;
  // an integer written "78298832500018.0" by a program's export is that integer (a SIRET here), its ".0" no digit
  const v = value
    .trim()
    .replace(/^(\d+)\.0+$/, "$1")
    .replace(/[\s.\-\u00a0\u202f]+/g, "")
    .toUpperCase();
  const m = /^([1278])(\d{2})(\d{2})(\d{2}|2[AB])(\d{3})(\d{3})(\d{2})?$/.exec(v);
  if (!m) return false;
  const month = Number(m[3]);
  if (month === 0 || (month > 12 && month < 20)) return false;
  return m[4] !== "00" && m[5] !== "000" && m[6] !== "000";
}

/**
 * Whether a text holds a NIR, alone or among other words ("Jean 1 06 03 75 112 042 15"): see `masquerNir`. For texts
 * kept whatever their validity, such as the name shown with a refused dossier.
 */
export function contientNir(value: string): boolean {
  if (value.length < 13) return false;
  return looksLikeNir(value) || masquerNir(value) !== value;
}

/** What replaces a NIR found inside a text (`masquerNir`). */
export const NIR_MASQUE = "[NIR masqué]";

/** A run of digits with the separators people type (and 2A/2B): where a NIR may be written. */
const SUITE_DE_CHIFFRES = /[0-9](?:[\s.\-\u00a0\u202f]?[0-9AB])+/gi;
const SEPARATEUR = /[\s.\-\u00a0\u202f]/;

/**
 * A run of digits with the NIRs in it masked: the whole run, or a NIR followed or preceded by other groups of digits
 * ("2 97 05 75 123 456 21 3 rue…": the NIR, then a street number), its groups being those the separators give.
 */
function masquerDansLaSuite(run: string): string {
  if (looksLikeNir(run)) return NIR_MASQUE;
  const groupes = run.split(SEPARATEUR);
  if (groupes.length < 2) return run;
  for (let debut = 0; debut < groupes.length; debut++) {
    // the NIR with its key (15 digits) rather than without (13): the key is not left behind
    let nir: number | null = null;
    let chiffres = 0;
    for (let fin = debut; fin < groupes.length && chiffres < 15; fin++) {
      chiffres += groupes[fin].length;
      // a key is written whole: 15 digits whose last group is one digit (« 78298832500018.0 ») are no NIR with its key
      const cle = chiffres === 15 && groupes[fin].length >= 2;
      if ((chiffres === 13 || cle) && looksLikeNir(groupes.slice(debut, fin + 1).join(""))) nir = fin;
    }
    if (nir !== null) {
      // the groups around the NIR kept, separated by a space
      const avant = groupes.slice(0, debut).join(" ");
      const apres = masquerDansLaSuite(groupes.slice(nir + 1).join(" "));
      return [avant, NIR_MASQUE, apres].filter((g) => g !== "").join(" ");
    }
  }
  return run;
}

/**
 * The text with every NIR in it replaced by NIR_MASQUE, alone or among other words and numbers: for free texts (an
 * address, a cause, a remark), kept for what else they say while the NIR is never stored. Not for identifiers, where
 * a 13-digit run may be a timestamp: changing it would change the learner.
 */
export function masquerNir(value: string): string {
  if (value.length < 13) return value;
  return value.replace(SUITE_DE_CHIFFRES, (run) => (run.length >= 13 ? masquerDansLaSuite(run) : run));
}

/**
 * Whether a column holds NIRs, whatever its name: at least half of its non-empty values look like one (a column of
 * NIRs rarely has a stray other value; a column of other things almost never has NIR-like values). A column of
 * learner ids that are the NIR is one too: the NIR is never stored, under any name.
 *
 * `siretsPossibles`: the column's name gives it a field of its own (a SIRET, a UAI…, not the learner's id): there, a
 * 13-digit value that is a valid SIRET once its leading zero is given back (`siretSansZero`) is such a SIRET, not a
 * NIR. A NIR passes that test once in ten: a column of real NIRs still counts as one.
 */
export function looksLikeNirColumn(values: readonly string[], options: { siretsPossibles?: boolean } = {}): boolean {
  let filled = 0;
  let nirs = 0;
  for (const value of values) {
    if (value.trim() === "") continue;
    filled++;
    if (looksLikeNir(value) && !(options.siretsPossibles && siretSansZero(value))) nirs++;
  }
  return nirs > 0 && nirs * 2 >= filled;
}

// ------------------------------------------------------------------------------------------------ duplicates

/** The identity key of a converted item (the pipeline's: formateur, année scolaire, id), or null if incomplete. */
function identityOf(item: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v).trim() : "");
  const uai = text(item.etablissement_formateur_uai).toUpperCase();
  const siret = text(item.etablissement_formateur_siret).replace(/[\s.\-]/g, "");
  const annee = text(item.annee_scolaire).replace(/\s+/g, "").replace("/", "-");
  const id = text(item.id_erp_apprenant);
  return uai && siret && annee && id ? [uai, siret, annee, id].join("\u0000") : null;
}

/**
 * The rows of a file that repeat the identity key of an earlier row (same établissement formateur, année scolaire
 * and learner id — given, or derived from nom + prénom + date de naissance without an id column): by row index,
 * the error to show, naming the earlier row (`lignes`: the file's line numbers, by index).
 *
 * The pipeline keeps one effectif per key (the last item wins): importing both rows would store one and say two
 * were accepted, losing the other's formation. Only the later rows are errors, not the first: the first is a
 * correct row on its own, the CFA expects it imported ("the rows in error are not imported, the others are", as
 * the page says), and when the rows are a mere repetition, rejecting both would lose the learner altogether. The
 * message on the later row names the first and says how to keep both (an id column telling them apart) or merge.
 */
export function duplicateIdentityErrors(
  items: readonly Record<string, unknown>[],
  lignes: readonly number[],
  rows: readonly (readonly string[])[],
  mapping: readonly (string | null)[],
  headers: readonly string[] = [],
): Map<number, RowError> {
  const mapped = new Set(mapping.filter((f): f is string => !!f));
  const idColumn = mapping.indexOf("id_erp_apprenant");
  const idHeader = headers[idColumn]?.trim();
  const first = new Map<string, number>();
  const errors = new Map<number, RowError>();
  /** The row's id was derived (no id column, or its cell empty). */
  const derive = (index: number) => idColumn < 0 || (rows[index]?.[idColumn] ?? "").trim() === "";
  const cellsOf = (index: number) => mapping.map((f, col) => (f ? (rows[index]?.[col] ?? "").trim() : "")).join("\u0000");
  items.forEach((item, index) => {
    const key = identityOf(item);
    if (key === null) return;
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, index);
      return;
    }
    const ligne = lignes[earlier];
    const annee = mapped.has("annee_scolaire") ? " et la même année scolaire" : "";
    const formateur = mapped.has("etablissement_formateur_uai") || mapped.has("etablissement_formateur_siret") ? ", le même établissement formateur" : "";
    let message: string;
    if (cellsOf(index) === cellsOf(earlier)) {
      message = `id_erp_apprenant : ligne identique à la ligne ${ligne} : elle n'est pas importée, supprimez-la du fichier`;
    } else if (derive(index) && derive(earlier)) {
      message =
        `id_erp_apprenant : même apprenant que la ligne ${ligne} (même nom, même prénom, même date de naissance${formateur}${annee}) : ` +
        `${idColumn < 0 ? "sans colonne d'identifiant" : "sans identifiant saisi"}, les deux lignes forment le même identifiant et un seul dossier serait enregistré, ` +
        `cette ligne n'est donc pas importée. Si l'apprenant suit deux formations, ajoutez une colonne « Identifiant de l'apprenant » ` +
        `qui donne à chacune de ses lignes un identifiant différent ; sinon, regroupez les deux lignes en une seule`;
    } else {
      message =
        `id_erp_apprenant : même identifiant « ${String(item.id_erp_apprenant).trim()} » que la ligne ${ligne}${formateur}${annee} : ` +
        "un seul dossier par identifiant et par année scolaire, cette ligne n'est donc pas importée. Si l'apprenant suit deux formations, " +
        `donnez à chacune de ses lignes un identifiant différent${idHeader ? ` (colonne « ${idHeader} »)` : ""} ; sinon, regroupez les deux lignes en une seule`;
    }
    errors.set(index, { path: ["id_erp_apprenant"], fields: idColumn < 0 ? ["nom_apprenant"] : ["id_erp_apprenant"], message });
  });
  return errors;
}

// ------------------------------------------------------------------------------------------------ SIRET by UAI

/** An organisme of the référentiel having a given UAI. */
export interface OrganismeDeLUai {
  uai: string;
  siret: string;
  raison_sociale: string;
}

/** The UAIs of items given without their établissement's SIRET (a UAI column alone): to look up in the référentiel. */
export function uaisSansSiret(items: readonly Record<string, unknown>[]): string[] {
  const uais = new Set<string>();
  for (const item of items) {
    for (const role of ETABLISSEMENT_ROLES) {
      const uai = item[`etablissement_${role}_uai`];
      if (typeof uai === "string" && item[`etablissement_${role}_siret`] === undefined) uais.add(uai.trim().toUpperCase());
    }
  }
  return [...uais];
}

/**
 * The SIRET of an établissement given by its UAI alone (no SIRET column, or its cell empty): the SIRET of the only
 * organisme of the référentiel having that UAI, set on the item; else an error naming the organismes found (none, or
 * several: the SIRET must then be given). `parUai`: the organismes of the référentiel by UAI (upper case).
 */
export function completeSiretParUai(
  item: Record<string, unknown>,
  parUai: ReadonlyMap<string, readonly OrganismeDeLUai[]>,
  headers: readonly string[] = [],
  mapping: readonly (string | null)[] = [],
): RowError[] {
  const errors: RowError[] = [];
  for (const role of ETABLISSEMENT_ROLES) {
    const uaiField = `etablissement_${role}_uai`;
    const siretField = `etablissement_${role}_siret`;
    const uai = item[uaiField];
    if (typeof uai !== "string" || item[siretField] !== undefined) continue;
    const found = parUai.get(uai.trim().toUpperCase()) ?? [];
    if (found.length === 1) {
      item[siretField] = found[0].siret;
      continue;
    }
    const siretColumn = mapping.indexOf(siretField);
    const siretName = siretColumn >= 0 ? `la colonne « ${headers[siretColumn]?.trim() || `Colonne ${siretColumn + 1}`} »` : `une colonne « SIRET du ${role} »`;
    const message =
      found.length === 0
        ? `${uaiField} : SIRET du ${role} absent, et aucun organisme du référentiel des organismes n'a l'UAI « ${uai} » : ` +
          `vérifiez l'UAI, ou donnez le SIRET dans ${siretName}`
        : `${uaiField} : SIRET du ${role} absent, et l'UAI « ${uai} » est celui de ${found.length} organismes du référentiel ` +
          `(${found.map((o) => `${o.raison_sociale} : SIRET ${o.siret}`).join(" ; ")}) : donnez le SIRET dans ${siretName}`;
    errors.push({ path: [siretField], fields: [uaiField, siretField], message });
  }
  return errors;
}
