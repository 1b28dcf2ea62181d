/**
 * The upload of a CSV or XLSX file of effectifs (page /televersement): who may upload for which organisme, file
 * reading, the short-lived upload record, the mapping and preview steps, and the import through the pipeline
 * (source FICHIER).
 *
 * Who (policy module): a signed-in ORGANISME_FORMATION user for its organismes (its own and its formateurs: the
 * viewer's scope); a national administrator for any organisme. Visitors who are not signed in are sent to the
 * login page; other signed-in users get a 403.
 *
 * The table of a file is found as people make them (decision 026, app/ingestion/entete.ts): the workbook's sheet
 * whose header row is recognised (not a « Lisez-moi » nor a hidden sheet before it), the header row under a title, a
 * file without a header row read from its first line (« Colonne N »); the page says how it was read (`notesLecture`).
 *
 * The upload record stores the file's header and rows (each row prefixed with its line number in the file) and how
 * it was read (`lecture`) for 24 hours; the mapping travels in the page's form (col_0, col_1…). A file without établissement columns is the
 * chosen organisme's, as formateur; as responsable too, unless the référentiel gives the organisme exactly one
 * responsable (organisme_relations): then that one.
 *
 * Errors are said in the file's terms, in the preview and in the stored transmission alike: the conversion's own
 * (dates as typed, see mapping.ts) replace the schema's on the same field, and the others get the file's column
 * names and JJ/MM/AAAA dates (`inFileTerms`); the API's messages are not changed.
 *
 * The NIR is never stored: the columns that hold it — told by their name ("NIR", "N° sécu", "Numéro de sécurité
 * sociale (NIR)", "N° INSEE"…, not "Code INSEE") or by their values (mostly 13 digits + an optional 2-digit key, see
 * mapping.ts), whatever field their name would map to — are dropped on reading, before anything is stored or
 * shown; only "a NIR was given" is kept, per row (`+nir` after the line number), and becomes the dossier's
 * `nir_fourni`. The dropped columns' names are kept with the upload (`nir_columns`, never a value: a name that
 * looks like a NIR, a file without a header row, is "Colonne N"), for the page to say which columns were dropped.
 * A NIR-shaped value in another column (an id column with one NIR among its ids) is replaced on reading by a mark
 * (`CELLULE_NIR_MASQUEE`): neither stored, nor shown, nor sent to the page, which says « valeur en forme de NIR,
 * masquée », and an error of its field. In a column named SIRET, a SIRET that lost its leading zero (13 digits, a
 * valid SIRET once padded) is no NIR, and such values do not make a column named for a field the NIR's.
 *
 * Two rows of a file with the same identity key (formateur, année scolaire, learner id) are one effectif for the
 * pipeline: the later ones are errors in the preview and rejected at the import (see `duplicateIdentityErrors`).
 *
 * An upload is imported once: the import claims it (`imported_at`) in one statement before ingesting, links it to
 * its transmission inside the batch transaction (so that a linked upload is exactly an imported one), and gives the
 * claim back if the ingestion fails. A claim not refreshed for more than INTERRUPTED_AFTER_SECONDS, without a transmission,
 * was interrupted (process stopped, crash: the batch transaction was rolled back): it may be taken back.
 *
 * Files are untrusted: whatever the readers throw becomes an UploadError (French message, never a 500), and the
 * XLSX reader works within limits (Excel's grid, inflated size of each part, rows, cells). As in the référentiel's
 * imports (decision 028), a cell holds at most 32,767 characters (MAX_CELL_CHARS, a CSV line 1,000,000), and the
 * cells of a file at most MAX_UPLOAD_CHARS in all: checked while reading, a refused file is never stored.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { canTransmitFor, forbidden, organismesTransmis, requireUser, transmetDesEffectifs, type Viewer } from "../auth/policy.server";
import {
  CSV_DELIMITERS,
  CsvError,
  MAX_CELL_CHARS,
  MAX_LINE_CHARS,
  columnLetter,
  decodeText,
  detectDelimiter,
  parseCsv,
  type CsvDelimiter,
} from "../shared/csv";
import { XlsxError, XlsxLimitError, looksLikeZip, openXlsx, spreadMerges, type MergedRange } from "../shared/xlsx.server";
import { journaliserErreur } from "../shared/erreurs-base.server";
import { HEARTBEAT_MS, INTERRUPTED_AFTER_SECONDS } from "../shared/travaux-longs";
import { anneeScolaireOf, todayIso } from "../statut/annee-scolaire";
import { DOSSIER_V3_FIELDS } from "./dossier-schema.server";
import { LIGNES_EXAMINEES, choisirEntete, choisirFeuille } from "./entete";
import {
  CELLULE_FORMULE_SANS_VALEUR,
  CELLULE_NIR_MASQUEE,
  ETABLISSEMENT_ROLES,
  FORMAT_DATE_FICHIER,
  autoMatch,
  buildAliasIndex,
  celluleMarquee,
  champsEnDouble,
  colonnesCodesIgnorees,
  completeSiretParUai,
  convertRow,
  dateDeLApercu,
  duplicateIdentityErrors,
  etablissementDefaulted,
  isDateField,
  isNirHeader,
  isSiretField,
  looksLikeNir,
  looksLikeNirColumn,
  masquerNir,
  matchHeader,
  sanitizeMapping,
  siretSansZero,
  uaisSansSiret,
  type CellOptions,
  type OrganismeDeLUai,
  type ChampEnDouble,
  type MappableField,
  type RowDefaults,
  type RowError,
} from "./mapping";
import { normaliserErp } from "../cfa/erp";
import { datesARechercher, messageRessemblance, ressemblances, type ApprenantCompare } from "./ressemblances";
import { checkDossiers, ingestDossiers, type CheckedItem, type IngestResult, type OrganismeRef } from "./pipeline.server";
import { arrayParam, execRows, type Executor } from "../../db/client.server";
import { jsonParam, storableText } from "./sql.server";
import { apercuValeur, formatNombre, listeEnFrancais, pluriel } from "../ui/format";

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
export const MAX_UPLOAD_ROWS = 10_000;
/** Columns of a file (the page shows one line per column, with the list of fields). */
export const MAX_UPLOAD_COLUMNS = 500;
/** Largest inflated size of one part of an XLSX file (a 10 MB file of 10,000 rows is far below). */
export const MAX_XLSX_PART_BYTES = 50 * 1024 * 1024;
/**
 * Characters of all the cells of a file: as many as a CSV of MAX_UPLOAD_BYTES holds at most (its cells are pieces
 * of its text: a CSV is bounded by its size). An XLSX's shared string counts at each cell using it: a workbook of a
 * few Ko whose long string fills thousands of cells is refused while read, before its rows are copied or stored.
 */
export const MAX_UPLOAD_CHARS = MAX_UPLOAD_BYTES;
export const PREVIEW_ROWS = 100;

/** The fields a column can be mapped to (the NIR is never stored: no column for it). */
export const UPLOAD_FIELDS: MappableField[] = DOSSIER_V3_FIELDS.filter((f) => f.field !== "nir_apprenant").map((f) => ({
  field: f.field,
  label: f.label,
  required: f.required,
}));

/** A refusal of the upload page, in French; `champ` is the form's field it is about, when it is about one. */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly champ?: "organisme" | "fichier",
  ) {
    super(message);
  }
}

/**
 * The file's columns that hold the NIR, by their name: the NIR's aliases (every field's aliases compete, as in the
 * mapping), or any name `isNirHeader` tells (tolerant: "Numéro de sécurité sociale (NIR)", "N° INSEE"…).
 */
const NIR_FIELD = "nir_apprenant";
const ALIASES_WITH_NIR = buildAliasIndex(DOSSIER_V3_FIELDS.map((f) => ({ field: f.field, label: f.label, required: f.required })));

export function isNirColumn(header: string): boolean {
  return matchHeader(header, ALIASES_WITH_NIR) === NIR_FIELD || isNirHeader(header);
}

/**
 * The name of a NIR column as kept and shown: its header, but "Colonne N" (its rank) when the header is empty or
 * holds what looks like a NIR (a file without a header row: its first row read as the header).
 */
function nirColumnName(header: string, index: number): string {
  const name = header.trim();
  return name === "" || looksLikeNir(name) || /\d(?:[\s.\-]?\d){12}/.test(name) ? `Colonne ${index + 1}` : name;
}

/** The first cell of a stored row: its line number in the file, followed by `+nir` when the row gave a NIR. */
const NIR_MARK = "+nir";

function rowPrefix(line: number, nirFourni: boolean): string {
  return nirFourni ? `${line}${NIR_MARK}` : String(line);
}

/** The line number and the NIR flag of a stored row. */
export function rowInfo(row: readonly string[]): { ligne: number; nirFourni: boolean } {
  const prefix = row[0] ?? "";
  const nirFourni = prefix.endsWith(NIR_MARK);
  return { ligne: Number(nirFourni ? prefix.slice(0, -NIR_MARK.length) : prefix), nirFourni };
}

// -------------------------------------------------------------------------------------------------- access

export type UploadAccess =
  | { kind: "organismes"; viewer: Viewer; userId: number; organismes: OrganismeRef[] }
  | { kind: "tous"; viewer: Viewer; userId: number };

