/**
 * Import of the catalogue of formations, from
 * - the BCN table N_FORMATION_DIPLOME (CSV, `;` or `|`, ISO-8859-1 or UTF-8, dates DD/MM/YYYY), recognised by its
 *   FORMATION_DIPLOME column: CFD, niveau (NIVEAU_QUALIFICATION_RNCP, else the old level of
 *   NIVEAU_FORMATION_DIPLOME / of the CFD), intitulés, dates d'ouverture / de fermeture;
 * - a catalogue CSV (docs/formats/README.md): cfd, rncp, niveau, intitule, intitule_court, duree, duree_mois and,
 *   per line, the organismes that teach it (uai/siret_formateur, uai/siret_responsable, code_commune_lieu). The
 *   formateur → responsable pair adds a relation between the two organismes when both are in the référentiel.
 *
 * A formation is keyed on its CFD, else its RNCP code. An empty cell never erases a stored value.
 * A line repeated for the same formation (one line per organisme in a catalogue) is not an error.
 * A line without CFD designates the formation that carries its RNCP code once the file is applied: the one with a
 * CFD that carries it (stored, or given by another line of the file), else the stored one without CFD, else a new
 * one; never a second formation with that code beside one with a CFD (effectifs are linked by RNCP only to a code
 * that one formation carries). When several formations with a CFD carry it, the line is rejected (give the CFD).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, chunkAfterId, execRows, readByChunks, type Database } from "../../db/client.server";
import { formations, organismes } from "../../db/schema";
import { normalizeHeader } from "../shared/csv";
import { CODE_COMMUNE_PATTERN, cleSiretFausse, isValidCfd, isValidRncp, isValidSiret, isValidUai, niveauFromCfd, normalizeRncp, normalizeSiret, normalizeUai, SIRET_PATTERN } from "./codes";
import { linkEffectifsToFormations } from "./link-formations.server";
import {
  ImportFileError,
  emptySummary,
  exigerDesDonnees,
  mapColumns,
  normalizeText,
  parseFrenchDate,
  progressReporter,
  readTable,
  rejeter,
  signaler,
  signalerTable,
  type ImportOptions,
  type ImportSummary,
  type LineIssue,
  warningsOfRejectedLines,
} from "./import-common.server";
import { refreshStatutStorageWhere } from "../statut/storage.server";
import { signalerModification } from "../indicateurs/modifications.server";
import { ImportStaging, columnList, compterLignes, pauses, readRelations, setNamedColumns, statistiquesApresImport } from "./import-tranches.server";

export type FormationFileFormat = "bcn" | "catalogue";

export const BCN_COLUMNS = {
  FORMATION_DIPLOME: [],
  NIVEAU_FORMATION_DIPLOME: [],
  NIVEAU_QUALIFICATION_RNCP: [],
  LIBELLE_COURT: [],
  LIBELLE_STAT_33: [],
  LIBELLE_LONG_200: [],
  DATE_OUVERTURE: [],
  DATE_FERMETURE: [],
} satisfies Record<string, string[]>;

export const CATALOGUE_COLUMNS = {
  cfd: ["code_formation_diplome", "code_cfd", "formation_cfd", "code_formation"],
  rncp: ["code_rncp", "rncp_code", "formation_rncp", "fiche_rncp"],
  niveau: ["niveau_formation", "niveau_europeen", "niveau_qualification", "niveau_formation_diplome"],
  intitule: ["intitule_long", "libelle", "libelle_long", "intitule_formation", "libelle_formation"],
  intitule_court: ["libelle_court", "intitule_court_formation"],
  duree: ["duree_annees", "duree_formation"],
  duree_mois: ["duree_en_mois"],
  date_ouverture: [],
  date_fermeture: [],
  uai_formateur: ["etablissement_formateur_uai", "formateur_uai"],
  siret_formateur: ["etablissement_formateur_siret", "formateur_siret"],
  uai_responsable: ["etablissement_responsable_uai", "responsable_uai", "uai_gestionnaire", "etablissement_gestionnaire_uai"],
  siret_responsable: ["etablissement_responsable_siret", "responsable_siret", "siret_gestionnaire", "etablissement_gestionnaire_siret"],
  code_commune_lieu: ["lieu_code_commune_insee", "code_commune_insee_lieu", "code_commune_insee", "code_commune"],
} satisfies Record<string, string[]>;
type CatalogueField = keyof typeof CATALOGUE_COLUMNS;

interface FormationInput {
  line: number;
  cfd: string | null;
  rncp: string | null;
  niveau?: number;
  /**
   * The level guessed from the CFD's first character, when the line gives none: it fills a formation without a
   * level, never replaces a stored one (an empty cell never erases: a BCN import then a catalogue import must not
   * move learners between two levels at each turn).
   */
  niveauDeduit?: number;
  intituleCourt?: string;
  intituleLong?: string;
  dureeAnnees?: number;
  dureeMois?: number;
  dateOuverture?: string;
  dateFermeture?: string;
  /** The organismes of a catalogue line, and its lieu (code commune INSEE, when valid). */
  offre?: {
    formateur?: { siret: string | null; uai: string | null };
    responsable?: { siret: string | null; uai: string | null };
    lieu: string | null;
  };
}

