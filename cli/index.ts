/**
 * `npm run cli -- <command> [options]`: every command lives in cli/commands/<name>.ts and exports
 * `run(argv: string[]): Promise<number>` (the exit code).
 */
const commands: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  migrate: () => import("./commands/migrate"),
  seed: () => import("./commands/seed"),
  statut: () => import("./commands/statut"),
  "import:organismes": () => import("./commands/import-organismes"),
  "import:formations": () => import("./commands/import-formations"),
  "import:bassins": () => import("./commands/import-bassins"),
  "organisme:api-key": () => import("./commands/organisme-api-key"),
  "ingestion:purge": () => import("./commands/ingestion-purge"),
  indicateurs: () => import("./commands/indicateurs"),
  "user:create": () => import("./commands/user-create"),
  "user:list": () => import("./commands/user-list"),
};

async function main() {
  const [name, ...argv] = process.argv.slice(2);
  const load = name ? commands[name] : undefined;
  if (!load) {
    console.error(`Commande inconnue : ${name ?? "(aucune)"}. Commandes : ${Object.keys(commands).join(", ")}`);
    process.exit(2);
  }
  const mod = await load();
  const code = await mod.run(argv);
  process.exit(code);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
