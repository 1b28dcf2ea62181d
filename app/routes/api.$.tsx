/**
 * An address under /api/ that no route serves (a typo in an ERP's configuration, an old version): a French 404 in
 * JSON, as every answer of the API, with where the routes are described; not the site's HTML page.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";

function introuvable({ request }: LoaderFunctionArgs): Response {
  const chemin = new URL(request.url).pathname;
  return new Response(
    JSON.stringify({
      error: "not_found",
      message: `Adresse inconnue de l'API : ${chemin}. Les adresses servies sont décrites dans /api/doc (et /api/openapi.json) ; l'envoi des dossiers se fait sur POST /api/v3/dossiers-apprenants.`,
    }),
    { status: 404, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } },
  );
}

export const loader = async (args: LoaderFunctionArgs) => introuvable(args);
export const action = async (args: LoaderFunctionArgs) => introuvable(args);