/** Who may upload here (the organismes the policy lets the viewer transmit for), or a thrown Response (login, 403). */
export async function uploadAccess(request: Request, database: Database): Promise<UploadAccess> {
  const viewer = await requireUser(request, database);
  if (!transmetDesEffectifs(viewer)) {
    throw forbidden("Le téléversement d'effectifs est réservé aux organismes de formation et aux administrateurs nationaux.");
  }
  const ids = organismesTransmis(viewer);
  if (ids === null) return { kind: "tous", viewer, userId: viewer.userId };
  const organismes = ids.length
    ? await database.rows<OrganismeRef>(
        sql`select id, siret, uai, raison_sociale from organismes where id = any(${arrayParam(ids)}::int[]) order by raison_sociale, id`,
      )
    : [];
  return { kind: "organismes", viewer, userId: viewer.userId, organismes };
}

/**
 * The organisme of this id (the page's select, or a link `/televersement?organisme=<id>`) when the viewer may upload
 * for it, else null.
 */
export async function organismePropose(database: Database, access: UploadAccess, param: string | null): Promise<OrganismeRef | null> {
  if (!param || !/^\d{1,9}$/.test(param)) return null;
  const [o] = await database.rows<OrganismeRef>(sql`select id, siret, uai, raison_sociale from organismes where id = ${Number(param)}`);
  return o && canTransmitFor(access.viewer, o.id) ? o : null;
}

/** The organisme typed on the page (SIRET, UAI or both, or an id from the select). */
export async function resolveOrganisme(database: Database, access: UploadAccess, input: string): Promise<OrganismeRef> {
  const text = input.trim();
  if (!text) throw new UploadError("Choisissez l'organisme pour lequel vous téléversez ce fichier.", "organisme");
  const byId = await organismePropose(database, access, text);
  if (byId) return byId;
  const upper = text.toUpperCase();
  const uai = /\b\d{7}[A-Z]\b/.exec(upper)?.[0];
  const digits = (uai ? upper.replace(uai, " ") : upper).replace(/[^0-9]/g, "");
  const siret = digits.length === 14 ? digits : undefined;
  if (!siret && !uai) throw new UploadError("Organisme introuvable : saisissez son SIRET (14 chiffres) et/ou son UAI (ex. 0751234J).", "organisme");
  const rows = await database.rows<OrganismeRef>(
    sql`select id, siret, uai, raison_sociale from organismes
        where (${siret ?? null}::text is null or siret = ${siret ?? null})
          and (${uai ?? null}::text is null or uai = ${uai ?? null})
        order by id limit 20`,
  );
  const allowed = rows.filter((o) => canTransmitFor(access.viewer, o.id));
  if (allowed.length === 1) return allowed[0];
  if (allowed.length === 0) {
    throw new UploadError(
      `Aucun organisme ${siret ? `de SIRET ${siret} ` : ""}${uai ? `d'UAI ${uai} ` : ""}dans le référentiel${access.kind === "organismes" ? " parmi ceux de votre organisation" : ""}.`,
      "organisme",
    );
  }
  throw new UploadError(
    `Plusieurs organismes correspondent (${allowed.map((o) => `${o.raison_sociale} : SIRET ${o.siret}, UAI ${o.uai ?? "aucun"}`).join(" ; ")}) : saisissez le SIRET et l'UAI.`,
    "organisme",
  );
}

// -------------------------------------------------------------------------------------------------- file

export interface ReadFile {
  format: "CSV" | "XLSX";
  /** Column names, without the NIR's. */
  headers: string[];
  /** Data rows, without the NIR's cells, each prefixed with its line number in the file (and `+nir`, see rowInfo). */
  rows: string[][];
  /** Names of the NIR columns dropped on reading (by their name or by their values; see nirColumnName). */
  nirColumns: string[];
  /** How the table was found in the file (sheet, header row, columns without a name), for the page to say it. */
  lecture: LectureFichier;
  encoding?: string;
  delimiter?: string;
}

/** How the table of a file was read (decision 026), kept with the upload: names and line numbers, never a value. */
export interface LectureFichier {
  /** A workbook of several sheets: the sheet read, and the other sheets with a value (ignored). */
  feuille?: { nom: string; masquee: boolean; ignorees: { nom: string; masquee: boolean }[] };
  /** The file's line holding the columns' names; null: none, the first line is a learner's. */
  ligneEntete: number | null;
  /** Ranks (1-based, in the file) of the columns with values but no name in the header row: « Colonne N ». */
  colonnesSansNom: number[];
  /**
   * An XLSX's merged cells under the header row, whose first value was copied over the range's other cells (as the
   * spreadsheet shows them): how many ranges, and the first ones (« B2:B4 »). Absent: none.
   */
  cellulesFusionnees?: { plages: number; exemples: string[] };
  /**
   * A CSV's lines with more cells than the header row has names (an unquoted value holding the separator): the
   * header's width, the separator, and the number of cells of each such line, by its line number. Absent: none.
   */
  lignesTropLongues?: { colonnes: number; separateur: string; cellules: Record<string, number> };
}

const tooManyRows = () =>
  new UploadError(`Le fichier contient plus de ${formatNombre(MAX_UPLOAD_ROWS)} lignes : ${formatNombre(MAX_UPLOAD_ROWS)} au plus par fichier. Découpez-le en plusieurs fichiers.`);

/** An error of the readers (any: they read untrusted bytes) → the message shown on the page. */
function readError(error: unknown, isXlsx: boolean): UploadError {
  if (error instanceof UploadError) return error;
  if (error instanceof XlsxLimitError) {
    if (error.limit === "lignes") return tooManyRows();
    if (error.limit === "cellule" && error.place) {
      const { sheet, cell, length, max } = error.place;
      return new UploadError(
        `Cellule ${cell} de la feuille « ${sheet} » : ${formatNombre(length)} caractères, au plus ${formatNombre(max)} attendus (limite d'Excel). ` +
          "Raccourcissez ou videz cette cellule, puis déposez à nouveau le fichier.",
      );
    }
    if (error.limit === "caracteres") {
      return new UploadError(
        `Fichier trop volumineux : les cellules du classeur contiennent plus de ${formatNombre(MAX_UPLOAD_CHARS)} caractères en tout, ` +
          `au plus ${formatNombre(MAX_UPLOAD_CHARS)} attendus (autant qu'un fichier CSV de 10 Mo ; une même valeur compte à chaque cellule qui la contient). ` +
          "Découpez-le en plusieurs fichiers.",
      );
    }
    if (error.limit === "grille") return new UploadError(`Fichier illisible : ${error.message}. Attendu : un classeur .xlsx enregistré par un tableur.`);
    return new UploadError(`Fichier trop volumineux : ${error.message}. Découpez-le en plusieurs fichiers ou enregistrez-le au format .csv.`);
  }
  if (error instanceof CsvError && error.tooLong) {
    const { column, max } = error.tooLong;
    const guillemet = "Un guillemet ouvert et jamais refermé peut aussi lire toute la suite du fichier comme une seule cellule.";
    return new UploadError(
      column === null
        ? `Ligne ${error.line} : plus de ${formatNombre(max)} caractères sur la ligne, au plus ${formatNombre(max)} attendus. ${guillemet}`
        : `Ligne ${error.line}, colonne ${columnLetter(column)} : la cellule dépasse ${formatNombre(max)} caractères, au plus ${formatNombre(max)} attendus ` +
            `(limite d'Excel). ${guillemet}`,
    );
  }
  if (error instanceof CsvError || error instanceof XlsxError) return new UploadError(`Fichier illisible : ${error.message}.`);
  journaliserErreur("[téléversement] lecture du fichier en échec", error);
  return new UploadError(
    isXlsx
      ? "Fichier illisible : ce n'est pas un classeur Excel .xlsx valide (il est peut-être endommagé). Attendu : un classeur .xlsx ou un fichier .csv, une ligne de noms de colonnes puis une ligne par apprenant."
      : "Fichier illisible : ce n'est pas un fichier CSV lisible. Attendu : un fichier .csv (texte, colonnes séparées par « ; » ou « , ») ou un classeur .xlsx, une ligne de noms de colonnes puis une ligne par apprenant.",
  );
}

/** What a cell of a table as read is: a value, or nothing (a gap of the sheet). */
type Ligne = { line: number; cells: string[] };

/**
 * The delimiter of a CSV: detected on its first line, as always, unless that line has none (a title above the header,
 * « Export des apprenants au 07/12/2026 »): then on the first of the next lines that has one.
 */
function csvDelimiterOf(text: string): CsvDelimiter {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/, 50).filter((l) => l.trim() !== "").slice(0, LIGNES_EXAMINEES);
  const withOne = lines.findIndex((l) => CSV_DELIMITERS.some((d) => l.includes(d)));
  return withOne > 0 ? detectDelimiter(lines.slice(withOne).join("\n")) : detectDelimiter(text);
}

/** The field a column's name gives (the NIR's included), or null. */
function fieldOfHeader(header: string): string | null {
  return matchHeader(header, ALIASES_WITH_NIR);
}

/** A known column name (any field's alias, the NIR's names): what tells the header row and the sheet. */
function nomDeColonneConnu(cell: string): boolean {
  return fieldOfHeader(cell) !== null || isNirHeader(cell);
}

