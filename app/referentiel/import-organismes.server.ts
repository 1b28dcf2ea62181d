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
 * - An empty cell (or an absent column) never erases a stored value.
 * - The territory (département, région, académie, bassin d'emploi) is derived from the code commune INSEE through
 *   the communes table; without one, from the code postal (+ commune name).
 * - SIRET (14 digits, Luhn / La Poste rule) is checked: a wrong one rejects the line. A UAI must be 7 digits + a
 *   letter; a wrong check letter is accepted with a warning and listed among the anomalies.
 * - `siret_responsable` (+ optional `uai_responsable`) adds the relation formateur → responsable.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { NATURES, organismeRelations, organismes, type Nature } from "../../db/schema";
import { decodeText, normalizeHeader } from "../shared/csv";
import { looksLikeZip } from "../shared/xlsx.server";
import { CODE_COMMUNE_PATTERN, isValidSiret, isValidUai, normalizeSiret, normalizeUai, SIRET_PATTERN, UAI_PATTERN } from "./codes";
import { loadCommuneIndex, type CommuneIndex, type Territoire } from "./communes.server";
import {
  ImportFileError,
  emptySummary,
  mapColumns,
  normalizeText,
  parseBoolean,
  progressReporter,
  readTable,
  type ImportOptions,
  type ImportSummary,
  type LineIssue,
} from "./import-common.server";
import { refreshStatutStorageWhere } from "../statut/storage.server";
import { signalerModification } from "../indicateurs/modifications.server";
import { describeJsonError } from "../shared/json";

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

/** Raw cells of one line/element, keyed by canonical field, with the column name used in the file. */
interface RawLine {
  line: number;
  get(field: Field): string;
  column(field: Field): string;
}

/** Imports an organismes file (CSV, JSON or LPOF CSV; detected unless `format` is given). */
export async function importOrganismes(
  database: Database,
  bytes: Uint8Array,
  options: ImportOptions & { format?: OrganismeFileFormat } = {},
): Promise<ImportSummary> {
  const started = Date.now();
  const { text, encoding } = decodeText(bytes);
  const trimmed = text.trimStart();
  const isJson = options.format === "json" || (!options.format && (trimmed.startsWith("[") || trimmed.startsWith("{")));
  options.onProgress?.({ phase: "lecture", done: 0, total: 0 });

  let format: OrganismeFileFormat;
  let rawLines: RawLine[];
  const warnings: LineIssue[] = [];
  let lpofRows: { line: number; cells: Record<keyof typeof LPOF_COLUMNS, string>; names: Record<string, string> }[] | null = null;
  let delimiter: ImportSummary["delimiter"];

  if (isJson) {
    format = "json";
    rawLines = readJsonLines(text, warnings);
  } else {
    const table = readTable(bytes, ["siret", "siretEtablissementDeclarant"]);
    delimiter = table.delimiter;
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
      lpofRows = table.rows.map((r) => {
        const cells = {} as Record<keyof typeof LPOF_COLUMNS, string>;
        for (const k of Object.keys(LPOF_COLUMNS) as (keyof typeof LPOF_COLUMNS)[]) cells[k] = index[k] !== undefined ? (r.cells[index[k]!] ?? "") : "";
        return { line: r.line, cells, names: names as Record<string, string> };
      });
      rawLines = [];
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
      rawLines = table.rows.map((r) => ({
        line: r.line,
        get: (f) => (index[f] !== undefined ? (r.cells[index[f]!] ?? "") : ""),
        column: (f) => names[f] ?? f,
      }));
    }
  }

  const summary = emptySummary("organismes", FORMAT_LABELS[format], options.fileName);
  summary.encoding = looksLikeZip(bytes) ? undefined : encoding;
  summary.delimiter = delimiter;
  summary.warnings.push(...warnings);
  if (format === "json") summary.lineUnit = "élément";

  const communes = await loadCommuneIndex(database);

  // ------------------------------------------------------------------ validation
  const inputs: OrganismeInput[] = [];
  const total = lpofRows ? lpofRows.length : rawLines.length;
  summary.lines = total;
  const report = progressReporter(options, "validation", total, 2000);
  if (lpofRows) {
    lpofRows.forEach((row, k) => {
      const input = validateLpofLine(row, communes, summary);
      if (input) inputs.push(input);
      report(k + 1);
    });
  } else {
    rawLines.forEach((raw, k) => {
      const input = validateLine(raw, communes, summary);
      if (input) inputs.push(input);
      report(k + 1);
    });
  }

  // Same key twice: the last line wins.
  const byKey = new Map<string, OrganismeInput>();
  for (const input of inputs) {
    const key = `${input.siret}|${input.uai ?? ""}`;
    const previous = byKey.get(key);
    if (previous) {
      summary.warnings.push({
        line: input.line,
        message: `même SIRET ${input.siret}${input.uai ? ` et même UAI ${input.uai}` : ""} qu'à la ${summary.lineUnit ?? "ligne"} ${previous.line} : la dernière l'emporte`,
      });
      byKey.delete(key);
    }
    byKey.set(key, input);
  }

  await writeOrganismes(database, [...byKey.values()], summary, options);
  summary.durationMs = Date.now() - started;
  options.onProgress?.({ phase: "terminé", done: total, total });
  return summary;
}

