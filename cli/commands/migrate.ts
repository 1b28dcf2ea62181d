import { getDatabase } from "../../db/client.server";
import { ensureTerritories } from "../../app/referentiel/territoires.server";
import { noArguments, runCommand, type Usage } from "../usage";

export const USAGE: Usage = {
  synopsis: "npm run cli -- migrate",
  description: "Applique les migrations SQL et charge les territoires (régions, académies, départements, communes) s'ils manquent.",
  options: [],
  notes: ["Sans argument ni option : la base est celle de DATABASE_URL, sinon la base embarquée PGlite (PGLITE_DIR, défaut .data/pglite)."],
};

/** `npm run cli -- migrate`: applies the SQL migrations and loads the territories when missing. */
export function run(argv: string[] = []): Promise<number> {
  return runCommand(USAGE, argv, noArguments("migrate"), async () => {
    const database = await getDatabase();
    try {
      const territories = await ensureTerritories(database);
      console.log(`Migrations appliquées (${database.kind}). Territoires : ${territories.communes} communes.`);
      return 0;
    } finally {
      await database.close();
    }
  });
}
