/**
 * Import of organismes into the référentiel, from
 * - the documented CSV (docs/formats/organismes.csv: any of `;` `,` `|` tab, UTF-8 or Latin-1) or JSON
 *   (docs/formats/organismes.json: an array of objects with the same keys, or `{ "organismes": [...] }`);
 * - the public "liste publique des organismes de formation" (LPOF, data.gouv.fr) CSV: only organismes certified
 *   for apprenticeship actions (certifications.actionsDeFormationParApprentissage = true) are created; the others
 *   are skipped, except those already in the référentiel, whose Qualiopi flag is turned off.
 *
 * Keys and merge rules (docs/formats/README.md):
 * - An organisme is a (SIRET, UAI) pair. A line with a UAI updates the organisme (SIRET, UAI), else adopts the
 *   organisme of that SIRET that has no UAI yet, else creates one. A line without a UAI updates every organisme of
 *   its SIRET, or creates (SIRET, sans UAI) when there is none.
 * - The file is read line after line, against the référentiel as the lines before have left it: an organisme
 *   created by a line without UAI is completed by a later line with a UAI of that SIRET (one organisme, not two).
 *   A line without UAI applies to every organisme its SIRET has once the whole file is read (those the file
 *   creates too). The lines that designate the same organisme apply in file order: for each value, the last line
 *   that gives it wins, and the summary says so (a warning naming both lines and the values in disagreement).
 *   The result only depends on the file and the référentiel: importing the same file again changes nothing.
 * - An empty cell (or an absent column) never erases a stored value.
 * - The territory (département, région, académie, bassin d'emploi) is derived from the code commune INSEE through
 *   the communes table; without one, it is guessed from the code postal (+ commune name). A guess never replaces a
 *   more precise commune already known that the postal code does not contradict (an arrondissement of Paris, Lyon
 *   or Marseille when the guess is the whole city; a commune of the département when only that is guessed).
 * - SIRET (14 digits, Luhn / La Poste rule) is checked: a wrong one rejects the line. A UAI must be 7 digits + a
 *   letter; a wrong check letter is accepted with a warning and listed among the anomalies.
 * - `siret_responsable` (+ optional `uai_responsable`) adds the relation formateur → responsable; none when that
 *   SIRET carries several organismes and no `uai_responsable` says which, nor to the organisme itself (warned).
 * - Warned too: a postal code of another département than the commune's, an unknown commune code (not stored,
 *   decision 036), a new organisme given a UAI another SIRET carries, a line without UAI that updates several.
 */
import { sql } from "drizzle-orm";
import { chunkAfterId, readByChunks, type Database } from "../../db/client.server";
import { NATURES, organismes, type Nature } from "../../db/schema";
import { MAX_CELL_CHARS, decodeText, normalizeHeader } from "../shared/csv";
import { formatNombre } from "../ui/format";
import { CODE_COMMUNE_PATTERN, cleSiretFausse, codePostalContredit, departementsDuCodePostal, isValidSiret, isValidUai, normalizeSiret, normalizeUai, SIRET_PATTERN, UAI_PATTERN } from "./codes";
import { loadCommuneIndex, type CommuneIndex, type Territoire } from "./communes.server";
import {
  IMPORTE_SIGNALE,
  ImportFileError,
  emptySummary,
  exigerDesDonnees,
  mapColumns,
  normalizeText,
  parseBoolean,
  progressReporter,
  readTable,
  MAX_IMPORT_LINES,
  tropDeLignes,
  rejeter,
  signaler,
  type ImportOptions,
  type ImportSummary,
  type LineIssue,
  type Table,
  warningsOfRejectedLines,
} from "./import-common.server";
import { refreshStatutStorageWhere } from "../statut/storage.server";
import { signalerModification } from "../indicateurs/modifications.server";
import { describeJsonError } from "../shared/json";
import { ImportStaging, columnList, compterLignes, pauses, readRelations, setNamedColumns, statistiquesApresImport } from "./import-tranches.server";

export type OrganismeFileFormat = "csv" | "json" | "lpof";

export const ORGANISME_COLUMNS = {
  siret: ["numero_siret", "siret_etablissement"],
  uai: ["code_uai", "numero_uai"],
  nature: ["nature_organisme"],
  raison_sociale: ["denomination", "nom", "raison_sociale_organisme"],
  enseigne: ["nom_commercial"],
  adresse: ["adresse_postale", "voie", "adresse_voie"],
  code_postal: ["cp"],
  commune: ["ville", "libelle_commune", "nom_commune"],
  code_commune_insee: ["code_commune", "code_insee", "commune_insee", "code_commune_insee_organisme"],
  reseaux: ["reseau"],
  qualiopi: ["certifie_qualiopi", "certification_qualiopi"],
  etat_administratif: ["etat"],
  siret_responsable: ["responsable_siret", "siret_organisme_responsable"],
  uai_responsable: ["responsable_uai", "uai_organisme_responsable"],
} satisfies Record<string, string[]>;
type Field = keyof typeof ORGANISME_COLUMNS;

export const LPOF_COLUMNS = {
  numeroDeclarationActivite: [],
  denomination: [],
  siren: [],
  siretEtablissementDeclarant: [],
  voie: ["adressePhysiqueOrganismeFormation.voie"],
  codePostal: ["adressePhysiqueOrganismeFormation.codePostal"],
  ville: ["adressePhysiqueOrganismeFormation.ville"],
  codeRegion: ["adressePhysiqueOrganismeFormation.codeRegion"],
  apprentissage: ["certifications.actionsDeFormationParApprentissage"],
} satisfies Record<string, string[]>;

const NATURE_ALIASES: Record<string, Nature> = {
  responsable: "responsable",
  gestionnaire: "responsable",
  formateur: "formateur",
  responsable_formateur: "responsable_formateur",
  responsable_et_formateur: "responsable_formateur",
  formateur_responsable: "responsable_formateur",
  gestionnaire_formateur: "responsable_formateur",
  lieu: "lieu",
  lieu_de_formation: "lieu",
  lieu_formation: "lieu",
  inconnue: "inconnue",
  inconnu: "inconnue",
};

