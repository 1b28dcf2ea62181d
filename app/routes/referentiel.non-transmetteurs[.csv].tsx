/** GET /referentiel/non-transmetteurs.csv — same filters as the page, every row (CSV `;`, UTF-8 with BOM for Excel). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportNonTransmetteurs } from "~/referentiel/non-transmetteurs-export.server";

export function loader({ request, context }: LoaderFunctionArgs) {
  return exportNonTransmetteurs(request, context.database, "csv");
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