type StoredFormation = {
  id: number;
  cfd: string | null;
  rncp: string | null;
  niveau: number | null;
  intituleCourt: string | null;
  intituleLong: string;
  dureeAnnees: number | null;
  dureeMois: number | null;
  dateOuverture: string | null;
  dateFermeture: string | null;
};

const FORMAT_LABELS: Record<FormationFileFormat, string> = {
  bcn: "BCN N_FORMATION_DIPLOME",
  catalogue: "catalogue des formations (CSV)",
};

/** The format's label, naming the file actually read: a workbook is not a CSV. */
function formatLabel(format: FormationFileFormat, sheet: string | undefined): string {
  if (!sheet) return FORMAT_LABELS[format];
  return format === "bcn" ? `BCN N_FORMATION_DIPLOME (XLSX, feuille « ${sheet} »)` : `catalogue des formations (XLSX, feuille « ${sheet} »)`;
}

export interface FormationImportOptions extends ImportOptions {
  format?: FormationFileFormat;
  /**
   * The file gives the whole offer of each organisme formateur it cites: their offers it no longer cites are
   * removed (never those of organismes it does not cite; nothing is removed when a line is rejected).
   */
  offreComplete?: boolean;
}

/** Imports a formations file (BCN N_FORMATION_DIPLOME or catalogue CSV; detected unless `format` is given). */
export async function importFormations(database: Database, bytes: Uint8Array, options: FormationImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now();
  options.onProgress?.({ phase: "lecture", done: 0, total: 0 });
  const table = await readTable(bytes, ["FORMATION_DIPLOME", "cfd", "rncp", "code_rncp"]);
  const keys = table.header.map(normalizeHeader);
  const format: FormationFileFormat = options.format ?? (keys.includes("formation_diplome") ? "bcn" : "catalogue");
  const summary = emptySummary("formations", formatLabel(format, table.sheet), options.fileName);
  summary.encoding = table.encoding;
  summary.delimiter = table.delimiter;
  summary.lines = table.rows.length;
  signalerTable(summary, table);
  const report = progressReporter(options, "validation", table.rows.length, 2000);
  const inputs: FormationInput[] = [];
  let rncpColumn = "rncp";
  const pause = pauses();

  if (format === "bcn") {
    const { index, names } = mapColumns(table.header, BCN_COLUMNS);
    const missing = (["FORMATION_DIPLOME"] as const).filter((k) => index[k] === undefined);
    if (missing.length || (index.LIBELLE_LONG_200 === undefined && index.LIBELLE_STAT_33 === undefined && index.LIBELLE_COURT === undefined)) {
      throw new ImportFileError(
        `Fichier illisible : la table BCN N_FORMATION_DIPLOME doit avoir les colonnes FORMATION_DIPLOME et LIBELLE_LONG_200 (ou LIBELLE_STAT_33). En-tête lu : ${table.header
          .slice(0, 12)
          .map((h) => `« ${h} »`)
          .join(", ")}${table.header.length > 12 ? "…" : ""}.`,
      );
    }
    // a BCN table describes diplomas, not who teaches them: « offre complète » has no offer to complete
    if (options.offreComplete) {
      signaler(summary, {
        line: 0,
        message: "offre complète ignorée : une table BCN N_FORMATION_DIPLOME ne décrit aucune offre (l'offre complète se donne avec le catalogue des formations)",
      });
    }
    const seen = new Map<string, number>();
    for (let k = 0; k < table.rows.length; k++) {
      await pause();
      const row = table.rows[k];
      const get = (c: keyof typeof BCN_COLUMNS) => (index[c] !== undefined ? (row.cells[index[c]!] ?? "").trim() : "");
      const col = (c: keyof typeof BCN_COLUMNS) => names[c] ?? c;
      const errors: LineIssue[] = [];
      const cfd = get("FORMATION_DIPLOME").toUpperCase();
      if (!cfd) errors.push({ line: row.line, column: col("FORMATION_DIPLOME"), message: "code formation diplôme (CFD) manquant" });
      else if (!isValidCfd(cfd)) errors.push({ line: row.line, column: col("FORMATION_DIPLOME"), message: `CFD invalide (« ${cfd} ») : 8 chiffres ou lettres majuscules attendus` });
      const input: FormationInput = { line: row.line, cfd, rncp: null };
      const niveauRncpRaw = get("NIVEAU_QUALIFICATION_RNCP");
      const niveauRncp = /^0?[3-8]$/.test(niveauRncpRaw) ? Number(niveauRncpRaw) : null;
      const ancien = get("NIVEAU_FORMATION_DIPLOME");
      let deduit: string | null = null;
      if (niveauRncp !== null) input.niveau = niveauRncp;
      else if (ancien && niveauFromCfd(ancien)) {
        input.niveau = niveauFromCfd(ancien)!;
        deduit = `niveau ${input.niveau} déduit de ${col("NIVEAU_FORMATION_DIPLOME")} (« ${ancien} »)`;
      } else if (cfd && niveauFromCfd(cfd)) {
        input.niveauDeduit = niveauFromCfd(cfd)!;
        deduit = `niveau ${input.niveauDeduit} déduit du CFD (s'il n'en a pas déjà un)`;
      }
      // a level given but not one of 3 to 8 (as the catalogue CSV refuses it): said, never replaced silently
      if (niveauRncpRaw && niveauRncp === null) {
        signaler(summary, {
          line: row.line,
          column: col("NIVEAU_QUALIFICATION_RNCP"),
          message: `niveau invalide (« ${niveauRncpRaw.slice(0, 20)} ») : un niveau européen de 3 à 8 est attendu ; ${deduit ?? "aucun niveau importé"}`,
        });
      } else if (!niveauRncpRaw && !ancien && !deduit && isValidCfd(cfd)) {
        // nothing to read the level from: said, as the other levels not deduced
        signaler(summary, {
          line: row.line,
          column: col("FORMATION_DIPLOME"),
          message: `niveau non déduit : ni ${col("NIVEAU_QUALIFICATION_RNCP")} ni ${col("NIVEAU_FORMATION_DIPLOME")}, et le 1er caractère du CFD (« ${cfd.slice(0, 1)} ») n'est pas un ancien niveau de 1 à 5 ; aucun niveau importé (un niveau déjà enregistré est gardé)`,
        });
      } else if (!niveauRncpRaw && ancien && !niveauFromCfd(ancien)) {
        // the old level is the only one given, and it is none of the known ones
        summary.warnings.push({
          line: row.line,
          column: col("NIVEAU_FORMATION_DIPLOME"),
          message: `niveau de formation inconnu (« ${ancien.slice(0, 20)} ») : un code commençant par 1 à 5 est attendu ; ${deduit ?? "aucun niveau importé"}`,
        });
      }
      const intituleLong = normalizeText(get("LIBELLE_LONG_200")) ?? normalizeText(get("LIBELLE_STAT_33")) ?? normalizeText(get("LIBELLE_COURT"));
      if (!intituleLong) errors.push({ line: row.line, column: col("LIBELLE_LONG_200"), message: "intitulé manquant" });
      else input.intituleLong = intituleLong;
      const court = normalizeText([get("LIBELLE_COURT"), get("LIBELLE_STAT_33")].filter(Boolean).join(" "));
      if (court) input.intituleCourt = court;
      for (const [c, key] of [
        ["DATE_OUVERTURE", "dateOuverture"],
        ["DATE_FERMETURE", "dateFermeture"],
      ] as const) {
        const raw = get(c);
        const date = parseFrenchDate(raw);
        if (date === undefined) errors.push({ line: row.line, column: col(c), message: `date invalide (« ${raw} ») : JJ/MM/AAAA attendu` });
        else if (date) input[key] = date;
      }
      if (input.dateOuverture && input.dateFermeture && input.dateFermeture < input.dateOuverture) {
        signaler(summary, { line: row.line, column: col("DATE_FERMETURE"), message: "date de fermeture antérieure à la date d'ouverture" });
      }
      if (errors.length) rejeter(summary, errors);
      else {
        const previous = seen.get(cfd);
        if (previous) signaler(summary, { line: row.line, column: col("FORMATION_DIPLOME"), message: `CFD ${cfd} déjà présent ligne ${previous} : la dernière ligne l'emporte` });
        seen.set(cfd, row.line);
        inputs.push(input);
      }
      report(k + 1);
    }
  } else {
    const { index, names, unknown } = mapColumns(table.header, CATALOGUE_COLUMNS);
    if (index.cfd === undefined && index.rncp === undefined) {
      throw new ImportFileError(
        `Fichier illisible : une colonne « cfd » ou « rncp » est attendue (ou la table BCN N_FORMATION_DIPLOME). En-tête lu : ${table.header.map((h) => `« ${h} »`).join(", ")}.`,
      );
    }
    for (const u of unknown) signaler(summary, { line: 1, column: u, message: "colonne inconnue, ignorée" });
    rncpColumn = names.rncp ?? rncpColumn;
    for (let k = 0; k < table.rows.length; k++) {
      await pause();
      const input = validateCatalogueLine(table.rows[k], index, names, summary);
      if (input) inputs.push(input);
      report(k + 1);
    }
  }

  exigerDesDonnees(table.rows.length);
  await writeFormations(database, inputs, summary, options, rncpColumn);
  // the lines rejected when the file is applied (an ambiguous RNCP code…) among those of the validation: in file order
  warningsOfRejectedLines(summary);
  if (summary.created + summary.updated > 0) {
    const linked = await linkEffectifsToFormations(database);
    summary.details["effectifs rattachés au catalogue"] = linked.parCfd + linked.parRncp;
    summary.details["effectifs aux codes formation inconnus"] = linked.codesInconnus;
  }
  summary.durationMs = Date.now() - started;
  options.onProgress?.({ phase: "terminé", done: table.rows.length, total: table.rows.length });
  return summary;
}