function readJsonLines(text: string, warnings: LineIssue[]): RawLine[] {
  let data: unknown;
  const json = text.replace(/^\uFEFF/, "");
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new ImportFileError(`Fichier illisible : JSON invalide : ${describeJsonError(json, error)}.`);
  }
  const list = Array.isArray(data) ? data : data && typeof data === "object" && Array.isArray((data as { organismes?: unknown }).organismes) ? (data as { organismes: unknown[] }).organismes : null;
  if (!list) throw new ImportFileError("Fichier illisible : un tableau JSON d'organismes (ou un objet { \"organismes\": [...] }) est attendu.");
  const lookup = new Map<string, Field>();
  for (const [key, aliases] of Object.entries(ORGANISME_COLUMNS) as [Field, string[]][]) {
    lookup.set(normalizeHeader(key), key);
    for (const a of aliases) lookup.set(normalizeHeader(a), key);
  }
  const unknown = new Set<string>();
  const lines = list.map((item, k): RawLine => {
    const values = new Map<Field, { key: string; value: string }>();
    if (item && typeof item === "object" && !Array.isArray(item)) {
      for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
        const field = lookup.get(normalizeHeader(key));
        if (!field) {
          unknown.add(key);
          continue;
        }
        let s: string;
        if (value === null || value === undefined) s = "";
        else if (Array.isArray(value)) s = value.map((v) => String(v)).join("|");
        else if (typeof value === "number" && (field === "siret" || field === "siret_responsable")) s = String(value).padStart(14, "0");
        else if (typeof value === "object") s = "\u0000objet";
        else s = String(value);
        values.set(field, { key, value: s });
      }
    } else {
      values.set("siret", { key: "(élément)", value: "\u0000pas un objet" });
    }
    return { line: k + 1, get: (f) => values.get(f)?.value ?? "", column: (f) => values.get(f)?.key ?? f };
  });
  for (const u of unknown) warnings.push({ line: 0, column: u, message: "clé inconnue, ignorée" });
  return lines;
}

function validateLine(raw: RawLine, communes: CommuneIndex, summary: ImportSummary): OrganismeInput | null {
  const errors: LineIssue[] = [];
  const reject = (field: Field, message: string) => errors.push({ line: raw.line, column: raw.column(field), message });
  const warn = (field: Field, message: string) => summary.warnings.push({ line: raw.line, column: raw.column(field), message });
  for (const f of Object.keys(ORGANISME_COLUMNS) as Field[]) {
    if (raw.get(f).startsWith("\u0000")) reject(f, raw.get(f) === "\u0000objet" ? "valeur simple attendue (texte, nombre ou liste)" : "un objet est attendu");
  }
  if (errors.length) {
    summary.rejected.push(errors[0]);
    return null;
  }

  const siret = checkSiret(raw.get("siret"), true, (m) => reject("siret", m));
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
      if (!known) warn("code_commune_insee", `code commune ${cc} absent du référentiel des communes${territoire.departementCode ? ` : seul le département ${territoire.departementCode} est déduit` : ""}`);
      input.territoire = territoire;
    }
  }
  if (!input.territoire && input.codePostal) {
    const t = communes.fromCodePostal(input.codePostal, raw.get("commune"));
    if (t) input.territoire = t;
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
    const respSiret = checkSiret(respSiretRaw, true, (m) => reject("siret_responsable", m));
    const respUai = checkUai(respUaiRaw, (m) => reject("uai_responsable", m), (m) => warn("uai_responsable", m));
    if (respSiret) input.responsable = { siret: respSiret, uai: respUai ?? null };
  } else if (respUaiRaw.trim()) {
    reject("siret_responsable", "SIRET du responsable manquant alors que son UAI est renseigné");
  }

  if (errors.length) {
    // One message per column, all of them: the user fixes the line in one go.
    summary.rejected.push(...errors);
    return null;
  }
  return input;
}

