/**
 * `npm run cli -- import:organismes FICHIER [--format csv|json|lpof] [--json] [--strict]`
 * Imports organismes (documented CSV/JSON of docs/formats, or the public LPOF CSV) into the référentiel.
 */
import { getDatabase } from "../../db/client.server";
import { importOrganismes, type OrganismeFileFormat } from "../../app/referentiel/import-organismes.server";
import { runImportCommand } from "../import-referentiel";

export function run(argv: string[]): Promise<number> {
  return runImportCommand(
    {
      name: "import:organismes",
      description: "Importe des organismes : CSV ou JSON documentés (docs/formats/README.md) ou liste publique des organismes de formation (CSV).",
      formats: ["csv", "json", "lpof"],
      run: (database, bytes, options) => importOrganismes(database, bytes, { ...options, format: options.format as OrganismeFileFormat | undefined }),
    },
    argv,
    getDatabase,
  );
}