/** The fields whose value is an identifier: a NIR-shaped run inside it is not masked (see `masquerNir`). */
const IDENTIFIANTS: ReadonlySet<string> = new Set(["id_erp_apprenant", "custom_statut_apprenant"]);

/** Whether a column's name says it holds a SIRET (a SIRET field's alias, or the word SIRET). */
function isSiretHeader(header: string): boolean {
  const field = fieldOfHeader(header);
  return (field !== null && isSiretField(field)) || /\bsiret\b/i.test(header.normalize("NFD").replace(/[\u0300-\u036f]/g, ""));
}

/**
 * Whether a column's name gives it a field of its own, other than the learner's id and the NIR (a SIRET, a UAI, a
 * date…): there, a 13-digit value that is a SIRET without its leading zero does not make it the NIR's column.
 */
function hasFieldOfItsOwn(header: string): boolean {
  const field = fieldOfHeader(header);
  if (field === "id_erp_apprenant" || field === NIR_FIELD) return false;
  return field !== null || /\b(?:siret|uai)\b/i.test(header);
}

/**
 * The XLSX sheet holding the effectifs (decision 026): the visible sheet whose header row has the most known names,
 * else the first with a value; hidden sheets only when no visible one has a value. Only the top of each sheet is read
 * to choose; the chosen one is read in full.
 */
function readXlsxTable(bytes: Uint8Array): { lignes: Ligne[]; feuille?: LectureFichier["feuille"]; fusions: MergedRange[] } {
  const sheets = openXlsx(bytes, {
    maxPartBytes: MAX_XLSX_PART_BYTES,
    // title rows and the header row above the data: the exact count is checked below
    maxRows: MAX_UPLOAD_ROWS + 100,
    maxCells: (MAX_UPLOAD_ROWS + 100) * MAX_UPLOAD_COLUMNS,
    // as the référentiel's imports (decision 028); a shared string counts at each cell using it
    maxCellChars: MAX_CELL_CHARS,
    maxTotalChars: MAX_UPLOAD_CHARS,
    formulaWithoutValue: CELLULE_FORMULE_SANS_VALEUR,
  });
  const candidates = sheets.map((sheet) => ({ nom: sheet.name, masquee: sheet.hidden, lignes: sheets.length > 1 ? sheet.rows(LIGNES_EXAMINEES) : [] }));
  const choix = sheets.length > 1 ? choisirFeuille(candidates, nomDeColonneConnu) : { index: sheets.length ? 0 : null, ignorees: [] };
  if (choix.index === null) throw new UploadError("Le classeur ne contient aucune ligne.");
  const sheet = sheets[choix.index];
  const lignes = sheet.rows().map((cells, i) => ({ line: i + 1, cells }));
  if (!lignes.some((l) => l.cells.some((c) => c.trim() !== ""))) throw new UploadError("Le classeur ne contient aucune ligne.");
  return {
    lignes,
    feuille: sheets.length > 1 ? { nom: sheet.name, masquee: sheet.hidden, ignorees: choix.ignorees } : undefined,
    fusions: sheet.merges(),
  };
}

/**
 * Reads a CSV (`;` or `,`…, UTF-8 with or without BOM, Latin-1) or an XLSX (the sheet holding the effectifs), and
 * finds its header row (decision 026: a title above it is skipped, a file without one keeps its first learner). The
 * NIR's columns are dropped here and NIR-shaped values elsewhere masked (see the module's comment). Columns without
 * a name that hold values (past the last named one: under a title's merged cell…) are kept, named « Colonne N »
 * (their rank in the file), and told.
 */
export function readUploadedFile(bytes: Uint8Array, fileName: string): ReadFile {
  if (bytes.byteLength === 0) throw new UploadError("Le fichier est vide.");
  const autreFormat = formatSansTableau(bytes);
  if (autreFormat) throw new UploadError(autreFormat);
  const isXlsx = looksLikeZip(bytes) || /\.xlsx$/i.test(fileName);
  let lignes: Ligne[];
  let feuille: LectureFichier["feuille"];
  let fusions: MergedRange[] = [];
  let extra: Pick<ReadFile, "encoding" | "delimiter"> = {};
  try {
    if (isXlsx) {
      ({ lignes, feuille, fusions } = readXlsxTable(bytes));
    } else {
      if (/\.xls$/i.test(fileName)) {
        throw new UploadError(XLS_NON_PRIS_EN_CHARGE);
      }
      const { text, encoding } = decodeText(bytes);
      const parsed = parseCsv(text, {
        header: false,
        delimiter: csvDelimiterOf(text),
        limits: { maxCell: MAX_CELL_CHARS, maxRecord: MAX_LINE_CHARS },
      });
      if (parsed.records.length === 0) throw new UploadError("Le fichier est vide.");
      lignes = parsed.records.map((r) => ({ line: r.line, cells: r.fields }));
      extra = { encoding, delimiter: parsed.delimiter };
    }
  } catch (error) {
    throw readError(error, isXlsx);
  }
  const entete = choisirEntete(
    lignes.map((l) => l.cells),
    nomDeColonneConnu,
  );
  if (entete.premiere < 0) throw new UploadError(isXlsx ? "Le classeur ne contient aucune ligne." : "Le fichier est vide.");
  const headerIndex = entete.index;
  const headerCells = headerIndex === null ? [] : lignes[headerIndex].cells.map((h) => h.trim());
  const dataStart = headerIndex === null ? entete.premiere : headerIndex + 1;
  // merged cells under the header row (a « Code diplôme » over the rows of its learners): every cell of the range holds
  // the first one's value, as the spreadsheet shows it, rather than the rows below losing it without a word. A title
  // merged above the header row, or a header merged over its columns, is left as it is.
  const fusionnees = fusions.length ? spreadMerges(lignes.map((l) => l.cells), fusions, dataStart) : [];
  const data = lignes.slice(dataStart).filter((l) => l.cells.some((c) => c.trim() !== ""));
  // every column with a name or a value: a value past the last named column is never cut off
  const lastFilled = (cells: readonly string[]) => {
    for (let i = cells.length - 1; i >= 0; i--) if (cells[i].trim() !== "") return i + 1;
    return 0;
  };
  const width = data.reduce((max, l) => Math.max(max, lastFilled(l.cells)), lastFilled(headerCells));
  if (width > MAX_UPLOAD_COLUMNS) {
    throw new UploadError(`Le fichier a ${formatNombre(width)} colonnes : ${formatNombre(MAX_UPLOAD_COLUMNS)} au plus. Supprimez les colonnes inutiles.`);
  }
  // a column without a name (none in the header row, or no header row) is « Colonne N », its rank in the file; so is
  // a name that is a formula never calculated, or shaped like a NIR (never shown)
  const sansNom = (h: string | undefined) => !h || h === CELLULE_FORMULE_SANS_VALEUR || looksLikeNir(h);
  const allHeaders = Array.from({ length: width }, (_, i) => (sansNom(headerCells[i]) ? `Colonne ${i + 1}` : headerCells[i]));
  const columnValues = (i: number) => data.map((l) => l.cells[i] ?? "");
  // the NIR: its columns (by name, or by values whatever the name) are dropped, only whether each row gave one is kept
  const nirIndexes = new Set(
    allHeaders.flatMap((h, i) =>
      isNirColumn(h) || looksLikeNirColumn(columnValues(i), { siretsPossibles: hasFieldOfItsOwn(h) }) ? [i] : [],
    ),
  );
  const kept = allHeaders.map((_, i) => i).filter((i) => !nirIndexes.has(i));
  const headers = kept.map((i) => allHeaders[i]);
  // a NIR-shaped value elsewhere (an id column with one NIR among its ids) is masked, never stored nor shown; in a
  // SIRET column, a SIRET that lost its leading zero is no NIR
  const siretColumns = new Set(kept.filter((i) => isSiretHeader(allHeaders[i])));
  // a NIR inside a text (a remark: "sécu 2 97 05 …") is masked in it, except in the learner's id and custom statut
  // columns (an id's 13-digit run may be a timestamp: masking it would change the learner)
  const identifiants = new Set(kept.filter((i) => IDENTIFIANTS.has(fieldOfHeader(allHeaders[i]) ?? "")));
  const masque = (value: string, i: number) => {
    if (siretColumns.has(i) && siretSansZero(value)) return value;
    if (looksLikeNir(value)) return CELLULE_NIR_MASQUEE;
    return identifiants.has(i) ? value : masquerNir(value);
  };
  const rows: string[][] = [];
  for (const { line, cells } of data) {
    const values = kept.map((i) => masque(cells[i] ?? "", i));
    if (values.every((c) => c.trim() === "")) continue;
    while (values.length && values[values.length - 1] === "") values.pop();
    const nirFourni = [...nirIndexes].some((i) => (cells[i] ?? "").trim() !== "");
    rows.push([rowPrefix(line, nirFourni), ...values]);
  }
  if (rows.length === 0) throw new UploadError("Le fichier ne contient aucune ligne d'effectif sous la ligne des noms de colonnes.");
  if (rows.length > MAX_UPLOAD_ROWS) {
    throw new UploadError(`Le fichier contient ${formatNombre(rows.length)} lignes : ${formatNombre(MAX_UPLOAD_ROWS)} au plus par fichier. Découpez-le en plusieurs fichiers.`);
  }
  const nirColumns = [...nirIndexes].map((i) => nirColumnName(allHeaders[i], i));
  const lecture: LectureFichier = {
    ...(feuille ? { feuille } : {}),
    ligneEntete: headerIndex === null ? null : lignes[headerIndex].line,
    // told only under a header row: without one, every column is « Colonne N » and the page says so once
    colonnesSansNom:
      headerIndex === null ? [] : kept.filter((i) => sansNom(headerCells[i]) && columnValues(i).some((v) => v.trim() !== "")).map((i) => i + 1),
    ...(fusionnees.length ? { cellulesFusionnees: { plages: fusionnees.length, exemples: fusionnees.slice(0, 3).map((f) => f.ref) } } : {}),
    ...lignesTropLongues(isXlsx || headerIndex === null ? [] : data, lastFilled(headerCells), extra.delimiter),
  };
  return { format: isXlsx ? "XLSX" : "CSV", headers, rows, nirColumns, lecture, ...extra };
}