const ETAT_ALIASES: Record<string, "actif" | "ferme"> = {
  actif: "actif",
  active: "actif",
  a: "actif",
  ouvert: "actif",
  ferme: "ferme",
  fermee: "ferme",
  f: "ferme",
  cesse: "ferme",
  c: "ferme",
};

/** What one valid line says about an organisme; null/undefined fields are "not provided" (never erase). */
interface OrganismeInput {
  line: number;
  siret: string;
  uai: string | null;
  nature?: Nature;
  raisonSociale?: string;
  enseigne?: string;
  adresse?: string;
  codePostal?: string;
  territoire?: Territoire;
  /** The territoire was guessed from the code postal (no code commune INSEE): see keepsKnownCommune. */
  territoireDeduit?: boolean;
  reseaux?: string[];
  qualiopi?: boolean;
  etatAdministratif?: "actif" | "ferme";
  responsable?: { siret: string; uai: string | null };
  /** LPOF organismes outside apprenticeship: update only when already known. */
  updateOnly?: boolean;
}

interface StoredOrganisme {
  id: number;
  siret: string;
  uai: string | null;
  nature: Nature;
  raisonSociale: string;
  enseigne: string | null;
  adresse: string | null;
  codePostal: string | null;
  codeCommune: string | null;
  departementCode: string | null;
  regionCode: string | null;
  academieCode: string | null;
  bassinEmploiCode: string | null;
  reseaux: string[];
  qualiopi: boolean;
  etatAdministratif: "actif" | "ferme";
}

const FORMAT_LABELS: Record<OrganismeFileFormat, string> = {
  csv: "organismes (CSV documenté)",
  json: "organismes (JSON documenté)",
  lpof: "liste publique des organismes de formation (LPOF)",
};

/** The format's label, naming the file actually read: a workbook is not a CSV. */
function formatLabel(format: OrganismeFileFormat, sheet: string | undefined): string {
  if (!sheet) return FORMAT_LABELS[format];
  return format === "lpof" ? `liste publique des organismes de formation (LPOF, XLSX, feuille « ${sheet} »)` : `organismes (XLSX documenté, feuille « ${sheet} »)`;
}

/** Raw cells of one line/element, keyed by canonical field, with the column name used in the file. */
interface RawLine {
  line: number;
  get(field: Field): string;
  column(field: Field): string;
  /** The value as the file wrote it, for the messages (`get` may differ: a JSON number's lost leading zeros). */
  written(field: Field): string;
}

