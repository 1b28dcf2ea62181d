/**
 * `npm run cli -- <command> [options]`: every command lives in cli/commands/<name>.ts and exports
 * `run(argv: string[]): Promise<number>` (the exit code). `<command> --help` prints its options (cli/usage.ts);
 * `--help` alone lists the commands.
 */
type Command = { description: string; load: () => Promise<{ run: (argv: string[]) => Promise<number> }> };

const commands: Record<string, Command> = {
  migrate: { description: "applique les migrations SQL et charge les territoires", load: () => import("./commands/migrate") },
  seed: { description: "charge le jeu de démonstration", load: () => import("./commands/seed") },
  statut: { description: "calcule le parcours et le statut de dossiers apprenants JSON lus sur l'entrée standard", load: () => import("./commands/statut") },
  "import:organismes": { description: "importe des organismes dans le référentiel", load: () => import("./commands/import-organismes") },
  "import:formations": { description: "importe des formations (table BCN ou catalogue)", load: () => import("./commands/import-formations") },
  "import:bassins": { description: "importe la table INSEE commune → zone d'emploi", load: () => import("./commands/import-bassins") },
  "organisme:api-key": { description: "émet ou révoque la clé d'API d'un organisme", load: () => import("./commands/organisme-api-key") },
  "ingestion:purge": { description: "purge les données d'ingestion périmées (aussi fait chaque heure par le serveur)", load: () => import("./commands/ingestion-purge") },
  indicateurs: { description: "affiche en JSON les compteurs d'apprenants à une date", load: () => import("./commands/indicateurs") },
  "user:create": { description: "crée un compte", load: () => import("./commands/user-create") },
  "user:list": { description: "liste les comptes", load: () => import("./commands/user-list") },
};

function commandList(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return (
    [
      "Usage : npm run cli -- <commande> [options]",
      "",
      "Commandes :",
      ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.description}`),
      "",
      "Chaque commande affiche ses options avec --help (npm run cli -- seed --help).",
    ].join("\n") + "\n"
  );
}

async function main() {
  const [name, ...argv] = process.argv.slice(2);
  if (name === "--help" || name === "-h") {
    process.stdout.write(commandList(), () => process.exit(0));
    return;
  }
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`${name ? `Commande inconnue : ${name}.` : "Commande manquante."}\n${commandList()}`, () => process.exit(2));
    return;
  }
  const mod = await command.load();
  const code = await mod.run(argv);
  process.exit(code);
}

main().catch(async (err) => {
  // the database unreachable or DATABASE_URL wrong: one French line, what to check (never the URL)
  const { impossibleDeSonFait, messageImpossible } = await import("../app/shared/erreurs-base.server");
  console.error(impossibleDeSonFait(err) ? messageImpossible("Commande", err) : err instanceof Error ? err.message : err);
  process.exit(1);
});
