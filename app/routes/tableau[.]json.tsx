/**
 * GET /tableau.json?vue=…&mois=AAAA-MM&<filtres>[&table=organismes|formations] — a dashboard's figures as JSON.
 * A parameter it does not read (`date=`: a dashboard counts by month; an unknown name) is a French 400.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { tableauJson } from "~/tableaux/ressources.server";

export function loader({ request, context }: LoaderFunctionArgs) {
  return tableauJson(request, context.database);
}

/** A read-only address: any other method gets a French 405. */
export { lectureSeule as action } from "~/shared/methode.server";
