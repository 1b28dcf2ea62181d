/**
 * Import of the INSEE table "commune → zone d'emploi 2020" (bassins d'emploi), CSV or XLSX as INSEE publishes it
 * (title rows above the header are skipped, in both: the header is the row holding CODGEO). Columns: CODGEO, ZE2020,
 * LIBZE2020 (LIBGEO and the others are ignored). A line left out (commune unknown) creates nothing, not even its zone.
 *
 * Effects: bassins_emploi upserted (code, libellé); communes.bassin_emploi_code set (the arrondissements of Paris,
 * Lyon and Marseille follow their commune); organismes.bassin_emploi_code recomputed from their code commune.
 * Counters: created = communes that had no bassin, updated = communes whose bassin changed, unchanged = the others.
 */
import { sql } from "drizzle-orm";
import { chunkAfter, readByChunks, type Database } from "../../db/client.server";
import { CODE_COMMUNE_PATTERN } from "./codes";
import {
  ImportFileError,
  emptySummary,
  exigerDesDonnees,
  mapColumns,
  normalizeText,
  progressReporter,
  readTable,
  rejeter,
  signaler,
  signalerTable,
  type ImportOptions,
  type ImportSummary,
  warningsOfRejectedLines,
} from "./import-common.server";
import { ImportStaging, compterLignes, pauses } from "./import-tranches.server";
import { signalerModification } from "../indicateurs/modifications.server";

export const BASSIN_COLUMNS = {
  CODGEO: ["code_commune", "code_commune_insee", "com"],
  ZE2020: ["ze", "zone_emploi", "code_ze", "bassin_emploi"],
  LIBZE2020: ["libze", "libelle_ze", "libelle_zone_emploi", "libelle_bassin_emploi"],
} satisfies Record<string, string[]>;

/** Arrondissements municipaux: they are not in INSEE's table, they take their commune's zone. */
function parentCommune(code: string): string | null {
  if (/^751(0[1-9]|1[0-9]|20)$/.test(code)) return "75056";
  if (/^6938[1-9]$/.test(code)) return "69123";
  if (/^132(0[1-9]|1[0-6])$/.test(code)) return "13055";
  return null;
}