const XLS_NON_PRIS_EN_CHARGE = "Les fichiers .xls (Excel 97-2003) ne sont pas pris en charge : enregistrez le fichier au format .xlsx ou .csv.";

/**
 * Why a file is no table whatever its name says (a PDF, an image, an Excel 97-2003 workbook renamed .csv or .xlsx),
 * told by its first bytes before it is read as one; null for any other file.
 */
function formatSansTableau(bytes: Uint8Array): string | null {
  const commencePar = (...signature: number[]) => signature.every((octet, i) => bytes[i] === octet);
  const attendu = "déposez un fichier .csv ou un classeur .xlsx, une ligne de noms de colonnes puis une ligne par apprenant.";
  if (commencePar(0x25, 0x50, 0x44, 0x46)) return `Ce fichier est un document PDF, pas un tableau : ${attendu}`;
  if (commencePar(0x89, 0x50, 0x4e, 0x47) || commencePar(0xff, 0xd8, 0xff) || commencePar(0x47, 0x49, 0x46, 0x38)) {
    return `Ce fichier est une image, pas un tableau : ${attendu}`;
  }
  // the compound document format of Office 97-2003 (.xls, .doc)
  if (commencePar(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return XLS_NON_PRIS_EN_CHARGE;
  return null;
}

/**
 * The CSV lines with more cells than the header row's names (`colonnes`): a value holding the separator without
 * quotes shifts the line's values one column right. Only trailing cells count (an empty one at the end is not).
 */
function lignesTropLongues(data: readonly Ligne[], colonnes: number, separateur: string | undefined): Pick<LectureFichier, "lignesTropLongues"> {
  if (colonnes === 0 || !separateur) return {};
  const cellules: Record<string, number> = {};
  for (const { line, cells } of data) {
    let n = cells.length;
    while (n > 0 && cells[n - 1].trim() === "") n--;
    if (n > colonnes) cellules[String(line)] = n;
  }
  return Object.keys(cellules).length ? { lignesTropLongues: { colonnes, separateur, cellules } } : {};
}

/** The error of a CSV line with more cells than the header has names (`LectureFichier.lignesTropLongues`), or null. */
export function erreurLigneTropLongue(lecture: LectureFichier | null, ligne: number): RowError | null {
  const trop = lecture?.lignesTropLongues;
  const n = trop?.cellules[String(ligne)];
  if (!trop || n === undefined) return null;
  const sep = trop.separateur === "\t" ? "tabulation" : `« ${trop.separateur} »`;
  return {
    path: [],
    fields: [],
    message:
      `Cette ligne a ${n} cellules pour ${trop.colonnes} colonnes : une valeur contenant ${sep} doit être entre guillemets ` +
      `(ex. "Dupont${trop.separateur === "\t" ? " " : trop.separateur} Jean"), sinon les valeurs suivantes sont décalées d'une colonne. Corrigez la ligne dans le fichier.`,
  };
}

/**
 * What the page says of the reading (decision 026): the sheet read and the sheets ignored, the lines skipped above
 * the header row, a file without one, columns without a name. Nothing for a plain file (one sheet, header first).
 */
export function notesLecture(lecture: LectureFichier | null): string[] {
  if (!lecture) return [];
  const notes: string[] = [];
  const f = lecture.feuille;
  if (f) {
    const nom = (x: { nom: string; masquee: boolean }) => `« ${x.nom} »${x.masquee ? " (masquée)" : ""}`;
    notes.push(
      `Feuille lue : ${nom(f)}` +
        (f.masquee ? ", masquée dans le classeur : aucune feuille visible ne contient de valeur" : "") +
        (f.ignorees.length ? ` ; ${f.ignorees.length > 1 ? "feuilles ignorées" : "feuille ignorée"} : ${f.ignorees.map(nom).join(", ")}` : "") +
        ". Si les effectifs sont dans une autre feuille, enregistrez-la seule dans un classeur (ou au format CSV) et déposez ce fichier.",
    );
  }
  if (lecture.ligneEntete === null) {
    notes.push(
      "La première ligne du fichier contient déjà des valeurs d'apprenant (dates, UAI, SIRET…), pas les noms des colonnes : elle est lue " +
        "comme un apprenant, et les colonnes sont nommées « Colonne 1 », « Colonne 2 »… dans l'ordre du fichier. Associez chacune au champ " +
        "qu'elle contient ci-dessous, ou ajoutez en tête du fichier une ligne avec les noms des colonnes (voir le modèle de fichier).",
    );
  } else if (lecture.ligneEntete > 1) {
    const n = lecture.ligneEntete - 1;
    notes.push(
      `Les noms des colonnes sont lus sur la ligne ${lecture.ligneEntete} du fichier : ` +
        `${n > 1 ? `les ${n} lignes au-dessus sont ignorées` : "la ligne au-dessus est ignorée"} (titre, lignes vides…).`,
    );
  }
  const fusion = lecture.cellulesFusionnees;
  if (fusion) {
    const plages = fusion.exemples.join(", ") + (fusion.plages > fusion.exemples.length ? "…" : "");
    notes.push(
      `Cellules fusionnées lues : la valeur de la première cellule est reprise dans les autres ` +
        `(${fusion.plages > 1 ? `${formatNombre(fusion.plages)} plages : ${plages}` : `plage ${plages}`}). Vérifiez-le dans l'aperçu.`,
    );
  }
  const sansNom = lecture.colonnesSansNom;
  if (sansNom.length) {
    const noms = sansNom.slice(0, 5).map((n) => `« Colonne ${n} »`);
    const liste = sansNom.length > 5 ? `${noms.join(", ")}…` : listeEnFrancais(noms);
    notes.push(
      sansNom.length > 1
        ? `${sansNom.length} colonnes ont des valeurs mais pas de nom sur la ligne des noms de colonnes : elles sont appelées ${liste}, leur rang ` +
            "dans le fichier. Associez-les au champ qu'elles contiennent, sinon leurs valeurs sont ignorées à l'import."
        : `La colonne ${sansNom[0]} a des valeurs mais pas de nom sur la ligne des noms de colonnes : elle est appelée ${liste}, son rang dans ` +
            "le fichier. Associez-la au champ qu'elle contient, sinon ses valeurs sont ignorées à l'import.",
    );
  }
  return notes;
}

// -------------------------------------------------------------------------------------------------- records

export interface UploadRecord {
  id: string;
  organisme: OrganismeRef;
  fileName: string;
  format: "CSV" | "XLSX";
  erp: string | null;
  headers: string[];
  rows: string[][];
  /** Names of the columns dropped as the NIR's ([] for uploads made before they were kept). */
  nirColumns: string[];
  /** How the table was read (null for uploads made before it was kept). */
  lecture: LectureFichier | null;
  createdAt: string;
  importedAt: string | null;
  transmissionId: number | null;
  /** Claimed by an import that stopped before the end (no transmission, claim older than INTERRUPTED_AFTER_SECONDS). */
  importInterrompu: boolean;
  /**
   * The organisme's responsable when the référentiel gives it exactly one (organisme_relations), else null: the
   * établissement responsable of a file without a column for it.
   */
  responsable: OrganismeRef | null;
}

export async function createUpload(
  database: Database,
  access: UploadAccess,
  input: { organismeId: number; fileName: string; erp?: string | null; file: ReadFile },
): Promise<string> {
  if (!canTransmitFor(access.viewer, input.organismeId)) throw new UploadError("Vous ne pouvez pas téléverser d'effectifs pour cet organisme.", "organisme");
  const id = randomBytes(16).toString("base64url");
  await database.rows(sql`
    insert into televersements (id, organisme_id, user_id, file_name, format, erp, headers, rows, nir_columns, lecture)
    values (${id}, ${input.organismeId}, ${access.userId}, ${storableText(input.fileName.slice(0, 255))}, ${input.file.format},
            ${normaliserErp(input.erp)}, ${jsonParam(input.file.headers)}::jsonb, ${jsonParam(input.file.rows)}::jsonb,
            ${jsonParam(input.file.nirColumns)}::jsonb, ${jsonParam(input.file.lecture)}::jsonb)`);
  return id;
}

/** The upload record, if it exists, has not expired and belongs to an organisme the viewer may upload for. */
export async function loadUpload(database: Database, access: UploadAccess, id: string): Promise<UploadRecord | null> {
  if (!/^[A-Za-z0-9_-]{10,32}$/.test(id)) return null;
  const [row] = await database.rows<{
    id: string;
    organisme_id: number;
    siret: string;
    uai: string | null;
    raison_sociale: string;
    file_name: string;
    format: "CSV" | "XLSX";
    erp: string | null;
    headers: string[] | string;
    rows: string[][] | string;
    nir_columns: string[] | string;
    lecture: LectureFichier | string | null;
    created_at: string;
    imported_at: string | null;
    transmission_id: number | null;
    import_interrompu: boolean;
  }>(sql`
    select t.id, t.organisme_id, o.siret, o.uai, o.raison_sociale, t.file_name, t.format, t.erp, t.headers, t.rows,
           t.nir_columns, t.lecture, t.created_at::text, t.imported_at::text, t.transmission_id, ${CLAIM_ABANDONNEE_SQL} as import_interrompu
    from televersements t join organismes o on o.id = t.organisme_id
    where t.id = ${id} and t.created_at > now() - interval '24 hours'`);
  if (!row || !canTransmitFor(access.viewer, row.organisme_id)) return null;
  const parse = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);
  const responsables = await database.rows<OrganismeRef>(sql`
    select o.id, o.siret, o.uai, o.raison_sociale from organisme_relations r join organismes o on o.id = r.responsable_id
    where r.formateur_id = ${row.organisme_id} and r.responsable_id <> r.formateur_id order by o.id limit 2`);
  return {
    id: row.id,
    organisme: { id: row.organisme_id, siret: row.siret, uai: row.uai, raison_sociale: row.raison_sociale },
    fileName: row.file_name,
    format: row.format,
    erp: row.erp,
    headers: parse(row.headers),
    rows: parse(row.rows),
    nirColumns: parse(row.nir_columns),
    lecture: row.lecture === null ? null : parse(row.lecture),
    createdAt: row.created_at,
    importedAt: row.imported_at,
    transmissionId: row.transmission_id,
    importInterrompu: row.import_interrompu === true,
    responsable: responsables.length === 1 ? responsables[0] : null,
  };
}

// -------------------------------------------------------------------------------------------------- mapping

/**
 * The mapping sent by the page (`col_<i>` = field, "" = ignored), or the automatic one when none was sent: a field
 * on its first column only, the page showing the mapping so applied. `doublons`: the fields wanted for several
 * columns (sent so, or named so by the columns' names), for the page to say which column was kept.
 */
export function mappingFrom(
  params: URLSearchParams | FormData,
  headers: string[],
): { mapping: (string | null)[]; automatic: boolean; doublons: ChampEnDouble[] } {
  const sent = headers.map((_, i) => params.get(`col_${i}`));
  const automatic = sent.every((v) => v === null);
  const wanted = automatic ? autoMatch(headers, UPLOAD_FIELDS) : sent.map((v) => (typeof v === "string" ? v : null));
  return { mapping: sanitizeMapping(wanted, UPLOAD_FIELDS), automatic, doublons: champsEnDouble(wanted, UPLOAD_FIELDS) };
}

/**
 * What the page says of a field wanted for several columns: a field takes one column, the first; the others are
 * ignored, and how to keep another one instead. Columns of the same name are told by their rank.
 */
function noteDoublon(doublon: ChampEnDouble, headers: readonly string[], automatic: boolean): string {
  const nomSeul = (col: number) => headers[col]?.trim() || `Colonne ${col + 1}`;
  const nom = (col: number) => {
    const n = nomSeul(col);
    return headers.filter((h, i) => i !== col && (h?.trim() || `Colonne ${i + 1}`) === n).length ? `« ${n} » (colonne ${col + 1})` : `« ${n} »`;
  };
  const label = UPLOAD_FIELDS.find((f) => f.field === doublon.field)?.label ?? doublon.field;
  const toutes = [doublon.gardee, ...doublon.ecartees].map(nom);
  const ecartees = doublon.ecartees.map(nom);
  const une = ecartees.length === 1;
  return (
    `Les colonnes ${listeEnFrancais(toutes)} ${automatic ? "correspondent toutes au" : "étaient associées au même"} champ « ${label} » : un champ ne ` +
    `reçoit qu'une colonne, la première, ${nom(doublon.gardee)}, est retenue ; ${listeEnFrancais(ecartees)} ${une ? "est ignorée" : "sont ignorées"}. ` +
    `Pour retenir ${une ? "l'autre" : "une autre"}, choisissez « — ignorer cette colonne — » pour ${nom(doublon.gardee)} et associez le champ à ` +
    `${une ? "celle-ci" : "celle que vous voulez"}, puis mettez à jour l'aperçu.`
  );
}

/** What the page says above the mapping: how many columns were recognised, or that none was and what to do. */
export function introCorrespondance(mapping: readonly (string | null)[], automatic: boolean): { reconnues: number; texte: string } {
  const reconnues = mapping.filter(Boolean).length;
  if (reconnues === 0) {
    return {
      reconnues,
      texte: automatic
        ? "Aucune colonne du fichier n'a été reconnue : associez chacune au champ qu'elle contient (au moins les champs obligatoires, marqués *), puis mettez à jour l'aperçu."
        : "Aucune colonne n'est associée à un champ : associez chacune au champ qu'elle contient (au moins les champs obligatoires, marqués *), puis mettez à jour l'aperçu.",
    };
  }
  return {
    reconnues,
    texte: automatic
      ? `${pluriel(reconnues, "colonne a été associée", "colonnes ont été associées")} automatiquement aux champs attendus, sur ${mapping.length}. ` +
        "Corrigez au besoin puis mettez à jour l'aperçu. Les champs marqués * sont obligatoires."
      : "Corrigez au besoin puis mettez à jour l'aperçu. Les champs marqués * sont obligatoires.",
  };
}

export function defaultAnneeScolaire(): string {
  return anneeScolaireOf(todayIso());
}

/** The établissement standing for a missing responsable: the organisme's only responsable, else the organisme. */
function responsableParDefaut(upload: UploadRecord): OrganismeRef {
  return upload.responsable ?? upload.organisme;
}

/** The values used for the columns the file does not have (the établissements' only as pairs: see mapping.ts). */
function defaultsFor(upload: UploadRecord, anneeScolaire: string | null): RowDefaults {
  const o = upload.organisme;
  const r = responsableParDefaut(upload);
  return {
    annee_scolaire: anneeScolaire,
    etablissement_formateur_uai: o.uai,
    etablissement_formateur_siret: o.siret,
    etablissement_responsable_uai: r.uai,
    etablissement_responsable_siret: r.siret,
  };
}

export interface MappingNotes {
  missingRequired: MappableField[];
  /** Explanations of the values used for unmapped columns. */
  notes: string[];
  anneeScolaireNeeded: boolean;
}

/**
 * What the page says of the columns dropped as the NIR's: which ones, by name ("La colonne « N° INSEE » a été
 * reconnue comme celle du NIR…"; an upload made before the names were kept: "Colonne du NIR"), how many rows gave
 * one, that it is not kept, and how such a column is recognised.
 */
function noteNir(colonnes: readonly string[], nbNir: number): string {
  const lignes = nbNir ? `${nbNir} ${nbNir > 1 ? "lignes" : "ligne"}` : "aucune ligne n'en donne";
  const reconnaissance =
    "Une colonne est reconnue comme celle du NIR à son nom (NIR, sécurité sociale, n° INSEE…) ou à ses valeurs " +
    "(13 chiffres commençant par 1, 2, 7 ou 8, suivis ou non de la clé à 2 chiffres), quel que soit son nom.";
  const conserve = (colonne: string) =>
    `Le NIR n'est pas conservé : ${colonne} et seule l'information « NIR fourni » est enregistrée. ${reconnaissance}`;
  if (colonnes.length === 0) {
    return (
      `Colonne du NIR (numéro de sécurité sociale) : elle a seulement été lue pour noter qu'un NIR était fourni (${lignes}). ` +
      conserve("cette colonne n'apparaît pas ci-dessous")
    );
  }
  const noms = listeEnFrancais(colonnes.map((c) => `« ${c} »`));
  return colonnes.length === 1
    ? `La colonne ${noms} a été reconnue comme celle du NIR (numéro de sécurité sociale) : elle a seulement été lue pour noter ` +
        `qu'un NIR était fourni (${lignes}). ${conserve("cette colonne n'apparaît pas ci-dessous")}`
    : `Les colonnes ${noms} ont été reconnues comme celles du NIR (numéro de sécurité sociale) : elles ont seulement été lues pour ` +
        `noter qu'un NIR était fourni (${lignes}). ${conserve("ces colonnes n'apparaissent pas ci-dessous")}`;
}

/**
 * What the page says above the mapping: how the file was read (`notesLecture`), the fields wanted for several
 * columns (`doublons`, from `mappingFrom`), the values used for the columns the file does not have, the NIR's
 * columns, the UAI or SIRET columns left out. Each note once (two columns of the same name would give one twice).
 */
export function mappingNotes(
  upload: UploadRecord,
  mapping: (string | null)[],
  anneeScolaire: string | null,
  options: { doublons?: readonly ChampEnDouble[]; automatic?: boolean } = {},
): MappingNotes {
  const mapped = new Set(mapping.filter((f): f is string => !!f));
  const notes: string[] = [...notesLecture(upload.lecture)];
  const doublons = options.doublons ?? [];
  for (const d of doublons) notes.push(noteDoublon(d, upload.headers, options.automatic ?? false));
  const dejaDites = new Set(doublons.flatMap((d) => d.ecartees));
  const covered = new Set<string>();
  const cellsOf = (field: string) => {
    const col = mapping.indexOf(field);
    return (row: readonly string[]) => (col < 0 ? "" : (row[col + 1] ?? "").trim());
  };
  const lignes = (n: number) => (n > 1 ? `${formatNombre(n)} lignes ont` : "Une ligne a");
  if (!mapped.has("id_erp_apprenant")) {
    notes.push("Pas de colonne d'identifiant : l'identifiant de chaque apprenant est formé de son nom, son prénom et sa date de naissance.");
    covered.add("id_erp_apprenant");
  } else {
    // an empty id cell: derived as without a column (mapping.ts), said here
    const idCell = cellsOf("id_erp_apprenant");
    const vides = upload.rows.filter((row) => idCell(row) === "").length;
    if (vides) {
      const nom = upload.headers[mapping.indexOf("id_erp_apprenant")]?.trim() || "Identifiant";
      notes.push(
        `${lignes(vides)} la cellule « ${nom} » vide : l'identifiant de ${vides > 1 ? "ces apprenants" : "cet apprenant"} est formé de son nom, ` +
          "son prénom et sa date de naissance, comme pour un fichier sans colonne d'identifiant. Renseignez-le s'il existe dans votre logiciel, " +
          "et gardez le même d'un envoi à l'autre : un identifiant différent enregistrerait l'apprenant une seconde fois.",
      );
    }
  }
  const o = upload.organisme;
  const defaults = defaultsFor(upload, anneeScolaire);
  const r = upload.responsable;
  for (const role of ETABLISSEMENT_ROLES) {
    // the same rule as the rows' conversion: an organisme stands for the établissement only as a UAI + SIRET pair
    if (etablissementDefaulted(role, mapping, defaults)) {
      const e = role === "responsable" ? responsableParDefaut(upload) : o;
      notes.push(
        `Pas de colonne pour l'établissement ${role} : c'est ${e.raison_sociale} (UAI ${e.uai}, SIRET ${e.siret})` +
          (role === "responsable" && r ? `, le responsable de ${o.raison_sociale} au référentiel des organismes.` : "."),
      );
      covered.add(`etablissement_${role}_uai`).add(`etablissement_${role}_siret`);
    } else if (mapped.has(`etablissement_${role}_uai`) && !mapped.has(`etablissement_${role}_siret`)) {
      // the SIRET of the only organisme of the référentiel having the row's UAI (itemsWithSirets)
      notes.push(
        `Pas de colonne pour le SIRET de l'établissement ${role} : pour chaque ligne, c'est celui de l'organisme du référentiel qui a l'UAI ` +
          "de la ligne ; une ligne dont l'UAI n'est celui d'aucun organisme, ou de plusieurs, est refusée.",
      );
      covered.add(`etablissement_${role}_siret`);
    }
    if (!etablissementDefaulted(role, mapping, defaults) && defaults[`etablissement_${role}_uai`] && defaults[`etablissement_${role}_siret`]) {
      // columns for it, but rows with both cells empty: the organisme, as without the columns (mapping.ts)
      const uai = cellsOf(`etablissement_${role}_uai`);
      const siret = cellsOf(`etablissement_${role}_siret`);
      const vides = upload.rows.filter((row) => uai(row) === "" && siret(row) === "").length;
      if (vides) {
        const e = role === "responsable" ? responsableParDefaut(upload) : o;
        notes.push(
          `${lignes(vides)} ni UAI ni SIRET de l'établissement ${role} : pour ${vides > 1 ? "elles" : "elle"}, c'est ${e.raison_sociale} ` +
            `(UAI ${e.uai}, SIRET ${e.siret})` +
            (role === "responsable" && r ? `, le responsable de ${o.raison_sociale} au référentiel des organismes` : "") +
            ", comme pour un fichier sans ces colonnes.",
        );
      }
    }
    if (role === "responsable" && r && !r.uai && !mapped.has("etablissement_responsable_uai") && !mapped.has("etablissement_responsable_siret")) {
      notes.push(
        `Pas de colonne pour l'établissement responsable : celui de ${o.raison_sociale} au référentiel, ${r.raison_sociale} (SIRET ${r.siret}), ` +
          "n'y a pas d'UAI. Ajoutez au fichier les colonnes UAI et SIRET de l'établissement responsable.",
      );
    }
  }
  const anneeScolaireNeeded = !mapped.has("annee_scolaire");
  if (anneeScolaireNeeded && anneeScolaire) {
    notes.push(`Pas de colonne d'année scolaire : tous les effectifs du fichier sont de l'année ${anneeScolaire}.`);
    covered.add("annee_scolaire");
  }
  const nbNir = upload.rows.filter((row) => rowInfo(row).nirFourni).length;
  if (nbNir || upload.nirColumns.length) notes.push(noteNir(upload.nirColumns, nbNir));
  // a UAI or SIRET column left out: its values would be dropped without a word (« UAI site » next to « UAI CFA »)
  const cells = upload.rows.map((row) => row.slice(1));
  for (const [col, code] of colonnesCodesIgnorees(upload.headers, cells, mapping)) {
    if (dejaDites.has(col)) continue;
    const nom = upload.headers[col]?.trim() || `Colonne ${col + 1}`;
    notes.push(
      `La colonne « ${nom} » n'est associée à aucun champ : ses ${code} seront ignorés à l'import. ` +
        "Si elle désigne l'établissement formateur (le site où l'apprenant est formé), l'établissement responsable (le CFA qui signe " +
        "le contrat) ou le lieu de formation, associez-la au champ correspondant ci-dessous.",
    );
  }
  const missingRequired = UPLOAD_FIELDS.filter((f) => f.required && !mapped.has(f.field) && !covered.has(f.field));
  return { missingRequired, notes: [...new Set(notes)], anneeScolaireNeeded };
}

// -------------------------------------------------------------------------------------------------- preview

/** A stored cell as the page shows it: a marked cell (masked NIR, formula without value) says what it is. */
export function celluleAffichee(raw: string): string {
  return celluleMarquee(raw) ?? apercuValeur(raw);
}

export interface PreviewCell {
  value: string;
  /**
   * A date shown as the day the import stores (`value`, JJ/MM/AAAA) that does not read from the cell at a glance
   * (an Excel serial number without a date format, 39214 → 12/05/2007; AAAAMMJJ; a two-digit year): the cell as typed.
   */
  asTyped?: string;
  errors: string[];
}

/**
 * A stored cell as the preview shows it (`celluleAffichee`), but a date of a column mapped to a date field: the
 * day the import will store, JJ/MM/AAAA, so that the dates are checked before importing (`dateDeLApercu`: with the
 * cell as typed when it reads otherwise). A date in error is shown as typed, its error quoting it.
 */
export function celluleDeLApercu(raw: string, field: string | null | undefined, options: CellOptions): Omit<PreviewCell, "errors"> {
  const date = field && isDateField(field) && celluleMarquee(raw) === null ? dateDeLApercu(raw, options) : null;
  if (!date) return { value: celluleAffichee(raw) };
  return date.saisie === null ? { value: date.jour } : { value: date.jour, asTyped: apercuValeur(date.saisie) };
}

export interface PreviewRow {
  ligne: number;
  id: string | null;
  ok: boolean;
  cells: PreviewCell[];
  /** Errors of fields without a column (or of the whole dossier). */
  otherErrors: string[];
  /** Warnings of a valid row (it looks like a learner already transmitted: see ressemblances.ts). */
  avertissements: string[];
}

export interface Preview {
  nbRows: number;
  nbValid: number;
  nbErrors: number;
  /** Rows shown: those with errors first, then valid ones, PREVIEW_ROWS at most. */
  rows: PreviewRow[];
  /** Per column: how many rows have an error in it. */
  errorsByColumn: number[];
  /** Valid rows with a warning (`PreviewRow.avertissements`), shown after the rows in error. */
  nbAvertissements: number;
}

/**
 * The stored learners that the valid rows of a file, of an id formed from nom + prénom + date de naissance, would
 * look like while creating another (ressemblances.ts): by checked item index, the warning. One query for the file,
 * on the identity key's first columns (établissement formateur, année scolaire) and the birth dates.
 */
async function avertissementsRessemblance(
  database: Database,
  upload: UploadRecord,
  mapping: readonly (string | null)[],
  checked: readonly CheckedItem[],
): Promise<Map<number, string>> {
  const idColumn = mapping.indexOf("id_erp_apprenant");
  const lignes: ApprenantCompare[] = [];
  const indexes: number[] = [];
  for (const c of checked) {
    const d = c.dossier;
    if (!d || c.errors.length || c.formateurId === undefined) continue;
    if (idColumn >= 0 && (upload.rows[c.index]?.[idColumn + 1] ?? "").trim() !== "") continue;
    lignes.push({
      formateurId: c.formateurId,
      anneeScolaire: d.annee_scolaire,
      id: d.id_erp_apprenant,
      nom: d.nom_apprenant,
      prenom: d.prenom_apprenant,
      dateDeNaissance: d.date_de_naissance_apprenant.slice(0, 10),
    });
    indexes.push(c.index);
  }
  if (lignes.length === 0) return new Map();
  const existants = await database.rows<{ f: number; a: string; i: string; nom: string | null; prenom: string | null; ddn: string | null }>(sql`
    select organisme_formateur_id as f, annee_scolaire as a, id_erp_apprenant as i, nom, prenom, to_char(date_de_naissance, 'YYYY-MM-DD') as ddn
    from effectifs
    where organisme_formateur_id = any(${arrayParam([...new Set(lignes.map((l) => l.formateurId))])}::int[])
      and annee_scolaire = any(${arrayParam([...new Set(lignes.map((l) => l.anneeScolaire))])}::text[])
      and date_de_naissance = any(${arrayParam(datesARechercher(lignes))}::date[])`);
  const stockes: ApprenantCompare[] = existants.flatMap((e) =>
    e.nom !== null && e.prenom !== null && e.ddn !== null
      ? [{ formateurId: e.f, anneeScolaire: e.a, id: e.i, nom: e.nom, prenom: e.prenom, dateDeNaissance: e.ddn }]
      : [],
  );
  const out = new Map<number, string>();
  for (const [k, e] of ressemblances(lignes, stockes)) out.set(indexes[k], messageRessemblance(lignes[k], e));
  return out;
}

function itemsOf(
  upload: UploadRecord,
  mapping: (string | null)[],
  anneeScolaire: string | null,
  /** The organismes of the référentiel by UAI, for the établissements given by their UAI alone (`itemsWithSirets`). */
  parUai?: ReadonlyMap<string, readonly OrganismeDeLUai[]>,
) {
  const defaults = defaultsFor(upload, anneeScolaire);
  const lignes: number[] = [];
  /** Errors of the rows' conversion, by row index: the schema's message on the same field gives way to them. */
  const rowErrors = new Map<number, RowError[]>();
  const options = { excelSerials: upload.format === "XLSX", headers: upload.headers };
  const cells = upload.rows.map((row) => row.slice(1));
  const items = upload.rows.map((row, index) => {
    const { ligne, nirFourni } = rowInfo(row);
    lignes.push(ligne);
    const { item, errors } = convertRow(cells[index], mapping, defaults, { ...options, nirFourni });
    if (parUai) errors.push(...completeSiretParUai(item, parUai, upload.headers, mapping));
    // a CSV line with a cell too many: its values are shifted, none is to be trusted
    const tropLongue = erreurLigneTropLongue(upload.lecture, ligne);
    if (tropLongue) errors.unshift(tropLongue);
    if (errors.length) rowErrors.set(index, errors);
    return item;
  });
  // A later row with an earlier row's identity key: an error of the row like its conversion's (preview and import
  // alike, through the pipeline), the row keeping its id (the stored error names the learner).
  for (const [index, error] of duplicateIdentityErrors(items, lignes, cells, mapping, upload.headers)) {
    rowErrors.set(index, [...(rowErrors.get(index) ?? []).filter((e) => e.path[0] !== "id_erp_apprenant"), error]);
  }
  return { items, lignes, rowErrors };
}

/**
 * `itemsOf`, an établissement given by its UAI alone (a UAI column without SIRET column, or its SIRET cell empty)
 * completed with the SIRET of the only organisme of the référentiel having that UAI, else an error of the row naming
 * the organismes found (`completeSiretParUai`). One query for the file.
 */
async function itemsWithSirets(database: Database, upload: UploadRecord, mapping: (string | null)[], anneeScolaire: string | null) {
  const result = itemsOf(upload, mapping, anneeScolaire);
  const uais = uaisSansSiret(result.items);
  if (uais.length === 0) return result;
  // read again with the SIRETs found, before the rows repeating a learner are told (their key has the SIRET)
  const organismes = await database.rows<OrganismeDeLUai>(
    sql`select uai, siret, raison_sociale from organismes where uai = any(${arrayParam(uais)}::text[]) order by raison_sociale, siret`,
  );
  const parUai = new Map<string, OrganismeDeLUai[]>();
  for (const o of organismes) parUai.set(o.uai, [...(parUai.get(o.uai) ?? []), o]);
  return itemsOf(upload, mapping, anneeScolaire, parUai);
}

// ------------------------------------------------------------------------------------------------ messages

/** The name of each field in this file: its column's name, else (no column) its label. */
export function fieldNames(headers: readonly string[], mapping: readonly (string | null)[]): Map<string, string> {
  const names = new Map(UPLOAD_FIELDS.map((f) => [f.field, f.label]));
  mapping.forEach((field, i) => {
    const header = headers[i]?.trim();
    if (field && header) names.set(field, header);
  });
  return names;
}

const FIELD_CODE = new RegExp(
  `(?<![\\w])(${UPLOAD_FIELDS.map((f) => f.field)
    .sort((a, b) => b.length - a.length)
    .join("|")})(?![\\w])`,
  "g",
);
const ISO_DATE = /(?<![\w-])(\d{4})-(\d{2})-(\d{2})(?![\w-])/g;
/** The API's date format, as the schema's messages say it (`date attendue au format AAAA-MM-JJ`). */
const FORMAT_DATE_API = /(?<![\w-])AAAA-MM-JJ(?![\w-])/g;
const LEADING_FIELDS = /^([a-z0-9_]+(?: \/ [a-z0-9_]+)*) : /;

/**
 * A message of the schema or the pipeline in the file's terms (the API's messages are not changed): the field codes
 * become the file's column names (or the field's label when it has no column), the dates and the date format
 * JJ/MM/AAAA — `date_fin_formation : … postérieure à date_entree_formation (2026-09-02)` →
 * `Fin : … postérieure à « Entrée » (02/09/2026)`, `… : champ obligatoire : date attendue au format AAAA-MM-JJ
 * (ex. 2006-03-28)` → `… : champ obligatoire : date attendue au format JJ/MM/AAAA (ex. 28/03/2006)`. Values quoted
 * « … » (as received) are left as they are, but for a date field's, received as converted from the cell:
 * JJ/MM/AAAA again.
 */
export function inFileTerms(message: string, names: ReadonlyMap<string, string>): string {
  let head = "";
  let rest = message;
  const leading = LEADING_FIELDS.exec(message);
  if (leading) {
    const codes = leading[1].split(" / ");
    if (codes.every((c) => names.has(c))) {
      head = `${codes.map((c) => names.get(c)).join(" / ")} : `;
      rest = message.slice(leading[0].length);
      // a date field's value received is the conversion of the cell (28/03/2006 → 2006-03-28): said back as typed
      if (codes.every(isDateField)) rest = rest.replace(/\(reçu « (\d{4})-(\d{2})-(\d{2}) »\)$/, "(reçu « $3/$2/$1 »)");
    }
  }
  const body = rest
    .split(/(«[^»]*»)/)
    .map((part, i) =>
      i % 2
        ? part
        : part
            .replace(ISO_DATE, (_, y, m, d) => `${d}/${m}/${y}`)
            .replace(FORMAT_DATE_API, FORMAT_DATE_FICHIER)
            .replace(FIELD_CODE, (code) => `« ${names.get(code) ?? code} »`),
    )
    .join("");
  return head + body;
}

export async function previewUpload(
  database: Database,
  upload: UploadRecord,
  mapping: (string | null)[],
  anneeScolaire: string | null,
): Promise<Preview> {
  const { items, lignes, rowErrors } = await itemsWithSirets(database, upload, mapping, anneeScolaire);
  // the rows' own errors (conversion, duplicates) replace the schema's on the same field: see checkDossiers
  const checked = await checkDossiers(database.db as unknown as Executor, items, upload.organisme.id, rowErrors, "FICHIER");
  const columnOf = new Map<string, number>();
  mapping.forEach((f, i) => f && columnOf.set(f, i));
  const names = fieldNames(upload.headers, mapping);
  const errorsByColumn = upload.headers.map(() => 0);
  const cellOptions: CellOptions = { excelSerials: upload.format === "XLSX" };
  const toRow = (c: CheckedItem): PreviewRow => {
    const raw = upload.rows[c.index];
    const cells: PreviewCell[] = upload.headers.map((_, i) => ({ ...celluleDeLApercu(raw[i + 1] ?? "", mapping[i], cellOptions), errors: [] }));
    const otherErrors: string[] = [];
    for (const error of c.errors) {
      const fields = error.fields ?? (error.path.length ? [String(error.path[0])] : []);
      const columns = [...new Set(fields.map((f) => columnOf.get(f)).filter((i): i is number => i !== undefined))];
      const message = inFileTerms(error.message, names);
      if (columns.length === 0) otherErrors.push(message);
      // an error of several columns (an établissement's UAI and SIRET, a dossier out of scope: up to 4 cells) is said
      // once, on its first column in the error's order (the formateur's UAI first); its other cells are marked and
      // point to it
      const [first, ...others] = columns;
      if (first !== undefined) cells[first].errors.push(message);
      for (const col of others) cells[col].errors.push(`Voir l'erreur de la colonne « ${apercuValeur(upload.headers[first]?.trim() || `Colonne ${first + 1}`)} ».`);
    }
    cells.forEach((cell, i) => cell.errors.length && errorsByColumn[i]++);
    const avertissement = avertissements.get(c.index);
    return { ligne: lignes[c.index], id: c.id_erp_apprenant, ok: c.errors.length === 0, cells, otherErrors, avertissements: avertissement ? [avertissement] : [] };
  };
  const avertissements = await avertissementsRessemblance(database, upload, mapping, checked);
  const withErrors = checked.filter((c) => c.errors.length);
  const rows = withErrors.map(toRow);
  const shown = rows.slice(0, PREVIEW_ROWS);
  // then the valid rows with a warning, then the others
  for (const warned of [true, false]) {
    for (const c of checked) {
      if (shown.length >= PREVIEW_ROWS) break;
      if (!c.errors.length && avertissements.has(c.index) === warned) shown.push(toRow(c));
    }
  }
  const rang = (r: PreviewRow) => (r.ok ? (r.avertissements.length ? 1 : 2) : 0);
  shown.sort((a, b) => rang(a) - rang(b) || a.ligne - b.ligne);
  return {
    nbRows: checked.length,
    nbValid: checked.length - withErrors.length,
    nbErrors: withErrors.length,
    rows: shown,
    errorsByColumn,
    nbAvertissements: avertissements.size,
  };
}

// -------------------------------------------------------------------------------------------------- import

/**
 * SQL: the upload (the table's row) was claimed by an import that stopped before the end: its claim not refreshed
 * for INTERRUPTED_AFTER_SECONDS, without a transmission; a running import refreshes it every HEARTBEAT_MS, so that
 * a long one (waiting for a lock) is never taken back (app/shared/travaux-longs.ts, as the référentiel's imports).
 */
const CLAIM_ABANDONNEE_SQL = sql`(transmission_id is null and imported_at < now() - make_interval(secs => ${INTERRUPTED_AFTER_SECONDS}))`;

export async function importUpload(
  database: Database,
  upload: UploadRecord,
  mapping: (string | null)[],
  anneeScolaire: string | null,
): Promise<IngestResult> {
  const already = new UploadError("Ce fichier a déjà été importé.");
  if (upload.importedAt && !upload.importInterrompu) throw already;
  // The claim, in one statement: of simultaneous imports of one upload (double click, several tabs), one only
  // gets the row; the others are told it was imported, and no second transmission is recorded. An interrupted
  // claim is taken back the same way. `imported_at` as text is this import's token: only its holder refreshes or
  // gives back the claim.
  const [claimed] = await database.rows<{ jeton: string }>(sql`
    update televersements set imported_at = now()
    where id = ${upload.id} and (imported_at is null or ${CLAIM_ABANDONNEE_SQL})
    returning imported_at::text as jeton`);
  if (!claimed) throw already;
  let jeton = claimed.jeton;
  let heartbeat: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    heartbeat = heartbeat
      .then(() =>
        database.rows<{ jeton: string }>(sql`
          update televersements set imported_at = now()
          where id = ${upload.id} and transmission_id is null and imported_at = ${jeton}::timestamptz
          returning imported_at::text as jeton`),
      )
      .then((rows) => rows[0] && (jeton = rows[0].jeton))
      .catch((error) => journaliserErreur("[téléversement] rafraîchissement de l'import en cours en échec", error));
  }, HEARTBEAT_MS);
  timer.unref();
  try {
    const { items, lignes, rowErrors } = await itemsWithSirets(database, upload, mapping, anneeScolaire);
    const names = fieldNames(upload.headers, mapping);
    return await ingestDossiers(database, items, {
      organismeId: upload.organisme.id,
      source: "FICHIER",
      erp: upload.erp,
      fileName: upload.fileName,
      lignes,
      itemErrors: rowErrors,
      // committed with the dossiers or not at all: a linked upload is an imported one, and the other way round.
      // Only one import links it (another one, that took back a claim believed interrupted, is rolled back).
      inTransaction: async (tx, transmissionId) => {
        const linked = await execRows(tx, sql`
          update televersements set transmission_id = ${transmissionId} where id = ${upload.id} and transmission_id is null returning id`);
        if (linked.length === 0) throw already;
        await explainRejections(tx, transmissionId, names);
      },
    });
  } catch (error) {
    // nothing recorded: the claim is given back (if still this import's), the user may import again
    clearInterval(timer);
    await heartbeat;
    await database
      .rows(sql`update televersements set imported_at = null where id = ${upload.id} and transmission_id is null and imported_at = ${jeton}::timestamptz`)
      .catch((release) => journaliserErreur("[téléversement] libération de l'import en échec", release));
    throw error;
  } finally {
    clearInterval(timer);
  }
}

