/**
 * Imports started from the admin page run in the background of the server process that received the file; their
 * progress, then their summary, are written to `imports_referentiel`, so that the page's polling may reach any
 * server process and the log of who imported what survives restarts. An import whose process stops (restart,
 * crash) stops writing its heartbeat: after 2 minutes it reads as interrupted, and its transaction was rolled back.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.server";
import { importBassins } from "./import-bassins.server";
import { ImportFileError, type ImportKind, type ImportProgress, type ImportSummary } from "./import-common.server";
import { importFormations, type FormationFileFormat } from "./import-formations.server";
import { importOrganismes, type OrganismeFileFormat } from "./import-organismes.server";
import { journaliserErreur, raisonEnFrancais } from "../shared/erreurs-base.server";
import { HEARTBEAT_MS, INTERRUPTED_AFTER_SECONDS } from "../shared/travaux-longs";

export interface ImportJob {
  id: string;
  kind: ImportKind;
  fileName: string;
  size: number;
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  progress: ImportProgress;
  /** The summary, its lists cut to the first 500 rejections and 200 warnings. */
  summary: ImportSummary | null;
  /** Distinct lines rejected (whole file). */
  rejectedLines: number | null;
  /** The file could not be read (nothing changed), the import failed or was interrupted. */
  error: string | null;
}

/** Progress is written at most this often (ms); the heartbeat at least every HEARTBEAT_MS (travaux-longs.ts). */
const WRITE_EVERY_MS = 1000;
export const INTERRUPTED_MESSAGE =
  "L'import a été interrompu (arrêt ou redémarrage du serveur) avant la fin : aucune donnée n'a été modifiée. Relancez-le.";

const SELECT = sql`select id, kind, file_name, size, started_at, finished_at, started_by, progress, summary, rejected_lines, error,
    heartbeat_at, (finished_at is null and heartbeat_at < now() - make_interval(secs => ${INTERRUPTED_AFTER_SECONDS})) as interrompu
  from imports_referentiel`;

interface Row {
  id: string;
  kind: ImportKind;
  file_name: string;
  size: number;
  started_at: unknown;
  finished_at: unknown;
  started_by: string;
  progress: unknown;
  summary: unknown;
  rejected_lines: number | null;
  error: string | null;
  heartbeat_at: unknown;
  interrompu: boolean;
}

const iso = (v: unknown) => new Date(v as string).toISOString();
const json = <T>(v: unknown) => (typeof v === "string" ? JSON.parse(v) : v) as T;

function jobOfRow(r: Row): ImportJob {
  const progress = json<ImportProgress>(r.progress);
  return {
    id: r.id,
    kind: r.kind,
    fileName: r.file_name,
    size: r.size,
    startedAt: iso(r.started_at),
    finishedAt: r.finished_at ? iso(r.finished_at) : r.interrompu ? iso(r.heartbeat_at) : null,
    startedBy: r.started_by,
    progress: r.interrompu ? { ...progress, phase: "terminé" } : progress,
    summary: r.summary ? json<ImportSummary>(r.summary) : null,
    rejectedLines: r.rejected_lines,
    error: r.interrompu ? INTERRUPTED_MESSAGE : r.error,
  };
}

const IMPORTS_EN_COURS = Symbol.for("tableau-de-bord.imports-en-cours");

/**
 * The imports this process runs (their whole task, up to the final status written): what a stop waits for. Held by
 * the process (globalThis), not by this module: the routes run this module from the Remix build, and server.ts,
 * which stops the process, loads its own copy of it.
 */
const enCours: Set<Promise<unknown>> = ((globalThis as { [IMPORTS_EN_COURS]?: Set<Promise<unknown>> })[IMPORTS_EN_COURS] ??= new Set());

/**
 * Waits at most `ms` for the imports this process runs to end; true when none is left. A server asked to stop
 * (SIGTERM, Ctrl-C) lets them end within its grace period before it closes the database under them: an import cut
 * changes nothing (its final transaction), but it would fail with the database's errors and stay « en cours »
 * until the 2-minute rule calls it interrupted.
 */
export async function attendreImportsEnCours(ms: number): Promise<boolean> {
  if (enCours.size === 0) return true;
  let delai: NodeJS.Timeout | undefined;
  const fini = await Promise.race([
    Promise.allSettled([...enCours]).then(() => true),
    new Promise<boolean>((resolve) => (delai = setTimeout(() => resolve(false), Math.max(0, ms)))),
  ]);
  clearTimeout(delai);
  return fini;
}

