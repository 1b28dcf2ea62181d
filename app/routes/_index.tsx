/** `/`: the national dashboard (for a viewer whose scope is not national, the dashboard of that scope). */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { loaderTableau } from "~/tableaux/page.server";
import { PageTableau } from "~/tableaux/components/TableauDeBord";
import { ErreurTableau } from "~/tableaux/components/ErreurTableau";
import { metaTableau } from "~/tableaux/meta";
export { pageSansFormulaire as action } from "~/shared/methode.server";

export const meta: MetaFunction<typeof loader> = metaTableau;

export function loader({ request, context }: LoaderFunctionArgs) {
  return loaderTableau(request, context.database, { kind: "national" });
}

export default PageTableau;

export const ErrorBoundary = ErreurTableau;