/**
 * The transmission's stored errors as the preview showed them: every message in the file's terms (the rows' own
 * errors, a date as typed, an id that cannot be formed, a duplicate row, already replaced the schema's in the
 * pipeline).
 */
async function explainRejections(tx: Executor, transmissionId: number, names: ReadonlyMap<string, string>) {
  const [row] = await execRows<{ errors: unknown }>(tx, sql`select errors from transmissions where id = ${transmissionId}`);
  const stored = (typeof row?.errors === "string" ? JSON.parse(row.errors) : row?.errors) as
    | { index: number; errors: { path: (string | number)[]; message: string }[] }[]
    | null;
  if (!Array.isArray(stored)) return;
  let changed = false;
  for (const entry of stored) {
    const before = JSON.stringify(entry.errors);
    entry.errors = entry.errors.map(({ path, message }) => ({ path, message: inFileTerms(message, names) }));
    changed ||= JSON.stringify(entry.errors) !== before;
  }
  if (changed) await tx.execute(sql`update transmissions set errors = ${jsonParam(stored)}::jsonb where id = ${transmissionId}`);
}

export interface TransmissionSummary {
  id: number;
  receivedAt: string;
  nbItems: number;
  nbAccepted: number;
  /** Accepted lines identical to what was stored (nothing written for them). */
  nbUnchanged: number;
  /** Accepted lines that created a learner (null: a transmission from before it was counted). */
  nbCreated: number | null;
  nbRejected: number;
  errors: { ligne: number | null; id_erp_apprenant: string | null; nom: string | null; prenom: string | null; messages: string[] }[];
}