/** Records the import, starts it in the background, and returns it (running). */
export async function startImport(
  database: Database,
  input: { kind: ImportKind; format?: string; offreComplete?: boolean; fileName: string; bytes: Uint8Array; startedBy: string },
): Promise<ImportJob> {
  const id = randomUUID();
  const [row] = await database.rows<Row>(sql`
    with inserted as (
      insert into imports_referentiel (id, kind, file_name, size, started_by, progress)
      values (${id}, ${input.kind}, ${input.fileName}, ${input.bytes.byteLength}, ${input.startedBy},
              ${JSON.stringify({ phase: "lecture", done: 0, total: 0 })}::jsonb)
      returning *)
    select *, false as interrompu from inserted`);

  // Progress and heartbeat: one write at a time, the latest progress only.
  let latest: ImportProgress | null = null;
  let writing: Promise<unknown> = Promise.resolve();
  let busy = false;
  let lastWrite = Date.now();
  const write = () => {
    if (busy || (!latest && Date.now() - lastWrite < HEARTBEAT_MS)) return;
    const progress = latest;
    latest = null;
    busy = true;
    lastWrite = Date.now();
    writing = database.db
      .execute(
        progress
          ? sql`update imports_referentiel set progress = ${JSON.stringify(progress)}::jsonb, heartbeat_at = now() where id = ${id}`
          : sql`update imports_referentiel set heartbeat_at = now() where id = ${id}`,
      )
      .catch((error: unknown) => console.error("import référentiel : progression non enregistrée", error))
      .finally(() => (busy = false));
  };
  const timer = setInterval(write, WRITE_EVERY_MS);
  timer.unref();

  const options = { fileName: input.fileName, onProgress: (p: ImportProgress) => (latest = p) };
  const run =
    input.kind === "organismes"
      ? importOrganismes(database, input.bytes, { ...options, format: input.format as OrganismeFileFormat | undefined })
      : input.kind === "formations"
        ? importFormations(database, input.bytes, { ...options, format: input.format as FormationFileFormat | undefined, offreComplete: input.offreComplete })
        : importBassins(database, input.bytes, options);
  const tache = run
    .then(
      (summary) => ({ summary, error: null }),
      (error: unknown) => {
        if (!(error instanceof ImportFileError)) journaliserErreur("import référentiel", error);
        return {
          summary: null,
          error:
            error instanceof ImportFileError
              ? `${error.message} Aucune donnée n'a été modifiée.`
              : // never the error's own message: drizzle's holds the query and the rows of the file
                `L'import a échoué : ${raisonEnFrancais(error)}. Aucune donnée n'a été modifiée ; relancez l'import.`,
        };
      },
    )
    .then(async ({ summary, error }) => {
      clearInterval(timer);
      await writing;
      const total = summary?.lines ?? latest?.total ?? 0;
      const stored = summary
        ? { ...summary, rejected: summary.rejected.slice(0, 500), warnings: summary.warnings.slice(0, 200) }
        : null;
      await database.db.execute(sql`
        update imports_referentiel set finished_at = now(), heartbeat_at = now(),
          progress = ${JSON.stringify({ phase: "terminé", done: total, total })}::jsonb,
          summary = ${stored ? JSON.stringify(stored) : null}::jsonb,
          rejected_lines = ${summary ? summary.rejectedLines : null},
          error = ${error}
        where id = ${id}`);
    })
    .catch((error: unknown) => journaliserErreur("import référentiel : fin non enregistrée", error))
    .finally(() => enCours.delete(tache));
  enCours.add(tache);
  return jobOfRow(row);
}

export async function getImportJob(database: Database, id: string): Promise<ImportJob | undefined> {
  const [row] = await database.rows<Row>(sql`${SELECT} where id = ${id}`);
  return row ? jobOfRow(row) : undefined;
}

/** The latest imports, newest first. */
export async function recentImportJobs(database: Database, limit = 20): Promise<ImportJob[]> {
  const rows = await database.rows<Row>(sql`${SELECT} order by started_at desc, id limit ${limit}`);
  return rows.map(jobOfRow);
}

/** Waits for a job to finish (tests, CLI-like callers). */
export async function waitForImport(database: Database, id: string, timeoutMs = 60_000): Promise<ImportJob | undefined> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const job = await getImportJob(database, id);
    if (!job || job.finishedAt || Date.now() >= end) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
}
