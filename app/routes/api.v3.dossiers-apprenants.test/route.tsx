/** GET /api/v3/dossiers-apprenants/test: checks an API key, stores nothing. (A folder route: remix.config ignores "*.test.*" files.) */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, testApiKey } from "~/ingestion/api.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return testApiKey(request, context.database, context);
}

export async function action() {
  return methodNotAllowed("GET");
}
