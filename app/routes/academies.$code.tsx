/** `/academies/:code`: an académie's dashboard (canSeeAggregates on the territory, else 403). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { loaderTableau, vueTerritoire } from "~/tableaux/page.server";
import { PageTableau } from "~/tableaux/components/TableauDeBord";
import { ErreurTableau } from "~/tableaux/components/ErreurTableau";
import { metaTableau } from "~/tableaux/meta";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = metaTableau;

export function loader({ request, params, context }: LoaderFunctionArgs) {
  return loaderTableau(request, context.database, vueTerritoire("academie", params.code));
}

export default PageTableau;

export const ErrorBoundary = ErreurTableau;