/** Imports an organismes file (CSV, JSON or LPOF CSV; detected unless `format` is given). */
export async function importOrganismes(
  database: Database,
  bytes: Uint8Array,
  options: ImportOptions & { format?: OrganismeFileFormat } = {},
): Promise<ImportSummary> {
  const started = Date.now();
  // the first characters tell a JSON file: the whole text is decoded once, by the reader of its format (decision 028)
  const isJson = options.format === "json" || (!options.format && /^\s*[[{]/.test(decodeText(bytes.subarray(0, 1024)).text));
  options.onProgress?.({ phase: "lecture", done: 0, total: 0 });

  let format: OrganismeFileFormat;
  let encoding: ImportSummary["encoding"];
  /** The lines to validate, each one given once (`lineAt`) then let go: the file's rows are not all kept until the end. */
  let total: number;
  let lineAt: (k: number) => RawLine;
  const warnings: LineIssue[] = [];
  let warningsOmitted = 0;
  let lpofAt: ((k: number) => { line: number; cells: Record<keyof typeof LPOF_COLUMNS, string>; names: Record<string, string> }) | null = null;
  let delimiter: ImportSummary["delimiter"];
  let sheet: string | undefined;

  if (isJson) {
    format = "json";
    let text: string | undefined;
    ({ text, encoding } = decodeText(bytes));
    const rawLines: (RawLine | undefined)[] = await readJsonLines(text, warnings);
    text = undefined;
    total = rawLines.length;
    lineAt = (k) => {
      const raw = rawLines[k]!;
      rawLines[k] = undefined;
      return raw;
    };
  } else {
    const table = await readTable(bytes, ["siret", "siretEtablissementDeclarant"]);
    encoding = table.encoding;
    delimiter = table.delimiter;
    sheet = table.sheet;
    warnings.push(...table.issues);
    warningsOmitted = table.issuesOmitted;
    const rows: (Table["rows"][number] | undefined)[] = table.rows;
    total = rows.length;
    const rowAt = (k: number) => {
      const row = rows[k]!;
      rows[k] = undefined;
      return row;
    };
    const headerKeys = table.header.map(normalizeHeader);
    const lpof = options.format === "lpof" || (!options.format && headerKeys.includes(normalizeHeader("siretEtablissementDeclarant")));
    if (lpof) {
      format = "lpof";
      const { index, names } = mapColumns(table.header, LPOF_COLUMNS);
      const missing = (["siretEtablissementDeclarant", "denomination", "apprentissage"] as const).filter((k) => index[k] === undefined);
      if (missing.length) {
        throw new ImportFileError(
          `Fichier illisible : colonne(s) obligatoire(s) absente(s) de la liste publique des organismes de formation : ${missing
            .map((k) => `« ${k === "apprentissage" ? "certifications.actionsDeFormationParApprentissage" : k} »`)
            .join(", ")}.`,
        );
      }
      lpofAt = (k) => {
        const r = rowAt(k);
        const cells = {} as Record<keyof typeof LPOF_COLUMNS, string>;
        for (const k of Object.keys(LPOF_COLUMNS) as (keyof typeof LPOF_COLUMNS)[]) cells[k] = index[k] !== undefined ? (r.cells[index[k]!] ?? "") : "";
        return { line: r.line, cells, names: names as Record<string, string> };
      };
      lineAt = () => {
        throw new Error("unreachable");
      };
    } else {
      format = "csv";
      const { index, names, unknown } = mapColumns(table.header, ORGANISME_COLUMNS);
      const missing = (["siret", "raison_sociale"] as const).filter((k) => index[k] === undefined);
      if (missing.length) {
        throw new ImportFileError(
          `Fichier illisible : colonne(s) obligatoire(s) absente(s) : ${missing.map((k) => `« ${k} »`).join(", ")}. ` +
            `En-tête lu : ${table.header.map((h) => `« ${h} »`).join(", ")} (séparateur « ${table.delimiter === "\t" ? "tabulation" : table.delimiter} »).`,
        );
      }
      for (const u of unknown) warnings.push({ line: 1, column: u, message: "colonne inconnue, ignorée" });
      lineAt = (k) => {
        const r = rowAt(k);
        return {
          line: r.line,
          get: (f) => (index[f] !== undefined ? (r.cells[index[f]!] ?? "") : ""),
          column: (f) => names[f] ?? f,
          written: (f) => (index[f] !== undefined ? (r.cells[index[f]!] ?? "") : ""),
        };
      };
    }
  }

  const summary = emptySummary("organismes", formatLabel(format, sheet), options.fileName);
  summary.encoding = encoding;
  summary.delimiter = delimiter;
  signaler(summary, warnings);
  summary.omitted.warnings += warningsOmitted;
  if (format === "json") summary.lineUnit = "élément";

  const communes = await loadCommuneIndex(database);

  // ------------------------------------------------------------------ validation
  const inputs: OrganismeInput[] = [];
  exigerDesDonnees(total, summary.lineUnit);
  summary.lines = total;
  const report = progressReporter(options, "validation", total, 2000);
  const pause = pauses();
  for (let k = 0; k < total; k++) {
    const input = lpofAt ? validateLpofLine(lpofAt(k), communes, summary) : validateLine(lineAt(k), communes, summary);
    if (input) inputs.push(input);
    report(k + 1);
    await pause();
  }

  // Lines designating the same organisme are applied in file order by writeOrganismes (the last one wins, said).
  await writeOrganismes(database, inputs, summary, options, communes);
  warningsOfRejectedLines(summary);
  summary.durationMs = Date.now() - started;
  options.onProgress?.({ phase: "terminé", done: total, total });
  return summary;
}

async function readJsonLines(text: string, warnings: LineIssue[]): Promise<RawLine[]> {
  let data: unknown;
  const json = text.replace(/^\uFEFF/, "");
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new ImportFileError(`Fichier illisible : JSON invalide : ${describeJsonError(json, error)}.`);
  }
  const list = Array.isArray(data) ? data : data && typeof data === "object" && Array.isArray((data as { organismes?: unknown }).organismes) ? (data as { organismes: unknown[] }).organismes : null;
  if (!list) throw new ImportFileError("Fichier illisible : un tableau JSON d'organismes (ou un objet { \"organismes\": [...] }) est attendu.");
  if (list.length > MAX_IMPORT_LINES) throw tropDeLignes(MAX_IMPORT_LINES + 1, "élément");
  const lookup = new Map<string, Field>();
  for (const [key, aliases] of Object.entries(ORGANISME_COLUMNS) as [Field, string[]][]) {
    lookup.set(normalizeHeader(key), key);
    for (const a of aliases) lookup.set(normalizeHeader(a), key);
  }
  const unknown = new Set<string>();
  // the keys of 30,000 elements are a handful of names: each one normalised once
  const fieldOf = new Map<string, Field | undefined>();
  const fieldOfKey = (key: string) => {
    if (!fieldOf.has(key)) fieldOf.set(key, lookup.get(normalizeHeader(key)));
    return fieldOf.get(key);
  };
  const pause = pauses();
  const lines: RawLine[] = [];
  for (let k = 0; k < list.length; k++) {
    await pause();
    const item: unknown = list[k];
    const values = new Map<Field, { key: string; value: string; written?: string }>();
    if (item && typeof item === "object" && !Array.isArray(item)) {
      for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
        const field = fieldOfKey(key);
        if (!field) {
          unknown.add(key);
          continue;
        }
        let s: string;
        let written: string | undefined;
        if (value === null || value === undefined) s = "";
        else if (Array.isArray(value)) s = value.map((v) => String(v)).join("|");
        else if (typeof value === "number" && (field === "siret" || field === "siret_responsable")) {
          // a number loses a SIRET's leading zeros: given back for the checks, never shown as the file's value
          written = String(value);
          s = written.padStart(14, "0");
        } else if (typeof value === "object") s = "\u0000objet";
        else s = String(value);
        if (s.length > MAX_CELL_CHARS) {
          // as a CSV's cell (decision 028): no value of the référentiel is so long
          throw new ImportFileError(
            `Fichier illisible : élément ${k + 1}, clé « ${key} » : valeur de plus de ${formatNombre(MAX_CELL_CHARS)} caractères, ` +
              "le maximum d'une cellule de tableur : aucune valeur du référentiel n'est si longue.",
          );
        }
        values.set(field, { key, value: s, written });
      }
    } else {
      values.set("siret", { key: "(élément)", value: "\u0000pas un objet" });
    }
    lines.push({
      line: k + 1,
      get: (f) => values.get(f)?.value ?? "",
      column: (f) => values.get(f)?.key ?? f,
      written: (f) => values.get(f)?.written ?? values.get(f)?.value ?? "",
    });
  }
  for (const u of unknown) warnings.push({ line: 0, column: u, message: "clé inconnue, ignorée" });
  return lines;
}

