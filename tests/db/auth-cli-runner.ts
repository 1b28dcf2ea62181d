/** Runs one CLI command module as `npm run cli` would (used by auth-cli.test.ts until cli/index.ts registers them). */
const [command, ...argv] = process.argv.slice(2);
const modules: Record<string, () => Promise<{ run: (argv: string[]) => Promise<number> }>> = {
  "user:create": () => import("../../cli/commands/user-create"),
  "user:list": () => import("../../cli/commands/user-list"),
};
const mod = await modules[command]();
process.exit(await mod.run(argv));
export {};
