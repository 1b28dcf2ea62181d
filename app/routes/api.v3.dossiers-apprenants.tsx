/** POST /api/v3/dossiers-apprenants: the ERPs' feed (see app/ingestion/api.server.ts). */
import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, postDossiers } from "~/ingestion/api.server";
import { avecErreursApi } from "~/shared/erreurs-base.server";

export async function action({ request, context }: ActionFunctionArgs) {
  return avecErreursApi("[api] envoi de dossiers en échec", () => postDossiers(request, context.database, context));
}

export async function loader() {
  return methodNotAllowed("POST");
}
