import { getDatabase } from "../../db/client.server";
import { ensureTerritories } from "../../app/referentiel/territoires.server";

/** `npm run cli -- migrate`: applies the SQL migrations and loads the territories when missing. */
export async function run(argv: string[] = []): Promise<number> {
  if (argv.length) {
    console.error(`migrate ne prend ni argument ni option (reçu « ${argv.join(" ")} »). Usage : npm run cli -- migrate`);
    return 2;
  }
  const database = await getDatabase();
  const territories = await ensureTerritories(database);
  console.log(`Migrations appliquées (${database.kind}). Territoires : ${territories.communes} communes.`);
  await database.close();
  return 0;
}