/** Normalised SIRET, or null after calling reject with a French message. */
function checkSiret(value: string, required: boolean, reject: (m: string) => void): string | null {
  const raw = value.trim();
  if (!raw) {
    if (required) reject("SIRET manquant");
    return null;
  }
  const siret = normalizeSiret(raw);
  if (!SIRET_PATTERN.test(siret)) {
    reject(`SIRET invalide (« ${raw} ») : 14 chiffres attendus`);
    return null;
  }
  if (!isValidSiret(siret)) {
    reject(`SIRET invalide (« ${raw} ») : la clé de contrôle (Luhn) est fausse`);
    return null;
  }
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
  if (!isValidUai(uai)) warn(`UAI ${uai} : la lettre de contrôle est fausse (importé, signalé dans les anomalies)`);
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
    summary.rejected.push({ line: row.line, column: col("apprentissage"), message: `valeur invalide (« ${c.apprentissage} ») : true ou false attendu` });
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
    summary.warnings.push({ line: row.line, column: col("siren"), message: `le SIREN ${c.siren.trim()} ne correspond pas au SIRET ${siret}` });
  }
  if (errors.length || !siret || !raisonSociale) {
    summary.rejected.push(...errors);
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
        if (c.codeRegion.trim() && t.regionCode && c.codeRegion.trim().padStart(2, "0") !== t.regionCode) {
          summary.warnings.push({ line: row.line, column: col("codeRegion"), message: `région ${c.codeRegion.trim()} différente de celle du code postal ${input.codePostal} (${t.regionCode}) : le code postal l'emporte` });
        }
      } else summary.warnings.push({ line: row.line, column: col("codePostal"), message: `code postal ${input.codePostal} inconnu ou ambigu : territoire non déduit` });
    } else summary.warnings.push({ line: row.line, column: col("codePostal"), message: `code postal invalide (« ${cp} ») : ignoré` });
  }
  return input;
}

// ------------------------------------------------------------------------------------------------ writing

