/**
 * `npm run cli -- import:bassins FICHIER [--json] [--strict]`
 * Imports INSEE's commune → zone d'emploi 2020 table (CSV or XLSX: CODGEO, ZE2020, LIBZE2020).
 */
import { getDatabase } from "../../db/client.server";
import { importBassins } from "../../app/referentiel/import-bassins.server";
import { runImportCommand } from "../import-referentiel";

export function run(argv: string[]): Promise<number> {
  return runImportCommand(
    {
      name: "import:bassins",
      description: "Importe la table INSEE des zones d'emploi 2020 (CSV ou XLSX avec les colonnes CODGEO, ZE2020, LIBZE2020).",
      run: (database, bytes, options) => importBassins(database, bytes, options),
    },
    argv,
    getDatabase,
  );
}
