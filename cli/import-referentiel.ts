/**
 * What the three import commands share (cli/commands/import-*.ts): arguments, progress on stderr, the summary on
 * stdout (French text, or JSON with --json), exit codes (0 done — even with rejected lines, 1 file unreadable or
 * --strict with rejected lines, 2 usage). The arguments are checked, and the file read, before the database is opened.
 */
import fs from "node:fs";
import path from "node:path";
import type { Database } from "../db/client.server";
import { formatIssue, ImportFileError, type ImportOptions, type ImportProgress, type ImportSummary } from "../app/referentiel/import-common.server";
import { ensureTerritories } from "../app/referentiel/territoires.server";
import { dureeImport, unitesAccordees } from "../app/referentiel/import-libelles";
import { formatNombre } from "../app/ui/format";
import { runCommand, UsageError, type Usage } from "./usage";

export interface ImportCommand {
  name: string;
  description: string;
  formats?: string[];
  /** The command's own switches (`--offre-complete`), given to `run` by name. */
  flags?: { flag: string; help: string }[];
  run(database: Database, bytes: Uint8Array, options: ImportOptions & { format?: string; flags: Set<string> }): Promise<ImportSummary>;
}

const PHASES: Record<ImportProgress["phase"], string> = { lecture: "Lecture", validation: "Contrôle", écriture: "Écriture", terminé: "Terminé" };

function writeErr(text: string) {
  process.stderr.write(text);
}

/** The summary as French text (also used by the admin page's "copier le compte rendu"). */
export function summaryText(summary: ImportSummary, maxIssues = 50): string {
  const unit = summary.lineUnit ?? "ligne";
  // a summary stored before decision 028 has neither count: all of its messages were kept
  const rejectedLines = summary.rejectedLines ?? new Set(summary.rejected.map((r) => r.line)).size;
  const moreRejected = summary.omitted?.rejected ?? 0;
  const moreWarnings = summary.omitted?.warnings ?? 0;
  const lines = [
    `Import ${summary.kind} : ${summary.format}${summary.fileName ? ` — ${summary.fileName}` : ""}`,
    `${unitesAccordees(summary.lines, unit, "lu")}${summary.encoding ? `, encodage ${summary.encoding === "windows-1252" ? "ISO-8859-1 (Windows-1252)" : summary.encoding.toUpperCase()}` : ""}${
      summary.delimiter ? `, séparateur « ${summary.delimiter === "\t" ? "tabulation" : summary.delimiter} »` : ""
    }, en ${dureeImport(summary.durationMs)}`,
    `Créés : ${formatNombre(summary.created)} — mis à jour : ${formatNombre(summary.updated)} — inchangés : ${formatNombre(summary.unchanged)}${
      summary.skipped ? ` — ignorés : ${formatNombre(summary.skipped)}` : ""
    } — ${unitesAccordees(rejectedLines, unit, "rejeté")}`,
    ...Object.entries(summary.details).map(([k, v]) => `${k[0].toUpperCase()}${k.slice(1)} : ${formatNombre(v)}`),
  ];
  if (summary.rejected.length) {
    lines.push("", "Rejets :");
    for (const r of summary.rejected.slice(0, maxIssues)) lines.push(`  ${formatIssue(r, unit)}`);
    const more = Math.max(0, summary.rejected.length - maxIssues);
    const json = moreRejected ? `--json pour voir les ${formatNombre(summary.rejected.length)} premiers` : "--json pour tout voir";
    if (more) lines.push(`  … et ${formatNombre(more + moreRejected)} autres (${json})`);
    else if (moreRejected) lines.push(`  … et ${formatNombre(moreRejected)} autres`);
  }
  if (summary.warnings.length) {
    lines.push("", "Avertissements :");
    for (const w of summary.warnings.slice(0, maxIssues)) lines.push(`  ${w.line ? formatIssue(w, unit) : `${w.column ? `Colonne « ${w.column} » : ` : ""}${w.message}`}`);
    const more = Math.max(0, summary.warnings.length - maxIssues) + moreWarnings;
    if (more) lines.push(`  … et ${formatNombre(more)} autres`);
  }
  return lines.join("\n") + "\n";
}

