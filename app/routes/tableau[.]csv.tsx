/**
 * GET /tableau.csv?vue=…&table=organismes|formations|chiffres|serie&mois=AAAA-MM&<filtres> — one dashboard table as CSV.
 * A parameter it does not read (`date=`: a dashboard counts by month; an unknown name) is a French 400.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { tableauCsv } from "~/tableaux/ressources.server";

export function loader({ request, context }: LoaderFunctionArgs) {
  return tableauCsv(request, context.database);
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
