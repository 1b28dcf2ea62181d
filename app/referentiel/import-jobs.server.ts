/**
 * Imports started from the admin page run in the background of the server process, so the page can show their
 * progress (it polls) and then their summary. In memory: the last 20 imports, lost on restart (the data written
 * is not). One process only — with several server processes, sticky sessions or a jobs table would be needed.
 */
import { randomUUID } from "node:crypto";
import type { Database } from "../../db/client.server";
import { importBassins } from "./import-bassins.server";
import { ImportFileError, type ImportKind, type ImportProgress, type ImportSummary } from "./import-common.server";
import { importFormations, type FormationFileFormat } from "./import-formations.server";
import { importOrganismes, type OrganismeFileFormat } from "./import-organismes.server";

export interface ImportJob {
  id: string;
  kind: ImportKind;
  fileName: string;
  size: number;
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  progress: ImportProgress;
  summary: ImportSummary | null;
  /** The file could not be read (nothing changed) or the import failed. */
  error: string | null;
}

const jobs = new Map<string, ImportJob>();
const MAX_JOBS = 20;

export function startImport(
  database: Database,
  input: { kind: ImportKind; format?: string; fileName: string; bytes: Uint8Array; startedBy: string },
): ImportJob {
  const job: ImportJob = {
    id: randomUUID(),
    kind: input.kind,
    fileName: input.fileName,
    size: input.bytes.byteLength,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    startedBy: input.startedBy,
    progress: { phase: "lecture", done: 0, total: 0 },
    summary: null,
    error: null,
  };
  jobs.set(job.id, job);
  while (jobs.size > MAX_JOBS) jobs.delete(jobs.keys().next().value!);
  const options = { fileName: input.fileName, onProgress: (p: ImportProgress) => (job.progress = p) };
  const run =
    input.kind === "organismes"
      ? importOrganismes(database, input.bytes, { ...options, format: input.format as OrganismeFileFormat | undefined })
      : input.kind === "formations"
        ? importFormations(database, input.bytes, { ...options, format: input.format as FormationFileFormat | undefined })
        : importBassins(database, input.bytes, options);
  run
    .then((summary) => {
      job.summary = summary;
    })
    .catch((error: unknown) => {
      job.error =
        error instanceof ImportFileError
          ? `${error.message} Aucune donnée n'a été modifiée.`
          : `L'import a échoué : ${error instanceof Error ? error.message : String(error)}. Aucune donnée n'a été modifiée.`;
      if (!(error instanceof ImportFileError)) console.error("import référentiel", error);
    })
    .finally(() => {
      job.finishedAt = new Date().toISOString();
      job.progress = { ...job.progress, phase: "terminé" };
    });
  return job;
}

export function getImportJob(id: string): ImportJob | undefined {
  return jobs.get(id);
}

export function recentImportJobs(): ImportJob[] {
  return [...jobs.values()].reverse();
}

/** Waits for a job to finish (tests, CLI-like callers). */
export async function waitForImport(id: string, timeoutMs = 60_000): Promise<ImportJob | undefined> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const job = jobs.get(id);
    if (!job || job.finishedAt) return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  return jobs.get(id);
}