export async function transmissionSummary(database: Database, transmissionId: number): Promise<TransmissionSummary | null> {
  const [row] = await database.rows<{
    id: number;
    received_at: string;
    nb_items: number;
    nb_accepted: number;
    nb_unchanged: number | null;
    nb_created: number | null;
    nb_rejected: number;
    errors: unknown;
  }>(sql`select id, received_at::text, nb_items, nb_accepted, nb_unchanged, nb_created, nb_rejected, errors from transmissions where id = ${transmissionId}`);
  if (!row) return null;
  const errors = (typeof row.errors === "string" ? JSON.parse(row.errors) : (row.errors ?? [])) as {
    ligne?: number | null;
    id_erp_apprenant: string | null;
    nom: string | null;
    prenom: string | null;
    errors: { message: string }[];
  }[];
  return {
    id: row.id,
    receivedAt: row.received_at,
    nbItems: row.nb_items,
    nbAccepted: row.nb_accepted,
    nbUnchanged: row.nb_unchanged ?? 0,
    nbCreated: row.nb_created,
    nbRejected: row.nb_rejected,
    errors: errors.map((e) => ({
      ligne: e.ligne ?? null,
      id_erp_apprenant: e.id_erp_apprenant,
      nom: e.nom,
      prenom: e.prenom,
      messages: e.errors.map((x) => x.message),
    })),
  };
}

