/**
 * `npm run cli -- import:formations FICHIER [--format bcn|catalogue] [--offre-complete] [--json] [--strict]`
 * Imports the BCN table N_FORMATION_DIPLOME or a catalogue CSV, then links effectifs to the catalogue. With
 * --offre-complete, the file gives the whole offer of the organismes formateurs it cites (the others are kept).
 */
import { getDatabase } from "../../db/client.server";
import { importFormations, type FormationFileFormat } from "../../app/referentiel/import-formations.server";
import { runImportCommand } from "../import-referentiel";

export function run(argv: string[]): Promise<number> {
  return runImportCommand(
    {
      name: "import:formations",
      description: "Importe des formations : table BCN N_FORMATION_DIPLOME (CSV « ; » ou « | », ISO-8859-1) ou catalogue CSV (docs/formats/README.md).",
      formats: ["bcn", "catalogue"],
      flags: [
        {
          flag: "--offre-complete",
          help:
            "le fichier donne toute l'offre des organismes formateurs qu'il cite : leurs offres qu'il ne cite plus sont retirées " +
            "(celles des autres organismes sont gardées ; rien n'est retiré si une ligne est rejetée).",
        },
      ],
      run: (database, bytes, options) =>
        importFormations(database, bytes, {
          ...options,
          format: options.format as FormationFileFormat | undefined,
          offreComplete: options.flags.has("--offre-complete"),
        }),
    },
    argv,
    getDatabase,
  );
}