function validateLine(raw: RawLine, communes: CommuneIndex, summary: ImportSummary): OrganismeInput | null {
  const errors: LineIssue[] = [];
  const reject = (field: Field, message: string) => errors.push({ line: raw.line, column: raw.column(field), message });
  const warn = (field: Field, message: string) => signaler(summary, { line: raw.line, column: raw.column(field), message });
  for (const f of Object.keys(ORGANISME_COLUMNS) as Field[]) {
    if (raw.get(f).startsWith("\u0000")) reject(f, raw.get(f) === "\u0000objet" ? "valeur simple attendue (texte, nombre ou liste)" : "un objet est attendu");
  }
  if (errors.length) {
    rejeter(summary, errors[0]);
    return null;
  }

  const siret = checkSiret(raw.get("siret"), true, (m) => reject("siret", m), raw.written("siret"), (m) => warn("siret", m));
  const uai = checkUai(raw.get("uai"), (m) => reject("uai", m), (m) => warn("uai", m));
  const input: OrganismeInput = { line: raw.line, siret: siret ?? "", uai: uai ?? null };

  const natureRaw = raw.get("nature").trim();
  if (natureRaw) {
    const nature = NATURE_ALIASES[normalizeHeader(natureRaw)];
    if (nature) input.nature = nature;
    else reject("nature", `nature inconnue (« ${natureRaw} ») : valeurs acceptées ${NATURES.join(", ")}`);
  }
  const raisonSociale = normalizeText(raw.get("raison_sociale"));
  if (!raisonSociale) reject("raison_sociale", "raison sociale manquante");
  else input.raisonSociale = raisonSociale;
  const enseigne = normalizeText(raw.get("enseigne"));
  if (enseigne) input.enseigne = enseigne;
  const adresse = normalizeText(raw.get("adresse"));
  if (adresse) input.adresse = adresse;

  const cpRaw = raw.get("code_postal").replace(/\s/g, "");
  if (cpRaw) {
    if (/^[0-9]{4,5}$/.test(cpRaw)) input.codePostal = cpRaw.padStart(5, "0");
    else reject("code_postal", `code postal invalide (« ${cpRaw} ») : 5 chiffres attendus`);
  }
  const ccRaw = raw.get("code_commune_insee").trim().toUpperCase();
  if (ccRaw) {
    const cc = /^[0-9]{4}$/.test(ccRaw) ? ccRaw.padStart(5, "0") : ccRaw;
    if (!CODE_COMMUNE_PATTERN.test(cc)) reject("code_commune_insee", `code commune INSEE invalide (« ${ccRaw} ») : 5 caractères attendus, par exemple 75056 ou 2A004`);
    else {
      const { territoire, known } = communes.fromCodeCommune(cc);
      if (known) {
        input.territoire = territoire;
        const commune = communes.byCode.get(cc)!;
        if (input.codePostal && codePostalContredit(input.codePostal, commune.departement_code, commune.codes_postaux, communes.departements)) {
          const designes = departementsDuCodePostal(input.codePostal, communes.departements)!;
          warn(
            "code_postal",
            `code postal ${input.codePostal} (département ${designes.join(" ou ")}) et code commune INSEE ${cc} (${commune.nom}, département ${commune.departement_code}) se contredisent : ` +
              `l'organisme compte dans le département ${commune.departement_code}, celui de la commune ; corrigez l'un ou l'autre${IMPORTE_SIGNALE}`,
          );
        }
      } else {
        // decision 036: an unknown code is not stored; the territory comes from the postal code, else the code's
        // département, else stays as it was (nothing erased)
        const corse = /^20[0-9]{3}$/.test(cc)
          ? ["2A", "2B"].map((d) => d + cc.slice(2)).filter((c) => communes.byCode.has(c)).map((c) => `${c} (${communes.byCode.get(c)!.nom})`)
          : [];
        const conseil = /^20[0-9]{3}$/.test(cc)
          ? ` ; les codes des communes de Corse commencent par 2A ou 2B${corse.length ? ` : ${corse.join(" ou ")} ?` : ""}`
          : "";
        let suite: string;
        if (input.codePostal) suite = `territoire cherché d'après le code postal ${input.codePostal}`;
        else if (territoire.departementCode) {
          input.territoire = { ...territoire, codeCommune: null };
          suite = `seul le département ${territoire.departementCode} est déduit`;
        } else suite = "aucun territoire déduit (ni département, ni région, ni académie)";
        warn("code_commune_insee", `code commune ${cc} absent du référentiel des communes : ignoré, ${suite}${conseil}`);
      }
    }
  }
  if (!input.territoire && input.codePostal) {
    const t = communes.fromCodePostal(input.codePostal, raw.get("commune"));
    if (t) {
      input.territoire = t;
      input.territoireDeduit = true;
    }
    else warn("code_postal", `code postal ${input.codePostal} inconnu ou ambigu : territoire non déduit (indiquez le code commune INSEE)`);
  }

  const reseaux = raw
    .get("reseaux")
    .split(/[|,]/)
    .map((r) => r.replace(/\s+/g, " ").trim())
    .filter(Boolean);
  if (reseaux.length) input.reseaux = [...new Set(reseaux)];

  const qualiopiRaw = raw.get("qualiopi");
  const qualiopi = parseBoolean(qualiopiRaw);
  if (qualiopi === undefined) reject("qualiopi", `valeur invalide (« ${qualiopiRaw.trim()} ») : oui ou non attendu`);
  else if (qualiopi !== null) input.qualiopi = qualiopi;

  const etatRaw = raw.get("etat_administratif").trim();
  if (etatRaw) {
    const etat = ETAT_ALIASES[normalizeHeader(etatRaw)];
    if (etat) input.etatAdministratif = etat;
    else reject("etat_administratif", `état administratif inconnu (« ${etatRaw} ») : actif ou fermé attendu`);
  }

  const respSiretRaw = raw.get("siret_responsable");
  const respUaiRaw = raw.get("uai_responsable");
  if (respSiretRaw.trim()) {
    const respSiret = checkSiret(respSiretRaw, true, (m) => reject("siret_responsable", m), raw.written("siret_responsable"), (m) => warn("siret_responsable", m));
    const respUai = checkUai(respUaiRaw, (m) => reject("uai_responsable", m), (m) => warn("uai_responsable", m));
    if (respSiret) input.responsable = { siret: respSiret, uai: respUai ?? null };
  } else if (respUaiRaw.trim()) {
    reject("siret_responsable", "SIRET du responsable manquant alors que son UAI est renseigné");
  }

  if (errors.length) {
    // One message per column, all of them: the user fixes the line in one go.
    rejeter(summary, errors);
    return null;
  }
  return input;
}

