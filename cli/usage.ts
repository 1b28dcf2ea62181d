/**
 * What every command (cli/commands/*.ts) does with its arguments before any work: `--help` / `-h` prints its usage
 * on stdout (exit 0); a bad argument prints a precise French message and the usage line on stderr (exit 2). Both
 * happen before the database is opened: with the embedded PGlite database (one process at a time), a command asked
 * for its help, or given a bad argument, must not answer with the lock message of a running server.
 */

export interface Usage {
  /** After "Usage : ": how to call the command, optional arguments in brackets. */
  synopsis: string;
  /** What the command does, in one or two sentences. */
  description: string;
  /** [option, meaning] — the meaning says whether it is optional and its default. */
  options: [string, string][];
  /** Lines after the options (exit codes, output…). */
  notes?: string[];
}

/** A bad argument: its message names the argument and what is expected. */
export class UsageError extends Error {}

export function usageLine(usage: Usage): string {
  return `Usage : ${usage.synopsis}`;
}

export function helpText(usage: Usage): string {
  const options: [string, string][] = [...usage.options, ["-h, --help", "affiche cette aide"]];
  const width = Math.max(...options.map(([option]) => option.length));
  return (
    [
      usageLine(usage),
      "",
      usage.description,
      "",
      "Options :",
      ...options.map(([option, meaning]) => `  ${option.padEnd(width)}  ${meaning}`),
      ...(usage.notes?.length ? ["", ...usage.notes] : []),
    ].join("\n") + "\n"
  );
}

export function wantsHelp(argv: string[]): boolean {
  return argv.some((arg) => arg === "--help" || arg === "-h");
}

/** The message of a bad argument, followed by the usage line. */
export function refusal(usage: Usage, error: UsageError): string {
  return `${error.message}\n${usageLine(usage)}`;
}

/** Writes and waits until it is flushed (the CLI entry calls process.exit right after the command returns). */
export function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

/**
 * Runs a command: its help when asked, else `parse` (which throws a UsageError for a bad argument), else `body` with
 * the parsed arguments — the only part that may open the database.
 */
export async function runCommand<T>(usage: Usage, argv: string[], parse: (argv: string[]) => T, body: (args: T) => Promise<number>): Promise<number> {
  if (wantsHelp(argv)) {
    await write(process.stdout, helpText(usage));
    return 0;
  }
  let args: T;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await write(process.stderr, refusal(usage, error) + "\n");
    return 2;
  }
  return body(args);
}

/** A command that takes no argument. */
export function noArguments(command: string): (argv: string[]) => void {
  return (argv) => {
    if (argv.length) throw new UsageError(`${command} ne prend ni argument ni option (reçu « ${argv.join(" ")} »).`);
  };
}

