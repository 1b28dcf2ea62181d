/** GET /exports/telechargement?…: the export file (CSV or XLSX), streamed. National team only. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { telechargerExport } from "~/exports/export.server";

export function loader({ request, context }: LoaderFunctionArgs) {
  return telechargerExport(request, context.database);
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