/**
 * Normalised SIRET, or null after calling reject with a French message quoting the value as the file wrote it
 * (`written`: a JSON number, given back its leading zeros in `value`; read so, it is said with `warn`).
 */
function checkSiret(value: string, required: boolean, reject: (m: string) => void, written: string = value, warn?: (m: string) => void): string | null {
  const raw = value.trim();
  const shown = written.trim();
  if (!raw) {
    if (required) reject("SIRET manquant");
    return null;
  }
  const siret = normalizeSiret(raw);
  if (!SIRET_PATTERN.test(siret) || (!isValidSiret(siret) && !SIRET_PATTERN.test(normalizeSiret(shown)))) {
    reject(`SIRET invalide (« ${shown} ») : 14 chiffres attendus`);
    return null;
  }
  if (!isValidSiret(siret)) {
    reject(`SIRET invalide (« ${shown} ») : ${cleSiretFausse(siret)}`);
    return null;
  }
  if (normalizeSiret(shown) !== siret) warn?.(`SIRET écrit comme un nombre (« ${shown} ») : lu ${siret}, zéros de tête rétablis (écrivez-le entre guillemets)`);
  return siret;
}

/** Normalised UAI (undefined when empty); a wrong check letter only warns. */
function checkUai(value: string, reject: (m: string) => void, warn: (m: string) => void): string | undefined {
  const raw = value.trim();
  if (!raw) return undefined;
  const uai = normalizeUai(raw);
  if (!UAI_PATTERN.test(uai)) {
    reject(`UAI invalide (« ${raw} ») : 7 chiffres suivis d'une lettre attendus`);
    return undefined;
  }
  if (!isValidUai(uai)) warn(`UAI ${uai} : la lettre de contrôle est fausse${IMPORTE_SIGNALE}`);
  return uai;
}

function validateLpofLine(
  row: { line: number; cells: Record<keyof typeof LPOF_COLUMNS, string>; names: Record<string, string> },
  communes: CommuneIndex,
  summary: ImportSummary,
): OrganismeInput | null {
  const c = row.cells;
  const col = (k: keyof typeof LPOF_COLUMNS) => row.names[k] ?? k;
  const apprentissage = parseBoolean(c.apprentissage);
  if (apprentissage === undefined) {
    rejeter(summary, { line: row.line, column: col("apprentissage"), message: `valeur invalide (« ${c.apprentissage} ») : true ou false attendu` });
    return null;
  }
  let siret: string | null = null;
  const errors: LineIssue[] = [];
  siret = checkSiret(c.siretEtablissementDeclarant, true, (m) => errors.push({ line: row.line, column: col("siretEtablissementDeclarant"), message: m }));
  const raisonSociale = normalizeText(c.denomination);
  if (!raisonSociale) errors.push({ line: row.line, column: col("denomination"), message: "dénomination manquante" });
  if (!apprentissage) {
    // Not a CFA: only known organismes are touched (they lost the certification).
    if (!siret) {
      summary.skipped++;
      return null;
    }
    return { line: row.line, siret, uai: null, qualiopi: false, updateOnly: true };
  }
  if (siret && c.siren.trim() && !siret.startsWith(c.siren.replace(/\s/g, ""))) {
    signaler(summary, { line: row.line, column: col("siren"), message: `le SIREN ${c.siren.trim()} ne correspond pas au SIRET ${siret}` });
  }
  if (errors.length || !siret || !raisonSociale) {
    rejeter(summary, errors);
    return null;
  }
  const input: OrganismeInput = { line: row.line, siret, uai: null, raisonSociale, qualiopi: true };
  const adresse = normalizeText(c.voie);
  if (adresse) input.adresse = adresse;
  const cp = c.codePostal.replace(/\s/g, "");
  if (cp) {
    if (/^[0-9]{4,5}$/.test(cp)) {
      input.codePostal = cp.padStart(5, "0");
      const t = communes.fromCodePostal(input.codePostal, c.ville);
      if (t) {
        input.territoire = t;
        input.territoireDeduit = true;
        if (c.codeRegion.trim() && t.regionCode && c.codeRegion.trim().padStart(2, "0") !== t.regionCode) {
          signaler(summary, { line: row.line, column: col("codeRegion"), message: `région ${c.codeRegion.trim()} différente de celle du code postal ${input.codePostal} (${t.regionCode}) : le code postal l'emporte` });
        }
      } else signaler(summary, { line: row.line, column: col("codePostal"), message: `code postal ${input.codePostal} inconnu ou ambigu : territoire non déduit` });
    } else signaler(summary, { line: row.line, column: col("codePostal"), message: `code postal invalide (« ${cp} ») : ignoré` });
  }
  return input;
}

// ------------------------------------------------------------------------------------------------ writing

/** What a line can give about an organisme (the territory is one value: the commune and what follows from it). */
const VALUE_LABELS = {
  nature: "nature",
  raisonSociale: "raison sociale",
  enseigne: "enseigne",
  adresse: "adresse",
  codePostal: "code postal",
  territoire: "commune",
  reseaux: "réseaux",
  qualiopi: "Qualiopi",
  etatAdministratif: "état administratif",
} as const;
type Value = keyof typeof VALUE_LABELS;

const COMPARED = [
  "uai",
  "nature",
  "raisonSociale",
  "enseigne",
  "adresse",
  "codePostal",
  "codeCommune",
  "departementCode",
  "regionCode",
  "academieCode",
  "bassinEmploiCode",
  "qualiopi",
  "etatAdministratif",
] as const;

/**
 * Whether a territory guessed from the code postal, or the département alone of an unknown commune code (a known
 * commune of that département is kept), must leave the known commune alone: the known commune is more
 * precise and the postal code does not contradict it — a subdivision (arrondissement of Paris, Lyon, Marseille,
 * commune déléguée) that this postal code covers when the guess is the whole commune; a commune of the guessed
 * département, covered by the postal code (or the postal code is not a commune's: CEDEX), when only the département
 * could be guessed. Anything else (another commune, another département) is a move: the guess is taken.
 */