export async function importBassins(database: Database, bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportSummary> {
  const started = Date.now();
  options.onProgress?.({ phase: "lecture", done: 0, total: 0 });
  const table = await readTable(bytes, ["CODGEO"]);
  const summary = emptySummary("bassins", table.sheet ? `zones d'emploi INSEE (XLSX, feuille « ${table.sheet} »)` : "zones d'emploi INSEE (CSV)", options.fileName);
  summary.encoding = table.encoding;
  summary.delimiter = table.delimiter;
  const { index, names } = mapColumns(table.header, BASSIN_COLUMNS);
  const missing = (["CODGEO", "ZE2020"] as const).filter((k) => index[k] === undefined);
  if (missing.length) {
    throw new ImportFileError(
      `Fichier illisible : colonne(s) obligatoire(s) absente(s) : ${missing.map((k) => `« ${k} »`).join(", ")}. En-tête lu : ${table.header
        .map((h) => `« ${h} »`)
        .join(", ")}.`,
    );
  }
  const col = (k: keyof typeof BASSIN_COLUMNS) => names[k] ?? k;
  exigerDesDonnees(table.rows.length);
  summary.lines = table.rows.length;
  signalerTable(summary, table);

  const communeRows = await readByChunks(
    (after: string | undefined) =>
      database.rows<{ code: string; bassin_emploi_code: string | null }>(sql`select code, bassin_emploi_code from communes ${chunkAfter(sql`code`, after)}`),
    (c) => c.code,
  );
  const current = new Map(communeRows.map((c) => [c.code, c.bassin_emploi_code]));
  const bassinRows = await database.rows<{ code: string; libelle: string }>(sql`select code, libelle from bassins_emploi`);
  const storedBassins = new Map(bassinRows.map((b) => [b.code, b.libelle]));

  const bassins = new Map<string, { libelle: string | null; line: number }>();
  const assignment = new Map<string, string>();
  const seenLine = new Map<string, number>();
  const report = progressReporter(options, "validation", table.rows.length, 5000);
  const pause = pauses();
  for (let k = 0; k < table.rows.length; k++) {
    await pause();
    const row = table.rows[k];
    report(k + 1);
    const get = (c: keyof typeof BASSIN_COLUMNS) => (index[c] !== undefined ? (row.cells[index[c]!] ?? "").trim() : "");
    const codgeoRaw = get("CODGEO").toUpperCase();
    const zeRaw = get("ZE2020").toUpperCase();
    // XLSX numeric cells lose their leading zeros (01001 → 1001, 0051 → 51)
    const codgeo = /^[0-9]{4}$/.test(codgeoRaw) ? codgeoRaw.padStart(5, "0") : codgeoRaw;
    const ze = /^[0-9]{1,3}$/.test(zeRaw) ? zeRaw.padStart(4, "0") : zeRaw;
    const errors = [];
    if (!CODE_COMMUNE_PATTERN.test(codgeo)) errors.push({ line: row.line, column: col("CODGEO"), message: codgeo ? `code commune invalide (« ${codgeoRaw} »)` : "code commune manquant" });
    if (!/^[0-9A-Z]{4}$/.test(ze)) errors.push({ line: row.line, column: col("ZE2020"), message: ze ? `code de zone d'emploi invalide (« ${zeRaw} ») : 4 caractères attendus` : "code de zone d'emploi manquant" });
    if (errors.length) {
      rejeter(summary, errors);
      continue;
    }
    const previous = seenLine.get(codgeo);
    if (previous) signaler(summary, { line: row.line, column: col("CODGEO"), message: `commune ${codgeo} déjà présente ligne ${previous} : la dernière ligne l'emporte` });
    seenLine.set(codgeo, row.line);
    if (!current.has(codgeo)) {
      // a line left out creates nothing: not even its zone d'emploi
      summary.skipped++;
      signaler(summary, { line: row.line, column: col("CODGEO"), message: `commune ${codgeo} absente du référentiel des communes : ignorée` });
      continue;
    }
    const libelle = normalizeText(get("LIBZE2020"));
    const known = bassins.get(ze);
    if (!known) bassins.set(ze, { libelle, line: row.line });
    else if (libelle && known.libelle && known.libelle !== libelle) {
      signaler(summary, { line: row.line, column: col("LIBZE2020"), message: `libellé « ${libelle} » différent de celui de la ligne ${known.line} (« ${known.libelle} ») pour la zone ${ze} : le premier est gardé` });
    } else if (libelle && !known.libelle) known.libelle = libelle;
    assignment.set(codgeo, ze);
  }
  for (const code of current.keys()) {
    const parent = parentCommune(code);
    if (parent && assignment.has(parent) && !assignment.has(code)) assignment.set(code, assignment.get(parent)!);
  }

  const changes: [string, string][] = [];
  let arrondissements = 0;
  for (const [code, ze] of assignment) {
    await pause();
    const before = current.get(code) ?? null;
    const counts = !parentCommune(code) || seenLine.has(code);
    if (before === ze) {
      if (counts) summary.unchanged++;
      continue;
    }
    changes.push([code, ze]);
    if (!counts) arrondissements++;
    else if (before === null) summary.created++;
    else summary.updated++;
  }

  let bassinsCreated = 0;
  let bassinsRenamed = 0;
  const bassinRowsToWrite: [string, string][] = [];
  for (const [code, { libelle }] of bassins) {
    const stored = storedBassins.get(code);
    if (stored === undefined) {
      bassinsCreated++;
      bassinRowsToWrite.push([code, libelle ?? `Zone d'emploi ${code}`]);
    } else if (libelle && libelle !== stored) {
      bassinsRenamed++;
      bassinRowsToWrite.push([code, libelle]);
    }
  }

  // Set down by chunks, then applied in one transaction (decision 021).
  let organismesUpdated = 0;
  options.onProgress?.({ phase: "écriture", done: 0, total: changes.length });
  await ImportStaging.run(database, "des bassins d'emploi", async (staging) => {
    await staging.add(
      ZONES,
      bassinRowsToWrite.map(([code, libelle]) => ({ code, libelle })),
    );
    await staging.add(
      COMMUNES,
      changes.map(([code, ze]) => ({ code, bassin_emploi_code: ze })),
      (done) => options.onProgress?.({ phase: "écriture", done, total: changes.length }),
    );
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`
        insert into bassins_emploi (code, libelle)
        select r.code, r.libelle from ${staging.rows(ZONES, "bassins_emploi")} as r order by r.seq
        on conflict (code) do update set libelle = excluded.libelle`);
      await tx.execute(sql`
        update communes c set bassin_emploi_code = r.bassin_emploi_code
        from ${staging.rows(COMMUNES, "communes")} as r where c.code = r.code`);
      organismesUpdated = await compterLignes(tx, sql`
        update organismes o set bassin_emploi_code = c.bassin_emploi_code, updated_at = now()
        from communes c
        where c.code = o.code_commune and c.bassin_emploi_code is not null and o.bassin_emploi_code is distinct from c.bassin_emploi_code
        returning 1`);
      // the dashboards filtered by bassin (and the bassins' names) change: their cache empties at commit (decision 006)
      await signalerModification(tx);
    });
  });

  summary.details["bassins d'emploi créés"] = bassinsCreated;
  summary.details["libellés de bassins modifiés"] = bassinsRenamed;
  summary.details["arrondissements municipaux rattachés"] = arrondissements;
  summary.details["organismes mis à jour"] = organismesUpdated;
  warningsOfRejectedLines(summary);
  summary.durationMs = Date.now() - started;
  options.onProgress?.({ phase: "terminé", done: table.rows.length, total: table.rows.length });
  return summary;
}

/** The staged rows of a bassins import. */
const ZONES = "bassins:zones";
const COMMUNES = "bassins:communes";