const COMPARED = [
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

function changesFor(input: OrganismeInput, stored: StoredOrganisme | null): Partial<StoredOrganisme> {
  const wanted: Partial<StoredOrganisme> = {};
  if (input.nature !== undefined) wanted.nature = input.nature;
  if (input.raisonSociale !== undefined) wanted.raisonSociale = input.raisonSociale;
  if (input.enseigne !== undefined) wanted.enseigne = input.enseigne;
  if (input.adresse !== undefined) wanted.adresse = input.adresse;
  if (input.codePostal !== undefined) wanted.codePostal = input.codePostal;
  if (input.territoire) {
    const t = input.territoire;
    if (t.codeCommune) wanted.codeCommune = t.codeCommune;
    if (t.departementCode) {
      wanted.departementCode = t.departementCode;
      wanted.regionCode = t.regionCode;
      wanted.academieCode = t.academieCode;
      // the bassin follows the commune (null when the commune is not known precisely)
      wanted.bassinEmploiCode = t.bassinEmploiCode;
    }
  }
  if (input.qualiopi !== undefined) wanted.qualiopi = input.qualiopi;
  if (input.etatAdministratif !== undefined) wanted.etatAdministratif = input.etatAdministratif;
  if (input.reseaux !== undefined) wanted.reseaux = input.reseaux;
  if (!stored) return wanted;
  const changes: Partial<StoredOrganisme> = {};
  for (const k of COMPARED) {
    if (k in wanted && wanted[k] !== stored[k]) (changes as Record<string, unknown>)[k] = wanted[k];
  }
  if (wanted.reseaux && [...wanted.reseaux].sort().join("|") !== [...stored.reseaux].sort().join("|")) changes.reseaux = wanted.reseaux;
  return changes;
}

async function writeOrganismes(database: Database, inputs: OrganismeInput[], summary: ImportSummary, options: ImportOptions) {
  const existing = (await database.db
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
    .from(organismes)) as StoredOrganisme[];
  const bySiret = new Map<string, StoredOrganisme[]>();
  for (const o of existing) {
    const list = bySiret.get(o.siret);
    if (list) list.push(o);
    else bySiret.set(o.siret, [o]);
  }

  type Plan = { input: OrganismeInput; creates: boolean; targets: { stored: StoredOrganisme; changes: Partial<StoredOrganisme> }[] };
  const plans: Plan[] = [];
  const adopted = new Set<number>();
  for (const input of inputs) {
    const sameSiret = bySiret.get(input.siret) ?? [];
    let targets: StoredOrganisme[];
    if (input.uai) {
      const exact = sameSiret.find((o) => o.uai === input.uai);
      const withoutUai = sameSiret.find((o) => o.uai === null && !adopted.has(o.id));
      if (exact) targets = [exact];
      else if (withoutUai) {
        adopted.add(withoutUai.id);
        targets = [withoutUai];
      } else targets = [];
    } else targets = sameSiret;
    if (targets.length === 0) {
      if (input.updateOnly) {
        summary.skipped++;
        continue;
      }
      plans.push({ input, creates: true, targets: [] });
    } else {
      plans.push({
        input,
        creates: false,
        targets: targets.map((stored) => {
          const changes = changesFor(input, stored);
          if (input.uai && stored.uai === null) (changes as Record<string, unknown>).uai = input.uai;
          return { stored, changes };
        }),
      });
    }
  }

  const toCreate = plans.filter((p) => p.creates);
  const toUpdate = plans.flatMap((p) => p.targets.filter((t) => Object.keys(t.changes).length > 0));
  const total = toCreate.length + toUpdate.length;
  const report = progressReporter(options, "écriture", total, 500);
  let done = 0;

  await database.db.transaction(async (tx) => {
    for (let i = 0; i < toCreate.length; i += 500) {
      const batch = toCreate.slice(i, i + 500);
      const inserted = await tx
        .insert(organismes)
        .values(
          batch.map(({ input }) => {
            const w = changesFor(input, null);
            return {
              siret: input.siret,
              uai: input.uai,
              nature: w.nature ?? "inconnue",
              raisonSociale: w.raisonSociale ?? input.siret,
              enseigne: w.enseigne ?? null,
              adresse: w.adresse ?? null,
              codePostal: w.codePostal ?? null,
              codeCommune: w.codeCommune ?? null,
              departementCode: w.departementCode ?? null,
              regionCode: w.regionCode ?? null,
              academieCode: w.academieCode ?? null,
              bassinEmploiCode: w.bassinEmploiCode ?? null,
              reseaux: w.reseaux ?? [],
              qualiopi: w.qualiopi ?? false,
              etatAdministratif: w.etatAdministratif ?? "actif",
            };
          }),
        )
        .returning({ id: organismes.id, siret: organismes.siret, uai: organismes.uai });
      inserted.forEach((row, k) => {
        const w = changesFor(batch[k].input, null);
        const stored = { ...row, nature: w.nature ?? "inconnue" } as StoredOrganisme;
        const list = bySiret.get(row.siret);
        if (list) list.push(stored);
        else bySiret.set(row.siret, [stored]);
        batch[k].targets = [{ stored, changes: {} }];
      });
      summary.created += inserted.length;
      done += batch.length;
      report(done);
    }
    for (const { stored, changes } of toUpdate) {
      await tx
        .update(organismes)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(organismes.id, stored.id));
      Object.assign(stored, changes);
      summary.updated++;
      done++;
      report(done);
    }
    summary.unchanged = plans.filter((p) => !p.creates).flatMap((p) => p.targets).length - toUpdate.length;

    // relations formateur → responsable
    let relations = 0;
    const pairs: { formateurId: number; responsableId: number }[] = [];
    for (const plan of plans) {
      const resp = plan.input.responsable;
      if (!resp) continue;
      const candidates = (bySiret.get(resp.siret) ?? []).filter((o) => !resp.uai || o.uai === resp.uai);
      let responsable: StoredOrganisme | undefined;
      if (candidates.length === 1) responsable = candidates[0];
      else if (candidates.length > 1) {
        const responsables = candidates.filter((o) => o.nature === "responsable" || o.nature === "responsable_formateur");
        if (responsables.length === 1) responsable = responsables[0];
      }
      const column = "siret_responsable";
      if (!responsable) {
        summary.warnings.push({
          line: plan.input.line,
          column,
          message:
            candidates.length === 0
              ? `responsable SIRET ${resp.siret}${resp.uai ? ` UAI ${resp.uai}` : ""} absent du référentiel : relation non créée (importez-le, puis réimportez ce fichier)`
              : `SIRET ${resp.siret} porté par ${candidates.length} organismes : précisez l'UAI du responsable`,
        });
        continue;
      }
      for (const t of plan.targets) {
        if (t.stored.id === responsable.id) continue;
        pairs.push({ formateurId: t.stored.id, responsableId: responsable.id });
      }
    }
    for (let i = 0; i < pairs.length; i += 1000) {
      const created = await tx
        .insert(organismeRelations)
        .values(pairs.slice(i, i + 1000))
        .onConflictDoNothing()
        .returning({ f: organismeRelations.formateurId });
      relations += created.length;
    }
    summary.details["relations formateur → responsable créées"] = relations;

    // An organisme that moved (another département) moves its learners' periods and aggregates with it.
    const deplaces = toUpdate.filter((u) => "departementCode" in u.changes).map((u) => u.stored.id);
    if (deplaces.length) {
      const r = await refreshStatutStorageWhere(tx, { organismeIds: deplaces });
      summary.details["effectifs rattachés à un autre département"] = r.periodesModifiees;
    }
    await signalerModification(tx);
  });
}

/** The organisme of a (SIRET, UAI) pair, if any. */
export async function findOrganisme(database: Database, siret: string, uai: string | null) {
  const rows = await database.db
    .select()
    .from(organismes)
    .where(and(eq(organismes.siret, siret), uai ? eq(organismes.uai, uai) : sql`${organismes.uai} is null`));
  return rows[0] ?? null;
}