function keepsKnownCommune(state: StoredOrganisme, input: OrganismeInput, communes: CommuneIndex): boolean {
  const t = input.territoire;
  if (!t || !state.codeCommune || state.codeCommune === t.codeCommune) return false;
  // only the département of an unknown commune code (decision 036): a known commune of that département is kept
  if (!input.territoireDeduit && !t.codeCommune) return t.departementCode !== null && state.departementCode === t.departementCode;
  if (!input.territoireDeduit || !input.codePostal) return false;
  const known = communes.byCode.get(state.codeCommune);
  const covering = communes.byPostal.get(input.codePostal) ?? [];
  const covered = covering.some((c) => c.code === state.codeCommune);
  if (t.codeCommune) return covered && known !== undefined && known.type !== "commune-actuelle";
  return t.departementCode !== null && state.departementCode === t.departementCode && (covered || covering.length === 0);
}

/** Applies one line to an organisme's values (empty cells give nothing); returns what the line gave, comparable. */
function applyLine(state: StoredOrganisme, input: OrganismeInput, communes: CommuneIndex): Map<Value, string> {
  const given = new Map<Value, string>();
  const set = <K extends Value & keyof StoredOrganisme>(key: K, value: StoredOrganisme[K] | undefined) => {
    if (value === undefined) return;
    state[key] = value;
    given.set(key, String(value));
  };
  set("nature", input.nature);
  set("raisonSociale", input.raisonSociale);
  set("enseigne", input.enseigne);
  set("adresse", input.adresse);
  set("codePostal", input.codePostal);
  set("qualiopi", input.qualiopi);
  set("etatAdministratif", input.etatAdministratif);
  if (input.reseaux !== undefined) {
    state.reseaux = input.reseaux;
    given.set("reseaux", [...input.reseaux].sort().join("|"));
  }
  const t = input.territoire;
  if (t && (t.codeCommune || t.departementCode) && !keepsKnownCommune(state, input, communes)) {
    if (t.departementCode) {
      // the territory is one value: a commune of another département is not kept beside it
      state.codeCommune = t.codeCommune;
      state.departementCode = t.departementCode;
      state.regionCode = t.regionCode;
      state.academieCode = t.academieCode;
      // the bassin follows the commune (null when the commune is not known precisely)
      state.bassinEmploiCode = t.bassinEmploiCode;
    } else state.codeCommune = t.codeCommune;
    given.set("territoire", `${t.codeCommune ?? ""}|${t.departementCode ?? ""}`);
  }
  return given;
}

/** The stored values that differ from the organisme's values once the file is applied. */
function changesOf(stored: StoredOrganisme, state: StoredOrganisme): Partial<StoredOrganisme> {
  const changes: Partial<StoredOrganisme> = {};
  for (const k of COMPARED) if (state[k] !== stored[k]) (changes as Record<string, unknown>)[k] = state[k];
  if ([...state.reseaux].sort().join("|") !== [...stored.reseaux].sort().join("|")) changes.reseaux = state.reseaux;
  return changes;
}

/** An organisme of the référentiel as the file leaves it: a stored one, or one the file creates (stored null). */
interface Entity {
  stored: StoredOrganisme | null;
  state: StoredOrganisme;
  /** The lines with a UAI that designate it (a line without UAI designates every organisme of its SIRET). */
  lines: OrganismeInput[];
}

/**
 * Writes the valid lines. The file is resolved line after line against the référentiel as the previous lines have
 * left it (which organisme each line designates, which ones it creates), then the lines are applied in file order
 * to each organisme they designate, and only the resulting values are compared with the stored ones: the result
 * depends on the file, not on what an earlier import of it left, so a second import changes nothing.
 * The référentiel is read by chunks and the writes are set down by chunks, then applied in one transaction
 * (decision 021): the other users are not kept waiting, and nothing is written unless everything is.
 */