/**
 * What the result of an import says of its lines: how many were recorded, and of them how many created a learner,
 * updated one, or were unchanged (« 3 lignes enregistrées : 2 nouveaux apprenants, 1 mis à jour, 0 inchangé »), so
 * that a learner created a second time by a typo (a file without id column) does not go unnoticed; then the refused.
 * A transmission from before the learners created were counted says only the unchanged.
 */
export function resultatDeLImport(s: Pick<TransmissionSummary, "nbItems" | "nbAccepted" | "nbUnchanged" | "nbCreated" | "nbRejected">): string {
  const enregistrees = pluriel(s.nbAccepted, "ligne enregistrée", "lignes enregistrées");
  let detail: string;
  if (s.nbCreated === null) {
    detail = s.nbUnchanged ? ` (dont ${pluriel(s.nbUnchanged, "inchangée", "inchangées")} depuis l'envoi précédent)` : "";
  } else {
    const misAJour = Math.max(0, s.nbAccepted - s.nbUnchanged - s.nbCreated);
    detail =
      ` : ${pluriel(s.nbCreated, "nouvel apprenant", "nouveaux apprenants")}, ${pluriel(misAJour, "mis à jour", "mis à jour")}, ` +
      `${pluriel(s.nbUnchanged, "inchangé")}`;
  }
  return `${enregistrees}${detail} ; ${pluriel(s.nbRejected, "ligne refusée", "lignes refusées")} sur ${pluriel(s.nbItems, "ligne")}.`;
}
