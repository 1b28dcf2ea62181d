/**
 * `npm run cli -- import:formations FICHIER [--format bcn|catalogue] [--json] [--strict]`
 * Imports the BCN table N_FORMATION_DIPLOME or a catalogue CSV, then links effectifs to the catalogue.
 */
import { getDatabase } from "../../db/client.server";
import { importFormations, type FormationFileFormat } from "../../app/referentiel/import-formations.server";
import { runImportCommand } from "../../app/referentiel/import-cli.server";

export function run(argv: string[]): Promise<number> {
  return runImportCommand(
    {
      name: "import:formations",
      description: "Importe des formations : table BCN N_FORMATION_DIPLOME (CSV « ; » ou « | », ISO-8859-1) ou catalogue CSV (docs/formats/README.md).",
      formats: ["bcn", "catalogue"],
      run: (database, bytes, options) => importFormations(database, bytes, { ...options, format: options.format as FormationFileFormat | undefined }),
    },
    argv,
    getDatabase,
  );
}