function validateCatalogueLine(
  row: { line: number; cells: string[] },
  index: Partial<Record<CatalogueField, number>>,
  names: Partial<Record<CatalogueField, string>>,
  summary: ImportSummary,
): FormationInput | null {
  const get = (f: CatalogueField) => (index[f] !== undefined ? (row.cells[index[f]!] ?? "").trim() : "");
  const col = (f: CatalogueField) => names[f] ?? f;
  const errors: LineIssue[] = [];
  const reject = (f: CatalogueField, message: string) => errors.push({ line: row.line, column: col(f), message });
  const warn = (f: CatalogueField, message: string) => signaler(summary, { line: row.line, column: col(f), message });

  const cfdRaw = get("cfd").toUpperCase();
  let cfd: string | null = null;
  if (cfdRaw) {
    if (isValidCfd(cfdRaw)) cfd = cfdRaw;
    else reject("cfd", `CFD invalide (« ${cfdRaw} ») : 8 chiffres ou lettres majuscules attendus`);
  }
  const rncpRaw = get("rncp");
  let rncp: string | null = null;
  if (rncpRaw) {
    if (isValidRncp(rncpRaw)) rncp = normalizeRncp(rncpRaw);
    else reject("rncp", `code RNCP invalide (« ${rncpRaw} ») : RNCP suivi de 2 à 5 chiffres attendu (par exemple RNCP34566)`);
  }
  if (!cfdRaw && !rncpRaw) reject(index.cfd !== undefined ? "cfd" : "rncp", "ni CFD ni code RNCP : la formation ne peut pas être identifiée");
  const input: FormationInput = { line: row.line, cfd, rncp };

  const niveauRaw = get("niveau");
  if (niveauRaw) {
    const m = /^(?:niveau\s*)?([3-8])$/i.exec(niveauRaw);
    if (m) input.niveau = Number(m[1]);
    else reject("niveau", `niveau invalide (« ${niveauRaw} ») : un niveau européen de 3 à 8 est attendu`);
  } else if (cfd && niveauFromCfd(cfd)) input.niveauDeduit = niveauFromCfd(cfd)!;
  const intitule = normalizeText(get("intitule"));
  if (intitule) input.intituleLong = intitule;
  const court = normalizeText(get("intitule_court"));
  if (court) input.intituleCourt = court;
  for (const [f, key, max] of [
    ["duree", "dureeAnnees", 9],
    ["duree_mois", "dureeMois", 99],
  ] as const) {
    const raw = get(f);
    if (!raw) continue;
    if (/^[0-9]+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= max) input[key] = Number(raw);
    else reject(f, `durée invalide (« ${raw} ») : un nombre entier de 1 à ${max} est attendu`);
  }
  for (const [f, key] of [
    ["date_ouverture", "dateOuverture"],
    ["date_fermeture", "dateFermeture"],
  ] as const) {
    const raw = get(f);
    const date = parseFrenchDate(raw);
    if (date === undefined) reject(f, `date invalide (« ${raw} ») : JJ/MM/AAAA attendu`);
    else if (date) input[key] = date;
  }

  // The organismes that teach it: never reject the formation for them, warn.
  const organisme = (uaiField: CatalogueField, siretField: CatalogueField) => {
    const uaiRaw = get(uaiField);
    const siretRaw = get(siretField);
    if (!uaiRaw && !siretRaw) return undefined;
    let uai: string | null = null;
    let siret: string | null = null;
    if (uaiRaw) {
      const u = normalizeUai(uaiRaw);
      if (isValidUai(u)) uai = u;
      else warn(uaiField, `UAI invalide (« ${uaiRaw} ») : ignoré`);
    }
    if (siretRaw) {
      const s = normalizeSiret(siretRaw);
      if (isValidSiret(s)) siret = s;
      else warn(siretField, `SIRET invalide (« ${siretRaw} ») : ${SIRET_PATTERN.test(s) ? cleSiretFausse(s) : "14 chiffres attendus"} ; ignoré`);
    }
    return uai || siret ? { uai, siret } : undefined;
  };
  const formateur = organisme("uai_formateur", "siret_formateur");
  const responsable = organisme("uai_responsable", "siret_responsable");
  const lieu = get("code_commune_lieu").toUpperCase();
  const lieuValide = lieu && CODE_COMMUNE_PATTERN.test(lieu.padStart(5, "0")) ? lieu.padStart(5, "0") : null;
  if (lieu && !lieuValide) warn("code_commune_lieu", `code commune INSEE invalide (« ${lieu} ») : ignoré`);
  if (formateur || responsable) input.offre = { formateur, responsable, lieu: lieuValide };

  if (errors.length) {
    rejeter(summary, errors);
    return null;
  }
  return input;
}