async function writeOrganismes(database: Database, inputs: OrganismeInput[], summary: ImportSummary, options: ImportOptions, communes: CommuneIndex) {
  const pause = pauses();
  const existing = await readByChunks(
    (after: number | undefined) =>
      chunkAfterId(
        database.db
          .select({
            id: organismes.id,
            siret: organismes.siret,
            uai: organismes.uai,
            nature: organismes.nature,
            raisonSociale: organismes.raisonSociale,
            enseigne: organismes.enseigne,
            adresse: organismes.adresse,
            codePostal: organismes.codePostal,
            codeCommune: organismes.codeCommune,
            departementCode: organismes.departementCode,
            regionCode: organismes.regionCode,
            academieCode: organismes.academieCode,
            bassinEmploiCode: organismes.bassinEmploiCode,
            reseaux: organismes.reseaux,
            qualiopi: organismes.qualiopi,
            etatAdministratif: organismes.etatAdministratif,
          })
          .from(organismes)
          .$dynamic(),
        organismes.id,
        after,
      ) as Promise<StoredOrganisme[]>,
    (o) => o.id,
  );
  const bySiret = new Map<string, Entity[]>();
  const add = (entity: Entity) => {
    const list = bySiret.get(entity.state.siret);
    if (list) list.push(entity);
    else bySiret.set(entity.state.siret, [entity]);
    return entity;
  };
  for (const o of existing) add({ stored: o, state: { ...o, reseaux: [...o.reseaux] }, lines: [] });
  // the SIRETs that carry each UAI, as the file leaves the référentiel: a new pair is said when its UAI has another
  const siretsOfUai = new Map<string, Set<string>>();
  const carries = (uai: string, siret: string) => {
    const set = siretsOfUai.get(uai);
    if (set) set.add(siret);
    else siretsOfUai.set(uai, new Set([siret]));
  };
  for (const o of existing) if (o.uai) carries(o.uai, o.siret);

  // Lines designating the same organisme: warned once per pair of lines (earlier → later).
  const unit = summary.lineUnit ?? "ligne";
  const pairs = new Map<string, { earlier: OrganismeInput; later: OrganismeInput; entity?: Entity; sameKey: boolean; values: Set<Value> }>();
  const pairOf = (earlier: OrganismeInput, later: OrganismeInput, sameKey: boolean) => {
    const key = `${earlier.line}|${later.line}`;
    let pair = pairs.get(key);
    if (!pair) pairs.set(key, (pair = { earlier, later, sameKey, values: new Set() }));
    return pair;
  };

  // 1. Which organismes each line designates, against the référentiel as the previous lines have left it.
  const created: Entity[] = [];
  const bySiretLines = new Map<string, OrganismeInput[]>();
  const lastOfKey = new Map<string, OrganismeInput>();
  for (const input of inputs) {
    await pause();
    const same = bySiret.get(input.siret) ?? [];
    if (input.uai) {
      let entity = same.find((o) => o.state.uai === input.uai) ?? same.find((o) => o.state.uai === null);
      const newPair = !entity || entity.state.uai === null;
      // completes the organisme of this SIRET without UAI (stored, or created by an earlier line of the file)
      if (entity && entity.state.uai === null) entity.state.uai = input.uai;
      if (!entity) {
        entity = add({ stored: null, state: newOrganisme(input.siret, input.uai), lines: [] });
        created.push(entity);
      }
      entity.lines.push(input);
      if (newPair) {
        // a UAI on several SIRETs is an anomaly: said when the file makes it, not only later in the anomalies
        const others = [...(siretsOfUai.get(input.uai) ?? [])].filter((s) => s !== input.siret).sort();
        if (others.length) {
          signaler(summary, {
            line: input.line,
            column: "uai",
            message: `UAI ${input.uai} déjà porté par ${others.length === 1 ? "le SIRET" : "les SIRET"} ${others.join(", ")} : vérifiez le SIRET ou l'UAI${IMPORTE_SIGNALE}`,
          });
        }
        carries(input.uai, input.siret);
      }
    } else {
      if (same.length === 0) {
        if (input.updateOnly) {
          summary.skipped++;
          continue;
        }
        created.push(add({ stored: null, state: newOrganisme(input.siret, null), lines: [] }));
      }
      const list = bySiretLines.get(input.siret);
      if (list) list.push(input);
      else bySiretLines.set(input.siret, [input]);
    }
    const key = `${input.siret}|${input.uai ?? ""}`;
    const previous = lastOfKey.get(key);
    if (previous) pairOf(previous, input, true);
    lastOfKey.set(key, input);
  }

  // A line without UAI updates every organisme of its SIRET (documented): said when that is more than one.
  for (const list of bySiretLines.values()) {
    for (const input of list) {
      const all = bySiret.get(input.siret) ?? [];
      if (all.length < 2) continue;
      const uais = all.map((o) => o.state.uai).sort((a, b) => (a ?? "").localeCompare(b ?? ""));
      signaler(summary, {
        line: input.line,
        message: `sans UAI : s'applique aux ${all.length} organismes du SIRET ${input.siret} (${uais.map((u) => (u ? `UAI ${u}` : "sans UAI")).join(", ")}) ; indiquez l'UAI pour n'en modifier qu'un`,
      });
    }
  }

  // 2. The lines applied in file order to each organisme they designate (a line without UAI: all of its SIRET).
  const touched: Entity[] = [];
  for (const list of bySiret.values()) {
    for (const entity of list) {
      await pause();
      const general = bySiretLines.get(entity.state.siret);
      if (!entity.lines.length && !general) continue;
      const lines = general ? [...entity.lines, ...general].sort((a, b) => a.line - b.line) : entity.lines;
      const givenBy = new Map<Value, { input: OrganismeInput; value: string }>();
      for (const input of lines) {
        for (const [value, text] of applyLine(entity.state, input, communes)) {
          const previous = givenBy.get(value);
          if (previous && previous.value !== text) {
            const pair = pairOf(previous.input, input, `${previous.input.uai ?? ""}` === `${input.uai ?? ""}`);
            pair.entity = entity;
            pair.values.add(value);
          }
          givenBy.set(value, { input, value: text });
        }
      }
      touched.push(entity);
    }
  }
  const ligne = (n: number) => (unit === "élément" ? `l'élément ${n}` : `la ligne ${n}`);
  for (const pair of [...pairs.values()].sort((a, b) => a.later.line - b.later.line || a.earlier.line - b.earlier.line)) {
    const values = (Object.keys(VALUE_LABELS) as Value[]).filter((v) => pair.values.has(v)).map((v) => VALUE_LABELS[v]);
    const detail = values.length ? ` (${values.join(", ")})` : "";
    if (pair.sameKey) {
      const { siret, uai } = pair.later;
      signaler(summary, {
        line: pair.later.line,
        message: `même SIRET ${siret}${uai ? ` et même UAI ${uai}` : ""} qu'à ${ligne(pair.earlier.line)} : ${unit === "élément" ? "le dernier" : "la dernière"} l'emporte${detail}`,
      });
    } else if (values.length && pair.entity) {
      const { siret, uai } = pair.entity.state;
      signaler(summary, {
        line: pair.later.line,
        message: `désigne le même organisme (SIRET ${siret}${uai ? `, UAI ${uai}` : ", sans UAI"}) que ${ligne(pair.earlier.line)} : ${ligne(pair.later.line)} l'emporte${detail}`,
      });
    }
  }

  // 3. What changes: only the resulting values are compared with the stored ones.
  const toUpdate: { entity: Entity; changes: Partial<StoredOrganisme> }[] = [];
  for (const entity of touched) {
    await pause();
    if (!entity.stored) continue;
    const changes = changesOf(entity.stored, entity.state);
    if (Object.keys(changes).length) toUpdate.push({ entity, changes });
    else summary.unchanged++;
  }

  // 4. Relations formateur → responsable (the responsable as the file leaves the référentiel), by (SIRET, UAI):
  // an organisme the file creates has no id before the apply, and one (SIRET, UAI) pair is one organisme. Only the
  // relations the référentiel does not have yet are written.
  const known = await readRelations(database);
  const relationsToInsert = new Map<string, Record<string, string>>();
  const targetsOf = new Map<OrganismeInput, Entity[]>();
  for (const entity of touched) for (const input of entity.lines) targetsOf.set(input, [entity]);
  for (const input of inputs) {
    await pause();
    const resp = input.responsable;
    if (!resp) continue;
    const targets = input.uai ? (targetsOf.get(input) ?? []) : (bySiret.get(input.siret) ?? []);
    if (!targets.length) continue; // skipped line
    const candidates = (bySiret.get(resp.siret) ?? []).filter((o) => !resp.uai || o.state.uai === resp.uai);
    // Several organismes for the responsable's SIRET and no UAI: no relation. A responsable sees its formateurs'
    // learners by name (access policy): a relation guessed (by nature, say) could open them to the wrong organisme.
    const responsable: Entity | undefined = candidates.length === 1 ? candidates[0] : undefined;
    if (!responsable) {
      const uais = candidates.map((o) => (o.state.uai ? `UAI ${o.state.uai}` : "sans UAI")).sort();
      signaler(summary, {
        line: input.line,
        column: "siret_responsable",
        message:
          candidates.length === 0
            ? `responsable SIRET ${resp.siret}${resp.uai ? ` UAI ${resp.uai}` : ""} absent du référentiel : relation non créée (importez-le, puis réimportez ce fichier)`
            : `SIRET ${resp.siret} porté par ${candidates.length} organismes (${uais.join(", ")}) : relation non créée, précisez l'UAI du responsable (uai_responsable)`,
      });
      continue;
    }
    const r = responsable.state;
    if (targets.includes(responsable)) {
      signaler(summary, {
        line: input.line,
        column: "siret_responsable",
        message: `le responsable désigné (SIRET ${r.siret}${r.uai ? `, UAI ${r.uai}` : ", sans UAI"}) est l'organisme lui-même : relation non créée`,
      });
    }
    for (const target of targets) {
      if (target === responsable) continue;
      if (target.stored && responsable.stored && known.has(`${target.stored.id}|${responsable.stored.id}`)) continue;
      const f = target.state;
      relationsToInsert.set(`${f.siret}|${f.uai ?? ""}|${r.siret}|${r.uai ?? ""}`, {
        formateur_siret: f.siret,
        formateur_uai: f.uai ?? "",
        responsable_siret: r.siret,
        responsable_uai: r.uai ?? "",
      });
    }
  }

  // 5. Set down by chunks, then applied in one transaction.
  const total = created.length + toUpdate.length;
  options.onProgress?.({ phase: "écriture", done: 0, total });
  await ImportStaging.run(database, "des organismes", async (staging) => {
    await staging.add(
      CREES,
      created.map(({ state }) => Object.fromEntries(WRITTEN.map((k) => [organismes[k].name, state[k]]))),
      (done) => options.onProgress?.({ phase: "écriture", done, total }),
    );
    await staging.add(
      MODIFIES,
      toUpdate.map(({ entity, changes }) => ({
        id: entity.state.id,
        ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [organismes[k as Written].name, v])),
      })),
      (done) => options.onProgress?.({ phase: "écriture", done: created.length + done, total }),
    );
    await staging.add(RELATIONS, [...relationsToInsert.values()]);

    await database.db.transaction(async (tx) => {
      const columns = WRITTEN.map((k) => organismes[k].name);
      summary.created += await compterLignes(tx, sql`
        insert into organismes (${columnList(columns)})
        select ${columnList(columns, "r")} from ${staging.rows(CREES, "organismes")} as r order by r.seq
        returning 1`);
      // only the values a line changed: what another writer changed since the référentiel was read is kept
      summary.updated += await compterLignes(tx, sql`
        update organismes o set ${setNamedColumns(columns, "o")}, updated_at = now()
        from ${staging.rows(MODIFIES, "organismes")} as r
        where o.id = r.id
        returning 1`);
      summary.details["relations formateur → responsable créées"] = await compterLignes(tx, sql`
        insert into organisme_relations (formateur_id, responsable_id)
        select f.id, p.id from ${staging.rows(RELATIONS)} as r
        join organismes f on f.siret = r.data->>'formateur_siret' and coalesce(f.uai, '') = r.data->>'formateur_uai'
        join organismes p on p.siret = r.data->>'responsable_siret' and coalesce(p.uai, '') = r.data->>'responsable_uai'
        on conflict do nothing
        returning 1`);

      // An organisme that moved (another département) moves its learners' periods and aggregates with it.
      const deplaces = toUpdate.filter((u) => "departementCode" in u.changes).map((u) => u.entity.state.id);
      if (deplaces.length) {
        const r = await refreshStatutStorageWhere(tx, { organismeIds: deplaces });
        summary.details["effectifs rattachés à un autre département"] = r.periodesModifiees;
      }
      await signalerModification(tx);
    });
  });
  await statistiquesApresImport(database, "organismes", summary.created + summary.updated);
}

/** The staged rows of an organismes import. */
const CREES = "organismes:créés";
const MODIFIES = "organismes:modifiés";
const RELATIONS = "organismes:relations";

/** The columns an import writes: the key, the values compared with the stored ones, and the réseaux (compared apart). */
const WRITTEN = ["siret", ...COMPARED, "reseaux"] as const satisfies readonly (keyof StoredOrganisme & keyof typeof organismes)[];
type Written = (typeof WRITTEN)[number];

/** The values of an organisme a line creates, before the lines are applied. */
function newOrganisme(siret: string, uai: string | null): StoredOrganisme {
  return {
    id: 0,
    siret,
    uai,
    nature: "inconnue",
    raisonSociale: siret,
    enseigne: null,
    adresse: null,
    codePostal: null,
    codeCommune: null,
    departementCode: null,
    regionCode: null,
    academieCode: null,
    bassinEmploiCode: null,
    reseaux: [],
    qualiopi: false,
    etatAdministratif: "actif",
  };
}