/** The command's help: its arguments and options, each with its meaning. */
export function importUsage(command: ImportCommand): Usage {
  const flags = command.flags ?? [];
  return {
    synopsis:
      `npm run cli -- ${command.name} FICHIER${command.formats ? ` [--format ${command.formats.join("|")}]` : ""}` +
      `${flags.map((f) => ` [${f.flag}]`).join("")} [--json] [--strict]`,
    description: command.description,
    options: [
      ["FICHIER", "chemin du fichier à importer (obligatoire)"],
      ...(command.formats
        ? [["--format " + command.formats.join("|"), "format du fichier (facultatif, défaut : reconnu d'après son contenu)"] as [string, string]]
        : []),
      ...flags.map((f): [string, string] => [f.flag, `${f.help.replace(/\.$/, "")} (facultatif)`]),
      ["--json", "écrit le compte rendu en JSON, avec toutes les lignes rejetées (facultatif, défaut : texte)"],
      ["--strict", "code de sortie 1 si une ligne est rejetée (facultatif)"],
    ],
    notes: [
      "Progression sur la sortie d'erreur, compte rendu sur la sortie standard.",
      "Codes de sortie : 0 fait (même avec des lignes rejetées, sauf --strict), 1 fichier illisible ou invalide, 2 arguments invalides.",
    ],
  };
}

interface ImportArgs {
  file: string;
  format?: string;
  flags: Set<string>;
  json: boolean;
  strict: boolean;
}

function parseImportArgs(command: ImportCommand, argv: string[]): ImportArgs {
  const flags = new Set<string>();
  let file: string | undefined;
  let format: string | undefined;
  let json = false;
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "--strict") strict = true;
    else if (command.flags?.some((f) => f.flag === a)) flags.add(a);
    else if (command.formats && (a === "--format" || a.startsWith("--format="))) {
      format = a.includes("=") ? a.slice("--format=".length) : argv[++i];
      if (!format || !command.formats.includes(format)) {
        throw new UsageError(`--format : ${format ? `valeur inconnue « ${format} »` : "valeur manquante"} (attendu : ${command.formats.join(", ")}).`);
      }
    } else if (a.startsWith("-")) throw new UsageError(`Option inconnue : ${a}.`);
    else if (file) throw new UsageError(`Un seul fichier à la fois (reçu aussi « ${a} »).`);
    else file = a;
  }
  if (!file) throw new UsageError("FICHIER manquant : indiquez le chemin du fichier à importer.");
  return { file, format, flags, json, strict };
}

export function runImportCommand(command: ImportCommand, argv: string[], openDatabase: () => Promise<Database>): Promise<number> {
  return runCommand(importUsage(command), argv, (a) => parseImportArgs(command, a), (args) => importFile(command, args, openDatabase));
}

async function importFile(command: ImportCommand, { file, format, flags, json, strict }: ImportArgs, openDatabase: () => Promise<Database>): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    writeErr(`Impossible de lire ${file} : ${code === "ENOENT" ? "fichier introuvable" : code === "EISDIR" ? "c'est un dossier" : (error as Error).message}\n`);
    return 1;
  }
  const database = await openDatabase();
  try {
    await ensureTerritories(database);
    const tty = process.stderr.isTTY;
    let last = "";
    const onProgress = (p: ImportProgress) => {
      const text = p.total ? `${PHASES[p.phase]} : ${formatNombre(p.done)}/${formatNombre(p.total)} (${Math.floor((100 * p.done) / p.total)} %)` : `${PHASES[p.phase]}…`;
      if (text === last) return;
      last = text;
      if (tty) writeErr(`\r\x1b[K${text}`);
      else if (p.done === p.total || p.total === 0 || p.phase === "terminé") writeErr(`${text}\n`);
    };
    const summary = await command.run(database, bytes, { fileName: path.basename(file), format, flags, onProgress });
    if (tty) writeErr("\n");
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(json ? JSON.stringify(summary, null, 2) + "\n" : summaryText(summary), (e) => (e ? reject(e) : resolve())),
    );
    return strict && summary.rejected.length ? 1 : 0;
  } catch (error) {
    if (error instanceof ImportFileError) {
      writeErr(`\n${error.message} Aucune donnée n'a été modifiée.\n`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
