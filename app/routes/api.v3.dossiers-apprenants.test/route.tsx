/** GET /api/v3/dossiers-apprenants/test: checks an API key, stores nothing. (A folder route: remix.config ignores "*.test.*" files.) */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, testApiKey } from "~/ingestion/api.server";
import { avecErreursApi } from "~/shared/erreurs-base.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return avecErreursApi("[api] vérification d'une clé en échec", () => testApiKey(request, context.database, context));
}

export async function action() {
  return methodNotAllowed("GET");
}
