/** GET /cfa/:organismeId/export.csv — the learners' list with its filters, every row (CSV `;`, UTF-8 with BOM), audit-logged. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireEspaceCfa } from "~/cfa/acces.server";
import { parseFiltresApprenants } from "~/cfa/apprenants";
import { cibleEspace, exporterApprenants } from "~/cfa/export.server";
import { todayIso } from "~/statut/annee-scolaire";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const espace = await requireEspaceCfa(request, context.database, params.organismeId);
  const { filtres, erreurs } = parseFiltresApprenants(new URL(request.url).searchParams, todayIso());
  return exporterApprenants(context.database, espace.viewer, cibleEspace(espace, filtres, erreurs), filtres, "csv");
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
