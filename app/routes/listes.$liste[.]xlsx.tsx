/** GET /listes/:liste.xlsx — a named list of the territory with its filters, every row (XLSX), audit-logged. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exporterApprenants } from "~/cfa/export.server";
import { cibleListe, resoudreListe } from "~/listes/listes.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const liste = await resoudreListe(request, context.database, params.liste);
  return exporterApprenants(context.database, liste.viewer, cibleListe(liste), liste.filtres, "xlsx");
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