/** A formation of the file is keyed on its CFD, else its RNCP code. */
function formationKey(input: { cfd: string | null; rncp: string | null }): string {
  return input.cfd ? `cfd:${input.cfd}` : `rncp:${input.rncp}`;
}

const FIELDS = ["niveau", "intituleCourt", "intituleLong", "dureeAnnees", "dureeMois", "dateOuverture", "dateFermeture"] as const;

/**
 * Writes the valid lines: the catalogue is read by chunks, the writes are set down by chunks, then applied in one
 * transaction (decision 021): the other users are not kept waiting, and nothing is written unless everything is.
 */
async function writeFormations(database: Database, inputs: FormationInput[], summary: ImportSummary, options: FormationImportOptions, rncpColumn: string) {
  const pause = pauses();
  const existing = await readByChunks(
    (after: number | undefined) =>
      chunkAfterId(
        database.db
          .select({
            id: formations.id,
            cfd: formations.cfd,
            rncp: formations.rncp,
            niveau: formations.niveau,
            intituleCourt: formations.intituleCourt,
            intituleLong: formations.intituleLong,
            dureeAnnees: formations.dureeAnnees,
            dureeMois: formations.dureeMois,
            dateOuverture: formations.dateOuverture,
            dateFermeture: formations.dateFermeture,
          })
          .from(formations)
          .$dynamic(),
        formations.id,
        after,
      ) as Promise<StoredFormation[]>,
    (f) => f.id,
  );
  const byCfd = new Map(existing.filter((f) => f.cfd).map((f) => [f.cfd!, f]));
  const byRncpOnly = new Map(existing.filter((f) => !f.cfd && f.rncp).map((f) => [f.rncp!, f]));

  // The RNCP code each CFD of the file carries once the file is applied (the last one given, else the stored one).
  const cfdRncp = new Map<string, string | null>();
  /** The first line that gives a CFD its RNCP code, by `cfd|rncp`. */
  const premiereLigne = new Map<string, number>();
  for (const input of inputs) {
    await pause();
    if (!input.cfd) continue;
    if (input.rncp && !premiereLigne.has(`${input.cfd}|${input.rncp}`)) premiereLigne.set(`${input.cfd}|${input.rncp}`, input.line);
    if (input.rncp) cfdRncp.set(input.cfd, input.rncp);
    else if (!cfdRncp.has(input.cfd)) cfdRncp.set(input.cfd, byCfd.get(input.cfd)?.rncp ?? null);
  }
  // A new CFD whose RNCP code a stored formation without CFD carries takes that formation (gives it its CFD).
  const adoptions = new Map<string, StoredFormation>();
  const adoptedBy = new Map<string, string>();
  for (const [cfd, rncp] of cfdRncp) {
    const adopt = !byCfd.has(cfd) && rncp ? byRncpOnly.get(rncp) : undefined;
    if (adopt && !adoptedBy.has(rncp!)) {
      adoptions.set(cfd, adopt);
      adoptedBy.set(rncp!, cfd);
    }
  }
  // RNCP code → the CFDs of the formations that carry it once the file is applied.
  const rncpCfds = new Map<string, string[]>();
  const carries = (rncp: string, cfd: string) => {
    const list = rncpCfds.get(rncp);
    if (list) list.push(cfd);
    else rncpCfds.set(rncp, [cfd]);
  };
  for (const f of existing) if (f.cfd && f.rncp && !cfdRncp.has(f.cfd)) carries(f.rncp, f.cfd);
  for (const [cfd, rncp] of cfdRncp) if (rncp) carries(rncp, cfd);
  // An RNCP code the file gives to a CFD while another CFD carries it: the effectifs sent with that code alone are
  // linked only to a code one formation carries (link-formations.server.ts), they would no longer be. Said on the
  // first line that gives it, unless the stored formation already carried it (nothing changes).
  for (const [cfd, rncp] of cfdRncp) {
    if (!rncp || byCfd.get(cfd)?.rncp === rncp) continue;
    const others = (rncpCfds.get(rncp) ?? []).filter((c) => c !== cfd).sort();
    if (!others.length) continue;
    signaler(summary, {
      line: premiereLigne.get(`${cfd}|${rncp}`)!,
      column: rncpColumn,
      message:
        `code RNCP ${rncp} déjà porté par ${others.length === 1 ? "la formation de CFD" : "les formations de CFD"} ${others.join(", ")} : ` +
        "porté par plusieurs formations, il ne rattache plus au catalogue les effectifs transmis avec ce seul code (sans CFD) ; vérifiez le code RNCP",
    });
  }

  // The formation each line designates: its CFD, else the formation that carries its RNCP code (see the header).
  const keyOf = new Map<FormationInput, string>();
  let parRncp = 0;
  const doublonSignale = new Set<string>();
  for (const input of inputs) {
    await pause();
    if (input.cfd) {
      keyOf.set(input, formationKey(input));
      continue;
    }
    const rncp = input.rncp!;
    const cfds = [...(rncpCfds.get(rncp) ?? [])].sort();
    const adopter = adoptedBy.get(rncp);
    if (adopter) keyOf.set(input, `cfd:${adopter}`);
    else if (byRncpOnly.has(rncp)) {
      // already stored twice (a formation without CFD beside one with): the one without CFD, as before; said once
      if (cfds.length && !doublonSignale.has(rncp)) {
        doublonSignale.add(rncp);
        signaler(summary, {
          line: input.line,
          column: rncpColumn,
          message: `code RNCP ${rncp} porté par une formation sans CFD et par ${cfds.length > 1 ? "les formations" : "la formation"} de CFD ${cfds.join(", ")} : la formation sans CFD est mise à jour (doublon à résorber)`,
        });
      }
      keyOf.set(input, formationKey(input));
    } else if (cfds.length === 1) {
      keyOf.set(input, `cfd:${cfds[0]}`);
      parRncp++;
    } else if (cfds.length > 1) {
      rejeter(summary, { line: input.line, column: rncpColumn, message: `code RNCP ${rncp} porté par plusieurs formations (CFD ${cfds.join(", ")}) : indiquez le CFD` });
    } else keyOf.set(input, formationKey(input));
  }
  if (parRncp) summary.details["lignes sans CFD rattachées par leur code RNCP à une formation qui a un CFD"] = parRncp;
  const accepted = inputs.filter((input) => keyOf.has(input));

  // Merge the lines of one formation in file order (last non-empty value wins).
  const merged = new Map<string, FormationInput & { lines: number[] }>();
  for (const input of accepted) {
    await pause();
    const key = keyOf.get(input)!;
    const m = merged.get(key);
    if (!m) merged.set(key, { ...input, cfd: key.startsWith("cfd:") ? key.slice(4) : null, lines: [input.line] });
    else {
      m.lines.push(input.line);
      if (input.rncp) m.rncp = input.rncp;
      if (input.niveauDeduit !== undefined) m.niveauDeduit = input.niveauDeduit;
      for (const f of FIELDS) if (input[f] !== undefined) (m as unknown as Record<string, unknown>)[f] = input[f];
    }
  }

  const creates: (FormationInput & { lines: number[] })[] = [];
  const updates: { id: number; changes: Record<string, unknown> }[] = [];
  const ids = new Map<string, number>();
  for (const [key, input] of merged) {
    await pause();
    const adopt = input.cfd ? adoptions.get(input.cfd) : undefined;
    const stored = input.cfd ? (byCfd.get(input.cfd) ?? adopt) : byRncpOnly.get(input.rncp!);
    if (!stored) {
      if (!input.intituleLong) {
        rejeter(summary, { line: input.lines[0], column: "intitule", message: "intitulé manquant pour une formation absente du catalogue" });
        continue;
      }
      creates.push(input);
      continue;
    }
    ids.set(key, stored.id);
    const changes: Record<string, unknown> = {};
    if (adopt) changes.cfd = input.cfd;
    if (input.rncp && input.rncp !== stored.rncp) changes.rncp = input.rncp;
    for (const f of FIELDS) if (input[f] !== undefined && input[f] !== stored[f]) changes[f] = input[f];
    if (input.niveau === undefined && input.niveauDeduit !== undefined && stored.niveau === null) changes.niveau = input.niveauDeduit;
    if (Object.keys(changes).length) updates.push({ id: stored.id, changes });
    else summary.unchanged++;
  }

  // Catalogue lines naming a formateur and its responsable: the offer, and a relation between the two organismes.
  // The organismes are read by chunks; a formation the file creates is designated by its key (no id before the apply).
  const withOffre = accepted.filter((i) => i.offre);
  const written = new Set([...ids.keys(), ...creates.map(formationKey)]);
  const pairs = new Map<string, { formateur_id: number; responsable_id: number }>();
  const offres = new Map<string, { formation_id: number | null; cle: string; organisme_formateur_id: number; organisme_responsable_id: number | null; code_commune_lieu: string | null }>();
  let unknown = 0;
  if (withOffre.length) {
    const known = await readRelations(database);
    const orgs = await readByChunks(
      (after: number | undefined) =>
        chunkAfterId(
          database.db
            .select({ id: organismes.id, siret: organismes.siret, uai: organismes.uai })
            .from(organismes)
            .$dynamic(),
          organismes.id,
          after,
        ),
      (o) => o.id,
    );
    const bySiret = new Map<string, typeof orgs>();
    const byUai = new Map<string, typeof orgs>();
    for (const o of orgs) {
      bySiret.set(o.siret, [...(bySiret.get(o.siret) ?? []), o]);
      if (o.uai) byUai.set(o.uai, [...(byUai.get(o.uai) ?? []), o]);
    }
    const find = (o: { siret: string | null; uai: string | null } | undefined) => {
      if (!o) return undefined;
      const pool = o.siret ? (bySiret.get(o.siret) ?? []) : (byUai.get(o.uai!) ?? []);
      const c = pool.filter((x) => !o.uai || x.uai === o.uai);
      return c.length === 1 ? c[0] : undefined;
    };
    for (const input of withOffre) {
      await pause();
      const f = find(input.offre!.formateur);
      const r = find(input.offre!.responsable);
      // The offer: who teaches (the formateur, else a responsable that teaches itself), for whom, where.
      const enseigne = input.offre!.formateur ? f : r;
      const cle = keyOf.get(input)!;
      if (enseigne && written.has(cle)) {
        const offre = {
          formation_id: ids.get(cle) ?? null,
          cle,
          organisme_formateur_id: enseigne.id,
          organisme_responsable_id: r && r.id !== enseigne.id ? r.id : null,
          code_commune_lieu: input.offre!.lieu,
        };
        offres.set(`${cle}|${offre.organisme_formateur_id}|${offre.organisme_responsable_id}|${offre.code_commune_lieu}`, offre);
      }
      for (const [o, found, column] of [
        [input.offre!.formateur, f, "siret_formateur"],
        [input.offre!.responsable, r, "siret_responsable"],
      ] as const) {
        if (o && !found) {
          unknown++;
          signaler(summary, {
            line: input.line,
            column,
            message: `organisme ${[o.siret && `SIRET ${o.siret}`, o.uai && `UAI ${o.uai}`].filter(Boolean).join(" ")} absent du référentiel (ou ambigu)`,
          });
        }
      }
      if (f && r && f.id !== r.id && !known.has(`${f.id}|${r.id}`)) pairs.set(`${f.id}-${r.id}`, { formateur_id: f.id, responsable_id: r.id });
    }
  }

  // Set down by chunks, then applied in one transaction (decision 021).
  const total = creates.length + updates.length;
  options.onProgress?.({ phase: "écriture", done: 0, total });
  await ImportStaging.run(database, "des formations", async (staging) => {
    /** The offers the file cites (staged), once the apply has given their formations an id. */
    let citees: SQL | undefined;
    await staging.add(
      CREEES,
      creates.map((f) => ({
        cfd: f.cfd,
        rncp: f.rncp,
        niveau: f.niveau ?? f.niveauDeduit ?? null,
        intitule_court: f.intituleCourt ?? null,
        intitule_long: f.intituleLong!,
        duree_annees: f.dureeAnnees ?? null,
        duree_mois: f.dureeMois ?? null,
        date_ouverture: f.dateOuverture ?? null,
        date_fermeture: f.dateFermeture ?? null,
      })),
      (done) => options.onProgress?.({ phase: "écriture", done, total }),
    );
    await staging.add(
      MODIFIEES,
      updates.map((u) => ({ id: u.id, ...Object.fromEntries(Object.entries(u.changes).map(([k, v]) => [formations[k as Written].name, v])) })),
      (done) => options.onProgress?.({ phase: "écriture", done: creates.length + done, total }),
    );
    await staging.add(RELATIONS, [...pairs.values()]);
    await staging.add(OFFRES, [...offres.values()]);

    await database.db.transaction(async (tx) => {
      const columns = WRITTEN.map((k) => formations[k].name);
      const creees = await execRows<{ id: number; cfd: string | null; rncp: string | null }>(tx, sql`
        insert into formations (${columnList(columns)})
        select ${columnList(columns, "r")} from ${staging.rows(CREEES, "formations")} as r order by r.seq
        returning id, cfd, rncp`);
      for (const c of creees) ids.set(formationKey(c), c.id);
      summary.created += creees.length;
      // only the values a line changed: what another writer changed since the catalogue was read is kept
      summary.updated += await compterLignes(tx, sql`
        update formations f set ${setNamedColumns(columns, "f")}, updated_at = now()
        from ${staging.rows(MODIFIEES, "formations")} as r
        where f.id = r.id
        returning 1`);

      if (withOffre.length) {
        summary.details["relations formateur → responsable créées"] = await compterLignes(tx, sql`
          insert into organisme_relations (formateur_id, responsable_id)
          select r.formateur_id, r.responsable_id from ${staging.rows(RELATIONS, "organisme_relations")} as r
          on conflict do nothing
          returning 1`);
        // The offers cited, each with its formation's id (a formation created above: by its key).
        const nouvelles = creees.map((c) => formationKey(c));
        citees = sql`(select r.seq, coalesce(r.formation_id, c.id) as formation_id, r.organisme_formateur_id, r.organisme_responsable_id,
            r.code_commune_lieu
          from ${staging.rows(OFFRES, "offres_formation")} as r
          left join unnest(${arrayParam(nouvelles)}::text[], ${arrayParam(nouvelles.map((k) => ids.get(k)))}::int[]) as c(cle, id)
            on r.formation_id is null and c.cle = r.data->>'cle')`;
        const creeesOffres = await compterLignes(tx, sql`
          insert into offres_formation (formation_id, organisme_formateur_id, organisme_responsable_id, code_commune_lieu)
          select o.formation_id, o.organisme_formateur_id, o.organisme_responsable_id, o.code_commune_lieu
          from ${citees} as o order by o.seq
          on conflict on constraint offres_formation_key do nothing
          returning 1`);
        summary.details["offres de formation créées"] = creeesOffres;
        summary.details["offres de formation déjà connues"] = offres.size - creeesOffres;
        if (options.offreComplete) {
          if (summary.rejected.length) {
            // first: the warnings kept are the first ones
            summary.warnings.unshift({
              line: 0,
              message:
                "Offre complète demandée, mais des lignes sont rejetées : aucune offre n'a été retirée (une ligne rejetée peut être une offre " +
                "toujours proposée). Corrigez ces lignes et relancez l'import.",
            });
          } else {
            const formateurs = [...new Set([...offres.values()].map((o) => o.organisme_formateur_id))];
            summary.details["offres de formation retirées (plus citées pour leur organisme formateur)"] = await compterLignes(tx, sql`
              delete from offres_formation o
              -- as an array parameter: a national catalogue cites thousands of organismes formateurs
              where o.organisme_formateur_id = any(${arrayParam(formateurs)}::int[])
                and not exists (select 1 from ${citees} as c ${memeOffre})
              returning 1`);
          }
        }
        summary.details["organismes cités absents du référentiel"] = unknown;
      }

      // A formation whose niveau changed moves its learners' periods and aggregates to the new niveau.
      const renivelees = updates.filter((u) => "niveau" in u.changes).map((u) => u.id);
      if (renivelees.length) {
        const r = await refreshStatutStorageWhere(tx, { formationIds: renivelees });
        summary.details["effectifs passés à un autre niveau"] = r.periodesModifiees;
      }
      await signalerModification(tx);
    });
    // The offers already known that the file cites: their date (the last import that listed them) is refreshed
    // after the transaction, by chunks: on a national catalogue, most offers are known, and this date is all that
    // changes for them.
    if (citees) {
      const offresCitees = citees;
      for (let from = 0; from < offres.size; from += REFRESH_CHUNK) {
        await database.rows(sql`
          update offres_formation o set updated_at = now()
          from ${offresCitees} as c
          ${memeOffre} and c.seq > ${from} and c.seq <= ${from + REFRESH_CHUNK}`);
        await nextTurn();
      }
    }
  });
  await statistiquesApresImport(database, "formations", summary.created + summary.updated);
}

/** `where` an offer `o` is the cited offer `c` (the offer's key, null values compared as equal). */
const memeOffre = sql`where c.formation_id = o.formation_id and c.organisme_formateur_id = o.organisme_formateur_id
  and c.organisme_responsable_id is not distinct from o.organisme_responsable_id and c.code_commune_lieu is not distinct from o.code_commune_lieu`;

/** Cited offers whose date is refreshed per statement, after the transaction. */
const REFRESH_CHUNK = 1000;

/** The staged rows of a formations import. */
const CREEES = "formations:créées";
const MODIFIEES = "formations:modifiées";
const RELATIONS = "formations:relations";
const OFFRES = "formations:offres";

/** The columns an import writes. */
const WRITTEN = ["cfd", "rncp", ...FIELDS] as const satisfies readonly (keyof StoredFormation & keyof typeof formations)[];
type Written = (typeof WRITTEN)[number];
